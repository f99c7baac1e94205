/* One run of OpenSSL's RFC 5280 path validation (X509_verify_cert) with segl's settings, for every
 * chain segl checks: the signer's (path.c), a TSA's (timestamp.c), and the CRL passes of
 * revocation.c. Each run goes through sign_chain_check_signatures, so every chain's certificate
 * signatures are remembered the same way (chain_signatures.c).
 *
 * What OpenSSL does and what this file adds:
 * - RFC 5280 6.1 policy processing is OpenSSL's (X509_V_FLAG_POLICY_CHECK), always on. OpenSSL
 *   3.0 leaves one gap: with no user-initial-policy-set at all (X509_VERIFY_PARAM_set1_policies
 *   never called) its valid_policy_tree is never intersected with the user set
 *   (tree_calculate_user_set returns early), so a path whose certificates require an explicit
 *   policy fails as "no explicit policy" although RFC 5280 6.1.1 (c) makes any-policy the
 *   default. So the default set is given explicitly: {anyPolicy}. A set the caller names
 *   comes with initial-explicit-policy (6.1.1 (f)).
 * - RFC 5280 6.3 CRL processing is OpenSSL's (X509_V_FLAG_CRL_CHECK_ALL with
 *   X509_V_FLAG_EXTENDED_CRL_SUPPORT and X509_V_FLAG_USE_DELTAS: scope of the issuing
 *   distribution point, reasons, indirect CRLs and cRLIssuer, delta CRLs with their base, CRL
 *   issuer key usage, critical CRL extensions, a CRL signed by another key of the issuer with
 *   its own path validated), when the caller asks for it. OpenSSL stops at the first CRL error;
 *   segl wants a status per certificate (an OCSP response or a fetched CRL may still answer for
 *   a certificate whose CRL did not), so the verify callback records each CRL outcome by depth
 *   and lets the run go on; the rest of the path is judged as without CRLs. */
#include <pthread.h>
#include <string.h>
#include <openssl/x509v3.h>
#include "libsign/validation/blocks.h"

/* The store context's ex_data slot that holds the CRL verdicts of a run (0, the app data, is
 * the certificate signature cache that chain_signatures.c reads). */
static int verdicts_index = -1;
static pthread_once_t verdicts_index_once = PTHREAD_ONCE_INIT;
static void make_verdicts_index(void)
{
    verdicts_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* The errors that X509_verify_cert's CRL step (check_revocation) reports; each says only that
 * the certificate at that depth has no status from these CRLs, or that it is revoked. */
static int is_crl_error(int error)
{
    switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
    case X509_V_ERR_CERT_REVOKED:
        return 1;
    }
    return 0;
}

/* The revocation date of cert: from the CRL OpenSSL was reading, else from a delta CRL of the
 * set that lists it (OpenSSL reads a delta while the base is the current CRL). 0 when none
 * says: revoked since always, which is the safe side for the proof-of-existence rule. */
static time_t revocation_date(X509_STORE_CTX *store_ctx, const sign_crl_verdicts *verdicts,
                              X509 *cert)
{
    X509_CRL *current = X509_STORE_CTX_get0_current_crl(store_ctx);
    X509_REVOKED *entry = NULL;
    if (!(current && X509_CRL_get0_by_cert(current, &entry, cert) == 1 && entry))
        for (int i = 0; !entry && i < sk_X509_CRL_num(verdicts->crls); i++)
            if (X509_CRL_get0_by_cert(sk_X509_CRL_value(verdicts->crls, i), &entry, cert) != 1)
                entry = NULL;
    time_t when;
    if (!entry || sign_time_from_asn1(&when, X509_REVOKED_get0_revocationDate(entry)) != SIGN_OK)
        return 0;
    return when;
}

/* Whether a CRL time error is one segl tolerates (no status is recorded for it then):
 * - "not yet valid" within the clock skew of the CRL issuer's clock (blocks.h's five minutes),
 *   or at all for a CRL fetched now, which speaks for now and so for any earlier time;
 * - "expired" (RFC 5280 6.3.3 (a)(2): nextUpdate before the validation time) for a CRL issued
 *   after the signature's proof of existence: EN 319 102-1 5.6.2.4 and 5.2.5 judge such a CRL
 *   at that proof, where it was fresh; a revocation before the proof would be on it. */
static int crl_time_tolerated(X509_STORE_CTX *store_ctx, const sign_crl_verdicts *verdicts,
                              int error)
{
    X509_CRL *crl = X509_STORE_CTX_get0_current_crl(store_ctx);
    time_t this_update, at = X509_VERIFY_PARAM_get_time(X509_STORE_CTX_get0_param(store_ctx));
    if (!crl || sign_time_from_asn1(&this_update, X509_CRL_get0_lastUpdate(crl)) != SIGN_OK)
        return 0;
    if (error == X509_V_ERR_CRL_NOT_YET_VALID)
        return verdicts->fetched || this_update <= at + SIGN_CLOCK_SKEW_TOLERANCE;
    if (error == X509_V_ERR_CRL_HAS_EXPIRED)
        return verdicts->poe != (time_t)-1 && this_update >= verdicts->poe;
    return 0;
}

/* The verify callback of a run with CRLs: every CRL outcome is recorded at its depth and the
 * run goes on; every other error ends it as OpenSSL's default callback would. The runs OpenSSL
 * starts itself to validate a CRL issuer's path (check_crl_path) share this callback but not
 * the ex_data, and are left as OpenSSL's. */
static int record_crl_outcome(int ok, X509_STORE_CTX *store_ctx)
{
    sign_crl_verdicts *verdicts = X509_STORE_CTX_get_ex_data(store_ctx, verdicts_index);
    if (ok || !verdicts)
        return ok;
    int error = X509_STORE_CTX_get_error(store_ctx);
    if (!is_crl_error(error))
        return 0;
    X509_STORE_CTX_set_error(store_ctx, X509_V_OK);
    if ((error == X509_V_ERR_CRL_NOT_YET_VALID || error == X509_V_ERR_CRL_HAS_EXPIRED) &&
        crl_time_tolerated(store_ctx, verdicts, error))
        return 1;
    int depth = X509_STORE_CTX_get_error_depth(store_ctx);
    if (depth < 0 || depth >= SIGN_CRL_MAX_DEPTH)
        return 1; /* beyond what is recorded: no status, as for an unchecked depth */
    struct sign_crl_verdict *verdict = &verdicts->depth[depth];
    if (error == X509_V_ERR_CERT_REVOKED) {
        verdict->status = SIGN_CRL_REVOKED;
        verdict->revoked_at =
            revocation_date(store_ctx, verdicts, X509_STORE_CTX_get_current_cert(store_ctx));
    } else if (verdict->status != SIGN_CRL_REVOKED && verdict->error == X509_V_OK) {
        verdict->status = SIGN_CRL_NO_STATUS;
        verdict->error = error; /* the first reason stays: a later one follows from it */
    }
    return 1;
}

static STACK_OF(ASN1_OBJECT) *any_policy_set(void)
{
    STACK_OF(ASN1_OBJECT) *set = sk_ASN1_OBJECT_new_null();
    ASN1_OBJECT *any = OBJ_nid2obj(NID_any_policy);
    if (set && any && sk_ASN1_OBJECT_push(set, any))
        return set;
    sk_ASN1_OBJECT_free(set);
    return NULL;
}

int sign_chain_verify(const sign_ctx *ctx, X509 *cert, STACK_OF(X509) *untrusted, time_t at,
                      int purpose, const sign_chain_options *options, STACK_OF(X509) **chain,
                      int *error, int *depth)
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
    /* RFC 5280 6.1.1 (c): the user-initial-policy-set, any-policy unless the caller names one
     * (and see the head of this file for why any-policy is named); set1_policies also sets
     * X509_V_FLAG_POLICY_CHECK. The explicit-policy and inhibit inputs (6.1.1 (e)-(g)) keep
     * RFC 5280's defaults: the certificates' own constraints apply. */
    STACK_OF(ASN1_OBJECT) *default_policies =
        options && options->policies ? NULL : any_policy_set();
    if (!X509_VERIFY_PARAM_set1_policies(param, default_policies ? default_policies
                                                                 : options->policies)) {
        sk_ASN1_OBJECT_free(default_policies);
        X509_STORE_CTX_free(store_ctx);
        *error = X509_V_ERR_OUT_OF_MEM;
        return 0;
    }
    sk_ASN1_OBJECT_free(default_policies); /* OBJ_nid2obj's object is static */
    /* RFC 5280 6.1.1 (f) initial-explicit-policy: a caller that names policies asks for a
     * path valid for one of them, which only holds when the path must have a valid policy;
     * without it, 6.1.6 would accept a path whose policies meet none of the set. */
    if (options && options->policies)
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_EXPLICIT_POLICY);
    if (purpose)
        X509_STORE_CTX_set_purpose(store_ctx, purpose);
    /* The signatures of the chain through the context's cache of verified ones: a CA's
     * signature is verified once per context, its validity period at every call
     * (chain_signatures.c). */
    X509_STORE_CTX_set_app_data(store_ctx, ctx->certsig_cache);
    X509_STORE_CTX_set_verify(store_ctx, sign_chain_check_signatures);
    sign_crl_verdicts *verdicts = options ? options->crl_verdicts : NULL;
    if (verdicts) {
        pthread_once(&verdicts_index_once, make_verdicts_index);
        memset(verdicts->depth, 0, sizeof verdicts->depth);
        X509_STORE_CTX_set0_crls(store_ctx, verdicts->crls);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL |
                                               X509_V_FLAG_EXTENDED_CRL_SUPPORT |
                                               X509_V_FLAG_USE_DELTAS);
        if (verdicts_index < 0 || !X509_STORE_CTX_set_ex_data(store_ctx, verdicts_index, verdicts)) {
            X509_STORE_CTX_free(store_ctx);
            *error = X509_V_ERR_OUT_OF_MEM;
            return 0;
        }
        X509_STORE_CTX_set_verify_cb(store_ctx, record_crl_outcome);
    }
    int ok = X509_verify_cert(store_ctx) > 0;
    if (!ok) {
        *error = X509_STORE_CTX_get_error(store_ctx);
        *depth = X509_STORE_CTX_get_error_depth(store_ctx);
        if (chain) /* as far as it was built: where it broke, for the report */
            *chain = X509_STORE_CTX_get1_chain(store_ctx);
    } else {
        if (verdicts) {
            /* The CRL step ran over the whole chain: a depth it said nothing about has a
             * status from these CRLs, and it is good. */
            int n = sk_X509_num(X509_STORE_CTX_get0_chain(store_ctx));
            for (int i = 0; i < n && i < SIGN_CRL_MAX_DEPTH; i++)
                if (verdicts->depth[i].status == SIGN_CRL_UNCHECKED)
                    verdicts->depth[i].status = SIGN_CRL_GOOD;
        }
        if (chain)
            *chain = X509_STORE_CTX_get1_chain(store_ctx);
    }
    X509_STORE_CTX_free(store_ctx);
    return ok;
}
