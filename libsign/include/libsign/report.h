/* libsign: the validation result, modelled on ETSI EN 319 102-1 clause 5.1.3 (indications and
 * sub-indications) with the AdES level reached. */
#ifndef LIBSIGN_REPORT_H
#define LIBSIGN_REPORT_H

#include <stddef.h>
#include <time.h>
#include <libsign/common.h>
#include <libsign/oces.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ordered from best to worst, so the worst of several is their maximum. */
enum sign_indication {
    SIGN_TOTAL_PASSED = 0,
    SIGN_INDETERMINATE = 1,
    SIGN_TOTAL_FAILED = 2
};

typedef struct sign_report sign_report; /* one file */
typedef struct sign_sig sign_sig;       /* one signature in it; owned by the report */

SIGN_EXTERN void sign_report_free(sign_report *report);
/* Non-NULL when the file could not be read or parsed at all (the command exits 3). */
SIGN_EXTERN const char *sign_report_error(const sign_report *report);
SIGN_EXTERN const char *sign_report_format(const sign_report *report); /* "cades", ... or NULL */
SIGN_EXTERN size_t sign_report_count(const sign_report *report);
SIGN_EXTERN const sign_sig *sign_report_sig(const sign_report *report, size_t i);
/* The worst indication of the signatures; INDETERMINATE when there is none. */
SIGN_EXTERN enum sign_indication sign_report_indication(const sign_report *report);
/* JSON object as documented in segl-verify(1); file is the name to print. Caller frees *out. */
SIGN_EXTERN int sign_report_json(char **out, const sign_report *report, const char *file);
/* ETSI TS 119 102-2 XML validation report (namespace http://uri.etsi.org/19102/v1.2.1#), one
 * SignatureValidationReport per signature, as documented in segl-verify(1). file is the name to
 * record; validation_time the time the signatures were validated at. *out (free() it) holds *len
 * bytes of UTF-8 XML, NUL-terminated. */
SIGN_EXTERN int sign_report_etsi_xml(char **out, size_t *len, const sign_report *report,
                                     const char *file, time_t validation_time);

SIGN_EXTERN const char *sign_indication_name(enum sign_indication indication);

SIGN_EXTERN const char *sign_sig_id(const sign_sig *sig);
/* "signature", or "timestamp" for a timestamp token validated on its own (a PDF document
 * timestamp or an ASiC-S timestamp.tst with no signature). */
SIGN_EXTERN const char *sign_sig_kind(const sign_sig *sig);
/* The signature sig counter-signs (a XAdES CounterSignature), or NULL for a signature of the
 * document. The report's list holds both; JSON nests counter-signatures under their parent. */
SIGN_EXTERN const sign_sig *sign_sig_countersigned(const sign_sig *sig);
SIGN_EXTERN enum sign_indication sign_sig_indication(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_subindication(const sign_sig *sig); /* NULL when none */
SIGN_EXTERN const char *sign_sig_level(const sign_sig *sig);         /* NULL when none reached */
SIGN_EXTERN time_t sign_sig_signing_time(const sign_sig *sig);       /* (time_t)-1 when absent */
SIGN_EXTERN const char *sign_sig_signer_subject(const sign_sig *sig); /* RFC 2253, NULL if unknown */
SIGN_EXTERN const sign_oces_id *sign_sig_signer_oces(const sign_sig *sig); /* NULL if no signer cert */
/* One timestamp found on a signature (sign_sig_timestamp). The strings belong to the report. */
typedef struct sign_timestamp_info {
    const char *type;  /* "signature", or "archive" (an archive or a document timestamp) */
    time_t time;       /* the time the TSA asserts; (time_t)-1 when unreadable */
    int valid;         /* signature, imprint and TSA certificate all checked out */
    const char *tsa;   /* the TSA's subject (RFC 2253); NULL when unknown */
    const char *error; /* why it is not valid; NULL when valid */
} sign_timestamp_info;
SIGN_EXTERN size_t sign_sig_timestamp_count(const sign_sig *sig);
SIGN_EXTERN int sign_sig_timestamp(sign_timestamp_info *out, const sign_sig *sig, size_t i);
/* What the signature covers ("#id", "the whole document", a data object's name). */
SIGN_EXTERN size_t sign_sig_covered_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_covered(const sign_sig *sig, size_t i);
/* PAdES: "none", "allowed" or "disallowed" changes after the signature; NULL elsewhere. */
SIGN_EXTERN const char *sign_sig_modification(const sign_sig *sig);
/* PAdES: what changed after the signature, one line each (as "modification_details" in JSON). */
SIGN_EXTERN size_t sign_sig_modification_detail_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_modification_detail(const sign_sig *sig, size_t i);
/* PAdES visual comparison (sign_ctx_set_visual): 1 when the signed revision was compared with
 * the final document, then one entry per page that looks different. */
typedef struct sign_visual_change {
    unsigned page;                 /* 1-based */
    unsigned long long pixels;     /* pixels that differ (at the rendering scale, segl-verify(1)) */
    unsigned long long unexplained; /* of them, outside every allowed annotation's /Rect */
    double box[4];                 /* their bounds: x, y, width, height in PDF points */
    const unsigned char *png;      /* the page with the changes highlighted, or NULL */
    size_t png_len;
} sign_visual_change;
SIGN_EXTERN int sign_sig_visual_compared(const sign_sig *sig);
SIGN_EXTERN size_t sign_sig_visual_change_count(const sign_sig *sig);
SIGN_EXTERN int sign_sig_visual_change(sign_visual_change *out, const sign_sig *sig, size_t i);
/* Whether a signature's signer is qualified per the trusted lists: 1 yes, 0 no, -1 unknown (no
 * trusted list given, or the chain did not validate). */
SIGN_EXTERN int sign_sig_qualified(const sign_sig *sig);
/* With trusted lists: the details of the qualification as a JSON object (the "qc" of
 * segl-verify --json: QCStatements and the time they were judged at); NULL when unknown. */
SIGN_EXTERN const char *sign_sig_qualification_json(const sign_sig *sig);
/* OpenSign and NemLog-in SignedDocument: the sign text the signer was shown, as its MIME type
 * ("text/plain", "text/html", "application/xml", "application/pdf"; NULL when the format has
 * none) and, for text, the text itself in UTF-8 (NULL otherwise); and the properties shown to
 * the signer beside it (name, value), in document order. */
SIGN_EXTERN const char *sign_sig_sign_text_mime(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_sign_text(const sign_sig *sig);
SIGN_EXTERN size_t sign_sig_property_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_property_name(const sign_sig *sig, size_t i);
SIGN_EXTERN const char *sign_sig_property_value(const sign_sig *sig, size_t i);
SIGN_EXTERN size_t sign_sig_error_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_error(const sign_sig *sig, size_t i);
/* Warnings: what the user should act on (JSON "warnings"). */
SIGN_EXTERN size_t sign_sig_warning_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_warning(const sign_sig *sig, size_t i);
/* Information that asks nothing of the user (JSON "info"). */
SIGN_EXTERN size_t sign_sig_info_count(const sign_sig *sig);
SIGN_EXTERN const char *sign_sig_info_text(const sign_sig *sig, size_t i);
/* The facts behind the sub-indication, for a sentence a person reads ("the signer's
 * certificate was revoked on ..."). The strings belong to the report. */
enum sign_cause_kind {
    SIGN_CAUSE_NONE = 0,      /* no facts recorded: the sub-indication says all there is */
    SIGN_CAUSE_REVOKED,       /* certificate revoked at time */
    SIGN_CAUSE_EXPIRED,       /* certificate expired at time (its notAfter) */
    SIGN_CAUSE_NOT_YET_VALID, /* certificate valid only from time (its notBefore) */
    SIGN_CAUSE_NO_CHAIN       /* no path to a trust anchor: missing_issuer is what is lacking */
};
typedef struct sign_sig_cause_info {
    enum sign_cause_kind kind;
    /* REVOKED, REVOKED_NO_POE, REVOKED_CA_NO_POE: when the certificate was revoked;
     * OUT_OF_BOUNDS_NO_POE, NOT_YET_VALID: the certificate's own notAfter (expired) or notBefore
     * (not yet valid); (time_t)-1 otherwise */
    time_t time;
    /* the certificate concerned (RFC 2253 subject, UTF-8); NULL when none is named */
    const char *certificate;
    /* NO_CERTIFICATE_CHAIN_FOUND: the issuer of the last certificate reached, which no trust
     * anchor or given certificate supplies (RFC 2253, UTF-8); NULL otherwise */
    const char *missing_issuer;
} sign_sig_cause_info;
SIGN_EXTERN int sign_sig_cause(sign_sig_cause_info *out, const sign_sig *sig);

#ifdef __cplusplus
}
#endif

#endif
