/* The context's cache of verified certificate signatures (libsign/certsig.c) and the chain step
 * that uses it (libsign/validation/chain_signatures.c). A small PKI is made here, in memory: a
 * CA, a second CA with the same name and another key, and a certificate the first one issued. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "libsign/internal.h"

#define AT ((time_t)1780272000)       /* 2026-06-01T00:00:00Z */
#define LATER ((time_t)1900000000)    /* 2030-03-17, after the certificates expire */

struct pki {
    EVP_PKEY *ca_key, *other_key, *leaf_key;
    X509 *ca, *other_ca, *leaf;
    sign_certsig_cache *cache;
};

static EVP_PKEY *new_key(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A certificate for subject's key named cn, issued by issuer_name with issuer_key (itself when
 * issuer_name is NULL), valid from 2025 to 2029. */
static X509 *new_cert(EVP_PKEY *subject_key, const char *cn, const X509_NAME *issuer_name,
                      EVP_PKEY *issuer_key, int ca, long serial)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    if (!cert || !name ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                    0) ||
        !X509_set_version(cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) ||
        !X509_set_subject_name(cert, name) ||
        !X509_set_issuer_name(cert, issuer_name ? issuer_name : name) ||
        !ASN1_TIME_set_string(X509_getm_notBefore(cert), "20250101000000Z") ||
        !ASN1_TIME_set_string(X509_getm_notAfter(cert), "20291231235959Z") ||
        !X509_set_pubkey(cert, subject_key)) {
        X509_NAME_free(name);
        X509_free(cert);
        return NULL;
    }
    X509_NAME_free(name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *constraints = X509V3_EXT_conf_nid(
        NULL, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    X509_EXTENSION *usage = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
                                                ca ? "critical,keyCertSign,cRLSign"
                                                   : "critical,digitalSignature");
    int ok = constraints && usage && X509_add_ext(cert, constraints, -1) &&
             X509_add_ext(cert, usage, -1) && X509_sign(cert, issuer_key, EVP_sha256()) > 0;
    X509_EXTENSION_free(constraints);
    X509_EXTENSION_free(usage);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* cert as it came from DER: what a signature carries, with its encoding cached as OpenSSL keeps
 * it for a certificate it decoded. */
static X509 *redecoded(X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    const unsigned char *p = der;
    X509 *copy = len > 0 ? d2i_X509(NULL, &p, len) : NULL;
    OPENSSL_free(der);
    return copy;
}

static int set_up(void **state)
{
    struct pki *pki = calloc(1, sizeof *pki);
    if (!pki)
        return -1;
    pki->ca_key = new_key();
    pki->other_key = new_key();
    pki->leaf_key = new_key();
    if (!pki->ca_key || !pki->other_key || !pki->leaf_key)
        return -1;
    X509 *ca = new_cert(pki->ca_key, "Test CA", NULL, pki->ca_key, 1, 1);
    /* The same name as the CA, another key: what a forger would present as the issuer. */
    X509 *other_ca = new_cert(pki->other_key, "Test CA", NULL, pki->other_key, 1, 2);
    X509 *leaf = ca ? new_cert(pki->leaf_key, "Test Signer", X509_get_subject_name(ca),
                               pki->ca_key, 0, 3)
                    : NULL;
    pki->ca = ca ? redecoded(ca) : NULL;
    pki->other_ca = other_ca ? redecoded(other_ca) : NULL;
    pki->leaf = leaf ? redecoded(leaf) : NULL;
    X509_free(ca);
    X509_free(other_ca);
    X509_free(leaf);
    pki->cache = sign_certsig_cache_new(SIGN_CERTSIG_CAPACITY);
    *state = pki;
    return pki->ca && pki->other_ca && pki->leaf && pki->cache ? 0 : -1;
}

static int tear_down(void **state)
{
    struct pki *pki = *state;
    sign_certsig_cache_free(pki->cache);
    X509_free(pki->ca);
    X509_free(pki->other_ca);
    X509_free(pki->leaf);
    EVP_PKEY_free(pki->ca_key);
    EVP_PKEY_free(pki->other_key);
    EVP_PKEY_free(pki->leaf_key);
    free(pki);
    return 0;
}

static void assert_stats(const sign_certsig_cache *cache, unsigned long hits,
                         unsigned long checks)
{
    unsigned long got_hits, got_checks;
    sign_certsig_cache_stats(cache, &got_hits, &got_checks);
    assert_int_equal(got_hits, hits);
    assert_int_equal(got_checks, checks);
}

/* A copy of cert with one bit of its signature value flipped: the same subject, issuer and
 * everything else the certificate says, a signature that is not the issuer's. */
static X509 *with_tampered_signature(X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    assert_true(len > 0);
    der[len - 1] ^= 0x01; /* the last byte of the DER is the signature's */
    const unsigned char *p = der;
    X509 *tampered = d2i_X509(NULL, &p, len);
    OPENSSL_free(der);
    assert_non_null(tampered);
    return tampered;
}

static void test_signature_verified_once_is_answered_from_the_cache(void **state)
{
    struct pki *pki = *state;
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    assert_stats(pki->cache, 0, 1);
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    assert_stats(pki->cache, 2, 1); /* the check was skipped twice */
}

static void test_same_certificate_decoded_again_hits_by_its_der(void **state)
{
    struct pki *pki = *state;
    X509 *leaf_again = redecoded(pki->leaf); /* another file carrying the same certificate */
    X509 *ca_again = redecoded(pki->ca);
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    assert_int_equal(sign_certsig_verify(pki->cache, leaf_again, ca_again), 1);
    assert_stats(pki->cache, 1, 1);
    X509_free(leaf_again);
    X509_free(ca_again);
}

static void test_a_different_issuer_key_misses_and_is_checked(void **state)
{
    struct pki *pki = *state;
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    /* Same issuer name, another key: not the fact the cache holds, so verified, and refused. */
    assert_true(sign_certsig_verify(pki->cache, pki->leaf, pki->other_ca) <= 0);
    assert_stats(pki->cache, 0, 2);
    assert_true(sign_certsig_verify(pki->cache, pki->leaf, pki->other_ca) <= 0);
    assert_stats(pki->cache, 0, 3); /* a failure is never remembered */
}

static void test_tampered_certificate_is_not_accepted_from_the_cache(void **state)
{
    struct pki *pki = *state;
    assert_int_equal(sign_certsig_verify(pki->cache, pki->leaf, pki->ca), 1);
    X509 *tampered = with_tampered_signature(pki->leaf);
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(tampered),
                                   X509_get_subject_name(pki->leaf)), 0);
    assert_true(sign_certsig_verify(pki->cache, tampered, pki->ca) <= 0);
    assert_true(sign_certsig_verify(pki->cache, tampered, pki->ca) <= 0);
    assert_stats(pki->cache, 0, 3);
    X509_free(tampered);
}

static void test_without_a_cache_every_signature_is_verified(void **state)
{
    struct pki *pki = *state;
    assert_int_equal(sign_certsig_verify(NULL, pki->leaf, pki->ca), 1);
    assert_true(sign_certsig_verify(NULL, pki->leaf, pki->other_ca) <= 0);
}

static void test_full_cache_makes_room_and_never_answers_wrongly(void **state)
{
    struct pki *pki = *state;
    /* A cache of 8 entries (two buckets of 4) and 40 certificates, each verified once: the
     * oldest make room, and what is asked again is verified again or answered, never wrongly. */
    sign_certsig_cache *small = sign_certsig_cache_new(8);
    assert_non_null(small);
    X509 *certs[40];
    for (int i = 0; i < 40; i++) {
        certs[i] = new_cert(pki->leaf_key, "Many", X509_get_subject_name(pki->ca), pki->ca_key,
                            0, 1000 + i);
        assert_non_null(certs[i]);
        assert_int_equal(sign_certsig_verify(small, certs[i], pki->ca), 1);
    }
    assert_stats(small, 0, 40);
    unsigned long hits, checks;
    for (int i = 0; i < 40; i++)
        assert_int_equal(sign_certsig_verify(small, certs[i], pki->ca), 1);
    sign_certsig_cache_stats(small, &hits, &checks);
    assert_true(hits <= 8);          /* no more remembered than there is room for */
    assert_int_equal(hits + checks, 80);
    for (int i = 0; i < 40; i++) {
        X509 *tampered = with_tampered_signature(certs[i]);
        assert_true(sign_certsig_verify(small, tampered, pki->ca) <= 0);
        X509_free(tampered);
        X509_free(certs[i]);
    }
    sign_certsig_cache_free(small);
}

/* ---- the chain step: signatures from the cache, validity at every call ---- */

static int verify_chain_at(struct pki *pki, X509_STORE *store, time_t at, int *error)
{
    X509_STORE_CTX *store_ctx = X509_STORE_CTX_new();
    assert_non_null(store_ctx);
    assert_true(X509_STORE_CTX_init(store_ctx, store, pki->leaf, NULL));
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(store_ctx), at);
    X509_STORE_CTX_set_app_data(store_ctx, pki->cache);
    X509_STORE_CTX_set_verify(store_ctx, sign_chain_check_signatures);
    int ok = X509_verify_cert(store_ctx);
    *error = X509_STORE_CTX_get_error(store_ctx);
    X509_STORE_CTX_free(store_ctx);
    return ok;
}

static void test_chain_signature_is_cached_but_validity_is_checked_at_every_time(void **state)
{
    struct pki *pki = *state;
    X509_STORE *store = X509_STORE_new();
    assert_non_null(store);
    assert_true(X509_STORE_add_cert(store, pki->ca));
    int error;
    assert_int_equal(verify_chain_at(pki, store, AT, &error), 1);
    assert_int_equal(error, X509_V_OK);
    assert_stats(pki->cache, 0, 1); /* the trust anchor's own signature is not checked */
    assert_int_equal(verify_chain_at(pki, store, AT, &error), 1);
    assert_stats(pki->cache, 1, 1);
    /* After the certificates expire: the signature still comes from the cache, the verdict
     * does not. */
    assert_int_equal(verify_chain_at(pki, store, LATER, &error), 0);
    assert_int_equal(error, X509_V_ERR_CERT_HAS_EXPIRED);
    X509_STORE_free(store);
}

static void test_chain_with_a_same_named_ca_of_another_key_fails_on_the_signature(void **state)
{
    struct pki *pki = *state;
    int error;
    X509_STORE *good = X509_STORE_new();
    assert_true(X509_STORE_add_cert(good, pki->ca));
    assert_int_equal(verify_chain_at(pki, good, AT, &error), 1);
    X509_STORE_free(good);
    /* A store that trusts only the look-alike CA: the cached fact is about the other key. */
    X509_STORE *forged = X509_STORE_new();
    assert_true(X509_STORE_add_cert(forged, pki->other_ca));
    assert_int_equal(verify_chain_at(pki, forged, AT, &error), 0);
    assert_int_equal(error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
    X509_STORE_free(forged);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, set_up, tear_down)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_signature_verified_once_is_answered_from_the_cache),
        TEST(test_same_certificate_decoded_again_hits_by_its_der),
        TEST(test_a_different_issuer_key_misses_and_is_checked),
        TEST(test_tampered_certificate_is_not_accepted_from_the_cache),
        TEST(test_without_a_cache_every_signature_is_verified),
        TEST(test_full_cache_makes_room_and_never_answers_wrongly),
        TEST(test_chain_signature_is_cached_but_validity_is_checked_at_every_time),
        TEST(test_chain_with_a_same_named_ca_of_another_key_fails_on_the_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
