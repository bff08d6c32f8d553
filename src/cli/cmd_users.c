/* penholder users ..., penholder tokens ...: accounts and API tokens. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"

static const char users_help[] =
    "usage: penholder users add NAME --role ROLE [--team T] [--org ORG] --password-stdin\n"
    "       penholder users list [--role ROLE] [--all] [--json]\n"
    "       penholder users disable NAME\n"
    "       penholder users enable NAME          (also lifts a lockout)\n"
    "       penholder users password NAME --password-stdin\n"
    "\n"
    "Roles: exporter (needs --org, created when new), case_officer, technical_assessor,\n"
    "adviser (needs --team: fcdo, mod, ncsc, desnz), countersigner, decision_maker,\n"
    "nominated_officer, auditor, admin. The password is read from the first line of\n"
    "standard input (at least 12 characters) and stored as an Argon2id hash; it is\n"
    "never taken from the command line, where other users could see it.\n"
    "Accounts are never deleted: disable them. --all lists disabled accounts too.\n";

static const char tokens_help[] =
    "usage: penholder tokens create NAME [--expires DAYS] [--label TEXT]\n"
    "       penholder tokens list [NAME] [--json]\n"
    "       penholder tokens revoke ID\n"
    "\n"
    "A token lets an API client act as the account: send it as\n"
    "'Authorization: Bearer TOKEN'. It is printed once, alone on the last line of the\n"
    "output, and only its hash is kept: store it like a password. --expires 0 (the\n"
    "default) makes a token that does not expire.\n";

/* Who did it, for audit entries written from the command line. */
static const char *cli_actor(void) {
    static char actor[AUTH_NAME_MAX + 8];
    const char *user = getenv("USER");
    snprintf(actor, sizeof actor, "cli:%s", user && *user ? user : "unknown");
    return actor;
}

/* Reads the first line of stdin as the password. */
static int read_password(char *out, size_t size, ph_err *err) {
    if (!fgets(out, (int)size, stdin))
        return ph_fail(err, PH_EUSAGE, "no password on standard input");
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n') {
        out[--n] = '\0';
        if (n && out[n - 1] == '\r') out[--n] = '\0';
    } else if (!feof(stdin)) {
        sodium_memzero(out, size);
        return ph_fail(err, PH_EUSAGE, "the password is longer than %d characters",
                       AUTH_PASSWORD_MAX);
    }
    return PH_OK;
}

static void print_user_table(const auth_user *v, size_t n) {
    const char *h[] = {"name", "role", "team", "organisation", "state"};
    cli_table *t = cli_table_new(5, h);
    for (size_t i = 0; i < n; i++) {
        char state[64];
        if (v[i].disabled)
            ph_strlcpy(state, "disabled", sizeof state);
        else if (v[i].locked_until[0])
            snprintf(state, sizeof state, "locked until %s", v[i].locked_until);
        else
            ph_strlcpy(state, "active", sizeof state);
        cli_table_add(t, (const char *[]){v[i].name, auth_role_name(v[i].role), v[i].team,
                                          v[i].organisation, state});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static json_t *user_json(const auth_user *u) {
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s?, s:i, s:s}", "name", u->name, "role",
                     auth_role_name(u->role), "team", u->team[0] ? u->team : NULL, "organisation",
                     u->organisation[0] ? u->organisation : NULL, "disabled", u->disabled,
                     "locked_until", u->locked_until[0] ? u->locked_until : NULL, "failed_logins",
                     u->failed_logins, "created_at", u->created_at);
}

/* Runs one account change in a transaction. */
static int change_user(cli_common *c, const char *name, const auth_user_change *change,
                       const char *done) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    int rc = store_begin(db, &err);
    if (!rc) rc = auth_user_update(db, cli_actor(), name, 0, change, &u, NULL, &err);
    if (!rc) rc = store_commit(db, &err);
    if (rc) {
        store_rollback(db);
        store_close(db);
        return cli_fail(&err);
    }
    store_close(db);
    printf("%s: %s\n", name, done);
    return 0;
}

int cmd_users(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"role", required_argument, NULL, 'r'},
                                         {"team", required_argument, NULL, 't'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"password-stdin", no_argument, NULL, 'p'},
                                         {"all", no_argument, NULL, 'a'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *role = NULL, *team = NULL, *org = NULL;
    int password_stdin = 0, all = 0, opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'r': role = optarg; break;
        case 't': team = optarg; break;
        case 'o': org = optarg; break;
        case 'p': password_stdin = 1; break;
        case 'a': all = 1; break;
        default: return cli_bad_option("users");
        }
    }
    if (c.help) {
        fputs(users_help, stdout);
        return 0;
    }
    if (optind >= argc)
        return cli_usage("users", "expected add, list, disable, enable or password");
    const char *sub = argv[optind++];
    ph_err err = {0};
    auth_policy policy;
    auth_policy_default(&policy);

    if (strcmp(sub, "list") == 0) {
        if (optind < argc) return cli_usage("users", "unexpected argument '%s'", argv[optind]);
        auth_user_filter f = {0};
        f.include_disabled = all;
        if (role) {
            if (auth_role_parse(role, &f.role, &err)) return cli_fail(&err);
            f.has_role = 1;
        }
        store *db;
        if (cli_open_db(&c, STORE_READONLY, &db, &err)) return cli_fail(&err);
        auth_user *v;
        size_t n;
        int rc = auth_user_list(db, &f, &v, &n, &err);
        store_close(db);
        if (rc) return cli_fail(&err);
        if (c.json) {
            json_t *a = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(a, user_json(&v[i]));
            cli_print_json(a);
        } else {
            print_user_table(v, n);
        }
        free(v);
        return 0;
    }

    if (optind + 1 != argc) return cli_usage("users", "%s expects exactly one account NAME", sub);
    const char *name = argv[optind];

    if (strcmp(sub, "add") == 0 || strcmp(sub, "password") == 0) {
        int adding = strcmp(sub, "add") == 0;
        if (adding && !role) return cli_usage("users", "add needs --role");
        if (!password_stdin)
            return cli_usage("users", "give the password on standard input with --password-stdin");
        auth_user_new nu = {name, AUTH_ROLE_EXPORTER, team, org};
        if (adding && (auth_name_check(name, &err) || auth_role_parse(role, &nu.role, &err)))
            return cli_fail(&err);
        char password[AUTH_PASSWORD_MAX + 3];
        char hash[AUTH_HASH_MAX];
        int rc = read_password(password, sizeof password, &err);
        if (!rc) rc = auth_password_check(&policy, password, &err);
        if (!rc) rc = auth_password_hash(password, hash, &err);
        sodium_memzero(password, sizeof password);
        if (rc) return cli_fail(&err);
        if (!adding) {
            auth_user_change change = {0};
            change.password_hash = hash;
            rc = change_user(&c, name, &change, "password changed; its sessions ended");
            sodium_memzero(hash, sizeof hash);
            return rc;
        }
        store *db;
        if (cli_open_db(&c, 0, &db, &err)) return cli_fail(&err);
        auth_user u;
        rc = store_begin(db, &err);
        if (!rc) rc = auth_user_create(db, cli_actor(), &nu, hash, &u, NULL, &err);
        if (!rc) rc = store_commit(db, &err);
        sodium_memzero(hash, sizeof hash);
        if (rc) {
            store_rollback(db);
            store_close(db);
            return cli_fail(&err);
        }
        store_close(db);
        if (c.json)
            cli_print_json(user_json(&u));
        else
            printf("%s: added as %s%s%s%s%s\n", u.name, auth_role_name(u.role),
                   u.team[0] ? ", team " : "", u.team, u.organisation[0] ? ", organisation " : "",
                   u.organisation);
        return 0;
    }
    if (role || team || org || password_stdin)
        return cli_usage("users", "--role, --team, --org and --password-stdin belong to add");
    auth_user_change change = {0};
    if (strcmp(sub, "disable") == 0) {
        change.set_disabled = 1;
        change.disabled = 1;
        return change_user(&c, name, &change,
                           "disabled; its sessions ended and its tokens no longer work");
    }
    if (strcmp(sub, "enable") == 0) {
        change.set_disabled = 1;
        change.disabled = 0;
        change.unlock = 1;
        return change_user(&c, name, &change, "enabled and unlocked");
    }
    return cli_usage("users", "unknown subcommand '%s'", sub);
}

static void print_token_table(const auth_token_info *v, size_t n) {
    const char *h[] = {">id", "account", "label", "created", "expires", "revoked"};
    cli_table *t = cli_table_new(6, h);
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)v[i].id);
        cli_table_add(t, (const char *[]){id, v[i].user, v[i].label, v[i].created_at,
                                          v[i].expires_at[0] ? v[i].expires_at : "never",
                                          v[i].revoked_at});
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

int cmd_tokens(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"expires", required_argument, NULL, 'e'},
                                         {"label", required_argument, NULL, 'l'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    int64_t expires = 0;
    const char *label = NULL;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'e':
            if (ph_parse_i64(optarg, &expires) || expires < 0 || expires > 3650)
                return cli_usage("tokens", "--expires must be a number of days from 0 to 3650");
            break;
        case 'l': label = optarg; break;
        default: return cli_bad_option("tokens");
        }
    }
    if (c.help) {
        fputs(tokens_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("tokens", "expected create, list or revoke");
    const char *sub = argv[optind++];
    ph_err err = {0};
    store *db;
    if (strcmp(sub, "list") == 0) {
        if (optind + 1 < argc) return cli_usage("tokens", "list takes at most one account NAME");
        const char *name = optind < argc ? argv[optind] : NULL;
        if (cli_open_db(&c, STORE_READONLY, &db, &err)) return cli_fail(&err);
        auth_token_info *v;
        size_t n;
        int rc = auth_token_list(db, name, &v, &n, &err);
        store_close(db);
        if (rc) return cli_fail(&err);
        if (c.json) {
            json_t *a = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(
                    a, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?}", "id", (json_int_t)v[i].id,
                                 "account", v[i].user, "label", v[i].label, "created_at",
                                 v[i].created_at, "expires_at",
                                 v[i].expires_at[0] ? v[i].expires_at : NULL, "revoked_at",
                                 v[i].revoked_at[0] ? v[i].revoked_at : NULL));
            cli_print_json(a);
        } else {
            print_token_table(v, n);
        }
        free(v);
        return 0;
    }
    if (optind + 1 != argc) return cli_usage("tokens", "%s expects exactly one argument", sub);
    const char *arg = argv[optind];
    if (cli_open_db(&c, 0, &db, &err)) return cli_fail(&err);
    int rc = store_begin(db, &err);
    if (strcmp(sub, "create") == 0) {
        char token[AUTH_TOKEN_MAX];
        auth_token_info info;
        if (!rc)
            rc = auth_token_create(db, cli_actor(), arg, label, (int)expires, token, &info, &err);
        if (!rc) rc = store_commit(db, &err);
        if (rc) {
            store_rollback(db);
            store_close(db);
            return cli_fail(&err);
        }
        store_close(db);
        printf("token %lld for %s, %s%s; shown once, keep it secret:\n%s\n", (long long)info.id,
               info.user, info.expires_at[0] ? "expires " : "does not expire", info.expires_at,
               token);
        sodium_memzero(token, sizeof token);
        return 0;
    }
    if (strcmp(sub, "revoke") == 0) {
        int64_t id;
        if (ph_parse_i64(arg, &id) || id <= 0) {
            store_rollback(db);
            store_close(db);
            return cli_usage("tokens", "revoke expects a token ID (see `penholder tokens list`)");
        }
        if (!rc) rc = auth_token_revoke(db, cli_actor(), id, &err);
        if (!rc) rc = store_commit(db, &err);
        if (rc) {
            store_rollback(db);
            store_close(db);
            return cli_fail(&err);
        }
        store_close(db);
        printf("token %lld revoked\n", (long long)id);
        return 0;
    }
    store_rollback(db);
    store_close(db);
    return cli_usage("tokens", "unknown subcommand '%s'", sub);
}
