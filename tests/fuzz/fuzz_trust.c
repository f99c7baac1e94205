/* libFuzzer target: a trust anchor file (--trust FILE: a PEM bundle or one DER certificate), read
 * as sign_ctx_add_trust reads every file of a trust directory. */
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
        (void)sign_ctx_add_trust(ctx, path);
        close(fd);
    }
    sign_ctx_free(ctx);
    return 0;
}
