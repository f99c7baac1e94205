/* ETSI EN 319 102-1 5.2.6: X.509 certificate validation of the signer, RFC 5280 6.1 through
 * OpenSSL (chain.c), at the validation time or, for a signature with a proof of existence (a
 * timestamp), at that time (past signature validation, 5.6.2.4, simplified: see
 * sign_path_validate_ex); then the revocation status of the chain (revocation.c). The validation
 * process (process.c) calls it for every format's signer. */
#include <openssl/x509v3.h>
#include "libsign/certinfo.h"
#include "libsign/internal.h"

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

/* The certificate's own date for a validity error: its notAfter when it has expired, its
 * notBefore when it is not yet valid; (time_t)-1 when unreadable. */
static time_t validity_bound(const X509 *cert, int expired)
{
    time_t t;
    const ASN1_TIME *bound = expired ? X509_get0_notAfter(cert) : X509_get0_notBefore(cert);
    return cert && bound && sign_time_from_asn1(&t, bound) == SIGN_OK ? t : (time_t)-1;
}

/* What an OpenSSL verification error means in EN 319 102-1 terms (clause 5.1.3, table 5).
 * chain: as far as it was built; the certificate at depth is the one the error is about. */
static void record_chain_error(sign_sig *sig, int error, int depth, time_t at,
                               STACK_OF(X509) *chain)
{
    const char *reason = X509_verify_cert_error_string(error);
    const char *which = depth == 0 ? "signing certificate" : "CA certificate";
    X509 *cert = depth >= 0 && depth < sk_X509_num(chain) ? sk_X509_value(chain, depth) : NULL;
    char when[21];
    sign_format_time(when, at);
    if (is_no_chain(error)) {
        /* The last certificate reached names an issuer that neither the trust anchors nor the
         * certificates at hand supply: that CA is what the user must add (--trust). */
        X509 *last = sk_X509_num(chain) > 0 ? sk_X509_value(chain, sk_X509_num(chain) - 1) : NULL;
        char missing[512] = "";
        if (last)
            sign_name_text(missing, sizeof missing, X509_get_issuer_name(last));
        if (missing[0])
            sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                          "no chain to a trust anchor: %s (the certificate of %s is missing or "
                          "not trusted)", reason, missing);
        else
            sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND",
                          "no chain to a trust anchor: %s", reason);
        sign_sig_set_cause(sig, "NO_CERTIFICATE_CHAIN_FOUND", SIGN_CAUSE_NO_CHAIN, (time_t)-1,
                           last, last ? X509_get_issuer_name(last) : NULL);
    } else if (error == X509_V_ERR_CERT_NOT_YET_VALID && depth == 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NOT_YET_VALID", "%s is not yet valid at %s",
                      which, when);
        sign_sig_set_cause(sig, "NOT_YET_VALID", SIGN_CAUSE_NOT_YET_VALID, validity_bound(cert, 0),
                           cert, NULL);
    } else if (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID) {
        /* Without a proof of existence inside the validity period (a timestamp, at B-T and
         * above) the signature cannot be placed inside it: 5.2.6.4. The date named is the
         * certificate's own, not the validation time. */
        int expired = error == X509_V_ERR_CERT_HAS_EXPIRED;
        time_t bound = validity_bound(cert, expired);
        char bound_text[21] = "";
        if (bound != (time_t)-1)
            sign_format_time(bound_text, bound);
        if (bound_text[0])
            sign_sig_fail(sig, SIGN_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                          "%s %s %s, and there is no proof of existence of the signature %s that "
                          "(validated at %s)", which, expired ? "expired at" : "is valid from",
                          bound_text, expired ? "before" : "after", when);
        else
            sign_sig_fail(sig, SIGN_INDETERMINATE, "OUT_OF_BOUNDS_NO_POE",
                          "%s %s at %s and there is no proof of existence before that", which,
                          expired ? "has expired" : "is not yet valid", when);
        sign_sig_set_cause(sig, "OUT_OF_BOUNDS_NO_POE",
                           expired ? SIGN_CAUSE_EXPIRED : SIGN_CAUSE_NOT_YET_VALID, bound, cert,
                           NULL);
    } else if (error == X509_V_ERR_NO_EXPLICIT_POLICY ||
               error == X509_V_ERR_INVALID_POLICY_EXTENSION) {
        /* RFC 5280 6.1.3 (d)-(f), 6.1.4 (i)-(j), 6.1.5 (g): no policy of the user-initial
         * policy set is valid for the path where one is required, or a policy extension
         * contradicts the path: the chain does not meet its constraints, whatever the time or
         * the validation data. EN 319 102-1 table 5 puts CHAIN_CONSTRAINTS_FAILURE under
         * INDETERMINATE (as for the other constraints of a chain, below): never a pass. */
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
                      "certificate policies: %s", reason);
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
    /* The certificates the user gave as validation data (--certs) are candidates too, after
     * the signature's own. */
    STACK_OF(X509) *candidates = untrusted;
    if (sk_X509_num(ctx->validation_data.certs) > 0) {
        candidates = untrusted ? sk_X509_dup(untrusted) : sk_X509_new_null();
        for (int i = 0; candidates && i < sk_X509_num(ctx->validation_data.certs); i++)
            if (!sk_X509_push(candidates, sk_X509_value(ctx->validation_data.certs, i))) {
                sk_X509_free(candidates);
                candidates = NULL;
            }
        if (!candidates)
            candidates = untrusted; /* out of memory: fewer candidates, never a wrong pass */
    }
    const sign_chain_options options = {.policies = ctx->policies};
    STACK_OF(X509) *chain = NULL;
    int error, depth;
    time_t checked_at = at;
    int ok = sign_chain_verify(ctx, signer, candidates, at, 0, &options, &chain, &error, &depth);
    if (!ok && poe != (time_t)-1 && poe < at &&
        (error == X509_V_ERR_CERT_HAS_EXPIRED)) {
        /* Past signature validation (EN 319 102-1 5.6.2.4): a certificate that expired after a
         * trusted proof of existence of the signature is checked as it was at that time. */
        int poe_error, poe_depth;
        sk_X509_pop_free(chain, X509_free);
        ok = sign_chain_verify(ctx, signer, candidates, poe, 0, &options, &chain, &poe_error,
                               &poe_depth);
        if (ok) {
            checked_at = poe;
            char when[21];
            sign_format_time(when, poe);
            sign_sig_warn(sig, "a certificate of the chain has expired since; validated as at "
                               "the proof of existence %s", when);
        }
    }
    /* The path for the report: as far as it was built when it failed, whole when it did not;
     * the revocation check marks where each certificate's status came from. */
    sign_sig_set_chain(sig, chain);
    if (!ok) {
        record_chain_error(sig, error, depth, at, chain);
    } else {
        self_contained = sign_revocation_check_chain(ctx, sig, chain, candidates, checked_at, poe,
                                                     embedded);
        sign_tl_qualify(ctx, sig, signer, chain, at, poe); /* trusted lists, when given */
    }
    if (candidates != untrusted)
        sk_X509_free(candidates);
    sk_X509_pop_free(chain, X509_free);

    /* A signing certificate must allow signing: digitalSignature or nonRepudiation. */
    uint32_t usage = X509_get_key_usage(signer);
    if (usage != UINT32_MAX && !(usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE",
                      "the signing certificate's key usage does not allow signatures");
    return self_contained;
}

static X509 *issuer_among(STACK_OF(X509) *certs, X509 *cert)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (X509_check_issued(sk_X509_value(certs, i), cert) == X509_V_OK)
            return sk_X509_value(certs, i);
    return NULL;
}

STACK_OF(X509) *sign_chain_assemble(const sign_ctx *ctx, X509 *cert, STACK_OF(X509) *candidates)
{
    /* The signature's own certificates first, then the user's archive (--certs). */
    STACK_OF(X509) *given = ctx->validation_data.certs;
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (!chain || !X509_up_ref(cert) || !sk_X509_push(chain, cert)) {
        sk_X509_pop_free(chain, X509_free);
        return NULL;
    }
    X509 *current = cert;
    /* Bounded: a chain longer than the candidates means a loop. */
    for (int step = 0; step <= sk_X509_num(candidates) + sk_X509_num(given); step++) {
        if (X509_check_issued(current, current) == X509_V_OK)
            break; /* self-signed: the top */
        X509 *issuer = issuer_among(candidates, current);
        if (!issuer)
            issuer = issuer_among(given, current);
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
