#define _GNU_SOURCE
#define CLUA_IMPLEMENTATION
#include "clua.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Instructions between two runs of the count hook. */
#define HOOK_STEP 10000

/* Maximum subject length, in bytes, of string.find, match, gmatch, gsub. */
#define PATTERN_MAX_SUBJECT (64 * 1024)

/* Maximum number of repetition items (* + - ?) in one pattern. */
#define PATTERN_MAX_QUANTIFIERS 8

/*
 * Upper bound on the backtracking steps of one pattern call, estimated
 * before the call. Lua 5.4.4 on a 2-core Debian 12 machine took 0.34 s
 * for ('a'):rep(10000):find('.-b'), which this estimate counts as 1e8.
 */
#define PATTERN_MAX_STEPS 1e8

/* Maximum number of elements one table.move call copies. */
#define TABLE_MAX_MOVE ((lua_Integer)1 << 22)

/* Maximum size, in bytes, of a text chunk given to `load`. */
#define LOAD_MAX_CHUNK (1024 * 1024)

#define WATCH_MESSAGE_MAX 1200
#define WATCH_POLL_NS 50000000L

enum trip_kind { TRIP_NONE = 0, TRIP_BUDGET, TRIP_TIME, TRIP_MEMORY };

struct clua_watch {
    _Atomic int64_t deadline_ns; /* 0 while no call runs */
    char message[WATCH_MESSAGE_MAX];
    struct clua_watch *previous;
    struct clua_watch *next;
};

struct clua_host {
    lua_State *L;

    /* Allocator. The cap applies only while `enforcing` is set. */
    size_t used;
    size_t cap;
    int enforcing;
    /* A growth request refused by the cap; Lua retries it once after an
       emergency collection, and only a second refusal is final. */
    int refusal_pending;
    void *refused_pointer;
    size_t refused_old_size;
    size_t refused_new_size;

    /* Limits of one call. */
    int64_t instruction_budget;
    int64_t ticks_left;
    int hook_step;
    int64_t soft_time_ns;
    int64_t hard_time_ns;
    int64_t soft_deadline_ns;
    int depth;

    /* Outcome of the current call. */
    enum trip_kind trip;
    int trip_line;
    int last_line;
    int error_line;

    int64_t clock_seconds;
    char *chunk_name; /* "=" + file */
    char short_source[LUA_IDSIZE];

    clua_api_callback api_callback;
    void *api_context;
    const char *setup_names;
    int api_ref;

    struct clua_watch watch;
};

static clua_host *host_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clua_host *)ud;
}

static int64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* ---------------------------------------------------------------------- */
/* Watchdog                                                               */

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct clua_watch *watch_list = NULL;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;

/* Ends the process when a call outlives its hard deadline. Lua cannot
   stop a single long C call or a finalizer, so this runs outside Lua. */
static void *watchdog_main(void *unused) {
    (void)unused;
    struct timespec pause = {0, WATCH_POLL_NS};
    for (;;) {
        nanosleep(&pause, NULL);
        int64_t now = monotonic_ns();
        pthread_mutex_lock(&watch_lock);
        for (struct clua_watch *w = watch_list; w != NULL; w = w->next) {
            int64_t deadline = atomic_load(&w->deadline_ns);
            if (deadline != 0 && now >= deadline) {
                ssize_t ignored = write(2, w->message, strlen(w->message));
                (void)ignored;
                _exit(1);
            }
        }
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static void watchdog_start(void) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    if (pthread_create(&thread, &attributes, watchdog_main, NULL) != 0)
        abort(); /* without a watchdog no limit holds for long C calls */
    pthread_attr_destroy(&attributes);
}

static void watch_register(struct clua_watch *w) {
    pthread_once(&watch_once, watchdog_start);
    pthread_mutex_lock(&watch_lock);
    w->previous = NULL;
    w->next = watch_list;
    if (watch_list != NULL) watch_list->previous = w;
    watch_list = w;
    pthread_mutex_unlock(&watch_lock);
}

static void watch_unregister(struct clua_watch *w) {
    pthread_mutex_lock(&watch_lock);
    if (w->previous != NULL) w->previous->next = w->next;
    else watch_list = w->next;
    if (w->next != NULL) w->next->previous = w->previous;
    pthread_mutex_unlock(&watch_lock);
}

void clua_host_set_watchdog_message(clua_host *host, const char *message) {
    pthread_mutex_lock(&watch_lock);
    size_t length = strlen(message);
    if (length > WATCH_MESSAGE_MAX - 2) length = WATCH_MESSAGE_MAX - 2;
    memcpy(host->watch.message, message, length);
    host->watch.message[length] = '\n';
    host->watch.message[length + 1] = '\0';
    pthread_mutex_unlock(&watch_lock);
}

/* ---------------------------------------------------------------------- */
/* Allocator                                                              */

static void trip(clua_host *h, enum trip_kind kind, int line) {
    if (h->trip != TRIP_NONE) return;
    h->trip = kind;
    h->trip_line = line;
}

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_host *h = (clua_host *)ud;
    /* With a NULL block, osize is the type tag of the new object. */
    size_t old = ptr != NULL ? osize : 0;

    if (nsize == 0) {
        free(ptr);
        h->used -= old;
        return NULL;
    }

    if (nsize > old && h->enforcing) {
        int is_retry = h->refusal_pending && h->refused_pointer == ptr &&
                       h->refused_old_size == osize &&
                       h->refused_new_size == nsize;
        if (h->refusal_pending && !is_retry)
            trip(h, TRIP_MEMORY, h->last_line);
        h->refusal_pending = 0;

        size_t growth = nsize - old;
        if (h->used >= h->cap || growth > h->cap - h->used) {
            if (is_retry) {
                trip(h, TRIP_MEMORY, h->last_line);
            } else {
                h->refusal_pending = 1;
                h->refused_pointer = ptr;
                h->refused_old_size = osize;
                h->refused_new_size = nsize;
            }
            return NULL;
        }
    }

    void *block = realloc(ptr, nsize);
    if (block == NULL) {
        if (nsize <= old) return ptr; /* a shrink must not fail */
        if (h->enforcing) trip(h, TRIP_MEMORY, h->last_line);
        return NULL;
    }
    h->used = h->used - old + nsize;
    return block;
}

/* ---------------------------------------------------------------------- */
/* Lines and the count hook                                               */

/* Current line of the innermost active function of the plugin's own
   chunk, starting at stack level `level`; 0 when there is none. */
static int plugin_line(lua_State *L, int level) {
    clua_host *h = host_of(L);
    lua_Debug ar;
    if (h->chunk_name == NULL) return 0;
    for (; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar)) continue;
        if (ar.currentline > 0 && strcmp(ar.source, h->chunk_name) == 0)
            return ar.currentline;
    }
    return 0;
}

static const char *trip_message(enum trip_kind kind) {
    switch (kind) {
    case TRIP_BUDGET: return "instruction budget exhausted";
    case TRIP_TIME: return "time limit exceeded";
    case TRIP_MEMORY: return "not enough memory (plugin memory limit reached)";
    default: return "limit reached";
    }
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    clua_host *h = host_of(L);

    if (h->trip == TRIP_NONE) {
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0 &&
            h->chunk_name != NULL && strcmp(ar->source, h->chunk_name) == 0)
            h->last_line = ar->currentline;
        h->ticks_left -= 1;
        if (h->ticks_left <= 0)
            trip(h, TRIP_BUDGET, plugin_line(L, 0));
        else if (monotonic_ns() >= h->soft_deadline_ns)
            trip(h, TRIP_TIME, plugin_line(L, 0));
        else
            return;
    }

    /* Sticky: once a limit is reached, raise on every further
       instruction so that a pcall inside the plugin cannot go on. */
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    int enforcing = h->enforcing;
    h->enforcing = 0;
    lua_pushstring(L, trip_message(h->trip));
    h->enforcing = enforcing;
    lua_error(L);
}

/* Records the plugin line of a failure and passes the message on. Runs
   for LUA_ERRRUN only: Lua calls no handler for memory errors. */
static int message_handler(lua_State *L) {
    clua_host *h = host_of(L);
    h->error_line = plugin_line(L, 1);
    int type = lua_type(L, 1);
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        lua_settop(L, 1);
        return 1;
    }
    int enforcing = h->enforcing;
    h->enforcing = 0;
    /* No __tostring here: hooks do not run inside a message handler. */
    lua_pushfstring(L, "error object is a %s value", luaL_typename(L, 1));
    h->enforcing = enforcing;
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Running plugin code                                                    */

static void begin_call(clua_host *h) {
    int64_t now = monotonic_ns();
    h->trip = TRIP_NONE;
    h->trip_line = 0;
    h->last_line = 0;
    h->error_line = 0;
    h->refusal_pending = 0;
    h->ticks_left = h->instruction_budget / h->hook_step +
                    (h->instruction_budget % h->hook_step != 0);
    h->soft_deadline_ns = now + h->soft_time_ns;
    lua_sethook(h->L, count_hook, LUA_MASKCOUNT, h->hook_step);
    atomic_store(&h->watch.deadline_ns, now + h->hard_time_ns);
}

static clua_status run_protected(clua_host *h, int nargs) {
    lua_State *L = h->L;
    int base = lua_gettop(L) - nargs;
    int outermost = h->depth == 0;

    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    if (outermost) begin_call(h);

    h->depth += 1;
    int enforcing = h->enforcing;
    h->enforcing = 1;
    int status = lua_pcall(L, nargs, 1, base);
    h->enforcing = enforcing;
    h->depth -= 1;

    if (h->refusal_pending) {
        /* The last refused request was never retried, so it failed. */
        h->refusal_pending = 0;
        trip(h, TRIP_MEMORY, h->last_line);
    }
    if (outermost) atomic_store(&h->watch.deadline_ns, 0);
    lua_remove(L, base); /* the message handler */

    if (status == LUA_ERRMEM) trip(h, TRIP_MEMORY, h->last_line);
    switch (h->trip) {
    case TRIP_BUDGET: h->error_line = h->trip_line; return CLUA_INSTRUCTION_BUDGET;
    case TRIP_TIME: h->error_line = h->trip_line; return CLUA_TIME_LIMIT;
    case TRIP_MEMORY: h->error_line = h->trip_line; return CLUA_MEMORY_LIMIT;
    default: break;
    }
    return status == LUA_OK ? CLUA_OK : CLUA_RUNTIME_ERROR;
}

clua_status clua_host_call(clua_host *host, int nargs) {
    return run_protected(host, nargs);
}

clua_status clua_host_load(clua_host *h, const char *source, size_t length,
                           const char *file) {
    lua_State *L = h->L;
    size_t file_length = strlen(file);
    free(h->chunk_name);
    h->chunk_name = malloc(file_length + 2);
    if (h->chunk_name == NULL) abort();
    h->chunk_name[0] = '=';
    memcpy(h->chunk_name + 1, file, file_length + 1);

    /* Compiling is plugin work too: it runs under the memory cap. */
    h->enforcing = 1;
    h->refusal_pending = 0;
    h->trip = TRIP_NONE;
    int status = luaL_loadbufferx(L, source, length, h->chunk_name, "t");
    h->enforcing = 0;
    if (status == LUA_ERRMEM || h->trip == TRIP_MEMORY) {
        h->error_line = 0;
        return CLUA_MEMORY_LIMIT;
    }
    if (status != LUA_OK) return CLUA_SYNTAX_ERROR;

    lua_Debug ar;
    lua_pushvalue(L, -1);
    lua_getinfo(L, ">S", &ar);
    memcpy(h->short_source, ar.short_src, LUA_IDSIZE);
    return run_protected(h, 0);
}

/* ---------------------------------------------------------------------- */
/* Pattern guards                                                         */

static int class_matches(int c, int class_letter) {
    int result;
    switch (tolower(class_letter)) {
    case 'a': result = isalpha(c); break;
    case 'c': result = iscntrl(c); break;
    case 'd': result = isdigit(c); break;
    case 'g': result = isgraph(c); break;
    case 'l': result = islower(c); break;
    case 'p': result = ispunct(c); break;
    case 's': result = isspace(c); break;
    case 'u': result = isupper(c); break;
    case 'w': result = isalnum(c); break;
    case 'x': result = isxdigit(c); break;
    default: return class_letter == c;
    }
    if (isupper(class_letter)) result = !result;
    return result != 0;
}

/* Whether c is in the set [first .. last], last pointing at ']'. */
static int set_matches(int c, const char *first, const char *last) {
    int negated = 0;
    const char *p = first + 1;
    if (*p == '^') {
        negated = 1;
        p++;
    }
    while (p < last) {
        if (*p == '%' && p + 1 < last) {
            if (class_matches(c, (unsigned char)p[1])) return !negated;
            p += 2;
        } else if (p + 2 < last && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
                return !negated;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return !negated;
            p++;
        }
    }
    return negated;
}

/* End of the single-character class at p, or NULL when malformed. */
static const char *class_end(const char *p, const char *end,
                             const char **error) {
    if (*p == '%') {
        if (p + 1 >= end) {
            *error = "malformed pattern (ends with '%')";
            return NULL;
        }
        return p + 2;
    }
    if (*p == '[') {
        p++;
        if (p < end && *p == '^') p++;
        do { /* the first character of a set is never its end */
            if (p >= end) {
                *error = "malformed pattern (missing ']')";
                return NULL;
            }
            if (*(p++) == '%' && p < end) p++;
        } while (p >= end || *p != ']');
        return p + 1;
    }
    return p + 1;
}

static int single_matches(int c, const char *p, const char *ep) {
    switch (*p) {
    case '.': return 1;
    case '%': return class_matches(c, (unsigned char)p[1]);
    case '[': return set_matches(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* Length of the longest run of subject characters in the class [p, ep). */
static size_t longest_run(const char *s, size_t n, const char *p,
                          const char *ep) {
    if (*p == '.') return n;
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        if (single_matches((unsigned char)s[i], p, ep)) {
            run++;
            if (run > best) best = run;
        } else {
            run = 0;
        }
    }
    return best;
}

/*
 * Raises when a pattern call could run too long inside one C call, where
 * the count hook cannot stop it. The estimate multiplies the start
 * positions by, for each repetition item, one plus the longest run of
 * subject characters it can match (two for '?'). It is an upper bound on
 * backtracking, not a measure of typical cost.
 */
/* Raises once the time limit has passed or any limit was reached.
   Guarded C functions check this because a loop of slow C calls runs few
   instructions, so the count hook may not run before the watchdog. */
static void check_limits(lua_State *L) {
    clua_host *h = host_of(L);
    if (!h->enforcing) return;
    if (h->trip == TRIP_NONE) {
        if (monotonic_ns() < h->soft_deadline_ns) return;
        trip(h, TRIP_TIME, plugin_line(L, 1));
    }
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", trip_message(h->trip));
}

static const char *check_subject(lua_State *L, const char *name,
                                 size_t *n) {
    check_limits(L);
    const char *s = luaL_checklstring(L, 1, n);
    if (*n > PATTERN_MAX_SUBJECT)
        luaL_error(L, "string.%s: subject of %d bytes is longer than the "
                   "%d-byte maximum for pattern functions",
                   name, (int)*n, PATTERN_MAX_SUBJECT);
    return s;
}

static void check_pattern(lua_State *L, const char *name, int anchorable) {
    size_t n, plen;
    const char *s = check_subject(L, name, &n);
    const char *pattern = luaL_checklstring(L, 2, &plen);
    const char *p = pattern, *end = pattern + plen;
    const char *error = NULL;
    int quantifiers = 0;
    double steps = 1.0;

    if (anchorable && p < end && *p == '^') p++;
    else steps = (double)n + 1.0;

    while (p < end) {
        if (*p == '(' || *p == ')') {
            p++;
            continue;
        }
        if (*p == '$' && p + 1 == end) break;
        if (*p == '%' && p + 1 < end) {
            if (p[1] == 'b') {
                if (p + 3 >= end)
                    luaL_error(L, "string.%s: malformed pattern (missing "
                               "arguments to '%%b')", name);
                steps *= (double)n + 1.0;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p += 2;
                if (p >= end || *p != '[')
                    luaL_error(L, "string.%s: missing '[' after '%%f' in "
                               "pattern", name);
                p = class_end(p, end, &error);
                if (p == NULL) break;
                continue;
            }
            if (isdigit((unsigned char)p[1])) {
                p += 2;
                continue;
            }
        }
        const char *ep = class_end(p, end, &error);
        if (ep == NULL) break;
        if (ep < end && (*ep == '*' || *ep == '+' || *ep == '-')) {
            quantifiers++;
            steps *= (double)longest_run(s, n, p, ep) + 1.0;
            p = ep + 1;
        } else if (ep < end && *ep == '?') {
            quantifiers++;
            steps *= 2.0;
            p = ep + 1;
        } else {
            p = ep;
        }
    }

    if (error != NULL) luaL_error(L, "string.%s: %s", name, error);
    if (quantifiers > PATTERN_MAX_QUANTIFIERS)
        luaL_error(L, "string.%s: pattern has %d repetition items "
                   "(* + - ?); the maximum is %d",
                   name, quantifiers, PATTERN_MAX_QUANTIFIERS);
    if (steps > PATTERN_MAX_STEPS)
        luaL_error(L, "string.%s: pattern is too complex for a subject of "
                   "%d bytes; use a shorter subject or fewer repetition "
                   "items", name, (int)n);
}

static int call_original(lua_State *L) {
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

static int guarded_find(lua_State *L) {
    size_t n;
    if (lua_toboolean(L, 4)) check_subject(L, "find", &n); /* plain search */
    else check_pattern(L, "find", 1);
    return call_original(L);
}

static int guarded_match(lua_State *L) {
    check_pattern(L, "match", 1);
    return call_original(L);
}

static int guarded_gmatch(lua_State *L) {
    check_pattern(L, "gmatch", 0);
    return call_original(L);
}

static int guarded_gsub(lua_State *L) {
    check_pattern(L, "gsub", 1);
    return call_original(L);
}

/* Raises "not enough memory" before string.rep builds a string that
   would not fit under the cap, because a long rep runs in one C call. */
static int guarded_rep(lua_State *L) {
    clua_host *h = host_of(L);
    size_t length, separator_length;
    check_limits(L);
    luaL_checklstring(L, 1, &length);
    lua_Integer count = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &separator_length);

    if (count > 0 && h->enforcing) {
        double total = (double)length * (double)count +
                       (double)separator_length * (double)(count - 1);
        double available = h->used >= h->cap ? 0.0 : (double)(h->cap - h->used);
        if (total >= available && total < (double)h->cap) {
            /* Garbage may fill the space; a full collection frees it. */
            lua_gc(L, LUA_GCCOLLECT);
            available = h->used >= h->cap ? 0.0 : (double)(h->cap - h->used);
        }
        if (total >= available) {
            char size[32];
            snprintf(size, sizeof size, "%.0f", total);
            trip(h, TRIP_MEMORY, plugin_line(L, 1));
            luaL_error(L, "not enough memory: string.rep would build %s "
                       "bytes, over the plugin memory limit", size);
        }
    }
    return call_original(L);
}

/* ---------------------------------------------------------------------- */
/* Table guards                                                           */

static void reject_len_metamethod(lua_State *L, const char *name) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_getmetatable(L, 1)) {
        lua_pushliteral(L, "__len");
        int has_len = lua_rawget(L, -2) != LUA_TNIL;
        lua_pop(L, 2);
        if (has_len)
            luaL_error(L, "table.%s: tables with a __len metamethod are not "
                       "supported in the plugin sandbox", name);
    }
}

static int guarded_insert(lua_State *L) {
    reject_len_metamethod(L, "insert");
    return call_original(L);
}

static int guarded_remove(lua_State *L) {
    reject_len_metamethod(L, "remove");
    return call_original(L);
}

static int guarded_move(lua_State *L) {
    lua_Integer first = luaL_checkinteger(L, 2);
    lua_Integer last = luaL_checkinteger(L, 3);
    if (last >= first && (lua_Unsigned)last - (lua_Unsigned)first >=
                             (lua_Unsigned)TABLE_MAX_MOVE)
        luaL_error(L, "table.move: more than %d elements to move",
                   (int)TABLE_MAX_MOVE);
    return call_original(L);
}

/* ---------------------------------------------------------------------- */
/* Base library replacements                                              */

static const char *const sandbox_unavailable[] = {
    "io", "debug", "package", "require", "dofile", "loadfile", "coroutine",
    "loadstring", "module", "setfenv", "getfenv", "unpack", "warn", NULL,
};

static int is_listed(const char *name, const char *const list[]) {
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(name, list[i]) == 0) return 1;
    return 0;
}

/* __index of the globals: reading an undefined global is an error. */
static int strict_global(lua_State *L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    const char *name = lua_tostring(L, 2);
    if (is_listed(name, sandbox_unavailable))
        return luaL_error(L, "global '%s' is not available in the plugin "
                          "sandbox", name);
    if (strcmp(name, "crm") == 0)
        return luaL_error(L, "global 'crm' is not defined; handlers receive "
                          "the crm table as their second argument");
    return luaL_error(L, "global '%s' is not defined", name);
}

/* __index of a library copy: upvalue 1 is the library name, upvalue 2 a
   set of the names left out of the sandbox. */
static int strict_library(lua_State *L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(2)) == LUA_TNIL) return 0;
    return luaL_error(L, "%s.%s is not available in the plugin sandbox",
                      lua_tostring(L, lua_upvalueindex(1)),
                      lua_tostring(L, 2));
}

static int read_only_newindex(lua_State *L) {
    return luaL_error(L, "table '%s' is read-only",
                      lua_tostring(L, lua_upvalueindex(1)));
}

static int read_only_next(lua_State *L) {
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1))) return 2;
    lua_pushnil(L);
    return 1;
}

static int read_only_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, read_only_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Key in the registry of the set of read-only proxies. */
static const char read_only_key = 0;

static int sandbox_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &read_only_key);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) == LUA_TSTRING)
        return luaL_error(L, "table '%s' is read-only", lua_tostring(L, -1));
    lua_pop(L, 2);
    return call_original(L);
}

static int sandbox_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        int has_gc = lua_rawget(L, 2) != LUA_TNIL;
        lua_pop(L, 1);
        if (has_gc)
            return luaL_error(L, "setmetatable: metatables with a __gc field "
                              "are not allowed in the plugin sandbox");
    }
    return call_original(L);
}

/* Compiles text only, always with the plugin's globals as environment. */
static int sandbox_load(lua_State *L) {
    size_t length;
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "load: only string chunks are supported in the "
                          "plugin sandbox");
    const char *chunk = lua_tolstring(L, 1, &length);
    if (!lua_isnoneornil(L, 4))
        return luaL_error(L, "load: the env argument is not supported in the "
                          "plugin sandbox");
    if (length > LOAD_MAX_CHUNK)
        return luaL_error(L, "load: chunk of %d bytes is longer than the "
                          "%d-byte maximum", (int)length, LOAD_MAX_CHUNK);

    const char *name = luaL_optstring(L, 2, chunk);
    /* Names starting with '=' or '@' print as given; a prefix keeps a
       loaded chunk from passing for the plugin file in messages. */
    if (name[0] == '=' || name[0] == '@') {
        lua_pushfstring(L, "=(load) %s", name + 1);
        name = lua_tostring(L, -1);
    }
    int status = luaL_loadbufferx(L, chunk, length, name, "t");
    if (status == LUA_OK) return 1;
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
}

/* Runs the handler after the protected call has returned, where the count
   hook still applies; Lua runs a message handler with hooks off. */
static int sandbox_xpcall(lua_State *L) {
    int nargs = lua_gettop(L) - 2;
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checkany(L, 1);
    lua_pushvalue(L, 2);
    lua_insert(L, 1); /* handler, function, handler, args */
    lua_remove(L, 3);
    if (lua_pcall(L, nargs < 0 ? 0 : nargs, LUA_MULTRET, 0) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_replace(L, 1);
        return lua_gettop(L);
    }
    lua_call(L, 1, 1); /* handler(error) */
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

static int sandbox_collectgarbage(lua_State *L) {
    const char *option = luaL_optstring(L, 1, "collect");
    if (strcmp(option, "count") != 0)
        return luaL_error(L, "collectgarbage: option '%s' is not available "
                          "in the plugin sandbox", option);
    int kilobytes = lua_gc(L, LUA_GCCOUNT);
    int remainder = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number)kilobytes + (lua_Number)remainder / 1024);
    return 1;
}

/* print joins its arguments with tabs and calls crm.log (upvalue 1). */
static int sandbox_print(lua_State *L) {
    int n = lua_gettop(L);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&buffer, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&buffer);
    }
    luaL_pushresult(&buffer);
    if (lua_isnil(L, lua_upvalueindex(1))) return 0;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, -2);
    lua_call(L, 1, 0);
    return 0;
}

static int sandbox_time(lua_State *L) {
    if (lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, host_of(L)->clock_seconds);
        return 1;
    }
    return call_original(L);
}

static int sandbox_date(lua_State *L) {
    if (lua_isnoneornil(L, 2)) {
        if (lua_isnoneornil(L, 1)) {
            lua_settop(L, 0);
            lua_pushliteral(L, "%c");
        }
        lua_settop(L, 1);
        lua_pushinteger(L, host_of(L)->clock_seconds);
    }
    return call_original(L);
}

static int api_trampoline(lua_State *L) {
    clua_host *h = host_of(L);
    int index = (int)lua_tointeger(L, lua_upvalueindex(1));

    /* Host pushes are exempt from the cap: a failed allocation here would
       raise through the Swift frame. */
    int enforcing = h->enforcing;
    h->enforcing = 0;
    int results = h->api_callback(h->api_context, L, index);
    h->enforcing = enforcing;

    if (results < 0) return lua_error(L);
    return results;
}

/* ---------------------------------------------------------------------- */
/* Building the sandbox                                                   */

/* Replaces t[name] (t at idx) with a closure of guard over the original. */
static void wrap_field(lua_State *L, int idx, const char *name,
                       lua_CFunction guard) {
    idx = lua_absindex(L, idx);
    lua_pushstring(L, name);
    lua_rawget(L, idx);
    lua_pushcclosure(L, guard, 1);
    lua_pushstring(L, name);
    lua_insert(L, -2);
    lua_rawset(L, idx);
}

static void set_function(lua_State *L, int idx, const char *name,
                         lua_CFunction f) {
    idx = lua_absindex(L, idx);
    lua_pushstring(L, name);
    lua_pushcfunction(L, f);
    lua_rawset(L, idx);
}

static void set_nil(lua_State *L, int idx, const char *name) {
    idx = lua_absindex(L, idx);
    lua_pushstring(L, name);
    lua_pushnil(L);
    lua_rawset(L, idx);
}

/*
 * Pushes a copy of the library table at lib_index that keeps the names in
 * `allowed` (all names when NULL) except those in `removed`. Reading a
 * left-out name raises an error that names it.
 */
static void push_library_copy(lua_State *L, int lib_index, const char *name,
                              const char *const allowed[],
                              const char *const removed[]) {
    lib_index = lua_absindex(L, lib_index);
    lua_newtable(L); /* copy */
    lua_newtable(L); /* left-out names */
    lua_pushnil(L);
    while (lua_next(L, lib_index)) {
        const char *key = lua_tostring(L, -2);
        int keep = (allowed == NULL || is_listed(key, allowed)) &&
                   (removed == NULL || !is_listed(key, removed));
        lua_pushvalue(L, -2);
        if (keep) {
            lua_insert(L, -2);
            lua_rawset(L, -5);
        } else {
            lua_pushboolean(L, 1);
            lua_rawset(L, -5);
            lua_pop(L, 1);
        }
    }
    lua_newtable(L); /* metatable of the copy */
    lua_pushliteral(L, "__index");
    lua_pushstring(L, name);
    lua_pushvalue(L, -4);
    lua_pushcclosure(L, strict_library, 2);
    lua_rawset(L, -3);
    lua_setmetatable(L, -3);
    lua_pop(L, 1);
}

static const char *const string_removed[] = {"dump", NULL};
static const char *const os_allowed[] = {"time", "date", "clock", NULL};

static void open_library(lua_State *L, const char *name, lua_CFunction open) {
    luaL_requiref(L, name, open, 0);
}

static void build_string_library(lua_State *L) {
    open_library(L, LUA_STRLIBNAME, luaopen_string);
    push_library_copy(L, -1, "string", NULL, string_removed);
    wrap_field(L, -1, "find", guarded_find);
    wrap_field(L, -1, "match", guarded_match);
    wrap_field(L, -1, "gmatch", guarded_gmatch);
    wrap_field(L, -1, "gsub", guarded_gsub);
    wrap_field(L, -1, "rep", guarded_rep);

    /* Strings index this state's own copy; getmetatable("") returns the
       __metatable text instead of the metatable. */
    lua_newtable(L);
    lua_pushliteral(L, "__index");
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pushliteral(L, "__metatable");
    lua_pushliteral(L, "the string metatable is protected");
    lua_rawset(L, -3);
    lua_pushliteral(L, "");
    lua_insert(L, -2);
    lua_setmetatable(L, -2);
    lua_pop(L, 1);

    lua_pushliteral(L, "string");
    lua_insert(L, -2);
    lua_rawset(L, -4); /* globals.string = copy */
    lua_pop(L, 1);     /* original library */
}

static void build_library(lua_State *L, const char *name, lua_CFunction open,
                          const char *const allowed[]) {
    open_library(L, name, open);
    push_library_copy(L, -1, name, allowed, NULL);
    if (strcmp(name, LUA_TABLIBNAME) == 0) {
        wrap_field(L, -1, "insert", guarded_insert);
        wrap_field(L, -1, "remove", guarded_remove);
        wrap_field(L, -1, "move", guarded_move);
    } else if (strcmp(name, LUA_OSLIBNAME) == 0) {
        wrap_field(L, -1, "time", sandbox_time);
        wrap_field(L, -1, "date", sandbox_date);
    }
    lua_pushstring(L, name);
    lua_insert(L, -2);
    lua_rawset(L, -4);
    lua_pop(L, 1);
}

/* Pushes the read-only proxy of the crm table and returns crm.log, or
   nil, left on the stack under the proxy. */
static void build_api(lua_State *L, clua_host *h) {
    const char *names = h->setup_names;
    int index = 0;

    lua_newtable(L); /* functions */
    lua_pushnil(L);  /* crm.log, for print */
    while (*names != '\0') {
        const char *end = strchr(names, '\n');
        size_t length = end != NULL ? (size_t)(end - names) : strlen(names);
        lua_pushlstring(L, names, length);
        lua_pushinteger(L, index);
        lua_pushcclosure(L, api_trampoline, 1);
        if (length == 3 && memcmp(names, "log", 3) == 0) {
            lua_pushvalue(L, -1);
            lua_replace(L, -4);
        }
        lua_rawset(L, -4);
        index++;
        names += length;
        if (*names == '\n') names++;
    }
    lua_insert(L, -2); /* log, functions */

    lua_newtable(L); /* proxy */
    lua_newtable(L); /* its metatable */
    lua_pushliteral(L, "__index");
    lua_pushvalue(L, -4);
    lua_rawset(L, -3);
    lua_pushliteral(L, "__newindex");
    lua_pushliteral(L, "crm");
    lua_pushcclosure(L, read_only_newindex, 1);
    lua_rawset(L, -3);
    lua_pushliteral(L, "__pairs");
    lua_pushvalue(L, -4);
    lua_pushcclosure(L, read_only_pairs, 1);
    lua_rawset(L, -3);
    lua_pushliteral(L, "__metatable");
    lua_pushliteral(L, "the crm table is read-only");
    lua_rawset(L, -3);
    lua_setmetatable(L, -2);
    lua_remove(L, -2); /* log, proxy */

    lua_rawgetp(L, LUA_REGISTRYINDEX, &read_only_key);
    lua_pushvalue(L, -2);
    lua_pushliteral(L, "crm");
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static void replace_global(lua_State *L, const char *name, lua_CFunction f,
                           int keep_original) {
    if (keep_original) {
        wrap_field(L, -1, name, f);
    } else {
        set_function(L, -1, name, f);
    }
}

static int open_sandbox(lua_State *L) {
    clua_host *h = (clua_host *)lua_touserdata(L, 1);
    lua_settop(L, 0);

    /* The set of read-only proxies, weak in its keys. */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "__mode");
    lua_pushliteral(L, "k");
    lua_rawset(L, -3);
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &read_only_key);

    luaL_requiref(L, LUA_GNAME, luaopen_base, 1); /* globals */
    set_nil(L, -1, "dofile");
    set_nil(L, -1, "loadfile");
    set_nil(L, -1, "warn");
    replace_global(L, "rawset", sandbox_rawset, 1);
    replace_global(L, "setmetatable", sandbox_setmetatable, 1);
    replace_global(L, "load", sandbox_load, 0);
    replace_global(L, "xpcall", sandbox_xpcall, 0);
    replace_global(L, "collectgarbage", sandbox_collectgarbage, 0);

    build_string_library(L);
    build_library(L, LUA_TABLIBNAME, luaopen_table, NULL);
    build_library(L, LUA_MATHLIBNAME, luaopen_math, NULL);
    build_library(L, LUA_UTF8LIBNAME, luaopen_utf8, NULL);
    build_library(L, LUA_OSLIBNAME, luaopen_os, os_allowed);

    build_api(L, h); /* globals, log, proxy */
    h->api_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushliteral(L, "print");
    lua_insert(L, -2);
    lua_pushcclosure(L, sandbox_print, 1);
    lua_rawset(L, -3);

    lua_newtable(L); /* metatable of the globals */
    lua_pushliteral(L, "__index");
    lua_pushcfunction(L, strict_global);
    lua_rawset(L, -3);
    lua_pushliteral(L, "__metatable");
    lua_pushliteral(L, "the global table is protected");
    lua_rawset(L, -3);
    lua_setmetatable(L, -2);
    return 0;
}

int clua_host_open_sandbox(clua_host *h, const char *api_names,
                           clua_api_callback callback, void *context) {
    lua_State *L = h->L;
    h->api_callback = callback;
    h->api_context = context;
    h->setup_names = api_names;
    lua_pushcfunction(L, open_sandbox);
    lua_pushlightuserdata(L, h);
    int status = lua_pcall(L, 1, 0, 0);
    h->setup_names = NULL;
    return status == LUA_OK ? 0 : -1;
}

void clua_host_push_api(clua_host *h) {
    lua_rawgeti(h->L, LUA_REGISTRYINDEX, h->api_ref);
}

/* ---------------------------------------------------------------------- */
/* Host life cycle and accessors                                          */

/* Reached only through a bug in the host: every plugin call is protected. */
static int panic(lua_State *L) {
    const char *message = lua_tostring(L, -1);
    fprintf(stderr, "crm: unprotected Lua error: %s\n",
            message != NULL ? message : "(not a string)");
    return 0; /* Lua aborts the process */
}

clua_host *clua_host_create(size_t memory_bytes) {
    clua_host *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->cap = memory_bytes;
    h->instruction_budget = 1;
    h->hook_step = 1;
    h->api_ref = LUA_NOREF;
    h->L = lua_newstate(capped_alloc, h);
    if (h->L == NULL) {
        free(h);
        return NULL;
    }
    /* Installed before any plugin code runs, as later threads and calls
       inherit only a hook that exists. */
    lua_atpanic(h->L, panic);
    lua_sethook(h->L, count_hook, LUA_MASKCOUNT, HOOK_STEP);
    watch_register(&h->watch);
    return h;
}

void clua_host_destroy(clua_host *h) {
    if (h == NULL) return;
    watch_unregister(&h->watch);
    h->enforcing = 0;
    lua_close(h->L);
    free(h->chunk_name);
    free(h);
}

lua_State *clua_host_state(clua_host *h) { return h->L; }

void clua_host_set_limits(clua_host *h, int64_t instruction_budget,
                          int64_t soft_time_ns, int64_t hard_time_ns) {
    h->instruction_budget = instruction_budget > 0 ? instruction_budget : 1;
    h->hook_step = h->instruction_budget < HOOK_STEP
                       ? (int)h->instruction_budget : HOOK_STEP;
    h->soft_time_ns = soft_time_ns;
    h->hard_time_ns = hard_time_ns;
}

void clua_host_set_clock(clua_host *h, int64_t seconds) {
    h->clock_seconds = seconds;
}

int clua_host_error_line(const clua_host *h) { return h->error_line; }

const char *clua_host_short_source(const clua_host *h) {
    return h->short_source;
}

size_t clua_host_memory_used(const clua_host *h) { return h->used; }

int clua_function_line(lua_State *L, int idx) {
    lua_Debug ar;
    lua_pushvalue(L, idx);
    if (!lua_getinfo(L, ">S", &ar)) return 0;
    return ar.linedefined > 0 ? ar.linedefined : 0;
}

int clua_registry_index(void) { return LUA_REGISTRYINDEX; }

int clua_upvalue_index(int i) { return lua_upvalueindex(i); }

void clua_pop(lua_State *L, int n) { lua_pop(L, n); }

void clua_newtable(lua_State *L) { lua_newtable(L); }

const char *clua_tostring(lua_State *L, int idx, size_t *length) {
    return lua_tolstring(L, idx, length);
}

int clua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}

int clua_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
