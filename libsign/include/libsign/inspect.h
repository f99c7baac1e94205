/* libsign: describe a certificate, a PKCS#12 key file or a signed file, without validating it.
 *
 * An inspection says what a file claims: the facts of its certificates (subject, issuer, serial,
 * validity, policies, OCES identity, key, usages, fingerprint) or, for a signed file, who its
 * signatures name as signer, the signing time they claim, their algorithms and the attributes
 * that mark their AdES level. No signature value, chain or revocation is checked; use
 * sign_verify_file for that. */
#ifndef LIBSIGN_INSPECT_H
#define LIBSIGN_INSPECT_H

#include <stddef.h>
#include <libsign/common.h>
#include <libsign/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sign_inspection sign_inspection;

enum sign_inspection_type {
    SIGN_INSPECT_CERTIFICATE = 1, /* one or more certificates, PEM or DER */
    SIGN_INSPECT_PKCS12,          /* a key with its certificate (and chain) */
    SIGN_INSPECT_SIGNED           /* a signed file: its signatures are listed */
};

/* Inspect the file at path ("-" reads stdin once; to be able to retry with a password, read
 * stdin yourself and use sign_inspect_memory). password opens a PKCS#12 file; NULL means none
 * (an empty password is tried too); it is not kept.
 *
 * Returns 0 and *out, or: SIGN_EPASS when a PKCS#12 file needs a password and none was given,
 * or the one given is wrong (call again with one); SIGN_EIO when the file cannot be read;
 * SIGN_EPARSE when it is none of the kinds above; SIGN_EUNSUPPORTED for a signed file whose
 * format cannot be listed by this build. The detail is on ctx (sign_ctx_errmsg), naming path. */
SIGN_EXTERN int sign_inspect_file(sign_inspection **out, sign_ctx *ctx, const char *path,
                                  const char *password);
/* The same for data already in memory; name is used in messages. data is not kept. */
SIGN_EXTERN int sign_inspect_memory(sign_inspection **out, sign_ctx *ctx, const void *data,
                                    size_t len, const char *name, const char *password);
SIGN_EXTERN void sign_inspection_free(sign_inspection *inspection); /* NULL is a no-op */
/* The document the signer was shown, from the NemID OpenSign signature at path (its sign text:
 * signtext.html, signtext.txt or signtext.xml), written into dir (made when missing) without
 * validating the signature; the file appears whole or not at all, and an existing file is
 * never replaced. SIGN_EUNSUPPORTED (no message) when path holds no such signature. */
SIGN_EXTERN int sign_sign_text_extract(sign_ctx *ctx, const char *path, const char *dir);

SIGN_EXTERN enum sign_inspection_type sign_inspection_type(const sign_inspection *inspection);
/* "certificate", "pkcs12" or "signed". */
SIGN_EXTERN const char *sign_inspection_type_name(enum sign_inspection_type type);

/* The inspection as one JSON object as documented in segl-inspect(1), with "file" set to file.
 * Caller frees *out with free(). */
SIGN_EXTERN int sign_inspection_json(char **out, const sign_inspection *inspection,
                                     const char *file);

#ifdef __cplusplus
}
#endif

#endif
