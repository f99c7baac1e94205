/* libsign: the context. It holds trust anchors, the validation time and the network policy.
 *
 * Set a context up from one thread (the setters are not thread-safe), then share it read-only:
 * validation functions take a const context and never write to it, so one context serves any
 * number of validating threads. Errors from setters and signing are kept on the context
 * (sign_ctx_errmsg); errors from validation are kept on the report (sign_report_error). */
#ifndef LIBSIGN_CTX_H
#define LIBSIGN_CTX_H

#include <time.h>
#include <libsign/common.h>

typedef struct sign_ctx sign_ctx;

SIGN_EXTERN int sign_ctx_new(sign_ctx **out);
SIGN_EXTERN void sign_ctx_free(sign_ctx *ctx); /* NULL is a no-op */

/* The last error message set on this context, "" if none. Valid until the next call on ctx. */
SIGN_EXTERN const char *sign_ctx_errmsg(const sign_ctx *ctx);

/* Add trust anchors: a PEM/DER certificate file, a PEM bundle, or a directory of such files. */
SIGN_EXTERN int sign_ctx_add_trust(sign_ctx *ctx, const char *path);
/* Number of trust anchors loaded so far. */
SIGN_EXTERN int sign_ctx_trust_count(const sign_ctx *ctx);

/* Validation time; (time_t)-1 (the default) means "now" at each validation. */
SIGN_EXTERN int sign_ctx_set_time(sign_ctx *ctx, time_t at);
SIGN_EXTERN time_t sign_ctx_get_time(const sign_ctx *ctx);

/* Network policy: offline means only data embedded in the signature is used. */
SIGN_EXTERN int sign_ctx_set_offline(sign_ctx *ctx, int offline);

/* Parse an RFC 3339 time ("2026-11-24T10:00:00Z", "2026-11-24T11:00:00+01:00", or a date
 * "2026-11-24", meaning midnight UTC). Returns 0 and sets *out, or SIGN_EINVAL. */
SIGN_EXTERN int sign_parse_time(time_t *out, const char *text);
/* Format as RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ"; buf must hold 21 bytes. */
SIGN_EXTERN void sign_format_time(char buf[21], time_t t);

#endif
