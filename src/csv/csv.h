/*
 * csv — a streaming reader and a small writer for RFC 4180 CSV (and
 * tab-separated files), used by every importer.
 *
 * The reader holds one record at a time, so memory is bounded by the largest
 * record, itself capped (CSV_MAX_FIELD, CSV_MAX_FIELDS). Errors carry the
 * source name and the line the record started on: "sdn.csv:12: ...".
 * A UTF-8 byte-order mark at the start is skipped; blank lines are skipped;
 * CRLF and LF line ends are both accepted.
 */
#ifndef PH_CSV_H
#define PH_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "util/util.h"

#define CSV_MAX_FIELD (1u << 20)
#define CSV_MAX_FIELDS 4096

typedef struct csv_reader csv_reader;

enum csv_flags {
    CSV_QUOTES = 1, /* interpret "..." quoting (on for CSV, off for raw TSV) */
};

/* Opens a file; "-" reads standard input. Returns NULL and fills err on failure. */
csv_reader *csv_open_file(const char *path, char delim, int flags, ph_err *err);
/* Reads from memory (not copied: must outlive the reader). `name` labels errors. */
csv_reader *csv_open_memory(const char *name, const char *data, size_t len, char delim, int flags);
void csv_close(csv_reader *r);

/* Reads the next record: 1 when a record is ready, 0 at the end, -1 on error
 * (err holds "NAME:LINE: reason"). */
int csv_next(csv_reader *r, ph_err *err);

size_t csv_count(const csv_reader *r);
/* Field i of the current record, NUL-terminated; "" when i is out of range. */
const char *csv_field(const csv_reader *r, size_t i);
size_t csv_field_len(const csv_reader *r, size_t i);
/* Line on which the current record started (1-based). */
long csv_line(const csv_reader *r);
const char *csv_name(const csv_reader *r);
/* Bytes consumed so far (for progress on large files). */
size_t csv_offset(const csv_reader *r);

/* Index of the column named `name` in the current record (a header), or -1. */
int csv_find(const csv_reader *r, const char *name);

/* Writes one field quoted when it needs to be. */
void csv_write_field(FILE *out, const char *s);
/* Writes fields separated by commas and a newline. */
void csv_write_row(FILE *out, const char *const *fields, size_t n);

#endif
