/* review — the review file: reading, checking and writing back its JSON.
 * Pure: checks that need the database (destinations, evidence, criteria,
 * ratings and capabilities exist) are review_create's. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "register/register.h"
#include "review/review.h"

static const char *const KINDS[] = {"suspension", "reinstatement", NULL};
static const char *const LICENCE_TYPES[] = {"SIEL", "OIEL", "SITCL", "OITCL",
                                            "SITL", "OITL", "F680",  NULL};
static const char *const END_USER_TYPES[] = {"government", "armed_forces", "police", "commercial",
                                             "individual", "other",        NULL};
static const char *const STATUSES[] = {"issued",      "suspended", "reinstated", "revoked",
                                       "surrendered", "exhausted", "expired",    NULL};

const char *review_kind_name(review_kind k) {
    return k == REVIEW_REINSTATEMENT ? "reinstatement" : "suspension";
}

void review_ref(int64_t id, char out[REVIEW_REF_MAX]) {
    snprintf(out, REVIEW_REF_MAX, "RV-%04lld", (long long)id);
}

int review_parse_ref(const char *s, int64_t *id) {
    if (!s) return PH_ERR;
    if ((s[0] == 'R' || s[0] == 'r') && (s[1] == 'V' || s[1] == 'v') && s[2] == '-') s += 3;
    int64_t v;
    if (!*s || !isdigit((unsigned char)*s) || ph_parse_i64(s, &v) || v <= 0) return PH_ERR;
    *id = v;
    return PH_OK;
}

/* ---- lists ---- */

static void list_free(review_list *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static void list_add(review_list *l, const char *s) {
    l->items = ph_realloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = ph_strdup(s);
}

static int list_has(const review_list *l, const char *s) {
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0) return 1;
    return 0;
}

static int one_of(const char *s, const char *const *set) {
    for (; *set; set++)
        if (strcmp(s, *set) == 0) return 1;
    return 0;
}

static void join(char *out, size_t size, const char *const *set) {
    size_t n = 0;
    out[0] = '\0';
    for (; *set && n < size; set++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", *set);
}

/* ---- the reader ---- */

typedef struct reader {
    char *path; /* the caller's buffer */
    size_t path_size;
    ph_err *err;
} reader;

static int fail_at(reader *rd, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(reader *rd, const char *path, const char *fmt, ...) {
    if (rd->path) ph_strlcpy(rd->path, path, rd->path_size);
    char msg[PH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ph_fail(rd->err, PH_EUSAGE, "%s", msg);
}

/* Text a person wrote: no control characters but tab and (when allowed)
 * line breaks. */
static int text_ok(const char *s, int lines) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && !(lines && (*p == '\n' || *p == '\r'))) || *p == 0x7f)
            return 0;
    return 1;
}

/* Checks that an object holds only the named keys. */
static int keys_only(reader *rd, const json_t *o, const char *path, const char *const *keys) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        if (!one_of(key, keys)) {
            char expected[256], at[160];
            join(expected, sizeof expected, keys);
            snprintf(at, sizeof at, "%s%s%s", path, *path ? "." : "", key);
            return fail_at(rd, at, "unknown field (expected %s)", expected);
        }
    }
    return PH_OK;
}

static int get_text(reader *rd, const json_t *o, const char *key, const char *path, int required,
                    size_t max, int lines, char **out) {
    *out = NULL;
    json_t *v = json_object_get(o, key);
    char at[160];
    snprintf(at, sizeof at, "%s%s%s", path, *path ? "." : "", key);
    if (!v || json_is_null(v)) {
        if (required) return fail_at(rd, at, "required: a string");
        return PH_OK;
    }
    if (!json_is_string(v)) return fail_at(rd, at, "expected a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len) return fail_at(rd, at, "the text holds a NUL character");
    char *copy = ph_strdup(s);
    ph_trim(copy);
    int rc = PH_OK;
    if (required && !*copy)
        rc = fail_at(rd, at, "must not be empty");
    else if (strlen(copy) > max)
        rc = fail_at(rd, at, "longer than %zu bytes", max);
    else if (!text_ok(copy, lines))
        rc = fail_at(rd, at, "control characters are not allowed%s",
                     lines ? "" : " (one line of text)");
    if (rc) {
        free(copy);
        return rc;
    }
    *out = copy;
    return PH_OK;
}

static int get_date(reader *rd, const json_t *o, const char *key, const char *path, char out[11]) {
    out[0] = '\0';
    json_t *v = json_object_get(o, key);
    char at[160];
    snprintf(at, sizeof at, "%s%s%s", path, *path ? "." : "", key);
    if (!v || json_is_null(v)) return PH_OK;
    int32_t days;
    if (!json_is_string(v)) return fail_at(rd, at, "expected a date YYYY-MM-DD");
    const char *s = json_string_value(v);
    if (!*s) return PH_OK;
    if (ph_date_parse(s, &days)) return fail_at(rd, at, "'%.40s' is not a date YYYY-MM-DD", s);
    ph_strlcpy(out, s, 11);
    return PH_OK;
}

typedef int (*item_fn)(reader *rd, const char *at, const char *item, char *norm, size_t size);

/* A list of strings; each item checked and normalised by `check` (may be
 * NULL), repeats dropped. A missing or null list is empty. */
static int get_list(reader *rd, const json_t *o, const char *key, const char *path, int required,
                    size_t max, item_fn check, review_list *out) {
    json_t *a = json_object_get(o, key);
    char at[160];
    snprintf(at, sizeof at, "%s%s%s", path, *path ? "." : "", key);
    if (!a || json_is_null(a)) {
        if (required) return fail_at(rd, at, "required: a list with at least one item");
        return PH_OK;
    }
    if (!json_is_array(a)) return fail_at(rd, at, "expected a list of strings");
    if (required && json_array_size(a) == 0) return fail_at(rd, at, "needs at least one item");
    if (json_array_size(a) > max) return fail_at(rd, at, "more than %zu items", max);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        char item_at[192];
        snprintf(item_at, sizeof item_at, "%s[%zu]", at, i);
        if (!json_is_string(v)) return fail_at(rd, item_at, "expected a string");
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
            return fail_at(rd, item_at, "the text holds a NUL character");
        char norm[REVIEW_MAX_WORD + 1];
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        while (len && isspace((unsigned char)*s)) {
            s++;
            len--;
        }
        if (!len) return fail_at(rd, item_at, "must not be empty");
        if (len > REVIEW_MAX_WORD)
            return fail_at(rd, item_at, "longer than %d bytes", REVIEW_MAX_WORD);
        memcpy(norm, s, len);
        norm[len] = '\0';
        if (!text_ok(norm, 0)) return fail_at(rd, item_at, "control characters are not allowed");
        if (check && check(rd, item_at, norm, norm, sizeof norm)) return PH_EUSAGE;
        if (!list_has(out, norm)) list_add(out, norm);
    }
    return PH_OK;
}

/* ---- item checks ---- */

static int check_criterion(reader *rd, const char *at, const char *item, char *norm, size_t size) {
    size_t n = strlen(item);
    if (n > 8) return fail_at(rd, at, "'%s' is not a criterion (for example 2c)", item);
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)item[i]))
            return fail_at(rd, at, "'%s' is not a criterion (for example 2c)", item);
        norm[i] = (char)tolower((unsigned char)item[i]);
    }
    norm[n] = '\0';
    (void)size;
    return PH_OK;
}

static int check_evidence(reader *rd, const char *at, const char *item, char *norm, size_t size) {
    int64_t id;
    if (assess_evidence_parse_ref(item, &id))
        return fail_at(rd, at, "'%s' is not an evidence id (EV-0001)", item);
    char ref[ASSESS_EVIDENCE_REF_MAX];
    assess_evidence_ref(id, ref);
    ph_strlcpy(norm, ref, size);
    return PH_OK;
}

static int check_licence_type(reader *rd, const char *at, const char *item, char *norm,
                              size_t size) {
    for (char *p = norm; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    (void)size;
    if (!one_of(norm, LICENCE_TYPES)) {
        char expected[128];
        join(expected, sizeof expected, LICENCE_TYPES);
        return fail_at(rd, at, "'%s' is not a licence type (expected %s)", item, expected);
    }
    return PH_OK;
}

static int check_end_user_type(reader *rd, const char *at, const char *item, char *norm,
                               size_t size) {
    for (char *p = norm; *p; p++)
        *p = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
    (void)size;
    if (!one_of(norm, END_USER_TYPES)) {
        char expected[128];
        join(expected, sizeof expected, END_USER_TYPES);
        return fail_at(rd, at, "'%s' is not an end-user type (expected %s)", item, expected);
    }
    return PH_OK;
}

static int check_status(reader *rd, const char *at, const char *item, char *norm, size_t size) {
    for (char *p = norm; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    (void)size;
    if (!one_of(norm, STATUSES)) {
        char expected[128];
        join(expected, sizeof expected, STATUSES);
        return fail_at(rd, at, "'%s' is not a licence status (expected %s)", item, expected);
    }
    return PH_OK;
}

static int check_lower_word(reader *rd, const char *at, const char *item, char *norm, size_t size) {
    (void)size;
    for (char *p = norm; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return fail_at(rd, at, "'%s': use letters, digits and - _ .", item);
    }
    return PH_OK;
}

static int check_rating(reader *rd, const char *at, const char *item, char *norm, size_t size) {
    (void)norm;
    (void)size;
    for (const char *p = item; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != ' ' && *p != '-')
            return fail_at(rd, at, "'%s' is not a control-list rating (for example ML10.a)", item);
    return PH_OK;
}

/* ---- the document ---- */

static int read_selector(reader *rd, const json_t *o, const char *path, review_selector *s) {
    if (!json_is_object(o)) return fail_at(rd, path, "expected an object");
    static const char *const keys[] = {"references", "tags", "ratings", "end_users", NULL};
    int rc = keys_only(rd, o, path, keys);
    if (!rc) rc = get_list(rd, o, "references", path, 0, REVIEW_MAX_LIST, NULL, &s->references);
    if (!rc) rc = get_list(rd, o, "tags", path, 0, REVIEW_MAX_LIST, check_lower_word, &s->tags);
    if (!rc) rc = get_list(rd, o, "ratings", path, 0, REVIEW_MAX_LIST, check_rating, &s->ratings);
    if (!rc) rc = get_list(rd, o, "end_users", path, 0, REVIEW_MAX_LIST, NULL, &s->end_users);
    if (!rc && !s->references.n && !s->tags.n && !s->ratings.n && !s->end_users.n)
        rc = fail_at(rd, path,
                     "an exception must select licences by references, tags, ratings or end_users "
                     "(an empty selection would cover every licence)");
    return rc;
}

static int read_scope(reader *rd, const json_t *o, review_def *d) {
    const char *path = "scope";
    if (!o || json_is_null(o)) return fail_at(rd, path, "required: an object with destinations");
    if (!json_is_object(o)) return fail_at(rd, path, "expected an object");
    static const char *const keys[] = {"destinations", "statuses",       "ratings",
                                       "capabilities", "end_user_types", "licence_types",
                                       "issued_from",  "issued_to",      NULL};
    int rc = keys_only(rd, o, path, keys);
    if (!rc) rc = get_list(rd, o, "destinations", path, 1, 1000, NULL, &d->scope.destinations);
    if (!rc) rc = get_list(rd, o, "statuses", path, 0, 16, check_status, &d->scope.statuses);
    if (!rc) rc = get_list(rd, o, "ratings", path, 0, 1000, check_rating, &d->scope.ratings);
    if (!rc)
        rc = get_list(rd, o, "capabilities", path, 0, 64, check_lower_word, &d->scope.capabilities);
    if (!rc)
        rc = get_list(rd, o, "end_user_types", path, 0, 16, check_end_user_type,
                      &d->scope.end_user_types);
    if (!rc)
        rc = get_list(rd, o, "licence_types", path, 0, 16, check_licence_type,
                      &d->scope.licence_types);
    if (!rc) rc = get_date(rd, o, "issued_from", path, d->scope.issued_from);
    if (!rc) rc = get_date(rd, o, "issued_to", path, d->scope.issued_to);
    if (!rc && d->scope.issued_from[0] && d->scope.issued_to[0] &&
        strcmp(d->scope.issued_from, d->scope.issued_to) > 0)
        rc = fail_at(rd, "scope.issued_to", "%s is before issued_from %s", d->scope.issued_to,
                     d->scope.issued_from);
    if (rc) return rc;
    /* The statuses a review can act on: those its action leaves from. */
    const char *event = d->kind == REVIEW_REINSTATEMENT ? "reinstate" : "suspend";
    if (!d->scope.statuses.n) {
        for (const char *const *s = STATUSES; *s; s++)
            if (register_licence_next_status(*s, event)) list_add(&d->scope.statuses, *s);
    }
    for (size_t i = 0; i < d->scope.statuses.n; i++) {
        if (!register_licence_next_status(d->scope.statuses.items[i], event)) {
            char at[64], allowed[128] = "";
            size_t n = 0;
            for (const char *const *s = STATUSES; *s; s++)
                if (register_licence_next_status(*s, event))
                    n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s", n ? " or " : "",
                                          *s);
            snprintf(at, sizeof at, "scope.statuses[%zu]", i);
            return fail_at(rd, at, "a %s review covers licences that can be %s: %s, not '%s'",
                           review_kind_name(d->kind), event[0] == 's' ? "suspended" : "reinstated",
                           allowed, d->scope.statuses.items[i]);
        }
    }
    return PH_OK;
}

int review_def_from_json(const json_t *j, review_def *out, char *path, size_t path_size,
                         ph_err *err) {
    memset(out, 0, sizeof *out);
    reader rd = {path, path_size, err};
    if (path && path_size) path[0] = '\0';
    if (!json_is_object(j)) return fail_at(&rd, "", "a review is a JSON object");
    static const char *const keys[] = {"kind",  "title", "reason",     "criteria", "evidence",
                                       "as_of", "scope", "exceptions", NULL};
    review_def *d = out;
    int rc = keys_only(&rd, j, "", keys);
    json_t *kind = json_object_get(j, "kind");
    if (!rc && kind && !json_is_null(kind)) {
        if (!json_is_string(kind) || !one_of(json_string_value(kind), KINDS))
            rc = fail_at(&rd, "kind", "expected suspension or reinstatement");
        else
            d->kind = strcmp(json_string_value(kind), "reinstatement") == 0 ? REVIEW_REINSTATEMENT
                                                                            : REVIEW_SUSPENSION;
    }
    if (!rc) rc = get_text(&rd, j, "title", "", 1, REVIEW_MAX_TITLE, 0, &d->title);
    if (!rc) rc = get_text(&rd, j, "reason", "", 1, REVIEW_MAX_TEXT, 1, &d->reason);
    if (!rc)
        rc =
            get_list(&rd, j, "criteria", "", 1, REVIEW_MAX_CRITERIA, check_criterion, &d->criteria);
    if (!rc) rc = get_list(&rd, j, "evidence", "", 1, 1000, check_evidence, &d->evidence);
    if (!rc) rc = get_date(&rd, j, "as_of", "", d->as_of);
    if (!rc) rc = read_scope(&rd, json_object_get(j, "scope"), d);
    json_t *ex = json_object_get(j, "exceptions");
    if (!rc && ex && !json_is_null(ex)) {
        if (!json_is_array(ex))
            rc = fail_at(&rd, "exceptions", "expected a list of exceptions");
        else if (json_array_size(ex) > REVIEW_MAX_EXCEPTIONS)
            rc = fail_at(&rd, "exceptions", "more than %d exceptions", REVIEW_MAX_EXCEPTIONS);
        else if (json_array_size(ex))
            d->exceptions = ph_calloc(json_array_size(ex), sizeof *d->exceptions);
        size_t i;
        json_t *e;
        json_array_foreach(ex, i, e) {
            if (rc) break;
            char at[64];
            snprintf(at, sizeof at, "exceptions[%zu]", i);
            review_exception *x = &d->exceptions[d->nexceptions++];
            static const char *const ekeys[] = {"select", "reason", "authority", NULL};
            if (!json_is_object(e)) {
                rc = fail_at(&rd, at, "expected an object with select, reason and authority");
                break;
            }
            rc = keys_only(&rd, e, at, ekeys);
            if (!rc) {
                json_t *sel = json_object_get(e, "select");
                char sel_at[80];
                snprintf(sel_at, sizeof sel_at, "%s.select", at);
                rc = sel ? read_selector(&rd, sel, sel_at, &x->select)
                         : fail_at(&rd, sel_at, "required: which licences the exception covers");
            }
            if (!rc) rc = get_text(&rd, e, "reason", at, 1, REVIEW_MAX_TEXT, 1, &x->reason);
            if (!rc) rc = get_text(&rd, e, "authority", at, 1, REVIEW_MAX_TITLE, 0, &x->authority);
        }
    }
    if (rc) review_def_free(d);
    return rc;
}

int review_def_parse(const char *name, const char *text, size_t len, review_def *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    if (len > REVIEW_MAX_FILE)
        return ph_fail(err, PH_EUSAGE, "%s: larger than %u bytes", name, REVIEW_MAX_FILE);
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) return ph_fail(err, PH_EUSAGE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    char path[160];
    int rc = review_def_from_json(j, out, path, sizeof path, err);
    json_decref(j);
    if (rc) {
        char msg[PH_ERR_MAX];
        ph_strlcpy(msg, err->msg, sizeof msg);
        if (path[0])
            ph_fail(err, rc, "%s: %s: %s", name, path, msg);
        else
            ph_fail(err, rc, "%s: %s", name, msg);
    }
    return rc;
}

void review_def_free(review_def *d) {
    if (!d) return;
    free(d->title);
    free(d->reason);
    list_free(&d->criteria);
    list_free(&d->evidence);
    list_free(&d->scope.destinations);
    list_free(&d->scope.statuses);
    list_free(&d->scope.ratings);
    list_free(&d->scope.capabilities);
    list_free(&d->scope.end_user_types);
    list_free(&d->scope.licence_types);
    for (size_t i = 0; i < d->nexceptions; i++) {
        review_exception *x = &d->exceptions[i];
        list_free(&x->select.references);
        list_free(&x->select.tags);
        list_free(&x->select.ratings);
        list_free(&x->select.end_users);
        free(x->reason);
        free(x->authority);
    }
    free(d->exceptions);
    memset(d, 0, sizeof *d);
}

static json_t *list_json(const review_list *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static json_t *date_json(const char *d) {
    return d[0] ? json_string(d) : json_null();
}

json_t *review_def_json(const review_def *d) {
    json_t *j = json_object();
    json_object_set_new(j, "kind", json_string(review_kind_name(d->kind)));
    json_object_set_new(j, "title", json_string(d->title ? d->title : ""));
    json_object_set_new(j, "reason", json_string(d->reason ? d->reason : ""));
    json_object_set_new(j, "criteria", list_json(&d->criteria));
    json_object_set_new(j, "evidence", list_json(&d->evidence));
    json_object_set_new(j, "as_of", date_json(d->as_of));
    json_t *s = json_object();
    json_object_set_new(s, "destinations", list_json(&d->scope.destinations));
    json_object_set_new(s, "statuses", list_json(&d->scope.statuses));
    json_object_set_new(s, "ratings", list_json(&d->scope.ratings));
    json_object_set_new(s, "capabilities", list_json(&d->scope.capabilities));
    json_object_set_new(s, "end_user_types", list_json(&d->scope.end_user_types));
    json_object_set_new(s, "licence_types", list_json(&d->scope.licence_types));
    json_object_set_new(s, "issued_from", date_json(d->scope.issued_from));
    json_object_set_new(s, "issued_to", date_json(d->scope.issued_to));
    json_object_set_new(j, "scope", s);
    json_t *ex = json_array();
    for (size_t i = 0; i < d->nexceptions; i++) {
        const review_exception *x = &d->exceptions[i];
        json_t *sel = json_object();
        json_object_set_new(sel, "references", list_json(&x->select.references));
        json_object_set_new(sel, "tags", list_json(&x->select.tags));
        json_object_set_new(sel, "ratings", list_json(&x->select.ratings));
        json_object_set_new(sel, "end_users", list_json(&x->select.end_users));
        json_array_append_new(ex, json_pack("{s:o, s:s, s:s}", "select", sel, "reason", x->reason,
                                            "authority", x->authority));
    }
    json_object_set_new(j, "exceptions", ex);
    return j;
}
