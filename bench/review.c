/* The dry run of a review over a large register, on one thread: the
 * licences of the scope loaded once, then every one re-assessed, given its
 * action and tallied into the impact summary. Baseline in the same run: a
 * plain SQL scan of the same rows (the query the load runs, stepping
 * through every column and doing nothing with it).
 * Prints "name: value unit" lines.
 *
 * usage: review-bench DB REVIEW.json [REPEATS]  (DB with the register and
 * the evidence the review names)
 *        review-bench workflow DB RUN_ID
 *   the second baseline of applying a review: every licence that run RUN_ID
 *   suspends, suspended through the licence workflow alone (reason,
 *   criteria, audit entry) in one transaction, without the review's own
 *   records, notifications and checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "review/review.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this process: what one core spent, whatever else the
 * machine is doing (shared machines make wall time noisy). */
static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const ph_err *err) {
    fprintf(stderr, "review-bench: %s\n", err->msg);
    exit(1);
}

typedef struct render {
    const review_engine *e;
    ph_buf text;
    size_t bytes;
} render;

/* What storing or printing a result costs in text: criteria, rules, reason. */
static int render_one(void *arg, const review_outcome *o, ph_err *err) {
    (void)err;
    render *r = arg;
    ph_buf_reset(&r->text);
    review_outcome_criteria(r->e, o, &r->text);
    review_outcome_rules(r->e, o, &r->text);
    review_outcome_reason(r->e, o, &r->text);
    r->bytes += r->text.len;
    return PH_OK;
}

#include "register/register.h"

static int workflow_baseline(const char *path, const char *run) {
    ph_err err = {0};
    store *db;
    int64_t run_id;
    if (ph_parse_i64(run, &run_id)) {
        fprintf(stderr, "review-bench: RUN_ID must be a number\n");
        return 2;
    }
    if (store_open(path, 0, &db, &err)) die(&err);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT reference FROM review_result WHERE run_id = ? AND action = 'suspend' "
                      "ORDER BY position",
                      &st, &err))
        die(&err);
    store_bind_int(st, 1, run_id);
    char **refs = NULL;
    size_t n = 0, cap = 0;
    while (store_step(st, &err) == STORE_ROW) {
        refs = ph_grow(refs, &cap, n + 1, sizeof *refs);
        refs[n++] = ph_strdup(store_col_text(st, 0));
    }
    store_finalize(st);
    double start = now(), start_cpu = cpu();
    if (store_begin(db, &err)) die(&err);
    for (size_t i = 0; i < n; i++) {
        register_status_change c = {.reference = refs[i],
                                    .event = "suspend",
                                    .reason =
                                        "Clear risk under Criterion 2(c) (the workflow baseline)",
                                    .criteria = "2c",
                                    .actor = "bench",
                                    .role = "decision_maker"};
        register_status_result r;
        if (register_licence_change_status(db, &c, &r, &err)) die(&err);
    }
    if (store_commit(db, &err)) die(&err);
    double t = now() - start, tc = cpu() - start_cpu;
    printf("review_apply_workflow_baseline: %.3f s (%zu suspensions, %.3f s cpu)\n", t, n, tc);
    for (size_t i = 0; i < n; i++)
        free(refs[i]);
    free(refs);
    store_close(db);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "workflow") == 0) return workflow_baseline(argv[2], argv[3]);
    if (argc < 3) {
        fprintf(stderr, "usage: review-bench DB REVIEW.json [REPEATS]\n");
        return 2;
    }
    int64_t repeats = 3;
    if (argc > 3 && (ph_parse_i64(argv[3], &repeats) || repeats < 1)) {
        fprintf(stderr, "review-bench: REPEATS must be a positive number\n");
        return 2;
    }
    ph_err err = {0};
    char *text;
    size_t len;
    review_def d;
    if (ph_read_file(argv[2], REVIEW_MAX_FILE, &text, &len, &err) ||
        review_def_parse(argv[2], text, len, &d, &err))
        die(&err);
    free(text);
    const char *date = d.as_of[0] ? d.as_of : "2024-09-02";
    store *db;
    assess_context *ctx;
    policy *p;
    assess_evidence_snapshot *snapshot;
    review_engine *e;
    if (store_open(argv[1], STORE_READONLY, &db, &err) ||
        assess_context_load(db, date, &ctx, &err) ||
        assess_policy_in_force(db, ctx, date, &p, &err) ||
        assess_evidence_snapshot_load(db, date, &snapshot, &err) ||
        review_engine_new(&d, ctx, p, &e, &err))
        die(&err);

    /* Baseline: the same rows through SQL, nothing else. */
    double best_scan = 1e9, best_scan_cpu = 1e9;
    long rows = 0;
    for (int64_t r = 0; r < repeats; r++) {
        double start = now(), start_cpu = cpu();
        store_stmt *st;
        if (store_prepare(db,
                          "SELECT l.id, l.reference, l.type, l.destination, l.end_user, "
                          "l.end_user_type, l.end_use, l.status, l.issued_on, l.tags, ll.rating, "
                          "ll.goods_summary, ll.quantity, ll.value_pence FROM licence l "
                          "LEFT JOIN licence_line ll ON ll.licence_id = l.id "
                          "WHERE l.destination IN ('IL') AND l.status IN ('issued', 'reinstated') "
                          "ORDER BY l.reference, ll.line_no",
                          &st, &err))
            die(&err);
        rows = 0;
        size_t bytes = 0;
        while (store_step(st, &err) == STORE_ROW) {
            for (int c = 0; c < 14; c++) {
                const char *s = store_col_text(st, c);
                bytes += s ? 1 : 0;
            }
            rows++;
        }
        store_finalize(st);
        double t = now() - start, tc = cpu() - start_cpu;
        if (t < best_scan) best_scan = t;
        if (tc < best_scan_cpu) best_scan_cpu = tc;
        if (!bytes) {
            fprintf(stderr, "review-bench: no licences in scope in %s\n", argv[1]);
            return 1;
        }
    }

    double start = now();
    review_licence_set *set;
    if (review_licences_load(db, &d, &set, &err)) die(&err);
    double load = now() - start;

    /* The dry run: actions and the impact summary. */
    double best_run = 1e9, best_run_cpu = 1e9;
    for (int64_t r = 0; r < repeats; r++) {
        start = now();
        double start_cpu = cpu();
        if (review_evaluate(e, snapshot, set->v, set->n, NULL, NULL, &err)) die(&err);
        double t = now() - start, tc = cpu() - start_cpu;
        if (t < best_run) best_run = t;
        if (tc < best_run_cpu) best_run_cpu = tc;
    }
    const review_summary *s = review_engine_summary(e);

    /* The same with every result's criteria, rules and reason written out. */
    render rd = {.e = e};
    ph_buf_init(&rd.text);
    start = now();
    if (review_evaluate(e, snapshot, set->v, set->n, render_one, &rd, &err)) die(&err);
    double with_reasons = now() - start;
    ph_buf_free(&rd.text);

    printf("review_licences: %zu licences\n", set->n);
    printf("review_lines: %zu lines\n", set->nlines);
    printf("review_sql_scan_baseline: %.3f s (%ld rows)\n", best_scan, rows);
    printf("review_sql_scan_baseline_cpu: %.3f s\n", best_scan_cpu);
    printf("review_load: %.3f s\n", load);
    printf("review_dry_run: %.3f s\n", best_run);
    printf("review_dry_run_rate: %.0f licences/s\n", (double)set->n / best_run);
    printf("review_dry_run_per_million: %.2f s\n", best_run * 1e6 / (double)set->n);
    printf("review_dry_run_cpu: %.3f s\n", best_run_cpu);
    printf("review_ratio_dry_run_over_sql_scan: %.2f x\n", best_run / best_scan);
    printf("review_ratio_dry_run_over_sql_scan_cpu: %.2f x\n", best_run_cpu / best_scan_cpu);
    printf("review_dry_run_with_reasons: %.3f s (%.0f MB of reasons)\n", with_reasons,
           (double)rd.bytes / 1e6);
    printf("review_suspend: %lld licences\n", (long long)s->total.licences[REVIEW_SUSPEND]);
    printf("review_exception: %lld licences\n", (long long)s->total.licences[REVIEW_EXCEPTION]);
    printf("review_refer: %lld licences\n", (long long)s->total.licences[REVIEW_REFER]);
    printf("review_continue: %lld licences\n", (long long)s->total.licences[REVIEW_CONTINUE]);

    review_licences_free(set);
    review_engine_free(e);
    assess_evidence_snapshot_free(snapshot);
    policy_free(p);
    assess_context_free(ctx);
    review_def_free(&d);
    store_close(db);
    return 0;
}
