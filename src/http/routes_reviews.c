/* Reviews of extant licences over HTTP: create, read, run (the dry run),
 * approve, apply, the report (JSON, CSV, HTML), the referral work queue and
 * the customs outbox. Handlers check the body and call the review engine,
 * which runs its own transactions with their audit entries (the writes are
 * HTTP_OWN_TX) and enforces who may do what beyond the route's roles: the
 * creator of a review never approves it.
 *
 * A review id appears in paths as RV-0001 (or 1). */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "review/review.h"

/* The HTML report links the GOV.UK stylesheet served from web/ and carries
 * its own styles; it runs no script. */
#define REPORT_CSP                                                                                 \
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src "        \
    "'self'; frame-ancestors 'none'"

static review_actor actor(http_ctx *ctx) {
    review_actor a = {ctx->user->name, auth_role_name(ctx->user->role)};
    return a;
}

/* The review of the path; 404 when the id is not one. */
static int path_id(http_ctx *ctx, int64_t *id) {
    if (review_parse_ref(http_param(ctx, "id"), id))
        return http_problem(ctx, 404, "not-found", "no review '%.40s'", http_param(ctx, "id"));
    return 0;
}

static int reply_review(http_ctx *ctx, int status, int64_t id) {
    json_t *j;
    ph_err err = {0};
    if (review_show_json(ctx->db, id, &j, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, status, j);
}

static int list_reviews(http_ctx *ctx) {
    static const char *const allowed[] = {NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    json_t *a;
    ph_err err = {0};
    if (review_list_json(ctx->db, &a, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, json_pack("{s:o}", "reviews", a));
}

static int create_review(http_ctx *ctx) {
    if (!ctx->body)
        return http_problem(ctx, 400, "no-body", "the request needs the review as a JSON body");
    review_actor a = actor(ctx);
    int64_t id;
    char path[160];
    ph_err err = {0};
    if (review_create_json(ctx->db, &a, ctx->body, &id, path, sizeof path, &err)) {
        if (err.rc == PH_EUSAGE) return http_problem_field(ctx, path, "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    char ref[REVIEW_REF_MAX], location[64];
    review_ref(id, ref);
    snprintf(location, sizeof location, "/api/v1/reviews/%s", ref);
    http_header(ctx, "Location", location);
    return reply_review(ctx, 201, id);
}

static int get_review(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    return reply_review(ctx, 200, id);
}

static int run_review(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    if (ctx->body && json_object_size(ctx->body))
        return http_problem(ctx, 422, "validation",
                            "a run takes no body: it assesses the review as it was created");
    review_actor a = actor(ctx);
    review_run_info info;
    json_t *j;
    ph_err err = {0};
    if (review_run(ctx->db, &a, id, &info, &err) ||
        review_run_json(ctx->db, id, info.number, &j, &err)) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    return http_reply_json(ctx, 201, j);
}

static int get_results(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    static const char *const allowed[] = {"run", NULL};
    long run;
    if ((rc = http_query_check(ctx, allowed)) ||
        (rc = http_query_int(ctx, "run", 0, 0, 1000000, &run)))
        return rc;
    json_t *j;
    ph_err err = {0};
    if (review_run_json(ctx->db, id, (int)run, &j, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, j);
}

static const http_field approve_fields[] = {
    {"run", HTTP_JSON_INTEGER, 0, 0, 0, 1, 1000000, NULL, 0, NULL},
    {"note", HTTP_JSON_STRING, 0, 0, REVIEW_MAX_TEXT, 0, 0, NULL, 0, NULL},
};
static const http_schema approve_schema = HTTP_SCHEMA(approve_fields);

static int approve_review(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    if (ctx->body && (rc = http_body_check(ctx, &approve_schema))) return rc;
    json_t *run = ctx->body ? json_object_get(ctx->body, "run") : NULL;
    json_t *note = ctx->body ? json_object_get(ctx->body, "note") : NULL;
    review_actor a = actor(ctx);
    ph_err err = {0};
    if (review_approve(ctx->db, &a, id, run ? (int)json_integer_value(run) : 0,
                       note ? json_string_value(note) : NULL, &err)) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    return reply_review(ctx, 200, id);
}

static const http_field apply_fields[] = {
    {"batch", HTTP_JSON_INTEGER, 0, 0, 0, 1, REVIEW_APPLY_BATCH_MAX, NULL, 0, NULL},
};
static const http_schema apply_schema = HTTP_SCHEMA(apply_fields);

static int apply_review(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    if (ctx->body && (rc = http_body_check(ctx, &apply_schema))) return rc;
    json_t *batch = ctx->body ? json_object_get(ctx->body, "batch") : NULL;
    review_actor a = actor(ctx);
    review_apply_report rep;
    ph_err err = {0};
    if (review_apply(ctx->db, &a, id, batch ? (int)json_integer_value(batch) : 0, NULL, NULL, &rep,
                     &err)) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    json_t *j;
    if (review_show_json(ctx->db, id, &j, &err)) return http_problem_from_err(ctx, &err);
    json_object_set_new(j, "applied_now",
                        json_pack("{s:b, s:I, s:I, s:I, s:I, s:i}", "already_applied",
                                  rep.already_applied, "changed", (json_int_t)rep.done, "skipped",
                                  (json_int_t)rep.skipped, "referred", (json_int_t)rep.referred,
                                  "customs_notifications", (json_int_t)rep.notifications, "batches",
                                  rep.batches));
    return http_reply_json(ctx, 200, j);
}

static int report_json(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    json_t *j;
    ph_err err = {0};
    if (review_report_json(ctx->db, id, &j, &err)) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    return http_reply_json(ctx, 200, j);
}

static int report_text(http_ctx *ctx, int html) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    ph_buf b;
    ph_buf_init(&b);
    ph_err err = {0};
    rc =
        html ? review_report_html(ctx->db, id, &b, &err) : review_report_csv(ctx->db, id, &b, &err);
    if (rc) {
        ph_buf_free(&b);
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    char ref[REVIEW_REF_MAX], disposition[80];
    review_ref(id, ref);
    if (html) {
        http_header(ctx, "Content-Security-Policy", REPORT_CSP);
    } else {
        snprintf(disposition, sizeof disposition, "attachment; filename=\"%s.csv\"", ref);
        http_header(ctx, "Content-Disposition", disposition);
    }
    rc = http_reply_text(ctx, 200, html ? "text/html; charset=utf-8" : "text/csv; charset=utf-8",
                         b.data ? b.data : "", b.len);
    ph_buf_free(&b);
    return rc;
}

static int report_html(http_ctx *ctx) {
    return report_text(ctx, 1);
}

static int report_csv(http_ctx *ctx) {
    return report_text(ctx, 0);
}

static int list_referrals(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    json_t *j;
    ph_err err = {0};
    if (review_show_json(ctx->db, id, &j, &err)) return http_problem_from_err(ctx, &err);
    json_decref(j);
    json_t *a;
    if (review_queue_json(ctx->db, id, &a, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, json_pack("{s:o}", "referrals", a));
}

static const char *const decisions[] = {"continue", "suspend", "reinstate", NULL};
static const http_field resolve_fields[] = {
    {"decision", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 16, 0, 0, decisions, 0, NULL},
    {"reason", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, REVIEW_MAX_TEXT, 0, 0, NULL, 0, NULL},
};
static const http_schema resolve_schema = HTTP_SCHEMA(resolve_fields);

static int resolve_referral(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    if ((rc = http_body_check(ctx, &resolve_schema))) return rc;
    /* The licence reference with dashes for slashes, as for applications;
     * a reference with dashes of its own (CAAT-000123) is tried as it is first. */
    const char *decision = json_string_value(json_object_get(ctx->body, "decision"));
    const char *reason = json_string_value(json_object_get(ctx->body, "reason"));
    char reference[80];
    ph_strlcpy(reference, http_param(ctx, "ref"), sizeof reference);
    review_actor a = actor(ctx);
    ph_err err = {0};
    rc = review_resolve(ctx->db, &a, id, reference, decision, reason, &err);
    if (rc == PH_ENOTFOUND && strchr(reference, '-')) {
        for (char *p = reference; *p; p++)
            if (*p == '-') *p = '/';
        ph_err_clear(&err);
        rc = review_resolve(ctx->db, &a, id, reference, decision, reason, &err);
    }
    if (rc) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    return reply_review(ctx, 200, id);
}

static int list_customs_notifications(http_ctx *ctx) {
    static const char *const allowed[] = {NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    json_t *a;
    ph_err err = {0};
    if (review_outbox_json(ctx->db, &a, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, json_pack("{s:o}", "notifications", a));
}

#define REVIEW_WRITERS (HTTP_ROLE(CASE_OFFICER) | HTTP_ROLE(DECISION_MAKER))
static const http_route review_routes[] = {
    {"GET", "/api/v1/reviews", list_reviews, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "List reviews of extant licences"},
    {"POST", "/api/v1/reviews", create_review, REVIEW_WRITERS, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Create a review (title, reason, criteria, evidence, scope, exceptions)"},
    {"GET", "/api/v1/reviews/{id}", get_review, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "Read a review: definition, runs, approval, application"},
    {"POST", "/api/v1/reviews/{id}/run", run_review, REVIEW_WRITERS, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Dry run: re-assess every licence in scope and keep the results as the newest run"},
    {"GET", "/api/v1/reviews/{id}/results", get_results, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "A run's results licence by licence, with the impact summary"},
    {"POST", "/api/v1/reviews/{id}/approve", approve_review, HTTP_ROLE(DECISION_MAKER),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Approve the newest run (a decision maker who did not create the review)"},
    {"POST", "/api/v1/reviews/{id}/apply", apply_review, HTTP_ROLE(DECISION_MAKER),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX, "Carry out the approved run through the licence workflow"},
    {"GET", "/api/v1/reviews/{id}/report", report_json, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "The review's report as JSON"},
    {"GET", "/api/v1/reviews/{id}/report.csv", report_csv, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "The review's report as CSV, one row per licence"},
    {"GET", "/api/v1/reviews/{id}/report.html", report_html, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "The review's report as an HTML page with a chart of the impact"},
    {"GET", "/api/v1/reviews/{id}/referrals", list_referrals, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "The review's open referrals (the work queue)"},
    {"POST", "/api/v1/reviews/{id}/referrals/{ref}/resolve", resolve_referral,
     HTTP_ROLE(DECISION_MAKER), HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Resolve a referral: continue, suspend or reinstate the licence"},
    {"GET", "/api/v1/customs-notifications", list_customs_notifications, HTTP_STAFF,
     HTTP_EXPORTERS_NO, 0, "Customs notifications of suspensions and reinstatements (the outbox)"},
};

int http_review_routes(http_router *r, ph_err *err) {
    return http_router_add(r, review_routes, sizeof review_routes / sizeof review_routes[0], err);
}
