/* penholder licences suspend|reinstate|revoke REF --reason TEXT --criteria LIST [--actor NAME] */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "register/register.h"

int cli_licence_status(const cli_common *c, const char *event, const char *reference,
                       const char *reason, const char *criteria, const char *actor) {
    if (!reason) return cli_usage("licences", "%s needs --reason TEXT", event);
    if (!actor) actor = cli_default_actor();
    if (!actor) return cli_usage("licences", "cannot tell who is acting; give --actor NAME");
    ph_err err = {0};
    store *db;
    if (cli_open_db(c, 0, &db, &err)) return cli_fail(&err);
    register_status_change ch = {.reference = reference,
                                 .event = event,
                                 .reason = reason,
                                 .criteria = criteria,
                                 .actor = actor};
    register_status_result r;
    int rc = store_begin(db, &err);
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
                      r.criteria_version, "actor", actor, "time", r.audit.time);
        json_object_set_new(j, "audit",
                            json_pack("{s:I, s:I, s:s, s:s, s:s}", "sequence",
                                      (json_int_t)r.audit.seq, "tree_size",
                                      (json_int_t)r.audit.tree_size, "leaf_hash", leaf, "root_hash",
                                      root, "state_sha256", state));
        cli_print_json(j);
    } else {
        printf("%s: %s -> %s (criteria %s, %s); audit entry %llu, tree size %llu\n", reference,
               r.from, r.to, r.criteria, r.criteria_version, (unsigned long long)r.audit.seq,
               (unsigned long long)r.audit.tree_size);
    }
    return 0;
}
