/* ETSI EN 319 102-1 5.2.6: X.509 certificate validation of the signing certificate, with
 * OpenSSL's X509_STORE at the validation time. Revocation comes with the long-term levels. */
#include <openssl/x509v3.h>
#include "internal.h"

/* What an OpenSSL verification error means in EN 319 102-1 terms (clause 5.1.3, table 5). */
static void record_chain_error(sign_sig *sig, int error, int depth, X509 *cert, time_t at)
{
    const char *reason = X509_verify_cert_error_string(error);
    const char *which = depth == 0 ? "signing certificate" : "CA certificate";
    switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                      "no chain to a trust anchor: %s", reason);
        return;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: {
        /* Without a proof of existence before the certificate's expiry (a timestamp, at B-T and
         * above) the signature cannot be placed inside the validity period: 5.2.6.4. */
        char when[21];
        sign_format_time(when, at);
        int expired = error == X509_V_ERR_CERT_HAS_EXPIRED;
        if (depth == 0 && !expired)
            sign_sig_fail(sig, SIGN_INDETERMINATE, "NOT_YET_VALID",
                          "%s is not yet valid at %s", which, when);
        else
            sign_sig_fail(sig, SIGN_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                          "%s %s at %s and there is no proof of existence before that", which,
                          expired ? "has expired" : "is not yet valid", when);
        (void)cert;
        return;
    }
    case X509_V_ERR_CERT_REVOKED:
        sign_sig_fail(sig, SIGN_INDETERMINATE, "REVOKED_NO_POE", "%s is revoked", which);
        return;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                      "%s: %s", which, reason);
        return;
    default:
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE", "%s: %s", which,
                      reason);
        return;
    }
}

void sign_path_validate(const sign_ctx *ctx, sign_sig *sig, X509 *signer,
                        STACK_OF(X509) *untrusted, time_t at)
{
    if (ctx->trust_count == 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                      "no trust anchors configured (use --trust)");
        return;
    }
    X509_STORE_CTX *store_ctx = X509_STORE_CTX_new();
    if (!store_ctx || !X509_STORE_CTX_init(store_ctx, ctx->trust, signer, untrusted)) {
        X509_STORE_CTX_free(store_ctx);
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                      "cannot set up certificate validation");
        return;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(store_ctx);
    X509_VERIFY_PARAM_set_time(param, at);
    /* Every certificate the user trusts is a trust anchor, whether a root or an issuing CA
     * (EN 319 102-1 trust anchors need not be self-signed). */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(store_ctx) <= 0)
        record_chain_error(sig, X509_STORE_CTX_get_error(store_ctx),
                           X509_STORE_CTX_get_error_depth(store_ctx),
                           X509_STORE_CTX_get_current_cert(store_ctx), at);
    X509_STORE_CTX_free(store_ctx);

    /* A signing certificate must allow signing: digitalSignature or nonRepudiation (contentCommitment). */
    uint32_t usage = X509_get_key_usage(signer);
    if (usage != UINT32_MAX && !(usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
                      "the signing certificate's key usage does not allow signatures");
}
