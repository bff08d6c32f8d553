/* Licence status changes through the licence workflow (suspension,
 * reinstatement, revocation, surrender, exhaustion, expiry), the expiry of
 * licences past their end date, and the canonical state of a licence for the
 * audit log. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "register/register.h"
#include "workflow/workflow.h"

/* Longest reason kept (bytes); a reason is a paragraph, not a document. */
#define REASON_MAX 4000
#define CRITERIA_MAX 16

/* The transitions are the licence workflow's (workflow.h): one table for
 * the command line, the server and the drawing in docs/workflow.md. */

/* "suspend" -> "suspended", for messages. */
static const char *event_done(const char *event) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++)
        if (ph_streq(wf_licence.transitions[i].event, event)) return wf_licence.transitions[i].to;
    return event;
}

/* Suspension and revocation cite criteria (the workflow's guard says so). */
static int event_needs_criteria(const char *event) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (ph_streq(t->event, event) && t->guard && strstr(t->guard, "criteria")) return 1;
    }
    return 0;
}

int register_is_licence_event(const char *event) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++)
        if (ph_streq(wf_licence.transitions[i].event, event)) return 1;
    return 0;
}

/* Whether `role` may fire `event` from some state. */
static int role_may_fire(const char *event, const char *role) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (ph_streq(t->event, event) && wf_role_allowed(t, role)) return 1;
    }
    return 0;
}

/* The roles the workflow lets fire `event`, in table order without repeats:
 * "case_officer, decision_maker, system". */
static void event_roles(const char *event, char *out, size_t size) {
    char roles[16][64];
    size_t n = 0;
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (!ph_streq(t->event, event)) continue;
        for (const char *p = t->roles; *p;) {
            size_t len = strcspn(p, " ");
            if (len && len < sizeof roles[0] && n < sizeof roles / sizeof roles[0]) {
                char role[64];
                memcpy(role, p, len);
                role[len] = '\0';
                int seen = 0;
                for (size_t k = 0; k < n; k++)
                    seen |= ph_streq(roles[k], role);
                if (!seen) ph_strlcpy(roles[n++], role, sizeof roles[0]);
            }
            p += len;
            while (*p == ' ')
                p++;
        }
    }
    ph_buf b;
    ph_buf_init(&b);
    for (size_t k = 0; k < n; k++)
        ph_buf_printf(&b, "%s%s", k ? ", " : "", roles[k]);
    ph_strlcpy(out, b.len ? b.data : "nobody", size);
    ph_buf_free(&b);
}

static int role_refused(ph_err *err, const char *actor, const char *role, const char *event) {
    char roles[128];
    event_roles(event, roles, sizeof roles);
    return ph_fail(err, PH_EFORBIDDEN,
                   "forbidden: %s (%s) may not %s a licence; the licence workflow allows it to %s",
                   actor, role && *role ? role : "no role", event, roles);
}

const char *register_licence_next_status(const char *status, const char *event) {
    const wf_transition *t = wf_find(&wf_licence, status, event);
    return t ? t->to : NULL;
}

void register_licence_events(const char *status, char *out, size_t size) {
    const char *events[16];
    size_t n = wf_allowed_events(&wf_licence, status, NULL, events, 16);
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (b.len) ph_buf_puts(&b, ", ");
        ph_buf_puts(&b, events[i]);
    }
    ph_strlcpy(out, b.len ? b.data : "none", size);
    ph_buf_free(&b);
}

int register_licence_state(store *db, const char *reference, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    int64_t id;
    int rc =
        store_one_int(db, &id, err, "SELECT id FROM licence WHERE reference = ?", "t", reference);
    if (rc == PH_ENOTFOUND)
        return ph_fail(err, PH_ENOTFOUND, "licence '%s' is not in the register", reference);
    if (rc) return rc;
    /* Columns are listed one by one so that a later migration adding a
     * column does not change the state of every licence. */
    audit_canon_text(out, "penholder/state/licence/v1");
    if (audit_canon_rows(
            db, out, err,
            "SELECT reference, type, issued_on, expires_on, destination, "
            "destination_name, end_user, end_user_type, end_use, outcome, status, tags "
            "FROM licence WHERE id = ?",
            "i", id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT line_no, rating, known_rating, goods_summary, quantity, value_pence, "
            "published_count FROM licence_line WHERE licence_id = ? ORDER BY line_no",
            "i", id) ||
        audit_canon_rows(db, out, err,
                         "SELECT criterion FROM licence_criterion WHERE licence_id = ? "
                         "ORDER BY criterion",
                         "i", id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT event, from_status, to_status, reason, criteria, criteria_version, "
            "actor, changed_at FROM licence_status_change WHERE licence_id = ? ORDER BY id",
            "i", id))
        return err->rc;
    return PH_OK;
}

/* The criteria version in force on `date`. */
static int criteria_version_on(store *db, const char *date, char *id, size_t id_size, char *title,
                               size_t title_size, ph_err *err) {
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT id, title FROM criteria_version WHERE valid_from <= ? "
                      "AND (valid_to IS NULL OR valid_to >= ?) ORDER BY valid_from DESC LIMIT 1",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, date);
    store_bind_text(st, 2, date);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ph_strlcpy(id, store_col_text(st, 0), id_size);
        ph_strlcpy(title, store_col_text(st, 1), title_size);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ERR, "no licensing criteria are in force on %s; run `penholder init`",
                     date);
    }
    store_finalize(st);
    return rc;
}

static void criteria_in_version(store *db, const char *version, char *out, size_t size) {
    ph_buf b;
    ph_buf_init(&b);
    store_stmt *st;
    ph_err ignored = {0};
    if (store_prepare(db, "SELECT id FROM criterion WHERE version = ? ORDER BY id", &st,
                      &ignored) == PH_OK) {
        store_bind_text(st, 1, version);
        while (store_step(st, &ignored) == STORE_ROW) {
            if (b.len) ph_buf_puts(&b, ", ");
            ph_buf_puts(&b, store_col_text(st, 0));
        }
        store_finalize(st);
    }
    ph_strlcpy(out, b.len ? b.data : "", size);
    ph_buf_free(&b);
}

/* "2c", "1a, 2c", "1a 2C": each must be a criterion of the version in force;
 * written back as "1a, 2c" without repeats. */
static int normalise_criteria(store *db, const char *text, const char *date,
                              register_status_result *out, ph_err *err) {
    char title[256];
    if (criteria_version_on(db, date, out->criteria_version, sizeof out->criteria_version, title,
                            sizeof title, err))
        return err->rc;
    char *copy = ph_strdup(text);
    char seen[CRITERIA_MAX][16];
    size_t nseen = 0;
    int rc = PH_OK;
    ph_buf b;
    ph_buf_init(&b);
    for (char *p = copy; *p && rc == PH_OK;) {
        while (*p && (*p == ',' || *p == ';' || isspace((unsigned char)*p)))
            p++;
        char *start = p;
        while (*p && *p != ',' && *p != ';' && !isspace((unsigned char)*p)) {
            *p = (char)tolower((unsigned char)*p);
            p++;
        }
        if (p == start) break;
        char word[16];
        size_t len = (size_t)(p - start);
        if (len >= sizeof word) len = sizeof word - 1;
        memcpy(word, start, len);
        word[len] = '\0';
        int64_t found;
        int q =
            store_one_int(db, &found, err, "SELECT 1 FROM criterion WHERE version = ? AND id = ?",
                          "tt", out->criteria_version, word);
        if (q == PH_ENOTFOUND) {
            char valid[512];
            criteria_in_version(db, out->criteria_version, valid, sizeof valid);
            rc = ph_fail(err, PH_EUSAGE, "criterion '%s' is not one of the %s (expected one of %s)",
                         word, title, valid);
        } else if (q) {
            rc = q;
        } else {
            int repeat = 0;
            for (size_t i = 0; i < nseen; i++)
                repeat |= strcmp(seen[i], word) == 0;
            if (!repeat && nseen == CRITERIA_MAX)
                rc = ph_fail(err, PH_EUSAGE, "more than %d criteria cited", CRITERIA_MAX);
            else if (!repeat) {
                ph_strlcpy(seen[nseen++], word, sizeof seen[0]);
                if (b.len) ph_buf_puts(&b, ", ");
                ph_buf_puts(&b, word);
            }
        }
    }
    /* Whether criteria are required is the caller's check (event_needs_criteria). */
    if (rc == PH_OK) ph_strlcpy(out->criteria, b.data ? b.data : "", sizeof out->criteria);
    ph_buf_free(&b);
    free(copy);
    return rc;
}

int register_licence_change_status(store *db, const register_status_change *c,
                                   register_status_result *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    if (!store_in_transaction(db))
        return ph_fail(err, PH_ERR,
                       "internal: a licence status change must run inside a transaction");
    if (!register_is_licence_event(c->event))
        return ph_fail(
            err, PH_EUSAGE,
            "unknown licence event '%s' (expected suspend, reinstate, revoke, surrender, "
            "exhaust or expire)",
            c->event ? c->event : "");
    char *reason = ph_strdup(c->reason ? c->reason : "");
    ph_trim(reason);
    int rc = PH_OK;
    if (!*reason)
        rc = ph_fail(err, PH_EUSAGE, "a reason is required to %s a licence", c->event);
    else if (strlen(reason) > REASON_MAX)
        rc = ph_fail(err, PH_EUSAGE, "the reason is longer than %d bytes", REASON_MAX);
    else if (event_needs_criteria(c->event) && (!c->criteria || !*c->criteria))
        rc = ph_fail(err, PH_EUSAGE, "the criteria must be cited to %s a licence (for example 2c)",
                     c->event);
    else if (!c->actor || !*c->actor)
        rc = ph_fail(err, PH_EUSAGE, "the actor is required");
    else if (!c->role || !role_may_fire(c->event, c->role))
        rc = role_refused(err, c->actor, c->role, c->event);
    if (rc) {
        free(reason);
        return rc;
    }

    /* An exporter's search is limited to its organisation's licences, and
     * another organisation's licence is not found, as over HTTP. */
    int64_t id = 0;
    store_stmt *st;
    rc = store_prepare(db,
                       "SELECT l.id, l.status, COALESCE(a.organisation, '') FROM licence l "
                       "LEFT JOIN application a ON a.id = l.application_id WHERE l.reference = ?",
                       &st, err);
    if (!rc) {
        store_bind_text(st, 1, c->reference);
        int step = store_step(st, err);
        if (step == STORE_ROW &&
            (!c->organisation ||
             (*c->organisation && ph_streq(store_col_text(st, 2), c->organisation)))) {
            id = store_col_int(st, 0);
            ph_strlcpy(out->from, store_col_text(st, 1), sizeof out->from);
        } else if (step == STORE_ROW || step == STORE_DONE) {
            rc = ph_fail(err, PH_ENOTFOUND, "licence '%s' is not in the register", c->reference);
        } else {
            rc = step;
        }
        store_finalize(st);
    }
    const wf_transition *t = rc ? NULL : wf_find(&wf_licence, out->from, c->event);
    const char *next = t ? t->to : NULL;
    if (!rc && !next) {
        char allowed[128];
        register_licence_events(out->from, allowed, sizeof allowed);
        rc =
            ph_fail(err, PH_ECONFLICT, "licence %s is %s, so it cannot be %s (allowed from %s: %s)",
                    c->reference, out->from, event_done(c->event), out->from, allowed);
    } else if (!rc && !wf_role_allowed(t, c->role)) {
        rc = role_refused(err, c->actor, c->role, c->event);
    }
    char when[AUDIT_TIME_LEN], date[11];
    if (!rc) rc = audit_clock(when, err);
    if (!rc) {
        ph_strlcpy(out->to, next, sizeof out->to);
        memcpy(date, when, 10);
        date[10] = '\0';
        rc = normalise_criteria(db, c->criteria ? c->criteria : "", date, out, err);
    }
    if (!rc)
        rc = store_run(db, err, "UPDATE licence SET status = ? WHERE id = ?", "ti", out->to, id);
    if (!rc)
        rc = store_run(
            db, err,
            "INSERT INTO licence_status_change(licence_id, event, from_status, to_status, "
            "reason, criteria, criteria_version, actor, changed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "itttttttt", id, c->event, out->from, out->to, reason, out->criteria,
            out->criteria_version, c->actor, when);
    if (!rc) {
        /* The state is passed (rather than read through the registry) so
         * that the change can be audited wherever the licence type is not
         * registered; it is the same function verification uses. */
        char action[32];
        snprintf(action, sizeof action, "licence.%s", c->event);
        ph_buf state;
        ph_buf_init(&state);
        rc = register_licence_state(db, c->reference, &state, err);
        audit_event ev = {.actor = c->actor,
                          .action = action,
                          .object_type = REGISTER_LICENCE_OBJECT,
                          .object_id = c->reference,
                          .state = state.data,
                          .state_len = state.len,
                          .time = when};
        if (!rc) rc = audit_append(db, &ev, &out->audit, err);
        ph_buf_free(&state);
    }
    free(reason);
    return rc;
}

/* ---- expiry ---- */

/* Who may run the expiry: a staff role the licence workflow names for some
 * event (the people who work on licences), not an exporter. The changes
 * themselves are the workflow's `system` role: penholder applying the end
 * date, on that account's instruction. */
static int may_run_expiry(const char *role) {
    if (!role || ph_streq(role, "exporter") || ph_streq(role, REGISTER_ROLE_SYSTEM)) return 0;
    for (size_t i = 0; i < wf_licence.ntransitions; i++)
        if (wf_role_allowed(&wf_licence.transitions[i], role)) return 1;
    return 0;
}

static void expired_free(register_expired *x) {
    free(x->reference);
    free(x->expires_on);
    x->reference = x->expires_on = NULL;
}

void register_expiry_report_free(register_expiry_report *r) {
    for (size_t i = 0; i < r->n; i++)
        expired_free(&r->licences[i]);
    free(r->licences);
    r->licences = NULL;
    r->n = 0;
}

/* The statuses from which the workflow lets a licence expire ("issued",
 * "suspended", "reinstated"), at most `max`. */
static size_t expirable_statuses(const char **out, size_t max) {
    size_t n = 0;
    for (const char *const *s = wf_licence.states; *s && n < max; s++)
        if (wf_find(&wf_licence, *s, "expire")) out[n++] = *s;
    return n;
}

#define EXPIRABLE_MAX 16

/* Up to `limit` licences due to expire, oldest end date first. */
static int due_licences(store *db, const char *as_of, long limit, register_expired **out, size_t *n,
                        ph_err *err) {
    *out = NULL;
    *n = 0;
    const char *statuses[EXPIRABLE_MAX];
    size_t nstatuses = expirable_statuses(statuses, EXPIRABLE_MAX);
    if (nstatuses == 0) return PH_OK;
    ph_buf sql;
    ph_buf_init(&sql);
    ph_buf_puts(&sql, "SELECT reference, expires_on, status FROM licence WHERE status IN (");
    for (size_t i = 0; i < nstatuses; i++)
        ph_buf_puts(&sql, i ? ", ?" : "?");
    ph_buf_puts(&sql, ") AND expires_on IS NOT NULL AND expires_on <> '' AND expires_on < ? "
                      "ORDER BY expires_on, reference LIMIT ?");
    store_stmt *st;
    int rc = store_prepare(db, sql.data, &st, err);
    ph_buf_free(&sql);
    if (rc) return rc;
    int k = 1;
    for (size_t i = 0; i < nstatuses; i++)
        store_bind_text(st, k++, statuses[i]);
    store_bind_text(st, k++, as_of);
    store_bind_int(st, k, limit);
    size_t cap = 0;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        register_expired *x = &(*out)[(*n)++];
        memset(x, 0, sizeof *x);
        x->reference = ph_strdup(store_col_text(st, 0));
        x->expires_on = ph_strdup(store_col_text(st, 1));
        ph_strlcpy(x->from, store_col_text(st, 2), sizeof x->from);
    }
    store_finalize(st);
    if (step != STORE_DONE) {
        for (size_t i = 0; i < *n; i++)
            expired_free(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return step;
    }
    return PH_OK;
}

/* One batch in one transaction: the licences expired are appended to the
 * report only when the batch commits. */
static int expire_batch(store *db, const register_expiry *e, const char *as_of, long limit,
                        register_expiry_report *report, size_t *done, ph_err *err) {
    *done = 0;
    if (store_begin(db, err)) return err->rc;
    register_expired *due;
    size_t n;
    int rc = due_licences(db, as_of, limit, &due, &n, err);
    ph_buf reason;
    ph_buf_init(&reason);
    for (size_t i = 0; i < n && !rc; i++) {
        ph_buf_reset(&reason);
        ph_buf_printf(&reason, "the licence reached its end date: it expires on %s, before %s",
                      due[i].expires_on, as_of);
        register_status_change ch = {.reference = due[i].reference,
                                     .event = "expire",
                                     .reason = reason.data,
                                     .criteria = "",
                                     .actor = e->actor,
                                     .role = REGISTER_ROLE_SYSTEM};
        register_status_result r;
        rc = register_licence_change_status(db, &ch, &r, err);
        if (rc)
            ph_err_prefix(err, "licence %s: ", due[i].reference);
        else
            due[i].audit_seq = r.audit.seq;
    }
    ph_buf_free(&reason);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
        for (size_t i = 0; i < n; i++)
            expired_free(&due[i]);
        free(due);
        return rc;
    }
    if (n) {
        report->licences = ph_realloc(report->licences, (report->n + n) * sizeof *report->licences);
        memcpy(report->licences + report->n, due, n * sizeof *due);
        report->n += n;
    }
    free(due);
    *done = n;
    return PH_OK;
}

int register_licences_expire(store *db, const register_expiry *e, register_expiry_report *report,
                             ph_err *err) {
    memset(report, 0, sizeof *report);
    if (store_in_transaction(db))
        return ph_fail(err, PH_ERR, "internal: licence expiry runs its own transactions");
    if (!e->actor || !*e->actor) return ph_fail(err, PH_EUSAGE, "the actor is required");
    if (!may_run_expiry(e->actor_role))
        return ph_fail(err, PH_EFORBIDDEN,
                       "forbidden: %s (%s) may not expire licences; they are expired on the "
                       "instruction of a case officer or decision maker",
                       e->actor, e->actor_role && *e->actor_role ? e->actor_role : "no role");
    char when[AUDIT_TIME_LEN], today[11];
    if (audit_clock(when, err)) return err->rc;
    memcpy(today, when, 10);
    today[10] = '\0';
    const char *as_of = e->as_of && *e->as_of ? e->as_of : today;
    int32_t as_of_day, today_day;
    if (strlen(as_of) != 10 || ph_date_parse(as_of, &as_of_day))
        return ph_fail(err, PH_EUSAGE, "as of '%.32s': not a date (YYYY-MM-DD)", as_of);
    if (ph_date_parse(today, &today_day) || as_of_day > today_day)
        return ph_fail(err, PH_EUSAGE,
                       "as of %s is after today (%s): a licence expires only once its end date "
                       "has passed",
                       as_of, today);
    ph_strlcpy(report->as_of, as_of, sizeof report->as_of);
    long batch = e->batch > 0 ? e->batch : REGISTER_EXPIRE_BATCH_DEFAULT;
    for (;;) {
        size_t done;
        int rc = expire_batch(db, e, as_of, batch, report, &done, err);
        if (rc) return rc;
        if (done < (size_t)batch) break;
    }
    return PH_OK;
}
