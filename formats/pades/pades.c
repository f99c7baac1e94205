/* PAdES (ETSI EN 319 142-1): the format class. Signing is in pades_sign.c (the new field's
 * revision in pades_field.c, the appearance of a visible signature in pades_appearance.c), the
 * long-term levels and extending in pades_ltv.c, validation in pades_verify.c with the
 * modification analysis in pades_diff.c, the PDF layer in pdf/pdf_read.c, pdf/pdf_write.c and
 * pades_update.c, document timestamps' RFC 3161 in pades_timestamp.c. */
#include <string.h>
#include "pades.h"

static int starts_pdf(const unsigned char *head, size_t len)
{
    /* ISO 32000-1 7.5.2: the header is "%PDF-"; readers accept it within the first 1024 bytes */
    size_t window = len < 1024 ? len : 1024;
    if (len > 0 && head[0] == 0x30)
        return 0; /* DER: a CMS file that merely contains a PDF */
    for (size_t i = 0; i + 5 <= window; i++)
        if (memcmp(head + i, "%PDF-", 5) == 0)
            return 1;
    return 0;
}

/* Any PDF is ours to validate: a PDF without signatures gets a report with none (exit 2), not
 * "unknown format". /ByteRange in the first bytes makes it surer. */
static int pades_detect_signed(const unsigned char *head, size_t len)
{
    if (!starts_pdf(head, len))
        return 0;
    for (size_t i = 0; i + 10 <= len; i++)
        if (memcmp(head + i, "/ByteRange", 10) == 0)
            return 90;
    return 60;
}

static int pades_accepts_content(const unsigned char *head, size_t len)
{
    return starts_pdf(head, len) ? 50 : 0;
}

/* Appended to the input name by segl-sign: contract.pdf -> contract.pdf.signed.pdf, which
 * keeps the original name visible and still ends in .pdf. */
static const char *pades_extension(enum sign_packaging packaging)
{
    (void)packaging;
    return ".signed.pdf";
}

const struct sign_format sign_format_pades = {
    .name = "pades",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = pades_detect_signed,
    .accepts_content = pades_accepts_content,
    .sign = pades_sign,
    .verify = pades_verify,
    .extend = pades_extend,
    .extension = pades_extension,
};
