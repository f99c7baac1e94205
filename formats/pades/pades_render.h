/* The visual comparison of PDF revisions (pades_render.c: poppler and cairo; pades_visual.c:
 * what is compared, in the bounded renderer process segl-render, and what it means for a
 * signature). Internal. */
#ifndef SEGL_PADES_RENDER_H
#define SEGL_PADES_RENDER_H

#include <stddef.h>
#include <stdint.h>

/* Pixels per PDF point: 1.5 (108 dpi), less for pages larger than the bounds below. */
#define PADES_RENDER_SCALE 1.5
#define PADES_RENDER_MAX_SIDE 3000          /* pixels on the longer side of a page */
#define PADES_RENDER_MAX_PIXELS 6000000     /* pixels of a page */
#define PADES_RENDER_MAX_PAGES 100          /* pages compared per document */
#define PADES_RENDER_SECONDS 30             /* wall clock and CPU for one document */
#define PADES_RENDER_MEMORY (1024ull << 20) /* address space the renderer may add to its own */

/* Where a later change may show: an area of a page (0-based) in PDF user space. */
struct pades_render_rect {
    uint32_t page;
    double x0, y0, x1, y1;
};

/* A signed revision: the file's first end bytes, with the areas its later changes may paint. */
struct pades_render_revision {
    size_t end;
    const struct pades_render_rect *allowed;
    size_t allowed_count;
};

/* A page whose rendering differs: pixels changed in all, unexplained of them outside every
 * allowed area; box the changed pixels' bounds as [x, y, w, h] in PDF user space of the final
 * page (points, origin bottom left). png (malloc'd, or NULL) is the final page with the
 * changes highlighted. */
struct pades_render_change {
    size_t revision;
    uint32_t page;      /* 1-based */
    uint64_t pixels, unexplained;
    double box[4];
    unsigned char *png;
    size_t png_len;
};

struct pades_render_warning {
    size_t revision;    /* SIZE_MAX: every revision */
    char text[240];
};

struct pades_render_result {
    struct pades_render_change *changes;
    size_t change_count, change_cap;
    struct pades_render_warning *warnings;
    size_t warning_count, warning_cap;
};

struct pades_render_job {
    const unsigned char *data; /* the whole file */
    size_t size;
    const int *rotate;         /* /Rotate of each page of the final file (0, 90, 180, 270) */
    size_t rotate_count;
    const struct pades_render_revision *revisions;
    size_t revision_count;
    int want_images;
};

/* Renders every page (up to PADES_RENDER_MAX_PAGES) of the final file and of each revision and
 * compares them, in this process, with no time bound: segl-render runs it within bounds. Pages
 * added or removed are changes of the whole page; a page that cannot be rendered is a warning.
 * 0, or -1 when out of memory (out holds what was found). */
int pades_render_compare(const struct pades_render_job *job, struct pades_render_result *out);
void pades_render_result_free(struct pades_render_result *result);
/* Appends a change (taking png) or a warning; -1 when out of memory. */
int pades_render_add_change(struct pades_render_result *out, const struct pades_render_change *c);
int pades_render_add_warning(struct pades_render_result *out, size_t revision, const char *text);

#endif
