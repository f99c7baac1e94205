/* Visual comparison of the signed revisions with the final document (issue #14): a later revision
 * can change what a page shows without changing an object the structural analysis
 * (pades_diff.c) calls disallowed (shadow attacks: a content stream reached through a reused or
 * redirected object, an overlay). Each page of each signature's revision is rendered and
 * compared with the same page of the final file (pades_render.c); changed pixels are explained
 * only inside the /Rect of an annotation or widget that a later revision added or changed and
 * that the structural analysis allowed. Anything else makes the signature TOTAL_FAILED
 * (FORMAT_FAILURE, the subindication of every disallowed modification) and its modification
 * "disallowed".
 *
 * Bounds: poppler has no time or memory limit of its own and a hostile PDF can make it loop or
 * allocate without end, so the rendering runs in a forked child with RLIMIT_CPU, RLIMIT_AS
 * (the address space it inherits plus RENDER_MEMORY; not under AddressSanitizer, whose shadow
 * memory needs terabytes of address space) and a wall-clock deadline after which the parent
 * kills it. Fork is safe in the threaded batch because the parent never calls poppler, glib or
 * cairo (so no lock of theirs can be held by another thread at the fork), the child calls
 * nothing of OpenSSL's and leaves by _exit, and glibc's malloc is reset in the child by its own
 * fork handler. The child closes every descriptor but its pipe (another thread's pipe would
 * otherwise stay open in it) and ends its answer with an end record. A fork is made only when
 * something is to be rendered. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pades.h"
#include "pades_render.h"
#include "pades_visual.h"

#define RENDER_SECONDS 30                  /* wall clock and CPU for one document */
#define RENDER_MEMORY (1024ull << 20)      /* address space the child may add */
#define ANSWER_MAX_IMAGES (512u << 20)     /* bytes of the child's answer, with PNGs */
#define ANSWER_MAX (4u << 20)              /* without */
#define MAX_ALLOWED 256                    /* allowed areas per revision */
#define MAX_CHANGED_OBJECTS 100000
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* ---------------------------------------------------------------- pages and rectangles */

struct pages {
    pdf_value *dicts[PADES_RENDER_MAX_PAGES];
    int rotate[PADES_RENDER_MAX_PAGES];
    size_t count;
};

static int number(const pdf_value *v, double *out)
{
    if (v && v->type == PDF_INT) {
        *out = (double)v->num;
        return 1;
    }
    if (v && v->type == PDF_REAL && v->len > 0 && v->len < 40) {
        char text[40];
        memcpy(text, v->bytes, v->len);
        text[v->len] = '\0';
        char *end;
        *out = strtod(text, &end);
        return *end == '\0';
    }
    return 0;
}

/* ISO 32000-1 7.7.3.3: the page tree in order, /Rotate inherited; bounded. */
static void walk_pages(pdf_doc *doc, pdf_value *node, int rotate, int depth, size_t *visits,
                       struct pages *out)
{
    if (!node || node->type != PDF_DICT || depth > 32 || ++*visits > 10000 ||
        out->count == PADES_RENDER_MAX_PAGES)
        return;
    double r;
    if (number(pdf_dict_get(node, "Rotate"), &r))
        rotate = (((int)r % 360) + 360) % 360;
    pdf_value *kids = pdf_resolve(doc, pdf_dict_get(node, "Kids"), SIZE_MAX);
    if (pdf_is_name(pdf_dict_get(node, "Type"), "Pages") || (kids && kids->type == PDF_ARRAY)) {
        for (size_t i = 0; kids && kids->type == PDF_ARRAY && i < kids->count; i++)
            walk_pages(doc, pdf_resolve(doc, kids->items[i], SIZE_MAX), rotate, depth + 1, visits,
                       out);
        return;
    }
    out->rotate[out->count] = rotate % 90 == 0 ? rotate : 0;
    out->dicts[out->count++] = node;
}

/* Whether object num differs between the signed revision (limit) and the final file, or its
 * appearance streams (/AP, one level of appearance states) do. */
static int changed_since(pdf_doc *doc, pdf_value *ref, size_t limit, int depth)
{
    if (!ref || ref->type != PDF_REF)
        return 0;
    pdf_value *old = pdf_get(doc, (uint32_t)ref->num, limit);
    pdf_value *new = pdf_get(doc, (uint32_t)ref->num, SIZE_MAX);
    if (!old || !new || !pdf_equal(doc, old, new))
        return 1;
    if (depth >= 3 || (new->type != PDF_DICT && new->type != PDF_STREAM))
        return 0;
    static const char *const keys[] = {"AP", "N", "R", "D", NULL};
    for (size_t k = 0; keys[k]; k++) {
        pdf_value *v = pdf_dict_get(new, keys[k]);
        if (changed_since(doc, v, limit, depth + 1))
            return 1;
        if (v && v->type == PDF_DICT) /* a direct /AP or state dictionary */
            for (size_t i = 0; i < v->count && i < 64; i++)
                if (changed_since(doc, v->items[i], limit, depth + 1))
                    return 1;
    }
    return 0;
}

/* The /Rect of each annotation of the final pages that a later revision added or changed. */
static size_t allowed_rects(pdf_doc *doc, const struct pages *pages, size_t limit,
                            struct pades_render_rect *out, size_t max)
{
    size_t count = 0;
    for (size_t p = 0; p < pages->count; p++) {
        pdf_value *annots = pdf_resolve(doc, pdf_dict_get(pages->dicts[p], "Annots"), SIZE_MAX);
        for (size_t i = 0; annots && annots->type == PDF_ARRAY && i < annots->count; i++) {
            if (!changed_since(doc, annots->items[i], limit, 0))
                continue; /* direct annotations are not tracked: never allowed */
            pdf_value *annot = pdf_resolve(doc, annots->items[i], SIZE_MAX);
            pdf_value *rect = pdf_resolve(doc, pdf_dict_get(annot, "Rect"), SIZE_MAX);
            double c[4];
            int ok = rect && rect->type == PDF_ARRAY && rect->count == 4;
            for (int k = 0; ok && k < 4; k++)
                ok = number(pdf_resolve(doc, rect->items[k], SIZE_MAX), &c[k]);
            if (!ok || count == max)
                continue;
            out[count++] = (struct pades_render_rect){(uint32_t)p, c[0], c[1], c[2], c[3]};
        }
    }
    return count;
}

/* ---------------------------------------------------------------- --visual auto */

static int zero_area(pdf_doc *doc, pdf_value *annot)
{
    pdf_value *rect = pdf_resolve(doc, pdf_dict_get(annot, "Rect"), SIZE_MAX);
    double c[4];
    if (!rect || rect->type != PDF_ARRAY || rect->count != 4)
        return 1;
    for (int k = 0; k < 4; k++)
        if (!number(pdf_resolve(doc, rect->items[k], SIZE_MAX), &c[k]))
            return 0;
    return c[0] == c[2] || c[1] == c[3];
}

/* The keys of a and b other than those listed have equal values. */
static int same_but(pdf_doc *doc, const pdf_value *a, const pdf_value *b, const char *const *keys)
{
    const pdf_value *pair[2] = {a, b};
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < pair[side]->count; i++) {
            const pdf_value *key = pair[side]->keys[i];
            int listed = 0;
            for (size_t k = 0; keys[k] && !listed; k++)
                listed = key->len == strlen(keys[k]) && memcmp(key->bytes, keys[k], key->len) == 0;
            char name[128];
            if (listed)
                continue;
            if (key->len >= sizeof name)
                return 0;
            memcpy(name, key->bytes, key->len);
            name[key->len] = '\0';
            if (!pdf_equal(doc, pdf_dict_get(a, name), pdf_dict_get(b, name)))
                return 0;
        }
    return 1;
}

/* Whether everything after signed_end is validation data: a DSS, document timestamps with
 * invisible widgets, and the catalog, form, page /Annots and metadata entries that hold them
 * (then --visual auto does not render). Errs towards rendering. */
static int only_validation_data(pdf_doc *doc, size_t signed_end)
{
    size_t seen = 0;
    for (size_t s = 0; s < doc->section_count; s++) {
        if (doc->sections[s].offset < signed_end)
            continue;
        for (size_t k = 0; k < doc->sections[s].count; k++) {
            if (++seen > MAX_CHANGED_OBJECTS)
                return 0;
            uint32_t num = doc->sections[s].entries[k].num;
            pdf_value *old = pdf_get(doc, num, signed_end);
            pdf_value *new = pdf_get(doc, num, SIZE_MAX);
            if (!new || !old) {
                if (old)
                    return 0; /* deleted, or made unreadable */
                if (!new || new->type != PDF_DICT)
                    continue; /* new arrays and streams matter through the dictionaries below */
            } else if (pdf_equal(doc, old, new)) {
                continue;
            } else if (new->type == PDF_ARRAY && old->type == PDF_ARRAY) {
                /* /Fields or /Annots growing: the new items are judged as objects */
                for (size_t i = 0; i < old->count; i++)
                    if (i >= new->count || !pdf_equal(doc, old->items[i], new->items[i]))
                        return 0;
                continue;
            } else if (new->type != PDF_DICT &&
                       !(new->type == PDF_STREAM && pdf_is_name(pdf_dict_get(new, "Type"), "Metadata"))) {
                return 0; /* a changed stream: page content, image, appearance */
            }
            pdf_value *type = pdf_dict_get(new, "Type");
            if (pdf_is_name(type, "DSS") || pdf_is_name(type, "VRI") ||
                pdf_is_name(type, "DocTimeStamp") || pdf_is_name(type, "Metadata"))
                continue;
            if (pdf_is_name(type, "Sig") || pdf_dict_get(new, "ByteRange"))
                return 0; /* a signature */
            if (pdf_dict_get(new, "Subtype") && pdf_dict_get(new, "Rect")) {
                if (!pdf_is_name(pdf_dict_get(new, "Subtype"), "Widget") || !zero_area(doc, new))
                    return 0; /* an annotation that can show */
                continue;
            }
            if (!old || pdf_dict_get(new, "FT"))
                continue; /* new objects other than signatures and annotations; fields */
            if (old->type != PDF_DICT)
                return 0;
            static const char *const catalog[] = {"DSS", "Extensions", "AcroForm", "Metadata",
                                                  "Version", NULL};
            static const char *const form[] = {"Fields", "SigFlags", NULL};
            static const char *const page[] = {"Annots", NULL};
            static const char *const info[] = {"ModDate", "Producer", NULL};
            if (pdf_is_name(type, "Catalog") ? same_but(doc, old, new, catalog)
                : pdf_is_name(type, "Page")  ? same_but(doc, old, new, page)
                : pdf_dict_get(new, "Fields") ? same_but(doc, old, new, form)
                                              : same_but(doc, old, new, info))
                continue;
            return 0;
        }
    }
    return 1;
}

/* ---------------------------------------------------------------- the child */

enum { RECORD_CHANGE = 'C', RECORD_WARNING = 'W', RECORD_END = 'E' };

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

static void limit(int resource, rlim_t value)
{
    struct rlimit r = {value, value};
    setrlimit(resource, &r);
}

#ifndef UNDER_ASAN
/* The address space the process has now (Linux /proc/self/statm), or 0. */
static unsigned long long current_address_space(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    char text[128] = "";
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    return strtoull(text, NULL, 10) * (unsigned long long)sysconf(_SC_PAGESIZE);
}
#endif

/* ---------------------------------------------------------------- the renderer module */

/* The renderer (pades_render.c with poppler and cairo) is the module libsign-render.so beside
 * libsign: loaded the first time a file is compared, so that the glib, cairo, fontconfig and
 * image libraries poppler needs are not loaded by every program that validates a signature (they
 * tripled segl-verify's start-up and doubled its memory). Loaded once per process, in the
 * parent, before any fork: the child of a threaded process must not take the loader's lock. */
typedef int (*render_compare_fn)(const struct pades_render_job *, struct pades_render_result *);
struct renderer {
    render_compare_fn compare;
    char why[200]; /* why it could not be loaded */
};
static struct renderer renderer; /* set once by load_renderer, read-only after */

static void load_renderer(void)
{
    Dl_info info;
    char library[PATH_MAX], module[PATH_MAX + 32];
    if (!dladdr((void *)load_renderer, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, library)) {
        snprintf(renderer.why, sizeof renderer.why, "cannot tell where libsign is");
        return;
    }
    snprintf(module, sizeof module, "%s/libsign-render.so", dirname(library));
    void *handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (handle)
        renderer.compare = (render_compare_fn)dlsym(handle, "pades_render_compare");
    if (!renderer.compare)
        snprintf(renderer.why, sizeof renderer.why, "the renderer %s cannot be loaded: %s",
                 module, dlerror());
}

static const struct renderer *the_renderer(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_renderer);
    return &renderer;
}

static _Noreturn void child(render_compare_fn compare, const struct pades_render_job *job,
                            int pipe_fd)
{
    /* the pipe above the standard descriptors (it is one of them when the program runs with
     * one closed), which go to /dev/null: poppler prints its syntax errors */
    int fd = fcntl(pipe_fd, F_DUPFD, 3);
    if (fd < 0)
        _exit(1);
    int null = open("/dev/null", O_RDWR);
    for (int std = 0; std < 3 && null >= 0; std++)
        if (null != std)
            dup2(null, std);
    if (fd > 3)
        close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0u, 0);
    limit(RLIMIT_CPU, RENDER_SECONDS);
    limit(RLIMIT_CORE, 0);
#ifndef UNDER_ASAN
    unsigned long long now = current_address_space();
    if (now)
        limit(RLIMIT_AS, (rlim_t)(now + RENDER_MEMORY));
#endif
    struct pades_render_result result = {0};
    compare(job, &result);
    int rc = 0;
    /* records copied field by field into zeroed ones: no uninitialised padding on the pipe */
    for (size_t i = 0; rc == 0 && i < result.change_count; i++) {
        const struct pades_render_change *c = &result.changes[i];
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
    for (size_t i = 0; rc == 0 && i < result.warning_count; i++) {
        struct pades_render_warning record;
        memset(&record, 0, sizeof record);
        record.revision = result.warnings[i].revision;
        snprintf(record.text, sizeof record.text, "%s", result.warnings[i].text);
        unsigned char type = RECORD_WARNING;
        rc = write_all(fd, &type, 1) | write_all(fd, &record, sizeof record);
    }
    unsigned char end = RECORD_END;
    if (rc == 0)
        write_all(fd, &end, 1);
    pades_render_result_free(&result);
    _exit(rc == 0 ? 0 : 1);
}

/* ---------------------------------------------------------------- the parent */

struct answer {
    unsigned char *data;
    size_t len, cap;
};

/* Reads the child's answer until it ends or the deadline passes; "" or why not. */
static const char *read_answer(int fd, size_t max, struct answer *a)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms >= RENDER_SECONDS * 1000L)
            return "it took longer than its limit of " STRINGIFY(RENDER_SECONDS) " seconds";
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, (int)(RENDER_SECONDS * 1000L - elapsed_ms));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue; /* the deadline is checked above */
        if (a->len == a->cap) {
            size_t cap = a->cap ? 2 * a->cap : 65536;
            unsigned char *grown = cap <= max ? realloc(a->data, cap) : NULL;
            if (!grown)
                return "its answer is larger than the limit";
            a->data = grown;
            a->cap = cap;
        }
        ssize_t n = read(fd, a->data + a->len, a->cap - a->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ""; /* the end, or the child died: the parse tells */
        a->len += (size_t)n;
    }
}

/* The child's records into out; -1 when they are not a complete answer. */
static int parse_answer(const struct answer *a, size_t revisions, struct pades_render_result *out)
{
    size_t pos = 0;
    while (pos < a->len) {
        unsigned char type = a->data[pos++];
        if (type == RECORD_END)
            return pos == a->len ? 0 : -1;
        if (type == RECORD_WARNING) {
            struct pades_render_warning w;
            if (a->len - pos < sizeof w)
                return -1;
            memcpy(&w, a->data + pos, sizeof w);
            pos += sizeof w;
            w.text[sizeof w.text - 1] = '\0';
            if (w.revision != SIZE_MAX && w.revision >= revisions)
                return -1;
            if (pades_render_add_warning(out, w.revision, w.text) != 0)
                return -1;
        } else if (type == RECORD_CHANGE) {
            struct pades_render_change c;
            if (a->len - pos < sizeof c)
                return -1;
            memcpy(&c, a->data + pos, sizeof c);
            pos += sizeof c;
            if (c.revision >= revisions || c.page == 0 || c.page > PADES_RENDER_MAX_PAGES ||
                c.unexplained > c.pixels)
                return -1;
            unsigned char *png = NULL;
            if (c.png) {
                if (c.png_len == 0 || a->len - pos < c.png_len || !(png = malloc(c.png_len)))
                    return -1;
                memcpy(png, a->data + pos, c.png_len);
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

/* Runs pades_render_compare in a bounded child. NULL, or why it gave no answer. */
static const char *render_in_child(const struct pades_render_job *job,
                                   struct pades_render_result *out, char *why, size_t why_len)
{
    const struct renderer *r = the_renderer();
    if (!r->compare) {
        snprintf(why, why_len, "%s", r->why);
        return why;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return "cannot make a pipe";
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return "cannot start the rendering process";
    }
    if (pid == 0) {
        close(fds[0]);
        child(r->compare, job, fds[1]);
    }
    close(fds[1]);
    struct answer a = {NULL, 0, 0};
    const char *stopped = read_answer(fds[0], job->want_images ? ANSWER_MAX_IMAGES : ANSWER_MAX, &a);
    close(fds[0]);
    if (*stopped)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    const char *result = NULL;
    if (*stopped) {
        snprintf(why, why_len, "%s", stopped);
        result = why;
    } else if (parse_answer(&a, job->revision_count, out) != 0) {
        pades_render_result_free(out);
        if (WIFSIGNALED(status))
            snprintf(why, why_len, "the renderer was stopped by signal %d (%s)", WTERMSIG(status),
                     WTERMSIG(status) == SIGXCPU ? "its CPU time limit"
                     : WTERMSIG(status) == SIGKILL ? "killed"
                                                    : "a crash or its memory limit");
        else
            snprintf(why, why_len, "the renderer ended without an answer (exit %d; its memory "
                                   "limit?)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        result = why;
    }
    free(a.data);
    return result;
}

/* ---------------------------------------------------------------- the signatures */

static void record(const struct pades_render_result *result, size_t rev, sign_sig *sig)
{
    sign_sig_set_visual_compared(sig);
    int failed = 0;
    for (size_t i = 0; i < result->warning_count; i++)
        if (result->warnings[i].revision == rev || result->warnings[i].revision == SIZE_MAX)
            sign_sig_warn(sig, "visual comparison: %s", result->warnings[i].text);
    for (size_t i = 0; i < result->change_count; i++) {
        struct pades_render_change *c = &result->changes[i];
        if (c->revision != rev)
            continue;
        sign_visual_change change = {c->page, (unsigned long long)c->pixels,
                                     (unsigned long long)c->unexplained,
                                     {c->box[0], c->box[1], c->box[2], c->box[3]}, c->png,
                                     c->png_len};
        sign_sig_add_visual_change(sig, &change);
        c->png = NULL; /* the report's now */
        if (c->unexplained == 0) {
            sign_sig_add_modification_detail(sig, "page %u changed visually only inside "
                                                  "annotations added or changed later (%llu pixels)",
                                             c->page, (unsigned long long)c->pixels);
            continue;
        }
        failed = 1;
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "changed after signing: page %u looks different (%llu pixels outside any "
                      "allowed annotation, within [%.0f %.0f %.0f %.0f])",
                      c->page, (unsigned long long)c->unexplained, c->box[0], c->box[1],
                      c->box[2], c->box[3]);
        sign_sig_add_modification_detail(sig, "not allowed: page %u changed visually (%llu "
                                              "pixels outside any allowed annotation)",
                                         c->page, (unsigned long long)c->unexplained);
    }
    if (failed)
        sign_sig_set_modification(sig, "disallowed");
}

void pades_visual_check(const sign_ctx *ctx, pdf_doc *doc, const size_t *signed_ends,
                        sign_sig **sigs, size_t count)
{
    enum sign_visual_mode mode = ctx->visual;
    if (mode == SIGN_VISUAL_OFF || count == 0)
        return;
    size_t end = doc->size;
    while (end > 0 && (doc->data[end - 1] == '\n' || doc->data[end - 1] == '\r' ||
                       doc->data[end - 1] == ' ' || doc->data[end - 1] == '\0'))
        end--;
    struct pages *pages = calloc(1, sizeof *pages);
    struct pades_render_revision *revisions = calloc(count, sizeof *revisions);
    struct pades_render_rect *rects = calloc(count * MAX_ALLOWED, sizeof *rects);
    size_t *which = calloc(count, sizeof *which);
    if (!pages || !revisions || !rects || !which)
        goto done;
    pdf_value *trailer = pdf_trailer(doc, SIZE_MAX);
    pdf_value *catalog = pdf_resolve(doc, pdf_dict_get(trailer, "Root"), SIZE_MAX);
    size_t visits = 0;
    walk_pages(doc, pdf_resolve(doc, pdf_dict_get(catalog, "Pages"), SIZE_MAX), 0, 0, &visits,
               pages);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        size_t signed_end = signed_ends[i];
        if (signed_end == 0 || signed_end >= end)
            continue; /* unusable, or nothing after it */
        if (mode == SIGN_VISUAL_AUTO && only_validation_data(doc, signed_end))
            continue;
        /* what the structural analysis allowed may show; after a refusal nothing may */
        const char *modification = sign_sig_modification(sigs[i]);
        int allowed = !modification || strcmp(modification, "disallowed") != 0;
        struct pades_render_rect *mine = rects + n * MAX_ALLOWED;
        revisions[n] = (struct pades_render_revision){
            signed_end, mine, allowed ? allowed_rects(doc, pages, signed_end, mine, MAX_ALLOWED) : 0};
        which[n++] = i;
    }
    if (n == 0)
        goto done;
    struct pades_render_job job = {.data = doc->data, .size = doc->size, .rotate = pages->rotate,
                                   .rotate_count = pages->count, .revisions = revisions,
                                   .revision_count = n, .want_images = ctx->visual_images};
    struct pades_render_result result = {0};
    char why[256];
    const char *failed = render_in_child(&job, &result, why, sizeof why);
    for (size_t r = 0; r < n; r++) {
        if (failed)
            sign_sig_warn(sigs[which[r]], "visual comparison not made: %s", failed);
        else
            record(&result, r, sigs[which[r]]);
    }
    pades_render_result_free(&result);
done:
    free(pages);
    free(revisions);
    free(rects);
    free(which);
}
