/* libsign internals shared between the core and the format modules. Not installed. */
#ifndef LIBSIGN_INTERNAL_H
#define LIBSIGN_INTERNAL_H

#include <stdarg.h>
#include <openssl/bio.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <libsign/sign.h>

#define SIGN_PRINTF(f, a) __attribute__((format(printf, f, a)))

struct sign_ctx {
    X509_STORE *trust;        /* read-only once validation starts; X509_STORE is safe to share */
    int trust_count;
    time_t at;                /* (time_t)-1: now */
    int offline;
    OSSL_PROVIDER *legacy;    /* loaded on demand for OCES2 PKCS#12 files (RC2/3DES) */
    OSSL_PROVIDER *deflt;
    char errmsg[1024];
};

struct sign_key {
    EVP_PKEY *pkey;
    X509 *cert;
    STACK_OF(X509) *chain;    /* without the signer certificate */
};

/* Set ctx's message and return status, so that `return sign_seterr(ctx, SIGN_EIO, ...)` reads well.
 * When OpenSSL left an error on its queue, its reason is appended and the queue cleared. */
int sign_seterr(sign_ctx *ctx, int status, const char *fmt, ...) SIGN_PRINTF(3, 4);
/* The reason of the newest OpenSSL error (or "unknown error"), clearing the queue. */
const char *sign_ssl_reason(char *buf, size_t len);

time_t sign_ctx_validation_time(const sign_ctx *ctx);

/* Open path for reading ("-" is stdin, not closed by BIO_free). NULL with errno set on failure. */
BIO *sign_open_input(const char *path);

/* ---- report building (report.c) ---- */
sign_report *sign_report_new(void);
void sign_report_set_error(sign_report *report, const char *fmt, ...) SIGN_PRINTF(2, 3);
void sign_report_set_format(sign_report *report, const char *format);
sign_sig *sign_report_add_sig(sign_report *report); /* NULL on memory exhaustion */

/* Record a problem: adds message to the signature's errors and lowers its verdict to indication
 * with subindication unless it is already as bad (the first reason for the worst verdict stays). */
void sign_sig_fail(sign_sig *sig, enum sign_indication indication, const char *subindication,
                   const char *fmt, ...) SIGN_PRINTF(4, 5);
void sign_sig_warn(sign_sig *sig, const char *fmt, ...) SIGN_PRINTF(2, 3);
void sign_sig_set_id(sign_sig *sig, const char *id);
void sign_sig_set_level(sign_sig *sig, const char *level);
void sign_sig_set_signing_time(sign_sig *sig, time_t t);
void sign_sig_set_signer(sign_sig *sig, X509 *cert); /* copies what it needs */

/* ---- certificates (cert.c, oces.c, path.c) ---- */
int sign_oces_identify(sign_oces_id *out, const X509 *cert);
/* ETSI EN 319 102-1 5.2.6 X.509 certificate validation of signer at time at, building the chain
 * from the trust anchors in ctx and the untrusted certificates given. Records the outcome on sig. */
void sign_path_validate(const sign_ctx *ctx, sign_sig *sig, X509 *signer,
                        STACK_OF(X509) *untrusted, time_t at);
int sign_time_from_asn1(time_t *out, const ASN1_TIME *t);

#endif
