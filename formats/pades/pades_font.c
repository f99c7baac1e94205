/* The font of a visible signature: DejaVu Sans (Debian's fonts-dejavu-core), measured with
 * HarfBuzz and embedded as a subset of the glyphs the appearance uses (HarfBuzz's hb-subset), as a
 * Type 0 font with a CIDFontType2 descendant, Identity-H encoding and CIDToGIDMap /Identity
 * (ISO 32000-1 9.7.4, 9.7.6, 9.8), with a /ToUnicode CMap (9.10.3) so that the text can be
 * extracted and searched. The font file is a system file, not input: it is read, not fuzzed.
 * Code points are mapped one to one to glyphs (no shaping): enough for the Latin, Greek and
 * Cyrillic names DejaVu Sans covers, and it keeps each glyph's /ToUnicode entry exact. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>
#include "pades.h"

struct pades_font {
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font;      /* the whole font, at its own units per em */
    unsigned int upem;
    hb_set_t *used;       /* code points drawn (after the fallback) */
    /* after pades_font_subset: */
    hb_blob_t *subset_data;
    hb_font_t *subset_font;
    char base_name[64];   /* "ABCDEF+DejaVuSans" (9.6.4: a subset's tag) */
};

int pades_font_open(struct pades_font **out, const char *path)
{
    *out = NULL;
    struct pades_font *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->blob = hb_blob_create_from_file_or_fail(path);
    f->face = f->blob ? hb_face_create(f->blob, 0) : NULL;
    if (!f->face || hb_face_get_glyph_count(f->face) == 0 || hb_face_get_upem(f->face) == 0) {
        pades_font_free(f);
        return -1;
    }
    f->font = hb_font_create(f->face);
    f->upem = hb_face_get_upem(f->face);
    f->used = hb_set_create();
    if (!hb_set_allocation_successful(f->used)) {
        pades_font_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

void pades_font_free(struct pades_font *f)
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

unsigned long pades_font_resolve(const struct pades_font *f, unsigned long c)
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

double pades_font_advance(const struct pades_font *f, unsigned long c)
{
    hb_codepoint_t glyph = 0;
    hb_font_get_nominal_glyph(f->font, (hb_codepoint_t)pades_font_resolve(f, c), &glyph);
    return (double)hb_font_get_glyph_h_advance(f->font, glyph) * 1000.0 / f->upem;
}

void pades_font_use(struct pades_font *f, unsigned long c)
{
    hb_set_add(f->used, (hb_codepoint_t)pades_font_resolve(f, c));
}

int pades_font_subset(struct pades_font *f)
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

/* The subset's glyph for a resolved code point in the subset (0 when absent). */
static hb_codepoint_t subset_glyph(const struct pades_font *f, unsigned long c)
{
    hb_codepoint_t glyph = 0;
    if (!hb_font_get_nominal_glyph(f->subset_font, (hb_codepoint_t)c, &glyph))
        glyph = 0;
    return glyph;
}

void pades_font_show(const struct pades_font *f, struct pdf_buf *buf, const unsigned long *text,
                     size_t count)
{
    pdf_buf_append(buf, "<", 1);
    for (size_t i = 0; i < count; i++)
        pdf_buf_printf(buf, "%04X", (unsigned)subset_glyph(f, pades_font_resolve(f, text[i])));
    pdf_buf_append(buf, ">", 1);
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

static long to_thousandths(const struct pades_font *f, long units)
{
    return units * 1000 / (long)f->upem;
}

int pades_font_write(struct pades_update *u, const struct pades_font *f, uint32_t type0_num)
{
    uint32_t cid_num = type0_num + 1, descriptor_num = type0_num + 2, file_num = type0_num + 3,
             cmap_num = type0_num + 4;
    pades_begin_object(u, type0_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H"
                            " /DescendantFonts [%u 0 R] /ToUnicode %u 0 R >>\nendobj\n",
                   f->base_name, cid_num, cmap_num);

    /* widths (9.7.4.3) of the glyphs drawn, by CID = glyph number */
    pades_begin_object(u, cid_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s"
                            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                            " /FontDescriptor %u 0 R /CIDToGIDMap /Identity /DW 1000 /W [",
                   f->base_name, descriptor_num);
    hb_codepoint_t c = HB_SET_VALUE_INVALID;
    while (hb_set_next(f->used, &c)) {
        hb_codepoint_t glyph = subset_glyph(f, c);
        pdf_buf_printf(&u->out, " %u [%ld]", (unsigned)glyph,
                       to_thousandths(f, hb_font_get_glyph_h_advance(f->subset_font, glyph)));
    }
    pdf_buf_printf(&u->out, " ] >>\nendobj\n");

    /* the descriptor (9.8): bounding box from 'head', vertical metrics from OS/2 or hhea */
    hb_position_t ascender = 0, descender = 0, cap_height = 0;
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &ascender);
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &descender);
    hb_ot_metrics_get_position_with_fallback(f->subset_font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap_height);
    hb_tag_t head = HB_TAG('h', 'e', 'a', 'd');
    pades_begin_object(u, descriptor_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /FontDescriptor /FontName /%s /Flags 32"
                            " /FontBBox [%ld %ld %ld %ld] /ItalicAngle 0 /Ascent %ld /Descent %ld"
                            " /CapHeight %ld /StemV 80 /FontFile2 %u 0 R >>\nendobj\n",
                   f->base_name, to_thousandths(f, table_int16(f, head, 36, 0)),
                   to_thousandths(f, table_int16(f, head, 38, -250)),
                   to_thousandths(f, table_int16(f, head, 40, 1000)),
                   to_thousandths(f, table_int16(f, head, 42, 1000)), to_thousandths(f, ascender),
                   to_thousandths(f, descender), to_thousandths(f, cap_height), file_num);

    unsigned int len = 0;
    const char *data = hb_blob_get_data(f->subset_data, &len);
    char dict[64];
    snprintf(dict, sizeof dict, "/Length1 %u", len);
    if (pades_write_flate_stream(u, file_num, dict, data, len) != 0)
        return -1;

    /* /ToUnicode (9.10.3): each glyph back to its code point, in UTF-16BE */
    struct pdf_buf cmap = {0};
    pdf_buf_printf(&cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                          "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t total = hb_set_get_population(f->used), done = 0;
    c = HB_SET_VALUE_INVALID;
    while (done < total && hb_set_next(f->used, &c)) {
        size_t block = total - done < 100 ? total - done : 100; /* at most 100 a block (CMap rule) */
        pdf_buf_printf(&cmap, "%zu beginbfchar\n", block);
        for (size_t i = 0; i < block; i++) {
            if (i > 0 && !hb_set_next(f->used, &c))
                break;
            pdf_buf_printf(&cmap, "<%04X> <", (unsigned)subset_glyph(f, c));
            if (c >= 0x10000)
                pdf_buf_printf(&cmap, "%04X%04X", 0xd800 + ((c - 0x10000) >> 10),
                               0xdc00 + ((c - 0x10000) & 0x3ff));
            else
                pdf_buf_printf(&cmap, "%04X", (unsigned)c);
            pdf_buf_printf(&cmap, ">\n");
        }
        pdf_buf_printf(&cmap, "endbfchar\n");
        done += block;
    }
    pdf_buf_printf(&cmap, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    int rc = cmap.failed ? -1 : pades_write_flate_stream(u, cmap_num, NULL, cmap.data, cmap.len);
    pdf_buf_free(&cmap);
    return rc;
}
