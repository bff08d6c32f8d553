/* The SQLite implementation of the store. */
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* How long a writer waits for another (PENHOLDER_BUSY_TIMEOUT_MS overrides). */
#define BUSY_TIMEOUT_MS 5000
/* "PNHD": marks a file as a penholder database. */
#define APPLICATION_ID 0x504e4844

/* Statements kept by store_prepare_cached, per connection. */
#define STORE_CACHE_MAX 64

/* Writers of one database file in this process queue here before they
 * ask SQLite for its write lock. SQLite's busy handler polls, sleeping up
 * to 100 ms between tries, so threads of one server would otherwise wait
 * many times longer than the transaction ahead of them takes (and the
 * unluckiest for seconds). A mutex hands the lock over as soon as it is
 * free; other processes still meet the busy timeout. One queue per file,
 * shared by the connections that opened it. */
typedef struct write_queue {
    char *key; /* the file's real path (or the path given, before it exists) */
    pthread_mutex_t mutex;
    int users;
    struct write_queue *next;
} write_queue;

static pthread_mutex_t write_queues_lock = PTHREAD_MUTEX_INITIALIZER;
static write_queue *write_queues;

static write_queue *write_queue_get(const char *path) {
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;
    pthread_mutex_lock(&write_queues_lock);
    write_queue *q = write_queues;
    while (q && strcmp(q->key, key) != 0)
        q = q->next;
    if (!q) {
        q = ph_calloc(1, sizeof *q);
        q->key = ph_strdup(key);
        pthread_mutex_init(&q->mutex, NULL);
        q->next = write_queues;
        write_queues = q;
    }
    q->users++;
    pthread_mutex_unlock(&write_queues_lock);
    free(real);
    return q;
}

static void write_queue_put(write_queue *q) {
    if (!q) return;
    pthread_mutex_lock(&write_queues_lock);
    if (--q->users == 0) {
        write_queue **p = &write_queues;
        while (*p != q)
            p = &(*p)->next;
        *p = q->next;
        pthread_mutex_destroy(&q->mutex);
        free(q->key);
        free(q);
    }
    pthread_mutex_unlock(&write_queues_lock);
}

struct store {
    sqlite3 *db;
    char *path;
    int in_tx;
    write_queue *queue;
    int queued;      /* this connection holds its queue's mutex */
    int64_t busy_ms; /* how long a writer waits */
    int read_depth;  /* store_read_begin calls not yet ended */
    struct {
        const char *sql; /* the caller's string: its address is the key */
        store_stmt *st;
    } cache[STORE_CACHE_MAX];
    size_t ncache;
};

struct store_stmt {
    sqlite3_stmt *st;
    store *db;
    int cached; /* owned by the connection's cache: store_finalize only resets it */
};

const char *store_default_path(const char *db_option) {
    if (db_option && *db_option) return db_option;
    const char *env = getenv("PENHOLDER_DB");
    if (env && *env) return env;
    return "var/penholder.db";
}

/* Translates a SQLite failure into a result code and a message. */
static int fail_sqlite(store *db, ph_err *err, int rc, const char *what) {
    const char *path = db ? db->path : "database";
    const char *msg = db && db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ph_fail(err, PH_EBUSY, "%s: the database is locked by another process; try again",
                       path);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ph_fail(err, PH_ERR, "%s: not a penholder database, or it is corrupt (%s)", path,
                       msg);
    case SQLITE_FULL:
        return ph_fail(err, PH_ERR, "%s: the disk is full; nothing was written", path);
    case SQLITE_READONLY: return ph_fail(err, PH_ERR, "%s: the database is read-only", path);
    case SQLITE_CONSTRAINT: return ph_fail(err, PH_ECONFLICT, "%s: %s", path, msg);
    default: return ph_fail(err, PH_ERR, "%s: %s: %s", path, what, msg);
    }
}

static int make_parent_dir(const char *path, ph_err *err) {
    char *dir = ph_strdup(path);
    char *slash = strrchr(dir, '/');
    int rc = PH_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        struct stat st;
        if (stat(dir, &st) != 0 && mkdir(dir, 0775) != 0 && errno != EEXIST)
            rc = ph_fail(err, PH_ERR, "%s: cannot create folder: %s", dir, strerror(errno));
    }
    free(dir);
    return rc;
}

static int pragma_int(store *db, const char *sql) {
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* SQLite's memory statistics take a global mutex on every allocation, which
 * serialises the HTTP server's worker threads; penholder never reads them. */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;
static void sqlite_configure(void) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, int flags, store **out, ph_err *err) {
    *out = NULL;
    pthread_once(&sqlite_configured, sqlite_configure);
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (!exists && !(flags & STORE_CREATE))
        return ph_fail(err, PH_ERR, "%s: no database here; run `penholder init` to create it",
                       path);
    if (exists && S_ISDIR(st.st_mode))
        return ph_fail(err, PH_ERR, "%s: is a folder, not a database", path);
    if (!exists && make_parent_dir(path, err)) return PH_ERR;

    store *db = ph_calloc(1, sizeof *db);
    db->path = ph_strdup(path);
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &db->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        fail_sqlite(db, err, rc, "cannot open");
        store_close(db);
        return PH_ERR;
    }
    sqlite3_extended_result_codes(db->db, 1);
    const char *busy = getenv("PENHOLDER_BUSY_TIMEOUT_MS");
    int64_t busy_ms = BUSY_TIMEOUT_MS;
    if (busy && (ph_parse_i64(busy, &busy_ms) || busy_ms < 0)) busy_ms = BUSY_TIMEOUT_MS;
    sqlite3_busy_timeout(db->db, (int)busy_ms);
    db->busy_ms = busy_ms;

    /* Reading the application id is the first read: it detects files that
     * are not databases at all. */
    sqlite3_stmt *probe;
    rc = sqlite3_prepare_v2(db->db, "PRAGMA application_id", -1, &probe, NULL);
    int app_id = 0;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(probe);
        if (rc == SQLITE_ROW) app_id = sqlite3_column_int(probe, 0), rc = SQLITE_OK;
        sqlite3_finalize(probe);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        int code = fail_sqlite(db, err, rc, "cannot read");
        store_close(db);
        return code;
    }
    int tables = pragma_int(db, "SELECT count(*) FROM sqlite_master");
    if (tables > 0 && app_id != APPLICATION_ID) {
        store_close(db);
        return ph_fail(err, PH_ERR, "%s: not a penholder database (it holds other tables)", path);
    }

    if (!(flags & STORE_READONLY)) {
        char *emsg = NULL;
        rc = sqlite3_exec(
            db->db,
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
            NULL, NULL, &emsg);
        sqlite3_free(emsg);
        if (rc != SQLITE_OK) {
            int code = fail_sqlite(db, err, rc, "cannot configure");
            store_close(db);
            return code;
        }
        if (tables == 0) {
            char sql[64];
            snprintf(sql, sizeof sql, "PRAGMA application_id=%d", APPLICATION_ID);
            sqlite3_exec(db->db, sql, NULL, NULL, NULL);
        }
    } else {
        sqlite3_exec(db->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    }

    db->queue = write_queue_get(path);

    if (!(flags & STORE_ANY_VERSION)) {
        int have = store_schema_version(db), want = store_schema_latest();
        if (have > want) {
            store_close(db);
            return ph_fail(
                err, PH_ERR,
                "%s: the database has schema version %d, newer than this penholder's %d; "
                "use a newer penholder",
                path, have, want);
        }
        if (have < want) {
            store_close(db);
            return ph_fail(
                err, PH_ERR,
                "%s: the database has schema version %d, older than this penholder's %d; "
                "run `penholder init` to upgrade it",
                path, have, want);
        }
    }
    *out = db;
    return PH_OK;
}

void store_close(store *db) {
    if (!db) return;
    if (db->in_tx) store_rollback(db);
    for (size_t i = 0; i < db->ncache; i++) {
        sqlite3_finalize(db->cache[i].st->st);
        free(db->cache[i].st);
    }
    db->ncache = 0;
    sqlite3_close_v2(db->db);
    write_queue_put(db->queue);
    free(db->path);
    free(db);
}

const char *store_path(const store *db) {
    return db->path;
}

/* ---- migrations ---- */

static int migration_number(const char *name) {
    /* name: "src/store/sql/NNN_title.sql" */
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (!isdigit((unsigned char)base[0])) return -1;
    return atoi(base);
}

static int is_migration(const ph_embedded *e) {
    return strncmp(e->name, "src/store/sql/", 14) == 0 && strstr(e->name, ".sql") != NULL;
}

int store_schema_latest(void) {
    int latest = 0;
    for (size_t i = 0; i < ph_embedded_count; i++)
        if (is_migration(&ph_embedded_files[i])) {
            int n = migration_number(ph_embedded_files[i].name);
            if (n > latest) latest = n;
        }
    return latest;
}

int store_schema_version(store *db) {
    return pragma_int(db, "PRAGMA user_version");
}

int store_table_exists(store *db, const char *table, int *exists, ph_err *err) {
    *exists = 0;
    int64_t n;
    int rc = store_one_int(db, &n, err,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                           "t", table);
    if (rc) return rc;
    *exists = n > 0;
    return PH_OK;
}

int store_migrate(store *db, int *applied, ph_err *err) {
    *applied = 0;
    int have = store_schema_version(db), want = store_schema_latest();
    if (have > want)
        return ph_fail(err, PH_ERR,
                       "%s: the database has schema version %d, newer than this penholder's %d; "
                       "use a newer penholder",
                       db->path, have, want);
    if (have == want) return PH_OK;
    if (store_begin(db, err)) return err->rc;
    for (int v = have + 1; v <= want; v++) {
        const ph_embedded *m = NULL;
        for (size_t i = 0; i < ph_embedded_count; i++)
            if (is_migration(&ph_embedded_files[i]) &&
                migration_number(ph_embedded_files[i].name) == v)
                m = &ph_embedded_files[i];
        if (!m) continue; /* numbers may have gaps */
        if (store_exec(db, m->data, err)) {
            ph_err_prefix(err, "migration %s: ", m->name);
            store_rollback(db);
            return PH_ERR;
        }
        (*applied)++;
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", want);
    if (store_exec(db, sql, err) || store_commit(db, err)) {
        store_rollback(db);
        return PH_ERR;
    }
    return PH_OK;
}

/* ---- transactions ---- */

/* Waits for this process's other writers of the file, up to the busy
 * timeout. */
static int queue_enter(store *db, ph_err *err) {
    if (!db->queue || db->queued) return PH_OK;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(db->busy_ms / 1000);
    until.tv_nsec += (long)(db->busy_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    if (pthread_mutex_timedlock(&db->queue->mutex, &until) != 0)
        return ph_fail(err, PH_EBUSY,
                       "%s: the database is locked by another writer of this process; try again",
                       db->path);
    db->queued = 1;
    return PH_OK;
}

static void queue_leave(store *db) {
    if (!db->queued) return;
    db->queued = 0;
    pthread_mutex_unlock(&db->queue->mutex);
}

int store_begin(store *db, ph_err *err) {
    if (db->in_tx) return ph_fail(err, PH_ERR, "internal: nested transaction on %s", db->path);
    if (queue_enter(db, err)) return err->rc;
    int rc = sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        queue_leave(db);
        return fail_sqlite(db, err, rc, "cannot begin a transaction");
    }
    db->in_tx = 1;
    return PH_OK;
}

int store_commit(store *db, ph_err *err) {
    int rc = sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int code = fail_sqlite(db, err, rc, "cannot commit");
        store_rollback(db);
        return code;
    }
    db->in_tx = 0;
    queue_leave(db);
    return PH_OK;
}

void store_rollback(store *db) {
    if (sqlite3_get_autocommit(db->db) == 0) sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    db->in_tx = 0;
    queue_leave(db);
}

int store_in_transaction(store *db) {
    return db->in_tx;
}

int store_read_begin(store *db, ph_err *err) {
    if (db->in_tx) return PH_OK; /* a write transaction is one snapshot already */
    if (db->read_depth++) return PH_OK;
    /* Deferred: the snapshot is taken by the first query. */
    int rc = sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        db->read_depth = 0;
        return fail_sqlite(db, err, rc, "cannot begin a read transaction");
    }
    return PH_OK;
}

void store_read_end(store *db) {
    if (db->in_tx || db->read_depth == 0) return;
    if (--db->read_depth == 0 && sqlite3_get_autocommit(db->db) == 0)
        sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
}

int store_exec(store *db, const char *sql, ph_err *err) {
    char *emsg = NULL;
    int rc = sqlite3_exec(db->db, sql, NULL, NULL, &emsg);
    if (rc != SQLITE_OK) {
        int code = fail_sqlite(db, err, rc, emsg ? emsg : "cannot run statement");
        sqlite3_free(emsg);
        return code;
    }
    return PH_OK;
}

/* ---- statements ---- */

int store_prepare(store *db, const char *sql, store_stmt **out, ph_err *err) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return fail_sqlite(db, err, rc, "cannot prepare statement");
    }
    store_stmt *s = ph_malloc(sizeof *s);
    s->st = st;
    s->db = db;
    s->cached = 0;
    *out = s;
    return PH_OK;
}

int store_prepare_cached(store *db, const char *sql, store_stmt **out, ph_err *err) {
    /* The address finds the entry; the text guards against a caller that
     * reused a buffer for other SQL. */
    for (size_t i = 0; i < db->ncache; i++)
        if (db->cache[i].sql == sql && strcmp(sqlite3_sql(db->cache[i].st->st), sql) == 0) {
            *out = db->cache[i].st;
            return PH_OK;
        }
    int rc = store_prepare(db, sql, out, err);
    if (rc) return rc;
    int known = 0;
    for (size_t i = 0; i < db->ncache; i++)
        known |= db->cache[i].sql == sql;
    if (db->ncache < STORE_CACHE_MAX && !known) {
        (*out)->cached = 1;
        db->cache[db->ncache].sql = sql;
        db->cache[db->ncache].st = *out;
        db->ncache++;
    }
    return PH_OK;
}

void store_finalize(store_stmt *st) {
    if (!st) return;
    if (st->cached) {
        store_reset(st);
        return;
    }
    sqlite3_finalize(st->st);
    free(st);
}

void store_reset(store_stmt *st) {
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

void store_bind_int(store_stmt *st, int i, int64_t v) {
    sqlite3_bind_int64(st->st, i, v);
}
void store_bind_double(store_stmt *st, int i, double v) {
    sqlite3_bind_double(st->st, i, v);
}
void store_bind_text(store_stmt *st, int i, const char *s) {
    if (s)
        sqlite3_bind_text(st->st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->st, i);
}
void store_bind_textn(store_stmt *st, int i, const char *s, size_t n) {
    sqlite3_bind_text(st->st, i, s, (int)n, SQLITE_TRANSIENT);
}
void store_bind_text_ref(store_stmt *st, int i, const char *s) {
    if (s)
        sqlite3_bind_text(st->st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st->st, i);
}
void store_bind_blob(store_stmt *st, int i, const void *p, size_t n) {
    sqlite3_bind_blob(st->st, i, p, (int)n, SQLITE_TRANSIENT);
}
void store_bind_null(store_stmt *st, int i) {
    sqlite3_bind_null(st->st, i);
}

void store_bind_va(store_stmt *st, const char *types, va_list ap) {
    for (int i = 0; types && types[i]; i++) {
        switch (types[i]) {
        case 'i': store_bind_int(st, i + 1, va_arg(ap, int64_t)); break;
        case 't': store_bind_text(st, i + 1, va_arg(ap, const char *)); break;
        case 'd': store_bind_double(st, i + 1, va_arg(ap, double)); break;
        default: store_bind_null(st, i + 1); break;
        }
    }
}

int store_step(store_stmt *st, ph_err *err) {
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW) return STORE_ROW;
    if (rc == SQLITE_DONE) return STORE_DONE;
    int code = fail_sqlite(st->db, err, rc, "statement failed");
    sqlite3_reset(st->st);
    return code;
}

int64_t store_col_int(store_stmt *st, int i) {
    return sqlite3_column_int64(st->st, i);
}
double store_col_double(store_stmt *st, int i) {
    return sqlite3_column_double(st->st, i);
}
const char *store_col_text(store_stmt *st, int i) {
    return (const char *)sqlite3_column_text(st->st, i);
}
const void *store_col_blob(store_stmt *st, int i, size_t *len) {
    const void *p = sqlite3_column_blob(st->st, i);
    *len = (size_t)sqlite3_column_bytes(st->st, i);
    return p;
}
int store_col_is_null(store_stmt *st, int i) {
    return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}
int store_col_count(store_stmt *st) {
    return sqlite3_column_count(st->st);
}
const char *store_col_name(store_stmt *st, int i) {
    return sqlite3_column_name(st->st, i);
}

int store_run(store *db, ph_err *err, const char *sql, const char *types, ...) {
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    va_list ap;
    va_start(ap, types);
    store_bind_va(st, types, ap);
    va_end(ap);
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
    }
    store_finalize(st);
    return rc == STORE_DONE ? PH_OK : rc;
}

int store_one_int(store *db, int64_t *out, ph_err *err, const char *sql, const char *types, ...) {
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) return err->rc;
    va_list ap;
    va_start(ap, types);
    store_bind_va(st, types, ap);
    va_end(ap);
    int rc = store_step(st, err);
    if (rc == STORE_ROW) {
        *out = store_col_int(st, 0);
        rc = PH_OK;
    } else if (rc == STORE_DONE) {
        rc = ph_fail(err, PH_ENOTFOUND, "no row");
    }
    store_finalize(st);
    return rc;
}

/* ---- batched inserts ---- */

typedef struct batch_value {
    int type; /* 0 null, 1 int, 2 text (offset into text buffer) */
    int64_t i;
    size_t text;
} batch_value;

struct store_batch {
    store *db;
    char *head, *tail;
    int ncols, per_statement;
    store_batch_row_fn on_row;
    void *ctx;
    batch_value *values;
    size_t nvalues, cap;
    ph_buf text;
    store_stmt *full; /* prepared statement for a full batch */
};

int store_batch_open(store *db, const char *head, int ncols, const char *tail,
                     int rows_per_statement, store_batch_row_fn on_row, void *ctx,
                     store_batch **out, ph_err *err) {
    (void)err;
    store_batch *b = ph_calloc(1, sizeof *b);
    b->db = db;
    b->head = ph_strdup(head);
    b->tail = ph_strdup(tail ? tail : "");
    b->ncols = ncols;
    /* SQLite allows 32766 parameters per statement. */
    int max_rows = 32000 / (ncols > 0 ? ncols : 1);
    b->per_statement = rows_per_statement < 1          ? 1
                       : rows_per_statement > max_rows ? max_rows
                                                       : rows_per_statement;
    b->on_row = on_row;
    b->ctx = ctx;
    ph_buf_init(&b->text);
    *out = b;
    return PH_OK;
}

static void batch_push(store_batch *b, batch_value v) {
    b->values = ph_grow(b->values, &b->cap, b->nvalues + 1, sizeof *b->values);
    b->values[b->nvalues++] = v;
}

void store_batch_text(store_batch *b, const char *s) {
    if (!s) {
        batch_push(b, (batch_value){0, 0, 0});
        return;
    }
    batch_value v = {2, 0, b->text.len};
    ph_buf_append(&b->text, s, strlen(s) + 1);
    batch_push(b, v);
}

void store_batch_int(store_batch *b, int64_t i) {
    batch_push(b, (batch_value){1, i, 0});
}

void store_batch_null(store_batch *b) {
    batch_push(b, (batch_value){0, 0, 0});
}

static char *batch_sql(store_batch *b, size_t rows) {
    ph_buf sql;
    ph_buf_init(&sql);
    ph_buf_puts(&sql, b->head);
    ph_buf_puts(&sql, " VALUES ");
    for (size_t r = 0; r < rows; r++) {
        ph_buf_puts(&sql, r ? ",(" : "(");
        for (int c = 0; c < b->ncols; c++)
            ph_buf_puts(&sql, c ? ",?" : "?");
        ph_buf_putc(&sql, ')');
    }
    if (b->tail[0]) {
        ph_buf_putc(&sql, ' ');
        ph_buf_puts(&sql, b->tail);
    }
    return ph_buf_steal(&sql);
}

int store_batch_flush(store_batch *b, ph_err *err) {
    size_t rows = b->nvalues / (size_t)b->ncols;
    if (rows == 0) return PH_OK;
    store_stmt *st;
    int own = 0;
    if ((int)rows == b->per_statement && b->full) {
        st = b->full;
        store_reset(st);
    } else {
        char *sql = batch_sql(b, rows);
        int rc = store_prepare(b->db, sql, &st, err);
        free(sql);
        if (rc) return rc;
        if ((int)rows == b->per_statement)
            b->full = st;
        else
            own = 1;
    }
    for (size_t i = 0; i < b->nvalues; i++) {
        batch_value *v = &b->values[i];
        int at = (int)i + 1;
        if (v->type == 1)
            sqlite3_bind_int64(st->st, at, v->i);
        else if (v->type == 2)
            sqlite3_bind_text(st->st, at, b->text.data + v->text, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st->st, at);
    }
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW)
        if (b->on_row && (rc = b->on_row(b->ctx, st, err)) != PH_OK) break;
    if (rc == STORE_DONE) rc = PH_OK;
    if (own)
        store_finalize(st);
    else
        store_reset(st);
    b->nvalues = 0;
    ph_buf_reset(&b->text);
    return rc;
}

int store_batch_row(store_batch *b, ph_err *err) {
    if (b->nvalues % (size_t)b->ncols != 0)
        return ph_fail(err, PH_ERR, "internal: batch row has %zu values for %d columns",
                       b->nvalues % (size_t)b->ncols, b->ncols);
    if (b->nvalues / (size_t)b->ncols >= (size_t)b->per_statement) return store_batch_flush(b, err);
    return PH_OK;
}

void store_batch_close(store_batch *b) {
    if (!b) return;
    store_finalize(b->full);
    free(b->head);
    free(b->tail);
    free(b->values);
    ph_buf_free(&b->text);
    free(b);
}

int64_t store_last_id(store *db) {
    return sqlite3_last_insert_rowid(db->db);
}
int64_t store_changes(store *db) {
    return sqlite3_changes64(db->db);
}

/* ---- full-text search ---- */

/* Text indexes and the FTS5 tables behind them (see the migrations). */
static const char *fts_table(const char *index) {
    if (strcmp(index, "control") == 0) return "control_fts";
    return NULL;
}

/* Turns plain words into an FTS5 query: each word becomes a quoted prefix
 * term, joined by OR, so entries matching more of the words rank higher
 * (bm25) and a user never has to know the query syntax. */
static char *fts_query(const char *q) {
    ph_buf b;
    ph_buf_init(&b);
    const unsigned char *p = (const unsigned char *)q;
    while (*p) {
        while (*p && !(isalnum(*p) || *p >= 0x80))
            p++;
        const unsigned char *start = p;
        while (*p && (isalnum(*p) || *p >= 0x80))
            p++;
        if (p > start) {
            if (b.len) ph_buf_puts(&b, " OR ");
            ph_buf_putc(&b, '"');
            ph_buf_append(&b, (const char *)start, (size_t)(p - start));
            ph_buf_puts(&b, "\"*");
        }
    }
    return ph_buf_steal(&b);
}

int store_text_search(store *db, const char *index, const char *query, int limit, int64_t **ids,
                      size_t *n, ph_err *err) {
    *ids = NULL;
    *n = 0;
    const char *table = fts_table(index);
    if (!table) return ph_fail(err, PH_EUSAGE, "no text index named '%s'", index);
    char *q = fts_query(query);
    if (!*q) {
        free(q);
        return PH_OK;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s MATCH ? ORDER BY bm25(%s) LIMIT ?",
             table, table, table);
    store_stmt *st;
    if (store_prepare(db, sql, &st, err)) {
        free(q);
        return err->rc;
    }
    store_bind_text(st, 1, q);
    store_bind_int(st, 2, limit);
    size_t cap = 0;
    int rc;
    while ((rc = store_step(st, err)) == STORE_ROW) {
        *ids = ph_grow(*ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = store_col_int(st, 0);
    }
    store_finalize(st);
    free(q);
    return rc == STORE_DONE ? PH_OK : rc;
}

int store_text_reindex(store *db, const char *index, ph_err *err) {
    const char *table = fts_table(index);
    if (!table) return ph_fail(err, PH_EUSAGE, "no text index named '%s'", index);
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES('rebuild')", table, table);
    return store_exec(db, sql, err);
}
