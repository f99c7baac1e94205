/* The parts of a visible signature that need HarfBuzz (measuring and subsetting DejaVu Sans,
 * pades_font_hb.c) and libpng (decoding the picture, pades_image_png.c). They are the module
 * libsign-glyphs.so beside libsign.so, loaded the first time a visible signature is made
 * (pades_glyphs_dl.c), because linking HarfBuzz, FreeType, GLib and libpng into libsign cost
 * every program about 3 ms of start-up for a feature only signing with --visible uses. The
 * static library has them built in (pades_glyphs_builtin.c). The module calls nothing of
 * libsign's: what it returns is plain data, written into the PDF by pades_font.c and
 * pades_image.c. Internal. */
#ifndef SEGL_PADES_GLYPHS_H
#define SEGL_PADES_GLYPHS_H

#include <stdlib.h>
#include <string.h>

/* A decoded picture: 8-bit sRGB, with its transparency apart. */
struct pades_image {
    unsigned int width, height;
    unsigned char *rgb;    /* width * height * 3, malloc'd */
    unsigned char *alpha;  /* width * height, NULL when the picture is opaque */
};

/* Inline: the module frees a half-decoded picture and calls nothing of libsign's. */
static inline void pades_image_free(struct pades_image *img)
{
    free(img->rgb);
    free(img->alpha);
    memset(img, 0, sizeof *img);
}

/* The subset font's metrics for its descriptor, in thousandths of the font size. */
struct pades_font_metrics {
    long bbox[4], ascent, descent, cap_height;
};

struct pades_font;
struct pades_glyph_ops {
    /* the font file at path; 0 or -1 */
    int (*font_open)(struct pades_font **out, const char *path);
    void (*font_free)(struct pades_font *font);
    /* the code point drawn for c: c, or U+FFFD / '?' when the font lacks it; a space for a
     * control character */
    unsigned long (*font_resolve)(const struct pades_font *font, unsigned long c);
    /* c's advance width in thousandths of the font size */
    double (*font_advance)(const struct pades_font *font, unsigned long c);
    /* marks c as drawn; then font_subset once, then the accessors below */
    void (*font_use)(struct pades_font *font, unsigned long c);
    int (*font_subset)(struct pades_font *font);
    /* the drawn code points in order: *c from (unsigned long)-1; 0 after the last */
    int (*font_next_used)(const struct pades_font *font, unsigned long *c);
    size_t (*font_used_count)(const struct pades_font *font);
    /* the subset's glyph for a drawn (resolved) code point, 0 when absent */
    unsigned int (*font_glyph)(const struct pades_font *font, unsigned long c);
    /* a subset glyph's advance in thousandths */
    long (*font_glyph_advance)(const struct pades_font *font, unsigned int glyph);
    void (*font_metrics)(const struct pades_font *font, struct pades_font_metrics *out);
    /* the subset font file, and its name ("ABCDEF+DejaVuSans", ISO 32000-1 9.6.4) */
    const char *(*font_data)(const struct pades_font *font, size_t *len);
    const char *(*font_name)(const struct pades_font *font);
    /* decodes len bytes of PNG into img; 0, or -1 with the reason in why */
    int (*image_from_png)(struct pades_image *img, const void *png, size_t len, char *why,
                          size_t why_len);
};

/* The table the module (and the static library) defines. */
extern const struct pades_glyph_ops pades_glyph_ops_table;

/* The table, loaded on first use; NULL with the reason in why. */
const struct pades_glyph_ops *pades_glyph_ops(char *why, size_t why_len);

#endif
