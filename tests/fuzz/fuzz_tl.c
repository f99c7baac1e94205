/* libFuzzer target: ETSI TS 119 612 trusted lists (XML, its XMLDSig signature, the services),
 * with the test TSA certificate pinned as the list signer (any certificate will do: a fuzzed
 * list must be refused or read without a crash, never trusted by accident). */
#include "fuzz_input.h" /* first: it needs _GNU_SOURCE for memfd_create */
#include <stdlib.h>
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *pki = getenv("SEGL_FUZZ_PKI");
    char signer[1024];
    snprintf(signer, sizeof signer, "%s/tsa.pem", pki ? pki : ".");
    const char *signers[] = {signer};
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK)
        return 0;
    sign_ctx_set_offline(ctx, 1); /* a LOTL pointer must not send the fuzzer to the network */
    char path[64];
    int fd = fuzz_input_path(path, data, size);
    if (fd >= 0) {
        sign_ctx_add_trusted_list(ctx, path, signers, 1);
        close(fd);
    }
    sign_ctx_free(ctx);
    return 0;
}
