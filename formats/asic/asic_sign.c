/* Making ASiC containers (ETSI EN 319 162-1) and adding signatures to them, CAdES inside (XAdES
 * inside is asic_xades.c): an ASiC-S signs its one data object (META-INF/signature.p7s), an
 * ASiC-E signs an ASiCManifest that lists every data object (META-INF/ASiCManifestNNN.xml,
 * META-INF/signatureNNN.p7s).
 *
 * The container is written first (asic_store.c: into the output itself, or memory); the data
 * objects are then hashed back out of it, streaming, so that what is signed is what the
 * container holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "asic.h"

/* One data object to put in a new container: a file by its path (libzip reads it, with its
 * time), or the bytes of a source. */
struct asic_input {
    const char *path;          /* or NULL */
    const sign_source *source; /* when path is NULL */
    const char *label;         /* the input as the caller named it, for messages */
    const char *name;          /* the data object's name */
};

/* A new container in store: mimetype first (stored, EN 319 162-1 A.1), then the inputs. */
static int create_container(sign_ctx *ctx, struct asic_store *store, enum asic_kind kind,
                            const struct asic_input *inputs, size_t count)
{
    zip_t *zip = asic_store_create(ctx, store);
    if (!zip)
        return SIGN_EIO;
    const char *type = kind == ASIC_E ? ASIC_MIMETYPE_E : ASIC_MIMETYPE_S;
    int rc = asic_add_bytes(ctx, zip, "mimetype", strdup(type), strlen(type), 1);
    for (size_t i = 0; rc == SIGN_OK && i < count; i++) {
        const char *name = inputs[i].name;
        if (!*name || strcmp(name, "mimetype") == 0 || strcmp(name, "META-INF") == 0) {
            rc = sign_seterr(ctx, SIGN_EINVAL, "%s: \"%s\" cannot be the name of a data object",
                             inputs[i].label, name);
            break;
        }
        zip_error_t error;
        zip_error_init(&error);
        zip_source_t *source = inputs[i].path ? zip_source_file(zip, inputs[i].path, 0, -1)
                                              : asic_zip_source(inputs[i].source, &error);
        if (!source) {
            rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", inputs[i].label,
                             inputs[i].path ? zip_strerror(zip) : zip_error_strerror(&error));
            zip_error_fini(&error);
            break;
        }
        zip_error_fini(&error);
        if (zip_file_add(zip, name, source, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(source);
            rc = zip_error_code_zip(zip_get_error(zip)) == ZIP_ER_EXISTS
                     ? sign_seterr(ctx, SIGN_EINVAL, "two inputs are named %s: a container "
                                                     "holds one data object per name", name)
                     : sign_seterr(ctx, SIGN_EIO, "%s: %s", inputs[i].label, zip_strerror(zip));
        }
    }
    if (rc == SIGN_OK && zip_close(zip) != 0)
        rc = sign_seterr(ctx, SIGN_EIO, "cannot write the container: %s", zip_strerror(zip));
    else if (rc == SIGN_OK)
        zip = NULL;
    if (zip)
        zip_discard(zip);
    return rc;
}

/* CAdES over content (EN 319 162-1 4.3.3 and 4.4.3: detached), into malloc'd bytes. */
static int cades_detached(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                          BIO *content, unsigned char **sig, size_t *sig_len)
{
    sign_options detached = *opts;
    detached.packaging = SIGN_PACKAGING_DETACHED;
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = sign_format_cades.sign(ctx, key, &detached, content, mem);
    char *data = NULL;
    long len = BIO_get_mem_data(mem, &data);
    *sig = rc == SIGN_OK && len > 0 ? malloc((size_t)len) : NULL;
    if (*sig) {
        memcpy(*sig, data, (size_t)len);
        *sig_len = (size_t)len;
    } else if (rc == SIGN_OK) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    BIO_free(mem);
    return rc;
}

static int has_entry_like(const struct asic_container *c, const char *prefix, const char *suffix)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *name = c->entries[i].name;
        size_t len = strlen(name), pre = strlen(prefix), suf = strlen(suffix);
        if (len >= pre + suf && strncmp(name, prefix, pre) == 0 &&
            strcmp(name + len - suf, suffix) == 0)
            return 1;
    }
    return 0;
}

static int add_signature(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                         struct asic_container *c, int existing)
{
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    int rc;
    if (opts->inner_format && strcmp(opts->inner_format, "xades") == 0)
        return asic_add_xades(ctx, key, opts, c, existing);
    if (c->kind == ASIC_S) {
        if (existing)
            return sign_seterr(ctx, SIGN_EUNSUPPORTED, "an ASiC-S container holds one signature "
                                                       "file (EN 319 162-1 4.3): put documents "
                                                       "that several people sign in an ASiC-E");
        const struct asic_entry *data = NULL;
        for (size_t i = 0; i < c->count; i++)
            if (c->entries[i].role == ASIC_ROLE_DATA)
                data = &c->entries[i];
        BIO *content = data ? asic_entry_bio(c, data) : NULL;
        if (!content)
            return sign_seterr(ctx, SIGN_EIO, "cannot read the data object back");
        rc = cades_detached(ctx, key, opts, content, &sig, &sig_len);
        BIO_free(content);
        return rc == SIGN_OK ? asic_add_bytes(ctx, c->zip, "META-INF/signature.p7s", sig, sig_len, 0) : rc;
    }
    if (has_entry_like(c, "META-INF/signatures", ".xml"))
        return sign_seterr_needing(ctx, SIGN_EUNSUPPORTED, SIGN_NEEDED_INNER_XADES,
                                   "this container holds XAdES signatures; one ASiC-E does not "
                                   "mix the two");
    char manifest_name[64], sig_name[64];
    int n;
    for (n = 1; n < 1000; n++) {
        snprintf(manifest_name, sizeof manifest_name, "META-INF/ASiCManifest%03d.xml", n);
        snprintf(sig_name, sizeof sig_name, "META-INF/signature%03d.p7s", n);
        if (!asic_find(c, manifest_name) && !asic_find(c, sig_name))
            break;
    }
    if (n == 1000)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "the container has too many signatures");
    unsigned char *manifest = NULL;
    size_t manifest_len = 0;
    rc = asic_manifest_build(ctx, c, sig_name, opts->digest, &manifest, &manifest_len);
    if (rc != SIGN_OK)
        return rc;
    BIO *content = BIO_new_mem_buf(manifest, (int)manifest_len);
    rc = content ? cades_detached(ctx, key, opts, content, &sig, &sig_len)
                 : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    BIO_free(content);
    if (rc != SIGN_OK) {
        free(manifest);
        return rc;
    }
    rc = asic_add_bytes(ctx, c->zip, manifest_name, manifest, manifest_len, 0);
    if (rc == SIGN_OK)
        rc = asic_add_bytes(ctx, c->zip, sig_name, sig, sig_len, 0);
    else
        free(sig);
    return rc;
}

/* inputs as data objects; one input that is already a container of this kind gets a signature
 * added instead. */
static int sign_inputs(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                       const struct asic_input *inputs, size_t count, BIO *out,
                       enum asic_kind kind)
{
    if (opts->packaging != SIGN_PACKAGING_DEFAULT && opts->packaging != SIGN_PACKAGING_DETACHED)
        return sign_seterr(ctx, SIGN_EINVAL, "an ASiC container holds detached signatures "
                                             "only (no other packaging)");
    if (opts->inner_format && strcmp(opts->inner_format, "cades") != 0 &&
        strcmp(opts->inner_format, "xades") != 0)
        return sign_seterr(ctx, SIGN_EINVAL, "unknown signature format inside a container: %s "
                                             "(cades, xades)", opts->inner_format);
    int xades_inside = opts->inner_format && strcmp(opts->inner_format, "xades") == 0;
    if (!xades_inside && opts->level > sign_format_cades.max_level)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "CAdES inside a container does not reach "
                                                   "this level");
    if (kind == ASIC_S && count != 1)
        return sign_seterr(ctx, SIGN_EINVAL, "an ASiC-S holds one data object, not %zu (use "
                                             "asic-e for several)", count);
    /* One input that is a container already: the one to add to, read as a source. */
    sign_source *opened = count == 1 && inputs[0].path ? sign_source_open_file(inputs[0].path)
                                                       : NULL;
    const sign_source *single = count == 1 ? (inputs[0].path ? opened : inputs[0].source) : NULL;
    if (count == 1 && !single)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int existing = 0;
    if (single) {
        unsigned char head[SIGN_DETECT_BYTES];
        long long got = sign_source_read_at(single, 0, head, sizeof head);
        enum asic_kind found;
        if (got > 0 && asic_detect(head, (size_t)got, &found)) {
            if (found != kind) {
                sign_source_free(opened);
                return sign_seterr(ctx, SIGN_EINVAL, "%s is an %s container: sign it with -f %s",
                                   inputs[0].label, found == ASIC_E ? "ASiC-E" : "ASiC-S",
                                   found == ASIC_E ? "asic-e" : "asic-s");
            }
            existing = 1;
        }
    }
    struct asic_store store;
    int rc = asic_store_init(ctx, &store, out);
    if (rc == SIGN_OK)
        rc = existing ? asic_store_fill(ctx, &store, single)
                      : create_container(ctx, &store, kind, inputs, count);
    struct asic_container c;
    memset(&c, 0, sizeof c);
    char why[512];
    if (rc == SIGN_OK && asic_open_store(&c, &store, why, sizeof why) != 0)
        rc = existing ? sign_seterr(ctx, SIGN_EPARSE, "%s: %s", inputs[0].label, why)
                      : sign_seterr(ctx, SIGN_EINVAL, "%s", why);
    if (rc == SIGN_OK)
        rc = add_signature(ctx, key, opts, &c, existing);
    if (rc == SIGN_OK) {
        if (zip_close(c.zip) != 0)
            rc = sign_seterr(ctx, SIGN_EIO, "cannot write the container: %s", zip_strerror(c.zip));
        else
            c.zip = NULL;
    }
    asic_close(&c);
    if (rc == SIGN_OK)
        rc = asic_store_finish(ctx, &store, out);
    asic_store_free(&store);
    sign_source_free(opened);
    return rc;
}

int asic_sign_many(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                   const char *const *inputs, size_t count, BIO *out, enum asic_kind kind)
{
    struct asic_input *named = calloc(count ? count : 1, sizeof *named);
    if (!named)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = SIGN_OK;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(inputs[i], "-") == 0) {
            rc = sign_seterr(ctx, SIGN_EINVAL, "stdin has no name to give its data object in a "
                                               "container: sign files");
            break;
        }
        const char *slash = strrchr(inputs[i], '/');
        named[i] = (struct asic_input){
            .path = inputs[i], .label = inputs[i],
            .name = count == 1 && opts->content_name ? opts->content_name
                    : slash                          ? slash + 1
                                                     : inputs[i]};
    }
    if (rc == SIGN_OK)
        rc = sign_inputs(ctx, key, opts, named, count, out, kind);
    free(named);
    return rc;
}

int asic_sign_one(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in,
                  BIO *out, enum asic_kind kind)
{
    if (!opts->content_name || !*opts->content_name || strchr(opts->content_name, '/'))
        return sign_seterr(ctx, SIGN_EINVAL, "a data object in a container needs a file name "
                                             "(content_name)");
    /* A file is read where it lies; other content (a pipe) is read once first, a large one
     * into a file without a name (sign_source_from_bio), since libzip needs to know its size
     * before it writes it. */
    sign_source *content = sign_source_from_bio(in, opts->content_name);
    if (!content)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", opts->content_name, strerror(errno));
    struct asic_input input = {.source = content, .label = opts->content_name,
                               .name = opts->content_name};
    int rc = sign_inputs(ctx, key, opts, &input, 1, out, kind);
    sign_source_free(content);
    return rc;
}
