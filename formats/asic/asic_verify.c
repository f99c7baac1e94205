/* Validating ASiC containers (ETSI EN 319 162-1). The container's structure is checked first
 * (asic_open); then every signature in it is validated by the CAdES module, given the members as
 * sources (asic_member_source), or by the XAdES module reading the data objects straight from
 * the container (asic_open_member), and what each signature covers is matched against the data
 * objects; nothing is extracted. A data object that no signature covers fails the container: a
 * reader of the container sees it beside the signed ones, and anyone can add one to a signed
 * container without breaking a signature. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include "asic.h"
#include "formats/xades/xades.h"

#define ODF_MANIFEST_NS "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

struct verify_job {
    const sign_ctx *ctx;
    sign_report *report;
    struct asic_container c;
};

static sign_sig *report_sig(sign_report *report, size_t i)
{
    return (sign_sig *)sign_report_sig(report, i); /* the report is ours to fill */
}

static int starts_ends(const char *name, const char *prefix, const char *suffix)
{
    size_t len = strlen(name), pre = strlen(prefix), suf = strlen(suffix);
    return len >= pre + suf && strncmp(name, prefix, pre) == 0 &&
           strcmp(name + len - suf, suffix) == 0;
}

/* A signature that could not even be validated: it still shows in the report, failed. */
static void broken_signature(struct verify_job *job, const char *fmt, ...) SIGN_PRINTF(2, 3);
static void broken_signature(struct verify_job *job, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    sign_sig *sig = sign_report_add_sig(job->report);
    if (sig)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "%s", message);
}

static void mark_covered(struct verify_job *job, size_t first, const char *name)
{
    struct asic_entry *e = (struct asic_entry *)asic_find(&job->c, name);
    if (e)
        e->covered = 1;
    for (size_t i = first; i < sign_report_count(job->report); i++)
        sign_sig_add_covered(report_sig(job->report, i), "%s", name);
}

/* Fail every signature added to the report since first. */
static void fail_new(struct verify_job *job, size_t first, enum sign_indication indication,
                     const char *sub, const char *fmt, ...) SIGN_PRINTF(5, 6);
static void fail_new(struct verify_job *job, size_t first, enum sign_indication indication,
                     const char *sub, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    for (size_t i = first; i < sign_report_count(job->report); i++)
        sign_sig_fail(report_sig(job->report, i), indication, sub, "%s", message);
}

/* ASiC-S: the one data object (asic_zip.c has checked that there is one), or NULL. */
static const struct asic_entry *data_object(const struct verify_job *job)
{
    const struct asic_entry *data = NULL;
    for (size_t i = 0; i < job->c.count; i++)
        if (job->c.entries[i].role == ASIC_ROLE_DATA)
            data = &job->c.entries[i];
    return data;
}

/* ---------------------------------------------------------------- CAdES */

/* ASiC-S: META-INF/signature.p7s signs the one data object (EN 319 162-1 4.3.3). */
static void verify_cades_s(struct verify_job *job, const struct asic_entry *sig_entry)
{
    const struct asic_entry *data = data_object(job);
    char why[512];
    sign_source *signature = asic_member_source(&job->c, sig_entry, why, sizeof why);
    sign_source *content = signature ? asic_member_source(&job->c, data, why, sizeof why) : NULL;
    if (!content) {
        sign_report_set_error(job->report, "%s", why);
    } else {
        size_t first = sign_report_count(job->report);
        sign_format_cades.verify(job->ctx, job->report, signature, content);
        mark_covered(job, first, data->name);
    }
    sign_source_free(content);
    sign_source_free(signature);
}

/* ASiC-E: META-INF/ASiCManifest*.xml names a signature*.p7s that signs it, and lists the data
 * objects with their digests (EN 319 162-1 4.4.3, A.4). */
static void verify_cades_manifest(struct verify_job *job, const struct asic_entry *manifest_entry,
                                  int *used)
{
    char why[512];
    unsigned char *bytes = NULL;
    size_t len = 0;
    struct asic_manifest m;
    if (asic_read_meta(&job->c, manifest_entry, &bytes, &len, why, sizeof why) != 0 ||
        asic_manifest_parse(bytes, len, &m, why, sizeof why) != 0) {
        broken_signature(job, "%s: %s", manifest_entry->name, why);
        free(bytes);
        return;
    }
    const struct asic_entry *sig_entry = asic_find(&job->c, m.sig_reference);
    sign_source *signature = NULL, *manifest = NULL;
    if (!sig_entry || sig_entry->role != ASIC_ROLE_META ||
        !starts_ends(sig_entry->name, "META-INF/", ".p7s")) {
        broken_signature(job, "%s names the signature %s, which is not a META-INF/*.p7s in the "
                              "container", manifest_entry->name, m.sig_reference);
        goto done;
    }
    used[sig_entry - job->c.entries] = 1;
    signature = asic_member_source(&job->c, sig_entry, why, sizeof why);
    manifest = signature ? sign_source_from_memory(bytes, len, manifest_entry->name) : NULL;
    if (!manifest) {
        sign_report_set_error(job->report, "%s", signature ? "out of memory" : why);
        goto done;
    }
    size_t first = sign_report_count(job->report);
    sign_format_cades.verify(job->ctx, job->report, signature, manifest);
    /* Which manifest a signature signs is a fact for the record, not a call to act: info. */
    for (size_t i = first; i < sign_report_count(job->report); i++)
        sign_sig_info(report_sig(job->report, i), "signed: %s, signature %s", manifest_entry->name,
                      sig_entry->name);
    for (size_t r = 0; r < m.count; r++) {
        const struct asic_reference *ref = &m.refs[r];
        const struct asic_entry *e = asic_find(&job->c, ref->name);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        if (!e || e->role != ASIC_ROLE_DATA) {
            fail_new(job, first, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                     "the signed manifest lists %s, which is not a data object of the container",
                     ref->name);
        } else if (!ref->md) {
            fail_new(job, first, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                     "the signed manifest digests %s with an unknown algorithm", ref->name);
        } else if (asic_digest_entry(&job->c, e, ref->md, digest, &digest_len, why, sizeof why) != 0) {
            fail_new(job, first, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND", "%s", why);
        } else if (digest_len != ref->digest_len || memcmp(digest, ref->digest, digest_len) != 0) {
            fail_new(job, first, SIGN_TOTAL_FAILED, "HASH_FAILURE",
                     "the data object %s does not match the digest in the signed manifest",
                     ref->name);
        } else {
            if (ref->weak)
                fail_new(job, first, SIGN_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                         "the signed manifest digests %s with SHA-1, no longer reliable",
                         ref->name);
            mark_covered(job, first, ref->name);
        }
    }
done:
    sign_source_free(manifest);
    sign_source_free(signature);
    asic_manifest_clear(&m);
    free(bytes);
}

/* ---------------------------------------------------------------- XAdES */

/* One ds:Signature of an asic:XAdESSignatures, as a document of its own (what the XAdES module
 * validates), with every namespace in scope where it was, so that an inclusive canonicalisation
 * gives the same bytes. */
static int standalone_signature(xmlNodePtr signature, unsigned char **out, int *len)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr copy = doc ? xmlDocCopyNode(signature, doc, 1) : NULL;
    if (!copy) {
        xmlFreeDoc(doc);
        return -1;
    }
    xmlDocSetRootElement(doc, copy);
    xmlNsPtr *in_scope = xmlGetNsList(signature->doc, signature);
    for (xmlNsPtr *ns = in_scope; ns && *ns; ns++)
        if (!xmlSearchNs(doc, copy, (*ns)->prefix))
            xmlNewNs(copy, (*ns)->href, (*ns)->prefix);
    xmlFree(in_scope);
    xmlChar *mem = NULL;
    xmlDocDumpMemoryEnc(doc, &mem, len, "UTF-8");
    xmlFreeDoc(doc);
    *out = mem;
    return mem ? 0 : -1;
}

/* The data objects a ds:Signature's detached references name. */
static void xades_covers(struct verify_job *job, xmlNodePtr signature)
{
    xmlNodePtr signed_info = sign_xml_child(signature, XADES_DSIG_NS, "SignedInfo");
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); ref;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        char *name = uri && uri[0] && uri[0] != '#' ? xmlURIUnescapeString((char *)uri, 0, NULL)
                                                     : NULL;
        struct asic_entry *e = name ? (struct asic_entry *)asic_find(&job->c, name) : NULL;
        if (e && e->role == ASIC_ROLE_DATA)
            e->covered = 1; /* the XAdES module lists it in "covers" when its digest matches */
        free(name);
        xmlFree(uri);
    }
}

/* META-INF/signatures*.xml: an asic:XAdESSignatures holding detached XAdES signatures whose
 * references name data objects (EN 319 162-1 4.3.2, 4.4.2). */
static void verify_xades(struct verify_job *job, const struct asic_entry *entry)
{
    char why[512];
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (asic_read_meta(&job->c, entry, &bytes, &len, why, sizeof why) != 0) {
        broken_signature(job, "%s: %s", entry->name, why);
        free(bytes);
        return;
    }
    xmlDocPtr doc = sign_xml_parse(bytes, len, why, sizeof why);
    free(bytes);
    if (!doc) {
        broken_signature(job, "%s: %s", entry->name, why);
        return;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!sign_xml_is(root, ASIC_NS, "XAdESSignatures")) {
        broken_signature(job, "%s: %s", entry->name, "the root element is not asic:XAdESSignatures");
        xmlFreeDoc(doc);
        return;
    }
    int count = 0;
    struct xades_content content = {.open = asic_open_member, .arg = &job->c};
    for (xmlNodePtr signature = sign_xml_child(root, XADES_DSIG_NS, "Signature"); signature;
         signature = sign_xml_next(signature, XADES_DSIG_NS, "Signature"), count++) {
        unsigned char *standalone = NULL;
        int standalone_len = 0;
        if (standalone_signature(signature, &standalone, &standalone_len) != 0) {
            broken_signature(job, "%s: %s", entry->name, "cannot copy a signature out");
            xmlFree(standalone);
            continue;
        }
        xades_verify_memory(job->ctx, job->report, standalone, (size_t)standalone_len, &content);
        xmlFree(standalone);
        xades_covers(job, signature);
    }
    if (count == 0)
        broken_signature(job, "%s: %s", entry->name, "no ds:Signature in it");
    xmlFreeDoc(doc);
}

/* META-INF/manifest.xml (ODF style, as DigiDoc writes it) is not signed; when present it must
 * still agree with the container, or readers that trust it would see something else. */
static void check_odf_manifest(struct verify_job *job, const struct asic_entry *entry)
{
    char why[512];
    unsigned char *bytes = NULL;
    size_t len = 0;
    xmlDocPtr doc = asic_read_meta(&job->c, entry, &bytes, &len, why, sizeof why) == 0
                        ? sign_xml_parse(bytes, len, why, sizeof why)
                        : NULL;
    free(bytes);
    const char *problem = NULL;
    char detail[600] = "";
    if (!doc) {
        problem = why;
    } else {
        size_t listed = 0;
        xmlNodePtr root = xmlDocGetRootElement(doc);
        for (xmlNodePtr fe = sign_xml_child(root, ODF_MANIFEST_NS, "file-entry"); fe && !problem;
             fe = sign_xml_next(fe, ODF_MANIFEST_NS, "file-entry")) {
            xmlChar *full = xmlGetNsProp(fe, BAD_CAST "full-path", BAD_CAST ODF_MANIFEST_NS);
            if (full && strcmp((char *)full, "/") != 0) {
                const struct asic_entry *e = asic_find(&job->c, (char *)full);
                if (!e || e->role != ASIC_ROLE_DATA) {
                    snprintf(detail, sizeof detail, "it lists %s, which the container does not hold",
                             (char *)full);
                    problem = detail;
                }
                listed++;
            }
            xmlFree(full);
        }
        size_t data = 0;
        for (size_t i = 0; i < job->c.count; i++)
            data += job->c.entries[i].role == ASIC_ROLE_DATA;
        if (!problem && listed != data)
            problem = "it does not list every data object once";
    }
    xmlFreeDoc(doc);
    if (problem)
        for (size_t i = 0; i < sign_report_count(job->report); i++)
            sign_sig_warn(report_sig(job->report, i), "META-INF/manifest.xml: %s", problem);
}

/* ---------------------------------------------------------------- timestamp only */

struct member_digest {
    struct verify_job *job;
    const struct asic_entry *entry;
};

static int digest_member(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                         void *arg)
{
    const struct member_digest *m = arg;
    char why[256];
    return asic_digest_entry(&m->job->c, m->entry, md, digest, digest_len, why, sizeof why) == 0;
}

/* EN 319 162-1 4.3.3 (ASiC-S with a time assertion): META-INF/timestamp.tst is an RFC 3161
 * token whose imprint is over the one data object. It is reported as an entry of kind
 * "timestamp", validated with its TSA's chain (libsign's sign_sig_from_timestamp). */
static void verify_timestamp_s(struct verify_job *job, const struct asic_entry *token_entry)
{
    const struct asic_entry *data = data_object(job);
    char why[512];
    unsigned char *token = NULL;
    size_t token_len = 0;
    if (asic_read_meta(&job->c, token_entry, &token, &token_len, why, sizeof why) != 0) {
        broken_signature(job, "%s: %s", token_entry->name, why);
        free(token);
        return;
    }
    sign_sig *sig = sign_report_add_sig(job->report);
    if (!sig) {
        sign_report_set_error(job->report, "out of memory");
        free(token);
        return;
    }
    sign_timestamp_result result;
    struct member_digest member = {job, data};
    sign_timestamp_check_with(job->ctx, token, token_len, digest_member, &member, &result);
    sign_sig_from_timestamp(sig, token, token_len, &result);
    free(token);
    /* what the token claims to cover; whether it does is its verdict */
    mark_covered(job, sign_report_count(job->report) - 1, data->name);
}

/* ---------------------------------------------------------------- the container */

void asic_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                 const sign_source *content)
{
    struct verify_job job = {.ctx = ctx, .report = report};
    char why[512];
    if (content) {
        sign_report_set_error(report, "an ASiC container carries its data objects: separate "
                                      "content does not apply");
        return;
    }
    if (asic_open(&job.c, src, why, sizeof why) != 0) {
        sign_report_set_error(report, "%s", why);
        return;
    }
    int *used = calloc(job.c.count, sizeof *used);
    const struct asic_entry *odf_manifest = NULL;
    if (!used) {
        sign_report_set_error(report, "out of memory");
        goto done;
    }
    if (job.c.kind == ASIC_S) {
        const struct asic_entry *p7s = asic_find(&job.c, "META-INF/signature.p7s");
        const struct asic_entry *xml = asic_find(&job.c, "META-INF/signatures.xml");
        const struct asic_entry *tst = asic_find(&job.c, "META-INF/timestamp.tst");
        if (p7s && xml) {
            sign_report_set_error(report, "an ASiC-S holds exactly one of META-INF/signature.p7s "
                                          "and META-INF/signatures.xml");
            goto done;
        }
        if (p7s || xml) {
            if (p7s)
                verify_cades_s(&job, p7s);
            else
                verify_xades(&job, xml);
            used[(p7s ? p7s : xml) - job.c.entries] = 1;
        } else if (tst && tst->role == ASIC_ROLE_META) {
            verify_timestamp_s(&job, tst);
            used[tst - job.c.entries] = 1;
        }
    } else {
        for (size_t i = 0; i < job.c.count; i++) {
            const struct asic_entry *e = &job.c.entries[i];
            if (e->role != ASIC_ROLE_META)
                continue;
            if (starts_ends(e->name, "META-INF/", ".xml") && strstr(e->name + 9, "ASiCManifest") == e->name + 9) {
                used[i] = 1;
                verify_cades_manifest(&job, e, used);
            } else if (starts_ends(e->name, "META-INF/signatures", ".xml")) {
                used[i] = 1;
                verify_xades(&job, e);
            }
        }
        for (size_t i = 0; i < job.c.count; i++)
            if (!used[i] && starts_ends(job.c.entries[i].name, "META-INF/", ".p7s"))
                broken_signature(&job, "%s is named by no ASiCManifest: what it signs is unknown",
                                 job.c.entries[i].name);
    }
    if (sign_report_error(report))
        goto done;
    if (sign_report_count(report) == 0)
        goto done; /* a container with no signature: no entry, the documented exit status 2 */
    if (job.c.mimetype_extra)
        for (size_t i = 0; i < sign_report_count(report); i++)
            sign_sig_warn(report_sig(report, i), "the mimetype entry has an extra field, which "
                                                 "EN 319 162-1 A.1 does not allow (read anyway)");
    odf_manifest = asic_find(&job.c, "META-INF/manifest.xml");
    if (odf_manifest)
        check_odf_manifest(&job, odf_manifest);
    for (size_t i = 0; i < job.c.count; i++) {
        const struct asic_entry *e = &job.c.entries[i];
        if (e->role == ASIC_ROLE_DATA && !e->covered)
            fail_new(&job, 0, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                     "the data object %s is signed by no signature in the container", e->name);
        else if (e->role == ASIC_ROLE_META && !used[i] && e != odf_manifest)
            for (size_t s = 0; s < sign_report_count(report); s++)
                sign_sig_warn(report_sig(report, s), "%s is not used by segl", e->name);
    }
done:
    free(used);
    asic_close(&job.c);
}
