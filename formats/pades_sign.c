/* PAdES baseline B-B signing (ETSI EN 319 142-1) by incremental update (ISO 32000-1 7.5.6): the
 * original file is copied unchanged and followed by one new revision holding the signature
 * dictionary, a signature field merged with its (invisible) widget, the updated page, AcroForm
 * and catalog, and a cross-reference section in the document's own style (table or stream). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rsa.h>
#include <openssl/pem.h> /* before cms.h, see cades.c */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/pkcs7.h>
#include "pades.h"

#define BYTE_RANGE_WIDTH 66  /* "0 " and three numbers of up to 21 digits */
#define CONTENTS_SLACK 32    /* ECDSA signatures vary by a few bytes between runs */

static const EVP_MD *allowed_digest(const char *name)
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
 * message-digest, signing-certificate-v2; no signing-time). Caller frees *der. */
static int build_cms(sign_ctx *ctx, const sign_key *key, const EVP_MD *md,
                     const unsigned char *digest, unsigned int digest_len, unsigned char **der,
                     size_t *der_len)
{
    int pss = EVP_PKEY_is_a(key->pkey, "RSA-PSS");
    int rc = SIGN_OK;
    unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_DETACHED;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, key->cert, key->pkey, md,
                                               CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP |
                                                   CMS_CADES | (pss ? CMS_KEY_PARAM : 0))
                             : NULL;
    CMS_ContentInfo *check = NULL;
    if (!si) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot set up the signer");
        goto done;
    }
    if (pss) {
        EVP_PKEY_CTX *pkey_ctx = CMS_SignerInfo_get0_pkey_ctx(si);
        if (!pkey_ctx || EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) <= 0) {
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot set up RSASSA-PSS signing");
            goto done;
        }
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

struct update {
    pdf_doc *doc;
    struct pdf_buf out;        /* the new revision, appended after the original */
    size_t base;               /* file offset of out.data[0] */
    uint32_t nums[8];          /* objects written, with their offsets in out */
    int gens[8];
    size_t offsets[8];
    size_t count;
    size_t byte_range_at;      /* offset in out of the ByteRange placeholder */
    size_t contents_at;        /* offset in out of '<' of /Contents */
    size_t contents_len;       /* with '<' and '>' */
};

static void begin_object(struct update *u, uint32_t num, int gen)
{
    u->nums[u->count] = num;
    u->gens[u->count] = gen;
    u->offsets[u->count] = u->out.len;
    u->count++;
    pdf_buf_printf(&u->out, "%u %d obj\n", num, gen);
}

static void write_object(struct update *u, uint32_t num, int gen, const pdf_value *v)
{
    begin_object(u, num, gen);
    pdf_write_value(&u->out, v);
    pdf_buf_printf(&u->out, "\nendobj\n");
}

/* The first page (7.7.3.2), following the first kid at each level. */
static pdf_value *first_page(pdf_doc *doc, pdf_value *catalog, uint32_t *num, int *gen)
{
    pdf_value *ref = pdf_dict_get(catalog, "Pages");
    for (int depth = 0; ref && ref->type == PDF_REF && depth < 64; depth++) {
        pdf_value *node = pdf_get(doc, (uint32_t)ref->num, SIZE_MAX);
        if (!node || node->type != PDF_DICT)
            return NULL;
        pdf_value *kids = pdf_resolve(doc, pdf_dict_get(node, "Kids"), SIZE_MAX);
        if (pdf_is_name(pdf_dict_get(node, "Type"), "Page") || !kids) {
            *num = (uint32_t)ref->num;
            *gen = ref->gen;
            return node;
        }
        ref = kids->type == PDF_ARRAY && kids->count ? kids->items[0] : NULL;
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
static void unique_field_name(pdf_doc *doc, pdf_value *fields, char *name, size_t size)
{
    for (int n = 1;; n++) {
        snprintf(name, size, "Signature%d", n);
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

static void write_xref_table(struct update *u, pdf_value *trailer_extra[4], uint32_t size,
                             size_t prev)
{
    size_t xref_at = u->base + u->out.len;
    pdf_buf_printf(&u->out, "xref\n");
    /* the objects are sorted by number; write one subsection per run of numbers */
    for (size_t i = 0; i < u->count;) {
        size_t j = i + 1;
        while (j < u->count && u->nums[j] == u->nums[j - 1] + 1)
            j++;
        pdf_buf_printf(&u->out, "%u %zu\n", u->nums[i], j - i);
        for (size_t k = i; k < j; k++)
            pdf_buf_printf(&u->out, "%010zu %05d n\r\n", u->base + u->offsets[k], u->gens[k]);
        i = j;
    }
    pdf_buf_printf(&u->out, "trailer\n<< /Size %u", size);
    static const char *const names[4] = {"Root", "Info", "ID", NULL};
    for (int i = 0; names[i]; i++)
        if (trailer_extra[i]) {
            pdf_buf_printf(&u->out, " /%s ", names[i]);
            pdf_write_value(&u->out, trailer_extra[i]);
        }
    pdf_buf_printf(&u->out, " /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", prev, xref_at);
}

static void write_xref_stream(struct update *u, pdf_value *trailer_extra[4], uint32_t num,
                              size_t prev)
{
    size_t xref_at = u->out.len;
    /* the stream's own entry comes last: its number is the highest */
    u->nums[u->count] = num;
    u->gens[u->count] = 0;
    u->offsets[u->count] = xref_at;
    u->count++;
    int wide = u->base + xref_at > 0xffffffffu;
    int w = wide ? 8 : 4;
    pdf_buf_printf(&u->out, "%u 0 obj\n<< /Type /XRef /Size %u /W [1 %d 2] /Index [", num, num + 1, w);
    for (size_t i = 0; i < u->count;) {
        size_t j = i + 1;
        while (j < u->count && u->nums[j] == u->nums[j - 1] + 1)
            j++;
        pdf_buf_printf(&u->out, "%s%u %zu", i ? " " : "", u->nums[i], j - i);
        i = j;
    }
    pdf_buf_printf(&u->out, "]");
    static const char *const names[4] = {"Root", "Info", "ID", NULL};
    for (int i = 0; names[i]; i++)
        if (trailer_extra[i]) {
            pdf_buf_printf(&u->out, " /%s ", names[i]);
            pdf_write_value(&u->out, trailer_extra[i]);
        }
    pdf_buf_printf(&u->out, " /Prev %zu /Length %zu >>\nstream\n", prev, u->count * (size_t)(3 + w));
    for (size_t i = 0; i < u->count; i++) {
        unsigned char row[11];
        uint64_t where = u->base + u->offsets[i];
        row[0] = 1;
        for (int k = 0; k < w; k++)
            row[1 + k] = (unsigned char)(where >> (8 * (w - 1 - k)));
        row[1 + w] = (unsigned char)(u->gens[i] >> 8);
        row[2 + w] = (unsigned char)u->gens[i];
        pdf_buf_append(&u->out, row, (size_t)(3 + w));
    }
    pdf_buf_printf(&u->out, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", u->base + xref_at);
}

/* Sort the objects written by number (insertion sort: there are at most a handful). */
static void sort_objects(struct update *u)
{
    for (size_t i = 1; i < u->count; i++)
        for (size_t j = i; j > 0 && u->nums[j - 1] > u->nums[j]; j--) {
            uint32_t n = u->nums[j]; u->nums[j] = u->nums[j - 1]; u->nums[j - 1] = n;
            int g = u->gens[j]; u->gens[j] = u->gens[j - 1]; u->gens[j - 1] = g;
            size_t o = u->offsets[j]; u->offsets[j] = u->offsets[j - 1]; u->offsets[j - 1] = o;
        }
}

static void pdf_date(char *out, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "D:%Y%m%d%H%M%SZ", &tm);
}

/* Build the new revision in u->out, with placeholders for /ByteRange and /Contents. */
static int build_update(sign_ctx *ctx, struct update *u, const sign_options *opts,
                        size_t contents_bytes)
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
    uint32_t page_num;
    int page_gen;
    pdf_value *page = first_page(doc, catalog, &page_num, &page_gen);
    if (!page || page->type != PDF_DICT)
        return sign_seterr(ctx, SIGN_EPARSE, "the PDF has no readable first page");

    uint32_t next = pdf_next_num(doc);
    uint32_t sig_num = next, field_num = next + 1;
    pdf_value *field_ref = pdf_ref(doc, field_num, 0);

    /* AcroForm (12.7.2): Fields gains the new field; SigFlags 3 = SignaturesExist|AppendOnly */
    pdf_value *acroform_entry = pdf_dict_get(catalog, "AcroForm");
    pdf_value *acroform = pdf_resolve(doc, acroform_entry, SIZE_MAX);
    if (acroform && acroform->type != PDF_DICT)
        acroform = NULL;
    pdf_value *fields = pdf_resolve(doc, pdf_dict_get(acroform, "Fields"), SIZE_MAX);
    char field_name[32];
    unique_field_name(doc, fields, field_name, sizeof field_name);
    pdf_value *new_acroform = pdf_dict_with(doc, acroform, "Fields", array_plus(doc, fields, field_ref));
    new_acroform = new_acroform ? pdf_dict_with(doc, new_acroform, "SigFlags", pdf_int(doc, 3)) : NULL;
    pdf_value *annots = pdf_resolve(doc, pdf_dict_get(page, "Annots"), SIZE_MAX);
    pdf_value *new_page = pdf_dict_with(doc, page, "Annots", array_plus(doc, annots, field_ref));
    if (!new_acroform || !new_page)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");

    if (doc->size && doc->data[doc->size - 1] != '\n' && doc->data[doc->size - 1] != '\r') {
        pdf_buf_append(&u->out, "\n", 1);
    }
    u->base = doc->size;

    /* the signature dictionary (12.8.1, EN 319 142-1 5.3) */
    char when[32];
    pdf_date(when, sizeof when, opts->signing_time != (time_t)-1 ? opts->signing_time : time(NULL));
    begin_object(u, sig_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"
                            " /M (%s)\n/ByteRange [", when);
    u->byte_range_at = u->out.len;
    for (int i = 0; i < BYTE_RANGE_WIDTH; i++)
        pdf_buf_append(&u->out, " ", 1);
    pdf_buf_printf(&u->out, "]\n/Contents ");
    u->contents_at = u->out.len;
    u->contents_len = 2 * contents_bytes + 2;
    pdf_buf_append(&u->out, "<", 1);
    for (size_t i = 0; i < contents_bytes; i++)
        pdf_buf_append(&u->out, "00", 2);
    pdf_buf_printf(&u->out, ">\n>>\nendobj\n");

    /* the field merged with its widget annotation (12.5.6.19, 12.7.4.5); invisible: a zero
     * rectangle, flags Print (4) and Locked (128) */
    begin_object(u, field_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /V %u 0 R /F 132"
                            " /Rect [0 0 0 0] /P %u %d R >>\nendobj\n",
                   field_name, sig_num, page_num, page_gen);

    write_object(u, page_num, page_gen, new_page);
    if (acroform_entry && acroform_entry->type == PDF_REF && acroform) {
        write_object(u, (uint32_t)acroform_entry->num, acroform_entry->gen, new_acroform);
    } else {
        pdf_value *new_catalog = pdf_dict_with(doc, catalog, "AcroForm", new_acroform);
        if (!new_catalog)
            return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        write_object(u, (uint32_t)root->num, root->gen, new_catalog);
    }
    sort_objects(u);

    pdf_value *extra[4] = {root, pdf_dict_get(trailer, "Info"), pdf_dict_get(trailer, "ID"), NULL};
    if (extra[1] && extra[1]->type != PDF_REF)
        extra[1] = NULL;
    size_t prev = doc->sections[0].offset;
    if (doc->uses_xref_streams)
        write_xref_stream(u, extra, field_num + 1, prev);
    else
        write_xref_table(u, extra, field_num + 1, prev);
    if (u->out.failed)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    return SIGN_OK;
}

/* Fill in /ByteRange (12.8.1): everything but the /Contents string. */
static int fill_byte_range(struct update *u)
{
    size_t gap_start = u->base + u->contents_at, gap_end = gap_start + u->contents_len;
    size_t total = u->base + u->out.len;
    char text[BYTE_RANGE_WIDTH + 1];
    int n = snprintf(text, sizeof text, "0 %zu %zu %zu", gap_start, gap_end, total - gap_end);
    if (n < 0 || n > BYTE_RANGE_WIDTH)
        return -1;
    memcpy(u->out.data + u->byte_range_at, text, (size_t)n);
    return 0;
}

/* The digest of the byte ranges: the original file (mapped, in chunks) and the new revision
 * around /Contents. */
static int digest_ranges(const struct update *u, const EVP_MD *md, unsigned char *digest,
                         unsigned int *digest_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ok = mctx && EVP_DigestInit_ex(mctx, md, NULL);
    for (size_t at = 0; ok && at < u->doc->size; at += 1 << 20) {
        size_t n = u->doc->size - at < (1 << 20) ? u->doc->size - at : (1 << 20);
        ok = EVP_DigestUpdate(mctx, u->doc->data + at, n);
    }
    size_t after = u->contents_at + u->contents_len;
    ok = ok && EVP_DigestUpdate(mctx, u->out.data, u->contents_at) &&
         EVP_DigestUpdate(mctx, u->out.data + after, u->out.len - after) &&
         EVP_DigestFinal_ex(mctx, digest, digest_len);
    EVP_MD_CTX_free(mctx);
    return ok ? 0 : -1;
}

/* A descriptor of the input that can be mapped: the file itself, or a temporary copy of what
 * the BIO gives (stdin). */
static int input_fd(BIO *in, FILE **tmp)
{
    FILE *fp = NULL;
    struct stat st;
    if (BIO_get_fp(in, &fp) == 1 && fp && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
        return fileno(fp);
    *tmp = tmpfile();
    if (!*tmp)
        return -1;
    unsigned char chunk[65536];
    int n;
    while ((n = BIO_read(in, chunk, sizeof chunk)) > 0)
        if (fwrite(chunk, 1, (size_t)n, *tmp) != (size_t)n)
            return -1;
    if (fflush(*tmp) != 0)
        return -1;
    return fileno(*tmp);
}

int pades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    if (opts->packaging == SIGN_PACKAGING_DETACHED || opts->packaging == SIGN_PACKAGING_ENVELOPING)
        return sign_seterr(ctx, SIGN_EINVAL, "PAdES signatures are inside the PDF: no detached or "
                                             "enveloping packaging (use enveloped or none)");
    const EVP_MD *md = allowed_digest(opts->digest);
    if (!md)
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           opts->digest ? opts->digest : "(none)");
    FILE *tmp = NULL;
    int fd = input_fd(in, &tmp);
    if (fd < 0) {
        if (tmp)
            fclose(tmp);
        return sign_seterr(ctx, SIGN_EIO, "cannot read the PDF: %s", strerror(errno));
    }
    pdf_doc doc;
    struct update u = {.doc = &doc};
    unsigned char *scratch = NULL, *cms = NULL;
    size_t scratch_len = 0, cms_len = 0;
    int rc;
    if (pdf_open_fd(&doc, fd) != 0) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "not a PDF segl can update: %s", doc.error);
        goto done;
    }
    /* Size /Contents from a real signature of the same shape over a dummy digest. */
    unsigned char digest[EVP_MAX_MD_SIZE] = {0};
    unsigned int digest_len = (unsigned int)EVP_MD_get_size(md);
    rc = build_cms(ctx, key, md, digest, digest_len, &scratch, &scratch_len);
    if (rc != SIGN_OK)
        goto done;
    rc = build_update(ctx, &u, opts, scratch_len + CONTENTS_SLACK);
    if (rc != SIGN_OK)
        goto done;
    if (fill_byte_range(&u) != 0 || digest_ranges(&u, md, digest, &digest_len) != 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot hash the document");
        goto done;
    }
    rc = build_cms(ctx, key, md, digest, digest_len, &cms, &cms_len);
    if (rc != SIGN_OK)
        goto done;
    if (2 * cms_len + 2 > u.contents_len) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "the signature is larger than the space reserved");
        goto done;
    }
    for (size_t i = 0; i < cms_len; i++) {
        static const char hex[] = "0123456789ABCDEF";
        u.out.data[u.contents_at + 1 + 2 * i] = (unsigned char)hex[cms[i] >> 4];
        u.out.data[u.contents_at + 2 + 2 * i] = (unsigned char)hex[cms[i] & 15];
    }
    /* The original, unchanged, then the new revision. */
    for (size_t at = 0; at < doc.size; at += 1 << 20) {
        size_t n = doc.size - at < (1 << 20) ? doc.size - at : (1 << 20);
        if (BIO_write(out, doc.data + at, (int)n) != (int)n) {
            rc = sign_seterr(ctx, SIGN_EIO, "cannot write the signed PDF");
            goto done;
        }
    }
    /* u.out starts with the end-of-line that separates it from an original without one */
    if (BIO_write(out, u.out.data, (int)u.out.len) != (int)u.out.len)
        rc = sign_seterr(ctx, SIGN_EIO, "cannot write the signed PDF");
done:
    OPENSSL_free(scratch);
    OPENSSL_free(cms);
    pdf_buf_free(&u.out);
    pdf_close(&doc);
    if (tmp)
        fclose(tmp);
    return rc;
}
