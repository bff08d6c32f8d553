/* FollowTheMoney entities as JSON lines (OpenSanctions exports):
 *   {"id": "...", "schema": "Person", "caption": "...", "datasets": [...],
 *    "properties": {"name": [...], "alias": [...], "birthDate": [...], ...}}
 * Persons, organisations, companies, legal entities, public bodies, vessels
 * and aircraft are kept; other schemas (addresses, sanctions, ownership
 * links...) name nobody to screen and are counted as ignored. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lists/parse.h"

static const struct {
    const char *schema;
    const char *type;
} ftm_schemas[] = {
    {"Person", "person"},      {"Organization", "entity"}, {"Company", "entity"},
    {"LegalEntity", "entity"}, {"PublicBody", "entity"},   {"Vessel", "vessel"},
    {"Airplane", "aircraft"},
};

typedef struct ftm_ctx {
    const char *label;
    long line;
    lists_builder *b;
    json_t *props;
    ph_err *err;
} ftm_ctx;

typedef int (*value_fn)(ftm_ctx *c, const char *prop, const char *s, size_t n);

/* Calls fn for each string of properties[prop] (an array, or one string). */
static int each_value(ftm_ctx *c, const char *prop, value_fn fn) {
    json_t *v = json_object_get(c->props, prop);
    if (!v) return PH_OK;
    if (json_is_string(v)) return fn(c, prop, json_string_value(v), json_string_length(v));
    if (!json_is_array(v))
        return ph_fail(c->err, PH_ERR, "%s:%ld: properties.%s: expected a list of strings",
                       c->label, c->line, prop);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item))
            return ph_fail(c->err, PH_ERR, "%s:%ld: properties.%s[%zu]: expected a string",
                           c->label, c->line, prop, i);
        if (fn(c, prop, json_string_value(item), json_string_length(item))) return c->err->rc;
    }
    return PH_OK;
}

static int v_alias(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    char buf[256];
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, s, k);
    buf[k] = 0;
    return lists_builder_add_name(c->b, s, n, lists_alias_kind(buf),
                                  strcmp(prop, "weakAlias") == 0 ? "weak" : "", c->err);
}
static int v_dob(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add_dob_text(c->b, s, n, c->err);
}
static int v_country(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add(c->b, LISTS_COUNTRY, s, n, c->err);
}
static int v_programme(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add(c->b, LISTS_PROGRAMME, s, n, c->err);
}
static int v_address(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add(c->b, LISTS_ADDRESS, s, n, c->err);
}
static int v_remarks(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add_remarks(c->b, s, n, c->err);
}

/* FtM property -> attribute kind. */
static const struct {
    const char *prop;
    const char *kind;
} ftm_attrs[] = {
    {"position", "title"},       {"title", "title"},
    {"gender", "gender"},        {"birthPlace", "place_of_birth"},
    {"imoNumber", "imo_number"}, {"callSign", "call_sign"},
    {"flag", "vessel_flag"},     {"registrationNumber", "registration"},
    {"createdAt", "listed_on"},
};

static int v_attr(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    for (size_t i = 0; i < sizeof ftm_attrs / sizeof ftm_attrs[0]; i++)
        if (strcmp(ftm_attrs[i].prop, prop) == 0)
            return lists_builder_add_attr(c->b, ftm_attrs[i].kind, s, n, c->err);
    return PH_OK;
}

static int has_name(json_t *names, const char *s) {
    size_t i;
    json_t *item;
    json_array_foreach(names, i, item) if (json_is_string(item) &&
                                           strcmp(json_string_value(item), s) == 0) return 1;
    return 0;
}

/* The first name in properties.name becomes the primary name when there is
 * no caption. */
static int v_first_primary(ftm_ctx *c, const char *prop, const char *s, size_t n) {
    (void)prop;
    return lists_builder_add_name(c->b, s, n, c->b->e.nnames ? "alias" : "primary", "", c->err);
}

/* One parsed line. Returns PH_OK with *keep = 0 for schemas not screened. */
static int ftm_entity(json_t *j, ftm_ctx *c, int *keep) {
    *keep = 0;
    if (!json_is_object(j))
        return ph_fail(c->err, PH_ERR, "%s:%ld: expected a JSON object (one entity a line)",
                       c->label, c->line);
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *schema = json_string_value(json_object_get(j, "schema"));
    if (!id || !*id)
        return ph_fail(c->err, PH_ERR, "%s:%ld: id: expected a string", c->label, c->line);
    if (!schema)
        return ph_fail(c->err, PH_ERR, "%s:%ld: schema: expected a string", c->label, c->line);
    const char *type = NULL;
    for (size_t i = 0; i < sizeof ftm_schemas / sizeof ftm_schemas[0]; i++)
        if (strcmp(ftm_schemas[i].schema, schema) == 0) type = ftm_schemas[i].type;
    if (!type) return PH_OK;
    json_t *props = json_object_get(j, "properties");
    if (props && !json_is_object(props))
        return ph_fail(c->err, PH_ERR, "%s:%ld: properties: expected an object", c->label, c->line);
    c->props = props;
    lists_builder *b = c->b;
    lists_builder_reset(b);
    b->e.file = c->label;
    b->e.line = c->line;
    lists_builder_set_type(b, type);
    if (lists_builder_set_id(b, id, strlen(id), c->err)) return c->err->rc;
    /* The caption is the name OpenSanctions shows; it is one of the names. */
    json_t *names = json_object_get(props, "name");
    const char *caption = json_string_value(json_object_get(j, "caption"));
    if (caption &&
        (!json_is_array(names) || has_name(names, caption) || json_array_size(names) == 0)) {
        if (lists_builder_add_name(b, caption, strlen(caption), "primary", "", c->err))
            return c->err->rc;
    }
    if (each_value(c, "name", b->e.nnames ? v_alias : v_first_primary)) return c->err->rc;
    if (b->e.nnames == 0)
        return ph_fail(c->err, PH_ERR, "%s:%ld: entity %s has no name (properties.name is empty)",
                       c->label, c->line, id);
    static const struct {
        const char *prop;
        value_fn fn;
    } props_read[] = {
        {"alias", v_alias},         {"weakAlias", v_alias},      {"previousName", v_alias},
        {"birthDate", v_dob},       {"nationality", v_country},  {"citizenship", v_country},
        {"country", v_country},     {"jurisdiction", v_country}, {"program", v_programme},
        {"programId", v_programme}, {"address", v_address},      {"notes", v_remarks},
    };
    for (size_t i = 0; i < sizeof props_read / sizeof props_read[0]; i++)
        if (each_value(c, props_read[i].prop, props_read[i].fn)) return c->err->rc;
    for (size_t i = 0; i < sizeof ftm_attrs / sizeof ftm_attrs[0]; i++)
        if (each_value(c, ftm_attrs[i].prop, v_attr)) return c->err->rc;
    json_t *datasets = json_object_get(j, "datasets");
    if (json_is_array(datasets)) {
        ph_buf s;
        ph_buf_init(&s);
        size_t i;
        json_t *item;
        json_array_foreach(datasets, i, item) if (json_is_string(item))
            ph_buf_printf(&s, "%s%s", s.len ? "; " : "", json_string_value(item));
        int rc = s.len ? lists_builder_set_source(b, s.data, s.len, c->err) : PH_OK;
        ph_buf_free(&s);
        if (rc) return rc;
    }
    *keep = 1;
    return PH_OK;
}

int lists_parse_ftm(const lists_input *in, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *rep, ph_err *err) {
    lists_reader r;
    if (lists_reader_open(&r, in, err)) return err->rc;
    const char *label = lists_input_label(in);
    lists_builder b;
    lists_builder_init(&b);
    ph_buf line;
    ph_buf_init(&line);
    line.cap_limit = LISTS_JSON_MAX_LINE;
    ftm_ctx c = {.label = label, .b = &b, .err = err};
    long lineno = 0;
    uint64_t last = 0;
    int rc = PH_OK, at_end = 0;
    const char *chunk = NULL;
    size_t n = 0, pos = 0;
    while (!rc && !at_end) {
        /* Assemble the next line. */
        ph_buf_reset(&line);
        int have = 0;
        for (;;) {
            if (pos == n) {
                if ((rc = lists_reader_next(&r, &chunk, &n, err))) break;
                pos = 0;
                if (n == 0) {
                    at_end = 1;
                    break;
                }
            }
            const char *nl = memchr(chunk + pos, '\n', n - pos);
            size_t take = nl ? (size_t)(nl - (chunk + pos)) : n - pos;
            if (ph_buf_append(&line, chunk + pos, take)) {
                rc = ph_fail(err, PH_ERR, "%s:%ld: line longer than %u bytes", label, lineno + 1,
                             LISTS_JSON_MAX_LINE);
                break;
            }
            pos += take;
            have = 1;
            if (nl) {
                pos++;
                break;
            }
        }
        if (rc) break;
        if (!have && at_end) break;
        lineno++;
        size_t len = line.len;
        const char *s = line.data ? line.data : "";
        while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        size_t start = 0;
        while (start < len && (s[start] == ' ' || s[start] == '\t'))
            start++;
        if (start == len) continue;
        rep->records++;
        json_error_t je;
        json_t *j = json_loadb(s + start, len - start, JSON_REJECT_DUPLICATES, &je);
        int keep = 0;
        c.line = lineno;
        if (!j) {
            rc = ph_fail(err, PH_ERR, "%s:%ld: invalid JSON at column %d: %s", label, lineno,
                         je.column, je.text);
        } else {
            rc = ftm_entity(j, &c, &keep);
            json_decref(j);
        }
        if (rc) {
            if (!(opts && opts->skip_bad)) break;
            lists_report_skip(rep, label, lineno, err->msg);
            ph_err_clear(err);
            rc = PH_OK;
            continue;
        }
        if (!keep) {
            rep->ignored++;
            continue;
        }
        if ((rc = fn(ctx, &b.e, err))) break;
        rep->entities++;
        if (opts && opts->progress && r.done - last >= (1u << 20)) {
            last = r.done;
            opts->progress(opts->progress_ctx, r.done, r.size);
        }
    }
    ph_buf_free(&line);
    lists_builder_free(&b);
    lists_reader_close(&r);
    return rc;
}
