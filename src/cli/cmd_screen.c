/* penholder screen, penholder match: the screening engine on the command line.
 * The engine (src/screen) knows nothing of the database: this file loads the
 * current lists, hands them to screen_index_build, and formats the answers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "csv/csv.h"
#include "lists/lists.h"
#include "refdata/refdata.h"
#include "screen/screen.h"

/* Scores are shown with four decimals; more would suggest a precision the
 * method does not have. */
#define SCORE_JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4))

static const char screen_help[] =
    "usage: penholder screen NAME [--type person|entity|vessel|aircraft] [--country CC]\n"
    "                        [--dob YYYY[-MM-DD]] [--list NAME]... [--limit N] [--threshold X]\n"
    "                        [--min-score X] [--explain] [--json]\n"
    "       penholder screen --file FILE.csv [--column query_name] [--dob-column C]\n"
    "                        [--country-column C] [--limit N] --format jsonl|csv\n"
    "\n"
    "Screens a party name against the current version of every loaded list (see\n"
    "'penholder lists') and prints the hits, best first. A hit scoring at or above the\n"
    "alert threshold (default 0.80) is an alert; hits down to --min-score (default 0.60)\n"
    "are shown for context.\n"
    "  --type T        only entities of this type (and those the list gives no type)\n"
    "  --country CC    the party's country (ISO code or name): a match raises the score,\n"
    "                  a different country lowers it\n"
    "  --dob DATE      the party's date of birth: a match raises the score, another\n"
    "                  year lowers it\n"
    "  --list NAME     only this list (repeatable)\n"
    "  --limit N       hits per name (default 10)\n"
    "  --explain       how each hit matched: token pairs, similarities, qualifiers\n"
    "Bulk: --file reads a CSV with a header and writes one record per row, in order\n"
    "(blank lines are not rows; each record names the line its row starts on):\n"
    "  jsonl: {\"query\": ..., \"hits\": [{\"list\", \"entity_id\", \"name\", \"matched_name\",\n"
    "          \"score\", \"alert\"}, ...], \"line\": N}\n"
    "  csv:   query,alert,hits,list,entity_id,name,matched_name,score,other_hits,error,line\n"
    "         (the best hit; other_hits as list:entity_id:score separated by '; ')\n"
    "  --column C (default query_name) holds the names; --dob-column and --country-column\n"
    "  name optional columns with dates of birth and countries.\n";

static const char match_help[] =
    "usage: penholder match NAME1 NAME2 [--type person|entity] [--json]\n"
    "       penholder match --pairs FILE.csv\n"
    "\n"
    "Scores two names as screening would: NAME1 as the party, NAME2 as the list entry.\n"
    "Prints the score, the verdict at the alert threshold (0.80) and how the tokens were\n"
    "paired. Token weights come from the rarity of words across the loaded lists when\n"
    "there are any (so 'mohammed' or 'trading' count less than a rare surname), else every\n"
    "word weighs the same.\n"
    "--pairs reads a CSV with columns name1,name2 and optionally schema\n"
    "(Person, Organization, Company, LegalEntity, Vessel) and writes\n"
    "name1,name2,score,match with match true or false.\n";

/* ---- loading the lists into an index ---- */

typedef struct loaded {
    screen_index *idx;
    refdata_names *countries;
    size_t entities;
    size_t nlists;
} loaded;

static void loaded_free(loaded *l) {
    screen_index_free(l->idx);
    refdata_names_free(l->countries);
    memset(l, 0, sizeof *l);
}

/* Builds the index from the newest version of every list. With
 * `required`, no lists is an error; otherwise l->idx stays NULL. */
static int load_lists(const cli_common *c, int required, loaded *l, ph_err *err) {
    memset(l, 0, sizeof *l);
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, err)) return required ? err->rc : PH_OK;
    int rc = refdata_names_load(db, &l->countries, err);
    if (rc == PH_OK) rc = lists_screen_index(db, &l->idx, &l->entities, &l->nlists, err);
    store_close(db);
    if (rc) {
        loaded_free(l);
        return rc;
    }
    if (!l->idx && required) {
        loaded_free(l);
        return ph_fail(err, PH_ENOTFOUND,
                       "no lists are loaded: import some first ('penholder lists import "
                       "--format FORMAT FILE...')");
    }
    return PH_OK;
}

/* An ISO code for what the user typed ("IR", "Iran"). */
static int resolve_country(const loaded *l, const char *text, char *out, size_t size, ph_err *err) {
    const char *code = l->countries ? refdata_names_resolve(l->countries, text) : NULL;
    if (!code) {
        size_t len = strlen(text);
        if (len == 2 || len == 3) code = text; /* a code the table lacks: compare as given */
    }
    if (!code)
        return ph_fail(err, PH_EUSAGE, "unknown country '%s' (give an ISO code such as IR)", text);
    ph_strlcpy(out, code, size);
    return PH_OK;
}

/* ---- JSON ---- */

/* A JSON string for text that may not be valid UTF-8 (a bulk file's row):
 * bad bytes become U+FFFD. */
static json_t *json_text(const char *s) {
    json_t *j = json_string(s);
    if (j) return j;
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; s[i];) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = n > 0;
        for (size_t k = 1; ok && k < n; k++)
            if (((unsigned char)s[i + k] & 0xC0) != 0x80) ok = 0;
        if (ok) {
            char tmp[5] = {0};
            memcpy(tmp, s + i, n);
            json_t *probe = json_string(tmp);
            if (probe) {
                ph_buf_append(&b, s + i, n);
                json_decref(probe);
                i += n;
                continue;
            }
        }
        ph_buf_puts(&b, "\xEF\xBF\xBD");
        i++;
    }
    j = json_string(b.data ? b.data : "");
    ph_buf_free(&b);
    return j ? j : json_string("");
}

static void print_json(json_t *j, size_t flags) {
    char *s = json_dumps(j, flags);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(j);
}

/* ---- text output ---- */

static void print_explanation(const screen_explanation *ex, FILE *out) {
    const char *h[] = {"query", "list", ">similarity", "how", ">weight", "note"};
    cli_table *t = cli_table_new(6, h);
    for (size_t i = 0; i < ex->nparts; i++) {
        const screen_part *p = &ex->parts[i];
        char sim[16], w[16];
        snprintf(sim, sizeof sim, "%.2f", p->similarity);
        snprintf(w, sizeof w, "%.2f", p->weight);
        cli_table_add(t, (const char *[]){p->query[0] ? p->query : "-", p->list[0] ? p->list : "-",
                                          p->how ? sim : "", screen_how_name(p->how), w,
                                          p->note ? p->note : ""});
    }
    cli_table_print(t, out);
    cli_table_free(t);
    for (size_t i = 0; i < ex->nqualifiers; i++) {
        const screen_qualifier *q = &ex->qualifiers[i];
        if (q->factor != 1.0)
            fprintf(out, "  %s: x%.2f (%s)\n", q->name, q->factor, q->detail);
        else
            fprintf(out, "  %s: %+.2f (%s)\n", q->name, q->delta, q->detail);
    }
    if (ex->rule) fprintf(out, "  rule: %s\n", ex->rule);
}

static void print_hits(const screen_result *r, double threshold, int explain) {
    printf("query: %s   (alert threshold %.2f)\n", r->query[0] ? r->query : "(nothing)", threshold);
    if (r->notice) {
        printf("no hits: %s\n", r->notice);
        return;
    }
    if (!r->nhits) {
        printf("no hits\n");
        return;
    }
    const char *h[] = {">score", "alert", "list", "entity id", "type", "name", "matched name"};
    cli_table *t = cli_table_new(7, h);
    for (size_t i = 0; i < r->nhits; i++) {
        const screen_hit *x = &r->hits[i];
        char score[16];
        snprintf(score, sizeof score, "%.4f", x->score);
        int same = strcmp(x->name, x->matched_name) == 0;
        cli_table_add(t, (const char *[]){score, x->alert ? "ALERT" : "", x->list, x->entity_id,
                                          screen_type_name(x->type), x->name,
                                          same ? "" : x->matched_name});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    if (!explain) return;
    for (size_t i = 0; i < r->nhits; i++) {
        const screen_hit *x = &r->hits[i];
        printf("\n%zu. %s %s: score %.4f (name %.4f)%s\n   matched %s name \"%s\"%s\n", i + 1,
               x->list, x->entity_id, x->score, x->name_score, x->alert ? " ALERT" : "",
               screen_name_kind_name(x->matched_kind), x->matched_name,
               x->weak ? " (weak alias)" : "");
        if (x->explanation) print_explanation(x->explanation, stdout);
    }
}

/* ---- bulk ---- */

typedef struct bulk_options {
    const char *file, *column, *dob_column, *country_column, *format;
} bulk_options;

static void csv_out_row(FILE *out, const char *const *fields, size_t n) {
    csv_write_row(out, fields, n);
}

static int screen_bulk(const loaded *l, const screen_request *base, const bulk_options *o,
                       ph_err *err) {
    int jsonl = strcmp(o->format, "jsonl") == 0;
    csv_reader *r = csv_open_file(o->file, ',', CSV_QUOTES, err);
    if (!r) return err->rc ? err->rc : PH_ERR;
    int got = csv_next(r, err);
    if (got != 1) {
        csv_close(r);
        return got < 0 ? PH_ERR
                       : ph_fail(err, PH_EUSAGE, "%s: empty file (expected a header)", o->file);
    }
    int col = csv_find(r, o->column);
    int dob_col = o->dob_column ? csv_find(r, o->dob_column) : -1;
    int country_col = o->country_column ? csv_find(r, o->country_column) : -1;
    const char *missing = col < 0                                  ? o->column
                          : (o->dob_column && dob_col < 0)         ? o->dob_column
                          : (o->country_column && country_col < 0) ? o->country_column
                                                                   : NULL;
    if (missing) {
        ph_buf cols;
        ph_buf_init(&cols);
        for (size_t i = 0; i < csv_count(r); i++)
            ph_buf_printf(&cols, "%s%s", i ? ", " : "", csv_field(r, i));
        ph_fail(err, PH_EUSAGE, "%s: no column '%s' (columns: %s); choose one with --column",
                o->file, missing, cols.data ? cols.data : "");
        ph_buf_free(&cols);
        csv_close(r);
        return PH_EUSAGE;
    }
    struct stat st;
    uint64_t size = stat(o->file, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (!jsonl) {
        const char *h[] = {"query",        "alert", "hits",       "list",  "entity_id", "name",
                           "matched_name", "score", "other_hits", "error", "line"};
        csv_out_row(stdout, h, 11);
    }
    long rows = 0;
    int rc = PH_OK;
    while ((got = csv_next(r, err)) == 1) {
        rows++;
        screen_request q = *base;
        q.name = csv_field(r, (size_t)col);
        char country[8] = "";
        ph_err row_err = {0};
        int row_rc = PH_OK;
        char notice[160] = "";
        if (dob_col >= 0 && *csv_field(r, (size_t)dob_col)) {
            /* A date the engine cannot read is left out, and said so. */
            screen_date d;
            int32_t days;
            const char *dob = csv_field(r, (size_t)dob_col);
            size_t len = strlen(dob);
            if ((len == 4 && screen_date_parse(dob, &d)) ||
                (len == 10 && ph_date_parse(dob, &days) == PH_OK))
                q.dob = dob;
            else
                snprintf(notice, sizeof notice,
                         "date of birth '%.40s' ignored: expected YYYY or YYYY-MM-DD", dob);
        }
        if (country_col >= 0 && *csv_field(r, (size_t)country_col) &&
            resolve_country(l, csv_field(r, (size_t)country_col), country, sizeof country,
                            &row_err) == PH_OK)
            q.country = country;
        screen_result res;
        memset(&res, 0, sizeof res);
        row_rc = screen_query(l->idx, &q, &res, &row_err);
        if (jsonl) {
            json_t *o_row = json_object();
            json_object_set_new(o_row, "query", json_text(q.name));
            json_t *hits = json_array();
            for (size_t i = 0; i < res.nhits; i++)
                json_array_append_new(hits, screen_hit_json(&res.hits[i], 0));
            json_object_set_new(o_row, "hits", hits);
            if (row_rc)
                json_object_set_new(o_row, "error", json_text(row_err.msg));
            else if (res.notice || notice[0])
                json_object_set_new(o_row, "notice", json_text(res.notice ? res.notice : notice));
            json_object_set_new(o_row, "line", json_integer(csv_line(r)));
            print_json(o_row, SCORE_JSON_FLAGS | JSON_COMPACT);
        } else {
            char nhits[16], score[16];
            ph_buf others;
            ph_buf_init(&others);
            snprintf(nhits, sizeof nhits, "%zu", res.nhits);
            score[0] = '\0';
            const screen_hit *best = res.nhits ? &res.hits[0] : NULL;
            if (best) snprintf(score, sizeof score, "%.4f", best->score);
            for (size_t i = 1; i < res.nhits; i++)
                ph_buf_printf(&others, "%s%s:%s:%.4f", i > 1 ? "; " : "", res.hits[i].list,
                              res.hits[i].entity_id, res.hits[i].score);
            char line[24];
            snprintf(line, sizeof line, "%ld", csv_line(r));
            const char *f[] = {q.name,
                               best && best->alert ? "true" : "false",
                               nhits,
                               best ? best->list : "",
                               best ? best->entity_id : "",
                               best ? best->name : "",
                               best ? best->matched_name : "",
                               score,
                               others.data ? others.data : "",
                               row_rc ? row_err.msg : (res.notice ? res.notice : notice),
                               line};
            csv_out_row(stdout, f, 11);
            ph_buf_free(&others);
        }
        screen_result_free(&res);
        if (rows % 256 == 0) cli_progress("screening", csv_offset(r), size);
    }
    if (got < 0) rc = PH_ERR;
    cli_progress_done("screening");
    csv_close(r);
    fflush(stdout);
    return rc;
}

/* ---- penholder screen ---- */

int cmd_screen(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"type", required_argument, NULL, 't'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"dob", required_argument, NULL, 'd'},
                                         {"list", required_argument, NULL, 'l'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"threshold", required_argument, NULL, 'x'},
                                         {"min-score", required_argument, NULL, 'm'},
                                         {"explain", no_argument, NULL, 'e'},
                                         {"file", required_argument, NULL, 'f'},
                                         {"column", required_argument, NULL, 'C'},
                                         {"dob-column", required_argument, NULL, 'D'},
                                         {"country-column", required_argument, NULL, 'K'},
                                         {"format", required_argument, NULL, 'F'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    screen_request q;
    screen_request_init(&q);
    const char *lists[SCREEN_MAX_LISTS];
    const char *country = NULL;
    bulk_options b = {NULL, "query_name", NULL, NULL, NULL};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        int64_t n;
        double x;
        switch (opt) {
        case 't': {
            int t = screen_type_parse(optarg);
            if (t < 0)
                return cli_usage("screen", "unknown --type '%s' (person, entity, vessel, aircraft)",
                                 optarg);
            q.type = (screen_type)t;
            break;
        }
        case 'c': country = optarg; break;
        case 'd': q.dob = optarg; break;
        case 'l':
            if (q.nlists == SCREEN_MAX_LISTS)
                return cli_usage("screen", "at most %d --list", SCREEN_MAX_LISTS);
            lists[q.nlists++] = optarg;
            break;
        case 'n':
            if (ph_parse_i64(optarg, &n) || n < 1 || n > SCREEN_MAX_LIMIT)
                return cli_usage("screen", "--limit expects a number from 1 to %d",
                                 SCREEN_MAX_LIMIT);
            q.limit = (size_t)n;
            break;
        case 'x':
            if (ph_parse_double(optarg, &x) || x < 0 || x > 1)
                return cli_usage("screen", "--threshold expects a number from 0 to 1");
            q.threshold = x;
            break;
        case 'm':
            if (ph_parse_double(optarg, &x) || x < 0 || x > 1)
                return cli_usage("screen", "--min-score expects a number from 0 to 1");
            q.min_score = x;
            break;
        case 'e': q.explain = 1; break;
        case 'f': b.file = optarg; break;
        case 'C': b.column = optarg; break;
        case 'D': b.dob_column = optarg; break;
        case 'K': b.country_column = optarg; break;
        case 'F': b.format = optarg; break;
        default: return cli_bad_option("screen");
        }
    }
    if (c.help) {
        fputs(screen_help, stdout);
        return 0;
    }
    q.lists = q.nlists ? lists : NULL;
    if (b.file) {
        if (optind != argc) return cli_usage("screen", "give either NAME or --file, not both");
        if (!b.format || (strcmp(b.format, "jsonl") != 0 && strcmp(b.format, "csv") != 0))
            return cli_usage("screen", "--file needs --format jsonl or --format csv");
        if (q.explain)
            return cli_usage("screen", "--explain is for one name; bulk output lists hits only");
    } else {
        if (optind + 1 != argc)
            return cli_usage("screen", "expected one NAME (quote it) or --file FILE");
        if (b.format) return cli_usage("screen", "--format is for --file");
        q.name = argv[optind];
    }

    ph_err err = {0};
    loaded l;
    if (load_lists(&c, 1, &l, &err)) return cli_fail(&err);
    char code[16];
    if (country) {
        if (resolve_country(&l, country, code, sizeof code, &err)) {
            loaded_free(&l);
            return cli_fail(&err);
        }
        q.country = code;
    }
    int rc;
    if (b.file) {
        rc = screen_bulk(&l, &q, &b, &err);
    } else {
        screen_result r;
        rc = screen_query(l.idx, &q, &r, &err);
        if (rc == PH_OK) {
            double threshold =
                q.threshold >= 0 ? q.threshold : screen_index_config(l.idx)->threshold;
            if (c.json) {
                json_t *o = json_object();
                json_object_set_new(o, "query", json_text(q.name));
                json_object_set_new(o, "normalised", json_string(r.query));
                json_object_set_new(o, "threshold", screen_score_json(threshold));
                if (r.notice) json_object_set_new(o, "notice", json_string(r.notice));
                json_t *hits = json_array();
                for (size_t i = 0; i < r.nhits; i++)
                    json_array_append_new(hits, screen_hit_json(&r.hits[i], 1));
                json_object_set_new(o, "hits", hits);
                print_json(o, SCORE_JSON_FLAGS | JSON_INDENT(2));
            } else {
                print_hits(&r, threshold, q.explain);
            }
            screen_result_free(&r);
        }
    }
    loaded_free(&l);
    return rc ? cli_fail(&err) : 0;
}

/* ---- penholder match ---- */

static screen_type schema_type(const char *schema) {
    int t = screen_type_parse(schema);
    return t < 0 ? SCREEN_TYPE_ANY : (screen_type)t;
}

static int match_pairs(const loaded *l, text_normaliser *tn, const char *path, ph_err *err) {
    csv_reader *r = csv_open_file(path, ',', CSV_QUOTES, err);
    if (!r) return err->rc ? err->rc : PH_ERR;
    int got = csv_next(r, err);
    int c1 = got == 1 ? csv_find(r, "name1") : -1, c2 = got == 1 ? csv_find(r, "name2") : -1;
    int cs = got == 1 ? csv_find(r, "schema") : -1;
    if (c1 < 0 || c2 < 0) {
        csv_close(r);
        return got < 0 ? PH_ERR
                       : ph_fail(err, PH_EUSAGE, "%s: expected a header with name1,name2[,schema]",
                                 path);
    }
    double threshold = l->idx ? screen_index_config(l->idx)->threshold : SCREEN_DEFAULT_THRESHOLD;
    const char *h[] = {"name1", "name2", "score", "match"};
    csv_write_row(stdout, h, 4);
    while ((got = csv_next(r, err)) == 1) {
        double score = 0;
        ph_err row = {0};
        const char *a = csv_field(r, (size_t)c1), *bname = csv_field(r, (size_t)c2);
        screen_type type = cs >= 0 ? schema_type(csv_field(r, (size_t)cs)) : SCREEN_TYPE_ANY;
        if (screen_match_names(l->idx, tn, a, bname, type, &score, NULL, &row)) {
            ph_fail(err, PH_EUSAGE, "%s:%ld: %s", path, csv_line(r), row.msg);
            csv_close(r);
            return PH_EUSAGE;
        }
        char s[16];
        snprintf(s, sizeof s, "%.4f", score);
        const char *f[] = {a, bname, s, score >= threshold ? "true" : "false"};
        csv_write_row(stdout, f, 4);
    }
    csv_close(r);
    return got < 0 ? PH_ERR : PH_OK;
}

int cmd_match(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"type", required_argument, NULL, 't'},
                                         {"pairs", required_argument, NULL, 'p'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *pairs = NULL;
    screen_type type = SCREEN_TYPE_ANY;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 't': {
            int t = screen_type_parse(optarg);
            if (t < 0) return cli_usage("match", "unknown --type '%s' (person, entity)", optarg);
            type = (screen_type)t;
            break;
        }
        case 'p': pairs = optarg; break;
        default: return cli_bad_option("match");
        }
    }
    if (c.help) {
        fputs(match_help, stdout);
        return 0;
    }
    if (pairs ? optind != argc : optind + 2 != argc)
        return cli_usage("match", pairs ? "--pairs takes no names" : "expected two names");

    ph_err err = {0};
    loaded l;
    if (load_lists(&c, 0, &l, &err)) return cli_fail(&err);
    text_normaliser *tn = NULL;
    if (!l.idx && text_normaliser_new(&tn, &err)) {
        loaded_free(&l);
        return cli_fail(&err);
    }
    int rc;
    if (pairs) {
        rc = match_pairs(&l, tn, pairs, &err);
    } else {
        screen_explanation *ex = ph_calloc(1, sizeof *ex);
        double score = 0;
        rc = screen_match_names(l.idx, tn, argv[optind], argv[optind + 1], type, &score, ex, &err);
        double threshold = l.idx ? screen_index_config(l.idx)->threshold : SCREEN_DEFAULT_THRESHOLD;
        if (rc == PH_OK) {
            char weights[128];
            if (l.idx) {
                screen_index_stats st;
                screen_index_get_stats(l.idx, &st);
                snprintf(weights, sizeof weights, "rarity across %zu names of %zu loaded lists",
                         st.names, l.nlists);
            } else {
                snprintf(weights, sizeof weights, "uniform (no lists loaded)");
            }
            if (c.json) {
                json_t *o = json_object();
                json_object_set_new(o, "name1", json_text(argv[optind]));
                json_object_set_new(o, "name2", json_text(argv[optind + 1]));
                json_object_set_new(o, "score", screen_score_json(score));
                json_object_set_new(o, "match", json_boolean(score >= threshold));
                json_object_set_new(o, "threshold", screen_score_json(threshold));
                json_object_set_new(o, "weights", json_string(weights));
                json_object_set_new(o, "explanation", screen_explanation_json(ex));
                print_json(o, SCORE_JSON_FLAGS | JSON_INDENT(2));
            } else {
                printf("score: %.4f\nmatch: %s (alert threshold %.2f)\n", score,
                       score >= threshold ? "yes" : "no", threshold);
                printf("name1: %s\nname2: %s\nweights: %s\n", ex->query, ex->list, weights);
                print_explanation(ex, stdout);
            }
        }
        free(ex);
    }
    text_normaliser_free(tn);
    loaded_free(&l);
    return rc ? cli_fail(&err) : 0;
}
