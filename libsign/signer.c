/* Signing entry point: choose the format, open the input, hand over to the format module. */
#include <errno.h>
#include <string.h>
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
    static const char *const level_names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    if (opts->level > format->max_level)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "%s signatures at level %s are not supported "
                                                   "by this build (up to %s)",
                           name, level_names[opts->level], level_names[format->max_level]);
    if (opts->level >= SIGN_LEVEL_B_T && !opts->tsa_url)
        return sign_seterr(ctx, SIGN_EINVAL, "level %s needs a timestamp authority: --tsa URL",
                           level_names[opts->level]);
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
        return sign_seterr(ctx, SIGN_EINVAL, "level %s needs a timestamp authority: --tsa URL",
                           level_names[opts->level]);
    BIO *sink = BIO_new_fp(out, BIO_NOCLOSE);
    if (!sink)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = format->sign_many(ctx, key, opts, inputs, count, sink);
    if (rc == SIGN_OK && BIO_flush(sink) <= 0)
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the container");
    BIO_free(sink);
    return rc;
}

SIGN_EXTERN int sign_extend_file(sign_ctx *ctx, const sign_options *opts, const char *in_path,
                                 FILE *out)
{
    if (!ctx || !opts || !in_path || !out)
        return SIGN_EINVAL;
    static const char *const level_names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    if (opts->level < SIGN_LEVEL_B_T)
        return sign_seterr(ctx, SIGN_EINVAL, "extend to B-T, B-LT or B-LTA (-l)");
    if (!opts->tsa_url)
        return sign_seterr(ctx, SIGN_EINVAL, "extending needs a timestamp authority: --tsa URL");
    unsigned char head[SIGN_DETECT_BYTES];
    BIO *probe = BIO_new_file(in_path, "rb");
    if (!probe)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", in_path, strerror(errno));
    int got = BIO_read(probe, head, sizeof head);
    BIO_free(probe);
    const struct sign_format *best = NULL;
    int best_score = 0;
    for (const struct sign_format *const *f = sign_format_table(); *f; f++) {
        int score = got > 0 ? (*f)->detect_signed(head, (size_t)got) : 0;
        if (score > best_score) {
            best = *f;
            best_score = score;
        }
    }
    if (!best)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: not a signed file in a format segl knows", in_path);
    if (!best->extend || opts->level > best->max_level)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "extending %s signatures to %s is not supported "
                                                   "by this build", best->name, level_names[opts->level]);
    BIO *sink = BIO_new_fp(out, BIO_NOCLOSE);
    if (!sink)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = best->extend(ctx, opts, in_path, sink);
    if (rc == SIGN_OK && BIO_flush(sink) <= 0)
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the extended signature");
    BIO_free(sink);
    return rc;
}
