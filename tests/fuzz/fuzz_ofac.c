/* Fuzzes the OFAC legacy CSV parser over several files at once: the input
 * is split into files at each line "====". */
#include <stdint.h>

#include "lists_fuzz_check.h"

#define FUZZ_OFAC_MAX_FILES 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const labels[FUZZ_OFAC_MAX_FILES] = {"sdn.csv", "alt.csv", "add.csv",
                                                            "comments.csv", "extra.csv"};
    lists_input in[FUZZ_OFAC_MAX_FILES];
    memset(in, 0, sizeof in);
    const char *p = (const char *)data, *end = p + size;
    size_t n = 0;
    while (n < FUZZ_OFAC_MAX_FILES) {
        const char *sep = NULL;
        for (const char *q = p; q + 6 <= end; q++)
            if (memcmp(q, "\n====\n", 6) == 0) {
                sep = q;
                break;
            }
        in[n].label = labels[n];
        in[n].data = p;
        in[n].len = (size_t)((sep && n + 1 < FUZZ_OFAC_MAX_FILES ? sep : end) - p);
        n++;
        if (!sep || n == FUZZ_OFAC_MAX_FILES) break;
        p = sep + 6;
    }
    fuzz_parse("ofac-csv", in, n);
    return 0;
}
