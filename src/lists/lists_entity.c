/* The entity builder, text cleaning, the chunked reader and skip notes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lists/parse.h"

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at s (of at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len) return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static int utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

/* Windows-1252 0x80..0x9F; the rest of the upper half is Latin-1. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

static void put_cp(ph_buf *b, unsigned cp) {
    char u[3];
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        ph_buf_append(b, u, 2);
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        ph_buf_append(b, u, 3);
    }
}

int lists_clean_text(const char *text, size_t len, size_t cap, char **out) {
    *out = NULL;
    /* Whitespace can shrink the text, and Windows-1252 can grow it threefold:
     * refuse early what cannot fit either way. */
    if (len > (size_t)cap * 4) return PH_ERR;
    int valid = utf8_valid(text, len);
    ph_buf b;
    ph_buf_init(&b);
    int space = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        int is_space = c <= 0x20 || c == 0x7F;
        size_t k = 1;
        if (valid && c == 0xC2 && i + 1 < len && p[i + 1] == 0xA0) is_space = 1, k = 2;
        if (is_space) {
            space = b.len > 0;
            i += k;
            continue;
        }
        if (space) ph_buf_putc(&b, ' ');
        space = 0;
        if (c < 0x80) {
            ph_buf_putc(&b, (char)c);
            i++;
        } else if (valid) {
            k = utf8_seq(p + i, len - i);
            ph_buf_append(&b, text + i, k);
            i += k;
        } else {
            put_cp(&b, c < 0xA0 ? cp1252_high[c - 0x80] : c);
            i++;
        }
    }
    if (b.len == 0) {
        ph_buf_free(&b);
        return PH_OK;
    }
    if (b.len > cap) {
        ph_buf_free(&b);
        return PH_ERR;
    }
    *out = ph_buf_steal(&b);
    return PH_OK;
}

/* Letters of the Latin script outside ASCII: Latin-1, Extended-A/B, IPA,
 * Extended Additional, Extended-C/D/E and the full-width forms. */
static int latin_letter(unsigned cp) {
    return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
           (cp >= 0x250 && cp <= 0x2AF) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
           (cp >= 0x2C60 && cp <= 0x2C7F) || (cp >= 0xA720 && cp <= 0xA7FF) ||
           (cp >= 0xAB30 && cp <= 0xAB6F) || (cp >= 0xFF21 && cp <= 0xFF5A);
}

const char *lists_alias_kind(const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    long latin = 0, other = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c < 0x80) {
            latin += (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) return "alias";
        unsigned cp = c & (0x7F >> k);
        for (size_t j = 1; j < k; j++)
            cp = (cp << 6) | (p[i + j] & 0x3F);
        i += k;
        if (latin_letter(cp))
            latin++;
        else if (cp >= 0x370 && !(cp >= 0x2000 && cp <= 0x2BFF) &&
                 !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFE00 && cp <= 0xFE0F) &&
                 !(cp >= 0xFF00 && cp <= 0xFF20))
            other++; /* letters of other scripts; punctuation and symbols left out */
    }
    return other > latin ? "original" : "alias";
}

/* ---- builder ---- */

void lists_builder_init(lists_builder *b) {
    memset(b, 0, sizeof *b);
    ph_strlcpy(b->e.type, "unknown", sizeof b->e.type);
}

static void free_strings(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
}

void lists_builder_reset(lists_builder *b) {
    lists_entity *e = &b->e;
    free(e->entity_id);
    free(e->alt_id);
    free(e->source);
    free(e->remarks);
    e->entity_id = e->alt_id = e->source = e->remarks = NULL;
    b->remarks_len = 0;
    for (size_t i = 0; i < e->nnames; i++)
        free(e->names[i].text);
    free_strings(e->dobs, e->ndobs);
    free_strings(e->countries, e->ncountries);
    free_strings(e->programmes, e->nprogrammes);
    free_strings(e->addresses, e->naddresses);
    for (size_t i = 0; i < e->nattrs; i++)
        free(e->attrs[i].value);
    e->nnames = e->ndobs = e->ncountries = e->nprogrammes = e->naddresses = e->nattrs = 0;
    ph_strlcpy(e->type, "unknown", sizeof e->type);
    e->line = 0;
}

void lists_builder_free(lists_builder *b) {
    lists_builder_reset(b);
    lists_entity *e = &b->e;
    free(e->names);
    free(e->dobs);
    free(e->countries);
    free(e->programmes);
    free(e->addresses);
    free(e->attrs);
    memset(b, 0, sizeof *b);
}

static int fail_at(lists_builder *b, ph_err *err, const char *what) {
    return ph_fail(err, PH_ERR, "%s:%ld: %s", b->e.file ? b->e.file : "<input>", b->e.line, what);
}

static int clean(lists_builder *b, const char *text, size_t len, size_t cap, const char *what,
                 char **out, ph_err *err) {
    if (lists_clean_text(text, len, cap, out)) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s longer than %zu bytes", what, cap);
        return fail_at(b, err, msg);
    }
    return PH_OK;
}

int lists_builder_set_id(lists_builder *b, const char *text, size_t len, ph_err *err) {
    char *s;
    if (clean(b, text, len, 256, "identifier", &s, err)) return err->rc;
    if (!s) return fail_at(b, err, "the identifier is blank");
    free(b->e.entity_id);
    b->e.entity_id = s;
    return PH_OK;
}

int lists_builder_set_alt_id(lists_builder *b, const char *text, size_t len, ph_err *err) {
    char *s;
    if (clean(b, text, len, 256, "identifier", &s, err)) return err->rc;
    free(b->e.alt_id);
    b->e.alt_id = s;
    return PH_OK;
}

int lists_builder_set_type(lists_builder *b, const char *type) {
    ph_strlcpy(b->e.type, type, sizeof b->e.type);
    return PH_OK;
}

int lists_builder_set_source(lists_builder *b, const char *text, size_t len, ph_err *err) {
    char *s;
    if (clean(b, text, len, LISTS_MAX_TEXT, "source", &s, err)) return err->rc;
    free(b->e.source);
    b->e.source = s;
    return PH_OK;
}

static int too_many(lists_builder *b, size_t n, const char *what, ph_err *err) {
    if (n < LISTS_MAX_VALUES) return PH_OK;
    char msg[128];
    snprintf(msg, sizeof msg, "more than %d %s on one entity", LISTS_MAX_VALUES, what);
    return fail_at(b, err, msg);
}

int lists_builder_add_name(lists_builder *b, const char *text, size_t len, const char *kind,
                           const char *quality, ph_err *err) {
    lists_entity *e = &b->e;
    char *s;
    if (clean(b, text, len, LISTS_MAX_TEXT, "name", &s, err)) return err->rc;
    if (!s) return PH_OK;
    int primary = strcmp(kind, "primary") == 0;
    for (size_t i = 0; i < e->nnames; i++) {
        if (strcmp(e->names[i].text, s) != 0) continue;
        /* Known already: a primary name seen first as an alias moves to the front. */
        if (primary && strcmp(e->names[i].kind, "primary") != 0) {
            lists_name keep = e->names[i];
            memmove(e->names + 1, e->names, i * sizeof *e->names);
            e->names[0] = keep;
            ph_strlcpy(e->names[0].kind, "primary", sizeof e->names[0].kind);
            ph_strlcpy(e->names[0].quality, quality, sizeof e->names[0].quality);
        }
        free(s);
        return PH_OK;
    }
    if (too_many(b, e->nnames, "names", err)) {
        free(s);
        return err->rc;
    }
    e->names = ph_grow(e->names, &b->names_cap, e->nnames + 1, sizeof *e->names);
    size_t at = e->nnames;
    if (primary) {
        /* A second primary name (the list gives two) stays primary, after the first. */
        at = (e->nnames && strcmp(e->names[0].kind, "primary") == 0) ? 1 : 0;
        while (at < e->nnames && strcmp(e->names[at].kind, "primary") == 0)
            at++;
        memmove(e->names + at + 1, e->names + at, (e->nnames - at) * sizeof *e->names);
    }
    lists_name *n = &e->names[at];
    n->text = s;
    ph_strlcpy(n->kind, kind, sizeof n->kind);
    ph_strlcpy(n->quality, quality, sizeof n->quality);
    e->nnames++;
    return PH_OK;
}

static int add_string(lists_builder *b, char ***v, size_t *n, size_t *cap, const char *what,
                      char *s, ph_err *err) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) {
            free(s);
            return PH_OK;
        }
    if (too_many(b, *n, what, err)) {
        free(s);
        return err->rc;
    }
    *v = ph_grow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = s;
    return PH_OK;
}

int lists_builder_add(lists_builder *b, enum lists_field field, const char *text, size_t len,
                      ph_err *err) {
    lists_entity *e = &b->e;
    char *s;
    if (clean(b, text, len, LISTS_MAX_TEXT, "value", &s, err)) return err->rc;
    if (!s) return PH_OK;
    switch (field) {
    case LISTS_DOB: return add_string(b, &e->dobs, &e->ndobs, &b->dobs_cap, "dates", s, err);
    case LISTS_COUNTRY:
        return add_string(b, &e->countries, &e->ncountries, &b->countries_cap, "countries", s, err);
    case LISTS_PROGRAMME:
        return add_string(b, &e->programmes, &e->nprogrammes, &b->programmes_cap, "programmes", s,
                          err);
    case LISTS_ADDRESS:
        return add_string(b, &e->addresses, &e->naddresses, &b->addresses_cap, "addresses", s, err);
    }
    free(s);
    return PH_OK;
}

int lists_builder_add_dob_text(lists_builder *b, const char *text, size_t len, ph_err *err) {
    char *s;
    if (clean(b, text, len, LISTS_MAX_TEXT, "date", &s, err)) return err->rc;
    if (!s) return PH_OK;
    char from[11], to[11];
    int n = lists_date_range(s, from, to);
    int rc = PH_OK;
    if (n == 0) rc = lists_builder_add_attr(b, "dob_text", s, strlen(s), err);
    if (n >= 1 && !rc) rc = lists_builder_add(b, LISTS_DOB, from, strlen(from), err);
    if (n == 2 && !rc) rc = lists_builder_add(b, LISTS_DOB, to, strlen(to), err);
    free(s);
    return rc;
}

int lists_builder_add_attr(lists_builder *b, const char *kind, const char *text, size_t len,
                           ph_err *err) {
    lists_entity *e = &b->e;
    char *s;
    if (clean(b, text, len, LISTS_MAX_TEXT, "value", &s, err)) return err->rc;
    if (!s) return PH_OK;
    for (size_t i = 0; i < e->nattrs; i++)
        if (strcmp(e->attrs[i].kind, kind) == 0 && strcmp(e->attrs[i].value, s) == 0) {
            free(s);
            return PH_OK;
        }
    if (too_many(b, e->nattrs, "attributes", err)) {
        free(s);
        return err->rc;
    }
    e->attrs = ph_grow(e->attrs, &b->attrs_cap, e->nattrs + 1, sizeof *e->attrs);
    ph_strlcpy(e->attrs[e->nattrs].kind, kind, sizeof e->attrs[e->nattrs].kind);
    e->attrs[e->nattrs++].value = s;
    return PH_OK;
}

int lists_builder_add_remarks(lists_builder *b, const char *text, size_t len, ph_err *err) {
    lists_entity *e = &b->e;
    char *s;
    if (clean(b, text, len, LISTS_MAX_REMARKS, "remarks", &s, err)) return err->rc;
    if (!s) return PH_OK;
    if (!e->remarks) {
        e->remarks = s;
        b->remarks_len = strlen(s);
        return PH_OK;
    }
    if (strstr(e->remarks, s)) { /* merged records often repeat the same remarks */
        free(s);
        return PH_OK;
    }
    size_t add = strlen(s);
    if (b->remarks_len + 3 + add > LISTS_MAX_REMARKS) {
        free(s);
        char msg[96];
        snprintf(msg, sizeof msg, "remarks longer than %u bytes", LISTS_MAX_REMARKS);
        return fail_at(b, err, msg);
    }
    e->remarks = ph_realloc(e->remarks, b->remarks_len + 3 + add + 1);
    memcpy(e->remarks + b->remarks_len, " | ", 3);
    memcpy(e->remarks + b->remarks_len + 3, s, add + 1);
    b->remarks_len += 3 + add;
    free(s);
    return PH_OK;
}

int lists_builder_merge(lists_builder *b, const lists_entity *from, ph_err *err) {
    lists_entity *e = &b->e;
    int rc = PH_OK;
    int first = e->nnames == 0; /* copying, not merging: the primary name stays primary */
    if (!e->entity_id && from->entity_id)
        rc = lists_builder_set_id(b, from->entity_id, strlen(from->entity_id), err);
    if (!e->file) e->file = from->file, e->line = from->line;
    if (strcmp(e->type, "unknown") == 0) lists_builder_set_type(b, from->type);
    if (!rc && !e->alt_id && from->alt_id)
        rc = lists_builder_set_alt_id(b, from->alt_id, strlen(from->alt_id), err);
    if (!rc && from->source) {
        if (!e->source) {
            rc = lists_builder_set_source(b, from->source, strlen(from->source), err);
        } else if (!strstr(e->source, from->source)) {
            char *joined = ph_asprintf("%s; %s", e->source, from->source);
            rc = lists_builder_set_source(b, joined, strlen(joined), err);
            free(joined);
        }
    }
    for (size_t i = 0; !rc && i < from->nnames; i++) {
        const lists_name *n = &from->names[i];
        /* The first record's primary name stays primary; later ones are aliases. */
        const char *kind = !first && strcmp(n->kind, "primary") == 0 ? "alias" : n->kind;
        rc = lists_builder_add_name(b, n->text, strlen(n->text), kind, n->quality, err);
    }
    for (size_t i = 0; !rc && i < from->ndobs; i++)
        rc = lists_builder_add(b, LISTS_DOB, from->dobs[i], strlen(from->dobs[i]), err);
    for (size_t i = 0; !rc && i < from->ncountries; i++)
        rc = lists_builder_add(b, LISTS_COUNTRY, from->countries[i], strlen(from->countries[i]),
                               err);
    for (size_t i = 0; !rc && i < from->nprogrammes; i++)
        rc = lists_builder_add(b, LISTS_PROGRAMME, from->programmes[i], strlen(from->programmes[i]),
                               err);
    for (size_t i = 0; !rc && i < from->naddresses; i++)
        rc = lists_builder_add(b, LISTS_ADDRESS, from->addresses[i], strlen(from->addresses[i]),
                               err);
    for (size_t i = 0; !rc && i < from->nattrs; i++)
        rc = lists_builder_add_attr(b, from->attrs[i].kind, from->attrs[i].value,
                                    strlen(from->attrs[i].value), err);
    if (!rc && from->remarks)
        rc = lists_builder_add_remarks(b, from->remarks, strlen(from->remarks), err);
    return rc;
}

/* ---- reader ---- */

const char *lists_input_label(const lists_input *in) {
    if (in->label) return in->label;
    if (in->path) return in->path;
    return "<memory>";
}

uint64_t lists_input_size(const lists_input *in) {
    if (!in->path) return in->data ? in->len : 0;
    struct stat st;
    if (stat(in->path, &st) == 0 && S_ISREG(st.st_mode)) return (uint64_t)st.st_size;
    return 0;
}

int lists_reader_open(lists_reader *r, const lists_input *in, ph_err *err) {
    memset(r, 0, sizeof *r);
    r->label = lists_input_label(in);
    if (!in->path) {
        r->data = in->data ? in->data : "";
        r->len = in->data ? in->len : 0;
        r->size = r->len;
        return PH_OK;
    }
    r->file = fopen(in->path, "rb");
    if (!r->file) return ph_fail(err, PH_ERR, "%s: %s", r->label, strerror(errno));
    struct stat st;
    if (fstat(fileno(r->file), &st) == 0 && S_ISREG(st.st_mode)) r->size = (uint64_t)st.st_size;
    r->chunk = ph_malloc(LISTS_CHUNK);
    return PH_OK;
}

int lists_reader_next(lists_reader *r, const char **p, size_t *n, ph_err *err) {
    if (!r->file) {
        size_t take = r->len - r->pos < LISTS_CHUNK ? r->len - r->pos : LISTS_CHUNK;
        *p = r->data + r->pos;
        *n = take;
        r->pos += take;
        r->done += take;
        return PH_OK;
    }
    size_t got = fread(r->chunk, 1, LISTS_CHUNK, r->file);
    if (got == 0 && ferror(r->file)) return ph_fail(err, PH_ERR, "%s: read error", r->label);
    *p = r->chunk;
    *n = got;
    r->done += got;
    return PH_OK;
}

void lists_reader_close(lists_reader *r) {
    if (r->file) fclose(r->file);
    free(r->chunk);
    memset(r, 0, sizeof *r);
}

/* ---- reports ---- */

void lists_report_skip(lists_parse_report *rep, const char *file, long line, const char *why) {
    rep->skipped++;
    if (rep->nnotes >= LISTS_MAX_NOTES) return;
    rep->notes = ph_realloc(rep->notes, (rep->nnotes + 1) * sizeof *rep->notes);
    lists_note *n = &rep->notes[rep->nnotes++];
    n->file = ph_strdup(file);
    n->line = line;
    n->text = ph_strdup(why);
}

void lists_parse_report_free(lists_parse_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nnotes; i++) {
        free(r->notes[i].file);
        free(r->notes[i].text);
    }
    free(r->notes);
    memset(r, 0, sizeof *r);
}

void lists_err_relabel(ph_err *err, const char *path, const char *label) {
    if (!err || !path || !label || strcmp(path, label) == 0) return;
    size_t n = strlen(path);
    if (strncmp(err->msg, path, n) != 0) return;
    char rest[PH_ERR_MAX];
    ph_strlcpy(rest, err->msg + n, sizeof rest);
    snprintf(err->msg, sizeof err->msg, "%s%s", label, rest);
}
