/* penholder policy check|show|install|list, penholder evidence add|list|import,
 * penholder assess */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess/assess.h"
#include "cli/cli.h"
#include "lists/lists.h"
#include "screen/screen.h"

/* ---- shared ---- */

static int check_date_option(const char *cmd, const char *opt, const char *value) {
    int32_t days;
    if (value && ph_date_parse(value, &days))
        return cli_usage(cmd, "%s must be a date YYYY-MM-DD, not '%s'", opt, value);
    return 0;
}

static void today(char out[11]) {
    ph_date_format(ph_date_today(), out);
}

/* ---- policy ---- */

static const char policy_help[] =
    "usage: penholder policy check FILE...\n"
    "       penholder policy show [--policy FILE] [--as-of DATE] [--json]\n"
    "       penholder policy install FILE [--actor NAME]\n"
    "       penholder policy list [--json]\n"
    "\n"
    "Policies are the licensing criteria written as rules (docs/policy-language.md).\n"
    "  check     parse and check each FILE against penholder's criteria, control list and\n"
    "            capability table; errors are FILE:LINE:COLUMN: what was expected\n"
    "  show      print the rules of FILE, or of the policy in force on DATE (default today)\n"
    "  install   keep a new policy version in the database, to be chosen by date; an\n"
    "            entry on the audit log (policy.install) under --actor (default\n"
    "            $PENHOLDER_ACTOR, else the login name)\n"
    "  list      the built-in and installed policies with their validity\n";

static void print_policy_text(const policy *p) {
    printf("policy %s version %s\n", policy_id(p), policy_version(p));
    if (policy_title(p)[0]) printf("title    %s\n", policy_title(p));
    printf("criteria %s; valid from %s%s%s\n", policy_criteria(p), policy_valid_from(p),
           policy_valid_to(p)[0] ? " to " : " (open-ended)", policy_valid_to(p));
    printf("source   %s\nsha256   %s\nconsider", policy_source_name(p), policy_sha256(p));
    for (size_t i = 0; i < policy_criterion_count(p); i++)
        printf(" %s", policy_criterion(p, i));
    printf("\n");
    if (policy_set_count(p)) printf("\nsets\n");
    for (size_t i = 0; i < policy_set_count(p); i++) {
        printf("  %s = [", policy_set_name(p, i));
        for (size_t k = 0; k < policy_set_size(p, i); k++)
            printf("%s%s", k ? ", " : "", policy_set_word(p, i, k));
        printf("]\n");
    }
    for (size_t c = 0; c < policy_criterion_count(p); c++) {
        printf("\ncriterion %s\n", policy_criterion(p, c));
        for (size_t i = 0; i < policy_rule_count(p); i++) {
            policy_rule_info r;
            policy_rule_get(p, i, &r);
            if (strcmp(r.criterion, policy_criterion(p, c)) != 0) continue;
            printf("  %-8s %s (line %d)\n", policy_enum_name(POLICY_ENUM_OUTCOME, r.outcome), r.id,
                   r.line);
            printf("           when   %s\n", r.condition[0] ? r.condition : "always");
            printf("           reason %s\n", r.reason);
        }
    }
}

static json_t *policy_json(const policy *p) {
    json_t *consider = json_array();
    for (size_t i = 0; i < policy_criterion_count(p); i++)
        json_array_append_new(consider, json_string(policy_criterion(p, i)));
    json_t *sets = json_object();
    for (size_t i = 0; i < policy_set_count(p); i++) {
        json_t *words = json_array();
        for (size_t k = 0; k < policy_set_size(p, i); k++)
            json_array_append_new(words, json_string(policy_set_word(p, i, k)));
        json_object_set_new(sets, policy_set_name(p, i), words);
    }
    json_t *rules = json_array();
    for (size_t i = 0; i < policy_rule_count(p); i++) {
        policy_rule_info r;
        policy_rule_get(p, i, &r);
        json_array_append_new(
            rules, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "id", r.id, "criterion", r.criterion,
                             "outcome", policy_enum_name(POLICY_ENUM_OUTCOME, r.outcome), "when",
                             r.condition, "reason", r.reason, "line", r.line));
    }
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s}", "id", policy_id(p),
                          "version", policy_version(p), "title", policy_title(p), "criteria",
                          policy_criteria(p), "valid_from", policy_valid_from(p), "valid_to",
                          policy_valid_to(p)[0] ? policy_valid_to(p) : NULL, "sha256",
                          policy_sha256(p), "source", policy_source_name(p));
    json_object_set_new(j, "consider", consider);
    json_object_set_new(j, "sets", sets);
    json_object_set_new(j, "rules", rules);
    return j;
}

/* The database when there is one: `policy show` and `list` also work on a
 * machine without one, with the built-in policies only. */
static int open_db_if_any(const cli_common *c, store **db, ph_err *err) {
    *db = NULL;
    struct stat st;
    if (stat(store_default_path(c->db), &st) != 0 && !c->db) return PH_OK;
    return cli_open_db(c, STORE_READONLY, db, err);
}

static int policy_check(cli_common *c, int argc, char **argv) {
    if (argc == 0) return cli_usage("policy", "check needs at least one FILE");
    ph_err err = {0};
    assess_context *ctx;
    if (assess_context_builtin(&ctx, &err)) return cli_fail(&err);
    int status = 0;
    json_t *all = json_array();
    for (int i = 0; i < argc; i++) {
        policy *p;
        if (assess_policy_read(ctx, argv[i], &p, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            if (c->json)
                json_array_append_new(
                    all, json_pack("{s:s, s:b, s:s}", "file", argv[i], "ok", 0, "error", err.msg));
            ph_err_clear(&err);
            status = 1;
            continue;
        }
        json_t *bare = json_array();
        for (size_t k = 0; k < policy_criterion_count(p); k++)
            if (!policy_criterion_rule_count(p, k)) {
                json_array_append_new(bare, json_string(policy_criterion(p, k)));
                fprintf(stderr,
                        "%s: warning: criterion %s is considered but has no rule: it will be "
                        "found clear on every application, with no reason given\n",
                        argv[i], policy_criterion(p, k));
            }
        if (c->json) {
            json_array_append_new(
                all, json_pack("{s:s, s:b, s:s, s:s, s:s, s:i, s:i, s:o}", "file", argv[i], "ok", 1,
                               "id", policy_id(p), "version", policy_version(p), "sha256",
                               policy_sha256(p), "rules", (int)policy_rule_count(p), "criteria",
                               (int)policy_criterion_count(p), "criteria_without_rules", bare));
        } else {
            printf("%s: ok: policy %s version %s, %zu rules over %zu criteria, valid from %s%s%s; "
                   "sha256 %s\n",
                   argv[i], policy_id(p), policy_version(p), policy_rule_count(p),
                   policy_criterion_count(p), policy_valid_from(p),
                   policy_valid_to(p)[0] ? " to " : "", policy_valid_to(p), policy_sha256(p));
            json_decref(bare);
        }
        policy_free(p);
    }
    if (c->json)
        cli_print_json(all);
    else
        json_decref(all);
    assess_context_free(ctx);
    return status;
}

static int policy_show(cli_common *c, const char *file, const char *as_of) {
    ph_err err = {0};
    assess_context *ctx;
    if (assess_context_builtin(&ctx, &err)) return cli_fail(&err);
    policy *p = NULL;
    int rc;
    if (file) {
        rc = assess_policy_read(ctx, file, &p, &err);
    } else {
        store *db;
        char date[11];
        if (as_of)
            ph_strlcpy(date, as_of, sizeof date);
        else
            today(date);
        rc = open_db_if_any(c, &db, &err);
        if (!rc) rc = assess_policy_in_force(db, ctx, date, &p, &err);
        store_close(db);
    }
    assess_context_free(ctx);
    if (rc) return cli_fail(&err);
    if (c->json)
        cli_print_json(policy_json(p));
    else
        print_policy_text(p);
    policy_free(p);
    return 0;
}

static int policy_install(cli_common *c, const char *file, const char *actor) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    assess_context *ctx;
    char date[11];
    today(date);
    int rc = assess_context_load(db, date, &ctx, &err);
    policy *p = NULL;
    int already = 0;
    if (!rc) rc = assess_policy_install(db, actor, ctx, file, &already, &p, &err);
    assess_context_free(ctx);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json)
        cli_print_json(json_pack("{s:s, s:s, s:s, s:b}", "id", policy_id(p), "version",
                                 policy_version(p), "sha256", policy_sha256(p), "already_installed",
                                 already));
    else if (already)
        printf("%s: policy %s version %s is already installed; nothing changed\n", file,
               policy_id(p), policy_version(p));
    else
        printf("%s: installed policy %s version %s, valid from %s%s%s\n", file, policy_id(p),
               policy_version(p), policy_valid_from(p), policy_valid_to(p)[0] ? " to " : "",
               policy_valid_to(p));
    policy_free(p);
    return 0;
}

static int policy_list(cli_common *c) {
    ph_err err = {0};
    assess_context *ctx;
    if (assess_context_builtin(&ctx, &err)) return cli_fail(&err);
    store *db;
    assess_policy_entry *v = NULL;
    size_t n = 0;
    int rc = open_db_if_any(c, &db, &err);
    if (!rc) rc = assess_policy_list(db, ctx, &v, &n, &err);
    store_close(db);
    assess_context_free(ctx);
    if (rc) return cli_fail(&err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a,
                                  json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "id", v[i].policy_id,
                                            "version", v[i].version, "valid_from", v[i].valid_from,
                                            "valid_to", v[i].valid_to[0] ? v[i].valid_to : NULL,
                                            "sha256", v[i].sha256, "origin", v[i].origin));
        cli_print_json(a);
    } else {
        const char *h[] = {"policy", "version", "valid from", "valid to", "origin"};
        cli_table *t = cli_table_new(5, h);
        for (size_t i = 0; i < n; i++)
            cli_table_add(t, (const char *[]){v[i].policy_id, v[i].version, v[i].valid_from,
                                              v[i].valid_to[0] ? v[i].valid_to : "-", v[i].origin});
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    assess_policy_entries_free(v, n);
    return 0;
}

int cmd_policy(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"policy", required_argument, NULL, 'p'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *file = NULL, *as_of = NULL, *actor = NULL;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'p': file = optarg; break;
        case 'a': as_of = optarg; break;
        case 'A': actor = optarg; break;
        default: return cli_bad_option("policy");
        }
    }
    if (c.help) {
        fputs(policy_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("policy", "expected check, show, install or list");
    const char *sub = argv[optind++];
    if (check_date_option("policy", "--as-of", as_of)) return 2;
    if (actor && strcmp(sub, "install") != 0)
        return cli_usage("policy", "--actor belongs to 'policy install'");
    if (strcmp(sub, "check") == 0) {
        if (file || as_of) return cli_usage("policy", "check takes files, not --policy or --as-of");
        return policy_check(&c, argc - optind, argv + optind);
    }
    if (strcmp(sub, "show") == 0) {
        if (optind < argc) return cli_usage("policy", "unexpected argument '%s'", argv[optind]);
        if (file && as_of) return cli_usage("policy", "give --policy or --as-of, not both");
        return policy_show(&c, file, as_of);
    }
    if (strcmp(sub, "install") == 0) {
        if (optind + 1 != argc) return cli_usage("policy", "install needs exactly one FILE");
        return policy_install(&c, argv[optind], actor ? actor : cli_default_actor());
    }
    if (strcmp(sub, "list") == 0) {
        if (optind < argc) return cli_usage("policy", "unexpected argument '%s'", argv[optind]);
        return policy_list(&c);
    }
    return cli_usage("policy", "unknown subcommand '%s' (expected check, show, install or list)",
                     sub);
}

/* ---- evidence ---- */

static const char evidence_help[] =
    "usage: penholder evidence add --destination CC --topic T --severity S --summary TEXT\n"
    "                              --source TEXT --date YYYY-MM-DD [--reliability R]\n"
    "                              [--classification C] [--valid-from D] [--valid-to D]\n"
    "                              [--supersedes ID] [--actor NAME]\n"
    "       penholder evidence list [--destination CC] [--json]\n"
    "       penholder evidence import FILE.json [--actor NAME]\n"
    "\n"
    "Every entry added is on the audit log under --actor (default $PENHOLDER_ACTOR,\n"
    "else the login name).\n"
    "Evidence about a destination, on the record for assessments. It is never edited:\n"
    "a correction is a new entry that supersedes the old one (--supersedes EV-0003).\n"
    "  topic           ihl, internal-repression, human-rights, armed-conflict, aggression,\n"
    "                  diversion, terrorism or proliferation\n"
    "  severity        low, medium, serious or grave\n"
    "  reliability     low, medium (default) or high\n"
    "  classification  OFFICIAL (default), OFFICIAL-SENSITIVE or SECRET\n"
    "  --date          the date of the source; validity starts then unless --valid-from\n"
    "import reads a JSON array of entries with the same fields (date, valid_from, ...):\n"
    "all are added or none.\n";

static const char *evidence_status(const assess_evidence *e, const char *date, char *buf,
                                   size_t size) {
    if (e->superseded_by) {
        char ref[ASSESS_EVIDENCE_REF_MAX];
        assess_evidence_ref(e->superseded_by, ref);
        snprintf(buf, size, "superseded by %s", ref);
    } else if (strcmp(e->valid_from, date) > 0) {
        snprintf(buf, size, "from %s", e->valid_from);
    } else if (e->valid_to[0] && strcmp(e->valid_to, date) < 0) {
        snprintf(buf, size, "expired %s", e->valid_to);
    } else {
        snprintf(buf, size, "in force");
    }
    return buf;
}

static int evidence_list(cli_common *c, const char *destination) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    char code[REFDATA_CODE_MAX];
    if (destination && refdata_resolve_destination(db, destination, code, &err)) {
        store_close(db);
        return cli_fail(&err);
    }
    assess_evidence *v;
    size_t n;
    int rc = assess_evidence_list(db, destination ? code : NULL, &v, &n, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    char date[11], status[64];
    today(date);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            const assess_evidence *e = &v[i];
            char sup[ASSESS_EVIDENCE_REF_MAX] = "", by[ASSESS_EVIDENCE_REF_MAX] = "";
            if (e->supersedes) assess_evidence_ref(e->supersedes, sup);
            if (e->superseded_by) assess_evidence_ref(e->superseded_by, by);
            json_array_append_new(
                a, json_pack(
                       "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, "
                       "s:s?, s:s}",
                       "id", e->ref, "destination", e->destination, "topic",
                       policy_enum_name(POLICY_ENUM_TOPIC, e->topic), "severity",
                       policy_enum_name(POLICY_ENUM_SEVERITY, e->severity), "summary", e->summary,
                       "source", e->source, "source_date", e->source_date, "reliability",
                       policy_enum_name(POLICY_ENUM_RELIABILITY, e->reliability), "classification",
                       policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification),
                       "valid_from", e->valid_from, "valid_to", e->valid_to[0] ? e->valid_to : NULL,
                       "supersedes", sup[0] ? sup : NULL, "superseded_by", by[0] ? by : NULL,
                       "recorded_at", e->recorded_at));
        }
        cli_print_json(a);
    } else {
        const char *h[] = {"id",    "dest", "topic",  "severity", "reliability",
                           "class", "date", "status", "source",   "summary"};
        cli_table *t = cli_table_new(10, h);
        for (size_t i = 0; i < n; i++) {
            const assess_evidence *e = &v[i];
            char summary[64];
            size_t len = strlen(e->summary);
            snprintf(summary, sizeof summary, "%.*s%s", len > 56 ? 56 : (int)len, e->summary,
                     len > 56 ? "..." : "");
            cli_table_add(
                t, (const char *[]){e->ref, e->destination,
                                    policy_enum_name(POLICY_ENUM_TOPIC, e->topic),
                                    policy_enum_name(POLICY_ENUM_SEVERITY, e->severity),
                                    policy_enum_name(POLICY_ENUM_RELIABILITY, e->reliability),
                                    policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification),
                                    e->source_date, evidence_status(e, date, status, sizeof status),
                                    e->source, summary});
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    assess_evidence_free(v, n);
    return 0;
}

static int evidence_import(cli_common *c, const char *file, const char *actor) {
    ph_err err = {0};
    char *text;
    size_t len;
    if (ph_read_file(file, ASSESS_MAX_EVIDENCE_FILE, &text, &len, &err)) return cli_fail(&err);
    store *db;
    if (cli_open_db(c, 0, &db, &err)) {
        free(text);
        return cli_fail(&err);
    }
    size_t added;
    int64_t first;
    int rc = assess_evidence_import(db, actor, file, text, len, &added, &first, &err);
    store_close(db);
    free(text);
    if (rc) {
        fprintf(stderr, "penholder: %s\nnothing was imported\n", err.msg);
        return err.rc == PH_EUSAGE ? 2 : 1;
    }
    char a[ASSESS_EVIDENCE_REF_MAX], b[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(first, a);
    assess_evidence_ref(first + (int64_t)added - 1, b);
    if (c->json)
        cli_print_json(json_pack("{s:s, s:i, s:s?, s:s?}", "file", file, "added", (int)added,
                                 "first", added ? a : NULL, "last", added ? b : NULL));
    else if (added)
        printf("%s: %zu evidence entr%s added (%s to %s)\n", file, added, added == 1 ? "y" : "ies",
               a, b);
    else
        printf("%s: no entries\n", file);
    return 0;
}

int cmd_evidence(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"destination", required_argument, NULL, 'd'},
                                         {"topic", required_argument, NULL, 't'},
                                         {"severity", required_argument, NULL, 's'},
                                         {"summary", required_argument, NULL, 'S'},
                                         {"source", required_argument, NULL, 'o'},
                                         {"date", required_argument, NULL, 'D'},
                                         {"reliability", required_argument, NULL, 'r'},
                                         {"classification", required_argument, NULL, 'c'},
                                         {"valid-from", required_argument, NULL, 'f'},
                                         {"valid-to", required_argument, NULL, 'T'},
                                         {"supersedes", required_argument, NULL, 'x'},
                                         {"actor", required_argument, NULL, 'A'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    assess_evidence_input in = {0};
    const char *actor = NULL;
    int given = 0;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'd': in.destination = optarg; break;
        case 't':
            in.topic = optarg;
            given = 1;
            break;
        case 's':
            in.severity = optarg;
            given = 1;
            break;
        case 'S':
            in.summary = optarg;
            given = 1;
            break;
        case 'o':
            in.source = optarg;
            given = 1;
            break;
        case 'D':
            in.date = optarg;
            given = 1;
            break;
        case 'r':
            in.reliability = optarg;
            given = 1;
            break;
        case 'c':
            in.classification = optarg;
            given = 1;
            break;
        case 'f':
            in.valid_from = optarg;
            given = 1;
            break;
        case 'T':
            in.valid_to = optarg;
            given = 1;
            break;
        case 'x':
            in.supersedes = optarg;
            given = 1;
            break;
        case 'A': actor = optarg; break;
        default: return cli_bad_option("evidence");
        }
    }
    if (c.help) {
        fputs(evidence_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("evidence", "expected add, list or import");
    const char *sub = argv[optind++];
    if (actor && strcmp(sub, "add") && strcmp(sub, "import"))
        return cli_usage("evidence", "--actor belongs to add and import");
    if (!actor) actor = cli_default_actor();
    if (strcmp(sub, "add") == 0) {
        if (optind < argc) return cli_usage("evidence", "unexpected argument '%s'", argv[optind]);
        ph_err err = {0};
        store *db;
        if (cli_open_db(&c, 0, &db, &err)) return cli_fail(&err);
        int64_t id;
        int rc = assess_evidence_add(db, actor, &in, &id, &err);
        store_close(db);
        if (rc) {
            if (err.rc == PH_EUSAGE) return cli_usage("evidence", "%s", err.msg);
            return cli_fail(&err);
        }
        char ref[ASSESS_EVIDENCE_REF_MAX];
        assess_evidence_ref(id, ref);
        if (c.json)
            cli_print_json(json_pack("{s:s}", "id", ref));
        else
            printf("%s\n", ref);
        return 0;
    }
    if (given) return cli_usage("evidence", "entry options belong to 'evidence add'");
    if (strcmp(sub, "list") == 0) {
        if (optind < argc) return cli_usage("evidence", "unexpected argument '%s'", argv[optind]);
        return evidence_list(&c, in.destination);
    }
    if (strcmp(sub, "import") == 0) {
        if (in.destination) return cli_usage("evidence", "--destination belongs to add and list");
        if (optind + 1 != argc) return cli_usage("evidence", "import needs exactly one FILE.json");
        return evidence_import(&c, argv[optind], actor);
    }
    return cli_usage("evidence", "unknown subcommand '%s' (expected add, list or import)", sub);
}

/* ---- assess ---- */

static const char assess_help[] =
    "usage: penholder assess FILE.json [--policy FILE] [--as-of DATE] [--json] [--record]\n"
    "\n"
    "Assesses an application (docs/application.md) against the licensing criteria and\n"
    "recommends refuse, refer, approve_with_provisos or approve, with one finding per\n"
    "criterion naming the rule, the facts and the evidence it rests on.\n"
    "  --policy FILE   use this policy instead of the one in force\n"
    "  --as-of DATE    replay with the policy, embargoes and evidence in force on DATE\n"
    "  --record        keep the result on the record (the assessment table)\n"
    "The same inputs give the same output, byte for byte.\n";

/* Parties are screened against the lists loaded in the database when the
 * application does not say how they were screened: a party whose name
 * reaches the alert threshold on any list is a possible match (Criteria 1
 * and 7 then refer, until an officer disposes of the hit on the case). */
static int screen_parties(store *db, assess_facts *facts, ph_err *err) {
    int64_t generation = 0;
    if (lists_generation(db, &generation, err)) return err->rc;
    if (generation == 0) return PH_OK; /* no list loaded: parties stay not_screened */
    screen_index *idx = NULL;
    if (lists_screen_index(db, &idx, NULL, NULL, err)) return err->rc;
    int rc = PH_OK;
    for (size_t i = 0; idx && !rc && i < assess_facts_party_count(facts); i++) {
        const policy_party *p = assess_facts_party(facts, i);
        /* An officer's disposition (true match, false positive) stands, and
         * so does a possible match; "clear" in the file does not outweigh an
         * alert on the lists loaded now. */
        if (p->screening != POLICY_SCREENING_NOT_SCREENED && p->screening != POLICY_SCREENING_CLEAR)
            continue;
        screen_request req;
        screen_request_init(&req);
        req.name = p->name;
        req.type = p->type == POLICY_PARTY_INDIVIDUAL ? SCREEN_PERSON : SCREEN_TYPE_ANY;
        req.country = p->country;
        screen_result res;
        if ((rc = screen_query(idx, &req, &res, err))) break;
        int alert = 0;
        for (size_t h = 0; h < res.nhits; h++)
            alert |= res.hits[h].alert;
        screen_result_free(&res);
        assess_facts_set_screening(
            facts, i, alert ? POLICY_SCREENING_POSSIBLE_MATCH : POLICY_SCREENING_CLEAR);
    }
    screen_index_free(idx);
    return rc;
}

static void print_result_text(const assess_result *r, const char *as_of) {
    const policy_facts *f = &r->facts;
    printf("%s%s%s to %s (%s)\n", f->reference[0] ? f->reference : "application",
           f->licence_type[0] ? ": " : "", f->licence_type, f->destination_name, f->destination);
    printf("recommendation: %s\n", assess_recommendation(r));
    printf("policy: %s version %s (sha256 %.16s...)\n", policy_id(r->policy),
           policy_version(r->policy), policy_sha256(r->policy));
    char sha[PH_SHA256_HEX];
    assess_evidence_sha256(r, sha);
    printf("evidence:");
    for (size_t i = 0; i < r->nevidence; i++)
        printf("%s %s", i ? "," : "", r->evidence[i].ref);
    printf("%s (sha256 %.16s...)%s%s\n\n", r->nevidence ? "" : " none", sha, as_of ? " as of " : "",
           as_of ? as_of : "");
    ph_buf reason;
    ph_buf_init(&reason);
    for (size_t i = 0; i < r->outcome.nfindings; i++) {
        const policy_finding *fd = &r->outcome.findings[i];
        ph_buf_reset(&reason);
        assess_finding_reason(r, i, &reason);
        printf("  %-3s %-8s %s\n", policy_criterion(r->policy, (size_t)fd->criterion),
               policy_enum_name(POLICY_ENUM_OUTCOME, fd->outcome),
               policy_finding_rule(r->policy, &r->outcome, i)[0]
                   ? policy_finding_rule(r->policy, &r->outcome, i)
                   : "(no rule)");
        printf("               %s\n", reason.data ? reason.data : "");
    }
    ph_buf_free(&reason);
}

static int assess_file(cli_common *c, const char *file, const char *policy_file, const char *as_of,
                       int record) {
    ph_err err = {0};
    char *text = NULL;
    size_t len;
    if (ph_read_file(file, ASSESS_MAX_APPLICATION, &text, &len, &err)) return cli_fail(&err);
    store *db;
    if (cli_open_db(c, record ? 0 : STORE_READONLY, &db, &err)) {
        free(text);
        return cli_fail(&err);
    }
    char date[11];
    if (as_of)
        ph_strlcpy(date, as_of, sizeof date);
    else
        today(date);

    assess_context *ctx = NULL;
    policy *p = NULL;
    assess_facts *facts = assess_facts_new();
    assess_evidence_snapshot *snapshot = NULL;
    assess_result result;
    assess_result_init(&result);
    int rc = assess_context_load(db, date, &ctx, &err);
    if (!rc)
        rc = policy_file ? assess_policy_read(ctx, policy_file, &p, &err)
                         : assess_policy_in_force(db, ctx, date, &p, &err);
    if (!rc) rc = assess_application_from_json(ctx, file, text, len, facts, &err);
    if (!rc) rc = screen_parties(db, facts, &err);
    if (!rc) rc = assess_evidence_snapshot_load(db, date, &snapshot, &err);
    if (!rc) rc = assess_run(p, facts, snapshot, &result, &err);
    if (!rc && policy_file && !policy_in_force(p, date))
        fprintf(stderr, "penholder: note: policy %s version %s is not in force on %s\n",
                policy_id(p), policy_version(p), date);
    if (!rc) {
        json_t *j = assess_result_json(ctx, &result, as_of);
        if (record) {
            char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
            int64_t id;
            rc = assess_record(db, &result, as_of, s, &id, &err);
            free(s);
            if (!rc) fprintf(stderr, "penholder: assessment %lld recorded\n", (long long)id);
        }
        if (!rc && c->json)
            cli_print_json(j);
        else
            json_decref(j);
        if (!rc && !c->json) print_result_text(&result, as_of);
    }
    assess_result_free(&result);
    assess_evidence_snapshot_free(snapshot);
    assess_facts_free(facts);
    policy_free(p);
    assess_context_free(ctx);
    store_close(db);
    free(text);
    return rc ? cli_fail(&err) : 0;
}

int cmd_assess(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"policy", required_argument, NULL, 'p'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"record", no_argument, NULL, 'r'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *policy_file = NULL, *as_of = NULL;
    int record = 0;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'p': policy_file = optarg; break;
        case 'a': as_of = optarg; break;
        case 'r': record = 1; break;
        default: return cli_bad_option("assess");
        }
    }
    if (c.help) {
        fputs(assess_help, stdout);
        return 0;
    }
    if (optind + 1 != argc) return cli_usage("assess", "expected exactly one FILE.json");
    if (check_date_option("assess", "--as-of", as_of)) return 2;
    return assess_file(&c, argv[optind], policy_file, as_of, record);
}
