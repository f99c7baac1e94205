/* The two ASiC formats (ETSI EN 319 162-1), and extraction of data objects. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "asic.h"

/* Any other zip is claimed weakly, so that validating it says what is wrong with it as ASiC. */
static int detect_e(const unsigned char *head, size_t len)
{
    enum asic_kind kind;
    if (asic_detect(head, len, &kind))
        return kind == ASIC_E ? 100 : 0;
    return len >= 4 && memcmp(head, "PK\3\4", 4) == 0 ? 10 : 0;
}

static int detect_s(const unsigned char *head, size_t len)
{
    enum asic_kind kind;
    return asic_detect(head, len, &kind) && kind == ASIC_S ? 100 : 0;
}

static int sign_e(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    return asic_sign_one(ctx, key, opts, in, out, ASIC_E);
}

static int sign_s(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    return asic_sign_one(ctx, key, opts, in, out, ASIC_S);
}

static int sign_many_e(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                       const char *const *inputs, size_t count, BIO *out)
{
    return asic_sign_many(ctx, key, opts, inputs, count, out, ASIC_E);
}

static int sign_many_s(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                       const char *const *inputs, size_t count, BIO *out)
{
    return asic_sign_many(ctx, key, opts, inputs, count, out, ASIC_S);
}

static const char *extension_e(enum sign_packaging packaging)
{
    (void)packaging;
    return ".asice";
}

static const char *extension_s(enum sign_packaging packaging)
{
    (void)packaging;
    return ".asics";
}

/* The levels the module inside reaches: B-LTA with XAdES only (asic_sign.c refuses it for
 * CAdES). */
const struct sign_format sign_format_asic_e = {
    .name = "asic-e",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = detect_e,
    .sign = sign_e,
    .sign_many = sign_many_e,
    .verify = asic_verify,
    .extension = extension_e,
};

const struct sign_format sign_format_asic_s = {
    .name = "asic-s",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = detect_s,
    .sign = sign_s,
    .sign_many = sign_many_s,
    .verify = asic_verify,
    .extension = extension_s,
};

SIGN_EXTERN int sign_asic_extract(sign_ctx *ctx, const char *path, const char *dir)
{
    if (!ctx || !path || !dir)
        return SIGN_EINVAL;
    sign_source *src = sign_source_open_file(path);
    if (!src)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    struct asic_container c;
    char why[512];
    if (asic_open(&c, src, why, sizeof why) != 0) {
        sign_source_free(src);
        return sign_seterr(ctx, SIGN_EPARSE, "%s: %s", path, why);
    }
    int rc = SIGN_OK;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, strerror(errno));
    int fd = rc == SIGN_OK ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (rc == SIGN_OK && fd < 0)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, strerror(errno));
    for (size_t i = 0; rc == SIGN_OK && i < c.count; i++)
        if (c.entries[i].role == ASIC_ROLE_DATA &&
            asic_write_entry(&c, &c.entries[i], fd, c.entries[i].name, why, sizeof why) != 0)
            rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, why);
    if (fd >= 0)
        close(fd);
    asic_close(&c);
    sign_source_free(src);
    return rc;
}
