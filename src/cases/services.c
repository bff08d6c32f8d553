/* The services a case needs, wired to the engines: assessment against the
 * policy in force (assess.h) and party screening against the loaded lists
 * (screen.h). Loaded once by the server and shared by its threads (the
 * engines' loaded state is read-only); the command line loads them per run. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "assess/assess.h"
#include "cases.h"
#include "concern/concern.h"
#include "lists/lists.h"
#include "screen/screen.h"

/* A screening index and the list versions it was built from. */
typedef struct screen_state {
    screen_index *index;
    int64_t generation;
    char *lists_json; /* [{"list", "version", "sha256"}] */
    char **names;     /* each list's name ... */
    char **versions;  /* ... and its version as hits record it: "un:3" */
    size_t nlists;
    struct screen_state
        *older; /* replaced indexes, kept until close (threads may still read them) */
} screen_state;

struct cases_runtime {
    assess_context *ctx;
    policy *policy;
    char date[11];
    int concerns_block;   /* the deployment's concern setting block_finalising, read at open */
    pthread_mutex_t lock; /* guards `screening` when the lists change */
    screen_state *screening;
};

/* The newest version of each list: what an index built now holds. */
static int load_versions(store *db, screen_state *s, ph_err *err) {
    store_stmt *st;
    if (store_prepare(db,
                      "SELECT v.list, v.seq, v.sha256 FROM list_version v WHERE v.seq = "
                      "(SELECT MAX(w.seq) FROM list_version w WHERE w.list = v.list) "
                      "ORDER BY v.list",
                      &st, err))
        return err->rc;
    json_t *a = json_array();
    size_t cap = 0, cap2 = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        const char *list = store_col_text(st, 0);
        long long seq = (long long)store_col_int(st, 1);
        json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "list", list, "version",
                                           (json_int_t)seq, "sha256", store_col_text(st, 2)));
        s->names = ph_grow(s->names, &cap, s->nlists + 1, sizeof *s->names);
        s->versions = ph_grow(s->versions, &cap2, s->nlists + 1, sizeof *s->versions);
        s->names[s->nlists] = ph_strdup(list);
        s->versions[s->nlists] = ph_asprintf("%s:%lld", list, seq);
        s->nlists++;
    }
    store_finalize(st);
    s->lists_json = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return rc == STORE_DONE ? PH_OK : rc;
}

static void state_free(screen_state *s) {
    screen_index_free(s->index);
    for (size_t i = 0; i < s->nlists; i++) {
        free(s->names[i]);
        free(s->versions[i]);
    }
    free(s->names);
    free(s->versions);
    free(s->lists_json);
    free(s);
}

/* The version of a list as the state holds it. */
static const char *version_of(const screen_state *s, const char *list) {
    for (size_t i = 0; i < s->nlists; i++)
        if (strcmp(s->names[i], list) == 0) return s->versions[i];
    return list;
}

/* The index for the lists now in the database, rebuilt when a list got a
 * new version since it was built (imports and updates while the server
 * runs), with the list versions it holds. NULL when no list is loaded. */
static int current_state(cases_runtime *rt, store *db, screen_state **out, ph_err *err) {
    *out = NULL;
    int64_t generation;
    if (lists_generation(db, &generation, err)) return err->rc;
    pthread_mutex_lock(&rt->lock);
    int rc = PH_OK;
    if (!rt->screening || rt->screening->generation != generation) {
        screen_state *s = ph_calloc(1, sizeof *s);
        s->generation = generation;
        rc = lists_screen_index(db, &s->index, NULL, NULL, err);
        if (!rc) rc = load_versions(db, s, err);
        if (rc) {
            state_free(s);
        } else {
            s->older = rt->screening;
            rt->screening = s;
        }
    }
    if (!rc && rt->screening && rt->screening->index) *out = rt->screening;
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

static int current_index(cases_runtime *rt, store *db, screen_index **out, ph_err *err) {
    screen_state *s;
    *out = NULL;
    if (current_state(rt, db, &s, err)) return err->rc;
    if (s) *out = s->index;
    return PH_OK;
}

/* A party on an application is an entity unless it is an individual. */
static screen_type party_screen_type(const char *party_type) {
    if (party_type && strcmp(party_type, "individual") == 0) return SCREEN_PERSON;
    return SCREEN_TYPE_ANY;
}

/* Screens one party; keeps the alerts (score at or above the threshold). */
static int screen_with_runtime(void *arg, store *db, const char *name, const char *party_type,
                               const char *country, cases_hit **hits, size_t *n, ph_err *err) {
    cases_runtime *rt = arg;
    *hits = NULL;
    *n = 0;
    screen_state *state;
    if (current_state(rt, db, &state, err)) return err->rc;
    if (!state) return PH_OK;
    screen_index *idx = state->index;
    screen_request req;
    screen_request_init(&req);
    req.name = name;
    req.type = party_screen_type(party_type);
    req.country = country;
    req.explain = 1;
    screen_result res;
    int rc = screen_query(idx, &req, &res, err);
    if (rc == PH_EUSAGE) return ph_err_prefix(err, "screening '%s': ", name);
    if (rc) return rc;
    size_t cap = 0;
    for (size_t i = 0; i < res.nhits; i++) {
        const screen_hit *h = &res.hits[i];
        if (!h->alert) continue;
        *hits = ph_grow(*hits, &cap, *n + 1, sizeof **hits);
        cases_hit *c = &(*hits)[(*n)++];
        json_t *ex = h->explanation ? screen_explanation_json(h->explanation) : json_object();
        c->list = ph_strdup(h->list);
        c->list_version = ph_strdup(version_of(state, h->list));
        c->entity_id = ph_strdup(h->entity_id);
        c->listed_name = ph_strdup(h->name);
        c->matched_name = ph_strdup(h->matched_name);
        c->score = h->score;
        c->explanation_json = json_dumps(ex, JSON_COMPACT);
        json_decref(ex);
    }
    screen_result_free(&res);
    return PH_OK;
}

/* The list versions screening uses now, as JSON text (NULL: no list). */
static int lists_with_runtime(void *arg, store *db, char **json, ph_err *err) {
    *json = NULL;
    screen_state *state;
    if (current_state(arg, db, &state, err)) return err->rc;
    if (state) *json = ph_strdup(state->lists_json);
    return PH_OK;
}

/* Assesses with the context and policy loaded at start, and the evidence in
 * force today read through the caller's connection (evidence may be added
 * while the server runs). */
static int assess_with_runtime(void *arg, store *db, const char *application_json,
                               const int *screening, size_t nparties, json_t **result,
                               char recommendation[32], ph_err *err) {
    cases_runtime *rt = arg;
    *result = NULL;
    assess_facts *facts = assess_facts_new();
    assess_evidence_snapshot *snap = NULL;
    assess_result r;
    assess_result_init(&r);
    int rc = assess_application_from_json(rt->ctx, "application", application_json,
                                          strlen(application_json), facts, err);
    if (!rc) {
        size_t n = assess_facts_party_count(facts);
        for (size_t i = 0; i < n && i < nparties; i++)
            assess_facts_set_screening(facts, i, screening[i]);
        rc = assess_evidence_snapshot_load(db, rt->date, &snap, err);
    }
    if (!rc) rc = assess_run(rt->policy, facts, snap, &r, err);
    if (!rc) {
        *result = assess_result_json(rt->ctx, &r, NULL);
        ph_strlcpy(recommendation, assess_recommendation(&r), 32);
    }
    assess_result_free(&r);
    assess_evidence_snapshot_free(snap);
    assess_facts_free(facts);
    return rc;
}

int cases_runtime_open(store *db, const char *date, cases_runtime **out, ph_err *err) {
    *out = NULL;
    cases_runtime *rt = ph_calloc(1, sizeof *rt);
    pthread_mutex_init(&rt->lock, NULL);
    if (date && *date)
        ph_strlcpy(rt->date, date, sizeof rt->date);
    else
        ph_date_format(ph_date_today(), rt->date);
    int rc = assess_context_load(db, rt->date, &rt->ctx, err);
    if (!rc) rc = assess_policy_in_force(db, rt->ctx, rt->date, &rt->policy, err);
    concern_settings settings;
    if (!rc) rc = concern_settings_load(db, &settings, err);
    if (!rc) rt->concerns_block = settings.block_finalising;
    if (rc) {
        cases_runtime_close(rt);
        return rc;
    }
    *out = rt;
    return PH_OK;
}

void cases_runtime_services(cases_runtime *rt, cases_services *svc) {
    memset(svc, 0, sizeof *svc);
    if (!rt) return;
    svc->assess = assess_with_runtime;
    svc->assess_ctx = rt;
    svc->screen = screen_with_runtime;
    svc->screen_lists = lists_with_runtime;
    svc->screen_ctx = rt;
    svc->open_concerns = concern_open_about_case;
    svc->concerns_noted = concern_note_decision;
    svc->concerns_block = rt->concerns_block;
}

void cases_runtime_close(cases_runtime *rt) {
    if (!rt) return;
    while (rt->screening) {
        screen_state *older = rt->screening->older;
        state_free(rt->screening);
        rt->screening = older;
    }
    pthread_mutex_destroy(&rt->lock);
    policy_free(rt->policy);
    assess_context_free(rt->ctx);
    free(rt);
}

int cases_screen_index(const cases_services *svc, store *db, screen_index **out, ph_err *err) {
    *out = NULL;
    if (!svc || svc->screen != screen_with_runtime || !svc->screen_ctx) return PH_OK;
    return current_index(svc->screen_ctx, db, out, err);
}
