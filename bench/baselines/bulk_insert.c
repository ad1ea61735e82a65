/* Baseline for `crm import accounts`: plain C inserting the same number of
 * accounts into the `accounts` table of a database made by `crm init`, so
 * the table, its indexes and its constraints are the product's own. WAL,
 * synchronous NORMAL, foreign keys on, one transaction, one prepared
 * statement reset between rows. Each row gets a distinct SIREN, a legal
 * name and its lower-case key, a legal form, a creation date and an
 * activity code, as a SIRENE row does.
 *
 * Usage: bulk_insert DATABASE [rows]
 * Output: one line, "bulk_insert.accounts <rows> rows <nanoseconds>". */
#include "bench_common.h"

#include <sqlite3.h>
#include <string.h>

static const char *insert_sql =
    "INSERT INTO accounts (legal_name, legal_form, siren, country, owner_id, creation_date,"
    " category, name_key, created_at, updated_at)"
    " VALUES (?, ?, ?, 'FR', 1, ?, ?, ?, ?, ?)";

static int check(sqlite3 *db, int code, const char *what) {
    if (code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW) return 0;
    fprintf(stderr, "bulk_insert: %s failed: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

static int run(sqlite3 *db, const char *sql) {
    return check(db, sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bulk_insert DATABASE [rows]\n");
        return 2;
    }
    long rows = bench_argument(argc, argv, 2, 20000);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "bulk_insert: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    double start = bench_now_ns();
    if (run(db, "PRAGMA foreign_keys = ON") || run(db, "PRAGMA journal_mode = WAL")
        || run(db, "PRAGMA synchronous = NORMAL") || run(db, "BEGIN IMMEDIATE")) {
        return 1;
    }
    sqlite3_stmt *insert = NULL;
    if (check(db, sqlite3_prepare_v2(db, insert_sql, -1, &insert, NULL), "prepare")) return 1;

    static const char *forms[] = {"5710", "5499", "5720", "5599", "6540"};
    for (long n = 0; n < rows; n++) {
        char name[64], key[64], siren[24], created[40], code[40];
        snprintf(name, sizeof name, "SOCIETE DU MOULIN %ld", n);
        for (size_t i = 0; i <= strlen(name); i++) {
            char c = name[i];
            key[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        snprintf(siren, sizeof siren, "%09ld", 100000000 + n);
        snprintf(created, sizeof created, "%04ld-%02ld-%02ld", 1980 + n % 45, 1 + n % 12, 1 + n % 28);
        snprintf(code, sizeof code, "%02ld.%02ldZ", 10 + n % 80, n % 100);

        sqlite3_bind_text(insert, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, forms[n % 5], -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, siren, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, created, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 6, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 7, "2026-03-02T12:00:00Z", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 8, "2026-03-02T12:00:00Z", -1, SQLITE_STATIC);
        if (check(db, sqlite3_step(insert), "insert")) return 1;
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    if (run(db, "COMMIT")) return 1;
    double elapsed = bench_now_ns() - start;
    sqlite3_close(db);
    printf("bulk_insert.accounts %ld rows %.0f\n", rows, elapsed);
    return 0;
}
