/* libsign: signing keys with their certificate and chain. */
#ifndef LIBSIGN_KEY_H
#define LIBSIGN_KEY_H

#include <stddef.h>
#include <time.h>
#include <libsign/common.h>
#include <libsign/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sign_key sign_key;

/* Load a key. key_path is a PKCS#12 file (.p12/.pfx; legacy RC2/3DES encryption included) or a PEM
 * private key; for a PEM key, cert_path names its certificate (else NULL). chain_path (may be NULL)
 * adds intermediate certificates (PEM). password may be NULL for unencrypted keys; it is not kept.
 * Fails with SIGN_EPASS on a wrong password, SIGN_EKEY when key and certificate do not match. */
SIGN_EXTERN int sign_key_load(sign_key **out, sign_ctx *ctx, const char *key_path,
                              const char *cert_path, const char *chain_path, const char *password);
SIGN_EXTERN void sign_key_free(sign_key *key);

/* Load a key from a PKCS#11 token by RFC 7512 URI, e.g.
 * "pkcs11:token=OCES;object=signing?module-path=/usr/lib/softhsm/libsofthsm2.so", with its PIN.
 * The certificate comes from cert_path, or else from the token (same URI). SIGN_EPASS for a
 * wrong PIN. Needs OpenSSL's pkcs11 engine (Debian: libengine-pkcs11-openssl). */
SIGN_EXTERN int sign_key_load_pkcs11(sign_key **out, sign_ctx *ctx, const char *uri,
                                     const char *cert_path, const char *chain_path,
                                     const char *pin);

/* Whether the key's certificate is valid at time at. */
enum sign_validity { SIGN_VALID = 0, SIGN_EXPIRED, SIGN_NOT_YET_VALID };
SIGN_EXTERN int sign_key_validity(enum sign_validity *out, const sign_key *key, time_t at);

/* Whether the key's certificate and the chain loaded with it reach a certificate that issued
 * itself (a root) or one issued by a trust anchor of ctx: a validator can then build the path
 * from what the signature carries. SIGN_OK when they do; SIGN_EKEY when they stop short,
 * ctx's message naming the missing issuer. */
SIGN_EXTERN int sign_key_check_chain(sign_ctx *ctx, const sign_key *key);

/* Whether opening key_path needs a password (an encrypted PEM key or any PKCS#12 file whose MAC
 * does not verify with an empty password). Lets a command prompt only when it must. */
SIGN_EXTERN int sign_key_needs_password(const char *key_path);

#ifdef __cplusplus
}
#endif

#endif
