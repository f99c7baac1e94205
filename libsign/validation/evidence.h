/* What a format hands the validation core for one signature, and the one call that validates it.
 *
 * A format module parses a signature and finds the evidence: which certificate signed, what the
 * signature claims, which time-stamps it carries (each already checked over the data it covers,
 * since only the format knows that data), and the validation data it carries. The rules of
 * ETSI EN 319 102-1 that depend on time, trust or level are applied once, here in
 * libsign/validation/, to every format alike: process.c runs the process, path.c and
 * revocation.c validate the signer's certificate, poe.c finds the proof of existence,
 * with_time.c compares the claimed signing time, level.c names the level reached.
 *
 * The format still records on the signature what only it can judge: the signature value and
 * the digests over the signed data (5.2.7), its format findings (5.2.2) and the signing
 * certificate reference (5.2.3). Internal to libsign and the format modules. */
#ifndef SEGL_LIBSIGN_VALIDATION_EVIDENCE_H
#define SEGL_LIBSIGN_VALIDATION_EVIDENCE_H

#include "libsign/internal.h"

/* The AdES family a signature belongs to, which names its levels (EN 319 122-1 CAdES,
 * EN 319 132-1 XAdES, EN 319 142-1 PAdES). */
enum sign_family { SIGN_FAMILY_CADES, SIGN_FAMILY_XADES, SIGN_FAMILY_PADES };

/* What a time-stamp is over, which decides what it proves (poe.c). */
enum sign_timestamp_kind {
    /* the signature value: EN 319 122-1 5.3 signature-time-stamp, EN 319 132-1 5.3
     * SignatureTimeStamp */
    SIGN_TIMESTAMP_SIGNATURE,
    /* the signature and the validation data it carries: EN 319 122-1 5.5.3
     * archive-time-stamp-v3, EN 319 132-1 5.5.2 ArchiveTimeStamp */
    SIGN_TIMESTAMP_ARCHIVE,
    /* a PDF revision after the signature, so the signature and whatever that revision holds:
     * EN 319 142-1 5.4.3 document time-stamp */
    SIGN_TIMESTAMP_DOCUMENT,
};

typedef struct sign_evidence_timestamp {
    enum sign_timestamp_kind kind;
    /* The token checked over the data it covers (timestamp.c). */
    sign_timestamp_result result;
    /* Archive and document time-stamps: it covers the certificates and revocation data the
     * signature carries (what makes B-LTA). */
    int covers_validation_data;
    /* Non-NULL: the format found a time-stamp container with no token it can check, and says so
     * in its words ("a SignatureTimeStamp without EncapsulatedTimeStamp"); result is unused. */
    const char *no_token;
} sign_evidence_timestamp;

typedef struct sign_evidence {
    enum sign_family family;
    /* NULL when the signature has every attribute its family's baseline B requires; otherwise
     * which is missing, in the format's words ("no signing-certificate attribute"). A string
     * that outlives the evidence (a literal). */
    const char *baseline_b_missing;
    /* The signing certificate as the format identified it (5.2.3), a reference the evidence
     * holds; NULL when there is none, which the format has recorded. */
    X509 *signer;
    /* Candidates for the signer's chain, in the order the format found them: the signature's
     * own certificates, then validation data (a PDF's DSS, XAdES CertificateValues). */
    STACK_OF(X509) *certificates;
    /* What the signature claims as its signing time; (time_t)-1: none. */
    time_t claimed_signing_time;
    /* Every time-stamp in the order the format found it. */
    sign_evidence_timestamp *timestamps;
    size_t timestamp_count;
    /* The CRLs and OCSP responses the signature carries (embedded, a DSS, RevocationValues). */
    sign_revocation_data revocation;
} sign_evidence;

void sign_evidence_init(sign_evidence *ev, enum sign_family family);
/* Frees what the evidence holds (not ev itself). */
void sign_evidence_clear(sign_evidence *ev);
/* Takes a new reference to signer (NULL: none). */
void sign_evidence_set_signer(sign_evidence *ev, X509 *signer);
/* Takes a new reference to each of certs. */
void sign_evidence_add_certificates(sign_evidence *ev, STACK_OF(X509) *certs);
/* Adds references to the CRLs and OCSP responses the signature carries (either may be NULL). */
void sign_evidence_add_revocation(sign_evidence *ev, STACK_OF(X509_CRL) *crls,
                                  STACK_OF(OCSP_RESPONSE) *ocsps);
/* Copies result. On memory exhaustion the time-stamp is left out: the signature then lacks a
 * proof, which can lower its verdict or level but never raise them. */
void sign_evidence_add_timestamp(sign_evidence *ev, enum sign_timestamp_kind kind,
                                 const sign_timestamp_result *result, int covers_validation_data);
/* A time-stamp container without a token to check; why is a literal. */
void sign_evidence_add_timestamp_without_token(sign_evidence *ev, enum sign_timestamp_kind kind,
                                               const char *why);

/* ETSI EN 319 102-1 for one signature at ctx's validation time: the signer's certificate
 * (5.2.6 with revocation), the claimed signing time and the proof of existence from the
 * time-stamps (5.5), past certificate validation at that proof (5.6.2.4), and the level
 * reached. Records everything on sig: the time-stamps, the warnings, the verdict, the level. */
void sign_validate_signature(const sign_ctx *ctx, sign_sig *sig, const sign_evidence *ev);

#endif
