/* PAdES validation: every signature field's signature (ISO 32000-1 12.8, ETSI EN 319 142-1):
 * the ByteRange and its gap, the CMS signature over the ranges (hashed streaming from the
 * mapped file), certification rules (DocMDP), and what changed afterwards (pades_diff.c). Both
 * ETSI.CAdES.detached and adbe.pkcs7.detached are read. The signature timestamps, the document
 * timestamps after a signature and the DSS's certificates and revocation data are handed to the
 * one validation process as evidence, which decides the proof of existence, the signer's chain
 * and the level (B-T, B-LT, B-LTA) in libsign/validation/process.c. Document timestamps are
 * reported as "archive" timestamps of the signatures they cover, not as signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/pem.h> /* before cms.h, see cades.c */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include "formats/cms/cms.h"
#include "pades.h"
#include "pades_visual.h"

#define MAX_FIELDS 10000
#define MAX_SIGNATURES 256

size_t pades_revision_end(const pdf_doc *doc, size_t section)
{
    size_t eof = pdf_find(doc, doc->sections[section].end, "%%EOF");
    if (eof == SIZE_MAX)
        return 0;
    size_t end = eof + 5;
    if (end < doc->size && doc->data[end] == '\r')
        end++;
    if (end < doc->size && doc->data[end] == '\n')
        end++;
    return end;
}

/* Whether pos ends a revision: right after a "%%EOF" that follows a cross-reference section,
 * or after its end-of-line. */
static int is_revision_end(const pdf_doc *doc, size_t pos)
{
    for (size_t i = 0; i < doc->section_count; i++) {
        size_t end = pades_revision_end(doc, i);
        if (end == 0)
            continue;
        size_t eof = pdf_find(doc, doc->sections[i].end, "%%EOF") + 5;
        if (pos >= eof && pos <= end)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- finding signatures */

struct sig_list {
    uint32_t nums[MAX_SIGNATURES];
    size_t count;
};

static void collect_fields(pdf_doc *doc, pdf_value *fields, int inherited_sig, int depth,
                           size_t *visited, struct sig_list *out)
{
    if (!fields || fields->type != PDF_ARRAY || depth > 32)
        return;
    for (size_t i = 0; i < fields->count && *visited < MAX_FIELDS; i++) {
        (*visited)++;
        pdf_value *field = pdf_resolve(doc, fields->items[i], SIZE_MAX);
        if (!field || field->type != PDF_DICT)
            continue;
        pdf_value *ft = pdf_dict_get(field, "FT");
        int is_sig = ft ? pdf_is_name(ft, "Sig") : inherited_sig;
        pdf_value *v = pdf_dict_get(field, "V");
        if (is_sig && v && out->count < MAX_SIGNATURES) {
            /* 12.7.4.5: V of a signature field shall be an indirect reference; a direct
             * dictionary is recorded as number 0 and rejected later */
            uint32_t num = v->type == PDF_REF && v->num > 0 ? (uint32_t)v->num : 0;
            int seen = 0;
            for (size_t k = 0; k < out->count; k++)
                seen |= out->nums[k] == num;
            if (!seen)
                out->nums[out->count++] = num;
        }
        collect_fields(doc, pdf_resolve(doc, pdf_dict_get(field, "Kids"), SIZE_MAX), is_sig,
                       depth + 1, visited, out);
    }
}

/* ---------------------------------------------------------------- CMS */




/* A PDF date (7.9.4) "D:YYYYMMDDHHmmSSOHH'mm'", parts from the month on optional. */
static int parse_pdf_date(const pdf_value *v, time_t *out)
{
    if (!v || v->type != PDF_STRING || v->len < 6 || memcmp(v->bytes, "D:", 2) != 0)
        return -1;
    char text[64];
    size_t n = v->len < sizeof text - 1 ? v->len : sizeof text - 1;
    memcpy(text, v->bytes, n);
    text[n] = '\0';
    int f[6] = {0, 1, 1, 0, 0, 0}, widths[6] = {4, 2, 2, 2, 2, 2};
    const char *p = text + 2;
    for (int i = 0; i < 6; i++) {
        if (p[0] < '0' || p[0] > '9')
            break;
        int value = 0;
        for (int k = 0; k < widths[i]; k++, p++) {
            if (*p < '0' || *p > '9')
                return -1;
            value = value * 10 + (*p - '0');
        }
        f[i] = value;
    }
    long offset = 0;
    if (*p == '+' || *p == '-') {
        int sign = *p == '+' ? 1 : -1, hh = 0, mm = 0;
        if (sscanf(p + 1, "%2d'%2d", &hh, &mm) < 1)
            return -1;
        offset = sign * (hh * 3600L + mm * 60L);
    }
    char iso[32];
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", f[0], f[1], f[2], f[3], f[4], f[5]);
    time_t t;
    if (sign_parse_time(&t, iso) != SIGN_OK)
        return -1;
    *out = t - offset;
    return 0;
}

static int write_chunk(void *chain, const void *bytes, size_t len)
{
    return BIO_write(chain, bytes, (int)len) == (int)len ? 0 : -1;
}

/* Feed the two byte ranges through the digest BIOs of the CMS structure. */
static int digest_ranges(BIO *chain, const pdf_doc *doc, const long long br[4])
{
    for (int r = 0; r < 2; r++)
        if (pdf_each_chunk(doc, (size_t)br[2 * r], (size_t)br[2 * r + 1], write_chunk, chain) != 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------- long-term validation data */

struct doc_timestamp {
    size_t signed_end;              /* 0 when its ByteRange is unusable */
    sign_timestamp_result result;
    const unsigned char *token;     /* in the document's arena; NULL when not located */
    size_t token_len;
};

/* What the document carries for validation later (EN 319 142-1 5.4): the DSS's certificates
 * and revocation data, and its document timestamps. */
struct ltv {
    STACK_OF(X509) *certs;
    sign_revocation_data data;
    size_t dss_offset;              /* where the DSS dictionary is in the file; 0: no DSS */
    struct doc_timestamp *timestamps;
    size_t timestamp_count;
};

/* The decoded data of each stream in the array at key of the DSS, handed to take(). */
static void read_dss_array(const sign_ctx *ctx, pdf_doc *doc, pdf_value *dss, const char *key,
                           struct ltv *ltv, int kind)
{
    pdf_value *arr = pdf_resolve(doc, pdf_dict_get(dss, key), SIZE_MAX);
    for (size_t i = 0; arr && arr->type == PDF_ARRAY && i < arr->count && i < 10000; i++) {
        pdf_value *stream = pdf_resolve(doc, arr->items[i], SIZE_MAX);
        unsigned char *data = NULL;
        size_t len = 0;
        if (pdf_stream_decode(doc, stream, &data, &len) != 0)
            continue;
        const unsigned char *p = data;
        if (kind == 0) {
            X509 *cert = sign_cert_cache_decode(ctx, p, len);
            if (cert && !sk_X509_push(ltv->certs, cert))
                X509_free(cert);
        } else if (kind == 1) {
            OCSP_RESPONSE *ocsp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
            if (ocsp)
                sign_revocation_data_add(&ltv->data, ocsp, NULL);
            OCSP_RESPONSE_free(ocsp);
        } else {
            X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
            if (crl)
                sign_revocation_data_add(&ltv->data, NULL, crl);
            X509_CRL_free(crl);
        }
        free(data);
    }
    ERR_clear_error();
}

/* ISO 32000-2 12.8.4.3: the document security store of the newest revision. */
static void load_dss(const sign_ctx *ctx, pdf_doc *doc, pdf_value *catalog, struct ltv *ltv)
{
    ltv->certs = sk_X509_new_null();
    sign_revocation_data_init(&ltv->data);
    pdf_value *entry = pdf_dict_get(catalog, "DSS");
    pdf_value *dss = pdf_resolve(doc, entry, SIZE_MAX);
    if (!dss || dss->type != PDF_DICT || !ltv->certs)
        return;
    read_dss_array(ctx, doc, dss, "Certs", ltv, 0);
    read_dss_array(ctx, doc, dss, "OCSPs", ltv, 1);
    read_dss_array(ctx, doc, dss, "CRLs", ltv, 2);
    /* where it is, to tell which document timestamps cover it */
    const struct pdf_xref_entry *where = entry->type == PDF_REF
                                             ? pdf_entry(doc, (uint32_t)entry->num, SIZE_MAX)
                                             : NULL;
    if (where && where->kind == 2)
        where = pdf_entry(doc, (uint32_t)where->where, SIZE_MAX);
    ltv->dss_offset = where && where->kind == 1 ? (size_t)where->where : dss->start;
    if (ltv->dss_offset == 0)
        ltv->dss_offset = 1;
}

static void ltv_free(struct ltv *ltv)
{
    sk_X509_pop_free(ltv->certs, X509_free);
    sign_revocation_data_clear(&ltv->data);
    free(ltv->timestamps);
}


/* Signature timestamps (EN 319 122-1 5.3 by EN 319 142-1 6.3) and the document timestamps
 * over this signature's revision, as evidence; whether each covers the DSS, the validation data
 * (EN 319 142-1 6.3 B-LTA). What they prove is the validation process's to decide
 * (libsign/validation/poe.c). */
static void check_timestamps(const sign_ctx *ctx, CMS_SignerInfo *si, size_t signed_end,
                             const struct ltv *ltv, sign_evidence *ev)
{
    cms_signature_timestamps(ctx, si, ev);
    for (size_t i = 0; i < ltv->timestamp_count; i++) {
        const struct doc_timestamp *ts = &ltv->timestamps[i];
        if (ts->signed_end && ts->signed_end <= signed_end)
            continue; /* before this signature: it proves nothing about it */
        int covers_dss = ltv->dss_offset && ts->signed_end > ltv->dss_offset;
        sign_evidence_add_timestamp(ev, SIGN_TIMESTAMP_DOCUMENT, &ts->result, covers_dss);
    }
}

static void verify_cms(const sign_ctx *ctx, const pdf_doc *doc, const long long br[4],
                       const pdf_value *contents, const pdf_value *sigdict, int etsi,
                       size_t signed_end, const struct ltv *ltv, sign_sig *sig)
{
    const unsigned char *p = contents->bytes;
    cms_received *received = NULL;
    CMS_ContentInfo *cms = cms_read(ctx, p, (size_t)contents->len, &received);
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "/Contents does not hold a CMS SignedData");
        CMS_ContentInfo_free(cms);
        cms_received_free(received);
        ERR_clear_error();
        return;
    }
    STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(infos) != 1) {
        /* EN 319 142-1 5.1: exactly one SignerInfo */
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the CMS signature has %d signers, PDF signatures have exactly one",
                      sk_CMS_SignerInfo_num(infos));
        CMS_ContentInfo_free(cms);
        cms_received_free(received);
        return;
    }
    ASN1_OCTET_STRING **econtent = CMS_get0_content(cms);
    if (econtent && *econtent)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the CMS signature encapsulates content; a PDF signature is detached");
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(infos, 0);
    cms_signature_id(si, sig);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    CMS_set1_signers_certs(cms, NULL, 0);
    ERR_clear_error();
    X509 *signer = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);

    int count;
    ASN1_TYPE *when = cms_single_signed_attr(si, NID_pkcs9_signingTime, &count);
    time_t t;
    if (when && (when->type == V_ASN1_UTCTIME || when->type == V_ASN1_GENERALIZEDTIME) &&
        sign_time_from_asn1(&t, when->value.utctime) == SIGN_OK)
        sign_sig_set_signing_time(sig, t);
    else if (parse_pdf_date(pdf_dict_get(sigdict, "M"), &t) == 0)
        sign_sig_set_signing_time(sig, t);
    int has_signing_time_attr = count > 0;

    BIO *sink = BIO_new(BIO_s_null());
    BIO *chain = sink ? CMS_dataInit(cms, sink) : NULL;
    if (!chain || digest_ranges(chain, doc, br) != 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "FORMAT_FAILURE",
                      "cannot digest the signed byte ranges (unsupported digest algorithm?)");
        if (!chain)
            BIO_free(sink);
        goto done;
    }
    if (!signer) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                      "the signing certificate is not in the signature");
        goto done;
    }
    sign_sig_set_signer(sig, signer);
    cms_check_digest_strength(si, sig);

    int has_signed_attrs = cms_check_signed_attributes(si, sig, received, 0);
    if (CMS_SignerInfo_verify_content(si, chain) <= 0 &&
        (has_signed_attrs || cms_signer_key_readable(si, sig)))
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, has_signed_attrs ? "HASH_FAILURE" : "SIG_CRYPTO_FAILURE",
                      has_signed_attrs ? "the signed byte ranges do not match the signed digest"
                                       : "the signature value does not verify over the byte ranges");
    ERR_clear_error();

    int has_signing_cert = cms_check_signing_certificate(si, signer, sig);

    /* What the validation process needs beyond what is checked above. */
    sign_evidence ev;
    sign_evidence_init(&ev, SIGN_FAMILY_PADES);
    /* EN 319 142-1 6.3: B-B needs ETSI.CAdES.detached, the signing-certificate(-v2)
     * attribute, and no signing-time attribute (the time is in /M) */
    ev.baseline_b_missing =
        !etsi                   ? "SubFilter adbe.pkcs7.detached"
        : !has_signed_attrs     ? "no signed attributes"
        : !has_signing_cert     ? "no signing-certificate attribute"
        : has_signing_time_attr ? "a signing-time attribute (PAdES puts the time in /M)"
                                : NULL;
    ev.claimed_signing_time = sign_sig_signing_time(sig);
    sign_evidence_set_signer(&ev, signer);
    check_timestamps(ctx, si, signed_end, ltv, &ev);
    /* the DSS's certificates and revocation data, with what the CMS carries */
    sign_evidence_add_certificates(&ev, certs);
    sign_evidence_add_certificates(&ev, ltv->certs);
    sign_evidence_add_revocation(&ev, ltv->data.crls, ltv->data.ocsps);
    /* RFC 5940: OCSP responses in crls count as the CRLs there do */
    STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
    STACK_OF(OCSP_RESPONSE) *ocsps = cms_received_ocsp_responses(received);
    sign_evidence_add_revocation(&ev, crls, ocsps);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    sk_OCSP_RESPONSE_pop_free(ocsps, OCSP_RESPONSE_free);
    sign_validate_signature(ctx, sig, &ev);
    sign_evidence_clear(&ev);
done:
    BIO_free_all(chain);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    cms_received_free(received);
    ERR_clear_error();
}

/* ---------------------------------------------------------------- one signature */

struct found_sig {
    uint32_t num;
    size_t signed_end;          /* br[2] + br[3]; 0 when the ByteRange is unusable */
    int docmdp;                 /* /P of a certification signature, else 0 */
};

/* ISO 32000-1 12.8.2.2: a certification signature has a DocMDP signature reference. */
static int docmdp_level(pdf_doc *doc, pdf_value *sigdict, size_t limit)
{
    pdf_value *refs = pdf_resolve(doc, pdf_dict_get(sigdict, "Reference"), limit);
    for (size_t i = 0; refs && refs->type == PDF_ARRAY && i < refs->count; i++) {
        pdf_value *ref = pdf_resolve(doc, refs->items[i], limit);
        if (!pdf_is_name(pdf_dict_get(ref, "TransformMethod"), "DocMDP"))
            continue;
        pdf_value *params = pdf_resolve(doc, pdf_dict_get(ref, "TransformParams"), limit);
        pdf_value *p = pdf_dict_get(params, "P");
        return p && p->type == PDF_INT && p->num >= 1 && p->num <= 3 ? (int)p->num : 2;
    }
    return 0;
}

/* Where the signature dictionary num signs: its ByteRange, checked against the file (two
 * ranges from the start around exactly its /Contents, ending a revision, the dictionary an
 * object of that revision). NULL, or why not. */
static const char *locate(pdf_doc *doc, uint32_t num, long long br[4], size_t *signed_end,
                          pdf_value **sigdict_out, pdf_value **contents_out)
{
    if (num == 0)
        return "the signature field's /V is not an indirect reference";
    /* The signature dictionary as the latest revision has it; its ByteRange tells which
     * revision it signs, and the dictionary must be the same there. */
    pdf_value *latest = pdf_get(doc, num, SIZE_MAX);
    pdf_value *br_value = pdf_dict_get(latest, "ByteRange");
    int ok = latest && latest->type == PDF_DICT && br_value && br_value->type == PDF_ARRAY &&
             br_value->count == 4;
    for (int i = 0; ok && i < 4; i++) {
        ok = br_value->items[i]->type == PDF_INT && br_value->items[i]->num >= 0 &&
             (unsigned long long)br_value->items[i]->num <= doc->size;
        br[i] = ok ? br_value->items[i]->num : 0;
    }
    /* ISO 32000-1 12.8.1, EN 319 142-1 5.4: two ranges from the start of the file around the
     * /Contents string, up to the end of the signature's revision */
    if (!ok || br[0] != 0 || br[1] <= 0 || br[2] <= br[1] ||
        (unsigned long long)br[2] + (unsigned long long)br[3] > doc->size)
        return "the /ByteRange is not two ranges from the start of the file around /Contents";
    *signed_end = (size_t)(br[2] + br[3]);
    if (!is_revision_end(doc, *signed_end))
        return "the /ByteRange does not end at the end of a revision";
    const struct pdf_xref_entry *entry = pdf_entry(doc, num, *signed_end);
    pdf_value *sigdict = pdf_get(doc, num, *signed_end);
    size_t newest = 0;
    while (newest < doc->section_count && doc->sections[newest].offset >= *signed_end)
        newest++;
    const struct pdf_section *own = newest < doc->section_count ? &doc->sections[newest] : NULL;
    int in_own = 0;
    for (size_t i = 0; own && entry && i < own->count; i++)
        in_own |= &own->entries[i] == entry;
    if (!entry || entry->kind != 1 || !sigdict || sigdict->type != PDF_DICT || !in_own)
        return "the signature dictionary is not an object of the revision it signs";
    pdf_value *contents = pdf_dict_get(sigdict, "Contents");
    if (!contents || contents->type != PDF_STRING || contents->start != (size_t)br[1] ||
        contents->end != (size_t)br[2] || doc->data[br[1]] != '<' || doc->data[br[2] - 1] != '>')
        return "the gap in /ByteRange is not exactly the /Contents hex string of the signature "
               "dictionary";
    *sigdict_out = sigdict;
    *contents_out = contents;
    return NULL;
}

static int is_doc_timestamp(pdf_doc *doc, uint32_t num)
{
    pdf_value *sigdict = num ? pdf_get(doc, num, SIZE_MAX) : NULL;
    return pdf_is_name(pdf_dict_get(sigdict, "Type"), "DocTimeStamp") ||
           pdf_is_name(pdf_dict_get(sigdict, "SubFilter"), "ETSI.RFC3161");
}

/* EN 319 142-1 5.4.3: a document timestamp, a token over its revision's ByteRange. */
static void check_doc_timestamp(const sign_ctx *ctx, pdf_doc *doc, uint32_t num,
                                struct doc_timestamp *out)
{
    long long br[4];
    pdf_value *sigdict = NULL, *contents = NULL;
    memset(out, 0, sizeof *out);
    const char *why = locate(doc, num, br, &out->signed_end, &sigdict, &contents);
    if (why) {
        out->result.gen_time = (time_t)-1;
        snprintf(out->result.why, sizeof out->result.why, "document timestamp: %s", why);
        out->signed_end = 0;
        return;
    }
    /* the token is DER: its own length, not the zeros that pad /Contents */
    const unsigned char *p = contents->bytes;
    long len = 0;
    int tag, xclass;
    size_t token_len = contents->len;
    if (!(ASN1_get_object(&p, &len, &tag, &xclass, (long)contents->len) & 0x80))
        token_len = (size_t)(p - contents->bytes) + (size_t)len;
    ERR_clear_error();
    out->token = contents->bytes;
    out->token_len = token_len;
    pades_timestamp_check_ranges(ctx, contents->bytes, token_len, doc, br, &out->result);
}

/* A document that carries document timestamps and no signature is a timestamped document
 * (EN 319 142-1 5.4.3): each timestamp is reported as an entry of its own, of kind
 * "timestamp", validated as a token over its ByteRange with its TSA's chain; what changed after
 * it is analysed as after an approval signature. */
static void report_reading(const pdf_doc *doc, sign_sig *sig, size_t signed_end);

static void report_timestamps_only(pdf_doc *doc, sign_report *report, const struct ltv *ltv)
{
    pades_perms *perms = NULL; /* no signature: no DocMDP and no locks bind the later revisions */
    pades_changes *changes = NULL;
    if (pades_perms_new(&perms, doc) != 0 || pades_changes_new(&changes, doc, perms) != 0) {
        sign_report_set_error(report, "out of memory");
        pades_perms_free(perms);
        return;
    }
    for (size_t i = 0; i < ltv->timestamp_count; i++) {
        const struct doc_timestamp *ts = &ltv->timestamps[i];
        sign_sig *sig = sign_report_add_sig(report);
        if (!sig) {
            sign_report_set_error(report, "out of memory");
            break;
        }
        sign_sig_from_timestamp(sig, ts->token, ts->token_len, &ts->result);
        report_reading(doc, sig, ts->signed_end);
        if (!ts->signed_end)
            continue;
        if (ts->signed_end == doc->size)
            sign_sig_add_covered(sig, "the whole document");
        else
            sign_sig_add_covered(sig, "the document up to byte %zu of %zu (later revisions follow)",
                                 ts->signed_end, doc->size);
        pades_check_modifications(changes, ts->signed_end, sig);
    }
    pades_changes_free(changes);
    pades_perms_free(perms);
}

static void check_one(const sign_ctx *ctx, pdf_doc *doc, struct found_sig *found, sign_sig *sig,
                      const struct ltv *ltv)
{
    long long br[4];
    size_t signed_end = 0;
    pdf_value *sigdict = NULL, *contents = NULL;
    const char *why = locate(doc, found->num, br, &signed_end, &sigdict, &contents);
    if (why) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "%s", why);
        return;
    }
    found->signed_end = signed_end;
    if (signed_end == doc->size)
        sign_sig_add_covered(sig, "the whole document");
    else
        sign_sig_add_covered(sig, "the document up to byte %zu of %zu (later revisions follow)",
                             signed_end, doc->size);
    pdf_value *subfilter = pdf_dict_get(sigdict, "SubFilter");
    int etsi = pdf_is_name(subfilter, "ETSI.CAdES.detached");
    if (!etsi && !pdf_is_name(subfilter, "adbe.pkcs7.detached")) {
        char name[64] = "(none)";
        if (subfilter && subfilter->type == PDF_NAME)
            snprintf(name, sizeof name, "%.*s", (int)(subfilter->len < 60 ? subfilter->len : 60),
                     (const char *)subfilter->bytes);
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "SubFilter %s is not supported (ETSI.CAdES.detached, adbe.pkcs7.detached)",
                      name);
        return;
    }
    found->docmdp = docmdp_level(doc, sigdict, signed_end);
    verify_cms(ctx, doc, br, contents, sigdict, etsi, signed_end, ltv, sig);
}

/* What the tolerant reader read past (pdf_open) is said on every entry. A file whose
 * cross-reference data had to be rebuilt is judged on the rebuilt view: a signature whose
 * ByteRange covers the damage signed those bytes, so the view of its revision is the one it
 * signed, and what came later is compared object by object as usual; but damage after a
 * signature is in bytes it does not cover, where readers may each rebuild something else, so
 * that signature cannot pass. */
static void report_reading(const pdf_doc *doc, sign_sig *sig, size_t signed_end)
{
    if (!doc->warning[0])
        return;
    sign_sig_warn(sig, "%s", doc->warning);
    if (doc->repaired && signed_end <= doc->damage_at)
        sign_sig_fail(sig, SIGN_INDETERMINATE, "FORMAT_FAILURE",
                      "the damaged cross-reference data is after this signature, outside what it "
                      "signs: what a reader shows of the later revisions is not certain");
}

size_t pades_find_signatures(pdf_doc *doc, uint32_t *nums, size_t max)
{
    pdf_value *trailer = doc->sections[0].trailer;
    pdf_value *catalog = pdf_resolve(doc, pdf_dict_get(trailer, "Root"), SIZE_MAX);
    pdf_value *acroform = pdf_resolve(doc, pdf_dict_get(catalog, "AcroForm"), SIZE_MAX);
    struct sig_list *list = calloc(1, sizeof *list);
    size_t visited = 0, count = 0;
    if (!list)
        return 0;
    collect_fields(doc, pdf_resolve(doc, pdf_dict_get(acroform, "Fields"), SIZE_MAX), 0, 0,
                   &visited, list);
    for (size_t i = 0; i < list->count && count < max; i++)
        nums[count++] = list->nums[i];
    free(list);
    return count;
}

void pades_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                  const sign_source *content)
{
    (void)content; /* the signed content is the PDF itself */
    pdf_doc doc;
    if (pdf_open(&doc, src) != 0) {
        sign_report_set_error(report, "cannot read the PDF: %s", doc.error);
        pdf_close(&doc);
        return;
    }
    pdf_value *trailer = doc.sections[0].trailer;
    if (pdf_dict_get(trailer, "Encrypt")) {
        sign_report_set_error(report, "the PDF is encrypted; segl does not validate encrypted PDFs");
        pdf_close(&doc);
        return;
    }
    pdf_value *catalog = pdf_resolve(&doc, pdf_dict_get(trailer, "Root"), SIZE_MAX);
    pdf_value *acroform = pdf_resolve(&doc, pdf_dict_get(catalog, "AcroForm"), SIZE_MAX);
    struct sig_list list = {.count = 0};
    size_t visited = 0;
    collect_fields(&doc, pdf_resolve(&doc, pdf_dict_get(acroform, "Fields"), SIZE_MAX), 0, 0,
                   &visited, &list);

    /* document timestamps first: they are proofs of existence for the signatures before them
     * (reported as their "archive" timestamps), not signatures of their own */
    struct ltv ltv = {.certs = NULL};
    load_dss(ctx, &doc, catalog, &ltv);
    ltv.timestamps = calloc(list.count ? list.count : 1, sizeof *ltv.timestamps);
    if (!ltv.timestamps) {
        sign_report_set_error(report, "out of memory");
        ltv_free(&ltv);
        pdf_close(&doc);
        return;
    }
    struct found_sig found[MAX_SIGNATURES];
    sign_sig *sigs[MAX_SIGNATURES];
    size_t count = 0;
    for (size_t i = 0; i < list.count; i++)
        if (is_doc_timestamp(&doc, list.nums[i]))
            check_doc_timestamp(ctx, &doc, list.nums[i], &ltv.timestamps[ltv.timestamp_count++]);
    for (size_t i = 0; i < list.count; i++) {
        if (is_doc_timestamp(&doc, list.nums[i]))
            continue;
        found[count] = (struct found_sig){.num = list.nums[i]};
        sigs[count] = sign_report_add_sig(report);
        if (!sigs[count]) {
            sign_report_set_error(report, "out of memory");
            ltv_free(&ltv);
            pdf_close(&doc);
            return;
        }
        check_one(ctx, &doc, &found[count], sigs[count], &ltv);
        count++;
    }
    if (count == 0 && ltv.timestamp_count > 0)
        report_timestamps_only(&doc, report, &ltv);
    ltv_free(&ltv);
    /* ISO 32000-1 12.8.2.2.1: a certification signature is the first signature of the
     * document; a DocMDP reference on a later one is a certification attack. */
    size_t first_end = SIZE_MAX;
    for (size_t i = 0; i < count; i++)
        if (found[i].signed_end && found[i].signed_end < first_end)
            first_end = found[i].signed_end;
    /* the permissions of every signature bind the revisions after it (pades_mdp.c) */
    pades_perms *perms = NULL;
    pades_changes *changes = NULL;
    if (pades_perms_new(&perms, &doc) != 0 || pades_changes_new(&changes, &doc, perms) != 0) {
        sign_report_set_error(report, "out of memory");
        pades_perms_free(perms);
        pdf_close(&doc);
        return;
    }
    for (size_t i = 0; i < count; i++)
        if (found[i].signed_end)
            pades_perms_add_signature(perms, found[i].num, found[i].signed_end, found[i].docmdp);
    for (size_t i = 0; i < count; i++) {
        if (!found[i].signed_end)
            continue;
        if (found[i].docmdp && found[i].signed_end != first_end)
            sign_sig_fail(sigs[i], SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "a certification (DocMDP) signature that is not the first signature");
        pades_check_modifications(changes, found[i].signed_end, sigs[i]);
    }
    for (size_t i = 0; i < count; i++)
        report_reading(&doc, sigs[i], found[i].signed_end);
    size_t signed_ends[MAX_SIGNATURES]; /* pades_visual.c: what the pages looked like when signed */
    for (size_t i = 0; i < count; i++)
        signed_ends[i] = found[i].signed_end;
    pades_visual_check(ctx, &doc, signed_ends, sigs, count);
    pades_changes_free(changes);
    pades_perms_free(perms);
    pdf_close(&doc);
}
