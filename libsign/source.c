/* Sources of bytes for the formats (source.h): files read with pread, memory, anything with a
 * read_at (container members), and a PDF's bytes with an incremental update appended. */
#define _GNU_SOURCE /* MAP_ANONYMOUS, O_TMPFILE, secure_getenv */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libsign/source.h"

enum view_kind { VIEW_NONE, VIEW_BORROWED, VIEW_MAPPED, VIEW_ALLOCATED };

struct sign_source {
    const struct sign_source_class *kind;
    void *state;
    uint64_t size;
    char *name;
    char *path;                  /* a named file: its path; NULL otherwise */
    int open_error;              /* errno of a file that could not be opened; 0 otherwise */
    const unsigned char *memory; /* the whole content when it is in memory, else NULL */
    /* sign_source_view's block, made on first use */
    enum view_kind view_kind;
    unsigned char *view;
    size_t view_len, view_mapped_len;
};

/* ---------------------------------------------------------------- kinds */

struct file_state {
    int fd;
    int owned; /* closed with the source */
};

static long long file_read_at(void *state, uint64_t offset, void *buf, size_t len)
{
    const struct file_state *file = state;
    ssize_t n;
    do
        n = pread(file->fd, buf, len, (off_t)offset);
    while (n < 0 && errno == EINTR);
    return n;
}

static void file_release(void *state)
{
    struct file_state *file = state;
    if (file->owned)
        close(file->fd);
    free(file);
}

static const struct sign_source_class file_kind = {file_read_at, file_release};

struct memory_state {
    const unsigned char *bytes;
    size_t len;
    void *owned; /* freed with the source; NULL when borrowed */
};

static long long memory_read_at(void *state, uint64_t offset, void *buf, size_t len)
{
    const struct memory_state *memory = state;
    if (offset >= memory->len)
        return 0;
    size_t n = memory->len - (size_t)offset < len ? memory->len - (size_t)offset : len;
    memcpy(buf, memory->bytes + offset, n);
    return (long long)n;
}

static void memory_release(void *state)
{
    struct memory_state *memory = state;
    free(memory->owned);
    free(memory);
}

static const struct sign_source_class memory_kind = {memory_read_at, memory_release};

/* A file that could not be opened: every read fails with the reason. */
static long long unreadable_read_at(void *state, uint64_t offset, void *buf, size_t len)
{
    (void)offset, (void)buf, (void)len;
    errno = *(const int *)state;
    return -1;
}

static const struct sign_source_class unreadable_kind = {unreadable_read_at, free};

/* base's bytes then tail's. base is never itself an appended source: appending to one appends
 * to its base, so that a chain of updates needs only the first source to stay alive. */
struct appended_state {
    const sign_source *base;
    unsigned char *tail;
    size_t tail_len;
};

static long long appended_read_at(void *state, uint64_t offset, void *buf, size_t len)
{
    const struct appended_state *appended = state;
    uint64_t base_size = appended->base->size;
    size_t done = 0;
    if (offset < base_size) {
        long long n = sign_source_read_at(appended->base, offset, buf, len);
        if (n < 0 || (uint64_t)n < base_size - offset)
            return n; /* the base ended early (or len was reached) */
        done = (size_t)n;
        offset += done;
    }
    uint64_t in_tail = offset - base_size;
    if (done < len && in_tail < appended->tail_len) {
        size_t n = appended->tail_len - (size_t)in_tail < len - done
                       ? appended->tail_len - (size_t)in_tail
                       : len - done;
        memcpy((unsigned char *)buf + done, appended->tail + in_tail, n);
        done += n;
    }
    return (long long)done;
}

static void appended_release(void *state)
{
    struct appended_state *appended = state;
    free(appended->tail);
    free(appended);
}

static const struct sign_source_class appended_kind = {appended_read_at, appended_release};

/* ---------------------------------------------------------------- making sources */

sign_source *sign_source_new(const struct sign_source_class *kind, void *state, uint64_t size,
                             const char *name)
{
    sign_source *src = calloc(1, sizeof *src);
    if (src)
        src->name = strdup(name ? name : "");
    if (!src || !src->name) {
        free(src);
        if (kind->release)
            kind->release(state);
        errno = ENOMEM;
        return NULL;
    }
    src->kind = kind;
    src->state = state;
    src->size = size;
    return src;
}

static sign_source *memory_source(const void *bytes, size_t len, void *owned, const char *name)
{
    struct memory_state *memory = malloc(sizeof *memory);
    if (!memory) {
        free(owned);
        errno = ENOMEM;
        return NULL;
    }
    *memory = (struct memory_state){.bytes = bytes, .len = len, .owned = owned};
    sign_source *src = sign_source_new(&memory_kind, memory, len, name);
    if (src)
        src->memory = bytes;
    return src;
}

sign_source *sign_source_from_memory(const void *bytes, size_t len, const char *name)
{
    return memory_source(bytes, len, NULL, name);
}

sign_source *sign_source_take_memory(void *bytes, size_t len, const char *name)
{
    return memory_source(bytes, len, bytes, name);
}

/* A stream read once (a pipe, a device, a BIO that is not a file): up to this much is held in
 * memory; the rest goes, with it, to a file without a name. */
#define STREAM_MEMORY_MAX (16u << 20)

/* Reads up to len bytes of a stream into buf: how many, 0 at its end, -1 on an error (errno). */
typedef long long (*stream_read_fn)(void *stream, void *buf, size_t len);

static long long fd_stream_read(void *stream, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(*(const int *)stream, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

static long long bio_stream_read(void *stream, void *buf, size_t len)
{
    int n = BIO_read(stream, buf, len < INT_MAX ? (int)len : INT_MAX);
    if (n > 0)
        return n;
    if (n == 0 || BIO_eof((BIO *)stream))
        return 0;
    errno = EIO;
    return -1;
}

/* Writes all of bytes to fd. 0, or -1 with errno. */
static int write_all(int fd, const unsigned char *bytes, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

static sign_source *fd_source(int fd, int owned, const char *name);

/* held (len bytes) and then the rest of the stream into fd, a file without a name, as a source
 * that owns fd. NULL with errno (fd closed). */
static sign_source *spill_stream(int fd, const unsigned char *held, size_t len,
                                 stream_read_fn read_stream, void *stream, const char *name)
{
    unsigned char chunk[65536];
    long long n = 0;
    int failed = write_all(fd, held, len);
    while (!failed && (n = read_stream(stream, chunk, sizeof chunk)) > 0)
        failed = write_all(fd, chunk, (size_t)n);
    sign_source *src = failed || n < 0 ? NULL : fd_source(fd, 1, name);
    if (!src) {
        int error = errno;
        close(fd);
        errno = error;
    }
    return src;
}

/* Everything left in a stream as a source, read once: in memory when it is small, else in a
 * file without a name in $TMPDIR (O_TMPFILE, freed by the kernel however the process ends), so
 * that a large pipe costs no more memory than a file does. Where no such file can be made, in
 * memory however large. NULL with errno. */
static sign_source *stream_source(stream_read_fn read_stream, void *stream, const char *name)
{
    size_t cap = 65536, used = 0;
    int spill_tried = 0;
    unsigned char *bytes = malloc(cap);
    while (bytes) {
        if (used == cap) {
            if (cap >= STREAM_MEMORY_MAX && !spill_tried) {
                spill_tried = 1;
                const char *dir = secure_getenv("TMPDIR");
                int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
                if (fd >= 0) {
                    sign_source *src = spill_stream(fd, bytes, used, read_stream, stream, name);
                    int error = errno;
                    free(bytes);
                    errno = error;
                    return src;
                }
            }
            unsigned char *grown = cap <= SIZE_MAX / 2 ? realloc(bytes, cap * 2) : NULL;
            if (!grown)
                break;
            bytes = grown;
            cap *= 2;
        }
        long long n = read_stream(stream, bytes + used, cap - used);
        if (n < 0) {
            int error = errno;
            free(bytes);
            errno = error;
            return NULL;
        }
        if (n == 0)
            return sign_source_take_memory(bytes, used, name);
        used += (size_t)n;
    }
    free(bytes);
    errno = ENOMEM;
    return NULL;
}

/* A regular file up to this size is read whole when its source is made, in one pread: a batch
 * validates thousands of signatures of a few KiB, each read several times over (format
 * detection, the signature, the content) and one system call is cheaper than each of those. */
#define SMALL_FILE_MAX (1024 * 1024)

/* The size bytes of the regular file fd from its start into malloc'd memory (fewer when it has
 * shrunk since it was measured). 0, or -1 with errno. */
static int read_small_file(int fd, size_t size, unsigned char **out, size_t *len)
{
    unsigned char *bytes = malloc(size ? size : 1);
    if (!bytes) {
        errno = ENOMEM;
        return -1;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, bytes + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int error = errno;
            free(bytes);
            errno = error;
            return -1;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    *out = bytes;
    *len = done;
    return 0;
}

/* fd as a source: a small regular file read whole now, a larger one read with pread as it is
 * needed, anything else read into memory now. An owned fd belongs to the source once it is made
 * (closed with it, or at once when read whole); on failure it is still the caller's. */
static sign_source *fd_source(int fd, int owned, const char *name)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    if (S_ISREG(st.st_mode) && st.st_size <= SMALL_FILE_MAX) {
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (read_small_file(fd, (size_t)st.st_size, &bytes, &len) != 0)
            return NULL;
        sign_source *src = sign_source_take_memory(bytes, len, name);
        if (src && owned)
            close(fd);
        return src;
    }
    if (S_ISREG(st.st_mode)) {
        struct file_state *file = malloc(sizeof *file);
        if (!file) {
            errno = ENOMEM;
            return NULL;
        }
        *file = (struct file_state){.fd = fd, .owned = 0};
        sign_source *src = sign_source_new(&file_kind, file, (uint64_t)st.st_size, name);
        if (src)
            file->owned = owned;
        return src;
    }
    sign_source *src = stream_source(fd_stream_read, &fd, name);
    if (src && owned)
        close(fd);
    return src;
}

sign_source *sign_source_from_fd(int fd, const char *name)
{
    return fd_source(fd, 0, name);
}

static sign_source *unreadable_source(const char *path, int error)
{
    int *state = malloc(sizeof *state);
    if (!state)
        return NULL;
    *state = error;
    sign_source *src = sign_source_new(&unreadable_kind, state, 0, path);
    if (src)
        src->open_error = error;
    return src;
}

sign_source *sign_source_open_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    sign_source *src = fd >= 0 ? fd_source(fd, 1, path) : NULL;
    if (!src) {
        int error = errno;
        if (fd >= 0)
            close(fd);
        errno = error;
        return error == ENOMEM ? NULL : unreadable_source(path, error);
    }
    src->path = strdup(path);
    if (!src->path) {
        sign_source_free(src);
        errno = ENOMEM;
        return NULL;
    }
    return src;
}

sign_source *sign_source_from_bio(BIO *in, const char *name)
{
    FILE *fp = NULL;
    struct stat st;
    /* A file libsign opened itself is at its start; one somebody else read from is not, and is
     * then read from where it is, as a BIO would. */
    if (BIO_get_fp(in, &fp) == 1 && fp && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
        ftello(fp) == 0)
        return fd_source(fileno(fp), 0, name);
    return stream_source(bio_stream_read, in, name);
}

sign_source *sign_source_append(const sign_source *base, const void *tail, size_t tail_len)
{
    const struct appended_state *earlier =
        base->kind == &appended_kind ? (const struct appended_state *)base->state : NULL;
    size_t earlier_len = earlier ? earlier->tail_len : 0;
    struct appended_state *appended = malloc(sizeof *appended);
    unsigned char *joined = appended && earlier_len + tail_len >= earlier_len
                                ? malloc(earlier_len + tail_len ? earlier_len + tail_len : 1)
                                : NULL;
    if (!joined) {
        free(appended);
        errno = ENOMEM;
        return NULL;
    }
    if (earlier_len)
        memcpy(joined, earlier->tail, earlier_len);
    if (tail_len)
        memcpy(joined + earlier_len, tail, tail_len);
    *appended = (struct appended_state){
        .base = earlier ? earlier->base : base, .tail = joined, .tail_len = earlier_len + tail_len};
    return sign_source_new(&appended_kind, appended, appended->base->size + appended->tail_len,
                           base->name);
}

void sign_source_free(sign_source *src)
{
    if (!src)
        return;
    if (src->view_kind == VIEW_MAPPED)
        munmap(src->view, src->view_mapped_len);
    else if (src->view_kind == VIEW_ALLOCATED)
        free(src->view);
    if (src->kind->release)
        src->kind->release(src->state);
    free(src->name);
    free(src->path);
    free(src);
}

/* ---------------------------------------------------------------- reading */

const char *sign_source_name(const sign_source *src) { return src->name; }
const char *sign_source_path(const sign_source *src) { return src->path; }
int sign_source_open_error(const sign_source *src) { return src->open_error; }
uint64_t sign_source_size(const sign_source *src) { return src->size; }
const unsigned char *sign_source_memory(const sign_source *src) { return src->memory; }

long long sign_source_read_at(const sign_source *src, uint64_t offset, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        long long n = src->kind->read_at(src->state, offset + done, (unsigned char *)buf + done,
                                         len - done);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (long long)done;
}

/* A file mapped whole, read-only. */
static unsigned char *map_file(int fd, size_t len, size_t *mapped_len)
{
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    *mapped_len = len;
    return map == MAP_FAILED ? NULL : map;
}

/* A file followed by tail in one block without reading the file: an anonymous mapping of the
 * whole length with the file mapped privately over its start. The file's last page is
 * copy-on-write, so the tail can begin inside it; only the tail costs memory. */
static unsigned char *map_file_with_tail(int fd, size_t file_len, const unsigned char *tail,
                                         size_t tail_len, size_t *mapped_len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t total = file_len + tail_len;
    size_t region_len = (total + page - 1) / page * page;
    size_t file_pages = (file_len + page - 1) / page * page;
    unsigned char *region = mmap(NULL, region_len ? region_len : page, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return NULL;
    if (file_pages && mmap(region, file_pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
                           fd, 0) == MAP_FAILED) {
        munmap(region, region_len ? region_len : page);
        return NULL;
    }
    memcpy(region + file_len, tail, tail_len);
    mprotect(region, region_len ? region_len : page, PROT_READ);
    *mapped_len = region_len ? region_len : page;
    return region;
}

int sign_source_view(const sign_source *src, const unsigned char **data, size_t *len)
{
    sign_source *cache = (sign_source *)src; /* the view is a cache: see source.h */
    if (src->open_error) {
        errno = src->open_error;
        return -1;
    }
    if (src->size > SIZE_MAX) {
        errno = EFBIG;
        return -1;
    }
    if (src->view_kind == VIEW_NONE) {
        size_t size = (size_t)src->size;
        const struct appended_state *appended =
            src->kind == &appended_kind ? (const struct appended_state *)src->state : NULL;
        if (src->memory) {
            cache->view = (unsigned char *)src->memory;
            cache->view_kind = VIEW_BORROWED;
        } else if (src->kind == &file_kind && size > 0) {
            cache->view = map_file(((struct file_state *)src->state)->fd, size,
                                   &cache->view_mapped_len);
            cache->view_kind = VIEW_MAPPED;
        } else if (appended && appended->base->kind == &file_kind) {
            cache->view = map_file_with_tail(((struct file_state *)appended->base->state)->fd,
                                             (size_t)appended->base->size, appended->tail,
                                             appended->tail_len, &cache->view_mapped_len);
            cache->view_kind = VIEW_MAPPED;
        } else {
            cache->view = malloc(size ? size : 1);
            cache->view_kind = VIEW_ALLOCATED;
            long long got = cache->view ? sign_source_read_at(src, 0, cache->view, size) : -1;
            if (cache->view && got != (long long)size) {
                free(cache->view);
                cache->view = NULL;
                if (got >= 0)
                    errno = EIO; /* shorter than it was: changed under us */
            }
        }
        if (!cache->view) {
            cache->view_kind = VIEW_NONE;
            return -1;
        }
        cache->view_len = size;
    }
    *data = src->view;
    *len = src->view_len;
    return 0;
}

int sign_source_write_to(const sign_source *src, BIO *out)
{
    unsigned char chunk[65536];
    for (uint64_t at = 0; at < src->size;) {
        long long n = sign_source_read_at(src, at, chunk, sizeof chunk);
        if (n <= 0 || BIO_write(out, chunk, (int)n) != (int)n)
            return -1;
        at += (uint64_t)n;
    }
    return 0;
}

/* ---------------------------------------------------------------- as a BIO */

struct source_bio {
    const sign_source *src;
    uint64_t position;
};

static int source_bio_read(BIO *bio, char *buf, int len)
{
    struct source_bio *reader = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!reader || len <= 0)
        return 0;
    long long n = sign_source_read_at(reader->src, reader->position, buf, (size_t)len);
    if (n > 0)
        reader->position += (uint64_t)n;
    return (int)n;
}

/* One line, with its newline, as PEM reading asks: read ahead, keep what belongs to the line. */
static int source_bio_gets(BIO *bio, char *buf, int size)
{
    struct source_bio *reader = BIO_get_data(bio);
    if (!reader || size <= 1)
        return 0;
    long long n = sign_source_read_at(reader->src, reader->position, buf, (size_t)size - 1);
    if (n < 0)
        return -1;
    char *newline = memchr(buf, '\n', (size_t)n);
    if (newline)
        n = newline - buf + 1;
    buf[n] = '\0';
    reader->position += (uint64_t)n;
    return (int)n;
}

static long source_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)ptr;
    struct source_bio *reader = BIO_get_data(bio);
    switch (cmd) {
    case BIO_CTRL_RESET:
        reader->position = 0;
        return 0;
    case BIO_C_FILE_SEEK:
        if (num < 0)
            return -1;
        reader->position = (uint64_t)num;
        return 0;
    case BIO_C_FILE_TELL:
    case BIO_CTRL_INFO:
        return (long)reader->position;
    case BIO_CTRL_EOF:
        return reader->position >= reader->src->size;
    case BIO_CTRL_FLUSH:
        return 1;
    default:
        return 0;
    }
}

static int source_bio_destroy(BIO *bio)
{
    free(BIO_get_data(bio));
    BIO_set_data(bio, NULL);
    return 1;
}

static BIO_METHOD *source_bio_method;
static void make_source_bio_method(void)
{
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sign_source");
    if (method && BIO_meth_set_read(method, source_bio_read) &&
        BIO_meth_set_gets(method, source_bio_gets) && BIO_meth_set_ctrl(method, source_bio_ctrl) &&
        BIO_meth_set_destroy(method, source_bio_destroy))
        source_bio_method = method;
    else
        BIO_meth_free(method);
}

BIO *sign_source_bio(const sign_source *src)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_source_bio_method);
    struct source_bio *reader = calloc(1, sizeof *reader);
    BIO *bio = reader && source_bio_method ? BIO_new(source_bio_method) : NULL;
    if (!bio) {
        free(reader);
        return NULL;
    }
    reader->src = src;
    BIO_set_data(bio, reader);
    BIO_set_init(bio, 1);
    return bio;
}
