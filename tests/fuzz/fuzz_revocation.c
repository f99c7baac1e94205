/* libFuzzer target: OCSP responses and CRLs as a signature carries them (B-LT), checked for the
 * test PKI's person certificate offline. The input is tried as both. */
#include <stdint.h>
#include <stdlib.h>
#include <openssl/pem.h>
#include "internal.h"

static X509 *read_cert(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    BIO *in = BIO_new_file(path, "r");
    X509 *cert = in ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
    BIO_free(in);
    return cert;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    static STACK_OF(X509) *chain;
    if (!ctx) {
        const char *pki = getenv("SEGL_FUZZ_PKI"); /* the test PKI's oces3 folder */
        sign_ctx_new(&ctx);
        sign_ctx_set_offline(ctx, 1);
        sign_ctx_set_revocation(ctx, SIGN_REVOCATION_REQUIRE);
        chain = sk_X509_new_null();
        if (pki) {
            sk_X509_push(chain, read_cert(pki, "person.pem"));
            sk_X509_push(chain, read_cert(pki, "ca.pem"));
            sk_X509_push(chain, read_cert(pki, "root.pem"));
        }
    }
    if (sk_X509_num(chain) < 3 || !sk_X509_value(chain, 0))
        return 0;
    sign_revocation_data embedded;
    sign_revocation_data_init(&embedded);
    const unsigned char *p = data;
    OCSP_RESPONSE *ocsp = d2i_OCSP_RESPONSE(NULL, &p, (long)size);
    p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)size);
    sign_revocation_data_add(&embedded, ocsp, crl);
    OCSP_RESPONSE_free(ocsp);
    X509_CRL_free(crl);
    sign_report *report = sign_report_new();
    sign_sig *sig = report ? sign_report_add_sig(report) : NULL;
    if (sig)
        sign_revocation_check_chain(ctx, sig, chain, chain, 1780272000, (time_t)-1, &embedded);
    sign_report_free(report);
    sign_revocation_data_clear(&embedded);
    return 0;
}
