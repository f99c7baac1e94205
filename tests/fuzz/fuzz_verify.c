/* libFuzzer target: whole-file validation (format detection, then the format's reader: CAdES,
 * XAdES, PAdES, ASiC). Any byte string must give a report, never a crash, hang or leak. Offline:
 * a URL inside a fuzzed certificate must not send the fuzzer to the network. */
#include <stdint.h>
#include <stdlib.h>
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    if (!ctx) { /* one context for the whole run, as a batch validator keeps one */
        sign_ctx_new(&ctx);
        const char *trust = getenv("SEGL_FUZZ_TRUST");
        if (trust)
            sign_ctx_add_trust(ctx, trust);
        sign_ctx_set_time(ctx, 1780272000);
        sign_ctx_set_offline(ctx, 1);
    }
    /* The bytes as they are, no file: what every format reads is a source (libsign/source.h). */
    sign_report *report = NULL;
    sign_verify_memory(&report, ctx, "fuzz", data, size, NULL);
    char *json = NULL;
    if (report && sign_report_json(&json, report, "fuzz") == SIGN_OK)
        free(json);
    sign_report_free(report);
    return 0;
}
