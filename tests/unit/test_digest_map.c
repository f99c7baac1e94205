/* The bounded, hashed map behind the context's caches (libsign/digest_map.c), and the
 * certificate cache that uses it (libsign/certcache.c): bounds in entries and bytes, the least
 * recently used dropped first, and a value kept alive for whoever holds it when it is dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "libsign/internal.h"

static int freed; /* values freed by the map, counted */

static void free_counted(void *value)
{
    freed++;
    free(value);
}

/* The key for n: its SHA-256, as the caches' keys are. */
static void key_of(int n, unsigned char key[32])
{
    unsigned int len = 0;
    EVP_Digest(&n, sizeof n, key, &len, EVP_sha256(), NULL);
}

static int *number(int n)
{
    int *v = malloc(sizeof *v);
    *v = n;
    return v;
}

static void copy_int(void *value, void *arg) { *(int *)arg = *(int *)value; }

static int lookup(sign_digest_map *map, int n)
{
    unsigned char key[32];
    key_of(n, key);
    int got = -1;
    return sign_digest_map_find(map, key, copy_int, &got) ? got : -1;
}

static void insert(sign_digest_map *map, int n, size_t bytes)
{
    unsigned char key[32];
    key_of(n, key);
    sign_digest_map_insert(map, key, number(n), bytes, NULL, NULL);
}

static void finds_what_it_holds(void **state)
{
    (void)state;
    sign_digest_map *map = sign_digest_map_new(1000, 0, free_counted);
    for (int i = 0; i < 1000; i++)
        insert(map, i, 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(lookup(map, i), i);
    assert_int_equal(lookup(map, 1000), -1);
    size_t entries, bytes;
    sign_digest_map_stats(map, &entries, &bytes);
    assert_int_equal(entries, 1000);
    assert_int_equal(bytes, 1000);
    freed = 0;
    sign_digest_map_free(map);
    assert_int_equal(freed, 1000);
}

static void drops_the_least_recently_used(void **state)
{
    (void)state;
    sign_digest_map *map = sign_digest_map_new(3, 0, free_counted);
    insert(map, 1, 1);
    insert(map, 2, 1);
    insert(map, 3, 1);
    assert_int_equal(lookup(map, 1), 1); /* 1 is now the most recently used; 2 the least */
    freed = 0;
    insert(map, 4, 1);
    assert_int_equal(freed, 1);
    assert_int_equal(lookup(map, 2), -1);
    assert_int_equal(lookup(map, 1), 1);
    assert_int_equal(lookup(map, 3), 3);
    assert_int_equal(lookup(map, 4), 4);
    sign_digest_map_free(map);
}

static void keeps_to_its_byte_bound(void **state)
{
    (void)state;
    sign_digest_map *map = sign_digest_map_new(100, 1000, free_counted);
    for (int i = 0; i < 50; i++)
        insert(map, i, 300); /* room for three */
    size_t entries, bytes;
    sign_digest_map_stats(map, &entries, &bytes);
    assert_int_equal(entries, 3);
    assert_int_equal(bytes, 900);
    assert_int_equal(lookup(map, 49), 49);
    assert_int_equal(lookup(map, 46), -1);
    /* larger than the whole bound: not kept, the others stay */
    freed = 0;
    insert(map, 1000, 5000);
    assert_int_equal(freed, 1);
    assert_int_equal(lookup(map, 1000), -1);
    assert_int_equal(lookup(map, 49), 49);
    sign_digest_map_free(map);
}

static void a_second_insertion_of_a_key_keeps_the_first(void **state)
{
    (void)state;
    sign_digest_map *map = sign_digest_map_new(10, 0, free_counted);
    unsigned char key[32];
    key_of(7, key);
    assert_int_equal(sign_digest_map_insert(map, key, number(7), 1, NULL, NULL), 1);
    int seen = -1;
    freed = 0;
    assert_int_equal(sign_digest_map_insert(map, key, number(8), 1, copy_int, &seen), 0);
    assert_int_equal(seen, 7);   /* the caller is handed the value already there */
    assert_int_equal(freed, 1);  /* and its own is freed */
    assert_int_equal(lookup(map, 7), 7);
    sign_digest_map_free(map);
}

/* Threads inserting and finding over a map much smaller than their keys: under the sanitizers,
 * no value is used after the map dropped it, and every one is freed once. */
static sign_digest_map *shared_map;

static void *churn(void *arg)
{
    int base = *(int *)arg;
    for (int i = 0; i < 20000; i++) {
        int n = base + i % 500;
        if (lookup(shared_map, n) == -1)
            insert(shared_map, n, 10);
    }
    return NULL;
}

static void is_safe_to_share_between_threads(void **state)
{
    (void)state;
    shared_map = sign_digest_map_new(64, 0, free);
    pthread_t threads[4];
    int bases[4] = {0, 250, 500, 750};
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, churn, &bases[t]), 0);
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    size_t entries, bytes;
    sign_digest_map_stats(shared_map, &entries, &bytes);
    assert_true(entries <= 64);
    assert_int_equal(bytes, entries * 10);
    sign_digest_map_free(shared_map);
}

/* A certificate in DER: a self-signed EC one named cn. */
static unsigned char *cert_der(const char *cn, int *len)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_sign(cert, key, EVP_sha256());
    unsigned char *der = NULL;
    *len = i2d_X509(cert, &der);
    X509_NAME_free(name);
    X509_free(cert);
    EVP_PKEY_free(key);
    return der;
}

static void certificate_cache_is_bounded_and_its_certificates_outlive_it(void **state)
{
    (void)state;
    sign_ctx *ctx = NULL;
    assert_int_equal(sign_ctx_new(&ctx), SIGN_OK);
    assert_int_equal(sign_ctx_set_cache_limits(ctx, 0, 0), SIGN_EINVAL);
    assert_int_equal(sign_ctx_set_cache_limits(ctx, 2, 0), SIGN_OK);
    int len[3];
    unsigned char *der[3] = {cert_der("a", &len[0]), cert_der("b", &len[1]), cert_der("c", &len[2])};
    X509 *a = sign_cert_cache_decode(ctx, der[0], (size_t)len[0]);
    X509 *a_again = sign_cert_cache_decode(ctx, der[0], (size_t)len[0]);
    assert_non_null(a);
    assert_ptr_equal(a, a_again); /* decoded once */
    X509 *b = sign_cert_cache_decode(ctx, der[1], (size_t)len[1]);
    X509 *c = sign_cert_cache_decode(ctx, der[2], (size_t)len[2]); /* a goes */
    X509 *a_new = sign_cert_cache_decode(ctx, der[0], (size_t)len[0]);
    assert_non_null(a_new);
    assert_ptr_not_equal(a_new, a); /* decoded afresh; the dropped one is still the caller's */
    assert_int_equal(X509_cmp(a, a_new), 0);
    unsigned char digest[32];
    assert_true(sign_cert_sha256(a_new, digest));
    X509_free(a);
    X509_free(a_again);
    X509_free(a_new);
    X509_free(b);
    X509_free(c);
    for (int i = 0; i < 3; i++)
        OPENSSL_free(der[i]);
    sign_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_what_it_holds),
        cmocka_unit_test(drops_the_least_recently_used),
        cmocka_unit_test(keeps_to_its_byte_bound),
        cmocka_unit_test(a_second_insertion_of_a_key_keeps_the_first),
        cmocka_unit_test(is_safe_to_share_between_threads),
        cmocka_unit_test(certificate_cache_is_bounded_and_its_certificates_outlive_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
