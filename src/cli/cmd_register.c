/* penholder import licences, penholder licences list|stats */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "csv/csv.h"
#include "register/register.h"

static const char import_help[] =
    "usage: penholder import licences FILE --format caat-values|penholder-csv [--criteria FILE] "
    "[--skip-bad] [--actor NAME]\n"
    "\n"
    "Imports a licence register file in one transaction.\n"
    "  --format caat-values   Campaign Against Arms Trade export of the UK Strategic Export\n"
    "                         Controls database "
    "(licence_group,date,rating,count,value,country,refused)\n"
    "  --format penholder-csv the authority's own licence records, one row per goods line:\n"
    "                         "
    "reference,type,issued_on,expires_on,destination,end_user,end_user_type,\n"
    "                         end_use,rating,goods_summary,quantity,value_gbp,status,tags\n"
    "                         (see docs/register-formats.md)\n"
    "  --criteria FILE        refusal criteria for those licences "
    "(licence_group,criteria,description)\n"
    "  --skip-bad             store the good rows and list every skipped line (otherwise a bad\n"
    "                         row stops the import and nothing is stored)\n"
    "  --actor NAME           who imports, for the audit log (default $PENHOLDER_ACTOR,\n"
    "                         else the login name)\n"
    "Importing the same file again adds nothing. Destination names and ratings that\n"
    "penholder does not know are stored as written and listed. Each file imported is\n"
    "an entry on the audit log (register.import).\n";

static void progress(void *ctx, uint64_t done, uint64_t total) {
    (void)ctx;
    cli_progress("importing", done, total);
}

static json_t *notes_json(const register_note *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i}", "text", v[i].text, "file",
                                           v[i].file, "first_line", (json_int_t)v[i].line, "rows",
                                           (json_int_t)v[i].count));
    return a;
}

static void notes_print(const char *title, const register_note *v, size_t n) {
    if (!n) return;
    fprintf(stderr, "%s (%zu):\n", title, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %s:%ld: %s (%ld row%s)\n", v[i].file, v[i].line, v[i].text, v[i].count,
                v[i].count == 1 ? "" : "s");
}

int cmd_import(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"format", required_argument, NULL, 'f'},
                                         {"criteria", required_argument, NULL, 'c'},
                                         {"skip-bad", no_argument, NULL, 's'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    register_import_options o = {0};
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'f': o.format = optarg; break;
        case 'c': o.criteria_file = optarg; break;
        case 's': o.skip_bad = 1; break;
        case 'A': o.actor = optarg; break;
        default: return cli_bad_option("import");
        }
    }
    if (c.help) {
        fputs(import_help, stdout);
        return 0;
    }
    if (optind >= argc || strcmp(argv[optind], "licences") != 0)
        return cli_usage("import", "expected 'licences FILE'");
    if (optind + 2 != argc)
        return cli_usage("import", "expected exactly one FILE after 'licences'");
    if (!o.format)
        return cli_usage("import", "--format is required (caat-values or penholder-csv)");
    if (strcmp(o.format, "caat-values") != 0 && strcmp(o.format, "penholder-csv") != 0)
        return cli_usage("import", "unknown --format '%s' (expected caat-values or penholder-csv)",
                         o.format);
    if (o.criteria_file && strcmp(o.format, "caat-values") != 0)
        return cli_usage("import", "--criteria goes with --format caat-values");
    const char *path = argv[optind + 1];
    o.progress = progress;
    if (!o.actor) o.actor = cli_default_actor();
    if (!o.actor) return cli_usage("import", "cannot tell who is importing; give --actor NAME");

    ph_err err = {0};
    store *db;
    if (cli_open_db(&c, 0, &db, &err)) return cli_fail(&err);
    register_import_report rep;
    int rc = register_import(db, path, &o, &rep, &err);
    store_close(db);
    cli_progress_done("importing");
    if (rc) return cli_fail(&err);
    if (c.json) {
        json_t *j =
            json_pack("{s:s, s:b, s:i, s:i, s:i, s:i, s:i}", "file", path, "already_imported",
                      rep.already_imported, "rows", (json_int_t)rep.rows, "licences_added",
                      (json_int_t)rep.licences_added, "licences_present",
                      (json_int_t)rep.licences_present, "lines_added", (json_int_t)rep.lines_added,
                      "criteria_added", (json_int_t)rep.criteria_added);
        json_object_set_new(j, "skipped", notes_json(rep.skipped, rep.nskipped));
        json_object_set_new(j, "unknown_destinations",
                            notes_json(rep.unknown_destinations, rep.nunknown_destinations));
        json_object_set_new(j, "unknown_ratings",
                            notes_json(rep.unknown_ratings, rep.nunknown_ratings));
        cli_print_json(j);
    } else if (rep.already_imported) {
        printf("%s: already imported; nothing added\n", path);
    } else {
        char a[32], b[32], d[32];
        cli_format_int(rep.rows, a, sizeof a);
        cli_format_int(rep.licences_added, b, sizeof b);
        cli_format_int(rep.lines_added, d, sizeof d);
        printf("%s: %s rows read; %s licences and %s goods lines added", path, a, b, d);
        if (rep.licences_present) printf("; %ld already in the register", rep.licences_present);
        if (rep.criteria_added) printf("; %ld refusal criteria", rep.criteria_added);
        printf("\n");
    }
    notes_print("skipped lines", rep.skipped, rep.nskipped);
    notes_print("unknown destinations (stored as written)", rep.unknown_destinations,
                rep.nunknown_destinations);
    notes_print("ratings not in the control list (stored as written)", rep.unknown_ratings,
                rep.nunknown_ratings);
    register_import_report_free(&rep);
    return 0;
}

#define SUBCOMMANDS "list, show, stats, suspend, reinstate, revoke, surrender, exhaust or expire"

static const char licences_help[] =
    "usage: penholder licences list [filters] [--limit N] [--offset N] [--json]\n"
    "       penholder licences show REFERENCE [--json]\n"
    "       penholder licences stats --by destination|rating|year|criterion [filters]\n"
    "                                [--format table|csv|json]\n"
    "       penholder licences suspend|revoke REF --reason TEXT --criteria LIST [--actor NAME]\n"
    "                                [--json]\n"
    "       penholder licences reinstate|surrender|exhaust REF --reason TEXT [--criteria LIST]\n"
    "                                [--actor NAME] [--json]\n"
    "       penholder licences expire [--as-of DATE] [--actor NAME] [--batch N] [--json]\n"
    "\n"
    "filters:\n"
    "  --destination D   code or name (IL, Israel, \"United States of America\")\n"
    "  --rating R        this rating or anything beneath it (ML10 includes ML10.a)\n"
    "  --from DATE       decided on or after DATE (YYYY-MM-DD)\n"
    "  --to DATE         decided on or before DATE\n"
    "  --outcome O       issued, refused, ...\n"
    "  --status S        issued, suspended, reinstated, revoked, surrendered, exhausted,\n"
    "                    expired, refused, ...\n"
    "\n"
    "stats counts each licence once per key it touches; value_gbp is the value of its\n"
    "goods lines under that key, in whole pounds. CSV columns: key,licences,refused,value_gbp.\n"
    "\n"
    "suspend, reinstate, revoke, surrender and exhaust change a licence's status through the\n"
    "licence workflow (docs/workflow.md), with a reason, and for suspension and revocation\n"
    "the criteria cited (e.g. 2c, checked against the criteria in force); each change is on\n"
    "the audit log. Allowed: issued/reinstated -> suspended -> reinstated; issued/suspended/\n"
    "reinstated -> revoked; issued/reinstated -> surrendered or exhausted. Revoked,\n"
    "surrendered, exhausted and expired are final.\n"
    "\n"
    "--actor names the account acting (default $PENHOLDER_ACTOR, else the login name). It\n"
    "must exist and be enabled (an unknown name exits 2), and its role must be one the\n"
    "workflow allows for the change (otherwise \"forbidden\", exit 1): suspend by a case\n"
    "officer or decision maker; reinstate and revoke by a decision maker; surrender by an\n"
    "exporter, for a licence issued to its own organisation; exhaust by a case officer.\n"
    "\n"
    "expire moves every extant licence (issued, suspended or reinstated) whose expiry date is\n"
    "before --as-of (default today; never later than today) to expired, each with its own\n"
    "reason and audit entry, in transactions of --batch licences (default 500): after a\n"
    "failure, whole batches are kept and running again carries on; a second run changes\n"
    "nothing. The account running it must be a case officer or decision maker; the changes\n"
    "are the workflow's system role, on its instruction. Prints how many expired.\n";

static int64_t whole_pounds(int64_t pence) {
    return (pence + 50) / 100;
}

static const char *or_null(const char *s) {
    return s && *s ? s : NULL;
}

static json_t *licence_json(const register_licence *l) {
    return json_pack(
        "{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s, s:I}",
        "reference", l->reference, "type", l->type, "issued_on", l->issued_on, "expires_on",
        or_null(l->expires_on), "destination", or_null(l->destination), "destination_name",
        l->destination_name, "end_user", or_null(l->end_user), "end_user_type",
        or_null(l->end_user_type), "end_use", or_null(l->end_use), "ratings", l->ratings, "outcome",
        l->outcome, "status", l->status, "criteria", l->criteria, "tags", l->tags, "value_gbp",
        (json_int_t)whole_pounds(l->value_pence));
}

static int licences_show(cli_common *c, const char *reference) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    register_licence l;
    register_line *lines;
    size_t n;
    if (register_get(db, reference, &l, &lines, &n, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *j = licence_json(&l);
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_pack("{s:i, s:s, s:b, s:s?}", "line", lines[i].line_no, "rating",
                                  lines[i].rating, "known_rating", lines[i].known_rating,
                                  "goods_summary", or_null(lines[i].goods_summary));
            json_object_set_new(x, "quantity",
                                lines[i].quantity < 0 ? json_null()
                                                      : json_integer(lines[i].quantity));
            json_object_set_new(x, "value_gbp",
                                lines[i].value_pence < 0
                                    ? json_null()
                                    : json_integer(whole_pounds(lines[i].value_pence)));
            json_array_append_new(a, x);
        }
        json_object_set_new(j, "lines", a);
        cli_print_json(j);
    } else {
        char value[32];
        cli_format_int(whole_pounds(l.value_pence), value, sizeof value);
        printf("%s  %s to %s%s%s%s, %s\n", l.reference, l.type, l.destination_name,
               l.destination[0] ? " (" : "", l.destination, l.destination[0] ? ")" : "", l.status);
        printf("  decided     %s%s%s\n", l.issued_on, l.expires_on[0] ? ", expires " : "",
               l.expires_on);
        if (l.end_user[0])
            printf("  end user    %s%s%s%s\n", l.end_user, l.end_user_type[0] ? " (" : "",
                   l.end_user_type, l.end_user_type[0] ? ")" : "");
        if (l.end_use[0]) printf("  end use     %s\n", l.end_use);
        if (l.criteria[0]) printf("  criteria    %s\n", l.criteria);
        if (l.tags[0]) printf("  tags        %s\n", l.tags);
        printf("  value       £%s\n\n", value);
        const char *h[] = {"line", "rating", "goods", ">quantity", ">value £"};
        cli_table *t = cli_table_new(5, h);
        for (size_t i = 0; i < n; i++) {
            char no[16], q[32] = "", v[32] = "";
            snprintf(no, sizeof no, "%d", lines[i].line_no);
            if (lines[i].quantity >= 0) cli_format_int(lines[i].quantity, q, sizeof q);
            if (lines[i].value_pence >= 0)
                cli_format_int(whole_pounds(lines[i].value_pence), v, sizeof v);
            cli_table_add(t, (const char *[]){no, lines[i].rating, lines[i].goods_summary, q, v});
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    register_lines_free(lines, n);
    register_licences_free_one(&l);
    store_close(db);
    return 0;
}

static int licences_list(cli_common *c, register_filter *f) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    register_licence *v;
    size_t n;
    if (register_list(db, f, &v, &n, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            register_licence *l = &v[i];
            json_array_append_new(a, licence_json(l));
        }
        cli_print_json(a);
    } else if (n == 0) {
        printf("no licences match\n");
    } else {
        const char *h[] = {"reference", "type",    "date",   "destination",
                           "ratings",   "outcome", "status", ">value £"};
        cli_table *t = cli_table_new(8, h);
        for (size_t i = 0; i < n; i++) {
            register_licence *l = &v[i];
            char value[32];
            cli_format_int(whole_pounds(l->value_pence), value, sizeof value);
            cli_table_add(t,
                          (const char *[]){l->reference, l->type, l->issued_on, l->destination_name,
                                           l->ratings, l->outcome, l->status, value});
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    register_licences_free(v, n);
    store_close(db);
    return 0;
}

static int licences_stats(cli_common *c, register_filter *f, const char *by, const char *format) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    register_stat *v;
    size_t n;
    if (register_stats(db, by, f, &v, &n, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    if (strcmp(format, "json") == 0) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "key", v[i].key, "licences",
                                               (json_int_t)v[i].licences, "refused",
                                               (json_int_t)v[i].refused, "value_gbp",
                                               (json_int_t)whole_pounds(v[i].value_pence)));
        cli_print_json(a);
    } else if (strcmp(format, "csv") == 0) {
        printf("key,licences,refused,value_gbp\n");
        for (size_t i = 0; i < n; i++) {
            csv_write_field(stdout, v[i].key);
            printf(",%lld,%lld,%lld\n", (long long)v[i].licences, (long long)v[i].refused,
                   (long long)whole_pounds(v[i].value_pence));
        }
    } else {
        const char *h[] = {by, ">licences", ">refused", ">value £"};
        cli_table *t = cli_table_new(4, h);
        int64_t tl = 0, tr = 0, tv = 0;
        for (size_t i = 0; i < n; i++) {
            char a[32], b[32], d[32];
            cli_format_int(v[i].licences, a, sizeof a);
            cli_format_int(v[i].refused, b, sizeof b);
            cli_format_int(whole_pounds(v[i].value_pence), d, sizeof d);
            cli_table_add(t, (const char *[]){v[i].key, a, b, d});
            tl += v[i].licences;
            tr += v[i].refused;
            tv += v[i].value_pence;
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
        char a[32], b[32], d[32];
        cli_format_int(tl, a, sizeof a);
        cli_format_int(tr, b, sizeof b);
        cli_format_int(whole_pounds(tv), d, sizeof d);
        printf("%zu keys; sum over keys: %s licences, %s refused, £%s\n", n, a, b, d);
    }
    register_stats_free(v, n);
    store_close(db);
    return 0;
}

int cmd_licences(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"destination", required_argument, NULL, 'd'},
                                         {"rating", required_argument, NULL, 'r'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"to", required_argument, NULL, 'T'},
                                         {"outcome", required_argument, NULL, 'o'},
                                         {"status", required_argument, NULL, 's'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {"offset", required_argument, NULL, 'O'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"criteria", required_argument, NULL, 'C'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"batch", required_argument, NULL, 'B'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    register_filter f = {0};
    const char *reason = NULL, *criteria = NULL, *actor = NULL, *as_of = NULL;
    long batch = 0;
    f.limit = 50;
    const char *by = NULL, *format = NULL;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        int64_t v;
        switch (opt) {
        case 'd': f.destination = optarg; break;
        case 'r': f.rating = optarg; break;
        case 'F': f.from = optarg; break;
        case 'T': f.to = optarg; break;
        case 'o': f.outcome = optarg; break;
        case 's': f.status = optarg; break;
        case 'b': by = optarg; break;
        case 'f': format = optarg; break;
        case 'R': reason = optarg; break;
        case 'C': criteria = optarg; break;
        case 'A': actor = optarg; break;
        case 'a': as_of = optarg; break;
        case 'B':
            if (ph_parse_i64(optarg, &v) || v < 1 || v > 1000000)
                return cli_usage("licences", "--batch must be a whole number from 1 to 1000000");
            batch = (long)v;
            break;
        case 'n':
            if (ph_parse_i64(optarg, &v) || v < 0)
                return cli_usage("licences", "--limit must be a whole number (0 for no limit)");
            f.limit = (long)v;
            break;
        case 'O':
            if (ph_parse_i64(optarg, &v) || v < 0)
                return cli_usage("licences", "--offset must be a whole number");
            f.offset = (long)v;
            break;
        default: return cli_bad_option("licences");
        }
    }
    if (c.help) {
        fputs(licences_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("licences", "expected %s", SUBCOMMANDS);
    const char *sub = argv[optind++];
    if ((as_of || batch) && strcmp(sub, "expire") != 0)
        return cli_usage("licences", "--as-of and --batch belong to 'licences expire'");
    if (strcmp(sub, "show") == 0) {
        if (optind + 1 != argc) return cli_usage("licences", "show needs exactly one reference");
        return licences_show(&c, argv[optind]);
    }
    /* Expiry is of every licence past its end date, never of one by hand. */
    if (strcmp(sub, "expire") == 0) {
        if (optind < argc)
            return cli_usage("licences",
                             "expire takes no reference: it expires every licence past its "
                             "expiry date (--as-of DATE)");
        if (reason || criteria)
            return cli_usage("licences", "--reason and --criteria do not belong to expire: each "
                                         "licence's reason is its expiry date");
        return cli_licences_expire(&c, as_of, actor, batch);
    }
    if (register_is_licence_event(sub)) {
        if (optind + 1 != argc) return cli_usage("licences", "%s needs one licence reference", sub);
        return cli_licence_status(&c, sub, argv[optind], reason, criteria, actor);
    }
    if (reason || criteria || actor)
        return cli_usage("licences", "--reason, --criteria and --actor belong to suspend, "
                                     "reinstate, revoke, surrender, exhaust and expire");
    if (optind < argc) return cli_usage("licences", "unexpected argument '%s'", argv[optind]);
    if (strcmp(sub, "list") == 0) {
        if (by || format)
            return cli_usage("licences", "--by and --format belong to 'licences stats'");
        return licences_list(&c, &f);
    }
    if (strcmp(sub, "stats") == 0) {
        if (!by) return cli_usage("licences", "stats needs --by destination|rating|year|criterion");
        if (strcmp(by, "destination") && strcmp(by, "rating") && strcmp(by, "year") &&
            strcmp(by, "criterion"))
            return cli_usage("licences", "--by must be destination, rating, year or criterion");
        if (!format) format = c.json ? "json" : "table";
        if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
            return cli_usage("licences", "--format must be table, csv or json");
        return licences_stats(&c, &f, by, format);
    }
    return cli_usage("licences", "unknown subcommand '%s' (expected %s)", sub, SUBCOMMANDS);
}
