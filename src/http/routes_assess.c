/* Assessment and evidence over HTTP, for staff only: evidence and
 * assessments are internal and never reach an exporter.
 *
 *   POST /api/v1/assess     an application (docs/application.md) in, the
 *                           result out, as `penholder assess --json`;
 *                           writes nothing
 *   GET  /api/v1/evidence   entries, as `penholder evidence list --json`
 *   POST /api/v1/evidence   one entry; a correction supersedes an older one
 *   POST /api/v1/evidence/import   a JSON array of entries, all or none
 *
 * The assess engine runs its own transactions for evidence, so these routes
 * are HTTP_OWN_TX and never begin one themselves. Its input errors name the
 * input and the JSON path ("NAME: [2].severity: ..."); the name given here
 * is INPUT_NAME (APPLICATION_NAME for applications), and the path is handed
 * back to the client as the field. */
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "cases/cases.h"
#include "http_internal.h"
#include "refdata/refdata.h"

#define INPUT_NAME "request"
/* The name the cases runtime gives an application it assesses (services.c). */
#define APPLICATION_NAME "application"
#define EVIDENCE_SUMMARY_MAX 8192
#define EVIDENCE_SOURCE_MAX 1024
#define EVIDENCE_SHORT_MAX 64

/* An engine error about the request's content -> 422 naming the field.
 * `prefix` is what the engine put before the path ("request: [0]." for one
 * entry given as an array of one, "request: " otherwise). Other errors map
 * as usual. */
static int input_problem(http_ctx *ctx, const ph_err *err, const char *prefix, int content_rc) {
    size_t n = strlen(prefix);
    if (err->rc != content_rc || strncmp(err->msg, prefix, n) != 0)
        return http_problem_from_err(ctx, err);
    const char *rest = err->msg + n;
    const char *sep = strstr(rest, ": ");
    size_t path_len = sep ? (size_t)(sep - rest) : 0;
    if (!sep || path_len == 0 || path_len >= sizeof(((http_field_error *)0)->path) ||
        memchr(rest, ' ', path_len))
        return http_problem_field(ctx, "", "%s", rest);
    char path[sizeof(((http_field_error *)0)->path)];
    memcpy(path, rest, path_len);
    path[path_len] = '\0';
    return http_problem_field(ctx, path, "%s", sep + 2);
}

/* ---- assess ---- */

/* The date an assessment is made as of: the as_of query parameter, or
 * none (today, with what the server loaded at start). Returns 0 or the
 * status replied. */
static int as_of_param(http_ctx *ctx, const char **as_of) {
    *as_of = http_query_get(&ctx->query, "as_of");
    int32_t days;
    if (*as_of && ph_date_parse(*as_of, &days))
        return http_problem(ctx, 400, "query", "as_of must be a date YYYY-MM-DD, not '%.40s'",
                            *as_of);
    return 0;
}

/* Loads the context and policy for `date` and assesses: for as_of, and
 * for a server started without loaded services. */
static int assess_on_date(store *db, const char *text, const char *date, const char *as_of,
                          json_t **out, ph_err *err) {
    assess_context *actx = NULL;
    policy *p = NULL;
    assess_facts *facts = assess_facts_new();
    assess_evidence_snapshot *snapshot = NULL;
    assess_result result;
    assess_result_init(&result);
    *out = NULL;
    int rc = assess_context_load(db, date, &actx, err);
    if (!rc) rc = assess_policy_in_force(db, actx, date, &p, err);
    if (!rc)
        rc = assess_application_from_json(actx, APPLICATION_NAME, text, strlen(text), facts, err);
    if (!rc) rc = assess_evidence_snapshot_load(db, date, &snapshot, err);
    if (!rc) rc = assess_run(p, facts, snapshot, &result, err);
    if (!rc) *out = assess_result_json(actx, &result, as_of);
    assess_result_free(&result);
    assess_evidence_snapshot_free(snapshot);
    assess_facts_free(facts);
    policy_free(p);
    assess_context_free(actx);
    return rc;
}

static int post_assess(http_ctx *ctx) {
    static const char *const allowed[] = {"as_of", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    const char *as_of;
    if ((rc = as_of_param(ctx, &as_of))) return rc;
    if (!ctx->body)
        return http_problem(ctx, 400, "body-required", "this request needs an application as JSON");
    char *text = json_dumps(ctx->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const cases_services *svc = ctx->config->services;
    json_t *result = NULL;
    ph_err err = {0};
    if (!as_of && svc && svc->assess) {
        /* The policy and context loaded at start; screening outcomes as the
         * application gives them (no parties screened here). */
        char recommendation[32];
        rc = svc->assess(svc->assess_ctx, ctx->db, text, NULL, 0, &result, recommendation, &err);
    } else {
        char today[11];
        ph_date_format(ph_date_today(), today);
        rc = assess_on_date(ctx->db, text, as_of ? as_of : today, as_of, &result, &err);
    }
    free(text);
    if (rc) {
        /* No policy in force on the date asked for. */
        if (err.rc == PH_ENOTFOUND && as_of)
            return http_problem(ctx, 400, "query", "as_of: %s", err.msg);
        if (err.rc == PH_ENOTFOUND) err.rc = PH_ERR;
        return input_problem(ctx, &err, APPLICATION_NAME ": ", PH_ERR);
    }
    return http_reply_json(ctx, 200, result);
}

/* ---- evidence ---- */

/* An entry as `penholder evidence list --json` prints it. */
static json_t *evidence_json(const assess_evidence *e) {
    char sup[ASSESS_EVIDENCE_REF_MAX] = "", by[ASSESS_EVIDENCE_REF_MAX] = "";
    if (e->supersedes) assess_evidence_ref(e->supersedes, sup);
    if (e->superseded_by) assess_evidence_ref(e->superseded_by, by);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s}", "id", e->ref,
        "destination", e->destination, "topic", policy_enum_name(POLICY_ENUM_TOPIC, e->topic),
        "severity", policy_enum_name(POLICY_ENUM_SEVERITY, e->severity), "summary", e->summary,
        "source", e->source, "source_date", e->source_date, "reliability",
        policy_enum_name(POLICY_ENUM_RELIABILITY, e->reliability), "classification",
        policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification), "valid_from",
        e->valid_from, "valid_to", e->valid_to[0] ? e->valid_to : NULL, "supersedes",
        sup[0] ? sup : NULL, "superseded_by", by[0] ? by : NULL, "recorded_at", e->recorded_at);
}

static int evidence_list(http_ctx *ctx) {
    static const char *const allowed[] = {"destination", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    const char *destination = http_query_get(&ctx->query, "destination");
    char code[REFDATA_CODE_MAX];
    ph_err err = {0};
    if (destination && (rc = refdata_resolve_destination(ctx->db, destination, code, &err))) {
        if (rc == PH_ENOTFOUND) return http_problem(ctx, 400, "query", "destination: %s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    assess_evidence *v;
    size_t n;
    if (assess_evidence_list(ctx->db, destination ? code : NULL, &v, &n, &err))
        return http_problem_from_err(ctx, &err);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, evidence_json(&v[i]));
    assess_evidence_free(v, n);
    return http_reply_json(ctx, 200, a);
}

/* The entry with id `id`, as listed. */
static json_t *evidence_entry(http_ctx *ctx, int64_t id, ph_err *err) {
    assess_evidence *v;
    size_t n;
    if (assess_evidence_list(ctx->db, NULL, &v, &n, err)) return NULL;
    json_t *j = NULL;
    for (size_t i = 0; i < n && !j; i++)
        if (v[i].id == id) j = evidence_json(&v[i]);
    assess_evidence_free(v, n);
    if (!j) ph_fail(err, PH_ERR, "evidence %lld was added but cannot be read back", (long long)id);
    return j;
}

#define TEXT_FIELD(field, flags_, max)                                                             \
    { .name = field, .type = HTTP_JSON_STRING, .flags = flags_, .min_len = 1, .max_len = max }

static const http_field evidence_fields[] = {
    TEXT_FIELD("destination", HTTP_FIELD_REQUIRED, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("topic", HTTP_FIELD_REQUIRED, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("severity", HTTP_FIELD_REQUIRED, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("summary", HTTP_FIELD_REQUIRED, EVIDENCE_SUMMARY_MAX),
    TEXT_FIELD("source", HTTP_FIELD_REQUIRED, EVIDENCE_SOURCE_MAX),
    TEXT_FIELD("date", HTTP_FIELD_REQUIRED, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("reliability", 0, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("classification", 0, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("valid_from", 0, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("valid_to", 0, EVIDENCE_SHORT_MAX),
    TEXT_FIELD("supersedes", 0, EVIDENCE_SHORT_MAX),
};
static const http_schema evidence_schema = HTTP_SCHEMA(evidence_fields);

/* Adds entries given as a JSON array through the engine's import (one
 * transaction; errors name "[i].field"). Writes the first id and count. */
static int import_entries(http_ctx *ctx, const json_t *array, size_t *added, int64_t *first,
                          ph_err *err) {
    char *text = json_dumps(array, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = assess_evidence_import(ctx->db, ctx->user->name, INPUT_NAME, text, strlen(text), added,
                                    first, err);
    free(text);
    return rc;
}

static int evidence_add(http_ctx *ctx) {
    int rc = http_query_check(ctx, NULL);
    if (rc || (rc = http_body_check(ctx, &evidence_schema))) return rc;
    json_t *one = json_array();
    json_array_append(one, ctx->body);
    size_t added;
    int64_t id;
    ph_err err = {0};
    rc = import_entries(ctx, one, &added, &id, &err);
    json_decref(one);
    if (rc) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        ph_err field = err;
        if (field.rc == PH_ENOTFOUND) field.rc = PH_ERR; /* supersedes names nothing: the content */
        return input_problem(ctx, &field, INPUT_NAME ": [0].", PH_ERR);
    }
    json_t *entry = evidence_entry(ctx, id, &err);
    if (!entry) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 201, entry);
}

static int evidence_import(http_ctx *ctx) {
    int rc = http_query_check(ctx, NULL);
    if (rc) return rc;
    if (!ctx->body)
        return http_problem(ctx, 400, "body-required",
                            "this request needs a JSON array of entries");
    if (!json_is_array(ctx->body))
        return http_problem_field(ctx, "", "expected a JSON array of evidence entries, found an %s",
                                  json_is_object(ctx->body) ? "object" : "other value");
    if (json_array_size(ctx->body) > HTTP_ARRAY_MAX_DEFAULT)
        return http_problem_field(ctx, "", "more than %d entries in one import",
                                  HTTP_ARRAY_MAX_DEFAULT);
    size_t added;
    int64_t first;
    ph_err err = {0};
    if (import_entries(ctx, ctx->body, &added, &first, &err)) {
        if (err.rc == PH_ECONFLICT) return http_problem(ctx, 409, "conflict", "%s", err.msg);
        ph_err field = err;
        if (field.rc == PH_ENOTFOUND) field.rc = PH_ERR;
        return input_problem(ctx, &field, INPUT_NAME ": ", PH_ERR);
    }
    char a[ASSESS_EVIDENCE_REF_MAX], b[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(first, a);
    assess_evidence_ref(first + (int64_t)added - 1, b);
    return http_reply_json(ctx, added ? 201 : 200,
                           json_pack("{s:I, s:s?, s:s?}", "added", (json_int_t)added, "first",
                                     added ? a : NULL, "last", added ? b : NULL));
}

#define EVIDENCE_WRITERS (HTTP_ROLE(ADVISER) | HTTP_ROLE(CASE_OFFICER))
static const http_route assess_routes[] = {
    {"POST", "/api/v1/assess", post_assess, HTTP_STAFF, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Assess an application against the licensing criteria (writes nothing)"},
    {"GET", "/api/v1/evidence", evidence_list, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "List evidence about destinations (filter: destination)"},
    {"POST", "/api/v1/evidence", evidence_add, EVIDENCE_WRITERS, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Add an evidence entry (a correction supersedes an older entry)"},
    {"POST", "/api/v1/evidence/import", evidence_import, EVIDENCE_WRITERS, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX, "Add a JSON array of evidence entries, all or none"},
};

int http_assess_routes(http_router *r, ph_err *err) {
    return http_router_add(r, assess_routes, sizeof assess_routes / sizeof assess_routes[0], err);
}
