/* Rendering and comparing the pages of PDF revisions with poppler (poppler-glib on cairo image
 * surfaces). Each page of the final file is rendered once, then the same page of each signed
 * revision (the file cut at its signature's ByteRange end) at the same scale, and every pixel
 * compared. This file only renders and compares: it has no time or memory bound of its own, and
 * is run in the program segl-render (pades_render_main.c), which has them, and directly by the
 * fuzz target. Poppler's diagnostics go to segl-render's stderr, which is /dev/null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <poppler.h>
#include "pades_render.h"

#define PNG_MAX (32u << 20)       /* bytes of one highlighted page */
#define ALLOWED_MARGIN 1.5        /* points around an allowed area (anti-aliasing bleeds) */

/* ---------------------------------------------------------------- coordinates */

/* How a page is laid out on its rendering: the crop box (user space), /Rotate and the scale. */
struct layout {
    PopplerRectangle crop;
    int rotate;
    double scale;
    int width, height; /* pixels */
};

/* A point of user space to pixels (poppler renders the crop box turned clockwise by /Rotate). */
static void to_pixels(const struct layout *l, double x, double y, double *px, double *py)
{
    const PopplerRectangle *c = &l->crop;
    switch (l->rotate) {
    case 90: *px = y - c->y1; *py = x - c->x1; break;
    case 180: *px = c->x2 - x; *py = y - c->y1; break;
    case 270: *px = c->y2 - y; *py = c->x2 - x; break;
    default: *px = x - c->x1; *py = c->y2 - y; break;
    }
    *px *= l->scale;
    *py *= l->scale;
}

static void to_user(const struct layout *l, double px, double py, double *x, double *y)
{
    const PopplerRectangle *c = &l->crop;
    px /= l->scale;
    py /= l->scale;
    switch (l->rotate) {
    case 90: *y = c->y1 + px; *x = c->x1 + py; break;
    case 180: *x = c->x2 - px; *y = c->y1 + py; break;
    case 270: *y = c->y2 - px; *x = c->x2 - py; break;
    default: *x = c->x1 + px; *y = c->y2 - py; break;
    }
}

struct pixel_box {
    int x0, y0, x1, y1; /* inclusive-exclusive */
};

static struct pixel_box rect_to_pixels(const struct layout *l, const struct pades_render_rect *r)
{
    double ax, ay, bx, by;
    to_pixels(l, fmin(r->x0, r->x1) - ALLOWED_MARGIN, fmin(r->y0, r->y1) - ALLOWED_MARGIN, &ax, &ay);
    to_pixels(l, fmax(r->x0, r->x1) + ALLOWED_MARGIN, fmax(r->y0, r->y1) + ALLOWED_MARGIN, &bx, &by);
    double lo_x = fmax(fmin(ax, bx), -1.0), hi_x = fmin(fmax(ax, bx), l->width + 1.0);
    double lo_y = fmax(fmin(ay, by), -1.0), hi_y = fmin(fmax(ay, by), l->height + 1.0);
    struct pixel_box box = {(int)floor(lo_x), (int)floor(lo_y), (int)ceil(hi_x), (int)ceil(hi_y)};
    if (!(hi_x > lo_x && hi_y > lo_y)) /* NaN or empty */
        box = (struct pixel_box){0, 0, 0, 0};
    return box;
}

/* [x, y, w, h] in user space of the pixel bounds. */
static void box_to_user(const struct layout *l, const struct pixel_box *b, double out[4])
{
    double ax, ay, bx, by;
    to_user(l, b->x0, b->y0, &ax, &ay);
    to_user(l, b->x1, b->y1, &bx, &by);
    /* within the crop box: the last pixel of a page may reach past its edge */
    const PopplerRectangle *c = &l->crop;
    double x0 = fmax(fmin(ax, bx), fmin(c->x1, c->x2)), x1 = fmin(fmax(ax, bx), fmax(c->x1, c->x2));
    double y0 = fmax(fmin(ay, by), fmin(c->y1, c->y2)), y1 = fmin(fmax(ay, by), fmax(c->y1, c->y2));
    out[0] = x0;
    out[1] = y0;
    out[2] = x1 > x0 ? x1 - x0 : 0;
    out[3] = y1 > y0 ? y1 - y0 : 0;
}

/* ---------------------------------------------------------------- rendering */

/* The scale for a page of width x height points: PADES_RENDER_SCALE, less for a large page. */
static double page_scale(double width, double height)
{
    double s = PADES_RENDER_SCALE;
    double longer = fmax(width, height);
    if (longer * s > PADES_RENDER_MAX_SIDE)
        s = PADES_RENDER_MAX_SIDE / longer;
    if (width * s * height * s > PADES_RENDER_MAX_PIXELS)
        s = sqrt(PADES_RENDER_MAX_PIXELS / (width * height));
    return s;
}

/* The page drawn on white at l->scale, or NULL (with why) when poppler or cairo cannot. */
static cairo_surface_t *render(PopplerPage *page, const struct layout *l, const char **why)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, l->width, l->height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        *why = "no memory for the page's pixels";
        cairo_surface_destroy(surface);
        return NULL;
    }
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, l->scale, l->scale);
    poppler_page_render(page, cr);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    if (status != CAIRO_STATUS_SUCCESS) {
        *why = cairo_status_to_string(status);
        cairo_surface_destroy(surface);
        return NULL;
    }
    cairo_surface_flush(surface);
    return surface;
}

/* Whether the page's size in points is that of the layout (a page changed in size, or turned,
 * is a change of the whole page). */
static int same_size(PopplerPage *page, double width, double height)
{
    double w, h;
    poppler_page_get_size(page, &w, &h);
    return fabs(w - width) < 0.01 && fabs(h - height) < 0.01;
}

struct png_buffer {
    unsigned char *data;
    size_t len, cap;
};

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct png_buffer *buf = closure;
    if (buf->len + len > PNG_MAX)
        return CAIRO_STATUS_WRITE_ERROR;
    if (buf->len + len > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 65536;
        while (cap < buf->len + len)
            cap *= 2;
        unsigned char *grown = realloc(buf->data, cap);
        if (!grown)
            return CAIRO_STATUS_NO_MEMORY;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The final page with the changed pixels tinted red and their bounds framed: red when some are
 * unexplained, blue when every one is inside an allowed area. NULL when it cannot be made. */
static unsigned char *highlight(cairo_surface_t *final, const uint8_t *changed,
                                const struct pixel_box *bounds, int unexplained, size_t *len)
{
    int width = cairo_image_surface_get_width(final), height = cairo_image_surface_get_height(final);
    cairo_surface_t *copy = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(copy) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(copy);
        return NULL;
    }
    cairo_surface_flush(copy);
    int from_stride = cairo_image_surface_get_stride(final);
    int to_stride = cairo_image_surface_get_stride(copy);
    const unsigned char *from = cairo_image_surface_get_data(final);
    unsigned char *to = cairo_image_surface_get_data(copy);
    for (int y = 0; y < height; y++) {
        const uint32_t *src = (const uint32_t *)(const void *)(from + (size_t)y * from_stride);
        uint32_t *dst = (uint32_t *)(void *)(to + (size_t)y * to_stride);
        for (int x = 0; x < width; x++) {
            uint32_t p = src[x];
            if (changed[(size_t)y * width + x]) {
                uint32_t r = (((p >> 16) & 0xff) + 255) / 2, g = ((p >> 8) & 0xff) / 3,
                         b = (p & 0xff) / 3;
                p = r << 16 | g << 8 | b;
            }
            dst[x] = p;
        }
    }
    cairo_surface_mark_dirty(copy);
    cairo_t *cr = cairo_create(copy);
    if (unexplained)
        cairo_set_source_rgb(cr, 1, 0, 0);
    else
        cairo_set_source_rgb(cr, 0, 0, 1);
    cairo_set_line_width(cr, 2);
    cairo_rectangle(cr, bounds->x0 - 2, bounds->y0 - 2, bounds->x1 - bounds->x0 + 4,
                    bounds->y1 - bounds->y0 + 4);
    cairo_stroke(cr);
    cairo_destroy(cr);
    struct png_buffer buf = {NULL, 0, 0};
    cairo_status_t status = cairo_surface_write_to_png_stream(copy, png_write, &buf);
    cairo_surface_destroy(copy);
    if (status != CAIRO_STATUS_SUCCESS) {
        free(buf.data);
        return NULL;
    }
    *len = buf.len;
    return buf.data;
}

/* Compares the final page (rendered as final with layout l) with old, recording a change. */
static int compare_page(const struct pades_render_job *job, size_t rev, uint32_t page,
                        const struct layout *l, cairo_surface_t *final, cairo_surface_t *old,
                        struct pades_render_result *out)
{
    const struct pades_render_revision *revision = &job->revisions[rev];
    struct pixel_box allowed[64];
    size_t allowed_count = 0;
    for (size_t i = 0; i < revision->allowed_count && allowed_count < 64; i++)
        if (revision->allowed[i].page == page)
            allowed[allowed_count++] = rect_to_pixels(l, &revision->allowed[i]);
    int width = l->width, height = l->height;
    int stride_new = cairo_image_surface_get_stride(final), stride_old = cairo_image_surface_get_stride(old);
    const unsigned char *data_new = cairo_image_surface_get_data(final);
    const unsigned char *data_old = cairo_image_surface_get_data(old);
    uint8_t *changed = job->want_images ? calloc((size_t)width * height, 1) : NULL;
    if (job->want_images && !changed)
        return -1;
    struct pixel_box bounds = {width, height, 0, 0};
    uint64_t pixels = 0, unexplained = 0;
    for (int y = 0; y < height; y++) {
        const uint32_t *a = (const uint32_t *)(const void *)(data_new + (size_t)y * stride_new);
        const uint32_t *b = (const uint32_t *)(const void *)(data_old + (size_t)y * stride_old);
        for (int x = 0; x < width; x++) {
            if (((a[x] ^ b[x]) & 0xffffff) == 0)
                continue;
            pixels++;
            if (changed)
                changed[(size_t)y * width + x] = 1;
            bounds.x0 = x < bounds.x0 ? x : bounds.x0;
            bounds.y0 = y < bounds.y0 ? y : bounds.y0;
            bounds.x1 = x + 1 > bounds.x1 ? x + 1 : bounds.x1;
            bounds.y1 = y + 1 > bounds.y1 ? y + 1 : bounds.y1;
            int inside = 0;
            for (size_t i = 0; i < allowed_count && !inside; i++)
                inside = x >= allowed[i].x0 && x < allowed[i].x1 && y >= allowed[i].y0 &&
                         y < allowed[i].y1;
            unexplained += !inside;
        }
    }
    int rc = 0;
    if (pixels) {
        struct pades_render_change c = {.revision = rev, .page = page + 1, .pixels = pixels,
                                        .unexplained = unexplained};
        box_to_user(l, &bounds, c.box);
        if (changed)
            c.png = highlight(final, changed, &bounds, unexplained > 0, &c.png_len);
        rc = pades_render_add_change(out, &c);
    }
    free(changed);
    return rc;
}

/* A page that is in one of the two documents only: a change of the whole page. */
static int whole_page(const struct pades_render_job *job, size_t rev, uint32_t page,
                      const struct layout *l, cairo_surface_t *final,
                      struct pades_render_result *out)
{
    struct pades_render_change c = {.revision = rev, .page = page + 1};
    c.pixels = c.unexplained = (uint64_t)l->width * (uint64_t)l->height;
    struct pixel_box all = {0, 0, l->width, l->height};
    box_to_user(l, &all, c.box);
    if (job->want_images && final) {
        uint8_t *changed = calloc((size_t)l->width * l->height, 1);
        if (changed)
            c.png = highlight(final, changed, &all, 1, &c.png_len);
        free(changed);
    }
    return pades_render_add_change(out, &c);
}

static PopplerDocument *open_bytes(const unsigned char *data, size_t len, char *why, size_t why_len)
{
    GBytes *bytes = g_bytes_new_static(data, len);
    GError *error = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &error);
    g_bytes_unref(bytes); /* the document keeps its own reference */
    if (!doc)
        snprintf(why, why_len, "%s", error && error->message ? error->message : "unreadable");
    if (error)
        g_error_free(error);
    return doc;
}

int pades_render_compare(const struct pades_render_job *job, struct pades_render_result *out)
{
    char why[160], text[240];
    PopplerDocument *final = open_bytes(job->data, job->size, why, sizeof why);
    if (!final) {
        snprintf(text, sizeof text, "the document cannot be rendered (poppler: %s); it was not "
                                    "compared visually", why);
        return pades_render_add_warning(out, SIZE_MAX, text);
    }
    size_t count = job->revision_count;
    PopplerDocument **old = calloc(count ? count : 1, sizeof *old);
    int *old_pages = calloc(count ? count : 1, sizeof *old_pages);
    int rc = old && old_pages ? 0 : -1;
    for (size_t r = 0; rc == 0 && r < count; r++) {
        if (job->revisions[r].end > job->size)
            continue;
        old[r] = open_bytes(job->data, job->revisions[r].end, why, sizeof why);
        if (!old[r]) {
            snprintf(text, sizeof text, "the signed revision cannot be rendered (poppler: %s); "
                                        "it was not compared visually", why);
            rc = pades_render_add_warning(out, r, text);
        } else {
            old_pages[r] = poppler_document_get_n_pages(old[r]);
        }
    }
    int final_pages = poppler_document_get_n_pages(final);
    int most = final_pages;
    for (size_t r = 0; r < count; r++)
        most = old[r] && old_pages[r] > most ? old_pages[r] : most;
    if (most > PADES_RENDER_MAX_PAGES) {
        snprintf(text, sizeof text, "only the first %d of %d pages were compared visually",
                 PADES_RENDER_MAX_PAGES, most);
        rc |= pades_render_add_warning(out, SIZE_MAX, text);
        most = PADES_RENDER_MAX_PAGES;
    }
    for (int p = 0; rc == 0 && p < most; p++) {
        PopplerPage *page = p < final_pages ? poppler_document_get_page(final, p) : NULL;
        struct layout l = {.rotate = 0};
        cairo_surface_t *surface = NULL;
        double width = 0, height = 0;
        const char *failed = NULL;
        if (page) {
            poppler_page_get_size(page, &width, &height);
            poppler_page_get_crop_box(page, &l.crop);
            l.rotate = (size_t)p < job->rotate_count ? job->rotate[p] : 0;
            if (!(width >= 1 && height >= 1 && width <= 1e6 && height <= 1e6)) {
                failed = "the page has no usable size";
            } else {
                l.scale = page_scale(width, height);
                l.width = (int)ceil(width * l.scale);
                l.height = (int)ceil(height * l.scale);
                surface = render(page, &l, &failed);
            }
        } else if (p < final_pages) {
            failed = "poppler cannot read the page";
        }
        if (failed) {
            snprintf(text, sizeof text, "page %d of the document cannot be rendered (%s); it was "
                                        "not compared visually", p + 1, failed);
            rc = pades_render_add_warning(out, SIZE_MAX, text);
        }
        for (size_t r = 0; rc == 0 && !failed && r < count; r++) {
            if (!old[r])
                continue;
            if (p >= old_pages[r] || !page) {
                /* added after signing, or removed since: the whole page */
                struct layout gone = l;
                if (!page) {
                    PopplerPage *old_page = poppler_document_get_page(old[r], p);
                    if (!old_page)
                        continue;
                    poppler_page_get_size(old_page, &width, &height);
                    poppler_page_get_crop_box(old_page, &gone.crop);
                    g_object_unref(old_page);
                    if (!(width >= 1 && height >= 1 && width <= 1e6 && height <= 1e6))
                        continue;
                    gone.scale = page_scale(width, height);
                    gone.width = (int)ceil(width * gone.scale);
                    gone.height = (int)ceil(height * gone.scale);
                }
                rc = whole_page(job, r, (uint32_t)p, &gone, surface, out);
                continue;
            }
            PopplerPage *old_page = poppler_document_get_page(old[r], p);
            const char *old_failed = NULL;
            cairo_surface_t *old_surface = NULL;
            if (!old_page)
                old_failed = "poppler cannot read the page";
            else if (!same_size(old_page, width, height))
                rc = whole_page(job, r, (uint32_t)p, &l, surface, out);
            else if ((old_surface = render(old_page, &l, &old_failed)))
                rc = compare_page(job, r, (uint32_t)p, &l, surface, old_surface, out);
            if (old_failed) {
                snprintf(text, sizeof text, "page %d of the signed revision cannot be rendered "
                                            "(%s); it was not compared visually", p + 1, old_failed);
                rc = pades_render_add_warning(out, r, text);
            }
            cairo_surface_destroy(old_surface);
            if (old_page)
                g_object_unref(old_page);
        }
        cairo_surface_destroy(surface);
        if (page)
            g_object_unref(page);
    }
    for (size_t r = 0; old && r < count; r++)
        if (old[r])
            g_object_unref(old[r]);
    free(old);
    free(old_pages);
    g_object_unref(final);
    return rc;
}
