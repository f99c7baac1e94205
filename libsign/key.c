/* Signing keys: PKCS#12 (how OCES certificates are issued) or a PEM key with its certificate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include "internal.h"

/* Never let OpenSSL prompt on its own: the command decides where a password comes from. */
static int password_cb(char *buf, int size, int rwflag, void *userdata)
{
    (void)rwflag;
    const char *password = userdata;
    if (!password)
        return -1;
    size_t len = strlen(password);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, password, len);
    return (int)len;
}

SIGN_EXTERN void sign_key_free(sign_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    X509_free(key->cert);
    if (key->engine && key->release_engine)
        key->release_engine(key->engine);
    sk_X509_pop_free(key->chain, X509_free);
    free(key);
}

static PKCS12 *read_pkcs12(const char *path)
{
    BIO *in = BIO_new_file(path, "rb");
    if (!in)
        return NULL;
    PKCS12 *p12 = d2i_PKCS12_bio(in, NULL);
    BIO_free(in);
    ERR_clear_error();
    return p12;
}

/* PKCS#12 files may protect with an empty password encoded either as no password or as "". */
static const char *pkcs12_mac_password(PKCS12 *p12, const char *password)
{
    if (password && PKCS12_verify_mac(p12, password, -1))
        return password;
    if (!password || !*password) {
        if (PKCS12_verify_mac(p12, NULL, 0))
            return NULL;
        if (PKCS12_verify_mac(p12, "", 0))
            return "";
    }
    return (const char *)-1;
}

SIGN_EXTERN int sign_key_needs_password(const char *key_path)
{
    PKCS12 *p12 = read_pkcs12(key_path);
    if (p12) {
        int needs = !PKCS12_mac_present(p12) ? 0 : pkcs12_mac_password(p12, NULL) == (const char *)-1;
        PKCS12_free(p12);
        ERR_clear_error();
        return needs;
    }
    BIO *in = BIO_new_file(key_path, "rb");
    if (!in)
        return 0;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(in, NULL, password_cb, NULL);
    BIO_free(in);
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    return pkey == NULL;
}

int sign_key_from_pkcs12(sign_ctx *ctx, sign_key *key, PKCS12 *p12, const char *path,
                         const char *password)
{
    const char *mac_password = pkcs12_mac_password(p12, password);
    if (PKCS12_mac_present(p12) && mac_password == (const char *)-1) {
        ERR_clear_error();
        return sign_seterr(ctx, SIGN_EPASS, "%s: wrong password", path);
    }
    if (!PKCS12_mac_present(p12))
        mac_password = password;
    STACK_OF(X509) *ca = NULL;
    if (!PKCS12_parse(p12, mac_password, &key->pkey, &key->cert, &ca)) {
        /* OCES2 files use RC2/3DES (PKCS#12 "legacy" encryption), which OpenSSL 3 only decrypts
         * with its legacy provider. Load it (with the default provider, which explicit loading
         * would otherwise displace) only when a file needs it. */
        ERR_clear_error();
        if (!ctx->legacy) {
            ctx->legacy = OSSL_PROVIDER_load(NULL, "legacy");
            ctx->deflt = OSSL_PROVIDER_load(NULL, "default");
        }
        if (!ctx->legacy || !PKCS12_parse(p12, mac_password, &key->pkey, &key->cert, &ca))
            return sign_seterr(ctx, SIGN_EPARSE, "%s: cannot read PKCS#12 file", path);
    }
    key->chain = ca;
    if (!key->pkey || !key->cert)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: PKCS#12 file holds no key with its certificate",
                           path);
    return SIGN_OK;
}

static int load_pem(sign_ctx *ctx, sign_key *key, const char *key_path, const char *cert_path,
                    const char *password)
{
    BIO *in = BIO_new_file(key_path, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", key_path, strerror(errno));
    key->pkey = PEM_read_bio_PrivateKey(in, NULL, password_cb, (void *)password);
    if (!key->pkey) {
        unsigned long code = ERR_peek_last_error();
        BIO_free(in);
        ERR_clear_error();
        if (ERR_GET_REASON(code) == PEM_R_BAD_DECRYPT || ERR_GET_REASON(code) == PEM_R_BAD_PASSWORD_READ ||
            ERR_GET_REASON(code) == PEM_R_PROBLEMS_GETTING_PASSWORD ||
            (ERR_GET_LIB(code) == ERR_LIB_EVP && password))
            return sign_seterr(ctx, SIGN_EPASS, "%s: wrong password or no password given", key_path);
        return sign_seterr(ctx, SIGN_EPARSE, "%s: not a PKCS#12 file or PEM private key", key_path);
    }
    BIO_free(in);
    const char *from = cert_path ? cert_path : key_path; /* a PEM file may hold both */
    in = BIO_new_file(from, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", from, strerror(errno));
    key->cert = PEM_read_bio_X509(in, NULL, NULL, NULL);
    if (!key->cert && cert_path) {
        (void)BIO_reset(in);
        key->cert = d2i_X509_bio(in, NULL);
    }
    BIO_free(in);
    if (!key->cert)
        return cert_path ? sign_seterr(ctx, SIGN_EPARSE, "%s: no certificate found", from)
                         : sign_seterr_needing(ctx, SIGN_EPARSE, SIGN_NEEDED_CERTIFICATE,
                                               "%s: no certificate", from);
    return SIGN_OK;
}

int sign_key_add_chain(sign_ctx *ctx, sign_key *key, const char *chain_path)
{
    BIO *in = BIO_new_file(chain_path, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", chain_path, strerror(errno));
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(in, NULL, NULL, NULL);
    BIO_free(in);
    if (!infos)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: no PEM certificates", chain_path);
    if (!key->chain)
        key->chain = sk_X509_new_null();
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509 && sk_X509_push(key->chain, info->x509))
            info->x509 = NULL;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return SIGN_OK;
}

SIGN_EXTERN int sign_key_load(sign_key **out, sign_ctx *ctx, const char *key_path,
                              const char *cert_path, const char *chain_path, const char *password)
{
    if (!out || !ctx || !key_path)
        return SIGN_EINVAL;
    *out = NULL;
    sign_key *key = calloc(1, sizeof *key);
    if (!key)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc;
    PKCS12 *p12 = read_pkcs12(key_path);
    if (p12) {
        rc = sign_key_from_pkcs12(ctx, key, p12, key_path, password);
        PKCS12_free(p12);
    } else {
        rc = load_pem(ctx, key, key_path, cert_path, password);
    }
    if (rc == SIGN_OK && chain_path)
        rc = sign_key_add_chain(ctx, key, chain_path);
    if (rc == SIGN_OK && !X509_check_private_key(key->cert, key->pkey))
        rc = sign_seterr(ctx, SIGN_EKEY, "%s: the key does not belong to the certificate", key_path);
    if (rc == SIGN_OK && key->chain) {
        /* The signer certificate is added separately; keep it out of the chain. */
        for (int i = sk_X509_num(key->chain) - 1; i >= 0; i--)
            if (X509_cmp(sk_X509_value(key->chain, i), key->cert) == 0)
                X509_free(sk_X509_delete(key->chain, i));
    }
    ERR_clear_error();
    if (rc != SIGN_OK) {
        sign_key_free(key);
        return rc;
    }
    *out = key;
    return SIGN_OK;
}

SIGN_EXTERN int sign_key_validity(enum sign_validity *out, const sign_key *key, time_t at)
{
    if (!out || !key || !key->cert)
        return SIGN_EINVAL;
    if (X509_cmp_time(X509_get0_notAfter(key->cert), &at) < 0)
        *out = SIGN_EXPIRED;
    else if (X509_cmp_time(X509_get0_notBefore(key->cert), &at) > 0)
        *out = SIGN_NOT_YET_VALID;
    else
        *out = SIGN_VALID;
    return SIGN_OK;
}

SIGN_EXTERN int sign_key_check_chain(sign_ctx *ctx, const sign_key *key)
{
    if (!ctx || !key || !key->cert)
        return SIGN_EINVAL;
    X509_STORE_CTX *store_ctx = X509_STORE_CTX_new();
    if (!store_ctx || !X509_STORE_CTX_init(store_ctx, ctx->trust, key->cert, key->chain)) {
        X509_STORE_CTX_free(store_ctx);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    X509 *current = key->cert;
    int rc = SIGN_EKEY;
    /* Up the chain by name and key identifier; a loop in a hostile chain ends at the bound. */
    for (int depth = 0; depth <= sk_X509_num(key->chain) + 1; depth++) {
        if (X509_check_issued(current, current) == X509_V_OK) {
            rc = SIGN_OK;
            break;
        }
        X509 *anchor = NULL;
        if (X509_STORE_CTX_get1_issuer(&anchor, store_ctx, current) == 1) {
            X509_free(anchor);
            rc = SIGN_OK;
            break;
        }
        X509 *issuer = NULL;
        for (int i = 0; !issuer && i < sk_X509_num(key->chain); i++)
            if (X509_check_issued(sk_X509_value(key->chain, i), current) == X509_V_OK)
                issuer = sk_X509_value(key->chain, i);
        if (!issuer)
            break;
        current = issuer;
    }
    if (rc != SIGN_OK) {
        char missing[256];
        X509_NAME_oneline(X509_get_issuer_name(current), missing, sizeof missing);
        rc = sign_seterr(ctx, SIGN_EKEY, "the certificate chain stops short of %s", missing);
    }
    X509_STORE_CTX_free(store_ctx);
    ERR_clear_error();
    return rc;
}
