/* review — the record: creating a review, its runs, approval, applying it
 * licence by licence through the licence workflow, the referral work queue,
 * the customs outbox, and the review's canonical state for the audit log. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "control/control.h"
#include "refdata/refdata.h"
#include "register/register.h"
#include "review/review.h"
#include "review/review_internal.h"

/* ---- small helpers ---- */

static char *dup_col(store_stmt *st, int i) {
    const char *s = store_col_text(st, i);
    return s ? ph_strdup(s) : NULL;
}

/* As store_run, with the statement kept by the connection: for the
 * statements applying runs once per licence. `sql` must be a constant. */
static int run_kept(store *db, ph_err *err, const char *sql, const char *types, ...) {
    store_stmt *st;
    if (store_prepare_cached(db, sql, &st, err)) return err->rc;
    va_list ap;
    va_start(ap, types);
    store_bind_va(st, types, ap);
    va_end(ap);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

int review_now(char when[AUDIT_TIME_LEN], char date[11], ph_err *err) {
    if (audit_clock(when, err)) return err->rc;
    if (date) {
        memcpy(date, when, 10);
        date[10] = '\0';
    }
    return PH_OK;
}

void review_row_free(review_row *r) {
    free(r->title);
    free(r->reason);
    free(r->criteria);
    free(r->definition);
    free(r->definition_sha256);
    free(r->created_by);
    free(r->created_at);
    free(r->approved_by);
    free(r->approved_at);
    free(r->approval_note);
    free(r->applied_by);
    free(r->applied_at);
    memset(r, 0, sizeof *r);
}

int review_row_load(store *db, int64_t id, review_row *r, ph_err *err) {
    memset(r, 0, sizeof *r);
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT id, kind, title, reason, criteria, definition, definition_sha256, status, "
            "created_by, created_at, approved_run, approved_by, approved_at, approval_note, "
            "applied_by, applied_at, "
            "(SELECT max(number) FROM review_run WHERE review_id = review.id) "
            "FROM review WHERE id = ?",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        r->id = store_col_int(st, 0);
        review_ref(r->id, r->ref);
        r->kind = ph_streq(store_col_text(st, 1), "reinstatement") ? REVIEW_REINSTATEMENT
                                                                   : REVIEW_SUSPENSION;
        r->title = dup_col(st, 2);
        r->reason = dup_col(st, 3);
        r->criteria = dup_col(st, 4);
        r->definition = dup_col(st, 5);
        r->definition_sha256 = dup_col(st, 6);
        ph_strlcpy(r->status, store_col_text(st, 7), sizeof r->status);
        r->created_by = dup_col(st, 8);
        r->created_at = dup_col(st, 9);
        r->approved_run = store_col_is_null(st, 10) ? 0 : (int)store_col_int(st, 10);
        r->approved_by = dup_col(st, 11);
        r->approved_at = dup_col(st, 12);
        r->approval_note = dup_col(st, 13);
        r->applied_by = dup_col(st, 14);
        r->applied_at = dup_col(st, 15);
        r->latest_run = store_col_is_null(st, 16) ? 0 : (int)store_col_int(st, 16);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        char ref[REVIEW_REF_MAX];
        review_ref(id, ref);
        rc = ph_fail(err, PH_ENOTFOUND, "no review %s", ref);
    }
    store_finalize(st);
    return rc;
}

int review_row_def(const review_row *r, review_def *d, ph_err *err) {
    int rc = review_def_parse(r->ref, r->definition, strlen(r->definition), d, err);
    if (rc) ph_err_prefix(err, "the stored definition of %s does not read: ", r->ref);
    return rc;
}

int review_run_id(store *db, int64_t review, int number, int64_t *run_id, ph_err *err) {
    int rc = store_one_int(db, run_id, err,
                           "SELECT id FROM review_run WHERE review_id = ? AND number = ?", "ii",
                           review, (int64_t)number);
    if (rc == PH_ENOTFOUND) {
        char ref[REVIEW_REF_MAX];
        review_ref(review, ref);
        return ph_fail(err, PH_ENOTFOUND, "review %s has no run %d", ref, number);
    }
    return rc;
}

static int is_role(const review_actor *who, const char *role) {
    return who && who->role && strcmp(who->role, role) == 0;
}

static int need_actor(const review_actor *who, ph_err *err) {
    if (!who || !who->name || !*who->name) return ph_fail(err, PH_EUSAGE, "the actor is required");
    return PH_OK;
}

static int audit_review(store *db, const char *actor, const char *action, int64_t id,
                        const char *when, ph_err *err) {
    char ref[REVIEW_REF_MAX];
    review_ref(id, ref);
    ph_buf state;
    ph_buf_init(&state);
    int rc = review_state(db, ref, &state, err);
    audit_event ev = {.actor = actor,
                      .action = action,
                      .object_type = REVIEW_OBJECT,
                      .object_id = ref,
                      .state = state.data,
                      .state_len = state.len,
                      .time = when};
    if (!rc) rc = audit_append(db, &ev, NULL, err);
    ph_buf_free(&state);
    return rc;
}

/* ---- the canonical state ---- */

int review_state(store *db, const char *object_id, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    int64_t id, found;
    if (review_parse_ref(object_id, &id))
        return ph_fail(err, PH_ENOTFOUND, "no review '%s'", object_id);
    int rc = store_one_int(db, &found, err, "SELECT id FROM review WHERE id = ?", "i", id);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "no review '%s'", object_id);
    if (rc) return rc;
    /* Columns are listed one by one so that a later migration adding a
     * column does not change the state of every review. A run's results are
     * covered by its results_sha256 (they can never change: triggers), and
     * so are the reasons the referrals copy from them. */
    audit_canon_text(out, "penholder/state/review/v1");
    if (audit_canon_rows(
            db, out, err,
            "SELECT id, kind, title, reason, criteria, definition, definition_sha256, status, "
            "created_by, created_at, approved_run, approved_by, approved_at, approval_note, "
            "applied_by, applied_at FROM review WHERE id = ?",
            "i", id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT evidence_id FROM review_evidence WHERE review_id = ? ORDER BY evidence_id", "i",
            id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT number, as_of, policy_id, policy_version, policy_sha256, capabilities_sha256, "
            "evidence_sha256, evidence_in_force, licences_considered, licences, summary, "
            "results_sha256, run_by, run_at FROM review_run WHERE review_id = ? ORDER BY number",
            "i", id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT l.reference, a.event, a.outcome, a.note, a.audit_seq, a.actor, a.done_at "
            "FROM review_action a JOIN licence l ON l.id = a.licence_id WHERE a.review_id = ? "
            "ORDER BY l.reference",
            "i", id) ||
        audit_canon_rows(
            db, out, err,
            "SELECT l.reference, r.criteria, r.state, r.created_at, r.decision, "
            "r.decision_reason, r.resolved_by, r.resolved_at FROM review_referral r "
            "JOIN licence l ON l.id = r.licence_id WHERE r.review_id = ? ORDER BY l.reference",
            "i", id))
        return err->rc;
    return PH_OK;
}

int review_register_audit(void) {
    return audit_register_type(REVIEW_OBJECT, review_state);
}

/* ---- create ---- */

/* The criteria version in force on a date. */
static int criteria_version_on(store *db, const char *date, char *out, size_t size, ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT id FROM criteria_version WHERE valid_from <= ? AND (valid_to IS NULL OR "
            "valid_to >= ?) ORDER BY valid_from DESC LIMIT 1",
            &st, err))
        return err->rc;
    store_bind_text(st, 1, date);
    store_bind_text(st, 2, date);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        ph_strlcpy(out, store_col_text(st, 0), size);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_EUSAGE,
                     "no licensing criteria are in force on %s; run `penholder init`", date);
    }
    store_finalize(st);
    return rc;
}

static int fail_path(char *path, size_t size, const char *at, ph_err *err, int rc, const char *fmt,
                     ...) __attribute__((format(printf, 6, 7)));
static int fail_path(char *path, size_t size, const char *at, ph_err *err, int rc, const char *fmt,
                     ...) {
    if (path && size) ph_strlcpy(path, at, size);
    char msg[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ph_fail(err, rc, "%s", msg);
}

/* Ratings as the control list writes them; unknown ones are errors. */
static int check_ratings(store *db, review_list *l, const char *at, char *path, size_t size,
                         ph_err *err) {
    for (size_t i = 0; i < l->n; i++) {
        char key[CONTROL_RATING_MAX], item_at[128];
        control_rating_key(l->items[i], key, sizeof key);
        store_stmt *st;
        if (store_prepare(db, "SELECT rating FROM control_entry WHERE rating_key = ?", &st, err))
            return err->rc;
        store_bind_text(st, 1, key);
        int rc = store_step(st, err);
        if (rc == STORE_ROW) {
            free(l->items[i]);
            l->items[i] = ph_strdup(store_col_text(st, 0));
            rc = PH_OK;
        }
        store_finalize(st);
        snprintf(item_at, sizeof item_at, "%s[%zu]", at, i);
        if (rc == STORE_DONE)
            return fail_path(path, size, item_at, err, PH_EUSAGE,
                             "'%s' is not a rating of the control list", l->items[i]);
        if (rc) return rc;
    }
    return PH_OK;
}

/* Everything review_def_from_json cannot know without the database. */
static int check_against_record(store *db, review_def *d, const char *today, int64_t *evidence_ids,
                                char *path, size_t size, ph_err *err) {
    for (size_t i = 0; i < d->scope.destinations.n; i++) {
        char code[REFDATA_CODE_MAX], at[64];
        snprintf(at, sizeof at, "scope.destinations[%zu]", i);
        ph_err e2 = {0};
        int rc = refdata_resolve_destination(db, d->scope.destinations.items[i], code, &e2);
        if (rc == PH_ENOTFOUND)
            return fail_path(path, size, at, err, PH_EUSAGE,
                             "'%s' is not a destination penholder knows",
                             d->scope.destinations.items[i]);
        if (rc) return ph_fail(err, rc, "%s", e2.msg);
        free(d->scope.destinations.items[i]);
        d->scope.destinations.items[i] = ph_strdup(code);
    }
    /* Resolving may have made two names the same code. */
    for (size_t i = 1; i < d->scope.destinations.n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(d->scope.destinations.items[i], d->scope.destinations.items[k]) == 0) {
                char at[64];
                snprintf(at, sizeof at, "scope.destinations[%zu]", i);
                return fail_path(path, size, at, err, PH_EUSAGE, "%s is already in the scope",
                                 d->scope.destinations.items[i]);
            }
    char version[64];
    const char *date = d->as_of[0] ? d->as_of : today;
    int rc = criteria_version_on(db, date, version, sizeof version, err);
    if (rc) return rc;
    for (size_t i = 0; i < d->criteria.n; i++) {
        int64_t one;
        char at[64];
        snprintf(at, sizeof at, "criteria[%zu]", i);
        rc = store_one_int(db, &one, err, "SELECT 1 FROM criterion WHERE version = ? AND id = ?",
                           "tt", version, d->criteria.items[i]);
        if (rc == PH_ENOTFOUND)
            return fail_path(path, size, at, err, PH_EUSAGE,
                             "'%s' is not a criterion of %s (in force on %s)", d->criteria.items[i],
                             version, date);
        if (rc) return rc;
    }
    for (size_t i = 0; i < d->evidence.n; i++) {
        char at[64];
        snprintf(at, sizeof at, "evidence[%zu]", i);
        int64_t id;
        assess_evidence_parse_ref(d->evidence.items[i], &id);
        store_stmt *st;
        if (store_prepare(db, "SELECT destination FROM evidence WHERE id = ?", &st, err))
            return err->rc;
        store_bind_int(st, 1, id);
        int step = store_step(st, err);
        char dest[REFDATA_CODE_MAX] = "";
        if (step == STORE_ROW) ph_strlcpy(dest, store_col_text(st, 0), sizeof dest);
        store_finalize(st);
        if (step == STORE_DONE)
            return fail_path(path, size, at, err, PH_EUSAGE, "%s: no such evidence",
                             d->evidence.items[i]);
        if (step != STORE_ROW) return step;
        int in_scope = 0;
        for (size_t k = 0; k < d->scope.destinations.n; k++)
            in_scope |= strcmp(d->scope.destinations.items[k], dest) == 0;
        if (!in_scope)
            return fail_path(path, size, at, err, PH_EUSAGE,
                             "%s is evidence about %s, which is not in scope.destinations",
                             d->evidence.items[i], dest);
        evidence_ids[i] = id;
    }
    if ((rc = check_ratings(db, &d->scope.ratings, "scope.ratings", path, size, err))) return rc;
    for (size_t i = 0; i < d->nexceptions; i++) {
        char at[64];
        snprintf(at, sizeof at, "exceptions[%zu].select.ratings", i);
        if ((rc = check_ratings(db, &d->exceptions[i].select.ratings, at, path, size, err)))
            return rc;
    }
    if (d->scope.capabilities.n) {
        assess_context *ctx;
        if ((rc = assess_context_builtin(&ctx, err))) return rc;
        for (size_t i = 0; i < d->scope.capabilities.n && !rc; i++) {
            int known = 0;
            for (size_t k = 0; k < assess_capability_count(ctx); k++)
                known |=
                    strcmp(assess_capability_name(ctx, k), d->scope.capabilities.items[i]) == 0;
            if (!known) {
                char at[64];
                snprintf(at, sizeof at, "scope.capabilities[%zu]", i);
                rc = fail_path(path, size, at, err, PH_EUSAGE,
                               "unknown capability '%s' (the names are those of %s)",
                               d->scope.capabilities.items[i], ASSESS_CAPABILITIES_FILE);
            }
        }
        assess_context_free(ctx);
    }
    return rc;
}

int review_create_json(store *db, const review_actor *who, const json_t *doc, int64_t *id,
                       char *path, size_t path_size, ph_err *err) {
    *id = 0;
    if (path && path_size) path[0] = '\0';
    int rc = need_actor(who, err);
    if (rc) return rc;
    if (!is_role(who, "case_officer") && !is_role(who, "decision_maker"))
        return ph_fail(err, PH_EFORBIDDEN,
                       "only a case officer or a decision maker may create a review (%s is %s)",
                       who->name, who->role ? who->role : "no account");
    review_def d;
    if ((rc = review_def_from_json(doc, &d, path, path_size, err))) return rc;
    char when[AUDIT_TIME_LEN], today[11];
    int64_t *evidence = ph_calloc(d.evidence.n ? d.evidence.n : 1, sizeof *evidence);
    rc = review_now(when, today, err);
    if (!rc) rc = check_against_record(db, &d, today, evidence, path, path_size, err);
    char *definition = NULL, *criteria = NULL;
    if (!rc) {
        json_t *j = review_def_json(&d);
        definition = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        ph_buf b;
        ph_buf_init(&b);
        for (size_t i = 0; i < d.criteria.n; i++)
            ph_buf_printf(&b, "%s%s", i ? ", " : "", d.criteria.items[i]);
        criteria = ph_buf_steal(&b);
    }
    char sha[PH_SHA256_HEX];
    if (!rc) {
        ph_sha256_hex(definition, strlen(definition), sha);
        rc = store_begin(db, err);
        if (!rc) {
            rc = store_run(db, err,
                           "INSERT INTO review(kind, title, reason, criteria, definition, "
                           "definition_sha256, status, "
                           "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
                           "tttttttt", review_kind_name(d.kind), d.title, d.reason, criteria,
                           definition, sha, who->name, when);
            if (!rc) *id = store_last_id(db);
            for (size_t i = 0; i < d.evidence.n && !rc; i++)
                rc = store_run(db, err,
                               "INSERT INTO review_evidence(review_id, evidence_id) VALUES (?, ?) "
                               "ON CONFLICT DO NOTHING",
                               "ii", *id, evidence[i]);
            if (!rc) rc = audit_review(db, who->name, "review.create", *id, when, err);
            if (!rc)
                rc = store_commit(db, err);
            else
                store_rollback(db);
        }
    }
    if (rc) *id = 0;
    free(definition);
    free(criteria);
    free(evidence);
    review_def_free(&d);
    return rc;
}

int review_create(store *db, const review_actor *who, const char *name, const char *text,
                  size_t len, int64_t *id, ph_err *err) {
    *id = 0;
    if (len > REVIEW_MAX_FILE)
        return ph_fail(err, PH_EUSAGE, "%s: larger than %u bytes", name, REVIEW_MAX_FILE);
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) return ph_fail(err, PH_EUSAGE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    char path[160];
    int rc = review_create_json(db, who, j, id, path, sizeof path, err);
    json_decref(j);
    if (rc && err->rc == PH_EUSAGE) {
        char msg[PH_ERR_MAX];
        ph_strlcpy(msg, err->msg, sizeof msg);
        if (path[0])
            ph_fail(err, rc, "%s: %s: %s", name, path, msg);
        else
            ph_fail(err, rc, "%s: %s", name, msg);
    }
    return rc;
}

/* ---- run ---- */

typedef struct run_writer {
    review_engine *engine;
    store_batch *batch;
    int64_t run_id;
    int64_t position;
    crypto_hash_sha256_state sha;
    ph_buf canon, criteria, rules, reason, ratings, capabilities, goods;
} run_writer;

void review_result_canon(ph_buf *out, const char *const *fields, size_t n) {
    ph_buf_reset(out);
    for (size_t i = 0; i < n; i++)
        audit_canon_text(out, fields[i]);
}

static int write_result(void *arg, const review_outcome *o, ph_err *err) {
    run_writer *w = arg;
    const review_licence *l = o->licence;
    ph_buf_reset(&w->criteria);
    ph_buf_reset(&w->rules);
    ph_buf_reset(&w->reason);
    ph_buf_reset(&w->ratings);
    ph_buf_reset(&w->capabilities);
    ph_buf_reset(&w->goods);
    review_outcome_criteria(w->engine, o, &w->criteria);
    review_outcome_rules(w->engine, o, &w->rules);
    review_outcome_reason(w->engine, o, &w->reason);
    review_outcome_ratings(o, &w->ratings);
    review_outcome_capabilities(w->engine, o, &w->capabilities);
    review_outcome_goods(o, &w->goods);
    char position[24], exception[16], value[24];
    snprintf(position, sizeof position, "%lld", (long long)++w->position);
    snprintf(exception, sizeof exception, "%d", o->exception + 1);
    snprintf(value, sizeof value, "%lld", (long long)o->value_pence);
#define S(b) ((b).data ? (b).data : "")
    const char *fields[REVIEW_RESULT_FIELDS] = {position,
                                                l->licence.reference,
                                                l->status ? l->status : "",
                                                review_action_name(o->action),
                                                review_action_name(o->proposed),
                                                S(w->criteria),
                                                S(w->rules),
                                                S(w->reason),
                                                o->exception >= 0 ? exception : NULL,
                                                l->licence.end_user,
                                                l->licence.end_user_type,
                                                S(w->ratings),
                                                S(w->capabilities),
                                                S(w->goods),
                                                value};
#undef S
    review_result_canon(&w->canon, fields, REVIEW_RESULT_FIELDS);
    crypto_hash_sha256_update(&w->sha, (const unsigned char *)w->canon.data, w->canon.len);
    store_batch_int(w->batch, w->run_id);
    store_batch_int(w->batch, w->position);
    store_batch_int(w->batch, l->id);
    for (int i = 1; i < REVIEW_RESULT_FIELDS; i++) {
        if (i == 8) {
            if (o->exception >= 0)
                store_batch_int(w->batch, o->exception + 1);
            else
                store_batch_null(w->batch);
        } else if (i == REVIEW_RESULT_FIELDS - 1) {
            store_batch_int(w->batch, o->value_pence);
        } else {
            store_batch_text(w->batch, fields[i]);
        }
    }
    return store_batch_row(w->batch, err);
}

int review_run(store *db, const review_actor *who, int64_t id, review_run_info *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    int rc = need_actor(who, err);
    if (rc) return rc;
    review_row row;
    if ((rc = review_row_load(db, id, &row, err))) return rc;
    if (!ph_streq(row.status, "draft") && !ph_streq(row.status, "assessed")) {
        rc = ph_fail(
            err, PH_ECONFLICT,
            "review %s is %s: its approved run %d is what it applies, and it is not run again "
            "(create a new review for new facts)",
            row.ref, row.status, row.approved_run);
        review_row_free(&row);
        return rc;
    }
    review_def d;
    if ((rc = review_row_def(&row, &d, err))) {
        review_row_free(&row);
        return rc;
    }
    char when[AUDIT_TIME_LEN], today[11];
    assess_context *ctx = NULL;
    policy *p = NULL;
    assess_evidence_snapshot *snap = NULL;
    review_licence_set *set = NULL;
    review_engine *engine = NULL;
    rc = review_now(when, today, err);
    const char *as_of = d.as_of[0] ? d.as_of : today;
    ph_strlcpy(out->as_of, as_of, sizeof out->as_of);
    if (!rc) rc = assess_context_load(db, as_of, &ctx, err);
    if (!rc) rc = assess_policy_in_force(db, ctx, as_of, &p, err);
    if (!rc) rc = review_engine_new(&d, ctx, p, &engine, err);
    int begun = 0;
    run_writer w = {.engine = engine};
    ph_buf_init(&w.canon);
    ph_buf_init(&w.criteria);
    ph_buf_init(&w.rules);
    ph_buf_init(&w.reason);
    ph_buf_init(&w.ratings);
    ph_buf_init(&w.capabilities);
    ph_buf_init(&w.goods);
    crypto_hash_sha256_init(&w.sha);
    if (!rc) rc = store_begin(db, err);
    if (!rc) begun = 1;
    /* Inside the transaction: the state (an approval may have come in the
     * meantime), the run's number, and the evidence and licences as they are. */
    int64_t number = 0, still_open = 0;
    if (!rc)
        rc = store_one_int(
            db, &still_open, err,
            "SELECT count(*) FROM review WHERE id = ? AND status IN ('draft', 'assessed')", "i",
            id);
    if (!rc && !still_open)
        rc = ph_fail(err, PH_ECONFLICT, "review %s was approved while it was being run", row.ref);
    if (!rc)
        rc = store_one_int(
            db, &number, err,
            "SELECT coalesce(max(number), 0) + 1 FROM review_run WHERE review_id = ?", "i", id);
    if (!rc) rc = assess_evidence_snapshot_load(db, as_of, &snap, err);
    if (!rc) rc = review_licences_load(db, &d, &set, err);
    if (!rc)
        rc = store_run(db, err,
                       "INSERT INTO review_run(review_id, number, as_of, policy_id, "
                       "policy_version, policy_sha256, "
                       "capabilities_sha256, evidence_sha256, evidence_in_force, "
                       "licences_considered, licences, "
                       "summary, results_sha256, run_by, run_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, '', '', 0, 0, '{}', '', ?, ?)",
                       "iittttttt", id, number, as_of, policy_id(p), policy_version(p),
                       policy_sha256(p), assess_capabilities_sha256(ctx), who->name, when);
    if (!rc) {
        w.run_id = store_last_id(db);
        rc = store_batch_open(
            db,
            "INSERT INTO review_result(run_id, position, licence_id, reference, status, action, "
            "proposed, criteria, rules, reason, exception, end_user, end_user_type, ratings, "
            "capabilities, goods, value_pence)",
            17, NULL, 64, NULL, NULL, &w.batch, err);
    }
    if (!rc) rc = review_evaluate(engine, snap, set->v, set->n, write_result, &w, err);
    if (!rc) rc = store_batch_flush(w.batch, err);
    store_batch_close(w.batch);
    if (!rc) {
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[PH_SHA256_HEX];
        crypto_hash_sha256_final(&w.sha, digest);
        ph_hex(digest, sizeof digest, hex);
        const review_summary *s = review_engine_summary(engine);
        json_t *sj = review_summary_json(s, d.kind);
        char *summary = json_dumps(sj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(sj);
        rc = store_run(db, err,
                       "UPDATE review_run SET evidence_sha256 = ?, evidence_in_force = ?, "
                       "licences_considered = ?, "
                       "licences = ?, summary = ?, results_sha256 = ? WHERE id = ?",
                       "ttiitti", s->evidence_sha256, s->evidence_in_force, s->considered,
                       s->in_scope, summary, hex, w.run_id);
        free(summary);
        out->number = (int)number;
        out->licences = s->in_scope;
    }
    if (!rc) rc = store_run(db, err, "UPDATE review SET status = 'assessed' WHERE id = ?", "i", id);
    if (!rc) rc = audit_review(db, who->name, "review.run", id, when, err);
    if (begun) {
        if (!rc)
            rc = store_commit(db, err);
        else
            store_rollback(db);
    }
    ph_buf_free(&w.canon);
    ph_buf_free(&w.criteria);
    ph_buf_free(&w.rules);
    ph_buf_free(&w.reason);
    ph_buf_free(&w.ratings);
    ph_buf_free(&w.capabilities);
    ph_buf_free(&w.goods);
    review_engine_free(engine);
    review_licences_free(set);
    assess_evidence_snapshot_free(snap);
    policy_free(p);
    assess_context_free(ctx);
    review_def_free(&d);
    review_row_free(&row);
    return rc;
}

/* ---- approve ---- */

int review_approve(store *db, const review_actor *who, int64_t id, int run, const char *note,
                   ph_err *err) {
    int rc = need_actor(who, err);
    if (rc) return rc;
    if (note && strlen(note) > REVIEW_MAX_TEXT)
        return ph_fail(err, PH_EUSAGE, "the note is longer than %d bytes", REVIEW_MAX_TEXT);
    char when[AUDIT_TIME_LEN];
    if ((rc = review_now(when, NULL, err)) || (rc = store_begin(db, err))) return rc;
    /* Checked inside the transaction, so that two approvals cannot both pass. */
    review_row row;
    if ((rc = review_row_load(db, id, &row, err))) {
        store_rollback(db);
        return rc;
    }
    if (!is_role(who, "decision_maker"))
        rc = ph_fail(err, PH_EFORBIDDEN, "only a decision maker may approve a review (%s is %s)",
                     who->name, who->role ? who->role : "no account");
    else if (ph_streq(who->name, row.created_by))
        rc = ph_fail(err, PH_EFORBIDDEN,
                     "%s created review %s: another decision maker must approve it", who->name,
                     row.ref);
    else if (ph_streq(row.status, "draft"))
        rc = ph_fail(err, PH_ECONFLICT,
                     "review %s has not been run: run it and read the results before approving",
                     row.ref);
    else if (!ph_streq(row.status, "assessed"))
        rc = ph_fail(err, PH_ECONFLICT, "review %s is already approved (run %d, by %s on %s)",
                     row.ref, row.approved_run, row.approved_by ? row.approved_by : "?",
                     row.approved_at ? row.approved_at : "?");
    else if (run && run != row.latest_run)
        rc = ph_fail(err, PH_ECONFLICT,
                     "run %d of review %s is not its newest (run %d): read the newest first", run,
                     row.ref, row.latest_run);
    if (!rc)
        rc = store_run(db, err,
                       "UPDATE review SET status = 'approved', approved_run = ?, approved_by = ?, "
                       "approved_at = ?, approval_note = ? WHERE id = ?",
                       "ittti", (int64_t)row.latest_run, who->name, when,
                       note && *note ? note : NULL, id);
    if (!rc) rc = audit_review(db, who->name, "review.approve", id, when, err);
    if (!rc)
        rc = store_commit(db, err);
    else
        store_rollback(db);
    review_row_free(&row);
    return rc;
}

/* ---- apply ---- */

/* A reason no longer than the licence workflow keeps, cut at a character
 * boundary. */
static void cap_reason(ph_buf *b) {
    if (b->len <= REVIEW_MAX_TEXT) return;
    size_t cut = REVIEW_MAX_TEXT - 4;
    while (cut && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
        cut--;
    b->len = cut;
    b->data[cut] = '\0';
    ph_buf_puts(b, "\xe2\x80\xa6"); /* an ellipsis */
}

typedef struct pending {
    int64_t licence_id;
    char *reference, *status, *action, *criteria, *reason;
    int64_t position;
} pending;

static void pending_free(pending *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].reference);
        free(v[i].status);
        free(v[i].action);
        free(v[i].criteria);
        free(v[i].reason);
    }
    free(v);
}

static int next_batch(store *db, int64_t review, int64_t run_id, int64_t after, int limit,
                      pending **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT r.licence_id, r.reference, r.status, r.action, r.criteria, r.reason, "
            "r.position "
            "FROM review_result r WHERE r.run_id = ? AND r.position > ? "
            "AND r.action IN ('suspend', 'reinstate') AND NOT EXISTS (SELECT 1 FROM review_action "
            "a "
            "WHERE a.review_id = ? AND a.licence_id = r.licence_id) ORDER BY r.position LIMIT ?",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, run_id);
    store_bind_int(st, 2, after);
    store_bind_int(st, 3, review);
    store_bind_int(st, 4, limit);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        pending *p = &(*out)[(*n)++];
        p->licence_id = store_col_int(st, 0);
        p->reference = dup_col(st, 1);
        p->status = dup_col(st, 2);
        p->action = dup_col(st, 3);
        p->criteria = dup_col(st, 4);
        p->reason = dup_col(st, 5);
        p->position = store_col_int(st, 6);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        pending_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

int review_notify_customs(store *db, const char *reference, const char *event, int64_t review,
                          const char *criteria, const char *reason, const char *when, ph_err *err) {
    return store_run(
        db, err,
        "INSERT INTO customs_notification(licence_reference, event, review_id, criteria, reason, "
        "effective_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
        "ttitttt", reference, event, review, criteria, reason, when, when);
}

/* Changes one licence as the review found, or records why not. */
static int apply_one(store *db, const review_actor *who, const review_row *row, const pending *p,
                     const char *when, review_apply_report *out, ph_err *err) {
    char current[32] = "";
    store_stmt *st;
    if (store_prepare_cached(db, "SELECT status FROM licence WHERE id = ?", &st, err))
        return err->rc;
    store_bind_int(st, 1, p->licence_id);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) ph_strlcpy(current, store_col_text(st, 0), sizeof current);
    store_finalize(st);
    if (rc != STORE_ROW && rc != STORE_DONE) return rc;
    if (!ph_streq(current, p->status)) {
        char note[256];
        snprintf(note, sizeof note,
                 "left as it is: the licence is %s now, and was %s when the review ran",
                 current[0] ? current : "gone", p->status);
        out->skipped++;
        return run_kept(db, err,
                        "INSERT INTO review_action(review_id, licence_id, event, outcome, note, "
                        "audit_seq, actor, "
                        "done_at) VALUES (?, ?, ?, 'skipped', ?, NULL, ?, ?)",
                        "iitttt", row->id, p->licence_id, p->action, note, who->name, when);
    }
    ph_buf reason;
    ph_buf_init(&reason);
    ph_buf_printf(&reason, "Review %s (%s), run %d approved by %s: %s", row->ref, row->title,
                  row->approved_run, row->approved_by ? row->approved_by : "?", p->reason);
    cap_reason(&reason);
    register_status_change ch = {.reference = p->reference,
                                 .event = p->action,
                                 .reason = reason.data,
                                 .criteria = p->criteria[0] ? p->criteria : row->criteria,
                                 .actor = who->name,
                                 .role = who->role};
    register_status_result r;
    rc = register_licence_change_status(db, &ch, &r, err);
    if (rc) ph_err_prefix(err, "review %s, licence %s: ", row->ref, p->reference);
    if (!rc) {
        char note[400];
        snprintf(note, sizeof note, "%s -> %s (criteria %s)", r.from, r.to, r.criteria);
        rc = run_kept(db, err,
                      "INSERT INTO review_action(review_id, licence_id, event, outcome, note, "
                      "audit_seq, actor, "
                      "done_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?)",
                      "iittitt", row->id, p->licence_id, p->action, note, (int64_t)r.audit.seq,
                      who->name, when);
    }
    if (!rc)
        rc = review_notify_customs(db, p->reference, p->action, row->id, r.criteria, reason.data,
                                   when, err);
    if (!rc) {
        out->done++;
        out->notifications++;
    }
    ph_buf_free(&reason);
    return rc;
}

int review_apply(store *db, const review_actor *who, int64_t id, int batch,
                 void (*progress)(void *ctx, uint64_t done, uint64_t total), void *progress_ctx,
                 review_apply_report *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    int rc = need_actor(who, err);
    if (rc) return rc;
    if (batch <= 0) batch = REVIEW_APPLY_BATCH;
    if (batch > REVIEW_APPLY_BATCH_MAX) batch = REVIEW_APPLY_BATCH_MAX;
    review_row row;
    if ((rc = review_row_load(db, id, &row, err))) return rc;
    if (!is_role(who, "decision_maker"))
        rc = ph_fail(err, PH_EFORBIDDEN, "only a decision maker may apply a review (%s is %s)",
                     who->name, who->role ? who->role : "no account");
    else if (ph_streq(row.status, "draft") || ph_streq(row.status, "assessed"))
        rc = ph_fail(err, PH_ECONFLICT,
                     "review %s is not approved: a decision maker must approve it first", row.ref);
    if (rc || ph_streq(row.status, "applied")) {
        out->already_applied = !rc;
        review_row_free(&row);
        return rc;
    }
    int64_t run_id = 0, total = 0, done_before = 0;
    rc = review_run_id(db, id, row.approved_run, &run_id, err);
    if (!rc)
        rc = store_one_int(db, &total, err,
                           "SELECT count(*) FROM review_result WHERE run_id = ? AND action IN "
                           "('suspend', 'reinstate')",
                           "i", run_id);
    if (!rc)
        rc = store_one_int(db, &done_before, err,
                           "SELECT count(*) FROM review_action WHERE review_id = ?", "i", id);
    int64_t after = 0;
    int finished = 0;
    while (!rc && !finished) {
        char when[AUDIT_TIME_LEN];
        pending *v = NULL;
        size_t n = 0;
        if ((rc = review_now(when, NULL, err)) || (rc = store_begin(db, err))) break;
        int referrals_now = ph_streq(row.status, "approved") && out->batches == 0;
        if (referrals_now) {
            rc = store_run(
                db, err,
                "INSERT INTO review_referral(review_id, licence_id, criteria, reason, state, "
                "created_at) "
                "SELECT ?, licence_id, criteria, reason, 'open', ? FROM review_result "
                "WHERE run_id = ? AND action = 'refer' ORDER BY position ON CONFLICT DO NOTHING",
                "iti", id, when, run_id);
            if (!rc) out->referred = store_changes(db);
        }
        /* One row more than the batch tells whether this batch is the last. */
        if (!rc) rc = next_batch(db, id, run_id, after, batch + 1, &v, &n, err);
        finished = n <= (size_t)batch;
        size_t take = finished ? n : (size_t)batch;
        for (size_t i = 0; i < take && !rc; i++)
            rc = apply_one(db, who, &row, &v[i], when, out, err);
        if (!rc && take) after = v[take - 1].position;
        pending_free(v, n);
        if (!rc)
            rc = finished ? store_run(db, err,
                                      "UPDATE review SET status = 'applied', applied_by = ?, "
                                      "applied_at = ? WHERE id = ?",
                                      "tti", who->name, when, id)
                          : store_run(db, err, "UPDATE review SET status = 'applying' WHERE id = ?",
                                      "i", id);
        if (!rc)
            rc = audit_review(db, who->name, finished ? "review.apply" : "review.apply_batch", id,
                              when, err);
        if (!rc)
            rc = store_commit(db, err);
        else
            store_rollback(db);
        if (!rc) {
            out->batches++;
            if (progress)
                progress(progress_ctx, (uint64_t)(done_before + out->done + out->skipped),
                         (uint64_t)total);
        }
    }
    review_row_free(&row);
    return rc;
}

/* ---- the work queue ---- */

int review_resolve(store *db, const review_actor *who, int64_t id, const char *reference,
                   const char *decision, const char *reason, ph_err *err) {
    int rc = need_actor(who, err);
    if (rc) return rc;
    review_row row;
    if ((rc = review_row_load(db, id, &row, err))) return rc;
    int64_t referral = 0;
    char state[16] = "", *criteria = NULL;
    if (!is_role(who, "decision_maker"))
        rc = ph_fail(err, PH_EFORBIDDEN, "only a decision maker may resolve a referral (%s is %s)",
                     who->name, who->role ? who->role : "no account");
    else if (!decision || (!ph_streq(decision, "continue") && !ph_streq(decision, "suspend") &&
                           !ph_streq(decision, "reinstate")))
        rc = ph_fail(err, PH_EUSAGE, "the decision must be continue, suspend or reinstate");
    else if (!reason || !*reason)
        rc = ph_fail(err, PH_EUSAGE, "a reason is required to resolve a referral");
    else if (strlen(reason) > REVIEW_MAX_TEXT)
        rc = ph_fail(err, PH_EUSAGE, "the reason is longer than %d bytes", REVIEW_MAX_TEXT);
    if (!rc) {
        store_stmt *st;
        if (store_prepare(
                db,
                "SELECT r.id, r.state, r.criteria FROM review_referral r "
                "JOIN licence l ON l.id = r.licence_id WHERE r.review_id = ? AND l.reference = ?",
                &st, err) == PH_OK) {
            store_bind_int(st, 1, id);
            store_bind_text(st, 2, reference);
            int step = store_step(st, err);
            if (step == STORE_ROW) {
                referral = store_col_int(st, 0);
                ph_strlcpy(state, store_col_text(st, 1), sizeof state);
                criteria = dup_col(st, 2);
            } else if (step == STORE_DONE) {
                rc = ph_fail(err, PH_ENOTFOUND, "review %s referred no licence %s", row.ref,
                             reference);
            } else {
                rc = step;
            }
            store_finalize(st);
        } else {
            rc = err->rc;
        }
    }
    if (!rc && !ph_streq(state, "open"))
        rc = ph_fail(err, PH_ECONFLICT, "the referral of %s by review %s is already resolved",
                     reference, row.ref);
    char when[AUDIT_TIME_LEN];
    if (!rc) rc = review_now(when, NULL, err);
    if (!rc && !(rc = store_begin(db, err))) {
        /* Only an open referral is resolved, once: checked where it is changed. */
        rc = store_run(db, err,
                       "UPDATE review_referral SET state = 'resolved', decision = ?, "
                       "decision_reason = ?, resolved_by = ?, resolved_at = ? "
                       "WHERE id = ? AND state = 'open'",
                       "tttti", decision, reason, who->name, when, referral);
        if (!rc && store_changes(db) != 1)
            rc = ph_fail(err, PH_ECONFLICT, "the referral of %s by review %s is already resolved",
                         reference, row.ref);
        if (!rc && !ph_streq(decision, "continue")) {
            ph_buf text;
            ph_buf_init(&text);
            ph_buf_printf(&text, "Review %s (%s), referral resolved by %s: %s", row.ref, row.title,
                          who->name, reason);
            cap_reason(&text);
            register_status_change ch = {.reference = reference,
                                         .event = decision,
                                         .reason = text.data,
                                         .criteria =
                                             criteria && *criteria ? criteria : row.criteria,
                                         .actor = who->name,
                                         .role = who->role};
            register_status_result r;
            rc = register_licence_change_status(db, &ch, &r, err);
            if (!rc)
                rc = review_notify_customs(db, reference, decision, id, r.criteria, text.data, when,
                                           err);
            ph_buf_free(&text);
        }
        if (!rc) rc = audit_review(db, who->name, "review.resolve", id, when, err);
        if (!rc)
            rc = store_commit(db, err);
        else
            store_rollback(db);
    }
    free(criteria);
    review_row_free(&row);
    return rc;
}
