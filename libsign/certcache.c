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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
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

/* ---- what is noted on a certificate: its SHA-256, and the text of its subject ---- */
/* Set on a certificate before any other thread can see it (one the cache decoded, a trust
 * anchor), then read without locks: the digest never changes; the subject's text is made the
 * first time a report names the certificate and published once (a compare-and-swap), so that
 * a batch naming the same CAs in every report prints each name once (about 30 us a name). */
struct cert_note {
    unsigned char sha256[32];
    _Atomic(char *) subject;
};

static int note_index = -1;
static pthread_once_t note_index_once = PTHREAD_ONCE_INIT;

static void free_note(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int index, long argl,
                      void *argp)
{
    (void)parent, (void)ad, (void)index, (void)argl, (void)argp;
    struct cert_note *note = ptr;
    if (note)
        free(atomic_load(&note->subject));
    free(note);
}

static void make_note_index(void)
{
    note_index = X509_get_ex_new_index(0, NULL, NULL, NULL, free_note);
}

static struct cert_note *note_of(X509 *cert)
{
    pthread_once(&note_index_once, make_note_index);
    return note_index >= 0 ? X509_get_ex_data(cert, note_index) : NULL;
}

/* Notes digest on cert, which no other thread may see yet. */
static void remember_sha256(X509 *cert, const unsigned char digest[32])
{
    pthread_once(&note_index_once, make_note_index);
    struct cert_note *note = note_index >= 0 ? calloc(1, sizeof *note) : NULL;
    if (!note)
        return;
    memcpy(note->sha256, digest, 32);
    atomic_init(&note->subject, NULL);
    if (!X509_set_ex_data(cert, note_index, note))
        free(note);
}

void sign_cert_note(X509 *cert)
{
    unsigned char digest[32];
    unsigned int len = 0;
    if (!note_of(cert) && X509_digest(cert, EVP_sha256(), digest, &len) && len == 32)
        remember_sha256(cert, digest);
}

int sign_cert_sha256(X509 *cert, unsigned char out[32])
{
    const struct cert_note *note = note_of(cert);
    if (note) {
        memcpy(out, note->sha256, 32);
        return 1;
    }
    unsigned int len = 0;
    return X509_digest(cert, EVP_sha256(), out, &len) && len == 32;
}

const char *sign_cert_subject_noted(X509 *cert)
{
    struct cert_note *note = note_of(cert);
    return note ? atomic_load(&note->subject) : NULL;
}

const char *sign_cert_note_subject(X509 *cert, char *text)
{
    struct cert_note *note = note_of(cert);
    if (!note)
        return NULL;
    char *expected = NULL;
    if (atomic_compare_exchange_strong(&note->subject, &expected, text))
        return text;
    free(text); /* another thread noted it first: the same text */
    return expected;
}

/* visit callback: a new reference to the certificate the cache holds, into *arg. */
static void take_reference(void *value, void *arg)
{
    X509 **out = arg;
    *out = X509_up_ref(value) ? value : NULL;
}

/* OpenSSL 3.0 builds a certificate's policy cache on first use and publishes it before it is
 * filled (crypto/x509/pcy_cache.c, ossl_policy_cache_set), so two threads building paths
 * through one shared certificate can read it half built: a valid path then fails with "no
 * explicit policy" (PKITS 4.10.14, one batch in several), and a constraint not yet read could be
 * missed. It is built here, by X509_policy_check over a path holding the certificate below its
 * top, before the certificate is shared with other threads. */
void sign_cert_prepare_shared(X509 *cert)
{
    STACK_OF(X509) *path = sk_X509_new_null();
    X509_POLICY_TREE *tree = NULL;
    int explicit_policy = 0;
    if (path && sk_X509_push(path, cert) && sk_X509_push(path, cert))
        X509_policy_check(&tree, &explicit_policy, path, NULL, 0);
    X509_policy_tree_free(tree);
    sk_X509_free(path);
    ERR_clear_error();
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
    sign_cert_prepare_shared(cert);
    /* The map takes cert's reference; the caller gets one of its own (of the certificate
     * another thread decoded first, if one did). */
    sign_digest_map_insert(cache->certs, digest, cert, len * DECODED_BYTES_PER_DER_BYTE,
                           take_reference, &found);
    return found;
}
