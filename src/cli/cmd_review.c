/* penholder review create|list|show|run|approve|apply|report|queue|resolve|outbox|scenario */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "review/review.h"

static const char review_help[] =
    "usage: penholder review create FILE.json --actor USER\n"
    "       penholder review list [--json]\n"
    "       penholder review show ID [--json]\n"
    "       penholder review run ID [--actor USER] [--json]\n"
    "       penholder review approve ID --actor USER [--run N] [--note TEXT]\n"
    "       penholder review apply ID --actor USER [--batch N] [--json]\n"
    "       penholder review report ID --format csv|json|html [--out FILE]\n"
    "       penholder review queue [ID] [--json]\n"
    "       penholder review resolve ID REFERENCE --decision continue|suspend|reinstate\n"
    "                                --reason TEXT --actor USER\n"
    "       penholder review outbox [--json]\n"
    "       penholder review scenario --out FILE [--licences N] [--seed N]\n"
    "       penholder review scenario --mix\n"
    "\n"
    "A review re-assesses every extant licence in its scope when the facts about a\n"
    "destination change (docs/reviews.md).\n"
    "  create    reads the review (title, reason, criteria, evidence, scope, exceptions)\n"
    "            and prints its id alone on the first line; USER must be a case officer\n"
    "            or a decision maker\n"
    "  run       the dry run: each licence in scope is assessed under the policy and\n"
    "            evidence in force and gets an action (suspend, refer, continue, or\n"
    "            exception) with its criteria and reason; no licence changes, and the\n"
    "            results are kept as the review's newest run. --actor defaults to\n"
    "            $PENHOLDER_ACTOR, else the login name\n"
    "  approve   a decision maker other than the creator approves the newest run\n"
    "  apply     carries out the approved run: each suspension (or reinstatement) goes\n"
    "            through the licence workflow with its own reason and audit entry and a\n"
    "            customs notification; referrals join the work queue. Batches of\n"
    "            --batch licences (default 500) are each one transaction; applying\n"
    "            again carries on after a failure and does nothing once applied\n"
    "  report    the record of the review: csv (one row per licence), json, or html\n"
    "            (GOV.UK styles, with a chart of the impact)\n"
    "  queue     referrals waiting for a decision; resolve decides one\n"
    "  outbox    customs notifications of suspensions and reinstatements\n"
    "  scenario  writes a register reproducing the September 2024 review of licences\n"
    "            to Israel as penholder-csv (about 350 extant licences by default);\n"
    "            --mix prints the built-in rating mix\n";

static int bad(const char *fmt, const char *arg) {
    return cli_usage("review", fmt, arg);
}

/* The account acting: it must exist and be enabled. */
static int account_actor(store *db, const char *name, auth_user *u, review_actor *who,
                         ph_err *err) {
    if (!name || !*name) return ph_fail(err, PH_EUSAGE, "--actor USER is required");
    int rc = auth_user_get(db, name, u, err);
    if (rc == PH_ENOTFOUND)
        return ph_fail(
            err, PH_EFORBIDDEN,
            "no account named '%s': a review's actor must be an account (penholder users add)",
            name);
    if (rc) return rc;
    if (u->disabled) return ph_fail(err, PH_EFORBIDDEN, "the account '%s' is disabled", name);
    who->name = u->name;
    who->role = auth_role_name(u->role);
    return PH_OK;
}

static int parse_id(const char *s, int64_t *id) {
    if (review_parse_ref(s, id)) return bad("'%s' is not a review id (RV-0001)", s);
    return 0;
}

static void format_pounds(int64_t pounds, char *out, size_t size) {
    char n[32];
    cli_format_int(pounds, n, sizeof n);
    snprintf(out, size, "\xc2\xa3%s", n);
}

/* ---- create ---- */

static int review_create_cmd(cli_common *c, const char *file, const char *actor) {
    ph_err err = {0};
    char *text = NULL;
    size_t len;
    if (ph_read_file(file, REVIEW_MAX_FILE, &text, &len, &err)) return cli_fail(&err);
    store *db;
    if (cli_open_db(c, 0, &db, &err)) {
        free(text);
        return cli_fail(&err);
    }
    auth_user u;
    review_actor who;
    int64_t id = 0;
    int rc = account_actor(db, actor, &u, &who, &err);
    if (!rc) rc = review_create(db, &who, file, text, len, &id, &err);
    free(text);
    store_close(db);
    if (rc) return cli_fail(&err);
    char ref[REVIEW_REF_MAX];
    review_ref(id, ref);
    if (c->json) {
        cli_print_json(json_pack("{s:s, s:s}", "id", ref, "status", "draft"));
    } else {
        printf("%s\n", ref);
        printf("review %s created (draft); see what it would do with: penholder review run %s\n",
               ref, ref);
    }
    return 0;
}

/* ---- list and show ---- */

static int review_list_cmd(cli_common *c) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    json_t *a;
    int rc = review_list_json(db, &a, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        cli_print_json(a);
        return 0;
    }
    if (!json_array_size(a)) {
        printf("no reviews\n");
        json_decref(a);
        return 0;
    }
    const char *h[] = {"id", "kind", "status", "runs", "created by", "title"};
    cli_table *t = cli_table_new(6, h);
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r) {
        char runs[16];
        snprintf(runs, sizeof runs, "%lld",
                 (long long)json_integer_value(json_object_get(r, "runs")));
        cli_table_add(t, (const char *[]){json_string_value(json_object_get(r, "id")),
                                          json_string_value(json_object_get(r, "kind")),
                                          json_string_value(json_object_get(r, "status")), runs,
                                          json_string_value(json_object_get(r, "created_by")),
                                          json_string_value(json_object_get(r, "title"))});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    json_decref(a);
    return 0;
}

static const char *js(const json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long ji(const json_t *o, const char *k) {
    return (long long)json_integer_value(json_object_get(o, k));
}

static int review_show_cmd(cli_common *c, int64_t id) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    json_t *j;
    int rc = review_show_json(db, id, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        cli_print_json(j);
        return 0;
    }
    printf("%s  %s review, %s\n", js(j, "id"), js(j, "kind"), js(j, "status"));
    printf("  title       %s\n", js(j, "title"));
    printf("  reason      %s\n", js(j, "reason"));
    printf("  created     %s by %s\n", js(j, "created_at"), js(j, "created_by"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "runs"), i, r) {
        printf("  run %lld      as on %s, %lld licences:", ji(r, "run"), js(r, "as_of"),
               ji(r, "licences"));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(r, "actions"), k, v)
            printf(" %s %lld", k, (long long)json_integer_value(v));
        printf(" (%s by %s)\n", js(r, "run_at"), js(r, "run_by"));
    }
    json_t *a = json_object_get(j, "approval");
    if (json_is_object(a))
        printf("  approved    run %lld by %s at %s\n", ji(a, "run"), js(a, "by"), js(a, "at"));
    json_t *app = json_object_get(j, "application");
    if (json_is_string(json_object_get(app, "applied_at")))
        printf("  applied     %s by %s\n", js(app, "applied_at"), js(app, "applied_by"));
    printf("  actions     %lld %s, %lld skipped, %lld customs notifications; referrals %lld open, "
           "%lld resolved\n",
           ji(app, strcmp(js(j, "kind"), "reinstatement") == 0 ? "reinstated" : "suspended"),
           strcmp(js(j, "kind"), "reinstatement") == 0 ? "reinstated" : "suspended",
           ji(app, "skipped"), ji(app, "customs_notifications"), ji(app, "referrals_open"),
           ji(app, "referrals_resolved"));
    json_decref(j);
    return 0;
}

/* ---- run ---- */

static void print_summary(const json_t *run) {
    const json_t *s = json_object_get(run, "summary");
    const json_t *pol = json_object_get(run, "policy");
    printf("%s run %lld: as on %s, policy %s version %s; %lld licences in scope (of %lld "
           "considered)\n",
           js(run, "review"), ji(run, "run"), js(run, "as_of"), js(pol, "id"), js(pol, "version"),
           ji(s, "licences"), ji(s, "licences_considered"));
    const json_t *values = json_object_get(s, "value_gbp");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)values, k, v) {
        char money[40];
        format_pounds(json_integer_value(v), money, sizeof money);
        printf("  %-10s %6lld  %s\n", k, ji(s, k), money);
    }
    printf("  evidence in force:");
    size_t i;
    json_array_foreach(json_object_get(run, "evidence_in_force"), i, v)
        printf(" %s", json_string_value(v));
    printf("\n\n");
}

static void join(const json_t *a, char *out, size_t size) {
    size_t n = 0, i;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(a, i, v) {
        if (n < size)
            n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", json_string_value(v));
    }
}

static void print_licences(const json_t *run) {
    const char *h[] = {"reference", "action",   "criteria", "end user type",
                       "ratings",   ">value £", "why"};
    cli_table *t = cli_table_new(7, h);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(run, "licences"), i, l) {
        char crit[64], ratings[128], why[160], value[32];
        join(json_object_get(l, "criteria"), crit, sizeof crit);
        join(json_object_get(l, "ratings"), ratings, sizeof ratings);
        json_t *x = json_object_get(l, "exception");
        if (x)
            snprintf(why, sizeof why, "exception %lld (%s)", ji(x, "number"), js(x, "authority"));
        else
            join(json_object_get(l, "rules"), why, sizeof why);
        cli_format_int(ji(l, "value_gbp"), value, sizeof value);
        cli_table_add(t, (const char *[]){js(l, "reference"), js(l, "action"), crit,
                                          js(l, "end_user_type"), ratings, value, why});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("\nreasons (every licence not continuing):\n");
    json_array_foreach(json_object_get(run, "licences"), i, l) {
        if (strcmp(js(l, "action"), "continue") == 0) continue;
        printf("  %s %s: %s\n", js(l, "reference"), js(l, "action"), js(l, "reason"));
    }
}

static int review_run_cmd(cli_common *c, int64_t id, const char *actor) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    review_actor who = {0};
    int rc = PH_OK;
    if (actor) {
        rc = account_actor(db, actor, &u, &who, &err);
    } else {
        who.name = cli_default_actor();
        if (!who.name)
            rc = ph_fail(&err, PH_EUSAGE,
                         "cannot tell who is running the review; give --actor USER");
        if (!rc && auth_user_get(db, who.name, &u, &err) == PH_OK)
            who.role = auth_role_name(u.role);
        ph_err_clear(&err);
    }
    review_run_info info;
    json_t *j = NULL;
    if (!rc) rc = review_run(db, &who, id, &info, &err);
    if (!rc) rc = review_run_json(db, id, info.number, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        cli_print_json(j);
        return 0;
    }
    print_summary(j);
    print_licences(j);
    json_decref(j);
    return 0;
}

/* ---- approve, apply, resolve ---- */

static int review_approve_cmd(cli_common *c, int64_t id, const char *actor, int run,
                              const char *note) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    review_actor who;
    int rc = account_actor(db, actor, &u, &who, &err);
    if (!rc) rc = review_approve(db, &who, id, run, note, &err);
    json_t *j = NULL;
    if (!rc) rc = review_show_json(db, id, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    json_t *a = json_object_get(j, "approval");
    if (c->json)
        cli_print_json(json_pack("{s:s, s:O}", "id", js(j, "id"), "approval", a));
    else
        printf("%s: run %lld approved by %s at %s\n", js(j, "id"), ji(a, "run"), js(a, "by"),
               js(a, "at"));
    json_decref(j);
    return 0;
}

static void apply_progress(void *ctx, uint64_t done, uint64_t total) {
    (void)ctx;
    cli_progress("applying", done, total);
}

static int review_apply_cmd(cli_common *c, int64_t id, const char *actor, int batch) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    review_actor who;
    review_apply_report rep = {0};
    int rc = account_actor(db, actor, &u, &who, &err);
    if (!rc) rc = review_apply(db, &who, id, batch, apply_progress, NULL, &rep, &err);
    store_close(db);
    cli_progress_done("applying");
    if (rc) return cli_fail(&err);
    char ref[REVIEW_REF_MAX];
    review_ref(id, ref);
    if (c->json) {
        cli_print_json(json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:i}", "id", ref,
                                 "already_applied", rep.already_applied, "changed",
                                 (json_int_t)rep.done, "skipped", (json_int_t)rep.skipped,
                                 "referred", (json_int_t)rep.referred, "customs_notifications",
                                 (json_int_t)rep.notifications, "batches", rep.batches));
    } else if (rep.already_applied) {
        printf("%s: already applied; nothing to do\n", ref);
    } else {
        printf("%s: applied: %lld licences changed, %lld skipped (status changed since the run), "
               "%lld referred to the "
               "work queue, %lld customs notifications (%d batch%s)\n",
               ref, (long long)rep.done, (long long)rep.skipped, (long long)rep.referred,
               (long long)rep.notifications, rep.batches, rep.batches == 1 ? "" : "es");
    }
    return 0;
}

static int review_resolve_cmd(cli_common *c, int64_t id, const char *reference,
                              const char *decision, const char *reason, const char *actor) {
    if (!decision)
        return cli_usage("review", "resolve needs --decision continue|suspend|reinstate");
    if (!reason) return cli_usage("review", "resolve needs --reason TEXT");
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    review_actor who;
    int rc = account_actor(db, actor, &u, &who, &err);
    if (!rc) rc = review_resolve(db, &who, id, reference, decision, reason, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    char ref[REVIEW_REF_MAX];
    review_ref(id, ref);
    if (c->json)
        cli_print_json(json_pack("{s:s, s:s, s:s}", "review", ref, "reference", reference,
                                 "decision", decision));
    else
        printf("%s: referral of %s resolved: %s\n", ref, reference, decision);
    return 0;
}

/* ---- report, queue, outbox ---- */

static int write_out(const char *path, const char *data, size_t len) {
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "penholder: cannot write %s\n", path);
        return 1;
    }
    size_t wrote = fwrite(data, 1, len, f);
    int bad_write = wrote != len || (path ? fclose(f) != 0 : fflush(f) != 0);
    if (bad_write) {
        fprintf(stderr, "penholder: cannot write %s\n", path ? path : "standard output");
        return 1;
    }
    return 0;
}

static int review_report_cmd(cli_common *c, int64_t id, const char *format, const char *out) {
    if (!format) format = c->json ? "json" : NULL;
    if (!format) return cli_usage("review", "report needs --format csv, json or html");
    if (strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "html"))
        return bad("--format must be csv, json or html, not '%s'", format);
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    ph_buf b;
    ph_buf_init(&b);
    int rc;
    if (strcmp(format, "json") == 0) {
        json_t *j;
        rc = review_report_json(db, id, &j, &err);
        if (!rc) {
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            ph_buf_puts(&b, s);
            ph_buf_putc(&b, '\n');
            free(s);
            json_decref(j);
        }
    } else if (strcmp(format, "csv") == 0) {
        rc = review_report_csv(db, id, &b, &err);
    } else {
        rc = review_report_html(db, id, &b, &err);
    }
    store_close(db);
    int status = rc ? cli_fail(&err) : write_out(out, b.data ? b.data : "", b.len);
    ph_buf_free(&b);
    return status;
}

static int review_queue_cmd(cli_common *c, int64_t id) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    json_t *a;
    int rc = review_queue_json(db, id, &a, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        cli_print_json(a);
        return 0;
    }
    if (!json_array_size(a)) printf("no open referrals\n");
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r) {
        char crit[64];
        join(json_object_get(r, "criteria"), crit, sizeof crit);
        printf("%s  %s  %s, %s (criteria %s)\n  %s\n", js(r, "review"), js(r, "reference"),
               js(r, "licence_status"), js(r, "end_user"), crit, js(r, "reason"));
    }
    json_decref(a);
    return 0;
}

static int review_outbox_cmd(cli_common *c) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    json_t *a;
    int rc = review_outbox_json(db, &a, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        cli_print_json(a);
        return 0;
    }
    if (!json_array_size(a)) printf("no customs notifications\n");
    const char *h[] = {">id", "licence", "event", "review", "effective", "state"};
    cli_table *t = cli_table_new(6, h);
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r) {
        char n[24];
        snprintf(n, sizeof n, "%lld", ji(r, "id"));
        cli_table_add(t, (const char *[]){n, js(r, "licence"), js(r, "event"), js(r, "review"),
                                          js(r, "effective_at"), js(r, "state")});
    }
    if (json_array_size(a)) cli_table_print(t, stdout);
    cli_table_free(t);
    json_decref(a);
    return 0;
}

/* ---- scenario ---- */

static int review_scenario_cmd(const char *out, long licences, uint64_t seed, int mix) {
    if (mix) {
        review_scenario_mix_write(stdout);
        return 0;
    }
    if (!out) return cli_usage("review", "scenario needs --out FILE (or --mix)");
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
    if (!f) {
        fprintf(stderr, "penholder: cannot write %s\n", out);
        return 1;
    }
    review_scenario_options o = {licences, seed};
    ph_err err = {0};
    int rc = review_scenario_write(f, &o, &err);
    if (f != stdout && fclose(f) != 0 && !rc) rc = ph_fail(&err, PH_ERR, "cannot write %s", out);
    if (rc) return cli_fail(&err);
    return 0;
}

int cmd_review(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"actor", required_argument, NULL, 'A'},
                                         {"run", required_argument, NULL, 'r'},
                                         {"note", required_argument, NULL, 'N'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"decision", required_argument, NULL, 'D'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"licences", required_argument, NULL, 'L'},
                                         {"seed", required_argument, NULL, 'S'},
                                         {"mix", no_argument, NULL, 'M'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *actor = NULL, *note = NULL, *format = NULL, *out = NULL, *decision = NULL,
               *reason = NULL;
    int run = 0, batch = 0, mix = 0;
    long licences = 0;
    uint64_t seed = 0;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        int64_t v;
        switch (opt) {
        case 'A': actor = optarg; break;
        case 'N': note = optarg; break;
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'D': decision = optarg; break;
        case 'R': reason = optarg; break;
        case 'M': mix = 1; break;
        case 'r':
            if (ph_parse_i64(optarg, &v) || v < 1 || v > 1000000)
                return bad("--run must be a run number, not '%s'", optarg);
            run = (int)v;
            break;
        case 'b':
            if (ph_parse_i64(optarg, &v) || v < 1 || v > REVIEW_APPLY_BATCH_MAX)
                return bad("--batch must be a number of licences from 1 to 1000000, not '%s'",
                           optarg);
            batch = (int)v;
            break;
        case 'L':
            if (ph_parse_i64(optarg, &v) || v < 1 || v > 100000000)
                return bad("--licences must be a number from 1 to 100000000, not '%s'", optarg);
            licences = (long)v;
            break;
        case 'S':
            if (ph_parse_i64(optarg, &v) || v < 1)
                return bad("--seed must be a positive number, not '%s'", optarg);
            seed = (uint64_t)v;
            break;
        default: return cli_bad_option("review");
        }
    }
    if (c.help) {
        fputs(review_help, stdout);
        return 0;
    }
    if (optind >= argc)
        return cli_usage("review", "expected create, list, show, run, approve, apply, report, "
                                   "queue, resolve, outbox or scenario");
    const char *sub = argv[optind++];
    int nargs = argc - optind;
    int64_t id = 0;
    if (strcmp(sub, "scenario") == 0) {
        if (nargs) return bad("unexpected argument '%s'", argv[optind]);
        return review_scenario_cmd(out, licences, seed, mix);
    }
    if (licences || seed || mix)
        return cli_usage("review", "--licences, --seed and --mix belong to 'review scenario'");
    if (strcmp(sub, "create") == 0) {
        if (nargs != 1) return cli_usage("review", "create needs exactly one FILE.json");
        return review_create_cmd(&c, argv[optind], actor);
    }
    if (strcmp(sub, "list") == 0) {
        if (nargs) return bad("unexpected argument '%s'", argv[optind]);
        return review_list_cmd(&c);
    }
    if (strcmp(sub, "outbox") == 0) {
        if (nargs) return bad("unexpected argument '%s'", argv[optind]);
        return review_outbox_cmd(&c);
    }
    if (strcmp(sub, "queue") == 0) {
        if (nargs > 1) return bad("unexpected argument '%s'", argv[optind + 1]);
        if (nargs == 1 && parse_id(argv[optind], &id)) return 2;
        return review_queue_cmd(&c, id);
    }
    int want = strcmp(sub, "resolve") == 0 ? 2 : 1;
    static const char *const with_id[] = {"show",   "run",     "approve", "apply",
                                          "report", "resolve", NULL};
    int known = 0;
    for (const char *const *s = with_id; *s; s++)
        known |= strcmp(sub, *s) == 0;
    if (!known)
        return bad("unknown subcommand '%s' (expected create, list, show, run, approve, apply, "
                   "report, queue, "
                   "resolve, outbox or scenario)",
                   sub);
    if (nargs != want)
        return cli_usage("review", "%s needs %s", sub,
                         want == 2 ? "a review id and a licence reference" : "a review id");
    if (parse_id(argv[optind], &id)) return 2;
    if (strcmp(sub, "show") == 0) return review_show_cmd(&c, id);
    if (strcmp(sub, "run") == 0) return review_run_cmd(&c, id, actor);
    if (strcmp(sub, "approve") == 0) return review_approve_cmd(&c, id, actor, run, note);
    if (strcmp(sub, "apply") == 0) return review_apply_cmd(&c, id, actor, batch);
    if (strcmp(sub, "report") == 0) return review_report_cmd(&c, id, format, out);
    return review_resolve_cmd(&c, id, argv[optind + 1], decision, reason, actor);
}
