/* Feeding the screening engine: the newest version of every list as the
 * engine's plain records, built into an index. */
#include <stdlib.h>
#include <string.h>

#include "lists.h"
#include "screen/screen.h"

static screen_name_kind name_kind(const char *kind) {
    if (strcmp(kind, "primary") == 0) return SCREEN_NAME_PRIMARY;
    if (strcmp(kind, "original") == 0) return SCREEN_NAME_ORIGINAL;
    return SCREEN_NAME_ALIAS;
}

int lists_screen_index(store *db, screen_index **idx, size_t *entities, size_t *nlists,
                       ph_err *err) {
    *idx = NULL;
    lists_set set;
    int rc = lists_load_current(db, NULL, 0, &set, err);
    if (rc) return rc;
    if (entities) *entities = set.n;
    if (nlists) *nlists = set.nlists;
    if (set.n == 0) {
        lists_set_free(&set);
        return PH_OK;
    }
    screen_record *recs = ph_calloc(set.n, sizeof *recs);
    size_t total_names = 0;
    for (size_t i = 0; i < set.n; i++)
        total_names += set.v[i].nnames;
    screen_name *names = ph_calloc(total_names ? total_names : 1, sizeof *names);
    size_t at = 0;
    for (size_t i = 0; i < set.n; i++) {
        const lists_entity *e = &set.v[i];
        int type = screen_type_parse(e->type);
        recs[i] = (screen_record){e->list,
                                  e->entity_id,
                                  type < 0 ? SCREEN_TYPE_ANY : (screen_type)type,
                                  names + at,
                                  e->nnames,
                                  (const char *const *)e->dobs,
                                  e->ndobs,
                                  (const char *const *)e->countries,
                                  e->ncountries};
        for (size_t k = 0; k < e->nnames; k++)
            names[at++] = (screen_name){e->names[k].text, name_kind(e->names[k].kind),
                                        strcmp(e->names[k].quality, "weak") == 0};
    }
    rc = screen_index_build(recs, set.n, NULL, idx, err);
    free(recs);
    free(names);
    lists_set_free(&set);
    return rc;
}
