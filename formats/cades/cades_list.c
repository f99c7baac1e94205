/* CAdES/CMS: list the signatures of a SignedData for segl-inspect, without validating them. What
 * is shown is what each SignerInfo claims: its signer, signing time, algorithms and the
 * attributes that mark its AdES level (ETSI EN 319 122-1 clause 6: baseline levels). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/pem.h> /* before cms.h, which declares PEM_read_bio_CMS with its macros */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "cades.h"
#include "libsign/certinfo.h"
#include "libsign/json.h"

/* Attributes that tell the AdES level, by dotted OID (RFC 5126 / EN 319 122-1 names). Attributes
 * not listed here (content-type, message-digest, ...) are not shown. */
static const struct {
    const char *oid;
    const char *name;
} level_attrs[] = {
    {"1.2.840.113549.1.9.16.2.47", "signing-certificate-v2"},
    {"1.2.840.113549.1.9.16.2.12", "signing-certificate"},
    {"1.2.840.113549.1.9.5", "signing-time"},
    {"1.2.840.113549.1.9.16.2.15", "signature-policy-identifier"},
    {"1.2.840.113549.1.9.16.2.16", "commitment-type-indication"},
    {"1.2.840.113549.1.9.16.2.20", "content-time-stamp"},
    {"1.2.840.113549.1.9.16.2.14", "signature-time-stamp"},
    {"1.2.840.113549.1.9.16.2.21", "complete-certificate-references"},
    {"1.2.840.113549.1.9.16.2.22", "complete-revocation-references"},
    {"1.2.840.113549.1.9.16.2.23", "certificate-values"},
    {"1.2.840.113549.1.9.16.2.24", "revocation-values"},
    {"1.2.840.113549.1.9.16.2.25", "cades-c-time-stamp"},
    {"1.2.840.113549.1.9.16.2.48", "archive-time-stamp-v2"},
    {"0.4.0.1733.2.4", "archive-time-stamp-v3"},
    {"1.2.840.113549.1.9.6", "counter-signature"},
};

static const char *level_attr_name(const ASN1_OBJECT *oid)
{
    char dotted[128];
    if (OBJ_obj2txt(dotted, (int)sizeof dotted, oid, 1) <= 0)
        return NULL;
    for (size_t i = 0; i < sizeof level_attrs / sizeof level_attrs[0]; i++)
        if (strcmp(dotted, level_attrs[i].oid) == 0)
            return level_attrs[i].name;
    return NULL;
}

static int has_marker(json_t *markers, const char *name)
{
    size_t i;
    json_t *value;
    json_array_foreach(markers, i, value)
        if (strcmp(json_string_value(value), name) == 0)
            return 1;
    return 0;
}

static json_t *level_markers(CMS_SignerInfo *si)
{
    json_t *markers = json_array();
    for (int i = 0; i < CMS_signed_get_attr_count(si); i++) {
        const char *name = level_attr_name(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i)));
        if (name && !has_marker(markers, name))
            json_array_append_new(markers, json_string(name));
    }
    for (int i = 0; i < CMS_unsigned_get_attr_count(si); i++) {
        const char *name =
            level_attr_name(X509_ATTRIBUTE_get0_object(CMS_unsigned_get_attr(si, i)));
        if (name && !has_marker(markers, name))
            json_array_append_new(markers, json_string(name));
    }
    return markers;
}

/* The baseline level the markers point to (EN 319 122-1 6.3: B-B needs signing-certificate(-v2)
 * and signing-time; B-T adds a signature time-stamp; B-LT the validation data, of which the
 * revocation data is the telling part, certificates being embedded from B-B on; B-LTA an
 * archive time-stamp). A claim only: nothing here checks the attributes' contents. */
static const char *claimed_level(json_t *markers, int has_crls)
{
    int b = (has_marker(markers, "signing-certificate-v2") ||
             has_marker(markers, "signing-certificate")) && has_marker(markers, "signing-time");
    int t = b && has_marker(markers, "signature-time-stamp");
    int lt = t && (has_marker(markers, "revocation-values") || has_crls);
    int lta = lt && has_marker(markers, "archive-time-stamp-v3");
    return lta ? "CAdES-BASELINE-LTA"
           : lt ? "CAdES-BASELINE-LT"
           : t ? "CAdES-BASELINE-T"
           : b ? "CAdES-BASELINE-B"
               : "CMS-NOT-ETSI";
}

/* "S-" and the start of the SHA-256 of the signature value: the id segl-verify reports too. */
static json_t *signature_id(CMS_SignerInfo *si)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    unsigned char digest[32];
    unsigned int len = 0;
    if (!value || !EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value),
                              digest, &len, EVP_sha256(), NULL))
        return json_null();
    char id[24] = "S-";
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 + 2 * i, 3, "%02X", digest[i]);
    return json_string(id);
}

static json_t *signing_time(CMS_SignerInfo *si)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    X509_ATTRIBUTE *attr = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
    ASN1_TYPE *when = attr && X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0)
                                                              : NULL;
    time_t t;
    char text[21];
    if (!when || (when->type != V_ASN1_UTCTIME && when->type != V_ASN1_GENERALIZEDTIME) ||
        sign_time_from_asn1(&t, when->value.utctime) != SIGN_OK)
        return json_null();
    sign_format_time(text, t);
    return json_string(text);
}

static json_t *algorithm_name(const X509_ALGOR *alg)
{
    if (!alg)
        return json_null();
    int nid = OBJ_obj2nid(alg->algorithm);
    if (nid == NID_rsassaPss)
        return json_string("RSASSA-PSS");
    char name[128];
    if (nid != NID_undef && OBJ_nid2ln(nid))
        snprintf(name, sizeof name, "%s", OBJ_nid2ln(nid));
    else
        sign_oid_text(name, sizeof name, alg->algorithm);
    return sign_json_text(name);
}

/* How the SignerInfo names its certificate, for when the certificate is not in the file. */
static json_t *signer_identifier(CMS_SignerInfo *si)
{
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *issuer = NULL;
    ASN1_INTEGER *serial = NULL;
    if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) <= 0)
        return json_null();
    if (keyid) {
        char hex[2 * 64 + 1] = "";
        int n = ASN1_STRING_length(keyid);
        const unsigned char *bytes = ASN1_STRING_get0_data(keyid);
        for (int i = 0; i < n && i < 64; i++)
            snprintf(hex + 2 * i, 3, "%02X", bytes[i]);
        return json_pack("{s:s}", "subject_key_identifier", hex);
    }
    char name[2048];
    sign_name_text(name, sizeof name, issuer);
    BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    json_t *id = json_pack("{s:o, s:o}", "issuer", sign_json_text(name), "serial",
                           hex ? json_string(hex) : json_null());
    OPENSSL_free(hex);
    BN_free(bn);
    return id;
}

static json_t *signer_json(CMS_SignerInfo *si, int has_crls)
{
    X509 *signer = NULL;
    X509_ALGOR *digest_alg = NULL, *signature_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, &signer, &digest_alg, &signature_alg);
    json_t *markers = level_markers(si);
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}",
                     "id", signature_id(si),
                     "signer", signer ? sign_certinfo_json(signer) : json_null(),
                     "signer_id", signer_identifier(si),
                     "signing_time", signing_time(si),
                     "digest_algorithm", algorithm_name(digest_alg),
                     "signature_algorithm", algorithm_name(signature_alg),
                     "claimed_level", claimed_level(markers, has_crls),
                     "level_markers", markers);
}

/* DER, or PEM ("-----BEGIN PKCS7-----" / "CMS"), each from its own BIO: a memory BIO that d2i
 * has read from cannot be relied on to rewind. */
static CMS_ContentInfo *read_cms(const unsigned char *data, size_t len)
{
    BIO *in = BIO_new_mem_buf(data, (int)len);
    CMS_ContentInfo *cms = in ? d2i_CMS_bio(in, NULL) : NULL;
    BIO_free(in);
    if (!cms) {
        ERR_clear_error();
        in = BIO_new_mem_buf(data, (int)len);
        cms = in ? PEM_read_bio_CMS(in, NULL, NULL, NULL) : NULL;
        BIO_free(in);
    }
    return cms;
}

int sign_cades_list(sign_ctx *ctx, const sign_source *src, json_t *file)
{
    const char *name = sign_source_name(src);
    const unsigned char *data = NULL;
    size_t len = 0;
    if (sign_source_view(src, &data, &len) != 0)
        return sign_seterr(ctx, SIGN_EIO, "%s: cannot read: %s", name, strerror(errno));
    CMS_ContentInfo *cms = len <= INT32_MAX ? read_cms(data, len) : NULL;
    if (!cms)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: not a valid CMS signature", name);
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        return sign_seterr(ctx, SIGN_EPARSE, "%s: CMS structure is not SignedData", name);
    }
    ASN1_OCTET_STRING **embedded = CMS_get0_content(cms);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
    int has_crls = sk_X509_CRL_num(crls) > 0;
    /* Match each SignerInfo with its certificate among those embedded; unmatched ones stay
     * without (their signer_id says whom they name). */
    CMS_set1_signers_certs(cms, NULL, 0);
    ERR_clear_error();

    json_object_set_new(file, "packaging",
                        json_string(embedded && *embedded ? "enveloping" : "detached"));
    json_object_set_new(file, "certificate_count", json_integer(sk_X509_num(certs)));
    json_t *signatures = json_array();
    STACK_OF(CMS_SignerInfo) *signer_infos = CMS_get0_SignerInfos(cms);
    for (int i = 0; i < sk_CMS_SignerInfo_num(signer_infos); i++)
        json_array_append_new(signatures, signer_json(sk_CMS_SignerInfo_value(signer_infos, i),
                                                      has_crls));
    json_object_set_new(file, "signatures", signatures);

    sk_X509_pop_free(certs, X509_free);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return SIGN_OK;
}
