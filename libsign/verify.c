/* Validation entry point: find the file's format, hand it to that module. */
#include <errno.h>
#include <string.h>
#include "formats/format.h"

SIGN_EXTERN int sign_verify_file(sign_report **out, const sign_ctx *ctx, const char *path,
                                 const char *content_path)
{
    if (!out || !ctx || !path)
        return SIGN_EINVAL;
    sign_report *report = sign_report_new();
    if (!report)
        return SIGN_ENOMEM;
    *out = report;

    unsigned char head[SIGN_DETECT_BYTES];
    BIO *in = BIO_new_file(path, "rb");
    if (!in) {
        sign_report_set_error(report, "cannot open: %s", strerror(errno));
        return SIGN_OK;
    }
    int got = BIO_read(in, head, sizeof head);
    BIO_free(in);
    if (got <= 0) {
        sign_report_set_error(report, "empty file");
        return SIGN_OK;
    }

    const struct sign_format *best = NULL;
    int best_score = 0;
    for (const struct sign_format *const *f = sign_format_table(); *f; f++) {
        int score = (*f)->detect_signed(head, (size_t)got);
        if (score > best_score) {
            best = *f;
            best_score = score;
        }
    }
    if (!best) {
        sign_report_set_error(report, "not a signed file in a format segl knows "
                                      "(CMS/CAdES)");
        return SIGN_OK;
    }
    sign_report_set_format(report, best->name);
    best->verify(ctx, report, path, content_path);
    return SIGN_OK;
}
