/* libsign: validate a signed file. */
#ifndef LIBSIGN_VERIFY_H
#define LIBSIGN_VERIFY_H

#include <libsign/common.h>
#include <libsign/ctx.h>
#include <libsign/report.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Validate every signature in path. content_path names the signed content of a detached signature
 * (NULL: none given; the format may then report SIGNED_DATA_NOT_FOUND). ctx is only read, so
 * several threads may validate with one context.
 *
 * Returns 0 and a report in *out whenever a report could be made, even for an unreadable or
 * unparsable file (then sign_report_error() says why); a negative status only for bad arguments or
 * memory exhaustion. */
SIGN_EXTERN int sign_verify_file(sign_report **out, const sign_ctx *ctx, const char *path,
                                 const char *content_path);

#ifdef __cplusplus
}
#endif

#endif
