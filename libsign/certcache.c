/* Decoded certificates by the SHA-256 of their DER, kept on the context and shared by the
 * threads that validate with it. Why: in a batch the same CA (and often the same signer)
 * certificates arrive in every file, and decoding one costs more than verifying a signature
 * with it (OpenSSL 3.0 decodes each public key through its provider decoders: 40 % of a CAdES
 * validation in perf). Bounded: once full, certificates are decoded as if there were no cache.
 *
 * The digest each certificate was found by stays with it (X509 ex_data, set before any other
 * thread can see the certificate, never changed), so that what is keyed by a certificate's
 * SHA-256 later (verified signatures, the report's signer) does not encode and hash it again. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"

#define CERT_CACHE_MAX 4096

struct sign_cert_cache {
    pthread_mutex_t lock;
    EVP_MD *sha256; /* fetched once: an implicit fetch per digest costs a lookup under a lock */
    struct {
        unsigned char digest[32];
        X509 *cert;
    } *entries;
    size_t count;
};

sign_cert_cache *sign_cert_cache_new(void)
{
    sign_cert_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!cache->sha256) {
        free(cache);
        return NULL;
    }
    pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void sign_cert_cache_free(sign_cert_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->count; i++)
        X509_free(cache->entries[i].cert);
    free(cache->entries);
    EVP_MD_free(cache->sha256);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* ---- the SHA-256 a certificate was decoded by ---- */
static int sha256_index = -1;
static pthread_once_t sha256_index_once = PTHREAD_ONCE_INIT;

static void free_sha256(void *parent, void *digest, CRYPTO_EX_DATA *ad, int index, long argl,
                        void *argp)
{
    (void)parent, (void)ad, (void)index, (void)argl, (void)argp;
    free(digest);
}

static void make_sha256_index(void)
{
    sha256_index = X509_get_ex_new_index(0, NULL, NULL, NULL, free_sha256);
}

/* Remembers digest on cert, which no other thread may see yet. */
static void remember_sha256(X509 *cert, const unsigned char digest[32])
{
    pthread_once(&sha256_index_once, make_sha256_index);
    unsigned char *copy = sha256_index >= 0 ? malloc(32) : NULL;
    if (!copy)
        return;
    memcpy(copy, digest, 32);
    if (!X509_set_ex_data(cert, sha256_index, copy))
        free(copy);
}

int sign_cert_sha256(X509 *cert, unsigned char out[32])
{
    pthread_once(&sha256_index_once, make_sha256_index);
    const unsigned char *known = sha256_index >= 0 ? X509_get_ex_data(cert, sha256_index) : NULL;
    if (known) {
        memcpy(out, known, 32);
        return 1;
    }
    unsigned int len = 0;
    return X509_digest(cert, EVP_sha256(), out, &len) && len == 32;
}

X509 *sign_cert_cache_decode(const sign_ctx *ctx, const unsigned char *der, size_t len)
{
    sign_cert_cache *cache = ctx->cert_cache;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!cache || !EVP_Digest(der, len, digest, &digest_len, cache->sha256, NULL)) {
        const unsigned char *p = der;
        return d2i_X509(NULL, &p, (long)len);
    }
    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < cache->count; i++)
        if (memcmp(cache->entries[i].digest, digest, 32) == 0) {
            X509 *cert = cache->entries[i].cert;
            X509_up_ref(cert);
            pthread_mutex_unlock(&cache->lock);
            return cert;
        }
    pthread_mutex_unlock(&cache->lock);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    /* A certificate must be exactly its DER: trailing bytes would make two encodings share
     * one entry. */
    if (!cert || p != der + len) {
        X509_free(cert);
        return NULL;
    }
    remember_sha256(cert, digest);
    pthread_mutex_lock(&cache->lock);
    if (cache->count < CERT_CACHE_MAX) {
        if (!cache->entries)
            cache->entries = calloc(CERT_CACHE_MAX, sizeof *cache->entries);
        if (cache->entries && X509_up_ref(cert)) {
            memcpy(cache->entries[cache->count].digest, digest, 32);
            cache->entries[cache->count++].cert = cert;
        }
    }
    pthread_mutex_unlock(&cache->lock);
    return cert;
}
