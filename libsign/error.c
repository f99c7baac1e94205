/* Error messages kept on the context. */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include "internal.h"

const char *sign_ssl_reason(char *buf, size_t len)
{
    unsigned long code = ERR_peek_last_error();
    if (code == 0) {
        snprintf(buf, len, "unknown error");
    } else {
        const char *reason = ERR_reason_error_string(code);
        if (reason)
            snprintf(buf, len, "%s", reason);
        else
            snprintf(buf, len, "OpenSSL error %lx", code);
    }
    ERR_clear_error();
    return buf;
}

static int set_error(sign_ctx *ctx, int status, enum sign_needed needed, const char *fmt,
                     va_list ap) SIGN_PRINTF(4, 0);
static int set_error(sign_ctx *ctx, int status, enum sign_needed needed, const char *fmt,
                     va_list ap)
{
    if (!ctx)
        return status;
    ctx->needed = needed;
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    if (ERR_peek_last_error() != 0) {
        char reason[256];
        size_t used = strlen(ctx->errmsg);
        snprintf(ctx->errmsg + used, sizeof ctx->errmsg - used, " (%s)",
                 sign_ssl_reason(reason, sizeof reason));
    }
    return status;
}

int sign_seterr(sign_ctx *ctx, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status = set_error(ctx, status, SIGN_NEEDED_NOTHING, fmt, ap);
    va_end(ap);
    return status;
}

int sign_seterr_needing(sign_ctx *ctx, int status, enum sign_needed needed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status = set_error(ctx, status, needed, fmt, ap);
    va_end(ap);
    return status;
}

SIGN_EXTERN enum sign_needed sign_ctx_err_needed(const sign_ctx *ctx)
{
    return ctx ? ctx->needed : SIGN_NEEDED_NOTHING;
}

SIGN_EXTERN const char *sign_ctx_errmsg(const sign_ctx *ctx)
{
    return ctx ? ctx->errmsg : "no context";
}
