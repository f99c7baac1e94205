/* Where a format reads a signed file, its detached content or a container member from: a file, bytes
 * in memory or a zip member, behind one interface of random-access reads (STYLE.md: BearSSL feeds
 * bytes). No format needs a path and no bytes need a temporary file to become one. Internal.
 *
 * A source is read by one thread at a time: reading through a const source may still fill its
 * caches (a mapping, a member's read position). */
#ifndef LIBSIGN_SOURCE_H
#define LIBSIGN_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>

typedef struct sign_source sign_source;

/* One kind of source (a class, as BearSSL's are): how its bytes are had. */
struct sign_source_class {
    /* Up to len bytes at offset into buf: how many, 0 at the end, -1 on an error (errno set;
     * for a container member: damaged, or not the size it declares). */
    long long (*read_at)(void *state, uint64_t offset, void *buf, size_t len);
    /* Frees state; NULL when there is nothing to free. */
    void (*release)(void *state);
};

/* A source of kind over state (ownership taken: kind->release frees it with the source), size
 * bytes long, called name in messages. NULL when out of memory (state is then released). */
sign_source *sign_source_new(const struct sign_source_class *kind, void *state, uint64_t size,
                             const char *name);
/* The file at path, read with pread (its name and folder are known: sign_source_path). Never
 * NULL but for memory exhaustion: a file that cannot be opened gives a source that says why
 * (sign_source_open_error) and fails every read, so that each format reports it as it did. A
 * small file (up to 1 MiB), a pipe or a device is read whole into memory once, and the file
 * closed at once. */
sign_source *sign_source_open_file(const char *path);
/* An open descriptor: a regular file is read with pread, from its start, and neither moved nor
 * closed (one of up to 1 MiB whole, now); anything else (a pipe) is read to its end now, into
 * memory up to 16 MiB and beyond that into a file without a name in $TMPDIR (O_TMPFILE: nothing
 * is left behind), or into memory however large where no such file can be made. NULL with errno
 * on failure. */
sign_source *sign_source_from_fd(int fd, const char *name);
/* len bytes at bytes, not copied: they must outlive the source. */
sign_source *sign_source_from_memory(const void *bytes, size_t len, const char *name);
/* The same, taking ownership of malloc'd bytes (freed with the source, or on failure). */
sign_source *sign_source_take_memory(void *bytes, size_t len, const char *name);
/* What in gives from here on: a regular file under a file BIO is read in place (from offset 0,
 * where libsign opened it), anything else (stdin, a pipe) is read to its end now, as
 * sign_source_from_fd reads a pipe. NULL with errno. */
sign_source *sign_source_from_bio(BIO *in, const char *name);
/* base followed by tail (copied): a PDF with an incremental update, without copying base, which
 * must outlive the result. base may itself be such a source. */
sign_source *sign_source_append(const sign_source *base, const void *tail, size_t tail_len);
void sign_source_free(sign_source *src); /* NULL is a no-op */

const char *sign_source_name(const sign_source *src);
/* The path of a named file (for what lies next to it), NULL for any other source. */
const char *sign_source_path(const sign_source *src);
/* 0, or the errno of a file that could not be opened. */
int sign_source_open_error(const sign_source *src);
uint64_t sign_source_size(const sign_source *src);
/* The whole content when it is in memory already, else NULL (then read it). */
const unsigned char *sign_source_memory(const sign_source *src);

/* Up to len bytes at offset, as many as there are (fewer only at the end): how many, or -1
 * with errno. */
long long sign_source_read_at(const sign_source *src, uint64_t offset, void *buf, size_t len);
/* The whole content as one block, valid until the source is freed: memory as it is, a file
 * mapped, a member read into memory. 0, or -1 with errno. */
int sign_source_view(const sign_source *src, const unsigned char **data, size_t *len);
/* A new BIO reading the source from its start (BIO_reset rewinds; BIO_gets works, for PEM). The
 * source must outlive it. NULL when out of memory. */
BIO *sign_source_bio(const sign_source *src);
/* Every byte of src to out. 0, or -1 (a read or write error). */
int sign_source_write_to(const sign_source *src, BIO *out);

#endif
