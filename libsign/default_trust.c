/* The default trust store: the public OCES CA certificates installed with segl (trust/ in the
 * source tree, ${datadir}/segl/trust when installed). Found relative to where libsign itself
 * was loaded from, so that an install moved elsewhere (cmake --install --prefix DIR, a tarball
 * unpacked anywhere) and the build tree find theirs; the configured path is the last resort. */
#define _GNU_SOURCE /* dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"

/* The build sets these; the fallbacks only keep a bare compile working. SEGL_TRUST_DIR: the
 * installed location; SEGL_TRUST_FROM_LIBDIR: the same relative to the library's directory;
 * SEGL_BUILD_DIR and SEGL_SOURCE_TRUST_DIR: the build tree and the trust/ beside its source. */
#ifndef SEGL_TRUST_DIR
#define SEGL_TRUST_DIR "/usr/local/share/segl/trust"
#endif
#ifndef SEGL_TRUST_FROM_LIBDIR
#define SEGL_TRUST_FROM_LIBDIR "../share/segl/trust"
#endif

static char default_trust_dir[PATH_MAX] = SEGL_TRUST_DIR;

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void find_default_trust_dir(void)
{
    Dl_info info;
    char library[PATH_MAX];
    if (!dladdr((void *)find_default_trust_dir, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, library))
        return;
    const char *library_dir = dirname(library);
    char candidate[PATH_MAX];
#if defined(SEGL_BUILD_DIR) && defined(SEGL_SOURCE_TRUST_DIR)
    char build_dir[PATH_MAX];
    if (realpath(SEGL_BUILD_DIR, build_dir) && strcmp(build_dir, library_dir) == 0 &&
        is_directory(SEGL_SOURCE_TRUST_DIR)) {
        snprintf(default_trust_dir, sizeof default_trust_dir, "%s", SEGL_SOURCE_TRUST_DIR);
        return;
    }
#endif
    if (snprintf(candidate, sizeof candidate, "%s/%s", library_dir, SEGL_TRUST_FROM_LIBDIR) <
            (int)sizeof candidate &&
        is_directory(candidate))
        snprintf(default_trust_dir, sizeof default_trust_dir, "%s", candidate);
}

SIGN_EXTERN const char *sign_default_trust_dir(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, find_default_trust_dir);
    return default_trust_dir;
}

static int is_pem_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".pem") == 0;
}

SIGN_EXTERN int sign_ctx_use_default_trust(sign_ctx *ctx)
{
    if (!ctx)
        return SIGN_EINVAL;
    const char *dir_path = sign_default_trust_dir();
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
