/* libFuzzer target: the visual comparison's renderer (formats/pades/pades_render.c), the entry
 * point that takes a PDF's bytes: the input is the final file and its first revision (up to the
 * first "%%EOF" and its end of line, or the first half) the signed one, compared page by page
 * with an allowed area and, for one input in two, highlighted PNGs made. Run in this process,
 * without segl-render's bounds: a hang or an allocation storm here is a finding that
 * pades_visual.c's limits would only have contained. */
#include <stdint.h>
#include <string.h>
#include "formats/pades/pades_render.h"

static size_t first_revision_end(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 5 <= size; i++)
        if (memcmp(data + i, "%%EOF", 5) == 0) {
            size_t end = i + 5;
            while (end < size && (data[end] == '\r' || data[end] == '\n'))
                end++;
            return end;
        }
    return size / 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    static const int rotate[] = {0, 90, 180, 270};
    const struct pades_render_rect allowed = {0, 50, 50, 270, 110};
    struct pades_render_revision revision = {first_revision_end(data, size), &allowed, 1};
    struct pades_render_job job = {.data = data, .size = size, .rotate = rotate,
                                   .rotate_count = 4, .revisions = &revision,
                                   .revision_count = 1, .want_images = size % 2};
    struct pades_render_result result = {0};
    pades_render_compare(&job, &result);
    pades_render_result_free(&result);
    return 0;
}
