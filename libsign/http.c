/* HTTP for OCSP, CRL and timestamp requests, through libcurl. Bounded in time (the context's
 * timeout) and in size (a response larger than SIGN_HTTP_MAX is refused), plain http and https
 * only, no redirects to other schemes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "internal.h"

#define SIGN_HTTP_MAX (16 * 1024 * 1024)

/* libcurl needs curl_global_init once per process before any thread uses it; from 7.84 it is
 * thread-safe, but a once-guard keeps older versions and the sanitizers quiet. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

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
    pthread_once(&curl_once, curl_init_once);
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(why, why_len, "%s: cannot start an HTTP request", url);
        return SIGN_ENOMEM;
    }
    struct body body = {0};
    struct curl_slist *headers = NULL;
    char type_header[128];
    long timeout = ctx->timeout > 0 ? ctx->timeout : 10;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM games in a threaded validator */
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "segl/" LIBSIGN_VERSION);
    if (request) {
        snprintf(type_header, sizeof type_header, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, type_header);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)request);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)request_len);
    }
    CURLcode result = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (result != CURLE_OK || status != 200) {
        if (body.too_large)
            snprintf(why, why_len, "%s: response larger than %d bytes", url, SIGN_HTTP_MAX);
        else if (result != CURLE_OK)
            snprintf(why, why_len, "%s: %s", url, curl_easy_strerror(result));
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
