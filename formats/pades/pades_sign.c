/* PAdES baseline signing (ETSI EN 319 142-1) by incremental update (ISO 32000-1 7.5.6): the
 * original file is copied unchanged and followed by one new revision holding the signature
 * dictionary, a signature field merged with its widget (invisible, or visible with an
 * appearance), the updated page, AcroForm and catalog. B-T puts a signature timestamp into the
 * CMS; B-LT and B-LTA add further revisions (pades_ltv.c). The field revision is built by
 * pades_field.c, which serves pades_ltv.c's document timestamps too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rsa.h>
#include <openssl/pem.h> /* before cms.h, see cades.c */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/pkcs7.h>
#include "formats/cms/cms.h"
#include "pades.h"

#define CONTENTS_SLACK 32    /* ECDSA signatures vary by a few bytes between runs */
#define TOKEN_SLACK 64       /* a timestamp token's time, serial and nonce vary in length */

/* ---------------------------------------------------------------- CMS (EN 319 142-1 5.3) */

/* The signatureAlgorithm of si as the signing context reports it. With CMS_KEY_PARAM (needed
 * to choose RSASSA-PSS padding, see cades.c) OpenSSL 3.0 leaves it unset until CMS_final, which
 * is not used here: the content digest comes from the PDF's byte ranges. */
static int set_signature_algorithm(CMS_SignerInfo *si, EVP_PKEY_CTX *pctx)
{
    unsigned char der[256];
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, der, sizeof der),
        OSSL_PARAM_construct_end()};
    if (EVP_PKEY_CTX_get_params(pctx, params) <= 0 || !OSSL_PARAM_modified(&params[0]))
        return 0;
    const unsigned char *p = der;
    X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)params[0].return_size);
    X509_ALGOR *target = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &target);
    const ASN1_OBJECT *oid;
    int ptype;
    const void *pval;
    int ok = 0;
    if (alg && target) {
        X509_ALGOR_get0(&oid, &ptype, &pval, alg);
        ASN1_OBJECT *oid_copy = OBJ_dup(oid);
        void *pval_copy = ptype == V_ASN1_SEQUENCE && pval ? ASN1_STRING_dup(pval) : NULL;
        ok = oid_copy && (ptype != V_ASN1_SEQUENCE || pval_copy) &&
             X509_ALGOR_set0(target, oid_copy, ptype == V_ASN1_SEQUENCE ? ptype : V_ASN1_UNDEF,
                             pval_copy);
    }
    X509_ALGOR_free(alg);
    return ok;
}

/* Sign the signed attributes again with the signing-time attribute removed: EN 319 142-1 6.3
 * says PAdES baseline signatures carry the claimed time in /M, not as a signing-time attribute,
 * and OpenSSL 3.0's CMS_SignerInfo_sign always adds one. The DER of the attributes is the same
 * SET OF encoding that CMS signs (PKCS7_ATTR_SIGN sorts as DER requires). */
static int sign_without_signing_time(CMS_SignerInfo *si, const sign_key *key, const EVP_MD *md,
                                     int pss)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (idx >= 0)
        X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, idx));
    STACK_OF(X509_ATTRIBUTE) *attrs = sk_X509_ATTRIBUTE_new_null();
    for (int i = 0; attrs && i < CMS_signed_get_attr_count(si); i++)
        if (!sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i))) {
            sk_X509_ATTRIBUTE_free(attrs);
            attrs = NULL;
        }
    if (!attrs)
        return 0;
    unsigned char *der = NULL;
    int der_len = ASN1_item_i2d((ASN1_VALUE *)attrs, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
    sk_X509_ATTRIBUTE_free(attrs); /* the attributes themselves belong to si */
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *value = NULL;
    size_t value_len = 0;
    int ok = der_len > 0 && mctx && EVP_DigestSignInit(mctx, &pctx, md, NULL, key->pkey) > 0 &&
             (!pss || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
                       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0)) &&
             EVP_DigestSign(mctx, NULL, &value_len, der, (size_t)der_len) > 0 &&
             (value = OPENSSL_malloc(value_len)) != NULL &&
             EVP_DigestSign(mctx, value, &value_len, der, (size_t)der_len) > 0 &&
             ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), value, (int)value_len) &&
             (!pss || set_signature_algorithm(si, pctx));
    OPENSSL_free(value);
    OPENSSL_free(der);
    EVP_MD_CTX_free(mctx);
    return ok;
}


/* A detached CMS SignedData over the given message digest (content type id-data,
 * message-digest, signing-certificate-v2; no signing-time), with a signature timestamp from
 * tsa_url unless it is NULL. Caller frees *der. */
static int build_cms(sign_ctx *ctx, const sign_key *key, const EVP_MD *md,
                     const unsigned char *digest, unsigned int digest_len, const char *tsa_url,
                     unsigned char **der, size_t *der_len)
{
    int pss = EVP_PKEY_is_a(key->pkey, "RSA-PSS");
    int rc = SIGN_OK;
    unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_DETACHED;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = cms_add_signer(ctx, cms, key, md);
    CMS_ContentInfo *check = NULL;
    if (!si) {
        rc = SIGN_ECRYPTO;
        goto done;
    }
    for (int i = 0; key->chain && i < sk_X509_num(key->chain); i++)
        if (!CMS_add1_cert(cms, sk_X509_value(key->chain, i))) {
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot add the certificate chain");
            goto done;
        }
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                    OBJ_nid2obj(NID_pkcs7_data), -1) <= 0 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest,
                                    (int)digest_len) <= 0 ||
        CMS_SignerInfo_sign(si) <= 0 || !sign_without_signing_time(si, key, md, pss)) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot compute the signature");
        goto done;
    }
    if (tsa_url && (rc = cms_add_signature_timestamp(ctx, si, md, tsa_url)) != SIGN_OK)
        goto done;
    int len = i2d_CMS_ContentInfo(cms, der);
    if (len <= 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot encode the signature");
        goto done;
    }
    *der_len = (size_t)len;
    /* Check what was made the way a validator reads it: parsed back from its encoding. */
    const unsigned char *p = *der;
    check = d2i_CMS_ContentInfo(NULL, &p, len);
    if (check)
        CMS_set1_signers_certs(check, NULL, 0);
    STACK_OF(CMS_SignerInfo) *infos = check ? CMS_get0_SignerInfos(check) : NULL;
    if (!infos || sk_CMS_SignerInfo_num(infos) != 1 ||
        CMS_SignerInfo_verify(sk_CMS_SignerInfo_value(infos, 0)) <= 0) {
        OPENSSL_free(*der);
        *der = NULL;
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "the signature made does not verify");
    }
done:
    CMS_ContentInfo_free(check);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}

/* ---------------------------------------------------------------- the document */

int pades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    if (opts->packaging == SIGN_PACKAGING_DETACHED || opts->packaging == SIGN_PACKAGING_ENVELOPING)
        return sign_seterr(ctx, SIGN_EINVAL, "PAdES signatures are inside the PDF: no detached or "
                                             "enveloping packaging (use enveloped or none)");
    const EVP_MD *md = cms_allowed_digest(opts->digest);
    if (!md)
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           opts->digest ? opts->digest : "(none)");
    const char *tsa_url = opts->level >= SIGN_LEVEL_B_T ? opts->tsa_url : NULL;
    /* The PDF is read where it lies when it is a file; stdin is read once, a large one into a
     * file without a name (sign_source_from_bio): the parser needs it whole, and maps it. */
    sign_source *input = sign_source_from_bio(in, "the PDF"), *signed_pdf = NULL;
    if (!input)
        return sign_seterr(ctx, SIGN_EIO, "cannot read the PDF: %s", strerror(errno));
    pdf_doc doc;
    struct pades_update u;
    unsigned char *scratch = NULL, *cms = NULL;
    size_t scratch_len = 0, cms_len = 0;
    uint32_t sig_num = 0;
    int rc;
    int opened = pdf_open(&doc, input);
    pades_update_begin(&u, &doc);
    if (opened != 0) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "not a PDF segl can update: %s", doc.error);
        goto done;
    }
    if (doc.repaired) {
        /* an update's /Prev must name a cross-reference section every reader finds */
        rc = sign_seterr(ctx, SIGN_EPARSE, "not a PDF segl can update: %s (repair it first, "
                                           "e.g. qpdf in.pdf out.pdf)", doc.warning);
        goto done;
    }
    /* Size /Contents from a real signature of the same shape over a dummy digest, with a real
     * timestamp token for B-T and above. */
    unsigned char digest[EVP_MAX_MD_SIZE] = {0};
    unsigned int digest_len = (unsigned int)EVP_MD_get_size(md);
    rc = build_cms(ctx, key, md, digest, digest_len, tsa_url, &scratch, &scratch_len);
    if (rc != SIGN_OK)
        goto done;
    rc = pades_build_field_revision(ctx, &u, opts, PADES_SIGNATURE, key,
                                    scratch_len + CONTENTS_SLACK + (tsa_url ? TOKEN_SLACK : 0),
                                    &sig_num);
    if (rc != SIGN_OK)
        goto done;
    if (pades_fill_byte_range(&u) != 0 || pades_update_digest(&u, md, digest, &digest_len) != 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot hash the document");
        goto done;
    }
    rc = build_cms(ctx, key, md, digest, digest_len, tsa_url, &cms, &cms_len);
    if (rc != SIGN_OK)
        goto done;
    if (pades_update_set_contents(&u, cms, cms_len) != 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "the signature is larger than the space reserved");
        goto done;
    }
    if (opts->level < SIGN_LEVEL_B_LT) {
        if (pades_update_emit(&u, out) != 0)
            rc = sign_seterr(ctx, SIGN_EIO, "cannot write the signed PDF");
        goto done;
    }
    /* B-LT and B-LTA: further revisions over the signed file */
    signed_pdf = pades_update_result(&u);
    rc = signed_pdf ? pades_augment(ctx, opts, signed_pdf, sig_num, out)
                    : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
done:
    OPENSSL_free(scratch);
    OPENSSL_free(cms);
    pades_update_free(&u);
    pdf_close(&doc);
    sign_source_free(signed_pdf);
    sign_source_free(input);
    return rc;
}
