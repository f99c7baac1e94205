/* libFuzzer target: key loading (PKCS#12, PEM private keys), which reads files a user was sent. */
#include "fuzz_input.h" /* first: it needs _GNU_SOURCE for memfd_create */
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK)
        return 0;
    char path[64];
    int fd = fuzz_input_path(path, data, size);
    if (fd >= 0) {
        sign_key *key = NULL;
        (void)sign_key_needs_password(path);
        if (sign_key_load(&key, ctx, path, NULL, NULL, "test1234") == SIGN_OK)
            sign_key_free(key);
        close(fd);
    }
    sign_ctx_free(ctx);
    return 0;
}
