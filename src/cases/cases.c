#include "cases.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "concern/concern.h"
#include "control/control.h"
#include "policy/policy.h"
#include "refdata/refdata.h"
#include "workflow/workflow.h"

/* SIELs last two years, open licences five. */
#define SIEL_VALID_DAYS 730
#define OPEN_VALID_DAYS 1826
#define MAX_TEXT 65536

static const char *const STAFF_ROLES[] = {"case_officer",
                                          "technical_assessor",
                                          "adviser",
                                          "countersigner",
                                          "decision_maker",
                                          "nominated_officer",
                                          "auditor",
                                          "admin",
                                          NULL};
static const char *const LICENCE_TYPES[] = {"SIEL", "OIEL", "SITCL", "OITCL", "SITL", "F680", NULL};
static const char *const PARTY_ROLES[] = {"end_user", "consignee", "ultimate_end_user",
                                          "third_party", NULL};
static const char *const PARTY_TYPES[] = {"government", "armed_forces", "police", "commercial",
                                          "individual", "other",        NULL};
static const char *const ADVICE_KINDS[] = {
    "approve", "approve_with_provisos", "refuse", "no_licence_required", "conflicting", NULL};

static int one_of(const char *s, const char *const *set) {
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0) return 1;
    return 0;
}

static void join_set(char *out, size_t size, const char *const *set) {
    size_t n = 0;
    out[0] = '\0';
    for (; *set && n < size; set++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", *set);
}

int cases_is_staff(const char *role) {
    return one_of(role, STAFF_ROLES);
}

void cases_hits_free(cases_hit *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].list);
        free(v[i].list_version);
        free(v[i].entity_id);
        free(v[i].listed_name);
        free(v[i].matched_name);
        free(v[i].explanation_json);
    }
    free(v);
}

static void today(const cases_services *svc, char out[11]) {
    if (svc && svc->today && *svc->today)
        ph_strlcpy(out, svc->today, 11);
    else
        ph_date_format(ph_date_today(), out);
}

/* ---- the case row ---- */

typedef struct case_row {
    int64_t id;
    char reference[CASES_REFERENCE_MAX];
    char type[8];
    char status[32];
    char organisation[256];
    char destination[REFDATA_CODE_MAX];
    char outcome[32];
    char decided_at[21];
    char submitted_at[21];
    int64_t version;
} case_row;

static int load_case(store *db, const cases_actor *who, const char *reference, case_row *c,
                     ph_err *err) {
    memset(c, 0, sizeof *c);
    store_stmt *st;
    if (store_prepare_cached(
            db,
            "SELECT id, reference, type, status, organisation, destination, outcome, decided_at, "
            "submitted_at, version FROM application WHERE reference = ?",
            &st, err))
        return err->rc;
    store_bind_text(st, 1, reference);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        c->id = store_col_int(st, 0);
        ph_strlcpy(c->reference, store_col_text(st, 1), sizeof c->reference);
        ph_strlcpy(c->type, store_col_text(st, 2), sizeof c->type);
        ph_strlcpy(c->status, store_col_text(st, 3), sizeof c->status);
        ph_strlcpy(c->organisation, store_col_text(st, 4), sizeof c->organisation);
        ph_strlcpy(c->destination, store_col_text(st, 5), sizeof c->destination);
        ph_strlcpy(c->outcome, store_col_text(st, 6) ? store_col_text(st, 6) : "",
                   sizeof c->outcome);
        ph_strlcpy(c->decided_at, store_col_text(st, 7) ? store_col_text(st, 7) : "",
                   sizeof c->decided_at);
        ph_strlcpy(c->submitted_at, store_col_text(st, 8) ? store_col_text(st, 8) : "",
                   sizeof c->submitted_at);
        c->version = store_col_int(st, 9);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no case with reference '%s'", reference);
    }
    store_finalize(st);
    /* An exporter never learns that another organisation's case exists. */
    if (!rc && who && !cases_is_staff(who->role) &&
        (!who->organisation || strcmp(who->organisation, c->organisation) != 0))
        rc = ph_fail(err, PH_ENOTFOUND, "no case with reference '%s'", reference);
    return rc;
}

static int check_version(const case_row *c, int64_t if_version, ph_err *err) {
    if (if_version > 0 && if_version != c->version)
        return ph_fail(
            err, PH_ESTALE,
            "case %s has changed since you read it (version %lld, you have %lld); read it again",
            c->reference, (long long)c->version, (long long)if_version);
    return PH_OK;
}

static int require_role(const cases_actor *who, const char *roles, const char *what, ph_err *err) {
    wf_transition t = {"", "", "", roles, NULL, ""};
    if (!wf_role_allowed(&t, who->role))
        return ph_fail(err, PH_EFORBIDDEN, "%s is for %s; you are %s", what, roles,
                       who->role ? who->role : "nobody");
    return PH_OK;
}

/* Bumps the version and appends the audit entry, inside the transaction. */
static int record(store *db, const cases_actor *who, const case_row *c, const char *action,
                  ph_err *err) {
    if (store_run(db, err, "UPDATE application SET version = version + 1 WHERE id = ?", "i", c->id))
        return err->rc;
    char verb[64];
    snprintf(verb, sizeof verb, "case.%s", action);
    audit_event ev = {
        .actor = who->name, .action = verb, .object_type = "case", .object_id = c->reference};
    return audit_append(db, &ev, NULL, err);
}

/* Runs body inside a transaction with the case loaded and checked. */
typedef int (*case_body)(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err);

static int with_case(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                     case_body body, void *arg, ph_err *err) {
    if (!who || !who->name || !who->role) return ph_fail(err, PH_EFORBIDDEN, "no one is acting");
    if (store_begin(db, err)) return err->rc;
    case_row c;
    int rc = load_case(db, who, reference, &c, err);
    if (!rc) rc = check_version(&c, if_version, err);
    if (!rc) rc = body(db, who, &c, arg, err);
    if (!rc)
        rc = store_commit(db, err);
    else
        store_rollback(db);
    return rc;
}

/* ---- the application JSON ---- */

static int text_field(json_t *obj, const char *key, const char *path, int required, size_t max,
                      const char **out, ph_err *err) {
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) return ph_fail(err, PH_EUSAGE, "%s%s: required", path, key);
        return PH_OK;
    }
    if (!json_is_string(v)) return ph_fail(err, PH_EUSAGE, "%s%s: expected a string", path, key);
    const char *s = json_string_value(v);
    if (required && !*s) return ph_fail(err, PH_EUSAGE, "%s%s: must not be empty", path, key);
    if (strlen(s) > max)
        return ph_fail(err, PH_EUSAGE, "%s%s: longer than %zu bytes", path, key, max);
    *out = s;
    return PH_OK;
}

static int only_keys(json_t *obj, const char *path, const char *const *allowed, ph_err *err) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        if (!one_of(key, allowed)) {
            char set[512];
            join_set(set, sizeof set, allowed);
            return ph_fail(err, PH_EUSAGE, "%s%s: unknown field (expected %s)", path, key, set);
        }
    }
    return PH_OK;
}

/* Reads and checks an application and stores its content for case `id`
 * (replacing parties and goods). */
static int store_application(store *db, int64_t id, const char *json, size_t len, int creating,
                             char type_out[8], ph_err *err) {
    if (len > CASES_MAX_BODY)
        return ph_fail(err, PH_EUSAGE, "application: larger than %u bytes", CASES_MAX_BODY);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ph_fail(err, PH_EUSAGE, "application: line %d column %d: %s", jerr.line, jerr.column,
                       jerr.text);
    int rc = PH_OK;
    static const char *const top[] = {"reference", "type",  "destination", "end_use", "exporter",
                                      "parties",   "goods", "temporary",   NULL};
    static const char *const pkeys[] = {"role", "name", "country", "type", "address", NULL};
    static const char *const gkeys[] = {"description", "rating", "quantity", "value_gbp", NULL};
    const char *type, *dest, *end_use, *exporter;
    char dcode[REFDATA_CODE_MAX];
    if (!json_is_object(root)) {
        rc = ph_fail(err, PH_EUSAGE, "application: expected a JSON object");
        goto done;
    }
    if ((rc = only_keys(root, "", top, err)) ||
        (rc = text_field(root, "type", "", 1, 8, &type, err)) ||
        (rc = text_field(root, "destination", "", 1, 128, &dest, err)) ||
        (rc = text_field(root, "end_use", "", 1, MAX_TEXT, &end_use, err)) ||
        (rc = text_field(root, "exporter", "", 1, 256, &exporter, err)))
        goto done;
    if (!one_of(type, LICENCE_TYPES)) {
        char set[128];
        join_set(set, sizeof set, LICENCE_TYPES);
        rc = ph_fail(err, PH_EUSAGE, "type: '%s' is not one of %s", type, set);
        goto done;
    }
    if (!creating && strcmp(type, type_out) != 0) {
        rc = ph_fail(err, PH_EUSAGE, "type: a draft cannot change its licence type (it is %s)",
                     type_out);
        goto done;
    }
    ph_strlcpy(type_out, type, 8);
    if (refdata_resolve_destination(db, dest, dcode, err)) {
        rc = ph_err_prefix(err, "destination: ");
        err->rc = rc = PH_EUSAGE;
        goto done;
    }
    json_t *temp = json_object_get(root, "temporary");
    if (temp && !json_is_boolean(temp)) {
        rc = ph_fail(err, PH_EUSAGE, "temporary: expected true or false");
        goto done;
    }
    json_t *parties = json_object_get(root, "parties"), *goods = json_object_get(root, "goods");
    if (!json_is_array(parties)) {
        rc = ph_fail(err, PH_EUSAGE, "parties: expected an array");
        goto done;
    }
    if (!json_is_array(goods)) {
        rc = ph_fail(err, PH_EUSAGE, "goods: expected an array");
        goto done;
    }
    if (json_array_size(parties) > 1000 || json_array_size(goods) > 10000) {
        rc = ph_fail(err, PH_EUSAGE, "application: too many parties or goods lines");
        goto done;
    }
    if ((rc = store_run(db, err,
                        "UPDATE application SET type = ?, temporary = ?, exporter = ?, destination "
                        "= ?, end_use = ? "
                        "WHERE id = ?",
                        "tittti", type, (int64_t)(temp && json_is_true(temp)), exporter, dcode,
                        end_use, id)))
        goto done;
    if ((rc = store_run(db, err, "DELETE FROM application_party WHERE application_id = ?", "i",
                        id)) ||
        (rc =
             store_run(db, err, "DELETE FROM application_goods WHERE application_id = ?", "i", id)))
        goto done;
    size_t i;
    json_t *p;
    json_array_foreach(parties, i, p) {
        char path[48];
        snprintf(path, sizeof path, "parties[%zu].", i);
        if (!json_is_object(p)) {
            rc = ph_fail(err, PH_EUSAGE, "parties[%zu]: expected an object", i);
            goto done;
        }
        const char *role, *name, *country, *ptype, *address;
        if ((rc = only_keys(p, path, pkeys, err)) ||
            (rc = text_field(p, "role", path, 1, 32, &role, err)) ||
            (rc = text_field(p, "name", path, 1, 512, &name, err)) ||
            (rc = text_field(p, "country", path, 1, 128, &country, err)) ||
            (rc = text_field(p, "type", path, 1, 32, &ptype, err)) ||
            (rc = text_field(p, "address", path, 0, 1024, &address, err)))
            goto done;
        char set[160];
        if (!one_of(role, PARTY_ROLES)) {
            join_set(set, sizeof set, PARTY_ROLES);
            rc = ph_fail(err, PH_EUSAGE, "%srole: '%s' is not one of %s", path, role, set);
            goto done;
        }
        if (!one_of(ptype, PARTY_TYPES)) {
            join_set(set, sizeof set, PARTY_TYPES);
            rc = ph_fail(err, PH_EUSAGE, "%stype: '%s' is not one of %s", path, ptype, set);
            goto done;
        }
        char ccode[REFDATA_CODE_MAX];
        if (refdata_resolve_destination(db, country, ccode, err)) {
            ph_err_prefix(err, "%scountry: ", path);
            rc = err->rc = PH_EUSAGE;
            goto done;
        }
        if ((rc = store_run(db, err,
                            "INSERT INTO application_party(application_id, party_no, role, name, "
                            "country, type, "
                            "address) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            "iittttt", id, (int64_t)i + 1, role, name, ccode, ptype, address)))
            goto done;
    }
    json_t *g;
    json_array_foreach(goods, i, g) {
        char path[48];
        snprintf(path, sizeof path, "goods[%zu].", i);
        if (!json_is_object(g)) {
            rc = ph_fail(err, PH_EUSAGE, "goods[%zu]: expected an object", i);
            goto done;
        }
        const char *desc, *rating;
        if ((rc = only_keys(g, path, gkeys, err)) ||
            (rc = text_field(g, "description", path, 1, 2048, &desc, err)) ||
            (rc = text_field(g, "rating", path, 1, CONTROL_RATING_MAX - 1, &rating, err)))
            goto done;
        json_t *q = json_object_get(g, "quantity"), *v = json_object_get(g, "value_gbp");
        int64_t quantity = -1, pence = -1;
        if (q && !json_is_null(q)) {
            if (!json_is_integer(q) || json_integer_value(q) < 0) {
                rc =
                    ph_fail(err, PH_EUSAGE, "%squantity: expected a whole number, 0 or more", path);
                goto done;
            }
            quantity = json_integer_value(q);
        }
        if (v && !json_is_null(v)) {
            double pounds = json_number_value(v);
            if (!json_is_number(v) || pounds < 0 || pounds > 1e13 || !isfinite(pounds)) {
                rc = ph_fail(err, PH_EUSAGE, "%svalue_gbp: expected an amount in pounds, 0 or more",
                             path);
                goto done;
            }
            pence = (int64_t)llround(pounds * 100.0);
        }
        char display[CONTROL_RATING_MAX];
        control_rating_display(rating, display, sizeof display);
        store_stmt *st;
        if ((rc = store_prepare(
                 db,
                 "INSERT INTO application_goods(application_id, line_no, description, rating, "
                 "quantity, value_pence) VALUES (?, ?, ?, ?, ?, ?)",
                 &st, err)))
            goto done;
        store_bind_int(st, 1, id);
        store_bind_int(st, 2, (int64_t)i + 1);
        store_bind_text(st, 3, desc);
        store_bind_text(st, 4, display);
        if (quantity >= 0)
            store_bind_int(st, 5, quantity);
        else
            store_bind_null(st, 5);
        if (pence >= 0)
            store_bind_int(st, 6, pence);
        else
            store_bind_null(st, 6);
        int s = store_step(st, err);
        store_finalize(st);
        if (s != STORE_DONE) {
            rc = s;
            goto done;
        }
    }
done:
    json_decref(root);
    return rc;
}

/* GB<TYPE>/<YEAR>/<NNNNNNN>/<P|T> from a per type and year counter. */
static int allocate_reference(store *db, const char *type, int temporary, const char *date,
                              char out[CASES_REFERENCE_MAX], ph_err *err) {
    int64_t year =
        (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
    if (store_run(db, err,
                  "INSERT INTO case_reference_counter(type, year, next) VALUES (?, ?, 1) "
                  "ON CONFLICT(type, year) DO UPDATE SET next = next + 1",
                  "ti", type, year))
        return err->rc;
    int64_t n;
    if (store_one_int(db, &n, err,
                      "SELECT next FROM case_reference_counter WHERE type = ? AND year = ?", "ti",
                      type, year))
        return err->rc;
    snprintf(out, CASES_REFERENCE_MAX, "GB%s/%04lld/%07lld/%c", type, (long long)year, (long long)n,
             temporary ? 'T' : 'P');
    return PH_OK;
}

int cases_create(store *db, const cases_actor *who, const char *json, size_t len,
                 char reference[CASES_REFERENCE_MAX], ph_err *err) {
    reference[0] = '\0';
    if (!who || !who->name || !who->role) return ph_fail(err, PH_EFORBIDDEN, "no one is acting");
    if (require_role(who, "exporter", "creating an application", err)) return err->rc;
    if (!who->organisation || !*who->organisation)
        return ph_fail(err, PH_EFORBIDDEN, "%s belongs to no exporter organisation", who->name);
    /* The reference depends on the type and on temporary export: read them
     * first; store_application checks everything else. */
    char type[8] = "";
    int temporary = 0;
    json_t *root = json_loadb(json, len > CASES_MAX_BODY ? 0 : len, JSON_REJECT_DUPLICATES, NULL);
    json_t *t = json_object_get(root, "type"), *tmp = json_object_get(root, "temporary");
    if (json_is_string(t) && one_of(json_string_value(t), LICENCE_TYPES))
        ph_strlcpy(type, json_string_value(t), sizeof type);
    temporary = json_is_true(tmp);
    json_decref(root);
    if (!type[0])
        ph_strlcpy(type, "SIEL", sizeof type); /* store_application reports the real problem */
    char now[21];
    ph_now_iso(now);
    if (store_begin(db, err)) return err->rc;
    int rc = allocate_reference(db, type, temporary, now, reference, err);
    if (!rc)
        rc = store_run(
            db, err,
            "INSERT INTO application(reference, type, temporary, status, organisation, exporter, "
            "destination, end_use, created_by, created_at) VALUES (?, ?, ?, 'draft', ?, '', "
            "(SELECT min(code) FROM destination), '', ?, ?)",
            "ttittt", reference, type, (int64_t)temporary, who->organisation, who->name, now);
    int64_t id = store_last_id(db);
    if (!rc) rc = store_application(db, id, json, len, 1, type, err);
    if (!rc) {
        audit_event ev = {.actor = who->name,
                          .action = "case.create",
                          .object_type = "case",
                          .object_id = reference};
        rc = audit_append(db, &ev, NULL, err);
    }
    if (!rc)
        rc = store_commit(db, err);
    else {
        store_rollback(db);
        reference[0] = '\0';
    }
    return rc;
}

typedef struct update_arg {
    const char *json;
    size_t len;
} update_arg;

static int update_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    update_arg *a = arg;
    if (strcmp(c->status, "draft") != 0)
        return ph_fail(err, PH_ECONFLICT, "case %s is %s: only a draft can be changed",
                       c->reference, c->status);
    if (require_role(who, "exporter", "changing a draft", err)) return err->rc;
    char type[8];
    ph_strlcpy(type, c->type, sizeof type);
    if (store_application(db, c->id, a->json, a->len, 0, type, err)) return err->rc;
    return record(db, who, c, "update", err);
}

int cases_update(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                 const char *json, size_t len, ph_err *err) {
    update_arg a = {json, len};
    return with_case(db, who, reference, if_version, update_body, &a, err);
}

/* ---- the application as JSON (what is assessed) ---- */

static json_t *application_object(store *db, int64_t id, ph_err *err) {
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT reference, type, destination, end_use, exporter, temporary FROM "
                      "application WHERE id = ?",
                      &st, err))
        return NULL;
    store_bind_int(st, 1, id);
    json_t *app = NULL;
    if (store_step(st, err) == STORE_ROW) {
        app = json_pack("{s:s, s:s, s:s, s:s, s:s}", "reference", store_col_text(st, 0), "type",
                        store_col_text(st, 1), "destination", store_col_text(st, 2), "end_use",
                        store_col_text(st, 3), "exporter", store_col_text(st, 4));
        if (store_col_int(st, 5)) json_object_set_new(app, "temporary", json_true());
    }
    store_finalize(st);
    if (!app) return NULL;
    json_t *parties = json_array(), *goods = json_array();
    json_object_set_new(app, "parties", parties);
    json_object_set_new(app, "goods", goods);
    if (store_prepare(db,
                      "SELECT role, name, country, type, address FROM application_party WHERE "
                      "application_id = ? "
                      "ORDER BY party_no",
                      &st, err))
        goto fail;
    store_bind_int(st, 1, id);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "role", store_col_text(st, 0), "name",
                              store_col_text(st, 1), "country", store_col_text(st, 2), "type",
                              store_col_text(st, 3));
        if (store_col_text(st, 4))
            json_object_set_new(p, "address", json_string(store_col_text(st, 4)));
        json_array_append_new(parties, p);
    }
    store_finalize(st);
    if (rc != STORE_DONE) goto fail;
    /* The rating confirmed by a technical assessor is the one assessed. */
    if (store_prepare(
            db,
            "SELECT description, COALESCE(assessed_rating, rating), quantity, value_pence "
            "FROM application_goods WHERE application_id = ? ORDER BY line_no",
            &st, err))
        goto fail;
    store_bind_int(st, 1, id);
    while ((rc = store_step(st, err)) == STORE_ROW) {
        json_t *g = json_pack("{s:s, s:s}", "description", store_col_text(st, 0), "rating",
                              store_col_text(st, 1));
        if (!store_col_is_null(st, 2))
            json_object_set_new(g, "quantity", json_integer(store_col_int(st, 2)));
        if (!store_col_is_null(st, 3))
            json_object_set_new(g, "value_gbp", json_real((double)store_col_int(st, 3) / 100.0));
        json_array_append_new(goods, g);
    }
    store_finalize(st);
    if (rc != STORE_DONE) goto fail;
    return app;
fail:
    json_decref(app);
    return NULL;
}

int cases_application_json(store *db, const char *reference, char **json, ph_err *err) {
    *json = NULL;
    case_row c;
    if (load_case(db, NULL, reference, &c, err)) return err->rc;
    json_t *app = application_object(db, c.id, err);
    if (!app) return err->rc ? err->rc : PH_ERR;
    *json = json_dumps(app, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(app);
    return PH_OK;
}

/* ---- guards ---- */

static int count_of(store *db, ph_err *err, int64_t *n, const char *sql, int64_t id) {
    return store_one_int(db, n, err, sql, "i", id);
}

static int guard_application_complete(store *db, const case_row *c, ph_err *err) {
    int64_t goods, end_users;
    if (count_of(db, err, &goods, "SELECT count(*) FROM application_goods WHERE application_id = ?",
                 c->id) ||
        count_of(
            db, err, &end_users,
            "SELECT count(*) FROM application_party WHERE application_id = ? AND role = 'end_user'",
            c->id))
        return err->rc;
    if (!goods)
        return ph_fail(err, PH_ECONFLICT,
                       "case %s has no goods lines: add at least one before submitting",
                       c->reference);
    if (!end_users)
        return ph_fail(err, PH_ECONFLICT, "case %s names no end user: add one before submitting",
                       c->reference);
    return PH_OK;
}

static int guard_goods_rated(store *db, const case_row *c, ph_err *err) {
    int64_t n;
    if (count_of(db, err, &n,
                 "SELECT count(*) FROM application_goods WHERE application_id = ? AND "
                 "assessed_rating IS NULL",
                 c->id))
        return err->rc;
    if (n)
        return ph_fail(err, PH_ECONFLICT,
                       "case %s: %lld goods line(s) have no confirmed rating yet", c->reference,
                       (long long)n);
    return PH_OK;
}

/* The current advice of each team: its newest revision. */
#define CURRENT_ADVICE                                                                             \
    "SELECT a.* FROM advice a WHERE a.application_id = ? AND a.revision = "                        \
    "(SELECT max(revision) FROM advice b WHERE b.application_id = a.application_id AND b.team = "  \
    "a.team)"

static int guard_advice_given(store *db, const case_row *c, ph_err *err) {
    int64_t n;
    if (count_of(db, err, &n, "SELECT count(*) FROM advice WHERE application_id = ?", c->id))
        return err->rc;
    if (!n) return ph_fail(err, PH_ECONFLICT, "case %s has no advice yet", c->reference);
    return PH_OK;
}

static int guard_ready_to_finalise(store *db, const cases_services *svc, const cases_actor *who,
                                   const case_row *c, const char *event,
                                   const cases_event_params *p, ph_err *err) {
    ph_buf why;
    ph_buf_init(&why);
    int64_t n;
    int rc = count_of(
        db, err, &n,
        "SELECT count(*) FROM screening_hit WHERE application_id = ? AND disposition IS NULL",
        c->id);
    if (!rc && n)
        ph_buf_printf(&why, "%s%lld screening hit(s) not disposed of", why.len ? "; " : "",
                      (long long)n);
    if (!rc)
        rc = count_of(db, err, &n,
                      "SELECT count(*) FROM rfi WHERE application_id = ? AND responded_at IS NULL",
                      c->id);
    if (!rc && n)
        ph_buf_printf(&why, "%s%lld request(s) for information still open", why.len ? "; " : "",
                      (long long)n);
    if (!rc)
        rc = count_of(db, err, &n, "SELECT count(*) FROM advice WHERE application_id = ?", c->id);
    if (!rc && !n) ph_buf_printf(&why, "%sno advice", why.len ? "; " : "");
    /* Every team's current advice needs an accepted countersignature. */
    store_stmt *st = NULL;
    if (!rc)
        rc = store_prepare(
            db,
            "SELECT cur.team FROM (" CURRENT_ADVICE ") cur WHERE NOT EXISTS "
            "(SELECT 1 FROM countersignature s WHERE s.advice_id = cur.id AND s.accepted = 1) "
            "ORDER BY cur.team",
            &st, err);
    if (!rc) {
        store_bind_int(st, 1, c->id);
        int s;
        while ((s = store_step(st, err)) == STORE_ROW)
            ph_buf_printf(&why, "%sadvice of team %s is not countersigned", why.len ? "; " : "",
                          store_col_text(st, 0));
        if (s != STORE_DONE) rc = s;
        store_finalize(st);
    }
    /* Open formal concerns about the case: they block the decision, or the
     * decision maker must name each one as read. */
    size_t open_concerns = 0;
    if (!rc && svc && svc->open_concerns) {
        char **ids = NULL;
        size_t nids = 0;
        rc = svc->open_concerns(svc->concerns_ctx, db, c->reference, &ids, &nids, err);
        open_concerns = nids;
        for (size_t i = 0; !rc && i < nids; i++) {
            if (svc->concerns_block) {
                ph_buf_printf(&why, "%sformal concern %s is open", why.len ? "; " : "", ids[i]);
                continue;
            }
            const char *ack = p && p->concerns_acknowledged ? p->concerns_acknowledged : "";
            size_t len = strlen(ids[i]);
            int named = 0;
            for (const char *q = ack; *q;) {
                size_t l = strcspn(q, ", ;");
                if (l == len && strncmp(q, ids[i], len) == 0) named = 1;
                q += l;
                while (*q == ',' || *q == ' ' || *q == ';')
                    q++;
            }
            if (!named)
                ph_buf_printf(&why, "%sformal concern %s is open: acknowledge it to decide",
                              why.len ? "; " : "", ids[i]);
        }
        for (size_t i = 0; i < nids; i++)
            free(ids[i]);
        free(ids);
    }
    if (!rc && why.len)
        rc =
            ph_fail(err, PH_ECONFLICT, "case %s cannot be decided yet: %s", c->reference, why.data);
    /* Each concern the decision maker named is recorded as read. */
    if (!rc && open_concerns && svc->concerns_noted)
        rc = svc->concerns_noted(svc->concerns_ctx, db, c->reference, who->name, event, err);
    ph_buf_free(&why);
    return rc;
}

/* "2c; 7" -> checked against the criteria in force, normalised to "2c;7". */
static int criteria_given(store *db, const char *criteria, char *out, size_t size, ph_err *err) {
    out[0] = '\0';
    if (!criteria || !*criteria)
        return ph_fail(err, PH_EUSAGE, "criteria: required (e.g. \"2c\" or \"1a;7\")");
    size_t o = 0;
    for (const char *p = criteria; *p;) {
        while (*p && (*p == ';' || *p == ',' || isspace((unsigned char)*p)))
            p++;
        size_t len = strcspn(p, ";, \t");
        if (!len) break;
        char id[16];
        if (len >= sizeof id)
            return ph_fail(err, PH_EUSAGE, "criteria: '%.*s' is not a criterion", (int)len, p);
        memcpy(id, p, len);
        id[len] = '\0';
        for (char *q = id; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        int64_t known = 0;
        if (store_one_int(
                db, &known, err,
                "SELECT count(*) FROM criterion WHERE version = 'uk-selc-2021' AND id = ?", "t",
                id))
            return err->rc;
        if (!known)
            return ph_fail(err, PH_EUSAGE,
                           "criteria: '%s' is not one of the licensing criteria (1, 1a-1f, 2a-2c, "
                           "3, 4, 5a-5c, 6a-6b, 7, 8)",
                           id);
        o += (size_t)snprintf(out + o, size > o ? size - o : 0, "%s%s", o ? ";" : "", id);
        p += len;
    }
    if (!out[0]) return ph_fail(err, PH_EUSAGE, "criteria: required (e.g. \"2c\" or \"1a;7\")");
    return PH_OK;
}

static int guard_appeal_window(store *db, const cases_services *svc, const case_row *c,
                               ph_err *err) {
    (void)db;
    if (strcmp(c->outcome, "refused") != 0)
        return ph_fail(err, PH_ECONFLICT, "case %s was not refused: only refusals can be appealed",
                       c->reference);
    char t[11];
    today(svc, t);
    int32_t decided, now;
    char day[11];
    ph_strlcpy(day, c->decided_at, sizeof day);
    if (ph_date_parse(day, &decided) || ph_date_parse(t, &now))
        return ph_fail(err, PH_ERR, "case %s: bad decision date", c->reference);
    if (now - decided > CASES_APPEAL_DAYS)
        return ph_fail(err, PH_ECONFLICT,
                       "case %s was refused on %s: the %d days for an appeal have passed",
                       c->reference, day, CASES_APPEAL_DAYS);
    return PH_OK;
}

/* ---- screening and assessment ---- */

/* Screens the exporter (party 0) and every party; stores the hits and
 * returns each party's outcome (POLICY_SCREENING_*, index = party_no). */
static int screen_parties(store *db, const cases_services *svc, const case_row *c, int **outcomes,
                          size_t *nparties, ph_err *err) {
    store_stmt *st;
    if (store_prepare(
            db,
            "SELECT 0, exporter, 'commercial', NULL FROM application WHERE id = ?1 UNION ALL "
            "SELECT party_no, name, type, country FROM application_party WHERE application_id = ?1 "
            "ORDER BY 1",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, c->id);
    int rc = PH_OK, s;
    size_t cap = 0;
    *outcomes = NULL;
    *nparties = 0;
    typedef struct party {
        int64_t no;
        char *name, *type, *country;
    } party;
    party *v = NULL;
    size_t n = 0, vcap = 0;
    while ((s = store_step(st, err)) == STORE_ROW) {
        v = ph_grow(v, &vcap, n + 1, sizeof *v);
        v[n].no = store_col_int(st, 0);
        v[n].name = ph_strdup(store_col_text(st, 1));
        v[n].type = ph_strdup(store_col_text(st, 2));
        v[n].country = store_col_text(st, 3) ? ph_strdup(store_col_text(st, 3)) : NULL;
        n++;
    }
    store_finalize(st);
    if (s != STORE_DONE) rc = s;
    /* Hits from an earlier submission of this case are replaced. */
    if (!rc)
        rc = store_run(db, err,
                       "DELETE FROM screening_hit WHERE application_id = ? AND disposition IS NULL",
                       "i", c->id);
    int64_t alerts = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        int outcome = POLICY_SCREENING_NOT_SCREENED;
        if (svc && svc->screen) {
            cases_hit *hits = NULL;
            size_t nh = 0;
            rc = svc->screen(svc->screen_ctx, db, v[i].name, v[i].type, v[i].country, &hits, &nh,
                             err);
            for (size_t h = 0; !rc && h < nh; h++)
                rc = store_run(db, err,
                               "INSERT INTO screening_hit(application_id, party_no, list, "
                               "list_version, entity_id, "
                               "listed_name, matched_name, score, explanation) VALUES (?, ?, ?, ?, "
                               "?, ?, ?, ?, ?)",
                               "iitttttdt", c->id, v[i].no, hits[h].list, hits[h].list_version,
                               hits[h].entity_id, hits[h].listed_name, hits[h].matched_name,
                               hits[h].score,
                               hits[h].explanation_json ? hits[h].explanation_json : "{}");
            outcome = nh ? POLICY_SCREENING_POSSIBLE_MATCH : POLICY_SCREENING_CLEAR;
            alerts += (int64_t)nh;
            cases_hits_free(hits, nh);
        }
        *outcomes = ph_grow(*outcomes, &cap, (size_t)v[i].no + 1, sizeof **outcomes);
        (*outcomes)[v[i].no] = outcome;
        if ((size_t)v[i].no + 1 > *nparties) *nparties = (size_t)v[i].no + 1;
    }
    /* What the parties were screened against: a clear result is clear
     * against these list versions. */
    char *lists = NULL;
    if (!rc && svc && svc->screen && svc->screen_lists)
        rc = svc->screen_lists(svc->screen_ctx, db, &lists, err);
    if (!rc && lists) {
        char now[21];
        ph_now_iso(now);
        rc = store_run(db, err,
                       "INSERT INTO screening_run(application_id, screened_at, lists, parties, "
                       "alerts) VALUES (?, ?, ?, ?, ?)",
                       "ittii", c->id, now, lists, (int64_t)n, alerts);
    }
    free(lists);
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].type);
        free(v[i].country);
    }
    free(v);
    return rc;
}

/* The screening outcome of each party from the stored hits and their
 * dispositions (index = party_no; 0 is the exporter). */
static int party_outcomes(store *db, const cases_services *svc, const case_row *c, int **outcomes,
                          size_t *nparties, ph_err *err) {
    int64_t n = 0;
    store_stmt *count;
    /* Kept statements: this runs on every read of a case. */
    if (store_prepare_cached(db, "SELECT count(*) FROM application_party WHERE application_id = ?",
                             &count, err))
        return err->rc;
    store_bind_int(count, 1, c->id);
    int step = store_step(count, err);
    if (step == STORE_ROW) n = store_col_int(count, 0);
    store_finalize(count);
    if (step != STORE_ROW && step != STORE_DONE) return step;
    *nparties = (size_t)n + 1;
    *outcomes = ph_calloc(*nparties, sizeof **outcomes);
    int base = svc && svc->screen ? POLICY_SCREENING_CLEAR : POLICY_SCREENING_NOT_SCREENED;
    for (size_t i = 0; i < *nparties; i++)
        (*outcomes)[i] = base;
    store_stmt *st;
    if (store_prepare_cached(
            db,
            "SELECT party_no, max(CASE WHEN disposition IS NULL THEN 2 WHEN disposition = "
            "'true_match' THEN 3 "
            "ELSE 1 END) FROM screening_hit WHERE application_id = ? GROUP BY party_no",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, c->id);
    int s;
    while ((s = store_step(st, err)) == STORE_ROW) {
        int64_t no = store_col_int(st, 0), worst = store_col_int(st, 1);
        if (no < 0 || (size_t)no >= *nparties) continue;
        (*outcomes)[no] = worst == 3   ? POLICY_SCREENING_TRUE_MATCH
                          : worst == 2 ? POLICY_SCREENING_POSSIBLE_MATCH
                                       : POLICY_SCREENING_FALSE_POSITIVE;
    }
    store_finalize(st);
    return s == STORE_DONE ? PH_OK : s;
}

static int assess_case(store *db, const cases_services *svc, const case_row *c, const int *outcomes,
                       size_t nparties, const char *trigger, ph_err *err) {
    if (!svc || !svc->assess) return PH_OK;
    json_t *app = application_object(db, c->id, err);
    if (!app) return err->rc ? err->rc : PH_ERR;
    char *text = json_dumps(app, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(app);
    json_t *result = NULL;
    char recommendation[32] = "";
    /* outcomes[0] is the exporter: the policy sees the parties of the application. */
    int rc = svc->assess(svc->assess_ctx, db, text, nparties ? outcomes + 1 : outcomes,
                         nparties ? nparties - 1 : 0, &result, recommendation, err);
    free(text);
    if (rc) return rc;
    char *rtext = json_dumps(result, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(result);
    char now[21];
    ph_now_iso(now);
    rc = store_run(
        db, err,
        "INSERT INTO case_assessment(application_id, trigger, recommendation, result, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        "itttt", c->id, trigger, recommendation, rtext, now);
    free(rtext);
    return rc;
}

static int reassess(store *db, const cases_services *svc, const case_row *c, const char *trigger,
                    ph_err *err) {
    if (!svc || !svc->assess) return PH_OK;
    int *outcomes = NULL;
    size_t n = 0;
    int rc = party_outcomes(db, svc, c, &outcomes, &n, err);
    if (!rc) rc = assess_case(db, svc, c, outcomes, n, trigger, err);
    free(outcomes);
    return rc;
}

/* ---- decisions ---- */

static int add_register_row(store *db, const cases_actor *who, const case_row *c,
                            const char *outcome, const char *criteria, const char *date,
                            ph_err *err) {
    int open = strcmp(c->type, "OIEL") == 0 || strcmp(c->type, "OITCL") == 0;
    int32_t day;
    if (ph_date_parse(date, &day)) return ph_fail(err, PH_ERR, "bad date %s", date);
    char expires[11] = "";
    int issued = strcmp(outcome, "issued") == 0;
    if (issued) ph_date_format(day + (open ? OPEN_VALID_DAYS : SIEL_VALID_DAYS), expires);
    int rc = store_run(db, err,
                       "INSERT INTO licence(reference, type, issued_on, expires_on, destination, "
                       "end_user, end_user_type, "
                       "end_use, outcome, status, tags, application_id) "
                       "SELECT a.reference, a.type, ?, ?, a.destination, p.name, p.type, "
                       "a.end_use, ?, ?, '', a.id "
                       "FROM application a LEFT JOIN application_party p ON p.application_id = "
                       "a.id AND p.party_no = "
                       "(SELECT min(party_no) FROM application_party WHERE application_id = a.id "
                       "AND role = 'end_user') "
                       "WHERE a.id = ?",
                       "tttti", date, issued ? expires : NULL, outcome,
                       issued ? "issued" : "refused", c->id);
    int64_t licence_id = store_last_id(db);
    if (!rc)
        rc = store_run(db, err,
                       "INSERT INTO licence_line(licence_id, line_no, rating, known_rating, "
                       "goods_summary, quantity, "
                       "value_pence) SELECT ?, g.line_no, COALESCE(g.assessed_rating, g.rating), "
                       "EXISTS (SELECT 1 FROM control_entry e WHERE e.rating = "
                       "COALESCE(g.assessed_rating, g.rating)), "
                       "COALESCE(g.report_summary, g.description), g.quantity, g.value_pence "
                       "FROM application_goods g WHERE g.application_id = ? ORDER BY g.line_no",
                       "ii", licence_id, c->id);
    for (const char *p = criteria ? criteria : ""; !rc && *p;) {
        size_t len = strcspn(p, ";");
        char id[16];
        snprintf(id, sizeof id, "%.*s", (int)(len < 15 ? len : 15), p);
        rc =
            store_run(db, err, "INSERT INTO licence_criterion(licence_id, criterion) VALUES (?, ?)",
                      "it", licence_id, id);
        p += len + (p[len] == ';');
    }
    if (!rc) {
        audit_event ev = {.actor = who->name,
                          .action = issued ? "licence.issue" : "licence.refuse",
                          .object_type = "licence",
                          .object_id = c->reference};
        rc = audit_append(db, &ev, NULL, err);
    }
    return rc;
}

/* ---- workflow events ---- */

typedef struct fire_arg {
    const cases_services *svc;
    const char *event;
    const cases_event_params *p;
} fire_arg;

static int has_guard(const wf_transition *t, const char *name) {
    if (!t->guard) return 0;
    size_t n = strlen(name);
    for (const char *p = t->guard; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 0;
}

static int not_allowed(const case_row *c, const char *event, const char *role, ph_err *err) {
    const char *ev[32];
    size_t n = wf_allowed_events(&wf_case, c->status, role, ev, 32);
    ph_buf allowed;
    ph_buf_init(&allowed);
    for (size_t i = 0; i < n; i++)
        ph_buf_printf(&allowed, "%s%s", i ? ", " : "", ev[i]);
    int rc = ph_fail(err, PH_ECONFLICT, "case %s is %s: '%s' is not allowed now (allowed: %s)",
                     c->reference, c->status, event, n ? allowed.data : "nothing");
    ph_buf_free(&allowed);
    return rc;
}

static int fire_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    fire_arg *a = arg;
    const cases_event_params none = {0};
    const cases_event_params *p = a->p ? a->p : &none;
    if (!wf_is_state(&wf_case, c->status))
        return ph_fail(err, PH_ERR, "case %s has unknown status %s", c->reference, c->status);
    const wf_transition *t = wf_find(&wf_case, c->status, a->event);
    if (!t) return not_allowed(c, a->event, NULL, err);
    if (!wf_role_allowed(t, who->role))
        return ph_fail(err, PH_EFORBIDDEN, "'%s' is for %s; you are %s", a->event, t->roles,
                       who->role);
    char criteria[256] = "";
    if (has_guard(t, "application_complete") && guard_application_complete(db, c, err))
        return err->rc;
    if (has_guard(t, "goods_rated") && guard_goods_rated(db, c, err)) return err->rc;
    if (has_guard(t, "advice_given") && guard_advice_given(db, c, err)) return err->rc;
    if (has_guard(t, "criteria_given") &&
        criteria_given(db, p->criteria, criteria, sizeof criteria, err))
        return err->rc;
    if (has_guard(t, "ready_to_finalise") &&
        guard_ready_to_finalise(db, a->svc, who, c, a->event, p, err))
        return err->rc;
    if (has_guard(t, "refused_within_appeal_window") && guard_appeal_window(db, a->svc, c, err))
        return err->rc;

    char now[21], day[11];
    ph_now_iso(now);
    today(a->svc, day);
    int rc = PH_OK;
    const char *ev = a->event;
    if (strcmp(ev, "submit") == 0) {
        calendar *cal;
        if (calendar_load(CALENDAR_DEFAULT, &cal, err)) return err->rc;
        int32_t d;
        ph_date_parse(day, &d);
        char due[11];
        ph_date_format(calendar_add_working_days(cal, d, CASES_SLA_WORKING_DAYS), due);
        calendar_free(cal);
        rc = store_run(db, err,
                       "UPDATE application SET submitted_at = ?, sla_due = ?, sla_paused_days = 0 "
                       "WHERE id = ?",
                       "tti", now, due, c->id);
        int *outcomes = NULL;
        size_t n = 0;
        if (!rc) rc = screen_parties(db, a->svc, c, &outcomes, &n, err);
        if (!rc) rc = assess_case(db, a->svc, c, outcomes, n, "submit", err);
        free(outcomes);
    } else if (strcmp(ev, "complete_technical") == 0 || strcmp(ev, "send_to_advisers") == 0) {
        rc = reassess(db, a->svc, c, "rating", err);
    } else if (strcmp(ev, "issue") == 0 || strcmp(ev, "allow_appeal") == 0 ||
               strcmp(ev, "refuse") == 0 || strcmp(ev, "no_licence_required") == 0 ||
               strcmp(ev, "dismiss_appeal") == 0) {
        const char *outcome = strcmp(ev, "issue") == 0 || strcmp(ev, "allow_appeal") == 0 ? "issued"
                              : strcmp(ev, "no_licence_required") == 0 ? "no_licence_required"
                                                                       : "refused";
        if (!p->reason || !*p->reason)
            return ph_fail(err, PH_EUSAGE, "reason: required (a decision says why)");
        int64_t existing = 0;
        if (strcmp(ev, "allow_appeal") == 0)
            rc = store_run(db, err,
                           "DELETE FROM licence_criterion WHERE licence_id = (SELECT id FROM "
                           "licence WHERE reference = ?)",
                           "t", c->reference) ||
                 store_run(db, err,
                           "DELETE FROM licence_line WHERE licence_id = (SELECT id FROM licence "
                           "WHERE reference = ?)",
                           "t", c->reference) ||
                 store_run(db, err, "DELETE FROM licence WHERE reference = ?", "t", c->reference);
        if (!rc && strcmp(ev, "dismiss_appeal") != 0 &&
            strcmp(outcome, "no_licence_required") != 0) {
            rc = store_one_int(db, &existing, err,
                               "SELECT count(*) FROM licence WHERE reference = ?", "t",
                               c->reference);
            if (!rc && !existing) rc = add_register_row(db, who, c, outcome, criteria, day, err);
        }
        if (!rc)
            rc = store_run(db, err,
                           "INSERT INTO case_decision(application_id, event, criteria, reason, "
                           "decided_by, decided_at, "
                           "licence_reference) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           "itttttt", c->id, ev, criteria, p->reason, who->name, now,
                           strcmp(outcome, "issued") == 0 ? c->reference : NULL);
        if (!rc && strcmp(ev, "dismiss_appeal") != 0)
            rc = store_run(db, err,
                           "UPDATE application SET outcome = ?, decided_at = ? WHERE id = ?", "tti",
                           outcome, now, c->id);
    } else if (strcmp(ev, "appeal") == 0) {
        if (!p->grounds || !*p->grounds)
            return ph_fail(err, PH_EUSAGE, "grounds: required (why the refusal is wrong)");
        rc = store_run(
            db, err,
            "INSERT INTO appeal(application_id, grounds, lodged_by, lodged_at) VALUES (?, ?, ?, ?)",
            "ittt", c->id, p->grounds, who->name, now);
    }
    if (!rc)
        rc = store_run(db, err, "UPDATE application SET status = ? WHERE id = ?", "ti", t->to,
                       c->id);
    if (!rc) rc = record(db, who, c, ev, err);
    return rc;
}

int cases_fire(store *db, const cases_services *svc, const cases_actor *who, const char *reference,
               const char *event, const cases_event_params *p, int64_t if_version, ph_err *err) {
    fire_arg a = {svc, event, p};
    if (!event || !*event) return ph_fail(err, PH_EUSAGE, "event: required");
    return with_case(db, who, reference, if_version, fire_body, &a, err);
}

/* ---- the other writes ---- */

typedef struct rate_arg {
    int line_no;
    const char *rating, *summary;
} rate_arg;

static int rate_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    rate_arg *a = arg;
    if (require_role(who, "technical_assessor", "confirming a rating", err)) return err->rc;
    if (strcmp(c->status, "technical_assessment") != 0 && strcmp(c->status, "initial_checks") != 0)
        return ph_fail(
            err, PH_ECONFLICT,
            "case %s is %s: ratings are confirmed during initial checks or technical assessment",
            c->reference, c->status);
    if (!a->rating || !*a->rating) return ph_fail(err, PH_EUSAGE, "rating: required");
    char display[CONTROL_RATING_MAX];
    control_rating_display(a->rating, display, sizeof display);
    control_entry e;
    if (control_get(db, display, &e, err)) {
        if (err->rc == PH_ENOTFOUND)
            return ph_fail(err, PH_EUSAGE, "rating: '%s' is not in the control list", a->rating);
        return err->rc;
    }
    control_entry_clear(&e);
    if (store_run(
            db, err,
            "UPDATE application_goods SET assessed_rating = ?, report_summary = ?, assessed_by = ? "
            "WHERE application_id = ? AND line_no = ?",
            "tttii", display, a->summary && *a->summary ? a->summary : NULL, who->name, c->id,
            (int64_t)a->line_no))
        return err->rc;
    if (store_changes(db) == 0)
        return ph_fail(err, PH_ENOTFOUND, "case %s has no goods line %d", c->reference, a->line_no);
    return record(db, who, c, "rate", err);
}

int cases_rate(store *db, const cases_actor *who, const char *reference, int64_t if_version,
               int line_no, const char *rating, const char *report_summary, ph_err *err) {
    rate_arg a = {line_no, rating, report_summary};
    return with_case(db, who, reference, if_version, rate_body, &a, err);
}

typedef struct dispose_arg {
    const cases_services *svc;
    int64_t hit;
    const char *disposition, *reason;
} dispose_arg;

static int dispose_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    dispose_arg *a = arg;
    if (require_role(who, "case_officer", "disposing of a screening hit", err)) return err->rc;
    if (!a->disposition ||
        (strcmp(a->disposition, "true_match") && strcmp(a->disposition, "false_positive")))
        return ph_fail(err, PH_EUSAGE, "disposition: expected true_match or false_positive");
    if (!a->reason || !*a->reason)
        return ph_fail(err, PH_EUSAGE, "reason: required (why it is, or is not, the listed party)");
    int64_t open;
    if (store_one_int(db, &open, err,
                      "SELECT count(*) FROM screening_hit WHERE id = ? AND application_id = ? AND "
                      "disposition IS NULL",
                      "ii", a->hit, c->id))
        return err->rc;
    if (!open) {
        int64_t any;
        if (store_one_int(db, &any, err,
                          "SELECT count(*) FROM screening_hit WHERE id = ? AND application_id = ?",
                          "ii", a->hit, c->id))
            return err->rc;
        return any ? ph_fail(err, PH_ECONFLICT, "hit %lld on case %s is already disposed of",
                             (long long)a->hit, c->reference)
                   : ph_fail(err, PH_ENOTFOUND, "case %s has no screening hit %lld", c->reference,
                             (long long)a->hit);
    }
    char now[21];
    ph_now_iso(now);
    if (store_run(db, err,
                  "UPDATE screening_hit SET disposition = ?, disposition_reason = ?, disposed_by = "
                  "?, disposed_at = ? "
                  "WHERE id = ?",
                  "tttti", a->disposition, a->reason, who->name, now, a->hit))
        return err->rc;
    if (reassess(db, a->svc, c, "disposition", err)) return err->rc;
    return record(db, who, c, "dispose", err);
}

int cases_dispose(store *db, const cases_services *svc, const cases_actor *who,
                  const char *reference, int64_t if_version, int64_t hit_id,
                  const char *disposition, const char *reason, ph_err *err) {
    dispose_arg a = {svc, hit_id, disposition, reason};
    return with_case(db, who, reference, if_version, dispose_body, &a, err);
}

typedef struct advise_arg {
    const cases_advice_input *in;
    int64_t *id;
} advise_arg;

static int advise_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    advise_arg *a = arg;
    const cases_advice_input *in = a->in;
    if (require_role(who, "adviser", "giving advice", err)) return err->rc;
    if (!who->team || !*who->team)
        return ph_fail(err, PH_EFORBIDDEN, "%s belongs to no advising team", who->name);
    if (strcmp(c->status, "under_advice") != 0)
        return ph_fail(err, PH_ECONFLICT, "case %s is %s: advice is given while it is under_advice",
                       c->reference, c->status);
    if (!one_of(in->advice, ADVICE_KINDS)) {
        char set[160];
        join_set(set, sizeof set, ADVICE_KINDS);
        return ph_fail(err, PH_EUSAGE, "advice: expected one of %s", set);
    }
    if (!in->text || !*in->text)
        return ph_fail(err, PH_EUSAGE, "text: required (the advice itself)");
    if (strlen(in->text) > MAX_TEXT)
        return ph_fail(err, PH_EUSAGE, "text: longer than %d bytes", MAX_TEXT);
    char criteria[256] = "";
    if (strcmp(in->advice, "refuse") == 0 &&
        criteria_given(db, in->criteria, criteria, sizeof criteria, err))
        return err->rc;
    if (strcmp(in->advice, "approve_with_provisos") == 0 && (!in->provisos || !*in->provisos))
        return ph_fail(err, PH_EUSAGE, "provisos: required when advising approve_with_provisos");
    int64_t last_id = 0, last_rev = 0;
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT id, revision FROM advice WHERE application_id = ? AND team = ? ORDER "
                      "BY revision DESC LIMIT 1",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, c->id);
    store_bind_text(st, 2, who->team);
    if (store_step(st, err) == STORE_ROW) {
        last_id = store_col_int(st, 0);
        last_rev = store_col_int(st, 1);
    }
    store_finalize(st);
    if (last_id && (!in->change_reason || !*in->change_reason))
        return ph_fail(err, PH_EUSAGE,
                       "change_reason: required: team %s already advised (revision %lld); say why "
                       "this replaces it",
                       who->team, (long long)last_rev);
    char now[21];
    ph_now_iso(now);
    if (store_prepare(
            db,
            "INSERT INTO advice(application_id, team, revision, supersedes, author, advice, text, "
            "provisos, "
            "criteria, change_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, c->id);
    store_bind_text(st, 2, who->team);
    store_bind_int(st, 3, last_rev + 1);
    if (last_id)
        store_bind_int(st, 4, last_id);
    else
        store_bind_null(st, 4);
    store_bind_text(st, 5, who->name);
    store_bind_text(st, 6, in->advice);
    store_bind_text(st, 7, in->text);
    store_bind_text(st, 8, in->provisos && *in->provisos ? in->provisos : NULL);
    store_bind_text(st, 9, criteria);
    store_bind_text(st, 10, last_id ? in->change_reason : NULL);
    store_bind_text(st, 11, now);
    int s = store_step(st, err);
    store_finalize(st);
    if (s != STORE_DONE) return s;
    if (a->id) *a->id = store_last_id(db);
    return record(db, who, c, last_id ? "advice.revise" : "advice", err);
}

int cases_advise(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                 const cases_advice_input *in, int64_t *advice_id, ph_err *err) {
    advise_arg a = {in, advice_id};
    return with_case(db, who, reference, if_version, advise_body, &a, err);
}

typedef struct countersign_arg {
    int64_t advice;
    int accepted;
    const char *reasons;
} countersign_arg;

static int countersign_body(store *db, const cases_actor *who, case_row *c, void *arg,
                            ph_err *err) {
    countersign_arg *a = arg;
    if (require_role(who, "countersigner", "countersigning", err)) return err->rc;
    if (strcmp(c->status, "under_advice") != 0 && strcmp(c->status, "final_review") != 0)
        return ph_fail(err, PH_ECONFLICT,
                       "case %s is %s: advice is countersigned under advice or in final review",
                       c->reference, c->status);
    if (!a->reasons || !*a->reasons)
        return ph_fail(err, PH_EUSAGE, "reasons: required (why you accept or reject the advice)");
    int64_t exists, authored, current;
    if (store_one_int(db, &exists, err,
                      "SELECT count(*) FROM advice WHERE id = ? AND application_id = ?", "ii",
                      a->advice, c->id))
        return err->rc;
    if (!exists)
        return ph_fail(err, PH_ENOTFOUND, "case %s has no advice %lld", c->reference,
                       (long long)a->advice);
    /* Second pair of eyes: never someone who advised on this case. */
    if (store_one_int(db, &authored, err,
                      "SELECT count(*) FROM advice WHERE application_id = ? AND author = ?", "it",
                      c->id, who->name))
        return err->rc;
    if (authored)
        return ph_fail(err, PH_EFORBIDDEN,
                       "%s gave advice on case %s and cannot countersign advice on it", who->name,
                       c->reference);
    if (store_one_int(db, &current, err,
                      "SELECT count(*) FROM (" CURRENT_ADVICE ") cur WHERE cur.id = ?", "ii", c->id,
                      a->advice))
        return err->rc;
    if (!current)
        return ph_fail(err, PH_ECONFLICT,
                       "advice %lld has been superseded by a newer revision: countersign that one",
                       (long long)a->advice);
    char now[21];
    ph_now_iso(now);
    if (store_run(db, err,
                  "INSERT INTO countersignature(advice_id, signer, accepted, reasons, created_at) "
                  "VALUES (?, ?, ?, ?, ?)",
                  "ititt", a->advice, who->name, (int64_t)(a->accepted != 0), a->reasons, now))
        return err->rc;
    return record(db, who, c, a->accepted ? "countersign.accept" : "countersign.reject", err);
}

int cases_countersign(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                      int64_t advice_id, int accepted, const char *reasons, ph_err *err) {
    countersign_arg a = {advice_id, accepted, reasons};
    return with_case(db, who, reference, if_version, countersign_body, &a, err);
}

typedef struct rfi_arg {
    const char *text;
    int64_t rfi;
    int64_t *id;
} rfi_arg;

static int rfi_raise_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    rfi_arg *a = arg;
    if (require_role(who, "case_officer technical_assessor", "a request for information", err))
        return err->rc;
    if (!strcmp(c->status, "draft") || !strcmp(c->status, "finalised") ||
        !strcmp(c->status, "withdrawn"))
        return ph_fail(err, PH_ECONFLICT,
                       "case %s is %s: requests for information are for cases under consideration",
                       c->reference, c->status);
    if (!a->text || !*a->text) return ph_fail(err, PH_EUSAGE, "question: required");
    if (strlen(a->text) > MAX_TEXT)
        return ph_fail(err, PH_EUSAGE, "question: longer than %d bytes", MAX_TEXT);
    char now[21];
    ph_now_iso(now);
    if (store_run(
            db, err,
            "INSERT INTO rfi(application_id, question, raised_by, raised_at) VALUES (?, ?, ?, ?)",
            "ittt", c->id, a->text, who->name, now))
        return err->rc;
    if (a->id) *a->id = store_last_id(db);
    return record(db, who, c, "rfi.raise", err);
}

int cases_rfi_raise(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                    const char *question, int64_t *rfi_id, ph_err *err) {
    rfi_arg a = {question, 0, rfi_id};
    return with_case(db, who, reference, if_version, rfi_raise_body, &a, err);
}

static int rfi_answer_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    rfi_arg *a = arg;
    if (require_role(who, "exporter", "answering a request for information", err)) return err->rc;
    if (!a->text || !*a->text) return ph_fail(err, PH_EUSAGE, "response: required");
    if (strlen(a->text) > MAX_TEXT)
        return ph_fail(err, PH_EUSAGE, "response: longer than %d bytes", MAX_TEXT);
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT raised_at, responded_at FROM rfi WHERE id = ? AND application_id = ?",
                      &st, err))
        return err->rc;
    store_bind_int(st, 1, a->rfi);
    store_bind_int(st, 2, c->id);
    int s = store_step(st, err);
    char raised[11] = "";
    int answered = 0;
    if (s == STORE_ROW) {
        ph_strlcpy(raised, store_col_text(st, 0), sizeof raised);
        answered = !store_col_is_null(st, 1);
    }
    store_finalize(st);
    if (s == STORE_DONE)
        return ph_fail(err, PH_ENOTFOUND, "case %s has no request for information %lld",
                       c->reference, (long long)a->rfi);
    if (s != STORE_ROW) return s;
    if (answered)
        return ph_fail(err, PH_ECONFLICT, "request for information %lld is already answered",
                       (long long)a->rfi);
    char now[21], day[11];
    ph_now_iso(now);
    ph_strlcpy(day, now, sizeof day);
    /* The clock was stopped while the question was open: push the due date. */
    calendar *cal;
    if (calendar_load(CALENDAR_DEFAULT, &cal, err)) return err->rc;
    int32_t from, to;
    int paused = 0;
    if (!ph_date_parse(raised, &from) && !ph_date_parse(day, &to))
        paused = calendar_working_days_between(cal, from, to);
    int rc = store_run(
        db, err, "UPDATE rfi SET response = ?, responded_by = ?, responded_at = ? WHERE id = ?",
        "ttti", a->text, who->name, now, a->rfi);
    if (!rc && paused) {
        char due[11] = "";
        store_stmt *q;
        rc = store_prepare(db, "SELECT sla_due FROM application WHERE id = ?", &q, err);
        if (!rc) {
            store_bind_int(q, 1, c->id);
            if (store_step(q, err) == STORE_ROW && store_col_text(q, 0))
                ph_strlcpy(due, store_col_text(q, 0), sizeof due);
            store_finalize(q);
        }
        int32_t d;
        if (!rc && due[0] && !ph_date_parse(due, &d)) {
            ph_date_format(calendar_add_working_days(cal, d, paused), due);
            rc = store_run(db, err,
                           "UPDATE application SET sla_due = ?, sla_paused_days = sla_paused_days "
                           "+ ? WHERE id = ?",
                           "tii", due, (int64_t)paused, c->id);
        }
    }
    calendar_free(cal);
    if (!rc) rc = record(db, who, c, "rfi.answer", err);
    return rc;
}

int cases_rfi_answer(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                     int64_t rfi_id, const char *response, ph_err *err) {
    rfi_arg a = {response, rfi_id, NULL};
    return with_case(db, who, reference, if_version, rfi_answer_body, &a, err);
}

typedef struct note_arg {
    const char *text;
    int visible;
    int64_t *id;
} note_arg;

static int note_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    note_arg *a = arg;
    int staff = cases_is_staff(who->role);
    if (!a->text || !*a->text) return ph_fail(err, PH_EUSAGE, "text: required");
    if (strlen(a->text) > MAX_TEXT)
        return ph_fail(err, PH_EUSAGE, "text: longer than %d bytes", MAX_TEXT);
    char now[21];
    ph_now_iso(now);
    /* An exporter's note is always visible to the exporter. */
    if (store_run(db, err,
                  "INSERT INTO case_note(application_id, text, author, exporter_visible, "
                  "created_at) VALUES (?, ?, ?, ?, ?)",
                  "ittit", c->id, a->text, who->name, (int64_t)(staff ? a->visible != 0 : 1), now))
        return err->rc;
    if (a->id) *a->id = store_last_id(db);
    return record(db, who, c, "note", err);
}

int cases_note(store *db, const cases_actor *who, const char *reference, int64_t if_version,
               const char *text, int exporter_visible, int64_t *note_id, ph_err *err) {
    note_arg a = {text, exporter_visible, note_id};
    return with_case(db, who, reference, if_version, note_body, &a, err);
}

typedef struct document_arg {
    const char *name, *sha256, *content_type;
    int64_t size;
    int64_t *id;
} document_arg;

static int document_body(store *db, const cases_actor *who, case_row *c, void *arg, ph_err *err) {
    document_arg *a = arg;
    if (strcmp(who->role, "exporter") != 0)
        return ph_fail(err, PH_EFORBIDDEN, "documents are the exporter's to add");
    if (wf_is_final(&wf_case, c->status))
        return ph_fail(err, PH_ECONFLICT, "case %s is %s: no document can be added", c->reference,
                       c->status);
    if (!a->name || !*a->name) return ph_fail(err, PH_EUSAGE, "name: required");
    if (strlen(a->name) > 255) return ph_fail(err, PH_EUSAGE, "name: longer than 255 bytes");
    size_t n = a->sha256 ? strlen(a->sha256) : 0;
    int hex = n == 64;
    for (size_t i = 0; hex && i < n; i++)
        hex = (a->sha256[i] >= '0' && a->sha256[i] <= '9') ||
              (a->sha256[i] >= 'a' && a->sha256[i] <= 'f');
    if (!hex)
        return ph_fail(err, PH_EUSAGE,
                       "sha256: expected the document's SHA-256 as 64 lower-case hex digits");
    if (a->size < 0 || a->size > ((int64_t)1 << 40))
        return ph_fail(err, PH_EUSAGE, "size: expected a number of bytes, 0 to 1 TiB");
    const char *slash = a->content_type ? strchr(a->content_type, '/') : NULL;
    if (!slash || slash == a->content_type || !slash[1] || strlen(a->content_type) > 127)
        return ph_fail(err, PH_EUSAGE,
                       "content_type: expected a media type such as application/pdf");
    char now[21];
    ph_now_iso(now);
    if (store_run(db, err,
                  "INSERT INTO case_document(application_id, name, sha256, size, content_type, "
                  "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  "ittittt", c->id, a->name, a->sha256, a->size, a->content_type, who->name, now))
        return err->rc;
    if (a->id) *a->id = store_last_id(db);
    return record(db, who, c, "document", err);
}

int cases_document(store *db, const cases_actor *who, const char *reference, int64_t if_version,
                   const cases_document_input *in, int64_t *document_id, ph_err *err) {
    document_arg a = {in->name, in->sha256, in->content_type, in->size, document_id};
    return with_case(db, who, reference, if_version, document_body, &a, err);
}

/* ---- reads ---- */

static json_t *text_or_null(store_stmt *st, int i) {
    const char *s = store_col_text(st, i);
    return s ? json_string(s) : json_null();
}

static json_t *pounds_or_null(store_stmt *st, int i) {
    return store_col_is_null(st, i) ? json_null() : json_real((double)store_col_int(st, i) / 100.0);
}

static json_t *criteria_array(const char *s) {
    json_t *a = json_array();
    for (const char *p = s ? s : ""; *p;) {
        size_t len = strcspn(p, ";");
        if (len) json_array_append_new(a, json_stringn(p, len));
        p += len + (p[len] == ';');
    }
    return a;
}

/* Runs a query bound to the case id and calls fn for each row. */
typedef void (*row_fn)(store_stmt *st, json_t *into);
static int rows(store *db, const char *sql, int64_t id, row_fn fn, json_t *into, ph_err *err) {
    store_stmt *st;
    if (store_prepare_cached(db, sql, &st, err)) return err->rc;
    store_bind_int(st, 1, id);
    int s;
    while ((s = store_step(st, err)) == STORE_ROW)
        fn(st, into);
    store_finalize(st);
    return s == STORE_DONE ? PH_OK : s;
}

static const char *const SCREENING_NAMES[] = {"not_screened", "clear", "possible_match",
                                              "true_match", "false_positive"};

static void staff_party(store_stmt *st, json_t *a) {
    json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "party",
                          (json_int_t)store_col_int(st, 0), "role", store_col_text(st, 1), "name",
                          store_col_text(st, 2), "country", store_col_text(st, 3), "type",
                          store_col_text(st, 4), "address", text_or_null(st, 5));
    json_array_append_new(a, p);
}
static void exporter_party(store_stmt *st, json_t *a) {
    json_array_append_new(a,
                          json_pack("{s:s, s:s, s:s, s:s, s:o}", "role", store_col_text(st, 1),
                                    "name", store_col_text(st, 2), "country", store_col_text(st, 3),
                                    "type", store_col_text(st, 4), "address", text_or_null(st, 5)));
}
static void staff_goods(store_stmt *st, json_t *a) {
    json_array_append_new(
        a,
        json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "line",
                  (json_int_t)store_col_int(st, 0), "description", store_col_text(st, 1), "rating",
                  store_col_text(st, 2), "assessed_rating", text_or_null(st, 3), "report_summary",
                  text_or_null(st, 4), "assessed_by", text_or_null(st, 5), "quantity",
                  store_col_is_null(st, 6) ? json_null() : json_integer(store_col_int(st, 6)),
                  "value_gbp", pounds_or_null(st, 7)));
}
static void exporter_goods(store_stmt *st, json_t *a) {
    json_array_append_new(
        a,
        json_pack("{s:I, s:s, s:s, s:o, s:o}", "line", (json_int_t)store_col_int(st, 0),
                  "description", store_col_text(st, 1), "rating", store_col_text(st, 2), "quantity",
                  store_col_is_null(st, 6) ? json_null() : json_integer(store_col_int(st, 6)),
                  "value_gbp", pounds_or_null(st, 7)));
}
static void staff_hit(store_stmt *st, json_t *a) {
    json_t *expl = json_loads(store_col_text(st, 8), 0, NULL);
    json_array_append_new(
        a, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)store_col_int(st, 0), "party", (json_int_t)store_col_int(st, 1),
                     "list", store_col_text(st, 2), "list_version", store_col_text(st, 3),
                     "entity_id", store_col_text(st, 4), "listed_name", store_col_text(st, 5),
                     "matched_name", store_col_text(st, 6), "score", store_col_double(st, 7),
                     "explanation", expl ? expl : json_null(), "disposition", text_or_null(st, 9),
                     "reason", text_or_null(st, 10), "disposed_by", text_or_null(st, 11),
                     "disposed_at", text_or_null(st, 12)));
}
static void staff_advice(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:I, s:s, s:I, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:[]}", "id",
                     (json_int_t)store_col_int(st, 0), "team", store_col_text(st, 1), "revision",
                     (json_int_t)store_col_int(st, 2), "supersedes",
                     store_col_is_null(st, 3) ? json_null() : json_integer(store_col_int(st, 3)),
                     "author", store_col_text(st, 4), "advice", store_col_text(st, 5), "text",
                     store_col_text(st, 6), "provisos", text_or_null(st, 7), "criteria",
                     criteria_array(store_col_text(st, 8)), "change_reason", text_or_null(st, 9),
                     "created_at", store_col_text(st, 10), "current", (int)store_col_int(st, 11),
                     "countersignatures"));
}
static void countersignature_row(store_stmt *st, json_t *advice) {
    int64_t id = store_col_int(st, 0);
    size_t i;
    json_t *a;
    json_array_foreach(advice, i, a) {
        if (json_integer_value(json_object_get(a, "id")) == id)
            json_array_append_new(json_object_get(a, "countersignatures"),
                                  json_pack("{s:s, s:b, s:s, s:s}", "signer", store_col_text(st, 1),
                                            "accepted", (int)store_col_int(st, 2), "reasons",
                                            store_col_text(st, 3), "created_at",
                                            store_col_text(st, 4)));
    }
}
static void staff_rfi(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(st, 0),
                     "question", store_col_text(st, 1), "raised_by", store_col_text(st, 2),
                     "raised_at", store_col_text(st, 3), "response", text_or_null(st, 4),
                     "responded_by", text_or_null(st, 5), "responded_at", text_or_null(st, 6)));
}
static void exporter_rfi(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(st, 0),
                     "question", store_col_text(st, 1), "raised_at", store_col_text(st, 3),
                     "response", text_or_null(st, 4), "responded_at", text_or_null(st, 6)));
}
static void staff_note(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:I, s:s, s:s, s:b, s:s}", "id", (json_int_t)store_col_int(st, 0), "text",
                     store_col_text(st, 1), "author", store_col_text(st, 2), "exporter_visible",
                     (int)store_col_int(st, 3), "created_at", store_col_text(st, 4)));
}
static void document_row(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
                     "name", store_col_text(st, 1), "sha256", store_col_text(st, 2), "size",
                     (json_int_t)store_col_int(st, 3), "content_type", store_col_text(st, 4),
                     "uploaded_by", store_col_text(st, 5), "uploaded_at", store_col_text(st, 6)));
}
#define DOCUMENT_SQL                                                                               \
    "SELECT id, name, sha256, size, content_type, uploaded_by, uploaded_at FROM case_document "    \
    "WHERE application_id = ? ORDER BY id"

static void exporter_note(store_stmt *st, json_t *a) {
    json_array_append_new(a, json_pack("{s:s, s:s}", "text", store_col_text(st, 1), "created_at",
                                       store_col_text(st, 4)));
}
static void staff_decision(store_stmt *st, json_t *a) {
    json_array_append_new(
        a, json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "event", store_col_text(st, 0), "criteria",
                     criteria_array(store_col_text(st, 1)), "reason", store_col_text(st, 2),
                     "decided_by", store_col_text(st, 3), "decided_at", store_col_text(st, 4),
                     "licence", text_or_null(st, 5)));
}
static void appeal_row(store_stmt *st, json_t *a) {
    json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "grounds", store_col_text(st, 0),
                                       "lodged_by", store_col_text(st, 1), "lodged_at",
                                       store_col_text(st, 2)));
}
/* The newest screening of the parties: when, and against which lists. */
static void latest_screening_run(store_stmt *st, json_t *o) {
    json_t *lists = json_loads(store_col_text(st, 1), 0, NULL);
    json_object_set_new(o, "screened_against",
                        json_pack("{s:s, s:o, s:I, s:I}", "screened_at", store_col_text(st, 0),
                                  "lists", lists ? lists : json_array(), "parties",
                                  (json_int_t)store_col_int(st, 2), "alerts",
                                  (json_int_t)store_col_int(st, 3)));
}

static void latest_assessment(store_stmt *st, json_t *o) {
    json_t *result = json_loads(store_col_text(st, 3), 0, NULL);
    json_object_set_new(o, "assessment",
                        json_pack("{s:s, s:s, s:s, s:o}", "recommendation", store_col_text(st, 0),
                                  "trigger", store_col_text(st, 1), "created_at",
                                  store_col_text(st, 2), "result", result ? result : json_null()));
}

/* For views sent as text: the result is left null in the tree and its
 * stored text kept, to be copied into the serialised view as it is
 * (parsing and writing it again is most of the cost of a read). */
typedef struct raw_assessment {
    json_t *view;
    char *result; /* the stored text, or NULL */
} raw_assessment;

static void latest_assessment_raw(store_stmt *st, json_t *into) {
    raw_assessment *raw = (raw_assessment *)into;
    json_object_set_new(raw->view, "assessment",
                        json_pack("{s:s, s:s, s:s, s:n}", "recommendation", store_col_text(st, 0),
                                  "trigger", store_col_text(st, 1), "created_at",
                                  store_col_text(st, 2), "result"));
    const char *text = store_col_text(st, 3);
    free(raw->result);
    raw->result = text ? ph_strdup(text) : NULL;
}

#define PARTY_SQL                                                                                  \
    "SELECT party_no, role, name, country, type, address FROM application_party WHERE "            \
    "application_id = ? ORDER BY party_no"
#define GOODS_SQL                                                                                  \
    "SELECT line_no, description, rating, assessed_rating, report_summary, assessed_by, "          \
    "quantity, value_pence "                                                                       \
    "FROM application_goods WHERE application_id = ? ORDER BY line_no"
#define RFI_SQL                                                                                    \
    "SELECT id, question, raised_by, raised_at, response, responded_by, responded_at FROM rfi "    \
    "WHERE application_id = ? ORDER BY id"

static void allowed_events(const case_row *c, const cases_actor *who, json_t *o) {
    const char *ev[32];
    size_t n = wf_allowed_events(&wf_case, c->status, who->role, ev, 32);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(ev[i]));
    json_object_set_new(o, "allowed_events", a);
}

static int header(store *db, const case_row *c, int staff, json_t **out, ph_err *err) {
    store_stmt *st;
    if (store_prepare_cached(
            db,
            "SELECT a.type, a.temporary, a.status, a.organisation, a.exporter, a.destination, "
            "d.name, a.end_use, "
            "a.created_by, a.created_at, a.submitted_at, a.sla_due, a.sla_paused_days, a.outcome, "
            "a.decided_at, "
            "a.version, (SELECT reference FROM licence l WHERE l.application_id = a.id AND "
            "l.outcome = 'issued') "
            "FROM application a JOIN destination d ON d.code = a.destination WHERE a.id = ?",
            &st, err))
        return err->rc;
    store_bind_int(st, 1, c->id);
    int s = store_step(st, err);
    if (s != STORE_ROW) {
        store_finalize(st);
        return s == STORE_DONE ? ph_fail(err, PH_ENOTFOUND, "case %s vanished", c->reference) : s;
    }
    json_t *o =
        json_pack("{s:s, s:s, s:b, s:s}", "reference", c->reference, "type", store_col_text(st, 0),
                  "temporary", (int)store_col_int(st, 1), "status", store_col_text(st, 2));
    if (staff) json_object_set_new(o, "organisation", json_string(store_col_text(st, 3)));
    json_object_set_new(o, "exporter", json_string(store_col_text(st, 4)));
    json_object_set_new(
        o, "destination",
        json_pack("{s:s, s:s}", "code", store_col_text(st, 5), "name", store_col_text(st, 6)));
    json_object_set_new(o, "end_use", json_string(store_col_text(st, 7)));
    if (staff) json_object_set_new(o, "created_by", json_string(store_col_text(st, 8)));
    json_object_set_new(o, "created_at", json_string(store_col_text(st, 9)));
    json_object_set_new(o, "submitted_at", text_or_null(st, 10));
    if (staff)
        json_object_set_new(o, "sla",
                            json_pack("{s:o, s:I}", "due", text_or_null(st, 11),
                                      "paused_working_days", (json_int_t)store_col_int(st, 12)));
    json_object_set_new(o, "outcome", text_or_null(st, 13));
    json_object_set_new(o, "decided_at", text_or_null(st, 14));
    json_object_set_new(o, "version", json_integer(store_col_int(st, 15)));
    json_object_set_new(o, "licence", text_or_null(st, 16));
    store_finalize(st);
    *out = o;
    return PH_OK;
}

/* raw_result: NULL to parse the stored assessment result into the view;
 * else the view's assessment result is null and *raw_result its text. */
static int staff_view(store *db, const cases_actor *who, const case_row *c, json_t **out,
                      char **raw_result, ph_err *err) {
    json_t *o;
    if (header(db, c, 1, &o, err)) return err->rc;
    json_t *parties = json_array(), *goods = json_array(), *hits = json_array(),
           *advice = json_array(), *rfis = json_array(), *notes = json_array(),
           *decisions = json_array(), *appeals = json_array(), *documents = json_array();
    json_object_set_new(o, "parties", parties);
    json_object_set_new(o, "goods", goods);
    json_object_set_new(o, "screening", hits);
    json_object_set_new(o, "screened_against", json_null());
    json_object_set_new(o, "assessment", json_null());
    json_object_set_new(o, "advice", advice);
    json_object_set_new(o, "rfis", rfis);
    json_object_set_new(o, "notes", notes);
    json_object_set_new(o, "decisions", decisions);
    json_object_set_new(o, "appeals", appeals);
    json_object_set_new(o, "documents", documents);
    int rc = rows(db, PARTY_SQL, c->id, staff_party, parties, err);
    if (!rc) rc = rows(db, DOCUMENT_SQL, c->id, document_row, documents, err);
    if (!rc) rc = rows(db, GOODS_SQL, c->id, staff_goods, goods, err);
    if (!rc)
        rc = rows(db,
                  "SELECT id, party_no, list, list_version, entity_id, listed_name, matched_name, "
                  "score, explanation, "
                  "disposition, disposition_reason, disposed_by, disposed_at FROM screening_hit "
                  "WHERE application_id = ? "
                  "ORDER BY party_no, score DESC, id",
                  c->id, staff_hit, hits, err);
    if (!rc)
        rc = rows(db,
                  "SELECT screened_at, lists, parties, alerts FROM screening_run WHERE "
                  "application_id = ? ORDER BY id DESC LIMIT 1",
                  c->id, latest_screening_run, o, err);
    raw_assessment raw = {o, NULL};
    if (!rc)
        rc = rows(db,
                  "SELECT recommendation, trigger, created_at, result FROM case_assessment WHERE "
                  "application_id = ? "
                  "ORDER BY id DESC LIMIT 1",
                  c->id, raw_result ? latest_assessment_raw : latest_assessment,
                  raw_result ? (json_t *)&raw : o, err);
    if (raw_result)
        *raw_result = raw.result;
    else
        free(raw.result);
    if (!rc)
        rc = rows(
            db,
            "SELECT a.id, a.team, a.revision, a.supersedes, a.author, a.advice, a.text, "
            "a.provisos, a.criteria, "
            "a.change_reason, a.created_at, a.revision = (SELECT max(revision) FROM advice b WHERE "
            "b.application_id = a.application_id AND b.team = a.team) FROM advice a WHERE "
            "a.application_id = ? "
            "ORDER BY a.team, a.revision",
            c->id, staff_advice, advice, err);
    if (!rc)
        rc = rows(db,
                  "SELECT s.advice_id, s.signer, s.accepted, s.reasons, s.created_at FROM "
                  "countersignature s "
                  "JOIN advice a ON a.id = s.advice_id WHERE a.application_id = ? ORDER BY s.id",
                  c->id, countersignature_row, advice, err);
    if (!rc) rc = rows(db, RFI_SQL, c->id, staff_rfi, rfis, err);
    if (!rc)
        rc = rows(db,
                  "SELECT id, text, author, exporter_visible, created_at FROM case_note WHERE "
                  "application_id = ? ORDER BY id",
                  c->id, staff_note, notes, err);
    if (!rc)
        rc = rows(db,
                  "SELECT event, criteria, reason, decided_by, decided_at, licence_reference FROM "
                  "case_decision "
                  "WHERE application_id = ? ORDER BY id",
                  c->id, staff_decision, decisions, err);
    if (!rc)
        rc = rows(
            db,
            "SELECT grounds, lodged_by, lodged_at FROM appeal WHERE application_id = ? ORDER BY id",
            c->id, appeal_row, appeals, err);
    /* Each party's screening outcome, from its hits. */
    if (!rc) {
        int *outcomes = NULL;
        size_t n = 0;
        rc = party_outcomes(db, NULL, c, &outcomes, &n, err);
        int screened = json_array_size(hits) > 0 || c->submitted_at[0];
        size_t i;
        json_t *p;
        json_array_foreach(parties, i, p) {
            int64_t no = json_integer_value(json_object_get(p, "party"));
            int outcome = no >= 0 && (size_t)no < n ? outcomes[no] : POLICY_SCREENING_NOT_SCREENED;
            if (outcome == POLICY_SCREENING_NOT_SCREENED && screened)
                outcome = POLICY_SCREENING_CLEAR;
            json_object_set_new(p, "screening", json_string(SCREENING_NAMES[outcome]));
        }
        free(outcomes);
    }
    /* Formal concerns still open about the case: the decision maker must
     * acknowledge each one (or, by deployment setting, they block it). */
    json_t *concerns = NULL;
    if (!rc) rc = concern_case_summary(db, c->reference, &concerns, err);
    json_object_set_new(o, "open_concerns", concerns ? concerns : json_array());
    allowed_events(c, who, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PH_OK;
}

/* The exporter's view is built from its own list of fields: nothing that
 * is not named here can reach an exporter. */
static int exporter_view(store *db, const cases_actor *who, const case_row *c, json_t **out,
                         ph_err *err) {
    json_t *o;
    if (header(db, c, 0, &o, err)) return err->rc;
    json_t *parties = json_array(), *goods = json_array(), *rfis = json_array(),
           *notes = json_array(), *documents = json_array();
    json_object_set_new(o, "parties", parties);
    json_object_set_new(o, "goods", goods);
    json_object_set_new(o, "rfis", rfis);
    json_object_set_new(o, "notes", notes);
    json_object_set_new(o, "documents", documents);
    int rc = rows(db, PARTY_SQL, c->id, exporter_party, parties, err);
    /* Documents are the exporter's own: their metadata is theirs to see. */
    if (!rc) rc = rows(db, DOCUMENT_SQL, c->id, document_row, documents, err);
    if (!rc) rc = rows(db, GOODS_SQL, c->id, exporter_goods, goods, err);
    if (!rc) rc = rows(db, RFI_SQL, c->id, exporter_rfi, rfis, err);
    if (!rc)
        rc = rows(db,
                  "SELECT id, text, author, exporter_visible, created_at FROM case_note WHERE "
                  "application_id = ? "
                  "AND exporter_visible = 1 ORDER BY id",
                  c->id, exporter_note, notes, err);
    /* A refusal tells the exporter which criteria it rests on, and until when
     * an appeal can be lodged. */
    if (!rc && strcmp(c->outcome, "refused") == 0) {
        store_stmt *st;
        rc = store_prepare(db,
                           "SELECT criteria FROM case_decision WHERE application_id = ? AND event "
                           "IN ('refuse', 'dismiss_appeal') "
                           "ORDER BY id DESC LIMIT 1",
                           &st, err);
        if (!rc) {
            store_bind_int(st, 1, c->id);
            if (store_step(st, err) == STORE_ROW)
                json_object_set_new(o, "refusal_criteria", criteria_array(store_col_text(st, 0)));
            store_finalize(st);
        }
        int32_t d;
        char day[11];
        ph_strlcpy(day, c->decided_at, sizeof day);
        if (!ph_date_parse(day, &d)) {
            char until[11];
            ph_date_format(d + CASES_APPEAL_DAYS, until);
            json_object_set_new(o, "appeal_by", json_string(until));
        }
    }
    allowed_events(c, who, o);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return PH_OK;
}

int cases_get(store *db, const cases_actor *who, const char *reference, json_t **out,
              int64_t *version, ph_err *err) {
    *out = NULL;
    if (!who || !who->role) return ph_fail(err, PH_EFORBIDDEN, "no one is reading");
    /* One snapshot: the version (the ETag) and every part of the view
     * come from the same state of the case. */
    if (store_read_begin(db, err)) return err->rc;
    case_row c;
    int rc = load_case(db, who, reference, &c, err);
    if (!rc && version) *version = c.version;
    if (!rc)
        rc = cases_is_staff(who->role) ? staff_view(db, who, &c, out, NULL, err)
                                       : exporter_view(db, who, &c, out, err);
    store_read_end(db);
    return rc;
}

/* Where the stored assessment result goes in the serialised staff view:
 * "result" is the last member of "assessment", and what follows the
 * assessment (advice, requests, notes, decisions...) is built here with no
 * member of that name, so the slot is the last occurrence of RESULT_SLOT.
 * (Screening explanations, before it, are other modules' JSON.) The
 * sequence cannot occur inside a string, where every quote is escaped. */
#define RESULT_SLOT ",\"result\":null}"

static const char *last_occurrence(const char *text, const char *what) {
    const char *found = NULL;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        found = p;
    return found;
}

int cases_get_json(store *db, const cases_actor *who, const char *reference, char **json,
                   size_t *len, int64_t *version, ph_err *err) {
    *json = NULL;
    *len = 0;
    if (!who || !who->role) return ph_fail(err, PH_EFORBIDDEN, "no one is reading");
    if (store_read_begin(db, err)) return err->rc;
    case_row c;
    json_t *view = NULL;
    char *result = NULL;
    int rc = load_case(db, who, reference, &c, err);
    if (!rc && version) *version = c.version;
    if (!rc)
        rc = cases_is_staff(who->role) ? staff_view(db, who, &c, &view, &result, err)
                                       : exporter_view(db, who, &c, &view, err);
    store_read_end(db);
    if (rc) {
        free(result);
        return rc;
    }
    char *text = json_dumps(view, JSON_COMPACT);
    json_decref(view);
    size_t n = strlen(text);
    const char *slot = result ? last_occurrence(text, RESULT_SLOT) : NULL;
    size_t rlen = result ? strlen(result) : 0;
    /* Only a stored result that is a JSON object is copied in; anything else
     * (a damaged row) leaves the result null rather than break the reply. */
    if (slot && rlen >= 2 && result[0] == '{' && result[rlen - 1] == '}') {
        size_t head = (size_t)(slot - text) + strlen(",\"result\":");
        size_t tail = n - head - strlen("null");
        char *out = ph_malloc(head + rlen + tail + 1);
        memcpy(out, text, head);
        memcpy(out + head, result, rlen);
        memcpy(out + head + rlen, text + head + strlen("null"), tail + 1);
        free(text);
        text = out;
        n = head + rlen + tail;
    }
    free(result);
    *json = text;
    *len = n;
    return PH_OK;
}

int cases_list(store *db, const cases_actor *who, const cases_filter *f, json_t **out,
               ph_err *err) {
    *out = NULL;
    if (!who || !who->role) return ph_fail(err, PH_EFORBIDDEN, "no one is reading");
    int staff = cases_is_staff(who->role);
    if (!staff && (!who->organisation || !*who->organisation))
        return ph_fail(err, PH_EFORBIDDEN, "%s belongs to no exporter organisation", who->name);
    long limit = f && f->limit > 0 ? (f->limit > 500 ? 500 : f->limit) : 50;
    long offset = f && f->offset > 0 ? f->offset : 0;
    char dest[REFDATA_CODE_MAX] = "";
    if (f && f->destination && *f->destination &&
        refdata_resolve_destination(db, f->destination, dest, err)) {
        err->rc = PH_EUSAGE;
        return PH_EUSAGE;
    }
    const char *where = "WHERE (? IS NULL OR a.organisation = ?) AND (? IS NULL OR a.status = ?) "
                        "AND (? IS NULL OR a.destination = ?) "
                        "AND (? IS NULL OR a.type = ?)";
    const char *org = staff ? NULL : who->organisation;
    const char *status = f && f->status && *f->status ? f->status : NULL;
    const char *type = f && f->type && *f->type ? f->type : NULL;
    const char *d = dest[0] ? dest : NULL;
    int64_t total;
    char *sql = ph_asprintf("SELECT count(*) FROM application a %s", where);
    int rc =
        store_one_int(db, &total, err, sql, "tttttttt", org, org, status, status, d, d, type, type);
    free(sql);
    if (rc) return rc;
    sql = ph_asprintf(
        "SELECT a.reference, a.type, a.status, a.exporter, a.destination, a.created_at, "
        "a.submitted_at, "
        "a.sla_due, a.outcome, a.version, (SELECT count(*) FROM screening_hit h WHERE "
        "h.application_id = a.id "
        "AND h.disposition IS NULL) FROM application a %s ORDER BY a.id DESC LIMIT ? OFFSET ?",
        where);
    store_stmt *st;
    rc = store_prepare(db, sql, &st, err);
    free(sql);
    if (rc) return rc;
    const char *params[8] = {org, org, status, status, d, d, type, type};
    for (int i = 0; i < 8; i++)
        store_bind_text(st, i + 1, params[i]);
    store_bind_int(st, 9, limit);
    store_bind_int(st, 10, offset);
    json_t *a = json_array();
    int s;
    while ((s = store_step(st, err)) == STORE_ROW) {
        json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "reference",
                              store_col_text(st, 0), "type", store_col_text(st, 1), "status",
                              store_col_text(st, 2), "exporter", store_col_text(st, 3),
                              "destination", store_col_text(st, 4), "created_at",
                              store_col_text(st, 5), "submitted_at", text_or_null(st, 6), "outcome",
                              text_or_null(st, 8), "version", (json_int_t)store_col_int(st, 9));
        if (staff) {
            json_object_set_new(x, "sla_due", text_or_null(st, 7));
            json_object_set_new(x, "open_screening_hits", json_integer(store_col_int(st, 10)));
        }
        json_array_append_new(a, x);
    }
    store_finalize(st);
    if (s != STORE_DONE) {
        json_decref(a);
        return s;
    }
    *out = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "limit", (json_int_t)limit,
                     "offset", (json_int_t)offset, "cases", a);
    return PH_OK;
}

/* ---- the audit log's view of a case ---- */

static int case_state(store *db, const char *reference, ph_buf *out, ph_err *err) {
    ph_buf_reset(out);
    int64_t id;
    int rc = store_one_int(db, &id, err, "SELECT id FROM application WHERE reference = ?", "t",
                           reference);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "no case %s", reference);
    if (rc) return rc;
    static const char *const queries[] = {
        "SELECT reference, type, temporary, status, organisation, exporter, destination, end_use, "
        "created_by, created_at, "
        "submitted_at, sla_due, sla_paused_days, outcome, decided_at, version FROM application "
        "WHERE id = ?",
        "SELECT party_no, role, name, country, type, address FROM application_party WHERE "
        "application_id = ? ORDER BY party_no",
        "SELECT line_no, description, rating, assessed_rating, report_summary, assessed_by, "
        "quantity, value_pence "
        "FROM application_goods WHERE application_id = ? ORDER BY line_no",
        "SELECT id, party_no, list, list_version, entity_id, listed_name, matched_name, score, "
        "explanation, disposition, "
        "disposition_reason, disposed_by, disposed_at FROM screening_hit WHERE application_id = ? "
        "ORDER BY id",
        "SELECT id, trigger, recommendation, result, created_at FROM case_assessment WHERE "
        "application_id = ? ORDER BY id",
        "SELECT id, team, revision, supersedes, author, advice, text, provisos, criteria, "
        "change_reason, created_at "
        "FROM advice WHERE application_id = ? ORDER BY id",
        "SELECT s.id, s.advice_id, s.signer, s.accepted, s.reasons, s.created_at FROM "
        "countersignature s "
        "JOIN advice a ON a.id = s.advice_id WHERE a.application_id = ? ORDER BY s.id",
        "SELECT id, event, criteria, reason, decided_by, decided_at, licence_reference FROM "
        "case_decision "
        "WHERE application_id = ? ORDER BY id",
        "SELECT id, question, raised_by, raised_at, response, responded_by, responded_at FROM rfi "
        "WHERE application_id = ? ORDER BY id",
        "SELECT id, text, author, exporter_visible, created_at FROM case_note WHERE application_id "
        "= ? ORDER BY id",
        "SELECT id, name, sha256, size, content_type, uploaded_by, uploaded_at FROM case_document "
        "WHERE application_id = ? ORDER BY id",
        "SELECT id, grounds, lodged_by, lodged_at FROM appeal WHERE application_id = ? ORDER BY id",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if ((rc = audit_canon_rows(db, out, err, queries[i], "i", id))) return rc;
    return PH_OK;
}

int cases_register_audit(void) {
    return audit_register_type("case", case_state);
}
