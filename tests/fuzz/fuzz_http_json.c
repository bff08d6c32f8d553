/* Fuzzes JSON request bodies: parsing, then the field checks against a
 * nested schema (objects, arrays of objects, enumerations, caps). Any bytes
 * give a document and a list of problems, or a parse error; never a crash. */
#include <stdint.h>
#include <string.h>

#include "http/http.h"

static const http_field party_fields[] = {
    {.name = "name",
     .type = HTTP_JSON_STRING,
     .flags = HTTP_FIELD_REQUIRED,
     .min_len = 1,
     .max_len = 40},
    {.name = "country",
     .type = HTTP_JSON_STRING,
     .flags = HTTP_FIELD_REQUIRED,
     .min_len = 2,
     .max_len = 2},
    {.name = "address", .type = HTTP_JSON_OBJECT, .flags = HTTP_FIELD_NULLABLE},
};
static const http_schema party_schema = HTTP_SCHEMA(party_fields);
static const char *const types[] = {"SIEL", "OIEL", "SITCL", NULL};
static const http_field fields[] = {
    {.name = "type", .type = HTTP_JSON_STRING, .flags = HTTP_FIELD_REQUIRED, .one_of = types},
    {.name = "parties",
     .type = HTTP_JSON_ARRAY,
     .items = HTTP_JSON_OBJECT,
     .object = &party_schema,
     .max_len = 8},
    {.name = "ratings", .type = HTTP_JSON_ARRAY, .items = HTTP_JSON_STRING, .min_len = 1},
    {.name = "value_pence", .type = HTTP_JSON_INTEGER, .min_value = 0, .max_value = 1000000000},
    {.name = "share", .type = HTTP_JSON_NUMBER},
    {.name = "urgent", .type = HTTP_JSON_BOOLEAN},
    {.name = "end_user", .type = HTTP_JSON_OBJECT, .object = &party_schema},
    {.name = "note", .type = HTTP_JSON_STRING, .flags = HTTP_FIELD_NULLABLE, .max_len = 100},
};
static const http_schema schema = HTTP_SCHEMA(fields);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ph_err err = {0};
    json_t *j = http_json_parse((const char *)data, size, &err);
    if (!j) {
        if (strncmp(err.msg, "line ", 5) != 0) __builtin_trap();
        return 0;
    }
    http_field_errors e;
    size_t n = http_json_check(j, &schema, &e);
    if (n != e.count) __builtin_trap();
    if (n == 0 && !json_is_object(j)) __builtin_trap();
    for (size_t i = 0; i < n && i < HTTP_MAX_FIELD_ERRORS; i++) {
        if (strnlen(e.e[i].path, sizeof e.e[i].path) >= sizeof e.e[i].path) __builtin_trap();
        if (strnlen(e.e[i].detail, sizeof e.e[i].detail) >= sizeof e.e[i].detail) __builtin_trap();
        if (!e.e[i].detail[0]) __builtin_trap();
    }
    json_decref(j);
    return 0;
}
