/* Signing entry point: choose the format, open the input, hand over to the format module. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "formats/format.h"

SIGN_EXTERN int sign_options_init(sign_options *opts, unsigned int version)
{
    if (!opts || version != SIGN_OPTIONS_VERSION)
        return SIGN_EINVAL;
    memset(opts, 0, sizeof *opts);
    opts->version = version;
    opts->packaging = SIGN_PACKAGING_DEFAULT;
    opts->level = SIGN_LEVEL_B_B;
    opts->digest = "sha256";
    opts->signing_time = (time_t)-1;
    return SIGN_OK;
}

/* The format named in opts, or the one that prefers this content (PDF: pades, XML: xades, else
 * cades). The input is read only for its first bytes; stdin is not peeked at (it cannot be
 * rewound), so content from stdin is signed as CAdES unless a format is named. */
static const char *content_format(const unsigned char *head, size_t len)
{
    const char *chosen = "cades";
    int best = 0;
    for (const struct sign_format *const *f = sign_format_table(); *f; f++) {
        int score = (*f)->accepts_content ? (*f)->accepts_content(head, len) : 0;
        if (score > best) {
            best = score;
            chosen = (*f)->name;
        }
    }
    return chosen;
}

SIGN_EXTERN const char *sign_choose_format(sign_ctx *ctx, const sign_options *opts,
                                           const char *in_path)
{
    if (opts->format)
        return opts->format;
    if (strcmp(in_path, "-") == 0)
        return "cades";
    unsigned char head[SIGN_DETECT_BYTES];
    BIO *in = BIO_new_file(in_path, "rb");
    if (!in) {
        sign_seterr(ctx, SIGN_EIO, "%s: %s", in_path, strerror(errno));
        return NULL;
    }
    int got = BIO_read(in, head, sizeof head);
    BIO_free(in);
    return content_format(head, got > 0 ? (size_t)got : 0);
}

SIGN_EXTERN const char *sign_output_extension(const char *format, enum sign_packaging packaging)
{
    const struct sign_format *f = format ? sign_format_by_name(format) : NULL;
    return f ? f->extension(packaging) : ".sig";
}

/* Empty content is refused in every format and packaging alike: a signature over nothing is
 * what a mistake produces (a file truncated to nothing, a pipe that failed upstream), and a
 * detached one would validate. A file (named, or redirected to stdin) is looked at with stat;
 * stdin that is not a file (a pipe, a socket) is peeked at: one byte read and pushed back onto
 * the stdio stream every reader of "-" reads through (sign_open_input). Blocks until the writer
 * sends a byte or closes, as signing would. */
static int is_empty_file(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0)
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
    if (fstat(STDIN_FILENO, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0)
        return st.st_size == 0;
    int first = getc(stdin);
    if (first == EOF)
        return !ferror(stdin);
    ungetc(first, stdin);
    return 0;
}

SIGN_EXTERN int sign_sign_file(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                               const char *in_path, FILE *out)
{
    if (!ctx || !key || !opts || !in_path || !out)
        return SIGN_EINVAL;
    const char *name = sign_choose_format(ctx, opts, in_path);
    if (!name)
        return SIGN_EIO;
    const struct sign_format *format = sign_format_by_name(name);
    if (!format)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "format %s is not supported by this build", name);
    if (!format->sign) /* a format segl only validates (OpenSign) */
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "segl validates %s signatures but does not "
                                                   "make them", name);
    static const char *const level_names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    if (opts->level > format->max_level)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "%s signatures at level %s are not supported "
                                                   "by this build (up to %s)",
                           name, level_names[opts->level], level_names[format->max_level]);
    if (opts->level >= SIGN_LEVEL_B_T && !opts->tsa_url)
        return sign_seterr_needing(ctx, SIGN_EINVAL, SIGN_NEEDED_TSA, "level %s needs a timestamp authority",
                           level_names[opts->level]);
    if (is_empty_file(in_path))
        return sign_seterr(ctx, SIGN_EINVAL, "%s: empty file, nothing to sign", in_path);
    BIO *in = sign_open_input(in_path);
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", in_path, strerror(errno));
    BIO *sink = BIO_new_fp(out, BIO_NOCLOSE);
    if (!sink) {
        BIO_free(in);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    sign_options named = *opts;
    if (!named.content_name && strcmp(in_path, "-") != 0) {
        const char *slash = strrchr(in_path, '/');
        named.content_name = slash ? slash + 1 : in_path;
    }
    int rc = format->sign(ctx, key, &named, in, sink);
    if (rc == SIGN_OK && BIO_flush(sink) <= 0)
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the signature");
    BIO_free(sink);
    BIO_free(in);
    return rc;
}

SIGN_EXTERN int sign_sign_files(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                                const char *const *inputs, size_t count, FILE *out)
{
    if (!ctx || !key || !opts || !inputs || count == 0 || !out)
        return SIGN_EINVAL;
    const struct sign_format *format = opts->format ? sign_format_by_name(opts->format) : NULL;
    if (!format || !format->sign_many) {
        if (count == 1)
            return sign_sign_file(ctx, key, opts, inputs[0], out);
        return sign_seterr(ctx, SIGN_EINVAL, "only a container (asic-e) signs several inputs "
                                             "into one output");
    }
    static const char *const level_names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    if (opts->level > format->max_level)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "%s signatures at level %s are not supported "
                                                   "by this build (up to %s)", format->name,
                           level_names[opts->level], level_names[format->max_level]);
    if (opts->level >= SIGN_LEVEL_B_T && !opts->tsa_url)
        return sign_seterr_needing(ctx, SIGN_EINVAL, SIGN_NEEDED_TSA, "level %s needs a timestamp authority",
                           level_names[opts->level]);
    for (size_t i = 0; i < count; i++)
        if (is_empty_file(inputs[i]))
            return sign_seterr(ctx, SIGN_EINVAL, "%s: empty file, nothing to sign", inputs[i]);
    BIO *sink = BIO_new_fp(out, BIO_NOCLOSE);
    if (!sink)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = format->sign_many(ctx, key, opts, inputs, count, sink);
    if (rc == SIGN_OK && BIO_flush(sink) <= 0)
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the container");
    BIO_free(sink);
    return rc;
}

/* Extends src (ownership taken; NULL: it could not be made, errno says why), named in messages
 * by its name. */
static int extend_source(sign_ctx *ctx, const sign_options *opts, sign_source *src, FILE *out)
{
    static const char *const level_names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    int rc = SIGN_OK;
    unsigned char head[SIGN_DETECT_BYTES];
    long long got = src ? sign_source_read_at(src, 0, head, sizeof head) : -1;
    const struct sign_format *format = got > 0 ? sign_format_detect(head, (size_t)got) : NULL;
    if (!src)
        rc = sign_seterr(ctx, errno == ENOMEM ? SIGN_ENOMEM : SIGN_EIO, "cannot read: %s",
                         strerror(errno));
    else if (sign_source_open_error(src))
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", sign_source_name(src),
                         strerror(sign_source_open_error(src)));
    else if (got < 0)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", sign_source_name(src), strerror(errno));
    else if (!format)
        rc = sign_seterr(ctx, SIGN_EPARSE, "%s: not a signed file in a format segl knows",
                         sign_source_name(src));
    else if (!format->extend || opts->level > format->max_level)
        rc = sign_seterr(ctx, SIGN_EUNSUPPORTED, "extending %s signatures to %s is not supported "
                                                 "by this build", format->name,
                         level_names[opts->level]);
    BIO *sink = rc == SIGN_OK ? BIO_new_fp(out, BIO_NOCLOSE) : NULL;
    if (rc == SIGN_OK && !sink)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    if (rc == SIGN_OK)
        rc = format->extend(ctx, opts, src, sink);
    if (rc == SIGN_OK && BIO_flush(sink) <= 0)
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the extended signature");
    BIO_free(sink);
    sign_source_free(src);
    return rc;
}

static int extend_arguments(sign_ctx *ctx, const sign_options *opts)
{
    if (opts->level < SIGN_LEVEL_B_T)
        return sign_seterr(ctx, SIGN_EINVAL, "extend to B-T, B-LT or B-LTA (-l)");
    if (!opts->tsa_url)
        return sign_seterr_needing(ctx, SIGN_EINVAL, SIGN_NEEDED_TSA, "extending needs a timestamp authority");
    return SIGN_OK;
}

SIGN_EXTERN int sign_extend_file(sign_ctx *ctx, const sign_options *opts, const char *in_path,
                                 FILE *out)
{
    if (!ctx || !opts || !in_path || !out)
        return SIGN_EINVAL;
    int rc = extend_arguments(ctx, opts);
    return rc == SIGN_OK ? extend_source(ctx, opts, sign_source_open_file(in_path), out) : rc;
}

SIGN_EXTERN int sign_extend_memory(sign_ctx *ctx, const sign_options *opts, const char *name,
                                   const void *bytes, size_t len, FILE *out)
{
    if (!ctx || !opts || !name || (!bytes && len) || !out)
        return SIGN_EINVAL;
    int rc = extend_arguments(ctx, opts);
    return rc == SIGN_OK ? extend_source(ctx, opts,
                                         sign_source_from_memory(bytes ? bytes : "", len, name),
                                         out)
                         : rc;
}

SIGN_EXTERN int sign_extend_fd(sign_ctx *ctx, const sign_options *opts, const char *name, int fd,
                               FILE *out)
{
    if (!ctx || !opts || !name || fd < 0 || !out)
        return SIGN_EINVAL;
    int rc = extend_arguments(ctx, opts);
    return rc == SIGN_OK ? extend_source(ctx, opts, sign_source_from_fd(fd, name), out) : rc;
}
