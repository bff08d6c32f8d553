/* review: the review file and its errors, the evaluation of licences (scope,
 * actions, exceptions, the impact summary), the capability rows the 2024
 * pattern needs, the scenario register, and the record: create, run,
 * approve, apply (in batches, resumed after a failure, once only), resolve,
 * the audit log, and results that cannot be edited. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "helpers.h"
#include "register/register.h"
#include "review/review.h"

static const char *dir;
static store *db;
static assess_context *ctx;
static policy *shipped;

static int setup(void **state) {
    (void)state;
    dir = test_tmpdir();
    char key[256];
    snprintf(key, sizeof key, "%s/audit.key", dir);
    setenv("PENHOLDER_AUDIT_KEY", key, 1);
    setenv("PENHOLDER_AUDIT_TIME", "2024-09-02T10:00:00Z", 1);
    db = test_db(dir, "review.db");
    ph_err err = {0};
    audit_key_report rep;
    if (audit_init_keys(db, &rep, &err) || assess_context_load(db, "2024-09-02", &ctx, &err) ||
        assess_policy_in_force(db, ctx, "2024-09-02", &shipped, &err) || review_register_audit() ||
        audit_register_type(REGISTER_LICENCE_OBJECT, register_licence_state)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    policy_free(shipped);
    assess_context_free(ctx);
    store_close(db);
    test_rmdir(dir);
    return 0;
}

/* ---- the review file ---- */

static const char good[] =
    "{\"title\": \"Israel: IHL\", \"reason\": \"Clear risk for certain items.\", \"criteria\": "
    "[\"2C\"],"
    " \"evidence\": [\"1\"], \"as_of\": \"2024-09-02\","
    " \"scope\": {\"destinations\": [\"IL\"], \"ratings\": [], \"end_user_types\": []},"
    " \"exceptions\": [{\"select\": {\"references\": [], \"tags\": [\"F35-Global-Programme\"]},"
    "   \"reason\": \"Global F-35 programme.\", \"authority\": \"HCWS64\"}]}";

static void test_def_reads_and_writes_back(void **state) {
    (void)state;
    review_def d;
    ph_err err = {0};
    assert_int_equal(review_def_parse("r.json", good, strlen(good), &d, &err), PH_OK);
    assert_int_equal(d.kind, REVIEW_SUSPENSION);
    assert_string_equal(d.criteria.items[0], "2c");
    assert_string_equal(d.evidence.items[0], "EV-0001");
    /* Missing statuses default to those a suspension leaves from. */
    assert_int_equal(d.scope.statuses.n, 2);
    assert_string_equal(d.scope.statuses.items[0], "issued");
    assert_string_equal(d.scope.statuses.items[1], "reinstated");
    assert_string_equal(d.exceptions[0].select.tags.items[0], "f35-global-programme");
    /* The stored form reads back to the same definition. */
    json_t *j = review_def_json(&d);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    review_def again;
    assert_int_equal(review_def_parse("stored", text, strlen(text), &again, &err), PH_OK);
    json_t *j2 = review_def_json(&again);
    char *text2 = json_dumps(j2, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    json_decref(j);
    json_decref(j2);
    review_def_free(&again);
    review_def_free(&d);

    const char *reinstate =
        "{\"kind\": \"reinstatement\", \"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"],"
        " \"evidence\": [\"EV-0002\"], \"scope\": {\"destinations\": [\"IL\"]}}";
    assert_int_equal(review_def_parse("r.json", reinstate, strlen(reinstate), &d, &err), PH_OK);
    assert_int_equal(d.scope.statuses.n, 1);
    assert_string_equal(d.scope.statuses.items[0], "suspended");
    review_def_free(&d);
}

static void test_def_errors_name_the_path(void **state) {
    (void)state;
    static const struct {
        const char *json, *message;
    } cases[] = {
        {"{\"title\": ", "r.json:1:"},
        {"[]", "r.json: a review is a JSON object"},
        {"{\"reason\": \"r\"}", "r.json: title: required"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [], \"evidence\": [\"EV-1\"], "
         "\"scope\": {}}",
         "r.json: criteria: needs at least one item"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c!\"], \"evidence\": [\"1\"]}",
         "r.json: criteria[0]: '2c!' is not a criterion"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"EV-X\"]}",
         "r.json: evidence[0]: 'EV-X' is not an evidence id"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"], "
         "\"as_of\": \"2024-02-30\"}",
         "r.json: as_of: '2024-02-30' is not a date"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"]}",
         "r.json: scope: required"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destination\": [\"IL\"]}}",
         "r.json: scope.destination: unknown field (expected destinations, statuses"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"], \"statuses\": [\"issued\", \"expired\"]}}",
         "r.json: scope.statuses[1]: a suspension review covers licences that can be suspended: "
         "issued or "
         "reinstated, not 'expired'"},
        {"{\"kind\": \"reinstatement\", \"title\": \"t\", \"reason\": \"r\", \"criteria\": "
         "[\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"], \"statuses\": [\"issued\"]}}",
         "r.json: scope.statuses[0]: a reinstatement review covers licences that can be "
         "reinstated: suspended"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"], \"end_user_types\": [\"army\"]}}",
         "r.json: scope.end_user_types[0]: 'army' is not an end-user type"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"], \"issued_from\": \"2024-02-01\", \"issued_to\": "
         "\"2024-01-01\"}}",
         "r.json: scope.issued_to: 2024-01-01 is before issued_from 2024-02-01"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"]}, \"exceptions\": [{\"select\": {\"tags\": []}, "
         "\"reason\": \"r\","
         " \"authority\": \"a\"}]}",
         "r.json: exceptions[0].select: an exception must select licences"},
        {"{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
         " \"scope\": {\"destinations\": [\"IL\"]}, \"exceptions\": [{\"select\": {\"tags\": "
         "[\"x\"]}, \"reason\": \"r\"}]}",
         "r.json: exceptions[0].authority: required"},
        {"{\"title\": \"a\\nb\", \"reason\": \"r\"}",
         "r.json: title: control characters are not allowed"},
        {"{\"title\": \"t\", \"title\": \"u\"}", "r.json:1:"},
        {"{\"kind\": \"embargo\"}", "r.json: kind: expected suspension or reinstatement"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        review_def d;
        ph_err err = {0};
        int rc = review_def_parse("r.json", cases[i].json, strlen(cases[i].json), &d, &err);
        if (rc != PH_EUSAGE || strncmp(err.msg, cases[i].message, strlen(cases[i].message)) != 0)
            fail_msg("case %zu: got %d '%s', wanted '%s'", i, rc, err.msg, cases[i].message);
    }
    review_def d;
    ph_err err = {0};
    assert_int_equal(review_parse_ref("RV-0007", &(int64_t){0}), PH_OK);
    assert_int_not_equal(review_parse_ref("RV-", &(int64_t){0}), PH_OK);
    assert_int_not_equal(review_parse_ref("-3", &(int64_t){0}), PH_OK);
    (void)d;
    (void)err;
}

/* ---- the capability rows of the 2024 pattern ---- */

static uint64_t capability(const char *name) {
    for (size_t i = 0; i < assess_capability_count(ctx); i++)
        if (strcmp(assess_capability_name(ctx, i), name) == 0) return (uint64_t)1 << i;
    fail_msg("no capability %s", name);
    return 0;
}

static uint64_t line_capabilities(const char *rating, const char *description) {
    assess_licence_line line = {rating, description, -1, -1};
    assess_licence l = {.reference = "T", .destination = "IL", .lines = &line, .nlines = 1};
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    assert_int_equal(assess_facts_from_licence(ctx, &l, f, &err), PH_OK);
    uint64_t caps = assess_facts_view(f)->lines[0].capabilities;
    assess_facts_free(f);
    return caps;
}

static void test_capabilities_of_the_2024_pattern(void **state) {
    (void)state;
    /* HCWS64 writes "unmanned aerial vehicles". */
    assert_int_equal(line_capabilities("ML10.a", "parts for unmanned aerial vehicles"),
                     capability("uav"));
    assert_int_equal(line_capabilities("ML10.a", "components for unmanned air vehicles"),
                     capability("uav"));
    /* Targeting equipment facilitates ground targeting whatever its rating. */
    assert_int_equal(line_capabilities("ML15.d", "thermal imaging targeting pods"),
                     capability("ground-targeting") | capability("surveillance"));
    assert_int_equal(line_capabilities("ML15.d", "thermal imaging cameras"),
                     capability("surveillance"));
    assert_int_equal(line_capabilities("ML11.a", "electronics for targeting systems"),
                     capability("ground-targeting") | capability("military-electronics"));
    assert_int_equal(line_capabilities("ML11.a", "military radios"),
                     capability("military-electronics"));
    /* And the rows that were there already. */
    assert_int_equal(line_capabilities("ML10.a", "components for F-16 combat aircraft"),
                     capability("combat-aircraft"));
    assert_int_equal(
        line_capabilities("ML10.a", "components for military training aircraft (M-346)"),
        capability("trainer-aircraft"));
    assert_int_equal(line_capabilities("ML5.a", "components for weapon sights"),
                     capability("ground-targeting"));
}

/* ---- the evaluation ---- */

typedef struct collected {
    int action[64];
    int exception[64];
    char reason[64][1024];
    char criteria[64][64];
    size_t n;
    const review_engine *e;
} collected;

static int collect(void *arg, const review_outcome *o, ph_err *err) {
    (void)err;
    collected *c = arg;
    assert_true(c->n < 64);
    c->action[o->index] = o->action;
    c->exception[o->index] = o->exception;
    ph_buf b;
    ph_buf_init(&b);
    review_outcome_reason(c->e, o, &b);
    ph_strlcpy(c->reason[o->index], b.data ? b.data : "", sizeof c->reason[0]);
    ph_buf_reset(&b);
    review_outcome_criteria(c->e, o, &b);
    ph_strlcpy(c->criteria[o->index], b.data ? b.data : "", sizeof c->criteria[0]);
    ph_buf_free(&b);
    c->n++;
    return PH_OK;
}

#define LINE(r, d, v)                                                                              \
    { r, d, 1, (v)*100 }
static assess_licence_line lines[] = {
    LINE("ML10.a", "components for F-16 combat aircraft", 1000),                            /* 0 */
    LINE("ML10.a", "components for military training aircraft (M-346)", 200),               /* 1 */
    LINE("ML10.a", "components for F-35 combat aircraft for the global spares pool", 5000), /* 2 */
    LINE("ML10.a", "components for F-35 combat aircraft", 3000),                            /* 3 */
    LINE("ML10.c", "parts for unmanned aerial vehicles", 400),                              /* 4 */
    LINE("ML15.d", "thermal imaging targeting pods", 700),                                  /* 5 */
    LINE("5A002", "information security equipment", 50),                                    /* 6 */
    LINE("ML10.a", "components for military aircraft", 80),                                 /* 7 */
    LINE("ML22", "technology for the maintenance of the goods above", 10),                  /* 8 */
};

static review_licence licence(int64_t id, const char *ref, const char *dest, const char *eu_type,
                              const char *status, const char *tags, size_t line, size_t nlines) {
    review_licence l = {.id = id, .status = status, .issued_on = "2024-01-10", .tags = tags};
    l.licence.reference = ref;
    l.licence.type = "SIEL";
    l.licence.destination = dest;
    l.licence.end_user =
        strcmp(eu_type, "armed_forces") == 0 ? "Israel Defense Forces" : "Negev Avionics Ltd";
    l.licence.end_user_type = eu_type;
    l.licence.lines = &lines[line];
    l.licence.nlines = nlines;
    return l;
}

static assess_evidence_snapshot *ihl_evidence(const char *severity) {
    assess_evidence e = {0};
    e.id = 1;
    ph_strlcpy(e.ref, "EV-0001", sizeof e.ref);
    ph_strlcpy(e.destination, "IL", sizeof e.destination);
    e.topic = POLICY_TOPIC_IHL;
    e.severity = policy_enum_value(POLICY_ENUM_SEVERITY, severity);
    e.reliability = POLICY_RELIABILITY_HIGH;
    e.classification = POLICY_CLASS_OFFICIAL;
    e.summary = "Possible breaches of IHL";
    e.source = "FCDO";
    ph_strlcpy(e.source_date, "2024-09-02", sizeof e.source_date);
    ph_strlcpy(e.valid_from, "2024-09-02", sizeof e.valid_from);
    return assess_evidence_snapshot_from(&e, 1, "2024-09-02");
}

static const char *def_text =
    "{\"title\": \"Israel: IHL\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
    " \"scope\": {\"destinations\": [\"IL\"]},"
    " \"exceptions\": [{\"select\": {\"tags\": [\"f35-global-programme\"]}, \"reason\": \"Global "
    "programme.\","
    "   \"authority\": \"HCWS64\"}]}";

static const review_summary *evaluate(const char *text, const review_licence *v, size_t n,
                                      const char *severity, collected *c, review_engine **out,
                                      review_def *d) {
    ph_err err = {0};
    assert_int_equal(review_def_parse("r.json", text, strlen(text), d, &err), PH_OK);
    assert_int_equal(review_engine_new(d, ctx, shipped, out, &err), PH_OK);
    assess_evidence_snapshot *snap = ihl_evidence(severity);
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < 64; i++)
        c->action[i] = -1;
    c->e = *out;
    assert_int_equal(review_evaluate(*out, snap, v, n, collect, c, &err), PH_OK);
    assess_evidence_snapshot_free(snap);
    return review_engine_summary(*out);
}

static void test_evaluation_follows_the_2024_pattern(void **state) {
    (void)state;
    review_licence v[] = {
        licence(1, "L/01", "IL", "armed_forces", "issued", "", 0, 2), /* F-16 + technology */
        licence(2, "L/02", "IL", "armed_forces", "issued", "", 1, 1), /* trainer */
        licence(3, "L/03", "IL", "armed_forces", "reinstated", "f35-global-programme", 2,
                1),                                                       /* F-35 pool */
        licence(4, "L/04", "IL", "armed_forces", "issued", "", 3, 1),     /* direct F-35 */
        licence(5, "L/05", "IL", "armed_forces", "issued", "", 4, 1),     /* UAV */
        licence(6, "L/06", "IL", "armed_forces", "issued", "", 5, 1),     /* targeting pods */
        licence(7, "L/07", "IL", "commercial", "issued", "", 6, 1),       /* not military */
        licence(8, "L/08", "IL", "commercial", "issued", "", 7, 1),       /* incorporation */
        licence(9, "L/09", "US", "armed_forces", "issued", "", 0, 1),     /* elsewhere */
        licence(10, "L/10", "IL", "armed_forces", "expired", "", 0, 1),   /* not extant */
        licence(11, "L/11", "IL", "armed_forces", "suspended", "", 0, 1), /* already suspended */
    };
    collected c;
    review_engine *e;
    review_def d;
    const review_summary *s = evaluate(def_text, v, 11, "serious", &c, &e, &d);
    assert_int_equal(s->considered, 11);
    assert_int_equal(s->in_scope, 8);
    assert_int_equal(c.action[0], REVIEW_SUSPEND);
    assert_string_equal(c.criteria[0], "2c");
    assert_non_null(
        strstr(c.reason[0], "2c: Clear risk that the items might be used to commit or facilitate"));
    assert_non_null(strstr(c.reason[0], "components for F-16 combat aircraft"));
    assert_int_equal(c.action[1], REVIEW_REFER);
    assert_non_null(strstr(c.reason[1], "goods without combat capability"));
    assert_int_equal(c.action[2], REVIEW_EXCEPTION);
    assert_int_equal(c.exception[2], 0);
    assert_non_null(strstr(
        c.reason[2],
        "Exception 1 (HCWS64): Global programme. Without it the licence would be suspended"));
    assert_int_equal(c.action[3], REVIEW_SUSPEND); /* direct F-35 exports are not excepted */
    assert_int_equal(c.action[4], REVIEW_SUSPEND);
    assert_int_equal(c.action[5], REVIEW_SUSPEND);
    assert_non_null(strstr(c.reason[5], "ground-targeting"));
    assert_int_equal(c.action[6], REVIEW_CONTINUE);
    assert_non_null(strstr(c.reason[6], "the end users are not its armed forces"));
    assert_int_equal(c.action[7], REVIEW_CONTINUE);
    assert_int_equal(c.action[8], -1);
    assert_int_equal(c.action[9], -1);
    assert_int_equal(c.action[10], -1);
    /* The impact: licences and value by action and by key. */
    assert_int_equal(s->total.licences[REVIEW_SUSPEND], 4);
    assert_int_equal(s->total.value_pence[REVIEW_SUSPEND], (1000 + 200 + 3000 + 400 + 700) * 100);
    assert_int_equal(s->total.licences[REVIEW_EXCEPTION], 1);
    assert_int_equal(s->total.licences[REVIEW_REFER], 1);
    assert_int_equal(s->total.licences[REVIEW_CONTINUE], 2);
    json_t *j = review_summary_json(s, REVIEW_SUSPENSION);
    assert_int_equal(json_integer_value(json_object_get(j, "suspend")), 4);
    assert_null(json_object_get(j, "reinstate"));
    json_t *row;
    size_t i;
    int seen = 0;
    json_array_foreach(json_object_get(j, "by_rating"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "key")), "ML10.a") == 0) {
            seen = 1;
            /* F-16, trainer, F-35 pool, F-35 direct and the commercial one: once each. */
            assert_int_equal(json_integer_value(json_object_get(row, "total")), 5);
            assert_int_equal(
                json_integer_value(json_object_get(json_object_get(row, "licences"), "suspend")),
                2);
            assert_int_equal(
                json_integer_value(json_object_get(json_object_get(row, "value_gbp"), "suspend")),
                4200);
        }
    }
    assert_true(seen);
    seen = 0;
    json_array_foreach(json_object_get(j, "by_end_user_type"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "key")), "armed_forces") == 0) {
            seen = 1;
            assert_int_equal(json_integer_value(json_object_get(row, "total")), 6);
        }
    }
    assert_true(seen);
    json_decref(j);
    assert_string_equal(s->evidence_in_force, "EV-0001");

    /* Without serious evidence nothing is suspended. */
    review_engine_free(e);
    review_def_free(&d);
    s = evaluate(def_text, v, 11, "medium", &c, &e, &d);
    assert_int_equal(s->total.licences[REVIEW_SUSPEND], 0);
    assert_int_equal(s->total.licences[REVIEW_REFER], 0);
    assert_int_equal(s->total.licences[REVIEW_CONTINUE], 8);
    review_engine_free(e);
    review_def_free(&d);
}

static void test_scope_narrows(void **state) {
    (void)state;
    review_licence v[] = {
        licence(1, "L/01", "IL", "armed_forces", "issued", "", 7, 2),
        licence(2, "L/02", "IL", "armed_forces", "issued", "", 1, 1),
        licence(3, "L/03", "IL", "commercial", "issued", "", 6, 1),
        licence(4, "L/04", "IL", "armed_forces", "issued", "", 4, 1),
    };
    v[3].licence.type = "OIEL";
    v[3].issued_on = "2023-05-01";
    static const struct {
        const char *scope;
        int64_t in_scope;
    } cases[] = {
        {"\"ratings\": [\"ML10\"]", 3}, /* ML10.a and ML10.c lie under ML10 */
        {"\"ratings\": [\"ML22\"]", 1},
        {"\"capabilities\": [\"uav\", \"trainer-aircraft\"]", 2},
        {"\"end_user_types\": [\"commercial\"]", 1},
        {"\"licence_types\": [\"oiel\"]", 1},
        {"\"issued_to\": \"2023-12-31\"", 1},
        {"\"issued_from\": \"2024-01-10\"", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(
            text, sizeof text,
            "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2\"], \"evidence\": [\"1\"],"
            " \"scope\": {\"destinations\": [\"IL\"], %s}}",
            cases[i].scope);
        collected c;
        review_engine *e;
        review_def d;
        const review_summary *s = evaluate(text, v, 4, "serious", &c, &e, &d);
        if (s->in_scope != cases[i].in_scope)
            fail_msg("%s: %lld in scope, wanted %lld", cases[i].scope, (long long)s->in_scope,
                     (long long)cases[i].in_scope);
        review_engine_free(e);
        review_def_free(&d);
    }
    /* Criterion "2" covers 2a, 2b and 2c: a continuing licence cites all three. */
    collected c;
    review_engine *e;
    review_def d;
    evaluate("{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2\"], \"evidence\": [\"1\"],"
             " \"scope\": {\"destinations\": [\"IL\"]}}",
             v, 4, "serious", &c, &e, &d);
    assert_string_equal(c.criteria[2], "2a, 2b, 2c");
    review_engine_free(e);
    review_def_free(&d);
    /* A criterion the policy does not consider is refused, by name. */
    const char *bad =
        "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"9z\"], \"evidence\": [\"1\"],"
        " \"scope\": {\"destinations\": [\"IL\"]}}";
    ph_err err = {0};
    assert_int_equal(review_def_parse("r.json", bad, strlen(bad), &d, &err), PH_OK);
    assert_int_equal(review_engine_new(&d, ctx, shipped, &e, &err), PH_EUSAGE);
    assert_non_null(
        strstr(err.msg, "criteria[0]: criterion '9z' is not considered by policy uk-selc-2021"));
    review_def_free(&d);
}

static void test_reinstatement_evaluation(void **state) {
    (void)state;
    review_licence v[] = {
        licence(1, "L/01", "IL", "armed_forces", "suspended", "", 0, 1),
        licence(2, "L/02", "IL", "armed_forces", "suspended", "", 4, 1),
        licence(3, "L/03", "IL", "armed_forces", "issued", "", 4, 1),
    };
    const char *text =
        "{\"kind\": \"reinstatement\", \"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"],"
        " \"evidence\": [\"2\"], \"scope\": {\"destinations\": [\"IL\"]},"
        " \"exceptions\": [{\"select\": {\"references\": [\"l/02\"]}, \"reason\": \"Not yet.\","
        "   \"authority\": \"Ministerial decision 1 May 2025\"}]}";
    collected c;
    review_engine *e;
    review_def d;
    const review_summary *s = evaluate(text, v, 3, "serious", &c, &e, &d);
    assert_int_equal(c.action[0], REVIEW_CONTINUE);
    assert_non_null(strstr(c.reason[0], "The suspension continues: 2c: Clear risk"));
    review_engine_free(e);
    review_def_free(&d);
    s = evaluate(text, v, 3, "medium", &c, &e, &d);
    assert_int_equal(s->in_scope, 2);
    assert_int_equal(c.action[0], REVIEW_REINSTATE);
    assert_int_equal(c.action[1], REVIEW_EXCEPTION);
    assert_non_null(strstr(c.reason[1], "Without it the licence would be reinstated"));
    json_t *j = review_summary_json(s, REVIEW_REINSTATEMENT);
    assert_int_equal(json_integer_value(json_object_get(j, "reinstate")), 1);
    assert_null(json_object_get(j, "suspend"));
    json_decref(j);
    review_engine_free(e);
    review_def_free(&d);
}

/* ---- the scenario ---- */

static char *scenario(long n, uint64_t seed, size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    review_scenario_options o = {n, seed};
    ph_err err = {0};
    assert_int_equal(review_scenario_write(f, &o, &err), PH_OK);
    fclose(f);
    return buf;
}

static size_t count(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_scenario_is_deterministic(void **state) {
    (void)state;
    size_t a_len, b_len, c_len, d_len;
    char *a = scenario(0, 0, &a_len), *b = scenario(350, 2024, &b_len),
         *c = scenario(350, 7, &c_len), *d = scenario(700, 0, &d_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    assert_true(c_len != a_len || memcmp(a, c, a_len) != 0);
    assert_int_equal(count(a, "components for F-16 combat aircraft,"), 8);
    assert_int_equal(count(d, "components for F-16 combat aircraft,"), 16);
    assert_int_equal(count(a, "for the global spares pool,"), 8);
    assert_true(count(a, "f35-global-programme\n") >= 8); /* with their technology lines */
    assert_true(
        strncmp(
            a,
            "reference,type,issued_on,expires_on,destination,end_user,end_user_type,end_use,rating,"
            "goods_summary,quantity,value_gbp,status,tags\n",
            100) == 0);
    /* Some licences lie outside a review of extant licences to Israel. */
    assert_true(count(a, ",expired,") > 0);
    assert_true(count(a, ",revoked,") > 0);
    assert_true(count(a, ",US,") + count(a, ",DE,") + count(a, ",IN,") + count(a, ",AU,") +
                    count(a, ",FR,") >
                0);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* ---- the record ---- */

static void import_scenario(long n) {
    char path[256];
    snprintf(path, sizeof path, "%s/register-%ld.csv", dir, n);
    FILE *f = fopen(path, "w");
    review_scenario_options o = {n, 0};
    ph_err err = {0};
    assert_int_equal(review_scenario_write(f, &o, &err), PH_OK);
    fclose(f);
    register_import_options io = {.format = "penholder-csv", .actor = "ann"};
    register_import_report rep;
    assert_int_equal(register_import(db, path, &io, &rep, &err), PH_OK);
    register_import_report_free(&rep);
    assess_evidence_input in = {.destination = "IL",
                                .topic = "ihl",
                                .severity = "serious",
                                .summary = "Possible breaches of IHL",
                                .source = "FCDO",
                                .date = "2024-09-02",
                                .reliability = "high"};
    int64_t id;
    assert_int_equal(assess_evidence_add(db, "ann", &in, &id, &err), PH_OK);
}

static int64_t status_count(const char *status) {
    int64_t n;
    ph_err err = {0};
    assert_int_equal(
        store_one_int(db, &n, &err, "SELECT count(*) FROM licence WHERE status = ?", "t", status),
        PH_OK);
    return n;
}

static void test_record_create_run_approve_apply(void **state) {
    (void)state;
    import_scenario(350);
    const review_actor officer = {"officer", "case_officer"}, dm = {"dm", "decision_maker"},
                       dm2 = {"dm2", "decision_maker"}, adviser = {"adviser", "adviser"};
    ph_err err = {0};
    int64_t id;
    char path[160];
    json_t *doc = json_loads(good, 0, NULL);
    assert_int_equal(review_create_json(db, &adviser, doc, &id, path, sizeof path, &err),
                     PH_EFORBIDDEN);
    assert_int_equal(review_create_json(db, &officer, doc, &id, path, sizeof path, &err), PH_OK);
    json_decref(doc);
    /* Names the database must know are checked with their path. */
    const char *unknown =
        "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
        " \"scope\": {\"destinations\": [\"Israel\", \"Narnia\"]}}";
    int64_t other;
    assert_int_equal(review_create(db, &officer, "r.json", unknown, strlen(unknown), &other, &err),
                     PH_EUSAGE);
    assert_string_equal(
        err.msg, "r.json: scope.destinations[1]: 'Narnia' is not a destination penholder knows");
    const char *no_ev =
        "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"EV-0042\"],"
        " \"scope\": {\"destinations\": [\"Israel\"]}}";
    assert_int_equal(review_create(db, &officer, "r.json", no_ev, strlen(no_ev), &other, &err),
                     PH_EUSAGE);
    assert_string_equal(err.msg, "r.json: evidence[0]: EV-0042: no such evidence");
    const char *no_rating =
        "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2c\"], \"evidence\": [\"1\"],"
        " \"scope\": {\"destinations\": [\"IL\"], \"ratings\": [\"ML99\"]}}";
    assert_int_equal(
        review_create(db, &officer, "r.json", no_rating, strlen(no_rating), &other, &err),
        PH_EUSAGE);
    assert_string_equal(err.msg,
                        "r.json: scope.ratings[0]: 'ML99' is not a rating of the control list");
    const char *no_crit =
        "{\"title\": \"t\", \"reason\": \"r\", \"criteria\": [\"2d\"], \"evidence\": [\"1\"],"
        " \"scope\": {\"destinations\": [\"IL\"]}}";
    assert_int_equal(review_create(db, &officer, "r.json", no_crit, strlen(no_crit), &other, &err),
                     PH_EUSAGE);
    assert_non_null(
        strstr(err.msg, "r.json: criteria[0]: '2d' is not a criterion of uk-selc-2021"));

    /* Approval needs a run, a decision maker, and not the creator. */
    assert_int_equal(review_approve(db, &dm, id, 0, NULL, &err), PH_ECONFLICT);
    review_run_info info;
    assert_int_equal(review_run(db, &officer, id, &info, &err), PH_OK);
    assert_int_equal(info.number, 1);
    assert_int_equal(info.licences, 350);
    json_t *run;
    assert_int_equal(review_run_json(db, id, 1, &run, &err), PH_OK);
    json_t *summary = json_object_get(run, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "suspend")), 30);
    assert_int_equal(json_integer_value(json_object_get(summary, "exception")), 8);
    assert_int_equal(json_integer_value(json_object_get(summary, "refer")), 24);
    assert_int_equal(json_integer_value(json_object_get(summary, "continue")), 288);
    assert_int_equal(json_array_size(json_object_get(run, "licences")), 350);
    json_decref(run);
    assert_int_equal(review_approve(db, &officer, id, 0, NULL, &err), PH_EFORBIDDEN);
    assert_int_equal(review_apply(db, &dm, id, 0, NULL, NULL, &(review_apply_report){0}, &err),
                     PH_ECONFLICT);
    assert_int_equal(review_run(db, &officer, id, &info, &err), PH_OK);
    assert_int_equal(review_approve(db, &dm, id, 1, NULL, &err),
                     PH_ECONFLICT); /* run 2 is the newest */
    assert_int_equal(review_approve(db, &dm, id, 2, "agreed", &err), PH_OK);
    assert_int_equal(review_approve(db, &dm2, id, 0, NULL, &err), PH_ECONFLICT);
    assert_int_equal(review_run(db, &officer, id, &info, &err), PH_ECONFLICT);

    /* A licence suspended by hand since the run is left as it is. */
    char skipped[64];
    store_stmt *st;
    assert_int_equal(
        store_prepare(
            db,
            "SELECT reference FROM review_result WHERE action = 'suspend' ORDER BY position "
            "LIMIT 1 OFFSET 3",
            &st, &err),
        PH_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    ph_strlcpy(skipped, store_col_text(st, 0), sizeof skipped);
    store_finalize(st);
    register_status_change ch = {skipped, "suspend", "by hand", "2c", "dm", "decision_maker", NULL};
    register_status_result res;
    assert_int_equal(store_begin(db, &err), PH_OK);
    assert_int_equal(register_licence_change_status(db, &ch, &res, &err), PH_OK);
    assert_int_equal(store_commit(db, &err), PH_OK);

    /* A failure in the middle of applying leaves whole batches only. The
     * trigger stands for anything that fails half-way (a full disk, a kill). */
    assert_int_equal(
        store_exec(db,
                   "CREATE TEMP TRIGGER fail_once BEFORE INSERT ON customs_notification "
                   "WHEN (SELECT count(*) FROM customs_notification) >= 12 "
                   "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
                   &err),
        PH_OK);
    review_apply_report rep;
    assert_int_not_equal(review_apply(db, &adviser, id, 5, NULL, NULL, &rep, &err), PH_OK);
    assert_int_equal(err.rc, PH_EFORBIDDEN);
    assert_int_not_equal(review_apply(db, &dm, id, 5, NULL, NULL, &rep, &err), PH_OK);
    assert_non_null(strstr(err.msg, "the disk is full"));
    int64_t n;
    assert_int_equal(
        store_one_int(db, &n, &err, "SELECT count(*) FROM customs_notification", "", NULL), PH_OK);
    assert_int_equal(n, 9); /* two whole batches of five, one licence of them skipped */
    assert_int_equal(status_count("suspended"), 10);
    json_t *show;
    assert_int_equal(review_show_json(db, id, &show, &err), PH_OK);
    assert_string_equal(json_string_value(json_object_get(show, "status")), "applying");
    json_decref(show);
    assert_int_equal(store_exec(db, "DROP TRIGGER fail_once", &err), PH_OK);

    /* Applying again carries on; then there is nothing left to do. */
    assert_int_equal(review_apply(db, &dm2, id, 5, NULL, NULL, &rep, &err), PH_OK);
    assert_int_equal(rep.done, 20);
    assert_int_equal(rep.skipped, 0);  /* recorded by the first batch */
    assert_int_equal(rep.referred, 0); /* the first batch queued them */
    assert_int_equal(status_count("suspended"), 30);
    assert_int_equal(review_apply(db, &dm2, id, 5, NULL, NULL, &rep, &err), PH_OK);
    assert_true(rep.already_applied);
    assert_int_equal(rep.done, 0);
    assert_int_equal(
        store_one_int(db, &n, &err, "SELECT count(*) FROM customs_notification", "", NULL), PH_OK);
    assert_int_equal(n, 29);
    assert_int_equal(store_one_int(db, &n, &err,
                                   "SELECT count(*) FROM review_referral WHERE state = 'open'", "",
                                   NULL),
                     PH_OK);
    assert_int_equal(n, 24);
    /* Each suspension cites the review, its criteria and its own reason. */
    assert_int_equal(
        store_one_int(
            db, &n, &err,
            "SELECT count(*) FROM licence_status_change WHERE criteria = '2c' AND "
            "reason LIKE 'Review RV-0001 (Israel: IHL), run 2 approved by dm: 2c: Clear risk%'",
            "", NULL),
        PH_OK);
    assert_int_equal(n, 29);

    /* A referral is resolved once, by a decision maker. */
    assert_int_equal(
        store_prepare(
            db,
            "SELECT l.reference FROM review_referral f JOIN licence l ON l.id = f.licence_id "
            "ORDER BY l.reference LIMIT 1",
            &st, &err),
        PH_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    char referred[64];
    ph_strlcpy(referred, store_col_text(st, 0), sizeof referred);
    store_finalize(st);
    assert_int_equal(review_resolve(db, &officer, id, referred, "continue", "trainer parts", &err),
                     PH_EFORBIDDEN);
    assert_int_equal(review_resolve(db, &dm, id, referred, "suspend", "", &err), PH_EUSAGE);
    assert_int_equal(
        review_resolve(db, &dm, id, referred, "suspend", "Used in operations after all.", &err),
        PH_OK);
    assert_int_equal(review_resolve(db, &dm, id, referred, "continue", "again", &err),
                     PH_ECONFLICT);
    assert_int_equal(review_resolve(db, &dm, id, "GBSIEL/1999/0000001/P", "continue", "x", &err),
                     PH_ENOTFOUND);
    assert_int_equal(status_count("suspended"), 31);

    /* The record cannot be edited, and the audit log checks out. */
    assert_int_not_equal(store_exec(db, "UPDATE review_result SET action = 'continue'", &err),
                         PH_OK);
    assert_non_null(strstr(err.msg, "never edited"));
    assert_int_not_equal(store_exec(db, "UPDATE review_run SET summary = '{}'", &err), PH_OK);
    assert_int_not_equal(store_exec(db, "DELETE FROM review_action", &err), PH_OK);
    audit_verify_options vo = {0};
    audit_verify_report vr;
    assert_int_equal(audit_verify(db, &vo, &vr, &err), PH_OK);
    if (vr.problems_total) fail_msg("audit: %s", vr.problems[0].message);
    assert_true(vr.objects_checked >= 31);
    audit_verify_report_free(&vr);

    /* The report recomputes the results' SHA-256 and finds it matches. */
    json_t *report;
    assert_int_equal(review_report_json(db, id, &report, &err), PH_OK);
    assert_true(
        json_is_true(json_object_get(json_object_get(report, "results_sha256"), "matches")));
    json_t *ex = json_array_get(json_object_get(report, "exceptions"), 0);
    assert_string_equal(json_string_value(json_object_get(ex, "authority")), "HCWS64");
    assert_int_equal(json_array_size(json_object_get(ex, "licences")), 8);
    json_decref(report);
    ph_buf html;
    ph_buf_init(&html);
    assert_int_equal(review_report_html(db, id, &html, &err), PH_OK);
    assert_non_null(strstr(html.data, "<span class=\"review-figure__number\">30</span>"));
    assert_non_null(strstr(html.data, "<svg class=\"review-chart\" id=\"chart-actions\""));
    assert_null(strstr(html.data, "<script"));
    ph_buf_free(&html);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_def_reads_and_writes_back),
        cmocka_unit_test(test_def_errors_name_the_path),
        cmocka_unit_test(test_capabilities_of_the_2024_pattern),
        cmocka_unit_test(test_evaluation_follows_the_2024_pattern),
        cmocka_unit_test(test_scope_narrows),
        cmocka_unit_test(test_reinstatement_evaluation),
        cmocka_unit_test(test_scenario_is_deterministic),
        cmocka_unit_test(test_record_create_run_approve_apply),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
