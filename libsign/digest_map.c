/* A map from SHA-256 digests to values, hashed and bounded, for the caches a context keeps
 * (decoded certificates, fetched revocation answers). Why one: a back office validates millions
 * of files from distinct signers with one context, so a cache searched linearly slows every
 * validation as it fills, and one without a bound grows for as long as the process runs.
 *
 * The keys are digests, uniformly distributed already: their first bytes are the hash. Chained
 * buckets, as many as the entry bound (rounded up to a power of two), allocated on first use.
 * Bounded in entries and in bytes (each value's size as its owner counts it); when a new entry
 * would pass either bound, the least recently used entries go first. A lookup makes an entry the
 * most recently used.
 *
 * Thread-safe: one lock around each call. A value found is handed to the caller's visit callback
 * under the lock (to take a reference or copy what it needs), because once the lock is released
 * another thread's insertion may evict and free it. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct digest_entry {
    unsigned char digest[32];
    void *value;
    size_t bytes;
    struct digest_entry *chain;              /* next in the bucket */
    struct digest_entry *newer, *older;      /* the recency list */
};

struct sign_digest_map {
    pthread_mutex_t lock;
    void (*free_value)(void *value);
    size_t max_entries, max_bytes;
    struct digest_entry **buckets; /* bucket_count of them, made on the first insertion */
    size_t bucket_count;
    size_t count, bytes;
    struct digest_entry *newest, *oldest;
};

static size_t bucket_count_for(size_t max_entries)
{
    size_t n = 16;
    while (n < max_entries && n < ((size_t)1 << 24))
        n <<= 1;
    return n;
}

sign_digest_map *sign_digest_map_new(size_t max_entries, size_t max_bytes,
                                     void (*free_value)(void *value))
{
    sign_digest_map *map = calloc(1, sizeof *map);
    if (!map)
        return NULL;
    map->free_value = free_value;
    map->max_entries = max_entries ? max_entries : 1;
    map->max_bytes = max_bytes;
    map->bucket_count = bucket_count_for(map->max_entries);
    pthread_mutex_init(&map->lock, NULL);
    return map;
}

static void drop_all(sign_digest_map *map)
{
    for (struct digest_entry *e = map->newest, *older; e; e = older) {
        older = e->older;
        map->free_value(e->value);
        free(e);
    }
    free(map->buckets);
    map->buckets = NULL;
    map->newest = map->oldest = NULL;
    map->count = map->bytes = 0;
}

void sign_digest_map_free(sign_digest_map *map)
{
    if (!map)
        return;
    drop_all(map);
    pthread_mutex_destroy(&map->lock);
    free(map);
}

int sign_digest_map_set_limits(sign_digest_map *map, size_t max_entries, size_t max_bytes)
{
    /* The buckets are sized by the entry bound: start again rather than rehash (setters run
     * before validation, when the caches are empty or nearly). */
    pthread_mutex_lock(&map->lock);
    drop_all(map);
    map->max_entries = max_entries ? max_entries : 1;
    map->max_bytes = max_bytes;
    map->bucket_count = bucket_count_for(map->max_entries);
    pthread_mutex_unlock(&map->lock);
    return SIGN_OK;
}

static size_t bucket_of(const sign_digest_map *map, const unsigned char digest[32])
{
    uint64_t h;
    memcpy(&h, digest, sizeof h);
    return (size_t)(h & (map->bucket_count - 1));
}

static struct digest_entry **find_slot(sign_digest_map *map, const unsigned char digest[32])
{
    struct digest_entry **slot = &map->buckets[bucket_of(map, digest)];
    while (*slot && memcmp((*slot)->digest, digest, 32) != 0)
        slot = &(*slot)->chain;
    return slot;
}

static void unlink_recency(sign_digest_map *map, struct digest_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        map->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        map->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void make_newest(sign_digest_map *map, struct digest_entry *e)
{
    e->older = map->newest;
    e->newer = NULL;
    if (map->newest)
        map->newest->newer = e;
    map->newest = e;
    if (!map->oldest)
        map->oldest = e;
}

static void evict_oldest(sign_digest_map *map)
{
    struct digest_entry *e = map->oldest;
    struct digest_entry **slot = find_slot(map, e->digest);
    *slot = e->chain;
    unlink_recency(map, e);
    map->count--;
    map->bytes -= e->bytes;
    map->free_value(e->value);
    free(e);
}

int sign_digest_map_find(sign_digest_map *map, const unsigned char digest[32],
                         void (*visit)(void *value, void *arg), void *arg)
{
    int found = 0;
    pthread_mutex_lock(&map->lock);
    if (map->buckets) {
        struct digest_entry *e = *find_slot(map, digest);
        if (e) {
            if (map->newest != e) {
                unlink_recency(map, e);
                make_newest(map, e);
            }
            visit(e->value, arg);
            found = 1;
        }
    }
    pthread_mutex_unlock(&map->lock);
    return found;
}

int sign_digest_map_insert(sign_digest_map *map, const unsigned char digest[32], void *value,
                           size_t bytes, void (*visit)(void *value, void *arg), void *arg)
{
    pthread_mutex_lock(&map->lock);
    if (!map->buckets)
        map->buckets = calloc(map->bucket_count, sizeof *map->buckets);
    struct digest_entry **slot = map->buckets ? find_slot(map, digest) : NULL;
    if (slot && *slot) {
        /* Another thread inserted the same key first: keep its value, hand that one back. */
        struct digest_entry *e = *slot;
        if (visit)
            visit(e->value, arg);
        pthread_mutex_unlock(&map->lock);
        map->free_value(value);
        return 0;
    }
    struct digest_entry *e = slot && (!map->max_bytes || bytes <= map->max_bytes)
                                 ? calloc(1, sizeof *e)
                                 : NULL;
    if (!e) {
        /* Not kept (no memory, or larger than the whole bound): the caller's value is still
         * valid for this one use. */
        if (visit)
            visit(value, arg);
        pthread_mutex_unlock(&map->lock);
        map->free_value(value);
        return 0;
    }
    while (map->oldest &&
           (map->count + 1 > map->max_entries || (map->max_bytes && map->bytes + bytes > map->max_bytes)))
        evict_oldest(map);
    slot = find_slot(map, digest); /* evictions may have changed the chain */
    memcpy(e->digest, digest, 32);
    e->value = value;
    e->bytes = bytes;
    *slot = e;
    make_newest(map, e);
    map->count++;
    map->bytes += bytes;
    if (visit)
        visit(value, arg);
    pthread_mutex_unlock(&map->lock);
    return 1;
}

void sign_digest_map_stats(sign_digest_map *map, size_t *entries, size_t *bytes)
{
    pthread_mutex_lock(&map->lock);
    *entries = map->count;
    *bytes = map->bytes;
    pthread_mutex_unlock(&map->lock);
}
