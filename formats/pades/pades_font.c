/* The font of a visible signature written into the PDF: DejaVu Sans embedded as a subset of the
 * glyphs the appearance uses, as a Type 0 font with a CIDFontType2 descendant, Identity-H
 * encoding and CIDToGIDMap /Identity (ISO 32000-1 9.7.4, 9.7.6, 9.8), with a /ToUnicode CMap
 * (9.10.3) so that the text can be extracted and searched. Measuring and subsetting are
 * HarfBuzz's, in the module libsign-glyphs (pades_font_hb.c, pades_glyphs.h); the appearance
 * (pades_appearance.c) checks that the module is there before it opens a font. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades.h"

/* The module's table: pades_write_appearance has loaded it before any font exists. */
static const struct pades_glyph_ops *loaded(void)
{
    char why[8];
    return pades_glyph_ops(why, sizeof why);
}

int pades_font_open(struct pades_font **out, const char *path)
{
    const struct pades_glyph_ops *ops = loaded();
    *out = NULL;
    return ops ? ops->font_open(out, path) : -1;
}

void pades_font_free(struct pades_font *f)
{
    if (f)
        loaded()->font_free(f);
}

unsigned long pades_font_resolve(const struct pades_font *f, unsigned long c)
{
    return loaded()->font_resolve(f, c);
}

double pades_font_advance(const struct pades_font *f, unsigned long c)
{
    return loaded()->font_advance(f, c);
}

void pades_font_use(struct pades_font *f, unsigned long c)
{
    loaded()->font_use(f, c);
}

int pades_font_subset(struct pades_font *f)
{
    return loaded()->font_subset(f);
}

void pades_font_show(const struct pades_font *f, struct pdf_buf *buf, const unsigned long *text,
                     size_t count)
{
    const struct pades_glyph_ops *ops = loaded();
    pdf_buf_append(buf, "<", 1);
    for (size_t i = 0; i < count; i++)
        pdf_buf_printf(buf, "%04X", ops->font_glyph(f, ops->font_resolve(f, text[i])));
    pdf_buf_append(buf, ">", 1);
}

int pades_font_write(struct pades_update *u, const struct pades_font *f, uint32_t type0_num)
{
    const struct pades_glyph_ops *ops = loaded();
    const char *base_name = ops->font_name(f);
    uint32_t cid_num = type0_num + 1, descriptor_num = type0_num + 2, file_num = type0_num + 3,
             cmap_num = type0_num + 4;
    pades_begin_object(u, type0_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H"
                            " /DescendantFonts [%u 0 R] /ToUnicode %u 0 R >>\nendobj\n",
                   base_name, cid_num, cmap_num);

    /* widths (9.7.4.3) of the glyphs drawn, by CID = glyph number */
    pades_begin_object(u, cid_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s"
                            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                            " /FontDescriptor %u 0 R /CIDToGIDMap /Identity /DW 1000 /W [",
                   base_name, descriptor_num);
    unsigned long c = (unsigned long)-1;
    while (ops->font_next_used(f, &c)) {
        unsigned int glyph = ops->font_glyph(f, c);
        pdf_buf_printf(&u->out, " %u [%ld]", glyph, ops->font_glyph_advance(f, glyph));
    }
    pdf_buf_printf(&u->out, " ] >>\nendobj\n");

    /* the descriptor (9.8) */
    struct pades_font_metrics m;
    ops->font_metrics(f, &m);
    pades_begin_object(u, descriptor_num, 0);
    pdf_buf_printf(&u->out, "<< /Type /FontDescriptor /FontName /%s /Flags 32"
                            " /FontBBox [%ld %ld %ld %ld] /ItalicAngle 0 /Ascent %ld /Descent %ld"
                            " /CapHeight %ld /StemV 80 /FontFile2 %u 0 R >>\nendobj\n",
                   base_name, m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3], m.ascent, m.descent,
                   m.cap_height, file_num);

    size_t len = 0;
    const char *data = ops->font_data(f, &len);
    char dict[64];
    snprintf(dict, sizeof dict, "/Length1 %zu", len);
    if (pades_write_flate_stream(u, file_num, dict, data, len) != 0)
        return -1;

    /* /ToUnicode (9.10.3): each glyph back to its code point, in UTF-16BE */
    struct pdf_buf cmap = {0};
    pdf_buf_printf(&cmap, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                          "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t total = ops->font_used_count(f), done = 0;
    c = (unsigned long)-1;
    while (done < total && ops->font_next_used(f, &c)) {
        size_t block = total - done < 100 ? total - done : 100; /* at most 100 a block (CMap rule) */
        pdf_buf_printf(&cmap, "%zu beginbfchar\n", block);
        for (size_t i = 0; i < block; i++) {
            if (i > 0 && !ops->font_next_used(f, &c))
                break;
            pdf_buf_printf(&cmap, "<%04X> <", ops->font_glyph(f, c));
            if (c >= 0x10000)
                pdf_buf_printf(&cmap, "%04lX%04lX", 0xd800 + ((c - 0x10000) >> 10),
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
