/* store: opening, schema versions, transactions, batches, failures. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

static void test_open_missing(void **state) {
    (void)state;
    store *db;
    ph_err err = {0};
    assert_int_equal(store_open("/nonexistent/dir/x.db", 0, &db, &err), PH_ERR);
    assert_non_null(strstr(err.msg, "run `penholder init`"));
}

static void test_migrate_and_versions(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/a.db", dir);
    store *db;
    ph_err err = {0};
    assert_int_equal(store_open(path, STORE_CREATE | STORE_ANY_VERSION, &db, &err), PH_OK);
    assert_int_equal(store_schema_version(db), 0);
    int applied = -1;
    assert_int_equal(store_migrate(db, &applied, &err), PH_OK);
    assert_true(applied >= 1);
    assert_int_equal(store_schema_version(db), store_schema_latest());
    assert_int_equal(store_migrate(db, &applied, &err), PH_OK);
    assert_int_equal(applied, 0);
    /* Pretend a newer program wrote it. */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", store_schema_latest() + 5);
    assert_int_equal(store_exec(db, sql, &err), PH_OK);
    store_close(db);
    assert_int_equal(store_open(path, 0, &db, &err), PH_ERR);
    char want[64];
    snprintf(want, sizeof want, "schema version %d, newer", store_schema_latest() + 5);
    assert_non_null(strstr(err.msg, want));
    /* init (any version) opens it but refuses to migrate backwards. */
    assert_int_equal(store_open(path, STORE_ANY_VERSION, &db, &err), PH_OK);
    assert_int_equal(store_migrate(db, &applied, &err), PH_ERR);
    store_close(db);
    test_rmdir(dir);
}

static void test_rollback_keeps_nothing(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "t.db");
    ph_err err = {0};
    int64_t before, after;
    assert_int_equal(store_one_int(db, &before, &err, "SELECT count(*) FROM import_batch", NULL),
                     PH_OK);
    assert_int_equal(store_begin(db, &err), PH_OK);
    assert_int_equal(
        store_run(
            db, &err,
            "INSERT INTO import_batch(format, file_name, sha256, rows, licences, imported_at) "
            "VALUES ('x', 'f', 'h', ?, 0, 'now')",
            "i", (int64_t)3),
        PH_OK);
    store_rollback(db);
    assert_int_equal(store_one_int(db, &after, &err, "SELECT count(*) FROM import_batch", NULL),
                     PH_OK);
    assert_int_equal(before, after);
    /* Nested begin is refused, not silently merged. */
    assert_int_equal(store_begin(db, &err), PH_OK);
    assert_int_not_equal(store_begin(db, &err), PH_OK);
    store_rollback(db);
    store_close(db);
    test_rmdir(dir);
}

static void test_busy(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *a = test_db(dir, "b.db");
    setenv("PENHOLDER_BUSY_TIMEOUT_MS", "50", 1);
    char path[256];
    snprintf(path, sizeof path, "%s/b.db", dir);
    store *b;
    ph_err err = {0};
    assert_int_equal(store_open(path, 0, &b, &err), PH_OK);
    assert_int_equal(store_begin(a, &err), PH_OK);
    assert_int_equal(store_begin(b, &err), PH_EBUSY);
    assert_non_null(strstr(err.msg, "locked"));
    store_rollback(a);
    assert_int_equal(store_begin(b, &err), PH_OK);
    store_rollback(b);
    store_close(a);
    store_close(b);
    unsetenv("PENHOLDER_BUSY_TIMEOUT_MS");
    test_rmdir(dir);
}

/* A read transaction sees one snapshot: a write committed meanwhile by
 * another connection appears only after it ends. */
static void test_read_snapshot(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *a = test_db(dir, "s.db");
    char path[256];
    snprintf(path, sizeof path, "%s/s.db", dir);
    store *b;
    ph_err err = {0};
    assert_int_equal(store_open(path, 0, &b, &err), PH_OK);
    assert_int_equal(store_exec(a, "CREATE TABLE t(x INTEGER)", &err), PH_OK);
    int64_t n;
    assert_int_equal(store_read_begin(a, &err), PH_OK);
    assert_int_equal(store_read_begin(a, &err), PH_OK); /* nests */
    assert_int_equal(store_one_int(a, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_begin(b, &err), PH_OK);
    assert_int_equal(store_run(b, &err, "INSERT INTO t VALUES (1)", NULL), PH_OK);
    assert_int_equal(store_commit(b, &err), PH_OK);
    assert_int_equal(store_one_int(a, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, 0);
    store_read_end(a);
    assert_int_equal(store_one_int(a, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, 0); /* the outer read is still open */
    store_read_end(a);
    assert_int_equal(store_one_int(a, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, 1);
    /* Inside a write transaction it changes nothing. */
    assert_int_equal(store_begin(a, &err), PH_OK);
    assert_int_equal(store_read_begin(a, &err), PH_OK);
    store_read_end(a);
    assert_true(store_in_transaction(a));
    assert_int_equal(store_run(a, &err, "INSERT INTO t VALUES (2)", NULL), PH_OK);
    assert_int_equal(store_commit(a, &err), PH_OK);
    store_close(a);
    store_close(b);
    test_rmdir(dir);
}

/* Writers of one file in one process queue for it: every transaction of
 * several threads commits, none is refused as busy. */
#define QUEUE_THREADS 4
#define QUEUE_WRITES 50

static void *queue_writer(void *arg) {
    const char *path = arg;
    store *db;
    ph_err err = {0};
    if (store_open(path, 0, &db, &err)) return (void *)1;
    intptr_t failures = 0;
    for (int i = 0; i < QUEUE_WRITES; i++) {
        if (store_begin(db, &err) ||
            store_run(db, &err, "INSERT INTO t VALUES (?)", "i", (int64_t)i) ||
            store_commit(db, &err)) {
            store_rollback(db);
            failures++;
        }
    }
    store_close(db);
    return (void *)failures;
}

static void test_writers_queue(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "q.db");
    ph_err err = {0};
    assert_int_equal(store_exec(db, "CREATE TABLE t(x INTEGER)", &err), PH_OK);
    char path[256];
    snprintf(path, sizeof path, "%s/q.db", dir);
    pthread_t threads[QUEUE_THREADS];
    for (int i = 0; i < QUEUE_THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, queue_writer, path), 0);
    intptr_t failures = 0;
    for (int i = 0; i < QUEUE_THREADS; i++) {
        void *r;
        pthread_join(threads[i], &r);
        failures += (intptr_t)r;
    }
    assert_int_equal(failures, 0);
    int64_t n;
    assert_int_equal(store_one_int(db, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, QUEUE_THREADS * QUEUE_WRITES);
    store_close(db);
    test_rmdir(dir);
}

static int count_rows(void *ctx, store_stmt *row, ph_err *err) {
    (void)err;
    int64_t *sum = ctx;
    *sum += store_col_int(row, 0);
    return PH_OK;
}

static void test_batch(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "c.db");
    ph_err err = {0};
    assert_int_equal(
        store_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)", &err),
        PH_OK);
    store_batch *b;
    int64_t ids = 0;
    assert_int_equal(store_begin(db, &err), PH_OK);
    assert_int_equal(store_batch_open(db, "INSERT INTO t(name, n)", 2,
                                      "ON CONFLICT(name) DO NOTHING RETURNING id", 64, count_rows,
                                      &ids, &b, &err),
                     PH_OK);
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "n%d", i % 900); /* 100 repeats */
        store_batch_text(b, name);
        if (i % 7)
            store_batch_int(b, i);
        else
            store_batch_null(b);
        assert_int_equal(store_batch_row(b, &err), PH_OK);
    }
    assert_int_equal(store_batch_flush(b, &err), PH_OK);
    store_batch_close(b);
    assert_int_equal(store_commit(db, &err), PH_OK);
    int64_t n, nulls;
    assert_int_equal(store_one_int(db, &n, &err, "SELECT count(*) FROM t", NULL), PH_OK);
    assert_int_equal(n, 900);
    assert_int_equal(ids, 900 * 901 / 2); /* every new id returned once */
    assert_int_equal(
        store_one_int(db, &nulls, &err, "SELECT count(*) FROM t WHERE n IS NULL", NULL), PH_OK);
    assert_true(nulls > 100);
    store_close(db);
    test_rmdir(dir);
}

/* A full disk in the middle of a write: an error that says so, and the
 * database as it was. */
static void test_disk_full(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "d.db");
    ph_err err = {0};
    int64_t pages;
    assert_int_equal(store_one_int(db, &pages, &err, "PRAGMA page_count", NULL), PH_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)pages + 2);
    assert_int_equal(store_exec(db, sql, &err), PH_OK);
    assert_int_equal(store_begin(db, &err), PH_OK);
    int rc = PH_OK;
    for (int i = 0; i < 5000 && rc == PH_OK; i++) {
        char sha[16];
        snprintf(sha, sizeof sha, "%08d", i);
        rc = store_run(
            db, &err,
            "INSERT INTO import_batch(format, file_name, sha256, rows, licences, imported_at) "
            "VALUES ('x', 'a rather long file name to fill pages quickly', ?, 0, 0, 'now')",
            "t", sha);
    }
    assert_int_equal(rc, PH_ERR);
    assert_non_null(strstr(err.msg, "disk is full"));
    store_rollback(db);
    int64_t n;
    assert_int_equal(store_one_int(db, &n, &err, "SELECT count(*) FROM import_batch", NULL), PH_OK);
    assert_int_equal(n, 0);
    store_close(db);
    test_rmdir(dir);
}

static void test_text_search(void **state) {
    (void)state;
    const char *dir = test_tmpdir();
    store *db = test_db(dir, "e.db");
    ph_err err = {0};
    int64_t *ids;
    size_t n;
    assert_int_equal(store_text_search(db, "control", "night vision goggles", 5, &ids, &n, &err),
                     PH_OK);
    assert_true(n >= 1);
    free(ids);
    /* Query syntax characters are words, never syntax. */
    assert_int_equal(store_text_search(db, "control", "\"NEAR( AND OR * ^", 5, &ids, &n, &err),
                     PH_OK);
    free(ids);
    assert_int_equal(store_text_search(db, "control", "", 5, &ids, &n, &err), PH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_text_search(db, "nope", "x", 5, &ids, &n, &err), PH_EUSAGE);
    store_close(db);
    test_rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_migrate_and_versions),
        cmocka_unit_test(test_rollback_keeps_nothing),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_text_search),
        cmocka_unit_test(test_read_snapshot),
        cmocka_unit_test(test_writers_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
