/* ETSI EN 319 102-1 5.2.6: X.509 certificate validation, with OpenSSL's X509_STORE, at the
 * validation time or, for a signature with a proof of existence (a timestamp), at that time
 * (past signature validation, 5.6.2.4, simplified: see sign_path_validate_ex). The validation
 * process (process.c) calls it for every format's signer; timestamp.c for a TSA; each through
 * sign_chain_verify, so every chain's signatures are remembered the same way. */
#include <openssl/x509v3.h>
#include "libsign/internal.h"

int sign_chain_verify(const sign_ctx *ctx, X509 *cert, STACK_OF(X509) *untrusted, time_t at,
                      int purpose, STACK_OF(X509) **chain, int *error, int *depth)
{
    *error = X509_V_OK;
    *depth = 0;
    if (chain)
        *chain = NULL;
    X509_STORE_CTX *store_ctx = X509_STORE_CTX_new();
    if (!store_ctx || !X509_STORE_CTX_init(store_ctx, ctx->trust, cert, untrusted)) {
        X509_STORE_CTX_free(store_ctx);
        *error = X509_V_ERR_OUT_OF_MEM;
        return 0;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(store_ctx);
    X509_VERIFY_PARAM_set_time(param, at);
    /* Every certificate the user trusts is a trust anchor, whether a root or an issuing CA
     * (EN 319 102-1 trust anchors need not be self-signed). */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (purpose)
        X509_STORE_CTX_set_purpose(store_ctx, purpose);
    /* The signatures of the chain through the context's cache of verified ones: a CA's
     * signature is verified once per context, its validity period at every call
     * (chain_signatures.c). */
    X509_STORE_CTX_set_app_data(store_ctx, ctx->certsig_cache);
    X509_STORE_CTX_set_verify(store_ctx, sign_chain_check_signatures);
    int ok = X509_verify_cert(store_ctx) > 0;
    if (!ok) {
        *error = X509_STORE_CTX_get_error(store_ctx);
        *depth = X509_STORE_CTX_get_error_depth(store_ctx);
    } else if (chain) {
        *chain = X509_STORE_CTX_get1_chain(store_ctx);
    }
    X509_STORE_CTX_free(store_ctx);
    return ok;
}

static int is_no_chain(int error)
{
    switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
        return 1;
    }
    return 0;
}

/* What an OpenSSL verification error means in EN 319 102-1 terms (clause 5.1.3, table 5). */
static void record_chain_error(sign_sig *sig, int error, int depth, time_t at)
{
    const char *reason = X509_verify_cert_error_string(error);
    const char *which = depth == 0 ? "signing certificate" : "CA certificate";
    char when[21];
    sign_format_time(when, at);
    if (is_no_chain(error)) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                      "no chain to a trust anchor: %s", reason);
    } else if (error == X509_V_ERR_CERT_NOT_YET_VALID && depth == 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NOT_YET_VALID", "%s is not yet valid at %s",
                      which, when);
    } else if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
        /* Without a proof of existence inside the validity period (a timestamp, at B-T and
         * above) the signature cannot be placed inside it: 5.2.6.4. */
        sign_sig_fail(sig, SIGN_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                      "%s %s at %s and there is no proof of existence before that", which,
                      error == X509_V_ERR_CERT_HAS_EXPIRED ? "has expired" : "is not yet valid",
                      when);
    } else if (error == X509_V_ERR_CERT_SIGNATURE_FAILURE ||
               error == X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE ||
               error == X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CERTIFICATE_CHAIN_GENERAL_FAILURE", "%s: %s",
                      which, reason);
    } else {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE", "%s: %s", which,
                      reason);
    }
}

int sign_path_validate_ex(const sign_ctx *ctx, sign_sig *sig, X509 *signer,
                          STACK_OF(X509) *untrusted, time_t at, time_t poe,
                          const sign_revocation_data *embedded)
{
    int self_contained = 0;
    if (ctx->trust_count == 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                      "no trust anchors configured");
        return 0;
    }
    STACK_OF(X509) *chain = NULL;
    int error, depth;
    time_t checked_at = at;
    int ok = sign_chain_verify(ctx, signer, untrusted, at, 0, &chain, &error, &depth);
    if (!ok && poe != (time_t)-1 && poe < at &&
        (error == X509_V_ERR_CERT_HAS_EXPIRED)) {
        /* Past signature validation (EN 319 102-1 5.6.2.4): a certificate that expired after a
         * trusted proof of existence of the signature is checked as it was at that time. */
        int poe_error, poe_depth;
        ok = sign_chain_verify(ctx, signer, untrusted, poe, 0, &chain, &poe_error, &poe_depth);
        if (ok) {
            checked_at = poe;
            char when[21];
            sign_format_time(when, poe);
            sign_sig_warn(sig, "a certificate of the chain has expired since; validated as at "
                               "the proof of existence %s", when);
        }
    }
    if (!ok) {
        record_chain_error(sig, error, depth, at);
    } else {
        self_contained = sign_revocation_check_chain(ctx, sig, chain, checked_at, poe, embedded);
        sign_tl_qualify(ctx, sig, signer, chain, at, poe); /* trusted lists, when given */
    }
    sk_X509_pop_free(chain, X509_free);

    /* A signing certificate must allow signing: digitalSignature or nonRepudiation. */
    uint32_t usage = X509_get_key_usage(signer);
    if (usage != UINT32_MAX && !(usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
                      "the signing certificate's key usage does not allow signatures");
    return self_contained;
}

STACK_OF(X509) *sign_chain_assemble(X509 *cert, STACK_OF(X509) *candidates)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (!chain || !X509_up_ref(cert) || !sk_X509_push(chain, cert)) {
        sk_X509_pop_free(chain, X509_free);
        return NULL;
    }
    X509 *current = cert;
    /* Bounded: a chain longer than the candidates means a loop. */
    for (int step = 0; step <= sk_X509_num(candidates); step++) {
        if (X509_check_issued(current, current) == X509_V_OK)
            break; /* self-signed: the top */
        X509 *issuer = NULL;
        for (int i = 0; i < sk_X509_num(candidates) && !issuer; i++)
            if (X509_check_issued(sk_X509_value(candidates, i), current) == X509_V_OK)
                issuer = sk_X509_value(candidates, i);
        if (!issuer || !X509_up_ref(issuer))
            break;
        if (!sk_X509_push(chain, issuer)) {
            X509_free(issuer);
            break;
        }
        current = issuer;
    }
    return chain;
}
