/* assess: capabilities, facts from JSON and from licences, evidence on the
 * record, the policy in force, and the shipped policy's own consistency.
 * Runs on an in-memory database loaded with penholder's reference data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "assess/assess.h"
#include "audit/audit.h"
#include "csv/csv.h"

static store *db;
static assess_context *ctx;
static char keydir[64];

static int setup(void **state) {
    (void)state;
    ph_err err = {0};
    int applied;
    refdata_load_report rep;
    audit_key_report keys;
    char key[128];
    snprintf(keydir, sizeof keydir, "/tmp/penholder-unit.XXXXXX");
    if (!mkdtemp(keydir)) return -1;
    snprintf(key, sizeof key, "%s/audit.key", keydir);
    setenv("PENHOLDER_AUDIT_KEY", key, 1);
    if (store_open(":memory:", STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || refdata_load(db, &rep, &err) ||
        audit_init_keys(db, &keys, &err) || assess_register_audit() ||
        assess_context_load(db, "2025-01-01", &ctx, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    assess_context_free(ctx);
    store_close(db);
    char key[128];
    snprintf(key, sizeof key, "%s/audit.key", keydir);
    unlink(key);
    rmdir(keydir);
    return 0;
}

static uint64_t capability(const char *name) {
    for (size_t i = 0; i < assess_capability_count(ctx); i++)
        if (strcmp(assess_capability_name(ctx, i), name) == 0) return (uint64_t)1 << i;
    fail_msg("no capability %s", name);
    return 0;
}

/* Builds one line from a licence and returns its capabilities. */
static uint64_t line_capabilities(const char *rating, const char *description) {
    assess_licence_line line = {rating, description, -1, -1};
    assess_licence l = {.reference = "T", .destination = "FR", .lines = &line, .nlines = 1};
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    assert_int_equal(assess_facts_from_licence(ctx, &l, f, &err), PH_OK);
    uint64_t caps = assess_facts_view(f)->lines[0].capabilities;
    assess_facts_free(f);
    return caps;
}

static void test_capabilities(void **state) {
    (void)state;
    /* A rating inherits from its ancestors... */
    assert_int_equal(line_capabilities("ML10.c.2", NULL), capability("uav"));
    assert_int_equal(line_capabilities("ML6.b.1.a", NULL), capability("military-vehicle"));
    assert_int_equal(line_capabilities("ML4.b.1", ""), capability("munition"));
    /* ...unless a nearer rating has its own row, even an empty one. */
    assert_int_equal(line_capabilities("ML10.g", NULL), capability("aircrew-safety"));
    assert_int_equal(line_capabilities("ML16", NULL), 0);
    assert_int_equal(line_capabilities("5A001", NULL), capability("telecoms"));
    /* The goods description refines: controlled vocabulary of goods summaries. */
    assert_int_equal(line_capabilities("ML10.a", "Components for F-16 combat aircraft"),
                     capability("combat-aircraft"));
    assert_int_equal(line_capabilities("ml10a", "components for military training aircraft"),
                     capability("trainer-aircraft"));
    assert_int_equal(line_capabilities("ML10.g", "ejection seats for fighter aircraft"),
                     capability("combat-aircraft"));
    assert_int_equal(line_capabilities("ML10", "helicopter and trainer spares"),
                     capability("military-helicopter") | capability("trainer-aircraft"));
    assert_int_equal(line_capabilities("5A001", "lawful intercept system"),
                     capability("interception"));
    /* A phrase must start a word: "sub-UAV" yes, "firefighter" no. */
    assert_int_equal(line_capabilities("ML10", "firefighter aircraft parts"),
                     capability("military-aircraft"));
    assert_int_equal(line_capabilities("ML4", "anti-personnel mine clearance charges"),
                     capability("anti-personnel-mine") | capability("munition"));
    assert_int_equal(strlen(assess_capabilities_sha256(ctx)), 64);
}

/* Every embargo of the reference data has a scope row and no row is stale,
 * so no embargo falls back to the cautious default unnoticed. */
static void test_embargo_scope_matches_embargoes(void **state) {
    (void)state;
    const ph_embedded *em = ph_embedded_find("data/embargoes.csv");
    const ph_embedded *sc = ph_embedded_find(ASSESS_EMBARGO_SCOPE_FILE);
    assert_non_null(em);
    assert_non_null(sc);
    ph_map keys;
    ph_map_init(&keys);
    ph_err err = {0};
    csv_reader *r = csv_open_memory(sc->name, sc->data, sc->len, ',', CSV_QUOTES);
    size_t rows = 0;
    assert_int_equal(csv_next(r, &err), 1); /* header */
    while (csv_next(r, &err) == 1) {
        char key[64];
        snprintf(key, sizeof key, "%s|%s", csv_field(r, 0), csv_field(r, 1));
        ph_map_put(&keys, key, 0);
        rows++;
    }
    csv_close(r);
    r = csv_open_memory(em->name, em->data, em->len, ',', CSV_QUOTES);
    size_t embargoes = 0;
    assert_int_equal(csv_next(r, &err), 1);
    while (csv_next(r, &err) == 1) {
        char key[64];
        int64_t v;
        snprintf(key, sizeof key, "%s|%s", csv_field(r, 0), csv_field(r, 1));
        if (!ph_map_get(&keys, key, &v)) fail_msg("embargo %s has no row in %s", key, sc->name);
        embargoes++;
    }
    csv_close(r);
    assert_int_equal(rows, embargoes);
    ph_map_free(&keys);
}

/* The shipped policy checks, and considers every leaf criterion of the
 * criteria it serves. */
static void test_shipped_policy(void **state) {
    (void)state;
    const ph_embedded *f = ph_embedded_find("data/policy/uk-selc-2021.policy");
    assert_non_null(f);
    policy *p;
    ph_err err = {0};
    assert_int_equal(assess_policy_parse(ctx, f->name, f->data, f->len, &p, &err), PH_OK);
    const ph_embedded *c = ph_embedded_find(ASSESS_CRITERIA_FILE);
    csv_reader *r = csv_open_memory(c->name, c->data, c->len, ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), 1);
    char parents[64][8];
    size_t nparents = 0;
    while (csv_next(r, &err) == 1)
        if (strcmp(csv_field(r, 0), policy_criteria(p)) == 0 && csv_field(r, 2)[0] && nparents < 64)
            ph_strlcpy(parents[nparents++], csv_field(r, 2), 8);
    csv_close(r);
    r = csv_open_memory(c->name, c->data, c->len, ',', CSV_QUOTES);
    assert_int_equal(csv_next(r, &err), 1);
    while (csv_next(r, &err) == 1) {
        if (strcmp(csv_field(r, 0), policy_criteria(p)) != 0) continue;
        int is_parent = 0;
        for (size_t i = 0; i < nparents; i++)
            is_parent |= strcmp(parents[i], csv_field(r, 1)) == 0;
        if (is_parent) continue;
        int considered = 0;
        for (size_t i = 0; i < policy_criterion_count(p); i++)
            considered |= strcmp(policy_criterion(p, i), csv_field(r, 1)) == 0;
        if (!considered) fail_msg("criterion %s is not considered", csv_field(r, 1));
    }
    csv_close(r);
    /* Every criterion has a rule that says why it is clear. */
    for (size_t i = 0; i < policy_criterion_count(p); i++) {
        int has_clear = 0;
        for (size_t k = 0; k < policy_rule_count(p); k++) {
            policy_rule_info info;
            policy_rule_get(p, k, &info);
            has_clear |= strcmp(info.criterion, policy_criterion(p, i)) == 0 &&
                         info.outcome == POLICY_CLEAR && !info.condition[0];
        }
        if (!has_clear) fail_msg("criterion %s has no clear rule", policy_criterion(p, i));
    }
    policy_free(p);
}

/* ---- applications ---- */

static const char *good_application =
    "{\"reference\": \"A/1\", \"type\": \"siel\", \"destination\": \"Israel\", "
    "\"end_use\": \"spares\", \"exporter\": \"X Ltd\", "
    "\"parties\": [{\"role\": \"end_user\", \"name\": \"IDF\", \"country\": \"IL\", "
    "\"type\": \"armed_forces\", \"screening\": \"clear\"}], "
    "\"goods\": [{\"description\": \"components for combat aircraft\", \"rating\": \"ML10a\", "
    "\"quantity\": 3, \"value_gbp\": 1234.56}, {\"rating\": \"5A001\"}]}";

static void test_application(void **state) {
    (void)state;
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    assert_int_equal(assess_application_from_json(ctx, "a.json", good_application,
                                                  strlen(good_application), f, &err),
                     PH_OK);
    const policy_facts *v = assess_facts_view(f);
    assert_string_equal(v->destination, "IL");
    assert_string_equal(v->destination_name, "Israel");
    assert_string_equal(v->licence_type, "SIEL");
    assert_int_equal(v->nparties, 1);
    assert_int_equal(v->parties[0].type, POLICY_PARTY_ARMED_FORCES);
    assert_int_equal(v->parties[0].screening, POLICY_SCREENING_CLEAR);
    assert_int_equal(v->nlines, 2);
    assert_string_equal(v->lines[0].rating, "ML10.a");
    assert_int_equal(v->lines[0].value_pence, 123456);
    assert_int_equal(v->lines[0].quantity, 3);
    assert_int_equal(v->lines[0].kind, POLICY_KIND_MILITARY);
    assert_string_equal(v->lines[0].ancestry[1], "ML10");
    assert_int_equal(v->lines[1].quantity, -1);
    assert_int_equal(v->lines[1].kind, POLICY_KIND_DUAL_USE);
    assert_int_equal(v->nembargoes, 0);
    assess_facts_set_screening(f, 0, POLICY_SCREENING_POSSIBLE_MATCH);
    assert_int_equal(assess_facts_party(f, 0)->screening, POLICY_SCREENING_POSSIBLE_MATCH);
    assess_facts_free(f);
}

static void expect_bad(const char *json, const char *message) {
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    int rc = assess_application_from_json(ctx, "a.json", json, strlen(json), f, &err);
    if (rc == PH_OK) fail_msg("accepted, but expected: %s", message);
    if (!strstr(err.msg, message)) fail_msg("got '%s', wanted '%s'", err.msg, message);
    /* Never half-read. */
    assert_int_equal(assess_facts_view(f)->nlines, 0);
    assert_int_equal(assess_facts_view(f)->nparties, 0);
    assess_facts_free(f);
}

#define PARTY "{\"role\":\"end_user\",\"name\":\"N\",\"country\":\"FR\",\"type\":\"commercial\"}"
#define LINE "{\"rating\":\"ML1\"}"

static void test_application_errors(void **state) {
    (void)state;
    expect_bad("{", "a.json:1:1: malformed JSON");
    expect_bad("[]", "a.json: expected a JSON object");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[],\"goods\":[" LINE "],"
               "\"colour\":1}",
               "a.json: colour: unknown field");
    expect_bad("{\"destination\":\"FR\",\"parties\":[],\"goods\":[" LINE "]}",
               "a.json: type: missing");
    expect_bad("{\"type\":\"EUL\",\"destination\":\"FR\",\"parties\":[],\"goods\":[" LINE "]}",
               "type: unknown licence type 'EUL'");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"Narnia\",\"parties\":[],\"goods\":[" LINE "]}",
               "destination: unknown destination 'Narnia'");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY ","
               "{\"role\":\"end_user\",\"name\":\"N\",\"country\":\"Narnia\",\"type\":\"other\"}],"
               "\"goods\":[" LINE "]}",
               "a.json: parties[1].country: unknown destination 'Narnia'");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[{\"role\":\"buyer\","
               "\"name\":\"N\",\"country\":\"FR\",\"type\":\"other\"}],\"goods\":[" LINE "]}",
               "parties[0].role: unknown role 'buyer' (expected end_user, consignee");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[{\"role\":\"end_user\","
               "\"country\":\"FR\",\"type\":\"other\"}],\"goods\":[" LINE "]}",
               "parties[0].name: missing");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],\"goods\":[]}",
               "goods: empty");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "]}",
               "goods: missing");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"goods\":[" LINE "]}",
               "parties: missing");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],"
               "\"goods\":[" LINE ",{\"rating\":\"ML99.z\"}]}",
               "goods[1].rating: unknown rating 'ML99.z'");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],"
               "\"goods\":[{\"rating\":\"ML1\",\"quantity\":-2}]}",
               "goods[0].quantity: expected a whole number");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],"
               "\"goods\":[{\"rating\":\"ML1\",\"value_gbp\":\"lots\"}]}",
               "goods[0].value_gbp: expected an amount in pounds");
    expect_bad("{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],"
               "\"goods\":[{\"rating\":\"ML1\",\"value_gbp\":1e300}]}",
               "goods[0].value_gbp");
    expect_bad("{\"type\":\"SIEL\",\"destination\":7,\"parties\":[" PARTY "],\"goods\":[" LINE "]}",
               "destination: expected a string");
    expect_bad("{\"type\":\"SIEL\",\"type\":\"OIEL\"}", "malformed JSON: duplicate object key");
    expect_bad(
        "{\"type\":\"SIEL\",\"destination\":\"FR\",\"parties\":[" PARTY "],"
        "\"goods\":[{\"rating\":\"ML1\",\"colour\":\"red\"}]}",
        "goods[0].colour: unknown field (expected description, rating, quantity or value_gbp)");
}

static void test_licence_facts(void **state) {
    (void)state;
    assess_licence_line lines[] = {{"ML10", NULL, 1, 500}, {"MILTA", "as written", -1, -1}};
    assess_licence l = {"L/1", "SIEL", "IQ", "Ministry", "Armed forces", "training", lines, 2};
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    assert_int_equal(assess_facts_from_licence(ctx, &l, f, &err), PH_OK);
    const policy_facts *v = assess_facts_view(f);
    assert_int_equal(v->nparties, 1);
    assert_int_equal(v->parties[0].type, POLICY_PARTY_ARMED_FORCES);
    assert_string_equal(v->parties[0].country, "IQ");
    assert_int_equal(v->nembargoes, 2); /* UN and UK, non-government forces */
    assert_int_equal(v->embargoes[0].parties, POLICY_EMBARGO_NON_GOVERNMENT);
    assert_int_equal(v->lines[1].kind, POLICY_KIND_UNLISTED);
    assert_int_equal(v->lines[1].known, 0);
    assert_string_equal(v->lines[1].rating, "MILTA");
    /* Rebuilding replaces what was there. */
    assess_licence bare = {"L/2", "SIEL", NULL, NULL, NULL, NULL, lines, 1};
    assert_int_equal(assess_facts_from_licence(ctx, &bare, f, &err), PH_OK);
    assert_int_equal(v->nparties, 0);
    assert_int_equal(v->nlines, 1);
    assert_string_equal(v->destination, "");
    assess_facts_free(f);
}

/* ---- evidence ---- */

static void test_evidence_never_edited(void **state) {
    (void)state;
    ph_err err = {0};
    assess_evidence_input in = {.destination = "Israel",
                                .topic = "ihl",
                                .severity = "serious",
                                .summary = "s",
                                .source = "src",
                                .date = "2024-09-02"};
    int64_t first, second;
    assert_int_equal(assess_evidence_add(db, "ann", &in, &first, &err), PH_OK);
    in.severity = "medium";
    in.date = "2025-02-01";
    char ref[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(first, ref);
    in.supersedes = ref;
    assert_int_equal(assess_evidence_add(db, "ann", &in, &second, &err), PH_OK);
    /* Only one successor: the chain goes on from the latest entry. */
    int64_t third;
    assert_int_equal(assess_evidence_add(db, "ann", &in, &third, &err), PH_ECONFLICT);
    assert_non_null(strstr(err.msg, "is already superseded by"));
    ph_err_clear(&err);
    /* Each entry is on the audit log, the correction as a supersession, and
     * the refused third entry left no trace there either. */
    audit_record *log;
    size_t nlog;
    audit_log_filter f = {.object_type = ASSESS_EVIDENCE_OBJECT};
    char ref2[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(second, ref2);
    f.object_id = ref;
    assert_int_equal(audit_log(db, &f, &log, &nlog, &err), PH_OK);
    assert_int_equal(nlog, 1);
    assert_string_equal(log[0].entry.action, "evidence.add");
    assert_string_equal(log[0].entry.actor, "ann");
    audit_records_free(log, nlog);
    f.object_id = ref2;
    assert_int_equal(audit_log(db, &f, &log, &nlog, &err), PH_OK);
    assert_int_equal(nlog, 1);
    assert_string_equal(log[0].entry.action, "evidence.supersede");
    audit_records_free(log, nlog);
    audit_verify_report vr;
    assert_int_equal(audit_verify(db, &(audit_verify_options){0}, &vr, &err), PH_OK);
    assert_int_equal(vr.problems_total, 0);
    assert_int_equal(vr.objects_unchecked, 0);
    audit_verify_report_free(&vr);
    /* Without an actor nothing is recorded. */
    int64_t none;
    in.supersedes = ref2;
    assert_int_equal(assess_evidence_add(db, NULL, &in, &none, &err), PH_EUSAGE);
    ph_err_clear(&err);
    in.supersedes = ref;
    /* The database itself refuses edits. */
    assert_int_not_equal(store_exec(db, "UPDATE evidence SET severity = 'low'", &err), PH_OK);
    assert_non_null(strstr(err.msg, "never edited"));
    ph_err_clear(&err);
    assert_int_not_equal(store_exec(db, "DELETE FROM evidence", &err), PH_OK);
    ph_err_clear(&err);

    /* The snapshot follows validity and supersession by date. */
    assess_evidence_snapshot *s;
    assert_int_equal(assess_evidence_snapshot_load(db, "2024-12-31", &s, &err), PH_OK);
    assert_int_equal(assess_evidence_snapshot_size(s), 1);
    assess_evidence_snapshot_free(s);
    assert_int_equal(assess_evidence_snapshot_load(db, "2025-03-01", &s, &err), PH_OK);
    assert_int_equal(assess_evidence_snapshot_size(s), 1);
    assess_evidence_snapshot_free(s);
    assert_int_equal(assess_evidence_snapshot_load(db, "2024-01-01", &s, &err), PH_OK);
    assert_int_equal(assess_evidence_snapshot_size(s), 0);
    assess_evidence_snapshot_free(s);
    /* The same rules in memory. */
    assess_evidence *v;
    size_t n;
    assert_int_equal(assess_evidence_list(db, "IL", &v, &n, &err), PH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].superseded_by, second);
    s = assess_evidence_snapshot_from(v, n, "2025-03-01");
    assert_int_equal(assess_evidence_snapshot_size(s), 1);
    assess_evidence_snapshot_free(s);
    s = assess_evidence_snapshot_from(v, n, "2024-10-01");
    assert_int_equal(assess_evidence_snapshot_size(s), 1);
    assess_evidence_snapshot_free(s);
    assess_evidence_free(v, n);

    /* Bad entries name the option. */
    assess_evidence_input bad = in;
    bad.supersedes = NULL;
    bad.topic = "weather";
    assert_int_equal(assess_evidence_add(db, "ann", &bad, &third, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "--topic: unknown value 'weather' (expected ihl,"));
    bad.topic = "ihl";
    bad.valid_to = "2020-01-01";
    assert_int_equal(assess_evidence_add(db, "ann", &bad, &third, &err), PH_EUSAGE);
    assert_non_null(strstr(err.msg, "--valid-to: 2020-01-01 is before"));
}

static void test_evidence_import_all_or_nothing(void **state) {
    (void)state;
    ph_err err = {0};
    int64_t before;
    assert_int_equal(store_one_int(db, &before, &err, "SELECT count(*) FROM evidence", ""), PH_OK);
    const char *bad = "[{\"destination\":\"FR\",\"topic\":\"diversion\",\"severity\":\"low\","
                      "\"summary\":\"x\",\"source\":\"y\",\"date\":\"2024-01-01\"},"
                      "{\"destination\":\"FR\",\"topic\":\"diversion\",\"severity\":\"huge\","
                      "\"summary\":\"x\",\"source\":\"y\",\"date\":\"2024-01-01\"}]";
    size_t added;
    int64_t first;
    assert_int_not_equal(
        assess_evidence_import(db, "ann", "e.json", bad, strlen(bad), &added, &first, &err), PH_OK);
    assert_non_null(strstr(err.msg, "e.json: [1].severity: unknown value 'huge'"));
    int64_t after;
    assert_int_equal(store_one_int(db, &after, &err, "SELECT count(*) FROM evidence", ""), PH_OK);
    assert_int_equal(before, after);
    const char *good = "[{\"destination\":\"France\",\"topic\":\"diversion\",\"severity\":\"low\","
                       "\"summary\":\"x\",\"source\":\"y\",\"date\":\"2024-01-01\","
                       "\"classification\":\"SECRET\",\"valid_to\":\"2024-12-31\"}]";
    assert_int_equal(
        assess_evidence_import(db, "ann", "e.json", good, strlen(good), &added, &first, &err),
        PH_OK);
    assert_int_equal(added, 1);
    assert_int_equal(first, after + 1);
}

/* ---- running ---- */

static void test_run_is_deterministic_and_replayable(void **state) {
    (void)state;
    ph_err err = {0};
    policy *p;
    assert_int_equal(assess_policy_in_force(db, ctx, "2025-01-01", &p, &err), PH_OK);
    assert_string_equal(policy_id(p), "uk-selc-2021");
    assess_facts *f = assess_facts_new();
    assert_int_equal(assess_application_from_json(ctx, "a.json", good_application,
                                                  strlen(good_application), f, &err),
                     PH_OK);
    assess_evidence_snapshot *s;
    assert_int_equal(assess_evidence_snapshot_load(db, "2024-12-31", &s, &err), PH_OK);
    assess_result r;
    assess_result_init(&r);
    char *first = NULL;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(assess_run(p, f, s, &r, &err), PH_OK);
        json_t *j = assess_result_json(ctx, &r, "2024-12-31");
        char *text = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
        json_decref(j);
        if (!first)
            first = text;
        else {
            assert_string_equal(first, text);
            free(text);
        }
    }
    assert_string_equal(assess_recommendation(&r), "refuse");
    assert_non_null(strstr(first, "\"criterion\":\"2c\",\"outcome\":\"refuse\","
                                  "\"rule\":\"2c-combat-capability\""));
    assert_non_null(strstr(first, "\"lines\":[1]"));
    free(first);
    assess_evidence_snapshot_free(s);
    /* Before the evidence, 2c is clear. */
    assert_int_equal(assess_evidence_snapshot_load(db, "2024-01-01", &s, &err), PH_OK);
    assert_int_equal(assess_run(p, f, s, &r, &err), PH_OK);
    for (size_t i = 0; i < r.outcome.nfindings; i++)
        if (strcmp(policy_criterion(p, i), "2c") == 0)
            assert_int_equal(r.outcome.findings[i].outcome, POLICY_CLEAR);
    assess_evidence_snapshot_free(s);
    assess_result_free(&r);
    assess_facts_free(f);
    policy_free(p);
    /* No policy before the shipped one starts. */
    assert_int_equal(assess_policy_in_force(db, ctx, "2019-01-01", &p, &err), PH_ENOTFOUND);
}

static void test_policy_install_and_choice(void **state) {
    (void)state;
    const ph_embedded *shipped = ph_embedded_find("data/policy/uk-selc-2021.policy");
    char path[] = "/tmp/penholder-test-policy-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    /* The same rules, a later version from 2025-06-01. */
    const char *from = strstr(shipped->data, "version \"2021.1\"");
    const char *valid = strstr(shipped->data, "valid from 2021-12-08");
    assert_non_null(from);
    assert_non_null(valid);
    fwrite(shipped->data, 1, (size_t)(from - shipped->data), out);
    fputs("version \"2025.1\"", out);
    fwrite(from + 16, 1, (size_t)(valid - from - 16), out);
    fputs("valid from 2025-06-01", out);
    fputs(valid + 21, out);
    fclose(out);
    ph_err err = {0};
    int already;
    policy *p;
    assert_int_equal(assess_policy_install(db, "ann", ctx, path, &already, &p, &err), PH_OK);
    assert_false(already);
    policy_free(p);
    assert_int_equal(assess_policy_install(db, "ann", ctx, path, &already, &p, &err), PH_OK);
    assert_true(already);
    policy_free(p);
    assert_int_equal(assess_policy_in_force(db, ctx, "2025-07-01", &p, &err), PH_OK);
    assert_string_equal(policy_version(p), "2025.1");
    policy_free(p);
    assert_int_equal(assess_policy_in_force(db, ctx, "2025-05-31", &p, &err), PH_OK);
    assert_string_equal(policy_version(p), "2021.1");
    policy_free(p);
    assess_policy_entry *v;
    size_t n;
    assert_int_equal(assess_policy_list(db, ctx, &v, &n, &err), PH_OK);
    assert_int_equal(n, 2);
    assert_true(strncmp(v[1].origin, "installed ", 10) == 0);
    assess_policy_entries_free(v, n);
    /* Other text under the same version is refused. */
    out = fopen(path, "a");
    fputs("# an edit\n", out);
    fclose(out);
    assert_int_equal(assess_policy_install(db, "ann", ctx, path, &already, &p, &err), PH_ECONFLICT);
    remove(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_embargo_scope_matches_embargoes),
        cmocka_unit_test(test_shipped_policy),
        cmocka_unit_test(test_application),
        cmocka_unit_test(test_application_errors),
        cmocka_unit_test(test_licence_facts),
        cmocka_unit_test(test_evidence_never_edited),
        cmocka_unit_test(test_evidence_import_all_or_nothing),
        cmocka_unit_test(test_run_is_deterministic_and_replayable),
        cmocka_unit_test(test_policy_install_and_choice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
