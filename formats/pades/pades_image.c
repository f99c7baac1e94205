/* The picture beside a visible signature's text (segl-sign --image), decoded by the module
 * libsign-glyphs (pades_image_png.c) and written here as an image XObject (ISO 32000-1 8.9.5)
 * with its transparency as a soft mask (11.6.5.3) when the picture has any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades.h"

int pades_image_from_png(struct pades_image *img, const void *png, size_t len, char *why,
                         size_t why_len)
{
    memset(img, 0, sizeof *img);
    const struct pades_glyph_ops *ops = pades_glyph_ops(why, why_len);
    return ops ? ops->image_from_png(img, png, len, why, why_len) : -1;
}

int pades_image_write(struct pades_update *u, const struct pades_image *img, uint32_t image_num)
{
    char dict[256];
    size_t pixels = (size_t)img->width * img->height;
    if (img->alpha) {
        snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Image /Width %u /Height %u"
                                    " /ColorSpace /DeviceGray /BitsPerComponent 8",
                 img->width, img->height);
        if (pades_write_flate_stream(u, image_num + 1, dict, img->alpha, pixels) != 0)
            return -1;
    }
    int n = snprintf(dict, sizeof dict, "/Type /XObject /Subtype /Image /Width %u /Height %u"
                                        " /ColorSpace /DeviceRGB /BitsPerComponent 8",
                     img->width, img->height);
    if (img->alpha)
        snprintf(dict + n, sizeof dict - (size_t)n, " /SMask %u 0 R", image_num + 1);
    return pades_write_flate_stream(u, image_num, dict, img->rgb, pixels * 3);
}
