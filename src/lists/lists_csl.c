/* The US Consolidated Screening List (trade.gov consolidated.csv): one
 * header line (sometimes given twice), then one record per listed party with
 * ';'-separated alternative names, addresses, dates of birth, nationalities
 * and citizenships. The entity id is "_id" (the CSL's own), else
 * "entity_number". A party listed by two sub-lists appears twice with the
 * same id; the importer merges them. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "csv/csv.h"
#include "lists/parse.h"

enum csl_column {
    CSL_ID,
    CSL_SOURCE,
    CSL_ENTITY_NUMBER,
    CSL_TYPE,
    CSL_PROGRAMS,
    CSL_NAME,
    CSL_TITLE,
    CSL_ADDRESSES,
    CSL_NOTICE,
    CSL_START_DATE,
    CSL_CALL_SIGN,
    CSL_VESSEL_TYPE,
    CSL_VESSEL_FLAG,
    CSL_VESSEL_OWNER,
    CSL_REMARKS,
    CSL_ALT_NAMES,
    CSL_CITIZENSHIPS,
    CSL_DATES_OF_BIRTH,
    CSL_NATIONALITIES,
    CSL_PLACES_OF_BIRTH,
    CSL_NCOLUMNS
};

static const char *const csl_headers[CSL_NCOLUMNS] = {
    "_id",           "source",         "entity_number",
    "type",          "programs",       "name",
    "title",         "addresses",      "federal_register_notice",
    "start_date",    "call_sign",      "vessel_type",
    "vessel_flag",   "vessel_owner",   "remarks",
    "alt_names",     "citizenships",   "dates_of_birth",
    "nationalities", "places_of_birth"};

#define CSL_LIST_SEPARATOR ';'

typedef struct csl_parser {
    int col[CSL_NCOLUMNS]; /* -1 when the file lacks the column */
    size_t nheader;
    lists_builder b;
} csl_parser;

static const char *get(const csl_parser *p, csv_reader *r, enum csl_column c, size_t *len) {
    if (p->col[c] < 0) {
        *len = 0;
        return "";
    }
    *len = csv_field_len(r, (size_t)p->col[c]);
    return csv_field(r, (size_t)p->col[c]);
}

/* Calls add for each ';'-separated part of s. */
typedef int (*part_fn)(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err);

static int each_part(lists_builder *b, const char *s, size_t len, part_fn fn, void *arg,
                     ph_err *err) {
    const char *end = s + len;
    while (s < end) {
        const char *sep = memchr(s, CSL_LIST_SEPARATOR, (size_t)(end - s));
        size_t n = sep ? (size_t)(sep - s) : (size_t)(end - s);
        while (n && *s == ' ')
            s++, n--;
        while (n && s[n - 1] == ' ')
            n--;
        if (n && fn(b, s, n, arg, err)) return err->rc;
        s = sep ? sep + 1 : end;
    }
    return PH_OK;
}

static int part_alias(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err) {
    (void)arg;
    char buf[256];
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, s, k);
    buf[k] = 0;
    return lists_builder_add_name(b, s, n, lists_alias_kind(buf), "", err);
}

static int part_field(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err) {
    return lists_builder_add(b, *(enum lists_field *)arg, s, n, err);
}

static int part_dob(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err) {
    (void)arg;
    return lists_builder_add_dob_text(b, s, n, err);
}

static int part_attr(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err) {
    return lists_builder_add_attr(b, (const char *)arg, s, n, err);
}

/* Addresses end in the country's ISO code: "..., Moscow, 119121, RU". */
static int part_address(lists_builder *b, const char *s, size_t n, void *arg, ph_err *err) {
    (void)arg;
    if (lists_builder_add(b, LISTS_ADDRESS, s, n, err)) return err->rc;
    if (n >= 2 && isupper((unsigned char)s[n - 1]) && isupper((unsigned char)s[n - 2]) &&
        (n == 2 || s[n - 3] == ' ' || s[n - 3] == ','))
        return lists_builder_add(b, LISTS_COUNTRY, s + n - 2, 2, err);
    return PH_OK;
}

static const char *entity_type(const char *t, size_t n) {
    if (n == 0) return "unknown"; /* the BIS lists do not say */
    if (n == 10 && strncasecmp(t, "individual", 10) == 0) return "person";
    if (n == 6 && strncasecmp(t, "entity", 6) == 0) return "entity";
    if (n == 6 && strncasecmp(t, "vessel", 6) == 0) return "vessel";
    if (n == 8 && strncasecmp(t, "aircraft", 8) == 0) return "aircraft";
    return "unknown";
}

static int read_header(csl_parser *p, csv_reader *r, const char *label, ph_err *err) {
    for (int c = 0; c < CSL_NCOLUMNS; c++)
        p->col[c] = csv_find(r, csl_headers[c]);
    p->nheader = csv_count(r);
    if (p->col[CSL_NAME] < 0 || (p->col[CSL_ID] < 0 && p->col[CSL_ENTITY_NUMBER] < 0))
        return ph_fail(err, PH_ERR,
                       "%s:%ld: not a Consolidated Screening List file: the header needs a 'name' "
                       "column and '_id' or 'entity_number'",
                       label, csv_line(r));
    return PH_OK;
}

static int is_header_again(const csl_parser *p, csv_reader *r) {
    return strcmp(csv_field(r, (size_t)p->col[CSL_NAME]), "name") == 0 &&
           (p->col[CSL_ID] < 0 || strcmp(csv_field(r, (size_t)p->col[CSL_ID]), "_id") == 0);
}

static int csl_record(csl_parser *p, csv_reader *r, const char *label, ph_err *err) {
    long line = csv_line(r);
    if (csv_count(r) != p->nheader)
        return ph_fail(err, PH_ERR, "%s:%ld: expected %zu fields (as the header), found %zu", label,
                       line, p->nheader, csv_count(r));
    lists_builder *b = &p->b;
    lists_builder_reset(b);
    b->e.file = label;
    b->e.line = line;
    size_t n;
    const char *id = get(p, r, CSL_ID, &n);
    if (n == 0) id = get(p, r, CSL_ENTITY_NUMBER, &n);
    if (n == 0)
        return ph_fail(err, PH_ERR,
                       "%s:%ld: record without an identifier (_id and entity_number "
                       "are empty)",
                       label, line);
    if (lists_builder_set_id(b, id, n, err)) return err->rc;
    const char *name = get(p, r, CSL_NAME, &n);
    if (lists_builder_add_name(b, name, n, "primary", "", err)) return err->rc;
    if (b->e.nnames == 0)
        return ph_fail(err, PH_ERR, "%s:%ld: record %s has no name", label, line, b->e.entity_id);
    const char *t = get(p, r, CSL_TYPE, &n);
    lists_builder_set_type(b, entity_type(t, n));
    const char *s = get(p, r, CSL_SOURCE, &n);
    if (n && lists_builder_set_source(b, s, n, err)) return err->rc;
    enum lists_field programme = LISTS_PROGRAMME, country = LISTS_COUNTRY;
    struct {
        enum csl_column column;
        part_fn fn;
        void *arg;
    } parts[] = {
        {CSL_ALT_NAMES, part_alias, NULL},
        {CSL_PROGRAMS, part_field, &programme},
        {CSL_ADDRESSES, part_address, NULL},
        {CSL_DATES_OF_BIRTH, part_dob, NULL},
        {CSL_NATIONALITIES, part_field, &country},
        {CSL_CITIZENSHIPS, part_field, &country},
        {CSL_PLACES_OF_BIRTH, part_attr, "place_of_birth"},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        s = get(p, r, parts[i].column, &n);
        if (each_part(b, s, n, parts[i].fn, parts[i].arg, err)) return err->rc;
    }
    static const struct {
        enum csl_column column;
        const char *kind;
    } facts[] = {{CSL_TITLE, "title"},
                 {CSL_START_DATE, "listed_on"},
                 {CSL_NOTICE, "citation"},
                 {CSL_CALL_SIGN, "call_sign"},
                 {CSL_VESSEL_TYPE, "vessel_type"},
                 {CSL_VESSEL_FLAG, "vessel_flag"},
                 {CSL_VESSEL_OWNER, "vessel_owner"}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        s = get(p, r, facts[i].column, &n);
        if (lists_builder_add_attr(b, facts[i].kind, s, n, err)) return err->rc;
    }
    s = get(p, r, CSL_REMARKS, &n);
    return lists_builder_add_remarks(b, s, n, err);
}

int lists_parse_csl(const lists_input *in, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *rep, ph_err *err) {
    const char *label = lists_input_label(in);
    csv_reader *r = in->path ? csv_open_file(in->path, ',', CSV_QUOTES, err)
                             : csv_open_memory(label, in->data ? in->data : "",
                                               in->data ? in->len : 0, ',', CSV_QUOTES);
    if (!r) {
        lists_err_relabel(err, in->path, in->label);
        return err->rc;
    }
    csl_parser p;
    memset(&p, 0, sizeof p);
    lists_builder_init(&p.b);
    int skip_bad = opts && opts->skip_bad;
    int got = csv_next(r, err), rc = PH_OK;
    if (got == 0)
        rc = ph_fail(err, PH_ERR, "%s: empty file (expected a header line)", label);
    else if (got == 1)
        rc = read_header(&p, r, label, err);
    uint64_t last = 0, total = lists_input_size(in);
    while (!rc && (got = csv_next(r, err)) == 1) {
        rep->records++;
        if (is_header_again(&p, r)) {
            rep->ignored++;
            continue;
        }
        if (csl_record(&p, r, label, err)) {
            if ((rc = lists_csv_refused(r, label, skip_bad, rep, err))) break;
            continue;
        }
        if ((rc = fn(ctx, &p.b.e, err))) break;
        rep->entities++;
        if (opts && opts->progress && csv_offset(r) - last >= (1u << 20)) {
            last = csv_offset(r);
            opts->progress(opts->progress_ctx, last, total);
        }
    }
    rc = lists_csv_end(r, got, rc, in, label, skip_bad, rep, err);
    lists_builder_free(&p.b);
    csv_close(r);
    return rc;
}
