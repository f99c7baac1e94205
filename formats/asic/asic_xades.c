/* XAdES inside ASiC containers (ETSI EN 319 162-1 4.3.2 and 4.4.2), as DigiDoc writes them: an
 * ASiC-S holds META-INF/signatures.xml, an ASiC-E one META-INF/signaturesNNN.xml per signature,
 * each an asic:XAdESSignatures with one ds:Signature whose detached references name the data
 * objects by their member names; an ASiC-E also gets the ODF META-INF/manifest.xml that DigiDoc
 * readers expect (EN 319 162-1 A.2.2), unsigned. The XAdES module reads the members straight
 * from the container through a content resolver. */
#include <stdlib.h>
#include <string.h>
#include "asic.h"
#include "formats/xades/xades.h"

#define ODF_MANIFEST_NS "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

BIO *asic_open_member(void *arg, const char *name, char *why, size_t why_len)
{
    struct asic_container *c = arg;
    const struct asic_entry *e = asic_find(c, name);
    if (!e || e->role != ASIC_ROLE_DATA) {
        snprintf(why, why_len, "no data object of the container is named %s", name);
        return NULL;
    }
    BIO *in = asic_entry_bio(c, e);
    if (!in)
        snprintf(why, why_len, "cannot read %s from the container", name);
    return in;
}

/* The MIME type of a member from its first bytes, as the XAdES module would name it. */
static const char *member_mime(struct asic_container *c, const struct asic_entry *e)
{
    unsigned char head[SIGN_DETECT_BYTES];
    size_t got = 0;
    int n;
    BIO *in = asic_entry_bio(c, e);
    while (in && got < sizeof head && (n = BIO_read(in, head + got, (int)(sizeof head - got))) > 0)
        got += (size_t)n;
    BIO_free(in);
    return xades_mime_type(head, got);
}

/* META-INF/manifest.xml in the OpenDocument style (EN 319 162-1 A.2.2): the container's type,
 * then every data object with its media type. malloc'd bytes. */
static int odf_manifest_build(sign_ctx *ctx, const char *const *names, const char *const *mimes,
                              size_t count, unsigned char **out, size_t *len)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlNewNode(NULL, BAD_CAST "manifest") : NULL;
    xmlNsPtr ns = root ? xmlNewNs(root, BAD_CAST ODF_MANIFEST_NS, BAD_CAST "manifest") : NULL;
    if (!ns) {
        xmlFreeNode(root);
        xmlFreeDoc(doc);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    xmlSetNs(root, ns);
    xmlDocSetRootElement(doc, root);
    xmlNewNsProp(root, ns, BAD_CAST "version", BAD_CAST "1.2");
    for (size_t i = 0; i <= count; i++) {
        xmlNodePtr entry = xmlNewChild(root, ns, BAD_CAST "file-entry", NULL);
        xmlNewNsProp(entry, ns, BAD_CAST "full-path", BAD_CAST(i == 0 ? "/" : names[i - 1]));
        xmlNewNsProp(entry, ns, BAD_CAST "media-type",
                     BAD_CAST(i == 0 ? ASIC_MIMETYPE_E : mimes[i - 1]));
    }
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    xmlFreeDoc(doc);
    *out = mem && size > 0 ? malloc((size_t)size) : NULL;
    if (*out) {
        memcpy(*out, mem, (size_t)size);
        *len = (size_t)size;
    }
    xmlFree(mem);
    return *out ? SIGN_OK : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
}

static int has_cades(const struct asic_container *c)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *name = c->entries[i].name;
        size_t len = strlen(name);
        if (strncmp(name, "META-INF/", 9) == 0 &&
            ((len > 13 && strcmp(name + len - 4, ".p7s") == 0) ||
             strncmp(name + 9, "ASiCManifest", 12) == 0))
            return 1;
    }
    return 0;
}

int asic_add_xades(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                   struct asic_container *c, int existing)
{
    if (c->kind == ASIC_S && existing)
        return sign_seterr(ctx, SIGN_EUNSUPPORTED, "an ASiC-S container holds one signature "
                                                   "file (EN 319 162-1 4.3): put documents "
                                                   "that several people sign in an ASiC-E");
    if (has_cades(c))
        return sign_seterr_needing(ctx, SIGN_EUNSUPPORTED, SIGN_NEEDED_INNER_CADES,
                                   "this container holds CAdES signatures; one ASiC-E does not "
                                   "mix the two");
    char sig_name[64] = "META-INF/signatures.xml";
    for (int n = 1; c->kind == ASIC_E; n++) {
        if (n == 1000)
            return sign_seterr(ctx, SIGN_EUNSUPPORTED, "the container has too many signatures");
        snprintf(sig_name, sizeof sig_name, "META-INF/signatures%03d.xml", n);
        if (!asic_find(c, sig_name))
            break;
    }
    size_t count = 0;
    const char **names = calloc(c->count + 1, sizeof *names);
    const char **mimes = calloc(c->count + 1, sizeof *mimes);
    BIO *mem = BIO_new(BIO_s_mem());
    int rc = SIGN_OK;
    if (!names || !mimes || !mem) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->count; i++)
        if (c->entries[i].role == ASIC_ROLE_DATA) {
            names[count] = c->entries[i].name;
            mimes[count++] = member_mime(c, &c->entries[i]);
        }
    sign_options detached = *opts;
    detached.packaging = SIGN_PACKAGING_DETACHED;
    struct xades_objects objects = {
        .names = names, .mimes = mimes, .count = count,
        .content = {.open = asic_open_member, .arg = c},
        .root_ns = ASIC_NS, .root_prefix = "asic", .root_name = "XAdESSignatures",
    };
    rc = xades_sign_objects(ctx, key, &detached, &objects, mem);
    char *data = NULL;
    long len = rc == SIGN_OK ? BIO_get_mem_data(mem, &data) : 0;
    unsigned char *copy = len > 0 ? malloc((size_t)len) : NULL;
    if (rc == SIGN_OK && !copy)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    if (rc == SIGN_OK) {
        memcpy(copy, data, (size_t)len);
        rc = asic_add_bytes(ctx, c->zip, sig_name, copy, (size_t)len, 0);
    }
    /* The ODF manifest is not signed: one that is there stays as its writer made it. */
    if (rc == SIGN_OK && c->kind == ASIC_E && !asic_find(c, "META-INF/manifest.xml")) {
        unsigned char *manifest = NULL;
        size_t manifest_len = 0;
        rc = odf_manifest_build(ctx, names, mimes, count, &manifest, &manifest_len);
        if (rc == SIGN_OK)
            rc = asic_add_bytes(ctx, c->zip, "META-INF/manifest.xml", manifest, manifest_len, 0);
    }
done:
    BIO_free(mem);
    free(names);
    free(mimes);
    return rc;
}
