/* Formal concerns in the store: raising, the workflow events, messages,
 * what each reader may see, lists, the sweep of overdue concerns,
 * statistics, settings, the audit state and the services cases calls. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "concern_internal.h"
#include "review/review.h"
#include "workflow/workflow.h"

void concern_today(char out[11]) {
    const char *t = getenv("PENHOLDER_TODAY");
    int32_t d;
    if (t && strlen(t) == 10 && ph_date_parse(t, &d) == PH_OK) {
        ph_strlcpy(out, t, 11);
        return;
    }
    ph_date_format(ph_date_today(), out);
}

static const char *day_or_today(const char *given, char buf[11]) {
    if (given && *given) return given;
    concern_today(buf);
    return buf;
}

static int parse_day(const char *field, const char *s, int32_t *d, ph_err *err) {
    if (!s || strlen(s) != 10 || ph_date_parse(s, d))
        return ph_fail(err, PH_EUSAGE, "%s: '%.32s' is not a date (YYYY-MM-DD)", field, s ? s : "");
    return PH_OK;
}

static char *dup_or_null(const char *s) {
    return s ? ph_strdup(s) : NULL;
}

/* ---- settings ---- */

int concern_settings_load(store *db, concern_settings *s, ph_err *err) {
    if (concern_settings_preset("eu-directive", s, err)) return err->rc;
    store_stmt *st;
    if (store_prepare(db, "SELECT key, value FROM concern_setting ORDER BY id", &st, err))
        return err->rc;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *key = store_col_text(st, 0), *value = store_col_text(st, 1);
        if (concern_settings_apply(s, key, value, err)) {
            ph_err_prefix(err, "stored concern setting %s: ", key);
            store_finalize(st);
            return err->rc;
        }
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

json_t *concern_settings_json(const concern_settings *s) {
    json_t *o = json_object();
    for (size_t i = 0; concern_setting_keys[i]; i++) {
        char v[512];
        ph_err e = {0};
        if (concern_settings_value(s, concern_setting_keys[i], v, sizeof v, &e) == PH_OK)
            json_object_set_new(o, concern_setting_keys[i], json_string(v));
    }
    return o;
}

static int require_admin(const concern_actor *who, ph_err *err) {
    if (!who || !who->name || !who->role || strcmp(who->role, "admin") != 0)
        return ph_fail(err, PH_EFORBIDDEN, "concern settings are changed by an administrator");
    return PH_OK;
}

static int insert_setting(store *db, const concern_actor *who, const char *key, const char *value,
                          ph_err *err) {
    char now[21];
    ph_now_iso(now);
    if (store_run(db, err,
                  "INSERT INTO concern_setting(key, value, set_by, set_at) VALUES (?, ?, ?, ?)",
                  "tttt", key, value, who->name, now))
        return err->rc;
    audit_event ev = {who->name, "concern_setting.set", CONCERN_SETTING_OBJECT, key, NULL, 0, NULL,
                      NULL};
    return audit_append(db, &ev, NULL, err);
}

int concern_settings_store(store *db, const concern_actor *who, const char *key, const char *value,
                           ph_err *err) {
    if (require_admin(who, err)) return err->rc;
    concern_settings s;
    if (concern_settings_load(db, &s, err)) return err->rc;
    if (concern_settings_apply(&s, key, value, err)) return err->rc;
    char canonical[512];
    if (concern_settings_value(&s, key, canonical, sizeof canonical, err)) return err->rc;
    if (store_begin(db, err)) return err->rc;
    if (insert_setting(db, who, key, canonical, err) || store_commit(db, err)) {
        store_rollback(db);
        return err->rc;
    }
    return PH_OK;
}

int concern_settings_store_preset(store *db, const concern_actor *who, const char *preset,
                                  ph_err *err) {
    if (require_admin(who, err)) return err->rc;
    concern_settings s;
    if (concern_settings_preset(preset, &s, err)) return err->rc;
    if (store_begin(db, err)) return err->rc;
    for (size_t i = 0; concern_setting_keys[i]; i++) {
        char v[512];
        if (concern_settings_value(&s, concern_setting_keys[i], v, sizeof v, err) ||
            insert_setting(db, who, concern_setting_keys[i], v, err)) {
            store_rollback(db);
            return err->rc;
        }
    }
    if (store_commit(db, err)) {
        store_rollback(db);
        return err->rc;
    }
    return PH_OK;
}

/* ---- rows and history ---- */

void concern_row_clear(concern_row *r) {
    free(r->about_id);
    free(r->about_version);
    free(r->about_sha256);
    free(r->case_reference);
    free(r->criteria);
    free(r->text);
    free(r->reporter);
    memset(r, 0, sizeof *r);
}

#define ROW_COLUMNS                                                                                \
    "id, about_kind, about_id, about_version, about_sha256, case_reference, category, criteria, "  \
    "text, confidential, "                                                                         \
    "reporter, receipt_sha256, pseudonym, raised_on"

static void row_from(store_stmt *st, concern_row *r) {
    memset(r, 0, sizeof *r);
    r->id = store_col_int(st, 0);
    ph_strlcpy(r->about_kind, store_col_text(st, 1), sizeof r->about_kind);
    r->about_id = ph_strdup(store_col_text(st, 2));
    r->about_version = dup_or_null(store_col_text(st, 3));
    r->about_sha256 = dup_or_null(store_col_text(st, 4));
    r->case_reference = dup_or_null(store_col_text(st, 5));
    ph_strlcpy(r->category, store_col_text(st, 6), sizeof r->category);
    r->criteria = ph_strdup(store_col_text(st, 7));
    r->text = ph_strdup(store_col_text(st, 8));
    r->confidential = (int)store_col_int(st, 9);
    r->reporter = dup_or_null(store_col_text(st, 10));
    const char *h = store_col_text(st, 11);
    ph_strlcpy(r->receipt_sha256, h ? h : "", sizeof r->receipt_sha256);
    const char *p = store_col_text(st, 12);
    ph_strlcpy(r->pseudonym, p ? p : "", sizeof r->pseudonym);
    ph_strlcpy(r->raised_on, store_col_text(st, 13), sizeof r->raised_on);
}

int concern_row_load(store *db, int64_t id, concern_row *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    store_stmt *st;
    if (store_prepare(db, "SELECT " ROW_COLUMNS " FROM concern WHERE id = ?", &st, err))
        return err->rc;
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        row_from(st, out);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no concern %lld", (long long)id);
    }
    store_finalize(st);
    return rc;
}

/* A concern's history, owning its strings. */
typedef struct history {
    concern_step *steps;
    size_t n, cap;
} history;

static void history_clear(history *h) {
    for (size_t i = 0; i < h->n; i++) {
        free((char *)h->steps[i].event);
        free((char *)h->steps[i].to_state);
        free((char *)h->steps[i].level);
        free((char *)h->steps[i].outcome);
    }
    free(h->steps);
    memset(h, 0, sizeof *h);
}

static void history_add(history *h, store_stmt *st, int first_col) {
    h->steps = ph_grow(h->steps, &h->cap, h->n + 1, sizeof *h->steps);
    concern_step *s = &h->steps[h->n++];
    s->event = ph_strdup(store_col_text(st, first_col));
    s->to_state = dup_or_null(store_col_text(st, first_col + 1));
    int32_t d = CONCERN_NO_DATE;
    ph_date_parse(store_col_text(st, first_col + 2), &d);
    s->day = d;
    s->level = dup_or_null(store_col_text(st, first_col + 3));
    s->outcome = dup_or_null(store_col_text(st, first_col + 4));
}

#define STEP_COLUMNS "event, to_state, on_date, level, outcome"

static int history_load(store *db, int64_t id, history *h, ph_err *err) {
    memset(h, 0, sizeof *h);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT " STEP_COLUMNS " FROM concern_event WHERE concern_id = ? ORDER BY id",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW)
        history_add(h, st, 0);
    store_finalize(st);
    if (rc != STORE_DONE) {
        history_clear(h);
        return rc;
    }
    return PH_OK;
}

/* Settings and the calendar they name, loaded together. */
typedef struct rules {
    concern_settings settings;
    calendar *cal;
} rules;

static int rules_load(store *db, rules *r, ph_err *err) {
    r->cal = NULL;
    if (concern_settings_load(db, &r->settings, err)) return err->rc;
    return calendar_load(r->settings.calendar, &r->cal, err);
}

static void rules_free(rules *r) {
    calendar_free(r->cal);
    r->cal = NULL;
}

static int timeline_of(store *db, const rules *r, int64_t id, concern_timeline *t, ph_err *err) {
    history h;
    if (history_load(db, id, &h, err)) return err->rc;
    int rc = concern_timeline_compute(&r->settings, r->cal, h.steps, h.n, t, err);
    history_clear(&h);
    if (rc) ph_err_prefix(err, "concern %lld: ", (long long)id);
    return rc;
}

/* ---- accounts ---- */

int concern_account(store *db, const char *name, char role[32], ph_err *err) {
    auth_user u;
    if (!name || !*name) return ph_fail(err, PH_EUSAGE, "an account name is required");
    if (auth_user_get(db, name, &u, err)) {
        if (err->rc == PH_ENOTFOUND) return ph_fail(err, PH_EUSAGE, "no account '%.64s'", name);
        return err->rc;
    }
    if (u.disabled) return ph_fail(err, PH_EFORBIDDEN, "account %s is disabled", u.name);
    if (role) ph_strlcpy(role, auth_role_name(u.role), 32);
    return PH_OK;
}

static int is_cosignatory(store *db, int64_t id, const char *name, int *yes, ph_err *err) {
    int64_t n = 0;
    *yes = 0;
    if (!name) return PH_OK;
    if (store_one_int(
            db, &n, err,
            "SELECT count(*) FROM concern_cosignatory WHERE concern_id = ? AND account = ?", "it",
            id, name))
        return err->rc;
    *yes = n > 0;
    return PH_OK;
}

int concern_receipt_matches(const concern_row *c, const char *code, ph_err *err) {
    unsigned char bytes[CONCERN_RECEIPT_BYTES];
    ph_err ignored = {0};
    char hash[PH_SHA256_HEX];
    int ok = 0;
    if (concern_receipt_parse(code, code ? strlen(code) : 0, bytes, &ignored) == PH_OK) {
        concern_receipt_hash(bytes, hash);
        ok = c->confidential && strlen(c->receipt_sha256) == PH_SHA256_HEX - 1 &&
             ph_memeq_const(hash, c->receipt_sha256, PH_SHA256_HEX - 1);
    }
    sodium_memzero(bytes, sizeof bytes);
    /* One message for a malformed code, a wrong one and another concern's. */
    if (!ok)
        return ph_fail(err, PH_ENOTFOUND, "no concern %lld with that receipt code",
                       (long long)c->id);
    return PH_OK;
}

int concern_receipt_find(store *db, const char *code, int64_t *id, ph_err *err) {
    *id = 0;
    unsigned char bytes[CONCERN_RECEIPT_BYTES];
    if (concern_receipt_parse(code, code ? strlen(code) : 0, bytes, err)) return err->rc;
    char hash[PH_SHA256_HEX];
    concern_receipt_hash(bytes, hash);
    sodium_memzero(bytes, sizeof bytes);
    /* The look-up is by the code's hash: the search never runs over the
     * secret itself, and the final comparison is constant-time. */
    store_stmt *st;
    if (store_prepare(db, "SELECT id, receipt_sha256 FROM concern WHERE receipt_sha256 = ?", &st,
                      err))
        return err->rc;
    store_bind_text(st, 1, hash);
    int rc = store_step(st, err);
    int found = 0;
    if (rc == STORE_ROW) {
        const char *stored = store_col_text(st, 1);
        if (stored && strlen(stored) == PH_SHA256_HEX - 1 &&
            ph_memeq_const(stored, hash, PH_SHA256_HEX - 1)) {
            *id = store_col_int(st, 0);
            found = 1;
        }
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = PH_OK;
    }
    store_finalize(st);
    if (rc) return rc;
    if (!found) return ph_fail(err, PH_ENOTFOUND, "no concern with that receipt code");
    return PH_OK;
}

/* ---- audit ---- */

int concern_audit(store *db, const char *actor, const char *action, int64_t id, int pseudonymous,
                  ph_err *err) {
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    audit_event ev = {actor, action, CONCERN_OBJECT, idtext, NULL, 0, NULL, NULL};
    audit_tree_head head;
    if (pseudonymous && audit_head(db, &head, err) == PH_OK && audit_time_valid(head.timestamp))
        ev.time = head.timestamp;
    ph_err_clear(err);
    return audit_append(db, &ev, NULL, err);
}

static int concern_state(store *db, const char *object_id, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    int64_t id, n;
    if (ph_parse_i64(object_id, &id) || id <= 0)
        return ph_fail(err, PH_ENOTFOUND, "no concern '%.32s'", object_id);
    if (store_one_int(db, &n, err, "SELECT count(*) FROM concern WHERE id = ?", "i", id))
        return err->rc;
    if (!n) return ph_fail(err, PH_ENOTFOUND, "no concern %lld", (long long)id);
    static const char *const queries[] = {
        "SELECT " ROW_COLUMNS " FROM concern WHERE id = ?",
        "SELECT account FROM concern_cosignatory WHERE concern_id = ? ORDER BY account",
        "SELECT id, event, to_state, actor, actor_role, on_date, level, outcome, text FROM "
        "concern_event "
        "WHERE concern_id = ? ORDER BY id",
        "SELECT id, author, author_role, on_date, text, corrects FROM concern_message WHERE "
        "concern_id = ? ORDER BY id",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (audit_canon_rows(db, out, err, queries[i], "i", id)) return err->rc;
    /* The parts of the responses (009_concern_responses.sql), added only when
     * there are any, so that the state of a concern answered before them
     * hashes as it did when it was recorded. */
    int64_t parts;
    if (store_one_int(db, &parts, err,
                      "SELECT count(*) FROM concern_event WHERE concern_id = ? AND decision IS NOT "
                      "NULL",
                      "i", id))
        return err->rc;
    if (parts && audit_canon_rows(db, out, err,
                                  "SELECT id, decision, actions, reasons FROM concern_event WHERE "
                                  "concern_id = ? AND decision IS NOT NULL ORDER BY id",
                                  "i", id))
        return err->rc;
    /* The seals, as the hash of each sealed box. */
    store_stmt *st;
    if (store_prepare(
            db, "SELECT key_id, sealed FROM concern_seal WHERE concern_id = ? ORDER BY key_id", &st,
            err))
        return err->rc;
    store_bind_int(st, 1, id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        size_t len;
        const void *blob = store_col_blob(st, 1, &len);
        char hex[PH_SHA256_HEX];
        ph_sha256_hex(blob, len, hex);
        audit_canon_text(out, store_col_text(st, 0));
        audit_canon_text(out, hex);
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

static int key_state(store *db, const char *key_id, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT account, public_key, wrapped_secret, wrap_nonce, wrap_salt, "
                      "wrap_opslimit, wrap_memlimit, "
                      "created_at FROM concern_key WHERE key_id = ? ORDER BY id",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, key_id);
    int rc, rows = 0;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        rows++;
        audit_canon_text(out, store_col_text(st, 0));
        for (int c = 1; c <= 4; c++) {
            size_t len;
            const void *blob = store_col_blob(st, c, &len);
            char hex[PH_SHA256_HEX];
            ph_sha256_hex(blob, len, hex);
            audit_canon_text(out, hex);
        }
        for (int c = 5; c <= 7; c++)
            audit_canon_text(out, store_col_text(st, c));
    }
    store_finalize(st);
    if (rc != STORE_DONE) return rc;
    if (!rows) return ph_fail(err, PH_ENOTFOUND, "no concern key %.32s", key_id);
    return PH_OK;
}

static int setting_state(store *db, const char *key, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    int64_t n;
    if (store_one_int(db, &n, err, "SELECT count(*) FROM concern_setting WHERE key = ?", "t", key))
        return err->rc;
    if (!n) return ph_fail(err, PH_ENOTFOUND, "no concern setting %.64s", key);
    return audit_canon_rows(
        db, out, err, "SELECT value, set_by, set_at FROM concern_setting WHERE key = ? ORDER BY id",
        "t", key);
}

void concern_audit_register(void) {
    audit_register_type(CONCERN_OBJECT, concern_state);
    audit_register_type(CONCERN_KEY_OBJECT, key_state);
    audit_register_type(CONCERN_SETTING_OBJECT, setting_state);
}

/* ---- what a concern is about ---- */

/* SHA-256 of the canonical rows of a query: the pinned content. */
static int pin_rows(store *db, const char *sql, int64_t id, char out[PH_SHA256_HEX], ph_err *err) {
    ph_buf b;
    ph_buf_init(&b);
    int rc = audit_canon_rows(db, &b, err, sql, "i", id);
    if (!rc) ph_sha256_hex(b.data ? b.data : "", b.len, out);
    ph_buf_free(&b);
    return rc;
}

static int resolve_policy(store *db, const concern_about *a, concern_row *r, ph_err *err) {
    assess_context *ctx;
    if (assess_context_builtin(&ctx, err)) return err->rc;
    assess_policy_entry *v;
    size_t n;
    int rc = assess_policy_list(db, ctx, &v, &n, err);
    assess_context_free(ctx);
    if (rc) return rc;
    const assess_policy_entry *hit = NULL;
    size_t matches = 0;
    ph_buf versions;
    ph_buf_init(&versions);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].policy_id, a->id) != 0) continue;
        ph_buf_printf(&versions, "%s%s", versions.len ? ", " : "", v[i].version);
        if (a->version[0] && strcmp(v[i].version, a->version) != 0) continue;
        hit = &v[i];
        matches++;
    }
    if (!hit)
        rc = versions.len
                 ? ph_fail(err, PH_EUSAGE, "about: policy %s has no version %s (versions: %s)",
                           a->id, a->version, versions.data)
                 : ph_fail(err, PH_EUSAGE, "about: no policy '%s' (see `penholder policy list`)",
                           a->id);
    else if (matches > 1)
        rc = ph_fail(err, PH_EUSAGE,
                     "about: policy %s has several versions (%s): name one as policy:%s@VERSION",
                     a->id, versions.data, a->id);
    else {
        r->about_version = ph_strdup(hit->version);
        r->about_sha256 = ph_strdup(hit->sha256);
    }
    ph_buf_free(&versions);
    assess_policy_entries_free(v, n);
    return rc;
}

static int resolve_about(store *db, const concern_about *a, concern_row *r, ph_err *err) {
    ph_strlcpy(r->about_kind, a->kind, sizeof r->about_kind);
    r->about_id = ph_strdup(a->id);
    int64_t n = 0, id = 0;
    if (strcmp(a->kind, "case") == 0) {
        if (store_one_int(db, &n, err, "SELECT count(*) FROM application WHERE reference = ?", "t",
                          a->id))
            return err->rc;
        if (!n) return ph_fail(err, PH_EUSAGE, "about: no case %s", a->id);
        r->case_reference = ph_strdup(a->id);
        return PH_OK;
    }
    if (strcmp(a->kind, "licence") == 0) {
        if (store_one_int(db, &n, err, "SELECT count(*) FROM licence WHERE reference = ?", "t",
                          a->id))
            return err->rc;
        if (!n) return ph_fail(err, PH_EUSAGE, "about: no licence %s in the register", a->id);
        return PH_OK;
    }
    if (strcmp(a->kind, "policy") == 0) return resolve_policy(db, a, r, err);
    if (strcmp(a->kind, "review") == 0) {
        /* Reviews may not be installed yet: the id is then taken as given. */
        int exists;
        if (review_parse_ref(a->id, &id))
            return ph_fail(err, PH_EUSAGE, "about: '%.64s' is not a review reference", a->id);
        if (store_table_exists(db, "review", &exists, err)) return err->rc;
        if (exists) {
            if (store_one_int(db, &n, err, "SELECT count(*) FROM review WHERE id = ?", "i", id))
                return err->rc;
            if (!n) return ph_fail(err, PH_EUSAGE, "about: no review %s", a->id);
        }
        return PH_OK;
    }
    ph_parse_i64(a->id, &id);
    const char *find, *pin;
    if (strcmp(a->kind, "advice") == 0) {
        find = "SELECT ap.reference, a.revision FROM advice a JOIN application ap ON ap.id = "
               "a.application_id "
               "WHERE a.id = ?";
        pin = "SELECT ap.reference, a.id, a.team, a.revision, a.supersedes, a.author, a.advice, "
              "a.text, a.provisos, "
              "a.criteria, a.change_reason, a.created_at FROM advice a JOIN application ap ON "
              "ap.id = a.application_id "
              "WHERE a.id = ?";
    } else {
        find = "SELECT ap.reference, NULL FROM case_assessment s JOIN application ap ON ap.id = "
               "s.application_id "
               "WHERE s.id = ?";
        pin = "SELECT ap.reference, s.id, s.trigger, s.recommendation, s.result, s.created_at FROM "
              "case_assessment s "
              "JOIN application ap ON ap.id = s.application_id WHERE s.id = ?";
    }
    store_stmt *st;
    if (store_prepare(db, find, &st, err)) return err->rc;
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        r->case_reference = ph_strdup(store_col_text(st, 0));
        if (!store_col_is_null(st, 1)) r->about_version = ph_strdup(store_col_text(st, 1));
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_EUSAGE, "about: no %s %lld", a->kind, (long long)id);
    }
    store_finalize(st);
    if (rc) return rc;
    char hash[PH_SHA256_HEX];
    if (pin_rows(db, pin, id, hash, err)) return err->rc;
    r->about_sha256 = ph_strdup(hash);
    return PH_OK;
}

/* "2c; 7, 1A" -> "2c;7;1a": in the order given, lower case, duplicates
 * dropped, each one a criterion penholder knows. */
static int criteria_normalise(store *db, const char *in, char *out, size_t size, ph_err *err) {
    out[0] = '\0';
    if (!in) return PH_OK;
    size_t used = 0;
    for (const char *p = in; *p;) {
        size_t n = strcspn(p, ";, ");
        if (n) {
            char c[16];
            if (n >= sizeof c)
                return ph_fail(err, PH_EUSAGE, "criteria: '%.*s' is not a criterion",
                               (int)(n > 32 ? 32 : n), p);
            for (size_t i = 0; i < n; i++)
                c[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
            c[n] = '\0';
            int64_t known;
            if (store_one_int(db, &known, err, "SELECT count(*) FROM criterion WHERE id = ?", "t",
                              c))
                return err->rc;
            if (!known)
                return ph_fail(err, PH_EUSAGE,
                               "criteria: '%s' is not a licensing criterion (e.g. 1a, 2c, 7)", c);
            char probe[20];
            snprintf(probe, sizeof probe, ";%s;", c);
            char have[512];
            snprintf(have, sizeof have, ";%s;", out);
            if (!strstr(have, probe)) {
                int w = snprintf(out + used, size - used, "%s%s", used ? ";" : "", c);
                if (w < 0 || (size_t)w >= size - used)
                    return ph_fail(err, PH_EUSAGE, "criteria: too many");
                used += (size_t)w;
            }
        }
        p += n;
        while (*p == ';' || *p == ',' || *p == ' ')
            p++;
    }
    return PH_OK;
}

static int is_staff_role(const char *role) {
    return role && *role && strcmp(role, "exporter") != 0;
}

/* ---- raising ---- */

/* The three parts of a response (NULL for any other event). */
typedef struct response_parts {
    const char *decision, *actions, *reasons;
} response_parts;

static int record_event_parts(store *db, int64_t id, const char *event, const char *to_state,
                              const char *actor, const char *actor_role, const char *day,
                              const char *level, const char *outcome, const char *text,
                              const response_parts *parts, ph_err *err) {
    static const response_parts none = {NULL, NULL, NULL};
    if (!parts) parts = &none;
    return store_run(db, err,
                     "INSERT INTO concern_event(concern_id, event, to_state, actor, actor_role, "
                     "on_date, level, outcome, text, decision, actions, reasons) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ittttttttttt", id, event, to_state, actor, actor_role, day, level, outcome,
                     text, parts->decision, parts->actions, parts->reasons);
}

static int record_event(store *db, int64_t id, const char *event, const char *to_state,
                        const char *actor, const char *actor_role, const char *day,
                        const char *level, const char *outcome, const char *text, ph_err *err) {
    return record_event_parts(db, id, event, to_state, actor, actor_role, day, level, outcome, text,
                              NULL, err);
}

int concern_raise(store *db, const concern_actor *who, const concern_raise_input *in, int64_t *id,
                  char receipt[CONCERN_RECEIPT_TEXT], ph_err *err) {
    *id = 0;
    receipt[0] = '\0';
    if (!who || !who->name || !is_staff_role(who->role))
        return ph_fail(err, PH_EFORBIDDEN,
                       "a formal concern is raised by a member of staff with an account");
    char category[32], criteria[256], daybuf[11];
    if (concern_category_parse(in->category, category, err)) return err->rc;
    if (concern_text_check("text", in->text, in->text ? strlen(in->text) : 0, CONCERN_TEXT_MAX,
                           err))
        return err->rc;
    if (criteria_normalise(db, in->criteria, criteria, sizeof criteria, err)) return err->rc;
    const char *day = day_or_today(in->today, daybuf);
    int32_t d;
    if (parse_day("today", day, &d, err)) return err->rc;
    if (in->ncosignatories > CONCERN_COSIGNATORIES_MAX)
        return ph_fail(err, PH_EUSAGE, "cosignatories: at most %d", CONCERN_COSIGNATORIES_MAX);
    for (size_t i = 0; i < in->ncosignatories; i++) {
        char role[32];
        if (concern_account(db, in->cosignatories[i], role, err))
            return ph_err_prefix(err, "cosignatories: ");
        if (!is_staff_role(role))
            return ph_fail(err, PH_EUSAGE, "cosignatories: %s is not a member of staff",
                           in->cosignatories[i]);
        if (strcmp(in->cosignatories[i], who->name) == 0)
            return ph_fail(err, PH_EUSAGE,
                           "cosignatories: the reporter does not co-sign their own concern");
        for (size_t k = 0; k < i; k++)
            if (strcmp(in->cosignatories[k], in->cosignatories[i]) == 0)
                return ph_fail(err, PH_EUSAGE, "cosignatories: %s is named twice",
                               in->cosignatories[i]);
    }
    rules r;
    if (rules_load(db, &r, err)) return err->rc;
    const char *level = in->level && *in->level ? in->level : r.settings.chain[0];
    int level_ok = 0;
    for (size_t i = 0; i < r.settings.nchain; i++)
        level_ok |= strcmp(r.settings.chain[i], level) == 0;
    rules_free(&r);
    if (!level_ok)
        return ph_fail(err, PH_EUSAGE, "level: '%.48s' is not a level of the escalation chain",
                       level);
    concern_about about;
    if (concern_about_parse(in->about, &about, err)) return err->rc;
    concern_row row;
    memset(&row, 0, sizeof row);
    if (resolve_about(db, &about, &row, err)) {
        concern_row_clear(&row);
        return err->rc;
    }

    unsigned char code[CONCERN_RECEIPT_BYTES];
    char hash[PH_SHA256_HEX] = "", pseudonym[CONCERN_PSEUDONYM_MAX] = "";
    if (in->confidential) {
        randombytes_buf(code, sizeof code);
        concern_receipt_hash(code, hash);
        concern_receipt_pseudonym(code, pseudonym);
    }
    const char *actor = in->confidential ? pseudonym : who->name;
    int rc = store_begin(db, err);
    if (!rc)
        rc = store_run(
            db, err,
            "INSERT INTO concern(about_kind, about_id, about_version, about_sha256, "
            "case_reference, category, "
            "criteria, text, confidential, reporter, receipt_sha256, pseudonym, raised_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "tttttttt"
            "itttt",
            row.about_kind, row.about_id, row.about_version, row.about_sha256, row.case_reference,
            category, criteria, in->text, (int64_t)(in->confidential != 0),
            in->confidential ? NULL : who->name, in->confidential ? hash : NULL,
            in->confidential ? pseudonym : NULL, day);
    int64_t new_id = rc ? 0 : store_last_id(db);
    if (!rc && !in->confidential)
        for (size_t i = 0; !rc && i < in->ncosignatories; i++)
            rc = store_run(db, err,
                           "INSERT INTO concern_cosignatory(concern_id, account) VALUES (?, ?)",
                           "it", new_id, in->cosignatories[i]);
    if (!rc)
        rc = record_event(db, new_id, "raise", "raised", actor, "reporter", day, level, NULL, NULL,
                          err);
    if (!rc && in->confidential) {
        json_t *identity = json_object();
        json_object_set_new(identity, "reporter", json_string(who->name));
        json_t *cos = json_array();
        for (size_t i = 0; i < in->ncosignatories; i++)
            json_array_append_new(cos, json_string(in->cosignatories[i]));
        json_object_set_new(identity, "cosignatories", cos);
        char *text = json_dumps(identity, JSON_COMPACT);
        json_decref(identity);
        size_t sealed = 0;
        rc = concern_seal_identity(db, new_id, text, &sealed, err);
        sodium_memzero(text, strlen(text));
        free(text);
        if (!rc && sealed == 0)
            rc = ph_fail(err, PH_ECONFLICT,
                         "no nominated officer has a key to seal the reporter's identity to: a "
                         "nominated officer "
                         "must run `penholder concern keys init` first (nothing was stored)");
    }
    if (!rc) rc = concern_audit(db, actor, "concern.raise", new_id, in->confidential, err);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
    } else {
        *id = new_id;
        if (in->confidential) concern_receipt_format(code, receipt);
    }
    sodium_memzero(code, sizeof code);
    concern_row_clear(&row);
    return rc;
}

/* ---- who the actor is to a concern ---- */

typedef enum part {
    PART_NONE,
    PART_REPORTER,
    PART_OFFICER,
    PART_AUDITOR,
    PART_DECISION_MAKER
} part;

/* The actor's part, for reading (the widest one). */
static int part_of(store *db, const concern_actor *who, const concern_row *c, part *out,
                   ph_err *err) {
    *out = PART_NONE;
    if (!who) return PH_OK;
    if (who->receipt) {
        if (concern_receipt_matches(c, who->receipt, err)) return err->rc;
        *out = PART_REPORTER;
        return PH_OK;
    }
    if (!who->name || !who->role) return PH_OK;
    int cosign = 0;
    if (!c->confidential && is_cosignatory(db, c->id, who->name, &cosign, err)) return err->rc;
    int own = !c->confidential && ((c->reporter && strcmp(c->reporter, who->name) == 0) || cosign);
    if (strcmp(who->role, "nominated_officer") == 0 && !own)
        *out = PART_OFFICER;
    else if (own)
        *out = PART_REPORTER;
    else if (strcmp(who->role, "auditor") == 0)
        *out = PART_AUDITOR;
    else if (strcmp(who->role, "decision_maker") == 0 && c->case_reference)
        *out = PART_DECISION_MAKER;
    return PH_OK;
}

static const char *part_role(part p) {
    switch (p) {
    case PART_REPORTER: return "reporter";
    case PART_OFFICER: return "nominated_officer";
    case PART_DECISION_MAKER: return "decision_maker";
    case PART_AUDITOR: return "auditor";
    default: return "";
    }
}

static json_t *allowed_json(const char *state, part p) {
    json_t *a = json_array();
    const char *role = part_role(p);
    if (!*role) return a;
    const char *events[32];
    size_t n = wf_allowed_events(&wf_concern, state, role, events, 32);
    for (size_t i = 0; i < n; i++)
        if (strcmp(events[i], "note_decision") != 0)
            json_array_append_new(a, json_string(events[i]));
    return a;
}

/* ---- events ---- */

/* Refuses an event the concern's state does not allow, listing what the
 * caller's part (`role`: reporter, also for a receipt holder, or
 * nominated_officer) may do now: never another part's events. */
static int not_allowed(const concern_row *c, const char *state, const char *event, const char *role,
                       ph_err *err) {
    const char *events[32];
    size_t n = role && *role ? wf_allowed_events(&wf_concern, state, role, events, 32) : 0;
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(events[i], "note_decision") == 0) continue;
        int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", events[i]);
        if (w > 0 && (size_t)w < sizeof list - used) used += (size_t)w;
    }
    if (strcmp(event, "close") == 0 && strcmp(state, "responded") != 0)
        return ph_fail(err, PH_ECONFLICT,
                       "concern %lld is %s: it closes only after a substantive response (respond "
                       "with what was "
                       "decided, done or not done, and why); allowed now: %s",
                       (long long)c->id, state, used ? list : "nothing");
    return ph_fail(err, PH_ECONFLICT, "concern %lld is %s: '%s' is not allowed (allowed: %s)",
                   (long long)c->id, state, event, used ? list : "nothing");
}

int concern_fire(store *db, const concern_actor *who, int64_t id, const char *event,
                 const concern_event_input *in, ph_err *err) {
    static const char *const events[] = {"acknowledge", "consider", "respond", "appeal",
                                         "escalate",    "extend",   "close",   NULL};
    int known = 0;
    for (const char *const *e = events; *e; e++)
        known |= event && strcmp(*e, event) == 0;
    if (!known)
        return ph_fail(err, PH_EUSAGE,
                       "event '%.32s': expected acknowledge, consider, respond, appeal, escalate, "
                       "extend or close",
                       event ? event : "");
    const concern_event_input none = {0};
    if (!in) in = &none;
    concern_row c;
    if (concern_row_load(db, id, &c, err)) return err->rc;
    rules r = {0};
    concern_timeline t;
    char outcome[24] = "", daybuf[11];
    const char *text = NULL, *level = NULL, *day = day_or_today(in->today, daybuf);
    const wf_transition *tr = NULL;
    part p = PART_NONE;
    int32_t d;
    int rc = parse_day("today", day, &d, err);
    if (!rc) rc = rules_load(db, &r, err);
    if (!rc) rc = timeline_of(db, &r, id, &t, err);
    if (!rc) rc = part_of(db, who, &c, &p, err);
    if (!rc && (p == PART_NONE || p == PART_AUDITOR || p == PART_DECISION_MAKER))
        rc = p == PART_NONE
                 ? ph_fail(err, PH_ENOTFOUND, "no concern %lld that you may act on", (long long)id)
                 : ph_fail(err, PH_EFORBIDDEN, "'%s' is for the reporter or a nominated officer",
                           event);
    if (!rc && !(tr = wf_find(&wf_concern, t.state, event)))
        rc = not_allowed(&c, t.state, event, part_role(p), err);
    if (!rc && !wf_role_allowed(tr, part_role(p))) {
        if (p == PART_REPORTER && wf_role_allowed(tr, "nominated_officer") && who->role &&
            strcmp(who->role, "nominated_officer") == 0)
            rc = ph_fail(
                err, PH_EFORBIDDEN,
                "you raised or co-signed concern %lld: another nominated officer must %s it",
                (long long)id, event);
        else
            rc = ph_fail(err, PH_EFORBIDDEN, "'%s' is for %s; you are the %s", event, tr->roles,
                         p == PART_REPORTER ? "reporter" : "nominated officer");
    }
    response_parts parts = {NULL, NULL, NULL};
    if (!rc && strcmp(event, "respond") == 0) {
        /* What was decided, what was done or not done, and why: each its
         * own part, so that "we have noted your concerns" cannot stand for
         * all three. The note is optional ('' on the record when none). */
        rc = concern_outcome_parse(in->outcome, outcome, err);
        if (!rc) rc = concern_response_check(in->decision, in->actions, in->reasons, NULL, err);
        text = in->text && in->text[strspn(in->text, " \t\r\n")] ? in->text : "";
        if (!rc && *text)
            rc = concern_text_check("text", text, strlen(text), CONCERN_TEXT_MAX, err);
        parts = (response_parts){in->decision, in->actions, in->reasons};
    }
    if (!rc && (strcmp(event, "escalate") == 0 || strcmp(event, "appeal") == 0 ||
                strcmp(event, "extend") == 0)) {
        rc = concern_text_check("reason", in->reason, in->reason ? strlen(in->reason) : 0,
                                CONCERN_REASON_MAX, err);
        text = in->reason;
    }
    if (!rc && strcmp(event, "escalate") == 0 && !(level = concern_next_level(&r.settings, &t)))
        rc = ph_fail(err, PH_ECONFLICT,
                     "concern %lld is already at the top of the escalation chain (%s)",
                     (long long)id, t.level);
    if (!rc && strcmp(event, "extend") == 0) {
        char within[32];
        concern_duration_format(&r.settings.respond_extended, within, sizeof within);
        if (!r.settings.respond_extended.n)
            rc = ph_fail(err, PH_ECONFLICT,
                         "this deployment allows no extension of the response deadline "
                         "(setting respond_extended_within is none)");
        else if (t.extended)
            rc = ph_fail(err, PH_ECONFLICT, "concern %lld's response was already extended once",
                         (long long)id);
        else if (strncmp(t.due_for, "response", 8) != 0)
            rc = ph_fail(err, PH_ECONFLICT, "concern %lld awaits no response to extend (it is %s)",
                         (long long)id, t.state);
    }
    int pseudonymous = p == PART_REPORTER && c.confidential;
    const char *actor = pseudonymous ? c.pseudonym : who->name;
    if (!rc) rc = store_begin(db, err);
    if (!rc) {
        rc = record_event_parts(db, id, event, tr->to[0] ? tr->to : NULL, actor, part_role(p), day,
                                level, outcome[0] ? outcome : NULL, text,
                                parts.decision ? &parts : NULL, err);
        char action[48];
        snprintf(action, sizeof action, "concern.%s", event);
        if (!rc) rc = concern_audit(db, actor, action, id, pseudonymous, err);
        if (!rc) rc = store_commit(db, err);
        if (rc) store_rollback(db);
    }
    rules_free(&r);
    concern_row_clear(&c);
    return rc;
}

int concern_message(store *db, const concern_actor *who, int64_t id, const char *text,
                    int64_t corrects, const char *today, int64_t *message_id, ph_err *err) {
    if (message_id) *message_id = 0;
    if (concern_text_check("text", text, text ? strlen(text) : 0, CONCERN_TEXT_MAX, err))
        return err->rc;
    concern_row c;
    if (concern_row_load(db, id, &c, err)) return err->rc;
    rules r = {0};
    concern_timeline t;
    part p = PART_NONE;
    char daybuf[11];
    const char *day = day_or_today(today, daybuf);
    int32_t d;
    int rc = parse_day("today", day, &d, err);
    if (!rc) rc = part_of(db, who, &c, &p, err);
    if (!rc && p != PART_REPORTER && p != PART_OFFICER)
        rc =
            p == PART_NONE
                ? ph_fail(err, PH_ENOTFOUND, "no concern %lld that you may write to", (long long)id)
                : ph_fail(err, PH_EFORBIDDEN,
                          "messages are between the reporter and the nominated officers");
    if (!rc) rc = rules_load(db, &r, err);
    if (!rc) rc = timeline_of(db, &r, id, &t, err);
    if (!rc && !wf_find(&wf_concern, t.state, "message"))
        rc = not_allowed(&c, t.state, "message", part_role(p), err);
    int pseudonymous = p == PART_REPORTER && c.confidential;
    const char *author = pseudonymous ? c.pseudonym : who->name;
    if (!rc && corrects) {
        int64_t n;
        rc = store_one_int(
            db, &n, err,
            "SELECT count(*) FROM concern_message WHERE id = ? AND concern_id = ? AND author = ?",
            "iit", corrects, id, author);
        if (!rc && !n)
            rc = ph_fail(err, PH_EUSAGE,
                         "corrects: message %lld is not one of yours on concern %lld",
                         (long long)corrects, (long long)id);
    }
    if (!rc) rc = store_begin(db, err);
    if (!rc) {
        static const char insert[] =
            "INSERT INTO concern_message(concern_id, author, author_role, on_date, text, "
            "corrects) VALUES (?, ?, ?, ?, ?, ?)";
        rc = corrects ? store_run(db, err, insert, "itttti", id, author, part_role(p), day, text,
                                  corrects)
                      : store_run(db, err, insert, "ittttn", id, author, part_role(p), day, text);
        if (!rc && message_id) *message_id = store_last_id(db);
        if (!rc) rc = concern_audit(db, author, "concern.message", id, pseudonymous, err);
        if (!rc) rc = store_commit(db, err);
        if (rc) store_rollback(db);
    }
    rules_free(&r);
    concern_row_clear(&c);
    return rc;
}

/* ---- reading ---- */

static json_t *day_json(int32_t d) {
    if (d == CONCERN_NO_DATE) return json_null();
    char s[11];
    ph_date_format(d, s);
    return json_string(s);
}

static json_t *text_or_null(store_stmt *st, int i) {
    const char *s = store_col_text(st, i);
    return s ? json_string(s) : json_null();
}

static json_t *criteria_json(const char *criteria) {
    json_t *a = json_array();
    for (const char *p = criteria; p && *p;) {
        size_t n = strcspn(p, ";");
        if (n) {
            char *c = ph_strndup(p, n);
            json_array_append_new(a, json_string(c));
            free(c);
        }
        p += n;
        if (*p == ';') p++;
    }
    return a;
}

static json_t *about_json(const concern_row *c) {
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(c->about_kind));
    int64_t review_id;
    char ref[REVIEW_REF_MAX];
    /* A review concern raised before reviews were named RV-0001 here holds
     * the number: shown as the reference all the same. */
    if (strcmp(c->about_kind, "review") == 0 &&
        review_parse_ref(c->about_id, &review_id) == PH_OK) {
        review_ref(review_id, ref);
        json_object_set_new(o, "id", json_string(ref));
    } else {
        json_object_set_new(o, "id", json_string(c->about_id));
    }
    json_object_set_new(o, "version",
                        c->about_version ? json_string(c->about_version) : json_null());
    json_object_set_new(o, "sha256", c->about_sha256 ? json_string(c->about_sha256) : json_null());
    json_object_set_new(o, "case",
                        c->case_reference ? json_string(c->case_reference) : json_null());
    return o;
}

static json_t *deadlines_json(const concern_timeline *t, int32_t as_of) {
    json_t *o = json_object();
    json_object_set_new(o, "acknowledge_by", day_json(t->acknowledge_due));
    json_object_set_new(o, "respond_by", day_json(t->respond_due));
    json_object_set_new(o, "acknowledged_on", day_json(t->acknowledged));
    json_object_set_new(o, "responded_on", day_json(t->responded));
    json_object_set_new(o, "due", day_json(t->due));
    json_object_set_new(o, "due_for", t->due_for[0] ? json_string(t->due_for) : json_null());
    json_object_set_new(o, "extended", json_boolean(t->extended));
    json_object_set_new(o, "overdue", json_boolean(concern_timeline_overdue(t, as_of)));
    return o;
}

/* The summary every list shows. */
static json_t *summary_json(const concern_row *c, const concern_timeline *t, int32_t as_of) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "about", about_json(c));
    json_object_set_new(o, "category", json_string(c->category));
    json_object_set_new(o, "criteria", criteria_json(c->criteria));
    json_object_set_new(o, "confidential", json_boolean(c->confidential));
    json_object_set_new(o, "state", json_string(t->state));
    json_object_set_new(o, "level", json_string(t->level));
    json_object_set_new(o, "raised_on", json_string(c->raised_on));
    json_object_set_new(o, "deadlines", deadlines_json(t, as_of));
    return o;
}

static int rows_json(store *db, const char *sql, int64_t id, json_t *into,
                     json_t *(*make)(store_stmt *st), ph_err *err) {
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    store_bind_int(st, 1, id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW)
        json_array_append_new(into, make(st));
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

#define EVENT_COLUMNS                                                                              \
    "event, to_state, actor, actor_role, on_date, level, outcome, text, decision, actions, "       \
    "reasons"

static json_t *event_json(store_stmt *st) {
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string(store_col_text(st, 0)));
    json_object_set_new(o, "state", text_or_null(st, 1));
    json_object_set_new(o, "by", json_string(store_col_text(st, 2)));
    json_object_set_new(o, "as", json_string(store_col_text(st, 3)));
    json_object_set_new(o, "on", json_string(store_col_text(st, 4)));
    json_object_set_new(o, "level", text_or_null(st, 5));
    json_object_set_new(o, "outcome", text_or_null(st, 6));
    /* A response without a note keeps '' (the column must not be NULL). */
    const char *text = store_col_text(st, 7);
    json_object_set_new(o, "text", text && *text ? json_string(text) : json_null());
    if (strcmp(store_col_text(st, 0), "respond") == 0) {
        json_object_set_new(o, "decision", text_or_null(st, 8));
        json_object_set_new(o, "actions", text_or_null(st, 9));
        json_object_set_new(o, "reasons", text_or_null(st, 10));
    }
    return o;
}

/* The newest response among the events: {on, by, outcome, decision,
 * actions, reasons, text}, or null. */
static json_t *latest_response(json_t *events) {
    json_t *found = NULL, *v;
    size_t i;
    json_array_foreach(events, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "event")), "respond") == 0) found = v;
    }
    if (!found) return json_null();
    json_t *o = json_object();
    static const char *const keys[] = {"on",      "by",      "outcome", "decision",
                                       "actions", "reasons", "text"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *x = json_object_get(found, keys[k]);
        json_object_set(o, keys[k], x ? x : json_null());
    }
    return o;
}

static json_t *message_json(store_stmt *st) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(store_col_int(st, 0)));
    json_object_set_new(o, "by", json_string(store_col_text(st, 1)));
    json_object_set_new(o, "as", json_string(store_col_text(st, 2)));
    json_object_set_new(o, "on", json_string(store_col_text(st, 3)));
    json_object_set_new(o, "text", json_string(store_col_text(st, 4)));
    json_object_set_new(
        o, "corrects", store_col_is_null(st, 5) ? json_null() : json_integer(store_col_int(st, 5)));
    return o;
}

static json_t *string_json(store_stmt *st) {
    return json_string(store_col_text(st, 0));
}

int concern_get(store *db, const concern_actor *who, int64_t id, const char *as_of, json_t **out,
                ph_err *err) {
    *out = NULL;
    char daybuf[11];
    int32_t when;
    if (parse_day("as_of", day_or_today(as_of, daybuf), &when, err)) return err->rc;
    concern_row c;
    if (concern_row_load(db, id, &c, err)) {
        if (err->rc == PH_ENOTFOUND)
            ph_fail(err, PH_ENOTFOUND, "no concern %lld that you may read", (long long)id);
        return err->rc;
    }
    part p = PART_NONE;
    rules r = {0};
    concern_timeline t;
    int rc = part_of(db, who, &c, &p, err);
    /* The command line without an actor reads as an auditor does. */
    if (!rc && !who) p = PART_AUDITOR;
    if (!rc && p == PART_NONE)
        rc = ph_fail(err, PH_ENOTFOUND, "no concern %lld that you may read", (long long)id);
    if (!rc) rc = rules_load(db, &r, err);
    if (!rc) rc = timeline_of(db, &r, id, &t, err);
    if (rc) {
        rules_free(&r);
        concern_row_clear(&c);
        return rc;
    }
    json_t *o = summary_json(&c, &t, when);
    json_object_set_new(o, "text", json_string(c.text));
    json_object_set_new(o, "outcome", t.outcome[0] ? json_string(t.outcome) : json_null());
    if (c.confidential) {
        json_object_set_new(o, "reporter", json_null());
        json_object_set_new(o, "reporter_sealed", json_true());
        json_object_set_new(o, "pseudonym", json_string(c.pseudonym));
    } else {
        json_object_set_new(o, "reporter", json_string(c.reporter));
        json_object_set_new(o, "reporter_sealed", json_false());
    }
    json_t *cos = json_array(), *events = json_array();
    json_object_set_new(o, "cosignatories", cos);
    json_object_set_new(o, "events", events);
    rc = rows_json(db,
                   "SELECT account FROM concern_cosignatory WHERE concern_id = ? ORDER BY account",
                   id, cos, string_json, err);
    if (!rc)
        rc = rows_json(
            db, "SELECT " EVENT_COLUMNS " FROM concern_event WHERE concern_id = ? ORDER BY id", id,
            events, event_json, err);
    if (!rc) json_object_set_new(o, "response", latest_response(events));
    /* Decision makers read the substance, not the thread. */
    if (!rc && p != PART_DECISION_MAKER) {
        json_t *messages = json_array();
        json_object_set_new(o, "messages", messages);
        rc = rows_json(db,
                       "SELECT id, author, author_role, on_date, text, corrects FROM "
                       "concern_message WHERE concern_id = ? "
                       "ORDER BY id",
                       id, messages, message_json, err);
    }
    if (!rc && (p == PART_OFFICER || p == PART_AUDITOR) && c.confidential) {
        json_t *seals = json_array();
        json_object_set_new(o, "sealed_to", seals);
        rc = rows_json(db,
                       "SELECT s.key_id || ' (' || (SELECT k.account FROM concern_key k WHERE "
                       "k.key_id = s.key_id "
                       "ORDER BY k.id DESC LIMIT 1) || ')' FROM concern_seal s WHERE s.concern_id "
                       "= ? ORDER BY s.key_id",
                       id, seals, string_json, err);
    }
    json_object_set_new(o, "you_are", json_string(who ? part_role(p) : "auditor"));
    json_object_set_new(o, "allowed_events", allowed_json(t.state, p));
    rules_free(&r);
    concern_row_clear(&c);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PH_OK;
}

/* ---- every concern at once (lists, the sweep, statistics) ---- */

typedef struct loaded {
    concern_row row;
    concern_timeline t;
} loaded;

typedef struct loaded_set {
    loaded *v;
    size_t n, cap;
} loaded_set;

static void loaded_free(loaded_set *s) {
    for (size_t i = 0; i < s->n; i++)
        concern_row_clear(&s->v[i].row);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Loads concerns (all, or those about a case) with their timelines: two
 * queries, whatever the number of concerns. */
static int load_all(store *db, const rules *r, const char *case_reference, loaded_set *out,
                    ph_err *err) {
    memset(out, 0, sizeof *out);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT " ROW_COLUMNS
                      " FROM concern WHERE (? IS NULL OR case_reference = ?) ORDER BY id",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, case_reference);
    store_bind_text(st, 2, case_reference);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        out->v = ph_grow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        memset(&out->v[out->n], 0, sizeof out->v[out->n]);
        ph_strlcpy(out->v[out->n].t.state, "raised", sizeof out->v[out->n].t.state);
        out->v[out->n].t.due = out->v[out->n].t.last_event = CONCERN_NO_DATE;
        row_from(st, &out->v[out->n++].row);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        loaded_free(out);
        return rc;
    }
    if (store_prepare(db,
                      "SELECT e.concern_id, " STEP_COLUMNS
                      " FROM concern_event e JOIN concern c ON c.id = e.concern_id "
                      "WHERE (? IS NULL OR c.case_reference = ?) ORDER BY e.concern_id, e.id",
                      &st, err)) {
        loaded_free(out);
        return err->rc;
    }
    store_bind_text(st, 1, case_reference);
    store_bind_text(st, 2, case_reference);
    history h = {0};
    size_t at = 0;
    int64_t current = -1;
    rc = PH_OK;
    for (;;) {
        int s = store_step(st, err);
        int64_t cid = s == STORE_ROW ? store_col_int(st, 0) : -1;
        if ((s != STORE_ROW || cid != current) && current >= 0) {
            while (at < out->n && out->v[at].row.id != current)
                at++;
            if (at < out->n)
                rc = concern_timeline_compute(&r->settings, r->cal, h.steps, h.n, &out->v[at].t,
                                              err);
            history_clear(&h);
            if (rc) break;
        }
        if (s != STORE_ROW) {
            if (s != STORE_DONE) rc = s;
            break;
        }
        current = cid;
        history_add(&h, st, 1);
    }
    history_clear(&h);
    store_finalize(st);
    if (rc) loaded_free(out);
    return rc;
}

int concern_list(store *db, const concern_actor *who, const concern_filter *f, json_t **out,
                 ph_err *err) {
    *out = NULL;
    const concern_filter none = {0};
    if (!f) f = &none;
    char daybuf[11];
    const char *as_of = day_or_today(f->as_of, daybuf);
    int32_t when;
    if (parse_day("as_of", as_of, &when, err)) return err->rc;
    if (f->state && *f->state && !wf_is_state(&wf_concern, f->state))
        return ph_fail(err, PH_EUSAGE, "state: '%.32s' is not a state of a concern", f->state);
    int everything = !who || (who->role && (strcmp(who->role, "nominated_officer") == 0 ||
                                            strcmp(who->role, "auditor") == 0));
    if (who && who->receipt)
        return ph_fail(err, PH_EFORBIDDEN, "a receipt code reads its own concern only");
    rules r;
    if (rules_load(db, &r, err)) return err->rc;
    loaded_set s;
    int rc = load_all(db, &r, f->case_reference, &s, err);
    rules_free(&r);
    if (rc) return rc;
    json_t *list = json_array();
    for (size_t i = 0; !rc && i < s.n; i++) {
        const loaded *l = &s.v[i];
        if (f->overdue && !concern_timeline_overdue(&l->t, when)) continue;
        if (f->state && *f->state && strcmp(l->t.state, f->state) != 0) continue;
        if (!everything) {
            int cosign = 0;
            if (l->row.confidential) continue;
            rc = is_cosignatory(db, l->row.id, who->name, &cosign, err);
            if (!cosign &&
                !(l->row.reporter && who->name && strcmp(l->row.reporter, who->name) == 0))
                continue;
        }
        json_array_append_new(list, summary_json(&l->row, &l->t, when));
    }
    loaded_free(&s);
    if (rc) {
        json_decref(list);
        return rc;
    }
    json_t *o = json_object();
    json_object_set_new(o, "as_of", json_string(as_of));
    json_object_set_new(o, "total", json_integer((json_int_t)json_array_size(list)));
    json_object_set_new(o, "concerns", list);
    *out = o;
    return PH_OK;
}

int concern_sweep(store *db, const char *as_of_given, json_t **report, ph_err *err) {
    *report = NULL;
    char daybuf[11];
    const char *as_of = day_or_today(as_of_given, daybuf);
    int32_t when;
    if (parse_day("as_of", as_of, &when, err)) return err->rc;
    rules r;
    if (rules_load(db, &r, err)) return err->rc;
    if (store_begin(db, err)) {
        rules_free(&r);
        return err->rc;
    }
    loaded_set s;
    int rc = load_all(db, &r, NULL, &s, err);
    json_t *escalated = json_array(), *stuck = json_array();
    for (size_t i = 0; !rc && i < s.n; i++) {
        const loaded *l = &s.v[i];
        if (!concern_timeline_overdue(&l->t, when) || l->t.last_event > when) continue;
        const char *next = concern_next_level(&r.settings, &l->t);
        const wf_transition *tr = wf_find(&wf_concern, l->t.state, "escalate");
        char due[11];
        ph_date_format(l->t.due, due);
        if (!next || !tr || !wf_role_allowed(tr, "system")) {
            json_array_append_new(stuck,
                                  json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
                                            (json_int_t)l->row.id, "state", l->t.state, "level",
                                            l->t.level, "due", due, "due_for", l->t.due_for));
            continue;
        }
        char reason[160];
        snprintf(reason, sizeof reason, "overdue: the %s was due on %s", l->t.due_for, due);
        rc = record_event(db, l->row.id, "escalate", tr->to, "system", "system", as_of, next, NULL,
                          reason, err);
        if (!rc) rc = concern_audit(db, "system", "concern.escalate", l->row.id, 0, err);
        if (!rc)
            json_array_append_new(escalated,
                                  json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
                                            (json_int_t)l->row.id, "from_state", l->t.state,
                                            "to_level", next, "due", due, "due_for", l->t.due_for));
    }
    loaded_free(&s);
    rules_free(&r);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
        json_decref(escalated);
        json_decref(stuck);
        return rc;
    }
    json_t *o = json_object();
    json_object_set_new(o, "as_of", json_string(as_of));
    json_object_set_new(o, "escalated", escalated);
    json_object_set_new(o, "at_top_of_chain", stuck);
    *report = o;
    return PH_OK;
}

int concern_stats(store *db, const char *as_of, json_t **out, ph_err *err) {
    *out = NULL;
    int32_t until = INT32_MAX;
    if (as_of && *as_of && parse_day("as_of", as_of, &until, err)) return err->rc;
    rules r;
    if (rules_load(db, &r, err)) return err->rc;
    loaded_set s;
    int rc = load_all(db, &r, NULL, &s, err);
    int k = r.settings.stats_min_count;
    rules_free(&r);
    if (rc) return rc;
    concern_stat_input *v = ph_calloc(s.n + 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        const loaded *l = &s.v[i];
        if (l->t.raised > until) continue;
        concern_stat_input *x = &v[n++];
        ph_strlcpy(x->category, l->row.category, sizeof x->category);
        x->raised = l->t.raised;
        x->acknowledge_due = l->t.acknowledge_due;
        x->respond_due = l->t.respond_due;
        x->acknowledged = l->t.acknowledged <= until ? l->t.acknowledged : CONCERN_NO_DATE;
        x->responded = l->t.responded <= until ? l->t.responded : CONCERN_NO_DATE;
        ph_strlcpy(x->state, l->t.state, sizeof x->state);
        ph_strlcpy(x->outcome, l->t.outcome, sizeof x->outcome);
    }
    loaded_free(&s);
    *out = concern_stats_build(v, n, k);
    free(v);
    return PH_OK;
}

/* ---- cases ---- */

int concern_open_about_case(void *ctx, store *db, const char *reference, char ***ids, size_t *n,
                            ph_err *err) {
    (void)ctx;
    *ids = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT c.id FROM concern c WHERE c.case_reference = ? AND coalesce((SELECT "
                      "e.to_state FROM "
                      "concern_event e WHERE e.concern_id = c.id AND e.to_state IS NOT NULL ORDER "
                      "BY e.id DESC LIMIT 1), "
                      "'raised') <> 'closed' ORDER BY c.id",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, reference);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *ids = ph_grow(*ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = ph_asprintf("%lld", (long long)store_col_int(st, 0));
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        for (size_t i = 0; i < *n; i++)
            free((*ids)[i]);
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

int concern_note_decision(void *ctx, store *db, const char *reference, const char *actor,
                          const char *decision, ph_err *err) {
    char **ids;
    size_t n;
    if (concern_open_about_case(ctx, db, reference, &ids, &n, err)) return err->rc;
    char day[11], text[200];
    concern_today(day);
    snprintf(text, sizeof text, "read by the decision maker before the decision on case %s (%s)",
             reference, decision ? decision : "decision");
    int rc = PH_OK;
    for (size_t i = 0; i < n; i++) {
        int64_t id = 0;
        ph_parse_i64(ids[i], &id);
        if (!rc)
            rc = record_event(db, id, "note_decision", NULL, actor, "decision_maker", day, NULL,
                              NULL, text, err);
        if (!rc) rc = concern_audit(db, actor, "concern.note_decision", id, 0, err);
        free(ids[i]);
    }
    free(ids);
    return rc;
}

int concern_case_summary(store *db, const char *reference, json_t **out, ph_err *err) {
    *out = NULL;
    int64_t n;
    if (store_one_int(db, &n, err, "SELECT count(*) FROM concern WHERE case_reference = ?", "t",
                      reference))
        return err->rc;
    if (!n) {
        *out = json_array(); /* most cases: no settings or calendar to load */
        return PH_OK;
    }
    rules r;
    if (rules_load(db, &r, err)) return err->rc;
    loaded_set s;
    int rc = load_all(db, &r, reference, &s, err);
    rules_free(&r);
    if (rc) return rc;
    char today[11];
    concern_today(today);
    int32_t when = 0;
    ph_date_parse(today, &when);
    json_t *a = json_array();
    for (size_t i = 0; i < s.n; i++) {
        if (strcmp(s.v[i].t.state, "closed") == 0) continue;
        json_array_append_new(a, summary_json(&s.v[i].row, &s.v[i].t, when));
    }
    loaded_free(&s);
    *out = a;
    return PH_OK;
}
