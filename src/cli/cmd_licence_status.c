/* penholder licences suspend|reinstate|revoke|surrender|exhaust REF --reason TEXT
 *     [--criteria LIST] [--actor NAME]
 * penholder licences expire [--as-of DATE] [--actor NAME] [--batch N]
 *
 * The actor is an account: it must exist and be enabled, and the licence
 * workflow (through the register engine) decides whether its role may make
 * the change. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "register/register.h"

/* The acting account: --actor, else $PENHOLDER_ACTOR, else the login name.
 * An unknown name is a usage error (exit 2), a disabled account forbidden. */
static int licence_actor(store *db, const char *name, auth_user *u, ph_err *err) {
    int rc = auth_user_get(db, name, u, err);
    if (rc == PH_ENOTFOUND)
        return ph_fail(err, PH_EUSAGE,
                       "no account named '%s': a licence's status is changed by an account "
                       "(give --actor NAME, or add one with penholder users add)",
                       name);
    if (rc) return rc;
    if (u->disabled)
        return ph_fail(err, PH_EFORBIDDEN, "forbidden: the account '%s' is disabled", name);
    return PH_OK;
}

int cli_licence_status(const cli_common *c, const char *event, const char *reference,
                       const char *reason, const char *criteria, const char *actor) {
    if (!reason) return cli_usage("licences", "%s needs --reason TEXT", event);
    if (!actor) actor = cli_default_actor();
    if (!actor) return cli_usage("licences", "cannot tell who is acting; give --actor NAME");
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    int rc = licence_actor(db, actor, &u, &err);
    if (rc) {
        store_close(db);
        return cli_fail(&err);
    }
    register_status_change ch = {.reference = reference,
                                 .event = event,
                                 .reason = reason,
                                 .criteria = criteria,
                                 .actor = u.name,
                                 .role = auth_role_name(u.role),
                                 .organisation =
                                     auth_role_is_staff(u.role) ? NULL : u.organisation};
    register_status_result r;
    rc = store_begin(db, &err);
    if (!rc) rc = register_licence_change_status(db, &ch, &r, &err);
    if (!rc)
        rc = store_commit(db, &err);
    else
        store_rollback(db);
    store_close(db);
    if (rc) return cli_fail(&err);
    if (c->json) {
        char leaf[2 * AUDIT_HASH_BYTES + 1], root[2 * AUDIT_HASH_BYTES + 1],
            state[2 * AUDIT_HASH_BYTES + 1];
        ph_hex(r.audit.leaf_hash, AUDIT_HASH_BYTES, leaf);
        ph_hex(r.audit.root_hash, AUDIT_HASH_BYTES, root);
        ph_hex(r.audit.state_sha256, AUDIT_HASH_BYTES, state);
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "reference", reference, "event",
                      event, "from", r.from, "to", r.to, "criteria", r.criteria, "criteria_version",
                      r.criteria_version, "actor", u.name, "time", r.audit.time);
        json_object_set_new(j, "audit",
                            json_pack("{s:I, s:I, s:s, s:s, s:s}", "sequence",
                                      (json_int_t)r.audit.seq, "tree_size",
                                      (json_int_t)r.audit.tree_size, "leaf_hash", leaf, "root_hash",
                                      root, "state_sha256", state));
        cli_print_json(j);
    } else if (r.criteria[0]) {
        printf("%s: %s -> %s (criteria %s, %s); audit entry %llu, tree size %llu\n", reference,
               r.from, r.to, r.criteria, r.criteria_version, (unsigned long long)r.audit.seq,
               (unsigned long long)r.audit.tree_size);
    } else {
        printf("%s: %s -> %s; audit entry %llu, tree size %llu\n", reference, r.from, r.to,
               (unsigned long long)r.audit.seq, (unsigned long long)r.audit.tree_size);
    }
    return 0;
}

int cli_licences_expire(const cli_common *c, const char *as_of, const char *actor, long batch) {
    if (!actor) actor = cli_default_actor();
    if (!actor) return cli_usage("licences", "cannot tell who is acting; give --actor NAME");
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    auth_user u;
    int rc = licence_actor(db, actor, &u, &err);
    register_expiry e = {
        .as_of = as_of, .actor = u.name, .actor_role = auth_role_name(u.role), .batch = batch};
    register_expiry_report rep = {0};
    if (!rc) rc = register_licences_expire(db, &e, &rep, &err);
    store_close(db);
    if (rc) {
        /* Whole batches are kept: say how far it got before the failure. */
        if (rep.n)
            fprintf(stderr,
                    "penholder: %zu %s expired before the failure (whole batches are kept); "
                    "run again to carry on\n",
                    rep.n, rep.n == 1 ? "licence" : "licences");
        register_expiry_report_free(&rep);
        return cli_fail(&err);
    }
    if (c->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < rep.n; i++)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "reference",
                                                  rep.licences[i].reference, "expires_on",
                                                  rep.licences[i].expires_on, "from",
                                                  rep.licences[i].from, "audit_sequence",
                                                  (json_int_t)rep.licences[i].audit_seq));
        cli_print_json(json_pack("{s:s, s:s, s:I, s:o}", "as_of", rep.as_of, "actor", u.name,
                                 "expired", (json_int_t)rep.n, "licences", list));
    } else {
        char n[32];
        cli_format_int((int64_t)rep.n, n, sizeof n);
        printf("%s %s expired (end date before %s)\n", n, rep.n == 1 ? "licence" : "licences",
               rep.as_of);
    }
    register_expiry_report_free(&rep);
    return 0;
}
