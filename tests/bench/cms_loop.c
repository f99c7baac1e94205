/* cms_loop: the loop a user would write instead of segl-verify for detached CAdES files, and so
 * the honest single-process peer in tests/bench/bench.sh (not a test, not built by CMake).
 *
 * One X509_STORE holding the trust anchor is built once; then every file is checked with
 * CMS_verify against its detached content, one file after the other, on one thread. Like
 * `openssl cms -verify -purpose any -attime`, it checks the signature and the certificate path
 * and nothing of CAdES (no signing-certificate-v2, no policy, no report).
 *
 *   cms_loop TRUST_ANCHOR.pem EPOCH LIST
 *
 * LIST names one signature a line (NAME.p7s, DER); its content is NAME. EPOCH is the validation
 * time in seconds since 1970. Exit status: 0 every file verified, 1 one did not (each named on
 * stderr), 2 usage or setup error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

static X509_STORE *trust_store_new(const char *anchor_path, time_t validation_time)
{
    X509_STORE *store = X509_STORE_new();
    if (store == NULL || !X509_STORE_load_file(store, anchor_path)) {
        X509_STORE_free(store);
        return NULL;
    }
    X509_VERIFY_PARAM *param = X509_STORE_get0_param(store);
    X509_VERIFY_PARAM_set_time(param, validation_time);
    /* as `openssl cms -verify -purpose any`: the test PKI's signers have no S/MIME EKU */
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
    return store;
}

/* 1 when the detached signature at signature_path verifies over its content, 0 otherwise */
static int detached_signature_verifies(X509_STORE *store, const char *signature_path)
{
    size_t name_len = strlen(signature_path);
    if (name_len <= 4 || strcmp(signature_path + name_len - 4, ".p7s") != 0)
        return 0;
    char *content_path = strndup(signature_path, name_len - 4);
    BIO *signature_in = BIO_new_file(signature_path, "rb");
    BIO *content_in = content_path != NULL ? BIO_new_file(content_path, "rb") : NULL;
    CMS_ContentInfo *cms = signature_in != NULL ? d2i_CMS_bio(signature_in, NULL) : NULL;
    int verified = cms != NULL && content_in != NULL
                   && CMS_verify(cms, NULL, store, content_in, NULL, CMS_BINARY) == 1;
    CMS_ContentInfo_free(cms);
    BIO_free(content_in);
    BIO_free(signature_in);
    free(content_path);
    return verified;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cms_loop TRUST_ANCHOR.pem EPOCH LIST\n");
        return 2;
    }
    FILE *list = fopen(argv[3], "r");
    if (list == NULL) {
        fprintf(stderr, "cms_loop: cannot read %s\n", argv[3]);
        return 2;
    }
    X509_STORE *store = trust_store_new(argv[1], (time_t)strtoll(argv[2], NULL, 10));
    if (store == NULL) {
        fprintf(stderr, "cms_loop: cannot load the trust anchor %s\n", argv[1]);
        fclose(list);
        return 2;
    }
    char *line = NULL;
    size_t line_size = 0;
    ssize_t line_len;
    int failures = 0;
    while ((line_len = getline(&line, &line_size, list)) > 0) {
        if (line[line_len - 1] == '\n')
            line[line_len - 1] = '\0';
        if (!detached_signature_verifies(store, line)) {
            fprintf(stderr, "cms_loop: %s: not verified\n", line);
            ERR_print_errors_fp(stderr);
            failures++;
        }
        ERR_clear_error();
    }
    free(line);
    X509_STORE_free(store);
    fclose(list);
    return failures == 0 ? 0 : 1;
}
