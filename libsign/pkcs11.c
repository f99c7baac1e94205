/* Keys on PKCS#11 tokens (smart cards, HSMs, SoftHSM), named by RFC 7512 URIs, through
 * OpenSSL's pkcs11 engine (libp11; Debian's libengine-pkcs11-openssl). OpenSSL 3.0 has no
 * PKCS#11 provider in Debian 12, and the ENGINE API is deprecated there but supported: the
 * deprecation warnings are silenced for this one file. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>
#include <string.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "internal.h"

/* module-path=... from the URI's query (RFC 7512 section 2.3), or NULL. Caller frees. */
static char *module_path(const char *uri)
{
    const char *query = strchr(uri, '?');
    for (const char *p = query; p && *p; p = strpbrk(p + 1, "?&")) {
        if (strncmp(p + 1, "module-path=", 12) == 0) {
            const char *start = p + 13;
            size_t len = strcspn(start, "&");
            char *path = malloc(len + 1);
            if (!path)
                return NULL;
            /* percent-decoding: module paths rarely need it; %XX is decoded anyway */
            size_t out = 0;
            for (size_t i = 0; i < len; i++) {
                unsigned int byte;
                if (start[i] == '%' && i + 2 < len + 1 && sscanf(start + i + 1, "%2x", &byte) == 1) {
                    path[out++] = (char)byte;
                    i += 2;
                } else {
                    path[out++] = start[i];
                }
            }
            path[out] = '\0';
            return path;
        }
    }
    return NULL;
}

/* A pin-value attribute anywhere in uri: in the path (";pin-value=") or the query. */
static int has_pin_value(const char *uri)
{
    for (const char *p = strstr(uri, "pin-value="); p; p = strstr(p + 1, "pin-value="))
        if (p > uri && strchr(":;?&", p[-1]))
            return 1;
    return 0;
}

static void release_engine(struct engine_st *engine)
{
    ENGINE_finish(engine);
    ENGINE_free(engine);
}

SIGN_EXTERN int sign_key_load_pkcs11(sign_key **out, sign_ctx *ctx, const char *uri, const char *cert_path,
                         const char *chain_path, const char *pin)
{
    if (!out || !ctx || !uri)
        return SIGN_EINVAL;
    *out = NULL;
    if (strncmp(uri, "pkcs11:", 7) != 0)
        return sign_seterr(ctx, SIGN_EINVAL, "%s: not a PKCS#11 URI (pkcs11:...)", uri);
    /* RFC 7512 2.3 allows the PIN in the URI (pin-value); a command line is seen by every user
     * of the machine (ps) and kept in shell histories, so it is refused, and the URI, which
     * holds it, is never repeated in a message. */
    if (has_pin_value(uri))
        return sign_seterr_needing(ctx, SIGN_EINVAL, SIGN_NEEDED_PIN,
                                   "the PKCS#11 URI carries the PIN (pin-value=), which is not "
                                   "accepted");
    sign_key *key = calloc(1, sizeof *key);
    if (!key)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = SIGN_OK;
    char *path_uri = NULL;
    char *module = module_path(uri);
    ENGINE *engine = ENGINE_by_id("pkcs11");
    if (!engine) {
        rc = sign_seterr(ctx, SIGN_EUNSUPPORTED, "the OpenSSL pkcs11 engine is not installed "
                                                 "(Debian: libengine-pkcs11-openssl)");
        goto done;
    }
    /* libp11 prints its own lines on stderr (login failed, key not found, ...): the library
     * never prints, and the failure is said once below. QUIET is optional (libp11 >= 0.4.11). */
    ENGINE_ctrl_cmd_string(engine, "QUIET", NULL, 1);
    ERR_clear_error();
    if ((module && !ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", module, 0)) ||
        (pin && !ENGINE_ctrl_cmd_string(engine, "PIN", pin, 0)) || !ENGINE_init(engine)) {
        rc = sign_seterr(ctx, SIGN_EKEY, "cannot open the PKCS#11 module%s%s", module ? " " : "",
                         module ? module : "");
        ENGINE_free(engine);
        engine = NULL;
        goto done;
    }
    key->engine = engine;
    key->release_engine = release_engine;
    /* libp11 takes the URI's path part only; the query (module-path) was used above. */
    path_uri = strndup(uri, strcspn(uri, "?"));
    if (!path_uri) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        goto done;
    }
    key->pkey = ENGINE_load_private_key(engine, path_uri, NULL, NULL);
    if (!key->pkey) {
        unsigned long code = ERR_peek_last_error();
        const char *reason = ERR_reason_error_string(code);
        ERR_clear_error();
        rc = sign_seterr(ctx, reason && strstr(reason, "PIN") ? SIGN_EPASS : SIGN_EKEY,
                         "%s: wrong PIN, or no private key there on the token", path_uri);
        goto done;
    }
    if (cert_path) {
        BIO *in = BIO_new_file(cert_path, "rb");
        key->cert = in ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
        if (!key->cert && in && BIO_reset(in) == 0)
            key->cert = d2i_X509_bio(in, NULL);
        BIO_free(in);
    } else {
        /* The certificate stored beside the key, found by the same URI (libp11's control). */
        struct {
            const char *id;
            X509 *cert;
        } params = {path_uri, NULL};
        if (ENGINE_ctrl_cmd(engine, "LOAD_CERT_CTRL", 0, &params, NULL, 1))
            key->cert = params.cert;
    }
    ERR_clear_error();
    if (!key->cert) {
        rc = cert_path ? sign_seterr(ctx, SIGN_EKEY, "%s: no certificate", cert_path)
                       : sign_seterr_needing(ctx, SIGN_EKEY, SIGN_NEEDED_CERTIFICATE,
                                             "%s: no certificate on the token for this key", uri);
        goto done;
    }
    if (!X509_check_private_key(key->cert, key->pkey)) {
        /* A token key cannot always be compared this way; compare the public halves instead. */
        ERR_clear_error();
        if (EVP_PKEY_eq(X509_get0_pubkey(key->cert), key->pkey) != 1) {
            rc = sign_seterr(ctx, SIGN_EKEY, "%s: the key does not belong to the certificate", uri);
            goto done;
        }
    }
    if (chain_path)
        rc = sign_key_add_chain(ctx, key, chain_path);
done:
    free(module);
    free(path_uri);
    ERR_clear_error();
    if (rc != SIGN_OK) {
        sign_key_free(key);
        return rc;
    }
    *out = key;
    return SIGN_OK;
}
