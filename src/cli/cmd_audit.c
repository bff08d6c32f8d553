/* penholder audit verify|head|proof|log|key */
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "cli/cli.h"
#include "concern/concern.h"
#include "lists/lists.h"
#include "register/register.h"
#include "review/review.h"

/* A saved tree head is a small JSON object. */
#define HEAD_FILE_MAX 65536

static const char audit_help[] =
    "usage: penholder audit verify [--public-key HEX] [--head FILE] [--json]\n"
    "       penholder audit head [--json]\n"
    "       penholder audit proof --index N [--size M] [--json]\n"
    "       penholder audit proof --from N --to M [--json]\n"
    "       penholder audit log [--object TYPE:ID] [--limit N] [--json]\n"
    "       penholder audit key [--json]\n"
    "\n"
    "The audit log records every write as an entry in a Merkle tree (RFC 6962) with\n"
    "a signed tree head after each one. docs/audit.md describes every byte.\n"
    "\n"
    "  verify   recompute every entry, tree node and tree head, check every signature,\n"
    "           and check each audited object's current state against its newest\n"
    "           entry; lists every discrepancy and exits with status 1 if there is any\n"
    "           --public-key HEX  check signatures with this key (the one the\n"
    "                             authority published) instead of the database's\n"
    "           --head FILE       a tree head saved earlier (audit head --json): the\n"
    "                             log must still extend it\n"
    "  head     the newest signed tree head\n"
    "  proof    --index N: inclusion proof of entry N in the tree of size M (default:\n"
    "           the newest); --from N --to M: consistency proof between two sizes\n"
    "  log      entries, oldest first; --limit N keeps the newest N (default 50, 0 all)\n"
    "  key      the public key that verifies tree heads (hex)\n";

void cli_audit_register_types(void) {
    /* One line per audited object type; each module owns its state function. */
    audit_register_type(REGISTER_LICENCE_OBJECT, register_licence_state);
    audit_register_type(REGISTER_IMPORT_OBJECT, register_import_state);
    auth_audit_register();    /* account, api_token, organisation */
    cases_register_audit();   /* case */
    concern_audit_register(); /* concern, concern_key, concern_setting */
    review_register_audit();  /* review */
    assess_register_audit();  /* evidence, policy_version */
    audit_register_type(LISTS_VERSION_OBJECT, lists_version_state);
}

static void print_hex_line(const char *label, const unsigned char *bytes, size_t n) {
    char hex[2 * AUDIT_SIGNATURE_BYTES + 1];
    ph_hex(bytes, n, hex);
    printf("%-12s%s\n", label, hex);
}

static void print_head(const audit_tree_head *h) {
    printf("%-12s%llu\n", "tree size", (unsigned long long)h->tree_size);
    print_hex_line("root hash", h->root_hash, AUDIT_HASH_BYTES);
    printf("%-12s%s\n", "timestamp", h->timestamp);
    print_hex_line("signature", h->signature, AUDIT_SIGNATURE_BYTES);
    printf("%-12s%s\n", "key id", h->key_id);
}

static void print_path(const audit_hash *path, size_t n) {
    printf("%-12s%zu hash%s, leaf first\n", "path", n, n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        char hex[2 * AUDIT_HASH_BYTES + 1];
        ph_hex(path[i], AUDIT_HASH_BYTES, hex);
        printf("  %2zu        %s\n", i, hex);
    }
}

static int audit_verify_cmd(cli_common *c, const char *public_key_hex, const char *head_file) {
    ph_err err = {0};
    unsigned char pinned[AUDIT_PUBLIC_KEY_BYTES];
    audit_tree_head trusted;
    audit_verify_options o = {0};
    if (public_key_hex) {
        if (audit_bytes_from_hex(public_key_hex, pinned, sizeof pinned))
            return cli_usage("audit", "--public-key must be %d hex digits",
                             2 * AUDIT_PUBLIC_KEY_BYTES);
        o.public_key = pinned;
    }
    if (head_file) {
        char *text;
        size_t len;
        if (ph_read_file(head_file, HEAD_FILE_MAX, &text, &len, &err)) return cli_fail(&err);
        int rc = audit_tree_head_parse_json(text, len, &trusted, &err);
        free(text);
        if (rc) {
            ph_err_prefix(&err, "%s: ", head_file);
            return cli_fail(&err);
        }
        o.trusted_head = &trusted;
    }
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    audit_verify_report r;
    int rc = audit_verify(db, &o, &r, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    int status = r.problems_total ? 1 : 0;
    if (c->json) {
        cli_print_json(audit_verify_json(&r));
        audit_verify_report_free(&r);
        return status;
    }
    char pk[2 * AUDIT_PUBLIC_KEY_BYTES + 1];
    ph_hex(r.public_key, AUDIT_PUBLIC_KEY_BYTES, pk);
    if (status) {
        printf("audit log FAILED verification: %llu problem%s\n",
               (unsigned long long)r.problems_total, r.problems_total == 1 ? "" : "s");
        for (size_t i = 0; i < r.nproblems; i++)
            printf("  %-20s %s\n", r.problems[i].kind, r.problems[i].message);
        if (r.problems_total > r.nproblems)
            printf("  ... and %llu more (see --json)\n",
                   (unsigned long long)(r.problems_total - r.nproblems));
    } else {
        printf("audit log verified: %llu entries, %llu signed tree heads (newest: size %llu), "
               "%llu signatures, %llu tree nodes\n",
               (unsigned long long)r.entries, (unsigned long long)r.tree_heads,
               (unsigned long long)r.tree_size, (unsigned long long)r.signatures_checked,
               (unsigned long long)r.nodes_checked);
    }
    printf("objects: %llu checked against their current state",
           (unsigned long long)r.objects_checked);
    if (r.objects_unchecked)
        printf(", %llu not checked (no state function for their type)",
               (unsigned long long)r.objects_unchecked);
    printf("\nkey %s: %s\n", r.key_id, pk);
    audit_verify_report_free(&r);
    return status;
}

static int audit_head_cmd(cli_common *c) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    audit_tree_head h;
    int rc = audit_head(db, &h, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json)
        cli_print_json(audit_tree_head_json(&h));
    else
        print_head(&h);
    return 0;
}

static int parse_count(const char *opt, const char *value, int64_t *out) {
    if (ph_parse_i64(value, out) || *out < 0)
        return cli_usage("audit", "%s must be a whole number, not '%s'", opt, value);
    return 0;
}

static int audit_proof_cmd(cli_common *c, const char *index, const char *size, const char *from,
                           const char *to) {
    if (index && (from || to))
        return cli_usage("audit",
                         "give --index (inclusion) or --from and --to (consistency), not both");
    if (!index && !from) return cli_usage("audit", "proof needs --index N, or --from N --to M");
    if (!index && size) return cli_usage("audit", "--size goes with --index");
    int64_t a = 0, b = 0;
    if (index && (parse_count("--index", index, &a) || (size && parse_count("--size", size, &b))))
        return 2;
    if (from && (parse_count("--from", from, &a) || (to && parse_count("--to", to, &b)))) return 2;
    if (index && size && b == 0) return cli_usage("audit", "--size must be at least 1");
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    int rc;
    if (index) {
        audit_inclusion_proof p;
        rc = audit_prove_inclusion(db, (uint64_t)a, (uint64_t)b, &p, &err);
        if (!rc && c->json) {
            cli_print_json(audit_inclusion_json(&p));
        } else if (!rc) {
            printf("%-12s%llu\n", "leaf index", (unsigned long long)p.leaf_index);
            print_hex_line("leaf hash", p.leaf_hash, AUDIT_HASH_BYTES);
            printf("%-12s%llu\n", "tree size", (unsigned long long)p.tree_size);
            print_hex_line("root hash", p.root_hash, AUDIT_HASH_BYTES);
            print_path(p.path, p.path_len);
            printf("signed      %s by key %s\n", p.head.timestamp, p.head.key_id);
        }
    } else {
        if (!to) {
            audit_tree_head h;
            if (audit_head(db, &h, &err)) {
                store_close(db);
                return cli_fail(&err);
            }
            b = (int64_t)h.tree_size;
        }
        audit_consistency_proof p;
        rc = audit_prove_consistency(db, (uint64_t)a, (uint64_t)b, &p, &err);
        if (!rc && c->json) {
            cli_print_json(audit_consistency_json(&p));
        } else if (!rc) {
            printf("%-12s%llu\n", "first size", (unsigned long long)p.first);
            print_hex_line("first root", p.first_root, AUDIT_HASH_BYTES);
            printf("%-12s%llu\n", "second size", (unsigned long long)p.second);
            print_hex_line("second root", p.second_root, AUDIT_HASH_BYTES);
            print_path(p.path, p.path_len);
        }
    }
    store_close(db);
    return rc ? cli_fail(&err) : 0;
}

static int audit_log_cmd(cli_common *c, const char *object, const char *limit) {
    audit_log_filter f = {0};
    f.limit = 50;
    char *type = NULL;
    if (limit && parse_count("--limit", limit, &f.limit)) return 2;
    if (object) {
        const char *colon = strchr(object, ':');
        if (!colon || colon == object || !colon[1])
            return cli_usage("audit",
                             "--object must be TYPE:ID, for example licence:GBSIEL/2026/0000123/P");
        type = ph_strndup(object, (size_t)(colon - object));
        f.object_type = type;
        f.object_id = colon + 1;
    }
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) {
        free(type);
        return cli_fail(&err);
    }
    audit_record *v;
    size_t n;
    int rc = audit_log(db, &f, &v, &n, &err);
    store_close(db);
    free(type);
    if (rc) return cli_fail(&err);
    if (c->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, audit_record_json(&v[i]));
        cli_print_json(a);
    } else {
        const char *h[] = {">seq", "time", "actor", "action", "object", "state"};
        cli_table *t = cli_table_new(6, h);
        for (size_t i = 0; i < n; i++) {
            const audit_entry *e = &v[i].entry;
            char seq[24], state[13], *obj = ph_asprintf("%s:%s", e->object_type, e->object_id);
            snprintf(seq, sizeof seq, "%llu", (unsigned long long)e->seq);
            ph_hex(e->state_sha256, 6, state);
            cli_table_add(t, (const char *[]){seq, e->time, e->actor, e->action, obj, state});
            free(obj);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
    audit_records_free(v, n);
    return 0;
}

static int audit_key_cmd(cli_common *c) {
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, STORE_READONLY, &db, &err)) return cli_fail(&err);
    audit_key_info k;
    int rc = audit_public_key(db, &k, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    char hex[2 * AUDIT_PUBLIC_KEY_BYTES + 1];
    ph_hex(k.public_key, AUDIT_PUBLIC_KEY_BYTES, hex);
    if (c->json)
        cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "algorithm", "ed25519", "public_key", hex,
                                 "key_id", k.key_id, "created_at", k.created_at));
    else
        printf("%s\n", hex);
    return 0;
}

int cmd_audit(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"public-key", required_argument, NULL, 'k'},
                                         {"head", required_argument, NULL, 'H'},
                                         {"index", required_argument, NULL, 'i'},
                                         {"size", required_argument, NULL, 's'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"object", required_argument, NULL, 'o'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    const char *public_key = NULL, *head = NULL, *index = NULL, *size = NULL, *from = NULL,
               *to = NULL, *object = NULL, *limit = NULL;
    int opt;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'k': public_key = optarg; break;
        case 'H': head = optarg; break;
        case 'i': index = optarg; break;
        case 's': size = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'o': object = optarg; break;
        case 'n': limit = optarg; break;
        default: return cli_bad_option("audit");
        }
    }
    if (c.help) {
        fputs(audit_help, stdout);
        return 0;
    }
    if (optind >= argc) return cli_usage("audit", "expected verify, head, proof, log or key");
    const char *sub = argv[optind++];
    if (optind < argc) return cli_usage("audit", "unexpected argument '%s'", argv[optind]);
    int is_verify = strcmp(sub, "verify") == 0, is_proof = strcmp(sub, "proof") == 0,
        is_log = strcmp(sub, "log") == 0;
    if ((public_key || head) && !is_verify)
        return cli_usage("audit", "--public-key and --head belong to 'audit verify'");
    if ((index || size || from || to) && !is_proof)
        return cli_usage("audit", "--index, --size, --from and --to belong to 'audit proof'");
    if ((object || limit) && !is_log)
        return cli_usage("audit", "--object and --limit belong to 'audit log'");
    if (is_verify) return audit_verify_cmd(&c, public_key, head);
    if (is_proof) return audit_proof_cmd(&c, index, size, from, to);
    if (is_log) return audit_log_cmd(&c, object, limit);
    if (strcmp(sub, "head") == 0) return audit_head_cmd(&c);
    if (strcmp(sub, "key") == 0) return audit_key_cmd(&c);
    return cli_usage("audit", "unknown subcommand '%s' (expected verify, head, proof, log or key)",
                     sub);
}
