/* Shared by the list parser fuzz targets: what every entity a parser hands
 * over must satisfy, whatever the input. */
#ifndef LISTS_FUZZ_CHECK_H
#define LISTS_FUZZ_CHECK_H

#include <string.h>

#include "lists/lists.h"

static void fuzz_check_text(const char *s) {
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if (*p < 0x20 || *p == 0x7F) __builtin_trap();   /* cleaned: no control characters */
    if (p == (const unsigned char *)s) __builtin_trap(); /* never an empty string */
}

static void fuzz_check_date(const char *d) {
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10) __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9')) __builtin_trap();
    }
}

static int fuzz_check_entity(void *ctx, const lists_entity *e, ph_err *err) {
    (void)err;
    long *count = ctx;
    (*count)++;
    fuzz_check_text(e->entity_id);
    if (!e->entity_id || e->nnames == 0) __builtin_trap();
    if (strcmp(e->names[0].kind, "primary") != 0) __builtin_trap();
    for (size_t i = 0; i < e->nnames; i++) {
        fuzz_check_text(e->names[i].text);
        const char *k = e->names[i].kind, *q = e->names[i].quality;
        if (strcmp(k, "primary") && strcmp(k, "alias") && strcmp(k, "original")) __builtin_trap();
        if (strcmp(q, "strong") && strcmp(q, "weak") && strcmp(q, "")) __builtin_trap();
    }
    for (size_t i = 0; i < e->ndobs; i++)
        fuzz_check_date(e->dobs[i]);
    for (size_t i = 0; i < e->ncountries; i++)
        fuzz_check_text(e->countries[i]);
    for (size_t i = 0; i < e->nprogrammes; i++)
        fuzz_check_text(e->programmes[i]);
    for (size_t i = 0; i < e->naddresses; i++)
        fuzz_check_text(e->addresses[i]);
    for (size_t i = 0; i < e->nattrs; i++)
        fuzz_check_text(e->attrs[i].value);
    if (strcmp(e->type, "person") && strcmp(e->type, "entity") && strcmp(e->type, "vessel") &&
        strcmp(e->type, "aircraft") && strcmp(e->type, "unknown"))
        __builtin_trap();
    return PH_OK;
}

/* Parses one input both strictly and skipping bad records. */
static void fuzz_parse(const char *format, const lists_input *in, size_t n) {
    for (int skip = 0; skip < 2; skip++) {
        lists_parse_options o = {.skip_bad = skip};
        lists_parse_report rep;
        ph_err err = {0};
        long count = 0;
        int rc = lists_parse(format, in, n, &o, fuzz_check_entity, &count, &rep, &err);
        if (rc && !err.msg[0]) __builtin_trap(); /* a failure always says why */
        if (!rc && rep.entities != count) __builtin_trap();
        lists_parse_report_free(&rep);
    }
}

#endif
