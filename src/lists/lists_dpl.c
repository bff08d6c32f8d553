/* The BIS Denied Persons List (dpl.txt): tab-separated, quoted fields, a
 * header line (Name, Street_Address, City, State, Country, Postal_Code,
 * Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
 * FR_Citation), one line per address of a denied party.
 *
 * The list has no identifiers. A denial is a name and the date its order
 * took effect, so the entity id is "dpl-" and 16 hex digits of the SHA-256
 * of the folded name and that date: the same denial keeps its id from one
 * edition to the next, and its address lines merge into one entity. */
#include <stdlib.h>
#include <string.h>

#include "csv/csv.h"
#include "lists/parse.h"

enum dpl_column {
    DPL_NAME,
    DPL_STREET,
    DPL_CITY,
    DPL_STATE,
    DPL_COUNTRY,
    DPL_POSTAL,
    DPL_EFFECTIVE,
    DPL_EXPIRATION,
    DPL_STANDARD_ORDER,
    DPL_LAST_UPDATE,
    DPL_ACTION,
    DPL_CITATION,
    DPL_NCOLUMNS
};

static const char *const dpl_headers[DPL_NCOLUMNS] = {
    "Name",           "Street_Address",  "City",           "State",       "Country", "Postal_Code",
    "Effective_Date", "Expiration_Date", "Standard_Order", "Last_Update", "Action",  "FR_Citation"};

#define DPL_ID_HEX 16

typedef struct dpl_parser {
    int col[DPL_NCOLUMNS];
    size_t nheader;
    lists_builder b;
} dpl_parser;

static const char *get(const dpl_parser *p, csv_reader *r, enum dpl_column c, size_t *len) {
    if (p->col[c] < 0) {
        *len = 0;
        return "";
    }
    *len = csv_field_len(r, (size_t)p->col[c]);
    return csv_field(r, (size_t)p->col[c]);
}

static int read_header(dpl_parser *p, csv_reader *r, const char *label, ph_err *err) {
    for (int c = 0; c < DPL_NCOLUMNS; c++)
        p->col[c] = csv_find(r, dpl_headers[c]);
    p->nheader = csv_count(r);
    if (p->col[DPL_NAME] < 0 || p->col[DPL_EFFECTIVE] < 0)
        return ph_fail(err, PH_ERR,
                       "%s:%ld: not a Denied Persons List file: the header needs 'Name' and "
                       "'Effective_Date' columns (tab-separated)",
                       label, csv_line(r));
    return PH_OK;
}

/* A date as the file writes it (MM/DD/YYYY or YYYY-MM-DD), in ISO form. */
static int iso_date(const char *s, size_t n, char out[11]) {
    char buf[64];
    if (n == 0 || n >= sizeof buf) return PH_ERR;
    memcpy(buf, s, n);
    buf[n] = 0;
    return lists_date_normalise(buf, out);
}

static int dpl_record(dpl_parser *p, csv_reader *r, const char *label, ph_err *err) {
    long line = csv_line(r);
    if (csv_count(r) != p->nheader)
        return ph_fail(err, PH_ERR, "%s:%ld: expected %zu fields (as the header), found %zu", label,
                       line, p->nheader, csv_count(r));
    lists_builder *b = &p->b;
    lists_builder_reset(b);
    b->e.file = label;
    b->e.line = line;
    size_t n;
    const char *name = get(p, r, DPL_NAME, &n);
    if (lists_builder_add_name(b, name, n, "primary", "", err)) return err->rc;
    if (b->e.nnames == 0) return ph_fail(err, PH_ERR, "%s:%ld: record without a name", label, line);
    const char *eff = get(p, r, DPL_EFFECTIVE, &n);
    char effective[11];
    if (iso_date(eff, n, effective))
        return ph_fail(err, PH_ERR, "%s:%ld: Effective_Date '%.*s' is not a date (MM/DD/YYYY)",
                       label, line, (int)(n > 40 ? 40 : n), eff);
    char *key = ph_fold(b->e.names[0].text);
    if (!key) key = ph_strdup(b->e.names[0].text);
    char *material = ph_asprintf("%s|%s", key, effective);
    char sha[PH_SHA256_HEX];
    ph_sha256_hex(material, strlen(material), sha);
    free(key);
    free(material);
    char id[8 + DPL_ID_HEX];
    snprintf(id, sizeof id, "dpl-%.*s", DPL_ID_HEX, sha);
    if (lists_builder_set_id(b, id, strlen(id), err)) return err->rc;
    /* The address, and its country (an ISO code in this file). */
    ph_buf address;
    ph_buf_init(&address);
    static const enum dpl_column parts[] = {DPL_STREET, DPL_CITY, DPL_STATE, DPL_POSTAL,
                                            DPL_COUNTRY};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *s = get(p, r, parts[i], &n);
        while (n && *s == ' ')
            s++, n--;
        if (!n) continue;
        if (address.len) ph_buf_puts(&address, ", ");
        ph_buf_append(&address, s, n);
    }
    int rc = address.len ? lists_builder_add(b, LISTS_ADDRESS, address.data, address.len, err) : 0;
    ph_buf_free(&address);
    if (rc) return rc;
    const char *country = get(p, r, DPL_COUNTRY, &n);
    if (lists_builder_add(b, LISTS_COUNTRY, country, n, err)) return err->rc;
    if (lists_builder_add_attr(b, "denied_from", effective, strlen(effective), err)) return err->rc;
    const char *exp = get(p, r, DPL_EXPIRATION, &n);
    char until[11];
    if (n && iso_date(exp, n, until) == PH_OK) {
        if (lists_builder_add_attr(b, "denied_until", until, strlen(until), err)) return err->rc;
    } else if (lists_builder_add_attr(b, "denied_until", exp, n, err)) {
        return err->rc;
    }
    static const struct {
        enum dpl_column column;
        const char *kind;
    } facts[] = {
        {DPL_STANDARD_ORDER, "standard_order"}, {DPL_ACTION, "action"}, {DPL_CITATION, "citation"}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        const char *s = get(p, r, facts[i].column, &n);
        if (lists_builder_add_attr(b, facts[i].kind, s, n, err)) return err->rc;
    }
    return PH_OK;
}

int lists_parse_dpl(const lists_input *in, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *rep, ph_err *err) {
    const char *label = lists_input_label(in);
    csv_reader *r = in->path ? csv_open_file(in->path, '\t', CSV_QUOTES, err)
                             : csv_open_memory(label, in->data ? in->data : "",
                                               in->data ? in->len : 0, '\t', CSV_QUOTES);
    if (!r) {
        lists_err_relabel(err, in->path, in->label);
        return err->rc;
    }
    dpl_parser p;
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
        if (dpl_record(&p, r, label, err)) {
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
