/* Screening quality on the development sets, for `make eval` (scripts/eval.sh).
 *
 *   eval_screen DB EVAL_DIR PAIRS_OUT
 *
 * DB holds the lists to screen against (imported by eval.sh). Prints
 * figures as "name: value unit":
 *  - UN positives (un_positives_dev.csv) screened against the UN list:
 *    recall@1, recall@10, and the share whose expected entity is an alert;
 *  - synthetic US negatives (negatives_us_dev.csv) against every list: the
 *    share of names with an alert;
 *    both by name only and with the date of birth and nationality given,
 *    on the tuning half (first half of each file), the held-out half, and all;
 *  - the candidate index against an exhaustive comparison of every query
 *    token with every list token, on a sample: hits and alerts kept;
 *  - labelled name pairs built from the lists (each alias against its
 *    entity's primary name: match; two entities of one list sharing a word:
 *    no match), written to PAIRS_OUT for `penholder match --pairs`, with
 *    precision, recall and F1 at the default threshold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "csv/csv.h"
#include "lists/lists.h"
#include "refdata/refdata.h"
#include "screen/screen.h"

/* Negatives compared with the exhaustive scan: one in this many. */
#define EXHAUSTIVE_SAMPLE_STEP 50

typedef struct counts {
    long n, at1, at10, alert;
} counts;

static void die(const ph_err *err) {
    fprintf(stderr, "eval_screen: %s\n", err->msg);
    exit(1);
}

static double ratio(long a, long b) {
    return b ? (double)a / (double)b : 0.0;
}

static long count_rows(const char *path) {
    ph_err err = {0};
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, &err);
    if (!r) die(&err);
    long n = -1;
    while (csv_next(r, &err) == 1)
        n++;
    csv_close(r);
    return n;
}

/* Positives: the expected UN reference numbers are in column 4
 * ("TAi.108" or several separated by ';'). */
static int expected(const char *list, const char *id, const char *refs) {
    if (strcmp(list, "un") != 0) return 0;
    size_t n = strlen(id);
    for (const char *p = refs; (p = strstr(p, id)); p += n) {
        int start = p == refs || p[-1] == ';' || p[-1] == ' ';
        int end = p[n] == '\0' || p[n] == ';' || p[n] == ' ';
        if (start && end) return 1;
    }
    return 0;
}

/* A date the engine takes: YYYY or a real YYYY-MM-DD (the set has 1974-01-32). */
static int usable_date(const char *d) {
    int32_t days;
    return (strlen(d) == 4 && d[0] >= '1' && d[0] <= '2') ||
           (strlen(d) == 10 && ph_date_parse(d, &days) == PH_OK);
}

static void positives(const screen_index *idx, const char *path, int qualified, counts *half) {
    ph_err err = {0};
    long total = count_rows(path);
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, &err);
    if (!r || csv_next(r, &err) != 1) die(&err);
    int cn = csv_find(r, "query_name"), cd = csv_find(r, "date_of_birth"),
        cc = csv_find(r, "nationality"), ce = csv_find(r, "expected_un_reference_numbers");
    const char *un[] = {"un"};
    long row = 0;
    while (csv_next(r, &err) == 1) {
        screen_request q;
        screen_request_init(&q);
        q.name = csv_field(r, (size_t)cn);
        q.lists = un;
        q.nlists = 1;
        q.limit = 10;
        if (qualified) {
            const char *d = csv_field(r, (size_t)cd);
            if (usable_date(d)) q.dob = d;
            if (strlen(csv_field(r, (size_t)cc)) == 2) q.country = csv_field(r, (size_t)cc);
        }
        screen_result res;
        if (screen_query(idx, &q, &res, &err)) die(&err);
        counts *c = &half[row++ < total / 2 ? 0 : 1];
        c->n++;
        for (size_t h = 0; h < res.nhits; h++) {
            if (!expected(res.hits[h].list, res.hits[h].entity_id, csv_field(r, (size_t)ce)))
                continue;
            if (h == 0) c->at1++;
            c->at10++;
            if (res.hits[h].alert) c->alert++;
            break;
        }
        screen_result_free(&res);
    }
    csv_close(r);
}

static void negatives(const screen_index *idx, const refdata_names *countries, const char *path,
                      int qualified, counts *half) {
    ph_err err = {0};
    long total = count_rows(path);
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, &err);
    if (!r || csv_next(r, &err) != 1) die(&err);
    int cn = csv_find(r, "full_name"), cd = csv_find(r, "date_of_birth"),
        cc = csv_find(r, "nationality");
    long row = 0;
    while (csv_next(r, &err) == 1) {
        screen_request q;
        screen_request_init(&q);
        q.name = csv_field(r, (size_t)cn);
        q.limit = 10;
        if (qualified) {
            const char *d = csv_field(r, (size_t)cd);
            if (usable_date(d)) q.dob = d;
            const char *code = refdata_names_resolve(countries, csv_field(r, (size_t)cc));
            if (code) q.country = code;
        }
        screen_result res;
        if (screen_query(idx, &q, &res, &err)) die(&err);
        counts *c = &half[row++ < total / 2 ? 0 : 1];
        c->n++;
        if (res.nhits && res.hits[0].alert) c->alert++;
        screen_result_free(&res);
    }
    csv_close(r);
}

static void print_split(const char *what, const char *measure, const counts *half, int kind) {
    const char *names[] = {"tuning", "heldout", "all"};
    for (int s = 0; s < 3; s++) {
        counts c = s < 2 ? half[s]
                         : (counts){half[0].n + half[1].n, half[0].at1 + half[1].at1,
                                    half[0].at10 + half[1].at10, half[0].alert + half[1].alert};
        if (kind == 0) {
            printf("%s_recall_at_1_%s%s: %.4f\n", what, names[s], measure, ratio(c.at1, c.n));
            printf("%s_recall_at_10_%s%s: %.4f\n", what, names[s], measure, ratio(c.at10, c.n));
            printf("%s_alert_recall_%s%s: %.4f\n", what, names[s], measure, ratio(c.alert, c.n));
        } else {
            printf("%s_alert_rate_%s%s: %.3f %% (%ld of %ld)\n", what, names[s], measure,
                   100.0 * ratio(c.alert, c.n), c.alert, c.n);
        }
    }
}

/* Index against the exhaustive comparison (every query token against
 * every list token, then every name holding a similar token scored). */
static void exhaustive(const screen_index *idx, const char *pos, const char *neg) {
    ph_err err = {0};
    long queries = 0, hits = 0, kept = 0, alerts = 0, alerts_kept = 0, same_top = 0;
    const char *files[] = {pos, neg};
    for (int f = 0; f < 2; f++) {
        csv_reader *r = csv_open_file(files[f], ',', CSV_QUOTES, &err);
        if (!r || csv_next(r, &err) != 1) die(&err);
        int cn = csv_find(r, f == 0 ? "query_name" : "full_name");
        long row = 0;
        while (csv_next(r, &err) == 1) {
            if (f == 1 && row++ % EXHAUSTIVE_SAMPLE_STEP) continue;
            screen_request q;
            screen_request_init(&q);
            q.name = csv_field(r, (size_t)cn);
            q.limit = 10;
            screen_result a, b;
            if (screen_query(idx, &q, &a, &err)) die(&err);
            q.full_scan = 2;
            if (screen_query(idx, &q, &b, &err)) die(&err);
            queries++;
            if (a.nhits && b.nhits && strcmp(a.hits[0].entity_id, b.hits[0].entity_id) == 0 &&
                strcmp(a.hits[0].list, b.hits[0].list) == 0)
                same_top++;
            else if (!a.nhits && !b.nhits)
                same_top++;
            for (size_t i = 0; i < b.nhits; i++) {
                int found = 0;
                for (size_t k = 0; k < a.nhits && !found; k++)
                    found = strcmp(a.hits[k].entity_id, b.hits[i].entity_id) == 0 &&
                            strcmp(a.hits[k].list, b.hits[i].list) == 0;
                hits++;
                kept += found;
                if (b.hits[i].alert) {
                    alerts++;
                    alerts_kept += found;
                }
            }
            screen_result_free(&a);
            screen_result_free(&b);
        }
        csv_close(r);
    }
    printf("index_vs_exhaustive_queries: %ld queries\n", queries);
    printf("index_vs_exhaustive_same_top_hit: %.4f\n", ratio(same_top, queries));
    printf("index_vs_exhaustive_hits_kept: %.4f (%ld of %ld)\n", ratio(kept, hits), kept, hits);
    printf("index_vs_exhaustive_alerts_kept: %.4f (%ld of %ld)\n", ratio(alerts_kept, alerts),
           alerts_kept, alerts);
}

/* ---- labelled pairs ---- */

typedef struct word_entity {
    uint64_t word;
    uint32_t entity;
} word_entity;

static int cmp_word(const void *a, const void *b) {
    const word_entity *x = a, *y = b;
    if (x->word != y->word) return x->word < y->word ? -1 : 1;
    return x->entity < y->entity ? -1 : x->entity > y->entity;
}

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static const char *schema_of(const char *type) {
    return strcmp(type, "person") == 0   ? "Person"
           : strcmp(type, "vessel") == 0 ? "Vessel"
                                         : "Organization";
}

static void pairs(store *db, const screen_index *idx, const char *out_path) {
    ph_err err = {0};
    lists_set set;
    if (lists_load_current(db, NULL, 0, &set, &err)) die(&err);
    FILE *out = fopen(out_path, "w");
    if (!out) {
        perror(out_path);
        exit(1);
    }
    const char *h[] = {"name1", "name2", "schema", "label"};
    csv_write_row(out, h, 4);
    text_normaliser *tn = screen_index_normaliser(idx);
    double threshold = screen_index_config(idx)->threshold;
    long tp = 0, fp = 0, fn = 0, tn_count = 0, npos = 0, nneg = 0;
    /* Words of each primary name, to find entities of the same list sharing one. */
    word_entity *we = NULL;
    size_t nwe = 0, cap = 0;
    text_name *nm = ph_malloc(sizeof *nm);
    for (size_t i = 0; i < set.n; i++) {
        const lists_entity *e = &set.v[i];
        if (!e->nnames) continue;
        if (text_normalise_name(tn, e->names[0].text, strlen(e->names[0].text), TEXT_TRUNCATE, nm,
                                &err))
            continue;
        for (size_t t = 0; t < nm->ntokens; t++) {
            if (nm->tokens[t].kind != TEXT_WORD || nm->tokens[t].len < 3) continue;
            uint64_t w = mix(ph_hash(e->list, strlen(e->list)) ^
                             ph_hash(nm->tokens[t].text, nm->tokens[t].len));
            we = ph_grow(we, &cap, nwe + 1, sizeof *we);
            we[nwe++] = (word_entity){w, (uint32_t)i};
        }
    }
    qsort(we, nwe, sizeof *we, cmp_word);
    for (size_t i = 0; i < set.n; i++) {
        const lists_entity *e = &set.v[i];
        if (!e->nnames) continue;
        const char *schema = schema_of(e->type);
        /* Aliases against the primary name: matches. */
        for (size_t k = 1; k < e->nnames; k++) {
            if (strcmp(e->names[k].text, e->names[0].text) == 0) continue;
            double s;
            if (screen_match_names(idx, NULL, e->names[k].text, e->names[0].text, SCREEN_TYPE_ANY,
                                   &s, NULL, &err))
                continue;
            const char *row[] = {e->names[k].text, e->names[0].text, schema, "match"};
            csv_write_row(out, row, 4);
            npos++;
            if (s >= threshold)
                tp++;
            else
                fn++;
        }
        /* One other entity of the same list sharing a word: not a match. */
        if (text_normalise_name(tn, e->names[0].text, strlen(e->names[0].text), TEXT_TRUNCATE, nm,
                                &err))
            continue;
        size_t candidates[64], nc = 0;
        for (size_t t = 0; t < nm->ntokens && nc < 64; t++) {
            if (nm->tokens[t].kind != TEXT_WORD || nm->tokens[t].len < 3) continue;
            uint64_t w = mix(ph_hash(e->list, strlen(e->list)) ^
                             ph_hash(nm->tokens[t].text, nm->tokens[t].len));
            size_t lo = 0, hi = nwe;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (we[mid].word < w)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t j = lo; j < nwe && we[j].word == w && nc < 64; j++)
                if (we[j].entity != i) candidates[nc++] = we[j].entity;
        }
        if (!nc) continue;
        const lists_entity *o = &set.v[candidates[mix(i) % nc]];
        if (strcmp(o->names[0].text, e->names[0].text) == 0) continue;
        double s;
        if (screen_match_names(idx, NULL, e->names[0].text, o->names[0].text, SCREEN_TYPE_ANY, &s,
                               NULL, &err))
            continue;
        const char *row[] = {e->names[0].text, o->names[0].text, schema, "no-match"};
        csv_write_row(out, row, 4);
        nneg++;
        if (s >= threshold)
            fp++;
        else
            tn_count++;
    }
    fclose(out);
    free(nm);
    free(we);
    lists_set_free(&set);
    double p = ratio(tp, tp + fp), rcl = ratio(tp, tp + fn);
    printf("pairs_match: %ld pairs\n", npos);
    printf("pairs_no_match: %ld pairs\n", nneg);
    printf("pairs_precision: %.4f\n", p);
    printf("pairs_recall: %.4f\n", rcl);
    printf("pairs_f1: %.4f\n", p + rcl > 0 ? 2 * p * rcl / (p + rcl) : 0.0);
    (void)tn_count;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: eval_screen DB EVAL_DIR PAIRS_OUT\n");
        return 2;
    }
    ph_err err = {0};
    store *db;
    if (store_open(argv[1], STORE_READONLY, &db, &err)) die(&err);
    screen_index *idx;
    size_t entities, nlists;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (lists_screen_index(db, &idx, &entities, &nlists, &err) || !idx) die(&err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    refdata_names *countries;
    if (refdata_names_load(db, &countries, &err)) die(&err);
    screen_index_stats st;
    screen_index_get_stats(idx, &st);
    printf("lists: %zu lists\nentities: %zu entities\nnames: %zu names\n", nlists, entities,
           st.names);
    printf("threshold: %.2f\n", screen_index_config(idx)->threshold);

    char pos[4096], neg[4096];
    snprintf(pos, sizeof pos, "%s/un_positives_dev.csv", argv[2]);
    snprintf(neg, sizeof neg, "%s/negatives_us_dev.csv", argv[2]);
    for (int qualified = 0; qualified < 2; qualified++) {
        const char *suffix = qualified ? "_with_dob_country" : "";
        counts p[2] = {{0}}, n[2] = {{0}};
        positives(idx, pos, qualified, p);
        print_split("un_positives", suffix, p, 0);
        negatives(idx, countries, neg, qualified, n);
        print_split("us_negatives", suffix, n, 1);
    }
    exhaustive(idx, pos, neg);
    pairs(db, idx, argv[3]);
    refdata_names_free(countries);
    screen_index_free(idx);
    store_close(db);
    return 0;
}
