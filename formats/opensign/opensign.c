/* NemID OpenSign (format "opensign"): the signatures DanID's OpenSign applet made over a sign
 * text from 2010 to 2021, which authorities still hold. Validated as the enveloping XMLDSig it
 * is, through the XAdES module's XMLDSig core and its wrapping checks (xades_verify_wrapped);
 * the shape of the wrapper is checked in opensign_read.c. */
#include <string.h>
#include <libxml/xmlerror.h>
#include <openssl/err.h>
#include "formats/xades/xades.h"
#include "opensign.h"

/* The root element is openoces:signature (any prefix) in the OpenSign namespace. */
static int opensign_detect_signed(const unsigned char *head, size_t len)
{
    if (!sign_xml_looks_like_xml(head, len))
        return 0;
    size_t i = 0;
    while (i < len) { /* past the declaration, comments and processing instructions */
        const unsigned char *lt = memchr(head + i, '<', len - i);
        if (!lt || (size_t)(lt - head) + 1 >= len)
            return 0;
        i = (size_t)(lt - head);
        if (head[i + 1] != '?' && head[i + 1] != '!')
            break;
        const unsigned char *gt = memchr(head + i, '>', len - i);
        if (!gt)
            return 0;
        i = (size_t)(gt - head) + 1;
    }
    size_t start = i + 1, end = start;
    while (end < len && head[end] != ' ' && head[end] != '>' && head[end] != '\t' &&
           head[end] != '\r' && head[end] != '\n' && head[end] != '/')
        end++;
    const unsigned char *colon = memchr(head + start, ':', end - start);
    size_t local = colon ? (size_t)(colon - head) + 1 : start;
    static const char ns[] = OPENSIGN_NS;
    int has_ns = 0;
    for (size_t j = 0; j + sizeof ns - 1 <= len && !has_ns; j++)
        has_ns = memcmp(head + j, ns, sizeof ns - 1) == 0;
    return end - local == 9 && memcmp(head + local, "signature", 9) == 0 && has_ns ? 90 : 0;
}


/* The sign text and the properties shown to the signer, onto the report. */
static void report_shown(sign_sig *sig, const struct opensign *os)
{
    const struct opensign_property *text = opensign_property(os, "signtext");
    if (text) {
        const char *mime = opensign_text_mime(text->value, text->len);
        sign_sig_set_sign_text(sig, mime, strlen((char *)text->value) == text->len
                                              ? (char *)text->value
                                              : NULL);
    }
    for (size_t i = 0; i < os->count; i++)
        if (os->properties[i].visible && strcmp(os->properties[i].name, "signtext") != 0)
            sign_sig_add_property(sig, os->properties[i].name, (char *)os->properties[i].value);
}

static void opensign_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                            const sign_source *content)
{
    (void)content; /* enveloping: the signed data is inside */
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *why_read = NULL;
    if (xades_read_source(src, &bytes, &len, &why_read) != 0) {
        sign_report_set_error(report, "%s", why_read);
        return;
    }
    struct sign_xml_quiet quiet;
    sign_xml_quiet_begin(&quiet);
    char why[300];
    xmlDocPtr doc = sign_xml_parse(bytes, len, why, sizeof why);
    free(bytes);
    if (!doc) {
        sign_report_set_error(report, "%s", why);
        sign_xml_quiet_end(&quiet);
        return;
    }
    sign_xml_register_ids(doc, NULL);
    struct opensign os;
    int shape = opensign_read(doc, &os, why, sizeof why);
    sign_sig *sig = os.signature ? sign_report_add_sig(report) : NULL;
    if (!os.signature)
        sign_report_set_error(report, "%s", why);
    else if (!sig)
        sign_report_set_error(report, "out of memory");
    if (sig) {
        if (shape != 0)
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "%s", why);
        xades_verify_wrapped(ctx, sig, doc, os.signature);
        /* A text that does not match what was signed is not shown as the signer's. */
        if (shape == 0 && sign_sig_indication(sig) != SIGN_TOTAL_FAILED)
            report_shown(sig, &os);
    }
    opensign_clear(&os);
    xmlFreeDoc(doc);
    sign_xml_quiet_end(&quiet);
    ERR_clear_error();
}

static const char *opensign_extension(enum sign_packaging packaging)
{
    (void)packaging;
    return ".xml";
}

const struct sign_format sign_format_opensign = {
    .name = "opensign",
    .detect_signed = opensign_detect_signed,
    .verify = opensign_verify,
    .extension = opensign_extension,
};
