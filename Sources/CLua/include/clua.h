#ifndef CRM_CLUA_H
#define CRM_CLUA_H

#include <stddef.h>
#include <stdint.h>

#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>

/*
 * The C side of the Lua host. Everything that can raise a Lua error lives
 * in clua.c, so a Lua error never unwinds through a Swift frame.
 *
 * Swift sees the raising entry points of the Lua C API as unavailable:
 * calling lua_error, luaL_error, luaL_check* and the functions that may run
 * metamethods is a compile error outside clua.c, which defines
 * CLUA_IMPLEMENTATION before including this header.
 */
#ifndef CLUA_IMPLEMENTATION
#define CLUA_RAISES \
    __attribute__((unavailable("raises a Lua error; only clua.c may call it")))
int lua_error(lua_State *L) CLUA_RAISES;
int luaL_error(lua_State *L, const char *fmt, ...) CLUA_RAISES;
int luaL_argerror(lua_State *L, int arg, const char *extramsg) CLUA_RAISES;
int luaL_typeerror(lua_State *L, int arg, const char *tname) CLUA_RAISES;
lua_Integer luaL_checkinteger(lua_State *L, int arg) CLUA_RAISES;
lua_Number luaL_checknumber(lua_State *L, int arg) CLUA_RAISES;
const char *luaL_checklstring(lua_State *L, int arg, size_t *l) CLUA_RAISES;
void luaL_checkany(lua_State *L, int arg) CLUA_RAISES;
void luaL_checktype(lua_State *L, int t, int arg) CLUA_RAISES;
void *luaL_checkudata(lua_State *L, int ud, const char *tname) CLUA_RAISES;
void luaL_checkstack(lua_State *L, int sz, const char *msg) CLUA_RAISES;
int luaL_checkoption(lua_State *L, int arg, const char *def,
                     const char *const lst[]) CLUA_RAISES;
lua_Integer luaL_optinteger(lua_State *L, int arg, lua_Integer def) CLUA_RAISES;
lua_Number luaL_optnumber(lua_State *L, int arg, lua_Number def) CLUA_RAISES;
const char *luaL_optlstring(lua_State *L, int arg, const char *def,
                            size_t *l) CLUA_RAISES;
lua_Integer luaL_len(lua_State *L, int idx) CLUA_RAISES;
const char *luaL_tolstring(lua_State *L, int idx, size_t *len) CLUA_RAISES;
void lua_callk(lua_State *L, int nargs, int nresults, lua_KContext ctx,
               lua_KFunction k) CLUA_RAISES;
int lua_getglobal(lua_State *L, const char *name) CLUA_RAISES;
void lua_setglobal(lua_State *L, const char *name) CLUA_RAISES;
int lua_gettable(lua_State *L, int idx) CLUA_RAISES;
int lua_getfield(lua_State *L, int idx, const char *k) CLUA_RAISES;
int lua_geti(lua_State *L, int idx, lua_Integer n) CLUA_RAISES;
void lua_settable(lua_State *L, int idx) CLUA_RAISES;
void lua_setfield(lua_State *L, int idx, const char *k) CLUA_RAISES;
void lua_seti(lua_State *L, int idx, lua_Integer n) CLUA_RAISES;
void lua_len(lua_State *L, int idx) CLUA_RAISES;
void lua_concat(lua_State *L, int n) CLUA_RAISES;
void lua_arith(lua_State *L, int op) CLUA_RAISES;
int lua_compare(lua_State *L, int idx1, int idx2, int op) CLUA_RAISES;
#undef CLUA_RAISES
#endif

/* Outcome of running plugin code under the limits. */
typedef enum clua_status {
    CLUA_OK = 0,
    /* A Lua error; the message is on the stack, the line in
       clua_host_error_line. */
    CLUA_RUNTIME_ERROR = 1,
    /* The chunk did not compile; the message is on the stack. */
    CLUA_SYNTAX_ERROR = 2,
    CLUA_INSTRUCTION_BUDGET = 3,
    CLUA_TIME_LIMIT = 4,
    CLUA_MEMORY_LIMIT = 5,
} clua_status;

/*
 * Called by the C trampoline of each `crm` API function with the index the
 * function was registered under. The callback reads its arguments from the
 * stack with non-raising calls and returns the number of results it pushed,
 * or -1 after pushing an error message; the trampoline then raises that
 * message once the callback has returned.
 */
typedef int (*clua_api_callback)(void *context, lua_State *L, int index);

/* One Lua state with its allocator, count hook and watchdog slot. */
typedef struct clua_host clua_host;

/* Creates a state whose allocator enforces memory_bytes while plugin code
   runs. Returns NULL when the state cannot be created. */
clua_host *clua_host_create(size_t memory_bytes);

/* Closes the state and releases the host. */
void clua_host_destroy(clua_host *host);

lua_State *clua_host_state(clua_host *host);

/* Sets the per-call limits. soft_time_ns stops Lua code through the count
   hook; hard_time_ns is when the watchdog ends the process. */
void clua_host_set_limits(clua_host *host, int64_t instruction_budget,
                          int64_t soft_time_ns, int64_t hard_time_ns);

/* Seconds since the epoch returned by os.time() and used by os.date()
   when the plugin gives no time. */
void clua_host_set_clock(clua_host *host, int64_t seconds);

/* Line the watchdog writes to stderr before it ends the process. */
void clua_host_set_watchdog_message(clua_host *host, const char *message);

/*
 * Builds the sandboxed globals, the per-state library copies and the
 * read-only `crm` table. api_names lists the API function names separated
 * by '\n'; function i of that list calls callback(context, L, i).
 * Returns 0 on success, or -1 with a message on the stack.
 */
int clua_host_open_sandbox(clua_host *host, const char *api_names,
                           clua_api_callback callback, void *context);

/* Pushes the read-only `crm` table. */
void clua_host_push_api(clua_host *host);

/*
 * Compiles a text chunk named "=" + file name and runs it under the
 * limits. Leaves one value (the chunk's result or an error message) on
 * the stack.
 */
clua_status clua_host_load(clua_host *host, const char *source, size_t length,
                           const char *file);

/*
 * Calls the function below nargs arguments under the limits and leaves
 * one value: its first result or the error message. Nested calls on the
 * same state share the limits of the outermost call.
 */
clua_status clua_host_call(clua_host *host, int nargs);

/* Line of the plugin file where the last failure happened, 0 if unknown. */
int clua_host_error_line(const clua_host *host);

/* How Lua shows the plugin's chunk name in messages ("file.lua"). */
const char *clua_host_short_source(const clua_host *host);

/* Bytes the state holds. */
size_t clua_host_memory_used(const clua_host *host);

/* Line where the function at idx is defined, 0 for C functions. */
int clua_function_line(lua_State *L, int idx);

/* Wrappers for macros Swift cannot import. */
int clua_registry_index(void);
int clua_upvalue_index(int i);
void clua_pop(lua_State *L, int n);
void clua_newtable(lua_State *L);
const char *clua_tostring(lua_State *L, int idx, size_t *length);
int clua_pcall(lua_State *L, int nargs, int nresults, int msgh);
int clua_isnoneornil(lua_State *L, int idx);

#endif
