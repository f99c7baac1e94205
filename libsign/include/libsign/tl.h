/* libsign: ETSI TS 119 612 trusted lists (a national list, or the EU list of the lists).
 *
 * A trusted list adds trust anchors to a context (the certificates of its CA services) and lets
 * validation say whether a signer's certificate is qualified: its issuing CA is a granted
 * CA/QC service at the signing time (TS 119 615, simplified; see segl-verify(1)). */
#ifndef LIBSIGN_TL_H
#define LIBSIGN_TL_H

#include <stddef.h>
#include <libsign/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Load the trusted list file_or_url (a file path, "file://PATH", or an http/https URL), check its
 * enveloped XML signature against the pinned signer certificates (signer_cert_paths: n PEM/DER
 * files; the certificate in the list's KeyInfo must be one of them) and add it to ctx: its CA/QC,
 * CA/PKC and national root services whose current status is granted or recognised at national
 * level, and its granted TSA/QTST services, become trust anchors.
 *
 * A list of the lists (LOTL) is followed: every trusted list it points to (TSLLocation, XML) is
 * loaded and checked against the certificates the LOTL gives for it; pointers that cannot be
 * loaded are skipped, and it fails only when none can.
 *
 * A URL is fetched (unless ctx is offline) and, once its signature checks, saved to the cache
 * ($XDG_CACHE_HOME/segl/tl, else ~/.cache/segl/tl; file: SHA-256 of the URL in hex, ".xml");
 * an offline ctx reads that snapshot instead, and checks its signature again. Fails with
 * SIGN_EIO (unreadable), SIGN_EPARSE (not a trusted list) or SIGN_ECRYPTO (the signature does
 * not verify with a pinned certificate); the detail is on ctx. Not thread-safe (a setter). */
SIGN_EXTERN int sign_ctx_add_trusted_list(sign_ctx *ctx, const char *file_or_url,
                                          const char *const *signer_cert_paths, size_t n);
/* Number of trusted lists loaded into ctx (a LOTL counts one, and so does each list it
 * brought). */
SIGN_EXTERN size_t sign_ctx_trusted_list_count(const sign_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
