/* libsign: times as RFC 3339 text, as the reports and the commands write and read them. */
#ifndef LIBSIGN_TIME_H
#define LIBSIGN_TIME_H

#include <time.h>
#include <libsign/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse an RFC 3339 time ("2026-11-24T10:00:00Z", "2026-11-24T11:00:00+01:00", or a date
 * "2026-11-24", meaning midnight UTC). Returns 0 and sets *out, or SIGN_EINVAL. */
SIGN_EXTERN int sign_parse_time(time_t *out, const char *text);
/* Format as RFC 3339 UTC, "YYYY-MM-DDTHH:MM:SSZ"; buf must hold 21 bytes. */
SIGN_EXTERN void sign_format_time(char buf[21], time_t t);

#ifdef __cplusplus
}
#endif

#endif
