/* What the caller gives the context for validating beyond trust anchors: validation data
 * (untrusted certificates, CRLs, OCSP responses, from files or directories: a back office's
 * archive) and the user-initial-policy-set of RFC 5280 6.1.1 (c). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include "internal.h"

int sign_load_path(sign_ctx *ctx, const char *path, const char *what,
                   int (*load_file)(sign_ctx *ctx, const char *file))
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        int n = load_file(ctx, path);
        if (n == 0)
            return sign_seterr(ctx, SIGN_EPARSE, "%s: no %s found", path, what);
        return n;
    }
    DIR *dir = opendir(path);
    if (!dir)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(errno));
    int added = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char file[4096];
        if (snprintf(file, sizeof file, "%s/%s", path, entry->d_name) >= (int)sizeof file)
            continue;
        struct stat fst;
        if (stat(file, &fst) != 0 || !S_ISREG(fst.st_mode))
            continue;
        /* In a directory, a file that is not one of these is someone else's: skipped. */
        int n = load_file(ctx, file);
        if (n > 0)
            added += n;
    }
    closedir(dir);
    if (added == 0)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: no %s found", path, what);
    return added;
}

static BIO *open_file(sign_ctx *ctx, const char *path)
{
    BIO *in = BIO_new_file(path, "rb");
    if (!in) {
        ERR_clear_error();
        sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(errno));
    }
    return in;
}

/* ---- certificates: a PEM bundle, one DER certificate, or a PKCS#7 (certs-only) in either ---- */
static int push_cert(sign_ctx *ctx, X509 *cert)
{
    if (!ctx->validation_data.certs)
        ctx->validation_data.certs = sk_X509_new_null();
    if (!ctx->validation_data.certs || !X509_up_ref(cert))
        return 0;
    sign_cert_prepare_shared(cert);
    if (!sk_X509_push(ctx->validation_data.certs, cert)) {
        X509_free(cert);
        return 0;
    }
    return 1;
}

static int load_certs_file(sign_ctx *ctx, const char *path)
{
    BIO *in = open_file(ctx, path);
    if (!in)
        return SIGN_EIO;
    int added = 0;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(in, NULL, NULL, NULL);
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509)
            added += push_cert(ctx, info->x509);
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    if (added == 0) {
        (void)BIO_reset(in);
        X509 *der = d2i_X509_bio(in, NULL);
        if (der)
            added += push_cert(ctx, der);
        X509_free(der);
    }
    if (added == 0) {
        (void)BIO_reset(in);
        PKCS7 *p7 = d2i_PKCS7_bio(in, NULL);
        if (!p7) {
            (void)BIO_reset(in);
            p7 = PEM_read_bio_PKCS7(in, NULL, NULL, NULL);
        }
        STACK_OF(X509) *certs = p7 && PKCS7_type_is_signed(p7) && p7->d.sign ? p7->d.sign->cert
                                                                           : NULL;
        for (int i = 0; i < sk_X509_num(certs); i++)
            added += push_cert(ctx, sk_X509_value(certs, i));
        PKCS7_free(p7);
    }
    BIO_free(in);
    ERR_clear_error();
    return added;
}

SIGN_EXTERN int sign_ctx_add_certs(sign_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGN_EINVAL;
    int n = sign_load_path(ctx, path, "certificate", load_certs_file);
    return n < 0 ? n : SIGN_OK;
}

/* ---- CRLs: PEM (any number) or one DER ---- */
static int load_crls_file(sign_ctx *ctx, const char *path)
{
    BIO *in = open_file(ctx, path);
    if (!in)
        return SIGN_EIO;
    sign_revocation_data *data = &ctx->validation_data.revocation;
    int added = 0;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(in, NULL, NULL, NULL);
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->crl) {
            sign_revocation_data_add(data, NULL, info->crl);
            added++;
        }
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    if (added == 0) {
        (void)BIO_reset(in);
        X509_CRL *der = d2i_X509_CRL_bio(in, NULL);
        if (der) {
            sign_revocation_data_add(data, NULL, der);
            added++;
        }
        X509_CRL_free(der);
    }
    BIO_free(in);
    ERR_clear_error();
    return added;
}

SIGN_EXTERN int sign_ctx_add_crls(sign_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGN_EINVAL;
    int n = sign_load_path(ctx, path, "CRL", load_crls_file);
    return n < 0 ? n : SIGN_OK;
}

/* ---- OCSP responses: one DER response a file (as a responder sends it) ---- */
static int load_ocsp_file(sign_ctx *ctx, const char *path)
{
    BIO *in = open_file(ctx, path);
    if (!in)
        return SIGN_EIO;
    sign_revocation_data *data = &ctx->validation_data.revocation;
    OCSP_RESPONSE *response = d2i_OCSP_RESPONSE_bio(in, NULL);
    int added = 0;
    if (response && OCSP_response_status(response) == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        sign_revocation_data_add(data, response, NULL);
        added = 1;
    }
    OCSP_RESPONSE_free(response);
    BIO_free(in);
    ERR_clear_error();
    return added;
}

SIGN_EXTERN int sign_ctx_add_ocsp(sign_ctx *ctx, const char *path)
{
    if (!ctx || !path)
        return SIGN_EINVAL;
    int n = sign_load_path(ctx, path, "successful OCSP response", load_ocsp_file);
    return n < 0 ? n : SIGN_OK;
}

/* ---- the user-initial-policy-set ---- */
SIGN_EXTERN int sign_ctx_add_policy(sign_ctx *ctx, const char *oid)
{
    if (!ctx || !oid)
        return SIGN_EINVAL;
    /* Dotted numbers only (no_name 1): a policy is named by its OID. */
    ASN1_OBJECT *policy = NULL;
    size_t len = strlen(oid);
    if (len > 0 && len < 200 && strspn(oid, "0123456789.") == len && oid[0] != '.' &&
        oid[len - 1] != '.' && !strstr(oid, ".."))
        policy = OBJ_txt2obj(oid, 1);
    ERR_clear_error();
    if (!policy)
        return sign_seterr(ctx, SIGN_EINVAL, "'%s' is not a policy OID (dotted numbers)", oid);
    if (!ctx->policies)
        ctx->policies = sk_ASN1_OBJECT_new_null();
    if (!ctx->policies || !sk_ASN1_OBJECT_push(ctx->policies, policy)) {
        ASN1_OBJECT_free(policy);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    return SIGN_OK;
}

void sign_ctx_data_free(sign_ctx *ctx)
{
    sk_ASN1_OBJECT_pop_free(ctx->policies, ASN1_OBJECT_free);
    sk_X509_pop_free(ctx->validation_data.certs, X509_free);
    sign_revocation_data_clear(&ctx->validation_data.revocation);
}
