/* The building blocks of the validation process (process.c), one file each, for the process and
 * for the unit tests that check them one by one. Internal to libsign/validation/. */
#ifndef SEGL_LIBSIGN_VALIDATION_BLOCKS_H
#define SEGL_LIBSIGN_VALIDATION_BLOCKS_H

#include "libsign/validation/evidence.h"

/* How far a time written by another party's clock (a claimed signing time, the thisUpdate of an
 * OCSP response or a CRL) may be after the time it is compared with and still count as
 * not after it: the clocks of a signer, a responder and the validator are never quite together.
 * EN 319 102-1 sets no such tolerance; five minutes is segl's policy. In seconds. */
#define SIGN_CLOCK_SKEW_TOLERANCE 300

/* ---- poe.c: time-stamps as proofs of existence (EN 319 102-1 5.4, 5.6.2.1) ---- */
/* Whether a checked time-stamp proves existence at validation time at: valid, and not after at
 * (a time-stamp from the future proves nothing yet). */
int sign_timestamp_proves_existence(const sign_timestamp_result *result, time_t at);
/* Records every time-stamp of ev of that kind on sig, in order, with a warning for each that is
 * not used and why. Returns the earliest that proves existence at at ((time_t)-1: none). */
time_t sign_timestamps_record(sign_sig *sig, const sign_evidence *ev,
                              enum sign_timestamp_kind kind, time_t at);
/* B-LTA: whether an archive or document time-stamp that proves existence at at covers the
 * validation data the signature carries. */
int sign_validation_data_timestamped(const sign_evidence *ev, time_t at);

/* ---- with_time.c: the claimed signing time (EN 319 102-1 5.5) ---- */
/* Warns that the claimed signing time is after limit (named by what, "the validation time")
 * when it is, beyond SIGN_CLOCK_SKEW_TOLERANCE. Either time (time_t)-1: nothing to compare. */
void sign_check_claimed_time(sign_sig *sig, time_t claimed, time_t limit, const char *what);
/* How the process names the proof of existence the claimed time is compared with. */
const char *sign_poe_name(enum sign_family family);

/* ---- level.c: the AdES level reached (EN 319 122-1, 132-1, 142-1 baseline levels) ---- */
/* What the process found that decides the level beyond B. */
struct sign_level_facts {
    int has_poe;                   /* a time-stamp proves the signature existed (B-T) */
    int validation_data_embedded;  /* chain and revocation data all came from the signature (B-LT) */
    int validation_data_timestamped; /* and an archive or document time-stamp covers it (B-LTA) */
};
enum sign_level sign_level_reached(const struct sign_level_facts *facts);
/* "CAdES-BASELINE-LT": family at level. */
const char *sign_level_name(enum sign_family family, enum sign_level level);
/* "CMS-NOT-ETSI", "XMLDSIG-NOT-ETSI": a signature of the family that is not baseline B. */
const char *sign_level_not_baseline_name(enum sign_family family);
/* Whether the signature is baseline B (ev->baseline_b_missing is NULL); if not, warns why. */
int sign_level_check_baseline_b(sign_sig *sig, const sign_evidence *ev);

#endif
