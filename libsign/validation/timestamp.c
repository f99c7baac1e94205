/* Validation of RFC 3161 timestamp tokens (EN 319 102-1 5.4): the token's CMS signature, its
 * message imprint over the data it claims to cover, and the TSA certificate (critical
 * timeStamping extended key usage, chain to a trust anchor at the validation time). */
#include <stdio.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include "libsign/internal.h"

/* RFC 3161 2.3: the TSA certificate has exactly one extended key usage, timeStamping, and the
 * extension is critical. */
static int is_tsa_certificate(X509 *cert)
{
    int index = X509_get_ext_by_NID(cert, NID_ext_key_usage, -1);
    if (index < 0 || !X509_EXTENSION_get_critical(X509_get_ext(cert, index)))
        return 0;
    EXTENDED_KEY_USAGE *usages = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
    int ok = usages && sk_ASN1_OBJECT_num(usages) == 1 &&
             OBJ_obj2nid(sk_ASN1_OBJECT_value(usages, 0)) == NID_time_stamp;
    sk_ASN1_OBJECT_pop_free(usages, ASN1_OBJECT_free);
    return ok;
}

/* What the imprint must match: data, digested here with the token's algorithm, or whatever
 * digest_fn computes with that algorithm. */
struct covered {
    const unsigned char *data;
    size_t data_len;
    sign_digest_fn *digest_fn;
    void *digest_arg;
};

static int check_token(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                       const struct covered *covered, sign_timestamp_result *out);

int sign_timestamp_check(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                         const unsigned char *data, size_t data_len, sign_timestamp_result *out)
{
    struct covered covered = {.data = data, .data_len = data_len};
    return check_token(ctx, token, token_len, &covered, out);
}

int sign_timestamp_check_with(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                              sign_digest_fn *digest_fn, void *digest_arg,
                              sign_timestamp_result *out)
{
    struct covered covered = {.digest_fn = digest_fn, .digest_arg = digest_arg};
    return check_token(ctx, token, token_len, &covered, out);
}

static int check_token(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                       const struct covered *covered, sign_timestamp_result *out)
{
    memset(out, 0, sizeof *out);
    out->gen_time = (time_t)-1;
    const unsigned char *p = token;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)token_len);
    BIO *content = BIO_new(BIO_s_mem());
    TS_TST_INFO *info = NULL;
    STACK_OF(X509) *certs = NULL;
    int valid = 0;
    if (!cms || !content ||
        OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_id_smime_ct_TSTInfo) {
        snprintf(out->why, sizeof out->why, "not a timestamp token");
        out->subindication = "FORMAT_FAILURE";
        goto done;
    }
    /* The token's own signature over the TSTInfo (its certificate is checked below). */
    if (CMS_verify(cms, NULL, NULL, NULL, content, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) <= 0) {
        snprintf(out->why, sizeof out->why, "the timestamp's signature does not verify");
        out->subindication = "SIG_CRYPTO_FAILURE";
        goto done;
    }
    info = d2i_TS_TST_INFO_bio(content, NULL);
    if (!info || sign_time_from_asn1(&out->gen_time, TS_TST_INFO_get_time(info)) != SIGN_OK) {
        snprintf(out->why, sizeof out->why, "the timestamp's TSTInfo is malformed");
        out->subindication = "FORMAT_FAILURE";
        goto done;
    }
    /* The message imprint must be the digest of exactly the data this timestamp is for. */
    TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(info);
    X509_ALGOR *algorithm = TS_MSG_IMPRINT_get_algo(imprint);
    ASN1_OCTET_STRING *expected = TS_MSG_IMPRINT_get_msg(imprint);
    const EVP_MD *md = EVP_get_digestbyobj(algorithm->algorithm);
    unsigned char computed[EVP_MAX_MD_SIZE];
    unsigned int computed_len = 0;
    size_t digest_len = 0;
    if (covered->digest_fn) {
        if (md && covered->digest_fn(md, computed, &computed_len, covered->digest_arg))
            digest_len = computed_len;
    } else if (md && EVP_Digest(covered->data, covered->data_len, computed, &computed_len, md, NULL)) {
        digest_len = computed_len;
    }
    if (digest_len == 0 || (int)digest_len != ASN1_STRING_length(expected) ||
        memcmp(computed, ASN1_STRING_get0_data(expected), digest_len) != 0) {
        snprintf(out->why, sizeof out->why, "the timestamp does not cover this data "
                                            "(message imprint mismatch)");
        out->subindication = "HASH_FAILURE";
        goto done;
    }
    STACK_OF(X509) *signers = CMS_get0_signers(cms);
    X509 *tsa = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
    sk_X509_free(signers);
    if (!tsa) {
        snprintf(out->why, sizeof out->why, "the timestamp names no single TSA certificate");
        out->subindication = "NO_SIGNING_CERTIFICATE_FOUND";
        goto done;
    }
    X509_NAME_oneline(X509_get_subject_name(tsa), out->tsa, sizeof out->tsa);
    if (!is_tsa_certificate(tsa)) {
        snprintf(out->why, sizeof out->why, "%s is not a TSA certificate (critical "
                                            "timeStamping extended key usage)", out->tsa);
        out->subindication = "FORMAT_FAILURE";
        goto done;
    }
    certs = CMS_get1_certs(cms);
    int error, depth;
    if (ctx->trust_count == 0 ||
        !sign_chain_verify(ctx, tsa, certs, sign_ctx_validation_time(ctx),
                           X509_PURPOSE_TIMESTAMP_SIGN, NULL, NULL, &error, &depth)) {
        snprintf(out->why, sizeof out->why, "the TSA %s is not trusted: %s", out->tsa,
                 ctx->trust_count == 0 ? "no trust anchors" : X509_verify_cert_error_string(error));
        out->subindication = "NO_CERTIFICATE_CHAIN_FOUND";
        goto done;
    }
    valid = 1;
done:
    ERR_clear_error();
    out->valid = valid;
    sk_X509_pop_free(certs, X509_free);
    TS_TST_INFO_free(info);
    BIO_free(content);
    CMS_ContentInfo_free(cms);
    return valid;
}

/* The TSA certificate of a token (the one its SignerInfo names, among the token's
 * certificates), and the entry's id from its signature value as for any CMS signature
 * ("S-" and 16 hex digits of the value's SHA-256, segl-verify(1)). */
static X509 *token_signer(const unsigned char *token, size_t token_len, sign_sig *sig)
{
    const unsigned char *p = token;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)token_len);
    STACK_OF(CMS_SignerInfo) *infos = cms ? CMS_get0_SignerInfos(cms) : NULL;
    CMS_SignerInfo *si = sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
    ASN1_OCTET_STRING *value = si ? CMS_SignerInfo_get0_signature(si) : NULL;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (value && EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), digest,
                            &digest_len, EVP_sha256(), NULL)) {
        sign_sig_set_value_digest(sig, digest);
        char id[24] = "S-";
        for (int i = 0; i < 8; i++)
            snprintf(id + 2 + 2 * i, 3, "%02X", digest[i]);
        sign_sig_set_id(sig, id);
    }
    STACK_OF(X509) *certs = si ? CMS_get1_certs(cms) : NULL;
    X509 *found = NULL;
    for (int i = 0; i < sk_X509_num(certs) && !found; i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
            found = sk_X509_value(certs, i);
            X509_up_ref(found);
        }
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return found;
}

void sign_sig_from_timestamp(sign_sig *sig, const unsigned char *token, size_t token_len,
                             const sign_timestamp_result *result)
{
    sign_sig_set_kind(sig, "timestamp");
    X509 *tsa = token ? token_signer(token, token_len, sig) : NULL;
    if (tsa)
        sign_sig_set_signer(sig, tsa);
    X509_free(tsa);
    if (result->gen_time != (time_t)-1)
        sign_sig_set_signing_time(sig, result->gen_time);
    sign_sig_add_timestamp(sig, "document", result);
    if (!result->valid) {
        const char *sub = result->subindication ? result->subindication : "FORMAT_FAILURE";
        /* EN 319 102-1 5.1.3: a trust or certificate problem is indeterminate, a wrong imprint
         * or signature a failure */
        int indeterminate = strcmp(sub, "NO_CERTIFICATE_CHAIN_FOUND") == 0 ||
                            strcmp(sub, "NO_SIGNING_CERTIFICATE_FOUND") == 0;
        sign_sig_fail(sig, indeterminate ? SIGN_INDETERMINATE : SIGN_TOTAL_FAILED, sub, "%s",
                      result->why[0] ? result->why : "the timestamp does not verify");
    }
}
