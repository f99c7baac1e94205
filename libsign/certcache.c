/* Decoded certificates by the SHA-256 of their DER, kept on the context and shared by the
 * threads that validate with it. Why: in a batch the same CA (and often the same signer)
 * certificates arrive in every file, and decoding one costs more than verifying a signature
 * with it (OpenSSL 3.0 decodes each public key through its provider decoders: 40 % of a CAdES
 * validation in perf). Bounded: once full, certificates are decoded as if there were no cache. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"

#define CERT_CACHE_MAX 4096

struct sign_cert_cache {
    pthread_mutex_t lock;
    struct {
        unsigned char digest[32];
        X509 *cert;
    } *entries;
    size_t count;
};

sign_cert_cache *sign_cert_cache_new(void)
{
    sign_cert_cache *cache = calloc(1, sizeof *cache);
    if (cache)
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
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

X509 *sign_cert_cache_decode(const sign_ctx *ctx, const unsigned char *der, size_t len)
{
    sign_cert_cache *cache = ctx->cert_cache;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!cache || !EVP_Digest(der, len, digest, &digest_len, EVP_sha256(), NULL)) {
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
