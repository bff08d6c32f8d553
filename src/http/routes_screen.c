/* Screening over HTTP: one name, or many at once. The index is the one the
 * server keeps for case submissions (rebuilt when a list changes). Staff
 * only: what is on a list, and why a name matched, is internal. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "http_internal.h"
#include "screen/screen.h"

#define SCREEN_BULK_MAX 1000

static const char *const types[] = {"person", "entity", "vessel", "aircraft", "any", NULL};

static const http_field query_fields[] = {
    {"name", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 1024, 0, 0, NULL, 0, NULL},
    {"type", HTTP_JSON_STRING, 0, 0, 16, 0, 0, types, 0, NULL},
    {"country", HTTP_JSON_STRING, 0, 0, 64, 0, 0, NULL, 0, NULL},
    {"dob", HTTP_JSON_STRING, 0, 0, 10, 0, 0, NULL, 0, NULL},
};
static const http_schema query_schema = HTTP_SCHEMA(query_fields);

static const http_field screen_fields[] = {
    {"name", HTTP_JSON_STRING, HTTP_FIELD_REQUIRED, 1, 1024, 0, 0, NULL, 0, NULL},
    {"type", HTTP_JSON_STRING, 0, 0, 16, 0, 0, types, 0, NULL},
    {"country", HTTP_JSON_STRING, 0, 0, 64, 0, 0, NULL, 0, NULL},
    {"dob", HTTP_JSON_STRING, 0, 0, 10, 0, 0, NULL, 0, NULL},
    {"lists", HTTP_JSON_ARRAY, 0, 0, SCREEN_MAX_LISTS, 0, 0, NULL, HTTP_JSON_STRING, NULL},
    {"limit", HTTP_JSON_INTEGER, 0, 0, 0, 1, SCREEN_MAX_LIMIT, NULL, 0, NULL},
    {"threshold", HTTP_JSON_NUMBER, 0, 0, 0, 0, 0, NULL, 0, NULL},
    {"explain", HTTP_JSON_BOOLEAN, 0, 0, 0, 0, 0, NULL, 0, NULL},
};
static const http_schema screen_schema = HTTP_SCHEMA(screen_fields);

static const http_field bulk_fields[] = {
    {"queries", HTTP_JSON_ARRAY, HTTP_FIELD_REQUIRED, 1, SCREEN_BULK_MAX, 0, 0, NULL,
     HTTP_JSON_OBJECT, &query_schema},
    {"limit", HTTP_JSON_INTEGER, 0, 0, 0, 1, 100, NULL, 0, NULL},
};
static const http_schema bulk_schema = HTTP_SCHEMA(bulk_fields);

static const char *text(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

static int index_of(http_ctx *ctx, screen_index **idx) {
    ph_err err = {0};
    if (cases_screen_index(ctx->config->services, ctx->db, idx, &err))
        return http_problem_from_err(ctx, &err);
    if (!*idx)
        return http_problem(
            ctx, 409, "no-lists",
            "no sanctions list is loaded: import one with `penholder lists import`");
    return 0;
}

/* Screens one query object into {"query", "hits"}; 0, or the status replied. */
static int screen_one(http_ctx *ctx, screen_index *idx, json_t *q, const char *path, size_t limit,
                      int explain, json_t **out) {
    screen_request req;
    screen_request_init(&req);
    req.name = text(q, "name");
    const char *type = text(q, "type");
    if (type && strcmp(type, "any") != 0) req.type = (screen_type)screen_type_parse(type);
    req.country = text(q, "country");
    req.dob = text(q, "dob");
    req.limit = limit;
    req.explain = explain;
    json_t *th = json_object_get(q, "threshold");
    if (th) {
        double t = json_number_value(th);
        if (t < 0 || t > 1)
            return http_problem_field(ctx, "threshold", "expected a number from 0 to 1");
        req.threshold = t;
    }
    const char *lists[SCREEN_MAX_LISTS];
    json_t *l = json_object_get(q, "lists");
    size_t i;
    json_t *v;
    json_array_foreach(l, i, v) lists[i] = json_string_value(v);
    req.lists = lists;
    req.nlists = json_array_size(l);
    screen_result res;
    ph_err err = {0};
    int rc = screen_query(idx, &req, &res, &err);
    if (rc == PH_EUSAGE) return http_problem_field(ctx, path, "%s", err.msg);
    if (rc) return http_problem_from_err(ctx, &err);
    json_t *hits = json_array();
    for (i = 0; i < res.nhits; i++)
        json_array_append_new(hits, screen_hit_json(&res.hits[i], explain));
    *out = json_pack("{s:s, s:s, s:o}", "query", req.name, "normalised", res.query, "hits", hits);
    if (res.notice) json_object_set_new(*out, "notice", json_string(res.notice));
    screen_result_free(&res);
    return 0;
}

static int post_screen(http_ctx *ctx) {
    int rc = http_body_check(ctx, &screen_schema);
    if (rc) return rc;
    screen_index *idx;
    if ((rc = index_of(ctx, &idx))) return rc;
    json_t *lim = json_object_get(ctx->body, "limit");
    json_t *out;
    if ((rc = screen_one(ctx, idx, ctx->body, "name", lim ? (size_t)json_integer_value(lim) : 0,
                         json_is_true(json_object_get(ctx->body, "explain")), &out)))
        return rc;
    return http_reply_json(ctx, 200, out);
}

static int post_screen_bulk(http_ctx *ctx) {
    int rc = http_body_check(ctx, &bulk_schema);
    if (rc) return rc;
    screen_index *idx;
    if ((rc = index_of(ctx, &idx))) return rc;
    json_t *lim = json_object_get(ctx->body, "limit");
    size_t limit = lim ? (size_t)json_integer_value(lim) : 0;
    json_t *results = json_array();
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(ctx->body, "queries"), i, q) {
        char path[48];
        snprintf(path, sizeof path, "queries[%zu].name", i);
        json_t *one;
        if ((rc = screen_one(ctx, idx, q, path, limit, 0, &one))) {
            json_decref(results);
            return rc;
        }
        json_array_append_new(results, one);
    }
    return http_reply_json(ctx, 200, json_pack("{s:o}", "results", results));
}

#define SCREENERS                                                                                  \
    (HTTP_ROLE(CASE_OFFICER) | HTTP_ROLE(TECHNICAL_ASSESSOR) | HTTP_ROLE(ADVISER) |                \
     HTTP_ROLE(COUNTERSIGNER) | HTTP_ROLE(DECISION_MAKER))
static const http_route screen_routes[] = {
    {"POST", "/api/v1/screen", post_screen, SCREENERS, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Screen one name against the loaded lists (hits with scores and, on request, explanations)"},
    {"POST", "/api/v1/screen/bulk", post_screen_bulk, SCREENERS, HTTP_EXPORTERS_NO, HTTP_OWN_TX,
     "Screen up to 1,000 names at once, one result per query in order"},
};

int http_screen_routes(http_router *r, ph_err *err) {
    return http_router_add(r, screen_routes, sizeof screen_routes / sizeof screen_routes[0], err);
}
