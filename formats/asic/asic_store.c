/* Where a container being made is kept between writing it and signing what it holds (the data
 * objects are hashed back out of it, so that what is signed is what the container holds): in
 * the output file itself when the caller gave an empty file that can be read back, as segl-sign
 * does, so that memory stays bounded whatever the data objects weigh; else in memory. Never in a
 * working folder or temporary file.
 *
 * The output file serves libzip as a source it reads and writes: adding a signature appends
 * entries after the data already there (libzip's cloning write), so nothing is rewritten in
 * place while it is read. The members made in memory (mimetype, signatures, manifests) are added
 * to the container being made by asic_add_bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "asic.h"

struct file_store {
    int fd;
    zip_uint64_t size;            /* of the container committed so far */
    zip_uint64_t read_position;
    int writing;
    zip_uint64_t write_position, write_end;
    zip_error_t error;
};

static zip_int64_t set_error(struct file_store *store, int zip_code, int system_code)
{
    zip_error_set(&store->error, zip_code, system_code);
    return -1;
}

static zip_int64_t file_store_call(void *userdata, void *data, zip_uint64_t len,
                                   zip_source_cmd_t cmd)
{
    struct file_store *store = userdata;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        store->read_position = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        zip_uint64_t left = store->size > store->read_position ? store->size - store->read_position : 0;
        ssize_t n;
        do
            n = pread(store->fd, data, len < left ? len : left, (off_t)store->read_position);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return set_error(store, ZIP_ER_READ, errno);
        store->read_position += (zip_uint64_t)n;
        return n;
    }
    case ZIP_SOURCE_CLOSE:
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = store->size;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof *st;
    }
    case ZIP_SOURCE_SEEK: {
        zip_int64_t at = zip_source_seek_compute_offset(store->read_position, store->size, data,
                                                        len, &store->error);
        if (at < 0)
            return -1;
        store->read_position = (zip_uint64_t)at;
        return 0;
    }
    case ZIP_SOURCE_TELL:
        return (zip_int64_t)store->read_position;
    case ZIP_SOURCE_BEGIN_WRITE:
        /* A whole new archive over the one being read would destroy what it reads: only an
         * empty store is written from the start; an existing container is appended to. */
        if (store->size != 0)
            return set_error(store, ZIP_ER_OPNOTSUPP, 0);
        store->writing = 1;
        store->write_position = store->write_end = 0;
        return 0;
    case ZIP_SOURCE_BEGIN_WRITE_CLONING:
        /* Keep the first len bytes (the entries unchanged), write after them. */
        if (len > store->size)
            return set_error(store, ZIP_ER_INVAL, 0);
        store->writing = 1;
        store->write_position = store->write_end = len;
        return 0;
    case ZIP_SOURCE_WRITE: {
        const unsigned char *bytes = data;
        for (zip_uint64_t done = 0; done < len;) {
            ssize_t n = pwrite(store->fd, bytes + done, len - done,
                               (off_t)(store->write_position + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return set_error(store, ZIP_ER_WRITE, n < 0 ? errno : ENOSPC);
            done += (zip_uint64_t)n;
        }
        store->write_position += len;
        if (store->write_position > store->write_end)
            store->write_end = store->write_position;
        return (zip_int64_t)len;
    }
    case ZIP_SOURCE_SEEK_WRITE: {
        zip_int64_t at = zip_source_seek_compute_offset(store->write_position, store->write_end,
                                                        data, len, &store->error);
        if (at < 0)
            return -1;
        store->write_position = (zip_uint64_t)at;
        return 0;
    }
    case ZIP_SOURCE_TELL_WRITE:
        return (zip_int64_t)store->write_position;
    case ZIP_SOURCE_COMMIT_WRITE:
        if (ftruncate(store->fd, (off_t)store->write_end) != 0)
            return set_error(store, ZIP_ER_WRITE, errno);
        store->size = store->write_end;
        store->writing = 0;
        return 0;
    case ZIP_SOURCE_ROLLBACK_WRITE:
        /* What was written cannot be taken back; the caller fails and discards the output. */
        store->writing = 0;
        return 0;
    case ZIP_SOURCE_REMOVE:
        if (ftruncate(store->fd, 0) != 0)
            return set_error(store, ZIP_ER_WRITE, errno);
        store->size = 0;
        return 0;
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&store->error, data, len);
    case ZIP_SOURCE_FREE:
        zip_error_fini(&store->error);
        free(store);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(
            ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_SEEK,
            ZIP_SOURCE_TELL, ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_BEGIN_WRITE_CLONING,
            ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE,
            ZIP_SOURCE_COMMIT_WRITE, ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_REMOVE,
            ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SUPPORTS, -1);
    default:
        return set_error(store, ZIP_ER_OPNOTSUPP, 0);
    }
}

/* out's file when the container can be made in it: a regular file, empty, at its start and
 * open for reading too (segl-sign's temporary output is). NULL otherwise. */
static FILE *output_file(BIO *out)
{
    FILE *fp = NULL;
    struct stat st;
    if (BIO_get_fp(out, &fp) != 1 || !fp || fflush(fp) != 0)
        return NULL;
    int fd = fileno(fp);
    int mode = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (mode < 0 || (mode & O_ACCMODE) != O_RDWR || (mode & O_APPEND) || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size != 0 || ftello(fp) != 0)
        return NULL;
    return fp;
}

int asic_store_init(sign_ctx *ctx, struct asic_store *store, BIO *out)
{
    memset(store, 0, sizeof *store);
    zip_error_t error;
    zip_error_init(&error);
    store->output = output_file(out);
    if (store->output) {
        struct file_store *file = calloc(1, sizeof *file);
        if (file) {
            file->fd = fileno(store->output);
            zip_error_init(&file->error);
            store->zip_source = zip_source_function_create(file_store_call, file, &error);
            if (!store->zip_source) {
                zip_error_fini(&file->error);
                free(file);
            }
        }
    } else {
        store->zip_source = zip_source_buffer_create(NULL, 0, 0, &error);
    }
    zip_error_fini(&error);
    return store->zip_source ? SIGN_OK : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
}

int asic_store_fill(sign_ctx *ctx, struct asic_store *store, const sign_source *src)
{
    zip_source_t *zs = store->zip_source;
    if (zip_source_begin_write(zs) != 0)
        return sign_seterr(ctx, SIGN_EIO, "cannot write the container: %s",
                           zip_error_strerror(zip_source_error(zs)));
    unsigned char chunk[65536];
    long long n = 0;
    for (uint64_t at = 0; (n = sign_source_read_at(src, at, chunk, sizeof chunk)) > 0;
         at += (uint64_t)n)
        if (zip_source_write(zs, chunk, (zip_uint64_t)n) != n) {
            n = -2;
            break;
        }
    if (n == -1) {
        int error = errno;
        zip_source_rollback_write(zs);
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", sign_source_name(src), strerror(error));
    }
    if (n < 0 || zip_source_commit_write(zs) != 0) {
        zip_source_rollback_write(zs);
        return sign_seterr(ctx, SIGN_EIO, "cannot write the container: %s",
                           zip_error_strerror(zip_source_error(zs)));
    }
    return SIGN_OK;
}

zip_t *asic_store_create(sign_ctx *ctx, struct asic_store *store)
{
    zip_error_t error;
    zip_error_init(&error);
    zip_source_keep(store->zip_source); /* the store keeps it when the zip is closed */
    zip_t *zip = zip_open_from_source(store->zip_source, ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!zip) {
        zip_source_free(store->zip_source); /* undo the keep */
        sign_seterr(ctx, SIGN_EIO, "cannot create the container: %s", zip_error_strerror(&error));
    }
    zip_error_fini(&error);
    return zip;
}

int asic_store_finish(sign_ctx *ctx, struct asic_store *store, BIO *out)
{
    if (store->output) {
        /* Written in place with pwrite: leave the stream where a writer would have. */
        return fseeko(store->output, 0, SEEK_END) == 0
                   ? SIGN_OK
                   : sign_seterr(ctx, SIGN_EIO, "cannot write the container: %s", strerror(errno));
    }
    zip_source_t *zs = store->zip_source;
    if (zip_source_open(zs) != 0)
        return sign_seterr(ctx, SIGN_EIO, "cannot read the container back");
    unsigned char chunk[65536];
    zip_int64_t n;
    int rc = SIGN_OK;
    while (rc == SIGN_OK && (n = zip_source_read(zs, chunk, sizeof chunk)) != 0)
        if (n < 0 || BIO_write(out, chunk, (int)n) != (int)n)
            rc = sign_seterr(ctx, SIGN_EIO, "cannot write the container");
    zip_source_close(zs);
    return rc;
}

void asic_store_free(struct asic_store *store)
{
    if (store->zip_source)
        zip_source_free(store->zip_source);
    memset(store, 0, sizeof *store);
}

int asic_add_bytes(sign_ctx *ctx, zip_t *zip, const char *name, void *bytes, size_t len, int store)
{
    zip_source_t *source = zip_source_buffer(zip, bytes, len, 1);
    if (!source) {
        free(bytes);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    zip_int64_t index = zip_file_add(zip, name, source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free(source);
        return sign_seterr(ctx, SIGN_EIO, "cannot add %s: %s", name, zip_strerror(zip));
    }
    if (store && zip_set_file_compression(zip, (zip_uint64_t)index, ZIP_CM_STORE, 0) != 0)
        return sign_seterr(ctx, SIGN_EIO, "cannot store %s: %s", name, zip_strerror(zip));
    return SIGN_OK;
}
