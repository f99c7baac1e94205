/* The signature and validity-period step of X.509 path validation (RFC 5280 6.1.3 (a)(1) and
 * (a)(2)), for the chain OpenSSL has built: each certificate's signature verified with the
 * public key of the next, every certificate within its validity period at the validation time.
 *
 * Why this file exists: OpenSSL 3.0 verifies every signature of the chain at every
 * X509_verify_cert, and in a batch those are the same CA signatures over and over (two of the
 * three RSA operations of a CAdES validation). It has no public way to skip one already verified:
 * EXFLAG_SS and the other cached extension flags say nothing of signatures, the verify callback
 * (X509_STORE_CTX_set_verify_cb) is told of a failure after the work is done, and the
 * check_issued/get_issuer hooks only build the chain. The one hook for the signature check is
 * X509_STORE_CTX_set_verify, which replaces the whole step (OpenSSL's internal_verify). So this
 * is internal_verify of OpenSSL 3.0 (crypto/x509/x509_vfy.c, 3.0.x: internal_verify,
 * ossl_x509_check_cert_time, verify_cb_cert and CB_FAIL_IF; crypto/x509/v3_purp.c:
 * ossl_x509_signing_allowed, ossl_x509_likely_issued), mirrored line for line through the
 * public API, with one change: X509_verify(xs, pkey) is sign_certsig_verify, which answers from
 * the context's cache of verified signatures (certsig.c). The verdicts, errors and depths are
 * OpenSSL's. Where the public API cannot say a thing the same way, the comment at that line
 * says what is done instead and why it is the same for libsign.
 *
 * Keep in step with OpenSSL: a libcrypto whose internal_verify changes (3.2 added raw public
 * keys, which libsign does not use) is to be compared with this file. */
#include <openssl/x509v3.h>
#include "libsign/internal.h"

/* verify_cb_cert: tell the verify callback of an error at depth with cert, and whether to go on.
 * internal_verify always names a certificate and a depth >= 0, so the defaults of the original
 * (depth < 0: ctx->error_depth; x NULL: the chain's certificate at depth) are not needed. */
static int verify_cb_cert(X509_STORE_CTX *store_ctx, X509 *cert, int depth, int error)
{
    X509_STORE_CTX_set_error_depth(store_ctx, depth);
    X509_STORE_CTX_set_current_cert(store_ctx, cert);
    if (error != X509_V_OK)
        X509_STORE_CTX_set_error(store_ctx, error);
    return X509_STORE_CTX_get_verify_cb(store_ctx)(0, store_ctx);
}

#define CB_FAIL_IF(cond, store_ctx, cert, depth, error)                                       \
    if ((cond) && verify_cb_cert(store_ctx, cert, depth, error) == 0)                         \
    return 0

/* ossl_x509_check_cert_time with depth >= 0 (the only way internal_verify calls it). */
static int check_cert_time(X509_STORE_CTX *store_ctx, X509 *cert, int depth)
{
    const X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(store_ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(param);
    time_t check_time, *ptime = NULL;
    if ((flags & X509_V_FLAG_USE_CHECK_TIME) != 0) {
        check_time = X509_VERIFY_PARAM_get_time(param);
        ptime = &check_time;
    } else if ((flags & X509_V_FLAG_NO_CHECK_TIME) != 0) {
        return 1;
    }
    int i = X509_cmp_time(X509_get0_notBefore(cert), ptime);
    CB_FAIL_IF(i == 0, store_ctx, cert, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD);
    CB_FAIL_IF(i > 0, store_ctx, cert, depth, X509_V_ERR_CERT_NOT_YET_VALID);
    i = X509_cmp_time(X509_get0_notAfter(cert), ptime);
    CB_FAIL_IF(i == 0, store_ctx, cert, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD);
    CB_FAIL_IF(i < 0, store_ctx, cert, depth, X509_V_ERR_CERT_HAS_EXPIRED);
    return 1;
}

/* ku_reject of v3_purp.c: a key usage extension that does not allow usage. OpenSSL reads
 * ex_kusage directly; X509_get_key_usage gives it, except for a certificate whose extensions
 * cannot be decoded (EXFLAG_INVALID), for which it says 0 and this rejects: such a certificate
 * never gets here as an issuer (X509_verify_cert's check_extensions has failed it as
 * X509_V_ERR_INVALID_CA before, and libsign installs no callback that would go on), and if it
 * did, refusing is the safe side. */
static int key_usage_rejects(X509 *cert, uint32_t usage)
{
    uint32_t key_usage = X509_get_key_usage(cert);
    return key_usage != UINT32_MAX && (key_usage & usage) == 0;
}

/* ossl_x509_signing_allowed: may issuer's key sign subject, by issuer's key usage. */
static int signing_allowed(X509 *issuer, X509 *subject)
{
    if ((X509_get_extension_flags(subject) & EXFLAG_PROXY) != 0) {
        if (key_usage_rejects(issuer, KU_DIGITAL_SIGNATURE))
            return X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
    } else if (key_usage_rejects(issuer, KU_KEY_CERT_SIGN)) {
        return X509_V_ERR_KEYUSAGE_NO_CERTSIGN;
    }
    return X509_V_OK;
}

/* ossl_x509_likely_issued(cert, cert) == X509_V_OK: names equal, any authority key identifier
 * matching the certificate's own, the signature algorithm that of its key, and extensions that
 * decode. OpenSSL 3.0 caches exactly the first three as EXFLAG_SS (v3_purp.c,
 * ossl_x509v3_cache_extensions: "This is very related to ossl_x509_likely_issued(x, x)"), and
 * the last is !EXFLAG_INVALID, which ossl_x509_likely_issued asks for through
 * ossl_x509v3_cache_extensions. */
static int likely_self_issued(X509 *cert)
{
    uint32_t flags = X509_get_extension_flags(cert);
    return (flags & EXFLAG_SS) != 0 && (flags & EXFLAG_INVALID) == 0;
}

int sign_chain_check_signatures(X509_STORE_CTX *store_ctx)
{
    sign_certsig_cache *cache = X509_STORE_CTX_get_app_data(store_ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(store_ctx);
    unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(store_ctx));
    int n = sk_X509_num(chain) - 1;
    X509 *xi = sk_X509_value(chain, n);
    X509 *xs = xi;

    X509_STORE_CTX_set_error_depth(store_ctx, n);
    /* OpenSSL first asks ctx->bare_ta_signed, which only DANE sets (X509_STORE_CTX_set0_dane);
     * libsign never enables DANE, so the top certificate is always a certificate. */
    if (!likely_self_issued(xi) && (flags & X509_V_FLAG_PARTIAL_CHAIN) == 0) {
        /* exceptional case: last cert in the chain is not self-issued */
        if (n > 0) {
            n--;
            X509_STORE_CTX_set_error_depth(store_ctx, n);
            xs = sk_X509_value(chain, n);
        } else {
            CB_FAIL_IF(1, store_ctx, xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
        }
    }

    /* Errors are "sticky": only the callback may reset them (as in OpenSSL). */
    while (n >= 0) {
        /* n is the subject depth, xs the subject certificate whose signature is checked, xi the
         * supposed issuer. The signature of a self-signed top certificate is checked only when
         * asked (X509_V_FLAG_CHECK_SS_SIGNATURE), as in OpenSSL. */
        if (xi != NULL &&
            (xs != xi || ((flags & X509_V_FLAG_CHECK_SS_SIGNATURE) != 0 &&
                          (X509_get_extension_flags(xi) & EXFLAG_SS) != 0))) {
            /* A missing key or a key usage that forbids signing is the issuer's fault: its
             * depth is reported, not the subject's. RFC 5280 6.1.4 (n): the key usage of a CA
             * certificate is checked before a signature made with it is; a self-issued
             * end-entity certificate at the top is exempt (RFC 6818 2). */
            int issuer_depth = n + (xs == xi ? 0 : 1);
            int ret = xs == xi && (X509_get_extension_flags(xi) & EXFLAG_CA) == 0
                          ? X509_V_OK
                          : signing_allowed(xi, xs);
            CB_FAIL_IF(ret != X509_V_OK, store_ctx, xi, issuer_depth, ret);
            if (X509_get0_pubkey(xi) == NULL) {
                CB_FAIL_IF(1, store_ctx, xi, issuer_depth,
                           X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY);
            } else {
                /* The one change: X509_verify(xs, pkey), remembered per context. */
                CB_FAIL_IF(sign_certsig_verify(cache, xs, xi) <= 0, store_ctx, xs, n,
                           X509_V_ERR_CERT_SIGNATURE_FAILURE);
            }
        }

        /* In addition to RFC 5280, also for the trust anchor; calls the callback as needed. */
        if (!check_cert_time(store_ctx, xs, n))
            return 0;

        /* Success at this depth; an earlier error (if any) stays. OpenSSL also sets
         * ctx->current_issuer = xi here, which has no public setter in 3.0: only a verify
         * callback reads it after this step (revocation checking, which reads it too, has run
         * before), and libsign installs none. */
        X509_STORE_CTX_set_current_cert(store_ctx, xs);
        X509_STORE_CTX_set_error_depth(store_ctx, n);
        if (!X509_STORE_CTX_get_verify_cb(store_ctx)(1, store_ctx))
            return 0;

        if (--n >= 0) {
            xi = xs;
            xs = sk_X509_value(chain, n);
        }
    }
    return 1;
}
