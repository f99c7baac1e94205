/* libsign: ASiC containers (ETSI EN 319 162-1). */
#ifndef LIBSIGN_ASIC_H
#define LIBSIGN_ASIC_H

#include <libsign/common.h>
#include <libsign/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Write the data objects of the ASiC container at path (everything outside META-INF/) into the
 * folder dir, created when missing, under their names in the container. The container's
 * structure is checked first and nothing is written when it is refused (unsafe or duplicate
 * names, encrypted entries, zip bombs, ...); files already in dir are never replaced and links
 * are never followed. Signatures are not validated: use sign_verify_file. */
SIGN_EXTERN int sign_asic_extract(sign_ctx *ctx, const char *path, const char *dir);

#ifdef __cplusplus
}
#endif

#endif
