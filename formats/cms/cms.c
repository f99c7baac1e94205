/* What CAdES, PAdES and ASiC check and add alike in a CMS SignerInfo (EN 319 122-1, whose
 * rules EN 319 142-1 and EN 319 162-1 take over): single-valued signed attributes, the
 * signing-certificate binding, weak digests, signature timestamps, the signature's id. The
 * signature timestamps are checked over the signature value here and handed to the validation
 * process as evidence; what they prove is decided there (libsign/validation/poe.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/ess.h>
#include "formats/cms/cms.h"

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

/* The last signing-certificate attributes each thread found to match a certificate, by their
 * DER and the certificate's SHA-256: in a batch by one signer every file carries the same
 * attribute for the same certificate, and decoding it (issuerSerial holds a name) and hashing
 * the certificate cost more than the rest of the check. Only a match is remembered; per thread,
 * so that no lock is needed. */
#define ESS_MEMO_MAX 512
static _Thread_local struct {
    int known;
    unsigned char signer_sha256[32];
    size_t v2_len, v1_len; /* 0: that attribute was absent */
    unsigned char der[ESS_MEMO_MAX]; /* the v2 value's DER, then the v1 value's */
} last_match;

/* Whether (v2, v1) for signer is the match this thread remembers; else, when remember, makes
 * it the one remembered. */
static int ess_memo(ASN1_TYPE *v2, ASN1_TYPE *v1, X509 *signer, int remember)
{
    size_t len_v2 = 0, len_v1 = 0;
    const unsigned char *der_v2 = cms_sequence_der(v2, &len_v2);
    const unsigned char *der_v1 = cms_sequence_der(v1, &len_v1);
    unsigned char digest[32];
    if ((v2 && !der_v2) || (v1 && !der_v1) || len_v2 + len_v1 > ESS_MEMO_MAX ||
        !sign_cert_sha256(signer, digest))
        return 0;
    if (remember) {
        last_match.known = 1;
        memcpy(last_match.signer_sha256, digest, 32);
        last_match.v2_len = len_v2;
        last_match.v1_len = len_v1;
        if (len_v2)
            memcpy(last_match.der, der_v2, len_v2);
        if (len_v1)
            memcpy(last_match.der + len_v2, der_v1, len_v1);
        return 1;
    }
    return last_match.known && last_match.v2_len == len_v2 && last_match.v1_len == len_v1 &&
           memcmp(last_match.signer_sha256, digest, 32) == 0 &&
           (!len_v2 || memcmp(last_match.der, der_v2, len_v2) == 0) &&
           (!len_v1 || memcmp(last_match.der + len_v2, der_v1, len_v1) == 0);
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
    /* Each attribute absent, or one value (a malformed one is never remembered). */
    if ((count_v2 == 0 || (count_v2 == 1 && v2)) && (count_v1 == 0 || (count_v1 == 1 && v1)) &&
        ess_memo(v2, v1, signer, 0))
        return 1;
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
            OSSL_ESS_check_signing_certs(ss, ssv2, chain, 1) > 0) {
            ok = 1;
            ess_memo(v2, v1, signer, 1);
        } else {
            sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                          "the signing-certificate attribute does not match the certificate "
                          "that verifies the signature");
        }
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

void cms_signature_timestamps(const sign_ctx *ctx, CMS_SignerInfo *si, sign_evidence *ev)
{
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
        sign_evidence_add_timestamp(ev, SIGN_TIMESTAMP_SIGNATURE, &result, 0);
    }
}

/* ---------------------------------------------------------------- reading with the cache */

struct tlv {
    const unsigned char *start, *content;
    long content_len;
    long total;
    int tag, cls, constructed;
};

/* One DER element at p (before end) by OpenSSL's ASN1_get_object; -1 for an error or a BER
 * indefinite length, which the fast path leaves to the ordinary decoder. */
static int read_tlv(const unsigned char *p, const unsigned char *end, struct tlv *out)
{
    const unsigned char *q = p;
    if (end <= p)
        return -1;
    int ret = ASN1_get_object(&q, &out->content_len, &out->tag, &out->cls, end - p);
    if ((ret & 0x80) || ret == 0x21)
        return -1;
    out->start = p;
    out->content = q;
    out->total = (long)(q - p) + out->content_len;
    out->constructed = ret & V_ASN1_CONSTRUCTED;
    return out->total <= end - p ? 0 : -1;
}

/* The fast path of cms_read: ContentInfo { signedData, [0] SignedData { version,
 * digestAlgorithms, encapContentInfo, [0] certificates, ... } } with definite lengths, its
 * certificates taken from the context's cache and the rest decoded without them. NULL when the
 * input has another shape (the caller then decodes it the ordinary way). */
static CMS_ContentInfo *read_without_certificates(const sign_ctx *ctx, const unsigned char *der,
                                                  size_t len)
{
    static const unsigned char signed_data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                    0xf7, 0x0d, 0x01, 0x07, 0x02};
    const unsigned char *end = der + len;
    struct tlv ci, oid, explicit0, sd, field, certs = {0};
    if (read_tlv(der, end, &ci) || ci.tag != V_ASN1_SEQUENCE || !ci.constructed ||
        read_tlv(ci.content, ci.content + ci.content_len, &oid) ||
        oid.total != (long)sizeof signed_data_oid ||
        memcmp(oid.start, signed_data_oid, sizeof signed_data_oid) != 0 ||
        read_tlv(oid.start + oid.total, ci.content + ci.content_len, &explicit0) ||
        explicit0.cls != V_ASN1_CONTEXT_SPECIFIC || explicit0.tag != 0 ||
        read_tlv(explicit0.content, explicit0.content + explicit0.content_len, &sd) ||
        sd.tag != V_ASN1_SEQUENCE)
        return NULL;
    const unsigned char *p = sd.content, *sd_end = sd.content + sd.content_len;
    for (int i = 0; i < 4 && p < sd_end; i++) { /* version, digestAlgorithms, encap, [0]? */
        if (read_tlv(p, sd_end, &field))
            return NULL;
        if (i == 3 && field.cls == V_ASN1_CONTEXT_SPECIFIC && field.tag == 0 && field.constructed)
            certs = field;
        p += field.total;
    }
    if (!certs.start)
        return NULL;
    STACK_OF(X509) *decoded = sk_X509_new_null();
    int ok = decoded != NULL;
    for (const unsigned char *c = certs.content; ok && c < certs.content + certs.content_len;) {
        struct tlv cert;
        ok = read_tlv(c, certs.content + certs.content_len, &cert) == 0 &&
             cert.cls == V_ASN1_UNIVERSAL && cert.tag == V_ASN1_SEQUENCE;
        X509 *x = ok ? sign_cert_cache_decode(ctx, cert.start, (size_t)cert.total) : NULL;
        ok = x && sk_X509_push(decoded, x);
        if (!ok)
            X509_free(x);
        c += ok ? cert.total : 0;
    }
    CMS_ContentInfo *cms = NULL;
    unsigned char *stripped = NULL;
    if (ok) {
        /* The same DER without the certificates field: lengths recomputed, the rest copied. */
        long sd_len = sd.content_len - certs.total;
        long explicit_len = ASN1_object_size(1, sd_len, V_ASN1_SEQUENCE);
        long ci_len = oid.total + ASN1_object_size(1, explicit_len, 0);
        long total = ASN1_object_size(1, ci_len, V_ASN1_SEQUENCE);
        stripped = total > 0 ? malloc((size_t)total) : NULL;
        if (stripped) {
            unsigned char *q = stripped;
            ASN1_put_object(&q, 1, ci_len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
            memcpy(q, oid.start, (size_t)oid.total);
            q += oid.total;
            ASN1_put_object(&q, 1, explicit_len, 0, V_ASN1_CONTEXT_SPECIFIC);
            ASN1_put_object(&q, 1, sd_len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
            memcpy(q, sd.content, (size_t)(certs.start - sd.content));
            q += certs.start - sd.content;
            size_t rest = (size_t)(sd_end - (certs.start + certs.total));
            memcpy(q, certs.start + certs.total, rest);
            q += rest;
            const unsigned char *r = stripped;
            if (q - stripped == total)
                cms = d2i_CMS_ContentInfo(NULL, &r, total);
        }
    }
    for (int i = 0; cms && i < sk_X509_num(decoded); i++) {
        X509 *x = sk_X509_value(decoded, i);
        if (X509_up_ref(x) && !CMS_add0_cert(cms, x))
            X509_free(x); /* a duplicate: already there */
    }
    ERR_clear_error();
    free(stripped);
    sk_X509_pop_free(decoded, X509_free);
    return cms;
}

CMS_ContentInfo *cms_read(const sign_ctx *ctx, const unsigned char *der, size_t len,
                          cms_received **received)
{
    cms_received *as_received = NULL;
    CMS_ContentInfo *cms = read_without_certificates(ctx, der, len);
    if (!cms) {
        const unsigned char *p = der;
        cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    }
    if (!cms || received) {
        ERR_clear_error();
        as_received = cms_received_new(der, len);
    }
    /* RFC 5940 2.1: OpenSSL 3.0 refuses a SignedData whose crls hold an
     * OtherRevocationInfoFormat; read the rest, the OCSP responses are taken from as_received. */
    if (!cms)
        cms = cms_received_without_other_revocation_info(as_received);
    if (received && cms)
        *received = as_received;
    else
        cms_received_free(as_received);
    return cms;
}

CMS_SignerInfo *cms_add_signer(sign_ctx *ctx, CMS_ContentInfo *cms, const sign_key *key,
                               const EVP_MD *md)
{
    /* OpenSSL 3.0 signs with an RSASSA-PSS key but labels the signature rsaEncryption unless
     * the padding is set explicitly, and then nobody can verify it: set it. CMS_CADES adds
     * signing-certificate-v2 (EN 319 122-1 5.2.2.3); content-type, message-digest and
     * signing-time are added when the signature is computed. */
    int pss = EVP_PKEY_is_a(key->pkey, "RSA-PSS");
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, key->cert, key->pkey, md,
                                               CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP |
                                                   CMS_CADES | (pss ? CMS_KEY_PARAM : 0))
                             : NULL;
    if (!si) {
        sign_seterr(ctx, SIGN_ECRYPTO, "cannot set up the signer");
        return NULL;
    }
    if (pss) {
        EVP_PKEY_CTX *pkey_ctx = CMS_SignerInfo_get0_pkey_ctx(si);
        if (!pkey_ctx || EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) <= 0) {
            sign_seterr(ctx, SIGN_ECRYPTO, "cannot set up RSASSA-PSS signing");
            return NULL;
        }
    }
    return si;
}

int cms_signer_key_readable(CMS_SignerInfo *si, sign_sig *sig)
{
    EVP_PKEY *key = NULL;
    CMS_SignerInfo_get0_algs(si, &key, NULL, NULL, NULL);
    if (key)
        return 1;
    /* Not a signature that fails to verify: one that cannot be checked. OpenSSL 3.0 cannot
     * decode, for instance, a DSA key whose certificate leaves its parameters to be inherited
     * from the issuer's (RFC 3279 2.3.2). */
    sign_sig_fail(sig, SIGN_INDETERMINATE, "CERTIFICATE_CHAIN_GENERAL_FAILURE",
                  "the signing certificate's public key cannot be read");
    ERR_clear_error();
    return 0;
}

/* Whether si's signature value verifies over signed_attrs (an encoding of its signed attributes)
 * with its signer's key. OpenSSL's CMS verifier encodes the attributes itself; ASN1_item_verify
 * signs what an item encodes to, and an ANY holding a SET is encoded as the bytes it holds. */
static int verify_over(CMS_SignerInfo *si, const unsigned char *signed_attrs, size_t len)
{
    EVP_PKEY *key = NULL;
    X509_ALGOR *digest_alg = NULL, *signature_alg = NULL;
    CMS_SignerInfo_get0_algs(si, &key, NULL, &digest_alg, &signature_alg);
    if (!key || !digest_alg || !signature_alg || len > INT_MAX)
        return 0;
    /* CMS names the digest apart from the signature (RFC 5652 5.3: often just rsaEncryption);
     * the combined algorithm of both, as OpenSSL's verifier does. RSASSA-PSS carries its own
     * parameters and is verified as named. */
    int signature_nid = OBJ_obj2nid(signature_alg->algorithm);
    int digest_nid = OBJ_obj2nid(digest_alg->algorithm);
    int key_nid = NID_undef, named_digest = NID_undef, combined = NID_undef;
    X509_ALGOR *alg = signature_alg, *made = NULL;
    if (signature_nid != NID_rsassaPss) {
        if (!OBJ_find_sigid_algs(signature_nid, &named_digest, &key_nid))
            key_nid = signature_nid;
        if (named_digest != digest_nid) {
            made = X509_ALGOR_new();
            if (!made || !OBJ_find_sigid_by_algs(&combined, digest_nid, key_nid) ||
                !X509_ALGOR_set0(made, OBJ_nid2obj(combined), V_ASN1_UNDEF, NULL)) {
                X509_ALGOR_free(made);
                return 0;
            }
            alg = made;
        }
    }
    ASN1_STRING encoding = {.length = (int)len, .type = V_ASN1_SET,
                            .data = (unsigned char *)signed_attrs};
    ASN1_TYPE as_any = {.type = V_ASN1_SET, .value.set = &encoding};
    int ok = ASN1_item_verify(ASN1_ITEM_rptr(ASN1_ANY), alg, CMS_SignerInfo_get0_signature(si),
                              &as_any, key) > 0;
    X509_ALGOR_free(made);
    ERR_clear_error();
    return ok;
}

/* The signed attributes as a SET OF: in DER (sorted by encoding), or in the order received
 * (ordered: the SET tag on a SEQUENCE OF, which is never sorted), each attribute as OpenSSL
 * encodes it. The latter is what OpenSSL's CMS verifier checks the signature over. */
ASN1_ITEM_TEMPLATE(SEGL_SIGNED_ATTRS_DER) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_OF, 0, signed_attrs, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(SEGL_SIGNED_ATTRS_DER)
ASN1_ITEM_TEMPLATE(SEGL_SIGNED_ATTRS_ORDERED) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL,
                          V_ASN1_SET, signed_attrs, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(SEGL_SIGNED_ATTRS_ORDERED)

/* si's signed attributes encoded by item; -1 on error. */
static int encode_signed_attrs(CMS_SignerInfo *si, const ASN1_ITEM *item, unsigned char **out)
{
    STACK_OF(X509_ATTRIBUTE) *attrs = sk_X509_ATTRIBUTE_new_null();
    int ok = attrs != NULL;
    for (int i = 0; ok && i < CMS_signed_get_attr_count(si); i++)
        ok = sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i)) > 0;
    int len = ok ? ASN1_item_i2d((ASN1_VALUE *)attrs, out, item) : -1;
    sk_X509_ATTRIBUTE_free(attrs);
    return len;
}

static int same_bytes(const unsigned char *a, size_t a_len, const unsigned char *b, int b_len)
{
    return b_len >= 0 && a_len == (size_t)b_len && memcmp(a, b, a_len) == 0;
}

/* RFC 5652 5.4 has the signature cover the DER of the signed attributes. Some signers sign them
 * as they send them, not in DER (in another order, with long-form lengths: EN 319 122-1 does not
 * forbid it, and DSS accepts it); OpenSSL checks over its own re-encoding in the order received.
 * The signature is checked over that, then over the attributes as received (received, index),
 * then over their DER; any encoding but DER that verifies is a warning. */
static int signature_verifies(CMS_SignerInfo *si, sign_sig *sig, cms_received *received,
                              int index)
{
    unsigned char *der = NULL, *ordered = NULL, *as_received = NULL;
    int der_len = encode_signed_attrs(si, ASN1_ITEM_rptr(SEGL_SIGNED_ATTRS_DER), &der);
    int ok = CMS_SignerInfo_verify(si) > 0, not_der = 0;
    ERR_clear_error();
    if (ok) {
        int ordered_len =
            encode_signed_attrs(si, ASN1_ITEM_rptr(SEGL_SIGNED_ATTRS_ORDERED), &ordered);
        not_der = der_len < 0 || !same_bytes(der, (size_t)der_len, ordered, ordered_len);
    } else {
        size_t len = 0;
        as_received = cms_received_signed_attrs(received, index, &len);
        if (as_received && verify_over(si, as_received, len)) {
            ok = 1;
            not_der = !same_bytes(as_received, len, der, der_len);
        } else if (der_len > 0 && verify_over(si, der, (size_t)der_len)) {
            ok = 1;
            not_der = !as_received || !same_bytes(as_received, len, der, der_len);
        }
    }
    if (ok && not_der)
        sign_sig_warn(sig, "signed attributes not DER encoded");
    OPENSSL_free(der);
    OPENSSL_free(ordered);
    free(as_received);
    ERR_clear_error();
    return ok;
}

int cms_check_signed_attributes(CMS_SignerInfo *si, sign_sig *sig, cms_received *received,
                                int index)
{
    /* RFC 5652 5.4: with signed attributes the signature covers them and they carry the content
     * digest; without, the signature covers the content digest directly. */
    int has_signed_attrs = CMS_signed_get_attr_count(si) > 0;
    if (!has_signed_attrs)
        return 0;
    if (cms_signer_key_readable(si, sig) && !signature_verifies(si, sig, received, index))
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "SIG_CRYPTO_FAILURE",
                      "the signature value does not verify with the signer's key");
    ERR_clear_error();
    int content_type_count = 0, digest_count = 0;
    cms_single_signed_attr(si, NID_pkcs9_contentType, &content_type_count);
    cms_single_signed_attr(si, NID_pkcs9_messageDigest, &digest_count);
    if (content_type_count != 1 || digest_count != 1)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "content-type and message-digest must each be signed exactly once");
    return 1;
}

const EVP_MD *cms_allowed_digest(const char *name)
{
    static const char *const allowed[] = {"sha256", "sha384", "sha512"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (name && strcmp(name, allowed[i]) == 0)
            return EVP_get_digestbyname(name);
    return NULL;
}
