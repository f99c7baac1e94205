/* The default trust store: the public OCES CA certificates installed with segl (trust/ in the
 * source tree, ${datadir}/segl/trust when installed). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

/* The build sets the installed location; this fallback only keeps a bare compile working. */
#ifndef SEGL_TRUST_DIR
#define SEGL_TRUST_DIR "/usr/local/share/segl/trust"
#endif

SIGN_EXTERN const char *sign_default_trust_dir(void) { return SEGL_TRUST_DIR; }

static int is_pem_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".pem") == 0;
}

SIGN_EXTERN int sign_ctx_use_default_trust(sign_ctx *ctx)
{
    if (!ctx)
        return SIGN_EINVAL;
    const char *dir_path = SEGL_TRUST_DIR;
    DIR *dir = opendir(dir_path);
    if (!dir)
        return sign_seterr(ctx, SIGN_EIO, "default trust %s: %s", dir_path, strerror(errno));
    int loaded = 0, rc = SIGN_OK;
    struct dirent *entry;
    /* Only *.pem: the directory also holds a README, and a packager may add other files. */
    while (rc == SIGN_OK && (entry = readdir(dir)) != NULL) {
        char file[4096];
        if (!is_pem_name(entry->d_name) ||
            snprintf(file, sizeof file, "%s/%s", dir_path, entry->d_name) >= (int)sizeof file)
            continue;
        rc = sign_ctx_add_trust(ctx, file);
        loaded += rc == SIGN_OK;
    }
    closedir(dir);
    if (rc == SIGN_OK && loaded == 0)
        rc = sign_seterr(ctx, SIGN_EPARSE, "default trust %s: no certificate found", dir_path);
    return rc;
}
