/* auth: accounts, passwords, tokens, logins, sessions and CSRF tokens on a
 * temporary database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit/audit.h"
#include "auth/auth.h"

typedef struct fixture {
    char dir[64];
    char path[96];
    store *db;
    char hash[AUTH_HASH_MAX]; /* of PASSWORD, made once: Argon2id is slow on purpose */
} fixture;

#define PASSWORD "correct horse battery"

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    ph_strlcpy(f->dir, "/tmp/penholder-auth-XXXXXX", sizeof f->dir);
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    ph_err err = {0};
    int applied;
    audit_key_report key;
    if (store_open(f->path, STORE_CREATE | STORE_ANY_VERSION, &f->db, &err) ||
        store_migrate(f->db, &applied, &err) || audit_init_keys(f->db, &key, &err) ||
        auth_password_hash(PASSWORD, f->hash, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    store_close(f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

/* Creates an account in its own transaction; returns the result code. */
static int add(fixture *f, const char *name, auth_role role, const char *team, const char *org,
               const char **field, ph_err *err) {
    auth_user u;
    if (store_begin(f->db, err)) return err->rc;
    auth_user_new nu = {name, role, team, org};
    int rc = auth_user_create(f->db, "test", &nu, f->hash, &u, field, err);
    if (rc) {
        store_rollback(f->db);
        return rc;
    }
    return store_commit(f->db, err);
}

static void test_names_and_passwords(void **state) {
    (void)state;
    ph_err err = {0};
    assert_int_equal(auth_name_check("j.smith@fcdo", &err), PH_OK);
    assert_int_not_equal(auth_name_check("", &err), PH_OK);
    assert_int_not_equal(auth_name_check("Alice", &err), PH_OK);
    assert_int_not_equal(auth_name_check(".alice", &err), PH_OK);
    assert_int_not_equal(auth_name_check("a b", &err), PH_OK);
    char longest[AUTH_NAME_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[AUTH_NAME_MAX + 1] = '\0';
    assert_int_not_equal(auth_name_check(longest, &err), PH_OK);
    longest[AUTH_NAME_MAX] = '\0';
    assert_int_equal(auth_name_check(longest, &err), PH_OK);

    auth_policy p;
    auth_policy_default(&p);
    assert_int_not_equal(auth_password_check(&p, "short", &err), PH_OK);
    assert_non_null(strstr(err.msg, "at least 12"));
    assert_int_equal(auth_password_check(&p, "twelve chars", &err), PH_OK);

    auth_role r;
    assert_int_equal(auth_role_parse("nominated_officer", &r, &err), PH_OK);
    assert_int_equal(r, AUTH_ROLE_NOMINATED_OFFICER);
    assert_string_equal(auth_role_name(r), "nominated_officer");
    assert_int_not_equal(auth_role_parse("root", &r, &err), PH_OK);
    assert_false(auth_role_is_staff(AUTH_ROLE_EXPORTER));
    assert_true(auth_role_is_staff(AUTH_ROLE_AUDITOR));
}

static void test_password_hash(void **state) {
    fixture *f = *state;
    assert_true(strncmp(f->hash, "$argon2id$", 10) == 0);
    assert_true(auth_password_verify(f->hash, PASSWORD));
    assert_false(auth_password_verify(f->hash, PASSWORD "x"));
    assert_false(auth_password_verify(f->hash, ""));
}

static void test_accounts(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    const char *field = NULL;
    assert_int_equal(add(f, "ada", AUTH_ROLE_ADMIN, NULL, NULL, &field, &err), PH_OK);
    assert_int_equal(add(f, "fay", AUTH_ROLE_ADVISER, "fcdo", NULL, &field, &err), PH_OK);
    assert_int_equal(add(f, "exa", AUTH_ROLE_EXPORTER, NULL, "Acme Ltd", &field, &err), PH_OK);
    assert_int_equal(add(f, "exb", AUTH_ROLE_EXPORTER, NULL, "Acme Ltd", &field, &err), PH_OK);

    /* Shapes that do not fit, each naming its field. */
    assert_int_equal(add(f, "x1", AUTH_ROLE_EXPORTER, NULL, NULL, &field, &err), PH_EUSAGE);
    assert_string_equal(field, "organisation");
    assert_int_equal(add(f, "x2", AUTH_ROLE_ADVISER, NULL, NULL, &field, &err), PH_EUSAGE);
    assert_string_equal(field, "team");
    assert_int_equal(add(f, "x3", AUTH_ROLE_ADVISER, "mi6", NULL, &field, &err), PH_EUSAGE);
    assert_string_equal(field, "team");
    assert_non_null(strstr(err.msg, "unknown team"));
    assert_int_equal(add(f, "x4", AUTH_ROLE_CASE_OFFICER, NULL, "Acme Ltd", &field, &err),
                     PH_EUSAGE);
    assert_string_equal(field, "organisation");
    assert_int_equal(add(f, "x5", AUTH_ROLE_EXPORTER, "mod", "Acme Ltd", &field, &err), PH_EUSAGE);
    assert_string_equal(field, "team");
    assert_int_equal(add(f, "ada", AUTH_ROLE_ADMIN, NULL, NULL, &field, &err), PH_ECONFLICT);
    assert_string_equal(field, "name");
    int64_t n;
    assert_int_equal(store_one_int(f->db, &n, &err, "SELECT count(*) FROM account", NULL), PH_OK);
    assert_int_equal(n, 4);
    assert_int_equal(store_one_int(f->db, &n, &err, "SELECT count(*) FROM organisation", NULL),
                     PH_OK);
    assert_int_equal(n, 1);

    auth_user u;
    assert_int_equal(auth_user_get(f->db, "exa", &u, &err), PH_OK);
    assert_int_equal(u.role, AUTH_ROLE_EXPORTER);
    assert_string_equal(u.organisation, "Acme Ltd");
    assert_int_equal(u.version, 1);
    assert_int_equal(auth_user_get(f->db, "nobody", &u, &err), PH_ENOTFOUND);

    /* Updates check the version and change nothing when it is stale. */
    auth_user_change c = {0};
    c.set_role = 1;
    c.role = AUTH_ROLE_COUNTERSIGNER;
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(auth_user_update(f->db, "test", "fay", 7, &c, &u, NULL, &err), PH_ECONFLICT);
    assert_int_equal(auth_user_update(f->db, "test", "fay", 1, &c, &u, NULL, &err), PH_OK);
    assert_int_equal(u.role, AUTH_ROLE_COUNTERSIGNER);
    assert_string_equal(u.team, "fcdo"); /* kept */
    assert_int_equal(u.version, 2);
    /* Staff cannot take an organisation. */
    auth_user_change c2 = {0};
    c2.set_organisation = 1;
    c2.organisation = "Other plc";
    const char *bad = NULL;
    assert_int_equal(auth_user_update(f->db, "test", "fay", 0, &c2, &u, &bad, &err), PH_EUSAGE);
    assert_string_equal(bad, "organisation");
    assert_int_equal(store_commit(f->db, &err), PH_OK);

    auth_user *v;
    size_t count;
    auth_user_filter filter = {0};
    filter.organisation = "Acme Ltd";
    assert_int_equal(auth_user_list(f->db, &filter, &v, &count, &err), PH_OK);
    assert_int_equal(count, 2);
    assert_string_equal(v[0].name, "exa");
    free(v);
    filter.organisation = NULL;
    filter.has_role = 1;
    filter.role = AUTH_ROLE_ADMIN;
    assert_int_equal(auth_user_list(f->db, &filter, &v, &count, &err), PH_OK);
    assert_int_equal(count, 1);
    free(v);
}

static void test_tokens(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    assert_int_equal(add(f, "tess", AUTH_ROLE_AUDITOR, NULL, NULL, NULL, &err), PH_OK);
    char token[AUTH_TOKEN_MAX], token2[AUTH_TOKEN_MAX];
    auth_token_info info;
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(auth_token_create(f->db, "test", "tess", "ci", 0, token, &info, &err), PH_OK);
    assert_int_equal(auth_token_create(f->db, "test", "tess", NULL, 30, token2, NULL, &err), PH_OK);
    assert_int_equal(auth_token_create(f->db, "test", "nobody", NULL, 0, token2, NULL, &err),
                     PH_ENOTFOUND);
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_int_equal(strlen(token), 46);
    assert_true(strncmp(token, "ph_", 3) == 0);
    assert_string_not_equal(token, token2);

    /* Only the hash is stored. */
    int64_t n;
    assert_int_equal(store_one_int(f->db, &n, &err,
                                   "SELECT count(*) FROM api_token WHERE token_hash LIKE ?", "t",
                                   "%ph_%"),
                     PH_OK);
    assert_int_equal(n, 0);

    auth_user u;
    assert_int_equal(auth_bearer_check(f->db, token, strlen(token), &u, &err), PH_OK);
    assert_string_equal(u.name, "tess");
    assert_int_equal(auth_bearer_check(f->db, token, strlen(token) - 1, &u, &err), PH_ENOTFOUND);
    assert_int_equal(auth_bearer_check(f->db, "", 0, &u, &err), PH_ENOTFOUND);

    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(auth_token_revoke(f->db, "test", info.id, &err), PH_OK);
    assert_int_equal(auth_token_revoke(f->db, "test", info.id, &err), PH_OK);
    assert_int_equal(auth_token_revoke(f->db, "test", 9999, &err), PH_ENOTFOUND);
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_int_equal(auth_bearer_check(f->db, token, strlen(token), &u, &err), PH_ENOTFOUND);

    /* Expired, and disabled accounts. */
    assert_int_equal(auth_bearer_check(f->db, token2, strlen(token2), &u, &err), PH_OK);
    assert_int_equal(
        store_run(f->db, &err, "UPDATE api_token SET expires_at = '2000-01-01T00:00:00Z'", NULL),
        PH_OK);
    assert_int_equal(auth_bearer_check(f->db, token2, strlen(token2), &u, &err), PH_ENOTFOUND);

    auth_token_info *list;
    size_t count;
    assert_int_equal(auth_token_list(f->db, "tess", &list, &count, &err), PH_OK);
    assert_int_equal(count, 2);
    assert_string_equal(list[0].label, "ci");
    assert_true(list[0].revoked_at[0] != '\0');
    free(list);
}

static void test_login_lockout_sessions(void **state) {
    fixture *f = *state;
    ph_err err = {0};
    auth_policy p;
    auth_policy_default(&p);
    p.failure_delay_ms = 0;
    p.lockout_after = 3;
    p.lockout_seconds = 2;
    assert_int_equal(add(f, "lou", AUTH_ROLE_CASE_OFFICER, NULL, NULL, NULL, &err), PH_OK);
    auth_user u;
    auth_session s;
    assert_int_equal(auth_login(f->db, &p, "lou", PASSWORD, &u, &s, &err), PH_OK);
    assert_int_equal(strlen(s.token), 46);
    assert_true(strlen(s.csrf) > 20);

    /* Unknown names, wrong passwords: one message for all. */
    char unknown_msg[PH_ERR_MAX];
    assert_int_equal(auth_login(f->db, &p, "nobody", PASSWORD, &u, &s, &err), PH_EFORBIDDEN);
    ph_strlcpy(unknown_msg, err.msg, sizeof unknown_msg);
    assert_int_equal(auth_login(f->db, &p, "lou", "wrong password!", &u, &s, &err), PH_EFORBIDDEN);
    assert_string_equal(err.msg, unknown_msg);
    assert_int_equal(auth_login(f->db, &p, "lou", "wrong password!", &u, &s, &err), PH_EFORBIDDEN);
    assert_int_equal(auth_user_get(f->db, "lou", &u, &err), PH_OK);
    assert_int_equal(u.failed_logins, 2);
    assert_string_equal(u.locked_until, "");
    assert_int_equal(auth_login(f->db, &p, "lou", "wrong password!", &u, &s, &err), PH_EFORBIDDEN);
    assert_int_equal(auth_user_get(f->db, "lou", &u, &err), PH_OK);
    assert_true(u.locked_until[0] != '\0');
    /* Locked: even the right password fails, with the same message. */
    assert_int_equal(auth_login(f->db, &p, "lou", PASSWORD, &u, &s, &err), PH_EFORBIDDEN);
    assert_string_equal(err.msg, unknown_msg);
    sleep(3);
    assert_int_equal(auth_login(f->db, &p, "lou", PASSWORD, &u, &s, &err), PH_OK);
    assert_int_equal(auth_user_get(f->db, "lou", &u, &err), PH_OK);
    assert_int_equal(u.failed_logins, 0);

    /* The session and its CSRF token. */
    assert_int_equal(auth_session_check(f->db, &p, s.token, strlen(s.token), &u, &err), PH_OK);
    assert_string_equal(u.name, "lou");
    assert_true(auth_csrf_check(s.token, strlen(s.token), s.csrf, strlen(s.csrf)));
    assert_false(auth_csrf_check(s.token, strlen(s.token), s.csrf, strlen(s.csrf) - 1));
    char other[AUTH_TOKEN_MAX];
    ph_strlcpy(other, s.csrf, sizeof other);
    other[0] = other[0] == 'A' ? 'B' : 'A';
    assert_false(auth_csrf_check(s.token, strlen(s.token), other, strlen(other)));
    int64_t n;
    assert_int_equal(store_one_int(f->db, &n, &err,
                                   "SELECT count(*) FROM session WHERE token_hash = ?", "t",
                                   s.token),
                     PH_OK);
    assert_int_equal(n, 0); /* the token itself is never stored */

    /* Idle expiry. */
    auth_policy idle = p;
    idle.session_idle_seconds = 1;
    sleep(2);
    assert_int_equal(auth_session_check(f->db, &idle, s.token, strlen(s.token), &u, &err),
                     PH_ENOTFOUND);
    assert_int_equal(auth_session_check(f->db, &p, s.token, strlen(s.token), &u, &err), PH_OK);

    /* Disabling the account ends its sessions. */
    auth_user_change c = {0};
    c.set_disabled = 1;
    c.disabled = 1;
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(auth_user_update(f->db, "test", "lou", 0, &c, &u, NULL, &err), PH_OK);
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_int_equal(auth_session_check(f->db, &p, s.token, strlen(s.token), &u, &err),
                     PH_ENOTFOUND);
    assert_int_equal(auth_login(f->db, &p, "lou", PASSWORD, &u, &s, &err), PH_EFORBIDDEN);

    /* Logout. */
    assert_int_equal(add(f, "lea", AUTH_ROLE_CASE_OFFICER, NULL, NULL, NULL, &err), PH_OK);
    assert_int_equal(auth_login(f->db, &p, "lea", PASSWORD, &u, &s, &err), PH_OK);
    assert_int_equal(store_begin(f->db, &err), PH_OK);
    assert_int_equal(auth_session_end(f->db, "lea", s.token, strlen(s.token), &err), PH_OK);
    assert_int_equal(auth_session_end(f->db, "lea", s.token, strlen(s.token), &err), PH_ENOTFOUND);
    assert_int_equal(store_commit(f->db, &err), PH_OK);
    assert_int_equal(auth_session_check(f->db, &p, s.token, strlen(s.token), &u, &err),
                     PH_ENOTFOUND);
}

/* store_prepare_cached, which the per-request lookups use. */
static void test_kept_statements(void **state) {
    fixture *f = *state;
    static const char sql[] = "SELECT count(*) FROM account WHERE role <> ?";
    store_stmt *a, *b;
    ph_err err = {0};
    assert_int_equal(store_prepare_cached(f->db, sql, &a, &err), PH_OK);
    store_bind_text(a, 1, "admin");
    assert_int_equal(store_step(a, &err), STORE_ROW);
    store_finalize(a); /* only resets: the read ends here */
    assert_int_equal(store_prepare_cached(f->db, sql, &b, &err), PH_OK);
    assert_ptr_equal(a, b);
    store_bind_text(b, 1, "admin");
    assert_int_equal(store_step(b, &err), STORE_ROW);
    assert_int_equal(store_col_int(b, 0), 0);
    store_finalize(b);
    /* A write after a kept read is not held up by it. */
    assert_int_equal(add(f, "kim", AUTH_ROLE_AUDITOR, NULL, NULL, NULL, &err), PH_OK);
    assert_int_equal(store_prepare_cached(f->db, sql, &b, &err), PH_OK);
    store_bind_text(b, 1, "admin");
    assert_int_equal(store_step(b, &err), STORE_ROW);
    assert_int_equal(store_col_int(b, 0), 1);
    store_finalize(b);
    /* Past the cache's size statements are prepared each time, and freed. */
    static char many[40][48];
    for (int i = 0; i < 40; i++) {
        snprintf(many[i], sizeof many[i], "SELECT %d", i);
        assert_int_equal(store_prepare_cached(f->db, many[i], &a, &err), PH_OK);
        assert_int_equal(store_step(a, &err), STORE_ROW);
        assert_int_equal(store_col_int(a, 0), i);
        store_finalize(a);
    }
}

int main(void) {
    if (sodium_init() < 0) return 1;
    auth_audit_register();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_passwords),
        cmocka_unit_test_setup_teardown(test_password_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_lockout_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kept_statements, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
