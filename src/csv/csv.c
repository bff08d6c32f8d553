#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

struct csv_reader {
    char *name;
    FILE *file; /* NULL when reading memory */
    int own_file;
    const char *mem; /* current window: file chunk or the whole memory input */
    size_t mem_len;
    size_t pos;
    size_t consumed; /* bytes of earlier windows */
    char *chunk;
    int eof;
    char delim;
    int flags;
    long line;       /* current line of input (1-based) */
    long rec_line;   /* line where the current record started */
    ph_buf rec;      /* field bytes, each NUL-terminated */
    size_t *offsets; /* start of each field within rec */
    size_t nfields;
    size_t offsets_cap;
    int started;
};

static csv_reader *reader_new(const char *name, char delim, int flags) {
    csv_reader *r = ph_calloc(1, sizeof *r);
    r->name = ph_strdup(name);
    r->delim = delim;
    r->flags = flags;
    r->line = 1;
    ph_buf_init(&r->rec);
    return r;
}

csv_reader *csv_open_file(const char *path, char delim, int flags, ph_err *err) {
    FILE *f;
    int own = 1;
    if (strcmp(path, "-") == 0) {
        f = stdin;
        own = 0;
    } else {
        f = fopen(path, "rb");
        if (!f) {
            ph_fail(err, PH_ERR, "%s: %s", path, strerror(errno));
            return NULL;
        }
    }
    csv_reader *r = reader_new(strcmp(path, "-") == 0 ? "<stdin>" : path, delim, flags);
    r->file = f;
    r->own_file = own;
    r->chunk = ph_malloc(CHUNK);
    return r;
}

csv_reader *csv_open_memory(const char *name, const char *data, size_t len, char delim, int flags) {
    csv_reader *r = reader_new(name, delim, flags);
    r->mem = data;
    r->mem_len = len;
    r->eof = 1;
    return r;
}

void csv_close(csv_reader *r) {
    if (!r) return;
    if (r->file && r->own_file) fclose(r->file);
    free(r->chunk);
    free(r->name);
    free(r->offsets);
    ph_buf_free(&r->rec);
    free(r);
}

/* Next byte, or -1 at the end of input, -2 on read error. */
static int next_byte(csv_reader *r) {
    if (r->pos >= r->mem_len) {
        if (r->eof) return -1;
        r->consumed += r->mem_len;
        size_t n = fread(r->chunk, 1, CHUNK, r->file);
        if (n == 0) {
            r->eof = 1;
            r->mem_len = 0;
            r->pos = 0;
            return ferror(r->file) ? -2 : -1;
        }
        r->mem = r->chunk;
        r->mem_len = n;
        r->pos = 0;
    }
    return (unsigned char)r->mem[r->pos++];
}

static int peek_byte(csv_reader *r) {
    int c = next_byte(r);
    if (c >= 0) r->pos--;
    return c;
}

static void end_field(csv_reader *r) {
    ph_buf_putc(&r->rec, '\0');
}

static int begin_field(csv_reader *r, ph_err *err) {
    if (r->nfields >= CSV_MAX_FIELDS)
        return ph_fail(err, PH_ERR, "%s:%ld: more than %d fields in one record", r->name,
                       r->rec_line, CSV_MAX_FIELDS);
    r->offsets = ph_grow(r->offsets, &r->offsets_cap, r->nfields + 1, sizeof *r->offsets);
    r->offsets[r->nfields++] = r->rec.len;
    return PH_OK;
}

static int add_byte(csv_reader *r, int c, size_t field_start, ph_err *err) {
    if (c == 0)
        return ph_fail(err, PH_ERR, "%s:%ld: NUL byte in text (is this a binary file?)", r->name,
                       r->line);
    if (r->rec.len - field_start >= CSV_MAX_FIELD)
        return ph_fail(err, PH_ERR, "%s:%ld: field longer than %u bytes", r->name, r->rec_line,
                       CSV_MAX_FIELD);
    ph_buf_putc(&r->rec, (char)c);
    return PH_OK;
}

int csv_next(csv_reader *r, ph_err *err) {
    ph_buf_reset(&r->rec);
    r->nfields = 0;
    if (!r->started) {
        r->started = 1;
        /* Skip a UTF-8 byte-order mark (peek loads the first chunk). */
        if (peek_byte(r) == 0xEF && r->mem_len - r->pos >= 3 &&
            (unsigned char)r->mem[r->pos + 1] == 0xBB && (unsigned char)r->mem[r->pos + 2] == 0xBF)
            r->pos += 3;
    }
    /* Skip blank lines. */
    for (;;) {
        int c = peek_byte(r);
        if (c == -2) return ph_fail(err, PH_ERR, "%s:%ld: read error", r->name, r->line), -1;
        if (c == -1) return 0;
        if (c == '\n') {
            next_byte(r);
            r->line++;
        } else if (c == '\r') {
            next_byte(r);
            if (peek_byte(r) == '\n') next_byte(r);
            r->line++;
        } else {
            break;
        }
    }
    r->rec_line = r->line;
    int quotes = r->flags & CSV_QUOTES;
    for (;;) {
        /* Start of a field. */
        if (begin_field(r, err)) return -1;
        size_t start = r->rec.len;
        int c = next_byte(r);
        if (quotes && c == '"') {
            long opened = r->line;
            for (;;) {
                c = next_byte(r);
                if (c == -2)
                    return ph_fail(err, PH_ERR, "%s:%ld: read error", r->name, r->line), -1;
                if (c == -1)
                    return ph_fail(err, PH_ERR,
                                   "%s:%ld: quoted field is not closed before the end of the file",
                                   r->name, r->rec_line),
                           -1;
                if (c == '"') {
                    if (peek_byte(r) == '"') {
                        next_byte(r);
                        if (add_byte(r, '"', start, err)) return -1;
                        continue;
                    }
                    break;
                }
                if (c == '\n') r->line++;
                if (add_byte(r, c, start, err)) return -1;
                size_t run = r->pos;
                while (run < r->mem_len) {
                    char b = r->mem[run];
                    if (b == '"' || b == '\n' || b == '\0') break;
                    run++;
                }
                if (run > r->pos) {
                    if (r->rec.len - start + (run - r->pos) > CSV_MAX_FIELD)
                        return ph_fail(err, PH_ERR, "%s:%ld: field longer than %u bytes", r->name,
                                       r->rec_line, CSV_MAX_FIELD),
                               -1;
                    ph_buf_append(&r->rec, r->mem + r->pos, run - r->pos);
                    r->pos = run;
                }
            }
            c = next_byte(r);
            if (c != r->delim && c != '\n' && c != '\r' && c != -1 && opened != r->line)
                /* Most often a quote left open: name the line it opened on. */
                return ph_fail(err, PH_ERR,
                               "%s:%ld: quoted field is not closed on its line (the next quote, "
                               "on line %ld, is followed by more text): is a closing quote "
                               "missing?",
                               r->name, opened, r->line),
                       -1;
            if (c != r->delim && c != '\n' && c != '\r' && c != -1)
                return ph_fail(err, PH_ERR,
                               "%s:%ld: unexpected character after a closing quote (expected '%c' "
                               "or end of line)",
                               r->name, r->line, r->delim == '\t' ? ' ' : r->delim),
                       -1;
        } else {
            while (c != r->delim && c != '\n' && c != '\r' && c >= 0) {
                if (add_byte(r, c, start, err)) return -1;
                /* Copy the rest of a plain run from the window in one go. */
                size_t run = r->pos;
                while (run < r->mem_len) {
                    char b = r->mem[run];
                    if (b == r->delim || b == '\n' || b == '\r' || b == '\0') break;
                    run++;
                }
                if (run > r->pos) {
                    if (r->rec.len - start + (run - r->pos) > CSV_MAX_FIELD)
                        return ph_fail(err, PH_ERR, "%s:%ld: field longer than %u bytes", r->name,
                                       r->rec_line, CSV_MAX_FIELD),
                               -1;
                    ph_buf_append(&r->rec, r->mem + r->pos, run - r->pos);
                    r->pos = run;
                }
                c = next_byte(r);
            }
            if (c == -2) return ph_fail(err, PH_ERR, "%s:%ld: read error", r->name, r->line), -1;
        }
        end_field(r);
        if (c == r->delim) continue;
        if (c == '\r') {
            if (peek_byte(r) == '\n') next_byte(r);
            r->line++;
        } else if (c == '\n') {
            r->line++;
        }
        return 1;
    }
}

size_t csv_count(const csv_reader *r) {
    return r->nfields;
}

const char *csv_field(const csv_reader *r, size_t i) {
    if (i >= r->nfields) return "";
    return r->rec.data + r->offsets[i];
}

size_t csv_field_len(const csv_reader *r, size_t i) {
    if (i >= r->nfields) return 0;
    size_t end = i + 1 < r->nfields ? r->offsets[i + 1] - 1 : r->rec.len - 1;
    return end - r->offsets[i];
}

long csv_line(const csv_reader *r) {
    return r->rec_line;
}

const char *csv_name(const csv_reader *r) {
    return r->name;
}

size_t csv_offset(const csv_reader *r) {
    return r->consumed + r->pos;
}

int csv_find(const csv_reader *r, const char *name) {
    for (size_t i = 0; i < r->nfields; i++)
        if (ph_strcaseeq(csv_field(r, i), name)) return (int)i;
    return -1;
}

void csv_write_field(FILE *out, const char *s) {
    if (!s) s = "";
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void csv_write_row(FILE *out, const char *const *fields, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', out);
        csv_write_field(out, fields[i]);
    }
    fputc('\n', out);
}
