#ifndef CRM_SQLITE_SHIM_H
#define CRM_SQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast of -1 to a destructor pointer, which Swift
 * cannot import: this accessor hands it over as a value. */
static inline sqlite3_destructor_type crm_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
