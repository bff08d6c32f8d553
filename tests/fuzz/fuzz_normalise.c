/* Fuzzes name normalisation: any bytes give tokens of a-z and 0-9 within
 * the caps, or a clean error (invalid UTF-8, NUL, too long). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"

static text_normaliser *normaliser(void) {
    static text_normaliser *tn;
    ph_err err = {0};
    if (!tn && text_normaliser_new(&tn, &err)) __builtin_trap();
    return tn;
}

static void check(const text_name *n) {
    if (n->ntokens > TEXT_MAX_TOKENS) __builtin_trap();
    for (size_t i = 0; i < n->ntokens; i++) {
        const text_token *t = &n->tokens[i];
        if (t->len == 0 || t->len > TEXT_TOKEN_MAX || strlen(t->text) != t->len) __builtin_trap();
        for (size_t c = 0; c < t->len; c++)
            if (!((t->text[c] >= 'a' && t->text[c] <= 'z') ||
                  (t->text[c] >= '0' && t->text[c] <= '9')))
                __builtin_trap();
        if (t->kind > TEXT_LEGAL) __builtin_trap();
    }
    char buf[64];
    size_t full = text_name_format(n, buf, sizeof buf);
    if (strlen(buf) != (full < sizeof buf ? full : sizeof buf - 1)) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    text_normaliser *tn = normaliser();
    for (unsigned options = 0; options < 4; options++) {
        text_name n;
        ph_err err = {0};
        int rc = text_normalise_name(tn, (const char *)data, size, options, &n, &err);
        if (rc == PH_OK)
            check(&n);
        else if (rc != PH_EUSAGE || !err.msg[0])
            __builtin_trap();
        if (rc == PH_OK && size > TEXT_MAX_NAME_BYTES && !(options & TEXT_TRUNCATE))
            __builtin_trap();
    }
    return 0;
}
