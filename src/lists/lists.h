/*
 * lists — sanctions and denied-party lists: parsing the official formats,
 * storing each import as a list version, comparing versions, downloading
 * the official files, and loading the current lists for screening.
 *
 * Owns the list_version, list_version_file, list_entity, list_name,
 * list_attr and list_member tables (src/store/sql/002_lists.sql). It does
 * not match names: the screening engine reads what is stored here through
 * lists_load_current() and must not read those tables itself.
 *
 * Parsers are pure: they read a file or a byte buffer and hand each entity
 * to a callback; no database, no global state. They stream (memory is
 * bounded by one record, except OFAC's alias, address and comment files,
 * which are indexed by entity number while the primary file streams), cap
 * everything that grows from input, and report malformed input as
 * "FILE:LINE: reason".
 *
 * Storage: an import is one transaction. The entities of the version are
 * gathered in memory first, merging records that share an id (a CSL party
 * on two sub-lists, a DPL denial at several addresses). Entities are stored
 * once per distinct content (a digest over every field) and shared by the
 * versions that contain them, so a daily update writes only what changed.
 */
#ifndef PH_LISTS_H
#define PH_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/util.h"

/* Caps on what grows from input. */
#define LISTS_MAX_TEXT (64u * 1024)     /* one name, address or other value, bytes */
#define LISTS_MAX_REMARKS (1u << 20)    /* remarks of one entity, bytes */
#define LISTS_MAX_VALUES 10000          /* names, dates, ... of one entity, each */
#define LISTS_MAX_ENTITIES 10000000L    /* entities in one list version */
#define LISTS_XML_MAX_DEPTH 16          /* the UN list is 5 levels deep */
#define LISTS_JSON_MAX_LINE (16u << 20) /* one FollowTheMoney entity, bytes */
#define LISTS_LIST_NAME_MAX 64

typedef struct lists_name {
    char *text;
    char kind[16];   /* primary | alias | original (original script) */
    char quality[8]; /* strong | weak | "" (the list does not grade it) */
} lists_name;

/* A fact that is not a name, date of birth, country, programme or address:
 * "title", "gender", "place_of_birth", "listed_on", "call_sign", ... */
typedef struct lists_attr {
    char kind[16];
    char *value;
} lists_attr;

typedef struct lists_entity {
    char *list;      /* list name, e.g. "un" */
    char *entity_id; /* the list's own identifier, e.g. "TAi.108" */
    char type[12];   /* person|entity|vessel|aircraft|unknown */
    lists_name *names;
    size_t nnames; /* names[0] is the primary name */
    char **dobs;
    size_t ndobs; /* "1960", "1960-01", "1960-01-31"; a range is its two ends */
    char **countries;
    size_t ncountries; /* ISO alpha-2 where known, else raw text */
    char **programmes;
    size_t nprogrammes;
    char *remarks; /* NULL when none */
    /* Additions to what screening needs. */
    char *alt_id; /* a second identifier (UN DATAID); NULL when none */
    char *source; /* the sub-list of a consolidated list (CSL "source"); NULL */
    char **addresses;
    size_t naddresses;
    lists_attr *attrs;
    size_t nattrs;
    /* Where the parser found it (0/NULL for entities loaded from the store). */
    const char *file;
    long line;
} lists_entity;

/* ---- formats and parsing ---- */

/* Formats, with the list name used when none is given. */
typedef struct lists_format {
    const char *name;         /* "ofac-csv" */
    const char *default_list; /* "ofac-sdn" */
    const char *description;
} lists_format;

extern const lists_format lists_formats[];
extern const size_t lists_nformats;
const lists_format *lists_format_find(const char *name);

/* One input file: read from `path`, or from memory (data, len) when path
 * is NULL. `label` names it in errors; NULL means the path. */
typedef struct lists_input {
    const char *label;
    const char *path;
    const char *data;
    size_t len;
} lists_input;

/* Called once per entity. The entity and everything it points to belong
 * to the parser and are valid only during the call. Returning non-zero
 * stops the parse with that code (err filled by the callback). */
typedef int (*lists_entity_fn)(void *ctx, const lists_entity *e, ph_err *err);

typedef struct lists_note {
    char *file;
    long line;
    char *text;
} lists_note;

#define LISTS_MAX_NOTES 100 /* bad records listed one by one; more are counted */

typedef struct lists_parse_options {
    int skip_bad; /* skip malformed records and list them, instead of failing */
    /* Called now and then with the bytes read of all inputs and their total. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} lists_parse_options;

typedef struct lists_parse_report {
    long records;  /* input records read (rows, XML entries, JSON lines) */
    long entities; /* entities passed to the callback */
    long ignored;  /* records that name nothing to screen (FtM addresses, OFAC's end marker) */
    long orphans;  /* OFAC alias, address or comment rows naming no entity in the primary file */
    long skipped;  /* malformed records skipped under skip_bad */
    lists_note *notes; /* the first LISTS_MAX_NOTES skipped records */
    size_t nnotes;
} lists_parse_report;

/* Parses the inputs in `format` (see lists_formats). OFAC takes its primary
 * file (sdn.csv or cons_prim.csv) and optionally the alias, address and
 * comment files, in any order, recognised by their columns. The other
 * formats take one or more files, each parsed in turn. */
int lists_parse(const char *format, const lists_input *inputs, size_t ninputs,
                const lists_parse_options *opts, lists_entity_fn fn, void *ctx,
                lists_parse_report *report, ph_err *err);
void lists_parse_report_free(lists_parse_report *r);

/* The parsers behind lists_parse, for tests and fuzzing. */
int lists_parse_ofac(const lists_input *inputs, size_t ninputs, const lists_parse_options *opts,
                     lists_entity_fn fn, void *ctx, lists_parse_report *report, ph_err *err);
int lists_parse_un_xml(const lists_input *input, const lists_parse_options *opts,
                       lists_entity_fn fn, void *ctx, lists_parse_report *report, ph_err *err);
int lists_parse_csl(const lists_input *input, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *report, ph_err *err);
int lists_parse_dpl(const lists_input *input, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *report, ph_err *err);
int lists_parse_ftm(const lists_input *input, const lists_parse_options *opts, lists_entity_fn fn,
                    void *ctx, lists_parse_report *report, ph_err *err);

/* ---- small text helpers the parsers share (pure, exposed for tests) ---- */

/* Normalises a date of birth as lists write them: "10 Dec 1948",
 * "Dec 1948", "1948", "1948-12-10", "circa 1948", "12/10/1948" (US order).
 * Writes "YYYY", "YYYY-MM" or "YYYY-MM-DD" to out and returns PH_OK, or
 * PH_ERR when the text is not a date. */
int lists_date_normalise(const char *text, char out[11]);
/* Splits a date text that may be a range ("1958 to 1960", "1979-1981",
 * "01 Jan 1960 to 31 Dec 1962") into at most two dates. Returns how many
 * were found (0 when none). */
int lists_date_range(const char *text, char from[11], char to[11]);

/* What OFAC remarks say about an entity ("DOB 10 Dec 1948; POB Giza,
 * Egypt; nationality Iran; a.k.a. 'X'; ..."). Arrays are owned by the
 * struct; free with lists_remarks_free. */
typedef struct lists_remarks {
    char **dobs; /* normalised; a range gives both ends */
    size_t ndobs;
    char **nationalities; /* as written: "Iran" */
    size_t nnationalities;
    char **aliases; /* the names in a.k.a./f.k.a./n.k.a. '...' (OFAC's weak aliases) */
    size_t naliases;
    char **places_of_birth;
    size_t nplaces_of_birth;
    char *gender;
} lists_remarks;
void lists_remarks_parse(const char *remarks, lists_remarks *out);
void lists_remarks_free(lists_remarks *r);

/* ---- import and versions ---- */

typedef struct lists_import_options {
    const char *format; /* required */
    const char *list;   /* NULL: the format's default list name */
    int skip_bad;
    const char *origin; /* "import" (default) or "update" */
    const char *actor;  /* who imports: on the audit log (required) */
    /* Display names recorded for the files (e.g. their URLs); NULL: the paths. */
    const char *const *labels;
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} lists_import_options;

typedef struct lists_import_report {
    char list[LISTS_LIST_NAME_MAX];
    char sha256[PH_SHA256_HEX]; /* of the version: see docs/lists.md */
    int already_imported;       /* the same files were imported before: nothing changed */
    int64_t version_id;         /* the new version, or the existing one */
    int64_t version_seq;        /* its number within the list: 1, 2, ... */
    long entities;
    long names;
    long entities_written; /* entities whose content was new (others were shared) */
    /* Against the version before (all 0 for a list's first version): list
     * identifiers that appeared, whose content changed, that disappeared. */
    long added, changed, removed;
    long merged; /* records merged into an entity seen earlier with the same id */
    lists_parse_report parse;
} lists_import_report;

/* Parses the files and stores them as a new version of the list, in one
 * transaction: any error leaves the database as it was. */
int lists_import(store *db, const char *const *paths, size_t npaths,
                 const lists_import_options *opts, lists_import_report *report, ph_err *err);
void lists_import_report_free(lists_import_report *r);

/* Each list version is an audited object: type "list_version", id
 * "LIST:SEQ" ("un:3"), state its list_version row and files; actions
 * "list.import" and "list.update". */
#define LISTS_VERSION_OBJECT "list_version"
int lists_version_state(store *db, const char *id, ph_buf *out, ph_err *err);

typedef struct lists_version {
    int64_t id;
    char *list;
    int64_t seq;
    char *format;
    char *origin;
    char *files; /* "sdn.csv, alt.csv, add.csv" */
    char *sha256;
    char *imported_at;
    int64_t entities;
    int64_t names;
    int64_t skipped;
    int current; /* the newest version of its list */
} lists_version;

/* Versions of one list (or of all when list is NULL), by list, newest first. */
int lists_versions(store *db, const char *list, lists_version **out, size_t *n, ph_err *err);
void lists_versions_free(lists_version *v, size_t n);

/* ---- comparing versions ---- */

typedef struct lists_field_change {
    char field[16]; /* name, type, dob, country, programme, address, remarks, ... */
    char op;        /* '+' added, '-' removed, '~' changed */
    char *value;    /* what was added or removed; for '~' "old -> new" */
} lists_field_change;

typedef struct lists_change {
    char *entity_id;
    char *name; /* primary name (in the newer version when changed) */
    lists_field_change *fields;
    size_t nfields; /* only for changed entities */
} lists_change;

typedef struct lists_diff {
    lists_version from, to;
    lists_change *added, *removed, *changed;
    size_t nadded, nremoved, nchanged;
} lists_diff;

/* What the newest version of `list` added, removed and changed against the
 * one before it. PH_ENOTFOUND when the list is unknown; PH_ECONFLICT when it
 * has only one version. */
int lists_diff_latest(store *db, const char *list, lists_diff *out, ph_err *err);
void lists_diff_free(lists_diff *d);

/* ---- loading for screening ---- */

typedef struct lists_arena lists_arena;

typedef struct lists_set {
    lists_entity *v;
    size_t n;
    /* The versions loaded, one per list. */
    char **list_names;
    int64_t *version_ids;
    size_t nlists;
    lists_arena *arena; /* owns every string and array */
} lists_set;

/* Loads the newest version of each named list (NULL or empty = all lists).
 * Entities come list by list (lists in name order), each list's in the
 * order they were first stored. Strings and arrays live in the set's arena
 * until lists_set_free(). PH_ENOTFOUND names an unknown list. */
int lists_load_current(store *db, const char *const *names, size_t nnames, lists_set *out,
                       ph_err *err);
void lists_set_free(lists_set *s);

/* One entity of the newest version of a list. PH_ENOTFOUND when absent. */
int lists_entity_get(store *db, const char *list, const char *entity_id, lists_set *out,
                     ph_err *err);

/* A number that grows whenever any list gets a new version (0 when there is
 * none), so that a screening index knows when to rebuild. */
int lists_generation(store *db, int64_t *out, ph_err *err);

/* The newest version of every list built into a screening index
 * (screen.h); *idx stays NULL when no list is loaded. entities and nlists
 * may be NULL. */
struct screen_index;
int lists_screen_index(store *db, struct screen_index **idx, size_t *entities, size_t *nlists,
                       ph_err *err);

/* ---- downloading the official files ---- */

typedef struct lists_update_options {
    const char
        *config_path; /* NULL: $PENHOLDER_LIST_SOURCES, else the built-in data/list-sources.json */
    const char *list; /* NULL: every source in the configuration */
    long timeout_seconds; /* whole transfer of one file; 0: the configuration's or the default */
    int64_t max_bytes;    /* per file; 0: the configuration's or the default */
    /* Progress of one download: its label, bytes so far, total (0 = unknown). */
    void (*progress)(void *ctx, const char *label, uint64_t done, uint64_t total);
    void *progress_ctx;
    const char *actor; /* who updates: on the audit log (required) */
} lists_update_options;

#define LISTS_UPDATE_TIMEOUT_DEFAULT 600L
#define LISTS_UPDATE_CONNECT_TIMEOUT 30L
#define LISTS_UPDATE_MAX_BYTES_DEFAULT ((int64_t)512 * 1024 * 1024)

typedef struct lists_update_result {
    char *list;
    char *format;
    lists_import_report import;
} lists_update_result;

/* Downloads every file of the selected sources to a temporary folder, then
 * imports each source as a new version (as lists_import does). When any
 * download fails, nothing is imported and the error names the URL. */
int lists_update(store *db, const lists_update_options *opts, lists_update_result **results,
                 size_t *nresults, ph_err *err);
void lists_update_results_free(lists_update_result *r, size_t n);

#endif
