/* The one interface every signature format implements (STYLE.md: BearSSL-style classes). The core
 * loops over the table in registry.c; adding a format touches no core file. */
#ifndef SEGL_FORMAT_H
#define SEGL_FORMAT_H

#include <openssl/bio.h>
#include "libsign/internal.h"
#include "libsign/source.h"

struct json_t; /* from <jansson.h> */

/* How many bytes of a file detect() gets to see. */
#define SIGN_DETECT_BYTES 4096

struct sign_format {
    const char *name; /* "cades", "xades", "pades", "asic-e", "asic-s" */
    enum sign_level max_level; /* the highest level sign() can make (0, the default: B-B) */
    /* How sure the format is that head (the first bytes of a file) is a signed file of its kind:
     * 0 not at all .. 100 certain. */
    int (*detect_signed)(const unsigned char *head, size_t len);
    /* Whether the format can sign content that starts with head (0 no, >0 preference). */
    int (*accepts_content)(const unsigned char *head, size_t len);
    /* Sign the content read from in and write to out. Status as in enum sign_status. */
    int (*sign)(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out);
    /* Optional (NULL: one input per output, through sign). Sign the files at inputs (count of
     * them) into the one output out, as a container does. */
    int (*sign_many)(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                     const char *const *inputs, size_t count, BIO *out);
    /* Validate the signed file src; content is the signed content of a detached signature (NULL:
     * none given). Fill report (signatures, or sign_report_set_error). */
    void (*verify)(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                   const sign_source *content);
    /* Optional (NULL: cannot extend). Augment every signature in src to opts->level (>= B-T,
     * <= max_level) with opts->tsa_url, writing the whole result to out. Fails, message on ctx
     * naming src, when the level cannot be reached; nothing is then usable in out. */
    int (*extend)(sign_ctx *ctx, const sign_options *opts, const sign_source *src, BIO *out);
    /* The extension of an output file under packaging. */
    const char *(*extension)(enum sign_packaging packaging);
    /* Optional (NULL: segl-inspect cannot list this format). List the signatures of the signed
     * file src without validating them: set "packaging" and "signatures" (one object per
     * signature, fields as in segl-inspect(1)) on file. Status as in enum sign_status, the
     * detail on ctx naming src. */
    int (*list)(sign_ctx *ctx, const sign_source *src, struct json_t *file);
};

/* NULL-terminated table of the formats built in. */
const struct sign_format *const *sign_format_table(void);
const struct sign_format *sign_format_by_name(const char *name);
/* The format whose detector is surest that head (a file's first bytes) is one of its signed
 * files, or NULL. */
const struct sign_format *sign_format_detect(const unsigned char *head, size_t len);

extern const struct sign_format sign_format_cades;
extern const struct sign_format sign_format_pades;
extern const struct sign_format sign_format_xades;
extern const struct sign_format sign_format_asic_e; /* asic.c */
extern const struct sign_format sign_format_asic_s;
extern const struct sign_format sign_format_opensign; /* opensign.c: validation only */

#endif
