/* Validation entry points: a source made from what the caller has (a path, bytes, a descriptor),
 * its format found from its first bytes, read once, and the source handed to that module. */
#include <errno.h>
#include <string.h>
#include "formats/format.h"

/* Validates src (ownership taken; NULL: it could not be made, errno says why) into a new report
 * in *out. */
static int verify_source(sign_report **out, const sign_ctx *ctx, sign_source *src,
                         const char *content_path)
{
    int make_error = src ? 0 : errno;
    sign_report *report = sign_report_new();
    if (!report || make_error == ENOMEM) {
        sign_report_free(report);
        sign_source_free(src);
        return SIGN_ENOMEM;
    }
    *out = report;
    if (!src) {
        sign_report_set_error(report, "cannot read: %s", strerror(make_error));
        return SIGN_OK;
    }
    unsigned char head[SIGN_DETECT_BYTES];
    long long got = sign_source_read_at(src, 0, head, sizeof head);
    const struct sign_format *format = got > 0 ? sign_format_detect(head, (size_t)got) : NULL;
    sign_source *content = NULL;
    if (sign_source_open_error(src))
        sign_report_set_error(report, "cannot open: %s", strerror(sign_source_open_error(src)));
    else if (got < 0)
        sign_report_set_error(report, "cannot read: %s", strerror(errno));
    else if (got == 0)
        sign_report_set_error(report, "empty file");
    else if (!format)
        sign_report_set_error(report, "not a signed file in a format segl knows "
                                      "(CMS/CAdES)");
    else if (content_path && !(content = sign_source_open_file(content_path)))
        sign_report_set_error(report, "out of memory");
    else {
        /* A content file that cannot be opened is still handed over: whether that matters
         * (a detached signature) and how to say it is the format's. */
        sign_report_set_format(report, format->name);
        format->verify(ctx, report, src, content);
    }
    sign_source_free(content);
    sign_source_free(src);
    return SIGN_OK;
}

SIGN_EXTERN int sign_verify_file(sign_report **out, const sign_ctx *ctx, const char *path,
                                 const char *content_path)
{
    if (!out || !ctx || !path)
        return SIGN_EINVAL;
    return verify_source(out, ctx, sign_source_open_file(path), content_path);
}

SIGN_EXTERN int sign_verify_memory(sign_report **out, const sign_ctx *ctx, const char *name,
                                   const void *bytes, size_t len, const char *content_path)
{
    if (!out || !ctx || !name || (!bytes && len))
        return SIGN_EINVAL;
    return verify_source(out, ctx, sign_source_from_memory(bytes ? bytes : "", len, name),
                         content_path);
}

SIGN_EXTERN int sign_verify_fd(sign_report **out, const sign_ctx *ctx, const char *name, int fd,
                               const char *content_path)
{
    if (!out || !ctx || !name || fd < 0)
        return SIGN_EINVAL;
    return verify_source(out, ctx, sign_source_from_fd(fd, name), content_path);
}
