/* XAdES (ETSI EN 319 132-1) baselines B, T, LT and LTA: the format class. Signing is in
 * xades_sign.c, validation in xades_verify.c, XMLDSig core in xades_dsig.c, the algorithm tables
 * in xades_alg.c, reading a signature's parts in xades_read.c, where things are in the bytes
 * (for splicing) in xades_parse.c, detached content next to the signature in xades_content.c,
 * the long-term levels (B-T, B-LT) and extending in xades_lt.c, B-LTA's archive input in
 * xades_archive.c. */
#include <string.h>
#include "xades.h"

/* A signed XAdES/XMLDSig file is XML with a ds:Signature in the XMLDSig namespace near the start
 * (enveloping, detached) or anywhere (enveloped, possibly past the head that is seen here). */
static int xades_detect_signed(const unsigned char *head, size_t len)
{
    if (!sign_xml_looks_like_xml(head, len))
        return 0;
    static const char ns[] = XADES_DSIG_NS;
    for (size_t i = 0; i + sizeof ns - 1 <= len; i++)
        if (memcmp(head + i, ns, sizeof ns - 1) == 0)
            return 80;
    return 30; /* XML is no other format's; an enveloped signature may be past the head */
}

/* XML content prefers XAdES (enveloped); everything else only when asked for with -f xades. */
static int xades_accepts_content(const unsigned char *head, size_t len)
{
    return sign_xml_looks_like_xml(head, len) ? 50 : 0;
}

/* The commands append the extension to the input name; one extension for every packaging keeps
 * names predictable: taxform.xml.xades.xml, letter.txt.xades.xml. */
static const char *xades_extension(enum sign_packaging packaging)
{
    (void)packaging;
    return ".xades.xml";
}

const struct sign_format sign_format_xades = {
    .name = "xades",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = xades_detect_signed,
    .accepts_content = xades_accepts_content,
    .sign = xades_sign,
    .verify = xades_verify,
    .extend = xades_extend,
    .extension = xades_extension,
};
