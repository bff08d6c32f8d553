/* Applications over HTTP: create, read, list, change a draft, and every step
 * of the workflow. Handlers check the body, call the cases engine (which
 * runs its own transaction with its audit entry: the routes are
 * HTTP_OWN_TX), and reply with the view the caller may see.
 *
 * A reference such as GBSIEL/2026/0000123/P appears in paths with dashes
 * for slashes: /api/v1/applications/GBSIEL-2026-0000123-P. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "http_internal.h"

static const cases_services *services(http_ctx *ctx) {
    static const cases_services none = {0};
    return ctx->config->services ? ctx->config->services : &none;
}

static cases_actor actor(http_ctx *ctx) {
    const auth_user *u = ctx->user;
    cases_actor a = {u->name, auth_role_name(u->role), u->team[0] ? u->team : NULL,
                     u->organisation[0] ? u->organisation : NULL};
    return a;
}

/* The reference from the path: dashes back to slashes. */
static void path_reference(http_ctx *ctx, char out[CASES_REFERENCE_MAX]) {
    ph_strlcpy(out, http_param(ctx, "ref"), CASES_REFERENCE_MAX);
    for (char *p = out; *p; p++)
        if (*p == '-') *p = '/';
}

static void case_etag(const char *reference, int64_t version, char out[HTTP_ETAG_MAX]) {
    char text[CASES_REFERENCE_MAX + 32];
    int n = snprintf(text, sizeof text, "case:%s:%lld", reference, (long long)version);
    http_etag(text, (size_t)n, out);
}

/* If-Match, when given, must name the version the caller read; it is
 * turned into the engine's version check so that the check and the write
 * happen in one transaction. Returns 0, or the status replied. */
static int expected_version(http_ctx *ctx, const char *reference, int64_t *version) {
    *version = 0;
    const char *header = http_request_header(ctx, "If-Match");
    if (!header) return 0;
    cases_actor a = actor(ctx);
    json_t *view = NULL;
    int64_t current;
    ph_err err = {0};
    if (cases_get(ctx->db, &a, reference, &view, &current, &err))
        return http_problem_from_err(ctx, &err);
    json_decref(view);
    char etag[HTTP_ETAG_MAX];
    case_etag(reference, current, etag);
    int rc = http_if_match_check(ctx, etag, 0);
    if (rc) return rc;
    *version = current;
    return 0;
}

static int reply_case(http_ctx *ctx, int status, const char *reference) {
    cases_actor a = actor(ctx);
    char *view;
    size_t len;
    int64_t version;
    ph_err err = {0};
    if (cases_get_json(ctx->db, &a, reference, &view, &len, &version, &err))
        return http_problem_from_err(ctx, &err);
    char etag[HTTP_ETAG_MAX];
    case_etag(reference, version, etag);
    http_header(ctx, "ETag", etag);
    status = http_reply_text(ctx, status, "application/json", view, len);
    free(view);
    return status;
}

/* The start of every write to a case: the body checked against its schema
 * (NULL: none), the reference from the path, and If-Match turned into the
 * version the engine checks in its transaction. Returns 0 or the status
 * replied. */
static int case_write(http_ctx *ctx, const http_schema *schema, char reference[CASES_REFERENCE_MAX],
                      int64_t *version) {
    int rc = schema ? http_body_check(ctx, schema) : 0;
    if (rc) return rc;
    path_reference(ctx, reference);
    return expected_version(ctx, reference, version);
}

/* The end of a write: the engine's error as a problem, else the case as it
 * now is. */
static int case_written(http_ctx *ctx, int rc, ph_err *err, int status, const char *reference) {
    return rc ? http_problem_from_err(ctx, err) : reply_case(ctx, status, reference);
}

static int body_text(http_ctx *ctx, char **text) {
    *text = NULL;
    if (!ctx->body) return http_problem(ctx, 400, "no-body", "the request needs a JSON body");
    *text = json_dumps(ctx->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    return 0;
}

/* ---- handlers ---- */

static int create_application(http_ctx *ctx) {
    char *text;
    int rc = body_text(ctx, &text);
    if (rc) return rc;
    cases_actor a = actor(ctx);
    char reference[CASES_REFERENCE_MAX];
    ph_err err = {0};
    rc = cases_create(ctx->db, &a, text, strlen(text), reference, &err);
    free(text);
    if (rc) return http_problem_from_err(ctx, &err);
    char location[CASES_REFERENCE_MAX + 32];
    snprintf(location, sizeof location, "/api/v1/applications/%s", reference);
    for (char *p = location + strlen("/api/v1/applications/"); *p; p++)
        if (*p == '/') *p = '-';
    http_header(ctx, "Location", location);
    return reply_case(ctx, 201, reference);
}

static int get_application(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    path_reference(ctx, reference);
    return reply_case(ctx, 200, reference);
}

static int list_applications(http_ctx *ctx) {
    static const char *const allowed[] = {"status", "destination", "type", "limit", "offset", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    long limit, offset;
    if ((rc = http_query_int(ctx, "limit", 50, 1, 500, &limit)) ||
        (rc = http_query_int(ctx, "offset", 0, 0, 100000000, &offset)))
        return rc;
    cases_filter f = {http_query_get(&ctx->query, "status"),
                      http_query_get(&ctx->query, "destination"),
                      http_query_get(&ctx->query, "type"), limit, offset};
    cases_actor a = actor(ctx);
    json_t *out;
    ph_err err = {0};
    if (cases_list(ctx->db, &a, &f, &out, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, out);
}

static int update_application(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    path_reference(ctx, reference);
    if (!http_request_header(ctx, "If-Match"))
        return http_problem(
            ctx, 428, "if-match-required",
            "changing a draft needs If-Match with the ETag of the version you read");
    int64_t version;
    int rc = expected_version(ctx, reference, &version);
    if (rc) return rc;
    char *text;
    if ((rc = body_text(ctx, &text))) return rc;
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_update(ctx->db, &a, reference, version, text, strlen(text), &err);
    free(text);
    if (rc) return http_problem_from_err(ctx, &err);
    return reply_case(ctx, 200, reference);
}

static const char *str(http_ctx *ctx, const char *key) {
    json_t *v = ctx->body ? json_object_get(ctx->body, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "criteria": ["2c", "7"] -> "2c;7" in buf. */
static const char *criteria_text(http_ctx *ctx, char *buf, size_t size) {
    json_t *v = ctx->body ? json_object_get(ctx->body, "criteria") : NULL;
    if (!json_is_array(v)) return NULL;
    size_t n = 0, i;
    json_t *c;
    buf[0] = '\0';
    json_array_foreach(v, i, c) {
        if (json_is_string(c) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ";" : "", json_string_value(c));
    }
    return buf;
}

/* 409 for an event the case workflow does not allow now (or whose guard
 * does not hold): as for licences, the problem names the application's
 * status and, in "allowed_events", the events the caller's role may fire
 * from it (the list its view of the application carries). */
static int event_refused(http_ctx *ctx, const cases_actor *a, const char *reference,
                         const char *detail) {
    json_t *view = NULL;
    int64_t version;
    ph_err err = {0};
    const char *status = NULL;
    json_t *allowed = NULL;
    if (cases_get(ctx->db, a, reference, &view, &version, &err) == PH_OK) {
        status = json_string_value(json_object_get(view, "status"));
        allowed = json_object_get(view, "allowed_events");
        allowed = json_is_array(allowed) ? json_deep_copy(allowed) : NULL;
    }
    int rc = http_problem_transition(ctx, "not-allowed", detail, "case_status", status, allowed);
    json_decref(view);
    return rc;
}

static int fire(http_ctx *ctx, const char *event) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version;
    int rc = case_write(ctx, NULL, reference, &version);
    if (rc) return rc;
    char criteria[256];
    cases_event_params p = {str(ctx, "reason"), criteria_text(ctx, criteria, sizeof criteria),
                            str(ctx, "grounds"), str(ctx, "concerns_acknowledged")};
    cases_actor a = actor(ctx);
    ph_err err = {0};
    if (cases_fire(ctx->db, services(ctx), &a, reference, event, &p, version, &err)) {
        if (err.rc == PH_ECONFLICT) return event_refused(ctx, &a, reference, err.msg);
        return http_problem_from_err(ctx, &err);
    }
    return reply_case(ctx, 200, reference);
}

static const char *const case_events[] = {
    "submit",           "start_checks",   "send_to_technical", "complete_technical",
    "send_to_advisers", "consolidate",    "return_to_advice",  "appeal",
    "allow_appeal",     "dismiss_appeal", "withdraw",          NULL};
static const char *const decisions[] = {"issue", "refuse", "no_licence_required", NULL};

static const http_field event_fields[] = {
    {"event", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 32, 0, 0, case_events, 0, NULL},
    {"reason", HTTP_JSON_STRING, 0, 0, 4000, 0, 0, NULL, 0, NULL},
    {"grounds", HTTP_JSON_STRING, 0, 0, 10000, 0, 0, NULL, 0, NULL},
    {"criteria", HTTP_JSON_ARRAY, 0, 0, 16, 0, 0, NULL, HTTP_JSON_STRING, NULL},
};
static const http_schema event_schema = HTTP_SCHEMA(event_fields);

static int post_event(http_ctx *ctx) {
    int rc = http_body_check(ctx, &event_schema);
    if (rc) return rc;
    return fire(ctx, str(ctx, "event"));
}

static int post_submit(http_ctx *ctx) {
    if (ctx->body && json_object_size(ctx->body))
        return http_problem(ctx, 422, "validation", "submit takes no body");
    return fire(ctx, "submit");
}

static const http_field decision_fields[] = {
    {"decision", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 32, 0, 0, decisions, 0, NULL},
    {"reason", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 4000, 0, 0, NULL, 0, NULL},
    {"criteria", HTTP_JSON_ARRAY, 0, 0, 16, 0, 0, NULL, HTTP_JSON_STRING, NULL},
    {"concerns_acknowledged", HTTP_JSON_STRING, 0, 0, 1000, 0, 0, NULL, 0, NULL},
};
static const http_schema decision_schema = HTTP_SCHEMA(decision_fields);

static int post_decision(http_ctx *ctx) {
    int rc = http_body_check(ctx, &decision_schema);
    if (rc) return rc;
    return fire(ctx, str(ctx, "decision"));
}

static const char *const dispositions[] = {"true_match", "false_positive", NULL};
static const http_field disposition_fields[] = {
    {"disposition", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 32, 0, 0, dispositions, 0, NULL},
    {"reason", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 4000, 0, 0, NULL, 0, NULL},
};
static const http_schema disposition_schema = HTTP_SCHEMA(disposition_fields);

static int post_disposition(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, hit;
    int rc = case_write(ctx, &disposition_schema, reference, &version);
    if (rc) return rc;
    if (ph_parse_i64(http_param(ctx, "hit"), &hit) || hit <= 0)
        return http_problem(ctx, 404, "not-found", "no screening hit '%s'", http_param(ctx, "hit"));
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_dispose(ctx->db, services(ctx), &a, reference, version, hit, str(ctx, "disposition"),
                       str(ctx, "reason"), &err);
    return case_written(ctx, rc, &err, 200, reference);
}

static const http_field rating_fields[] = {
    {"rating", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 63, 0, 0, NULL, 0, NULL},
    {"report_summary", HTTP_JSON_STRING, 0, 0, 500, 0, 0, NULL, 0, NULL},
};
static const http_schema rating_schema = HTTP_SCHEMA(rating_fields);

static int post_rating(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, line;
    int rc = case_write(ctx, &rating_schema, reference, &version);
    if (rc) return rc;
    if (ph_parse_i64(http_param(ctx, "line"), &line) || line <= 0 || line > 100000)
        return http_problem(ctx, 404, "not-found", "no goods line '%s'", http_param(ctx, "line"));
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_rate(ctx->db, &a, reference, version, (int)line, str(ctx, "rating"),
                    str(ctx, "report_summary"), &err);
    return case_written(ctx, rc, &err, 200, reference);
}

static const char *const advice_kinds[] = {
    "approve", "approve_with_provisos", "refuse", "no_licence_required", "conflicting", NULL};
static const http_field advice_fields[] = {
    {"advice", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 32, 0, 0, advice_kinds, 0, NULL},
    {"text", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 65536, 0, 0, NULL, 0, NULL},
    {"provisos", HTTP_JSON_STRING, 0, 0, 10000, 0, 0, NULL, 0, NULL},
    {"criteria", HTTP_JSON_ARRAY, 0, 0, 16, 0, 0, NULL, HTTP_JSON_STRING, NULL},
    {"change_reason", HTTP_JSON_STRING, 0, 0, 4000, 0, 0, NULL, 0, NULL},
};
static const http_schema advice_schema = HTTP_SCHEMA(advice_fields);

static int post_advice(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, id;
    int rc = case_write(ctx, &advice_schema, reference, &version);
    if (rc) return rc;
    char criteria[256];
    cases_advice_input in = {str(ctx, "advice"), str(ctx, "text"), str(ctx, "provisos"),
                             criteria_text(ctx, criteria, sizeof criteria),
                             str(ctx, "change_reason")};
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_advise(ctx->db, &a, reference, version, &in, &id, &err);
    return case_written(ctx, rc, &err, 201, reference);
}

static const http_field countersign_fields[] = {
    {"advice", HTTP_JSON_INTEGER, HTTP_FIELD_REQUIRED, 0, 0, 1, INT64_MAX, NULL, 0, NULL},
    {"accepted", HTTP_JSON_BOOLEAN, HTTP_FIELD_REQUIRED, 0, 0, 0, 0, NULL, 0, NULL},
    {"reasons", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 4000, 0, 0, NULL, 0, NULL},
};
static const http_schema countersign_schema = HTTP_SCHEMA(countersign_fields);

static int post_countersign(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version;
    int rc = case_write(ctx, &countersign_schema, reference, &version);
    if (rc) return rc;
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_countersign(
        ctx->db, &a, reference, version, json_integer_value(json_object_get(ctx->body, "advice")),
        json_is_true(json_object_get(ctx->body, "accepted")), str(ctx, "reasons"), &err);
    return case_written(ctx, rc, &err, 201, reference);
}

static const http_field rfi_fields[] = {
    {"question", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 65536, 0, 0, NULL, 0, NULL},
};
static const http_schema rfi_schema = HTTP_SCHEMA(rfi_fields);

static int post_rfi(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, id;
    int rc = case_write(ctx, &rfi_schema, reference, &version);
    if (rc) return rc;
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_rfi_raise(ctx->db, &a, reference, version, str(ctx, "question"), &id, &err);
    return case_written(ctx, rc, &err, 201, reference);
}

static const http_field rfi_answer_fields[] = {
    {"response", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 65536, 0, 0, NULL, 0, NULL},
};
static const http_schema rfi_answer_schema = HTTP_SCHEMA(rfi_answer_fields);

static int post_rfi_answer(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, id;
    int rc = case_write(ctx, &rfi_answer_schema, reference, &version);
    if (rc) return rc;
    if (ph_parse_i64(http_param(ctx, "rfi"), &id) || id <= 0)
        return http_problem(ctx, 404, "not-found", "no request for information '%s'",
                            http_param(ctx, "rfi"));
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_rfi_answer(ctx->db, &a, reference, version, id, str(ctx, "response"), &err);
    return case_written(ctx, rc, &err, 200, reference);
}

static const http_field note_fields[] = {
    {"text", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 65536, 0, 0, NULL, 0, NULL},
    {"exporter_visible", HTTP_JSON_BOOLEAN, 0, 0, 0, 0, 0, NULL, 0, NULL},
};
static const http_schema note_schema = HTTP_SCHEMA(note_fields);

static int post_note(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, id;
    int rc = case_write(ctx, &note_schema, reference, &version);
    if (rc) return rc;
    cases_actor a = actor(ctx);
    ph_err err = {0};
    rc = cases_note(ctx->db, &a, reference, version, str(ctx, "text"),
                    json_is_true(json_object_get(ctx->body, "exporter_visible")), &id, &err);
    return case_written(ctx, rc, &err, 201, reference);
}

static const http_field document_fields[] = {
    {"name", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 255, 0, 0, NULL, 0, NULL},
    {"sha256", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 64, 64, 0, 0, NULL, 0, NULL},
    {"size", HTTP_JSON_INTEGER, HTTP_FIELD_REQUIRED, 0, 0, 0, (int64_t)1 << 40, NULL, 0, NULL},
    {"content_type", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 3, 127, 0, 0, NULL, 0, NULL},
};
static const http_schema document_schema = HTTP_SCHEMA(document_fields);

static int post_document(http_ctx *ctx) {
    char reference[CASES_REFERENCE_MAX];
    int64_t version, id;
    int rc = case_write(ctx, &document_schema, reference, &version);
    if (rc) return rc;
    cases_actor a = actor(ctx);
    cases_document_input in = {str(ctx, "name"), str(ctx, "sha256"),
                               json_integer_value(json_object_get(ctx->body, "size")),
                               str(ctx, "content_type")};
    ph_err err = {0};
    rc = cases_document(ctx->db, &a, reference, version, &in, &id, &err);
    return case_written(ctx, rc, &err, 201, reference);
}

#define STAFF_CASE HTTP_ROLE(CASE_OFFICER)
static const http_route case_routes[] = {
    {"POST", "/api/v1/applications", create_application, 0, HTTP_EXPORTERS_OWN_ORG, HTTP_OWN_TX,
     "Create a draft application (the same JSON as POST /api/v1/assess)"},
    {"GET", "/api/v1/applications", list_applications, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "List applications (filters: status, destination, type; limit, offset)"},
    {"GET", "/api/v1/applications/{ref}", get_application, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "Read an application (staff or exporter view, with its ETag)"},
    {"PUT", "/api/v1/applications/{ref}", update_application, 0, HTTP_EXPORTERS_OWN_ORG,
     HTTP_OWN_TX, "Replace a draft's content (If-Match required)"},
    {"POST", "/api/v1/applications/{ref}/submit", post_submit, 0, HTTP_EXPORTERS_OWN_ORG,
     HTTP_OWN_TX, "Submit a draft: every party is screened and the application assessed"},
    {"POST", "/api/v1/applications/{ref}/events", post_event,
     HTTP_ROLE(CASE_OFFICER) | HTTP_ROLE(TECHNICAL_ASSESSOR) | HTTP_ROLE(DECISION_MAKER),
     HTTP_EXPORTERS_OWN_ORG, HTTP_OWN_TX,
     "Fire a workflow event (start_checks, send_to_technical, consolidate, appeal, withdraw, ...)"},
    {"POST", "/api/v1/applications/{ref}/goods/{line}/rating", post_rating,
     HTTP_ROLE(TECHNICAL_ASSESSOR), HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Confirm a goods line's control-list rating"},
    {"POST", "/api/v1/applications/{ref}/screening/{hit}/disposition", post_disposition, STAFF_CASE,
     HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Dispose of a screening hit: true match or false positive, with a reason"},
    {"POST", "/api/v1/applications/{ref}/advice", post_advice, HTTP_ROLE(ADVISER),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX, "Give advice for your team (a new revision; never an edit)"},
    {"POST", "/api/v1/applications/{ref}/countersign", post_countersign, HTTP_ROLE(COUNTERSIGNER),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Accept or reject an advice revision (never your own case's advice)"},
    {"POST", "/api/v1/applications/{ref}/decision", post_decision, HTTP_ROLE(DECISION_MAKER),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX, "Issue, refuse (citing criteria) or find no licence required"},
    {"POST", "/api/v1/applications/{ref}/rfi", post_rfi, STAFF_CASE | HTTP_ROLE(TECHNICAL_ASSESSOR),
     HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Ask the exporter for information (pauses the service-level clock)"},
    {"POST", "/api/v1/applications/{ref}/rfi/{rfi}/response", post_rfi_answer, 0,
     HTTP_EXPORTERS_OWN_ORG, HTTP_OWN_TX, "Answer a request for information"},
    {"POST", "/api/v1/applications/{ref}/notes", post_note, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG,
     HTTP_OWN_TX, "Add a note (staff notes are internal unless exporter_visible)"},
    {"POST", "/api/v1/applications/{ref}/documents", post_document, 0, HTTP_EXPORTERS_OWN_ORG,
     HTTP_OWN_TX, "Record a supporting document's metadata (name, SHA-256, size, media type)"},
};

int http_case_routes(http_router *r, ph_err *err) {
    return http_router_add(r, case_routes, sizeof case_routes / sizeof case_routes[0], err);
}
