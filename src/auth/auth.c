/* Accounts, passwords, sessions and tokens (see auth.h). */
#include "auth.h"

#include "audit/audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A session's last use is written at most this often (seconds), so that
 * reading with a session does not turn every request into a write. */
#define SESSION_TOUCH_SECONDS 60
/* The longest a failed login is slowed, whatever the policy says. */
#define FAILURE_DELAY_CAP_MS 2000
/* Token lifetimes beyond ten years are mistakes. */
#define TOKEN_MAX_DAYS 3650
#define TOKEN_PREFIX "ph_"
#define TOKEN_RANDOM_BYTES 32
#define CSRF_LABEL "penholder-csrf-v1"
#define LOGIN_FAILED_MESSAGE "name or password incorrect"

static const char *const role_names[AUTH_ROLE_COUNT] = {
    "exporter",          "case_officer",  "technical_assessor",
    "adviser",           "countersigner", "decision_maker",
    "nominated_officer", "auditor",       "admin"};

const char *auth_role_name(auth_role role) {
    return (unsigned)role < AUTH_ROLE_COUNT ? role_names[role] : "unknown";
}

int auth_role_parse(const char *name, auth_role *out, ph_err *err) {
    for (int i = 0; i < AUTH_ROLE_COUNT; i++)
        if (name && strcmp(name, role_names[i]) == 0) {
            *out = (auth_role)i;
            return PH_OK;
        }
    return ph_fail(
        err, PH_EUSAGE,
        "unknown role '%s' (expected exporter, case_officer, technical_assessor, adviser, "
        "countersigner, decision_maker, nominated_officer, auditor or admin)",
        name ? name : "");
}

int auth_role_is_staff(auth_role role) {
    return role != AUTH_ROLE_EXPORTER;
}

void auth_policy_default(auth_policy *p) {
    p->password_min_length = 12;
    p->lockout_after = 5;
    p->lockout_seconds = 900;
    p->failure_delay_ms = 250;
    p->session_idle_seconds = 1800;
    p->session_max_seconds = 12 * 3600;
}

void auth_time_iso(int64_t seconds_from_now, char out[AUTH_TIME_MAX]) {
    time_t t = time(NULL) + (time_t)seconds_from_now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, AUTH_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- audit ---- */

int auth_account_state(store *db, const char *name, ph_buf *out, ph_err *err) {
    int64_t n;
    int rc = store_one_int(db, &n, err, "SELECT count(*) FROM account WHERE name = ?", "t", name);
    if (rc) return rc;
    if (!n) return ph_fail(err, PH_ENOTFOUND, "no account named '%.64s'", name);
    return audit_canon_rows(db, out, err,
                            "SELECT a.name, a.role, a.team, o.name, a.disabled, a.password_hash "
                            "FROM account a LEFT JOIN organisation o ON o.id = a.organisation_id "
                            "WHERE a.name = ?",
                            "t", name);
}

int auth_token_state(store *db, const char *id, ph_buf *out, ph_err *err) {
    int64_t token_id, n;
    if (ph_parse_i64(id, &token_id)) return ph_fail(err, PH_ENOTFOUND, "no token '%.32s'", id);
    int rc =
        store_one_int(db, &n, err, "SELECT count(*) FROM api_token WHERE id = ?", "i", token_id);
    if (rc) return rc;
    if (!n) return ph_fail(err, PH_ENOTFOUND, "no token %lld", (long long)token_id);
    return audit_canon_rows(
        db, out, err,
        "SELECT t.id, a.name, t.label, t.created_at, t.expires_at, t.revoked_at, "
        "t.token_hash FROM api_token t JOIN account a ON a.id = t.account_id "
        "WHERE t.id = ?",
        "i", token_id);
}

int auth_organisation_state(store *db, const char *name, ph_buf *out, ph_err *err) {
    int64_t n;
    int rc =
        store_one_int(db, &n, err, "SELECT count(*) FROM organisation WHERE name = ?", "t", name);
    if (rc) return rc;
    if (!n) return ph_fail(err, PH_ENOTFOUND, "no organisation named '%.200s'", name);
    return audit_canon_rows(db, out, err,
                            "SELECT name, created_at FROM organisation WHERE name = ?", "t", name);
}

void auth_audit_register(void) {
    audit_register_type(AUTH_ACCOUNT_OBJECT, auth_account_state);
    audit_register_type(AUTH_TOKEN_OBJECT, auth_token_state);
    audit_register_type(AUTH_ORGANISATION_OBJECT, auth_organisation_state);
}

/* Appends the audit entry for a write, inside the caller's transaction and
 * after the write (the entry hashes the object's new state). */
static int record_audit(store *db, const char *actor, const char *action, const char *object_type,
                        const char *object_id, ph_err *err) {
    audit_event ev = {0};
    ev.actor = actor;
    ev.action = action;
    ev.object_type = object_type;
    ev.object_id = object_id;
    return audit_append(db, &ev, NULL, err);
}

/* ---- names and passwords ---- */

int auth_name_check(const char *name, ph_err *err) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0) return ph_fail(err, PH_EUSAGE, "an account name is required");
    if (n > AUTH_NAME_MAX)
        return ph_fail(err, PH_EUSAGE, "account name longer than %d characters", AUTH_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("._@-", c)))
            return ph_fail(err, PH_EUSAGE,
                           "account name '%.64s': use lower-case letters, digits and . _ @ - "
                           "(starting with a letter or digit)",
                           name);
    }
    return PH_OK;
}

int auth_password_check(const auth_policy *p, const char *password, ph_err *err) {
    size_t n = password ? strlen(password) : 0;
    if (n < (size_t)p->password_min_length)
        return ph_fail(err, PH_EUSAGE, "the password must have at least %d characters",
                       p->password_min_length);
    if (n > AUTH_PASSWORD_MAX)
        return ph_fail(err, PH_EUSAGE, "the password must have at most %d characters",
                       AUTH_PASSWORD_MAX);
    return PH_OK;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], ph_err *err) {
    _Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ph_fail(err, PH_ERR, "cannot hash the password: out of memory");
    return PH_OK;
}

int auth_password_verify(const char *hash, const char *password) {
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash of a random password, checked when the name is unknown so that an
 * unknown name costs the same time as a wrong password. */
static char dummy_hash[AUTH_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_hash_make(void) {
    unsigned char random[16];
    char pw[33];
    randombytes_buf(random, sizeof random);
    ph_hex(random, sizeof random, pw);
    if (auth_password_hash(pw, dummy_hash, NULL) != PH_OK) dummy_hash[0] = '\0';
}

/* ---- tokens ---- */

/* "ph_" and 43 base64url characters of fresh randomness. */
static void token_make(char out[AUTH_TOKEN_MAX]) {
    unsigned char random[TOKEN_RANDOM_BYTES];
    randombytes_buf(random, sizeof random);
    size_t prefix = strlen(TOKEN_PREFIX);
    memcpy(out, TOKEN_PREFIX, prefix);
    sodium_bin2base64(out + prefix, AUTH_TOKEN_MAX - prefix, random, sizeof random,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(random, sizeof random);
}

static void token_hash(const char *token, size_t len, char out[PH_SHA256_HEX]) {
    ph_sha256_hex(token, len, out);
}

/* ---- accounts ---- */

#define USER_COLUMNS                                                                               \
    "a.id, a.name, a.role, a.team, a.organisation_id, o.name, a.disabled, a.failed_logins, "       \
    "a.locked_until, a.version, a.created_at, a.updated_at"
#define USER_FROM " FROM account a LEFT JOIN organisation o ON o.id = a.organisation_id"
#define USER_COLUMN_COUNT 12

static void copy_text(char *dst, size_t size, const char *src) {
    ph_strlcpy(dst, src ? src : "", size);
}

/* Reads the account columns starting at column `first`. */
static void user_from_row(store_stmt *st, int first, auth_user *u) {
    memset(u, 0, sizeof *u);
    u->id = store_col_int(st, first);
    copy_text(u->name, sizeof u->name, store_col_text(st, first + 1));
    auth_role role = AUTH_ROLE_EXPORTER;
    auth_role_parse(store_col_text(st, first + 2), &role, NULL);
    u->role = role;
    copy_text(u->team, sizeof u->team, store_col_text(st, first + 3));
    u->organisation_id = store_col_int(st, first + 4);
    copy_text(u->organisation, sizeof u->organisation, store_col_text(st, first + 5));
    u->disabled = (int)store_col_int(st, first + 6);
    u->failed_logins = (int)store_col_int(st, first + 7);
    copy_text(u->locked_until, sizeof u->locked_until, store_col_text(st, first + 8));
    u->version = store_col_int(st, first + 9);
    copy_text(u->created_at, sizeof u->created_at, store_col_text(st, first + 10));
    copy_text(u->updated_at, sizeof u->updated_at, store_col_text(st, first + 11));
    /* A lock that has run out is no lock. */
    char now[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    if (u->locked_until[0] && strcmp(u->locked_until, now) <= 0) u->locked_until[0] = '\0';
}

/* Runs a query whose first columns are USER_COLUMNS; PH_ENOTFOUND without a row. */
static int user_query(store *db, auth_user *out, ph_err *err, const char *sql, const char *types,
                      ...) {
    store_stmt *st;
    if (store_prepare_cached(db, sql, &st, err)) return err->rc;
    va_list ap;
    va_start(ap, types);
    store_bind_va(st, types, ap);
    va_end(ap);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        user_from_row(st, 0, out);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no such account");
    }
    store_finalize(st);
    return rc;
}

int auth_user_get(store *db, const char *name, auth_user *out, ph_err *err) {
    int rc =
        user_query(db, out, err, "SELECT " USER_COLUMNS USER_FROM " WHERE a.name = ?", "t", name);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "no account named '%.64s'", name);
    return rc;
}

static int set_field(const char **field, const char *name) {
    if (field) *field = name;
    return 0;
}

/* Checks that a role, team and organisation fit together, and that the
 * team exists. */
static int check_shape(store *db, auth_role role, const char *team, const char *org,
                       const char **field, ph_err *err) {
    int has_team = team && *team, has_org = org && *org;
    if (role == AUTH_ROLE_EXPORTER) {
        if (!has_org) {
            set_field(field, "organisation");
            return ph_fail(err, PH_EUSAGE, "an exporter account needs an organisation (--org)");
        }
        if (has_team) {
            set_field(field, "team");
            return ph_fail(err, PH_EUSAGE, "teams are for staff; an exporter has an organisation");
        }
    } else if (has_org) {
        set_field(field, "organisation");
        return ph_fail(err, PH_EUSAGE, "only exporter accounts belong to an organisation");
    }
    if (role == AUTH_ROLE_ADVISER && !has_team) {
        set_field(field, "team");
        return ph_fail(err, PH_EUSAGE,
                       "an adviser account needs a team (--team fcdo, mod, ncsc or desnz)");
    }
    if (has_org && strlen(org) > AUTH_ORG_MAX) {
        set_field(field, "organisation");
        return ph_fail(err, PH_EUSAGE, "organisation name longer than %d characters", AUTH_ORG_MAX);
    }
    if (has_team) {
        int64_t found;
        int rc =
            store_one_int(db, &found, err, "SELECT count(*) FROM team WHERE code = ?", "t", team);
        if (rc) return rc;
        if (!found) {
            set_field(field, "team");
            return ph_fail(err, PH_EUSAGE,
                           "unknown team '%.32s' (expected fcdo, mod, ncsc or desnz)", team);
        }
    }
    return PH_OK;
}

/* The id of an organisation, created when new. */
static int organisation_id(store *db, const char *actor, const char *name, int64_t *id,
                           ph_err *err) {
    int rc = store_one_int(db, id, err, "SELECT id FROM organisation WHERE name = ?", "t", name);
    if (rc != PH_ENOTFOUND) return rc;
    char now[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    if (store_run(db, err, "INSERT INTO organisation (name, created_at) VALUES (?, ?)", "tt", name,
                  now))
        return err->rc;
    *id = store_last_id(db);
    return record_audit(db, actor, "organisation.create", AUTH_ORGANISATION_OBJECT, name, err);
}

int auth_user_create(store *db, const char *actor, const auth_user_new *u,
                     const char *password_hash, auth_user *out, const char **field, ph_err *err) {
    if (auth_name_check(u->name, err)) {
        set_field(field, "name");
        return err->rc;
    }
    if ((unsigned)u->role >= AUTH_ROLE_COUNT) {
        set_field(field, "role");
        return ph_fail(err, PH_EUSAGE, "unknown role");
    }
    int rc = check_shape(db, u->role, u->team, u->organisation, field, err);
    if (rc) return rc;
    int64_t exists;
    if ((rc = store_one_int(db, &exists, err, "SELECT count(*) FROM account WHERE name = ?", "t",
                            u->name)))
        return rc;
    if (exists) {
        set_field(field, "name");
        return ph_fail(err, PH_ECONFLICT, "an account named '%s' already exists", u->name);
    }
    int64_t org = 0;
    if (u->organisation && *u->organisation &&
        (rc = organisation_id(db, actor, u->organisation, &org, err)))
        return rc;
    char now[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    rc = store_run(
        db, err,
        "INSERT INTO account (name, role, team, organisation_id, password_hash, created_at, "
        "updated_at) VALUES (?, ?, ?, NULLIF(?, 0), ?, ?, ?)",
        "tttittt", u->name, auth_role_name(u->role), u->team && *u->team ? u->team : NULL, org,
        password_hash, now, now);
    if (rc) return rc;
    if ((rc = record_audit(db, actor, "account.create", AUTH_ACCOUNT_OBJECT, u->name, err)))
        return rc;
    return auth_user_get(db, u->name, out, err);
}

int auth_user_update(store *db, const char *actor, const char *name, int64_t expected_version,
                     const auth_user_change *c, auth_user *out, const char **field, ph_err *err) {
    auth_user cur;
    int rc = auth_user_get(db, name, &cur, err);
    if (rc) return rc;
    if (expected_version && cur.version != expected_version)
        return ph_fail(err, PH_ECONFLICT,
                       "account '%s' changed since it was read (version %lld, expected %lld)", name,
                       (long long)cur.version, (long long)expected_version);
    if (!c->set_role && !c->set_team && !c->set_organisation && !c->set_disabled && !c->unlock &&
        !c->password_hash)
        return ph_fail(err, PH_EUSAGE, "nothing to change");
    auth_role role = c->set_role ? c->role : cur.role;
    if ((unsigned)role >= AUTH_ROLE_COUNT) {
        set_field(field, "role");
        return ph_fail(err, PH_EUSAGE, "unknown role");
    }
    const char *team = c->set_team ? c->team : cur.team;
    const char *org = c->set_organisation ? c->organisation : cur.organisation;
    /* Changing an exporter into staff (or back) must say what happens to
     * the organisation and team; anything else keeps them as they were. */
    if ((rc = check_shape(db, role, team, org, field, err))) return rc;
    int64_t org_id = 0;
    if (org && *org && (rc = organisation_id(db, actor, org, &org_id, err))) return rc;
    char now[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    int disabled = c->set_disabled ? c->disabled : cur.disabled;
    rc = store_run(
        db, err,
        "UPDATE account SET role = ?, team = ?, organisation_id = NULLIF(?, 0), disabled = ?, "
        "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        "ttiitii", auth_role_name(role), team && *team ? team : NULL, org_id, (int64_t)disabled,
        now, cur.id, cur.version);
    if (rc) return rc;
    if (store_changes(db) != 1)
        return ph_fail(err, PH_ECONFLICT, "account '%s' changed while it was being updated", name);
    if (c->unlock &&
        (rc = store_run(db, err,
                        "UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                        "i", cur.id)))
        return rc;
    if (c->password_hash &&
        (rc = store_run(db, err, "UPDATE account SET password_hash = ? WHERE id = ?", "ti",
                        c->password_hash, cur.id)))
        return rc;
    /* A disabled account or a new password ends every session. */
    if ((disabled || c->password_hash) &&
        (rc = store_run(db, err, "DELETE FROM session WHERE account_id = ?", "i", cur.id)))
        return rc;

    const char *object = name;
    if (c->set_role && role != cur.role &&
        (rc = record_audit(db, actor, "account.role", AUTH_ACCOUNT_OBJECT, object, err)))
        return rc;
    if (c->set_disabled && disabled != cur.disabled &&
        (rc = record_audit(db, actor, disabled ? "account.disable" : "account.enable",
                           AUTH_ACCOUNT_OBJECT, object, err)))
        return rc;
    if (c->unlock &&
        (rc = record_audit(db, actor, "account.unlock", AUTH_ACCOUNT_OBJECT, object, err)))
        return rc;
    if (c->password_hash &&
        (rc = record_audit(db, actor, "account.password", AUTH_ACCOUNT_OBJECT, object, err)))
        return rc;
    if ((c->set_team || c->set_organisation) &&
        (rc = record_audit(db, actor, "account.update", AUTH_ACCOUNT_OBJECT, object, err)))
        return rc;
    return auth_user_get(db, name, out, err);
}

int auth_user_list(store *db, const auth_user_filter *f, auth_user **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT " USER_COLUMNS USER_FROM
                      " WHERE (? = 0 OR a.role = ?) AND (? IS NULL OR o.name = ?)"
                      " AND (? = 1 OR a.disabled = 0) ORDER BY a.name LIMIT ? OFFSET ?",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, f->has_role);
    store_bind_text(st, 2, f->has_role ? auth_role_name(f->role) : "");
    store_bind_text(st, 3, f->organisation);
    store_bind_text(st, 4, f->organisation);
    store_bind_int(st, 5, f->include_disabled);
    store_bind_int(st, 6, f->limit > 0 ? f->limit : -1);
    store_bind_int(st, 7, f->offset > 0 ? f->offset : 0);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        user_from_row(st, 0, &(*out)[(*n)++]);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

/* ---- API tokens ---- */

static void token_from_row(store_stmt *st, auth_token_info *t) {
    memset(t, 0, sizeof *t);
    t->id = store_col_int(st, 0);
    copy_text(t->user, sizeof t->user, store_col_text(st, 1));
    copy_text(t->label, sizeof t->label, store_col_text(st, 2));
    copy_text(t->created_at, sizeof t->created_at, store_col_text(st, 3));
    copy_text(t->expires_at, sizeof t->expires_at, store_col_text(st, 4));
    copy_text(t->revoked_at, sizeof t->revoked_at, store_col_text(st, 5));
}

#define TOKEN_SELECT                                                                               \
    "SELECT t.id, a.name, t.label, t.created_at, t.expires_at, t.revoked_at FROM api_token t "     \
    "JOIN account a ON a.id = t.account_id"

int auth_token_create(store *db, const char *actor, const char *user, const char *label,
                      int expires_days, char token_out[AUTH_TOKEN_MAX], auth_token_info *info,
                      ph_err *err) {
    if (expires_days < 0 || expires_days > TOKEN_MAX_DAYS)
        return ph_fail(err, PH_EUSAGE, "a token's lifetime must be 0 (none) to %d days",
                       TOKEN_MAX_DAYS);
    if (label && strlen(label) > AUTH_LABEL_MAX)
        return ph_fail(err, PH_EUSAGE, "token label longer than %d characters", AUTH_LABEL_MAX);
    auth_user u;
    int rc = auth_user_get(db, user, &u, err);
    if (rc) return rc;
    if (u.disabled) return ph_fail(err, PH_ECONFLICT, "account '%s' is disabled", user);
    char token[AUTH_TOKEN_MAX], hash[PH_SHA256_HEX], now[AUTH_TIME_MAX], expires[AUTH_TIME_MAX];
    token_make(token);
    token_hash(token, strlen(token), hash);
    auth_time_iso(0, now);
    auth_time_iso((int64_t)expires_days * 86400, expires);
    rc = store_run(db, err,
                   "INSERT INTO api_token (token_hash, account_id, label, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   "tittt", hash, u.id, label ? label : "", now, expires_days ? expires : NULL);
    if (rc) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    int64_t id = store_last_id(db);
    char object[24];
    snprintf(object, sizeof object, "%lld", (long long)id);
    if ((rc = record_audit(db, actor, "token.create", AUTH_TOKEN_OBJECT, object, err))) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    memcpy(token_out, token, AUTH_TOKEN_MAX);
    sodium_memzero(token, sizeof token);
    if (info) {
        memset(info, 0, sizeof *info);
        info->id = id;
        copy_text(info->user, sizeof info->user, user);
        copy_text(info->label, sizeof info->label, label);
        copy_text(info->created_at, sizeof info->created_at, now);
        if (expires_days) copy_text(info->expires_at, sizeof info->expires_at, expires);
    }
    return PH_OK;
}

int auth_token_revoke(store *db, const char *actor, int64_t id, ph_err *err) {
    int64_t revoked;
    int rc = store_one_int(db, &revoked, err,
                           "SELECT revoked_at IS NOT NULL FROM api_token WHERE id = ?", "i", id);
    if (rc == PH_ENOTFOUND)
        return ph_fail(err, PH_ENOTFOUND, "no token with id %lld", (long long)id);
    if (rc || revoked) return rc;
    char now[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    if ((rc =
             store_run(db, err, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "ti", now, id)))
        return rc;
    char object[24];
    snprintf(object, sizeof object, "%lld", (long long)id);
    return record_audit(db, actor, "token.revoke", AUTH_TOKEN_OBJECT, object, err);
}

int auth_token_list(store *db, const char *user, auth_token_info **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(db, TOKEN_SELECT " WHERE (? IS NULL OR a.name = ?) ORDER BY t.id", &st, err))
        return err->rc;
    store_bind_text(st, 1, user);
    store_bind_text(st, 2, user);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        token_from_row(st, &(*out)[(*n)++]);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

int auth_bearer_check(store *db, const char *token, size_t len, auth_user *out, ph_err *err) {
    if (len == 0 || len >= AUTH_TOKEN_MAX)
        return ph_fail(err, PH_ENOTFOUND, "unknown, revoked or expired token");
    char hash[PH_SHA256_HEX], now[AUTH_TIME_MAX];
    token_hash(token, len, hash);
    auth_time_iso(0, now);
    int rc =
        user_query(db, out, err,
                   "SELECT " USER_COLUMNS " FROM api_token t JOIN account a ON a.id = t.account_id "
                   "LEFT JOIN organisation o ON o.id = a.organisation_id WHERE t.token_hash = ? "
                   "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) "
                   "AND a.disabled = 0",
                   "tt", hash, now);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "unknown, revoked or expired token");
    return rc;
}

/* ---- logins and sessions ---- */

static void sleep_ms(int ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static int failure_delay(const auth_policy *p, int failures) {
    int64_t ms = (int64_t)p->failure_delay_ms * (failures > 0 ? failures : 1);
    return (int)(ms > FAILURE_DELAY_CAP_MS ? FAILURE_DELAY_CAP_MS : ms);
}

/* Counts a failed login, locking the account when the count reaches the
 * policy's limit. Sets *failures to the count in a row (the lockout resets it). */
static int login_failed(store *db, const auth_policy *p, const auth_user *u, int *failures,
                        ph_err *err) {
    char now[AUTH_TIME_MAX], until[AUTH_TIME_MAX];
    auth_time_iso(0, now);
    auth_time_iso(p->lockout_seconds, until);
    int rc = store_begin(db, err);
    if (rc) return rc;
    int64_t count = 0;
    rc = store_one_int(db, &count, err, "SELECT failed_logins + 1 FROM account WHERE id = ?", "i",
                       u->id);
    int locks = !rc && p->lockout_after > 0 && count >= p->lockout_after;
    if (!rc)
        rc = store_run(db, err,
                       "UPDATE account SET failed_logins = ?, locked_until = ? WHERE id = ?", "iti",
                       locks ? (int64_t)0 : count, locks ? until : NULL, u->id);
    /* The actor of a failed login is unknown: whoever typed the password. */
    if (!rc) rc = record_audit(db, "anonymous", "login.failure", AUTH_ACCOUNT_OBJECT, u->name, err);
    if (!rc && locks)
        rc = record_audit(db, "system", "account.lockout", AUTH_ACCOUNT_OBJECT, u->name, err);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
        return rc;
    }
    *failures = (int)count;
    return PH_OK;
}

static int login_succeeded(store *db, const auth_policy *p, const auth_user *u, const char *rehash,
                           auth_session *s, ph_err *err) {
    char now[AUTH_TIME_MAX], idle_cut[AUTH_TIME_MAX], hash[PH_SHA256_HEX];
    auth_time_iso(0, now);
    auth_time_iso(-(int64_t)p->session_idle_seconds, idle_cut);
    auth_time_iso(p->session_max_seconds, s->expires_at);
    token_make(s->token);
    auth_csrf_token(s->token, strlen(s->token), s->csrf);
    token_hash(s->token, strlen(s->token), hash);
    int rc = store_begin(db, err);
    if (rc) return rc;
    rc =
        store_run(db, err, "UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                  "i", u->id);
    if (!rc && rehash)
        rc = store_run(db, err, "UPDATE account SET password_hash = ? WHERE id = ?", "ti", rehash,
                       u->id);
    /* Sessions that have ended are of no further use; remove them here
     * rather than in a background job. */
    if (!rc)
        rc = store_run(
            db, err,
            "DELETE FROM session WHERE account_id = ? AND (expires_at <= ? OR last_seen_at <= ?)",
            "itt", u->id, now, idle_cut);
    if (!rc)
        rc = store_run(
            db, err,
            "INSERT INTO session (token_hash, account_id, created_at, last_seen_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            "tittt", hash, u->id, now, now, s->expires_at);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
        sodium_memzero(s, sizeof *s);
    }
    return rc;
}

int auth_login(store *db, const auth_policy *p, const char *name, const char *password,
               auth_user *user, auth_session *session, ph_err *err) {
    memset(session, 0, sizeof *session);
    pthread_once(&dummy_once, dummy_hash_make);
    size_t pw_len = strlen(password);
    char hash[AUTH_HASH_MAX] = "";
    int rc = PH_ENOTFOUND;
    if (auth_name_check(name, NULL) == PH_OK) {
        store_stmt *st;
        if ((rc = store_prepare(
                 db, "SELECT " USER_COLUMNS ", a.password_hash" USER_FROM " WHERE a.name = ?", &st,
                 err)))
            return rc;
        store_bind_text(st, 1, name);
        rc = store_step(st, err);
        if (rc == STORE_ROW) {
            user_from_row(st, 0, user);
            copy_text(hash, sizeof hash, store_col_text(st, USER_COLUMN_COUNT));
            rc = PH_OK;
        } else if (rc == STORE_DONE) {
            rc = PH_ENOTFOUND;
        }
        store_finalize(st);
        if (rc != PH_OK && rc != PH_ENOTFOUND) return rc;
    }
    /* The same work whatever the outcome: verify against the real hash or
     * the dummy one, then decide. */
    int known = rc == PH_OK;
    int matches = pw_len <= AUTH_PASSWORD_MAX &&
                  crypto_pwhash_str_verify(known ? hash : dummy_hash, password, pw_len) == 0;
    if (!known) {
        sleep_ms(failure_delay(p, 1));
        return ph_fail(err, PH_EFORBIDDEN, LOGIN_FAILED_MESSAGE);
    }
    if (user->disabled || user->locked_until[0]) {
        /* Not counted: the account is already out of reach. */
        sleep_ms(failure_delay(p, 1));
        return ph_fail(err, PH_EFORBIDDEN, LOGIN_FAILED_MESSAGE);
    }
    if (!matches) {
        int failures = 1;
        if ((rc = login_failed(db, p, user, &failures, err))) return rc;
        sleep_ms(failure_delay(p, failures));
        return ph_fail(err, PH_EFORBIDDEN, LOGIN_FAILED_MESSAGE);
    }
    char rehash[AUTH_HASH_MAX];
    int needs = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                               crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    if (needs && auth_password_hash(password, rehash, NULL) != PH_OK) needs = 0;
    rc = login_succeeded(db, p, user, needs ? rehash : NULL, session, err);
    if (rc) return rc;
    user->failed_logins = 0;
    return PH_OK;
}

int auth_session_check(store *db, const auth_policy *p, const char *token, size_t len,
                       auth_user *out, ph_err *err) {
    if (len == 0 || len >= AUTH_TOKEN_MAX) return ph_fail(err, PH_ENOTFOUND, "no such session");
    char hash[PH_SHA256_HEX], now[AUTH_TIME_MAX], idle_cut[AUTH_TIME_MAX], touch_cut[AUTH_TIME_MAX];
    token_hash(token, len, hash);
    auth_time_iso(0, now);
    auth_time_iso(-(int64_t)p->session_idle_seconds, idle_cut);
    int touch_every = p->session_idle_seconds / 4;
    if (touch_every > SESSION_TOUCH_SECONDS) touch_every = SESSION_TOUCH_SECONDS;
    auth_time_iso(-(int64_t)touch_every, touch_cut);
    store_stmt *st;
    int rc =
        store_prepare_cached(db,
                             "SELECT " USER_COLUMNS ", s.id, s.last_seen_at FROM session s "
                             "JOIN account a ON a.id = s.account_id "
                             "LEFT JOIN organisation o ON o.id = a.organisation_id "
                             "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ? "
                             "AND a.disabled = 0",
                             &st, err);
    if (rc) return rc;
    store_bind_text(st, 1, hash);
    store_bind_text(st, 2, now);
    store_bind_text(st, 3, idle_cut);
    rc = store_step(st, err);
    int64_t session_id = 0;
    int stale = 0;
    if (rc == STORE_ROW) {
        user_from_row(st, 0, out);
        session_id = store_col_int(st, USER_COLUMN_COUNT);
        const char *seen = store_col_text(st, USER_COLUMN_COUNT + 1);
        stale = seen && strcmp(seen, touch_cut) <= 0;
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no such session, or it has ended");
    }
    store_finalize(st);
    if (rc || !stale) return rc;
    /* Best effort: a busy database must not turn a read into a failure. */
    ph_err ignored = {0};
    int own = !store_in_transaction(db);
    if (own && store_begin(db, &ignored)) return PH_OK;
    int bad = store_run(db, &ignored, "UPDATE session SET last_seen_at = ? WHERE id = ?", "ti", now,
                        session_id);
    if (own) {
        if (bad || store_commit(db, &ignored)) store_rollback(db);
    }
    return PH_OK;
}

int auth_session_end(store *db, const char *actor, const char *token, size_t len, ph_err *err) {
    if (len == 0 || len >= AUTH_TOKEN_MAX) return ph_fail(err, PH_ENOTFOUND, "no such session");
    char hash[PH_SHA256_HEX];
    token_hash(token, len, hash);
    int rc = store_run(db, err, "DELETE FROM session WHERE token_hash = ?", "t", hash);
    if (rc) return rc;
    (void)actor; /* sessions are not audited objects: logging in and out changes no record */
    if (store_changes(db) == 0) return ph_fail(err, PH_ENOTFOUND, "no such session");
    return PH_OK;
}

void auth_csrf_token(const char *session_token, size_t len, char out[AUTH_TOKEN_MAX]) {
    unsigned char mac[32];
    size_t keylen = len < crypto_generichash_KEYBYTES_MAX ? len : crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(mac, sizeof mac, (const unsigned char *)CSRF_LABEL, strlen(CSRF_LABEL),
                       (const unsigned char *)session_token, keylen);
    sodium_bin2base64(out, AUTH_TOKEN_MAX, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(mac, sizeof mac);
}

int auth_csrf_check(const char *session_token, size_t len, const char *presented, size_t plen) {
    char want[AUTH_TOKEN_MAX];
    auth_csrf_token(session_token, len, want);
    size_t wlen = strlen(want);
    /* The length of a CSRF token is public; only its bytes are secret. */
    int ok = plen == wlen && sodium_memcmp(want, presented, wlen) == 0;
    sodium_memzero(want, sizeof want);
    return ok;
}
