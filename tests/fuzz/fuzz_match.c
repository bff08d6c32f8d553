/* Fuzzes the matcher on arbitrary pairs: the input is two names separated
 * by a newline. Scores stay in [0, 1], the explanation agrees with the
 * score, and an index built from the second name answers the first
 * without crashing, with hits in order and within the floor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "screen/screen.h"

static text_normaliser *normaliser(void) {
    static text_normaliser *tn;
    ph_err err = {0};
    if (!tn && text_normaliser_new(&tn, &err)) __builtin_trap();
    return tn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *b = memchr(buf, '\n', size);
    if (b)
        *b++ = '\0';
    else
        b = buf + size;
    const char *a = buf;

    double score = -1;
    screen_explanation *ex = malloc(sizeof *ex);
    ph_err err = {0};
    int rc = screen_match_names(NULL, normaliser(), a, b, SCREEN_TYPE_ANY, &score, ex, &err);
    if (rc == PH_OK) {
        if (!(score >= 0 && score <= 1) || ex->score != score || ex->nparts > SCREEN_MAX_PARTS)
            __builtin_trap();
    } else if (rc != PH_EUSAGE) {
        __builtin_trap();
    }

    /* The second name as a list entry (primary and weak alias), the first as a query. */
    screen_name names[2] = {{b, SCREEN_NAME_PRIMARY, 0}, {a, SCREEN_NAME_ALIAS, 1}};
    const char *dob = "1960";
    screen_record rec = {"fuzz", "1", SCREEN_PERSON, names, 2, &dob, 1, &dob, 1};
    screen_index *idx;
    if (screen_index_build(&rec, 1, NULL, &idx, &err)) __builtin_trap();
    for (int mode = 0; mode < 3; mode++) {
        screen_request q;
        screen_request_init(&q);
        q.name = a;
        q.explain = 1;
        q.full_scan = mode;
        q.min_score = 0.0;
        q.dob = mode == 1 ? "1961" : NULL;
        screen_result r;
        if (screen_query(idx, &q, &r, &err) == PH_OK) {
            if (r.nhits > 1) __builtin_trap(); /* one entity */
            for (size_t i = 0; i < r.nhits; i++) {
                if (!(r.hits[i].score > 0 && r.hits[i].score <= 1)) __builtin_trap();
                if (r.hits[i].explanation->score != r.hits[i].score) __builtin_trap();
            }
            screen_result_free(&r);
        }
    }
    screen_index_free(idx);
    free(ex);
    free(buf);
    return 0;
}
