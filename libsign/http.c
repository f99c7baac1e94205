/* HTTP for OCSP, CRL and timestamp requests, through libcurl. Bounded in time (the context's
 * timeout) and in size (a response larger than SIGN_HTTP_MAX is refused), plain http and https
 * only, no redirects to other schemes.
 *
 * libcurl is loaded when the first request is made, not linked: with its dependencies (GnuTLS,
 * Kerberos, LDAP, libssh2, nghttp2, ...) loading it costs about 13 ms of CPU per process on a
 * 2-CPU machine (segl-verify starts in 30 ms with it linked, 17 ms without), and most runs are
 * offline or need no fetch. A batch pays that once; a script that validates one file per process
 * pays it every time, and in a batch the start-up is the part that does not run in parallel. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "internal.h"

#define SIGN_HTTP_MAX (16 * 1024 * 1024)

/* The libcurl calls used here, looked up in the library by name. */
struct curl_calls {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
};

static struct curl_calls curl_calls;
static int curl_status = -1; /* 0 once libcurl is loaded and initialised */
static char curl_load_error[256];

/* Loaded once per process and never unloaded (libcurl's global state lives as long as the
 * process); curl_global_init, which must run once before any thread uses libcurl, runs here
 * too, so that the once-guard covers both. */
static void curl_load_once(void)
{
    /* The library's run-time name (its SONAME), the same since libcurl 7.16; Debian's GnuTLS
     * build has its own. */
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    void *lib = NULL;
    for (size_t i = 0; !lib && i < sizeof names / sizeof names[0]; i++)
        lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(curl_load_error, sizeof curl_load_error, "cannot load libcurl (%s)",
                 why ? why : "not found");
        return;
    }
    struct {
        const char *name;
        void **slot;
    } const wanted[] = {
        {"curl_global_init", (void **)&curl_calls.global_init},
        {"curl_easy_init", (void **)&curl_calls.easy_init},
        {"curl_easy_setopt", (void **)&curl_calls.easy_setopt},
        {"curl_easy_perform", (void **)&curl_calls.easy_perform},
        {"curl_easy_getinfo", (void **)&curl_calls.easy_getinfo},
        {"curl_easy_cleanup", (void **)&curl_calls.easy_cleanup},
        {"curl_easy_strerror", (void **)&curl_calls.easy_strerror},
        {"curl_slist_append", (void **)&curl_calls.slist_append},
        {"curl_slist_free_all", (void **)&curl_calls.slist_free_all},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        *wanted[i].slot = dlsym(lib, wanted[i].name);
        if (!*wanted[i].slot) {
            snprintf(curl_load_error, sizeof curl_load_error, "libcurl has no %s", wanted[i].name);
            return;
        }
    }
    if (curl_calls.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(curl_load_error, sizeof curl_load_error, "libcurl cannot be initialised");
        return;
    }
    curl_status = 0;
}

struct body {
    unsigned char *data;
    size_t len;
    int too_large;
};

static size_t collect(char *chunk, size_t size, size_t count, void *userdata)
{
    struct body *body = userdata;
    size_t n = size * count;
    if (body->len + n > SIGN_HTTP_MAX) {
        body->too_large = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    unsigned char *grown = realloc(body->data, body->len + n);
    if (!grown)
        return 0;
    memcpy(grown + body->len, chunk, n);
    body->data = grown;
    body->len += n;
    return n;
}

int sign_http_fetch(const sign_ctx *ctx, const char *url, const char *content_type,
                    const unsigned char *request, size_t request_len, unsigned char **response,
                    size_t *response_len, char *why, size_t why_len)
{
    *response = NULL;
    *response_len = 0;
    if (ctx->offline) {
        snprintf(why, why_len, "%s: not fetched (offline)", url);
        return SIGN_EIO;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(why, why_len, "%s: only http and https URLs are used", url);
        return SIGN_EINVAL;
    }
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, curl_load_once);
    if (curl_status != 0) {
        snprintf(why, why_len, "%s: %s", url, curl_load_error);
        return SIGN_EIO;
    }
    const struct curl_calls *api = &curl_calls;
    CURL *curl = api->easy_init();
    if (!curl) {
        snprintf(why, why_len, "%s: cannot start an HTTP request", url);
        return SIGN_ENOMEM;
    }
    struct body body = {0};
    struct curl_slist *headers = NULL;
    char type_header[128];
    long timeout = ctx->timeout > 0 ? ctx->timeout : 10;
    api->easy_setopt(curl, CURLOPT_URL, url);
    api->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    api->easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    api->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
    api->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM games in a threaded validator */
    api->easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    api->easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    api->easy_setopt(curl, CURLOPT_USERAGENT, "segl/" LIBSIGN_VERSION);
    if (request) {
        snprintf(type_header, sizeof type_header, "Content-Type: %s", content_type);
        headers = api->slist_append(headers, type_header);
        api->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        api->easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)request);
        api->easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)request_len);
    }
    CURLcode result = api->easy_perform(curl);
    long status = 0;
    api->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    api->slist_free_all(headers);
    api->easy_cleanup(curl);
    if (result != CURLE_OK || status != 200) {
        if (body.too_large)
            snprintf(why, why_len, "%s: response larger than %d bytes", url, SIGN_HTTP_MAX);
        else if (result != CURLE_OK)
            snprintf(why, why_len, "%s: %s", url, api->easy_strerror(result));
        else
            snprintf(why, why_len, "%s: HTTP status %ld", url, status);
        free(body.data);
        return SIGN_EIO;
    }
    if (body.len == 0) {
        snprintf(why, why_len, "%s: empty response", url);
        free(body.data);
        return SIGN_EPARSE;
    }
    *response = body.data;
    *response_len = body.len;
    return SIGN_OK;
}
