/* Small helpers for unit tests that need a database. */
#ifndef PH_TEST_HELPERS_H
#define PH_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "refdata/refdata.h"
#include "store/store.h"

/* A fresh temporary folder; returns its path (static buffer). */
static inline const char *test_tmpdir(void) {
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/penholder-unit.XXXXXX");
    if (!mkdtemp(dir)) abort();
    return dir;
}

static inline void test_rmdir(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Creates an initialised database (schema + reference data) at dir/name. */
static inline store *test_db(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    store *db;
    ph_err err = {0};
    int applied;
    refdata_load_report rep;
    if (store_open(path, STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || refdata_load(db, &rep, &err)) {
        fprintf(stderr, "test_db: %s\n", err.msg);
        abort();
    }
    return db;
}

/* Creates the audit signing key of a test database (next to it, unless
 * $PENHOLDER_AUDIT_KEY says otherwise), for engines that write audited objects. */
static inline void test_audit_keys(store *db) {
    audit_key_report keys;
    ph_err err = {0};
    if (audit_init_keys(db, &keys, &err)) {
        fprintf(stderr, "test_audit_keys: %s\n", err.msg);
        abort();
    }
}

static inline void test_write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
}

#endif
