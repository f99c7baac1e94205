/* libsign: validate a signed file. */
#ifndef LIBSIGN_VERIFY_H
#define LIBSIGN_VERIFY_H

#include <stddef.h>
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

/* The same for a signed file already in memory: len bytes at bytes, read in place (not copied,
 * not kept). name is the file's name in messages and reports; the signed file has no folder, so
 * detached content is found only through content_path. */
SIGN_EXTERN int sign_verify_memory(sign_report **out, const sign_ctx *ctx, const char *name,
                                   const void *bytes, size_t len, const char *content_path);

/* The same for a signed file open on fd. A regular file is read with pread from its start, as
 * far as it went when the call began; its offset is unchanged and it is not closed, so one
 * descriptor may serve several calls in turn (not at once: sources are read by one thread). Any
 * other descriptor (a pipe) is read to its end first: up to 16 MiB into memory, the rest into a
 * file without a name in $TMPDIR (O_TMPFILE), so that memory stays bounded. name as for
 * sign_verify_memory. */
SIGN_EXTERN int sign_verify_fd(sign_report **out, const sign_ctx *ctx, const char *name, int fd,
                               const char *content_path);

/* sign_verify_file for a signed file whose detached content is not at a path: it is open on
 * content_fd (read as sign_verify_fd reads a signed file: a regular file with pread from its
 * start, a pipe to its end first), or it is content_len bytes at content (read in place, not
 * copied, not kept). content_name names the content in messages. */
SIGN_EXTERN int sign_verify_file_content_fd(sign_report **out, const sign_ctx *ctx,
                                            const char *path, const char *content_name,
                                            int content_fd);
SIGN_EXTERN int sign_verify_file_content_memory(sign_report **out, const sign_ctx *ctx,
                                                const char *path, const char *content_name,
                                                const void *content, size_t content_len);

#ifdef __cplusplus
}
#endif

#endif
