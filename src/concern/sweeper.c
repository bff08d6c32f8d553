/* The sweep of overdue concerns on a timer, for `penholder serve`: a thread
 * with its own connection runs concern_sweep once at start and then every
 * interval, so an overdue concern escalates whether or not anyone runs
 * `penholder concern sweep` from cron. Each run is concern_sweep's own
 * transaction; the sweep is idempotent, so a run that finds nothing new
 * writes nothing. Stopping wakes the thread at once and waits for a run in
 * progress to finish. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concern.h"

struct concern_sweeper {
    store *db; /* used by the sweeper's thread only */
    unsigned interval_seconds;
    FILE *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
};

int concern_sweep_summary(const json_t *report, char *out, size_t size) {
    if (size) out[0] = '\0';
    json_t *escalated = json_object_get(report, "escalated");
    size_t n = json_array_size(escalated);
    if (!n || !size) return 0;
    const char *as_of = json_string_value(json_object_get(report, "as_of"));
    int w = snprintf(out, size,
                     "concern sweep as of %s escalated %zu overdue concern%s:", as_of ? as_of : "?",
                     n, n == 1 ? "" : "s");
    size_t used = w > 0 && (size_t)w < size ? (size_t)w : size - 1;
    size_t i;
    json_t *v;
    json_array_foreach(escalated, i, v) {
        const char *to = json_string_value(json_object_get(v, "to_level"));
        char item[96];
        snprintf(item, sizeof item, "%s concern %lld to %s", i ? "," : "",
                 (long long)json_integer_value(json_object_get(v, "id")), to ? to : "?");
        /* Keep room for the ellipsis that says the line was cut short. */
        if (used + strlen(item) + 5 >= size) {
            snprintf(out + used, size - used, " ...");
            break;
        }
        memcpy(out + used, item, strlen(item) + 1);
        used += strlen(item);
    }
    return 1;
}

static void sweep_once(concern_sweeper *s) {
    json_t *report = NULL;
    ph_err err = {0};
    if (concern_sweep(s->db, NULL, &report, &err)) {
        fprintf(s->log, "penholder: concern sweep failed (tried again in %u s): %s\n",
                s->interval_seconds, err.msg);
        return;
    }
    char line[512];
    if (concern_sweep_summary(report, line, sizeof line)) fprintf(s->log, "penholder: %s\n", line);
    json_decref(report);
}

static void *sweeper_main(void *arg) {
    concern_sweeper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        sweep_once(s);
        pthread_mutex_lock(&s->lock);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)s->interval_seconds;
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int concern_sweeper_start(const char *db_path, unsigned interval_seconds, FILE *log,
                          concern_sweeper **out, ph_err *err) {
    *out = NULL;
    if (interval_seconds == 0)
        return ph_fail(err, PH_EUSAGE, "the sweep interval must be at least one second");
    concern_sweeper *s = ph_calloc(1, sizeof *s);
    s->interval_seconds = interval_seconds;
    s->log = log ? log : stderr;
    if (store_open(db_path, 0, &s->db, err)) {
        free(s);
        return err->rc;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr,
                              CLOCK_MONOTONIC); /* a clock change neither hurries nor stalls it */
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&s->lock, NULL);
    int e = pthread_create(&s->thread, NULL, sweeper_main, s);
    if (e) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        store_close(s->db);
        free(s);
        return ph_fail(err, PH_ERR, "cannot start the concern sweep: %s", strerror(e));
    }
    *out = s;
    return PH_OK;
}

void concern_sweeper_stop(concern_sweeper *s) {
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    store_close(s->db);
    free(s);
}
