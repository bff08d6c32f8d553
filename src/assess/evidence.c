/* assess — evidence on the record: adding, importing, listing, and the
 * snapshot in force on a date. Entries are never edited: a correction is a
 * new entry that supersedes the old one (the database refuses updates). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess_internal.h"
#include "audit/audit.h"

#define EVIDENCE_MAX_SUMMARY 8192
#define EVIDENCE_MAX_SOURCE 1024

void assess_evidence_ref(int64_t id, char out[ASSESS_EVIDENCE_REF_MAX]) {
    snprintf(out, ASSESS_EVIDENCE_REF_MAX, "EV-%04lld", (long long)id);
}

int assess_evidence_parse_ref(const char *s, int64_t *id) {
    if (!s) return PH_ERR;
    if ((s[0] == 'E' || s[0] == 'e') && (s[1] == 'V' || s[1] == 'v') && s[2] == '-') s += 3;
    int64_t v;
    if (ph_parse_i64(s, &v) || v <= 0) return PH_ERR;
    *id = v;
    return PH_OK;
}

/* ---- validation ---- */

typedef struct checked {
    char destination[REFDATA_CODE_MAX];
    int topic, severity, reliability, classification;
    const char *summary, *source;
    char source_date[11], valid_from[11], valid_to[11];
    int64_t supersedes;
} checked;

/* Names of the inputs, as the command line and a JSON file spell them. */
typedef struct field_names {
    const char *destination, *topic, *severity, *summary, *source, *date, *reliability,
        *classification, *valid_from, *valid_to, *supersedes;
} field_names;

static const field_names cli_names = {
    "--destination", "--topic",          "--severity",   "--summary",  "--source",    "--date",
    "--reliability", "--classification", "--valid-from", "--valid-to", "--supersedes"};
static const field_names json_names = {"destination", "topic",    "severity",    "summary",
                                       "source",      "date",     "reliability", "classification",
                                       "valid_from",  "valid_to", "supersedes"};

static int bad(ph_err *err, int rc, const char *where, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int bad(ph_err *err, int rc, const char *where, const char *field, const char *fmt, ...) {
    char msg[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ph_fail(err, rc, "%s%s: %s", where, field, msg);
}

static int check_enum(const char *value, const char *fallback, policy_enum e, const char *where,
                      const char *field, int rc_usage, int *out, ph_err *err) {
    if (!value || !*value) {
        if (!fallback) return bad(err, rc_usage, where, field, "missing (it is required)");
        value = fallback;
    }
    *out = policy_enum_value(e, value);
    if (*out >= 0) return PH_OK;
    char list[512];
    policy_enum_list(e, list, sizeof list);
    return bad(err, rc_usage, where, field, "unknown value '%.60s' (expected %s)", value, list);
}

static int check_date(const char *value, const char *where, const char *field, int required,
                      int rc_usage, char out[11], ph_err *err) {
    out[0] = '\0';
    if (!value || !*value) {
        if (required) return bad(err, rc_usage, where, field, "missing (a date YYYY-MM-DD)");
        return PH_OK;
    }
    int32_t days;
    if (ph_date_parse(value, &days))
        return bad(err, rc_usage, where, field, "expected a date YYYY-MM-DD, found '%.40s'", value);
    ph_strlcpy(out, value, 11);
    return PH_OK;
}

static int check_text(const char *value, size_t max, const char *where, const char *field,
                      int rc_usage, const char **out, ph_err *err) {
    if (!value || !*value) return bad(err, rc_usage, where, field, "missing (it is required)");
    if (strlen(value) > max) return bad(err, rc_usage, where, field, "longer than %zu bytes", max);
    *out = value;
    return PH_OK;
}

static int check_input(store *db, const assess_evidence_input *in, const char *where,
                       const field_names *names, int rc_usage, checked *c, ph_err *err) {
    memset(c, 0, sizeof *c);
    if (!in->destination || !*in->destination)
        return bad(err, rc_usage, where, names->destination,
                   "missing (a code such as IL, or a name)");
    ph_err derr = {0};
    if (refdata_resolve_destination(db, in->destination, c->destination, &derr))
        return bad(err, derr.rc == PH_ENOTFOUND ? rc_usage : derr.rc, where, names->destination,
                   "%s", derr.msg);
    if (check_enum(in->topic, NULL, POLICY_ENUM_TOPIC, where, names->topic, rc_usage, &c->topic,
                   err) ||
        check_enum(in->severity, NULL, POLICY_ENUM_SEVERITY, where, names->severity, rc_usage,
                   &c->severity, err) ||
        check_enum(in->reliability, "medium", POLICY_ENUM_RELIABILITY, where, names->reliability,
                   rc_usage, &c->reliability, err) ||
        check_enum(in->classification, "OFFICIAL", POLICY_ENUM_CLASSIFICATION, where,
                   names->classification, rc_usage, &c->classification, err) ||
        check_text(in->summary, EVIDENCE_MAX_SUMMARY, where, names->summary, rc_usage, &c->summary,
                   err) ||
        check_text(in->source, EVIDENCE_MAX_SOURCE, where, names->source, rc_usage, &c->source,
                   err) ||
        check_date(in->date, where, names->date, 1, rc_usage, c->source_date, err) ||
        check_date(in->valid_from, where, names->valid_from, 0, rc_usage, c->valid_from, err) ||
        check_date(in->valid_to, where, names->valid_to, 0, rc_usage, c->valid_to, err))
        return err->rc;
    if (!c->valid_from[0]) ph_strlcpy(c->valid_from, c->source_date, sizeof c->valid_from);
    if (c->valid_to[0] && strcmp(c->valid_to, c->valid_from) < 0)
        return bad(err, rc_usage, where, names->valid_to, "%s is before the start of validity %s",
                   c->valid_to, c->valid_from);
    if (in->supersedes && *in->supersedes) {
        if (assess_evidence_parse_ref(in->supersedes, &c->supersedes))
            return bad(err, rc_usage, where, names->supersedes,
                       "expected an evidence id such as EV-0003, found '%.40s'", in->supersedes);
        int64_t same;
        int rc = store_one_int(db, &same, err, "SELECT destination = ? FROM evidence WHERE id = ?",
                               "ti", c->destination, c->supersedes);
        if (rc == PH_ENOTFOUND) {
            char ref[ASSESS_EVIDENCE_REF_MAX];
            assess_evidence_ref(c->supersedes, ref);
            return bad(err, PH_ENOTFOUND, where, names->supersedes, "%s: no such evidence", ref);
        }
        if (rc) return rc;
        if (!same) {
            char ref[ASSESS_EVIDENCE_REF_MAX];
            assess_evidence_ref(c->supersedes, ref);
            return bad(err, rc_usage, where, names->supersedes,
                       "%s is about another destination: a correction keeps the destination of "
                       "the entry it corrects",
                       ref);
        }
        int64_t by;
        rc = store_one_int(db, &by, err, "SELECT id FROM evidence WHERE supersedes = ?", "i",
                           c->supersedes);
        if (rc == PH_OK) {
            char ref[ASSESS_EVIDENCE_REF_MAX], later[ASSESS_EVIDENCE_REF_MAX];
            assess_evidence_ref(c->supersedes, ref);
            assess_evidence_ref(by, later);
            return bad(err, PH_ECONFLICT, where, names->supersedes,
                       "%s is already superseded by %s: supersede %s instead", ref, later, later);
        }
        if (rc != PH_ENOTFOUND) return rc;
        ph_err_clear(err);
    }
    return PH_OK;
}

static int insert_entry(store *db, const checked *c, int64_t *id, ph_err *err) {
    char now[21];
    ph_now_iso(now);
    store_stmt *st;
    if (store_prepare(db,
                      "INSERT INTO evidence(destination, topic, severity, summary, source, "
                      "source_date, reliability, classification, valid_from, valid_to, supersedes, "
                      "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->rc;
    store_bind_text(st, 1, c->destination);
    store_bind_text(st, 2, policy_enum_name(POLICY_ENUM_TOPIC, c->topic));
    store_bind_text(st, 3, policy_enum_name(POLICY_ENUM_SEVERITY, c->severity));
    store_bind_text(st, 4, c->summary);
    store_bind_text(st, 5, c->source);
    store_bind_text(st, 6, c->source_date);
    store_bind_text(st, 7, policy_enum_name(POLICY_ENUM_RELIABILITY, c->reliability));
    store_bind_text(st, 8, policy_enum_name(POLICY_ENUM_CLASSIFICATION, c->classification));
    store_bind_text(st, 9, c->valid_from);
    store_bind_text(st, 10, c->valid_to[0] ? c->valid_to : NULL);
    if (c->supersedes)
        store_bind_int(st, 11, c->supersedes);
    else
        store_bind_null(st, 11);
    store_bind_text(st, 12, now);
    int rc = store_step(st, err);
    store_finalize(st);
    if (rc != STORE_DONE) return rc;
    *id = store_last_id(db);
    return PH_OK;
}

/* ---- the audit log ---- */

int assess_evidence_state(store *db, const char *object_id, ph_buf *out, ph_err *err) {
    int64_t id;
    out->len = 0;
    if (assess_evidence_parse_ref(object_id, &id))
        return ph_fail(err, PH_ENOTFOUND, "'%s' is not an evidence id", object_id);
    int64_t found;
    int rc = store_one_int(db, &found, err, "SELECT id FROM evidence WHERE id = ?", "i", id);
    if (rc == PH_ENOTFOUND) return ph_fail(err, PH_ENOTFOUND, "%s: no such evidence", object_id);
    if (rc) return rc;
    return audit_canon_rows(db, out, err,
                            "SELECT id, destination, topic, severity, summary, source, "
                            "source_date, reliability, classification, valid_from, valid_to, "
                            "supersedes, recorded_at FROM evidence WHERE id = ? ORDER BY id",
                            "i", id);
}

int assess_register_audit(void) {
    return audit_register_type(ASSESS_EVIDENCE_OBJECT, assess_evidence_state) ||
           audit_register_type(ASSESS_POLICY_OBJECT, assess_policy_version_state);
}

static int audit_entry_for(store *db, const char *actor, const checked *c, int64_t id,
                           ph_err *err) {
    char ref[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(id, ref);
    return audit_append_object(db, actor, c->supersedes ? "evidence.supersede" : "evidence.add",
                               ASSESS_EVIDENCE_OBJECT, ref, assess_evidence_state, err);
}

static int need_actor(const char *actor, ph_err *err) {
    if (!actor || !*actor)
        return ph_fail(err, PH_EUSAGE, "the actor is required (who records the evidence)");
    return PH_OK;
}

int assess_evidence_add(store *db, const char *actor, const assess_evidence_input *in, int64_t *id,
                        ph_err *err) {
    checked c;
    if (need_actor(actor, err)) return err->rc;
    if (check_input(db, in, "", &cli_names, PH_EUSAGE, &c, err)) return err->rc;
    if (store_begin(db, err)) return err->rc;
    /* Checked again inside the transaction: another writer may have
     * superseded the same entry in between. */
    if (check_input(db, in, "", &cli_names, PH_EUSAGE, &c, err) || insert_entry(db, &c, id, err) ||
        audit_entry_for(db, actor, &c, *id, err)) {
        store_rollback(db);
        return err->rc ? err->rc : PH_ERR;
    }
    if (store_commit(db, err)) {
        store_rollback(db);
        return err->rc;
    }
    return PH_OK;
}

static const char *json_text(json_t *obj, const char *key, int *bad_type) {
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return NULL;
    if (!json_is_string(v)) {
        *bad_type = 1;
        return NULL;
    }
    return json_string_value(v);
}

int assess_evidence_import(store *db, const char *actor, const char *name, const char *text,
                           size_t len, size_t *added, int64_t *first_id, ph_err *err) {
    *added = 0;
    *first_id = 0;
    if (need_actor(actor, err)) return err->rc;
    if (len > ASSESS_MAX_EVIDENCE_FILE)
        return ph_fail(err, PH_ERR, "%s: larger than %u bytes", name, ASSESS_MAX_EVIDENCE_FILE);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ph_fail(err, PH_ERR, "%s:%d:%d: malformed JSON: %s", name, jerr.line, jerr.column,
                       jerr.text);
    if (!json_is_array(root)) {
        json_decref(root);
        return ph_fail(err, PH_ERR, "%s: expected a JSON array of evidence entries", name);
    }
    static const char *const keys[] = {"destination", "topic",    "severity",    "summary",
                                       "source",      "date",     "reliability", "classification",
                                       "valid_from",  "valid_to", "supersedes"};
    int rc = store_begin(db, err);
    for (size_t i = 0; !rc && i < json_array_size(root); i++) {
        json_t *e = json_array_get(root, i);
        char where[64];
        snprintf(where, sizeof where, "%s: [%zu].", name, i);
        if (!json_is_object(e)) {
            rc = ph_fail(err, PH_ERR, "%s: [%zu]: expected an object", name, i);
            break;
        }
        const char *key;
        json_t *value;
        json_object_foreach(e, key, value) {
            int ok = 0;
            for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !ok; k++)
                ok = !strcmp(key, keys[k]);
            if (!ok) {
                rc = ph_fail(err, PH_ERR,
                             "%s%.80s: unknown field (expected destination, topic, severity, "
                             "summary, source, date, reliability, classification, valid_from, "
                             "valid_to or supersedes)",
                             where, key);
                break;
            }
        }
        if (rc) break;
        int wrong = 0;
        assess_evidence_input in = {0};
        const char **slots[] = {&in.destination, &in.topic,    &in.severity,    &in.summary,
                                &in.source,      &in.date,     &in.reliability, &in.classification,
                                &in.valid_from,  &in.valid_to, &in.supersedes};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            *slots[k] = json_text(e, keys[k], &wrong);
            if (wrong) {
                rc = ph_fail(err, PH_ERR, "%s%s: expected a string", where, keys[k]);
                break;
            }
        }
        if (rc) break;
        checked c;
        int64_t id;
        rc = check_input(db, &in, where, &json_names, PH_ERR, &c, err);
        if (!rc) rc = insert_entry(db, &c, &id, err);
        if (!rc) rc = audit_entry_for(db, actor, &c, id, err);
        if (!rc) {
            if (!*added) *first_id = id;
            (*added)++;
        }
    }
    json_decref(root);
    if (!rc) rc = store_commit(db, err);
    if (rc) {
        store_rollback(db);
        *added = 0;
        *first_id = 0;
        return err->rc ? err->rc : PH_ERR;
    }
    return PH_OK;
}

/* ---- reading ---- */

#define EVIDENCE_COLUMNS                                                                           \
    "e.id, e.destination, e.topic, e.severity, e.summary, e.source, e.source_date, "               \
    "e.reliability, e.classification, e.valid_from, e.valid_to, e.supersedes, e.recorded_at, "     \
    "(SELECT s.id FROM evidence s WHERE s.supersedes = e.id)"

static void from_row(store_stmt *st, assess_evidence *e) {
    memset(e, 0, sizeof *e);
    e->id = store_col_int(st, 0);
    assess_evidence_ref(e->id, e->ref);
    ph_strlcpy(e->destination, store_col_text(st, 1), sizeof e->destination);
    e->topic = policy_enum_value(POLICY_ENUM_TOPIC, store_col_text(st, 2));
    e->severity = policy_enum_value(POLICY_ENUM_SEVERITY, store_col_text(st, 3));
    e->summary = ph_strdup(store_col_text(st, 4));
    e->source = ph_strdup(store_col_text(st, 5));
    ph_strlcpy(e->source_date, store_col_text(st, 6), sizeof e->source_date);
    e->reliability = policy_enum_value(POLICY_ENUM_RELIABILITY, store_col_text(st, 7));
    e->classification = policy_enum_value(POLICY_ENUM_CLASSIFICATION, store_col_text(st, 8));
    ph_strlcpy(e->valid_from, store_col_text(st, 9), sizeof e->valid_from);
    if (!store_col_is_null(st, 10))
        ph_strlcpy(e->valid_to, store_col_text(st, 10), sizeof e->valid_to);
    e->supersedes = store_col_is_null(st, 11) ? 0 : store_col_int(st, 11);
    ph_strlcpy(e->recorded_at, store_col_text(st, 12), sizeof e->recorded_at);
    e->superseded_by = store_col_is_null(st, 13) ? 0 : store_col_int(st, 13);
    /* The table's CHECK constraints keep these known; stay safe anyway. */
    if (e->topic < 0) e->topic = 0;
    if (e->severity < 0) e->severity = 0;
    if (e->reliability < 0) e->reliability = 0;
    if (e->classification < 0) e->classification = 0;
}

static int read_entries(store *db, const char *sql, const char *a, const char *b, const char *c,
                        assess_evidence **out, size_t *n, ph_err *err) {
    *out = NULL;
    *n = 0;
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    store_bind_text(st, 1, a);
    if (b) store_bind_text(st, 2, b);
    if (c) store_bind_text(st, 3, c);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *out = ph_grow(*out, &cap, *n + 1, sizeof **out);
        from_row(st, &(*out)[(*n)++]);
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        assess_evidence_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return PH_OK;
}

int assess_evidence_list(store *db, const char *destination, assess_evidence **out, size_t *n,
                         ph_err *err) {
    return read_entries(db,
                        "SELECT " EVIDENCE_COLUMNS " FROM evidence e "
                        "WHERE (? IS NULL OR e.destination = ?) ORDER BY e.id",
                        destination, destination ? destination : NULL, NULL, out, n, err);
}

void assess_evidence_free(assess_evidence *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].summary);
        free(v[i].source);
    }
    free(v);
}

/* ---- snapshots ---- */

typedef struct snapshot_destination {
    char code[REFDATA_CODE_MAX];
    size_t first, count;
} snapshot_destination;

struct assess_evidence_snapshot {
    assess_evidence *entries; /* by destination, then id */
    policy_evidence *views;
    size_t n;
    snapshot_destination *destinations;
    size_t ndestinations;
};

static assess_evidence_snapshot *snapshot_index(assess_evidence *entries, size_t n) {
    assess_evidence_snapshot *s = ph_calloc(1, sizeof *s);
    s->entries = entries;
    s->n = n;
    s->views = ph_calloc(n ? n : 1, sizeof *s->views);
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        assess_evidence *e = &entries[i];
        policy_evidence *v = &s->views[i];
        v->id = e->ref;
        v->source = e->source;
        v->source_date = e->source_date;
        v->classification_name = policy_enum_name(POLICY_ENUM_CLASSIFICATION, e->classification);
        v->topic = (uint8_t)e->topic;
        v->severity = (uint8_t)e->severity;
        v->reliability = (uint8_t)e->reliability;
        v->classification = (uint8_t)e->classification;
        if (!s->ndestinations ||
            strcmp(s->destinations[s->ndestinations - 1].code, e->destination)) {
            s->destinations =
                ph_grow(s->destinations, &cap, s->ndestinations + 1, sizeof *s->destinations);
            snapshot_destination *d = &s->destinations[s->ndestinations++];
            ph_strlcpy(d->code, e->destination, sizeof d->code);
            d->first = i;
            d->count = 0;
        }
        s->destinations[s->ndestinations - 1].count++;
    }
    return s;
}

int assess_evidence_snapshot_load(store *db, const char *date, assess_evidence_snapshot **out,
                                  ph_err *err) {
    *out = NULL;
    assess_evidence *v;
    size_t n;
    int rc = read_entries(
        db,
        "SELECT " EVIDENCE_COLUMNS " FROM evidence e "
        "WHERE e.valid_from <= ? AND (e.valid_to IS NULL OR e.valid_to >= ?) "
        "AND NOT EXISTS (SELECT 1 FROM evidence s WHERE s.supersedes = e.id AND s.valid_from <= ?) "
        "ORDER BY e.destination, e.id",
        date, date, date, &v, &n, err);
    if (rc) return rc;
    *out = snapshot_index(v, n);
    return PH_OK;
}

static int in_force(const assess_evidence *v, size_t n, size_t i, const char *date) {
    const assess_evidence *e = &v[i];
    if (strcmp(e->valid_from, date) > 0) return 0;
    if (e->valid_to[0] && strcmp(e->valid_to, date) < 0) return 0;
    for (size_t k = 0; k < n; k++)
        if (v[k].supersedes == e->id && strcmp(v[k].valid_from, date) <= 0) return 0;
    return 1;
}

static int by_destination_then_id(const void *a, const void *b) {
    const assess_evidence *x = a, *y = b;
    int c = strcmp(x->destination, y->destination);
    if (c) return c;
    return (x->id > y->id) - (x->id < y->id);
}

assess_evidence_snapshot *assess_evidence_snapshot_from(const assess_evidence *v, size_t n,
                                                        const char *date) {
    assess_evidence *copy = ph_calloc(n ? n : 1, sizeof *copy);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_force(v, n, i, date)) continue;
        copy[k] = v[i];
        copy[k].summary = ph_strdup(v[i].summary ? v[i].summary : "");
        copy[k].source = ph_strdup(v[i].source ? v[i].source : "");
        assess_evidence_ref(copy[k].id, copy[k].ref);
        k++;
    }
    qsort(copy, k, sizeof *copy, by_destination_then_id);
    return snapshot_index(copy, k);
}

void assess_evidence_snapshot_free(assess_evidence_snapshot *s) {
    if (!s) return;
    assess_evidence_free(s->entries, s->n);
    free(s->views);
    free(s->destinations);
    free(s);
}

size_t assess_evidence_snapshot_size(const assess_evidence_snapshot *s) {
    return s ? s->n : 0;
}

/* The destination's entries: binary search over the sorted codes. */
void assess_snapshot_slice(const assess_evidence_snapshot *s, const char *code,
                           const assess_evidence **entries, const policy_evidence **views,
                           size_t *n) {
    *entries = NULL;
    *views = NULL;
    *n = 0;
    if (!s || !code) return;
    size_t lo = 0, hi = s->ndestinations;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->destinations[mid].code, code);
        if (c == 0) {
            *entries = s->entries + s->destinations[mid].first;
            *views = s->views + s->destinations[mid].first;
            *n = s->destinations[mid].count;
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
}
