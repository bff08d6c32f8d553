/*
 * Internal to the lists module: the entity builder every parser fills, the
 * chunked reader over a file or a buffer, and small text helpers.
 */
#ifndef PH_LISTS_PARSE_H
#define PH_LISTS_PARSE_H

#include <stdio.h>

#include "lists/lists.h"

/* An entity being filled. Values are copied, cleaned (whitespace runs
 * become one space, invalid UTF-8 is read as Windows-1252) and deduplicated.
 * Errors name `file` and `line`, which the parser keeps current. */
typedef struct lists_builder {
    lists_entity e;
    size_t names_cap, dobs_cap, countries_cap, programmes_cap, addresses_cap, attrs_cap;
    size_t remarks_len;
} lists_builder;

void lists_builder_init(lists_builder *b);
/* Empties the entity for the next record (keeps the arrays' memory). */
void lists_builder_reset(lists_builder *b);
void lists_builder_free(lists_builder *b);

int lists_builder_set_id(lists_builder *b, const char *text, size_t len, ph_err *err);
int lists_builder_set_alt_id(lists_builder *b, const char *text, size_t len, ph_err *err);
int lists_builder_set_type(lists_builder *b, const char *type);
/* Adds a name unless the same text is already there. The primary name goes
 * first whenever it is added. Empty text is ignored. */
int lists_builder_add_name(lists_builder *b, const char *text, size_t len, const char *kind,
                           const char *quality, ph_err *err);
enum lists_field { LISTS_DOB, LISTS_COUNTRY, LISTS_PROGRAMME, LISTS_ADDRESS };
int lists_builder_add(lists_builder *b, enum lists_field field, const char *text, size_t len,
                      ph_err *err);
/* Adds a date of birth, or both ends of a range; text that is not a date is
 * kept as an attribute "dob_text" so that nothing the list says is lost. */
int lists_builder_add_dob_text(lists_builder *b, const char *text, size_t len, ph_err *err);
int lists_builder_add_attr(lists_builder *b, const char *kind, const char *text, size_t len,
                           ph_err *err);
/* Appends to the remarks, separated by " | " from what is there. */
int lists_builder_add_remarks(lists_builder *b, const char *text, size_t len, ph_err *err);
int lists_builder_set_source(lists_builder *b, const char *text, size_t len, ph_err *err);
/* Adds everything of `from` to b (used to merge records with the same id). */
int lists_builder_merge(lists_builder *b, const lists_entity *from, ph_err *err);

/* "original" when most letters of the name are in a script other than
 * Latin (Cyrillic, Arabic, Chinese...), else "alias": lists that do not mark
 * original-script names still give them. */
const char *lists_alias_kind(const char *text);

/* Cleans text as the builder does; returns a new string or NULL when
 * nothing is left. Fails when longer than `cap`. */
int lists_clean_text(const char *text, size_t len, size_t cap, char **out);

/* Reads a file or a buffer in chunks. */
typedef struct lists_reader {
    const char *label;
    FILE *file;
    const char *data;
    size_t len, pos;
    char *chunk;
    uint64_t size; /* total bytes, when known */
    uint64_t done;
} lists_reader;

#define LISTS_CHUNK 65536

int lists_reader_open(lists_reader *r, const lists_input *in, ph_err *err);
/* Next chunk: sets *p and *n; *n == 0 at the end. */
int lists_reader_next(lists_reader *r, const char **p, size_t *n, ph_err *err);
void lists_reader_close(lists_reader *r);

/* Size of an input in bytes (0 when unknown). */
uint64_t lists_input_size(const lists_input *in);

/* The label of an input: its label, else its path, else "<memory>". */
const char *lists_input_label(const lists_input *in);

/* Records a skipped record in the report (notes beyond LISTS_MAX_NOTES are
 * only counted). */
void lists_report_skip(lists_parse_report *rep, const char *file, long line, const char *why);

/* Replaces a leading "PATH:" with "LABEL:" in err (inputs read from a
 * temporary file but known by their URL). */
void lists_err_relabel(ph_err *err, const char *path, const char *label);

/* For the CSV-based formats. A record its parser refused (the reason in
 * err): with skip_bad it is listed in the report and PH_OK returned (go on),
 * else the error. */
struct csv_reader;
int lists_csv_refused(struct csv_reader *r, const char *label, int skip_bad,
                      lists_parse_report *rep, ph_err *err);
/* After the loop over records: got < 0 is a syntax error — the file's error,
 * or with skip_bad listed as the last line (nothing after it can be
 * trusted; what came before is kept). Returns the parse's outcome. */
int lists_csv_end(struct csv_reader *r, int got, int rc, const lists_input *in, const char *label,
                  int skip_bad, lists_parse_report *rep, ph_err *err);

/* Loading stored entities by their row id (for comparing versions). */
typedef struct lists_row_loader lists_row_loader;
int lists_row_loader_open(store *db, lists_row_loader **out, ph_err *err);
/* Appends the entity stored in row `row` to s (s from lists_set_init). */
int lists_row_load(lists_row_loader *l, lists_set *s, const char *list, int64_t row, ph_err *err);
void lists_row_loader_close(lists_row_loader *l);
void lists_set_init(lists_set *s);
/* The message for a list that has no version. Returns PH_ENOTFOUND. */
int lists_unknown_list(store *db, const char *name, ph_err *err);

#endif
