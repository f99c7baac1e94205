/* libsign: the context. It holds trust anchors, the validation time and the network policy.
 *
 * Set a context up from one thread (the setters are not thread-safe), then share it read-only:
 * validation functions take a const context and never write to it, so one context serves any
 * number of validating threads. Errors from setters and signing are kept on the context
 * (sign_ctx_errmsg); errors from validation are kept on the report (sign_report_error).
 *
 * What validating learns that holds for every file is kept with the context, in caches that
 * lock themselves: decoded certificates and certificate signatures already verified (a CA's
 * signature is verified once per context), both bounded, and fetched revocation answers. None
 * of them decides a verdict: validity periods, revocation and the other checks of a chain are
 * made at every validation, at its validation time. */
#ifndef LIBSIGN_CTX_H
#define LIBSIGN_CTX_H

#include <stddef.h>
#include <time.h>
#include <libsign/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sign_ctx sign_ctx;

SIGN_EXTERN int sign_ctx_new(sign_ctx **out);
SIGN_EXTERN void sign_ctx_free(sign_ctx *ctx); /* NULL is a no-op */

/* The last error message set on this context, "" if none. Valid until the next call on ctx. */
SIGN_EXTERN const char *sign_ctx_errmsg(const sign_ctx *ctx);
/* What the caller could supply to make the call that set the last error succeed. Messages name
 * no command-line option (programs other than segl's read them too); a program adds its own
 * words for the remedy, such as segl-extend's "give it with --content FILE". */
enum sign_needed {
    SIGN_NEEDED_NOTHING = 0,
    SIGN_NEEDED_CONTENT,      /* the signed content of a detached signature (content_name) */
    SIGN_NEEDED_TSA,          /* a timestamp authority (sign_options.tsa_url) */
    SIGN_NEEDED_CERTIFICATE,  /* the signing key's certificate (cert_path) */
    SIGN_NEEDED_INNER_CADES,  /* this container takes CAdES signatures (inner_format "cades") */
    SIGN_NEEDED_INNER_XADES,  /* this container takes XAdES signatures (inner_format "xades") */
    SIGN_NEEDED_PIN           /* the PIN as the pin argument, not in the PKCS#11 URI */
};
SIGN_EXTERN enum sign_needed sign_ctx_err_needed(const sign_ctx *ctx);

/* Add trust anchors: a PEM/DER certificate file, a PEM bundle, or a directory of such files. */
SIGN_EXTERN int sign_ctx_add_trust(sign_ctx *ctx, const char *path);
/* Add the default trust anchors: every *.pem in the directory segl installs its trust store in
 * (sign_default_trust_dir(): the public OCES CA certificates). Fails with SIGN_EIO when the
 * directory cannot be read, SIGN_EPARSE when it holds no certificate. */
SIGN_EXTERN int sign_ctx_use_default_trust(sign_ctx *ctx);
/* The directory sign_ctx_use_default_trust reads: share/segl/trust beside the lib directory
 * libsign was loaded from (an install works wherever it is moved), trust/ of the source for a
 * library in its build tree, else the installed path configured at build time. */
SIGN_EXTERN const char *sign_default_trust_dir(void);
/* Number of trust anchors loaded so far. */
SIGN_EXTERN size_t sign_ctx_trust_count(const sign_ctx *ctx);

/* Validation data for every signature, after what the signature itself carries (a back office's
 * archive, for validating offline): each from a file or from every file of a directory.
 * Certificates (untrusted: candidates for chains; PEM, a PEM bundle, DER, or PKCS#7
 * certificates-only in DER or PEM), CRLs (PEM, any number a file, or DER), OCSP responses (DER,
 * one a file, as a responder sends it; only successful ones). Fails with SIGN_EIO when path
 * cannot be read and SIGN_EPARSE when it holds nothing of the kind. */
SIGN_EXTERN int sign_ctx_add_certs(sign_ctx *ctx, const char *path);
SIGN_EXTERN int sign_ctx_add_crls(sign_ctx *ctx, const char *path);
SIGN_EXTERN int sign_ctx_add_ocsp(sign_ctx *ctx, const char *path);

/* Adds oid (dotted numbers, "2.16.840.1.101.3.2.1.48.1") to the user-initial-policy-set of RFC
 * 5280 6.1.1 (c) that signers' certification paths are validated with: a path is valid only for
 * a policy of the set (or any, where a certificate requires an explicit policy). Without a
 * call, the set is any-policy. SIGN_EINVAL for a malformed OID. */
SIGN_EXTERN int sign_ctx_add_policy(sign_ctx *ctx, const char *oid);

/* Validation time; (time_t)-1 (the default) means "now" at each validation. */
SIGN_EXTERN int sign_ctx_set_time(sign_ctx *ctx, time_t at);
SIGN_EXTERN time_t sign_ctx_get_time(const sign_ctx *ctx);

/* Network policy: offline means only data embedded in the signature is used. */
SIGN_EXTERN int sign_ctx_set_offline(sign_ctx *ctx, int offline);

/* What segl-verify --revocation sets. A certificate found revoked always fails; when no status can
 * be had, SOFT adds a warning, REQUIRE gives INDETERMINATE/TRY_LATER; OFF checks nothing. */
enum sign_revocation_policy {
    SIGN_REVOCATION_SOFT = 0,
    SIGN_REVOCATION_REQUIRE,
    SIGN_REVOCATION_OFF
};
SIGN_EXTERN int sign_ctx_set_revocation(sign_ctx *ctx, enum sign_revocation_policy policy);

/* Bounds of the caches a context keeps across validations: decoded certificates and fetched
 * revocation answers, each at most max_entries entries and about max_bytes bytes (0: no byte
 * bound), the least recently used dropped first; verified certificate signatures, at most
 * max_entries. Defaults: 8192 entries, 64 MiB. What the caches held is dropped: set the bounds
 * before validating. SIGN_EINVAL when max_entries is 0. */
SIGN_EXTERN int sign_ctx_set_cache_limits(sign_ctx *ctx, size_t max_entries, size_t max_bytes);

/* PAdES: whether each page of a signed revision is rendered (poppler) and compared with the
 * same page of the final document, a change outside the annotations that later revisions were
 * allowed to add or change making the signature TOTAL_FAILED. AUTO (the default) compares only
 * when a later revision holds more than validation data (DSS) and document timestamps. The
 * rendering runs in a child process bounded in time and memory (segl-verify(1), VISUAL
 * COMPARISON). With keep_images, the report holds each changed page as a PNG with the changes
 * highlighted (sign_sig_visual_change). */
enum sign_visual_mode {
    SIGN_VISUAL_AUTO = 0,
    SIGN_VISUAL_ALWAYS,
    SIGN_VISUAL_OFF
};
SIGN_EXTERN int sign_ctx_set_visual(sign_ctx *ctx, enum sign_visual_mode mode, int keep_images);

/* Seconds each network request (OCSP, CRL, timestamp) may take, and all the requests for one
 * certificate's revocation status together (its OCSP responders and CRL distribution points);
 * 0 restores the default, 10. A host that could not be reached or did not answer in time is not
 * asked again by this context. */
SIGN_EXTERN int sign_ctx_set_timeout(sign_ctx *ctx, long seconds);

/* Called before each network request with what is asked for ("OCSP", "timestamp", or NULL for
 * a download) and the URL, from whichever thread makes the request: a program can say on a
 * terminal what it is waiting for. NULL stops the calls. */
typedef void (*sign_fetch_notify_fn)(void *arg, const char *what, const char *url);
SIGN_EXTERN int sign_ctx_set_fetch_notify(sign_ctx *ctx, sign_fetch_notify_fn notify, void *arg);

#ifdef __cplusplus
}
#endif

#endif
