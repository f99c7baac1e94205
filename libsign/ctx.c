/* The context: trust anchors, validation time, network policy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include "internal.h"

SIGN_EXTERN const char *sign_version(void) { return LIBSIGN_VERSION; }

SIGN_EXTERN int sign_ctx_new(sign_ctx **out)
{
    if (!out)
        return SIGN_EINVAL;
    sign_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return SIGN_ENOMEM;
    ctx->trust = X509_STORE_new();
    if (!ctx->trust) {
        free(ctx);
        return SIGN_ENOMEM;
    }
    ctx->at = (time_t)-1;
    ctx->revocation_cache = sign_revocation_cache_new();
    ctx->cert_cache = sign_cert_cache_new();
    ctx->certsig_cache = sign_certsig_cache_new(SIGN_CERTSIG_CAPACITY);
    ctx->failed_hosts = sign_failed_hosts_new();
    sign_revocation_data_init(&ctx->validation_data.revocation);
    if (!ctx->revocation_cache || !ctx->cert_cache || !ctx->certsig_cache || !ctx->failed_hosts ||
        !ctx->validation_data.revocation.crls || !ctx->validation_data.revocation.ocsps) {
        sign_revocation_data_clear(&ctx->validation_data.revocation);
        sign_revocation_cache_free(ctx->revocation_cache);
        sign_cert_cache_free(ctx->cert_cache);
        sign_certsig_cache_free(ctx->certsig_cache);
        sign_failed_hosts_free(ctx->failed_hosts);
        X509_STORE_free(ctx->trust);
        free(ctx);
        return SIGN_ENOMEM;
    }
    *out = ctx;
    return SIGN_OK;
}

SIGN_EXTERN int sign_ctx_set_cache_limits(sign_ctx *ctx, size_t max_entries, size_t max_bytes)
{
    if (!ctx || max_entries == 0)
        return SIGN_EINVAL;
    sign_certsig_cache *certsig = sign_certsig_cache_new(max_entries);
    if (!certsig)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    sign_certsig_cache_free(ctx->certsig_cache);
    ctx->certsig_cache = certsig;
    sign_cert_cache_set_limits(ctx->cert_cache, max_entries, max_bytes);
    sign_revocation_cache_set_limits(ctx->revocation_cache, max_entries, max_bytes);
    return SIGN_OK;
}

SIGN_EXTERN int sign_ctx_set_visual(sign_ctx *ctx, enum sign_visual_mode mode, int keep_images)
{
    if (!ctx || (mode != SIGN_VISUAL_AUTO && mode != SIGN_VISUAL_ALWAYS && mode != SIGN_VISUAL_OFF))
        return SIGN_EINVAL;
    ctx->visual = mode;
    ctx->visual_images = keep_images != 0;
    return SIGN_OK;
}

SIGN_EXTERN void sign_ctx_free(sign_ctx *ctx)
{
    if (!ctx)
        return;
    X509_STORE_free(ctx->trust);
    sign_revocation_cache_free(ctx->revocation_cache);
    sign_cert_cache_free(ctx->cert_cache);
    sign_certsig_cache_free(ctx->certsig_cache);
    sign_failed_hosts_free(ctx->failed_hosts);
    sign_tl_set_free(ctx->trusted_lists);
    sign_ctx_data_free(ctx);
    if (ctx->legacy)
        OSSL_PROVIDER_unload(ctx->legacy);
    if (ctx->deflt)
        OSSL_PROVIDER_unload(ctx->deflt);
    free(ctx);
}

/* Adds every certificate of one file (PEM bundle or a single DER certificate). Returns how many. */
static int add_trust_file(sign_ctx *ctx, const char *path)
{
    BIO *in = BIO_new_file(path, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(errno));
    int added = 0;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(in, NULL, NULL, NULL);
    if (infos) {
        for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
            X509_INFO *info = sk_X509_INFO_value(infos, i);
            if (!info->x509)
                continue;
            sign_cert_note(info->x509); /* the anchor ends every chain a report names */
            sign_cert_prepare_shared(info->x509);
            if (X509_STORE_add_cert(ctx->trust, info->x509))
                added++;
        }
        sk_X509_INFO_pop_free(infos, X509_INFO_free);
    }
    if (added == 0) {
        (void)BIO_reset(in);
        X509 *der = d2i_X509_bio(in, NULL);
        if (der) {
            sign_cert_note(der);
            sign_cert_prepare_shared(der);
        }
        if (der && X509_STORE_add_cert(ctx->trust, der))
            added++;
        X509_free(der);
    }
    BIO_free(in);
    ERR_clear_error();
    return added;
}

SIGN_EXTERN int sign_ctx_add_trust(sign_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGN_EINVAL;
    int added = sign_load_path(ctx, path, "certificate", add_trust_file);
    if (added < 0)
        return added;
    ctx->trust_count += added;
    return SIGN_OK;
}

SIGN_EXTERN size_t sign_ctx_trust_count(const sign_ctx *ctx) { return ctx ? ctx->trust_count : 0; }

SIGN_EXTERN int sign_ctx_set_time(sign_ctx *ctx, time_t at)
{
    if (!ctx)
        return SIGN_EINVAL;
    ctx->at = at;
    return SIGN_OK;
}

SIGN_EXTERN time_t sign_ctx_get_time(const sign_ctx *ctx) { return ctx ? ctx->at : (time_t)-1; }

time_t sign_ctx_validation_time(const sign_ctx *ctx)
{
    return ctx->at == (time_t)-1 ? time(NULL) : ctx->at;
}

SIGN_EXTERN int sign_ctx_set_offline(sign_ctx *ctx, int offline)
{
    if (!ctx)
        return SIGN_EINVAL;
    ctx->offline = offline != 0;
    return SIGN_OK;
}

SIGN_EXTERN int sign_ctx_set_revocation(sign_ctx *ctx, enum sign_revocation_policy policy)
{
    if (!ctx || policy < SIGN_REVOCATION_SOFT || policy > SIGN_REVOCATION_OFF)
        return SIGN_EINVAL;
    ctx->revocation = policy;
    return SIGN_OK;
}

SIGN_EXTERN int sign_ctx_set_fetch_notify(sign_ctx *ctx, sign_fetch_notify_fn notify, void *arg)
{
    if (!ctx)
        return SIGN_EINVAL;
    ctx->fetch_notify = notify;
    ctx->fetch_notify_arg = arg;
    return SIGN_OK;
}

SIGN_EXTERN int sign_ctx_set_timeout(sign_ctx *ctx, long seconds)
{
    if (!ctx || seconds < 0)
        return SIGN_EINVAL;
    ctx->timeout = seconds;
    return SIGN_OK;
}

BIO *sign_open_input(const char *path)
{
    if (strcmp(path, "-") == 0)
        return BIO_new_fp(stdin, BIO_NOCLOSE);
    return BIO_new_file(path, "rb");
}
