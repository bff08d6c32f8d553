/* policy: the language's parser (errors with line and column) and evaluator
 * (which rule decides, what it binds, how reasons read), over hand-built facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "policy/policy.h"

static const char *const capabilities[] = {"combat-aircraft", "trainer-aircraft", "riot-control",
                                           "telecoms"};

static int criterion_known(void *ctx, const char *version, const char *id) {
    (void)ctx;
    if (strcmp(version, "test-criteria") != 0) return 0;
    if (!id) return 1;
    return strcmp(id, "1a") == 0 || strcmp(id, "2a") == 0 || strcmp(id, "2c") == 0 ||
           strcmp(id, "7") == 0;
}

static int rating_known(void *ctx, const char *rating) {
    (void)ctx;
    return strncasecmp(rating, "ML", 2) == 0 || strcmp(rating, "5A001") == 0;
}

static const policy_options options = {capabilities, 4, criterion_known, rating_known, NULL};

#define HEADER                                                                                     \
    "policy test\nversion \"1\"\ncriteria test-criteria\nvalid from 2021-01-01 to 2030-12-31\n"    \
    "consider 1a 2c 7\n"

static policy *parse_ok(const char *text) {
    policy *p = NULL;
    ph_err err = {0};
    int rc = policy_parse("t.policy", text, strlen(text), &options, &p, &err);
    if (rc) fprintf(stderr, "unexpected error: %s\n", err.msg);
    assert_int_equal(rc, PH_OK);
    assert_non_null(p);
    return p;
}

/* The error message, which must start with "t.policy:LINE:COLUMN: ". */
static void expect_error(const char *text, const char *where, const char *what) {
    policy *p = (policy *)1;
    ph_err err = {0};
    int rc = policy_parse("t.policy", text, strlen(text), &options, &p, &err);
    if (rc == PH_OK) fail_msg("parsed, but expected %s: %s", where, what);
    assert_null(p); /* never half-loaded */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "t.policy:%s: ", where);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, what))
        fail_msg("got '%s', wanted '%s...%s'", err.msg, prefix, what);
}

static void test_errors(void **state) {
    (void)state;
    expect_error("", "1:1", "missing 'policy ID'");
    expect_error("policy x\nversion 1\n", "3:1", "missing 'valid from");
    expect_error(HEADER "rule r criterion 9 refuse reason \"x\"\n", "6:18",
                 "criterion '9' is not in the 'consider' list");
    expect_error(HEADER "rule r criterion 2c forbid reason \"x\"\n", "6:21",
                 "expected an outcome: refuse, refer, caution or clear, found 'forbid'");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where capability in [jet] "
                        "reason \"x\"\n",
                 "6:64", "unknown capability 'jet'");
    expect_error(HEADER
                 "rule r criterion 2c refuse when any party where type = army reason \"x\"\n",
                 "6:56", "unknown type 'army': expected government, armed_forces");
    expect_error(HEADER "rule r criterion 2c refuse when severity >= serious reason \"x\"\n",
                 "6:33", "'severity' is a field of evidence");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where (military reason \"x\"\n",
                 "6:59", "expected ')' to close the '(' at 6:49, found 'reason'");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where military\n", "7:1",
                 "expected 'and', 'or' or 'reason', found end of file");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where kind > military "
                        "reason \"x\"\n",
                 "6:54", "'kind' cannot be compared with '>': it has no order");
    expect_error(HEADER "rule r criterion 2c refuse reason \"{goods}\"\n", "6:35",
                 "'{goods}' names goods, but the condition has no 'any goods'");
    expect_error(HEADER "rule r criterion 2c refuse reason \"{colour}\"\n", "6:35",
                 "unknown placeholder '{colour}'");
    expect_error(HEADER "rule r criterion 2c refuse reason \"open\n", "6:35",
                 "unterminated string");
    expect_error(HEADER "rule r criterion 2c refuse reason \"x\"\nrule r criterion 7 clear "
                        "reason \"y\"\n",
                 "7:6", "rule 'r' is already defined on line 6");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where rating under XX1 "
                        "reason \"x\"\n",
                 "6:62", "unknown rating 'XX1'");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where value >= lots "
                        "reason \"x\"\n",
                 "6:58", "expected a whole number of pounds");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where (any parties) "
                        "reason \"x\"\n",
                 "6:50", "'any' inside another 'where'");
    expect_error(HEADER "rule r criterion 2c refuse when any goods where military @ reason \"x\"\n",
                 "6:58", "unexpected character '@'");
    expect_error("policy x\nversion 1\ncriteria other\n", "3:1",
                 "unknown criteria version 'other'");
    expect_error("policy x\nversion 1\ncriteria test-criteria\nvalid from 2021-01-01\n"
                 "consider 1a 2b\n",
                 "5:13", "criterion '2b' is not one of the criteria test-criteria");
    expect_error("policy x\nvalid from 2021-02-30\n", "2:12", "expected a date YYYY-MM-DD");
    expect_error("policy x\nvalid from 2021-02-01 to 2020-01-01\n", "2:26",
                 "ends (2020-01-01) before");
    expect_error("policy x\npolicy y\n", "2:1", "'policy' is given twice");
    expect_error(HEADER "set end_use = [a]\n", "6:5", "'end_use' is a field name");
    expect_error("policy \xff\n", "1:8", "invalid UTF-8");
    /* Nesting is capped, so a hostile file cannot exhaust the stack. */
    char deep[2048];
    int n = snprintf(deep, sizeof deep, HEADER "rule r criterion 2c refuse when ");
    for (int i = 0; i < 100; i++)
        n += snprintf(deep + n, sizeof deep - (size_t)n, "(");
    snprintf(deep + n, sizeof deep - (size_t)n, "true");
    policy *p;
    ph_err err = {0};
    assert_int_not_equal(policy_parse("t.policy", deep, strlen(deep), &options, &p, &err), PH_OK);
    assert_non_null(strstr(err.msg, "nest deeper than"));
}

static void test_enums(void **state) {
    (void)state;
    assert_int_equal(policy_enum_value(POLICY_ENUM_PARTY_TYPE, "Armed_Forces"),
                     POLICY_PARTY_ARMED_FORCES);
    assert_int_equal(policy_enum_value(POLICY_ENUM_SEVERITY, "grave"), POLICY_SEVERITY_GRAVE);
    assert_int_equal(policy_enum_value(POLICY_ENUM_SEVERITY, "catastrophic"), -1);
    assert_string_equal(policy_enum_name(POLICY_ENUM_RECOMMENDATION, POLICY_APPROVE_WITH_PROVISOS),
                        "approve_with_provisos");
    assert_string_equal(policy_enum_name(POLICY_ENUM_OUTCOME, 99), "?");
    char list[128];
    policy_enum_list(POLICY_ENUM_SEVERITY, list, sizeof list);
    assert_string_equal(list, "low, medium, serious or grave");
    /* Regime values are the control list's bits. */
    assert_int_equal(1 << policy_enum_value(POLICY_ENUM_REGIME, "mtcr"), 2);
}

/* ---- facts for evaluation ---- */

static const char *const ml10a[] = {"ML10A", "ML10"};
static const char *const ml1a[] = {"ML1A", "ML1"};
static const char *const d5a001[] = {"5A001", "5A", "5"};

typedef struct world {
    policy_line lines[3];
    policy_party parties[2];
    policy_evidence evidence[2];
    policy_embargo embargoes[1];
    policy_facts f;
} world;

static void world_init(world *w) {
    memset(w, 0, sizeof *w);
    w->lines[0] = (policy_line){"ML10.a",
                                "components for combat aircraft",
                                ml10a,
                                2,
                                POLICY_KIND_MILITARY,
                                1,
                                1,
                                1u << 0,
                                10,
                                2500000};
    w->lines[1] = (policy_line){"ML1.a", "", ml1a, 2, POLICY_KIND_MILITARY, 1, 1, 0, -1, -1};
    w->lines[2] =
        (policy_line){"5A001", "radios", d5a001, 3, POLICY_KIND_DUAL_USE, 1, 1, 1u << 3, 5, 100};
    w->parties[0] = (policy_party){"Air Force", "IL", POLICY_ROLE_END_USER,
                                   POLICY_PARTY_ARMED_FORCES, POLICY_SCREENING_CLEAR};
    w->parties[1] = (policy_party){"Broker", "CY", POLICY_ROLE_CONSIGNEE, POLICY_PARTY_COMMERCIAL,
                                   POLICY_SCREENING_NOT_SCREENED};
    w->evidence[0] = (policy_evidence){"EV-0001",
                                       "UN report",
                                       "2024-01-02",
                                       "OFFICIAL",
                                       POLICY_TOPIC_IHL,
                                       POLICY_SEVERITY_SERIOUS,
                                       POLICY_RELIABILITY_HIGH,
                                       POLICY_CLASS_OFFICIAL};
    w->evidence[1] = (policy_evidence){"EV-0002",
                                       "NGO",
                                       "2023-05-06",
                                       "OFFICIAL",
                                       POLICY_TOPIC_DIVERSION,
                                       POLICY_SEVERITY_LOW,
                                       POLICY_RELIABILITY_LOW,
                                       POLICY_CLASS_OFFICIAL};
    w->embargoes[0] = (policy_embargo){"UK",
                                       "Military goods",
                                       "Regulations 2019",
                                       1,
                                       POLICY_EMBARGO_PARTIAL,
                                       POLICY_EMBARGO_NON_GOVERNMENT,
                                       POLICY_EMBARGO_GOODS_MILITARY,
                                       0};
    w->f =
        (policy_facts){"REF/1", "SIEL",     "IL", "Israel", "training", "Exporter",  w->embargoes,
                       1,       w->parties, 2,    w->lines, 3,          w->evidence, 2};
}

/* Evaluates and returns the finding for criterion index c. */
static const policy_finding *finding(const policy *p, const policy_facts *f, policy_result *r,
                                     size_t c) {
    ph_err err = {0};
    assert_int_equal(policy_eval(p, f, r, &err), PH_OK);
    assert_int_equal(r->nfindings, policy_criterion_count(p));
    return &r->findings[c];
}

static char *reason(const policy *p, const policy_facts *f, const policy_result *r, size_t c) {
    ph_buf b;
    ph_buf_init(&b);
    policy_reason(p, f, r, c, &b);
    return ph_buf_steal(&b);
}

static void test_most_severe_rule_decides(void **state) {
    (void)state;
    policy *p =
        parse_ok(HEADER "rule c1 criterion 2c caution when true reason \"c1\"\n"
                        "rule r1 criterion 2c refer when any goods where military reason \"r1\"\n"
                        "rule r2 criterion 2c refer when true reason \"r2\"\n"
                        "rule x1 criterion 2c refuse when false reason \"x1\"\n"
                        "rule cl criterion 7 clear reason \"fallback\"\n");
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    const policy_finding *fd = finding(p, &w.f, &r, 1);
    assert_int_equal(fd->outcome, POLICY_REFER);
    assert_string_equal(policy_finding_rule(p, &r, 1), "r1"); /* first of equals */
    /* No rule for 1a: clear, and it says so. */
    assert_int_equal(r.findings[0].rule, -1);
    assert_int_equal(r.findings[0].outcome, POLICY_CLEAR);
    char *s = reason(p, &w.f, &r, 0);
    assert_string_equal(s, "No rule of policy test 1 engaged criterion 1a.");
    free(s);
    assert_string_equal(policy_finding_rule(p, &r, 2), "cl");
    assert_int_equal(r.recommendation, POLICY_RECOMMEND_REFER);
    policy_result_free(&r);
    policy_free(p);
}

static void test_recommendation(void **state) {
    (void)state;
    policy *p = parse_ok(HEADER "rule a criterion 7 caution when any goods where dual_use "
                                "reason \"{goods}\"\n");
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 2);
    assert_int_equal(r.recommendation, POLICY_APPROVE_WITH_PROVISOS);
    w.f.nlines = 2; /* no dual-use line now */
    finding(p, &w.f, &r, 2);
    assert_int_equal(r.recommendation, POLICY_APPROVE);
    policy_result_free(&r);
    policy_free(p);
}

static void test_quantifiers_and_bindings(void **state) {
    (void)state;
    policy *p = parse_ok(
        HEADER
        "set combat = [combat-aircraft]\n"
        "rule a criterion 2c refuse when any evidence where (topic = ihl and severity >= serious)\n"
        "  and any party where (role = end_user and type = armed_forces)\n"
        "  and any goods where capability in combat\n"
        "  reason \"{evidence} / {parties} / {goods} / {capabilities} / {ratings}\"\n"
        "rule b criterion 7 refer when all goods where military or any goods where known\n"
        "  reason \"{goods}\"\n"
        "rule c criterion 1a refer when no goods where military reason \"none military\"\n");
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    const policy_finding *fd = finding(p, &w.f, &r, 1);
    assert_int_equal(fd->outcome, POLICY_REFUSE);
    char *s = reason(p, &w.f, &r, 1);
    assert_string_equal(s, "EV-0001 (ihl, serious; UN report, 2024-01-02) / end user \"Air Force\" "
                           "(armed forces, IL) / line 1 ML10.a \"components for combat aircraft\" "
                           "/ combat-aircraft / ML10.a");
    free(s);
    /* Only the items that made the rule hold are bound, in order. */
    assert_int_equal(fd->nbindings, 3);
    uint32_t b0 = r.bindings[fd->first_binding];
    assert_int_equal(POLICY_BINDING_COLLECTION(b0), POLICY_GOODS);
    assert_int_equal(POLICY_BINDING_INDEX(b0), 0);
    /* 'all goods where military' fails (line 3 is dual-use), so only the
     * 'any goods where known' branch binds: every line. */
    s = reason(p, &w.f, &r, 2);
    assert_string_equal(s, "line 1 ML10.a \"components for combat aircraft\"; line 2 ML1.a; "
                           "line 3 5A001 \"radios\"");
    free(s);
    assert_int_equal(r.findings[0].outcome, POLICY_CLEAR); /* some goods are military */
    w.f.nlines = 0;                                        /* empty: 'no' holds, 'all' holds */
    finding(p, &w.f, &r, 0);
    assert_int_equal(r.findings[0].outcome, POLICY_REFER);
    assert_int_equal(r.findings[2].outcome, POLICY_REFER);
    policy_result_free(&r);
    policy_free(p);
}

static void test_false_branches_bind_nothing(void **state) {
    (void)state;
    policy *p = parse_ok(HEADER "rule a criterion 2c refer when (any goods where military and "
                                "any evidence where topic = terrorism) or any party where role = "
                                "consignee reason \"[{goods}] [{parties}]\"\n");
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 1);
    char *s = reason(p, &w.f, &r, 1);
    assert_string_equal(s, "[none] [consignee \"Broker\" (commercial, CY)]");
    free(s);
    policy_result_free(&r);
    policy_free(p);
}

static void test_comparisons(void **state) {
    (void)state;
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    static const struct {
        const char *condition;
        int holds;
    } cases[] = {
        {"any goods where rating under ML10", 1},
        {"any goods where rating under [ML4, ML1]", 1},
        {"any goods where rating = ML10", 0},
        {"any goods where rating = ml10a", 1},
        {"any goods where rating not under ML10", 1},
        {"all goods where rating not under [ML10, ML1, 5A001]", 0},
        {"any goods where value >= 25000", 1},
        {"any goods where value > 25000", 0},
        {"any goods where value = 1", 1},
        {"any goods where quantity != 10", 1},
        {"all goods where quantity >= 0", 0}, /* line 2 has no quantity */
        {"any goods where description contains \"COMBAT\"", 1},
        {"any goods where description contains [jet, radio]", 1},
        {"any goods where capability not in [combat-aircraft, telecoms]", 1},
        {"all goods where capability in [combat-aircraft, telecoms]", 0},
        {"any goods where capability != telecoms", 1},
        {"any goods where regime in [Wassenaar]", 1},
        {"any goods where regime in [MTCR, NSG]", 0},
        {"any goods where kind in [dual-use, national-dual-use]", 1},
        {"any goods where not known", 0},
        {"any party where country != destination", 1},
        {"all parties where country = destination", 0},
        {"any party where country in [cy, GR]", 1},
        {"any party where screening = clear", 1},
        {"any party where name contains \"force\"", 1},
        {"destination = IL and licence_type = siel", 1},
        {"destination in [PS]", 0},
        {"end_use contains train", 1},
        {"exporter = \"exporter\"", 1},
        {"any evidence where severity < serious", 1},
        {"any evidence where (severity <= low and reliability > medium)", 0},
        {"any evidence where classification >= OFFICIAL-SENSITIVE", 0},
        {"any evidence where source contains UN", 1},
        {"any embargo where (parties = non_government and not repression)", 1},
        {"any embargo where (scope = full or goods != military)", 0},
        {"any embargo where source = uk", 1},
        {"not (true and false) and (false or true)", 1},
        {"any goods", 1},
        {"no evidence where topic in [ihl, diversion]", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, HEADER "rule t criterion 7 refer when %s reason \"x\"\n",
                 cases[i].condition);
        policy *p = parse_ok(text);
        const policy_finding *fd = finding(p, &w.f, &r, 2);
        if ((fd->outcome == POLICY_REFER) != cases[i].holds)
            fail_msg("'%s' should %s", cases[i].condition, cases[i].holds ? "hold" : "not hold");
        policy_free(p);
    }
    policy_result_free(&r);
}

static void test_reason_caps_long_lists(void **state) {
    (void)state;
    policy *p =
        parse_ok(HEADER "rule a criterion 7 refer when any goods reason \"{ratings}: {goods}\"\n");
    world w;
    world_init(&w);
    policy_line many[30];
    for (int i = 0; i < 30; i++)
        many[i] = w.lines[1];
    w.f.lines = many;
    w.f.nlines = 30;
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 2);
    char *s = reason(p, &w.f, &r, 2);
    assert_true(strncmp(s, "ML1.a: line 1 ML1.a; line 2 ML1.a", 33) == 0);
    assert_non_null(strstr(s, "line 20 ML1.a; and 10 more"));
    assert_null(strstr(s, "line 21"));
    free(s);
    policy_result_free(&r);
    policy_free(p);
}

static void test_metadata_and_show(void **state) {
    (void)state;
    policy *p =
        parse_ok("# comment\npolicy uk-test # trailing\nversion \"2.0\"\ntitle \"T \\\"q\\\"\"\n"
                 "criteria test-criteria\nvalid from 2022-01-01\nconsider 1a, 7\n"
                 "set s = [a, \"b c\"]\n"
                 "rule r criterion 7 refer when any goods   where\n  military # why\n"
                 "  reason \"a \" \"b {{x}}\"\n");
    assert_string_equal(policy_id(p), "uk-test");
    assert_string_equal(policy_version(p), "2.0");
    assert_string_equal(policy_title(p), "T \"q\"");
    assert_string_equal(policy_valid_to(p), "");
    assert_true(policy_in_force(p, "2030-01-01"));
    assert_false(policy_in_force(p, "2021-12-31"));
    assert_int_equal(policy_criterion_count(p), 2);
    assert_string_equal(policy_set_word(p, 0, 1), "b c");
    policy_rule_info info;
    policy_rule_get(p, 0, &info);
    assert_string_equal(info.condition, "any goods where military");
    assert_string_equal(info.reason, "a b {{x}}");
    assert_int_equal(info.line, 9);
    assert_int_equal(strlen(policy_sha256(p)), 64);
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 1);
    char *s = reason(p, &w.f, &r, 1);
    assert_string_equal(s, "a b {x}");
    free(s);
    policy_result_free(&r);
    policy_free(p);
}

/* Rules that need an item of an empty collection are skipped, and only those. */
static void test_empty_collections(void **state) {
    (void)state;
    policy *p =
        parse_ok(HEADER "rule a criterion 1a refer when any evidence or any goods reason \"a\"\n"
                        "rule b criterion 2c refer when any evidence and any goods reason \"b\"\n"
                        "rule c criterion 7 refer when not (any evidence) and (any goods where "
                        "military or any evidence) reason \"c\"\n");
    world w;
    world_init(&w);
    w.f.nevidence = 0;
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 0);
    assert_int_equal(r.findings[0].outcome, POLICY_REFER);
    assert_int_equal(r.findings[1].outcome, POLICY_CLEAR);
    assert_int_equal(r.findings[2].outcome, POLICY_REFER);
    w.f.nlines = 0;
    finding(p, &w.f, &r, 0);
    assert_int_equal(r.findings[0].outcome, POLICY_CLEAR);
    assert_int_equal(r.findings[2].outcome, POLICY_CLEAR);
    policy_result_free(&r);
    policy_free(p);
}

/* A result reused across evaluations keeps its arrays once grown. */
static void test_result_reuse_does_not_grow(void **state) {
    (void)state;
    policy *p = parse_ok(HEADER "rule a criterion 7 refer when any goods and any parties "
                                "reason \"{goods}\"\n");
    world w;
    world_init(&w);
    policy_result r;
    policy_result_init(&r);
    finding(p, &w.f, &r, 2);
    uint32_t *bindings = r.bindings, *scratch = r.scratch;
    policy_finding *findings = r.findings;
    for (int i = 0; i < 1000; i++)
        finding(p, &w.f, &r, 2);
    assert_ptr_equal(bindings, r.bindings);
    assert_ptr_equal(scratch, r.scratch);
    assert_ptr_equal(findings, r.findings);
    policy_result_free(&r);
    policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_most_severe_rule_decides),
        cmocka_unit_test(test_recommendation),
        cmocka_unit_test(test_quantifiers_and_bindings),
        cmocka_unit_test(test_false_branches_bind_nothing),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_reason_caps_long_lists),
        cmocka_unit_test(test_metadata_and_show),
        cmocka_unit_test(test_empty_collections),
        cmocka_unit_test(test_result_reuse_does_not_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
