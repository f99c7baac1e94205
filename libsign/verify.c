/* Validation entry points: a source made from what the caller has (a path, bytes, a descriptor),
 * its format found from its first bytes, read once, and the source handed to that module. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "formats/format.h"

/* What a name says the file is, when only the bytes of one kind belong under it: a signature
 * (.p7s, .p7m, .sig), a PDF, an ASiC container. Bytes no format knows under such a name are a
 * broken file of that kind (unreadable), not a document without a signature. NULL: the name
 * says nothing of the kind (a letter, a photo). */
static const char *claimed_kind(const char *name)
{
    char *content = NULL;
    int signature = name && sign_detached_content_name(&content, name) == SIGN_OK;
    free(content);
    if (signature)
        return "a signed file in a format segl knows (CMS/CAdES)";
    static const struct {
        const char *suffix, *kind;
    } kinds[] = {{".pdf", "a PDF"}, {".asice", "an ASiC container"}, {".sce", "an ASiC container"},
                 {".asics", "an ASiC container"}, {".scs", "an ASiC container"}};
    size_t len = name ? strlen(name) : 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].suffix);
        if (len > n && strcasecmp(name + len - n, kinds[i].suffix) == 0)
            return kinds[i].kind;
    }
    return NULL;
}

/* Validates src (ownership taken; NULL: it could not be made, errno says why) with the detached
 * content content (ownership taken; NULL: none given, or content_error: it could not be made,
 * that errno) into a new report in *out. */
static int verify_source(sign_report **out, const sign_ctx *ctx, sign_source *src,
                         sign_source *content, int content_error)
{
    int make_error = src ? 0 : errno;
    sign_report *report = sign_report_new();
    if (!report || make_error == ENOMEM || content_error == ENOMEM) {
        sign_report_free(report);
        sign_source_free(src);
        sign_source_free(content);
        return SIGN_ENOMEM;
    }
    *out = report;
    if (!src) {
        sign_report_set_error(report, "cannot read: %s", strerror(make_error));
        sign_source_free(content);
        return SIGN_OK;
    }
    unsigned char head[SIGN_DETECT_BYTES];
    long long got = sign_source_read_at(src, 0, head, sizeof head);
    const struct sign_format *format = got > 0 ? sign_format_detect(head, (size_t)got) : NULL;
    if (sign_source_open_error(src))
        sign_report_set_error(report, "cannot open: %s", strerror(sign_source_open_error(src)));
    else if (got < 0)
        sign_report_set_error(report, "cannot read: %s", strerror(errno));
    else if (got == 0)
        sign_report_set_error(report, "empty file");
    else if (!format && claimed_kind(sign_source_name(src)))
        sign_report_set_error(report, "not %s", claimed_kind(sign_source_name(src)));
    /* Bytes no format claims, in a file not named as a signature (a letter, a photo): a file
     * without a signature, like an unsigned PDF, and not an unreadable one. */
    else if (!format)
        ;
    else if (content_error)
        sign_report_set_error(report, "cannot read the content: %s", strerror(content_error));
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

/* The content at content_path (NULL: none) as verify_source takes it. */
static int verify_source_content_path(sign_report **out, const sign_ctx *ctx, sign_source *src,
                                      const char *content_path)
{
    sign_source *content = content_path ? sign_source_open_file(content_path) : NULL;
    return verify_source(out, ctx, src, content, content_path && !content ? ENOMEM : 0);
}

SIGN_EXTERN int sign_verify_file(sign_report **out, const sign_ctx *ctx, const char *path,
                                 const char *content_path)
{
    if (!out || !ctx || !path)
        return SIGN_EINVAL;
    return verify_source_content_path(out, ctx, sign_source_open_file(path), content_path);
}

SIGN_EXTERN int sign_verify_memory(sign_report **out, const sign_ctx *ctx, const char *name,
                                   const void *bytes, size_t len, const char *content_path)
{
    if (!out || !ctx || !name || (!bytes && len))
        return SIGN_EINVAL;
    return verify_source_content_path(
        out, ctx, sign_source_from_memory(bytes ? bytes : "", len, name), content_path);
}

SIGN_EXTERN int sign_verify_fd(sign_report **out, const sign_ctx *ctx, const char *name, int fd,
                               const char *content_path)
{
    if (!out || !ctx || !name || fd < 0)
        return SIGN_EINVAL;
    return verify_source_content_path(out, ctx, sign_source_from_fd(fd, name), content_path);
}

SIGN_EXTERN int sign_verify_file_content_fd(sign_report **out, const sign_ctx *ctx,
                                            const char *path, const char *content_name,
                                            int content_fd)
{
    if (!out || !ctx || !path || !content_name || content_fd < 0)
        return SIGN_EINVAL;
    sign_source *content = sign_source_from_fd(content_fd, content_name);
    int content_error = content ? 0 : errno;
    return verify_source(out, ctx, sign_source_open_file(path), content, content_error);
}

SIGN_EXTERN int sign_verify_file_content_memory(sign_report **out, const sign_ctx *ctx,
                                                const char *path, const char *content_name,
                                                const void *content, size_t content_len)
{
    if (!out || !ctx || !path || !content_name || (!content && content_len))
        return SIGN_EINVAL;
    sign_source *source = sign_source_from_memory(content ? content : "", content_len,
                                                  content_name);
    return verify_source(out, ctx, sign_source_open_file(path), source, source ? 0 : ENOMEM);
}
