/* Fuzzes the message path of a concern end to end, in a real database: a
 * confidential concern is raised once; each input is then written to its
 * thread by the receipt holder (the input as the text) and presented as a
 * receipt code (the input as the code). A text is stored exactly when it
 * passes the check, and read back byte for byte; a refused text or a wrong
 * code stores nothing; no author or reporter field names the account. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "concern/concern.h"

static store *db;
static char *dir_path, *db_path;
static int64_t id;
static char receipt[CONCERN_RECEIPT_TEXT];

/* The temporary database goes when the process ends. */
static void cleanup(void) {
    store_close(db);
    const char *suffixes[] = {"", "-wal", "-shm", ".audit-key"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *f = ph_asprintf("%s%s", db_path, suffixes[i]);
        unlink(f);
        free(f);
    }
    rmdir(dir_path);
    free(db_path);
    free(dir_path);
}

static void setup(void) {
    ph_err err = {0};
    char dir[] = "/tmp/penholder-fuzz-concern.XXXXXX";
    if (!mkdtemp(dir)) abort();
    dir_path = ph_strdup(dir);
    db_path = ph_asprintf("%s/fuzz.db", dir);
    const char *path = db_path;
    atexit(cleanup);
    int applied;
    audit_key_report keys;
    concern_audit_register();
    auth_audit_register();
    if (store_open(path, STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || audit_init_keys(db, &keys, &err))
        goto fail;
    char hash[AUTH_HASH_MAX];
    if (auth_password_hash("fuzzing password", hash, &err)) goto fail;
    auth_user_new reporter = {"fuzz.reporter", AUTH_ROLE_ADVISER, "fcdo", NULL};
    auth_user_new officer = {"fuzz.officer", AUTH_ROLE_NOMINATED_OFFICER, NULL, NULL};
    auth_user u;
    if (store_begin(db, &err) || auth_user_create(db, "setup", &reporter, hash, &u, NULL, &err) ||
        auth_user_create(db, "setup", &officer, hash, &u, NULL, &err) || store_commit(db, &err))
        goto fail;
    concern_actor no = {"fuzz.officer", "nominated_officer", NULL};
    char key_id[17];
    if (concern_keys_init(db, &no, "fuzzing password", key_id, &err)) goto fail;
    concern_actor who = {"fuzz.reporter", "adviser", NULL};
    concern_raise_input in = {
        "policy:uk-selc-2021", "conduct", "A concern to write to.", NULL, NULL, 0, 1, NULL,
        "2026-01-05"};
    if (concern_raise(db, &who, &in, &id, receipt, &err)) goto fail;
    return;
fail:
    fprintf(stderr, "fuzz_concern_message setup: %s\n", err.msg);
    abort();
}

static int64_t messages(void) {
    int64_t n = -1;
    ph_err err = {0};
    if (store_one_int(db, &n, &err, "SELECT count(*) FROM concern_message", "")) abort();
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!db) setup();
    ph_err err = {0}, check = {0};
    char *text = ph_strndup((const char *)data, size);
    size_t len = strlen(text);
    int64_t before = messages(), mid = 0;
    concern_actor holder = {NULL, NULL, receipt};
    int valid = concern_text_check("text", text, len, CONCERN_TEXT_MAX, &check) == PH_OK;
    int rc = concern_message(db, &holder, id, text, 0, "2026-01-06", &mid, &err);
    if (valid != (rc == PH_OK)) __builtin_trap();
    if (messages() != before + (rc == PH_OK)) __builtin_trap();
    if (rc == PH_OK) {
        json_t *view;
        if (concern_get(db, &holder, id, "2026-01-06", &view, &err)) __builtin_trap();
        json_t *list = json_object_get(view, "messages");
        json_t *last = json_array_get(list, json_array_size(list) - 1);
        if (json_integer_value(json_object_get(last, "id")) != mid) __builtin_trap();
        if (strcmp(json_string_value(json_object_get(last, "text")), text) != 0) __builtin_trap();
        /* Whatever the text says, no field names the reporter's account. */
        if (!json_is_null(json_object_get(view, "reporter"))) __builtin_trap();
        size_t i;
        json_t *m;
        json_array_foreach(list, i, m) {
            if (strcmp(json_string_value(json_object_get(m, "by")), "fuzz.reporter") == 0)
                __builtin_trap();
        }
        json_decref(view);
    } else if (err.rc != PH_EUSAGE) {
        __builtin_trap();
    }
    /* The input as a receipt code: only the real code opens the thread. */
    concern_actor guess = {NULL, NULL, text};
    before = messages();
    rc = concern_message(db, &guess, id, "guessing", 0, "2026-01-06", &mid, &err);
    int64_t found;
    int right = concern_receipt_find(db, text, &found, &check) == PH_OK;
    if (right != (rc == PH_OK) || (right && found != id)) __builtin_trap();
    if (!right && err.rc != PH_ENOTFOUND) __builtin_trap();
    if (messages() != before + (rc == PH_OK)) __builtin_trap();
    free(text);
    return 0;
}
