/* Formal concerns over HTTP. Handlers check the body, call the concern
 * engine (which runs its own transaction with its audit entry: the write
 * routes are HTTP_OWN_TX) and reply with the view the caller may see.
 *
 * Raising and the receipt routes carry HTTP_NO_ACCOUNT_TRACE, so the
 * access log never ties an account to them. The receipt code travels in
 * the X-Concern-Receipt header, never in the path (which the access log
 * prints) nor the query; failed look-ups are limited per client address. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concern/concern.h"
#include "http_internal.h"

#define RECEIPT_HEADER "X-Concern-Receipt"

static concern_actor account_actor(http_ctx *ctx) {
    concern_actor a = {ctx->user->name, auth_role_name(ctx->user->role), NULL};
    return a;
}

static int path_id(http_ctx *ctx, int64_t *id) {
    const char *s = http_param(ctx, "id");
    if (ph_parse_i64(s, id) || *id <= 0)
        return http_problem(ctx, 404, "not-found", "no concern '%.32s'", s);
    return 0;
}

static const char *str(http_ctx *ctx, const char *key) {
    json_t *v = ctx->body ? json_object_get(ctx->body, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An engine error about one of the body's fields ("decision: ...") -> 422
 * at that field's path; other errors map as usual. */
static int engine_problem(http_ctx *ctx, const ph_err *err, const http_schema *schema) {
    if (err->rc == PH_EUSAGE && schema)
        for (size_t i = 0; i < schema->count; i++) {
            const char *name = schema->fields[i].name;
            size_t n = strlen(name);
            if (strncmp(err->msg, name, n) == 0 && err->msg[n] == ':' && err->msg[n + 1] == ' ')
                return http_problem_field(ctx, name, "%s", err->msg + n + 2);
        }
    return http_problem_from_err(ctx, err);
}

static int reply_concern(http_ctx *ctx, int status, const concern_actor *who, int64_t id) {
    json_t *view;
    ph_err err = {0};
    if (concern_get(ctx->db, who, id, NULL, &view, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, status, view);
}

/* ---- raising ---- */

static const char *const categories[] = {
    "legal_risk", "policy_dissent", "implementation_dissent", "conduct",
    "legal-risk", "policy-dissent", "implementation-dissent", NULL};
static const http_field raise_fields[] = {
    {"about", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 3, CONCERN_ABOUT_MAX - 1, 0, 0, NULL, 0, NULL},
    {"category", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 32, 0, 0, categories, 0, NULL},
    {"text", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
    {"criteria", HTTP_JSON_ARRAY, 0, 0, 16, 0, 0, NULL, HTTP_JSON_STRING, NULL},
    {"cosignatories", HTTP_JSON_ARRAY, 0, 0, CONCERN_COSIGNATORIES_MAX, 0, 0, NULL,
     HTTP_JSON_STRING, NULL},
    {"confidential", HTTP_JSON_BOOLEAN, 0, 0, 0, 0, 0, NULL, 0, NULL},
    {"level", HTTP_JSON_STRING, 0, 1, CONCERN_LEVEL_NAME_MAX - 1, 0, 0, NULL, 0, NULL},
};
static const http_schema raise_schema = HTTP_SCHEMA(raise_fields);

static int raise(http_ctx *ctx) {
    int rc = http_body_check(ctx, &raise_schema);
    if (rc) return rc;
    char criteria[256] = "";
    size_t used = 0, i;
    json_t *v;
    json_array_foreach(json_object_get(ctx->body, "criteria"), i, v) {
        int w = snprintf(criteria + used, sizeof criteria - used, "%s%s", used ? ";" : "",
                         json_string_value(v));
        if (w < 0 || (size_t)w >= sizeof criteria - used)
            return http_problem_field(ctx, "criteria", "too many criteria");
        used += (size_t)w;
    }
    json_t *cos = json_object_get(ctx->body, "cosignatories");
    const char *names[CONCERN_COSIGNATORIES_MAX];
    size_t n = 0;
    json_array_foreach(cos, i, v) names[n++] = json_string_value(v);
    int confidential = json_is_true(json_object_get(ctx->body, "confidential"));
    concern_raise_input in = {str(ctx, "about"),
                              str(ctx, "category"),
                              str(ctx, "text"),
                              used ? criteria : NULL,
                              names,
                              n,
                              confidential,
                              str(ctx, "level"),
                              NULL};
    concern_actor who = account_actor(ctx);
    int64_t id;
    char receipt[CONCERN_RECEIPT_TEXT];
    ph_err err = {0};
    if (concern_raise(ctx->db, &who, &in, &id, receipt, &err))
        return engine_problem(ctx, &err, &raise_schema);
    char location[64];
    snprintf(location, sizeof location, "/api/v1/concerns/%lld", (long long)id);
    http_header(ctx, "Location", location);
    json_t *view = NULL;
    /* The reporter of a confidential concern reads it by receipt from now on. */
    concern_actor reader = confidential ? (concern_actor){NULL, NULL, receipt} : who;
    if (concern_get(ctx->db, &reader, id, NULL, &view, &err))
        return http_problem_from_err(ctx, &err);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(id));
    json_object_set_new(j, "receipt", confidential ? json_string(receipt) : json_null());
    if (confidential)
        json_object_set_new(
            j, "receipt_note",
            json_string("shown once: keep it; it is the only way to follow this concern, through "
                        "/api/v1/concern-receipt with the X-Concern-Receipt header"));
    json_object_set_new(j, "concern", view);
    memset(receipt, 0, sizeof receipt);
    return http_reply_json(ctx, 201, j);
}

/* ---- reading ---- */

static int list_concerns(http_ctx *ctx) {
    static const char *const allowed[] = {"overdue", "as_of", "state", "case", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    const char *overdue = http_query_get(&ctx->query, "overdue");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        return http_problem(ctx, 400, "query", "overdue is true or false");
    concern_filter f = {overdue && strcmp(overdue, "true") == 0,
                        http_query_get(&ctx->query, "as_of"), http_query_get(&ctx->query, "state"),
                        http_query_get(&ctx->query, "case")};
    concern_actor who = account_actor(ctx);
    json_t *out;
    ph_err err = {0};
    if (concern_list(ctx->db, &who, &f, &out, &err)) return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, out);
}

static int get_concern(http_ctx *ctx) {
    static const char *const allowed[] = {"as_of", NULL};
    int64_t id;
    int rc = http_query_check(ctx, allowed);
    if (rc || (rc = path_id(ctx, &id))) return rc;
    concern_actor who = account_actor(ctx);
    json_t *view;
    ph_err err = {0};
    if (concern_get(ctx->db, &who, id, http_query_get(&ctx->query, "as_of"), &view, &err))
        return http_problem_from_err(ctx, &err);
    return http_reply_json(ctx, 200, view);
}

static int stats(http_ctx *ctx) {
    static const char *const allowed[] = {"format", "as_of", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    const char *format = http_query_get(&ctx->query, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
        return http_problem(ctx, 400, "query", "format is json or csv");
    json_t *out;
    ph_err err = {0};
    if (concern_stats(ctx->db, http_query_get(&ctx->query, "as_of"), &out, &err))
        return http_problem_from_err(ctx, &err);
    if (!format || strcmp(format, "json") == 0) return http_reply_json(ctx, 200, out);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        json_decref(out);
        return http_problem(ctx, 500, "internal", "cannot write the table");
    }
    concern_stats_csv(out, f);
    fclose(f);
    json_decref(out);
    rc = http_reply_text(ctx, 200, "text/csv; charset=utf-8", text, len);
    free(text);
    return rc;
}

/* ---- the workflow ---- */

static int fire(http_ctx *ctx, const char *event, const http_schema *schema) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    if (schema) {
        if ((rc = http_body_check(ctx, schema))) return rc;
    } else if (ctx->body && json_object_size(ctx->body)) {
        return http_problem(ctx, 422, "validation", "%s takes no body", event);
    }
    concern_actor who = account_actor(ctx);
    concern_event_input in = {.text = str(ctx, "text"),
                              .outcome = str(ctx, "outcome"),
                              .reason = str(ctx, "reason"),
                              .decision = str(ctx, "decision"),
                              .actions = str(ctx, "actions"),
                              .reasons = str(ctx, "reasons")};
    ph_err err = {0};
    if (concern_fire(ctx->db, &who, id, event, &in, &err)) return engine_problem(ctx, &err, schema);
    return reply_concern(ctx, 200, &who, id);
}

static const char *const outcomes[] = {"upheld",        "partly_upheld", "not_upheld",
                                       "partly-upheld", "not-upheld",    NULL};
/* What was decided, what was done or not done, and why; text is an
 * optional note beside them. */
static const http_field respond_fields[] = {
    {"outcome", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 24, 0, 0, outcomes, 0, NULL},
    {"decision", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
    {"actions", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
    {"reasons", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
    {"text", HTTP_JSON_STRING, 0, 0, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
};
static const http_schema respond_schema = HTTP_SCHEMA(respond_fields);
static const http_field reason_fields[] = {
    {"reason", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_REASON_MAX, 0, 0, NULL, 0, NULL},
};
static const http_schema reason_schema = HTTP_SCHEMA(reason_fields);

static int acknowledge(http_ctx *ctx) {
    return fire(ctx, "acknowledge", NULL);
}
static int consider(http_ctx *ctx) {
    return fire(ctx, "consider", NULL);
}
static int respond(http_ctx *ctx) {
    return fire(ctx, "respond", &respond_schema);
}
static int escalate(http_ctx *ctx) {
    return fire(ctx, "escalate", &reason_schema);
}
static int appeal(http_ctx *ctx) {
    return fire(ctx, "appeal", &reason_schema);
}
static int extend(http_ctx *ctx) {
    return fire(ctx, "extend", &reason_schema);
}
static int close_concern(http_ctx *ctx) {
    return fire(ctx, "close", NULL);
}

static const http_field message_fields[] = {
    {"text", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_TEXT_MAX, 0, 0, NULL, 0, NULL},
    {"corrects", HTTP_JSON_INTEGER, 0, 0, 0, 1, INT64_MAX, NULL, 0, NULL},
};
static const http_schema message_schema = HTTP_SCHEMA(message_fields);

static int post_message(http_ctx *ctx, const concern_actor *who, int64_t id) {
    int rc = http_body_check(ctx, &message_schema);
    if (rc) return rc;
    json_t *corrects = json_object_get(ctx->body, "corrects");
    ph_err err = {0};
    int64_t mid;
    if (concern_message(ctx->db, who, id, str(ctx, "text"),
                        corrects ? json_integer_value(corrects) : 0, NULL, &mid, &err))
        return http_problem_from_err(ctx, &err);
    return reply_concern(ctx, 201, who, id);
}

static int message(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc) return rc;
    concern_actor who = account_actor(ctx);
    return post_message(ctx, &who, id);
}

static const http_field reveal_fields[] = {
    {"reason", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, CONCERN_REASON_MAX, 0, 0, NULL, 0, NULL},
    {"password", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, AUTH_PASSWORD_MAX, 0, 0, NULL, 0, NULL},
};
static const http_schema reveal_schema = HTTP_SCHEMA(reveal_fields);

static int reveal(http_ctx *ctx) {
    int64_t id;
    int rc = path_id(ctx, &id);
    if (rc || (rc = http_body_check(ctx, &reveal_schema))) return rc;
    concern_actor who = account_actor(ctx);
    json_t *identity;
    ph_err err = {0};
    if (concern_reveal(ctx->db, &who, id, str(ctx, "reason"), str(ctx, "password"), NULL, &identity,
                       &err))
        return http_problem_from_err(ctx, &err);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(id));
    json_object_set_new(j, "identity", identity);
    json_object_set_new(j, "recorded",
                        json_string("this opening is on the audit log with its reason"));
    return http_reply_json(ctx, 200, j);
}

/* ---- the receipt holder ---- */

/* The concern of the receipt code in the header, under the failure limit.
 * Returns 0 with *id and *code, or the status replied. */
static int receipt_concern(http_ctx *ctx, int64_t *id, const char **code) {
    *code = http_request_header(ctx, RECEIPT_HEADER);
    if (!*code || !**code)
        return http_problem(ctx, 400, "receipt-required",
                            "send the receipt code in the " RECEIPT_HEADER " header");
    char address[64];
    http_client_address(ctx, address, sizeof address);
    concern_limiter *limiter = ctx->config->concern_limiter;
    int wait = concern_limiter_check(limiter, address, (int64_t)time(NULL));
    if (wait > 0) {
        char retry[16];
        snprintf(retry, sizeof retry, "%d", wait);
        http_header(ctx, "Retry-After", retry);
        return http_problem(
            ctx, 429, "too-many-attempts",
            "too many wrong receipt codes from this address; try again in %d seconds", wait);
    }
    ph_err err = {0};
    if (concern_receipt_find(ctx->db, *code, id, &err)) {
        if (err.rc != PH_ENOTFOUND && err.rc != PH_EUSAGE) return http_problem_from_err(ctx, &err);
        concern_limiter_failure(limiter, address, (int64_t)time(NULL));
        /* One answer for a malformed code and a wrong one. */
        return http_problem(ctx, 404, "not-found", "no concern with that receipt code");
    }
    return 0;
}

static int receipt_get(http_ctx *ctx) {
    int64_t id;
    const char *code;
    int rc = receipt_concern(ctx, &id, &code);
    if (rc) return rc;
    concern_actor who = {NULL, NULL, code};
    return reply_concern(ctx, 200, &who, id);
}

static int receipt_message(http_ctx *ctx) {
    int64_t id;
    const char *code;
    int rc = receipt_concern(ctx, &id, &code);
    if (rc) return rc;
    concern_actor who = {NULL, NULL, code};
    return post_message(ctx, &who, id);
}

static const char *const receipt_events[] = {"escalate", "appeal", "close", NULL};
static const http_field receipt_event_fields[] = {
    {"event", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 16, 0, 0, receipt_events, 0, NULL},
    {"reason", HTTP_JSON_STRING, 0, 1, CONCERN_REASON_MAX, 0, 0, NULL, 0, NULL},
};
static const http_schema receipt_event_schema = HTTP_SCHEMA(receipt_event_fields);

static int receipt_event(http_ctx *ctx) {
    int64_t id;
    const char *code;
    int rc = receipt_concern(ctx, &id, &code);
    if (rc || (rc = http_body_check(ctx, &receipt_event_schema))) return rc;
    concern_actor who = {NULL, NULL, code};
    concern_event_input in = {.reason = str(ctx, "reason")};
    ph_err err = {0};
    if (concern_fire(ctx->db, &who, id, str(ctx, "event"), &in, &err))
        return engine_problem(ctx, &err, &receipt_event_schema);
    return reply_concern(ctx, 200, &who, id);
}

#define OFFICER HTTP_ROLE(NOMINATED_OFFICER)
static const http_route concern_routes[] = {
    {"POST", "/api/v1/concerns", raise, HTTP_STAFF, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX | HTTP_NO_ACCOUNT_TRACE,
     "Raise a formal concern (confidential: the identity is sealed and a receipt code returned "
     "once)"},
    {"GET", "/api/v1/concerns", list_concerns, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "List concerns (all for nominated officers and auditors, your own for others; overdue, as_of, "
     "state, case)"},
    {"GET", "/api/v1/concern-stats", stats, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "Anonymised statistics by quarter and category, small numbers suppressed (format json or "
     "csv)"},
    {"GET", "/api/v1/concern-receipt", receipt_get, HTTP_PUBLIC, HTTP_EXPORTERS_NO,
     HTTP_NO_ACCOUNT_TRACE,
     "Read your concern and its thread by the receipt code in X-Concern-Receipt (no account)"},
    {"POST", "/api/v1/concern-receipt/messages", receipt_message, HTTP_PUBLIC, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX | HTTP_NO_ACCOUNT_TRACE,
     "Write to the nominated officers by receipt code (no account)"},
    {"POST", "/api/v1/concern-receipt/events", receipt_event, HTTP_PUBLIC, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX | HTTP_NO_ACCOUNT_TRACE,
     "Escalate, appeal or close your concern by receipt code (no account)"},
    {"GET", "/api/v1/concerns/{id}", get_concern, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "Read a concern as you may see it (sealed identities stay sealed)"},
    {"POST", "/api/v1/concerns/{id}/acknowledge", acknowledge, OFFICER, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX, "Acknowledge a concern (a state, never an end)"},
    {"POST", "/api/v1/concerns/{id}/consider", consider, OFFICER, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Mark a concern as under consideration"},
    {"POST", "/api/v1/concerns/{id}/respond", respond, OFFICER, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Give the substantive response: the outcome, what was decided, what was done or not done, "
     "and why"},
    {"POST", "/api/v1/concerns/{id}/escalate", escalate, HTTP_STAFF, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Escalate a concern one level up the chain, with a reason (reporter or nominated officer)"},
    {"POST", "/api/v1/concerns/{id}/appeal", appeal, HTTP_STAFF, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Contest the response, with a reason (reporter)"},
    {"POST", "/api/v1/concerns/{id}/extend", extend, OFFICER, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Put the response off once, with a reason, when the deployment allows it"},
    {"POST", "/api/v1/concerns/{id}/close", close_concern, HTTP_STAFF, HTTP_EXPORTERS_NO,
     HTTP_OWN_TX, "Close a concern after its substantive response (reporter or nominated officer)"},
    {"POST", "/api/v1/concerns/{id}/messages", message, HTTP_STAFF, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Add a message to the thread (reporter, co-signatory or nominated officer)"},
    {"POST", "/api/v1/concerns/{id}/reveal", reveal, OFFICER, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Open a confidential concern's sealed identity with your key's password; recorded with the "
     "reason"},
};

int http_concern_routes(http_router *r, ph_err *err) {
    return http_router_add(r, concern_routes, sizeof concern_routes / sizeof concern_routes[0],
                           err);
}
