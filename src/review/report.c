/* review — the report: the record a minister or a parliamentary committee
 * reads, as JSON, CSV (one row per licence) and a self-contained HTML page
 * styled with the GOV.UK Design System classes, with inline SVG charts. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "review/review.h"
#include "review/review_internal.h"

/* Rows of a breakdown drawn in the capability chart. */
#define CHART_MAX_ROWS 12

/* ---- gathering the record ---- */

typedef struct report {
    review_row row;
    review_def def;
    int run; /* the run reported: the approved one, else the newest */
    int64_t run_id;
    json_t *show;     /* review_show_json */
    json_t *head;     /* review_run_header_json */
    json_t *evidence; /* the review's evidence entries */
    json_t *licences; /* every result */
    json_t *audit;    /* the review's audit entries */
    char recomputed[PH_SHA256_HEX];
    char generated[AUDIT_TIME_LEN];
} report;

typedef struct gather {
    report *r;
    crypto_hash_sha256_state sha;
    ph_buf canon;
} gather;

static int gather_one(void *arg, const review_result_row *row, ph_err *err) {
    (void)err;
    gather *g = arg;
    review_result_canon(&g->canon, row->fields, REVIEW_RESULT_FIELDS);
    crypto_hash_sha256_update(&g->sha, (const unsigned char *)g->canon.data, g->canon.len);
    json_array_append_new(g->r->licences, review_result_json(row, &g->r->def));
    return PH_OK;
}

static json_t *text_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

static int load_evidence(store *db, report *r, ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT e.id, e.destination, e.topic, e.severity, e.reliability, e.classification, "
            "e.summary, "
            "e.source, e.source_date, e.valid_from, e.valid_to, "
            "(SELECT s.id FROM evidence s WHERE s.supersedes = e.id) "
            "FROM review_evidence v JOIN evidence e ON e.id = v.evidence_id WHERE v.review_id = ? "
            "ORDER BY e.id",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, r->row.id);
    r->evidence = json_array();
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        char ref[ASSESS_EVIDENCE_REF_MAX], by[ASSESS_EVIDENCE_REF_MAX];
        assess_evidence_ref(store_col_int(st, 0), ref);
        json_t *j = json_object();
        json_object_set_new(j, "id", json_string(ref));
        json_object_set_new(j, "destination", json_string(store_col_text(st, 1)));
        json_object_set_new(j, "topic", json_string(store_col_text(st, 2)));
        json_object_set_new(j, "severity", json_string(store_col_text(st, 3)));
        json_object_set_new(j, "reliability", json_string(store_col_text(st, 4)));
        json_object_set_new(j, "classification", json_string(store_col_text(st, 5)));
        json_object_set_new(j, "summary", json_string(store_col_text(st, 6)));
        json_object_set_new(j, "source", json_string(store_col_text(st, 7)));
        json_object_set_new(j, "source_date", json_string(store_col_text(st, 8)));
        json_object_set_new(j, "valid_from", json_string(store_col_text(st, 9)));
        json_object_set_new(j, "valid_to", text_or_null(store_col_text(st, 10)));
        if (!store_col_is_null(st, 11)) {
            assess_evidence_ref(store_col_int(st, 11), by);
            json_object_set_new(j, "superseded_by", json_string(by));
        } else {
            json_object_set_new(j, "superseded_by", json_null());
        }
        json_array_append_new(r->evidence, j);
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

static int load_audit(store *db, report *r, ph_err *err) {
    audit_log_filter f = {REVIEW_OBJECT, r->row.ref, 0};
    audit_record *v;
    size_t n;
    int rc = audit_log(db, &f, &v, &n, err);
    if (rc) return rc;
    r->audit = json_array();
    for (size_t i = 0; i < n; i++) {
        const audit_entry *e = &v[i].entry;
        json_array_append_new(r->audit,
                              json_pack("{s:I, s:s, s:s, s:s}", "sequence", (json_int_t)e->seq,
                                        "time", e->time, "actor", e->actor, "action", e->action));
    }
    audit_records_free(v, n);
    return PH_OK;
}

static void report_free(report *r) {
    review_row_free(&r->row);
    review_def_free(&r->def);
    json_decref(r->show);
    json_decref(r->head);
    json_decref(r->evidence);
    json_decref(r->licences);
    json_decref(r->audit);
}

static int report_load(store *db, int64_t id, report *r, ph_err *err) {
    memset(r, 0, sizeof *r);
    int rc = review_row_load(db, id, &r->row, err);
    if (rc) return rc;
    r->run = r->row.approved_run ? r->row.approved_run : r->row.latest_run;
    if (!r->run)
        rc = ph_fail(err, PH_ECONFLICT,
                     "review %s has not been run: its report needs a run (penholder review run %s)",
                     r->row.ref, r->row.ref);
    if (!rc) rc = review_row_def(&r->row, &r->def, err);
    if (!rc) rc = review_show_json(db, id, &r->show, err);
    if (!rc) rc = review_run_header_json(db, id, r->run, &r->run_id, &r->head, err);
    if (!rc) rc = load_evidence(db, r, err);
    if (!rc) rc = load_audit(db, r, err);
    if (!rc) rc = review_now(r->generated, NULL, err);
    if (!rc) {
        gather g = {.r = r};
        crypto_hash_sha256_init(&g.sha);
        ph_buf_init(&g.canon);
        r->licences = json_array();
        rc = review_results_each(db, id, r->run_id, gather_one, &g, err);
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&g.sha, digest);
        ph_hex(digest, sizeof digest, r->recomputed);
        ph_buf_free(&g.canon);
    }
    if (rc) report_free(r);
    return rc;
}

static const char *jstr(const json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t jint(const json_t *o, const char *key) {
    return json_integer_value(json_object_get(o, key));
}

static int digest_matches(const report *r) {
    return strcmp(jstr(r->head, "results_sha256"), r->recomputed) == 0;
}

/* ---- JSON ---- */

int review_report_json(store *db, int64_t id, json_t **out, ph_err *err) {
    *out = NULL;
    report r;
    int rc = report_load(db, id, &r, err);
    if (rc) return rc;
    json_t *j = json_object();
    json_object_set(j, "review", r.show);
    json_object_set(j, "evidence", r.evidence);
    json_object_set(j, "run", r.head);
    json_object_set_new(j, "results_sha256",
                        json_pack("{s:s, s:s, s:b}", "recorded", jstr(r.head, "results_sha256"),
                                  "recomputed", r.recomputed, "matches", digest_matches(&r)));
    json_t *ex = json_array();
    for (size_t i = 0; i < r.def.nexceptions; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "number", json_integer((json_int_t)i + 1));
        json_object_set_new(x, "authority", json_string(r.def.exceptions[i].authority));
        json_object_set_new(x, "reason", json_string(r.def.exceptions[i].reason));
        json_t *def = review_def_json(&r.def);
        json_object_set(
            x, "select",
            json_object_get(json_array_get(json_object_get(def, "exceptions"), i), "select"));
        json_decref(def);
        json_t *refs = json_array();
        size_t k;
        json_t *l;
        json_array_foreach(r.licences, k, l) {
            json_t *e = json_object_get(l, "exception");
            if (e && json_integer_value(json_object_get(e, "number")) == (json_int_t)i + 1)
                json_array_append(refs, json_object_get(l, "reference"));
        }
        json_object_set_new(x, "licences", refs);
        json_array_append_new(ex, x);
    }
    json_object_set_new(j, "exceptions", ex);
    json_object_set(j, "licences", r.licences);
    json_object_set(j, "audit", r.audit);
    json_object_set_new(j, "generated_at", json_string(r.generated));
    report_free(&r);
    *out = j;
    return PH_OK;
}

/* ---- CSV ---- */

/* A field a spreadsheet would read as a formula gets a leading apostrophe
 * (a register's goods summaries are text written by others). */
static int formula_like(const char *s) {
    return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
}

static void csv_field_buf(ph_buf *out, const char *s) {
    s = s ? s : "";
    if (formula_like(s)) {
        ph_buf_putc(out, '"');
        ph_buf_putc(out, '\'');
        for (; *s; s++) {
            if (*s == '"') ph_buf_putc(out, '"');
            ph_buf_putc(out, *s);
        }
        ph_buf_putc(out, '"');
        return;
    }
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        ph_buf_puts(out, s);
        return;
    }
    ph_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"') ph_buf_putc(out, '"');
        ph_buf_putc(out, *s);
    }
    ph_buf_putc(out, '"');
}

static void csv_row(ph_buf *out, const char *const *fields, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i) ph_buf_putc(out, ',');
        csv_field_buf(out, fields[i]);
    }
    ph_buf_putc(out, '\n');
}

static void join_array(const json_t *a, ph_buf *out) {
    size_t i;
    json_t *v;
    ph_buf_reset(out);
    json_array_foreach(a, i, v) ph_buf_printf(out, "%s%s", i ? ", " : "", json_string_value(v));
}

int review_report_csv(store *db, int64_t id, ph_buf *out, ph_err *err) {
    report r;
    int rc = report_load(db, id, &r, err);
    if (rc) return rc;
    static const char *const header[] = {
        "review", "run",       "reference", "status",   "action",        "proposed", "criteria",
        "rules",  "exception", "authority", "end_user", "end_user_type", "ratings",  "capabilities",
        "goods",  "value_gbp", "reason",    "applied",  "applied_note",  "referral", "decision"};
    csv_row(out, header, sizeof header / sizeof header[0]);
    char run[16];
    snprintf(run, sizeof run, "%d", r.run);
    ph_buf crit, rules, ratings, caps;
    ph_buf_init(&crit);
    ph_buf_init(&rules);
    ph_buf_init(&ratings);
    ph_buf_init(&caps);
    size_t i;
    json_t *l;
    json_array_foreach(r.licences, i, l) {
        join_array(json_object_get(l, "criteria"), &crit);
        join_array(json_object_get(l, "rules"), &rules);
        join_array(json_object_get(l, "ratings"), &ratings);
        join_array(json_object_get(l, "capabilities"), &caps);
        json_t *x = json_object_get(l, "exception"), *a = json_object_get(l, "applied"),
               *f = json_object_get(l, "referral");
        char number[16] = "", value[32];
        if (x) snprintf(number, sizeof number, "%lld", (long long)jint(x, "number"));
        snprintf(value, sizeof value, "%lld", (long long)jint(l, "value_gbp"));
        const char *fields[] = {r.row.ref,
                                run,
                                jstr(l, "reference"),
                                jstr(l, "status"),
                                jstr(l, "action"),
                                x ? jstr(l, "proposed") : jstr(l, "action"),
                                crit.data ? crit.data : "",
                                rules.data ? rules.data : "",
                                number,
                                x ? jstr(x, "authority") : "",
                                jstr(l, "end_user"),
                                jstr(l, "end_user_type"),
                                ratings.data ? ratings.data : "",
                                caps.data ? caps.data : "",
                                jstr(l, "goods"),
                                value,
                                jstr(l, "reason"),
                                a ? jstr(a, "outcome") : "",
                                a ? jstr(a, "note") : "",
                                f ? jstr(f, "state") : "",
                                f ? jstr(f, "decision") : ""};
        csv_row(out, fields, sizeof fields / sizeof fields[0]);
    }
    ph_buf_free(&crit);
    ph_buf_free(&rules);
    ph_buf_free(&ratings);
    ph_buf_free(&caps);
    report_free(&r);
    return PH_OK;
}

/* ---- HTML ---- */

static void esc(ph_buf *out, const char *s) {
    for (s = s ? s : ""; *s; s++) {
        switch (*s) {
        case '&': ph_buf_puts(out, "&amp;"); break;
        case '<': ph_buf_puts(out, "&lt;"); break;
        case '>': ph_buf_puts(out, "&gt;"); break;
        case '"': ph_buf_puts(out, "&quot;"); break;
        case '\'': ph_buf_puts(out, "&#39;"); break;
        default: ph_buf_putc(out, *s);
        }
    }
}

/* "armed_forces" as "armed forces". */
static void words(ph_buf *out, const char *s) {
    size_t start = out->len;
    esc(out, s);
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == '_') out->data[i] = ' ';
}

static void money(ph_buf *out, int64_t whole_pounds) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld",
                     (long long)(whole_pounds < 0 ? -whole_pounds : whole_pounds));
    if (whole_pounds < 0) ph_buf_putc(out, '-');
    ph_buf_putc(out, '\xc2');
    ph_buf_putc(out, '\xa3'); /* the pound sign */
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) ph_buf_putc(out, ',');
        ph_buf_putc(out, digits[i]);
    }
}

static void number(ph_buf *out, int64_t v) {
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    for (int i = 0; i < n; i++) {
        if (i && digits[i - 1] != '-' && (n - i) % 3 == 0) ph_buf_putc(out, ',');
        ph_buf_putc(out, digits[i]);
    }
}

typedef struct action_style {
    const char *action;
    const char *label;  /* headline label */
    const char *plural; /* section title */
    const char *tag;    /* govuk-tag modifier */
    const char *colour; /* chart fill (GOV.UK palette) */
} action_style;

static const action_style SUSPENSION_STYLES[] = {
    {"suspend", "suspended", "Licences suspended", "govuk-tag--red", "#d4351c"},
    {"exception", "excepted", "Licences covered by an exception", "govuk-tag--purple", "#4c2c92"},
    {"refer", "referred", "Licences referred to a decision maker", "govuk-tag--orange", "#f47738"},
    {"continue", "continuing", "Licences that continue", "govuk-tag--green", "#00703c"},
};
static const action_style REINSTATEMENT_STYLES[] = {
    {"reinstate", "reinstated", "Licences reinstated", "govuk-tag--blue", "#1d70b8"},
    {"exception", "excepted", "Licences covered by an exception", "govuk-tag--purple", "#4c2c92"},
    {"refer", "referred", "Licences referred to a decision maker", "govuk-tag--orange", "#f47738"},
    {"continue", "stay suspended", "Licences that stay suspended", "govuk-tag--grey", "#505a5f"},
};

static const action_style *styles_of(const report *r) {
    return r->row.kind == REVIEW_REINSTATEMENT ? REINSTATEMENT_STYLES : SUSPENSION_STYLES;
}

/* Enough of the GOV.UK look to read well without the stylesheet; the
 * GOV.UK Frontend stylesheet, when served, comes after and takes over. */
static const char FALLBACK_CSS[] =
    "body{margin:0;font-family:arial,sans-serif;color:#0b0c0c;background:#fff;line-height:1.32}"
    ".govuk-header{background:#0b0c0c;color:#fff;padding:10px 0;border-bottom:10px solid #1d70b8}"
    ".govuk-header__link{color:#fff;text-decoration:none;font-weight:700;font-size:24px}"
    ".govuk-width-container{max-width:1100px;margin:0 auto;padding:0 15px}"
    ".govuk-main-wrapper{padding:30px 0 45px}"
    ".govuk-caption-l{display:block;color:#505a5f;font-size:24px;margin-bottom:5px}"
    ".govuk-heading-xl{font-size:40px;font-weight:700;margin:0 0 30px}"
    ".govuk-heading-l{font-size:32px;font-weight:700;margin:40px 0 20px}"
    ".govuk-heading-m{font-size:24px;font-weight:700;margin:30px 0 15px}"
    ".govuk-heading-s{font-size:19px;font-weight:700;margin:20px 0 10px}"
    ".govuk-body,.govuk-body-l,.govuk-list{font-size:19px;margin:0 0 20px}"
    ".govuk-body-l{font-size:24px}.govuk-body-s{font-size:16px}"
    ".govuk-table{width:100%;border-collapse:collapse;font-size:16px;margin-bottom:30px}"
    ".govuk-table__header,.govuk-table__cell{text-align:left;vertical-align:top;padding:10px 20px "
    "10px 0;"
    "border-bottom:1px solid #b1b4b6}"
    ".govuk-table__header{font-weight:700}.govuk-table__cell--numeric,.govuk-table__header--"
    "numeric{text-align:right}"
    ".govuk-table__caption{font-weight:700;font-size:19px;text-align:left;margin-bottom:10px}"
    ".govuk-summary-list{margin:0 0 30px;font-size:19px}"
    ".govuk-summary-list__row{display:flex;border-bottom:1px solid #b1b4b6}"
    ".govuk-summary-list__key{flex:0 0 30%;font-weight:700;padding:10px 20px 10px 0;margin:0}"
    ".govuk-summary-list__value{flex:1;padding:10px 0;margin:0;overflow-wrap:anywhere}"
    ".govuk-tag{display:inline-block;padding:2px "
    "8px;font-size:16px;font-weight:700;background:#cce2d8;color:#005a30}"
    ".govuk-tag--red{background:#f4cdc6;color:#942514}.govuk-tag--orange{background:#fcd6c3;color:#"
    "6e3619}"
    ".govuk-tag--green{background:#cce2d8;color:#005a30}.govuk-tag--purple{background:#dbd5e9;"
    "color:#3d2375}"
    ".govuk-tag--blue{background:#bbd4ea;color:#0c2d4a}.govuk-tag--grey{background:#e5e6e7;color:#"
    "0b0c0c}"
    ".govuk-grid-row{display:flex;flex-wrap:wrap;margin:0 -15px}"
    ".govuk-grid-column-one-quarter{box-sizing:border-box;width:25%;padding:0 15px}"
    ".govuk-inset-text{border-left:10px solid #b1b4b6;padding:15px;margin:20px 0}"
    ".govuk-section-break{border:0;border-bottom:1px solid #b1b4b6;margin:30px 0}"
    ".govuk-footer{background:#f3f2f1;border-top:1px solid #b1b4b6;padding:25px 0;font-size:16px}"
    "code{font-family:monospace;font-size:14px;overflow-wrap:anywhere}"
    ".review-figure{border-top:5px solid #0b0c0c;padding-top:10px;margin-bottom:20px}"
    ".review-figure__number{display:block;font-size:48px;font-weight:700;line-height:1.1}"
    ".review-figure__label{display:block;font-size:19px;font-weight:700}"
    ".review-figure__value{display:block;font-size:16px;color:#505a5f}"
    ".review-chart{width:100%;height:auto;margin-bottom:20px}"
    ".review-reason{max-width:60em}.review-nowrap{white-space:nowrap}"
    "@media print{.govuk-header{border-bottom-color:#0b0c0c}}";

static void summary_row(ph_buf *o, const char *key, const char *value_html) {
    ph_buf_puts(o, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">");
    esc(o, key);
    ph_buf_puts(o, "</dt><dd class=\"govuk-summary-list__value\">");
    ph_buf_puts(o, value_html);
    ph_buf_puts(o, "</dd></div>\n");
}

static void summary_text(ph_buf *o, const char *key, const char *value) {
    ph_buf v;
    ph_buf_init(&v);
    esc(&v, value);
    summary_row(o, key, v.data ? v.data : "");
    ph_buf_free(&v);
}

static void list_text(ph_buf *o, const review_list *l, const char *none) {
    if (!l->n) {
        esc(o, none);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (i) ph_buf_puts(o, ", ");
        esc(o, l->items[i]);
    }
}

/* Horizontal bars, one per action: licences, with their value. */
static void chart_actions(ph_buf *o, const report *r, const json_t *summary) {
    const action_style *s = styles_of(r);
    int64_t max = 1;
    for (int i = 0; i < 4; i++)
        if (jint(summary, s[i].action) > max) max = jint(summary, s[i].action);
    const int label_w = 190, bar_w = 520, row_h = 44, top = 10;
    int height = top + 4 * row_h + 10;
    ph_buf_printf(
        o,
        "<svg class=\"review-chart\" id=\"chart-actions\" viewBox=\"0 0 900 %d\" role=\"img\" "
        "aria-labelledby=\"chart-actions-title\" xmlns=\"http://www.w3.org/2000/svg\">"
        "<title id=\"chart-actions-title\">Licences by action</title>\n",
        height);
    json_t *values = json_object_get(summary, "value_gbp");
    for (int i = 0; i < 4; i++) {
        int64_t n = jint(summary, s[i].action);
        int y = top + i * row_h;
        int w = (int)(n * bar_w / max);
        if (n && w < 2) w = 2;
        ph_buf_printf(o,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"18\" "
                      "font-family=\"arial,sans-serif\" "
                      "fill=\"#0b0c0c\">",
                      label_w - 10, y + 24);
        esc(o, s[i].label);
        ph_buf_printf(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"32\" fill=\"%s\"/>",
                      label_w, y + 4, w, s[i].colour);
        ph_buf_printf(o,
                      "<text x=\"%d\" y=\"%d\" font-size=\"18\" font-weight=\"bold\" "
                      "font-family=\"arial,sans-serif\" "
                      "fill=\"#0b0c0c\">",
                      label_w + w + 8, y + 26);
        number(o, n);
        ph_buf_puts(o, " (");
        money(o, jint(values, s[i].action));
        ph_buf_puts(o, ")</text>\n");
    }
    ph_buf_puts(o, "</svg>\n");
}

/* Licences of a breakdown row whose action is not to continue. */
static int64_t affected(const json_t *row) {
    const json_t *counts = json_object_get(row, "licences");
    return jint(row, "total") - jint(counts, "continue");
}

static int by_affected(const void *a, const void *b) {
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int64_t ax = affected(x), ay = affected(y);
    if (ax != ay) return ax > ay ? -1 : 1;
    if (jint(x, "total") != jint(y, "total")) return jint(x, "total") > jint(y, "total") ? -1 : 1;
    return strcmp(jstr(x, "key"), jstr(y, "key"));
}

/* Stacked bars: licences by capability, coloured by action; the keys the
 * review acted on come first. */
static void chart_breakdown(ph_buf *o, const report *r, const json_t *all, const char *id,
                            const char *title) {
    const action_style *s = styles_of(r);
    size_t total = json_array_size(all);
    const json_t **sorted = ph_calloc(total ? total : 1, sizeof *sorted);
    for (size_t i = 0; i < total; i++)
        sorted[i] = json_array_get(all, i);
    qsort(sorted, total, sizeof *sorted, by_affected);
    json_t *rows = json_array();
    for (size_t i = 0; i < total && i < CHART_MAX_ROWS; i++)
        json_array_append(rows, (json_t *)sorted[i]);
    free(sorted);
    size_t n = json_array_size(rows);
    if (!n) {
        json_decref(rows);
        return;
    }
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (jint(json_array_get(rows, i), "total") > max)
            max = jint(json_array_get(rows, i), "total");
    const int label_w = 230, bar_w = 560, row_h = 30, top = 40;
    int height = top + (int)n * row_h + 10;
    ph_buf_printf(
        o,
        "<svg class=\"review-chart\" id=\"%s\" viewBox=\"0 0 900 %d\" role=\"img\" "
        "aria-labelledby=\"%s-title\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"%s-title\">",
        id, height, id, id);
    esc(o, title);
    ph_buf_puts(o, "</title>\n");
    int x = label_w;
    for (int a = 0; a < 4; a++) {
        ph_buf_printf(o, "<rect x=\"%d\" y=\"8\" width=\"14\" height=\"14\" fill=\"%s\"/>", x,
                      s[a].colour);
        ph_buf_printf(o,
                      "<text x=\"%d\" y=\"20\" font-size=\"15\" font-family=\"arial,sans-serif\" "
                      "fill=\"#0b0c0c\">",
                      x + 20);
        esc(o, s[a].label);
        ph_buf_puts(o, "</text>");
        x += 150;
    }
    ph_buf_putc(o, '\n');
    for (size_t i = 0; i < n; i++) {
        const json_t *row = json_array_get(rows, i);
        const json_t *counts = json_object_get(row, "licences");
        int y = top + (int)i * row_h;
        ph_buf_printf(o,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"15\" "
                      "font-family=\"arial,sans-serif\" "
                      "fill=\"#0b0c0c\">",
                      label_w - 10, y + 18);
        esc(o, jstr(row, "key"));
        ph_buf_puts(o, "</text>");
        int at = label_w;
        for (int a = 0; a < 4; a++) {
            int64_t c = jint(counts, s[a].action);
            int w = (int)(c * bar_w / max);
            if (c && w < 2) w = 2;
            if (w)
                ph_buf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" fill=\"%s\"/>",
                              at, y + 2, w, s[a].colour);
            at += w;
        }
        ph_buf_printf(o,
                      "<text x=\"%d\" y=\"%d\" font-size=\"15\" font-family=\"arial,sans-serif\" "
                      "fill=\"#0b0c0c\">",
                      at + 6, y + 18);
        number(o, jint(row, "total"));
        ph_buf_puts(o, "</text>\n");
    }
    ph_buf_puts(o, "</svg>\n");
    json_decref(rows);
}

static void breakdown_table(ph_buf *o, const report *r, const json_t *rows, const char *caption,
                            const char *key) {
    const action_style *s = styles_of(r);
    ph_buf_puts(o, "<table class=\"govuk-table\"><caption class=\"govuk-table__caption "
                   "govuk-table__caption--m\">");
    esc(o, caption);
    ph_buf_puts(o, "</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                   "<th scope=\"col\" class=\"govuk-table__header\">");
    esc(o, key);
    ph_buf_puts(o, "</th>");
    for (int a = 0; a < 4; a++) {
        ph_buf_puts(
            o, "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">");
        esc(o, s[a].label);
        ph_buf_puts(o, "</th>");
    }
    ph_buf_puts(o, "<th scope=\"col\" class=\"govuk-table__header "
                   "govuk-table__header--numeric\">All</th></tr></thead>"
                   "<tbody class=\"govuk-table__body\">\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const json_t *counts = json_object_get(row, "licences"),
                     *values = json_object_get(row, "value_gbp");
        ph_buf_puts(
            o, "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
        words(o, jstr(row, "key"));
        ph_buf_puts(o, "</th>");
        for (int a = 0; a < 4; a++) {
            ph_buf_puts(o, "<td class=\"govuk-table__cell govuk-table__cell--numeric\">");
            int64_t c = jint(counts, s[a].action);
            if (c) {
                number(o, c);
                ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
                money(o, jint(values, s[a].action));
                ph_buf_puts(o, "</span>");
            } else {
                ph_buf_puts(o, "&ndash;");
            }
            ph_buf_puts(o, "</td>");
        }
        ph_buf_puts(o, "<td class=\"govuk-table__cell govuk-table__cell--numeric\">");
        number(o, jint(row, "total"));
        ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
        money(o, jint(row, "total_value_gbp"));
        ph_buf_puts(o, "</span></td></tr>\n");
    }
    ph_buf_puts(o, "</tbody></table>\n");
}

static void licences_table(ph_buf *o, const report *r, const action_style *s) {
    size_t count = 0, i;
    json_t *l;
    json_array_foreach(r->licences, i, l) count += strcmp(jstr(l, "action"), s->action) == 0;
    ph_buf_printf(o, "<h3 class=\"govuk-heading-m\" id=\"licences-%s\">", s->action);
    esc(o, s->plural);
    ph_buf_puts(o, " (");
    number(o, (int64_t)count);
    ph_buf_puts(o, ")</h3>\n");
    if (!count) {
        ph_buf_puts(o, "<p class=\"govuk-body\">None.</p>\n");
        return;
    }
    ph_buf_puts(
        o, "<table class=\"govuk-table review-licences\"><thead class=\"govuk-table__head\">"
           "<tr class=\"govuk-table__row\">"
           "<th scope=\"col\" class=\"govuk-table__header\">Licence</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">End user</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Goods</th>"
           "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Value</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Decision and reason</th>"
           "</tr></thead><tbody class=\"govuk-table__body\">\n");
    ph_buf tmp;
    ph_buf_init(&tmp);
    json_array_foreach(r->licences, i, l) {
        if (strcmp(jstr(l, "action"), s->action) != 0) continue;
        ph_buf_puts(
            o,
            "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell review-nowrap\"><code>");
        esc(o, jstr(l, "reference"));
        ph_buf_puts(o, "</code></td><td class=\"govuk-table__cell\">");
        esc(o, jstr(l, "end_user"));
        if (*jstr(l, "end_user_type")) {
            ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
            words(o, jstr(l, "end_user_type"));
            ph_buf_puts(o, "</span>");
        }
        ph_buf_puts(o, "</td><td class=\"govuk-table__cell\">");
        join_array(json_object_get(l, "ratings"), &tmp);
        esc(o, tmp.data ? tmp.data : "");
        ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
        esc(o, jstr(l, "goods"));
        ph_buf_puts(o, "</span></td><td class=\"govuk-table__cell govuk-table__cell--numeric\">");
        money(o, jint(l, "value_gbp"));
        ph_buf_printf(
            o, "</td><td class=\"govuk-table__cell review-reason\"><strong class=\"govuk-tag %s\">",
            s->tag);
        esc(o, s->label);
        ph_buf_puts(o, "</strong> ");
        join_array(json_object_get(l, "criteria"), &tmp);
        if (tmp.len) {
            ph_buf_puts(o, "<strong>Criteria ");
            esc(o, tmp.data);
            ph_buf_puts(o, "</strong> ");
        }
        join_array(json_object_get(l, "rules"), &tmp);
        if (tmp.len) {
            ph_buf_puts(o, "<span class=\"govuk-body-s\">(rule ");
            esc(o, tmp.data);
            ph_buf_puts(o, ")</span>");
        }
        ph_buf_puts(o, "<br>");
        esc(o, jstr(l, "reason"));
        json_t *a = json_object_get(l, "applied"), *f = json_object_get(l, "referral");
        if (a) {
            ph_buf_puts(o, "<br><span class=\"govuk-body-s\"><strong>Applied:</strong> ");
            esc(o, jstr(a, "outcome"));
            ph_buf_puts(o, ", ");
            esc(o, jstr(a, "note"));
            if (json_is_integer(json_object_get(a, "audit_sequence")))
                ph_buf_printf(o, " (audit entry %lld)", (long long)jint(a, "audit_sequence"));
            ph_buf_puts(o, "</span>");
        }
        if (f) {
            ph_buf_puts(o, "<br><span class=\"govuk-body-s\"><strong>Referral:</strong> ");
            esc(o, jstr(f, "state"));
            if (*jstr(f, "decision")) {
                ph_buf_puts(o, ", decided ");
                esc(o, jstr(f, "decision"));
                ph_buf_puts(o, ": ");
                esc(o, jstr(f, "reason"));
            }
            ph_buf_puts(o, "</span>");
        }
        ph_buf_puts(o, "</td></tr>\n");
    }
    ph_buf_free(&tmp);
    ph_buf_puts(o, "</tbody></table>\n");
}

static void html_scope(ph_buf *o, const review_def *d) {
    ph_buf v;
    ph_buf_init(&v);
    ph_buf_puts(&v, "Destinations: ");
    list_text(&v, &d->scope.destinations, "");
    ph_buf_puts(&v, "<br>Licence statuses: ");
    list_text(&v, &d->scope.statuses, "");
    if (d->scope.ratings.n) {
        ph_buf_puts(&v, "<br>Ratings: ");
        list_text(&v, &d->scope.ratings, "");
    }
    if (d->scope.capabilities.n) {
        ph_buf_puts(&v, "<br>Capabilities: ");
        list_text(&v, &d->scope.capabilities, "");
    }
    if (d->scope.end_user_types.n) {
        ph_buf_puts(&v, "<br>End-user types: ");
        list_text(&v, &d->scope.end_user_types, "");
    }
    if (d->scope.licence_types.n) {
        ph_buf_puts(&v, "<br>Licence types: ");
        list_text(&v, &d->scope.licence_types, "");
    }
    if (d->scope.issued_from[0] || d->scope.issued_to[0]) {
        ph_buf_puts(&v, "<br>Issued ");
        if (d->scope.issued_from[0]) ph_buf_printf(&v, "from %s ", d->scope.issued_from);
        if (d->scope.issued_to[0]) ph_buf_printf(&v, "to %s", d->scope.issued_to);
    }
    summary_row(o, "Scope", v.data);
    ph_buf_free(&v);
}

int review_report_html(store *db, int64_t id, ph_buf *o, ph_err *err) {
    report r;
    int rc = report_load(db, id, &r, err);
    if (rc) return rc;
    const json_t *summary = json_object_get(r.head, "summary");
    const json_t *values = json_object_get(summary, "value_gbp");
    const action_style *styles = styles_of(&r);
    ph_buf v;
    ph_buf_init(&v);

    ph_buf_puts(
        o, "<!DOCTYPE html>\n<html lang=\"en\" class=\"govuk-template\">\n<head>\n<meta "
           "charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(o, r.row.ref);
    ph_buf_puts(o, ": ");
    esc(o, r.row.title);
    ph_buf_puts(o, " &ndash; review of extant licences</title>\n<style>");
    ph_buf_puts(o, FALLBACK_CSS);
    ph_buf_puts(
        o, "</style>\n<link rel=\"stylesheet\" href=\"/govuk/govuk-frontend.min.css\">\n</head>\n"
           "<body class=\"govuk-template__body\">\n"
           "<header class=\"govuk-header\"><div class=\"govuk-header__container "
           "govuk-width-container\">"
           "<span class=\"govuk-header__link govuk-header__service-name\">penholder &ndash; export "
           "licensing"
           "</span></div></header>\n"
           "<div class=\"govuk-width-container\"><main class=\"govuk-main-wrapper\" "
           "id=\"main-content\">\n");

    /* What this is, and the headline. */
    ph_buf_puts(o, "<span class=\"govuk-caption-l\">Review of extant licences ");
    esc(o, r.row.ref);
    ph_buf_printf(o, " &middot; %s review</span>\n<h1 class=\"govuk-heading-xl\">",
                  review_kind_name(r.row.kind));
    esc(o, r.row.title);
    ph_buf_puts(o,
                "</h1>\n<p class=\"govuk-body\"><strong class=\"govuk-tag\" id=\"review-status\">");
    esc(o, r.row.status);
    ph_buf_puts(o, "</strong></p>\n<p class=\"govuk-body-l\">");
    esc(o, r.row.reason);
    ph_buf_puts(o, "</p>\n<p class=\"govuk-body\" id=\"headline\">");
    number(o, jint(summary, "licences"));
    ph_buf_puts(o, " licences in scope were re-assessed under criteria ");
    esc(o, r.row.criteria);
    ph_buf_puts(o, " as on ");
    esc(o, jstr(r.head, "as_of"));
    ph_buf_puts(o, ", with the policy and evidence then in force. Their value is ");
    money(o, jint(summary, "total_value_gbp"));
    ph_buf_puts(o, ".</p>\n<div class=\"govuk-grid-row\" id=\"figures\">\n");
    for (int a = 0; a < 4; a++) {
        ph_buf_printf(o,
                      "<div class=\"govuk-grid-column-one-quarter\"><div class=\"review-figure\" "
                      "id=\"figure-%s\">"
                      "<span class=\"review-figure__number\">",
                      styles[a].action);
        number(o, jint(summary, styles[a].action));
        ph_buf_puts(o, "</span><span class=\"review-figure__label\">");
        esc(o, styles[a].label);
        ph_buf_puts(o, "</span><span class=\"review-figure__value\">");
        money(o, jint(values, styles[a].action));
        ph_buf_puts(o, "</span></div></div>\n");
    }
    ph_buf_puts(o, "</div>\n");

    /* The impact. */
    ph_buf_puts(o, "<h2 class=\"govuk-heading-l\" id=\"impact\">Impact</h2>\n"
                   "<h3 class=\"govuk-heading-s\">Licences and their value by action</h3>\n");
    chart_actions(o, &r, summary);
    ph_buf_puts(o, "<h3 class=\"govuk-heading-s\">Licences by capability of their goods, those "
                   "acted on first</h3>\n");
    chart_breakdown(o, &r, json_object_get(summary, "by_capability"), "chart-capabilities",
                    "Licences by capability of their goods");
    breakdown_table(o, &r, json_object_get(summary, "by_end_user_type"), "By end-user type",
                    "End-user type");
    breakdown_table(o, &r, json_object_get(summary, "by_capability"), "By capability of the goods",
                    "Capability");
    breakdown_table(o, &r, json_object_get(summary, "by_rating"), "By control-list rating",
                    "Rating");

    /* What was reviewed, and on what. */
    ph_buf_puts(
        o, "<h2 class=\"govuk-heading-l\" id=\"basis\">What was reviewed, and on what basis</h2>\n"
           "<dl class=\"govuk-summary-list\">\n");
    summary_text(o, "Criteria", r.row.criteria);
    html_scope(o, &r.def);
    ph_buf_reset(&v);
    number(&v, jint(json_object_get(r.head, "summary"), "licences_considered"));
    ph_buf_puts(&v, " licences of these destinations and statuses; ");
    number(&v, jint(summary, "licences"));
    ph_buf_puts(&v, " in scope");
    summary_row(o, "Licences", v.data);
    summary_text(o, "Assessed as on", jstr(r.head, "as_of"));
    const json_t *pol = json_object_get(r.head, "policy");
    ph_buf_reset(&v);
    esc(&v, jstr(pol, "id"));
    ph_buf_puts(&v, " version ");
    esc(&v, jstr(pol, "version"));
    ph_buf_puts(&v, "<br><code>SHA-256 ");
    esc(&v, jstr(pol, "sha256"));
    ph_buf_puts(&v, "</code>");
    summary_row(o, "Policy", v.data);
    ph_buf_reset(&v);
    ph_buf_puts(&v, "<code>");
    esc(&v, jstr(r.head, "capabilities_sha256"));
    ph_buf_puts(&v, "</code>");
    summary_row(o, "Capability table (SHA-256)", v.data);
    ph_buf_reset(&v);
    join_array(json_object_get(r.head, "evidence_in_force"), &v);
    ph_buf tmp;
    ph_buf_init(&tmp);
    esc(&tmp, v.len ? v.data : "none");
    ph_buf_puts(&tmp, "<br><code>SHA-256 ");
    esc(&tmp, jstr(r.head, "evidence_sha256"));
    ph_buf_puts(&tmp, "</code>");
    summary_row(o, "Evidence in force", tmp.data);
    ph_buf_reset(&tmp);
    ph_buf_printf(&tmp, "Run %d by ", r.run);
    esc(&tmp, jstr(r.head, "run_by"));
    ph_buf_puts(&tmp, " at ");
    esc(&tmp, jstr(r.head, "run_at"));
    summary_row(o, "Run", tmp.data);
    ph_buf_reset(&tmp);
    ph_buf_puts(&tmp, "<code>");
    esc(&tmp, jstr(r.head, "results_sha256"));
    ph_buf_puts(&tmp, "</code><br>");
    ph_buf_puts(&tmp,
                digest_matches(&r)
                    ? "Recomputed from the stored results when this report was made: it matches."
                    : "<strong>Recomputed from the stored results: it does not match "
                      "(run penholder audit verify).</strong>");
    summary_row(o, "Results (SHA-256)", tmp.data);
    ph_buf_puts(o, "</dl>\n");

    /* Evidence. */
    ph_buf_puts(
        o, "<h2 class=\"govuk-heading-l\" id=\"evidence\">Evidence that triggered the review</h2>\n"
           "<table class=\"govuk-table\"><thead class=\"govuk-table__head\"><tr "
           "class=\"govuk-table__row\">"
           "<th scope=\"col\" class=\"govuk-table__header\">Id</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Topic and severity</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Source</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Summary</th></tr></thead>"
           "<tbody class=\"govuk-table__body\">\n");
    size_t i;
    json_t *e;
    json_array_foreach(r.evidence, i, e) {
        ph_buf_puts(
            o, "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell review-nowrap\">");
        esc(o, jstr(e, "id"));
        ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
        esc(o, jstr(e, "destination"));
        ph_buf_puts(o, "</span></td><td class=\"govuk-table__cell\">");
        esc(o, jstr(e, "topic"));
        ph_buf_puts(o, ", ");
        esc(o, jstr(e, "severity"));
        ph_buf_puts(o, "<br><span class=\"govuk-body-s\">reliability ");
        esc(o, jstr(e, "reliability"));
        ph_buf_puts(o, "; ");
        esc(o, jstr(e, "classification"));
        ph_buf_puts(o, "</span></td><td class=\"govuk-table__cell\">");
        esc(o, jstr(e, "source"));
        ph_buf_puts(o, "<br><span class=\"govuk-body-s\">");
        esc(o, jstr(e, "source_date"));
        if (*jstr(e, "superseded_by")) {
            ph_buf_puts(o, "; superseded by ");
            esc(o, jstr(e, "superseded_by"));
        }
        ph_buf_puts(o, "</span></td><td class=\"govuk-table__cell\">");
        esc(o, jstr(e, "summary"));
        ph_buf_puts(o, "</td></tr>\n");
    }
    ph_buf_puts(o, "</tbody></table>\n");

    /* Exceptions. */
    ph_buf_puts(
        o, "<h2 class=\"govuk-heading-l\" id=\"exceptions\">Exceptions and their authority</h2>\n");
    if (!r.def.nexceptions)
        ph_buf_puts(o, "<p class=\"govuk-body\">The review made no exceptions.</p>\n");
    for (size_t k = 0; k < r.def.nexceptions; k++) {
        const review_exception *x = &r.def.exceptions[k];
        size_t covered = 0;
        json_t *l;
        json_array_foreach(r.licences, i, l) {
            json_t *xe = json_object_get(l, "exception");
            covered += xe && jint(xe, "number") == (int64_t)k + 1;
        }
        ph_buf_printf(
            o, "<h3 class=\"govuk-heading-m\" id=\"exception-%zu\">Exception %zu: ", k + 1, k + 1);
        esc(o, x->authority);
        ph_buf_puts(o, "</h3>\n<div class=\"govuk-inset-text\">");
        esc(o, x->reason);
        ph_buf_puts(o, "</div>\n<p class=\"govuk-body\">Selects licences ");
        int first = 1;
        const review_list *lists[] = {&x->select.references, &x->select.tags, &x->select.ratings,
                                      &x->select.end_users};
        const char *names[] = {"with reference ", "tagged ", "with goods rated ", "for end user "};
        for (int s = 0; s < 4; s++) {
            if (!lists[s]->n) continue;
            ph_buf_puts(o, first ? "" : " and ");
            esc(o, names[s]);
            list_text(o, lists[s], "");
            first = 0;
        }
        ph_buf_puts(o, ". It withheld the action from ");
        number(o, (int64_t)covered);
        ph_buf_printf(o, " licence%s that would otherwise have been %s.</p>\n",
                      covered == 1 ? "" : "s",
                      r.row.kind == REVIEW_REINSTATEMENT ? "reinstated" : "suspended");
    }

    /* Decision and action. */
    const json_t *app = json_object_get(r.show, "application");
    ph_buf_puts(o, "<h2 class=\"govuk-heading-l\" id=\"decision\">Decision and action</h2>\n"
                   "<dl class=\"govuk-summary-list\">\n");
    ph_buf_reset(&tmp);
    esc(&tmp, r.row.created_by);
    ph_buf_puts(&tmp, " at ");
    esc(&tmp, r.row.created_at);
    summary_row(o, "Created", tmp.data);
    ph_buf_reset(&tmp);
    if (r.row.approved_run) {
        ph_buf_printf(&tmp, "Run %d approved by ", r.row.approved_run);
        esc(&tmp, r.row.approved_by);
        ph_buf_puts(&tmp, " at ");
        esc(&tmp, r.row.approved_at);
        if (r.row.approval_note) {
            ph_buf_puts(&tmp, "<br>");
            esc(&tmp, r.row.approval_note);
        }
    } else {
        ph_buf_puts(&tmp,
                    "Not approved: the results below are a dry run and nothing has been changed.");
    }
    summary_row(o, "Approval", tmp.data);
    ph_buf_reset(&tmp);
    if (r.row.applied_at) {
        ph_buf_puts(&tmp, "Applied by ");
        esc(&tmp, r.row.applied_by);
        ph_buf_puts(&tmp, " at ");
        esc(&tmp, r.row.applied_at);
        ph_buf_puts(&tmp, "<br>");
    } else if (ph_streq(r.row.status, "applying")) {
        ph_buf_puts(&tmp, "Being applied (some batches done): apply again to finish.<br>");
    } else {
        ph_buf_puts(&tmp, "Not applied.<br>");
    }
    number(&tmp, jint(app, r.row.kind == REVIEW_REINSTATEMENT ? "reinstated" : "suspended"));
    ph_buf_printf(
        &tmp,
        " licences %s through the licence workflow, each with its own reason and audit entry; ",
        r.row.kind == REVIEW_REINSTATEMENT ? "reinstated" : "suspended");
    number(&tmp, jint(app, "skipped"));
    ph_buf_puts(&tmp, " left as they were because their status had changed since the run; ");
    number(&tmp, jint(app, "customs_notifications"));
    ph_buf_puts(&tmp, " customs notifications; referrals: ");
    number(&tmp, jint(app, "referrals_open"));
    ph_buf_puts(&tmp, " open, ");
    number(&tmp, jint(app, "referrals_resolved"));
    ph_buf_puts(&tmp, " resolved.");
    summary_row(o, "Action", tmp.data);
    ph_buf_puts(o, "</dl>\n");

    /* Licence by licence. */
    ph_buf_puts(o, "<h2 class=\"govuk-heading-l\" id=\"licences\">What was decided for each "
                   "licence, and why</h2>\n");
    for (int a = 0; a < 4; a++)
        licences_table(o, &r, &styles[a]);

    /* The audit trail of the review. */
    ph_buf_puts(
        o, "<h2 class=\"govuk-heading-l\" id=\"audit\">Audit trail of the review</h2>\n"
           "<table class=\"govuk-table\"><thead class=\"govuk-table__head\"><tr "
           "class=\"govuk-table__row\">"
           "<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Entry</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Time</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">Who</th>"
           "<th scope=\"col\" class=\"govuk-table__header\">What</th></tr></thead>"
           "<tbody class=\"govuk-table__body\">\n");
    json_array_foreach(r.audit, i, e) {
        ph_buf_printf(o,
                      "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell "
                      "govuk-table__cell--numeric\">%lld</td>"
                      "<td class=\"govuk-table__cell\">",
                      (long long)jint(e, "sequence"));
        esc(o, jstr(e, "time"));
        ph_buf_puts(o, "</td><td class=\"govuk-table__cell\">");
        esc(o, jstr(e, "actor"));
        ph_buf_puts(o, "</td><td class=\"govuk-table__cell\">");
        esc(o, jstr(e, "action"));
        ph_buf_puts(o, "</td></tr>\n");
    }
    ph_buf_puts(o, "</tbody></table>\n<p class=\"govuk-body-s\">Each licence's own suspension or "
                   "reinstatement is an "
                   "entry of the audit log on that licence; <code>penholder audit verify</code> "
                   "checks them all.</p>\n");

    ph_buf_puts(
        o, "</main></div>\n<footer class=\"govuk-footer\"><div class=\"govuk-width-container\">"
           "<p class=\"govuk-body-s\">Made by penholder from the record at ");
    esc(o, r.generated);
    ph_buf_puts(o, ". Results SHA-256 <code>");
    esc(o, r.recomputed);
    ph_buf_puts(o, "</code>.</p></div></footer>\n</body>\n</html>\n");
    ph_buf_free(&v);
    ph_buf_free(&tmp);
    report_free(&r);
    return PH_OK;
}
