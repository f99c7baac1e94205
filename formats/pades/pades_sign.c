/* PAdES baseline signing (ETSI EN 319 142-1) by incremental update (ISO 32000-1 7.5.6): the
 * original file is copied unchanged and followed by one new revision holding the signature
 * dictionary, a signature field merged with its widget (invisible, or visible with an
 * appearance), the updated page, AcroForm and catalog. B-T puts a signature timestamp into the
 * CMS; B-LT and B-LTA add further revisions (pades_ltv.c). The same field revision, with a
 * document timestamp dictionary, serves pades_ltv.c. */
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

const EVP_MD *pades_allowed_digest(const char *name)
{
    static const char *const allowed[] = {"sha256", "sha384", "sha512"};
    for (size_t i = 0; i < 3; i++)
        if (name && strcmp(name, allowed[i]) == 0)
            return EVP_get_digestbyname(name);
    return NULL;
}

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

/* Page n (1-based) of the page tree (7.7.3.2), skipping subtrees by their /Count. */
static pdf_value *nth_page(pdf_doc *doc, pdf_value *ref, long long *left, int depth,
                           size_t *visited, uint32_t *num, int *gen)
{
    if (!ref || ref->type != PDF_REF || depth > 64 || ++*visited > 1000000)
        return NULL;
    pdf_value *node = pdf_get(doc, (uint32_t)ref->num, SIZE_MAX);
    if (!node || node->type != PDF_DICT)
        return NULL;
    pdf_value *kids = pdf_resolve(doc, pdf_dict_get(node, "Kids"), SIZE_MAX);
    if (pdf_is_name(pdf_dict_get(node, "Type"), "Page") || !kids || kids->type != PDF_ARRAY) {
        if (--*left > 0)
            return NULL;
        *num = (uint32_t)ref->num;
        *gen = ref->gen;
        return node;
    }
    for (size_t i = 0; i < kids->count && *left > 0; i++) {
        pdf_value *kid = pdf_resolve(doc, kids->items[i], SIZE_MAX);
        pdf_value *count = pdf_dict_get(kid, "Count");
        if (pdf_is_name(pdf_dict_get(kid, "Type"), "Pages") && count && count->type == PDF_INT &&
            count->num >= 0 && count->num < *left) {
            *left -= count->num;
            continue;
        }
        pdf_value *found = nth_page(doc, kids->items[i], left, depth + 1, visited, num, gen);
        if (found)
            return found;
    }
    return NULL;
}

/* arr (resolved) with item appended, as a new direct array. */
static pdf_value *array_plus(pdf_doc *doc, pdf_value *arr, pdf_value *item)
{
    size_t n = arr && arr->type == PDF_ARRAY ? arr->count : 0;
    pdf_value *out = pdf_new_value(doc, PDF_ARRAY);
    if (!out || !(out->items = pdf_alloc(doc, (n + 1) * sizeof *out->items)))
        return NULL;
    for (size_t i = 0; i < n; i++)
        out->items[i] = arr->items[i];
    out->items[n] = item;
    out->count = n + 1;
    return out;
}

/* A field name not used by a top-level field yet: "Signature1", "Signature2", ... */
static void unique_field_name(pdf_doc *doc, pdf_value *fields, const char *prefix, char *name,
                              size_t size)
{
    for (int n = 1;; n++) {
        snprintf(name, size, "%s%d", prefix, n);
        int used = 0;
        for (size_t i = 0; fields && fields->type == PDF_ARRAY && i < fields->count; i++) {
            pdf_value *f = pdf_resolve(doc, fields->items[i], SIZE_MAX);
            pdf_value *t = pdf_dict_get(f, "T");
            if (t && t->type == PDF_STRING && t->len == strlen(name) && memcmp(t->bytes, name, t->len) == 0)
                used = 1;
        }
        if (!used || n > 100000)
            return;
    }
}

static void pdf_date(char *out, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "D:%Y%m%d%H%M%SZ", &tm);
}

int pades_build_field_revision(sign_ctx *ctx, struct pades_update *u, const sign_options *opts,
                               enum pades_field_kind kind, const sign_key *key,
                               size_t contents_bytes, uint32_t *sig_num_out)
{
    pdf_doc *doc = u->doc;
    pdf_value *trailer = doc->sections[0].trailer;
    if (pdf_dict_get(trailer, "Encrypt"))
        return sign_seterr(ctx, SIGN_EUNSUPPORTED,
                           "the PDF is encrypted; segl does not sign encrypted PDFs "
                           "(decrypt it first)");
    pdf_value *root = pdf_dict_get(trailer, "Root");
    pdf_value *catalog = root && root->type == PDF_REF ? pdf_get(doc, (uint32_t)root->num, SIZE_MAX) : NULL;
    if (!catalog || catalog->type != PDF_DICT)
        return sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable document catalog");
    int visible = kind == PADES_SIGNATURE && opts->visible_page > 0;
    long long left = visible ? opts->visible_page : 1;
    size_t visited = 0;
    uint32_t page_num = 0;
    int page_gen = 0;
    pdf_value *page = nth_page(doc, pdf_dict_get(catalog, "Pages"), &left, 0, &visited,
                               &page_num, &page_gen);
    if (!page || page->type != PDF_DICT)
        return visible ? sign_seterr(ctx, SIGN_EINVAL, "visible signature: the PDF has no page %d",
                                     opts->visible_page)
                       : sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable first page");

    uint32_t next = pdf_next_num(doc);
    uint32_t sig_num = next, field_num = next + 1, ap_num = next + 2, font_num = next + 3;
    pdf_value *field_ref = pdf_ref(doc, field_num, 0);

    /* AcroForm (12.7.2): Fields gains the new field; SigFlags 3 = SignaturesExist|AppendOnly */
    pdf_value *acroform_entry = pdf_dict_get(catalog, "AcroForm");
    pdf_value *acroform = pdf_resolve(doc, acroform_entry, SIZE_MAX);
    if (acroform && acroform->type != PDF_DICT)
        acroform = NULL;
    pdf_value *fields = pdf_resolve(doc, pdf_dict_get(acroform, "Fields"), SIZE_MAX);
    char field_name[32];
    unique_field_name(doc, fields, kind == PADES_SIGNATURE ? "Signature" : "DocTimeStamp",
                      field_name, sizeof field_name);
    pdf_value *new_acroform = pdf_dict_with(doc, acroform, "Fields", array_plus(doc, fields, field_ref));
    new_acroform = new_acroform ? pdf_dict_with(doc, new_acroform, "SigFlags", pdf_int(doc, 3)) : NULL;
    pdf_value *annots = pdf_resolve(doc, pdf_dict_get(page, "Annots"), SIZE_MAX);
    pdf_value *new_page = pdf_dict_with(doc, page, "Annots", array_plus(doc, annots, field_ref));
    if (!new_acroform || !new_page)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");

    time_t when = opts->signing_time != (time_t)-1 ? opts->signing_time : time(NULL);
    pades_begin_object(u, sig_num, 0);
    if (kind == PADES_SIGNATURE) {
        /* the signature dictionary (12.8.1, EN 319 142-1 5.3) */
        char date[32];
        pdf_date(date, sizeof date, when);
        pdf_buf_printf(&u->out, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
                                " /M (%s)\n", date);
        const char *const names[3] = {"Reason", "Location", "ContactInfo"};
        const char *const values[3] = {opts->reason, opts->location, opts->contact};
        for (int i = 0; i < 3; i++)
            if (values[i] && *values[i]) {
                pdf_buf_printf(&u->out, "/%s ", names[i]);
                pades_write_text_string(&u->out, values[i]);
                pdf_buf_printf(&u->out, "\n");
            }
    } else {
        /* EN 319 142-1 5.4.3 document time-stamp (ISO 32000-2 12.8.5) */
        pdf_buf_printf(&u->out, "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite"
                                " /SubFilter /ETSI.RFC3161\n");
    }
    pades_write_placeholders(u, contents_bytes);
    pdf_buf_printf(&u->out, "\n>>\nendobj\n");

    /* the field merged with its widget annotation (12.5.6.19, 12.7.4.5), flags Print (4) and
     * Locked (128); invisible: a zero rectangle */
    pades_begin_object(u, field_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /V %u 0 R /F 132 ",
                   field_name, sig_num);
    if (visible) {
        const double *r = opts->visible_rect;
        pdf_buf_printf(&u->out, "/Rect [%.2f %.2f %.2f %.2f] /AP << /N %u 0 R >> ", r[0], r[1],
                       r[0] + r[2], r[1] + r[3], ap_num);
    } else {
        pdf_buf_printf(&u->out, "/Rect [0 0 0 0] ");
    }
    pdf_buf_printf(&u->out, "/P %u %d R >>\nendobj\n", page_num, page_gen);
    if (visible)
        pades_write_appearance(u, ap_num, font_num, opts->visible_rect, key ? key->cert : NULL,
                               when);

    pades_write_object(u, page_num, page_gen, new_page);
    if (acroform_entry && acroform_entry->type == PDF_REF && acroform) {
        pades_write_object(u, (uint32_t)acroform_entry->num, acroform_entry->gen, new_acroform);
    } else {
        /* A new or direct AcroForm becomes an object of its own, referenced from the catalog:
         * other signers (poppler's pdfsig) add their fields to the Fields of an indirect
         * AcroForm but lose them on a direct one. */
        uint32_t acroform_num = next + 4;
        pades_write_object(u, acroform_num, 0, new_acroform);
        pdf_value *new_catalog = pdf_dict_with(doc, catalog, "AcroForm", pdf_ref(doc, acroform_num, 0));
        if (!new_catalog)
            return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        pades_write_object(u, (uint32_t)root->num, root->gen, new_catalog);
    }
    if (pades_update_finish(u) != 0)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    *sig_num_out = sig_num;
    return SIGN_OK;
}

int pades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    if (opts->packaging == SIGN_PACKAGING_DETACHED || opts->packaging == SIGN_PACKAGING_ENVELOPING)
        return sign_seterr(ctx, SIGN_EINVAL, "PAdES signatures are inside the PDF: no detached or "
                                             "enveloping packaging (use enveloped or none)");
    const EVP_MD *md = pades_allowed_digest(opts->digest);
    if (!md)
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           opts->digest ? opts->digest : "(none)");
    const char *tsa_url = opts->level >= SIGN_LEVEL_B_T ? opts->tsa_url : NULL;
    /* The PDF is read where it lies when it is a file, else (stdin) into memory: the parser
     * needs it as one block, and no temporary file is made for it. */
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
