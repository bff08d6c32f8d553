/* Fuzzes the parsers a reporter's input reaches before any account does:
 * receipt codes (any bytes give the 20 bytes or a clean error, and what
 * parses formats back to a code that parses to the same bytes), and the
 * --about, category and outcome values of a concern. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "concern/concern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char code[CONCERN_RECEIPT_BYTES], again[CONCERN_RECEIPT_BYTES];
    ph_err err = {0};
    if (concern_receipt_parse((const char *)data, size, code, &err) == PH_OK) {
        char text[CONCERN_RECEIPT_TEXT];
        concern_receipt_format(code, text);
        if (strlen(text) != 43 || strncmp(text, "pcr-", 4) != 0) __builtin_trap();
        if (concern_receipt_parse(text, strlen(text), again, &err) != PH_OK) __builtin_trap();
        if (memcmp(code, again, sizeof code) != 0) __builtin_trap();
    } else if (err.rc != PH_EUSAGE || strncmp(err.msg, "receipt code: ", 14) != 0) {
        __builtin_trap();
    }
    char *s = ph_strndup((const char *)data, size); /* stops at a NUL, as a C string would */
    concern_about about;
    if (concern_about_parse(s, &about, &err) == PH_OK) {
        if (!about.kind[0] || !about.id[0]) __builtin_trap();
    } else if (err.rc != PH_EUSAGE) {
        __builtin_trap();
    }
    char category[32], outcome[24];
    if (concern_category_parse(s, category, &err) == PH_OK && !strchr(category, '_') &&
        strcmp(category, "conduct"))
        __builtin_trap();
    concern_outcome_parse(s, outcome, &err);
    concern_duration d;
    if (concern_duration_parse(s, &d, &err) == PH_OK && (d.n < 0 || d.n > 3650)) __builtin_trap();
    free(s);
    return 0;
}
