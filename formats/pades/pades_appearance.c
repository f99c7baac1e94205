/* The appearance of a visible signature (ISO 32000-1 12.5.5 appearance streams, 12.7.4.5
 * signature fields): a framed box with the signer's name, organisation, OCES identity and the
 * signing time, labelled in Danish or English, in DejaVu Sans embedded as a subset
 * (pades_font.c), optionally beside a picture (pades_image.c). The text is set as large as the
 * box allows up to MAX_SIZE, lines wrapped at spaces and colons, and never smaller than MIN_SIZE: a box
 * that cannot hold the text at that size is refused rather than filled with unreadable text. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/x509.h>
#include <libsign/oces.h>
#include "pades.h"

#ifndef SEGL_FONT_FILE
#define SEGL_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

#define MIN_SIZE 6.0     /* pt: small print, still readable on paper and at 100 % on a screen */
#define MAX_SIZE 12.0
#define NAME_SCALE 1.3   /* the name stands out */
#define LEADING 1.15
#define PAD 2.5          /* pt between the frame and what is in it */
#define MAX_CHARS 256    /* per paragraph */
#define MAX_PARAS 5
#define MAX_ROWS 64

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


/* One piece of text to set: code points, its size relative to the body, its grey. */
struct para {
    unsigned long text[MAX_CHARS];
    size_t len;
    double scale, grey;
};
/* One line on the box: para's text[start, end). */
struct row {
    int para;
    size_t start, end;
};

static void para_set(struct para *p, const char *utf8, double scale, double grey)
{
    const unsigned char *s = (const unsigned char *)utf8;
    p->len = 0;
    p->scale = scale;
    p->grey = grey;
    while (*s && p->len < MAX_CHARS)
        p->text[p->len++] = next_code_point(&s);
}

static double text_width(const struct pades_font *font, const struct para *p, size_t start,
                         size_t end, double size)
{
    double width = 0;
    for (size_t i = start; i < end; i++)
        width += pades_font_advance(font, p->text[i]);
    return width * size * p->scale / 1000.0;
}

/* The paragraphs wrapped into rows of at most width points at body size size; a word wider
 * than a row is split between characters only when split_words. The height the rows take, or
 * -1 when they do not fit a row (or MAX_ROWS). */
static double wrap(const struct pades_font *font, const struct para *paras, int count, double size,
                   double width, int split_words, struct row *rows, int *row_count)
{
    double height = 0;
    *row_count = 0;
    for (int n = 0; n < count; n++) {
        const struct para *p = &paras[n];
        size_t pos = 0;
        while (pos < p->len) {
            while (pos < p->len && p->text[pos] == ' ')
                pos++;
            if (pos == p->len)
                break;
            size_t end = pos, next = pos;
            while (next < p->len) { /* take words while they fit */
                /* a word ends at a space or after a colon ("UI:DK-P:G:" then the UUID); not
                 * after a hyphen, which text extraction (pdftotext) takes for hyphenation and
                 * drops, losing it from the UUID */
                size_t word_end = next;
                while (word_end < p->len && p->text[word_end] != ' ')
                    if (p->text[word_end++] == ':')
                        break;
                if (text_width(font, p, pos, word_end, size) > width)
                    break;
                end = word_end;
                next = word_end;
                while (next < p->len && p->text[next] == ' ')
                    next++;
            }
            if (end == pos) { /* the first word alone is too wide */
                if (!split_words)
                    return -1;
                while (end < p->len && text_width(font, p, pos, end + 1, size) <= width)
                    end++;
                if (end == pos)
                    return -1;
            }
            if (*row_count == MAX_ROWS)
                return -1;
            rows[(*row_count)++] = (struct row){.para = n, .start = pos, .end = end};
            height += size * p->scale * LEADING;
            pos = end;
        }
    }
    return height;
}

/* The lines of text for cert signing at when, in the language asked for. */
static int text_paras(struct para *paras, X509 *cert, time_t when, const char *language)
{
    int danish = language && strncmp(language, "da", 2) == 0;
    sign_oces_id id;
    memset(&id, 0, sizeof id);
    if (cert)
        sign_oces_identify(&id, cert);
    int count = 0;
    para_set(&paras[count++], danish ? "Underskrevet af" : "Signed by", 1, 0.3);
    para_set(&paras[count++], id.common_name[0] ? id.common_name : danish ? "(ukendt)" : "(unknown)",
             NAME_SCALE, 0);
    if (id.organisation[0])
        para_set(&paras[count++], id.organisation, 1, 0);
    const char *kind = sign_oces_kind_name(id.kind);
    char line[sizeof id.serial_number + 64];
    snprintf(line, sizeof line, "%s%s%s%s", kind ? "OCES " : "", kind ? kind : "",
             id.serial_number[0] ? (kind ? ": " : "") : "", id.serial_number);
    if (line[0])
        para_set(&paras[count++], line, 1, 0.3);
    struct tm tm;
    gmtime_r(&when, &tm);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    snprintf(line, sizeof line, "%s: %s", danish ? "Dato" : "Date", date);
    para_set(&paras[count++], line, 1, 0.3);
    return count;
}

int pades_write_appearance(sign_ctx *ctx, struct pades_update *u, uint32_t first_num,
                           const sign_options *opts, X509 *cert, time_t when, uint32_t *next_num)
{
    const double width = opts->visible_rect[2], height = opts->visible_rect[3];
    uint32_t ap_num = first_num, font_num = first_num + 1, image_num = first_num + 6;
    *next_num = image_num;
    char why[PATH_MAX + 240];
    if (!pades_glyph_ops(why, sizeof why)) /* HarfBuzz and libpng, the module libsign-glyphs */
        return sign_seterr(ctx, SIGN_EIO, "visible signature: %s", why);
    struct pades_image image = {0};
    if (opts->visible_image) {
        if (pades_image_from_png(&image, opts->visible_image, opts->visible_image_len, why,
                                 sizeof why) != 0)
            return sign_seterr(ctx, SIGN_EINVAL, "visible signature: the image: %s", why);
        *next_num = image_num + (image.alpha ? 2 : 1);
    }

    /* the picture at the left, as high as the box, at most 40 % of its width */
    double image_w = 0, image_h = 0;
    if (image.width) {
        image_h = height - 2 * PAD;
        image_w = image_h * image.width / image.height;
        if (image_w > 0.4 * (width - 2 * PAD)) {
            image_w = 0.4 * (width - 2 * PAD);
            image_h = image_w * image.height / image.width;
        }
    }
    double text_x = PAD + (image_w > 0 ? image_w + PAD : 0);
    double text_w = width - text_x - PAD, text_h = height - 2 * PAD;

    struct pades_font *font = NULL;
    if (pades_font_open(&font, SEGL_FONT_FILE) != 0) {
        pades_image_free(&image);
        return sign_seterr(ctx, SIGN_EIO, "visible signature: cannot read the font %s "
                                          "(Debian package fonts-dejavu-core)", SEGL_FONT_FILE);
    }
    struct para paras[MAX_PARAS];
    struct row rows[MAX_ROWS];
    int para_count = text_paras(paras, cert, when, opts->visible_language), row_count = 0;

    /* the largest size, in quarter points, at which the text fits: words whole if possible */
    double size = 0, used_h = -1;
    for (int split = 0; split <= 1 && used_h < 0; split++)
        for (size = MAX_SIZE; size >= MIN_SIZE; size -= 0.25) {
            used_h = text_w > 0 ? wrap(font, paras, para_count, size, text_w, split, rows, &row_count) : -1;
            if (used_h >= 0 && used_h <= text_h)
                break;
            used_h = -1;
        }
    if (used_h < 0) {
        double need = text_w > 0 ? wrap(font, paras, para_count, MIN_SIZE, text_w, 1, rows, &row_count) : -1;
        pades_font_free(font);
        pades_image_free(&image);
        if (need < 0)
            return sign_seterr(ctx, SIGN_EINVAL, "visible signature: the box is too narrow for "
                                                 "text of %.0f pt (make it wider)", MIN_SIZE);
        return sign_seterr(ctx, SIGN_EINVAL, "visible signature: the box is too small for readable "
                                             "text: at %.0f pt the text needs %.0f pt of height, "
                                             "the box has %.0f (make it higher or wider)",
                           MIN_SIZE, ceil(need + 2 * PAD), height);
    }
    for (int i = 0; i < row_count; i++)
        for (size_t c = rows[i].start; c < rows[i].end; c++)
            pades_font_use(font, paras[rows[i].para].text[c]);
    if (pades_font_subset(font) != 0) {
        pades_font_free(font);
        pades_image_free(&image);
        return sign_seterr(ctx, SIGN_ENOMEM, "visible signature: the font could not be subset");
    }

    struct pdf_buf content = {0};
    pdf_buf_printf(&content, "q 0.95 0.96 0.99 rg 0 0 %.2f %.2f re f Q\n", width, height);
    pdf_buf_printf(&content, "q 0.1 0.2 0.5 RG 1 w 0.5 0.5 %.2f %.2f re S Q\n",
                   width > 1 ? width - 1 : width, height > 1 ? height - 1 : height);
    if (image.width)
        pdf_buf_printf(&content, "q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q\n", image_w, image_h, PAD,
                       (height - image_h) / 2);
    /* the block of rows centred in the height; each baseline under its row's ascent */
    double top = height - PAD - (text_h - used_h) / 2;
    pdf_buf_printf(&content, "BT\n");
    for (int i = 0; i < row_count; i++) {
        const struct para *p = &paras[rows[i].para];
        double row_size = size * p->scale;
        pdf_buf_printf(&content, "%.2f g /F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm ", p->grey, row_size,
                       text_x, top - row_size * 0.95);
        pades_font_show(font, &content, p->text + rows[i].start, rows[i].end - rows[i].start);
        pdf_buf_printf(&content, " Tj\n");
        top -= row_size * LEADING;
    }
    pdf_buf_printf(&content, "ET\n");
    char dict[256], xobjects[64] = "";
    if (image.width)
        snprintf(xobjects, sizeof xobjects, " /XObject << /Im1 %u 0 R >>", image_num);
    snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f]"
                                " /Resources << /Font << /F1 %u 0 R >>%s >>",
             width, height, font_num, xobjects);
    int rc = content.failed ? -1 : pades_write_flate_stream(u, ap_num, dict, content.data, content.len);
    pdf_buf_free(&content);
    if (rc == 0)
        rc = pades_font_write(u, font, font_num);
    if (rc == 0 && image.width)
        rc = pades_image_write(u, &image, image_num);
    pades_font_free(font);
    pades_image_free(&image);
    return rc == 0 ? SIGN_OK : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
}
