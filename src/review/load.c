/* review — loading the licences a review looks at: those of its
 * destinations with a status in scope, with their goods lines, into
 * memory. Strings that repeat across a register (types, statuses, end
 * users, goods summaries, ratings) are stored once. */
#include <stdlib.h>
#include <string.h>

#include "review/review.h"

#define POOL_BLOCK (1u << 16)

typedef struct pool_block {
    struct pool_block *next;
    size_t used, cap;
    char data[];
} pool_block;

typedef struct string_pool {
    pool_block *blocks;
    ph_map interned; /* text -> address */
} string_pool;

static const char *pool_copy(string_pool *p, const char *s, size_t n) {
    pool_block *b = p->blocks;
    if (!b || b->used + n + 1 > b->cap) {
        size_t cap = n + 1 > POOL_BLOCK ? n + 1 : POOL_BLOCK;
        b = ph_malloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        b->next = p->blocks;
        p->blocks = b;
    }
    char *out = b->data + b->used;
    memcpy(out, s, n);
    out[n] = '\0';
    b->used += n + 1;
    return out;
}

/* A copy that lives as long as the set; the same text is stored once. */
static const char *pool_intern(string_pool *p, const char *s) {
    if (!s) return NULL;
    int64_t at;
    if (ph_map_get(&p->interned, s, &at)) return (const char *)(intptr_t)at;
    const char *copy = pool_copy(p, s, strlen(s));
    ph_map_put(&p->interned, s, (int64_t)(intptr_t)copy);
    return copy;
}

static const char *pool_text(string_pool *p, const char *s) {
    return s ? pool_copy(p, s, strlen(s)) : NULL;
}

static void pool_free(string_pool *p) {
    if (!p) return;
    for (pool_block *b = p->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    ph_map_free(&p->interned);
    free(p);
}

static void placeholders(ph_buf *sql, size_t n) {
    for (size_t i = 0; i < n; i++)
        ph_buf_puts(sql, i ? ", ?" : "?");
}

int review_licences_load(store *db, const review_def *d, review_licence_set **out, ph_err *err) {
    *out = NULL;
    ph_buf sql;
    ph_buf_init(&sql);
    ph_buf_puts(&sql,
                "SELECT l.id, l.reference, l.type, l.destination, l.end_user, l.end_user_type, "
                "l.end_use, l.status, l.issued_on, l.tags, ll.rating, ll.goods_summary, "
                "ll.quantity, ll.value_pence "
                "FROM licence l LEFT JOIN licence_line ll ON ll.licence_id = l.id "
                "WHERE l.destination IN (");
    placeholders(&sql, d->scope.destinations.n);
    ph_buf_puts(&sql, ") AND l.status IN (");
    placeholders(&sql, d->scope.statuses.n);
    ph_buf_puts(&sql, ") ORDER BY l.reference, ll.line_no");
    if (!d->scope.destinations.n || !d->scope.statuses.n) {
        ph_buf_free(&sql);
        return ph_fail(err, PH_EUSAGE, "a review's scope needs destinations and statuses");
    }
    store_stmt *st;
    int rc = store_prepare(db, sql.data, &st, err);
    ph_buf_free(&sql);
    if (rc) return rc;
    int k = 1;
    for (size_t i = 0; i < d->scope.destinations.n; i++)
        store_bind_text(st, k++, d->scope.destinations.items[i]);
    for (size_t i = 0; i < d->scope.statuses.n; i++)
        store_bind_text(st, k++, d->scope.statuses.items[i]);

    review_licence_set *s = ph_calloc(1, sizeof *s);
    string_pool *pool = ph_calloc(1, sizeof *pool);
    ph_map_init(&pool->interned);
    s->strings = pool;
    size_t cap = 0, lines_cap = 0, first_cap = 0;
    size_t *first_line = NULL;
    int64_t last = -1;
#define TEXT(i) (store_col_is_null(st, i) ? NULL : store_col_text(st, i))
    while ((rc = store_step(st, err)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        if (id != last) {
            s->v = ph_grow(s->v, &cap, s->n + 1, sizeof *s->v);
            first_line = ph_grow(first_line, &first_cap, s->n + 1, sizeof *first_line);
            review_licence *l = &s->v[s->n];
            memset(l, 0, sizeof *l);
            l->id = id;
            l->licence.reference = pool_text(pool, TEXT(1));
            l->licence.type = pool_intern(pool, TEXT(2));
            l->licence.destination = pool_intern(pool, TEXT(3));
            l->licence.end_user = pool_intern(pool, TEXT(4));
            l->licence.end_user_type = pool_intern(pool, TEXT(5));
            l->licence.end_use = pool_intern(pool, TEXT(6));
            l->status = pool_intern(pool, TEXT(7));
            l->issued_on = pool_intern(pool, TEXT(8));
            l->tags = pool_intern(pool, TEXT(9));
            first_line[s->n] = s->nlines;
            s->n++;
            last = id;
        }
        if (store_col_is_null(st, 10)) continue; /* a licence without goods lines */
        s->lines = ph_grow(s->lines, &lines_cap, s->nlines + 1, sizeof *s->lines);
        assess_licence_line *line = &s->lines[s->nlines++];
        line->rating = pool_intern(pool, TEXT(10));
        line->description = pool_intern(pool, TEXT(11));
        line->quantity = store_col_is_null(st, 12) ? -1 : store_col_int(st, 12);
        line->value_pence = store_col_is_null(st, 13) ? -1 : store_col_int(st, 13);
        s->v[s->n - 1].licence.nlines++;
    }
#undef TEXT
    store_finalize(st);
    /* The lines moved while growing: point each licence at its own now. */
    for (size_t i = 0; i < s->n; i++)
        s->v[i].licence.lines = s->lines ? s->lines + first_line[i] : NULL;
    free(first_line);
    if (rc != STORE_DONE) {
        review_licences_free(s);
        return rc;
    }
    *out = s;
    return PH_OK;
}

void review_licences_free(review_licence_set *s) {
    if (!s) return;
    free(s->v);
    free(s->lines);
    pool_free(s->strings);
    free(s);
}
