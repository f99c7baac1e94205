/* libFuzzer target: RFC 3161 timestamp tokens (CMS SignedData over a TSTInfo), as found inside
 * signatures and document timestamps. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    if (!ctx) {
        sign_ctx_new(&ctx);
        const char *trust = getenv("SEGL_FUZZ_TRUST");
        if (trust)
            sign_ctx_add_trust(ctx, trust);
        sign_ctx_set_time(ctx, 1780272000);
    }
    static const unsigned char covered[] = "the signature value a timestamp would cover";
    sign_timestamp_result result;
    sign_timestamp_check(ctx, data, size, covered, sizeof covered - 1, &result);
    return 0;
}
