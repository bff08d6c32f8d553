/* The formats and the dispatcher over the parsers. */
#include <string.h>

#include "csv/csv.h"
#include "lists/parse.h"

const lists_format lists_formats[] = {
    {"ofac-csv", "ofac-sdn",
     "OFAC legacy CSV: sdn.csv or cons_prim.csv (+ alt, add, comments files)"},
    {"un-xml", "un", "UN Security Council consolidated list (XML)"},
    {"csl-csv", "us-csl", "US Consolidated Screening List (trade.gov consolidated.csv)"},
    {"bis-dpl", "bis-dpl", "BIS Denied Persons List (dpl.txt, tab-separated)"},
    {"ftm-json", "ftm", "FollowTheMoney entities, one JSON object a line (OpenSanctions)"},
};
const size_t lists_nformats = sizeof lists_formats / sizeof lists_formats[0];

const lists_format *lists_format_find(const char *name) {
    for (size_t i = 0; name && i < lists_nformats; i++)
        if (strcmp(lists_formats[i].name, name) == 0) return &lists_formats[i];
    return NULL;
}

int lists_parse(const char *format, const lists_input *inputs, size_t ninputs,
                const lists_parse_options *opts, lists_entity_fn fn, void *ctx,
                lists_parse_report *report, ph_err *err) {
    memset(report, 0, sizeof *report);
    if (!lists_format_find(format)) {
        ph_buf names;
        ph_buf_init(&names);
        for (size_t i = 0; i < lists_nformats; i++)
            ph_buf_printf(&names, "%s%s", i ? ", " : "", lists_formats[i].name);
        ph_fail(err, PH_EUSAGE, "unknown list format '%s' (expected %s)", format ? format : "",
                names.data);
        ph_buf_free(&names);
        return err->rc;
    }
    if (ninputs == 0) return ph_fail(err, PH_EUSAGE, "no input file");
    if (strcmp(format, "ofac-csv") == 0)
        return lists_parse_ofac(inputs, ninputs, opts, fn, ctx, report, err);
    int (*one)(const lists_input *, const lists_parse_options *, lists_entity_fn, void *,
               lists_parse_report *, ph_err *) = NULL;
    if (strcmp(format, "un-xml") == 0)
        one = lists_parse_un_xml;
    else if (strcmp(format, "csl-csv") == 0)
        one = lists_parse_csl;
    else if (strcmp(format, "bis-dpl") == 0)
        one = lists_parse_dpl;
    else
        one = lists_parse_ftm;
    for (size_t i = 0; i < ninputs; i++) {
        int rc = one(&inputs[i], opts, fn, ctx, report, err);
        if (rc) return rc;
    }
    return PH_OK;
}

int lists_csv_refused(csv_reader *r, const char *label, int skip_bad, lists_parse_report *rep,
                      ph_err *err) {
    if (!skip_bad) return err->rc ? err->rc : PH_ERR;
    lists_report_skip(rep, label, csv_line(r), err->msg);
    ph_err_clear(err);
    return PH_OK;
}

int lists_csv_end(csv_reader *r, int got, int rc, const lists_input *in, const char *label,
                  int skip_bad, lists_parse_report *rep, ph_err *err) {
    if (got >= 0 || rc) return rc;
    lists_err_relabel(err, in->path, in->label);
    if (!skip_bad) return err->rc;
    lists_report_skip(rep, label, csv_line(r), err->msg);
    ph_err_clear(err);
    return PH_OK;
}
