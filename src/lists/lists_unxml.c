/* The UN Security Council consolidated list (XML), streamed with expat.
 *
 * <CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>...</INDIVIDUAL></INDIVIDUALS>
 * <ENTITIES><ENTITY>...</ENTITY></ENTITIES></CONSOLIDATED_LIST>
 * The entity id is REFERENCE_NUMBER ("TAi.108"); DATAID is kept as alt_id.
 * Document type declarations are refused, so no entity is ever expanded. */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "lists/parse.h"

#define NAME_PARTS 4
#define TAG_MAX 48

typedef struct un_parser {
    XML_Parser xml;
    const char *label;
    const lists_parse_options *opts;
    lists_parse_report *rep;
    lists_entity_fn fn;
    void *ctx;
    ph_err *err;
    int rc;         /* first error */
    int skip_entry; /* the current entry is bad and skipped (skip_bad) */
    int depth;
    char tags[LISTS_XML_MAX_DEPTH + 1][TAG_MAX];
    ph_buf text;
    int in_entry;
    long entry_line; /* where the current entry starts */
    lists_builder b;
    char *parts[NAME_PARTS];
    /* Pieces of the current alias, address, date or place of birth. */
    char *alias_quality, *alias_name;
    ph_buf compound; /* address or place of birth being assembled */
    char *country;
    char *reference;
} un_parser;

static int tag_is(const un_parser *p, int depth, const char *name) {
    return depth >= 1 && depth <= p->depth && strcmp(p->tags[depth], name) == 0;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void stop(un_parser *p) {
    XML_StopParser(p->xml, XML_FALSE);
}

/* Records an error on the current entry: skipped under skip_bad, else fatal. */
static void entry_error(un_parser *p) {
    if (p->opts && p->opts->skip_bad) {
        lists_report_skip(p->rep, p->label, p->entry_line, p->err->msg);
        ph_err_clear(p->err);
        p->skip_entry = 1;
        return;
    }
    p->rc = p->err->rc ? p->err->rc : PH_ERR;
    stop(p);
}

static void set_line(un_parser *p) {
    /* Errors from the builder name the line being read. */
    p->b.e.line = (long)XML_GetCurrentLineNumber(p->xml);
}

static void clear_piece(char **s) {
    free(*s);
    *s = NULL;
}

static void begin_entry(un_parser *p, const char *type) {
    lists_builder_reset(&p->b);
    p->b.e.file = p->label;
    p->b.e.line = p->entry_line = (long)XML_GetCurrentLineNumber(p->xml);
    lists_builder_set_type(&p->b, type);
    for (int i = 0; i < NAME_PARTS; i++)
        clear_piece(&p->parts[i]);
    clear_piece(&p->reference);
    p->in_entry = 1;
    p->skip_entry = 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    (void)attrs;
    un_parser *p = ud;
    if (p->rc) return;
    if (p->depth >= LISTS_XML_MAX_DEPTH) {
        p->rc = ph_fail(p->err, PH_ERR, "%s:%lu: elements nested deeper than %d levels", p->label,
                        (unsigned long)XML_GetCurrentLineNumber(p->xml), LISTS_XML_MAX_DEPTH);
        stop(p);
        return;
    }
    p->depth++;
    ph_strlcpy(p->tags[p->depth], name, TAG_MAX);
    ph_buf_reset(&p->text);
    if (p->depth == 1 && strcmp(name, "CONSOLIDATED_LIST") != 0) {
        p->rc = ph_fail(p->err, PH_ERR,
                        "%s:%lu: not a UN consolidated list (the root element is <%s>, expected "
                        "<CONSOLIDATED_LIST>)",
                        p->label, (unsigned long)XML_GetCurrentLineNumber(p->xml), name);
        stop(p);
        return;
    }
    if (p->depth == 3) {
        if (tag_is(p, 2, "INDIVIDUALS") && strcmp(name, "INDIVIDUAL") == 0)
            begin_entry(p, "person");
        else if (tag_is(p, 2, "ENTITIES") && strcmp(name, "ENTITY") == 0)
            begin_entry(p, "entity");
        return;
    }
    if (!p->in_entry || p->depth != 4) return;
    if (ends_with(name, "_ALIAS")) {
        clear_piece(&p->alias_quality);
        clear_piece(&p->alias_name);
    } else if (ends_with(name, "_ADDRESS") || ends_with(name, "_PLACE_OF_BIRTH")) {
        ph_buf_reset(&p->compound);
        clear_piece(&p->country);
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
    un_parser *p = ud;
    if (p->rc || !p->in_entry) return;
    if (ph_buf_append(&p->text, s, (size_t)len)) {
        p->rc = ph_fail(p->err, PH_ERR, "%s:%lu: element <%s> holds more than %u bytes of text",
                        p->label, (unsigned long)XML_GetCurrentLineNumber(p->xml),
                        p->tags[p->depth], LISTS_MAX_REMARKS);
        stop(p);
    }
}

static void add_compound_part(un_parser *p, const char *text) {
    if (!*text) return;
    if (p->compound.len) ph_buf_puts(&p->compound, ", ");
    ph_buf_puts(&p->compound, text);
}

static const char *alias_quality(const char *q) {
    if (!q) return "";
    if (strcmp(q, "Good") == 0) return "strong";
    if (strcmp(q, "Low") == 0) return "weak";
    return ""; /* entity aliases say "a.k.a." or "f.k.a.": a kind, not a grade */
}

/* A leaf inside the entry ended, with its text in p->text. */
static int on_field(un_parser *p, const char *tag, const char *text) {
    lists_builder *b = &p->b;
    ph_err *err = p->err;
    size_t n = strlen(text);
    if (p->depth == 4) {
        static const char *const parts[NAME_PARTS] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                                      "FOURTH_NAME"};
        for (int i = 0; i < NAME_PARTS; i++)
            if (strcmp(tag, parts[i]) == 0) {
                free(p->parts[i]);
                p->parts[i] = ph_strdup(text);
                return PH_OK;
            }
        if (strcmp(tag, "REFERENCE_NUMBER") == 0) {
            free(p->reference);
            p->reference = ph_strdup(text);
            return PH_OK;
        }
        if (strcmp(tag, "DATAID") == 0) return lists_builder_set_alt_id(b, text, n, err);
        if (strcmp(tag, "UN_LIST_TYPE") == 0)
            return lists_builder_add(b, LISTS_PROGRAMME, text, n, err);
        if (strcmp(tag, "NAME_ORIGINAL_SCRIPT") == 0)
            return lists_builder_add_name(b, text, n, "original", "", err);
        if (strcmp(tag, "COMMENTS1") == 0) return lists_builder_add_remarks(b, text, n, err);
        if (strcmp(tag, "LISTED_ON") == 0)
            return lists_builder_add_attr(b, "listed_on", text, n, err);
        if (strcmp(tag, "GENDER") == 0) return lists_builder_add_attr(b, "gender", text, n, err);
        return PH_OK;
    }
    /* depth 5: inside a group */
    const char *group = p->tags[4];
    if (strcmp(tag, "VALUE") == 0) {
        if (strcmp(group, "NATIONALITY") == 0)
            return lists_builder_add(b, LISTS_COUNTRY, text, n, err);
        if (strcmp(group, "DESIGNATION") == 0)
            return lists_builder_add_attr(b, "designation", text, n, err);
        if (strcmp(group, "TITLE") == 0) return lists_builder_add_attr(b, "title", text, n, err);
        return PH_OK;
    }
    if (ends_with(group, "_ALIAS")) {
        if (strcmp(tag, "QUALITY") == 0) {
            free(p->alias_quality);
            p->alias_quality = ph_strdup(text);
        } else if (strcmp(tag, "ALIAS_NAME") == 0) {
            free(p->alias_name);
            p->alias_name = ph_strdup(text);
        } else if (strcmp(tag, "DATE_OF_BIRTH") == 0) {
            /* A date of birth used under this alias is one of the person's. */
            return lists_builder_add_dob_text(b, text, n, err);
        } else if (strcmp(tag, "COUNTRY_OF_BIRTH") == 0) {
            return lists_builder_add_attr(b, "place_of_birth", text, n, err);
        }
        return PH_OK;
    }
    if (ends_with(group, "_DATE_OF_BIRTH")) {
        if (strcmp(tag, "DATE") == 0 || strcmp(tag, "YEAR") == 0 || strcmp(tag, "FROM_YEAR") == 0 ||
            strcmp(tag, "TO_YEAR") == 0)
            return lists_builder_add_dob_text(b, text, n, err);
        return PH_OK;
    }
    if (ends_with(group, "_ADDRESS") || ends_with(group, "_PLACE_OF_BIRTH")) {
        if (strcmp(tag, "COUNTRY") == 0) {
            free(p->country);
            p->country = ph_strdup(text);
        }
        if (strcmp(tag, "NOTE") != 0) add_compound_part(p, text);
        return PH_OK;
    }
    return PH_OK;
}

/* A group (alias, address, place of birth) ended. */
static int on_group_end(un_parser *p, const char *tag) {
    lists_builder *b = &p->b;
    if (ends_with(tag, "_ALIAS")) {
        if (!p->alias_name) return PH_OK;
        return lists_builder_add_name(b, p->alias_name, strlen(p->alias_name), "alias",
                                      alias_quality(p->alias_quality), p->err);
    }
    if (ends_with(tag, "_ADDRESS")) {
        int rc = lists_builder_add(b, LISTS_ADDRESS, p->compound.data ? p->compound.data : "",
                                   p->compound.len, p->err);
        if (!rc && p->country)
            rc = lists_builder_add(b, LISTS_COUNTRY, p->country, strlen(p->country), p->err);
        return rc;
    }
    if (ends_with(tag, "_PLACE_OF_BIRTH"))
        return lists_builder_add_attr(b, "place_of_birth", p->compound.data ? p->compound.data : "",
                                      p->compound.len, p->err);
    return PH_OK;
}

static int end_entry(un_parser *p) {
    lists_builder *b = &p->b;
    ph_err *err = p->err;
    b->e.line = p->entry_line;
    if (!p->reference || !*p->reference)
        return ph_fail(err, PH_ERR, "%s:%ld: <%s> without a REFERENCE_NUMBER", p->label, b->e.line,
                       p->tags[3]);
    int rc = lists_builder_set_id(b, p->reference, strlen(p->reference), err);
    if (rc) return rc;
    /* The primary name is FIRST_NAME .. FOURTH_NAME in order. */
    ph_buf name;
    ph_buf_init(&name);
    for (int i = 0; i < NAME_PARTS; i++) {
        if (!p->parts[i] || !*p->parts[i]) continue;
        if (name.len) ph_buf_putc(&name, ' ');
        ph_buf_puts(&name, p->parts[i]);
    }
    if (name.len == 0) {
        ph_buf_free(&name);
        return ph_fail(err, PH_ERR, "%s:%ld: %s has no name (FIRST_NAME is empty)", p->label,
                       b->e.line, p->reference);
    }
    rc = lists_builder_add_name(b, name.data, name.len, "primary", "", err);
    if (!rc && (b->e.nnames == 0 || strcmp(b->e.names[0].kind, "primary") != 0))
        rc = ph_fail(err, PH_ERR, "%s:%ld: %s has no name (FIRST_NAME is blank)", p->label,
                     b->e.line, p->reference);
    /* Entities listed as "NAME A ; NAME B" are known by each part as well. */
    if (!rc && strstr(name.data, " ; ")) {
        const char *s = name.data;
        for (;;) {
            const char *sep = strstr(s, " ; ");
            size_t n = sep ? (size_t)(sep - s) : strlen(s);
            if ((rc = lists_builder_add_name(b, s, n, "alias", "", err))) break;
            if (!sep) break;
            s = sep + 3;
        }
    }
    ph_buf_free(&name);
    if (rc) return rc;
    return PH_OK;
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
    un_parser *p = ud;
    if (p->rc) return;
    if (p->in_entry && !p->skip_entry && p->depth >= 4) {
        int rc = PH_OK;
        set_line(p);
        if (p->depth <= 5) {
            char *text = NULL;
            if (lists_clean_text(p->text.data ? p->text.data : "", p->text.len, LISTS_MAX_REMARKS,
                                 &text) == PH_OK)
                rc = on_field(p, name, text ? text : "");
            free(text);
        }
        if (!rc && p->depth == 4) rc = on_group_end(p, name);
        if (rc) entry_error(p);
    } else if (p->in_entry && p->depth == 3) {
        p->in_entry = 0;
        p->rep->records++;
        if (!p->skip_entry) {
            int rc = end_entry(p);
            if (!rc) {
                rc = p->fn(p->ctx, &p->b.e, p->err);
                if (!rc)
                    p->rep->entities++;
                else {
                    p->rc = rc;
                    stop(p);
                }
            } else {
                entry_error(p);
            }
        }
    }
    ph_buf_reset(&p->text);
    p->depth--;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal) {
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    un_parser *p = ud;
    p->rc = ph_fail(p->err, PH_ERR,
                    "%s:%lu: document type declarations are not accepted in a list file", p->label,
                    (unsigned long)XML_GetCurrentLineNumber(p->xml));
    stop(p);
}

int lists_parse_un_xml(const lists_input *input, const lists_parse_options *opts,
                       lists_entity_fn fn, void *ctx, lists_parse_report *report, ph_err *err) {
    un_parser p;
    memset(&p, 0, sizeof p);
    p.label = lists_input_label(input);
    p.opts = opts;
    p.rep = report;
    p.fn = fn;
    p.ctx = ctx;
    p.err = err;
    ph_buf_init(&p.text);
    p.text.cap_limit = LISTS_MAX_REMARKS;
    ph_buf_init(&p.compound);
    lists_builder_init(&p.b);
    lists_reader r;
    if (lists_reader_open(&r, input, err)) {
        lists_builder_free(&p.b);
        return err->rc;
    }
    p.xml = XML_ParserCreate(NULL);
    if (!p.xml) abort();
    XML_SetUserData(p.xml, &p);
    XML_SetElementHandler(p.xml, on_start, on_end);
    XML_SetCharacterDataHandler(p.xml, on_text);
    XML_SetStartDoctypeDeclHandler(p.xml, on_doctype);
    uint64_t last_progress = 0;
    int rc = PH_OK;
    for (;;) {
        const char *chunk;
        size_t n;
        if ((rc = lists_reader_next(&r, &chunk, &n, err))) break;
        int final = n == 0;
        if (XML_Parse(p.xml, chunk, (int)n, final) == XML_STATUS_ERROR) {
            if (p.rc) {
                rc = p.rc;
            } else {
                rc = ph_fail(err, PH_ERR, "%s:%lu: %s", p.label,
                             (unsigned long)XML_GetCurrentLineNumber(p.xml),
                             XML_ErrorString(XML_GetErrorCode(p.xml)));
                if (opts && opts->skip_bad) {
                    /* Nothing after a syntax error can be trusted: keep what came before. */
                    lists_report_skip(report, p.label, (long)XML_GetCurrentLineNumber(p.xml),
                                      err->msg);
                    ph_err_clear(err);
                    rc = PH_OK;
                }
            }
            break;
        }
        if (opts && opts->progress && r.done - last_progress >= (1u << 20)) {
            opts->progress(opts->progress_ctx, r.done, r.size);
            last_progress = r.done;
        }
        if (final) break;
    }
    if (!rc && p.rc) rc = p.rc;
    if (!rc && p.depth != 0 && !(opts && opts->skip_bad))
        rc = ph_fail(err, PH_ERR, "%s: the document ends inside <%s>", p.label, p.tags[p.depth]);
    XML_ParserFree(p.xml);
    lists_reader_close(&r);
    for (int i = 0; i < NAME_PARTS; i++)
        free(p.parts[i]);
    free(p.alias_quality);
    free(p.alias_name);
    free(p.country);
    free(p.reference);
    ph_buf_free(&p.text);
    ph_buf_free(&p.compound);
    lists_builder_free(&p.b);
    return rc;
}
