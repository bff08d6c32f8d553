/* assess — choosing the policy in force, running it, and the result. */
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"
#include "audit/audit.h"

/* ---- policies: built in and installed ---- */

static int is_builtin_policy(const ph_embedded *e) {
    size_t n = strlen(e->name);
    return strncmp(e->name, ASSESS_POLICY_DIR, strlen(ASSESS_POLICY_DIR)) == 0 && n > 7 &&
           strcmp(e->name + n - 7, ".policy") == 0;
}

/* Calls `each` for every candidate policy: built-in first, then installed
 * in the order they were installed. Stops at the first error. */
typedef int (*policy_visit)(void *ctx, policy *p, int installed, const char *origin, ph_err *err);

static int visit_policies(store *db, const assess_context *actx, policy_visit each, void *ctx,
                          ph_err *err) {
    for (size_t i = 0; i < ph_embedded_count; i++) {
        const ph_embedded *e = &ph_embedded_files[i];
        if (!is_builtin_policy(e)) continue;
        policy *p;
        if (assess_policy_parse(actx, e->name, e->data, e->len, &p, err)) {
            ph_err_prefix(err, "built-in policy: ");
            return err->rc;
        }
        char origin[256];
        snprintf(origin, sizeof origin, "built-in %s", e->name);
        if (each(ctx, p, 0, origin, err)) return err->rc;
    }
    if (!db) return PH_OK;
    store_stmt *st;
    if (store_prepare(db, "SELECT file_name, text, installed_at FROM policy_version ORDER BY id",
                      &st, err))
        return err->rc;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *name = store_col_text(st, 0), *text = store_col_text(st, 1);
        policy *p;
        if (assess_policy_parse(actx, name, text, strlen(text), &p, err)) {
            ph_err_prefix(err, "installed policy no longer checks against penholder's reference "
                               "data: ");
            rc = err->rc;
            break;
        }
        char origin[512];
        snprintf(origin, sizeof origin, "installed %s from %s", store_col_text(st, 2), name);
        if (each(ctx, p, 1, origin, err)) {
            rc = err->rc;
            break;
        }
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

typedef struct choice {
    const char *date;
    policy *best;
    int best_installed;
} choice;

static int choose(void *c, policy *p, int installed, const char *origin, ph_err *err) {
    (void)origin;
    (void)err;
    choice *ch = c;
    int better = policy_in_force(p, ch->date) &&
                 (!ch->best || strcmp(policy_valid_from(p), policy_valid_from(ch->best)) > 0 ||
                  (strcmp(policy_valid_from(p), policy_valid_from(ch->best)) == 0 &&
                   (installed || !ch->best_installed)));
    if (better) {
        policy_free(ch->best);
        ch->best = p;
        ch->best_installed = installed;
    } else {
        policy_free(p);
    }
    return PH_OK;
}

int assess_policy_in_force(store *db, const assess_context *ctx, const char *date, policy **out,
                           ph_err *err) {
    *out = NULL;
    choice ch = {date, NULL, 0};
    if (visit_policies(db, ctx, choose, &ch, err)) {
        policy_free(ch.best);
        return err->rc;
    }
    if (!ch.best)
        return ph_fail(err, PH_ENOTFOUND,
                       "no policy is in force on %s (see `penholder policy list`); give one "
                       "with --policy FILE",
                       date);
    *out = ch.best;
    return PH_OK;
}

typedef struct listing {
    assess_policy_entry *v;
    size_t n, cap;
} listing;

static int list_one(void *c, policy *p, int installed, const char *origin, ph_err *err) {
    (void)installed;
    (void)err;
    listing *l = c;
    l->v = ph_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    assess_policy_entry *e = &l->v[l->n++];
    e->policy_id = ph_strdup(policy_id(p));
    e->version = ph_strdup(policy_version(p));
    e->valid_from = ph_strdup(policy_valid_from(p));
    e->valid_to = ph_strdup(policy_valid_to(p));
    e->sha256 = ph_strdup(policy_sha256(p));
    e->origin = ph_strdup(origin);
    policy_free(p);
    return PH_OK;
}

int assess_policy_list(store *db, const assess_context *ctx, assess_policy_entry **out, size_t *n,
                       ph_err *err) {
    listing l = {0};
    int rc = visit_policies(db, ctx, list_one, &l, err);
    if (rc) {
        assess_policy_entries_free(l.v, l.n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return PH_OK;
}

void assess_policy_entries_free(assess_policy_entry *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].policy_id);
        free(v[i].version);
        free(v[i].valid_from);
        free(v[i].valid_to);
        free(v[i].sha256);
        free(v[i].origin);
    }
    free(v);
}

int assess_policy_version_state(store *db, const char *id, ph_buf *out, ph_err *err) {
    out->len = 0;
    const char *colon = strchr(id, ':');
    if (!colon || colon == id || !colon[1])
        return ph_fail(err, PH_ENOTFOUND, "'%s' is not a policy version (POLICY:VERSION)", id);
    char pid[256];
    if ((size_t)(colon - id) >= sizeof pid)
        return ph_fail(err, PH_ENOTFOUND, "'%s' is not a policy version", id);
    memcpy(pid, id, (size_t)(colon - id));
    pid[colon - id] = '\0';
    int64_t found;
    int rc = store_one_int(db, &found, err,
                           "SELECT id FROM policy_version WHERE policy_id = ? AND version = ?",
                           "tt", pid, colon + 1);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "policy version %s: none", id);
    if (rc) return rc;
    return audit_canon_rows(db, out, err,
                            "SELECT policy_id, version, valid_from, valid_to, sha256, file_name, "
                            "installed_at FROM policy_version WHERE id = ? ORDER BY id",
                            "i", found);
}

static int policy_audit(store *db, const char *actor, const policy *p, ph_err *err) {
    char id[512];
    snprintf(id, sizeof id, "%s:%s", policy_id(p), policy_version(p));
    return audit_append_object(db, actor, "policy.install", ASSESS_POLICY_OBJECT, id,
                               assess_policy_version_state, err);
}

int assess_policy_install(store *db, const char *actor, const assess_context *ctx, const char *path,
                          int *already, policy **out, ph_err *err) {
    *already = 0;
    *out = NULL;
    if (!actor || !*actor)
        return ph_fail(err, PH_EUSAGE, "the actor is required (who installs the policy)");
    char *text;
    size_t len;
    if (ph_read_file(path, POLICY_MAX_FILE, &text, &len, err)) return err->rc;
    policy *p;
    if (assess_policy_parse(ctx, path, text, len, &p, err)) {
        free(text);
        return err->rc;
    }
    /* A built-in policy with the same id and version but other text. */
    for (size_t i = 0; i < ph_embedded_count; i++) {
        const ph_embedded *e = &ph_embedded_files[i];
        if (!is_builtin_policy(e)) continue;
        policy *b;
        if (assess_policy_parse(ctx, e->name, e->data, e->len, &b, err)) break;
        int clash = strcmp(policy_id(b), policy_id(p)) == 0 &&
                    strcmp(policy_version(b), policy_version(p)) == 0 &&
                    strcmp(policy_sha256(b), policy_sha256(p)) != 0;
        policy_free(b);
        if (clash) {
            ph_fail(err, PH_ECONFLICT,
                    "%s: policy %s version %s is built into penholder with other text; give "
                    "your text a new version",
                    path, policy_id(p), policy_version(p));
            break;
        }
    }
    int rc = err->rc;
    if (!rc) rc = store_begin(db, err);
    if (!rc) {
        store_stmt *st;
        rc = store_prepare(
            db, "SELECT sha256 FROM policy_version WHERE policy_id = ? AND version = ?", &st, err);
        if (!rc) {
            store_bind_text(st, 1, policy_id(p));
            store_bind_text(st, 2, policy_version(p));
            int step = store_step(st, err);
            if (step == STORE_ROW) {
                if (strcmp(store_col_text(st, 0), policy_sha256(p)) == 0)
                    *already = 1;
                else
                    rc = ph_fail(err, PH_ECONFLICT,
                                 "%s: policy %s version %s is already installed with other "
                                 "text; give your text a new version",
                                 path, policy_id(p), policy_version(p));
            } else if (step != STORE_DONE) {
                rc = step;
            }
            store_finalize(st);
        }
        if (!rc && !*already) {
            char now[21];
            ph_now_iso(now);
            rc = store_run(db, err,
                           "INSERT INTO policy_version(policy_id, version, valid_from, valid_to, "
                           "sha256, file_name, text, installed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           "tttttttt", policy_id(p), policy_version(p), policy_valid_from(p),
                           policy_valid_to(p)[0] ? policy_valid_to(p) : NULL, policy_sha256(p),
                           path, text, now);
            if (!rc) rc = policy_audit(db, actor, p, err);
        }
        if (!rc) rc = store_commit(db, err);
        if (rc) store_rollback(db);
    }
    free(text);
    if (rc) {
        policy_free(p);
        return rc;
    }
    *out = p;
    return PH_OK;
}

/* ---- running ---- */

void assess_result_init(assess_result *r) {
    memset(r, 0, sizeof *r);
    policy_result_init(&r->outcome);
}

void assess_result_free(assess_result *r) {
    policy_result_free(&r->outcome);
    memset(r, 0, sizeof *r);
}

int assess_run(const policy *p, const assess_facts *f, const assess_evidence_snapshot *snapshot,
               assess_result *out, ph_err *err) {
    out->policy = p;
    out->facts = *assess_facts_view(f);
    const policy_evidence *views;
    assess_snapshot_slice(snapshot, out->facts.destination, &out->evidence, &views,
                          &out->nevidence);
    out->facts.evidence = views;
    out->facts.nevidence = out->nevidence;
    return policy_eval(p, &out->facts, &out->outcome, err);
}

const char *assess_recommendation(const assess_result *r) {
    return policy_enum_name(POLICY_ENUM_RECOMMENDATION, r->outcome.recommendation);
}

void assess_finding_reason(const assess_result *r, size_t i, ph_buf *out) {
    policy_reason(r->policy, &r->facts, &r->outcome, i, out);
}

void assess_evidence_sha256(const assess_result *r, char out[PH_SHA256_HEX]) {
    ph_buf b;
    ph_buf_init(&b);
    for (size_t i = 0; i < r->nevidence; i++) {
        const assess_evidence *e = &r->evidence[i];
        ph_buf_printf(&b, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e->ref, e->destination,
                      policy_enum_name(POLICY_ENUM_TOPIC, e->topic),
                      policy_enum_name(POLICY_ENUM_SEVERITY, e->severity),
                      policy_enum_name(POLICY_ENUM_RELIABILITY, e->reliability),
                      policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification),
                      e->source_date, e->valid_from, e->valid_to, e->source, e->summary);
    }
    ph_sha256_hex(b.data ? b.data : "", b.len, out);
    ph_buf_free(&b);
}

json_t *assess_result_json(const assess_context *ctx, const assess_result *r, const char *as_of) {
    const policy *p = r->policy;
    const policy_facts *f = &r->facts;
    json_t *j = json_object();
    json_object_set_new(j, "reference", json_string(f->reference));
    json_object_set_new(j, "destination", json_string(f->destination));
    json_object_set_new(j, "destination_name", json_string(f->destination_name));
    json_object_set_new(j, "recommendation", json_string(assess_recommendation(r)));
    if (as_of) json_object_set_new(j, "as_of", json_string(as_of));
    json_object_set_new(j, "policy",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", policy_id(p), "version",
                                  policy_version(p), "sha256", policy_sha256(p), "criteria",
                                  policy_criteria(p), "capabilities_sha256",
                                  assess_capabilities_sha256(ctx)));
    char sha[PH_SHA256_HEX];
    assess_evidence_sha256(r, sha);
    json_t *entries = json_array();
    for (size_t i = 0; i < r->nevidence; i++) {
        const assess_evidence *e = &r->evidence[i];
        json_array_append_new(
            entries,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", e->ref, "topic",
                      policy_enum_name(POLICY_ENUM_TOPIC, e->topic), "severity",
                      policy_enum_name(POLICY_ENUM_SEVERITY, e->severity), "reliability",
                      policy_enum_name(POLICY_ENUM_RELIABILITY, e->reliability), "classification",
                      policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification), "source",
                      e->source, "source_date", e->source_date));
    }
    json_object_set_new(j, "evidence_snapshot",
                        json_pack("{s:s, s:o}", "sha256", sha, "entries", entries));
    json_t *findings = json_array();
    ph_buf reason;
    ph_buf_init(&reason);
    for (size_t i = 0; i < r->outcome.nfindings; i++) {
        const policy_finding *fd = &r->outcome.findings[i];
        ph_buf_reset(&reason);
        policy_reason(p, f, &r->outcome, i, &reason);
        json_t *ids = json_array();
        json_t *lines = json_array();
        for (uint32_t k = 0; k < fd->nbindings; k++) {
            uint32_t b = r->outcome.bindings[fd->first_binding + k];
            size_t at = POLICY_BINDING_INDEX(b);
            if (POLICY_BINDING_COLLECTION(b) == POLICY_EVIDENCE)
                json_array_append_new(ids, json_string(f->evidence[at].id));
            else if (POLICY_BINDING_COLLECTION(b) == POLICY_GOODS)
                json_array_append_new(lines, json_integer((json_int_t)at + 1));
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "criterion",
                              policy_criterion(p, (size_t)fd->criterion), "outcome",
                              policy_enum_name(POLICY_ENUM_OUTCOME, fd->outcome), "rule",
                              policy_finding_rule(p, &r->outcome, i), "reason",
                              reason.data ? reason.data : "", "evidence", ids);
        if (json_array_size(lines))
            json_object_set_new(o, "lines", lines);
        else
            json_decref(lines);
        json_array_append_new(findings, o);
    }
    ph_buf_free(&reason);
    json_object_set_new(j, "findings", findings);
    return j;
}

int assess_record(store *db, const assess_result *r, const char *as_of, const char *result_json,
                  int64_t *id, ph_err *err) {
    char sha[PH_SHA256_HEX], now[21];
    assess_evidence_sha256(r, sha);
    ph_now_iso(now);
    if (store_begin(db, err)) return err->rc;
    int rc = store_run(
        db, err,
        "INSERT INTO assessment(reference, destination, recommendation, policy_id, "
        "policy_version, policy_sha256, evidence_sha256, as_of, result, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "tttttttttt", r->facts.reference[0] ? r->facts.reference : NULL, r->facts.destination,
        assess_recommendation(r), policy_id(r->policy), policy_version(r->policy),
        policy_sha256(r->policy), sha, as_of, result_json, now);
    if (!rc) *id = store_last_id(db);
    if (!rc) rc = store_commit(db, err);
    if (rc) store_rollback(db);
    return rc;
}
