/* Times lists_load_current() over every list in a database, against a
 * baseline in the same run: parsing the same lists again from their files
 * (what loading would cost without the store).
 *
 *   lists_load DB REPEAT FORMAT=FILE[,FILE...]...
 *
 * Prints "name: value unit" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lists/lists.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int count_entity(void *ctx, const lists_entity *e, ph_err *err) {
    (void)err;
    long *names = ctx;
    *names += (long)e->nnames;
    return PH_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: lists_load DB REPEAT FORMAT=FILE[,FILE...]...\n");
        return 2;
    }
    long repeat = strtol(argv[2], NULL, 10);
    if (repeat < 1) repeat = 1;
    ph_err err = {0};
    store *db;
    if (store_open(argv[1], getenv("RW") ? 0 : STORE_READONLY, &db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double *load = calloc((size_t)repeat, sizeof *load),
           *parse = calloc((size_t)repeat, sizeof *parse);
    size_t entities = 0, names = 0;
    for (long r = 0; r < repeat; r++) {
        double t0 = now_ms();
        lists_set s;
        if (lists_load_current(db, NULL, 0, &s, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        load[r] = now_ms() - t0;
        entities = s.n;
        names = 0;
        for (size_t i = 0; i < s.n; i++)
            names += s.v[i].nnames;
        lists_set_free(&s);
    }
    for (long r = 0; r < repeat; r++) {
        double t0 = now_ms();
        long parsed_names = 0;
        for (int a = 3; a < argc; a++) {
            char *spec = strdup(argv[a]);
            char *eq = strchr(spec, '=');
            if (!eq) {
                fprintf(stderr, "expected FORMAT=FILE[,FILE...]: %s\n", argv[a]);
                return 2;
            }
            *eq = 0;
            lists_input in[8];
            size_t n = 0;
            for (char *f = eq + 1; f && n < 8;) {
                char *comma = strchr(f, ',');
                if (comma) *comma = 0;
                memset(&in[n], 0, sizeof in[n]);
                in[n++].path = f;
                f = comma ? comma + 1 : NULL;
            }
            lists_parse_options o = {.skip_bad = 1};
            lists_parse_report rep;
            if (lists_parse(spec, in, n, &o, count_entity, &parsed_names, &rep, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            lists_parse_report_free(&rep);
            free(spec);
        }
        parse[r] = now_ms() - t0;
    }
    qsort(load, (size_t)repeat, sizeof *load, cmp_double);
    qsort(parse, (size_t)repeat, sizeof *parse, cmp_double);
    double lm = load[repeat / 2], pm = parse[repeat / 2];
    printf("lists_load_entities: %zu entities\n", entities);
    printf("lists_load_names: %zu names\n", names);
    printf("lists_load_current_median: %.1f ms\n", lm);
    printf("lists_parse_files_median (baseline): %.1f ms\n", pm);
    printf("lists_load_speedup_over_parse: %.1f x\n", lm > 0 ? pm / lm : 0.0);
    free(load);
    free(parse);
    store_close(db);
    return 0;
}
