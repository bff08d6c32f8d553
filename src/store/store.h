/*
 * store — the one door to the database.
 *
 * Owns the connection, transactions, the schema and its migrations, and
 * everything specific to the database engine (PRAGMAs, full-text search,
 * error translation). The rest of penholder writes portable SQL with `?`
 * placeholders through store_prepare()/store_step(); nothing SQLite-specific
 * may appear outside this folder, so that a PostgreSQL implementation can be
 * put behind the same functions.
 *
 * The embedded implementation is SQLite in WAL mode with foreign keys on, a
 * busy timeout, and synchronous=FULL: a committed transaction survives a
 * kill -9 of the process at any moment.
 *
 * Migrations are the files src/store/sql/NNN_name.sql, embedded in the
 * binary and applied in order by store_migrate(); the schema version is the
 * highest NNN applied.
 */
#ifndef PH_STORE_H
#define PH_STORE_H

#include <stdint.h>

#include "util/util.h"

typedef struct store store;
typedef struct store_stmt store_stmt;

enum { STORE_ROW = 100, STORE_DONE = 101 };

/* SQL that differs between engines, for the other modules' statements:
 * the values of a column joined into one text with ", " (SQLite's
 * group_concat; string_agg in PostgreSQL). */
#define STORE_SQL_JOINED(column) "group_concat(" column ", ', ')"

enum store_open_flags {
    STORE_CREATE = 1,     /* create the file (and its folder) when missing */
    STORE_READONLY = 2,   /* open for reading only */
    STORE_ANY_VERSION = 4 /* skip the schema-version check (init, migrations) */
};

/* The database path for a command: --db, else $PENHOLDER_DB, else var/penholder.db. */
const char *store_default_path(const char *db_option);

/* Opens the database. Unless STORE_ANY_VERSION is given, a database whose
 * schema is older or newer than this program's is refused with a message
 * naming both versions. */
int store_open(const char *path, int flags, store **out, ph_err *err);
void store_close(store *db);
const char *store_path(const store *db);

/* Schema version written in the database, and the one this program expects. */
int store_schema_version(store *db);
int store_schema_latest(void);
/* Applies every pending migration in one transaction. Sets *applied to the
 * number applied (0 when up to date). */
int store_migrate(store *db, int *applied, ph_err *err);
/* Whether a table exists (for features whose tables another module may
 * not have created yet). */
int store_table_exists(store *db, const char *table, int *exists, ph_err *err);

/* Transactions. store_begin takes the write lock at once (so a busy database
 * is reported before any work is done). Nesting is not supported. */
int store_begin(store *db, ph_err *err);
int store_commit(store *db, ph_err *err);
void store_rollback(store *db);
int store_in_transaction(store *db);
/* A read transaction: the queries until store_read_end see one snapshot of
 * the database, so that a view built from several queries is consistent
 * (and the snapshot is taken once rather than once per query). Writers go
 * on meanwhile (WAL). Calls nest; inside a write transaction they do
 * nothing. No writes in between. */
int store_read_begin(store *db, ph_err *err);
void store_read_end(store *db);

/* Runs SQL without parameters (may hold several statements). */
int store_exec(store *db, const char *sql, ph_err *err);

/* Runs one statement once. `types` names the parameters that follow, one
 * letter each: i = int64_t, t = const char * (NULL binds NULL), d = double,
 * n = NULL (no argument). */
int store_run(store *db, ph_err *err, const char *sql, const char *types, ...);
/* Runs a query expected to give one integer (first column of the first
 * row). Returns PH_ENOTFOUND when there is no row. */
int store_one_int(store *db, int64_t *out, ph_err *err, const char *sql, const char *types, ...);

int store_prepare(store *db, const char *sql, store_stmt **out, ph_err *err);
void store_finalize(store_stmt *st);
/* As store_prepare, but the connection keeps the statement for the next call
 * with the same `sql` pointer (a string constant): for statements run on
 * every request. store_finalize then only resets it; store_close frees it. */
int store_prepare_cached(store *db, const char *sql, store_stmt **out, ph_err *err);
void store_reset(store_stmt *st);
/* Parameters are numbered from 1. */
void store_bind_int(store_stmt *st, int i, int64_t v);
void store_bind_double(store_stmt *st, int i, double v);
void store_bind_text(store_stmt *st, int i, const char *s); /* NULL binds NULL */
void store_bind_textn(store_stmt *st, int i, const char *s, size_t n);
/* Binds without copying: s must stay valid until the next step or reset
 * (for hot loops binding fields of the current input record). */
void store_bind_text_ref(store_stmt *st, int i, const char *s);
void store_bind_blob(store_stmt *st, int i, const void *p, size_t n);
void store_bind_null(store_stmt *st, int i);
/* Binds from a format string as store_run does, starting at parameter 1. */
void store_bind_va(store_stmt *st, const char *types, va_list ap);
/* STORE_ROW, STORE_DONE, or an error code with err filled. */
int store_step(store_stmt *st, ph_err *err);
/* Columns are numbered from 0. Text is valid until the next step/reset. */
int64_t store_col_int(store_stmt *st, int i);
double store_col_double(store_stmt *st, int i);
const char *store_col_text(store_stmt *st, int i); /* NULL for NULL */
const void *store_col_blob(store_stmt *st, int i, size_t *len);
int store_col_is_null(store_stmt *st, int i);
int store_col_count(store_stmt *st);
const char *store_col_name(store_stmt *st, int i);

/* ---- batched inserts ----
 * Collects rows for one INSERT and runs them as multi-row VALUES statements
 * of up to `rows_per_statement` rows, which saves most of the per-statement
 * cost of bulk loads. `head` is "INSERT INTO t(a, b, c)", `tail` what
 * follows the VALUES list (e.g. "ON CONFLICT DO NOTHING RETURNING id, ref")
 * or NULL. When the statement returns rows, `on_row` is called for each.
 * Values are copied: the caller's buffers may change after each call. */
typedef struct store_batch store_batch;
typedef int (*store_batch_row_fn)(void *ctx, store_stmt *row, ph_err *err);
int store_batch_open(store *db, const char *head, int ncols, const char *tail,
                     int rows_per_statement, store_batch_row_fn on_row, void *ctx,
                     store_batch **out, ph_err *err);
/* Values of the current row, column by column from 0. */
void store_batch_text(store_batch *b, const char *s); /* NULL binds NULL */
void store_batch_int(store_batch *b, int64_t v);
void store_batch_null(store_batch *b);
/* Ends the row; runs a statement when the batch is full. */
int store_batch_row(store_batch *b, ph_err *err);
/* Runs what is pending. */
int store_batch_flush(store_batch *b, ph_err *err);
void store_batch_close(store_batch *b);

int64_t store_last_id(store *db);
int64_t store_changes(store *db);

/* Full-text search over one of the store's text indexes ("control" is the
 * control list). Writes up to `limit` row ids, best first, to ids (caller
 * frees) and their count to *n. The query is plain words; no syntax. */
int store_text_search(store *db, const char *index, const char *query, int limit, int64_t **ids,
                      size_t *n, ph_err *err);
/* Rebuilds a text index from its content table (after bulk loads). */
int store_text_reindex(store *db, const char *index, ph_err *err);

#endif
