/* libFuzzer target: the picture of a visible signature (formats/pades/pades_image.c, segl-sign
 * --image): a PNG decoded by libpng into bounded RGB and alpha planes, then written as an image
 * XObject and soft mask the way an appearance writes it. */
#include <stdint.h>
#include <stdlib.h>
#include "formats/pades/pades.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pades_image img;
    char why[160];
    if (pades_image_from_png(&img, data, size, why, sizeof why) != 0)
        return 0;
    if (!img.width || !img.height || !img.rgb)
        abort(); /* a decoded picture has pixels */
    struct pades_update u = {0};
    (void)pades_image_write(&u, &img, 10);
    pades_update_free(&u);
    pades_image_free(&img);
    return 0;
}
