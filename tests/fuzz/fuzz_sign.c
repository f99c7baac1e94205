/* libFuzzer target: signing and extending files that came from someone else, as a citizen signs
 * a contract they were sent: the format chosen from the content, a PDF signed by incremental
 * update, XML enveloped (spliced into its own bytes), an ASiC container given one more signature;
 * then the file extended to B-T, offline, which reads every signature in it before the timestamp
 * request is refused; a PDF is also signed with a visible signature. An EC test key (SEGL_FUZZ_PKI/ec.p12) keeps signing cheap. */
#include "fuzz_input.h" /* first: it needs _GNU_SOURCE for memfd_create */
#include <stdlib.h>
#include <string.h>
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    static sign_key *key;
    static FILE *out;
    if (!ctx) {
        const char *pki = getenv("SEGL_FUZZ_PKI");
        char path[1024];
        snprintf(path, sizeof path, "%s/ec.p12", pki ? pki : ".");
        if (sign_ctx_new(&ctx) != SIGN_OK || sign_key_load(&key, ctx, path, NULL, NULL, "test1234") != SIGN_OK ||
            !(out = fopen("/dev/null", "w"))) {
            fprintf(stderr, "fuzz_sign: needs SEGL_FUZZ_PKI (the test PKI's oces3 folder)\n");
            abort();
        }
        sign_ctx_set_offline(ctx, 1);
    }
    sign_options opts;
    sign_options_init(&opts, SIGN_OPTIONS_VERSION);
    opts.signing_time = 1780272000;
    char path[64];
    int fd = fuzz_input_path(path, data, size);
    if (fd < 0)
        return 0;
    (void)sign_sign_file(ctx, key, &opts, path, out);
    if (size >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) {
        const char *inputs[] = {path};
        opts.format = "asic-e";
        (void)sign_sign_files(ctx, key, &opts, inputs, 1, out);
        opts.format = NULL;
    }
    if (size >= 5 && memcmp(data, "%PDF-", 5) == 0) {
        /* a visible signature: the page's inherited /MediaBox and /CropBox are read to place it */
        opts.visible_page = 1;
        opts.visible_rect[0] = 20, opts.visible_rect[1] = 20;
        opts.visible_rect[2] = 220, opts.visible_rect[3] = 60;
        (void)sign_sign_file(ctx, key, &opts, path, out);
        opts.visible_page = 0;
    }
    opts.level = SIGN_LEVEL_B_T;
    opts.tsa_url = "http://127.0.0.1:9/tsa";
    (void)sign_extend_memory(ctx, &opts, "fuzz", data, size, out);
    close(fd);
    return 0;
}
