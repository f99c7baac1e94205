/* Which AdES baseline level a signature reaches, and its name: one table for the three
 * families. EN 319 122-1 (CAdES), EN 319 132-1 (XAdES) and EN 319 142-1 (PAdES) define the same
 * ladder: B has the signed attributes the family requires; T adds a time-stamp that proves the
 * signature existed (a signature time-stamp; for PAdES a document time-stamp as well); LT
 * carries all the certificates and revocation data needed to validate it; LTA has an archive
 * (PAdES: document) time-stamp over that validation data. */
#include "libsign/validation/blocks.h"

static const struct {
    const char *ades;                 /* the family's name in warnings */
    const char *not_baseline;         /* a signature of the family that is not baseline B */
    const char *levels[SIGN_LEVEL_B_LTA + 1];
} families[] = {
    [SIGN_FAMILY_CADES] = {"CAdES", "CMS-NOT-ETSI",
                           {"CAdES-BASELINE-B", "CAdES-BASELINE-T", "CAdES-BASELINE-LT",
                            "CAdES-BASELINE-LTA"}},
    [SIGN_FAMILY_XADES] = {"XAdES", "XMLDSIG-NOT-ETSI",
                           {"XAdES-BASELINE-B", "XAdES-BASELINE-T", "XAdES-BASELINE-LT",
                            "XAdES-BASELINE-LTA"}},
    [SIGN_FAMILY_PADES] = {"PAdES", "CMS-NOT-ETSI",
                           {"PAdES-BASELINE-B", "PAdES-BASELINE-T", "PAdES-BASELINE-LT",
                            "PAdES-BASELINE-LTA"}},
};

enum sign_level sign_level_reached(const struct sign_level_facts *facts)
{
    if (!facts->has_poe)
        return SIGN_LEVEL_B_B;
    if (!facts->validation_data_embedded)
        return SIGN_LEVEL_B_T;
    return facts->validation_data_timestamped ? SIGN_LEVEL_B_LTA : SIGN_LEVEL_B_LT;
}

const char *sign_level_name(enum sign_family family, enum sign_level level)
{
    return families[family].levels[level];
}

const char *sign_level_not_baseline_name(enum sign_family family)
{
    return families[family].not_baseline;
}

int sign_level_check_baseline_b(sign_sig *sig, const sign_evidence *ev)
{
    if (!ev->baseline_b_missing)
        return 1;
    sign_sig_warn(sig, "not a %s baseline signature: %s", families[ev->family].ades,
                  ev->baseline_b_missing);
    return 0;
}
