/* The route table: method and path pattern to handler, with the roles that
 * may call it. Matching is by whole segments; a {param} takes one segment. */
#include "http.h"

#include <stdlib.h>
#include <string.h>

struct http_router {
    const http_route **routes;
    size_t count, cap;
};

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

http_router *http_router_new(void) {
    return ph_calloc(1, sizeof(http_router));
}

void http_router_free(http_router *r) {
    if (!r) return;
    free(r->routes);
    free(r);
}

size_t http_router_count(const http_router *r) {
    return r->count;
}

const http_route *http_router_route(const http_router *r, size_t i) {
    return i < r->count ? r->routes[i] : NULL;
}

void http_params_free(http_params *p) {
    for (size_t i = 0; i < p->count; i++)
        free(p->values[i]);
    p->count = 0;
}

/* Checks a pattern: "/seg/{param}/seg", no empty segments, params named
 * with [a-z_]. Returns the number of params, or -1. */
static int pattern_params(const char *pattern) {
    if (pattern[0] != '/') return -1;
    int params = 0;
    const char *p = pattern + 1;
    if (*p == '\0') return 0;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0) return -1;
        if (p[0] == '{') {
            if (n < 3 || p[n - 1] != '}') return -1;
            for (size_t i = 1; i + 1 < n; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_')) return -1;
            params++;
        } else {
            for (size_t i = 0; i < n; i++)
                if (p[i] == '{' || p[i] == '}') return -1;
        }
        if (!end) break;
        p = end + 1;
    }
    return params;
}

/* Two patterns clash when every segment pair could match the same path. */
static int patterns_clash(const char *a, const char *b) {
    for (;;) {
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
        int pa = na && a[0] == '{', pb = nb && b[0] == '{';
        if (!pa && !pb && (na != nb || memcmp(a, b, na) != 0)) return 0;
        if (!ea || !eb) return !ea && !eb;
        a = ea + 1;
        b = eb + 1;
    }
}

int http_router_add(http_router *r, const http_route *routes, size_t n, ph_err *err) {
    for (size_t i = 0; i < n; i++) {
        const http_route *rt = &routes[i];
        const char *pat = rt->pattern ? rt->pattern : "(null)";
        int known = 0;
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
            if (rt->method && strcmp(rt->method, methods[m]) == 0) known = 1;
        if (!known)
            return ph_fail(err, PH_EUSAGE, "route %s: unknown method '%s'", pat,
                           rt->method ? rt->method : "(null)");
        int params = rt->pattern ? pattern_params(rt->pattern) : -1;
        if (params < 0 || params > HTTP_MAX_PARAMS)
            return ph_fail(err, PH_EUSAGE, "route %s %s: malformed pattern", rt->method, pat);
        if (!rt->handler)
            return ph_fail(err, PH_EUSAGE, "route %s %s: no handler", rt->method, pat);
        if (!rt->summary || !*rt->summary)
            return ph_fail(err, PH_EUSAGE, "route %s %s: no summary", rt->method, pat);
        if (rt->roles & HTTP_ROLE(EXPORTER))
            return ph_fail(
                err, PH_EUSAGE,
                "route %s %s: open it to exporters with HTTP_EXPORTERS_OWN_ORG, not a role bit",
                rt->method, pat);
        if (rt->roles == 0 && rt->exporters == HTTP_EXPORTERS_NO)
            return ph_fail(err, PH_EUSAGE, "route %s %s: nobody may call it", rt->method, pat);
        if ((rt->roles & HTTP_PUBLIC) && (rt->roles & ~HTTP_PUBLIC))
            return ph_fail(err, PH_EUSAGE, "route %s %s: public routes name no roles", rt->method,
                           pat);
        for (size_t k = 0; k < r->count; k++)
            if (strcmp(r->routes[k]->method, rt->method) == 0 &&
                patterns_clash(r->routes[k]->pattern, rt->pattern))
                return ph_fail(err, PH_EUSAGE, "route %s %s clashes with %s", rt->method, pat,
                               r->routes[k]->pattern);
        r->routes = ph_grow(r->routes, &r->cap, r->count + 1, sizeof *r->routes);
        r->routes[r->count++] = rt;
    }
    return PH_OK;
}

/* Matches a pattern against a path; fills params when given. */
static int pattern_match(const char *pattern, const char *path, http_params *params) {
    if (params) params->count = 0;
    const char *a = pattern, *b = path;
    for (;;) {
        if (*a != '/' || *b != '/') goto no;
        a++;
        b++;
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
        if (na && a[0] == '{') {
            if (nb == 0) goto no;
            if (params) {
                params->names[params->count] = a + 1; /* up to the '}' */
                params->values[params->count] = ph_strndup(b, nb);
                params->count++;
            }
        } else if (na != nb || memcmp(a, b, na) != 0) {
            goto no;
        }
        if (!ea || !eb) {
            if (!ea && !eb) return 1;
            goto no;
        }
        a = ea;
        b = eb;
    }
no:
    if (params) http_params_free(params);
    return 0;
}

int http_router_match(const http_router *r, const char *method, const char *path,
                      const http_route **route, http_params *params, char *allow,
                      size_t allow_size) {
    *route = NULL;
    params->count = 0;
    if (allow_size) allow[0] = '\0';
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    int path_known = 0;
    size_t used = 0;
    for (size_t i = 0; i < r->count; i++) {
        const http_route *rt = r->routes[i];
        if (!pattern_match(rt->pattern, path, NULL)) continue;
        if (strcmp(rt->method, want) == 0) {
            pattern_match(rt->pattern, path, params);
            *route = rt;
            return HTTP_MATCH_OK;
        }
        path_known = 1;
        if (used < allow_size) {
            int w = snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "", rt->method);
            if (w > 0) used += (size_t)w;
            if (strcmp(rt->method, "GET") == 0 && used < allow_size) {
                w = snprintf(allow + used, allow_size - used, ", HEAD");
                if (w > 0) used += (size_t)w;
            }
        }
    }
    return path_known ? HTTP_MATCH_NO_METHOD : HTTP_MATCH_NO_PATH;
}

int http_route_allows(const http_route *route, auth_role role) {
    if (route->roles & HTTP_PUBLIC) return 1;
    if (role == AUTH_ROLE_EXPORTER) return route->exporters == HTTP_EXPORTERS_OWN_ORG;
    return (route->roles & (1u << role)) != 0;
}

void http_route_roles_text(const http_route *route, char *out, size_t size) {
    if (size == 0) return;
    out[0] = '\0';
    if (route->roles & HTTP_PUBLIC) {
        ph_strlcpy(out, "public", size);
        return;
    }
    size_t used = 0;
    for (int r = 0; r < AUTH_ROLE_COUNT && used < size; r++) {
        if (!http_route_allows(route, (auth_role)r)) continue;
        int w = snprintf(out + used, size - used, "%s%s", used ? "," : "",
                         auth_role_name((auth_role)r));
        if (w > 0) used += (size_t)w;
    }
}
