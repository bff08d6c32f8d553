/* penholder concern: formal concerns from the command line. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "concern/concern.h"
#include "csv/csv.h"

static const char concern_help[] =
    "usage: penholder concern raise --actor U --about "
    "case:REF|licence:REF|review:RV-0001|advice:ID|assessment:ID|policy:NAME[@V]\n"
    "                               --category C --text TEXT [--criteria 2c,7] [--cosign U]... "
    "[--level L]\n"
    "                               [--confidential]\n"
    "       penholder concern show ID (--actor U | --receipt CODE) [--as-of DATE] [--json]\n"
    "       penholder concern ack|consider ID --actor U\n"
    "       penholder concern respond ID --actor U --outcome upheld|partly-upheld|not-upheld\n"
    "                               --decision TEXT --actions TEXT --reasons TEXT [--text NOTE]\n"
    "       penholder concern escalate|appeal ID (--actor U | --receipt CODE) --reason TEXT\n"
    "       penholder concern extend ID --actor U --reason TEXT\n"
    "       penholder concern close ID (--actor U | --receipt CODE)\n"
    "       penholder concern message ID (--actor U | --receipt CODE) --text TEXT [--corrects N]\n"
    "       penholder concern reveal ID --actor U --reason TEXT        (password on standard "
    "input)\n"
    "       penholder concern list [--overdue] [--as-of DATE] [--state S] [--case REF] [--actor U] "
    "[--json]\n"
    "       penholder concern stats [--format table|csv|json] [--as-of DATE]\n"
    "       penholder concern sweep [--as-of DATE] [--json]\n"
    "       penholder concern keys init|rewrap --actor U             (password(s) on standard "
    "input)\n"
    "       penholder concern keys grant --actor U --to U2           (password on standard input)\n"
    "       penholder concern keys list [--json]\n"
    "       penholder concern settings [--json]\n"
    "       penholder concern settings set KEY VALUE --actor ADMIN\n"
    "       penholder concern settings preset "
    "eu-directive|eu-external-authority|us-dissent-channel --actor ADMIN\n"
    "\n"
    "A formal concern about a case, a licence, a review, an advice revision or assessment\n"
    "(pinned by the SHA-256 of its content) or a policy. Categories: legal-risk, policy-dissent,\n"
    "implementation-dissent, conduct. raise prints the new concern's id on the first line and,\n"
    "with --confidential, the receipt code on the second: it is shown once, and is the only way\n"
    "for the reporter to follow the concern (the identity is sealed to the nominated officers).\n"
    "--receipt - reads the code from standard input. Only nominated officers acknowledge,\n"
    "respond and reveal; a concern closes only after a substantive response, which says\n"
    "what was decided (--decision), what was done or not done (--actions) and why\n"
    "(--reasons), each in a sentence of its own; --text adds an optional note. Deadlines,\n"
    "calendar and escalation chain are settings (docs/concerns.md); `sweep` escalates every\n"
    "overdue concern one level and is safe to run again (`penholder serve` runs it too).\n"
    "Dates are YYYY-MM-DD; events are dated today ($PENHOLDER_TODAY when set).\n";

/* Reads one line of standard input into out (without its line end). */
static int read_line(const char *what, char *out, size_t size, ph_err *err) {
    if (!fgets(out, (int)size, stdin))
        return ph_fail(err, PH_EUSAGE, "no %s on standard input", what);
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n') {
        out[--n] = '\0';
        if (n && out[n - 1] == '\r') out[--n] = '\0';
    } else if (!feof(stdin)) {
        sodium_memzero(out, size);
        return ph_fail(err, PH_EUSAGE, "the %s on standard input is too long", what);
    }
    return PH_OK;
}

typedef struct opts {
    cli_common c;
    const char *actor, *receipt, *about, *category, *text, *criteria, *level, *outcome, *reason,
        *as_of, *state, *case_reference, *format, *to, *decision, *actions, *reasons;
    const char *cosign[CONCERN_COSIGNATORIES_MAX + 1];
    size_t ncosign;
    int confidential, overdue;
    int64_t corrects;
    char receipt_buf[256];
} opts;

static int parse(int argc, char **argv, opts *o) {
    static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                             {"actor", required_argument, NULL, 'a'},
                                             {"receipt", required_argument, NULL, 'r'},
                                             {"about", required_argument, NULL, 'b'},
                                             {"category", required_argument, NULL, 'g'},
                                             {"text", required_argument, NULL, 't'},
                                             {"criteria", required_argument, NULL, 'c'},
                                             {"cosign", required_argument, NULL, 's'},
                                             {"level", required_argument, NULL, 'l'},
                                             {"outcome", required_argument, NULL, 'o'},
                                             {"reason", required_argument, NULL, 'y'},
                                             {"as-of", required_argument, NULL, 'd'},
                                             {"state", required_argument, NULL, 'S'},
                                             {"case", required_argument, NULL, 'C'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"to", required_argument, NULL, 'T'},
                                             {"corrects", required_argument, NULL, 'x'},
                                             {"confidential", no_argument, NULL, 'k'},
                                             {"overdue", no_argument, NULL, 'O'},
                                             {"password-stdin", no_argument, NULL, 'p'},
                                             {"decision", required_argument, NULL, 'D'},
                                             {"actions", required_argument, NULL, 'A'},
                                             {"reasons", required_argument, NULL, 'R'},
                                             {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", longopts)) != -1) {
        if (cli_common_option(&o->c, opt, optarg)) continue;
        switch (opt) {
        case 'a': o->actor = optarg; break;
        case 'r': o->receipt = optarg; break;
        case 'b': o->about = optarg; break;
        case 'g': o->category = optarg; break;
        case 't': o->text = optarg; break;
        case 'c': o->criteria = optarg; break;
        case 's':
            if (o->ncosign == CONCERN_COSIGNATORIES_MAX)
                return cli_usage("concern", "at most %d --cosign", CONCERN_COSIGNATORIES_MAX);
            o->cosign[o->ncosign++] = optarg;
            break;
        case 'l': o->level = optarg; break;
        case 'o': o->outcome = optarg; break;
        case 'y': o->reason = optarg; break;
        case 'd': o->as_of = optarg; break;
        case 'S': o->state = optarg; break;
        case 'C': o->case_reference = optarg; break;
        case 'f': o->format = optarg; break;
        case 'T': o->to = optarg; break;
        case 'x':
            if (ph_parse_i64(optarg, &o->corrects) || o->corrects <= 0)
                return cli_usage("concern", "--corrects takes a message number");
            break;
        case 'k': o->confidential = 1; break;
        case 'O': o->overdue = 1; break;
        case 'p': break; /* passwords are always read from standard input */
        case 'D': o->decision = optarg; break;
        case 'A': o->actions = optarg; break;
        case 'R': o->reasons = optarg; break;
        default: return cli_bad_option("concern");
        }
    }
    return 0;
}

/* The acting account, or the receipt holder. */
static int actor_of(store *db, opts *o, concern_actor *who, char role[32], ph_err *err) {
    memset(who, 0, sizeof *who);
    if (o->receipt) {
        if (o->actor) return ph_fail(err, PH_EUSAGE, "give --actor or --receipt, not both");
        if (strcmp(o->receipt, "-") == 0) {
            if (read_line("receipt code", o->receipt_buf, sizeof o->receipt_buf, err))
                return err->rc;
            o->receipt = o->receipt_buf;
        }
        who->receipt = o->receipt;
        return PH_OK;
    }
    if (!o->actor)
        return ph_fail(err, PH_EUSAGE,
                       "--actor ACCOUNT is required (or --receipt CODE for the reporter)");
    auth_user u;
    if (auth_user_get(db, o->actor, &u, err)) {
        if (err->rc == PH_ENOTFOUND)
            return ph_fail(err, PH_EUSAGE, "--actor: no account '%s'", o->actor);
        return err->rc;
    }
    if (u.disabled) return ph_fail(err, PH_EFORBIDDEN, "--actor: account %s is disabled", u.name);
    ph_strlcpy(role, auth_role_name(u.role), 32);
    who->name = o->actor;
    who->role = role;
    return PH_OK;
}

static int parse_id(const char *s, int64_t *id) {
    if (!s || ph_parse_i64(s, id) || *id <= 0) {
        cli_usage("concern", "expected a concern number, got '%s'", s ? s : "");
        return 2;
    }
    return 0;
}

/* ---- printing ---- */

static const char *str(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void print_indented_by(const char *indent, const char *text) {
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        printf("%s%.*s\n", indent, (int)n, p);
        p += n;
        if (*p == '\n') p++;
    }
}

static void print_indented(const char *text) {
    print_indented_by("    ", text);
}

/* The parts of a response, each under its heading; a response recorded
 * before responses had parts shows its one text. */
static void print_response(json_t *r) {
    static const char *const parts[][2] = {
        {"decision", "decided"}, {"actions", "done or not done"}, {"reasons", "why"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!*str(r, parts[i][0])) continue;
        printf("    %s:\n", parts[i][1]);
        print_indented_by("      ", str(r, parts[i][0]));
    }
    if (*str(r, "text")) {
        if (*str(r, "decision")) printf("    note:\n");
        print_indented_by(*str(r, "decision") ? "      " : "    ", str(r, "text"));
    }
}

static void print_about(json_t *about) {
    printf("%s %s", str(about, "kind"), str(about, "id"));
    if (*str(about, "version")) printf(" (version %s)", str(about, "version"));
}

static void print_concern(json_t *j) {
    json_t *about = json_object_get(j, "about");
    json_t *d = json_object_get(j, "deadlines");
    printf("concern %lld  %s about ", (long long)json_integer_value(json_object_get(j, "id")),
           str(j, "category"));
    print_about(about);
    printf("%s\n", json_is_true(json_object_get(j, "confidential")) ? "  (confidential)" : "");
    printf("  state       %s (level %s)\n", str(j, "state"), str(j, "level"));
    if (json_is_true(json_object_get(j, "reporter_sealed")))
        printf("  reporter    sealed; on the record as %s\n", str(j, "pseudonym"));
    else
        printf("  reporter    %s\n", str(j, "reporter"));
    size_t i;
    json_t *v;
    if (json_array_size(json_object_get(j, "cosignatories"))) {
        printf("  co-signed   ");
        json_array_foreach(json_object_get(j, "cosignatories"), i, v)
            printf("%s%s", i ? ", " : "", json_string_value(v));
        printf("\n");
    }
    printf("  raised      %s\n", str(j, "raised_on"));
    if (json_array_size(json_object_get(j, "criteria"))) {
        printf("  criteria    ");
        json_array_foreach(json_object_get(j, "criteria"), i, v)
            printf("%s%s", i ? ", " : "", json_string_value(v));
        printf("\n");
    }
    if (*str(about, "sha256")) printf("  pinned      sha256 %s\n", str(about, "sha256"));
    printf("  deadlines   acknowledge by %s", str(d, "acknowledge_by"));
    if (*str(d, "acknowledged_on")) printf(" (acknowledged %s)", str(d, "acknowledged_on"));
    printf("; respond by %s", str(d, "respond_by"));
    if (*str(d, "responded_on")) printf(" (responded %s)", str(d, "responded_on"));
    printf("\n");
    if (*str(d, "due"))
        printf("  awaiting    %s by %s%s\n", str(d, "due_for"), str(d, "due"),
               json_is_true(json_object_get(d, "overdue")) ? "  OVERDUE" : "");
    if (*str(j, "outcome")) printf("  outcome     %s\n", str(j, "outcome"));
    printf("  text\n");
    print_indented(str(j, "text"));

    printf("\nhistory\n");
    json_array_foreach(json_object_get(j, "events"), i, v) {
        printf("  %s  %-13s by %s (%s)", str(v, "on"), str(v, "event"), str(v, "by"), str(v, "as"));
        if (*str(v, "state")) printf(" -> %s", str(v, "state"));
        if (*str(v, "level")) printf(", to %s", str(v, "level"));
        if (*str(v, "outcome")) printf(", %s", str(v, "outcome"));
        printf("\n");
        if (strcmp(str(v, "event"), "respond") == 0)
            print_response(v);
        else if (*str(v, "text"))
            print_indented(str(v, "text"));
    }
    json_t *messages = json_object_get(j, "messages");
    if (json_array_size(messages)) {
        printf("\nmessages\n");
        json_array_foreach(messages, i, v) {
            printf("  #%lld %s  %s (%s)", (long long)json_integer_value(json_object_get(v, "id")),
                   str(v, "on"), str(v, "by"), str(v, "as"));
            if (json_is_integer(json_object_get(v, "corrects")))
                printf(", correcting #%lld",
                       (long long)json_integer_value(json_object_get(v, "corrects")));
            printf("\n");
            print_indented(str(v, "text"));
        }
    }
    json_t *allowed = json_object_get(j, "allowed_events");
    printf("\nyou may: ");
    if (!json_array_size(allowed)) printf("nothing");
    json_array_foreach(allowed, i, v) printf("%s%s", i ? ", " : "", json_string_value(v));
    printf("\n");
}

static void print_list(json_t *j) {
    const char *h[] = {">id",    "category", "about", "state", "level",
                       "raised", "awaiting", "due",   ""};
    cli_table *t = cli_table_new(9, h);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "concerns"), i, v) {
        json_t *d = json_object_get(v, "deadlines");
        json_t *about = json_object_get(v, "about");
        char id[24], what[256];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
        snprintf(what, sizeof what, "%s:%s", str(about, "kind"), str(about, "id"));
        cli_table_add(
            t, (const char *[]){id, str(v, "category"), what, str(v, "state"), str(v, "level"),
                                str(v, "raised_on"), str(d, "due_for"), str(d, "due"),
                                json_is_true(json_object_get(d, "overdue")) ? "OVERDUE" : ""});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%lld concern(s) as of %s\n", (long long)json_integer_value(json_object_get(j, "total")),
           str(j, "as_of"));
}

static void print_stats_table(json_t *j) {
    const char *h[] = {"quarter",     "category", ">raised",     ">ack on time",
                       ">responded",  ">on time", ">upheld",     ">partly",
                       ">not upheld", ">open",    ">median ack", ">median resp"};
    cli_table *t = cli_table_new(12, h);
    int k = (int)json_integer_value(json_object_get(j, "min_count"));
    size_t i;
    json_t *r;
    const char *fields[] = {"raised",
                            "acknowledged_on_time",
                            "responded",
                            "responded_on_time",
                            "upheld",
                            "partly_upheld",
                            "not_upheld",
                            "open",
                            "median_days_to_acknowledge",
                            "median_days_to_response"};
    json_array_foreach(json_object_get(j, "rows"), i, r) {
        char cells[10][32];
        for (int f = 0; f < 10; f++) {
            json_t *x = json_object_get(r, fields[f]);
            if (json_is_integer(x))
                snprintf(cells[f], sizeof cells[f], "%lld", (long long)json_integer_value(x));
            else if (json_is_real(x))
                snprintf(cells[f], sizeof cells[f], "%.1f", json_real_value(x));
            else
                snprintf(cells[f], sizeof cells[f], f < 8 ? "<%d" : "-", k);
        }
        cli_table_add(t, (const char *[]){str(r, "quarter"), str(r, "category"), cells[0], cells[1],
                                          cells[2], cells[3], cells[4], cells[5], cells[6],
                                          cells[7], cells[8], cells[9]});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("counts from 1 to %d are shown as <%d, and a total that would reveal one of them is "
           "suppressed too\n",
           k - 1, k);
}

/* ---- subcommands ---- */

static int do_raise(opts *o) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, 0, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    int64_t id = 0;
    char receipt[CONCERN_RECEIPT_TEXT];
    int rc = actor_of(db, o, &who, role, &err);
    if (!rc && who.receipt)
        rc = ph_fail(&err, PH_EUSAGE, "a concern is raised with --actor (the reporter's account)");
    concern_raise_input in = {o->about,   o->category,     o->text,  o->criteria, o->cosign,
                              o->ncosign, o->confidential, o->level, NULL};
    if (!rc) rc = concern_raise(db, &who, &in, &id, receipt, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json) {
        json_t *j = json_pack("{s:I, s:b}", "id", (json_int_t)id, "confidential", o->confidential);
        json_object_set_new(j, "receipt", receipt[0] ? json_string(receipt) : json_null());
        cli_print_json(j);
    } else {
        printf("%lld\n", (long long)id);
        if (receipt[0]) {
            printf("%s\n", receipt);
            fprintf(stderr, "penholder: keep the receipt code: it is shown once, and it is the "
                            "only way to follow "
                            "this concern\n");
        }
    }
    sodium_memzero(receipt, sizeof receipt);
    return 0;
}

static int do_show(opts *o, int64_t id) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    json_t *j = NULL;
    int rc = actor_of(db, o, &who, role, &err);
    if (!rc) rc = concern_get(db, &who, id, o->as_of, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json)
        cli_print_json(j);
    else {
        print_concern(j);
        json_decref(j);
    }
    return 0;
}

static int do_event(opts *o, int64_t id, const char *event) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, 0, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    int rc = actor_of(db, o, &who, role, &err);
    concern_event_input in = {.text = o->text,
                              .outcome = o->outcome,
                              .reason = o->reason,
                              .decision = o->decision,
                              .actions = o->actions,
                              .reasons = o->reasons};
    if (!rc && strcmp(event, "respond") != 0 && (o->decision || o->actions || o->reasons))
        rc = ph_fail(&err, PH_EUSAGE,
                     "--decision, --actions and --reasons are the parts of a response (respond)");
    if (!rc) rc = concern_fire(db, &who, id, event, &in, &err);
    json_t *j = NULL;
    if (!rc) rc = concern_get(db, &who, id, NULL, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json) {
        cli_print_json(j);
    } else {
        printf("concern %lld: %s\n", (long long)id, str(j, "state"));
        json_decref(j);
    }
    return 0;
}

static int do_message(opts *o, int64_t id) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, 0, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    int64_t mid = 0;
    int rc = actor_of(db, o, &who, role, &err);
    if (!rc) rc = concern_message(db, &who, id, o->text, o->corrects, NULL, &mid, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json)
        cli_print_json(
            json_pack("{s:I, s:I}", "concern", (json_int_t)id, "message", (json_int_t)mid));
    else
        printf("concern %lld: message #%lld added\n", (long long)id, (long long)mid);
    return 0;
}

static int do_reveal(opts *o, int64_t id) {
    ph_err err = {0};
    char password[AUTH_PASSWORD_MAX + 3];
    if (read_line("password", password, sizeof password, &err)) return cli_fail(&err);
    store *db;
    if (cli_open_db(&o->c, 0, &db, &err)) {
        sodium_memzero(password, sizeof password);
        return cli_fail(&err);
    }
    concern_actor who;
    char role[32];
    json_t *identity = NULL;
    int rc = actor_of(db, o, &who, role, &err);
    if (!rc && who.receipt)
        rc = ph_fail(&err, PH_EUSAGE, "reveal is done by a nominated officer (--actor)");
    if (!rc) rc = concern_reveal(db, &who, id, o->reason, password, NULL, &identity, &err);
    sodium_memzero(password, sizeof password);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json) {
        cli_print_json(identity);
        return 0;
    }
    printf("concern %lld was raised by %s\n", (long long)id, str(identity, "reporter"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(identity, "cosignatories"), i, v)
        printf("  co-signed by %s\n", json_string_value(v));
    printf("(this opening is on the audit log with your reason)\n");
    json_decref(identity);
    return 0;
}

static int do_list(opts *o) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    int rc = o->actor || o->receipt ? actor_of(db, o, &who, role, &err) : PH_OK;
    concern_filter f = {o->overdue, o->as_of, o->state, o->case_reference};
    json_t *j = NULL;
    if (!rc) rc = concern_list(db, o->actor || o->receipt ? &who : NULL, &f, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json)
        cli_print_json(j);
    else {
        print_list(j);
        json_decref(j);
    }
    return 0;
}

static int do_stats(opts *o) {
    const char *format = o->format ? o->format : (o->c.json ? "json" : "table");
    if (strcmp(format, "table") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return cli_usage("concern", "--format is table, csv or json");
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    json_t *j = NULL;
    int rc = concern_stats(db, o->as_of, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (strcmp(format, "json") == 0) {
        cli_print_json(j);
        return 0;
    }
    if (strcmp(format, "csv") == 0)
        concern_stats_csv(j, stdout);
    else
        print_stats_table(j);
    json_decref(j);
    return 0;
}

static int do_sweep(opts *o) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(&o->c, 0, &db, &err)) return cli_fail(&err);
    json_t *j = NULL;
    int rc = concern_sweep(db, o->as_of, &j, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (o->c.json) {
        cli_print_json(j);
        return 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "escalated"), i, v)
        printf("concern %lld escalated to %s (the %s was due on %s)\n",
               (long long)json_integer_value(json_object_get(v, "id")), str(v, "to_level"),
               str(v, "due_for"), str(v, "due"));
    json_array_foreach(json_object_get(j, "at_top_of_chain"), i, v)
        printf("concern %lld is overdue at the top of the chain (%s; the %s was due on %s)\n",
               (long long)json_integer_value(json_object_get(v, "id")), str(v, "level"),
               str(v, "due_for"), str(v, "due"));
    printf("%zu escalated as of %s\n", json_array_size(json_object_get(j, "escalated")),
           str(j, "as_of"));
    json_decref(j);
    return 0;
}

static int do_keys(opts *o, int argc, char **argv) {
    if (optind + 1 >= argc)
        return cli_usage("concern", "expected keys init, rewrap, grant or list");
    const char *sub = argv[optind + 1];
    ph_err err = {0};
    store *db;
    if (strcmp(sub, "list") == 0) {
        if (cli_open_db(&o->c, STORE_READONLY, &db, &err)) return cli_fail(&err);
        json_t *j = NULL;
        int rc = concern_keys_list(db, &j, &err);
        store_close(db);
        if (rc) return cli_fail(&err);
        if (o->c.json) {
            cli_print_json(j);
            return 0;
        }
        const char *h[] = {"key", "nominated officer", "created", ">seals"};
        cli_table *t = cli_table_new(4, h);
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            char seals[24];
            snprintf(seals, sizeof seals, "%lld",
                     (long long)json_integer_value(json_object_get(v, "seals")));
            cli_table_add(t, (const char *[]){str(v, "key_id"), str(v, "account"),
                                              str(v, "created_at"), seals});
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
        json_decref(j);
        return 0;
    }
    if (strcmp(sub, "init") != 0 && strcmp(sub, "rewrap") != 0 && strcmp(sub, "grant") != 0)
        return cli_usage("concern", "expected keys init, rewrap, grant or list");
    if (!o->actor)
        return cli_usage("concern", "keys %s needs --actor (the nominated officer)", sub);
    if (strcmp(sub, "grant") == 0 && !o->to)
        return cli_usage("concern", "keys grant needs --to ACCOUNT");
    char password[AUTH_PASSWORD_MAX + 3], second[AUTH_PASSWORD_MAX + 3] = "";
    int rc = read_line("password", password, sizeof password, &err);
    if (!rc && strcmp(sub, "rewrap") == 0)
        rc = read_line("new password (second line)", second, sizeof second, &err);
    if (!rc) rc = cli_open_db(&o->c, 0, &db, &err);
    if (rc) {
        sodium_memzero(password, sizeof password);
        sodium_memzero(second, sizeof second);
        return cli_fail(&err);
    }
    concern_actor who;
    char role[32];
    rc = actor_of(db, o, &who, role, &err);
    char key_id[17] = "";
    size_t granted = 0;
    if (!rc && strcmp(sub, "init") == 0) rc = concern_keys_init(db, &who, password, key_id, &err);
    if (!rc && strcmp(sub, "rewrap") == 0)
        rc = concern_keys_rewrap(db, &who, password, second, &err);
    if (!rc && strcmp(sub, "grant") == 0)
        rc = concern_keys_grant(db, &who, password, o->to, &granted, &err);
    sodium_memzero(password, sizeof password);
    sodium_memzero(second, sizeof second);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (strcmp(sub, "init") == 0)
        printf("key %s made for %s; confidential concerns raised from now on are sealed to it\n",
               key_id, o->actor);
    else if (strcmp(sub, "rewrap") == 0)
        printf("%s's key is now under the new password\n", o->actor);
    else
        printf("%zu sealed identit%s granted to %s\n", granted, granted == 1 ? "y" : "ies", o->to);
    return 0;
}

static int do_settings(opts *o, int argc, char **argv) {
    ph_err err = {0};
    store *db;
    const char *sub = optind + 1 < argc ? argv[optind + 1] : "show";
    if (strcmp(sub, "show") == 0) {
        if (cli_open_db(&o->c, STORE_READONLY, &db, &err)) return cli_fail(&err);
        concern_settings s;
        int rc = concern_settings_load(db, &s, &err);
        store_close(db);
        if (rc) return cli_fail(&err);
        json_t *j = concern_settings_json(&s);
        if (o->c.json) {
            cli_print_json(j);
            return 0;
        }
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) printf("%-24s %s\n", key, json_string_value(v));
        json_decref(j);
        return 0;
    }
    int set = strcmp(sub, "set") == 0, preset = strcmp(sub, "preset") == 0;
    if (!set && !preset)
        return cli_usage("concern", "expected settings [show], set KEY VALUE or preset NAME");
    if ((set && optind + 4 != argc) || (preset && optind + 3 != argc))
        return cli_usage("concern",
                         set ? "expected settings set KEY VALUE" : "expected settings preset NAME");
    if (cli_open_db(&o->c, 0, &db, &err)) return cli_fail(&err);
    concern_actor who;
    char role[32];
    int rc = actor_of(db, o, &who, role, &err);
    if (!rc)
        rc = set ? concern_settings_store(db, &who, argv[optind + 2], argv[optind + 3], &err)
                 : concern_settings_store_preset(db, &who, argv[optind + 2], &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (set)
        printf("%s set (a running server reads block_finalising when it starts)\n",
               argv[optind + 2]);
    else
        printf("preset %s applied\n", argv[optind + 2]);
    return 0;
}

int cmd_concern(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    if (o.c.help) {
        fputs(concern_help, stdout);
        return 0;
    }
    if (optind >= argc)
        return cli_usage("concern", "expected a subcommand (raise, show, ack, respond, list, ...)");
    const char *sub = argv[optind];
    if (strcmp(sub, "raise") == 0)
        return optind + 1 == argc ? do_raise(&o) : cli_usage("concern", "raise takes options only");
    if (strcmp(sub, "list") == 0) return do_list(&o);
    if (strcmp(sub, "stats") == 0) return do_stats(&o);
    if (strcmp(sub, "sweep") == 0) return do_sweep(&o);
    if (strcmp(sub, "keys") == 0) return do_keys(&o, argc, argv);
    if (strcmp(sub, "settings") == 0) return do_settings(&o, argc, argv);
    static const struct {
        const char *name, *event;
    } events[] = {{"ack", "acknowledge"},   {"acknowledge", "acknowledge"},
                  {"consider", "consider"}, {"respond", "respond"},
                  {"escalate", "escalate"}, {"appeal", "appeal"},
                  {"extend", "extend"},     {"close", "close"}};
    int64_t id;
    int is_event = -1;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(sub, events[i].name) == 0) is_event = (int)i;
    int known = is_event >= 0 || strcmp(sub, "show") == 0 || strcmp(sub, "message") == 0 ||
                strcmp(sub, "reveal") == 0;
    if (!known) return cli_usage("concern", "unknown subcommand '%s'", sub);
    if (optind + 2 != argc) return cli_usage("concern", "%s takes one concern number", sub);
    if ((rc = parse_id(argv[optind + 1], &id))) return rc;
    if (strcmp(sub, "show") == 0) return do_show(&o, id);
    if (strcmp(sub, "message") == 0) return do_message(&o, id);
    if (strcmp(sub, "reveal") == 0) return do_reveal(&o, id);
    return do_event(&o, id, events[is_event].event);
}
