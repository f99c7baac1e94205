/* libFuzzer target: what segl-inspect reads (sign_inspect_memory): a certificate or a PEM bundle
 * of them, described with their OCES identity; a PKCS#12 file; a signed file of any format,
 * whose signatures are listed without being validated. A citizen inspects files strangers sent. */
#include <stdint.h>
#include <stdlib.h>
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    if (!ctx) {
        if (sign_ctx_new(&ctx) != SIGN_OK)
            return 0;
        sign_ctx_set_offline(ctx, 1);
    }
    sign_inspection *inspection = NULL;
    if (sign_inspect_memory(&inspection, ctx, data, size, "fuzz", "test1234") == SIGN_OK) {
        char *json = NULL;
        if (sign_inspection_json(&json, inspection, "fuzz") == SIGN_OK)
            free(json);
        sign_inspection_free(inspection);
    }
    return 0;
}
