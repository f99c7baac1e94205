/* The claimed signing time against the times that bound it (EN 319 102-1 5.5, validation of a
 * signature with time): a signature cannot have been made after the validation time, nor after
 * a time-stamp that proves it existed. The claimed time is the signer's clock and only a claim,
 * so it is a warning, never the verdict; a few minutes of clock skew are tolerated
 * (SIGN_CLOCK_SKEW_TOLERANCE). */
#include "libsign/validation/blocks.h"

void sign_check_claimed_time(sign_sig *sig, time_t claimed, time_t limit, const char *what)
{
    if (claimed != (time_t)-1 && limit != (time_t)-1 &&
        claimed > limit + SIGN_CLOCK_SKEW_TOLERANCE)
        sign_sig_warn(sig, "the claimed signing time is after %s", what);
}

const char *sign_poe_name(enum sign_family family)
{
    /* A PAdES signature's proof of existence is the earliest of its signature time-stamps and
     * the document time-stamps after it (EN 319 142-1 5.4.3); the others' is a signature
     * time-stamp. */
    return family == SIGN_FAMILY_PADES ? "the earliest timestamp" : "the signature timestamp";
}
