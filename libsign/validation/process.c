/* The validation process every format's signatures go through (EN 319 102-1 5.3 basic, 5.5 with
 * time, 5.6 long-term, simplified), over the evidence the format found (evidence.h). Each step
 * is a building block in its own file; this file is only their order. */
#include "libsign/validation/blocks.h"

void sign_validate_signature(const sign_ctx *ctx, sign_sig *sig, const sign_evidence *ev)
{
    time_t at = sign_ctx_validation_time(ctx);
    int baseline_b = sign_level_check_baseline_b(sig, ev);
    sign_check_claimed_time(sig, ev->claimed_signing_time, at, "the validation time");

    /* 5.5: the best signature time is the earliest time-stamp over the signature itself: a
     * signature time-stamp, or a PDF document time-stamp after the signature. Archive
     * time-stamps are kept for what they preserve (B-LTA) and are not taken as the signature's
     * proof of existence; EN 319 102-1 5.6.2 would let them be one too. */
    time_t poe = sign_timestamps_record(sig, ev, SIGN_TIMESTAMP_SIGNATURE, at);
    time_t document_poe = sign_timestamps_record(sig, ev, SIGN_TIMESTAMP_DOCUMENT, at);
    if (document_poe != (time_t)-1 && (poe == (time_t)-1 || document_poe < poe))
        poe = document_poe;
    sign_check_claimed_time(sig, ev->claimed_signing_time, poe, sign_poe_name(ev->family));
    (void)sign_timestamps_record(sig, ev, SIGN_TIMESTAMP_ARCHIVE, at);

    /* 5.2.6 and 5.6.2.4: the signer's chain at the validation time, or at the proof of
     * existence when a certificate has expired since; revocation, embedded data first. Without
     * a signer the format has recorded NO_SIGNING_CERTIFICATE_FOUND and there is no chain. */
    int validation_data_embedded =
        ev->signer ? sign_path_validate_ex(ctx, sig, ev->signer, ev->certificates, at, poe,
                                           &ev->revocation)
                   : 0;

    if (!baseline_b) {
        sign_sig_set_level(sig, sign_level_not_baseline_name(ev->family));
        return;
    }
    struct sign_level_facts facts = {
        .has_poe = poe != (time_t)-1,
        .validation_data_embedded = validation_data_embedded,
        .validation_data_timestamped = sign_validation_data_timestamped(ev, at),
    };
    sign_sig_set_level(sig, sign_level_name(ev->family, sign_level_reached(&facts)));
}
