/* Certification paths (libsign/validation/path.c, chain.c) and CRL processing (revocation.c)
 * on the NIST PKITS certificates and CRLs (../shared/corpora/pkits, or the directory given as
 * the first argument): RFC 5280 6.1 and 6.3 as segl applies them, at 2020-01-01 with only the
 * suite's trust anchor, offline, revocation required. Without the corpus every test is skipped,
 * as tests/cmd/test_pkits.sh is. Section numbers are PKITS's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/x509.h>
#include "libsign/internal.h"

#ifndef SEGL_PKITS_DIR
#define SEGL_PKITS_DIR "../shared/corpora/pkits"
#endif

#define PKITS_AT ((time_t)1577836800) /* 2020-01-01T00:00:00Z, as test_pkits.sh */
#define POLICY_1 "2.16.840.1.101.3.2.1.48.1"
#define POLICY_2 "2.16.840.1.101.3.2.1.48.2"

static const char *pkits_dir = SEGL_PKITS_DIR;

struct fixture {
    sign_ctx *ctx;
    sign_report *report;
    sign_sig *sig;
    STACK_OF(X509) *untrusted;        /* the intermediate CAs, as a message would carry them */
    sign_revocation_data embedded;    /* the CRLs, as a message would carry them */
};

static int corpus_present(void)
{
    char anchor[1024];
    struct stat st;
    snprintf(anchor, sizeof anchor, "%s/certs/TrustAnchorRootCertificate.crt", pkits_dir);
    return stat(anchor, &st) == 0;
}

static X509 *read_cert(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/certs/%s.crt", pkits_dir, name);
    BIO *in = BIO_new_file(path, "rb");
    X509 *cert = in ? d2i_X509_bio(in, NULL) : NULL;
    BIO_free(in);
    if (!cert)
        fail_msg("cannot read %s", path);
    return cert;
}

static X509_CRL *read_crl(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/crls/%s.crl", pkits_dir, name);
    BIO *in = BIO_new_file(path, "rb");
    X509_CRL *crl = in ? d2i_X509_CRL_bio(in, NULL) : NULL;
    BIO_free(in);
    if (!crl)
        fail_msg("cannot read %s", path);
    return crl;
}

static int set_up(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    if (!corpus_present())
        return 0; /* each test skips */
    char anchor[1024];
    snprintf(anchor, sizeof anchor, "%s/certs/TrustAnchorRootCertificate.crt", pkits_dir);
    if (sign_ctx_new(&f->ctx) != SIGN_OK || sign_ctx_add_trust(f->ctx, anchor) != SIGN_OK ||
        sign_ctx_set_time(f->ctx, PKITS_AT) != SIGN_OK ||
        sign_ctx_set_offline(f->ctx, 1) != SIGN_OK ||
        sign_ctx_set_revocation(f->ctx, SIGN_REVOCATION_REQUIRE) != SIGN_OK)
        return -1;
    f->report = sign_report_new();
    f->sig = f->report ? sign_report_add_sig(f->report) : NULL;
    f->untrusted = sk_X509_new_null();
    sign_revocation_data_init(&f->embedded);
    return f->sig && f->untrusted ? 0 : -1;
}

static int tear_down(void **state)
{
    struct fixture *f = *state;
    sign_revocation_data_clear(&f->embedded);
    sk_X509_pop_free(f->untrusted, X509_free);
    sign_report_free(f->report);
    sign_ctx_free(f->ctx);
    free(f);
    return 0;
}

#define SKIP_WITHOUT_CORPUS()                                                                   \
    do {                                                                                        \
        if (!corpus_present()) {                                                                \
            print_message("PKITS corpus not found at %s: skipped\n", pkits_dir);                \
            skip();                                                                             \
        }                                                                                       \
    } while (0)

static void add_ca(struct fixture *f, const char *name)
{
    assert_true(sk_X509_push(f->untrusted, read_cert(name)) > 0);
}

static void add_crl(struct fixture *f, const char *name)
{
    X509_CRL *crl = read_crl(name);
    sign_revocation_data_add(&f->embedded, NULL, crl); /* takes a reference of its own */
    X509_CRL_free(crl);
}

/* The end entity's path validated as process.c does it, with poe as the proof of existence. */
static void validate(struct fixture *f, const char *end_entity, time_t poe)
{
    X509 *signer = read_cert(end_entity);
    sign_sig_set_signer(f->sig, signer);
    (void)sign_path_validate_ex(f->ctx, f->sig, signer, f->untrusted, PKITS_AT, poe,
                                &f->embedded);
    X509_free(signer);
}

/* What the CRL step of one sign_chain_verify run says of each depth of end_entity's path. */
static int crl_verdicts_of(struct fixture *f, const char *end_entity, sign_crl_verdicts *verdicts)
{
    X509 *cert = read_cert(end_entity);
    memset(verdicts, 0, sizeof *verdicts);
    verdicts->crls = f->embedded.crls;
    verdicts->poe = (time_t)-1;
    const sign_chain_options options = {.crl_verdicts = verdicts};
    int error, depth;
    int ok = sign_chain_verify(f->ctx, cert, f->untrusted, PKITS_AT, 0, &options, NULL, &error,
                               &depth);
    X509_free(cert);
    return ok;
}

static void assert_verdict(const sign_sig *sig, enum sign_indication indication,
                           const char *subindication)
{
    if (sign_sig_indication(sig) != indication ||
        strcmp(sign_sig_subindication(sig) ? sign_sig_subindication(sig) : "",
               subindication ? subindication : "") != 0)
        fail_msg("expected %s/%s, got %s/%s (%s)", sign_indication_name(indication),
                 subindication ? subindication : "-", sign_indication_name(sign_sig_indication(sig)),
                 sign_sig_subindication(sig) ? sign_sig_subindication(sig) : "-",
                 sign_sig_error_count(sig) ? sign_sig_error(sig, 0) : "no error");
}

static int has_error_containing(const sign_sig *sig, const char *text)
{
    for (size_t i = 0; i < sign_sig_error_count(sig); i++)
        if (strstr(sign_sig_error(sig, i), text))
            return 1;
    return 0;
}

/* ---- tests ---- */

/* 4.1.1: end entity, Good CA, trust anchor; each CA's CRL in the message. */
static void test_valid_path_passes_with_a_crl_status_for_every_certificate(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    validate(f, "ValidCertificatePathTest1EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_TOTAL_PASSED, NULL);
    assert_int_equal(sign_sig_error_count(f->sig), 0);
    assert_int_equal(sign_sig_warning_count(f->sig), 0);

    /* The report's chain: signer to anchor, the CRL sources, the anchor none. */
    char *json = NULL;
    assert_int_equal(sign_report_json(&json, f->report, "4.1.1"), SIGN_OK);
    assert_non_null(strstr(json,
        "\"chain\":[{\"subject\":\"CN=Valid EE Certificate Test1,O=Test Certificates 2011,C=US\","
        "\"revocation\":\"crl\"},{\"subject\":\"CN=Good CA,O=Test Certificates 2011,C=US\","
        "\"revocation\":\"crl\"},{\"subject\":\"CN=Trust Anchor,O=Test Certificates 2011,C=US\","
        "\"revocation\":\"none\"}]"));
    free(json);
}

/* 4.4.1 in reverse: the same valid path without its CRLs has no status, and revocation is
 * required. */
static void test_valid_path_without_crls_is_indeterminate_when_revocation_is_required(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    validate(f, "ValidCertificatePathTest1EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "TRY_LATER");
}

/* 4.4.3: the end entity is on Good CA's CRL. */
static void test_revoked_end_entity_is_found_on_its_issuers_crl(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    sign_crl_verdicts verdicts;
    assert_true(crl_verdicts_of(f, "InvalidRevokedEETest3EE", &verdicts));
    assert_int_equal(verdicts.depth[0].status, SIGN_CRL_REVOKED);
    assert_true(verdicts.depth[0].revoked_at > 0 && verdicts.depth[0].revoked_at < PKITS_AT);
    assert_int_equal(verdicts.depth[1].status, SIGN_CRL_GOOD);

    /* No proof of existence before the revocation: there is no telling (EN 319 102-1 5.2.6). */
    validate(f, "InvalidRevokedEETest3EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "REVOKED_NO_POE");
}

static void test_revoked_end_entity_fails_when_revoked_before_the_proof_of_existence(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    validate(f, "InvalidRevokedEETest3EE", PKITS_AT - 1);
    assert_verdict(f->sig, SIGN_TOTAL_FAILED, "REVOKED");
}

/* 4.4.11: the CA's CRL has a nextUpdate long before the validation time (RFC 5280 6.3.3 (a)(2)):
 * it gives no status, so the path cannot pass with revocation required. */
static void test_stale_crl_gives_no_status(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "OldCRLnextUpdateCACert");
    add_crl(f, "OldCRLnextUpdateCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    sign_crl_verdicts verdicts;
    (void)crl_verdicts_of(f, "InvalidOldCRLnextUpdateTest11EE", &verdicts);
    assert_int_equal(verdicts.depth[0].status, SIGN_CRL_NO_STATUS);

    validate(f, "InvalidOldCRLnextUpdateTest11EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "TRY_LATER");
    assert_true(has_error_containing(f->sig, "signing certificate"));
}

/* 4.7.4: the CRL is signed by a CA whose key usage leaves out cRLSign (RFC 5280 6.3.3 (f)): it
 * is no CRL issuer, so its CRL gives no status. */
static void test_crl_of_an_issuer_without_crl_sign_gives_no_status(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "keyUsageCriticalcRLSignFalseCACert");
    add_crl(f, "keyUsageCriticalcRLSignFalseCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    sign_crl_verdicts verdicts;
    (void)crl_verdicts_of(f, "InvalidkeyUsageCriticalcRLSignFalseTest4EE", &verdicts);
    assert_int_equal(verdicts.depth[0].status, SIGN_CRL_NO_STATUS);

    validate(f, "InvalidkeyUsageCriticalcRLSignFalseTest4EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "TRY_LATER");
}

/* 4.8.1 with a user-initial-policy-set: every certificate asserts test policy 1, so the path
 * holds for policy 1 and not for policy 2 (RFC 5280 6.1.1 (c), 6.1.5 (g)). */
static void test_path_outside_the_user_initial_policy_set_fails_its_constraints(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    assert_int_equal(sign_ctx_add_policy(f->ctx, POLICY_2), SIGN_OK);
    validate(f, "ValidCertificatePathTest1EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE");
    assert_true(has_error_containing(f->sig, "certificate policies"));
}

static void test_path_inside_the_user_initial_policy_set_passes(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    assert_int_equal(sign_ctx_add_policy(f->ctx, POLICY_1), SIGN_OK);
    validate(f, "ValidCertificatePathTest1EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_TOTAL_PASSED, NULL);
}

/* 4.8.4: the end entity asserts a policy its CA's path does not allow, and a CA requires an
 * explicit policy: invalid with the default any-policy set too. */
static void test_path_without_a_valid_policy_where_one_is_required_fails(void **state)
{
    SKIP_WITHOUT_CORPUS();
    struct fixture *f = *state;
    add_ca(f, "GoodCACert");
    add_ca(f, "GoodsubCACert");
    add_crl(f, "GoodCACRL");
    add_crl(f, "GoodsubCACRL");
    add_crl(f, "TrustAnchorRootCRL");
    validate(f, "DifferentPoliciesTest4EE", (time_t)-1);
    assert_verdict(f->sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE");
}

int main(int argc, char **argv)
{
    if (argc > 1)
        pkits_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_valid_path_passes_with_a_crl_status_for_every_certificate, set_up, tear_down),
        cmocka_unit_test_setup_teardown(
            test_valid_path_without_crls_is_indeterminate_when_revocation_is_required, set_up,
            tear_down),
        cmocka_unit_test_setup_teardown(test_revoked_end_entity_is_found_on_its_issuers_crl,
                                        set_up, tear_down),
        cmocka_unit_test_setup_teardown(
            test_revoked_end_entity_fails_when_revoked_before_the_proof_of_existence, set_up,
            tear_down),
        cmocka_unit_test_setup_teardown(test_stale_crl_gives_no_status, set_up, tear_down),
        cmocka_unit_test_setup_teardown(test_crl_of_an_issuer_without_crl_sign_gives_no_status,
                                        set_up, tear_down),
        cmocka_unit_test_setup_teardown(
            test_path_outside_the_user_initial_policy_set_fails_its_constraints, set_up,
            tear_down),
        cmocka_unit_test_setup_teardown(test_path_inside_the_user_initial_policy_set_passes,
                                        set_up, tear_down),
        cmocka_unit_test_setup_teardown(
            test_path_without_a_valid_policy_where_one_is_required_fails, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
