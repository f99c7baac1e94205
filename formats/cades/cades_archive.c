/* CAdES B-LTA (ETSI EN 319 122-1 5.5.3): the archive-time-stamp-v3 unsigned attribute, whose
 * token carries the ats-hash-index-v3 (5.5.2) naming what it covers. OpenSSL 3.0 exports no
 * ASN1 item for a SignerInfo, so the covered encodings are found by walking the DER of the whole
 * CMS (as OpenSSL encodes it) with OpenSSL's own TLV reader, ASN1_get_object; the index is
 * encoded with OpenSSL's ASN1 templates. A checked archive time-stamp is evidence for the
 * validation process, which decides what it proves (libsign/validation/poe.c, level.c). */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include "cades.h"

#define OID_ARCHIVE_TIME_STAMP_V3 "0.4.0.1733.2.4" /* id-aa-ets-archiveTimestampV3 */
#define OID_ATS_HASH_INDEX_V3 "0.4.0.19122.1.5"    /* id-aa-ATSHashIndex-v3 */

/* ---------------------------------------------------------------- ATSHashIndexV3 */

DEFINE_STACK_OF(ASN1_OCTET_STRING)

/* ATSHashIndexV3 ::= SEQUENCE {
 *   hashIndAlgorithm       AlgorithmIdentifier DEFAULT {algorithm id-sha256},
 *   certificatesHashIndex  SEQUENCE OF OCTET STRING,
 *   crlsHashIndex          SEQUENCE OF OCTET STRING,
 *   unsignedAttrsHashIndex SEQUENCE OF OCTET STRING }
 * Used to encode only: decoding an index without hashIndAlgorithm would try the first SEQUENCE
 * OF as an AlgorithmIdentifier (both are SEQUENCEs), so a stored index is read TLV by TLV. */
typedef struct ats_hash_index_v3_st {
    X509_ALGOR *hash_ind_algorithm; /* absent for SHA-256, the DEFAULT (DER omits defaults) */
    STACK_OF(ASN1_OCTET_STRING) *certificates_hash_index;
    STACK_OF(ASN1_OCTET_STRING) *crls_hash_index;
    STACK_OF(ASN1_OCTET_STRING) *unsigned_attrs_hash_index;
} ATS_HASH_INDEX_V3;

DECLARE_ASN1_FUNCTIONS(ATS_HASH_INDEX_V3)

ASN1_SEQUENCE(ATS_HASH_INDEX_V3) = {
    ASN1_OPT(ATS_HASH_INDEX_V3, hash_ind_algorithm, X509_ALGOR),
    ASN1_SEQUENCE_OF(ATS_HASH_INDEX_V3, certificates_hash_index, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(ATS_HASH_INDEX_V3, crls_hash_index, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(ATS_HASH_INDEX_V3, unsigned_attrs_hash_index, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATS_HASH_INDEX_V3)

IMPLEMENT_ASN1_FUNCTIONS(ATS_HASH_INDEX_V3)

/* ---------------------------------------------------------------- walking the DER */

struct tlv {
    const unsigned char *start; /* the tag */
    const unsigned char *value; /* the contents */
    long len;                   /* of the contents */
    size_t size;                /* of the whole TLV */
    int tag, xclass;
};

/* The TLV at *p (before end), moving *p past it. 0 at the end or when it is malformed; an
 * indefinite length is malformed here, the input being DER from i2d. */
static int next_tlv(const unsigned char **p, const unsigned char *end, struct tlv *out)
{
    if (*p >= end)
        return 0;
    const unsigned char *q = *p;
    long len = 0;
    int tag = 0, xclass = 0;
    int ret = ASN1_get_object(&q, &len, &tag, &xclass, end - *p);
    if ((ret & 0x80) || (ret & 1)) {
        ERR_clear_error();
        return 0;
    }
    out->start = *p;
    out->value = q;
    out->len = len;
    out->size = (size_t)(q - *p) + (size_t)len;
    out->tag = tag;
    out->xclass = xclass;
    *p = q + len;
    return 1;
}

static int tlv_is(const struct tlv *t, int xclass, int tag)
{
    return t->xclass == xclass && t->tag == tag;
}

/* What of one SignerInfo and its SignedData the archive time-stamp covers. */
struct archive_parts {
    struct tlv content_type;   /* encapContentInfo.eContentType */
    struct tlv econtent;       /* the eContent OCTET STRING, when has_econtent */
    struct tlv certificates;   /* SignedData [0], when has_certificates */
    struct tlv crls;           /* SignedData [1], when has_crls */
    struct tlv unsigned_attrs; /* SignerInfo [1], when has_unsigned_attrs */
    int has_econtent, has_certificates, has_crls, has_unsigned_attrs;
    /* version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm and signature: adjacent
     * in the SignerInfo, so their concatenated TLVs are one run of bytes */
    const unsigned char *signer_fields;
    size_t signer_fields_len;
};

/* The SignerInfo (a TLV) whose signature value is signature: fills parts' SignerInfo fields. */
static int match_signer(const struct tlv *signer_info, const ASN1_OCTET_STRING *signature,
                        struct archive_parts *parts)
{
    const unsigned char *p = signer_info->value, *end = p + signer_info->len;
    struct tlv version, sid, digest_alg, item, value;
    if (!next_tlv(&p, end, &version) || !next_tlv(&p, end, &sid) ||
        !next_tlv(&p, end, &digest_alg) || !next_tlv(&p, end, &item))
        return 0;
    if (tlv_is(&item, V_ASN1_CONTEXT_SPECIFIC, 0) && !next_tlv(&p, end, &item))
        return 0; /* past signedAttrs, item is signatureAlgorithm */
    if (!next_tlv(&p, end, &value) || !tlv_is(&value, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING) ||
        value.len != ASN1_STRING_length(signature) ||
        memcmp(value.value, ASN1_STRING_get0_data(signature), (size_t)value.len) != 0)
        return 0;
    parts->signer_fields = version.start;
    parts->signer_fields_len = (size_t)(value.start + value.size - version.start);
    parts->has_unsigned_attrs = next_tlv(&p, end, &parts->unsigned_attrs) &&
                                tlv_is(&parts->unsigned_attrs, V_ASN1_CONTEXT_SPECIFIC, 1);
    return 1;
}

/* RFC 5652 5.1: ContentInfo { contentType, [0] SignedData { version, digestAlgorithms,
 * encapContentInfo { eContentType, [0] eContent OPTIONAL }, [0] certificates OPTIONAL,
 * [1] crls OPTIONAL, signerInfos } }. */
static int find_parts(const unsigned char *der, size_t len, const ASN1_OCTET_STRING *signature,
                      struct archive_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    const unsigned char *p = der, *end = der + len;
    struct tlv content_info, content_type, explicit, signed_data, version, digest_algs, encap;
    if (!next_tlv(&p, end, &content_info) ||
        !tlv_is(&content_info, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
        return 0;
    p = content_info.value;
    end = p + content_info.len;
    if (!next_tlv(&p, end, &content_type) || !next_tlv(&p, end, &explicit) ||
        !tlv_is(&explicit, V_ASN1_CONTEXT_SPECIFIC, 0))
        return 0;
    p = explicit.value;
    end = p + explicit.len;
    if (!next_tlv(&p, end, &signed_data) || !tlv_is(&signed_data, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
        return 0;
    p = signed_data.value;
    end = p + signed_data.len;
    if (!next_tlv(&p, end, &version) || !next_tlv(&p, end, &digest_algs) ||
        !next_tlv(&p, end, &encap) || !tlv_is(&encap, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
        return 0;
    const unsigned char *q = encap.value, *encap_end = q + encap.len;
    struct tlv explicit_content;
    if (!next_tlv(&q, encap_end, &parts->content_type) ||
        !tlv_is(&parts->content_type, V_ASN1_UNIVERSAL, V_ASN1_OBJECT))
        return 0;
    if (next_tlv(&q, encap_end, &explicit_content)) {
        const unsigned char *r = explicit_content.value;
        if (!tlv_is(&explicit_content, V_ASN1_CONTEXT_SPECIFIC, 0) ||
            !next_tlv(&r, r + explicit_content.len, &parts->econtent) ||
            !tlv_is(&parts->econtent, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING))
            return 0;
        parts->has_econtent = 1;
    }
    struct tlv field;
    while (next_tlv(&p, end, &field)) {
        if (tlv_is(&field, V_ASN1_CONTEXT_SPECIFIC, 0)) {
            parts->certificates = field;
            parts->has_certificates = 1;
        } else if (tlv_is(&field, V_ASN1_CONTEXT_SPECIFIC, 1)) {
            parts->crls = field;
            parts->has_crls = 1;
        } else if (tlv_is(&field, V_ASN1_UNIVERSAL, V_ASN1_SET)) {
            const unsigned char *s = field.value, *signers_end = s + field.len;
            struct tlv signer_info;
            while (next_tlv(&s, signers_end, &signer_info))
                if (match_signer(&signer_info, signature, parts))
                    return 1;
            return 0;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- the hash index */

static int push_hash(STACK_OF(ASN1_OCTET_STRING) *list, const EVP_MD *md,
                     const unsigned char *first, size_t first_len, const unsigned char *second,
                     size_t second_len)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    int ok = mdctx && EVP_DigestInit_ex(mdctx, md, NULL) &&
             EVP_DigestUpdate(mdctx, first, first_len) &&
             (!second || EVP_DigestUpdate(mdctx, second, second_len)) &&
             EVP_DigestFinal_ex(mdctx, digest, &digest_len);
    EVP_MD_CTX_free(mdctx);
    ASN1_OCTET_STRING *hash = ok ? ASN1_OCTET_STRING_new() : NULL;
    if (!hash || !ASN1_OCTET_STRING_set(hash, digest, (int)digest_len) ||
        !sk_ASN1_OCTET_STRING_push(list, hash)) {
        ASN1_OCTET_STRING_free(hash);
        return 0;
    }
    return 1;
}

/* The hash of each element of a SET OF (certificates: CertificateChoices; crls:
 * RevocationInfoChoice). */
static int hash_elements(const struct tlv *set, int present, const EVP_MD *md,
                         STACK_OF(ASN1_OCTET_STRING) *list)
{
    const unsigned char *p = present ? set->value : NULL, *end = p ? p + set->len : NULL;
    struct tlv element;
    while (p && next_tlv(&p, end, &element))
        if (!push_hash(list, md, element.start, element.size, NULL, 0))
            return 0;
    return 1;
}

/* EN 319 122-1 5.5.2 (ats-hash-index-v3): for unsigned attributes, the hash of attrType
 * concatenated with one AttributeValue, once for every value of every attribute. */
static int hash_attribute_values(const struct tlv *attrs, int present, const EVP_MD *md,
                                 STACK_OF(ASN1_OCTET_STRING) *list)
{
    const unsigned char *p = present ? attrs->value : NULL, *end = p ? p + attrs->len : NULL;
    struct tlv attribute;
    while (p && next_tlv(&p, end, &attribute)) {
        const unsigned char *q = attribute.value, *attribute_end = q + attribute.len;
        struct tlv type, values, value;
        if (!next_tlv(&q, attribute_end, &type) || !next_tlv(&q, attribute_end, &values))
            return 0;
        const unsigned char *v = values.value, *values_end = v + values.len;
        while (next_tlv(&v, values_end, &value))
            if (!push_hash(list, md, type.start, type.size, value.start, value.size))
                return 0;
    }
    return 1;
}

/* The hash index of what parts hold now, hashed with md (SHA-256: hashIndAlgorithm omitted). */
static ATS_HASH_INDEX_V3 *index_of(const struct archive_parts *parts, const EVP_MD *md)
{
    ATS_HASH_INDEX_V3 *index = ATS_HASH_INDEX_V3_new();
    if (!index)
        return NULL;
    if (EVP_MD_get_type(md) != NID_sha256) {
        index->hash_ind_algorithm = X509_ALGOR_new();
        if (!index->hash_ind_algorithm) {
            ATS_HASH_INDEX_V3_free(index);
            return NULL;
        }
        X509_ALGOR_set_md(index->hash_ind_algorithm, md);
    }
    if (!hash_elements(&parts->certificates, parts->has_certificates, md,
                       index->certificates_hash_index) ||
        !hash_elements(&parts->crls, parts->has_crls, md, index->crls_hash_index) ||
        !hash_attribute_values(&parts->unsigned_attrs, parts->has_unsigned_attrs, md,
                               index->unsigned_attrs_hash_index)) {
        ATS_HASH_INDEX_V3_free(index);
        return NULL;
    }
    return index;
}

/* ---------------------------------------------------------------- the message imprint */

/* The parts of si in cms as OpenSSL encodes it now. *der owns the bytes parts point into. */
static int cms_parts(CMS_ContentInfo *cms, CMS_SignerInfo *si, unsigned char **der,
                     struct archive_parts *parts)
{
    *der = NULL;
    int len = i2d_CMS_ContentInfo(cms, der);
    if (len <= 0) {
        ERR_clear_error();
        return 0;
    }
    return find_parts(*der, (size_t)len, CMS_SignerInfo_get0_signature(si), parts);
}

struct imprint_input {
    const struct archive_parts *parts;
    sign_digest_fn *detached_digest; /* the detached content's hash, when there is no eContent */
    void *detached_arg;
    const unsigned char *index_der; /* the ATSHashIndexV3 as it is (to be) in the token */
    size_t index_len;
    const EVP_MD *index_md; /* its hashIndAlgorithm, which must be the imprint's */
    char why[300];
};

/* EN 319 122-1 5.5.3: the hash of eContentType, the content's hash, the SignerInfo fields from
 * version to signature, and the ATSHashIndexV3, concatenated in that order. */
static int archive_imprint(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                           void *arg)
{
    struct imprint_input *in = arg;
    unsigned char content_digest[EVP_MAX_MD_SIZE];
    unsigned int content_len = 0;
    if (!in->index_md)
        return 0; /* the index did not fit: in->why says why */
    if (EVP_MD_get_type(md) != EVP_MD_get_type(in->index_md)) {
        snprintf(in->why, sizeof in->why, "the ats-hash-index-v3 is not hashed with the "
                                          "timestamp's algorithm");
        return 0;
    }
    const struct archive_parts *parts = in->parts;
    if (parts->has_econtent
            ? !EVP_Digest(parts->econtent.value, (size_t)parts->econtent.len, content_digest,
                          &content_len, md, NULL)
            : !in->detached_digest ||
                  !in->detached_digest(md, content_digest, &content_len, in->detached_arg)) {
        if (!in->why[0])
            snprintf(in->why, sizeof in->why, "the signed content is not available");
        return 0;
    }
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    int ok = mdctx && EVP_DigestInit_ex(mdctx, md, NULL) &&
             EVP_DigestUpdate(mdctx, parts->content_type.start, parts->content_type.size) &&
             EVP_DigestUpdate(mdctx, content_digest, content_len) &&
             EVP_DigestUpdate(mdctx, parts->signer_fields, parts->signer_fields_len) &&
             EVP_DigestUpdate(mdctx, in->index_der, in->index_len) &&
             EVP_DigestFinal_ex(mdctx, digest, digest_len);
    EVP_MD_CTX_free(mdctx);
    if (!ok)
        snprintf(in->why, sizeof in->why, "cannot hash the archive time-stamp input");
    return ok;
}

/* ---------------------------------------------------------------- adding one */

static int add_sequence_attr(CMS_SignerInfo *si, const char *oid, const unsigned char *der,
                             size_t len)
{
    ASN1_OBJECT *type = OBJ_txt2obj(oid, 1);
    ASN1_STRING *sequence = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
    int added = type && sequence && ASN1_STRING_set(sequence, der, (int)len) &&
                CMS_unsigned_add1_attr_by_OBJ(si, type, V_ASN1_SEQUENCE, sequence, -1);
    ASN1_STRING_free(sequence);
    ASN1_OBJECT_free(type);
    return added;
}

/* The token with the ats-hash-index-v3 added as an unsigned attribute of its SignerInfo
 * (EN 319 122-1 5.5.3): OPENSSL_free'd by the caller, NULL on failure. */
static unsigned char *token_with_index(const unsigned char *token, size_t token_len,
                                       const unsigned char *index_der, size_t index_len,
                                       int *out_len)
{
    const unsigned char *p = token;
    CMS_ContentInfo *token_cms = d2i_CMS_ContentInfo(NULL, &p, (long)token_len);
    STACK_OF(CMS_SignerInfo) *signers = token_cms ? CMS_get0_SignerInfos(token_cms) : NULL;
    unsigned char *out = NULL;
    *out_len = 0;
    if (sk_CMS_SignerInfo_num(signers) == 1 &&
        add_sequence_attr(sk_CMS_SignerInfo_value(signers, 0), OID_ATS_HASH_INDEX_V3, index_der,
                          index_len))
        *out_len = i2d_CMS_ContentInfo(token_cms, &out);
    CMS_ContentInfo_free(token_cms);
    if (*out_len <= 0) {
        OPENSSL_free(out);
        out = NULL;
    }
    return out;
}

int cades_archive_add(sign_ctx *ctx, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                      sign_digest_fn *detached_digest, void *detached_arg, const char *tsa_url)
{
    const EVP_MD *md = EVP_sha256();
    unsigned char *der = NULL, *index_der = NULL, *token = NULL, *indexed = NULL;
    struct archive_parts parts;
    ATS_HASH_INDEX_V3 *index = NULL;
    int rc = SIGN_OK, index_len = 0, indexed_len = 0;
    size_t token_len = 0;
    if (!cms_parts(cms, si, &der, &parts)) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "cannot find the signature's parts for the archive "
                                           "time-stamp");
        goto done;
    }
    if (!(index = index_of(&parts, md)) || (index_len = i2d_ATS_HASH_INDEX_V3(index, &index_der)) <= 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot build the ats-hash-index-v3");
        goto done;
    }
    struct imprint_input in = {.parts = &parts, .detached_digest = detached_digest,
                               .detached_arg = detached_arg, .index_der = index_der,
                               .index_len = (size_t)index_len, .index_md = md};
    unsigned char imprint[EVP_MAX_MD_SIZE];
    unsigned int imprint_len = 0;
    if (!archive_imprint(md, imprint, &imprint_len, &in)) {
        rc = sign_seterr(ctx, SIGN_EINVAL, "archive time-stamp: %s", in.why);
        goto done;
    }
    if ((rc = sign_tsa_request_digest(ctx, tsa_url, md, imprint, imprint_len, &token,
                                      &token_len)) != SIGN_OK)
        goto done;
    if (!(indexed = token_with_index(token, token_len, index_der, (size_t)index_len,
                                     &indexed_len)) ||
        !add_sequence_attr(si, OID_ARCHIVE_TIME_STAMP_V3, indexed, (size_t)indexed_len))
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot add the archive time-stamp");
done:
    OPENSSL_free(indexed);
    OPENSSL_free(token);
    OPENSSL_free(index_der);
    ATS_HASH_INDEX_V3_free(index);
    OPENSSL_free(der);
    return rc;
}

/* ---------------------------------------------------------------- checking them */

/* A stored ATSHashIndexV3, read TLV by TLV: its algorithm and its three lists. */
struct stored_index {
    const EVP_MD *md;
    struct tlv lists[3]; /* certificates, crls, unsigned attributes */
};

static int read_stored_index(const unsigned char *der, size_t len, struct stored_index *out)
{
    const unsigned char *p = der, *end = der + len;
    struct tlv sequence, item;
    if (!next_tlv(&p, end, &sequence) || p != end ||
        !tlv_is(&sequence, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
        return 0;
    p = sequence.value;
    end = p + sequence.len;
    out->md = EVP_sha256();
    if (!next_tlv(&p, end, &item))
        return 0;
    const unsigned char *first = item.value;
    struct tlv first_child;
    if (next_tlv(&first, item.value + item.len, &first_child) &&
        tlv_is(&first_child, V_ASN1_UNIVERSAL, V_ASN1_OBJECT)) {
        const unsigned char *a = item.start;
        X509_ALGOR *algorithm = d2i_X509_ALGOR(NULL, &a, (long)item.size);
        out->md = algorithm ? EVP_get_digestbyobj(algorithm->algorithm) : NULL;
        X509_ALGOR_free(algorithm);
        ERR_clear_error();
        if (!out->md || !next_tlv(&p, end, &item))
            return 0;
    }
    for (int i = 0; i < 3; i++) {
        if (!tlv_is(&item, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE))
            return 0;
        out->lists[i] = item;
        if (i < 2 && !next_tlv(&p, end, &item))
            return 0;
    }
    return p == end;
}

/* Whether every hash in stored is one of current: what the archive time-stamp covered is all
 * still there (what was added after it may be there too). */
static int all_present(const struct tlv *stored, STACK_OF(ASN1_OCTET_STRING) *current)
{
    const unsigned char *p = stored->value, *end = p + stored->len;
    struct tlv hash;
    while (next_tlv(&p, end, &hash)) {
        if (!tlv_is(&hash, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING))
            return 0;
        int found = 0;
        for (int i = 0; !found && i < sk_ASN1_OCTET_STRING_num(current); i++) {
            const ASN1_OCTET_STRING *have = sk_ASN1_OCTET_STRING_value(current, i);
            found = ASN1_STRING_length(have) == hash.len &&
                    memcmp(ASN1_STRING_get0_data(have), hash.value, (size_t)hash.len) == 0;
        }
        if (!found)
            return 0;
    }
    return p == end;
}

/* The ats-hash-index-v3 value (its DER, as stored) of the token's SignerInfo, or NULL. */
static const unsigned char *stored_index_der(CMS_ContentInfo *token_cms, size_t *len)
{
    STACK_OF(CMS_SignerInfo) *signers = CMS_get0_SignerInfos(token_cms);
    CMS_SignerInfo *tsa_si = sk_CMS_SignerInfo_num(signers) == 1
                                 ? sk_CMS_SignerInfo_value(signers, 0)
                                 : NULL;
    ASN1_OBJECT *type = OBJ_txt2obj(OID_ATS_HASH_INDEX_V3, 1);
    int index = tsa_si && type ? CMS_unsigned_get_attr_by_OBJ(tsa_si, type, -1) : -1;
    int again = index >= 0 ? CMS_unsigned_get_attr_by_OBJ(tsa_si, type, index) : -1;
    ASN1_OBJECT_free(type);
    X509_ATTRIBUTE *attr = index >= 0 && again < 0 ? CMS_unsigned_get_attr(tsa_si, index) : NULL;
    if (!attr || X509_ATTRIBUTE_count(attr) != 1)
        return NULL;
    return cms_sequence_der(X509_ATTRIBUTE_get0_type(attr, 0), len);
}

/* Why the token's hash index does not fit the signature (into why), or 1 when it does. */
static int check_index(const struct archive_parts *parts, const struct stored_index *stored,
                       char *why, size_t why_len)
{
    ATS_HASH_INDEX_V3 *current = index_of(parts, stored->md);
    static const char *const what[] = {"a certificate", "a CRL", "an unsigned attribute"};
    int ok = current != NULL;
    if (!current)
        snprintf(why, why_len, "cannot hash the signature's parts");
    for (int i = 0; ok && i < 3; i++) {
        STACK_OF(ASN1_OCTET_STRING) *list = i == 0   ? current->certificates_hash_index
                                            : i == 1 ? current->crls_hash_index
                                                     : current->unsigned_attrs_hash_index;
        if (!all_present(&stored->lists[i], list)) {
            snprintf(why, why_len, "%s it covered was removed or changed", what[i]);
            ok = 0;
        }
    }
    ATS_HASH_INDEX_V3_free(current);
    return ok;
}

static void check_one(const sign_ctx *ctx, const struct archive_parts *parts,
                      const unsigned char *token, size_t token_len,
                      sign_digest_fn *detached_digest, void *detached_arg,
                      sign_timestamp_result *result)
{
    const unsigned char *p = token;
    CMS_ContentInfo *token_cms = token ? d2i_CMS_ContentInfo(NULL, &p, (long)token_len) : NULL;
    size_t index_len = 0;
    const unsigned char *index_der = token_cms ? stored_index_der(token_cms, &index_len) : NULL;
    struct stored_index stored;
    struct imprint_input in = {.parts = parts, .detached_digest = detached_digest,
                               .detached_arg = detached_arg, .index_der = index_der,
                               .index_len = index_len};
    if (index_der && read_stored_index(index_der, index_len, &stored)) {
        in.index_md = stored.md;
        if (!check_index(parts, &stored, in.why, sizeof in.why))
            in.index_md = NULL;
    } else {
        snprintf(in.why, sizeof in.why, token ? "the token has no readable ats-hash-index-v3"
                                              : "malformed archive-time-stamp-v3 attribute");
    }
    memset(result, 0, sizeof *result);
    result->gen_time = (time_t)-1;
    if (!token) {
        snprintf(result->why, sizeof result->why, "%s", in.why);
    } else if (!sign_timestamp_check_with(ctx, token, token_len, archive_imprint, &in, result) &&
               in.why[0]) {
        snprintf(result->why, sizeof result->why, "%s", in.why);
    }
    CMS_ContentInfo_free(token_cms);
    ERR_clear_error();
}

void cades_archive_check(const sign_ctx *ctx, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                         sign_digest_fn *detached_digest, void *detached_arg, sign_evidence *ev)
{
    unsigned char *der = NULL;
    struct archive_parts parts;
    int found = -2; /* not looked for yet */
    for (int index = -1; (index = cades_archive_attr_next(si, index)) >= 0;) {
        if (found == -2)
            found = cms_parts(cms, si, &der, &parts);
        X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, index);
        size_t token_len = 0;
        const unsigned char *token =
            X509_ATTRIBUTE_count(attr) == 1
                ? cms_sequence_der(X509_ATTRIBUTE_get0_type(attr, 0), &token_len)
                : NULL;
        sign_timestamp_result result;
        if (!found) {
            memset(&result, 0, sizeof result);
            result.gen_time = (time_t)-1;
            snprintf(result.why, sizeof result.why, "cannot find the signature's parts");
        } else {
            check_one(ctx, &parts, token, token_len, detached_digest, detached_arg, &result);
        }
        /* 5.5.3: the ats-hash-index-v3 names the certificates, CRLs and unsigned attributes it
         * covers, the signature's validation data among them. */
        sign_evidence_add_timestamp(ev, SIGN_TIMESTAMP_ARCHIVE, &result, 1);
    }
    OPENSSL_free(der);
}

int cades_archive_attr_next(CMS_SignerInfo *si, int lastpos)
{
    ASN1_OBJECT *type = OBJ_txt2obj(OID_ARCHIVE_TIME_STAMP_V3, 1);
    int index = type ? CMS_unsigned_get_attr_by_OBJ(si, type, lastpos) : -1;
    ASN1_OBJECT_free(type);
    return index;
}
