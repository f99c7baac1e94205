/* libsign: umbrella header. */
#ifndef LIBSIGN_SIGN_H
#define LIBSIGN_SIGN_H

#include <libsign/asic.h>
#include <libsign/common.h>
#include <libsign/ctx.h>
#include <libsign/inspect.h>
#include <libsign/key.h>
#include <libsign/names.h>
#include <libsign/oces.h>
#include <libsign/report.h>
#include <libsign/signer.h>
#include <libsign/time.h>
#include <libsign/tl.h>
#include <libsign/verify.h>
#include <libsign/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version libsign was built as (LIBSIGN_VERSION in <libsign/version.h> is the one the
 * program was compiled against). */
SIGN_EXTERN const char *sign_version(void);

#ifdef __cplusplus
}
#endif

#endif
