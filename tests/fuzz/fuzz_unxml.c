/* Fuzzes the un-xml list parser: any bytes give entities that pass the
 * checks in lists_fuzz_check.h, or a clean error. */
#include <stdint.h>

#include "lists_fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lists_input in = {.label = "fuzz.xml", .data = (const char *)data, .len = size};
    fuzz_parse("un-xml", &in, 1);
    return 0;
}
