/* Screening benchmark (bench/screen.sh). Prints "name: value unit" lines.
 *
 *   screen_bench dev DB NEGATIVES.csv POSITIVES.csv
 *       Bulk screening of every development query (negatives by full_name,
 *       positives by query_name) against the lists in DB on one thread, then
 *       a sample of BASELINE_SAMPLE of them through the brute-force baseline
 *       (every query token compared with every token of every list name, the
 *       same similarity function and score) and through the index, for the
 *       ratio.
 *   screen_bench synthetic N
 *       A generated list of N names (people and companies, word frequencies
 *       as skewed as in the real lists): index build time, memory, and query
 *       latency percentiles for names from the list with typos and for
 *       names not on it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "csv/csv.h"
#include "screen/screen.h"

#define BASELINE_SAMPLE 1000
#define SYNTHETIC_QUERIES 4000

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double thread_cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void die(const ph_err *err) {
    fprintf(stderr, "screen_bench: %s\n", err->msg);
    exit(1);
}

typedef struct strings {
    char **v;
    size_t n, cap;
} strings;

static void push(strings *s, const char *x) {
    s->v = ph_grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = ph_strdup(x);
}

static void read_column(const char *path, const char *column, strings *out) {
    ph_err err = {0};
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, &err);
    if (!r || csv_next(r, &err) != 1) die(&err);
    int c = csv_find(r, column);
    if (c < 0) {
        fprintf(stderr, "screen_bench: %s has no column %s\n", path, column);
        exit(1);
    }
    while (csv_next(r, &err) == 1)
        push(out, csv_field(r, (size_t)c));
    csv_close(r);
}

/* Screens queries [0, n) with stride; returns seconds of wall time. */
static double run(const screen_index *idx, const strings *q, size_t stride, int full_scan,
                  size_t *done, size_t *alerts) {
    ph_err err = {0};
    *done = *alerts = 0;
    double t0 = now();
    for (size_t i = 0; i < q->n; i += stride) {
        screen_request r;
        screen_request_init(&r);
        r.name = q->v[i];
        r.limit = 10;
        r.full_scan = full_scan;
        screen_result res;
        if (screen_query(idx, &r, &res, &err) == PH_OK) {
            if (res.nhits && res.hits[0].alert) (*alerts)++;
            screen_result_free(&res);
        }
        (*done)++;
    }
    return now() - t0;
}

static int dev(const char *db_path, const char *neg, const char *pos) {
    ph_err err = {0};
    store *db;
    if (store_open(db_path, STORE_READONLY, &db, &err)) die(&err);
    screen_index *idx;
    size_t entities, nlists;
    double t0 = now();
    if (lists_screen_index(db, &idx, &entities, &nlists, &err) || !idx) die(&err);
    double load = now() - t0;
    store_close(db);
    screen_index_stats st;
    screen_index_get_stats(idx, &st);
    printf("screen_lists: %zu lists\n", nlists);
    printf("screen_list_names: %zu names\n", st.names);
    printf("screen_load_and_build: %.2f s\n", load);
    printf("screen_index_memory: %.1f MB\n", (double)st.bytes / 1e6);

    strings q = {0};
    read_column(neg, "full_name", &q);
    read_column(pos, "query_name", &q);
    size_t done, alerts;
    double c0 = cpu_now();
    double wall = run(idx, &q, 1, 0, &done, &alerts);
    double cpu = cpu_now() - c0;
    printf("screen_bulk_queries: %zu queries\n", done);
    printf("screen_bulk_seconds: %.2f s\n", wall);
    printf("screen_bulk_throughput: %.0f queries/s\n", (double)done / wall);
    printf("screen_bulk_throughput_cpu: %.0f queries/s\n", (double)done / cpu);
    printf("screen_bulk_mean_latency: %.1f us\n", wall / (double)done * 1e6);

    size_t stride = q.n / BASELINE_SAMPLE ? q.n / BASELINE_SAMPLE : 1;
    size_t base_done, base_alerts, idx_done, idx_alerts;
    double base = run(idx, &q, stride, 1, &base_done, &base_alerts);
    double indexed = run(idx, &q, stride, 0, &idx_done, &idx_alerts);
    printf("screen_baseline_queries: %zu queries\n", base_done);
    printf("screen_baseline_throughput: %.1f queries/s\n", (double)base_done / base);
    printf("screen_baseline_mean_latency: %.0f us\n", base / (double)base_done * 1e6);
    printf("screen_index_sample_throughput: %.0f queries/s\n", (double)idx_done / indexed);
    printf("screen_speedup_over_baseline: %.0f x\n", base / indexed);
    printf("screen_baseline_sample_alerts: %zu alerts\n", base_alerts);
    printf("screen_index_sample_alerts: %zu alerts\n", idx_alerts);
    for (size_t i = 0; i < q.n; i++)
        free(q.v[i]);
    free(q.v);
    screen_index_free(idx);
    return 0;
}

/* ---- synthetic lists ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Syllables: onset, vowel, coda (about 3,000), so that two-to-three-syllable
 * words are as far apart in spelling as real names are (a random word
 * rarely has a neighbour one letter away), with the usual transliteration
 * digraphs. */
static const char *const onsets[] = {"b",  "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",
                                     "m",  "n",  "p",  "r",  "s",  "t",  "v",  "w",  "z",
                                     "ch", "sh", "th", "kh", "br", "tr", "st", "gr", "pl"};
static const char *const vowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ia", "ee", "oo"};
static const char *const codas[] = {"", "", "", "n", "r", "l", "s", "m", "k", "t", "d", "sh", "ng"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
static const char *const legal[] = {
    "LLC", "Ltd",  "Limited",         "JSC",     "GmbH",  "S.A.",
    "Co.", "Corp", "Trading Company", "Holding", "Group", "International"};

/* Word frequencies follow a Zipf-Mandelbrot law, weight 1/(k + ZIPF_OFFSET)
 * for the k-th word: the most common word is then in about 2% of names, as
 * "muhammad" and "ali" are in the OFAC, UN and CSL lists. */
#define ZIPF_OFFSET 5.0

typedef struct vocab {
    char **words;
    double *cdf;
    size_t n;
} vocab;

static void make_word(char *out, size_t size, int syll) {
    size_t len = 0;
    for (int s = 0; s < syll; s++) {
        const char *parts[3] = {onsets[rng() % NELEM(onsets)], vowels[rng() % NELEM(vowels)],
                                codas[rng() % NELEM(codas)]};
        for (int p = 0; p < 3; p++) {
            size_t l = strlen(parts[p]);
            if (len + l + 1 >= size) break;
            memcpy(out + len, parts[p], l);
            len += l;
        }
    }
    out[len] = '\0';
    if (len) out[0] = (char)(out[0] - 'a' + 'A');
}

static void vocab_init(vocab *v, size_t n, int min_syll, int max_syll) {
    v->n = n;
    v->words = ph_malloc(n * sizeof *v->words);
    v->cdf = ph_malloc(n * sizeof *v->cdf);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        char w[64];
        make_word(w, sizeof w, min_syll + (int)(rng() % (uint64_t)(max_syll - min_syll + 1)));
        v->words[i] = ph_strdup(w);
        total += 1.0 / ((double)i + ZIPF_OFFSET);
        v->cdf[i] = total;
    }
    for (size_t i = 0; i < n; i++)
        v->cdf[i] /= total;
}

static const char *vocab_draw(const vocab *v) {
    double x = (double)(rng() >> 11) / (double)(1ULL << 53);
    size_t lo = 0, hi = v->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v->cdf[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return v->words[lo];
}

static void vocab_free(vocab *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->words[i]);
    free(v->words);
    free(v->cdf);
}

static void make_name(const vocab *given, const vocab *family, const vocab *words, char *out,
                      size_t size, screen_type *type) {
    if (rng() % 4 == 0) {
        *type = SCREEN_ENTITY;
        snprintf(out, size, "%s %s %s", vocab_draw(words), vocab_draw(words),
                 legal[rng() % (sizeof legal / sizeof legal[0])]);
    } else if (rng() % 3 == 0) {
        *type = SCREEN_PERSON;
        snprintf(out, size, "%s %s %s", vocab_draw(given), vocab_draw(given), vocab_draw(family));
    } else {
        *type = SCREEN_PERSON;
        snprintf(out, size, "%s, %s", vocab_draw(family), vocab_draw(given));
    }
}

/* A typo: one letter changed, dropped or doubled. */
static void typo(char *s) {
    size_t n = strlen(s);
    if (n < 4) return;
    size_t at = 1 + rng() % (n - 2);
    switch (rng() % 3) {
    case 0: s[at] = (char)('a' + rng() % 26); break;
    case 1: memmove(s + at, s + at + 1, n - at); break;
    default:
        if (n + 2 < 256) {
            memmove(s + at + 1, s + at, n - at + 1);
        }
        break;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int synthetic(size_t n) {
    vocab given, family, words;
    vocab_init(&given, 20000, 2, 3);
    vocab_init(&family, 200000, 2, 3);
    vocab_init(&words, 50000, 2, 3);
    screen_record *recs = ph_malloc(n * sizeof *recs);
    screen_name *names = ph_malloc(n * sizeof *names);
    char **texts = ph_malloc(n * sizeof *texts);
    char **ids = ph_malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        char name[256], id[32];
        screen_type type;
        make_name(&given, &family, &words, name, sizeof name, &type);
        snprintf(id, sizeof id, "S%zu", i);
        texts[i] = ph_strdup(name);
        ids[i] = ph_strdup(id);
        names[i] = (screen_name){texts[i], SCREEN_NAME_PRIMARY, 0};
        recs[i] = (screen_record){"synthetic", ids[i], type, &names[i], 1, NULL, 0, NULL, 0};
    }
    long rss_before = peak_rss_kb();
    ph_err err = {0};
    screen_index *idx;
    double t0 = now();
    if (screen_index_build(recs, n, NULL, &idx, &err)) die(&err);
    double build = now() - t0;
    screen_index_stats st;
    screen_index_get_stats(idx, &st);
    printf("synthetic_names: %zu names\n", st.names);
    printf("synthetic_distinct_tokens: %zu tokens\n", st.tokens);
    printf("synthetic_build_time: %.2f s\n", build);
    printf("synthetic_index_memory: %.0f MB\n", (double)st.bytes / 1e6);
    printf("synthetic_peak_memory: %.0f MB\n", (double)peak_rss_kb() / 1024.0);
    printf("synthetic_peak_memory_input: %.0f MB\n", (double)rss_before / 1024.0);

    /* Queries: half from the list (with a typo in one of two), half new names. */
    /* Wall time, and CPU time (what the query costs when the machine is
     * shared: time waiting for a core is left out). */
    double *lat = ph_malloc(SYNTHETIC_QUERIES * sizeof *lat);
    double *cpu = ph_malloc(SYNTHETIC_QUERIES * sizeof *cpu);
    size_t found = 0, listed = 0;
    for (size_t k = 0; k < SYNTHETIC_QUERIES; k++) {
        char q[256];
        screen_type type;
        size_t pick = rng() % n;
        if (k % 2 == 0) {
            ph_strlcpy(q, texts[pick], sizeof q);
            if (k % 4 == 0) typo(q);
            listed++;
        } else {
            make_name(&given, &family, &words, q, sizeof q, &type);
        }
        screen_request r;
        screen_request_init(&r);
        r.name = q;
        r.limit = 10;
        screen_result res;
        double a = now(), c = thread_cpu_now();
        int rc = screen_query(idx, &r, &res, &err);
        lat[k] = now() - a;
        cpu[k] = thread_cpu_now() - c;
        if (rc == PH_OK) {
            if (k % 2 == 0)
                for (size_t h = 0; h < res.nhits; h++)
                    if (strcmp(res.hits[h].entity_id, ids[pick]) == 0) found++;
            screen_result_free(&res);
        }
    }
    qsort(lat, SYNTHETIC_QUERIES, sizeof *lat, cmp_double);
    qsort(cpu, SYNTHETIC_QUERIES, sizeof *cpu, cmp_double);
    double sum = 0;
    for (size_t k = 0; k < SYNTHETIC_QUERIES; k++)
        sum += lat[k];
    printf("synthetic_queries: %d queries\n", SYNTHETIC_QUERIES);
    printf("synthetic_query_p50: %.0f us\n", lat[SYNTHETIC_QUERIES / 2] * 1e6);
    printf("synthetic_query_p90: %.0f us\n", lat[SYNTHETIC_QUERIES * 9 / 10] * 1e6);
    printf("synthetic_query_p99: %.0f us\n", lat[SYNTHETIC_QUERIES * 99 / 100] * 1e6);
    printf("synthetic_query_mean: %.0f us\n", sum / SYNTHETIC_QUERIES * 1e6);
    printf("synthetic_query_p50_cpu: %.0f us\n", cpu[SYNTHETIC_QUERIES / 2] * 1e6);
    printf("synthetic_query_p99_cpu: %.0f us\n", cpu[SYNTHETIC_QUERIES * 99 / 100] * 1e6);
    printf("synthetic_listed_found: %.3f\n", (double)found / (double)listed);
    free(lat);
    free(cpu);
    screen_index_free(idx);
    for (size_t i = 0; i < n; i++) {
        free(texts[i]);
        free(ids[i]);
    }
    free(texts);
    free(ids);
    free(names);
    free(recs);
    vocab_free(&given);
    vocab_free(&family);
    vocab_free(&words);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "dev") == 0) return dev(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "synthetic") == 0) {
        int64_t n;
        if (ph_parse_i64(argv[2], &n) || n < 1) return 2;
        return synthetic((size_t)n);
    }
    fprintf(stderr, "usage: screen_bench dev DB NEGATIVES.csv POSITIVES.csv\n"
                    "       screen_bench synthetic N\n");
    return 2;
}
