/* Failed receipt look-ups per client address, in memory: after
 * max_failures within window_seconds an address waits until its window
 * ends. A receipt code has 160 random bits, so guessing is hopeless anyway;
 * the limit keeps a guesser from even trying at speed, and from filling
 * the log. The table has a fixed number of slots: an address that finds
 * its slot taken by another within a live window shares that slot (a
 * collision can only make the limit stricter, never looser). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "concern.h"

#define LIMITER_SLOTS 1024

typedef struct slot {
    uint64_t address_hash;
    int64_t window_start;
    int failures;
} slot;

struct concern_limiter {
    pthread_mutex_t lock;
    int max_failures;
    int window_seconds;
    slot slots[LIMITER_SLOTS];
};

concern_limiter *concern_limiter_new(int max_failures, int window_seconds) {
    concern_limiter *l = ph_calloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->max_failures = max_failures > 0 ? max_failures : 1;
    l->window_seconds = window_seconds > 0 ? window_seconds : 1;
    return l;
}

void concern_limiter_free(concern_limiter *l) {
    if (!l) return;
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static slot *slot_of(concern_limiter *l, const char *address, uint64_t *h) {
    *h = ph_hash(address ? address : "", address ? strlen(address) : 0);
    return &l->slots[*h % LIMITER_SLOTS];
}

int concern_limiter_check(concern_limiter *l, const char *address, int64_t now) {
    if (!l) return 0;
    uint64_t h;
    pthread_mutex_lock(&l->lock);
    slot *s = slot_of(l, address, &h);
    int wait = 0;
    if (s->failures >= l->max_failures && now < s->window_start + l->window_seconds)
        wait = (int)(s->window_start + l->window_seconds - now);
    pthread_mutex_unlock(&l->lock);
    return wait;
}

void concern_limiter_failure(concern_limiter *l, const char *address, int64_t now) {
    if (!l) return;
    uint64_t h;
    pthread_mutex_lock(&l->lock);
    slot *s = slot_of(l, address, &h);
    if (now >= s->window_start + l->window_seconds) {
        s->window_start = now;
        s->failures = 0;
        s->address_hash = h;
    }
    s->failures++;
    pthread_mutex_unlock(&l->lock);
}
