#ifndef CRM_CLUA_H
#define CRM_CLUA_H
#include <lua5.4/lua.h>
#endif
