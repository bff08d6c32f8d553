/* OFAC's legacy CSV files: no header, "-0-" for empty, a ^Z byte at the end.
 *
 *   sdn.csv / cons_prim.csv  ent_num, name, type, programs, title, call sign, vessel type,
 *                            tonnage, GRT, vessel flag, vessel owner, remarks      (12 columns)
 *   alt.csv / cons_alt.csv   ent_num, alt_num, alt_type (aka, fka, nka), alt_name, alt_remarks (5)
 *   add.csv / cons_add.csv   ent_num, add_num, address, city/state/postal, country, add_remarks (6)
 *   sdn_comments.csv         ent_num, the rest of the remarks                       (2)
 *
 * Files are recognised by their column count. The alias, address and comment
 * files are read first and indexed by ent_num; the primary file then streams.
 * The aliases in alt.csv are OFAC's strong aliases; the weak ones are only in
 * the remarks ("a.k.a. 'X'"), as are dates of birth and nationalities. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv/csv.h"
#include "lists/parse.h"

enum ofac_kind { OFAC_EMPTY, OFAC_PRIMARY, OFAC_ALIAS, OFAC_ADDRESS, OFAC_COMMENT };

static const struct {
    size_t columns;
    const char *what;
} ofac_shapes[] = {
    [OFAC_PRIMARY] = {12, "sdn.csv: ent_num, name, type, programs, title, call sign, vessel type, "
                          "tonnage, GRT, vessel flag, vessel owner, remarks"},
    [OFAC_ALIAS] = {5, "alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks"},
    [OFAC_ADDRESS] = {6, "add.csv: ent_num, add_num, address, city/state/postal, country, remarks"},
    [OFAC_COMMENT] = {2, "sdn_comments.csv: ent_num, remarks"},
};

#define OFAC_END_MARK "\x1a" /* DOS end-of-file byte that ends every OFAC file */

typedef struct side_row {
    int64_t next; /* next row of the same ent_num, or -1 */
    char *a, *b;  /* alias: name, quality; address: text, country; comment: text */
    int used;
} side_row;

typedef struct side_table {
    side_row *rows;
    size_t n, cap;
    ph_map head, tail; /* ent_num -> first and last row */
} side_table;

typedef struct ofac_parser {
    const lists_parse_options *opts;
    lists_parse_report *rep;
    side_table side[5];
    uint64_t total, done_before;
    lists_builder b;
} ofac_parser;

/* Field i trimmed, with OFAC's "-0-" read as empty. Points into a copy. */
static const char *field(csv_reader *r, size_t i, char *buf, size_t size) {
    const char *s = csv_field(r, i);
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 3 && memcmp(s, "-0-", 3) == 0) n = 0;
    if (n >= size) n = size - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

/* A field's trimmed span without copying (for long remarks). */
static const char *span(csv_reader *r, size_t i, size_t *len) {
    const char *s = csv_field(r, i);
    size_t n = csv_field_len(r, i);
    while (n && *s == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 3 && memcmp(s, "-0-", 3) == 0) n = 0;
    *len = n;
    return s;
}

static int is_end_mark(csv_reader *r) {
    return csv_count(r) == 1 && strcmp(csv_field(r, 0), OFAC_END_MARK) == 0;
}

static int valid_ent_num(const char *s) {
    if (!*s || strlen(s) > 18) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static csv_reader *open_input(const lists_input *in, ph_err *err) {
    if (!in->path)
        return csv_open_memory(lists_input_label(in), in->data ? in->data : "",
                               in->data ? in->len : 0, ',', CSV_QUOTES);
    csv_reader *r = csv_open_file(in->path, ',', CSV_QUOTES, err);
    if (!r) lists_err_relabel(err, in->path, in->label);
    return r;
}

/* Reads the first record to tell which file this is. */
static int classify(const lists_input *in, enum ofac_kind *kind, ph_err *err) {
    csv_reader *r = open_input(in, err);
    if (!r) return err->rc;
    int got = csv_next(r, err);
    int rc = PH_OK;
    *kind = OFAC_EMPTY;
    if (got < 0) {
        lists_err_relabel(err, in->path, in->label);
        rc = err->rc;
    } else if (got == 1 && !is_end_mark(r)) {
        size_t n = csv_count(r);
        for (int k = OFAC_PRIMARY; k <= OFAC_COMMENT; k++)
            if (ofac_shapes[k].columns == n) *kind = (enum ofac_kind)k;
        if (*kind == OFAC_EMPTY)
            rc = ph_fail(err, PH_ERR,
                         "%s:%ld: not an OFAC legacy CSV file: the first record has %zu fields "
                         "(expected 12 for sdn.csv, 5 for alt.csv, 6 for add.csv or 2 for "
                         "sdn_comments.csv)",
                         lists_input_label(in), csv_line(r), n);
    }
    csv_close(r);
    return rc;
}

/* A bad record: skipped (and listed) under skip_bad, else the error stands. */
static int bad_record(ofac_parser *p, ph_err *err) {
    if (!(p->opts && p->opts->skip_bad)) return err->rc ? err->rc : PH_ERR;
    const char *colon = strchr(err->msg, ':');
    long line = colon ? strtol(colon + 1, NULL, 10) : 0;
    char file[512];
    size_t n = colon ? (size_t)(colon - err->msg) : 0;
    if (n >= sizeof file) n = sizeof file - 1;
    memcpy(file, err->msg, n);
    file[n] = 0;
    lists_report_skip(p->rep, file, line, err->msg);
    ph_err_clear(err);
    return PH_OK;
}

static void side_add(side_table *t, const char *ent, char *a, char *b) {
    t->rows = ph_grow(t->rows, &t->cap, t->n + 1, sizeof *t->rows);
    side_row *row = &t->rows[t->n];
    row->next = -1;
    row->a = a;
    row->b = b;
    row->used = 0;
    int64_t last;
    if (ph_map_get(&t->tail, ent, &last))
        t->rows[last].next = (int64_t)t->n;
    else
        ph_map_put(&t->head, ent, (int64_t)t->n);
    ph_map_put(&t->tail, ent, (int64_t)t->n);
    t->n++;
}

static void progress(ofac_parser *p, csv_reader *r, uint64_t *last) {
    uint64_t done = p->done_before + csv_offset(r);
    if (p->opts && p->opts->progress && done - *last >= (1u << 20)) {
        p->opts->progress(p->opts->progress_ctx, done, p->total);
        *last = done;
    }
}

/* Cleans a value read from a side file; NULL when empty. */
static char *clean_value(const char *s, ph_err *err, const char *label, long line) {
    char *out;
    if (lists_clean_text(s, strlen(s), LISTS_MAX_TEXT, &out)) {
        ph_fail(err, PH_ERR, "%s:%ld: value longer than %u bytes", label, line, LISTS_MAX_TEXT);
        return NULL;
    }
    return out;
}

static int side_record(ofac_parser *p, enum ofac_kind kind, csv_reader *r, const char *label,
                       ph_err *err) {
    long line = csv_line(r);
    if (csv_count(r) != ofac_shapes[kind].columns)
        return ph_fail(err, PH_ERR, "%s:%ld: expected %zu fields (%s), found %zu", label, line,
                       ofac_shapes[kind].columns, ofac_shapes[kind].what, csv_count(r));
    char ent[64];
    field(r, 0, ent, sizeof ent);
    if (!valid_ent_num(ent))
        return ph_fail(err, PH_ERR, "%s:%ld: ent_num '%s' is not a number", label, line, ent);
    side_table *t = &p->side[kind];
    err->rc = PH_OK;
    if (kind == OFAC_ALIAS) {
        size_t n;
        const char *name = span(r, 3, &n);
        char *copy = ph_strndup(name, n);
        char *clean = clean_value(copy, err, label, line);
        free(copy);
        if (err->rc) return err->rc;
        if (!clean) return PH_OK; /* an alias row without a name says nothing */
        /* alt.csv holds the strong aliases, unless its remarks say otherwise. */
        const char *remarks = span(r, 4, &n);
        char *rem = ph_strndup(remarks, n);
        const char *quality = strcasestr(rem, "weak") ? "weak" : "strong";
        free(rem);
        side_add(t, ent, clean, ph_strdup(quality));
    } else if (kind == OFAC_ADDRESS) {
        ph_buf text;
        ph_buf_init(&text);
        for (size_t i = 2; i <= 4; i++) {
            size_t n;
            const char *part = span(r, i, &n);
            if (!n) continue;
            if (text.len) ph_buf_puts(&text, ", ");
            ph_buf_append(&text, part, n);
        }
        size_t cn;
        const char *c = span(r, 4, &cn);
        char *country_raw = ph_strndup(c, cn);
        char *address = text.len ? clean_value(text.data, err, label, line) : NULL;
        ph_buf_free(&text);
        char *country = err->rc ? NULL : clean_value(country_raw, err, label, line);
        free(country_raw);
        if (err->rc) {
            free(address);
            return err->rc;
        }
        if (!address && !country) return PH_OK;
        side_add(t, ent, address, country);
    } else {
        /* A continuation, cut anywhere: its spaces are part of the text. */
        size_t n = csv_field_len(r, 1);
        const char *s = csv_field(r, 1);
        if (n > LISTS_MAX_REMARKS)
            return ph_fail(err, PH_ERR, "%s:%ld: remarks longer than %u bytes", label, line,
                           LISTS_MAX_REMARKS);
        if (n) side_add(t, ent, ph_strndup(s, n), NULL);
    }
    return PH_OK;
}

static int read_side(ofac_parser *p, enum ofac_kind kind, const lists_input *in, ph_err *err) {
    const char *label = lists_input_label(in);
    csv_reader *r = open_input(in, err);
    if (!r) return err->rc;
    uint64_t last = 0;
    int got, rc = PH_OK;
    while ((got = csv_next(r, err)) == 1) {
        p->rep->records++;
        if (is_end_mark(r)) {
            p->rep->ignored++;
            continue;
        }
        if (side_record(p, kind, r, label, err) && (rc = bad_record(p, err))) break;
        progress(p, r, &last);
    }
    if (got < 0) {
        lists_err_relabel(err, in->path, in->label);
        /* After a syntax error nothing more of the file can be trusted. */
        rc = bad_record(p, err);
    }
    p->done_before += csv_offset(r);
    csv_close(r);
    return rc;
}

/* Splits "IRAN] [SDGT] [IRGC" into programmes. */
static int add_programmes(lists_builder *b, const char *s, ph_err *err) {
    while (*s) {
        while (*s == ' ' || *s == '[' || *s == ']')
            s++;
        const char *end = strstr(s, "] [");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        size_t k = n;
        while (k && (s[k - 1] == ']' || s[k - 1] == ' '))
            k--;
        if (k && lists_builder_add(b, LISTS_PROGRAMME, s, k, err)) return err->rc;
        s += n;
    }
    return PH_OK;
}

static const char *entity_type(const char *t) {
    if (!*t) return "entity"; /* OFAC leaves the type empty for entities */
    if (strcasecmp(t, "individual") == 0) return "person";
    if (strcasecmp(t, "vessel") == 0) return "vessel";
    if (strcasecmp(t, "aircraft") == 0) return "aircraft";
    return "unknown";
}

static int primary_record(ofac_parser *p, csv_reader *r, const char *label, lists_entity_fn fn,
                          void *ctx, ph_err *err) {
    long line = csv_line(r);
    if (csv_count(r) != 12)
        return ph_fail(err, PH_ERR, "%s:%ld: expected 12 fields (%s), found %zu", label, line,
                       ofac_shapes[OFAC_PRIMARY].what, csv_count(r));
    lists_builder *b = &p->b;
    lists_builder_reset(b);
    b->e.file = label;
    b->e.line = line;
    char ent[64], buf[1024];
    field(r, 0, ent, sizeof ent);
    if (!valid_ent_num(ent))
        return ph_fail(err, PH_ERR, "%s:%ld: ent_num '%s' is not a number", label, line, ent);
    size_t n;
    const char *name = span(r, 1, &n);
    if (n == 0) return ph_fail(err, PH_ERR, "%s:%ld: entity %s has no name", label, line, ent);
    if (lists_builder_set_id(b, ent, strlen(ent), err) ||
        lists_builder_add_name(b, name, n, "primary", "", err))
        return err->rc;
    if (b->e.nnames == 0)
        return ph_fail(err, PH_ERR, "%s:%ld: entity %s has no name", label, line, ent);
    lists_builder_set_type(b, entity_type(field(r, 2, buf, sizeof buf)));
    const char *programs = span(r, 3, &n);
    char *programs_copy = ph_strndup(programs, n);
    int prc = add_programmes(b, programs_copy, err);
    free(programs_copy);
    if (prc) return err->rc;
    static const struct {
        size_t column;
        const char *kind;
    } facts[] = {{4, "title"}, {5, "call_sign"},   {6, "vessel_type"},  {7, "tonnage"},
                 {8, "grt"},   {9, "vessel_flag"}, {10, "vessel_owner"}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        const char *s = span(r, facts[i].column, &n);
        if (lists_builder_add_attr(b, facts[i].kind, s, n, err)) return err->rc;
    }
    /* Remarks, continued in the comments file when long. */
    ph_buf remarks;
    ph_buf_init(&remarks);
    const char *rem = span(r, 11, &n);
    ph_buf_append(&remarks, rem, n);
    int64_t at;
    if (ph_map_get(&p->side[OFAC_COMMENT].head, ent, &at))
        for (; at >= 0; at = p->side[OFAC_COMMENT].rows[at].next) {
            side_row *row = &p->side[OFAC_COMMENT].rows[at];
            if (row->used) break;
            ph_buf_puts(&remarks, row->a);
            row->used = 1;
        }
    int rc = PH_OK;
    if (remarks.len) {
        rc = lists_builder_add_remarks(b, remarks.data, remarks.len, err);
        lists_remarks facts_in;
        lists_remarks_parse(b->e.remarks, &facts_in);
        for (size_t i = 0; !rc && i < facts_in.ndobs; i++)
            rc = lists_builder_add(b, LISTS_DOB, facts_in.dobs[i], strlen(facts_in.dobs[i]), err);
        for (size_t i = 0; !rc && i < facts_in.nnationalities; i++)
            rc = lists_builder_add(b, LISTS_COUNTRY, facts_in.nationalities[i],
                                   strlen(facts_in.nationalities[i]), err);
        for (size_t i = 0; !rc && i < facts_in.nplaces_of_birth; i++)
            rc = lists_builder_add_attr(b, "place_of_birth", facts_in.places_of_birth[i],
                                        strlen(facts_in.places_of_birth[i]), err);
        if (!rc && facts_in.gender)
            rc = lists_builder_add_attr(b, "gender", facts_in.gender, strlen(facts_in.gender), err);
        /* Strong aliases (alt.csv) go before the weak ones from the remarks. */
        if (!rc && ph_map_get(&p->side[OFAC_ALIAS].head, ent, &at))
            for (; !rc && at >= 0; at = p->side[OFAC_ALIAS].rows[at].next) {
                side_row *row = &p->side[OFAC_ALIAS].rows[at];
                row->used = 1;
                rc = lists_builder_add_name(b, row->a, strlen(row->a), "alias", row->b, err);
            }
        for (size_t i = 0; !rc && i < facts_in.naliases; i++)
            rc = lists_builder_add_name(b, facts_in.aliases[i], strlen(facts_in.aliases[i]),
                                        "alias", "weak", err);
        lists_remarks_free(&facts_in);
    } else if (ph_map_get(&p->side[OFAC_ALIAS].head, ent, &at)) {
        for (; !rc && at >= 0; at = p->side[OFAC_ALIAS].rows[at].next) {
            side_row *row = &p->side[OFAC_ALIAS].rows[at];
            row->used = 1;
            rc = lists_builder_add_name(b, row->a, strlen(row->a), "alias", row->b, err);
        }
    }
    ph_buf_free(&remarks);
    if (!rc && ph_map_get(&p->side[OFAC_ADDRESS].head, ent, &at))
        for (; !rc && at >= 0; at = p->side[OFAC_ADDRESS].rows[at].next) {
            side_row *row = &p->side[OFAC_ADDRESS].rows[at];
            row->used = 1;
            if (row->a) rc = lists_builder_add(b, LISTS_ADDRESS, row->a, strlen(row->a), err);
            if (!rc && row->b)
                rc = lists_builder_add(b, LISTS_COUNTRY, row->b, strlen(row->b), err);
        }
    if (rc) return rc;
    rc = fn(ctx, &b->e, err);
    if (rc) return -rc; /* the callback's error is not a bad record: never skipped */
    p->rep->entities++;
    return PH_OK;
}

static int read_primary(ofac_parser *p, const lists_input *in, lists_entity_fn fn, void *ctx,
                        ph_err *err) {
    const char *label = lists_input_label(in);
    csv_reader *r = open_input(in, err);
    if (!r) return err->rc;
    uint64_t last = 0;
    int got, rc = PH_OK;
    while ((got = csv_next(r, err)) == 1) {
        p->rep->records++;
        if (is_end_mark(r)) {
            p->rep->ignored++;
            continue;
        }
        int prc = primary_record(p, r, label, fn, ctx, err);
        if (prc < 0) {
            rc = -prc;
            break;
        }
        if (prc && (rc = bad_record(p, err))) break;
        progress(p, r, &last);
    }
    if (got < 0) {
        lists_err_relabel(err, in->path, in->label);
        rc = bad_record(p, err);
    }
    p->done_before += csv_offset(r);
    csv_close(r);
    return rc;
}

static void free_sides(ofac_parser *p) {
    for (int k = 0; k < 5; k++) {
        side_table *t = &p->side[k];
        for (size_t i = 0; i < t->n; i++) {
            free(t->rows[i].a);
            free(t->rows[i].b);
        }
        free(t->rows);
        ph_map_free(&t->head);
        ph_map_free(&t->tail);
    }
}

int lists_parse_ofac(const lists_input *inputs, size_t ninputs, const lists_parse_options *opts,
                     lists_entity_fn fn, void *ctx, lists_parse_report *report, ph_err *err) {
    ofac_parser p;
    memset(&p, 0, sizeof p);
    p.opts = opts;
    p.rep = report;
    for (int k = 0; k < 5; k++) {
        ph_map_init(&p.side[k].head);
        ph_map_init(&p.side[k].tail);
    }
    lists_builder_init(&p.b);
    enum ofac_kind *kinds = ph_calloc(ninputs ? ninputs : 1, sizeof *kinds);
    int rc = PH_OK;
    size_t primary = ninputs, nprimary = 0;
    for (size_t i = 0; i < ninputs && !rc; i++) {
        rc = classify(&inputs[i], &kinds[i], err);
        if (!rc && kinds[i] == OFAC_PRIMARY) primary = i, nprimary++;
        if (inputs[i].path) {
            FILE *f = fopen(inputs[i].path, "rb");
            if (f) {
                if (fseek(f, 0, SEEK_END) == 0) p.total += (uint64_t)ftell(f);
                fclose(f);
            }
        } else {
            p.total += inputs[i].len;
        }
    }
    if (!rc && nprimary == 0)
        rc = ph_fail(err, PH_ERR,
                     "%s: no primary OFAC file among the inputs (sdn.csv or cons_prim.csv, 12 "
                     "fields a record)",
                     ninputs ? lists_input_label(&inputs[0]) : "ofac-csv");
    if (!rc && nprimary > 1)
        rc = ph_fail(
            err, PH_ERR, "%s and %s are both primary OFAC files: import one list at a time",
            lists_input_label(&inputs[primary]), lists_input_label(&inputs[primary == 0 ? 1 : 0]));
    for (size_t i = 0; i < ninputs && !rc; i++)
        if (kinds[i] != OFAC_PRIMARY && kinds[i] != OFAC_EMPTY)
            rc = read_side(&p, kinds[i], &inputs[i], err);
    if (!rc) rc = read_primary(&p, &inputs[primary], fn, ctx, err);
    if (!rc)
        for (int k = OFAC_ALIAS; k <= OFAC_COMMENT; k++)
            for (size_t i = 0; i < p.side[k].n; i++)
                report->orphans += !p.side[k].rows[i].used;
    free(kinds);
    free_sides(&p);
    lists_builder_free(&p.b);
    return rc;
}
