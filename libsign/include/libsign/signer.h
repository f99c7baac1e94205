/* libsign: produce signatures. */
#ifndef LIBSIGN_SIGNER_H
#define LIBSIGN_SIGNER_H

#include <stdio.h>
#include <libsign/common.h>
#include <libsign/ctx.h>
#include <libsign/key.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sign_packaging {
    SIGN_PACKAGING_DEFAULT = 0, /* the format's usual one (CAdES: detached) */
    SIGN_PACKAGING_DETACHED,
    SIGN_PACKAGING_ENVELOPING,
    SIGN_PACKAGING_ENVELOPED
};

enum sign_level { SIGN_LEVEL_B_B = 0, SIGN_LEVEL_B_T, SIGN_LEVEL_B_LT, SIGN_LEVEL_B_LTA };

/* The layout of sign_options this header describes: a program built against it passes this to
 * sign_options_init, so that a later libsign that adds fields knows which ones it was given. */
#define SIGN_OPTIONS_VERSION 2

typedef struct sign_options {
    unsigned int version;          /* SIGN_OPTIONS_VERSION, set by sign_options_init */
    const char *format;            /* "cades", ...; NULL: chosen from the content */
    enum sign_packaging packaging;
    enum sign_level level;
    const char *digest;            /* "sha256" (default), "sha384", "sha512" */
    const char *tsa_url;           /* for B-T and above */
    time_t signing_time;           /* (time_t)-1: now */
    /* Signing: the content's file name as the signature should name it (a detached XAdES
     * Reference URI, an ASiC data object); NULL: the base name of the input path, none for
     * stdin. Extending: the path of a detached signature's content (segl-extend --content). */
    const char *content_name;
    /* PAdES: a visible signature on page visible_page (1-based; 0: invisible) in the rectangle
     * visible_rect = {x, y, width, height} in PDF points from the page's lower left corner. */
    int visible_page;
    double visible_rect[4];
    const char *reason, *location, *contact; /* PAdES /Reason, /Location, /ContactInfo */
    /* ASiC: the signature format inside the container, "cades" (NULL: the default) or "xades". */
    const char *inner_format;
    /* PAdES visible signature (version 2): a PNG picture shown beside the text (len bytes, not
     * kept; NULL: none), and the language of the labels, "da" for Danish (NULL: English). */
    const unsigned char *visible_image;
    size_t visible_image_len;
    const char *visible_language;
} sign_options;

/* Fill opts with the defaults (format from the content, B-B, sha256, now) for the layout version
 * (SIGN_OPTIONS_VERSION). SIGN_EINVAL for a version this libsign does not know. */
SIGN_EXTERN int sign_options_init(sign_options *opts, unsigned int version);

/* Which format sign_sign_file would use for in_path under opts ("cades", ...), or NULL with the
 * reason on ctx when the input cannot be read. */
SIGN_EXTERN const char *sign_choose_format(sign_ctx *ctx, const sign_options *opts,
                                           const char *in_path);
/* The file name extension a signature of this kind gets (".p7s", ".p7m", ...). */
SIGN_EXTERN const char *sign_output_extension(const char *format, enum sign_packaging packaging);

/* Augment the signatures in the file at in_path to opts->level (B-T, B-LT, B-LTA), using
 * opts->tsa_url, and write the result to out. Signatures made by other software included. */
SIGN_EXTERN int sign_extend_file(sign_ctx *ctx, const sign_options *opts, const char *in_path,
                                 FILE *out);
/* The same for a signed file in memory (len bytes at bytes, not kept) or open on fd (read as
 * sign_verify_fd reads it), called name in messages. Neither has a folder: a detached CAdES
 * signature's content for B-LTA must then be given (opts->content_name). */
SIGN_EXTERN int sign_extend_memory(sign_ctx *ctx, const sign_options *opts, const char *name,
                                   const void *bytes, size_t len, FILE *out);
SIGN_EXTERN int sign_extend_fd(sign_ctx *ctx, const sign_options *opts, const char *name, int fd,
                               FILE *out);

/* Sign the file at in_path ("-" for stdin) and write the result to out. Content is read streaming.
 * The caller owns out and decides where it goes (segl-sign writes a temporary file and renames). */
SIGN_EXTERN int sign_sign_file(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                               const char *in_path, FILE *out);

/* Sign the count files at inputs into the one output out: an ASiC container (opts->format
 * "asic-e" or "asic-s") holding them as data objects under their base names. One input that is
 * already an ASiC container of that kind gets a signature added (the result goes to out; the
 * input is untouched). With another format, one input is signed as by sign_sign_file. */
SIGN_EXTERN int sign_sign_files(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                                const char *const *inputs, size_t count, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
