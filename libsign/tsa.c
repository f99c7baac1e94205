/* RFC 3161 client: ask a time-stamping authority for a token over some data. */
#include <string.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include "internal.h"

int sign_tsa_request(sign_ctx *ctx, const char *url, const EVP_MD *md, const unsigned char *data,
                     size_t data_len, unsigned char **token, size_t *token_len)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    *token = NULL;
    *token_len = 0;
    if (!EVP_Digest(data, data_len, digest, &digest_len, md, NULL))
        return sign_seterr(ctx, SIGN_ECRYPTO, "cannot digest the data to timestamp");
    return sign_tsa_request_digest(ctx, url, md, digest, digest_len, token, token_len);
}

int sign_tsa_request_digest(sign_ctx *ctx, const char *url, const EVP_MD *md,
                            const unsigned char *digest, size_t digest_len, unsigned char **token,
                            size_t *token_len)
{
    *token = NULL;
    *token_len = 0;
    unsigned char nonce_bytes[8];
    int rc = SIGN_ECRYPTO;
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *algorithm = X509_ALGOR_new();
    ASN1_INTEGER *nonce = NULL;
    TS_RESP *resp = NULL;
    TS_VERIFY_CTX *verify = NULL;
    unsigned char *query = NULL, *answer = NULL;
    size_t answer_len = 0;
    ctx->errmsg[0] = '\0';
    if (!req || !imprint || !algorithm || (size_t)EVP_MD_get_size(md) != digest_len ||
        RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1)
        goto done;
    nonce_bytes[0] &= 0x7f; /* a positive INTEGER */
    nonce = ASN1_INTEGER_new();
    BIGNUM *nonce_bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, NULL);
    int nonce_ok = nonce && nonce_bn && BN_to_ASN1_INTEGER(nonce_bn, nonce);
    BN_free(nonce_bn);
    X509_ALGOR_set_md(algorithm, md);
    if (!nonce_ok || !TS_MSG_IMPRINT_set_algo(imprint, algorithm) ||
        !TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)digest, (int)digest_len) || !TS_REQ_set_version(req, 1) ||
        !TS_REQ_set_msg_imprint(req, imprint) || !TS_REQ_set_nonce(req, nonce) ||
        !TS_REQ_set_cert_req(req, 1))
        goto done;
    int query_len = i2d_TS_REQ(req, &query);
    if (query_len <= 0)
        goto done;
    char why[512];
    rc = sign_http_fetch(ctx, url, "application/timestamp-query", query, (size_t)query_len,
                         &answer, &answer_len, why, sizeof why);
    if (rc != SIGN_OK) {
        rc = sign_seterr(ctx, rc, "timestamp authority %s", why);
        goto done;
    }
    const unsigned char *p = answer;
    resp = d2i_TS_RESP(NULL, &p, (long)answer_len);
    if (!resp) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "timestamp authority %s: not a timestamp response", url);
        goto done;
    }
    /* The answer must be for this request: same imprint and nonce, version 1, status granted.
     * Its signature and the TSA's certificate are validated like any timestamp, later. */
    verify = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
    if (verify)
        TS_VERIFY_CTX_set_flags(verify, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (!verify || TS_RESP_verify_response(verify, resp) <= 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "timestamp authority %s: the response does not answer "
                                            "the request", url);
        goto done;
    }
    *token_len = 0;
    int len = i2d_PKCS7(TS_RESP_get_token(resp), token);
    if (len <= 0) {
        rc = sign_seterr(ctx, SIGN_ECRYPTO, "timestamp authority %s: no token", url);
        goto done;
    }
    *token_len = (size_t)len;
    rc = SIGN_OK;
done:
    if (rc == SIGN_ECRYPTO && !*token && sign_ctx_errmsg(ctx)[0] == '\0')
        sign_seterr(ctx, rc, "cannot build a timestamp request");
    TS_VERIFY_CTX_free(verify);
    TS_RESP_free(resp);
    TS_REQ_free(req);
    TS_MSG_IMPRINT_free(imprint);
    X509_ALGOR_free(algorithm);
    ASN1_INTEGER_free(nonce);
    OPENSSL_free(query);
    free(answer);
    return rc;
}
