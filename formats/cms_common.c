/* What CAdES, PAdES and ASiC check and add alike in a CMS SignerInfo (EN 319 122-1, whose
 * rules EN 319 142-1 and EN 319 162-1 take over): single-valued signed attributes, the
 * signing-certificate binding, weak digests, signature timestamps, the signature's id. */
#include <string.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include "cms_common.h"

/* The DER of the single value of an unsigned attribute holding a timestamp token, from its
 * ASN1_TYPE (a SEQUENCE kept as its encoding). */
const unsigned char *cms_sequence_der(const ASN1_TYPE *value, size_t *len)
{
    if (!value || value->type != V_ASN1_SEQUENCE || !value->value.sequence)
        return NULL;
    *len = (size_t)value->value.sequence->length;
    return value->value.sequence->data;
}

/* The single value of a signed attribute, or NULL when it is absent or not single-valued. */
ASN1_TYPE *cms_single_signed_attr(CMS_SignerInfo *si, int nid, int *count)
{
    int idx = CMS_signed_get_attr_by_NID(si, nid, -1);
    *count = 0;
    if (idx < 0)
        return NULL;
    *count = 1;
    if (CMS_signed_get_attr_by_NID(si, nid, idx) >= 0)
        *count = 2;
    X509_ATTRIBUTE *attr = CMS_signed_get_attr(si, idx);
    if (!attr || X509_ATTRIBUTE_count(attr) != 1)
        return NULL;
    return X509_ATTRIBUTE_get0_type(attr, 0);
}

/* Signature id: "S-" and the start of the SHA-256 of the signature value, stable across runs. */
void cms_signature_id(CMS_SignerInfo *si, sign_sig *sig)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    unsigned char digest[32];
    unsigned int len = 0;
    if (!value || !EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value),
                              digest, &len, EVP_sha256(), NULL))
        return;
    sign_sig_set_value_digest(sig, digest);
    char id[24] = "S-";
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 + 2 * i, 3, "%02X", digest[i]);
    sign_sig_set_id(sig, id);
}

/* EN 319 122-1 5.2.2.3: the signing-certificate(-v2) attribute binds the signature to one
 * certificate, so that a different certificate for the same key cannot be substituted. */
int cms_check_signing_certificate(CMS_SignerInfo *si, X509 *signer, sign_sig *sig)
{
    int count_v2, count_v1;
    ASN1_TYPE *v2 = cms_single_signed_attr(si, NID_id_smime_aa_signingCertificateV2, &count_v2);
    ASN1_TYPE *v1 = cms_single_signed_attr(si, NID_id_smime_aa_signingCertificate, &count_v1);
    if (count_v2 == 0 && count_v1 == 0)
        return 0;
    ESS_SIGNING_CERT_V2 *ssv2 = NULL;
    ESS_SIGNING_CERT *ss = NULL;
    if (v2 && v2->type == V_ASN1_SEQUENCE) {
        const unsigned char *p = v2->value.sequence->data;
        ssv2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, v2->value.sequence->length);
    }
    if (v1 && v1->type == V_ASN1_SEQUENCE) {
        const unsigned char *p = v1->value.sequence->data;
        ss = d2i_ESS_SIGNING_CERT(NULL, &p, v1->value.sequence->length);
    }
    int ok = 0;
    if ((count_v2 && !ssv2) || (count_v1 && !ss) || count_v2 > 1 || count_v1 > 1) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "malformed signing-certificate attribute");
    } else {
        STACK_OF(X509) *chain = sk_X509_new_null();
        if (chain && sk_X509_push(chain, signer) &&
            OSSL_ESS_check_signing_certs(ss, ssv2, chain, 1) > 0)
            ok = 1;
        else
            sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                          "the signing-certificate attribute does not match the certificate "
                          "that verifies the signature");
        sk_X509_free(chain);
    }
    ERR_clear_error();
    ESS_SIGNING_CERT_V2_free(ssv2);
    ESS_SIGNING_CERT_free(ss);
    return ok;
}

void cms_check_digest_strength(CMS_SignerInfo *si, sign_sig *sig)
{
    X509_ALGOR *digest_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &digest_alg, NULL);
    int nid = digest_alg ? OBJ_obj2nid(digest_alg->algorithm) : NID_undef;
    if (nid == NID_md5 || nid == NID_sha1 || nid == NID_md2 || nid == NID_md4)
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                      "the digest algorithm %s is no longer reliable", OBJ_nid2sn(nid));
}

/* EN 319 122-1 5.3: signature-time-stamp, an unsigned attribute holding a timestamp token over
 * the signature value. */
int cms_add_signature_timestamp(sign_ctx *ctx, CMS_SignerInfo *si, const EVP_MD *md,
                                const char *tsa_url)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    unsigned char *token = NULL;
    size_t token_len = 0;
    int rc = sign_tsa_request(ctx, tsa_url, md, ASN1_STRING_get0_data(value),
                              (size_t)ASN1_STRING_length(value), &token, &token_len);
    if (rc != SIGN_OK)
        return rc;
    ASN1_STRING *sequence = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
    int added = sequence && ASN1_STRING_set(sequence, token, (int)token_len) &&
                CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                              sequence, -1);
    ASN1_STRING_free(sequence);
    OPENSSL_free(token);
    return added ? SIGN_OK : sign_seterr(ctx, SIGN_ECRYPTO, "cannot add the signature timestamp");
}

time_t cms_signature_timestamps(const sign_ctx *ctx, CMS_SignerInfo *si, sign_sig *sig, time_t at)
{
    time_t poe = (time_t)-1;
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    for (int index = -1;
         (index = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, index)) >= 0;) {
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, index);
        sign_timestamp_result result;
        size_t token_len = 0;
        const unsigned char *token =
            X509_ATTRIBUTE_count(attr) == 1 ? cms_sequence_der(X509_ATTRIBUTE_get0_type(attr, 0), &token_len) : NULL;
        if (!token) {
            memset(&result, 0, sizeof result);
            result.gen_time = (time_t)-1;
            snprintf(result.why, sizeof result.why, "malformed signature-time-stamp attribute");
        } else {
            sign_timestamp_check(ctx, token, token_len, ASN1_STRING_get0_data(value),
                                 (size_t)ASN1_STRING_length(value), &result);
        }
        sign_sig_add_timestamp(sig, "signature", &result);
        if (!result.valid)
            sign_sig_warn(sig, "signature timestamp not used: %s", result.why);
        else if (result.gen_time > at)
            sign_sig_warn(sig, "signature timestamp after the validation time: not used");
        else if (poe == (time_t)-1 || result.gen_time < poe)
            poe = result.gen_time;
    }
    return poe;
}
