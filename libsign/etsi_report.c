/* The validation result as an ETSI TS 119 102-2 XML validation report (v1.2.1 namespace): one
 * SignatureValidationReport per signature, the signer certificates as validation objects. */
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlwriter.h>
#include "internal.h"

#define VR_NS "http://uri.etsi.org/19102/v1.2.1#"
#define DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define SHA256_URI "http://www.w3.org/2001/04/xmlenc#sha256"
#define MAIN_INDICATION "urn:etsi:019102:mainindication:"
#define SUB_INDICATION "urn:etsi:019102:subindication:"
#define PROCESS "urn:etsi:019102:validationprocess:"
/* TS 119 102-2 4.3.5.2 (TypeOfProof): the POE was derived during validation. */
#define POE_VALIDATION "urn:etsi:019102:poetype:validation"
#define OBJECT_CERTIFICATE "urn:etsi:019102:validationObject:certificate"
/* segl's own ReportData types, for the reasons behind an indication. */
#define REPORT_ERROR "urn:segl:report:error"
#define REPORT_WARNING "urn:segl:report:warning"
#define CERT_ID_PREFIX "segl-cert-"

/* A writer that stops at its first error, so that the building code reads as the document. */
struct writer {
    xmlTextWriterPtr w;
    int failed;
};

static void check(struct writer *wr, int rc)
{
    if (rc < 0)
        wr->failed = 1;
}

static void start(struct writer *wr, const char *name)
{
    if (!wr->failed)
        check(wr, xmlTextWriterStartElement(wr->w, BAD_CAST name));
}

static void start_ds(struct writer *wr, const char *name)
{
    if (!wr->failed)
        check(wr, xmlTextWriterStartElementNS(wr->w, BAD_CAST "ds", BAD_CAST name, NULL));
}

static void end(struct writer *wr)
{
    if (!wr->failed)
        check(wr, xmlTextWriterEndElement(wr->w));
}

static void attribute(struct writer *wr, const char *name, const char *value)
{
    if (!wr->failed)
        check(wr, xmlTextWriterWriteAttribute(wr->w, BAD_CAST name, BAD_CAST value));
}

/* XML 1.0 section 2.2: the characters a document may hold. Anything else in a subject or a
 * message (invalid UTF-8, control characters) becomes '?' so that one odd input never makes
 * the whole report unreadable. Returns a malloc'd copy. */
static char *xml_safe(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)text;
    size_t o = 0;
    while (*p) {
        unsigned long cp;
        int n;
        if (*p < 0x80) {
            cp = *p;
            n = 1;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            n = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            n = 3;
        } else if ((*p & 0xF8) == 0xF0) {
            cp = *p & 0x07;
            n = 4;
        } else {
            cp = 0xFFFFFFFF;
            n = 1;
        }
        int ok = cp != 0xFFFFFFFF;
        for (int i = 1; ok && i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                ok = 0;
            else
                cp = (cp << 6) | (p[i] & 0x3F);
        }
        static const unsigned long min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
        if (ok && (cp < min_for_length[n] || (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) ||
                   (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF ||
                   cp > 0x10FFFF))
            ok = 0;
        if (ok) {
            memcpy(out + o, p, (size_t)n);
            o += (size_t)n;
            p += n;
        } else {
            out[o++] = '?';
            p++;
        }
    }
    out[o] = '\0';
    return out;
}

static void text_element(struct writer *wr, const char *name, const char *text)
{
    char *safe = xml_safe(text);
    if (!safe) {
        wr->failed = 1;
        return;
    }
    start(wr, name);
    if (!wr->failed)
        check(wr, xmlTextWriterWriteString(wr->w, BAD_CAST safe));
    end(wr);
    free(safe);
}

static void time_element(struct writer *wr, const char *name, time_t t)
{
    char text[21];
    sign_format_time(text, t);
    text_element(wr, name, text);
}

/* XAdES DigestAlgAndValueType: ds:DigestMethod and ds:DigestValue. */
static void digest_element(struct writer *wr, const char *name, const unsigned char sha256[32])
{
    start(wr, name);
    start_ds(wr, "DigestMethod");
    attribute(wr, "Algorithm", SHA256_URI);
    end(wr);
    start_ds(wr, "DigestValue");
    if (!wr->failed)
        check(wr, xmlTextWriterWriteBase64(wr->w, (const char *)sha256, 0, 32));
    end(wr);
    end(wr);
}

static void cert_id(char out[sizeof CERT_ID_PREFIX + 64], const unsigned char sha256[32])
{
    memcpy(out, CERT_ID_PREFIX, sizeof CERT_ID_PREFIX - 1);
    for (int i = 0; i < 32; i++)
        snprintf(out + sizeof CERT_ID_PREFIX - 1 + 2 * i, 3, "%02x", sha256[i]);
}

/* A signature's id may be given as the xs:ID attribute of its SignatureIdentifier only when it
 * is an NCName that no other id of the document takes (XML Schema Part 2, 3.3.8). */
static int id_usable(const sign_report *report, size_t index)
{
    const char *id = sign_sig_id(sign_report_sig(report, index));
    if (!((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z') || id[0] == '_'))
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return 0;
    if (strncmp(id, CERT_ID_PREFIX, sizeof CERT_ID_PREFIX - 1) == 0)
        return 0;
    for (size_t j = 0; j < index; j++)
        if (strcmp(sign_sig_id(sign_report_sig(report, j)), id) == 0)
            return 0;
    return 1;
}

/* The earliest time a valid timestamp proves the signature existed, or (time_t)-1. */
static time_t earliest_poe(const sign_sig *sig)
{
    time_t best = (time_t)-1;
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) == SIGN_OK && ts.valid &&
            ts.time != (time_t)-1 && (best == (time_t)-1 || ts.time < best))
            best = ts.time;
    }
    return best;
}

/* TS 119 102-2 4.3.9: which EN 319 102-1 process ran. A signature with an archive timestamp is
 * validated with the LTA process (5.6), one with a signature timestamp or long-term validation
 * material with the LTVM process (5.5), any other with the basic process (5.3). */
static const char *process_id(const sign_sig *sig)
{
    int archive = 0, signature = 0;
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) != SIGN_OK)
            continue;
        if (strcmp(ts.type, "archive") == 0)
            archive = 1;
        else
            signature = 1;
    }
    const char *level = sign_sig_level(sig);
    if (archive || (level && strstr(level, "-LTA")))
        return PROCESS "LTA";
    if (signature || (level && (strstr(level, "-LT") || strstr(level, "-T"))))
        return PROCESS "LTVM";
    return PROCESS "Basic";
}

static const char *main_indication(enum sign_indication indication)
{
    switch (indication) {
    case SIGN_TOTAL_PASSED: return MAIN_INDICATION "total-passed";
    case SIGN_TOTAL_FAILED: return MAIN_INDICATION "total-failed";
    case SIGN_INDETERMINATE: break;
    }
    return MAIN_INDICATION "indeterminate";
}

static void time_info(struct writer *wr, time_t validation_time, time_t poe)
{
    start(wr, "ValidationTimeInfo");
    time_element(wr, "ValidationTime", validation_time);
    /* EN 319 102-1 5.6.2.1: without a proof of existence the best-signature-time is the
     * validation time itself. */
    start(wr, "BestSignatureTime");
    time_element(wr, "POETime", poe != (time_t)-1 ? poe : validation_time);
    text_element(wr, "TypeOfProof", POE_VALIDATION);
    end(wr);
    end(wr);
}

/* TS 119 102-2 4.3.7 AdditionalValidationReportData: segl's reasons, errors first. */
static void reasons(struct writer *wr, const char *const *errors, size_t error_count,
                    const sign_sig *sig)
{
    size_t sig_errors = sig ? sign_sig_error_count(sig) : 0;
    size_t sig_warnings = sig ? sign_sig_warning_count(sig) : 0;
    if (error_count + sig_errors + sig_warnings == 0)
        return;
    start(wr, "AssociatedValidationReportData");
    start(wr, "AdditionalValidationReportData");
    for (size_t i = 0; i < error_count + sig_errors + sig_warnings; i++) {
        int is_error = i < error_count + sig_errors;
        const char *message = i < error_count ? errors[i]
                              : is_error      ? sign_sig_error(sig, i - error_count)
                                              : sign_sig_warning(sig, i - error_count - sig_errors);
        start(wr, "ReportData");
        text_element(wr, "Type", is_error ? REPORT_ERROR : REPORT_WARNING);
        text_element(wr, "Value", message ? message : "");
        end(wr);
    }
    end(wr);
    end(wr);
}

static void timestamp_attributes(struct writer *wr, const sign_sig *sig)
{
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) != SIGN_OK || ts.time == (time_t)-1)
            continue;
        const char *element = strcmp(ts.type, "signature") == 0 ? "SignatureTimeStamp"
                              : strcmp(ts.type, "archive") == 0 ? "ArchiveTimeStamp"
                              : strcmp(ts.type, "document") == 0 ? "DocTimeStamp"
                                                              : NULL;
        if (!element)
            continue;
        start(wr, element);
        attribute(wr, "Signed", "false");
        time_element(wr, "TimeStampValue", ts.time);
        end(wr);
    }
}

static int has_attributes(const sign_sig *sig)
{
    if (sign_sig_signing_time(sig) != (time_t)-1)
        return 1;
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) == SIGN_OK && ts.time != (time_t)-1 &&
            (strcmp(ts.type, "signature") == 0 || strcmp(ts.type, "archive") == 0 ||
             strcmp(ts.type, "document") == 0))
            return 1;
    }
    return 0;
}

/* TS 119 102-2 4.3: one signature. */
static void signature_report(struct writer *wr, const sign_report *report, size_t index,
                             time_t validation_time)
{
    const sign_sig *sig = sign_report_sig(report, index);
    start(wr, "SignatureValidationReport");

    /* 4.3.2: the signature value's digest identifies the signature wherever it is kept. */
    start(wr, "SignatureIdentifier");
    if (id_usable(report, index))
        attribute(wr, "id", sign_sig_id(sig));
    const unsigned char *value_digest = sign_sig_value_sha256(sig);
    if (value_digest)
        digest_element(wr, "DigestAlgAndValue", value_digest);
    text_element(wr, "HashOnly", "false");
    text_element(wr, "DocHashOnly", "false");
    text_element(wr, "DAIdentifier", sign_sig_id(sig));
    end(wr);

    time_info(wr, validation_time, earliest_poe(sig));

    if (has_attributes(sig)) { /* 4.3.5 and annex A: SigningTime is what the signer claims */
        start(wr, "SignatureAttributes");
        if (sign_sig_signing_time(sig) != (time_t)-1) {
            start(wr, "SigningTime");
            attribute(wr, "Signed", "true");
            time_element(wr, "Time", sign_sig_signing_time(sig));
            end(wr);
        }
        timestamp_attributes(wr, sig);
        end(wr);
    }

    const unsigned char *signer_digest = sign_sig_signer_sha256(sig);
    if (signer_digest) { /* 4.3.6: the certificate is a validation object, referenced by id */
        char id[sizeof CERT_ID_PREFIX + 64];
        cert_id(id, signer_digest);
        start(wr, "SignerInformation");
        start(wr, "SignerCertificate");
        attribute(wr, "VOReference", id);
        end(wr);
        const char *subject = sign_sig_signer_subject(sig);
        if (subject && *subject)
            text_element(wr, "Signer", subject);
        end(wr);
    }

    start(wr, "SignatureValidationProcess");
    text_element(wr, "SignatureValidationProcessID", process_id(sig));
    end(wr);

    start(wr, "SignatureValidationStatus");
    text_element(wr, "MainIndication", main_indication(sign_sig_indication(sig)));
    const char *sub = sign_sig_subindication(sig);
    if (sub && sign_sig_indication(sig) != SIGN_TOTAL_PASSED) {
        char uri[128];
        snprintf(uri, sizeof uri, SUB_INDICATION "%s", sub);
        text_element(wr, "SubIndication", uri);
    }
    reasons(wr, NULL, 0, sig);
    end(wr);

    end(wr);
}

/* No signature to report on (the file could not be read or held none): the schema still wants
 * one SignatureValidationReport, which says INDETERMINATE and why. segl never reports a file it
 * could not read as TOTAL_FAILED: nothing was validated. */
static void no_signature_report(struct writer *wr, const char *why, time_t validation_time)
{
    start(wr, "SignatureValidationReport");
    time_info(wr, validation_time, (time_t)-1);
    start(wr, "SignatureValidationStatus");
    text_element(wr, "MainIndication", main_indication(SIGN_INDETERMINATE));
    reasons(wr, &why, 1, NULL);
    end(wr);
    end(wr);
}

/* 4.4: each distinct signer certificate once, by digest. */
static void validation_objects(struct writer *wr, const sign_report *report)
{
    int started = 0;
    for (size_t i = 0; i < sign_report_count(report); i++) {
        const unsigned char *digest = sign_sig_signer_sha256(sign_report_sig(report, i));
        if (!digest)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            const unsigned char *earlier = sign_sig_signer_sha256(sign_report_sig(report, j));
            seen = earlier && memcmp(earlier, digest, 32) == 0;
        }
        if (seen)
            continue;
        if (!started) {
            start(wr, "SignatureValidationObjects");
            started = 1;
        }
        char id[sizeof CERT_ID_PREFIX + 64];
        cert_id(id, digest);
        start(wr, "ValidationObject");
        attribute(wr, "id", id);
        text_element(wr, "ObjectType", OBJECT_CERTIFICATE);
        start(wr, "ValidationObject");
        digest_element(wr, "DigestAlgAndValue", digest);
        end(wr);
        end(wr);
    }
    if (started)
        end(wr);
}

/* The input's name goes in a comment: the report has no element for it. A comment may not hold
 * "--", nor end in "-". */
static void name_comment(struct writer *wr, const char *file)
{
    char *safe = xml_safe(file);
    if (!safe) {
        wr->failed = 1;
        return;
    }
    for (char *p = safe; *p; p++)
        if (*p == '-' && (p[1] == '-' || p[1] == '\0'))
            *p = '_';
    size_t len = strlen(safe) + 32;
    char *comment = malloc(len);
    if (comment) {
        snprintf(comment, len, " segl-verify: %s ", safe);
        if (!wr->failed)
            check(wr, xmlTextWriterWriteComment(wr->w, BAD_CAST comment));
    } else {
        wr->failed = 1;
    }
    free(comment);
    free(safe);
}

SIGN_EXTERN int sign_report_etsi_xml(char **out, size_t *len, const sign_report *report,
                                     const char *file, time_t validation_time)
{
    if (!out || !len || !report)
        return SIGN_EINVAL;
    *out = NULL;
    *len = 0;
    xmlBufferPtr buffer = xmlBufferCreate();
    struct writer wr = {buffer ? xmlNewTextWriterMemory(buffer, 0) : NULL, 0};
    if (!wr.w) {
        xmlBufferFree(buffer);
        return SIGN_ENOMEM;
    }
    check(&wr, xmlTextWriterSetIndent(wr.w, 1));
    if (!wr.failed)
        check(&wr, xmlTextWriterStartDocument(wr.w, "1.0", "UTF-8", NULL));
    if (file)
        name_comment(&wr, file);
    if (!wr.failed)
        check(&wr, xmlTextWriterStartElementNS(wr.w, NULL, BAD_CAST "ValidationReport",
                                               BAD_CAST VR_NS));
    attribute(&wr, "xmlns:ds", DS_NS);
    const char *error = sign_report_error(report);
    if (error)
        no_signature_report(&wr, error, validation_time);
    else if (sign_report_count(report) == 0)
        no_signature_report(&wr, "no signature found", validation_time);
    for (size_t i = 0; !error && i < sign_report_count(report); i++)
        signature_report(&wr, report, i, validation_time);
    if (!error)
        validation_objects(&wr, report);
    end(&wr);
    if (!wr.failed)
        check(&wr, xmlTextWriterEndDocument(wr.w));
    xmlFreeTextWriter(wr.w); /* flushes into buffer */
    int rc = SIGN_ENOMEM;
    if (!wr.failed) {
        size_t size = (size_t)xmlBufferLength(buffer);
        *out = malloc(size + 1);
        if (*out) {
            memcpy(*out, xmlBufferContent(buffer), size);
            (*out)[size] = '\0';
            *len = size;
            rc = SIGN_OK;
        }
    }
    xmlBufferFree(buffer);
    return rc;
}
