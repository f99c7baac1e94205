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
 * allocate without end, so the rendering runs in its own process, the program segl-render,
 * which limits its CPU time and address space before it reads the job, and which this side
 * kills after a wall-clock deadline. A program started afresh (posix_spawn), not a forked copy
 * of the validating process: in a threaded batch a fork copies every lock another thread holds
 * at that instant, libc's own among them, and the child of such a fork may make only
 * async-signal-safe calls (POSIX), which rendering is not. A renderer is started only when
 * something is to be rendered, and its answer ends with an end record. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <spawn.h>
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
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pades.h"
#include "pades_render.h"
#include "pades_render_wire.h"
#include "pades_visual.h"

#define ANSWER_MAX_IMAGES (512u << 20)     /* bytes of the renderer's answer, with PNGs */
#define ANSWER_MAX (4u << 20)              /* without */
#define MAX_ALLOWED 256                    /* allowed areas per revision */
#define MAX_CHANGED_OBJECTS 100000
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

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

/* ---------------------------------------------------------------- the renderer process */

/* The renderer is the program segl-render (pades_render_main.c: pades_render.c with poppler and
 * cairo), installed in libexec and found relative to where libsign was loaded from, or beside
 * libsign in the build tree: poppler's libraries are loaded by no other program, and nothing of
 * theirs runs in a process of libsign's caller. Found once per process. */
struct renderer {
    char path[PATH_MAX];
    char why[PATH_MAX + 64]; /* why there is none */
};
static struct renderer renderer; /* set once by find_renderer, read-only after */

static void find_renderer(void)
{
    Dl_info info;
    char library[PATH_MAX];
    if (!dladdr((void *)find_renderer, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, library)) {
        snprintf(renderer.why, sizeof renderer.why, "cannot tell where libsign is");
        return;
    }
    const char *dir = dirname(library);
    const char *candidates[] = {SEGL_RENDER_FROM_LIBDIR, "segl-render"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, candidates[i]) < (int)sizeof path &&
            access(path, X_OK) == 0) {
            snprintf(renderer.path, sizeof renderer.path, "%s", path);
            return;
        }
    }
    snprintf(renderer.why, sizeof renderer.why, "the renderer %s/%s is not installed", dir,
             SEGL_RENDER_FROM_LIBDIR);
}

static const struct renderer *the_renderer(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, find_renderer);
    return &renderer;
}

struct answer {
    unsigned char *data;
    size_t len, cap;
};

/* Reads the renderer's answer until it ends or the deadline passes; "" or why not. */
static const char *read_answer(int fd, size_t max, struct answer *a)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms >= PADES_RENDER_SECONDS * 1000L)
            return "it took longer than its limit of " STRINGIFY(PADES_RENDER_SECONDS) " seconds";
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, (int)(PADES_RENDER_SECONDS * 1000L - elapsed_ms));
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
            return ""; /* the end, or the renderer died: the parse tells */
        a->len += (size_t)n;
    }
}

/* fd moved above the standard descriptors (it is one of them when the program runs with one
 * closed), so that setting up the renderer's 0, 1 and 2 cannot overwrite it; -1 on failure. */
static int above_standard(int fd)
{
    if (fd < 0 || fd > STDERR_FILENO)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(fd);
    return moved;
}

/* Starts the renderer with the job (in an anonymous file, so that writing it never waits for
 * the renderer) as its standard input and a pipe as its standard output; its pid, or -1. */
static pid_t start_renderer(const char *path, const struct pades_render_job *job, int *answer_fd,
                            char *why, size_t why_len)
{
    int job_fd = above_standard(memfd_create("segl-render-job", MFD_CLOEXEC));
    if (job_fd < 0 || pades_render_job_write(job_fd, job) != 0 || lseek(job_fd, 0, SEEK_SET) != 0) {
        snprintf(why, why_len, "cannot hand the document to the renderer: %s", strerror(errno));
        if (job_fd >= 0)
            close(job_fd);
        return -1;
    }
    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) == 0) {
        fds[0] = above_standard(fds[0]);
        fds[1] = above_standard(fds[1]);
    }
    if (fds[0] < 0 || fds[1] < 0) {
        snprintf(why, why_len, "cannot make a pipe: %s", strerror(errno));
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        close(job_fd);
        return -1;
    }
    posix_spawn_file_actions_t files;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_adddup2(&files, job_fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&files, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&files, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&attr);
    /* the caller's blocked and ignored signals (a SIGHUP under nohup) are not the renderer's */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    char *argv[] = {"segl-render", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, path, &files, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    close(job_fd);
    close(fds[1]);
    if (rc != 0) {
        snprintf(why, why_len, "cannot start the renderer %s: %s", path, strerror(rc));
        close(fds[0]);
        return -1;
    }
    *answer_fd = fds[0];
    return pid;
}

/* Runs the job in a renderer process. NULL, or why it gave no answer. */
static const char *render(const struct pades_render_job *job, struct pades_render_result *out,
                          char *why, size_t why_len)
{
    const struct renderer *r = the_renderer();
    if (!*r->path) {
        snprintf(why, why_len, "%s", r->why);
        return why;
    }
    int fd;
    pid_t pid = start_renderer(r->path, job, &fd, why, why_len);
    if (pid < 0)
        return why;
    struct answer a = {NULL, 0, 0};
    const char *stopped = read_answer(fd, job->want_images ? ANSWER_MAX_IMAGES : ANSWER_MAX, &a);
    close(fd);
    if (*stopped)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    const char *result = NULL;
    if (*stopped) {
        snprintf(why, why_len, "%s", stopped);
        result = why;
    } else if (pades_render_answer_parse(a.data, a.len, job->revision_count, out) != 0) {
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
    const char *failed = render(&job, &result, why, sizeof why);
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
