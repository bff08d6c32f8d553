/* http: the parsers, the JSON field checks and the route table, without a socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static void test_target(void **state) {
    (void)state;
    char *path;
    const char *q;
    size_t qlen;
    ph_err err = {0};
    const char *t = "/api/v1/users/j%2Esmith?role=adviser&x=1";
    assert_int_equal(http_target_parse(t, strlen(t), &path, &q, &qlen, &err), PH_OK);
    assert_string_equal(path, "/api/v1/users/j.smith");
    assert_int_equal(qlen, strlen("role=adviser&x=1"));
    assert_memory_equal(q, "role=adviser&x=1", qlen);
    free(path);

    const char *bad[] = {"",     "api/v1", "/a%2Fb",  "/a%00b",  "/a%zz",      "/a%4",
                         "/a b", "/a\\b",  "/a#frag", "/%C0%AF", "/%ED%A0%80", "/%01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(http_target_parse(bad[i], strlen(bad[i]), &path, &q, &qlen, &err),
                             PH_OK);
        assert_null(path);
    }
    /* ".." is decoded, not refused here: the static file server refuses it. */
    assert_int_equal(http_target_parse("/%2e%2e/x", 9, &path, &q, &qlen, &err), PH_OK);
    assert_string_equal(path, "/../x");
    free(path);
    char *longest = malloc(HTTP_URI_MAX + 2);
    memset(longest, 'a', HTTP_URI_MAX + 1);
    longest[0] = '/';
    longest[HTTP_URI_MAX + 1] = '\0';
    assert_int_not_equal(http_target_parse(longest, HTTP_URI_MAX + 1, &path, &q, &qlen, &err),
                         PH_OK);
    assert_non_null(strstr(err.msg, "longer than"));
    assert_int_equal(http_target_parse(longest, HTTP_URI_MAX, &path, &q, &qlen, &err), PH_OK);
    free(path);
    free(longest);
}

static void test_query(void **state) {
    (void)state;
    http_query q;
    ph_err err = {0};
    const char *s = "role=case_officer&name=J%C3%B6rg+M&flag&&empty=";
    assert_int_equal(http_query_parse(s, strlen(s), &q, &err), PH_OK);
    assert_int_equal(q.count, 4);
    assert_string_equal(http_query_get(&q, "role"), "case_officer");
    assert_string_equal(http_query_get(&q, "name"), "J\xc3\xb6rg M");
    assert_string_equal(http_query_get(&q, "flag"), "");
    assert_string_equal(http_query_get(&q, "empty"), "");
    assert_null(http_query_get(&q, "other"));
    http_query_free(&q);

    const char *bad[] = {"a=1&a=2", "=x", "a=%zz", "a=%00", "a=%FF", "a=%0A"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(http_query_parse(bad[i], strlen(bad[i]), &q, &err), PH_OK);
        assert_int_equal(q.count, 0);
    }
    assert_non_null(strstr(err.msg, "control characters"));

    /* Caps: parameters and length. */
    ph_buf b;
    ph_buf_init(&b);
    for (int i = 0; i < HTTP_QUERY_MAX_PARAMS + 1; i++)
        ph_buf_printf(&b, "p%d=1&", i);
    assert_int_not_equal(http_query_parse(b.data, b.len, &q, &err), PH_OK);
    assert_non_null(strstr(err.msg, "more than 32"));
    ph_buf_reset(&b);
    ph_buf_puts(&b, "v=");
    for (int i = 0; i < HTTP_QUERY_VALUE_MAX + 1; i++)
        ph_buf_putc(&b, 'x');
    assert_int_not_equal(http_query_parse(b.data, b.len, &q, &err), PH_OK);
    assert_non_null(strstr(err.msg, "longer than"));
    ph_buf_free(&b);
}

static void test_headers(void **state) {
    (void)state;
    const char *v;
    size_t n;
    const char *cookies = "theme=dark; penholder_session=ph_abc; other=\"q\"";
    assert_true(http_cookie_find(cookies, strlen(cookies), "penholder_session", &v, &n));
    assert_int_equal(n, 6);
    assert_memory_equal(v, "ph_abc", 6);
    assert_true(http_cookie_find(cookies, strlen(cookies), "other", &v, &n));
    assert_memory_equal(v, "q", n);
    assert_false(http_cookie_find(cookies, strlen(cookies), "penholder", &v, &n));
    assert_false(http_cookie_find("xpenholder_session=1", 20, "penholder_session", &v, &n));

    assert_int_equal(http_bearer_parse("Bearer ph_a-b_c", 15, &v, &n), PH_OK);
    assert_memory_equal(v, "ph_a-b_c", n);
    assert_int_equal(http_bearer_parse("bearer   tok==  ", 16, &v, &n), PH_OK);
    assert_memory_equal(v, "tok==", n);
    assert_int_not_equal(http_bearer_parse("Basic dXNlcg==", 14, &v, &n), PH_OK);
    assert_int_not_equal(http_bearer_parse("Bearer", 6, &v, &n), PH_OK);
    assert_int_not_equal(http_bearer_parse("Bearer a b", 10, &v, &n), PH_OK);
    assert_int_not_equal(http_bearer_parse("Bearertok", 9, &v, &n), PH_OK);

    const char *etag = "\"abc\"";
    assert_int_equal(http_if_match("\"abc\"", 5, etag), HTTP_IF_MATCH_OK);
    assert_int_equal(http_if_match("\"x\", \"abc\"", 10, etag), HTTP_IF_MATCH_OK);
    assert_int_equal(http_if_match("*", 1, etag), HTTP_IF_MATCH_OK);
    assert_int_equal(http_if_match("\"abd\"", 5, etag), HTTP_IF_MATCH_STALE);
    assert_int_equal(http_if_match("W/\"abc\"", 7, etag),
                     HTTP_IF_MATCH_STALE); /* strong comparison */
    assert_int_equal(http_if_match("abc", 3, etag), HTTP_IF_MATCH_INVALID);
    assert_int_equal(http_if_match("\"abc", 4, etag), HTTP_IF_MATCH_INVALID);
    assert_int_equal(http_if_match("", 0, etag), HTTP_IF_MATCH_INVALID);

    assert_true(http_media_type_is("application/json", 16, "application/json"));
    assert_true(http_media_type_is("Application/JSON; charset=utf-8", 31, "application/json"));
    assert_false(http_media_type_is("application/jsonx", 17, "application/json"));
    assert_false(http_media_type_is("text/plain", 10, "application/json"));
}

static const http_field party_fields[] = {
    {.name = "name",
     .type = HTTP_JSON_STRING,
     .flags = HTTP_FIELD_REQUIRED,
     .min_len = 1,
     .max_len = 20},
    {.name = "country",
     .type = HTTP_JSON_STRING,
     .flags = HTTP_FIELD_REQUIRED,
     .min_len = 2,
     .max_len = 2},
};
static const http_schema party_schema = HTTP_SCHEMA(party_fields);
static const char *const kinds[] = {"SIEL", "OIEL", NULL};
static const http_field case_fields[] = {
    {.name = "type", .type = HTTP_JSON_STRING, .flags = HTTP_FIELD_REQUIRED, .one_of = kinds},
    {.name = "parties",
     .type = HTTP_JSON_ARRAY,
     .items = HTTP_JSON_OBJECT,
     .object = &party_schema,
     .max_len = 5},
    {.name = "quantity", .type = HTTP_JSON_INTEGER, .min_value = 1, .max_value = 1000},
    {.name = "note", .type = HTTP_JSON_STRING, .flags = HTTP_FIELD_NULLABLE},
    {.name = "end_user", .type = HTTP_JSON_OBJECT, .object = &party_schema},
};
static const http_schema case_schema = HTTP_SCHEMA(case_fields);

static size_t check(const char *text, http_field_errors *e) {
    ph_err err = {0};
    json_t *j = http_json_parse(text, strlen(text), &err);
    assert_non_null(j);
    size_t n = http_json_check(j, &case_schema, e);
    json_decref(j);
    return n;
}

static void test_json_check(void **state) {
    (void)state;
    http_field_errors e;
    assert_int_equal(
        check("{\"type\": \"SIEL\", \"parties\": [{\"name\": \"A\", \"country\": \"IL\"}],"
              " \"quantity\": 3, \"note\": null}",
              &e),
        0);
    assert_int_equal(
        check("{\"type\": \"SIEL\", \"parties\": [{\"name\": \"A\", \"country\": \"IL\"},"
              " {\"name\": \"B\", \"country\": \"ISR\"}]}",
              &e),
        1);
    assert_string_equal(e.e[0].path, "parties[1].country");
    assert_non_null(strstr(e.e[0].detail, "longer than 2"));

    assert_int_equal(check("{\"type\": \"SIEL\", \"colour\": 1}", &e), 1);
    assert_string_equal(e.e[0].path, "colour");
    assert_string_equal(e.e[0].detail, "unknown field");
    assert_int_equal(
        check(
            "{\"type\": \"SIEL\", \"end_user\": {\"name\": \"X\", \"country\": \"IL\", \"x\": 1}}",
            &e),
        1);
    assert_string_equal(e.e[0].path, "end_user.x");
    assert_int_equal(check("{}", &e), 1);
    assert_string_equal(e.e[0].path, "type");
    assert_string_equal(e.e[0].detail, "required");
    assert_int_equal(check("{\"type\": \"XYZ\"}", &e), 1);
    assert_non_null(strstr(e.e[0].detail, "SIEL, OIEL"));
    assert_int_equal(check("{\"type\": 5, \"quantity\": 0, \"note\": 1.5}", &e), 3);
    assert_string_equal(e.e[0].path, "type");
    assert_string_equal(e.e[0].detail, "expected a string, found an integer");
    assert_string_equal(e.e[1].path, "quantity");
    assert_string_equal(e.e[2].path, "note");
    assert_int_equal(check("{\"type\": \"SIEL\", \"parties\": [1, 2, 3, 4, 5, 6]}", &e), 1);
    assert_non_null(strstr(e.e[0].detail, "more than 5 items"));
    assert_int_equal(check("{\"type\": \"SIEL\", \"note\": \"a\\u0007b\"}", &e), 1);
    assert_non_null(strstr(e.e[0].detail, "control"));
    assert_int_equal(check("[1]", &e), 1);
    assert_string_equal(e.e[0].path, "");

    /* Many problems: counted, the first ones kept. */
    ph_buf b;
    ph_buf_init(&b);
    ph_buf_puts(&b, "{\"type\": \"SIEL\"");
    for (int i = 0; i < 40; i++)
        ph_buf_printf(&b, ", \"u%d\": 1", i);
    ph_buf_puts(&b, "}");
    assert_int_equal(check(b.data, &e), 40);
    assert_string_equal(e.e[0].path, "u0");
    ph_buf_free(&b);

    ph_err err = {0};
    assert_null(http_json_parse("{\"a\": 1, \"a\": 2}", 16, &err));
    assert_non_null(strstr(err.msg, "duplicate"));
    assert_null(http_json_parse("{\"a\": ", 6, &err));
    assert_non_null(strstr(err.msg, "line 1"));
}

static int dummy(http_ctx *ctx) {
    return http_reply_empty(ctx, 204);
}

static void test_router(void **state) {
    (void)state;
    static const http_route routes[] = {
        {"GET", "/api/v1/cases", dummy, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0, "list"},
        {"GET", "/api/v1/cases/{id}", dummy, HTTP_STAFF, HTTP_EXPORTERS_OWN_ORG, 0, "read"},
        {"POST", "/api/v1/cases/{id}/advice/{team}", dummy, HTTP_ROLE(ADVISER), HTTP_EXPORTERS_NO,
         0, "advise"},
        {"GET", "/api/v1/health", dummy, HTTP_PUBLIC, HTTP_EXPORTERS_NO, 0, "health"},
    };
    http_router *r = http_router_new();
    ph_err err = {0};
    assert_int_equal(http_router_add(r, routes, 4, &err), PH_OK);
    assert_int_equal(http_router_count(r), 4);
    const http_route *rt;
    http_params p;
    char allow[64];
    assert_int_equal(
        http_router_match(r, "POST", "/api/v1/cases/12/advice/fcdo", &rt, &p, allow, sizeof allow),
        HTTP_MATCH_OK);
    assert_ptr_equal(rt, &routes[2]);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.values[0], "12");
    assert_string_equal(p.values[1], "fcdo");
    http_params_free(&p);
    assert_int_equal(http_router_match(r, "HEAD", "/api/v1/cases/7", &rt, &p, allow, sizeof allow),
                     HTTP_MATCH_OK);
    http_params_free(&p);
    assert_int_equal(
        http_router_match(r, "DELETE", "/api/v1/cases/7", &rt, &p, allow, sizeof allow),
        HTTP_MATCH_NO_METHOD);
    assert_string_equal(allow, "GET, HEAD");
    assert_int_equal(http_router_match(r, "GET", "/api/v1/cases/", &rt, &p, allow, sizeof allow),
                     HTTP_MATCH_NO_PATH);
    assert_int_equal(http_router_match(r, "GET", "/api/v1/cases/7/x", &rt, &p, allow, sizeof allow),
                     HTTP_MATCH_NO_PATH);
    assert_int_equal(http_router_match(r, "GET", "/api/v1/case", &rt, &p, allow, sizeof allow),
                     HTTP_MATCH_NO_PATH);

    assert_true(http_route_allows(&routes[0], AUTH_ROLE_EXPORTER));
    assert_true(http_route_allows(&routes[0], AUTH_ROLE_AUDITOR));
    assert_false(http_route_allows(&routes[2], AUTH_ROLE_EXPORTER));
    assert_false(http_route_allows(&routes[2], AUTH_ROLE_ADMIN));
    assert_true(http_route_allows(&routes[2], AUTH_ROLE_ADVISER));
    assert_true(http_route_allows(&routes[3], AUTH_ROLE_EXPORTER));
    char roles[256];
    http_route_roles_text(&routes[2], roles, sizeof roles);
    assert_string_equal(roles, "adviser");
    http_route_roles_text(&routes[3], roles, sizeof roles);
    assert_string_equal(roles, "public");

    /* What the table refuses. */
    static const http_route clash[] = {
        {"GET", "/api/v1/cases/{ref}", dummy, HTTP_STAFF, 0, 0, "x"}};
    assert_int_not_equal(http_router_add(r, clash, 1, &err), PH_OK);
    assert_non_null(strstr(err.msg, "clashes"));
    static const http_route exporter_bit[] = {
        {"GET", "/api/v1/x", dummy, HTTP_ROLE(EXPORTER), 0, 0, "x"}};
    assert_int_not_equal(http_router_add(r, exporter_bit, 1, &err), PH_OK);
    assert_non_null(strstr(err.msg, "HTTP_EXPORTERS_OWN_ORG"));
    static const http_route nobody[] = {{"GET", "/api/v1/x", dummy, 0, 0, 0, "x"}};
    assert_int_not_equal(http_router_add(r, nobody, 1, &err), PH_OK);
    static const http_route bad_pattern[] = {{"GET", "/api/v1//x", dummy, HTTP_STAFF, 0, 0, "x"},
                                             {"GET", "/api/v1/{Id}", dummy, HTTP_STAFF, 0, 0, "x"},
                                             {"FETCH", "/api/v1/y", dummy, HTTP_STAFF, 0, 0, "x"}};
    for (int i = 0; i < 3; i++)
        assert_int_not_equal(http_router_add(r, &bad_pattern[i], 1, &err), PH_OK);
    assert_int_equal(http_router_count(r), 4);
    http_router_free(r);

    /* The real table registers without clashes. */
    r = http_router_new();
    assert_int_equal(http_routes_register(r, &err), PH_OK);
    assert_true(http_router_count(r) >= 9);
    http_router_free(r);
}

static void test_etag(void **state) {
    (void)state;
    char a[HTTP_ETAG_MAX], b[HTTP_ETAG_MAX], c[HTTP_ETAG_MAX];
    http_etag("abc", 3, a);
    http_etag("abc", 3, b);
    http_etag("abd", 3, c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 34);
    assert_int_equal(a[0], '"');
    assert_int_equal(http_if_match(a, strlen(a), a), HTTP_IF_MATCH_OK);
}

static void test_audiences(void **state) {
    (void)state;
    http_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    assert_false(http_is_staff(&ctx));
    assert_int_equal(http_org_scope(&ctx), -1);
    assert_string_equal(http_actor(&ctx), "anonymous");
    auth_user u;
    memset(&u, 0, sizeof u);
    ph_strlcpy(u.name, "exa", sizeof u.name);
    u.role = AUTH_ROLE_EXPORTER;
    u.organisation_id = 7;
    ctx.user = &u;
    assert_false(http_is_staff(&ctx));
    assert_int_equal(http_org_scope(&ctx), 7);
    assert_string_equal(http_actor(&ctx), "exa");
    u.role = AUTH_ROLE_CASE_OFFICER;
    u.organisation_id = 0;
    assert_true(http_is_staff(&ctx));
    assert_int_equal(http_org_scope(&ctx), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target),    cmocka_unit_test(test_query),
        cmocka_unit_test(test_headers),   cmocka_unit_test(test_json_check),
        cmocka_unit_test(test_router),    cmocka_unit_test(test_etag),
        cmocka_unit_test(test_audiences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
