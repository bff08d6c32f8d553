/* Fuzzes the application reader: any bytes give facts or an error that
 * names the input ("fuzz.json: goods[0].rating: ..."); facts that are read
 * are assessed under the shipped policy and printed as JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"

static assess_context *ctx;
static policy *shipped;
static assess_evidence_snapshot *snapshot;

static void init_once(void) {
    if (ctx) return;
    ph_err err = {0};
    store *db;
    int applied;
    refdata_load_report rep;
    if (store_open(":memory:", STORE_CREATE | STORE_ANY_VERSION, &db, &err) ||
        store_migrate(db, &applied, &err) || refdata_load(db, &rep, &err) ||
        assess_context_load(db, "2025-01-01", &ctx, &err) ||
        assess_policy_in_force(db, ctx, "2025-01-01", &shipped, &err)) {
        fprintf(stderr, "fuzz_application: %s\n", err.msg);
        abort();
    }
    store_close(db);
    assess_evidence e = {.id = 1,
                         .destination = "IL",
                         .topic = POLICY_TOPIC_IHL,
                         .severity = POLICY_SEVERITY_SERIOUS,
                         .summary = "s",
                         .source = "src",
                         .source_date = "2024-09-02",
                         .valid_from = "2024-09-02"};
    snapshot = assess_evidence_snapshot_from(&e, 1, "2025-01-01");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    init_once();
    assess_facts *f = assess_facts_new();
    ph_err err = {0};
    if (assess_application_from_json(ctx, "fuzz.json", (const char *)data, size, f, &err) !=
        PH_OK) {
        if (strncmp(err.msg, "fuzz.json", 9) != 0) __builtin_trap();
        if (assess_facts_view(f)->nlines || assess_facts_view(f)->nparties) __builtin_trap();
        assess_facts_free(f);
        return 0;
    }
    assess_result r;
    assess_result_init(&r);
    if (assess_run(shipped, f, snapshot, &r, &err) != PH_OK) __builtin_trap();
    json_t *j = assess_result_json(ctx, &r, NULL);
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s) __builtin_trap();
    free(s);
    json_decref(j);
    assess_result_free(&r);
    assess_facts_free(f);
    return 0;
}
