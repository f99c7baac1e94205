/* The shared library's glyph table (pades_glyphs.h): the module libsign-glyphs.so beside
 * libsign.so (in the build tree and installed alike), loaded once, the first time a visible
 * signature is made. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include "pades_glyphs.h"

static const struct pades_glyph_ops *table; /* set once by load, read-only after */
static char load_error[PATH_MAX + 200];

static void load(void)
{
    Dl_info info;
    char library[PATH_MAX], module[PATH_MAX + 32];
    if (!dladdr((void *)load, &info) || !info.dli_fname || !realpath(info.dli_fname, library)) {
        snprintf(load_error, sizeof load_error, "cannot tell where libsign is");
        return;
    }
    snprintf(module, sizeof module, "%s/libsign-glyphs.so", dirname(library));
    void *handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (handle)
        table = dlsym(handle, "pades_glyph_ops_table");
    if (!table)
        snprintf(load_error, sizeof load_error, "the module %s (HarfBuzz, libpng) cannot be "
                                                "loaded: %s", module, dlerror());
}

const struct pades_glyph_ops *pades_glyph_ops(char *why, size_t why_len)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load);
    if (!table)
        snprintf(why, why_len, "%s", load_error);
    return table;
}
