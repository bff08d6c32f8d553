/* Sanctions and denied-party lists over HTTP, for staff: the versions held
 * (as `penholder lists --json`) and what the newest version of a list
 * changed (as `penholder lists diff LIST --json`, with a cap on each
 * section). Importing and downloading stay on the command line, where an
 * operator watches them. Reads only. */
#include <string.h>

#include "http_internal.h"
#include "lists/lists.h"

#define LISTS_DIFF_DEFAULT 1000 /* entries shown a section */
#define LISTS_DIFF_MAX 100000

static int lists_versions_get(http_ctx *ctx) {
    static const char *const allowed[] = {"list", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    lists_version *v;
    size_t n;
    ph_err err = {0};
    if (lists_versions(ctx->db, http_query_get(&ctx->query, "list"), &v, &n, &err))
        return http_problem_from_err(ctx, &err);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "list",
                         v[i].list, "version", (json_int_t)v[i].seq, "current", v[i].current,
                         "format", v[i].format, "origin", v[i].origin, "imported_at",
                         v[i].imported_at, "entities", (json_int_t)v[i].entities, "names",
                         (json_int_t)v[i].names, "skipped", (json_int_t)v[i].skipped, "files",
                         v[i].files, "sha256", v[i].sha256));
    lists_versions_free(v, n);
    return http_reply_json(ctx, 200, a);
}

static json_t *version_json(const lists_version *v) {
    return json_pack("{s:I, s:s, s:s, s:I, s:s}", "version", (json_int_t)v->seq, "imported_at",
                     v->imported_at, "files", v->files, "entities", (json_int_t)v->entities,
                     "sha256", v->sha256);
}

/* One section of a diff, at most `limit` entries (0: all). */
static json_t *changes_json(const lists_change *v, size_t n, long limit, int with_fields) {
    json_t *a = json_array();
    size_t shown = limit > 0 && (size_t)limit < n ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++) {
        json_t *j = json_pack("{s:s, s:s}", "entity_id", v[i].entity_id, "name", v[i].name);
        if (with_fields) {
            json_t *f = json_array();
            for (size_t k = 0; k < v[i].nfields; k++) {
                const lists_field_change *fc = &v[i].fields[k];
                const char *op = fc->op == '+' ? "added" : fc->op == '-' ? "removed" : "changed";
                json_array_append_new(f, json_pack("{s:s, s:s, s:s}", "field", fc->field, "change",
                                                   op, "value", fc->value));
            }
            json_object_set_new(j, "changes", f);
        }
        json_array_append_new(a, j);
    }
    return a;
}

static int lists_diff_get(http_ctx *ctx) {
    static const char *const allowed[] = {"limit", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    long limit;
    if ((rc = http_query_int(ctx, "limit", LISTS_DIFF_DEFAULT, 0, LISTS_DIFF_MAX, &limit)))
        return rc;
    const char *list = http_param(ctx, "name");
    lists_diff d;
    ph_err err = {0};
    if (lists_diff_latest(ctx->db, list, &d, &err)) return http_problem_from_err(ctx, &err);
    json_t *j = json_pack("{s:s}", "list", list);
    json_object_set_new(j, "from", version_json(&d.from));
    json_object_set_new(j, "to", version_json(&d.to));
    json_object_set_new(j, "added", changes_json(d.added, d.nadded, limit, 0));
    json_object_set_new(j, "removed", changes_json(d.removed, d.nremoved, limit, 0));
    json_object_set_new(j, "changed", changes_json(d.changed, d.nchanged, limit, 1));
    /* The full counts, so that a client knows when a section was cut. */
    json_object_set_new(j, "counts",
                        json_pack("{s:I, s:I, s:I}", "added", (json_int_t)d.nadded, "removed",
                                  (json_int_t)d.nremoved, "changed", (json_int_t)d.nchanged));
    json_object_set_new(j, "limit", json_integer(limit));
    lists_diff_free(&d);
    return http_reply_json(ctx, 200, j);
}

static const http_route list_routes[] = {
    {"GET", "/api/v1/lists", lists_versions_get, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "Sanctions and denied-party list versions, newest first (filter: list)"},
    {"GET", "/api/v1/lists/{name}/diff", lists_diff_get, HTTP_STAFF, HTTP_EXPORTERS_NO, 0,
     "What the newest version of a list added, removed and changed against the one before"},
};

int http_list_routes(http_router *r, ph_err *err) {
    return http_router_add(r, list_routes, sizeof list_routes / sizeof list_routes[0], err);
}
