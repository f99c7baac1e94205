/* The job and answer bytes between libsign and segl-render (pades_render_wire.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pades_render_wire.h"

static const char JOB_MAGIC[8] = "SEGLRJ1\n";
enum { RECORD_CHANGE = 'C', RECORD_WARNING = 'W', RECORD_END = 'E' };
#define JOB_MAX_BYTES ((size_t)1 << 40) /* no PDF segl reads is larger */

static int write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---------------------------------------------------------------- the job */

struct out_buf {
    unsigned char *data;
    size_t len, cap;
    int failed;
};

static void put(struct out_buf *b, const void *bytes, size_t len)
{
    if (b->failed)
        return;
    if (b->cap - b->len < len) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < len)
            cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
}

static void put_u64(struct out_buf *b, uint64_t v) { put(b, &v, sizeof v); }

int pades_render_job_write(int fd, const struct pades_render_job *job)
{
    struct out_buf head = {0}, tail = {0};
    put(&head, JOB_MAGIC, sizeof JOB_MAGIC);
    put_u64(&head, job->size);
    put_u64(&head, job->rotate_count);
    put_u64(&head, job->revision_count);
    put_u64(&head, job->want_images != 0);
    for (size_t i = 0; i < job->rotate_count; i++) {
        int32_t rotate = job->rotate[i];
        put(&tail, &rotate, sizeof rotate);
    }
    for (size_t r = 0; r < job->revision_count; r++) {
        const struct pades_render_revision *rev = &job->revisions[r];
        put_u64(&tail, rev->end);
        put_u64(&tail, rev->allowed_count);
        for (size_t i = 0; i < rev->allowed_count; i++) {
            const struct pades_render_rect *rect = &rev->allowed[i];
            put(&tail, &rect->page, sizeof rect->page);
            double corners[4] = {rect->x0, rect->y0, rect->x1, rect->y1};
            put(&tail, corners, sizeof corners);
        }
    }
    int rc = head.failed || tail.failed ? -1
             : write_all(fd, head.data, head.len) == 0 &&
                     write_all(fd, job->data, job->size) == 0 &&
                     write_all(fd, tail.data, tail.len) == 0
                 ? 0
                 : -1;
    if (head.failed || tail.failed)
        errno = ENOMEM;
    free(head.data);
    free(tail.data);
    return rc;
}

/* Reads fd to its end into a buffer (*len bytes); NULL on failure. */
static unsigned char *read_to_end(int fd, size_t *len)
{
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
                     ? (size_t)st.st_size + 1
                     : 65536;
    unsigned char *data = malloc(cap);
    size_t used = 0;
    while (data) {
        if (used == cap) {
            unsigned char *grown = cap < JOB_MAX_BYTES ? realloc(data, 2 * cap) : NULL;
            if (!grown)
                break;
            data = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, data + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (n == 0) {
            *len = used;
            return data;
        }
        used += (size_t)n;
    }
    free(data);
    return NULL;
}

struct cursor {
    const unsigned char *p;
    size_t left;
};

static int take(struct cursor *c, void *out, size_t len)
{
    if (c->left < len)
        return -1;
    memcpy(out, c->p, len);
    c->p += len;
    c->left -= len;
    return 0;
}

static int take_count(struct cursor *c, size_t item_size, size_t *count)
{
    uint64_t v;
    if (take(c, &v, sizeof v) != 0 || item_size == 0 || v > c->left / item_size)
        return -1; /* more items than bytes left for them */
    *count = (size_t)v;
    return 0;
}

int pades_render_job_read(int fd, struct pades_render_job_read *out)
{
    memset(out, 0, sizeof *out);
    size_t len = 0;
    out->storage = read_to_end(fd, &len);
    if (!out->storage)
        return -1;
    struct cursor c = {out->storage, len};
    char magic[sizeof JOB_MAGIC];
    uint64_t want_images;
    size_t size, rotate_count, revision_count;
    if (take(&c, magic, sizeof magic) != 0 || memcmp(magic, JOB_MAGIC, sizeof magic) != 0 ||
        take_count(&c, 1, &size) != 0 || take_count(&c, sizeof(int32_t), &rotate_count) != 0 ||
        take_count(&c, 2 * sizeof(uint64_t), &revision_count) != 0 ||
        take(&c, &want_images, sizeof want_images) != 0 || size > c.left)
        return -1;
    const unsigned char *data = c.p;
    c.p += size;
    c.left -= size;
    /* the counts were read before the data's end was known: check them again against the rest */
    if (rotate_count > c.left / sizeof(int32_t) ||
        !(out->rotate = calloc(rotate_count ? rotate_count : 1, sizeof *out->rotate)) ||
        !(out->revisions = calloc(revision_count ? revision_count : 1, sizeof *out->revisions)))
        return -1;
    for (size_t i = 0; i < rotate_count; i++) {
        int32_t rotate;
        if (take(&c, &rotate, sizeof rotate) != 0)
            return -1;
        out->rotate[i] = rotate;
    }
    /* every rectangle of every revision in one array, sized by a first pass */
    struct cursor scan = c;
    size_t rect_total = 0;
    const size_t rect_size = sizeof(uint32_t) + 4 * sizeof(double);
    for (size_t r = 0; r < revision_count; r++) {
        uint64_t end;
        size_t allowed;
        if (take(&scan, &end, sizeof end) != 0 || take_count(&scan, rect_size, &allowed) != 0)
            return -1;
        scan.p += allowed * rect_size;
        scan.left -= allowed * rect_size;
        rect_total += allowed;
    }
    if (scan.left != 0 || !(out->rects = calloc(rect_total ? rect_total : 1, sizeof *out->rects)))
        return -1;
    struct pades_render_rect *next = out->rects;
    for (size_t r = 0; r < revision_count; r++) {
        uint64_t end = 0, allowed = 0;
        if (take(&c, &end, sizeof end) != 0 || take(&c, &allowed, sizeof allowed) != 0 ||
            end > size)
            return -1;
        out->revisions[r] = (struct pades_render_revision){(size_t)end, next, (size_t)allowed};
        for (uint64_t i = 0; i < allowed; i++, next++) {
            double corners[4];
            if (take(&c, &next->page, sizeof next->page) != 0 ||
                take(&c, corners, sizeof corners) != 0)
                return -1;
            next->x0 = corners[0];
            next->y0 = corners[1];
            next->x1 = corners[2];
            next->y1 = corners[3];
        }
    }
    out->job = (struct pades_render_job){data, size, out->rotate, rotate_count, out->revisions,
                                         revision_count, want_images != 0};
    return 0;
}

void pades_render_job_read_free(struct pades_render_job_read *in)
{
    free(in->storage);
    free(in->revisions);
    free(in->rects);
    free(in->rotate);
    memset(in, 0, sizeof *in);
}

/* ---------------------------------------------------------------- the answer */

int pades_render_answer_write(int fd, const struct pades_render_result *result)
{
    int rc = 0;
    /* records copied field by field into zeroed ones: no uninitialised padding on the pipe */
    for (size_t i = 0; rc == 0 && i < result->change_count; i++) {
        const struct pades_render_change *c = &result->changes[i];
        struct pades_render_change record;
        memset(&record, 0, sizeof record);
        record.revision = c->revision;
        record.page = c->page;
        record.pixels = c->pixels;
        record.unexplained = c->unexplained;
        memcpy(record.box, c->box, sizeof record.box);
        record.png = c->png;
        record.png_len = c->png ? c->png_len : 0;
        unsigned char type = RECORD_CHANGE;
        rc = write_all(fd, &type, 1) | write_all(fd, &record, sizeof record) |
             (c->png ? write_all(fd, c->png, c->png_len) : 0);
    }
    for (size_t i = 0; rc == 0 && i < result->warning_count; i++) {
        struct pades_render_warning record;
        memset(&record, 0, sizeof record);
        record.revision = result->warnings[i].revision;
        snprintf(record.text, sizeof record.text, "%s", result->warnings[i].text);
        unsigned char type = RECORD_WARNING;
        rc = write_all(fd, &type, 1) | write_all(fd, &record, sizeof record);
    }
    unsigned char end = RECORD_END;
    return rc == 0 ? write_all(fd, &end, 1) : -1;
}

int pades_render_answer_parse(const unsigned char *data, size_t len, size_t revisions,
                              struct pades_render_result *out)
{
    size_t pos = 0;
    while (pos < len) {
        unsigned char type = data[pos++];
        if (type == RECORD_END)
            return pos == len ? 0 : -1;
        if (type == RECORD_WARNING) {
            struct pades_render_warning w;
            if (len - pos < sizeof w)
                return -1;
            memcpy(&w, data + pos, sizeof w);
            pos += sizeof w;
            w.text[sizeof w.text - 1] = '\0';
            if (w.revision != SIZE_MAX && w.revision >= revisions)
                return -1;
            if (pades_render_add_warning(out, w.revision, w.text) != 0)
                return -1;
        } else if (type == RECORD_CHANGE) {
            struct pades_render_change c;
            if (len - pos < sizeof c)
                return -1;
            memcpy(&c, data + pos, sizeof c);
            pos += sizeof c;
            if (c.revision >= revisions || c.page == 0 || c.page > PADES_RENDER_MAX_PAGES ||
                c.unexplained > c.pixels)
                return -1;
            unsigned char *png = NULL;
            if (c.png) {
                if (c.png_len == 0 || len - pos < c.png_len || !(png = malloc(c.png_len)))
                    return -1;
                memcpy(png, data + pos, c.png_len);
                pos += c.png_len;
            } else {
                c.png_len = 0;
            }
            c.png = png;
            if (pades_render_add_change(out, &c) != 0)
                return -1;
        } else {
            return -1;
        }
    }
    return -1; /* no end record */
}
