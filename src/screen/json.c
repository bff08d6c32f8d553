/* Hits and their explanations as JSON, the same for the command line, the
 * server and the case record. */
#include <jansson.h>
#include <math.h>

#include "screen.h"

json_t *screen_score_json(double x) {
    return json_real(round(x * 10000.0) / 10000.0);
}

const char *screen_name_kind_name(screen_name_kind k) {
    return k == SCREEN_NAME_PRIMARY ? "primary" : k == SCREEN_NAME_ORIGINAL ? "original" : "alias";
}

json_t *screen_explanation_json(const screen_explanation *ex) {
    json_t *parts = json_array();
    for (size_t i = 0; i < ex->nparts; i++) {
        const screen_part *p = &ex->parts[i];
        json_t *o = json_object();
        json_object_set_new(o, "query", p->query[0] ? json_string(p->query) : json_null());
        json_object_set_new(o, "list", p->list[0] ? json_string(p->list) : json_null());
        json_object_set_new(o, "similarity", screen_score_json(p->similarity));
        json_object_set_new(o, "how", json_string(screen_how_name(p->how)));
        json_object_set_new(o, "weight", screen_score_json(p->weight));
        if (p->note) json_object_set_new(o, "note", json_string(p->note));
        json_array_append_new(parts, o);
    }
    json_t *quals = json_array();
    for (size_t i = 0; i < ex->nqualifiers; i++) {
        const screen_qualifier *q = &ex->qualifiers[i];
        json_t *o = json_pack("{s:s}", "name", q->name);
        if (q->factor != 1.0) json_object_set_new(o, "factor", screen_score_json(q->factor));
        if (q->delta != 0.0) json_object_set_new(o, "delta", screen_score_json(q->delta));
        json_object_set_new(o, "detail", json_string(q->detail));
        json_array_append_new(quals, o);
    }
    json_t *o = json_object();
    json_object_set_new(o, "query_tokens", json_string(ex->query));
    json_object_set_new(o, "list_tokens", json_string(ex->list));
    json_object_set_new(o, "name_score", screen_score_json(ex->name_score));
    json_object_set_new(o, "parts", parts);
    json_object_set_new(o, "qualifiers", quals);
    if (ex->rule) json_object_set_new(o, "rule", json_string(ex->rule));
    return o;
}

json_t *screen_hit_json(const screen_hit *h, int full) {
    json_t *o = json_object();
    json_object_set_new(o, "list", json_string(h->list));
    json_object_set_new(o, "entity_id", json_string(h->entity_id));
    json_object_set_new(o, "name", json_string(h->name));
    json_object_set_new(o, "matched_name", json_string(h->matched_name));
    json_object_set_new(o, "score", screen_score_json(h->score));
    json_object_set_new(o, "alert", json_boolean(h->alert));
    if (full) {
        json_object_set_new(o, "type", json_string(screen_type_name(h->type)));
        json_object_set_new(o, "matched_kind", json_string(screen_name_kind_name(h->matched_kind)));
        json_object_set_new(o, "weak_alias", json_boolean(h->weak));
        json_object_set_new(o, "name_score", screen_score_json(h->name_score));
        if (h->explanation)
            json_object_set_new(o, "explanation", screen_explanation_json(h->explanation));
    }
    return o;
}
