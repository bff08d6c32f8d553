/* review — reading the record back: reviews, runs with their results, the
 * work queue and the customs outbox, as JSON for the command line and the
 * HTTP API. */
#include <stdlib.h>
#include <string.h>

#include "review/review.h"
#include "review/review_internal.h"

static json_t *text_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

static int64_t pounds(int64_t pence) {
    return (pence + 50) / 100;
}

json_t *review_split_list(const char *s) {
    json_t *a = json_array();
    if (!s) return a;
    while (*s) {
        const char *end = strstr(s, ", ");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n) json_array_append_new(a, json_stringn(s, n));
        s += n + (end ? 2 : 0);
    }
    return a;
}

/* ---- results ---- */

int review_results_each(store *db, int64_t review, int64_t run_id, review_result_fn fn, void *ctx,
                        ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT r.position, r.reference, r.status, r.action, r.proposed, r.criteria, r.rules, "
            "r.reason, "
            "r.exception, r.end_user, r.end_user_type, r.ratings, r.capabilities, r.goods, "
            "r.value_pence, "
            "a.outcome, a.note, a.audit_seq, f.state, f.decision, f.decision_reason "
            "FROM review_result r "
            "LEFT JOIN review_action a ON a.review_id = ? AND a.licence_id = r.licence_id "
            "LEFT JOIN review_referral f ON f.review_id = ? AND f.licence_id = r.licence_id "
            "WHERE r.run_id = ? ORDER BY r.position",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, review);
    store_bind_int(st, 2, review);
    store_bind_int(st, 3, run_id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        review_result_row r;
        for (int i = 0; i < REVIEW_RESULT_FIELDS; i++)
            r.fields[i] = store_col_text(st, i);
        r.value_pence = store_col_int(st, RF_VALUE);
        r.exception =
            store_col_is_null(st, RF_EXCEPTION) ? 0 : (int)store_col_int(st, RF_EXCEPTION);
        r.applied = store_col_text(st, 15);
        r.applied_note = store_col_text(st, 16);
        r.audit_seq = store_col_is_null(st, 17) ? -1 : store_col_int(st, 17);
        r.referral = store_col_text(st, 18);
        r.decision = store_col_text(st, 19);
        r.decision_reason = store_col_text(st, 20);
        if ((rc = fn(ctx, &r, err))) break;
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

json_t *review_result_json(const review_result_row *r, const review_def *d) {
    json_t *j = json_object();
    json_object_set_new(j, "reference", json_string(r->fields[RF_REFERENCE]));
    json_object_set_new(j, "action", json_string(r->fields[RF_ACTION]));
    json_object_set_new(j, "criteria", review_split_list(r->fields[RF_CRITERIA]));
    json_object_set_new(j, "rules", review_split_list(r->fields[RF_RULES]));
    json_object_set_new(j, "reason", json_string(r->fields[RF_REASON]));
    if (r->exception) {
        json_object_set_new(j, "proposed", json_string(r->fields[RF_PROPOSED]));
        json_t *x = json_object();
        json_object_set_new(x, "number", json_integer(r->exception));
        if (d && (size_t)r->exception <= d->nexceptions) {
            json_object_set_new(x, "authority",
                                json_string(d->exceptions[r->exception - 1].authority));
            json_object_set_new(x, "reason", json_string(d->exceptions[r->exception - 1].reason));
        }
        json_object_set_new(j, "exception", x);
    }
    json_object_set_new(j, "status", json_string(r->fields[RF_STATUS]));
    json_object_set_new(j, "end_user", text_or_null(r->fields[RF_END_USER]));
    json_object_set_new(j, "end_user_type", text_or_null(r->fields[RF_END_USER_TYPE]));
    json_object_set_new(j, "ratings", review_split_list(r->fields[RF_RATINGS]));
    json_object_set_new(j, "capabilities", review_split_list(r->fields[RF_CAPABILITIES]));
    json_object_set_new(j, "goods", json_string(r->fields[RF_GOODS]));
    json_object_set_new(j, "value_gbp", json_integer(pounds(r->value_pence)));
    if (r->applied) {
        json_t *a = json_object();
        json_object_set_new(a, "outcome", json_string(r->applied));
        json_object_set_new(a, "note", text_or_null(r->applied_note));
        json_object_set_new(a, "audit_sequence",
                            r->audit_seq >= 0 ? json_integer(r->audit_seq) : json_null());
        json_object_set_new(j, "applied", a);
    }
    if (r->referral) {
        json_t *f = json_object();
        json_object_set_new(f, "state", json_string(r->referral));
        json_object_set_new(f, "decision", text_or_null(r->decision));
        json_object_set_new(f, "reason", text_or_null(r->decision_reason));
        json_object_set_new(j, "referral", f);
    }
    return j;
}

int review_run_header_json(store *db, int64_t review, int number, int64_t *run_id, json_t **out,
                           ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT id, number, as_of, policy_id, policy_version, policy_sha256, "
                      "capabilities_sha256, "
                      "evidence_sha256, evidence_in_force, licences_considered, licences, summary, "
                      "results_sha256, "
                      "run_by, run_at FROM review_run WHERE review_id = ? AND number = ?",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, review);
    store_bind_int(st, 2, number);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        *run_id = store_col_int(st, 0);
        json_t *j = json_object();
        json_object_set_new(j, "run", json_integer(store_col_int(st, 1)));
        json_object_set_new(j, "as_of", json_string(store_col_text(st, 2)));
        json_object_set_new(j, "policy",
                            json_pack("{s:s, s:s, s:s}", "id", store_col_text(st, 3), "version",
                                      store_col_text(st, 4), "sha256", store_col_text(st, 5)));
        json_object_set_new(j, "capabilities_sha256", json_string(store_col_text(st, 6)));
        json_object_set_new(j, "evidence_sha256", json_string(store_col_text(st, 7)));
        json_object_set_new(j, "evidence_in_force", review_split_list(store_col_text(st, 8)));
        json_object_set_new(j, "licences_considered", json_integer(store_col_int(st, 9)));
        json_object_set_new(j, "results_sha256", json_string(store_col_text(st, 12)));
        json_object_set_new(j, "run_by", json_string(store_col_text(st, 13)));
        json_object_set_new(j, "run_at", json_string(store_col_text(st, 14)));
        json_t *summary = json_loads(store_col_text(st, 11), 0, NULL);
        json_object_set_new(j, "summary", summary ? summary : json_object());
        *out = j;
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        char ref[REVIEW_REF_MAX];
        review_ref(review, ref);
        rc = number ? ph_fail(err, PH_ENOTFOUND, "review %s has no run %d", ref, number)
                    : ph_fail(err, PH_ENOTFOUND, "review %s has not been run", ref);
    }
    store_finalize(st);
    return rc;
}

typedef struct collect {
    json_t *licences;
    const review_def *d;
} collect;

static int collect_one(void *arg, const review_result_row *r, ph_err *err) {
    (void)err;
    collect *c = arg;
    json_array_append_new(c->licences, review_result_json(r, c->d));
    return PH_OK;
}

int review_run_json(store *db, int64_t id, int run, json_t **out, ph_err *err) {
    *out = NULL;
    review_row row;
    int rc = review_row_load(db, id, &row, err);
    if (rc) return rc;
    review_def d;
    memset(&d, 0, sizeof d);
    int number = run ? run : row.latest_run;
    json_t *head = NULL;
    int64_t run_id = 0;
    if (!number) rc = ph_fail(err, PH_ENOTFOUND, "review %s has not been run", row.ref);
    if (!rc) rc = review_row_def(&row, &d, err);
    if (!rc) rc = review_run_header_json(db, id, number, &run_id, &head, err);
    if (!rc) {
        json_t *j = json_object();
        json_object_set_new(j, "review", json_string(row.ref));
        json_object_set_new(j, "kind", json_string(review_kind_name(row.kind)));
        json_object_set_new(j, "title", json_string(row.title));
        json_object_set_new(j, "status", json_string(row.status));
        json_object_update(j, head);
        collect c = {json_array(), &d};
        rc = review_results_each(db, id, run_id, collect_one, &c, err);
        json_object_set_new(j, "licences", c.licences);
        if (rc)
            json_decref(j);
        else
            *out = j;
    }
    json_decref(head);
    review_def_free(&d);
    review_row_free(&row);
    return rc;
}

/* ---- reviews ---- */

int review_list_json(store *db, json_t **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT id, kind, title, status, criteria, created_by, created_at, "
                      "approved_by, approved_at, "
                      "applied_at, (SELECT count(*) FROM review_run WHERE review_id = review.id) "
                      "FROM review ORDER BY id DESC",
                      &st, err))
        return err->rc;
    json_t *a = json_array();
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        char ref[REVIEW_REF_MAX];
        review_ref(store_col_int(st, 0), ref);
        json_t *j = json_object();
        json_object_set_new(j, "id", json_string(ref));
        json_object_set_new(j, "kind", json_string(store_col_text(st, 1)));
        json_object_set_new(j, "title", json_string(store_col_text(st, 2)));
        json_object_set_new(j, "status", json_string(store_col_text(st, 3)));
        json_object_set_new(j, "criteria", review_split_list(store_col_text(st, 4)));
        json_object_set_new(j, "created_by", json_string(store_col_text(st, 5)));
        json_object_set_new(j, "created_at", json_string(store_col_text(st, 6)));
        json_object_set_new(j, "approved_by", text_or_null(store_col_text(st, 7)));
        json_object_set_new(j, "approved_at", text_or_null(store_col_text(st, 8)));
        json_object_set_new(j, "applied_at", text_or_null(store_col_text(st, 9)));
        json_object_set_new(j, "runs", json_integer(store_col_int(st, 10)));
        json_array_append_new(a, j);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PH_OK;
}

static int count(store *db, int64_t *n, ph_err *err, const char *sql, int64_t id) {
    return store_one_int(db, n, err, sql, "i", id);
}

int review_show_json(store *db, int64_t id, json_t **out, ph_err *err) {
    *out = NULL;
    review_row row;
    int rc = review_row_load(db, id, &row, err);
    if (rc) return rc;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(row.ref));
    json_object_set_new(j, "kind", json_string(review_kind_name(row.kind)));
    json_object_set_new(j, "title", json_string(row.title));
    json_object_set_new(j, "reason", json_string(row.reason));
    json_object_set_new(j, "criteria", review_split_list(row.criteria));
    json_object_set_new(j, "status", json_string(row.status));
    json_object_set_new(j, "created_by", json_string(row.created_by));
    json_object_set_new(j, "created_at", json_string(row.created_at));
    json_t *def = json_loads(row.definition, 0, NULL);
    json_object_set_new(j, "definition", def ? def : json_null());
    json_object_set_new(j, "definition_sha256", json_string(row.definition_sha256));
    json_t *runs = json_array();
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT number, as_of, policy_id, policy_version, licences, summary, run_by, run_at "
            "FROM review_run WHERE review_id = ? ORDER BY number",
            &st, err) == PH_OK) {
        store_bind_int(st, 1, id);
        while ((rc = store_step(st, err)) == STORE_ROW) {
            json_t *r = json_object();
            json_object_set_new(r, "run", json_integer(store_col_int(st, 0)));
            json_object_set_new(r, "as_of", json_string(store_col_text(st, 1)));
            json_object_set_new(r, "policy",
                                json_pack("{s:s, s:s}", "id", store_col_text(st, 2), "version",
                                          store_col_text(st, 3)));
            json_object_set_new(r, "licences", json_integer(store_col_int(st, 4)));
            json_t *summary = json_loads(store_col_text(st, 5), 0, NULL);
            json_t *counts = json_object();
            const char *key;
            json_t *v;
            json_object_foreach(summary, key, v) {
                if (json_is_integer(v) && review_action_parse(key) >= 0)
                    json_object_set(counts, key, v);
            }
            json_decref(summary);
            json_object_set_new(r, "actions", counts);
            json_object_set_new(r, "run_by", json_string(store_col_text(st, 6)));
            json_object_set_new(r, "run_at", json_string(store_col_text(st, 7)));
            json_array_append_new(runs, r);
        }
        store_finalize(st);
        rc = rc == STORE_DONE ? PH_OK : rc;
    } else {
        rc = err->rc;
    }
    json_object_set_new(j, "runs", runs);
    if (row.approved_run)
        json_object_set_new(j, "approval",
                            json_pack("{s:i, s:s, s:s, s:o}", "run", row.approved_run, "by",
                                      row.approved_by, "at", row.approved_at, "note",
                                      text_or_null(row.approval_note)));
    else
        json_object_set_new(j, "approval", json_null());
    int64_t done = 0, skipped = 0, open = 0, resolved = 0, notes = 0;
    if (!rc)
        rc = count(db, &done, err,
                   "SELECT count(*) FROM review_action WHERE review_id = ? AND outcome = 'done'",
                   id);
    if (!rc)
        rc = count(db, &skipped, err,
                   "SELECT count(*) FROM review_action WHERE review_id = ? AND outcome = 'skipped'",
                   id);
    if (!rc)
        rc = count(db, &open, err,
                   "SELECT count(*) FROM review_referral WHERE review_id = ? AND state = 'open'",
                   id);
    if (!rc)
        rc = count(
            db, &resolved, err,
            "SELECT count(*) FROM review_referral WHERE review_id = ? AND state = 'resolved'", id);
    if (!rc)
        rc = count(db, &notes, err, "SELECT count(*) FROM customs_notification WHERE review_id = ?",
                   id);
    json_t *app = json_object();
    json_object_set_new(app, "applied_by", text_or_null(row.applied_by));
    json_object_set_new(app, "applied_at", text_or_null(row.applied_at));
    json_object_set_new(app, row.kind == REVIEW_REINSTATEMENT ? "reinstated" : "suspended",
                        json_integer(done));
    json_object_set_new(app, "skipped", json_integer(skipped));
    json_object_set_new(app, "referrals_open", json_integer(open));
    json_object_set_new(app, "referrals_resolved", json_integer(resolved));
    json_object_set_new(app, "customs_notifications", json_integer(notes));
    json_object_set_new(j, "application", app);
    review_row_free(&row);
    if (rc) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return PH_OK;
}

/* ---- the work queue and the outbox ---- */

int review_queue_json(store *db, int64_t id, json_t **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT f.review_id, l.reference, l.status, l.end_user, f.criteria, "
                      "f.reason, f.created_at "
                      "FROM review_referral f JOIN licence l ON l.id = f.licence_id "
                      "WHERE f.state = 'open' AND (? = 0 OR f.review_id = ?) ORDER BY f.review_id, "
                      "l.reference",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, id);
    json_t *a = json_array();
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        char ref[REVIEW_REF_MAX];
        review_ref(store_col_int(st, 0), ref);
        json_t *j = json_object();
        json_object_set_new(j, "review", json_string(ref));
        json_object_set_new(j, "reference", json_string(store_col_text(st, 1)));
        json_object_set_new(j, "licence_status", json_string(store_col_text(st, 2)));
        json_object_set_new(j, "end_user", text_or_null(store_col_text(st, 3)));
        json_object_set_new(j, "criteria", review_split_list(store_col_text(st, 4)));
        json_object_set_new(j, "reason", json_string(store_col_text(st, 5)));
        json_object_set_new(j, "referred_at", json_string(store_col_text(st, 6)));
        json_array_append_new(a, j);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PH_OK;
}

int review_outbox_json(store *db, json_t **out, ph_err *err) {
    *out = NULL;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT id, licence_reference, event, review_id, criteria, effective_at, "
                      "state, sent_at "
                      "FROM customs_notification ORDER BY state = 'sent', id",
                      &st, err))
        return err->rc;
    json_t *a = json_array();
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(store_col_int(st, 0)));
        json_object_set_new(j, "licence", json_string(store_col_text(st, 1)));
        json_object_set_new(j, "event", json_string(store_col_text(st, 2)));
        if (store_col_is_null(st, 3)) {
            json_object_set_new(j, "review", json_null());
        } else {
            char ref[REVIEW_REF_MAX];
            review_ref(store_col_int(st, 3), ref);
            json_object_set_new(j, "review", json_string(ref));
        }
        json_object_set_new(j, "criteria", review_split_list(store_col_text(st, 4)));
        json_object_set_new(j, "effective_at", json_string(store_col_text(st, 5)));
        json_object_set_new(j, "state", json_string(store_col_text(st, 6)));
        json_object_set_new(j, "sent_at", text_or_null(store_col_text(st, 7)));
        json_array_append_new(a, j);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return PH_OK;
}
