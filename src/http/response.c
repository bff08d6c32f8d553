/* Replies and the helpers handlers call: problem+json, query and body
 * checks, ETags and If-Match. */
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_internal.h"

#define PROBLEM_TYPE_PREFIX "urn:penholder:problem:"

void http_reply_reset(http_request *req) {
    free(req->reply_body);
    req->reply_body = NULL;
    req->reply_len = 0;
    req->reply_type[0] = '\0';
    req->replied = 0;
    req->ctx.status = 0;
}

void http_header(http_ctx *ctx, const char *name, const char *value) {
    http_request *req = http_request_of(ctx);
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0) {
            free(req->headers[i].value);
            req->headers[i].value = ph_strdup(value);
            return;
        }
    if (req->nheaders == HTTP_MAX_HEADERS) return; /* a programming error; the reply still goes */
    req->headers[req->nheaders].name = ph_strdup(name);
    req->headers[req->nheaders].value = ph_strdup(value);
    req->nheaders++;
}

int http_reply_text(http_ctx *ctx, int status, const char *content_type, const char *text,
                    size_t len) {
    http_request *req = http_request_of(ctx);
    http_reply_reset(req);
    req->reply_body = ph_strndup(text, len);
    req->reply_len = len;
    ph_strlcpy(req->reply_type, content_type, sizeof req->reply_type);
    req->replied = 1;
    ctx->status = status;
    return status;
}

static int reply_json_typed(http_ctx *ctx, int status, json_t *body, const char *type) {
    http_request *req = http_request_of(ctx);
    http_reply_reset(req);
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (!text) text = ph_strdup("{}");
    req->reply_len = strlen(text);
    req->reply_body = ph_strndup(text, req->reply_len);
    free(text);
    ph_strlcpy(req->reply_type, type, sizeof req->reply_type);
    req->replied = 1;
    ctx->status = status;
    return status;
}

int http_reply_json(http_ctx *ctx, int status, json_t *body) {
    return reply_json_typed(ctx, status, body, "application/json");
}

int http_reply_empty(http_ctx *ctx, int status) {
    http_request *req = http_request_of(ctx);
    http_reply_reset(req);
    req->replied = 1;
    ctx->status = status;
    return status;
}

static const char *status_title(int status) {
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Authentication required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 412: return "Precondition failed";
    case 413: return "Request body too large";
    case 414: return "Request target too long";
    case 415: return "Unsupported media type";
    case 422: return "Invalid request content";
    case 428: return "Precondition required";
    case 429: return "Too many requests";
    case 500: return "Internal error";
    case 503: return "Service unavailable";
    default: return "Error";
    }
}

static json_t *problem_json(http_ctx *ctx, int status, const char *slug, const char *detail) {
    char type[96];
    snprintf(type, sizeof type, PROBLEM_TYPE_PREFIX "%s", slug);
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string(type));
    json_object_set_new(j, "title", json_string(status_title(status)));
    json_object_set_new(j, "status", json_integer(status));
    /* A detail is built from our own messages; keep it valid JSON text
     * even if an input fragment in it was not UTF-8. */
    json_t *d = json_string(detail);
    json_object_set_new(j, "detail", d ? d : json_string("(detail not shown: not UTF-8)"));
    if (ctx->path) {
        json_t *inst = json_string(ctx->path);
        if (inst) json_object_set_new(j, "instance", inst);
    }
    return j;
}

int http_problem(http_ctx *ctx, int status, const char *slug, const char *fmt, ...) {
    char detail[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return reply_json_typed(ctx, status, problem_json(ctx, status, slug, detail),
                            "application/problem+json");
}

int http_problem_transition(http_ctx *ctx, const char *slug, const char *detail,
                            const char *state_member, const char *state, json_t *allowed_events) {
    json_t *j = problem_json(ctx, 409, slug, detail ? detail : "this change is not allowed now");
    json_t *st = state ? json_string(state) : NULL;
    json_object_set_new(j, state_member, st ? st : json_null());
    json_object_set_new(j, "allowed_events", allowed_events ? allowed_events : json_array());
    return reply_json_typed(ctx, 409, j, "application/problem+json");
}

int http_problem_fields(http_ctx *ctx, const http_field_errors *errors) {
    size_t n = errors->count < HTTP_MAX_FIELD_ERRORS ? errors->count : HTTP_MAX_FIELD_ERRORS;
    char detail[PH_ERR_MAX];
    if (n == 0) return http_problem(ctx, 422, "validation", "the request content is invalid");
    const http_field_error *first = &errors->e[0];
    if (errors->count == 1)
        snprintf(detail, sizeof detail, "%s: %s", first->path[0] ? first->path : "body",
                 first->detail);
    else
        snprintf(detail, sizeof detail, "%s: %s (and %zu more problems)",
                 first->path[0] ? first->path : "body", first->detail, errors->count - 1);
    json_t *j = problem_json(ctx, 422, "validation", detail);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *path = json_string(errors->e[i].path);
        json_t *d = json_string(errors->e[i].detail);
        json_array_append_new(list, json_pack("{s:o, s:o}", "path", path ? path : json_string("?"),
                                              "detail", d ? d : json_string("?")));
    }
    json_object_set_new(j, "errors", list);
    return reply_json_typed(ctx, 422, j, "application/problem+json");
}

int http_problem_field(http_ctx *ctx, const char *path, const char *fmt, ...) {
    http_field_errors errors;
    errors.count = 1;
    ph_strlcpy(errors.e[0].path, path, sizeof errors.e[0].path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errors.e[0].detail, sizeof errors.e[0].detail, fmt, ap);
    va_end(ap);
    return http_problem_fields(ctx, &errors);
}

int http_problem_from_err(http_ctx *ctx, const ph_err *err) {
    switch (err->rc) {
    case PH_ENOTFOUND: return http_problem(ctx, 404, "not-found", "%s", err->msg);
    case PH_ECONFLICT: return http_problem(ctx, 409, "conflict", "%s", err->msg);
    case PH_EFORBIDDEN: return http_problem(ctx, 403, "forbidden", "%s", err->msg);
    case PH_EUSAGE: return http_problem(ctx, 422, "validation", "%s", err->msg);
    case PH_ESTALE: return http_problem(ctx, 412, "stale", "%s", err->msg);
    case PH_EBUSY:
        http_header(ctx, "Retry-After", "1");
        return http_problem(ctx, 503, "busy", "the database is busy; try again");
    default:
        fprintf(stderr, "penholder serve: %s %s: %s\n", ctx->method, ctx->path ? ctx->path : "",
                err->msg);
        return http_problem(ctx, 500, "internal", "the server could not complete the request");
    }
}

const char *http_param(const http_ctx *ctx, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < ctx->params.count; i++)
        if (strncmp(ctx->params.names[i], name, n) == 0 && ctx->params.names[i][n] == '}')
            return ctx->params.values[i];
    return "";
}

int http_is_staff(const http_ctx *ctx) {
    return ctx->user && auth_role_is_staff(ctx->user->role);
}

int64_t http_org_scope(const http_ctx *ctx) {
    if (!ctx->user) return -1; /* no organisation has id -1: nothing is visible */
    return auth_role_is_staff(ctx->user->role) ? 0 : ctx->user->organisation_id;
}

const char *http_actor(const http_ctx *ctx) {
    return ctx->user ? ctx->user->name : "anonymous";
}

int http_body_check(http_ctx *ctx, const http_schema *schema) {
    if (!ctx->body)
        return http_problem(ctx, 400, "body-required", "this request needs a JSON body");
    http_field_errors errors;
    if (http_json_check(ctx->body, schema, &errors)) return http_problem_fields(ctx, &errors);
    return 0;
}

int http_query_check(http_ctx *ctx, const char *const *allowed) {
    for (size_t i = 0; i < ctx->query.count; i++) {
        int ok = 0;
        for (size_t k = 0; allowed && allowed[k]; k++)
            if (strcmp(ctx->query.names[i], allowed[k]) == 0) ok = 1;
        if (!ok) {
            char list[200] = "";
            size_t used = 0;
            for (size_t k = 0; allowed && allowed[k] && used < sizeof list; k++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                         allowed[k]);
            if (used)
                return http_problem(ctx, 400, "query",
                                    "unknown query parameter '%.60s' (expected %s)",
                                    ctx->query.names[i], list);
            return http_problem(ctx, 400, "query",
                                "unknown query parameter '%.60s' (this route takes none)",
                                ctx->query.names[i]);
        }
    }
    return 0;
}

int http_query_int(http_ctx *ctx, const char *name, long def, long min, long max, long *out) {
    const char *v = http_query_get(&ctx->query, name);
    *out = def;
    if (!v) return 0;
    int64_t x;
    if (ph_parse_i64(v, &x) || x < min || x > max)
        return http_problem(ctx, 400, "query",
                            "query parameter '%s' must be a whole number from %ld to %ld", name,
                            min, max);
    *out = (long)x;
    return 0;
}

void http_etag(const void *data, size_t len, char out[HTTP_ETAG_MAX]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    char hex[33];
    ph_hex(h, 16, hex);
    snprintf(out, HTTP_ETAG_MAX, "\"%s\"", hex);
}
