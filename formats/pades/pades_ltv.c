/* PAdES long-term levels (ETSI EN 319 142-1 5.4, ISO 32000-2 12.8.4.3): the document security
 * store (DSS) with the certificates and revocation data that validate the signatures and their
 * timestamps later, offline (B-LT), and document timestamps (B-T for a signature that has no
 * signature timestamp, B-LTA over the DSS). Each goes into an incremental update of its own, so
 * that every earlier byte, and so every earlier signature, stays as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/pem.h> /* before cms.h, see cades.c */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include "formats/cms/cms.h"
#include "pades.h"

#define MAX_SIGS 256
#define TOKEN_SLACK 64 /* a token's time, serial and nonce vary in length between requests */

/* ---------------------------------------------------------------- the DSS being built */

struct blob {
    unsigned char *der;
    size_t len;
    uint32_t num;
};

struct blobs {
    struct blob *items;
    size_t count, cap;
};

struct indexes {
    size_t *items;
    size_t count, cap;
};

/* A /VRI entry (ISO 32000-2 12.8.4.4): what validates one signature. */
struct vri {
    char key[41];              /* uppercase hex SHA-1 of the signature's /Contents */
    struct indexes certs, ocsps, crls;
};

struct dss_build {
    struct blobs certs, ocsps, crls;
    struct vri vris[MAX_SIGS];
    size_t vri_count;
    int failed;
};

static void indexes_add(struct dss_build *b, struct indexes *list, size_t index)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i] == index)
            return;
    if (list->count == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 8;
        size_t *grown = realloc(list->items, cap * sizeof *grown);
        if (!grown) {
            b->failed = 1;
            return;
        }
        list->items = grown;
        list->cap = cap;
    }
    list->items[list->count++] = index;
}

/* Adds der (taken over; freed with OPENSSL_free) unless an equal one is there; its index to
 * list. */
static void blobs_add(struct dss_build *b, struct blobs *set, unsigned char *der, int len,
                      struct indexes *list)
{
    if (len <= 0) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].len == (size_t)len && memcmp(set->items[i].der, der, (size_t)len) == 0) {
            OPENSSL_free(der);
            indexes_add(b, list, i);
            return;
        }
    if (set->count == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 8;
        struct blob *grown = realloc(set->items, cap * sizeof *grown);
        if (!grown) {
            OPENSSL_free(der);
            b->failed = 1;
            return;
        }
        set->items = grown;
        set->cap = cap;
    }
    set->items[set->count] = (struct blob){.der = der, .len = (size_t)len};
    indexes_add(b, list, set->count++);
}

static void dss_build_free(struct dss_build *b)
{
    struct blobs *sets[3] = {&b->certs, &b->ocsps, &b->crls};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < sets[k]->count; i++)
            OPENSSL_free(sets[k]->items[i].der);
        free(sets[k]->items);
    }
    for (size_t i = 0; i < b->vri_count; i++) {
        free(b->vris[i].certs.items);
        free(b->vris[i].ocsps.items);
        free(b->vris[i].crls.items);
    }
}

/* The DER of the single value of a signature-time-stamp attribute. */
static const unsigned char *token_der(X509_ATTRIBUTE *attr, size_t *len)
{
    ASN1_TYPE *value = X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
    if (!value || value->type != V_ASN1_SEQUENCE || !value->value.sequence)
        return NULL;
    *len = (size_t)value->value.sequence->length;
    return value->value.sequence->data;
}

/* The certificates and revocation data for the signer of the CMS SignedData der (a signature
 * or a timestamp token) and, for a signature, the TSAs of its signature timestamps, into b and
 * the VRI entry v. Fails (message on ctx) when the data cannot be had. */
static int collect_cms(sign_ctx *ctx, const unsigned char *der, size_t len, struct dss_build *b,
                       struct vri *v, int depth)
{
    CMS_ContentInfo *cms = cms_read(ctx, der, len, NULL);
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
        return sign_seterr(ctx, SIGN_EPARSE, "a signature in the PDF is not a CMS SignedData");
    }
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    if (!certs)
        certs = sk_X509_new_null();
    CMS_set1_signers_certs(cms, NULL, 0);
    ERR_clear_error();
    STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
    int rc = SIGN_OK;
    for (int i = 0; rc == SIGN_OK && i < sk_CMS_SignerInfo_num(infos); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(infos, i);
        X509 *signer = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
        if (!signer) {
            rc = sign_seterr(ctx, SIGN_EPARSE, "a %s in the PDF does not carry its certificate",
                             depth ? "timestamp" : "signature");
            break;
        }
        STACK_OF(X509) *chain = certs ? sign_chain_assemble(ctx, signer, certs) : NULL;
        sign_revocation_data data;
        sign_revocation_data_init(&data);
        rc = chain ? sign_revocation_collect(ctx, chain, time(NULL), 0, &data)
                   : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        for (int k = 0; rc == SIGN_OK && k < sk_X509_num(chain); k++) {
            unsigned char *out = NULL;
            int n = i2d_X509(sk_X509_value(chain, k), &out);
            blobs_add(b, &b->certs, out, n, &v->certs);
        }
        for (int k = 0; rc == SIGN_OK && k < sk_OCSP_RESPONSE_num(data.ocsps); k++) {
            unsigned char *out = NULL;
            int n = i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(data.ocsps, k), &out);
            blobs_add(b, &b->ocsps, out, n, &v->ocsps);
        }
        for (int k = 0; rc == SIGN_OK && k < sk_X509_CRL_num(data.crls); k++) {
            unsigned char *out = NULL;
            int n = i2d_X509_CRL(sk_X509_CRL_value(data.crls, k), &out);
            blobs_add(b, &b->crls, out, n, &v->crls);
        }
        sign_revocation_data_clear(&data);
        sk_X509_pop_free(chain, X509_free);
        /* the TSA of each signature timestamp, to check the timestamp offline later */
        for (int index = -1; rc == SIGN_OK && depth == 0 &&
                             (index = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, index)) >= 0;) {
            size_t token_len = 0;
            const unsigned char *token = token_der(CMS_unsigned_get_attr(si, index), &token_len);
            if (token)
                rc = collect_cms(ctx, token, token_len, b, v, 1);
        }
    }
    if (rc == SIGN_OK && b->failed)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}

/* ---------------------------------------------------------------- the DSS revision */

static void write_refs(struct pdf_buf *buf, const pdf_value *old_items, const struct blobs *set,
                       const struct indexes *only)
{
    pdf_buf_printf(buf, "[");
    for (size_t i = 0; old_items && old_items->type == PDF_ARRAY && i < old_items->count; i++) {
        pdf_write_value(buf, old_items->items[i]);
        pdf_buf_printf(buf, " ");
    }
    size_t n = only ? only->count : set->count;
    for (size_t i = 0; i < n; i++)
        pdf_buf_printf(buf, "%u 0 R ", set->items[only ? only->items[i] : i].num);
    pdf_buf_printf(buf, "]");
}

/* ISO 32000-2 12.8.4.3: the DSS, /Certs, /OCSPs, /CRLs streams and /VRI keyed by the
 * signature's /Contents digest, for signature sig_num (0: every signature and document
 * timestamp of the document). A DSS already there is kept and added to. *result gets the
 * document with the new revision. */
static int append_dss(sign_ctx *ctx, pdf_doc *doc, uint32_t sig_num, sign_source **result)
{
    struct dss_build *b = calloc(1, sizeof *b);
    struct pades_update u;
    pades_update_begin(&u, doc);
    uint32_t nums[MAX_SIGS];
    size_t count = sig_num ? 1 : pades_find_signatures(doc, nums, MAX_SIGS);
    if (sig_num)
        nums[0] = sig_num;
    int rc = b ? SIGN_OK : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SIGN_OK && i < count; i++) {
        pdf_value *sigdict = nums[i] ? pdf_get(doc, nums[i], SIZE_MAX) : NULL;
        pdf_value *contents = pdf_dict_get(sigdict, "Contents");
        if (!contents || contents->type != PDF_STRING || contents->len == 0)
            continue;
        struct vri *v = &b->vris[b->vri_count++];
        unsigned char sha1[20];
        unsigned int sha1_len = 0;
        EVP_Digest(contents->bytes, contents->len, sha1, &sha1_len, EVP_sha1(), NULL);
        for (int k = 0; k < 20; k++)
            snprintf(v->key + 2 * k, 3, "%02X", sha1[k]);
        rc = collect_cms(ctx, contents->bytes, contents->len, b, v, 0);
    }
    if (rc != SIGN_OK)
        goto done;
    if (b->vri_count == 0) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "the PDF has no signature to add validation data for");
        goto done;
    }
    pdf_value *trailer = doc->sections[0].trailer;
    pdf_value *root = pdf_dict_get(trailer, "Root");
    pdf_value *catalog = root && root->type == PDF_REF ? pdf_get(doc, (uint32_t)root->num, SIZE_MAX) : NULL;
    if (!catalog || catalog->type != PDF_DICT) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable document catalog");
        goto done;
    }
    pdf_value *old_dss = pdf_resolve(doc, pdf_dict_get(catalog, "DSS"), SIZE_MAX);
    if (old_dss && old_dss->type != PDF_DICT)
        old_dss = NULL;
    uint32_t next = pdf_next_num(doc);
    struct blobs *sets[3] = {&b->certs, &b->ocsps, &b->crls};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sets[k]->count; i++) {
            sets[k]->items[i].num = next++;
            pades_write_stream(&u, sets[k]->items[i].num, NULL, sets[k]->items[i].der,
                               sets[k]->items[i].len);
        }
    uint32_t dss_num = next++;
    pades_begin_object(&u, dss_num, 0);
    pdf_buf_printf(&u.out, "<< /Type /DSS\n/Certs ");
    write_refs(&u.out, pdf_resolve(doc, pdf_dict_get(old_dss, "Certs"), SIZE_MAX), &b->certs, NULL);
    pdf_buf_printf(&u.out, "\n/OCSPs ");
    write_refs(&u.out, pdf_resolve(doc, pdf_dict_get(old_dss, "OCSPs"), SIZE_MAX), &b->ocsps, NULL);
    pdf_buf_printf(&u.out, "\n/CRLs ");
    write_refs(&u.out, pdf_resolve(doc, pdf_dict_get(old_dss, "CRLs"), SIZE_MAX), &b->crls, NULL);
    pdf_buf_printf(&u.out, "\n/VRI <<");
    pdf_value *old_vri = pdf_resolve(doc, pdf_dict_get(old_dss, "VRI"), SIZE_MAX);
    for (size_t i = 0; old_vri && old_vri->type == PDF_DICT && i < old_vri->count; i++) {
        int replaced = 0;
        for (size_t k = 0; k < b->vri_count; k++)
            replaced |= old_vri->keys[i]->len == 40 && memcmp(old_vri->keys[i]->bytes, b->vris[k].key, 40) == 0;
        if (replaced)
            continue;
        pdf_buf_printf(&u.out, "\n");
        pdf_write_value(&u.out, old_vri->keys[i]);
        pdf_buf_printf(&u.out, " ");
        pdf_write_value(&u.out, old_vri->items[i]);
    }
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "D:%Y%m%d%H%M%SZ", &tm);
    for (size_t k = 0; k < b->vri_count; k++) {
        const struct vri *v = &b->vris[k];
        pdf_buf_printf(&u.out, "\n/%s << /Type /VRI /Cert ", v->key);
        write_refs(&u.out, NULL, &b->certs, &v->certs);
        if (v->ocsps.count) {
            pdf_buf_printf(&u.out, " /OCSP ");
            write_refs(&u.out, NULL, &b->ocsps, &v->ocsps);
        }
        if (v->crls.count) {
            pdf_buf_printf(&u.out, " /CRL ");
            write_refs(&u.out, NULL, &b->crls, &v->crls);
        }
        pdf_buf_printf(&u.out, " /TU (%s) >>", now);
    }
    pdf_buf_printf(&u.out, "\n>>\n>>\nendobj\n");
    pdf_value *new_catalog = pdf_dict_with(doc, catalog, "DSS", pdf_ref(doc, dss_num, 0));
    if (!new_catalog) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        goto done;
    }
    pades_write_object(&u, (uint32_t)root->num, root->gen, new_catalog);
    if (pades_update_finish(&u) != 0 || !(*result = pades_update_result(&u)))
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
done:
    if (b)
        dss_build_free(b);
    free(b);
    pades_update_free(&u);
    return rc;
}

/* ---------------------------------------------------------------- document timestamps */

/* EN 319 142-1 5.4.3: a document time-stamp, a token over the new revision's ByteRange digest
 * in /Contents of a /DocTimeStamp dictionary. /Contents is sized from a first token. *result
 * gets the document with the new revision. */
static int append_doc_timestamp(sign_ctx *ctx, const sign_options *opts, pdf_doc *doc,
                                sign_source **result)
{
    const EVP_MD *md = cms_allowed_digest(opts->digest);
    if (!md)
        md = EVP_sha256();
    unsigned char digest[EVP_MAX_MD_SIZE] = {0};
    unsigned int digest_len = (unsigned int)EVP_MD_get_size(md);
    unsigned char *token = NULL;
    size_t token_len = 0;
    struct pades_update u;
    pades_update_begin(&u, doc);
    uint32_t num = 0;
    int rc = sign_tsa_request_digest(ctx, opts->tsa_url, md, digest, digest_len, &token, &token_len);
    if (rc == SIGN_OK)
        rc = pades_build_field_revision(ctx, &u, opts, PADES_DOC_TIMESTAMP, NULL,
                                        token_len + TOKEN_SLACK, &num);
    OPENSSL_free(token);
    token = NULL;
    if (rc == SIGN_OK && (pades_fill_byte_range(&u) != 0 ||
                          pades_update_digest(&u, md, digest, &digest_len) != 0))
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot hash the document");
    if (rc == SIGN_OK)
        rc = sign_tsa_request_digest(ctx, opts->tsa_url, md, digest, digest_len, &token, &token_len);
    if (rc == SIGN_OK && pades_update_set_contents(&u, token, token_len) != 0)
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "the timestamp token is larger than the space reserved");
    if (rc == SIGN_OK && !(*result = pades_update_result(&u)))
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    OPENSSL_free(token);
    pades_update_free(&u);
    return rc;
}

/* Whether a signature has neither a signature timestamp nor a document timestamp after it. */
static int needs_timestamp(sign_ctx *ctx, pdf_doc *doc)
{
    uint32_t nums[MAX_SIGS];
    size_t count = pades_find_signatures(doc, nums, MAX_SIGS);
    long long latest_doc_ts = -1;
    long long ends[MAX_SIGS];
    int stamped[MAX_SIGS];
    for (size_t i = 0; i < count; i++) {
        pdf_value *sigdict = nums[i] ? pdf_get(doc, nums[i], SIZE_MAX) : NULL;
        pdf_value *br = pdf_dict_get(sigdict, "ByteRange");
        pdf_value *contents = pdf_dict_get(sigdict, "Contents");
        ends[i] = -1;
        stamped[i] = 1;
        if (!br || br->type != PDF_ARRAY || br->count != 4 || br->items[2]->type != PDF_INT ||
            br->items[3]->type != PDF_INT || !contents || contents->type != PDF_STRING)
            continue;
        ends[i] = br->items[2]->num + br->items[3]->num;
        if (pdf_is_name(pdf_dict_get(sigdict, "SubFilter"), "ETSI.RFC3161")) {
            if (ends[i] > latest_doc_ts)
                latest_doc_ts = ends[i];
            continue;
        }
        CMS_ContentInfo *cms = cms_read(ctx, contents->bytes, (size_t)contents->len, NULL);
        STACK_OF(CMS_SignerInfo) *infos = cms ? CMS_get0_SignerInfos(cms) : NULL;
        CMS_SignerInfo *si = sk_CMS_SignerInfo_num(infos) > 0 ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
        stamped[i] = si && CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) >= 0;
        CMS_ContentInfo_free(cms);
        ERR_clear_error();
    }
    for (size_t i = 0; i < count; i++)
        if (!stamped[i] && ends[i] >= latest_doc_ts)
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- the steps */

enum step { STEP_DOC_TIMESTAMP, STEP_DSS };

int pades_augment(sign_ctx *ctx, const sign_options *opts, const sign_source *src,
                  uint32_t sig_num, BIO *out)
{
    enum step steps[3];
    int step_count = 0;
    pdf_doc doc;
    if (pdf_open(&doc, src) != 0 || doc.repaired) {
        int rc = sign_seterr(ctx, SIGN_EPARSE, "not a PDF segl can update: %s",
                             doc.repaired ? doc.warning : doc.error);
        pdf_close(&doc);
        return rc;
    }
    if (sig_num == 0 && opts->level >= SIGN_LEVEL_B_T && needs_timestamp(ctx, &doc))
        steps[step_count++] = STEP_DOC_TIMESTAMP;
    if (opts->level >= SIGN_LEVEL_B_LT)
        steps[step_count++] = STEP_DSS;
    if (opts->level >= SIGN_LEVEL_B_LTA)
        steps[step_count++] = STEP_DOC_TIMESTAMP;
    /* Each step reads the document as the step before left it: src with the revisions so far
     * appended (only they are held in memory). */
    sign_source *current = NULL;
    int rc = SIGN_OK;
    for (int i = 0; rc == SIGN_OK && i < step_count; i++) {
        if (i > 0 && pdf_open(&doc, current) != 0) {
            rc = sign_seterr(ctx, SIGN_EPARSE, "cannot read back the updated PDF: %s", doc.error);
            pdf_close(&doc);
            break;
        }
        sign_source *next = NULL;
        if (steps[i] == STEP_DSS)
            rc = append_dss(ctx, &doc, sig_num, &next);
        else
            rc = append_doc_timestamp(ctx, opts, &doc, &next);
        pdf_close(&doc);
        sign_source_free(current);
        current = next;
    }
    if (step_count == 0)
        pdf_close(&doc);
    /* the result, whole, to out */
    if (rc == SIGN_OK && sign_source_write_to(current ? current : src, out) != 0)
        rc = sign_seterr(ctx, SIGN_EIO, "cannot write the PDF");
    sign_source_free(current);
    return rc;
}

int pades_extend(sign_ctx *ctx, const sign_options *opts, const sign_source *src, BIO *out)
{
    const char *name = sign_source_name(src);
    pdf_doc doc;
    int rc;
    if (pdf_open(&doc, src) != 0) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "%s: not a PDF segl can update: %s", name, doc.error);
    } else if (pdf_dict_get(doc.sections[0].trailer, "Encrypt")) {
        rc = sign_seterr(ctx, SIGN_EUNSUPPORTED, "%s: the PDF is encrypted", name);
    } else {
        uint32_t nums[1];
        rc = pades_find_signatures(&doc, nums, 1) > 0
                 ? SIGN_OK
                 : sign_seterr(ctx, SIGN_EPARSE, "%s: no signature to extend", name);
    }
    pdf_close(&doc);
    if (rc == SIGN_OK)
        rc = pades_augment(ctx, opts, src, 0, out);
    return rc;
}
