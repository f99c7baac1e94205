/* Reading ASiC containers (ETSI EN 319 162-1) with libzip, defensively: every name, size and
 * entry kind is checked before any content is read, and content is only ever streamed, with the
 * declared sizes enforced while it is (zip bombs lie in their headers). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include "asic.h"

#define LE16(p) ((unsigned)(p)[0] | (unsigned)(p)[1] << 8)
#define LE32(p) ((unsigned long)LE16(p) | (unsigned long)LE16((p) + 2) << 16)

/* EN 319 162-1 A.1: "mimetype" is the first entry, stored (not compressed), with no extra field,
 * so that its content sits at offset 38 where file(1) and segl look for it. DigiDoc writes an
 * extra field (a timestamp) on it all the same: such a container is read, with a warning (2). */
int asic_detect(const unsigned char *head, size_t len, enum asic_kind *kind)
{
    if (len < 38 || memcmp(head, "PK\3\4", 4) != 0 || LE16(head + 8) != 0 ||
        LE16(head + 26) != 8 || memcmp(head + 30, "mimetype", 8) != 0 || (LE16(head + 6) & 1))
        return 0;
    size_t extra = LE16(head + 28);
    unsigned long size = LE32(head + 18);
    if (size != LE32(head + 22) || 38 + extra + size > len)
        return 0;
    static const struct { const char *type; enum asic_kind kind; } kinds[] = {
        {ASIC_MIMETYPE_E, ASIC_E}, {ASIC_MIMETYPE_S, ASIC_S}};
    for (size_t i = 0; i < 2; i++)
        if (size == strlen(kinds[i].type) && memcmp(head + 38 + extra, kinds[i].type, size) == 0) {
            *kind = kinds[i].kind;
            return extra ? 2 : 1;
        }
    return 0;
}

/* A name that is safe to show, compare and extract: relative, no "." or ".." or empty segments,
 * no backslashes, drive letters or control characters. */
static const char *name_problem(const char *name)
{
    if (!*name)
        return "an empty name";
    if (strlen(name) > ASIC_MAX_NAME)
        return "a name that is too long";
    if (name[0] == '/')
        return "an absolute path";
    if (strchr(name, '\\'))
        return "a backslash in a name";
    if (name[1] == ':')
        return "a drive letter";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "a control character in a name";
    for (const char *p = name; *p;) {
        size_t seg = strcspn(p, "/");
        if (seg == 0)
            return "an empty path segment (\"//\")";
        if ((seg == 1 && p[0] == '.') || (seg == 2 && p[0] == '.' && p[1] == '.'))
            return "a \".\" or \"..\" path segment";
        p += seg;
        if (*p == '/')
            p++;
    }
    return NULL;
}

void asic_close(struct asic_container *c)
{
    if (!c)
        return;
    if (c->zip)
        zip_discard(c->zip);
    for (size_t i = 0; i < c->count; i++)
        free(c->entries[i].name);
    free(c->entries);
    memset(c, 0, sizeof *c);
}

const struct asic_entry *asic_find(const struct asic_container *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->entries[i].name, name) == 0)
            return &c->entries[i];
    return NULL;
}

static int fail(struct asic_container *c, char *why, size_t why_len, const char *fmt, ...)
    SIGN_PRINTF(4, 5);
static int fail(struct asic_container *c, char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    asic_close(c);
    return -1;
}

static int check_entry(struct asic_container *c, zip_uint64_t i, zip_uint64_t *total, char *why,
                       size_t why_len)
{
    zip_stat_t st;
    /* The name as stored, and as libzip gives it in UTF-8 (from CP437 unless flagged UTF-8, which
     * turns control characters into arrows): both must be safe. */
    const char *raw = zip_get_name(c->zip, i, ZIP_FL_ENC_RAW);
    const char *problem = raw ? name_problem(raw) : NULL;
    const char *name = zip_get_name(c->zip, i, 0);
    if (!raw || !name || zip_stat_index(c->zip, i, 0, &st) != 0)
        return fail(c, why, why_len, "entry %llu cannot be read", (unsigned long long)i);
    if (!problem)
        problem = name_problem(name);
    if (problem && strstr(problem, "control"))
        return fail(c, why, why_len, "refused: entry %llu has %s", (unsigned long long)i, problem);
    if (problem)
        return fail(c, why, why_len, "refused: entry %llu \"%.200s\" has %s",
                    (unsigned long long)i, name, problem);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return fail(c, why, why_len, "refused: %s is encrypted", name);
    if (!(st.valid & ZIP_STAT_COMP_METHOD) ||
        (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE))
        return fail(c, why, why_len, "refused: %s is compressed with an unsupported method", name);
    zip_uint8_t opsys;
    zip_uint32_t attributes;
    if (zip_file_get_external_attributes(c->zip, i, 0, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX && ((attributes >> 16) & S_IFMT) != 0 &&
        ((attributes >> 16) & S_IFMT) != S_IFREG && ((attributes >> 16) & S_IFMT) != S_IFDIR)
        return fail(c, why, why_len, "refused: %s is a link or special file", name);
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
        return fail(c, why, why_len, "%s has no size", name);
    if (st.size > ASIC_MAX_OBJECT_BYTES)
        return fail(c, why, why_len, "refused: %s declares %llu bytes (limit %llu)", name,
                    (unsigned long long)st.size, ASIC_MAX_OBJECT_BYTES);
    if (st.size > ASIC_RATIO_FLOOR && st.size / ASIC_MAX_RATIO > st.comp_size)
        return fail(c, why, why_len, "refused: %s would expand %llu times (zip bomb?)", name,
                    (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)));
    *total += st.size;
    if (*total > ASIC_MAX_TOTAL_BYTES)
        return fail(c, why, why_len, "refused: the container expands to more than %llu bytes",
                    ASIC_MAX_TOTAL_BYTES);
    size_t len = strlen(name);
    struct asic_entry *e = &c->entries[c->count];
    e->name = strdup(name);
    if (!e->name)
        return fail(c, why, why_len, "out of memory");
    c->count++;
    e->index = i;
    e->size = st.size;
    int folder = name[len - 1] == '/';
    if (folder && st.size != 0)
        return fail(c, why, why_len, "refused: the folder entry %s has content", name);
    if (strcmp(name, "mimetype") == 0)
        e->role = ASIC_ROLE_MIMETYPE;
    else if (strncmp(name, "META-INF/", 9) == 0)
        e->role = folder ? ASIC_ROLE_FOLDER : ASIC_ROLE_META;
    else
        e->role = folder ? ASIC_ROLE_FOLDER : ASIC_ROLE_DATA;
    if (e->role == ASIC_ROLE_MIMETYPE && i != 0)
        return fail(c, why, why_len, "refused: mimetype is not the first entry");
    if (i == 0 && e->role != ASIC_ROLE_MIMETYPE)
        return fail(c, why, why_len, "refused: the first entry is %s, not mimetype", name);
    return 0;
}

/* Two entries that would land on one file when extracted: the same name (also in another case,
 * as on Windows and macOS), or a file that is also a folder of another entry. */
static int check_collisions(struct asic_container *c, char *why, size_t why_len)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *a = c->entries[i].name;
        size_t a_len = strlen(a);
        for (size_t j = i + 1; j < c->count; j++) {
            const char *b = c->entries[j].name;
            if (strcasecmp(a, b) == 0)
                return fail(c, why, why_len, "refused: duplicate name %s", b);
            size_t b_len = strlen(b);
            if (a[a_len - 1] != '/' && b_len > a_len && b[a_len] == '/' && strncmp(a, b, a_len) == 0)
                return fail(c, why, why_len, "refused: %s is both a file and a folder", a);
            if (b[b_len - 1] != '/' && a_len > b_len && a[b_len] == '/' && strncmp(a, b, b_len) == 0)
                return fail(c, why, why_len, "refused: %s is both a file and a folder", b);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- a source as a zip */

/* libzip reads the container through this: random access on a sign_source, so that a container
 * is read where it lies (a file, memory, stdin's copy) and never extracted. */
struct zip_reader {
    const sign_source *src;
    zip_uint64_t position;
    zip_error_t error;
};

static zip_int64_t zip_reader_call(void *userdata, void *data, zip_uint64_t len,
                                   zip_source_cmd_t cmd)
{
    struct zip_reader *reader = userdata;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        reader->position = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        long long n = sign_source_read_at(reader->src, reader->position, data, (size_t)len);
        if (n < 0) {
            zip_error_set(&reader->error, ZIP_ER_READ, errno);
            return -1;
        }
        reader->position += (zip_uint64_t)n;
        return n;
    }
    case ZIP_SOURCE_CLOSE:
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = sign_source_size(reader->src);
        st->valid |= ZIP_STAT_SIZE;
        return sizeof *st;
    }
    case ZIP_SOURCE_SEEK: {
        zip_int64_t at = zip_source_seek_compute_offset(reader->position,
                                                        sign_source_size(reader->src), data, len,
                                                        &reader->error);
        if (at < 0)
            return -1;
        reader->position = (zip_uint64_t)at;
        return 0;
    }
    case ZIP_SOURCE_TELL:
        return (zip_int64_t)reader->position;
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&reader->error, data, len);
    case ZIP_SOURCE_FREE:
        zip_error_fini(&reader->error);
        free(reader);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              ZIP_SOURCE_SUPPORTS, -1);
    default:
        zip_error_set(&reader->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

zip_source_t *asic_zip_source(const sign_source *src, zip_error_t *error)
{
    struct zip_reader *reader = calloc(1, sizeof *reader);
    if (!reader) {
        zip_error_set(error, ZIP_ER_MEMORY, 0);
        return NULL;
    }
    reader->src = src;
    zip_error_init(&reader->error);
    zip_source_t *zs = zip_source_function_create(zip_reader_call, reader, error);
    if (!zs) {
        zip_error_fini(&reader->error);
        free(reader);
    }
    return zs;
}

/* ---------------------------------------------------------------- opening */

/* Opens the zip in zs (libzip takes it on success) whose first bytes are head, and checks its
 * structure; flags as for zip_open_from_source. */
static int open_checked(struct asic_container *c, zip_source_t *zs, const unsigned char *head,
                        size_t head_len, int flags, char *why, size_t why_len)
{
    enum asic_kind kind;
    int detected = asic_detect(head, head_len, &kind);
    if (!detected) {
        zip_source_free(zs);
        return fail(c, why, why_len, "not an ASiC container: the first entry must be \"mimetype\", "
                                     "stored, naming %s or %s",
                    ASIC_MIMETYPE_E, ASIC_MIMETYPE_S);
    }
    c->kind = kind;
    c->mimetype_extra = detected == 2;
    zip_error_t error;
    zip_error_init(&error);
    c->zip = zip_open_from_source(zs, ZIP_CHECKCONS | flags, &error);
    if (!c->zip) {
        zip_source_free(zs);
        if (zip_error_code_zip(&error) == ZIP_ER_EXISTS)
            fail(c, why, why_len, "refused: duplicate names in the container");
        else
            fail(c, why, why_len, "not a readable zip container: %s", zip_error_strerror(&error));
        zip_error_fini(&error);
        return -1;
    }
    zip_error_fini(&error);
    zip_int64_t n = zip_get_num_entries(c->zip, 0);
    if (n <= 0 || n > ASIC_MAX_ENTRIES)
        return fail(c, why, why_len, "refused: %lld entries (1 to %d allowed)", (long long)n,
                    ASIC_MAX_ENTRIES);
    c->entries = calloc((size_t)n, sizeof *c->entries);
    if (!c->entries)
        return fail(c, why, why_len, "out of memory");
    zip_uint64_t total = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++)
        if (check_entry(c, i, &total, why, why_len) != 0)
            return -1;
    if (check_collisions(c, why, why_len) != 0)
        return -1;

    /* The mimetype in the central directory agrees with the local header read above. */
    unsigned char *type = NULL;
    size_t type_len = 0;
    if (asic_read_meta(c, &c->entries[0], &type, &type_len, why, why_len) != 0) {
        asic_close(c);
        return -1;
    }
    int agrees = strcmp((char *)type, kind == ASIC_E ? ASIC_MIMETYPE_E : ASIC_MIMETYPE_S) == 0;
    free(type);
    if (!agrees)
        return fail(c, why, why_len, "refused: the mimetype entry does not match its local header");

    size_t data = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct asic_entry *e = &c->entries[i];
        data += e->role == ASIC_ROLE_DATA;
        /* EN 319 162-1 4.3.2: an ASiC-S holds one data object, at the root. */
        if (kind == ASIC_S && e->role == ASIC_ROLE_DATA && strchr(e->name, '/'))
            return fail(c, why, why_len, "refused: the ASiC-S data object %s is in a folder",
                        e->name);
        if (kind == ASIC_S && e->role == ASIC_ROLE_FOLDER && strncmp(e->name, "META-INF/", 9) != 0)
            return fail(c, why, why_len, "refused: an ASiC-S has no folders (%s)", e->name);
    }
    if (kind == ASIC_S && data != 1)
        return fail(c, why, why_len, "refused: an ASiC-S holds exactly one data object, this one "
                                     "%zu", data);
    return 0;
}

int asic_open(struct asic_container *c, const sign_source *src, char *why, size_t why_len)
{
    memset(c, 0, sizeof *c);
    if (sign_source_open_error(src))
        return fail(c, why, why_len, "cannot open %s: %s", sign_source_name(src),
                    strerror(sign_source_open_error(src)));
    unsigned char head[SIGN_DETECT_BYTES];
    long long got = sign_source_read_at(src, 0, head, sizeof head);
    if (got < 0)
        return fail(c, why, why_len, "cannot read %s: %s", sign_source_name(src),
                    strerror(errno));
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t *zs = asic_zip_source(src, &error);
    zip_error_fini(&error);
    if (!zs)
        return fail(c, why, why_len, "out of memory");
    return open_checked(c, zs, head, (size_t)got, ZIP_RDONLY, why, why_len);
}

int asic_open_store(struct asic_container *c, struct asic_store *store, char *why,
                    size_t why_len)
{
    memset(c, 0, sizeof *c);
    unsigned char head[SIGN_DETECT_BYTES];
    zip_int64_t got = -1;
    if (zip_source_open(store->zip_source) == 0) {
        got = zip_source_read(store->zip_source, head, sizeof head);
        zip_source_close(store->zip_source);
    }
    if (got < 0)
        return fail(c, why, why_len, "cannot read the container back");
    zip_source_keep(store->zip_source); /* the store keeps it when the zip is closed */
    return open_checked(c, store->zip_source, head, (size_t)got, 0, why, why_len);
}

/* ---------------------------------------------------------------- streaming content */

struct entry_stream {
    zip_file_t *file;
    zip_uint64_t declared, read;
};

static int entry_read(BIO *bio, char *buf, int len)
{
    struct entry_stream *s = BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    if (!s || len <= 0)
        return 0;
    zip_int64_t n = zip_fread(s->file, buf, (zip_uint64_t)len);
    if (n < 0)
        return -1; /* inflate error or CRC mismatch */
    s->read += (zip_uint64_t)n;
    /* libzip stops at the declared size; this makes it a rule here whatever the library does. */
    if (s->read > s->declared || s->read > ASIC_MAX_OBJECT_BYTES)
        return -1;
    if (n == 0 && s->read != s->declared)
        return -1;
    return (int)n;
}

static long entry_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int entry_destroy(BIO *bio)
{
    struct entry_stream *s = BIO_get_data(bio);
    if (s) {
        zip_fclose(s->file);
        free(s);
    }
    BIO_set_data(bio, NULL);
    return 1;
}

static BIO_METHOD *entry_method;
static void make_entry_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ASiC entry");
    if (m && BIO_meth_set_read(m, entry_read) && BIO_meth_set_ctrl(m, entry_ctrl) &&
        BIO_meth_set_destroy(m, entry_destroy))
        entry_method = m;
}

BIO *asic_entry_bio(struct asic_container *c, const struct asic_entry *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_entry_method);
    struct entry_stream *s = calloc(1, sizeof *s);
    BIO *bio = s && entry_method ? BIO_new(entry_method) : NULL;
    if (bio)
        s->file = zip_fopen_index(c->zip, e->index, 0);
    if (!bio || !s->file) {
        BIO_free(bio);
        free(s);
        return NULL;
    }
    s->declared = e->size;
    BIO_set_data(bio, s);
    BIO_set_init(bio, 1);
    return bio;
}

int asic_read_meta(struct asic_container *c, const struct asic_entry *e, unsigned char **out,
                   size_t *len, char *why, size_t why_len)
{
    *out = NULL;
    if (e->size > ASIC_MAX_META_BYTES) {
        snprintf(why, why_len, "%s is larger than %u bytes", e->name, ASIC_MAX_META_BYTES);
        return -1;
    }
    unsigned char *bytes = malloc((size_t)e->size + 1);
    BIO *in = bytes ? asic_entry_bio(c, e) : NULL;
    size_t done = 0;
    int n = 0;
    while (in && done <= e->size &&
           (n = BIO_read(in, bytes + done, (int)(e->size + 1 - done))) > 0)
        done += (size_t)n;
    BIO_free(in);
    if (!in || n < 0 || done != e->size) {
        free(bytes);
        snprintf(why, why_len, "cannot read %s from the container (damaged, or not the size it "
                               "declares)", e->name);
        return -1;
    }
    bytes[done] = 0;
    *out = bytes;
    *len = done;
    return 0;
}

int asic_digest_entry(struct asic_container *c, const struct asic_entry *e, const EVP_MD *md,
                      unsigned char *digest, unsigned int *digest_len, char *why, size_t why_len)
{
    BIO *in = asic_entry_bio(c, e);
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    unsigned char buf[65536];
    int n = 0, ok = in && mdctx && EVP_DigestInit_ex(mdctx, md, NULL);
    while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
    ok = ok && n == 0 && EVP_DigestFinal_ex(mdctx, digest, digest_len);
    EVP_MD_CTX_free(mdctx);
    BIO_free(in);
    if (!ok)
        snprintf(why, why_len, "cannot read %s from the container (damaged, or not the size it "
                               "declares)", e->name);
    return ok ? 0 : -1;
}

/* A member as a source for the CAdES and XAdES modules: read on demand from the container with
 * the same rules as asic_entry_bio (declared size, CRC), so that a large data object is hashed
 * streaming and never held whole. Reading backwards reopens it (deflate cannot seek). */
struct member_state {
    zip_t *zip;                 /* the container's; it outlives the source */
    zip_uint64_t index, declared;
    zip_file_t *file;           /* open stream, or NULL */
    zip_uint64_t position;      /* of file */
};

/* Reads from the open stream; at the declared end, one more read checks that the member ends
 * there and lets libzip check its CRC. */
static long long member_read(struct member_state *m, void *buf, size_t len)
{
    zip_int64_t n = zip_fread(m->file, buf, len);
    if (n < 0)
        return -1; /* inflate error or CRC mismatch */
    m->position += (zip_uint64_t)n;
    if (m->position > m->declared || (n == 0 && m->position != m->declared))
        return -1;
    unsigned char beyond;
    if (n > 0 && m->position == m->declared && zip_fread(m->file, &beyond, 1) != 0)
        return -1;
    return n;
}

static long long member_read_at(void *state, uint64_t offset, void *buf, size_t len)
{
    struct member_state *m = state;
    if (m->file && offset < m->position) {
        zip_fclose(m->file);
        m->file = NULL;
    }
    if (!m->file) {
        m->file = zip_fopen_index(m->zip, m->index, 0);
        m->position = 0;
        if (!m->file) {
            errno = EIO;
            return -1;
        }
    }
    unsigned char skipped[65536];
    while (m->position < offset) {
        uint64_t gap = offset - m->position;
        long long n = member_read(m, skipped, gap < sizeof skipped ? (size_t)gap : sizeof skipped);
        if (n <= 0) {
            errno = EIO;
            return n < 0 ? -1 : 0;
        }
    }
    long long n = member_read(m, buf, len);
    if (n < 0)
        errno = EIO;
    return n;
}

static void member_release(void *state)
{
    struct member_state *m = state;
    if (m->file)
        zip_fclose(m->file);
    free(m);
}

static const struct sign_source_class member_kind = {member_read_at, member_release};

sign_source *asic_member_source(struct asic_container *c, const struct asic_entry *e, char *why,
                                size_t why_len)
{
    sign_source *src = NULL;
    if (e->role == ASIC_ROLE_META && e->size <= ASIC_MAX_META_BYTES) {
        /* Signatures and manifests are small: in memory, where the CAdES module reads them
         * fastest (its certificate cache). */
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (asic_read_meta(c, e, &bytes, &len, why, why_len) != 0)
            return NULL;
        src = sign_source_take_memory(bytes, len, e->name);
    } else {
        struct member_state *m = calloc(1, sizeof *m);
        if (m) {
            *m = (struct member_state){.zip = c->zip, .index = e->index, .declared = e->size};
            src = sign_source_new(&member_kind, m, e->size, e->name);
        }
    }
    if (!src)
        snprintf(why, why_len, "out of memory");
    return src;
}

/* ---------------------------------------------------------------- extraction */

int asic_write_entry(struct asic_container *c, const struct asic_entry *e, int dirfd,
                     const char *name, char *why, size_t why_len)
{
    char path[ASIC_MAX_NAME + 1];
    snprintf(path, sizeof path, "%s", name);
    int fd = dup(dirfd);
    char *segment = path;
    for (char *slash; fd >= 0 && (slash = strchr(segment, '/')) != NULL; segment = slash + 1) {
        *slash = 0;
        if (mkdirat(fd, segment, 0755) != 0 && errno != EEXIST) {
            snprintf(why, why_len, "cannot create the folder %s: %s", segment, strerror(errno));
            close(fd);
            return -1;
        }
        int next = openat(fd, segment, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0)
            snprintf(why, why_len, "cannot enter the folder %s: %s", segment, strerror(errno));
        close(fd);
        fd = next;
    }
    if (fd < 0)
        return -1;
    if (!*segment) { /* a folder entry */
        close(fd);
        return 0;
    }
    int out = openat(fd, segment, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        snprintf(why, why_len, "cannot create %s: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    BIO *in = asic_entry_bio(c, e);
    unsigned char buf[65536];
    int n = 0, ok = in != NULL;
    while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
        for (int done = 0; ok && done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            ok = w > 0;
            done += ok ? (int)w : 0;
        }
    ok = ok && n == 0;
    BIO_free(in);
    if (close(out) != 0)
        ok = 0;
    if (!ok) {
        snprintf(why, why_len, "cannot extract %s (damaged, not the size it declares, or the "
                               "disk is full)", e->name);
        unlinkat(fd, segment, 0);
    }
    close(fd);
    ERR_clear_error();
    return ok ? 0 : -1;
}
