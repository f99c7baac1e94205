/* The picture beside a visible signature's text (segl-sign --image): a PNG file, untrusted bytes,
 * decoded by libpng's simplified API to 8-bit sRGB with alpha, bounded in size. Part of the
 * module libsign-glyphs (pades_glyphs.h); pades_image.c writes the picture into the PDF. Fuzzed
 * by tests/fuzz/fuzz_png.c. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades_glyphs.h"

/* A scanned signature or a logo needs far less; more would only make the PDF large. */
#define MAX_SIDE 4096u
#define MAX_PIXELS (4096u * 2048u)

int pades_image_png_decode(struct pades_image *img, const void *png, size_t len, char *why,
                           size_t why_len);

int pades_image_png_decode(struct pades_image *img, const void *png, size_t len, char *why,
                           size_t why_len)
{
    memset(img, 0, sizeof *img);
    if (len < 8 || png_sig_cmp((png_const_bytep)png, 0, 8) != 0) {
        snprintf(why, why_len, "not a PNG file");
        return -1;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, png, len)) {
        snprintf(why, why_len, "unreadable PNG (%s)", image.message);
        png_image_free(&image);
        return -1;
    }
    if (image.width == 0 || image.height == 0 || image.width > MAX_SIDE || image.height > MAX_SIDE ||
        (size_t)image.width * image.height > MAX_PIXELS) {
        snprintf(why, why_len, "the PNG is %ux%u pixels; at most %ux%u and %u pixels are taken",
                 (unsigned)image.width, (unsigned)image.height, MAX_SIDE, MAX_SIDE, MAX_PIXELS);
        png_image_free(&image);
        return -1;
    }
    image.format = PNG_FORMAT_RGBA;
    size_t pixels = (size_t)image.width * image.height;
    unsigned char *rgba = malloc(pixels * 4);
    if (!rgba) {
        snprintf(why, why_len, "out of memory");
        png_image_free(&image);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, rgba, 0, NULL)) {
        snprintf(why, why_len, "unreadable PNG (%s)", image.message);
        png_image_free(&image);
        free(rgba);
        return -1;
    }
    img->width = image.width;
    img->height = image.height;
    img->rgb = malloc(pixels * 3);
    img->alpha = malloc(pixels);
    if (!img->rgb || !img->alpha) {
        snprintf(why, why_len, "out of memory");
        free(rgba);
        pades_image_free(img);
        return -1;
    }
    int opaque = 1;
    for (size_t i = 0; i < pixels; i++) {
        memcpy(img->rgb + 3 * i, rgba + 4 * i, 3);
        img->alpha[i] = rgba[4 * i + 3];
        opaque &= img->alpha[i] == 255;
    }
    free(rgba);
    if (opaque) {
        free(img->alpha);
        img->alpha = NULL;
    }
    return 0;
}
