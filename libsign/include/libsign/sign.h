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
#include <libsign/tl.h>
#include <libsign/verify.h>

#define LIBSIGN_VERSION "0.1.0"
SIGN_EXTERN const char *sign_version(void);

#endif
