/* JSON request bodies: parsing, and checking against the fields a route
 * accepts. Unknown fields are refused, so a misspelt field is an error the
 * client sees rather than a value silently ignored. */
#include "http.h"

#include <stdarg.h>
#include <string.h>

json_t *http_json_parse(const char *body, size_t len, ph_err *err) {
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) ph_fail(err, PH_ERR, "line %d, column %d: %s", e.line, e.column, e.text);
    return j;
}

static const char *type_name(http_json_type t) {
    switch (t) {
    case HTTP_JSON_STRING: return "a string";
    case HTTP_JSON_INTEGER: return "an integer";
    case HTTP_JSON_NUMBER: return "a number";
    case HTTP_JSON_BOOLEAN: return "true or false";
    case HTTP_JSON_OBJECT: return "an object";
    case HTTP_JSON_ARRAY: return "an array";
    }
    return "a value";
}

static const char *json_kind(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

static void add_error(http_field_errors *errors, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_error(http_field_errors *errors, const char *path, const char *fmt, ...) {
    if (errors->count < HTTP_MAX_FIELD_ERRORS) {
        http_field_error *e = &errors->e[errors->count];
        ph_strlcpy(e->path, path, sizeof e->path);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof e->detail, fmt, ap);
        va_end(ap);
    }
    errors->count++;
}

/* path + "." + name, or path + "[i]", bounded (a long path is cut, which
 * only shortens a message). */
static void join_name(char *out, size_t size, const char *path, const char *name) {
    if (*path)
        snprintf(out, size, "%s.%s", path, name);
    else
        snprintf(out, size, "%s", name);
}

static void join_index(char *out, size_t size, const char *path, size_t i) {
    snprintf(out, size, "%s[%zu]", path, i);
}

static int type_matches(const json_t *v, http_json_type t) {
    switch (t) {
    case HTTP_JSON_STRING: return json_is_string(v);
    case HTTP_JSON_INTEGER: return json_is_integer(v);
    case HTTP_JSON_NUMBER: return json_is_number(v);
    case HTTP_JSON_BOOLEAN: return json_is_boolean(v);
    case HTTP_JSON_OBJECT: return json_is_object(v);
    case HTTP_JSON_ARRAY: return json_is_array(v);
    }
    return 0;
}

static void check_object(const json_t *obj, const http_schema *schema, const char *path,
                         http_field_errors *errors);

/* Checks one value against a field (its type given separately, so that
 * array items reuse it). */
static void check_value(const json_t *v, const http_field *f, http_json_type type, const char *path,
                        http_field_errors *errors) {
    if (json_is_null(v) && (f->flags & HTTP_FIELD_NULLABLE) && type == f->type) return;
    if (!type_matches(v, type)) {
        add_error(errors, path, "expected %s, found %s", type_name(type), json_kind(v));
        return;
    }
    switch (type) {
    case HTTP_JSON_STRING: {
        size_t n = json_string_length(v);
        size_t max = f->max_len ? f->max_len : HTTP_STRING_MAX_DEFAULT;
        const char *s = json_string_value(v);
        if (n > max) {
            add_error(errors, path, "longer than %zu bytes", max);
        } else if (n < f->min_len) {
            add_error(errors, path,
                      f->min_len == 1 ? "must not be empty" : "shorter than %zu bytes", f->min_len);
        } else if (!http_text_ok(s, n)) {
            add_error(errors, path, "holds control characters");
        } else if (f->one_of) {
            for (size_t i = 0; f->one_of[i]; i++)
                if (strcmp(s, f->one_of[i]) == 0) return;
            char allowed[200] = "";
            size_t used = 0;
            for (size_t i = 0; f->one_of[i] && used < sizeof allowed; i++)
                used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s",
                                         i ? ", " : "", f->one_of[i]);
            add_error(errors, path, "must be one of: %s", allowed);
        }
        break;
    }
    case HTTP_JSON_INTEGER:
        if (f->min_value < f->max_value) {
            json_int_t x = json_integer_value(v);
            if (x < f->min_value || x > f->max_value)
                add_error(errors, path, "must be between %lld and %lld", (long long)f->min_value,
                          (long long)f->max_value);
        }
        break;
    case HTTP_JSON_ARRAY: {
        size_t n = json_array_size(v);
        size_t max = f->max_len ? f->max_len : HTTP_ARRAY_MAX_DEFAULT;
        if (n > max) {
            add_error(errors, path, "more than %zu items", max);
            break;
        }
        if (n < f->min_len) {
            add_error(errors, path, "fewer than %zu items", f->min_len);
            break;
        }
        if (f->items == HTTP_JSON_ARRAY) {
            add_error(errors, path, "internal: arrays of arrays are not described");
            break;
        }
        char item_path[sizeof errors->e[0].path];
        for (size_t i = 0; i < n && errors->count < HTTP_MAX_FIELD_ERRORS; i++) {
            join_index(item_path, sizeof item_path, path, i);
            check_value(json_array_get(v, i), f, f->items, item_path, errors);
        }
        break;
    }
    case HTTP_JSON_OBJECT:
        if (f->object) check_object(v, f->object, path, errors);
        break;
    default: break;
    }
}

static void check_object(const json_t *obj, const http_schema *schema, const char *path,
                         http_field_errors *errors) {
    char field_path[sizeof errors->e[0].path];
    /* Unknown fields first, in the order they were written. */
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        size_t i;
        for (i = 0; i < schema->count; i++)
            if (strcmp(schema->fields[i].name, key) == 0) break;
        if (i == schema->count) {
            join_name(field_path, sizeof field_path, path, key);
            add_error(errors, field_path, "unknown field");
        }
    }
    for (size_t i = 0; i < schema->count && errors->count < HTTP_MAX_FIELD_ERRORS; i++) {
        const http_field *f = &schema->fields[i];
        join_name(field_path, sizeof field_path, path, f->name);
        json_t *v = json_object_get(obj, f->name);
        if (!v) {
            if (f->flags & HTTP_FIELD_REQUIRED) add_error(errors, field_path, "required");
            continue;
        }
        check_value(v, f, f->type, field_path, errors);
    }
}

size_t http_json_check(const json_t *value, const http_schema *schema, http_field_errors *errors) {
    errors->count = 0;
    if (!json_is_object(value)) {
        add_error(errors, "", "expected a JSON object, found %s", json_kind(value));
        return errors->count;
    }
    check_object(value, schema, "", errors);
    return errors->count;
}
