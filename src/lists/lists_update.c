/* Downloading the official list files (libcurl) and importing them.
 *
 * The sources file (JSON) names, for each list, its format and the URLs of
 * its files:
 *   {"timeout_seconds": 600, "max_bytes": 536870912,
 *    "sources": [{"list": "un", "format": "un-xml", "urls": ["https://..."]}, ...]}
 * Every file of every selected source is downloaded to a private temporary
 * folder first; only when all have arrived is anything imported. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lists/parse.h"

#define LISTS_SOURCES_MAX_BYTES (1u << 20)
#define LISTS_SOURCES_BUILTIN "data/list-sources.json"
#define LISTS_UPDATE_MAX_REDIRECTS 5L
#define LISTS_UPDATE_USER_AGENT "penholder-lists/1"

typedef struct source {
    char *list;
    char *format;
    char **urls;
    size_t nurls;
    char **paths; /* downloaded files */
} source;

typedef struct sources {
    source *v;
    size_t n;
    long timeout;
    int64_t max_bytes;
} sources;

static void sources_free(sources *s) {
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->v[i].nurls; k++) {
            free(s->v[i].urls[k]);
            if (s->v[i].paths) free(s->v[i].paths[k]);
        }
        free(s->v[i].urls);
        free(s->v[i].paths);
        free(s->v[i].list);
        free(s->v[i].format);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int is_web_url(const char *u) {
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

static int parse_sources(const char *label, const char *text, size_t len, const char *only,
                         sources *out, ph_err *err) {
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return ph_fail(err, PH_ERR, "%s:%d:%d: %s", label, je.line, je.column, je.text);
    int rc = PH_OK;
    json_t *list = json_object_get(root, "sources");
    json_t *timeout = json_object_get(root, "timeout_seconds");
    json_t *max_bytes = json_object_get(root, "max_bytes");
    if (!json_is_object(root) || !json_is_array(list)) {
        rc = ph_fail(err, PH_ERR, "%s: expected an object with a \"sources\" array", label);
        goto done;
    }
    if (timeout && (!json_is_integer(timeout) || json_integer_value(timeout) <= 0)) {
        rc = ph_fail(err, PH_ERR, "%s: timeout_seconds: expected a number of seconds above 0",
                     label);
        goto done;
    }
    if (max_bytes && (!json_is_integer(max_bytes) || json_integer_value(max_bytes) <= 0)) {
        rc = ph_fail(err, PH_ERR, "%s: max_bytes: expected a number of bytes above 0", label);
        goto done;
    }
    out->timeout = timeout ? (long)json_integer_value(timeout) : 0;
    out->max_bytes = max_bytes ? (int64_t)json_integer_value(max_bytes) : 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *name = json_string_value(json_object_get(item, "list"));
        const char *format = json_string_value(json_object_get(item, "format"));
        json_t *urls = json_object_get(item, "urls");
        if (!json_is_object(item) || !name || !format) {
            rc = ph_fail(err, PH_ERR, "%s: sources[%zu]: expected \"list\" and \"format\" strings",
                         label, i);
            goto done;
        }
        if (!lists_format_find(format)) {
            rc = ph_fail(err, PH_ERR, "%s: sources[%zu].format: unknown format '%s'", label, i,
                         format);
            goto done;
        }
        if (!json_is_array(urls) || json_array_size(urls) == 0) {
            rc = ph_fail(err, PH_ERR, "%s: sources[%zu].urls: expected a list of URLs", label, i);
            goto done;
        }
        if (only && strcmp(only, name) != 0) continue;
        out->v = ph_realloc(out->v, (out->n + 1) * sizeof *out->v);
        source *s = &out->v[out->n++];
        memset(s, 0, sizeof *s);
        s->list = ph_strdup(name);
        s->format = ph_strdup(format);
        s->urls = ph_calloc(json_array_size(urls), sizeof *s->urls);
        size_t k;
        json_t *u;
        json_array_foreach(urls, k, u) {
            const char *url = json_string_value(u);
            if (!url || !is_web_url(url)) {
                rc = ph_fail(err, PH_ERR,
                             "%s: sources[%zu].urls[%zu]: expected an http:// or https:// URL",
                             label, i, k);
                goto done;
            }
            s->urls[s->nurls++] = ph_strdup(url);
        }
    }
    if (only && out->n == 0)
        rc = ph_fail(err, PH_ENOTFOUND, "%s: no source for list '%s'", label, only);
done:
    json_decref(root);
    if (rc) sources_free(out);
    return rc;
}

static int load_sources(const lists_update_options *o, sources *out, ph_err *err) {
    const char *path = o->config_path;
    if (!path || !*path) path = getenv("PENHOLDER_LIST_SOURCES");
    if (path && *path) {
        char *text;
        size_t len;
        if (ph_read_file(path, LISTS_SOURCES_MAX_BYTES, &text, &len, err)) return err->rc;
        int rc = parse_sources(path, text, len, o->list, out, err);
        free(text);
        return rc;
    }
    const ph_embedded *f = ph_embedded_find(LISTS_SOURCES_BUILTIN);
    if (!f) return ph_fail(err, PH_ERR, "no sources file: give --config FILE");
    return parse_sources(LISTS_SOURCES_BUILTIN, f->data, f->len, o->list, out, err);
}

/* ---- one download ---- */

typedef struct download {
    FILE *out;
    int64_t bytes, max_bytes;
    int too_big;
    const char *url;
    const lists_update_options *opts;
} download;

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
    download *d = ud;
    size_t len = size * n;
    if (d->bytes + (int64_t)len > d->max_bytes) {
        d->too_big = 1;
        return 0; /* stops the transfer */
    }
    if (fwrite(p, 1, len, d->out) != len) return 0;
    d->bytes += (int64_t)len;
    return len;
}

static int on_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un) {
    (void)ut, (void)un;
    download *d = ud;
    if (d->opts->progress && now > 0)
        d->opts->progress(d->opts->progress_ctx, d->url, (uint64_t)now, (uint64_t)total);
    return 0;
}

static int fetch(const char *url, const char *path, long timeout, int64_t max_bytes,
                 const lists_update_options *o, ph_err *err) {
    download d = {.url = url, .max_bytes = max_bytes, .opts = o};
    d.out = fopen(path, "wb");
    if (!d.out) return ph_fail(err, PH_ERR, "%s: %s", path, strerror(errno));
    CURL *c = curl_easy_init();
    if (!c) {
        fclose(d.out);
        return ph_fail(err, PH_ERR, "%s: cannot start a download", url);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, LISTS_UPDATE_MAX_REDIRECTS);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, LISTS_UPDATE_CONNECT_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, LISTS_UPDATE_USER_AGENT);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &d);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    int closed = fclose(d.out);
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OK:
        if (closed != 0) return ph_fail(err, PH_ERR, "%s: cannot write %s", url, path);
        return PH_OK;
    case CURLE_HTTP_RETURNED_ERROR:
        return ph_fail(err, PH_ERR, "%s: the server answered HTTP %ld%s", url, status,
                       status == 404 ? " (no such file: check the URL in the sources file)" : "");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ph_fail(err, PH_ERR, "%s: cannot resolve the host name (offline?): %s", url, detail);
    case CURLE_COULDNT_CONNECT:
        return ph_fail(err, PH_ERR, "%s: cannot connect (offline, or the server is down): %s", url,
                       detail);
    case CURLE_OPERATION_TIMEDOUT:
        return ph_fail(err, PH_ERR, "%s: no complete answer within %ld seconds (--timeout)", url,
                       timeout);
    case CURLE_FILESIZE_EXCEEDED:
        return ph_fail(err, PH_ERR, "%s: larger than %lld bytes (--max-bytes)", url,
                       (long long)max_bytes);
    case CURLE_WRITE_ERROR:
        if (d.too_big)
            return ph_fail(err, PH_ERR, "%s: larger than %lld bytes (--max-bytes)", url,
                           (long long)max_bytes);
        return ph_fail(err, PH_ERR, "%s: cannot write %s", url, path);
    default: return ph_fail(err, PH_ERR, "%s: download failed: %s", url, detail);
    }
}

/* A file name for a downloaded URL: its last path segment, made safe. */
static char *temp_name(const char *dir, size_t nsource, size_t nfile, const char *url) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *slash = strrchr(p, '/');
    const char *base = slash && slash[1] ? slash + 1 : "download";
    char safe[80];
    size_t n = 0;
    for (; *base && *base != '?' && *base != '#' && n < sizeof safe - 1; base++) {
        char c = *base;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        safe[n++] = ok ? c : '_';
    }
    safe[n] = 0;
    return ph_asprintf("%s/%zu-%zu-%s", dir, nsource, nfile, n ? safe : "download");
}

static void remove_downloads(sources *s, const char *dir) {
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; s->v[i].paths && k < s->v[i].nurls; k++)
            if (s->v[i].paths[k]) unlink(s->v[i].paths[k]);
    if (dir[0]) rmdir(dir);
}

int lists_update(store *db, const lists_update_options *o, lists_update_result **results,
                 size_t *nresults, ph_err *err) {
    *results = NULL;
    *nresults = 0;
    sources s;
    if (load_sources(o, &s, err)) return err->rc;
    long timeout = o->timeout_seconds ? o->timeout_seconds
                   : s.timeout        ? s.timeout
                                      : LISTS_UPDATE_TIMEOUT_DEFAULT;
    int64_t max_bytes = o->max_bytes  ? o->max_bytes
                        : s.max_bytes ? s.max_bytes
                                      : LISTS_UPDATE_MAX_BYTES_DEFAULT;
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/penholder-lists.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        int e = errno;
        sources_free(&s);
        return ph_fail(err, PH_ERR, "cannot create a temporary folder in %s: %s",
                       tmp && *tmp ? tmp : "/tmp", strerror(e));
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rmdir(dir);
        sources_free(&s);
        return ph_fail(err, PH_ERR, "cannot initialise libcurl");
    }
    int rc = PH_OK;
    for (size_t i = 0; i < s.n && !rc; i++) {
        s.v[i].paths = ph_calloc(s.v[i].nurls, sizeof *s.v[i].paths);
        for (size_t k = 0; k < s.v[i].nurls && !rc; k++) {
            s.v[i].paths[k] = temp_name(dir, i, k, s.v[i].urls[k]);
            rc = fetch(s.v[i].urls[k], s.v[i].paths[k], timeout, max_bytes, o, err);
        }
    }
    if (rc) ph_err_prefix(err, "nothing imported: ");
    for (size_t i = 0; i < s.n && !rc; i++) {
        *results = ph_realloc(*results, (*nresults + 1) * sizeof **results);
        lists_update_result *r = &(*results)[(*nresults)++];
        memset(r, 0, sizeof *r);
        r->list = ph_strdup(s.v[i].list);
        r->format = ph_strdup(s.v[i].format);
        lists_import_options io = {.format = s.v[i].format,
                                   .list = s.v[i].list,
                                   .origin = "update",
                                   .actor = o->actor,
                                   .labels = (const char *const *)s.v[i].urls};
        rc =
            lists_import(db, (const char *const *)s.v[i].paths, s.v[i].nurls, &io, &r->import, err);
        if (rc) ph_err_prefix(err, "%s: ", s.v[i].list);
    }
    curl_global_cleanup();
    remove_downloads(&s, dir);
    sources_free(&s);
    return rc;
}

void lists_update_results_free(lists_update_result *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(r[i].list);
        free(r[i].format);
        lists_import_report_free(&r[i].import);
    }
    free(r);
}
