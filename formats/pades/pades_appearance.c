/* The appearance of a visible signature (ISO 32000-1 12.5.5 appearance streams, 12.7.4.5
 * signature fields): a framed box with the signer's name, OCES identity and the signing time,
 * set in the standard Helvetica font (9.6.2.2) with WinAnsiEncoding (D.2), so that no font is
 * embedded. Text outside WinAnsi is transliterated. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/x509.h>
#include <libsign/oces.h>
#include "pades.h"

#define MAX_LINE 128

/* Next code point of a UTF-8 string (U+FFFD for a malformed sequence); advances *p. */
static unsigned long next_code_point(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned long c = s[0];
    int extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
    if (extra < 0) {
        *p = s + 1;
        return 0xfffd;
    }
    if (extra > 0)
        c &= 0x3fu >> extra;
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *p = s + i;
            return 0xfffd;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    *p = s + 1 + extra;
    return c;
}

/* WinAnsi bytes for a code point: Latin-1 as itself, a few common letters and punctuation
 * outside it by their WinAnsi codes or an ASCII look-alike, anything else '?'. */
static const char *winansi(unsigned long c, char one[2])
{
    static const struct {
        unsigned long code;
        const char *text;
    } table[] = {
        {0x20ac, "\x80"}, {0x2018, "\x91"}, {0x2019, "\x92"}, {0x201c, "\x93"}, {0x201d, "\x94"},
        {0x2013, "\x96"}, {0x2014, "\x97"}, {0x2022, "\x95"}, {0x2026, "\x85"}, {0x0160, "\x8a"},
        {0x0161, "\x9a"}, {0x017d, "\x8e"}, {0x017e, "\x9e"}, {0x0152, "\x8c"}, {0x0153, "\x9c"},
        {0x0178, "\x9f"}, {0x0141, "L"},    {0x0142, "l"},    {0x0106, "C"},    {0x0107, "c"},
        {0x010c, "C"},    {0x010d, "c"},    {0x0118, "E"},    {0x0119, "e"},    {0x011a, "E"},
        {0x011b, "e"},    {0x0143, "N"},    {0x0144, "n"},    {0x0147, "N"},    {0x0148, "n"},
        {0x0158, "R"},    {0x0159, "r"},    {0x015a, "S"},    {0x015b, "s"},    {0x0164, "T"},
        {0x0165, "t"},    {0x016e, "U"},    {0x016f, "u"},    {0x0179, "Z"},    {0x017a, "z"},
        {0x017b, "Z"},    {0x017c, "z"},    {0x0104, "A"},    {0x0105, "a"},    {0x0150, "\xd6"},
        {0x0151, "\xf6"}, {0x0170, "\xdc"}, {0x0171, "\xfc"}, {0x011e, "G"},    {0x011f, "g"},
        {0x0130, "I"},    {0x0131, "i"},    {0x015e, "S"},    {0x015f, "s"},
    };
    if ((c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0xff)) {
        one[0] = (char)c;
        one[1] = '\0';
        return one;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == c)
            return table[i].text;
    return "?";
}

/* text (UTF-8) as WinAnsi into out, at most size - 1 bytes. */
static void to_winansi(const char *text, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = 0;
    while (*p && n + 1 < size) {
        char one[2];
        const char *bytes = winansi(next_code_point(&p), one);
        size_t len = strlen(bytes);
        if (n + len >= size)
            break;
        memcpy(out + n, bytes, len);
        n += len;
    }
    out[n] = '\0';
}

void pades_write_text_string(struct pdf_buf *buf, const char *utf8)
{
    const unsigned char *p = (const unsigned char *)utf8;
    int ascii = 1;
    for (const unsigned char *q = p; *q; q++)
        ascii &= *q < 0x80;
    pdf_buf_append(buf, "<", 1);
    if (ascii) {
        for (; *p; p++)
            pdf_buf_printf(buf, "%02X", *p);
    } else {
        pdf_buf_printf(buf, "FEFF");
        while (*p) {
            unsigned long c = next_code_point(&p);
            if (c >= 0x10000) { /* a surrogate pair */
                c -= 0x10000;
                pdf_buf_printf(buf, "%04lX%04lX", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
            } else {
                pdf_buf_printf(buf, "%04lX", c);
            }
        }
    }
    pdf_buf_append(buf, ">", 1);
}

/* A literal string (7.3.4.2) of WinAnsi bytes, escaping what must be. */
static void write_literal(struct pdf_buf *buf, const char *text)
{
    pdf_buf_append(buf, "(", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '(' || *p == ')' || *p == '\\')
            pdf_buf_printf(buf, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            pdf_buf_printf(buf, "\\%03o", *p);
        else
            pdf_buf_append(buf, p, 1);
    }
    pdf_buf_append(buf, ")", 1);
}

void pades_write_appearance(struct pades_update *u, uint32_t ap_num, uint32_t font_num,
                            const double rect[4], X509 *cert, time_t when)
{
    char lines[4][MAX_LINE];
    int count = 0;
    sign_oces_id id;
    memset(&id, 0, sizeof id);
    if (cert)
        sign_oces_identify(&id, cert);
    char utf8[MAX_LINE * 2];
    snprintf(utf8, sizeof utf8, "Signed by %s", id.common_name[0] ? id.common_name : "(unknown)");
    to_winansi(utf8, lines[count++], MAX_LINE);
    if (id.organisation[0]) {
        snprintf(utf8, sizeof utf8, "%s", id.organisation);
        to_winansi(utf8, lines[count++], MAX_LINE);
    }
    const char *kind = sign_oces_kind_name(id.kind);
    snprintf(utf8, sizeof utf8, "%s%s%s%s", kind ? "OCES " : "", kind ? kind : "",
             id.serial_number[0] ? (kind ? ": " : "") : "", id.serial_number);
    if (utf8[0])
        to_winansi(utf8, lines[count++], MAX_LINE);
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(lines[count++], MAX_LINE, "Date: %Y-%m-%d %H:%M:%S UTC", &tm);

    /* Helvetica's widths average about half the size; fit the longest line and all lines */
    double width = rect[2], height = rect[3];
    size_t longest = 1;
    for (int i = 0; i < count; i++)
        if (strlen(lines[i]) > longest)
            longest = strlen(lines[i]);
    double size = 10;
    if (size > (width - 8) / (0.55 * (double)longest))
        size = (width - 8) / (0.55 * (double)longest);
    if (size > (height - 4) / (1.25 * count))
        size = (height - 4) / (1.25 * count);
    if (size < 1)
        size = 1;

    struct pdf_buf content = {0};
    pdf_buf_printf(&content, "q 0.94 0.96 1 rg 0 0 %.2f %.2f re f Q\n", width, height);
    pdf_buf_printf(&content, "q 0.1 0.2 0.5 RG 1 w 0.5 0.5 %.2f %.2f re S Q\n",
                   width > 1 ? width - 1 : width, height > 1 ? height - 1 : height);
    pdf_buf_printf(&content, "BT 0 g /Helv %.2f Tf %.2f TL 4 %.2f Td\n", size, size * 1.25,
                   height - 2 - size);
    for (int i = 0; i < count; i++) {
        write_literal(&content, lines[i]);
        pdf_buf_printf(&content, i + 1 < count ? " Tj T*\n" : " Tj\n");
    }
    pdf_buf_printf(&content, "ET\n");
    if (content.failed) {
        u->out.failed = 1;
    } else {
        char dict[256];
        snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f]"
                                    " /Resources << /Font << /Helv %u 0 R >> >>",
                 width, height, font_num);
        pades_write_stream(u, ap_num, dict, content.data, content.len);
    }
    pdf_buf_free(&content);
    pades_begin_object(u, font_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
                            " /Encoding /WinAnsiEncoding >>\nendobj\n");
}
