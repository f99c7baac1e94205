/* segl-inspect --extract for the Danish sign texts: what the signer was shown, as a file, from a
 * NemID OpenSign signature (its signed Object's signtext) or a NemLog-in SignedDocument (its
 * SignText, read by formats/xades/xades_signtext.c). Nothing is validated here; the shape is
 * checked as for validation, so that what is written is what the signature covers. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/xmlerror.h>
#include <openssl/err.h>
#include "formats/xades/xades.h"
#include <libsign/inspect.h>
#include "opensign.h"


/* data as dir/name: written to a temporary file in dir, then linked to name (which fails when
 * name exists), so that name appears whole or not at all. */
static int write_new_file(sign_ctx *ctx, const char *dir, const char *name,
                          const unsigned char *data, size_t len)
{
    char temp[4096], final[4096];
    if ((size_t)snprintf(temp, sizeof temp, "%s/.%s.XXXXXX", dir, name) >= sizeof temp ||
        (size_t)snprintf(final, sizeof final, "%s/%s", dir, name) >= sizeof final)
        return sign_seterr(ctx, SIGN_EINVAL, "%s: the folder name is too long", dir);
    int fd = mkstemp(temp);
    if (fd < 0)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, strerror(errno));
    int ok = 1;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        ok = n > 0;
        done += ok ? (size_t)n : 0;
    }
    ok = close(fd) == 0 && ok;
    int rc = SIGN_OK;
    if (!ok)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: cannot write (disk full?)", final);
    else if (link(temp, final) != 0)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", final,
                         errno == EEXIST ? "exists, not replaced" : strerror(errno));
    unlink(temp);
    return rc;
}

/* NemLog-in3: the SignedDocument's document (signtext.txt, .html, .xml with signtext.xsl, or
 * .pdf). SIGN_EUNSUPPORTED when doc's root is no SignedDocument. */
static int extract_signed_document(sign_ctx *ctx, xmlDocPtr doc, const char *path,
                                   const char *dir)
{
    struct xades_sign_text text;
    char why[200];
    int found = xades_signed_document_text(doc, &text, why, sizeof why);
    if (found == 0)
        return SIGN_EUNSUPPORTED;
    if (found < 0)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: %s: nothing extracted", path, why);
    int rc = SIGN_OK;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, strerror(errno));
    char name[32];
    snprintf(name, sizeof name, "signtext%s", opensign_mime_extension(text.mime));
    if (rc == SIGN_OK)
        rc = write_new_file(ctx, dir, name, text.document, text.document_len);
    if (rc == SIGN_OK && text.transformation)
        rc = write_new_file(ctx, dir, "signtext.xsl", text.transformation,
                            text.transformation_len);
    xades_sign_text_clear(&text);
    return rc;
}

SIGN_EXTERN int sign_sign_text_extract(sign_ctx *ctx, const char *path, const char *dir)
{
    if (!ctx || !path || !dir)
        return SIGN_EINVAL;
    sign_source *src = sign_source_open_file(path);
    if (!src)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *why_read = NULL;
    int rc = SIGN_EUNSUPPORTED;
    int read = xades_read_source(src, &bytes, &len, &why_read);
    int open_error = sign_source_open_error(src);
    sign_source_free(src);
    if (read != 0)
        return open_error ? sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(open_error))
                          : SIGN_EUNSUPPORTED;
    int opensign = sign_format_opensign.detect_signed(bytes, len < SIGN_DETECT_BYTES
                                                                 ? len
                                                                 : SIGN_DETECT_BYTES) > 0;
    static const char nemlogin_ns[] = "http://dk.gov.certifikat/nemlogin/v0.0.1#";
    size_t head = len < SIGN_DETECT_BYTES ? len : SIGN_DETECT_BYTES;
    int nemlogin = 0;
    for (size_t i = 0; !opensign && !nemlogin && i + sizeof nemlogin_ns - 1 <= head; i++)
        nemlogin = memcmp(bytes + i, nemlogin_ns, sizeof nemlogin_ns - 1) == 0;
    if (!opensign && !nemlogin) {
        free(bytes);
        return SIGN_EUNSUPPORTED;
    }
    struct sign_xml_quiet quiet;
    sign_xml_quiet_begin(&quiet);
    char why[300];
    xmlDocPtr doc = sign_xml_parse(bytes, len, why, sizeof why);
    free(bytes);
    struct opensign os = {0};
    if (!doc) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "%s: %s", path, why);
    } else if (!opensign) {
        rc = extract_signed_document(ctx, doc, path, dir);
    } else {
        sign_xml_register_ids(doc, NULL);
        const struct opensign_property *text = NULL;
        if (opensign_read(doc, &os, why, sizeof why) != 0)
            rc = sign_seterr(ctx, SIGN_EPARSE, "%s: %s: nothing extracted", path, why);
        else if (!(text = opensign_property(&os, "signtext")))
            rc = sign_seterr(ctx, SIGN_EPARSE, "%s: the signature has no sign text (a log-on?)",
                             path);
        else if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            rc = sign_seterr(ctx, SIGN_EIO, "%s: %s", dir, strerror(errno));
        else {
            char name[32];
            snprintf(name, sizeof name, "signtext%s",
                     opensign_mime_extension(opensign_text_mime(text->value, text->len)));
            rc = write_new_file(ctx, dir, name, text->value, text->len);
        }
    }
    opensign_clear(&os);
    xmlFreeDoc(doc);
    sign_xml_quiet_end(&quiet);
    ERR_clear_error();
    return rc;
}
