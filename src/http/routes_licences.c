/* Licences over HTTP: the register as staff read it (every licence), as an
 * exporter reads it (only the licences issued on its organisation's
 * applications, through a serialiser written for exporters), and the status
 * changes of the licence workflow made by people: suspension, reinstatement,
 * revocation and exhaustion by staff, surrender by the exporter. Expiry is
 * penholder's own (`penholder licences expire`).
 *
 * A status change runs register_licence_change_status inside the request's
 * transaction (the server begins it for writes), so the If-Match check, the
 * change and its audit entry commit together or not at all.
 *
 * References appear in paths as they are (CAAT-000001) or with dashes for
 * slashes (GBSIEL-2026-0000123-P): the exact reference is tried first. */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "register/register.h"
#include "workflow/workflow.h"

#define LICENCE_LIST_DEFAULT 50
#define LICENCE_LIST_MAX 500
#define LICENCE_OFFSET_MAX 100000000L
#define LICENCE_REASON_MAX 4000
#define LICENCE_CRITERIA_MAX 16
#define LICENCE_EVENTS_MAX 16

static int64_t whole_pounds(int64_t pence) {
    return (pence + 50) / 100;
}

static json_t *text_or_null(const char *s) {
    return s && *s ? json_string(s) : json_null();
}

/* ---- the two views ---- */

/* What staff see: the fields of `penholder licences show --json`, in its
 * order, then the application it was issued on. */
static json_t *licence_json_staff(const register_licence *l) {
    json_t *j = json_object();
    json_object_set_new(j, "reference", json_string(l->reference));
    json_object_set_new(j, "type", json_string(l->type));
    json_object_set_new(j, "issued_on", json_string(l->issued_on));
    json_object_set_new(j, "expires_on", text_or_null(l->expires_on));
    json_object_set_new(j, "destination", text_or_null(l->destination));
    json_object_set_new(j, "destination_name", json_string(l->destination_name));
    json_object_set_new(j, "end_user", text_or_null(l->end_user));
    json_object_set_new(j, "end_user_type", text_or_null(l->end_user_type));
    json_object_set_new(j, "end_use", text_or_null(l->end_use));
    json_object_set_new(j, "ratings", json_string(l->ratings));
    json_object_set_new(j, "outcome", json_string(l->outcome));
    json_object_set_new(j, "status", json_string(l->status));
    json_object_set_new(j, "criteria", json_string(l->criteria));
    json_object_set_new(j, "tags", json_string(l->tags));
    json_object_set_new(j, "value_gbp", json_integer(whole_pounds(l->value_pence)));
    json_object_set_new(j, "application", text_or_null(l->application));
    return j;
}

static json_t *lines_json_staff(const register_line *lines, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const register_line *x = &lines[i];
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(x->line_no));
        json_object_set_new(o, "rating", json_string(x->rating));
        json_object_set_new(o, "known_rating", json_boolean(x->known_rating));
        json_object_set_new(o, "goods_summary", text_or_null(x->goods_summary));
        json_object_set_new(o, "quantity",
                            x->quantity < 0 ? json_null() : json_integer(x->quantity));
        json_object_set_new(o, "value_gbp",
                            x->value_pence < 0 ? json_null()
                                               : json_integer(whole_pounds(x->value_pence)));
        json_array_append_new(a, o);
    }
    return a;
}

/* What an exporter sees of its own licence, field by field: no refusal
 * criteria from the register, no internal tags (review carve-outs), no
 * end-user classification, no control-list bookkeeping. */
static json_t *licence_json_exporter(const register_licence *l) {
    json_t *j = json_object();
    json_object_set_new(j, "reference", json_string(l->reference));
    json_object_set_new(j, "type", json_string(l->type));
    json_object_set_new(j, "application", text_or_null(l->application));
    json_object_set_new(j, "issued_on", json_string(l->issued_on));
    json_object_set_new(j, "expires_on", text_or_null(l->expires_on));
    json_object_set_new(j, "destination", text_or_null(l->destination));
    json_object_set_new(j, "destination_name", json_string(l->destination_name));
    json_object_set_new(j, "end_user", text_or_null(l->end_user));
    json_object_set_new(j, "end_use", text_or_null(l->end_use));
    json_object_set_new(j, "status", json_string(l->status));
    json_object_set_new(j, "value_gbp", json_integer(whole_pounds(l->value_pence)));
    return j;
}

static json_t *lines_json_exporter(const register_line *lines, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const register_line *x = &lines[i];
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(x->line_no));
        json_object_set_new(o, "rating", json_string(x->rating));
        json_object_set_new(o, "goods_summary", text_or_null(x->goods_summary));
        json_object_set_new(o, "quantity",
                            x->quantity < 0 ? json_null() : json_integer(x->quantity));
        json_object_set_new(o, "value_gbp",
                            x->value_pence < 0 ? json_null()
                                               : json_integer(whole_pounds(x->value_pence)));
        json_array_append_new(a, o);
    }
    return a;
}

/* The status changes served here, in the order of the route table (the
 * workflow's expiry is made by `penholder licences expire`). */
static const char *const served_events[] = {"suspend", "reinstate", "revoke", "surrender",
                                            "exhaust"};

/* The changes the caller's role may make from a status through this API,
 * as a JSON array. */
static json_t *allowed_events_json(const char *status, const http_ctx *ctx) {
    const char *events[LICENCE_EVENTS_MAX];
    size_t n = wf_allowed_events(&wf_licence, status, auth_role_name(ctx->user->role), events,
                                 LICENCE_EVENTS_MAX);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof served_events / sizeof served_events[0]; k++)
            if (strcmp(events[i], served_events[k]) == 0)
                json_array_append_new(a, json_string(events[i]));
    return a;
}

/* ---- finding a licence the caller may see ---- */

typedef struct found_licence {
    register_licence licence;
    register_line *lines;
    size_t nlines;
} found_licence;

static void found_free(found_licence *f) {
    register_licences_free_one(&f->licence);
    register_lines_free(f->lines, f->nlines);
    f->lines = NULL;
    f->nlines = 0;
}

/* The licence named by the path's {ref}: as written, else with dashes read
 * as slashes. An exporter's search is limited to its organisation, and
 * another organisation's licence is not found (404, not 403). Returns 0, or
 * the status replied. */
static int find_licence(http_ctx *ctx, found_licence *f) {
    memset(f, 0, sizeof *f);
    const char *raw = http_param(ctx, "ref");
    ph_err err = {0};
    int rc = register_get(ctx->db, raw, &f->licence, &f->lines, &f->nlines, &err);
    if (rc == PH_ENOTFOUND && strchr(raw, '-')) {
        char *slashed = ph_strdup(raw);
        for (char *p = slashed; *p; p++)
            if (*p == '-') *p = '/';
        ph_err_clear(&err);
        rc = register_get(ctx->db, slashed, &f->licence, &f->lines, &f->nlines, &err);
        free(slashed);
    }
    if (rc == PH_OK && !http_is_staff(ctx) &&
        strcmp(f->licence.organisation, ctx->user->organisation) != 0) {
        found_free(f);
        rc = PH_ENOTFOUND;
    }
    if (rc == PH_ENOTFOUND) return http_problem(ctx, 404, "not-found", "no licence '%.100s'", raw);
    if (rc) return http_problem_from_err(ctx, &err);
    return 0;
}

/* A strong ETag over the licence's audited state (its row, lines, criteria
 * and every status change, so that suspended -> reinstated -> suspended is
 * a new version) and the view it is sent in. */
static int licence_etag(http_ctx *ctx, const char *reference, char out[HTTP_ETAG_MAX]) {
    ph_buf state;
    ph_buf_init(&state);
    ph_err err = {0};
    int rc = register_licence_state(ctx->db, reference, &state, &err);
    if (rc) {
        ph_buf_free(&state);
        return http_problem_from_err(ctx, &err);
    }
    ph_buf_puts(&state, http_is_staff(ctx) ? "staff" : "exporter");
    http_etag(state.data, state.len, out);
    ph_buf_free(&state);
    return 0;
}

static json_t *licence_view(http_ctx *ctx, const found_licence *f) {
    json_t *j;
    if (http_is_staff(ctx)) {
        j = licence_json_staff(&f->licence);
        json_object_set_new(j, "lines", lines_json_staff(f->lines, f->nlines));
        json_object_set_new(j, "allowed_events", allowed_events_json(f->licence.status, ctx));
    } else {
        j = licence_json_exporter(&f->licence);
        json_object_set_new(j, "lines", lines_json_exporter(f->lines, f->nlines));
    }
    return j;
}

/* ---- handlers ---- */

static int licences_list(http_ctx *ctx) {
    static const char *const allowed[] = {"destination", "rating", "from",   "to", "outcome",
                                          "status",      "limit",  "offset", NULL};
    int rc = http_query_check(ctx, allowed);
    if (rc) return rc;
    long limit, offset;
    if ((rc = http_query_int(ctx, "limit", LICENCE_LIST_DEFAULT, 1, LICENCE_LIST_MAX, &limit)) ||
        (rc = http_query_int(ctx, "offset", 0, 0, LICENCE_OFFSET_MAX, &offset)))
        return rc;
    register_filter f = {0};
    f.destination = http_query_get(&ctx->query, "destination");
    f.rating = http_query_get(&ctx->query, "rating");
    f.from = http_query_get(&ctx->query, "from");
    f.to = http_query_get(&ctx->query, "to");
    f.outcome = http_query_get(&ctx->query, "outcome");
    f.status = http_query_get(&ctx->query, "status");
    f.limit = limit;
    f.offset = offset;
    if (!http_is_staff(ctx)) f.organisation = ctx->user->organisation;
    int32_t day;
    if (f.from && ph_date_parse(f.from, &day))
        return http_problem(ctx, 400, "query", "from must be a date YYYY-MM-DD, not '%.40s'",
                            f.from);
    if (f.to && ph_date_parse(f.to, &day))
        return http_problem(ctx, 400, "query", "to must be a date YYYY-MM-DD, not '%.40s'", f.to);
    register_licence *v;
    size_t n;
    ph_err err = {0};
    if ((rc = register_list(ctx->db, &f, &v, &n, &err))) {
        if (rc == PH_ENOTFOUND || rc == PH_EUSAGE)
            return http_problem(ctx, 400, "query", "%s", err.msg);
        return http_problem_from_err(ctx, &err);
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, http_is_staff(ctx) ? licence_json_staff(&v[i])
                                                       : licence_json_exporter(&v[i]));
    register_licences_free(v, n);
    return http_reply_json(ctx, 200,
                           json_pack("{s:o, s:I, s:I}", "licences", list, "limit",
                                     (json_int_t)limit, "offset", (json_int_t)offset));
}

static int licence_get(http_ctx *ctx) {
    int rc = http_query_check(ctx, NULL);
    if (rc) return rc;
    found_licence f;
    if ((rc = find_licence(ctx, &f))) return rc;
    char etag[HTTP_ETAG_MAX];
    if ((rc = licence_etag(ctx, f.licence.reference, etag))) {
        found_free(&f);
        return rc;
    }
    http_header(ctx, "ETag", etag);
    json_t *view = licence_view(ctx, &f);
    found_free(&f);
    return http_reply_json(ctx, 200, view);
}

/* Whether the workflow's guard for an event asks for criteria (suspension
 * and revocation do, reinstatement does not). */
static int event_needs_criteria(const char *event) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (strcmp(t->event, event) == 0 && t->guard && strstr(t->guard, "criteria")) return 1;
    }
    return 0;
}

/* 409 for a transition the workflow forbids: the problem names the
 * licence's status and the events the caller's role may fire from it. */
static int transition_refused(http_ctx *ctx, const char *status, const char *detail) {
    return http_problem_transition(ctx, "conflict", detail, "licence_status", status,
                                   allowed_events_json(status, ctx));
}

static const http_field change_fields[] = {
    {.name = "reason",
     .type = HTTP_JSON_STRING,
     .flags = HTTP_FIELD_REQUIRED,
     .min_len = 1,
     .max_len = LICENCE_REASON_MAX},
    {.name = "criteria",
     .type = HTTP_JSON_ARRAY,
     .max_len = LICENCE_CRITERIA_MAX,
     .items = HTTP_JSON_STRING},
};
static const http_schema change_schema = HTTP_SCHEMA(change_fields);

/* "criteria": ["1a", "2c"] -> "1a, 2c"; "" when absent or empty. */
static void criteria_text(const json_t *body, ph_buf *out) {
    const json_t *v = json_object_get(body, "criteria");
    size_t i;
    const json_t *c;
    json_array_foreach(v, i, c) {
        if (out->len) ph_buf_puts(out, ", ");
        ph_buf_puts(out, json_string_value(c));
    }
}

/* The change as staff see it: the transition, the criteria and the audit
 * entry it made. */
static json_t *change_json_staff(http_ctx *ctx, const char *reference, const char *event,
                                 const register_status_result *r) {
    char leaf[2 * AUDIT_HASH_BYTES + 1], root[2 * AUDIT_HASH_BYTES + 1],
        state[2 * AUDIT_HASH_BYTES + 1];
    ph_hex(r->audit.leaf_hash, AUDIT_HASH_BYTES, leaf);
    ph_hex(r->audit.root_hash, AUDIT_HASH_BYTES, root);
    ph_hex(r->audit.state_sha256, AUDIT_HASH_BYTES, state);
    json_t *change =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "reference", reference, "event",
                  event, "from", r->from, "to", r->to, "criteria", r->criteria, "criteria_version",
                  r->criteria_version, "actor", http_actor(ctx), "time", r->audit.time);
    json_object_set_new(change, "audit",
                        json_pack("{s:I, s:I, s:s, s:s, s:s}", "sequence", (json_int_t)r->audit.seq,
                                  "tree_size", (json_int_t)r->audit.tree_size, "leaf_hash", leaf,
                                  "root_hash", root, "state_sha256", state));
    return change;
}

/* The change as the exporter who made it sees it: the transition and when,
 * field by field; the audit log is for auditors. */
static json_t *change_json_exporter(const char *reference, const char *event,
                                    const register_status_result *r) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "reference", reference, "event", event, "from",
                     r->from, "to", r->to, "time", r->audit.time);
}

static int change_status(http_ctx *ctx, const char *event) {
    int rc = http_body_check(ctx, &change_schema);
    if (rc) return rc;
    ph_buf criteria;
    ph_buf_init(&criteria);
    criteria_text(ctx->body, &criteria);
    if (event_needs_criteria(event) && criteria.len == 0) {
        ph_buf_free(&criteria);
        return http_problem_field(
            ctx, "criteria", "required to %s a licence: the criteria cited, e.g. [\"2c\"]", event);
    }
    found_licence f;
    if ((rc = find_licence(ctx, &f))) {
        ph_buf_free(&criteria);
        return rc;
    }
    char etag[HTTP_ETAG_MAX];
    if (!(rc = licence_etag(ctx, f.licence.reference, etag)))
        rc = http_if_match_check(ctx, etag, 0);
    if (rc) {
        found_free(&f);
        ph_buf_free(&criteria);
        return rc;
    }
    char *reference = ph_strdup(f.licence.reference);
    char *status = ph_strdup(f.licence.status);
    found_free(&f);
    register_status_change ch = {.reference = reference,
                                 .event = event,
                                 .reason = json_string_value(json_object_get(ctx->body, "reason")),
                                 .criteria = criteria.data ? criteria.data : "",
                                 .actor = http_actor(ctx),
                                 .role = auth_role_name(ctx->user->role),
                                 .organisation =
                                     http_is_staff(ctx) ? NULL : ctx->user->organisation};
    register_status_result r;
    ph_err err = {0};
    rc = register_licence_change_status(ctx->db, &ch, &r, &err);
    ph_buf_free(&criteria);
    if (rc == PH_ENOTFOUND)
        rc = http_problem(ctx, 404, "not-found", "no licence '%.100s'", http_param(ctx, "ref"));
    else if (rc == PH_ECONFLICT)
        rc = transition_refused(ctx, status, err.msg);
    else if (rc == PH_EUSAGE)
        rc = http_problem_field(ctx, strstr(err.msg, "criteri") ? "criteria" : "reason", "%s",
                                err.msg);
    else if (rc)
        rc = http_problem_from_err(ctx, &err);
    free(status);
    if (rc) {
        free(reference);
        return rc;
    }
    /* The licence as changed, with the change and its audit entry. */
    found_licence after;
    memset(&after, 0, sizeof after);
    rc = register_get(ctx->db, reference, &after.licence, &after.lines, &after.nlines, &err);
    if (!rc)
        rc = licence_etag(ctx, reference, etag);
    else
        rc = http_problem_from_err(ctx, &err);
    if (rc) {
        free(reference);
        found_free(&after);
        return rc;
    }
    http_header(ctx, "ETag", etag);
    json_t *view = licence_view(ctx, &after);
    found_free(&after);
    json_object_set_new(view, "change",
                        http_is_staff(ctx) ? change_json_staff(ctx, reference, event, &r)
                                           : change_json_exporter(reference, event, &r));
    free(reference);
    return http_reply_json(ctx, 200, view);
}

static int licence_suspend(http_ctx *ctx) {
    return change_status(ctx, "suspend");
}
static int licence_reinstate(http_ctx *ctx) {
    return change_status(ctx, "reinstate");
}
static int licence_revoke(http_ctx *ctx) {
    return change_status(ctx, "revoke");
}
static int licence_surrender(http_ctx *ctx) {
    return change_status(ctx, "surrender");
}
static int licence_exhaust(http_ctx *ctx) {
    return change_status(ctx, "exhaust");
}

/* Roles are filled in from the licence workflow when the routes are added,
 * so that the table the server enforces and docs/workflow.md cannot differ. */
static http_route licence_routes[] = {
    {"GET", "/api/v1/licences", licences_list, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "List licences (filters: destination, rating, from, to, outcome, status; limit, offset)"},
    {"GET", "/api/v1/licences/{ref}", licence_get, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0,
     "Read a licence with its goods lines (staff or exporter view, with its ETag)"},
    {"POST", "/api/v1/licences/{ref}/suspend", licence_suspend, 0, HTTP_EXPORTERS_NO, 0,
     "Suspend a licence, with a reason and the criteria cited"},
    {"POST", "/api/v1/licences/{ref}/reinstate", licence_reinstate, 0, HTTP_EXPORTERS_NO, 0,
     "Reinstate a suspended licence, with a reason"},
    {"POST", "/api/v1/licences/{ref}/revoke", licence_revoke, 0, HTTP_EXPORTERS_NO, 0,
     "Revoke a licence, with a reason and the criteria cited"},
    {"POST", "/api/v1/licences/{ref}/surrender", licence_surrender, 0, HTTP_EXPORTERS_NO, 0,
     "Surrender your organisation's licence, with a reason"},
    {"POST", "/api/v1/licences/{ref}/exhaust", licence_exhaust, 0, HTTP_EXPORTERS_NO, 0,
     "Record that a licence's quantity is used up, with a reason"},
};

/* The staff roles the licence workflow lets fire `event` from any state
 * ("system" and exporters are not staff roles of a route). */
static unsigned workflow_roles(const char *event) {
    unsigned roles = 0;
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (strcmp(t->event, event) != 0) continue;
        for (int r = 0; r < AUTH_ROLE_COUNT; r++)
            if (r != AUTH_ROLE_EXPORTER && wf_role_allowed(t, auth_role_name((auth_role)r)))
                roles |= 1u << r;
    }
    return roles;
}

/* Exporters may call the route of an event the workflow gives them (their
 * own organisation's licences only: find_licence and the engine see to it). */
static http_exporters workflow_exporters(const char *event) {
    for (size_t i = 0; i < wf_licence.ntransitions; i++) {
        const wf_transition *t = &wf_licence.transitions[i];
        if (strcmp(t->event, event) == 0 && wf_role_allowed(t, auth_role_name(AUTH_ROLE_EXPORTER)))
            return HTTP_EXPORTERS_OWN_ORG;
    }
    return HTTP_EXPORTERS_NO;
}

/* The routes that change a status follow the two reads, in the order of
 * served_events. */
#define LICENCE_READ_ROUTES 2

int http_licence_routes(http_router *r, ph_err *err) {
    size_t nroutes = sizeof licence_routes / sizeof licence_routes[0];
    size_t nevents = sizeof served_events / sizeof served_events[0];
    if (nroutes != LICENCE_READ_ROUTES + nevents)
        return ph_fail(err, PH_ERR, "internal: %zu licence routes for %zu status changes", nroutes,
                       nevents);
    for (size_t i = 0; i < nevents; i++) {
        http_route *route = &licence_routes[LICENCE_READ_ROUTES + i];
        char want[64];
        snprintf(want, sizeof want, "/api/v1/licences/{ref}/%s", served_events[i]);
        if (strcmp(route->pattern, want) != 0)
            return ph_fail(err, PH_ERR, "internal: route %s is not the route of %s", route->pattern,
                           served_events[i]);
        route->roles = workflow_roles(served_events[i]);
        route->exporters = workflow_exporters(served_events[i]);
    }
    return http_router_add(r, licence_routes, nroutes, err);
}
