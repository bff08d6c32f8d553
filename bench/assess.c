/* Assessment speed on one thread, with the policy loaded:
 *   - a 5-line application, facts already built (the review path);
 *   - the same from JSON text to facts, and to the JSON result;
 *   - every licence of the register re-assessed as a new application.
 * Baseline in the same run: parsing the same JSON with jansson alone.
 * Prints "name: value unit" lines.
 *
 * usage: assess-bench DB [SECONDS]   (DB initialised, evidence loaded,
 * optionally the register imported) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess/assess.h"

static const char application[] =
    "{\"reference\": \"BENCH/1\", \"type\": \"SIEL\", \"destination\": \"IL\","
    " \"end_use\": \"Maintenance of military aircraft\", \"exporter\": \"Example Ltd\","
    " \"parties\": ["
    "  {\"role\": \"end_user\", \"name\": \"Israel Defense Forces\", \"country\": \"IL\","
    "   \"type\": \"armed_forces\"},"
    "  {\"role\": \"consignee\", \"name\": \"Example Logistics\", \"country\": \"IL\","
    "   \"type\": \"commercial\"}],"
    " \"goods\": ["
    "  {\"description\": \"components for F-16 combat aircraft\", \"rating\": \"ML10.a\","
    "   \"quantity\": 40, \"value_gbp\": 250000},"
    "  {\"description\": \"components for military training aircraft\", \"rating\": \"ML10.a\","
    "   \"quantity\": 12, \"value_gbp\": 80000},"
    "  {\"description\": \"thermal imaging cameras\", \"rating\": \"ML15.d\", \"quantity\": 4,"
    "   \"value_gbp\": 60000},"
    "  {\"description\": \"military radios\", \"rating\": \"ML11.a\", \"quantity\": 30,"
    "   \"value_gbp\": 45000},"
    "  {\"description\": \"encryption software\", \"rating\": \"5D002\", \"quantity\": 30,"
    "   \"value_gbp\": 9000}]}";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const ph_err *err) {
    fprintf(stderr, "assess-bench: %s\n", err->msg);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: assess-bench DB [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    if (seconds <= 0) seconds = 1.0;
    ph_err err = {0};
    store *db;
    if (store_open(argv[1], STORE_READONLY, &db, &err)) die(&err);
    const char *date = "2025-01-01";
    assess_context *ctx;
    policy *p;
    assess_evidence_snapshot *snapshot;
    if (assess_context_load(db, date, &ctx, &err) ||
        assess_policy_in_force(db, ctx, date, &p, &err) ||
        assess_evidence_snapshot_load(db, date, &snapshot, &err))
        die(&err);

    assess_facts *facts = assess_facts_new();
    assess_result result;
    assess_result_init(&result);
    size_t len = strlen(application);
    if (assess_application_from_json(ctx, "bench.json", application, len, facts, &err) ||
        assess_run(p, facts, snapshot, &result, &err))
        die(&err);
    printf("application_recommendation: %s\n", assess_recommendation(&result));

    /* 1. Facts built, policy loaded: evaluation only. */
    long n = 0;
    double start = now(), elapsed;
    do {
        for (int i = 0; i < 1000; i++)
            assess_run(p, facts, snapshot, &result, &err);
        n += 1000;
    } while ((elapsed = now() - start) < seconds);
    double run_rate = (double)n / elapsed;
    printf("assess_run_5_lines: %.0f assessments/s\n", run_rate);

    /* 2. Baseline: jansson parsing the same text, nothing else. */
    n = 0;
    start = now();
    do {
        for (int i = 0; i < 100; i++) {
            json_error_t jerr;
            json_t *j = json_loadb(application, len, 0, &jerr);
            json_decref(j);
        }
        n += 100;
    } while ((elapsed = now() - start) < seconds);
    double parse_rate = (double)n / elapsed;
    printf("json_parse_baseline: %.0f parses/s\n", parse_rate);

    /* 3. From JSON text: read, build facts, assess. */
    n = 0;
    start = now();
    do {
        for (int i = 0; i < 100; i++) {
            assess_application_from_json(ctx, "bench.json", application, len, facts, &err);
            assess_run(p, facts, snapshot, &result, &err);
        }
        n += 100;
    } while ((elapsed = now() - start) < seconds);
    double json_rate = (double)n / elapsed;
    printf("assess_from_json_5_lines: %.0f assessments/s\n", json_rate);

    /* 4. ... and the full JSON result with every reason written out. */
    n = 0;
    start = now();
    do {
        for (int i = 0; i < 100; i++) {
            assess_application_from_json(ctx, "bench.json", application, len, facts, &err);
            assess_run(p, facts, snapshot, &result, &err);
            json_t *j = assess_result_json(ctx, &result, NULL);
            char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
            free(s);
            json_decref(j);
        }
        n += 100;
    } while ((elapsed = now() - start) < seconds);
    printf("assess_json_result_5_lines: %.0f assessments/s\n", (double)n / elapsed);
    printf("ratio_run_over_json_parse: %.1f x\n", run_rate / parse_rate);

    /* 5. The register: every licence as a new application. */
    start = now();
    assess_licence_set *set;
    if (assess_licences_load(db, NULL, &set, &err)) die(&err);
    double load = now() - start;
    if (set->n == 0) {
        printf("SKIP register: no licences in %s\n", argv[1]);
    } else {
        long counts[4] = {0};
        size_t lines = 0;
        start = now();
        for (size_t i = 0; i < set->n; i++) {
            if (assess_facts_from_licence(ctx, &set->licences[i], facts, &err) ||
                assess_run(p, facts, snapshot, &result, &err))
                die(&err);
            counts[result.outcome.recommendation]++;
            lines += set->licences[i].nlines;
        }
        double reassess = now() - start;
        printf("register_licences: %zu licences\n", set->n);
        printf("register_lines: %zu lines\n", lines);
        printf("register_load: %.3f s\n", load);
        printf("register_reassess: %.3f s\n", reassess);
        printf("register_reassess_rate: %.0f licences/s\n", (double)set->n / reassess);
        printf("register_reassess_projected_1m: %.2f s\n", reassess * 1e6 / (double)set->n);
        printf("register_ratio_reassess_over_load: %.2f x\n", reassess / load);
        printf("register_recommend_refuse: %ld licences\n", counts[POLICY_RECOMMEND_REFUSE]);
        printf("register_recommend_refer: %ld licences\n", counts[POLICY_RECOMMEND_REFER]);
        printf("register_recommend_approve_with_provisos: %ld licences\n",
               counts[POLICY_APPROVE_WITH_PROVISOS]);
        printf("register_recommend_approve: %ld licences\n", counts[POLICY_APPROVE]);

        /* The register of 2008-2015 names no end users; a register that does
         * engages more rules. The same licences with an armed-forces end user: */
        memset(counts, 0, sizeof counts);
        start = now();
        for (size_t i = 0; i < set->n; i++) {
            assess_licence l = set->licences[i];
            l.end_user = "Armed forces of the destination";
            l.end_user_type = "armed_forces";
            if (assess_facts_from_licence(ctx, &l, facts, &err) ||
                assess_run(p, facts, snapshot, &result, &err))
                die(&err);
            counts[result.outcome.recommendation]++;
        }
        reassess = now() - start;
        printf("register_reassess_armed_forces_end_user: %.3f s\n", reassess);
        printf("register_reassess_armed_forces_end_user_projected_1m: %.2f s\n",
               reassess * 1e6 / (double)set->n);
        printf("register_armed_forces_recommend_refuse: %ld licences\n",
               counts[POLICY_RECOMMEND_REFUSE]);
        printf("register_armed_forces_recommend_refer: %ld licences\n",
               counts[POLICY_RECOMMEND_REFER]);
        printf("register_armed_forces_recommend_approve: %ld licences\n", counts[POLICY_APPROVE]);
    }
    assess_licences_free(set);
    assess_result_free(&result);
    assess_facts_free(facts);
    assess_evidence_snapshot_free(snapshot);
    policy_free(p);
    assess_context_free(ctx);
    store_close(db);
    return 0;
}
