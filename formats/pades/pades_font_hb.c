/* The font of a visible signature measured and subset with HarfBuzz (hb-subset): DejaVu Sans
 * (Debian's fonts-dejavu-core), code points mapped one to one to glyphs (no shaping: enough for
 * the Latin, Greek and Cyrillic names DejaVu Sans covers, and it keeps each glyph's /ToUnicode
 * entry exact). Part of the module libsign-glyphs (pades_glyphs.h); pades_font.c writes the
 * result into the PDF. The font file is a system file, not input: it is read, not fuzzed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>
#include "pades_glyphs.h"

struct pades_font {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;      /* the whole font, at its own units per em */
    unsigned int upem;
    hb_set_t *used;       /* code points drawn (after the fallback) */
    /* after font_subset: */
    hb_blob_t *subset_data;
    hb_font_t *subset_font;
    char base_name[64];   /* "ABCDEF+DejaVuSans" (9.6.4: a subset's tag) */
};

static void font_free(struct pades_font *f)
{
    if (!f)
        return;
    hb_font_destroy(f->subset_font);
    hb_blob_destroy(f->subset_data);
    hb_set_destroy(f->used);
    hb_font_destroy(f->font);
    hb_face_destroy(f->face);
    hb_blob_destroy(f->blob);
    free(f);
}

static int font_open(struct pades_font **out, const char *path)
{
    *out = NULL;
    struct pades_font *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->blob = hb_blob_create_from_file_or_fail(path);
    f->face = f->blob ? hb_face_create(f->blob, 0) : NULL;
    if (!f->face || hb_face_get_glyph_count(f->face) == 0 || hb_face_get_upem(f->face) == 0) {
        font_free(f);
        return -1;
    }
    f->font = hb_font_create(f->face);
    f->upem = hb_face_get_upem(f->face);
    f->used = hb_set_create();
    if (!hb_set_allocation_successful(f->used)) {
        font_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

static unsigned long font_resolve(const struct pades_font *f, unsigned long c)
{
    hb_codepoint_t glyph;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return ' ';
    if (hb_font_get_nominal_glyph(f->font, (hb_codepoint_t)c, &glyph))
        return c;
    if (hb_font_get_nominal_glyph(f->font, 0xfffd, &glyph))
        return 0xfffd;
    return '?';
}

static double font_advance(const struct pades_font *f, unsigned long c)
{
    hb_codepoint_t glyph = 0;
    hb_font_get_nominal_glyph(f->font, (hb_codepoint_t)font_resolve(f, c), &glyph);
    return (double)hb_font_get_glyph_h_advance(f->font, glyph) * 1000.0 / f->upem;
}

static void font_use(struct pades_font *f, unsigned long c)
{
    hb_set_add(f->used, (hb_codepoint_t)font_resolve(f, c));
}

static int font_subset(struct pades_font *f)
{
    hb_subset_input_t *input = hb_subset_input_create_or_fail();
    if (!input)
        return -1;
    hb_set_union(hb_subset_input_unicode_set(input), f->used);
    /* a PDF reader draws glyphs by number: no hinting, no layout tables */
    hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_NO_HINTING);
    static const hb_tag_t dropped[] = {
        HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
        HB_TAG('k', 'e', 'r', 'n'), HB_TAG('F', 'F', 'T', 'M'), HB_TAG('M', 'A', 'T', 'H'),
    };
    hb_set_t *drop = hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        hb_set_add(drop, dropped[i]);
    hb_face_t *subset = hb_subset_or_fail(f->face, input);
    hb_subset_input_destroy(input);
    if (!subset)
        return -1;
    f->subset_data = hb_face_reference_blob(subset);
    f->subset_font = hb_font_create(subset);
    hb_face_destroy(subset);
    if (hb_blob_get_length(f->subset_data) == 0)
        return -1;
    /* the tag: six capital letters from the glyphs the subset holds */
    uint32_t hash = 2166136261u;
    hb_codepoint_t c = HB_SET_VALUE_INVALID;
    while (hb_set_next(f->used, &c))
        hash = (hash ^ c) * 16777619u;
    char tag[7];
    for (int i = 0; i < 6; i++, hash /= 26)
        tag[i] = (char)('A' + hash % 26);
    tag[6] = '\0';
    snprintf(f->base_name, sizeof f->base_name, "%s+DejaVuSans", tag);
    return 0;
}

static int font_next_used(const struct pades_font *f, unsigned long *c)
{
    hb_codepoint_t next = *c == (unsigned long)-1 ? HB_SET_VALUE_INVALID : (hb_codepoint_t)*c;
    if (!hb_set_next(f->used, &next))
        return 0;
    *c = next;
    return 1;
}

static size_t font_used_count(const struct pades_font *f)
{
    return hb_set_get_population(f->used);
}

static unsigned int font_glyph(const struct pades_font *f, unsigned long c)
{
    hb_codepoint_t glyph = 0;
    if (!hb_font_get_nominal_glyph(f->subset_font, (hb_codepoint_t)c, &glyph))
        glyph = 0;
    return glyph;
}

static long to_thousandths(const struct pades_font *f, long units)
{
    return units * 1000 / (long)f->upem;
}

static long font_glyph_advance(const struct pades_font *f, unsigned int glyph)
{
    return to_thousandths(f, hb_font_get_glyph_h_advance(f->subset_font, glyph));
}

/* A 16-bit big-endian signed value at off in table tag of the subset, or fallback. */
static int table_int16(const struct pades_font *f, hb_tag_t tag, unsigned int off, int fallback)
{
    hb_blob_t *table = hb_face_reference_table(hb_font_get_face(f->subset_font), tag);
    unsigned int len = 0;
    const unsigned char *data = (const unsigned char *)hb_blob_get_data(table, &len);
    int value = fallback;
    if (data && off + 2 <= len)
        value = (int16_t)(uint16_t)(data[off] << 8 | data[off + 1]);
    hb_blob_destroy(table);
    return value;
}

/* bounding box from 'head', vertical metrics from OS/2 or hhea */
static void font_metrics(const struct pades_font *f, struct pades_font_metrics *out)
{
    hb_position_t ascender = 0, descender = 0, cap_height = 0;
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &ascender);
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &descender);
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap_height);
    hb_tag_t head = HB_TAG('h', 'e', 'a', 'd');
    out->bbox[0] = to_thousandths(f, table_int16(f, head, 36, 0));
    out->bbox[1] = to_thousandths(f, table_int16(f, head, 38, -250));
    out->bbox[2] = to_thousandths(f, table_int16(f, head, 40, 1000));
    out->bbox[3] = to_thousandths(f, table_int16(f, head, 42, 1000));
    out->ascent = to_thousandths(f, ascender);
    out->descent = to_thousandths(f, descender);
    out->cap_height = to_thousandths(f, cap_height);
}

static const char *font_data(const struct pades_font *f, size_t *len)
{
    unsigned int n = 0;
    const char *data = hb_blob_get_data(f->subset_data, &n);
    *len = n;
    return data;
}

static const char *font_name(const struct pades_font *f)
{
    return f->base_name;
}

int pades_image_png_decode(struct pades_image *img, const void *png, size_t len, char *why,
                           size_t why_len);

__attribute__((visibility("default"))) const struct pades_glyph_ops pades_glyph_ops_table = {
    font_open,      font_free,  font_resolve,       font_advance, font_use,
    font_subset,    font_next_used, font_used_count, font_glyph,  font_glyph_advance,
    font_metrics,   font_data,  font_name,          pades_image_png_decode,
};
