/* Fuzzes the CSV reader: any bytes give records or a clean error. */
#include <stdint.h>
#include <string.h>

#include "csv/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int mode = 0; mode < 2; mode++) {
        csv_reader *r = csv_open_memory("fuzz.csv", (const char *)data, size, mode ? '\t' : ',',
                                        mode ? 0 : CSV_QUOTES);
        ph_err err = {0};
        int got;
        while ((got = csv_next(r, &err)) == 1) {
            for (size_t i = 0; i < csv_count(r); i++)
                if (strlen(csv_field(r, i)) != csv_field_len(r, i)) __builtin_trap();
        }
        if (got < 0 && strncmp(err.msg, "fuzz.csv:", 9) != 0) __builtin_trap();
        csv_close(r);
    }
    return 0;
}
