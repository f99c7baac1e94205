/* Decoded certificates by the SHA-256 of their DER, kept on the context and shared by the
 * threads that validate with it. Why: in a batch the same CA (and often the same signer)
 * certificates arrive in every file, and decoding one costs more than verifying a signature
 * with it (OpenSSL 3.0 decodes each public key through its provider decoders: 40 % of a CAdES
 * validation in perf). Hashed and bounded (digest_map.c): the least recently used certificates
 * make room for new ones.
 *
 * The digest each certificate was found by stays with it (X509 ex_data, set before any other
 * thread can see the certificate, never changed), so that what is keyed by a certificate's
 * SHA-256 later (verified signatures, the report's signer) does not encode and hash it again. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"

/* What a decoded certificate costs in memory, for the byte bound: OpenSSL 3.0 allocates about
 * five times a certificate's DER for it (measured with mallinfo2 on OCES certificates: 1,337
 * bytes of DER, 6,548 decoded). */
#define DECODED_BYTES_PER_DER_BYTE 5

struct sign_cert_cache {
    sign_digest_map *certs; /* X509 * by the SHA-256 of its DER */
    EVP_MD *sha256; /* fetched once: an implicit fetch per digest costs a lookup under a lock */
};

static void free_cert(void *value) { X509_free(value); }

sign_cert_cache *sign_cert_cache_new(void)
{
    sign_cert_cache *cache = calloc(1, sizeof *cache);
    if (!cache)
        return NULL;
    cache->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    cache->certs = sign_digest_map_new(SIGN_CACHE_MAX_ENTRIES, SIGN_CACHE_MAX_BYTES, free_cert);
    if (!cache->sha256 || !cache->certs) {
        sign_cert_cache_free(cache);
        return NULL;
    }
    return cache;
}

void sign_cert_cache_free(sign_cert_cache *cache)
{
    if (!cache)
        return;
    sign_digest_map_free(cache->certs);
    EVP_MD_free(cache->sha256);
    free(cache);
}

int sign_cert_cache_set_limits(sign_cert_cache *cache, size_t max_entries, size_t max_bytes)
{
    return sign_digest_map_set_limits(cache->certs, max_entries, max_bytes);
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

/* visit callback: a new reference to the certificate the cache holds, into *arg. */
static void take_reference(void *value, void *arg)
{
    X509 **out = arg;
    *out = X509_up_ref(value) ? value : NULL;
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
    X509 *found = NULL;
    if (sign_digest_map_find(cache->certs, digest, take_reference, &found))
        return found;
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    /* A certificate must be exactly its DER: trailing bytes would make two encodings share
     * one entry. */
    if (!cert || p != der + len) {
        X509_free(cert);
        return NULL;
    }
    remember_sha256(cert, digest);
    /* The map takes cert's reference; the caller gets one of its own (of the certificate
     * another thread decoded first, if one did). */
    sign_digest_map_insert(cache->certs, digest, cert, len * DECODED_BYTES_PER_DER_BYTE,
                           take_reference, &found);
    return found;
}
