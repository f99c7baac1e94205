/* Detached content held in files next to the signature file: a detached Reference URI resolved
 * to such a file, and opened, for validating (xades_verify.c) and extending (xades_lt.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include <openssl/err.h>
#include "xades.h"

/* A detached Reference URI is a file name relative to the signature's folder. Anything that
 * could reach elsewhere (absolute paths, schemes, "..") is not followed. */
int xades_resolve_relative(const char *sig_path, const char *uri, char *out, size_t size)
{
    if (!sig_path)
        return -1; /* not read from a file: nothing is next to it */
    char *name = xmlURIUnescapeString(uri, 0, NULL);
    int ok = name && *name && name[0] != '/' && !strchr(name, '\\') && !strchr(name, ':');
    for (char *p = name; ok && p && *p;) {
        size_t seg = strcspn(p, "/");
        if ((seg == 2 && memcmp(p, "..", 2) == 0) || seg == 0)
            ok = 0;
        p += seg;
        if (*p == '/')
            p++;
    }
    if (ok) {
        const char *slash = strrchr(sig_path, '/');
        int dir_len = slash ? (int)(slash - sig_path + 1) : 0;
        ok = snprintf(out, size, "%.*s%s", dir_len, sig_path, name) < (int)size;
    }
    free(name);
    return ok ? 0 : -1;
}

BIO *xades_open_relative(void *arg, const char *name, char *why, size_t why_len)
{
    const char *sig_path = arg;
    char file[4096];
    xmlChar *uri = xmlURIEscapeStr(BAD_CAST name, BAD_CAST "/");
    int ok = uri && sig_path &&
             xades_resolve_relative(sig_path, (const char *)uri, file, sizeof file) == 0;
    xmlFree(uri);
    if (!ok) {
        snprintf(why, why_len, "not a plain file name next to the signature: not followed");
        return NULL;
    }
    BIO *in = BIO_new_file(file, "rb");
    if (!in) {
        snprintf(why, why_len, "%s: %s", file, strerror(errno));
        ERR_clear_error();
    }
    return in;
}
