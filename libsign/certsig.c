/* Certificate signatures already verified, kept on the context and shared by the threads that
 * validate with it. Why: in a batch every file's chain ends in the same CA certificates, and
 * re-verifying their RSASSA-PSS 3072 signatures cost two of the three public-key operations of a
 * CAdES validation.
 *
 * What is kept is only the fact "the public key with this digest verified the signature of the
 * certificate with this digest" (SHA-256 of the DER of each): it depends on nothing else, not on
 * the time nor on trust (X509_verify reads nothing but the two; libsign sets no SM2
 * distinguishing ID on a certificate). Validity periods, key usage, revocation and policies are checked by the
 * chain's other steps at every validation and every validation time, as before. A certificate
 * changed in any bit (its signature, its subject) has another digest and is verified afresh; a
 * signature that does not verify is never kept.
 *
 * Bounded: a fixed number of entries (SIGN_CERTSIG_CAPACITY on a context), in buckets of
 * CERTSIG_WAYS; a full bucket replaces its oldest entry. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"

#define CERTSIG_WAYS 4 /* entries a bucket holds before it replaces one */

struct certsig_entry {
    unsigned char cert_digest[32]; /* SHA-256 of the certificate's DER */
    unsigned char key_digest[32];  /* SHA-256 of the issuer's SubjectPublicKeyInfo (DER) */
};

struct certsig_bucket {
    struct certsig_entry ways[CERTSIG_WAYS];
    unsigned char used;   /* how many ways hold an entry */
    unsigned char oldest; /* the way replaced next once full */
};

struct sign_certsig_cache {
    pthread_mutex_t lock;
    struct certsig_bucket *buckets; /* allocated on first store */
    size_t bucket_count;
    EVP_MD *sha256;                 /* fetched once: an implicit fetch per digest costs a lookup */
    unsigned long hits, checks;
};

sign_certsig_cache *sign_certsig_cache_new(size_t capacity)
{
    sign_certsig_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    cache->bucket_count = capacity / CERTSIG_WAYS ? capacity / CERTSIG_WAYS : 1;
    cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!cache->sha256) {
        free(cache);
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void sign_certsig_cache_free(sign_certsig_cache *cache)
{
    if (!cache)
        return;
    EVP_MD_free(cache->sha256);
    free(cache->buckets);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

void sign_certsig_cache_stats(const sign_certsig_cache *cache, unsigned long *hits,
                              unsigned long *checks)
{
    sign_certsig_cache *locked = (sign_certsig_cache *)cache; /* the lock is not the content */
    pthread_mutex_lock(&locked->lock);
    *hits = cache->hits;
    *checks = cache->checks;
    pthread_mutex_unlock(&locked->lock);
}

/* SHA-256 of der (an i2d result, freed here). Returns 1 on success. */
static int digest_der(const sign_certsig_cache *cache, int der_len, unsigned char *der,
                      unsigned char out[32])
{
    unsigned int out_len = 0;
    int ok = der_len > 0 && EVP_Digest(der, (size_t)der_len, out, &out_len, cache->sha256, NULL) &&
             out_len == 32;
    OPENSSL_free(der);
    return ok;
}

static int entry_of(const sign_certsig_cache *cache, X509 *cert, X509 *issuer,
                    struct certsig_entry *entry)
{
    if (!sign_cert_sha256(cert, entry->cert_digest))
        return 0;
    unsigned char *key_der = NULL;
    int key_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &key_der);
    return digest_der(cache, key_len, key_der, entry->key_digest);
}

static struct certsig_bucket *bucket_of(const sign_certsig_cache *cache,
                                        const struct certsig_entry *entry)
{
    /* The digests are uniform already: their first bytes make a good index. */
    uint32_t index;
    memcpy(&index, entry->cert_digest, sizeof index);
    index ^= (uint32_t)entry->key_digest[0] << 24 | (uint32_t)entry->key_digest[1] << 16 |
             (uint32_t)entry->key_digest[2] << 8 | entry->key_digest[3];
    return &cache->buckets[index % cache->bucket_count];
}

static int cache_holds(const sign_certsig_cache *cache, const struct certsig_entry *entry)
{
    if (!cache->buckets)
        return 0;
    const struct certsig_bucket *bucket = bucket_of(cache, entry);
    for (int i = 0; i < bucket->used; i++)
        if (memcmp(&bucket->ways[i], entry, sizeof *entry) == 0)
            return 1;
    return 0;
}

static void cache_store(sign_certsig_cache *cache, const struct certsig_entry *entry)
{
    if (!cache->buckets && !(cache->buckets = calloc(cache->bucket_count, sizeof *cache->buckets)))
        return; /* not remembering only costs a later verification */
    if (cache_holds(cache, entry))
        return; /* another thread verified it meanwhile */
    struct certsig_bucket *bucket = bucket_of(cache, entry);
    if (bucket->used < CERTSIG_WAYS) {
        bucket->ways[bucket->used++] = *entry;
    } else {
        bucket->ways[bucket->oldest] = *entry;
        bucket->oldest = (unsigned char)((bucket->oldest + 1) % CERTSIG_WAYS);
    }
}

int sign_certsig_verify(sign_certsig_cache *cache, X509 *cert, X509 *issuer)
{
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    if (!key)
        return -1;
    struct certsig_entry entry;
    /* A DSA key may take its parameters from further up the chain (RFC 3279 2.3.2), so its
     * SubjectPublicKeyInfo alone does not name the key that verifies: not cached. */
    if (!cache || EVP_PKEY_is_a(key, "DSA") || !entry_of(cache, cert, issuer, &entry))
        return X509_verify(cert, key);
    pthread_mutex_lock(&cache->lock);
    int known = cache_holds(cache, &entry);
    if (known)
        cache->hits++;
    pthread_mutex_unlock(&cache->lock);
    if (known)
        return 1;
    int verified = X509_verify(cert, key);
    pthread_mutex_lock(&cache->lock);
    cache->checks++;
    if (verified > 0)
        cache_store(cache, &entry);
    pthread_mutex_unlock(&cache->lock);
    return verified;
}
