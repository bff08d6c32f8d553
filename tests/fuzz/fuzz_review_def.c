/* Fuzzes the review file: any bytes give a review or an error naming the
 * input ("fuzz.json: scope.statuses[1]: ..."); a review that reads is
 * written back and read again to the same text, compiled against the
 * shipped policy (or refused with a reason), and evaluated over a few
 * licences, whose outcomes and summary must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

static assess_context *ctx;
static policy *shipped;
static assess_evidence_snapshot *snapshot;

static assess_licence_line lines[] = {
    {"ML10.a", "components for F-16 combat aircraft", 4, 100000},
    {"ML10.a", "components for military training aircraft", 2, 5000},
    {"5A002", "information security equipment", 10, -1},
    {"ML22", "technology", -1, 100},
};

static review_licence licences[4];

static void init_once(void) {
    if (ctx) return;
    ph_err err = {0};
    store *db;
    int applied;
    refdata_load_report rep;
    if (store_open(":memory:", STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || refdata_load(db, &rep, &err) ||
        assess_context_load(db, "2024-09-02", &ctx, &err) ||
        assess_policy_in_force(db, ctx, "2024-09-02", &shipped, &err)) {
        fprintf(stderr, "fuzz_review_def: %s\n", err.msg);
        abort();
    }
    store_close(db);
    assess_evidence e = {.id = 1,
                         .ref = "EV-0001",
                         .destination = "IL",
                         .topic = POLICY_TOPIC_IHL,
                         .severity = POLICY_SEVERITY_SERIOUS,
                         .reliability = POLICY_RELIABILITY_HIGH,
                         .summary = "IHL",
                         .source = "FCDO",
                         .source_date = "2024-09-02",
                         .valid_from = "2024-09-02"};
    snapshot = assess_evidence_snapshot_from(&e, 1, "2024-09-02");
    const char *types[] = {"armed_forces", "armed_forces", "commercial", "police"};
    const char *statuses[] = {"issued", "reinstated", "suspended", "issued"};
    const char *tags[] = {"", "f35-global-programme", "a;b", NULL};
    for (int i = 0; i < 4; i++) {
        review_licence *l = &licences[i];
        l->id = i + 1;
        l->status = statuses[i];
        l->issued_on = "2024-01-01";
        l->tags = tags[i];
        l->licence.reference = i == 0   ? "GBSIEL/2024/0000001/P"
                               : i == 1 ? "L/2"
                               : i == 2 ? "L/3"
                                        : "L/4";
        l->licence.type = i == 3 ? "OIEL" : "SIEL";
        l->licence.destination = i == 3 ? "US" : "IL";
        l->licence.end_user = "Israel Defense Forces";
        l->licence.end_user_type = types[i];
        l->licence.lines = &lines[i];
        l->licence.nlines = i == 3 ? 1 : 2;
    }
}

static int64_t seen;
static int each(void *arg, const review_outcome *o, ph_err *err) {
    (void)err;
    const review_engine *e = arg;
    ph_buf b;
    ph_buf_init(&b);
    review_outcome_reason(e, o, &b);
    review_outcome_criteria(e, o, &b);
    review_outcome_rules(e, o, &b);
    review_outcome_capabilities(e, o, &b);
    review_outcome_ratings(o, &b);
    review_outcome_goods(o, &b);
    ph_buf_free(&b);
    if (o->action < 0 || o->action >= REVIEW_ACTIONS) __builtin_trap();
    if ((o->action == REVIEW_EXCEPTION) != (o->exception >= 0)) __builtin_trap();
    seen++;
    return PH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    init_once();
    review_def d;
    ph_err err = {0};
    if (review_def_parse("fuzz.json", (const char *)data, size, &d, &err)) {
        if (strncmp(err.msg, "fuzz.json", 9) != 0) __builtin_trap();
        return 0;
    }
    json_t *j = review_def_json(&d);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    review_def again;
    if (review_def_parse("again", text, strlen(text), &again, &err)) __builtin_trap();
    json_t *j2 = review_def_json(&again);
    char *text2 = json_dumps(j2, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (strcmp(text, text2) != 0) __builtin_trap();
    review_engine *e;
    if (review_engine_new(&d, ctx, shipped, &e, &err) == PH_OK) {
        seen = 0;
        if (review_evaluate(e, snapshot, licences, 4, each, e, &err)) __builtin_trap();
        const review_summary *s = review_engine_summary(e);
        int64_t total = 0;
        for (int a = 0; a < REVIEW_ACTIONS; a++)
            total += s->total.licences[a];
        if (total != s->in_scope || seen != s->in_scope || s->considered != 4) __builtin_trap();
        json_decref(review_summary_json(s, d.kind));
        review_engine_free(e);
    } else if (err.rc != PH_EUSAGE) {
        __builtin_trap();
    }
    free(text);
    free(text2);
    json_decref(j);
    json_decref(j2);
    review_def_free(&again);
    review_def_free(&d);
    return 0;
}
