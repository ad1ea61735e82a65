/* Baseline for `crm quote send`: plain C committing one single-row write
 * transaction at a time (BEGIN IMMEDIATE, one INSERT through a prepared
 * statement, COMMIT), WAL, synchronous NORMAL, in a new database file.
 *
 * Usage: commits DATABASE [commits] [runs]
 * Output: one line, "commits.single <median nanoseconds per commit>". */
#include "bench_common.h"

#include <sqlite3.h>

static int check(sqlite3 *db, int code, const char *what) {
    if (code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW) return 0;
    fprintf(stderr, "commits: %s failed: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

static int step(sqlite3 *db, sqlite3_stmt *statement, const char *what) {
    int failed = check(db, sqlite3_step(statement), what);
    sqlite3_reset(statement);
    return failed;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: commits DATABASE [commits] [runs]\n");
        return 2;
    }
    long commits = bench_argument(argc, argv, 2, 1000);
    int runs = (int)bench_argument(argc, argv, 3, 5);
    sqlite3 *db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "commits: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    const char *setup =
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        "CREATE TABLE IF NOT EXISTS sent (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
        " amount INTEGER NOT NULL, sent_at TEXT NOT NULL)";
    if (check(db, sqlite3_exec(db, setup, NULL, NULL, NULL), "setup")) return 1;

    sqlite3_stmt *begin = NULL, *insert = NULL, *commit = NULL;
    if (check(db, sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), "prepare BEGIN")
        || check(db, sqlite3_prepare_v2(db, "INSERT INTO sent (number, amount, sent_at) VALUES (?, ?, ?)",
                                        -1, &insert, NULL), "prepare INSERT")
        || check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), "prepare COMMIT")) {
        return 1;
    }

    double *samples = calloc((size_t)runs, sizeof *samples);
    long sequence = 0;
    for (int run = 0; run < runs; run++) {
        double start = bench_now_ns();
        for (long n = 0; n < commits; n++) {
            char number[32];
            snprintf(number, sizeof number, "Q-2026-%07ld", ++sequence);
            sqlite3_bind_text(insert, 1, number, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(insert, 2, 250000 + sequence);
            sqlite3_bind_text(insert, 3, "2026-03-02T12:00:00Z", -1, SQLITE_STATIC);
            if (step(db, begin, "BEGIN") || step(db, insert, "INSERT") || step(db, commit, "COMMIT")) return 1;
        }
        samples[run] = (bench_now_ns() - start) / (double)commits;
    }
    printf("commits.single %.1f\n", bench_median(samples, runs));
    free(samples);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return 0;
}
