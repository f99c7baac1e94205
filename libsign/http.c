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
#include <time.h>
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

/* ---- hosts that failed: not asked again by the same context ---- */

/* A server that accepts and never answers costs the whole timeout on every request; a batch
 * of a thousand files from one signer would wait for it a thousand times. */
#define FAILED_HOSTS_MAX 64

struct sign_failed_hosts {
    pthread_mutex_t lock;
    size_t count;
    char hosts[FAILED_HOSTS_MAX][256]; /* "http://host:port" as the URL writes it */
    char reasons[FAILED_HOSTS_MAX][128];
};

sign_failed_hosts *sign_failed_hosts_new(void)
{
    sign_failed_hosts *hosts = calloc(1, sizeof *hosts);
    if (hosts && pthread_mutex_init(&hosts->lock, NULL) != 0) {
        free(hosts);
        hosts = NULL;
    }
    return hosts;
}

void sign_failed_hosts_free(sign_failed_hosts *hosts)
{
    if (!hosts)
        return;
    pthread_mutex_destroy(&hosts->lock);
    free(hosts);
}

/* The scheme and authority of url ("http://host:port"), into host. */
static void url_host(const char *url, char *host, size_t host_len)
{
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    size_t len = (size_t)(authority - url) + strcspn(authority, "/?#");
    snprintf(host, host_len, "%.*s", (int)len, url);
}

/* 1 with the reason it failed in reason when host failed before. */
static int host_failed(sign_failed_hosts *hosts, const char *host, char *reason, size_t reason_len)
{
    int found = 0;
    pthread_mutex_lock(&hosts->lock);
    for (size_t i = 0; i < hosts->count && !found; i++)
        if (strcmp(hosts->hosts[i], host) == 0) {
            snprintf(reason, reason_len, "%s", hosts->reasons[i]);
            found = 1;
        }
    pthread_mutex_unlock(&hosts->lock);
    return found;
}

static void remember_failed_host(sign_failed_hosts *hosts, const char *host, const char *reason)
{
    char known[128];
    if (host_failed(hosts, host, known, sizeof known))
        return;
    pthread_mutex_lock(&hosts->lock);
    if (hosts->count < FAILED_HOSTS_MAX) {
        snprintf(hosts->hosts[hosts->count], sizeof hosts->hosts[0], "%s", host);
        snprintf(hosts->reasons[hosts->count], sizeof hosts->reasons[0], "%s", reason);
        hosts->count++;
    }
    pthread_mutex_unlock(&hosts->lock);
}

/* The failures that say the host is unreachable or silent, not that one request was wrong. */
static int is_host_failure(CURLcode result)
{
    return result == CURLE_COULDNT_RESOLVE_HOST || result == CURLE_COULDNT_CONNECT ||
           result == CURLE_OPERATION_TIMEDOUT;
}

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static long timeout_seconds(const sign_ctx *ctx)
{
    return ctx->timeout > 0 ? ctx->timeout : 10;
}

long long sign_http_deadline(const sign_ctx *ctx)
{
    return monotonic_ms() + timeout_seconds(ctx) * 1000;
}

int sign_http_fetch(const sign_ctx *ctx, const char *url, const char *content_type,
                    const unsigned char *request, size_t request_len, unsigned char **response,
                    size_t *response_len, char *why, size_t why_len)
{
    return sign_http_fetch_until(ctx, sign_http_deadline(ctx), url, content_type, request,
                                 request_len, response, response_len, why, why_len);
}

int sign_http_fetch_until(const sign_ctx *ctx, long long deadline_ms, const char *url,
                          const char *content_type, const unsigned char *request,
                          size_t request_len, unsigned char **response, size_t *response_len,
                          char *why, size_t why_len)
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
    char host[256], reason[128];
    url_host(url, host, sizeof host);
    if (ctx->failed_hosts && host_failed(ctx->failed_hosts, host, reason, sizeof reason)) {
        snprintf(why, why_len, "%s: not asked: %s failed earlier (%s)", url, host, reason);
        return SIGN_EIO;
    }
    long long left_ms = deadline_ms - monotonic_ms();
    if (left_ms <= 0) {
        snprintf(why, why_len, "%s: not asked: the %ld s allowed (--timeout) were used up by "
                               "the requests before it", url, timeout_seconds(ctx));
        return SIGN_EIO;
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
    if (ctx->fetch_notify)
        ctx->fetch_notify(ctx->fetch_notify_arg,
                          !content_type ? NULL
                          : strcmp(content_type, "application/ocsp-request") == 0 ? "OCSP"
                          : strcmp(content_type, "application/timestamp-query") == 0 ? "timestamp"
                                                                                     : content_type,
                          url);
    api->easy_setopt(curl, CURLOPT_URL, url);
    api->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    api->easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)left_ms);
    api->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)left_ms);
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
        if (result != CURLE_OK && is_host_failure(result) && ctx->failed_hosts)
            remember_failed_host(ctx->failed_hosts, host, api->easy_strerror(result));
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
