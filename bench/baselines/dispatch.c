/* Baseline for plugin dispatch: plain C calling one Lua function, with no
 * sandbox, no limits and no validation. Each call builds a new account
 * table of 12 fields (strings, integers, a 3-tag list, a 2-field address),
 * then calls the function under lua_pcall. In "rule" mode the function
 * returns a table and C reads its decision field.
 *
 * Usage: dispatch event|rule [calls] [runs]
 * Output: one line, "dispatch.<mode> <median nanoseconds per call>". */
#include "bench_common.h"

#include <string.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

static const char *event_chunk =
    "return function(account)\n"
    "  if account.creditLimit > 5000000 then account.flagged = true end\n"
    "end\n";

static const char *rule_chunk =
    "return function(account)\n"
    "  if account.creditLimit > 5000000 then\n"
    "    return { decision = 'review', reason = 'above the automatic limit' }\n"
    "  end\n"
    "  return { decision = 'approve' }\n"
    "end\n";

static void put_text(lua_State *L, const char *key, const char *text) {
    lua_pushstring(L, text);
    lua_setfield(L, -2, key);
}

static void put_number(lua_State *L, const char *key, lua_Integer number) {
    lua_pushinteger(L, number);
    lua_setfield(L, -2, key);
}

/* Pushes account number `n`; the name and credit limit change with n. */
static void push_account(lua_State *L, long n) {
    static const char *tags[] = {"industry", "key-account", "paris"};
    char name[64];
    snprintf(name, sizeof name, "Atelier Lumiere %ld", n);

    lua_createtable(L, 0, 12);
    put_number(L, "id", n);
    put_text(L, "legalName", name);
    put_text(L, "status", "prospect");
    put_text(L, "siren", "732829320");
    put_text(L, "country", "FR");
    put_text(L, "owner", "alice");
    put_text(L, "sector", "IDF");
    put_number(L, "creditLimit", (n % 100) * 100000);
    put_text(L, "currency", "EUR");
    put_text(L, "createdAt", "2026-03-02T12:00:00Z");

    lua_createtable(L, 3, 0);
    for (int i = 0; i < 3; i++) {
        lua_pushstring(L, tags[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "tags");

    lua_createtable(L, 0, 2);
    put_text(L, "postalCode", "75011");
    put_text(L, "city", "Paris");
    lua_setfield(L, -2, "address");
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "event";
    int rule = strcmp(mode, "rule") == 0;
    if (!rule && strcmp(mode, "event") != 0) {
        fprintf(stderr, "usage: dispatch event|rule [calls] [runs]\n");
        return 2;
    }
    long calls = bench_argument(argc, argv, 2, 200000);
    int runs = (int)bench_argument(argc, argv, 3, 5);

    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (luaL_dostring(L, rule ? rule_chunk : event_chunk) != LUA_OK) {
        fprintf(stderr, "dispatch: %s\n", lua_tostring(L, -1));
        return 1;
    }
    int function = luaL_ref(L, LUA_REGISTRYINDEX);

    double *samples = calloc((size_t)runs, sizeof *samples);
    long decided = 0;
    for (int run = 0; run < runs; run++) {
        double start = bench_now_ns();
        for (long n = 0; n < calls; n++) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, function);
            push_account(L, n);
            if (lua_pcall(L, 1, rule ? 1 : 0, 0) != LUA_OK) {
                fprintf(stderr, "dispatch: %s\n", lua_tostring(L, -1));
                return 1;
            }
            if (rule) {
                lua_getfield(L, -1, "decision");
                decided += lua_type(L, -1) == LUA_TSTRING;
                lua_pop(L, 2);
            }
        }
        samples[run] = (bench_now_ns() - start) / (double)calls;
    }
    if (rule && decided != calls * runs) {
        fprintf(stderr, "dispatch: a rule call returned no decision\n");
        return 1;
    }
    printf("dispatch.%s %.1f\n", mode, bench_median(samples, runs));
    free(samples);
    lua_close(L);
    return 0;
}
