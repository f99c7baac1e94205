/* The ASiCManifest (ETSI EN 319 162-1 A.4): in a CAdES ASiC-E the signature signs this file,
 * which names the signature (SigReference) and lists each data object with its digest. */
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include "asic.h"
#include "formats/xades/xades.h"

int asic_manifest_build(sign_ctx *ctx, struct asic_container *c, const char *sig_name,
                        const char *digest, unsigned char **out, size_t *len)
{
    const EVP_MD *md = digest ? EVP_get_digestbyname(digest) : NULL;
    const char *digest_uri = digest ? xades_digest_uri(digest) : NULL;
    if (!md || !digest_uri)
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           digest ? digest : "(none)");
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlNewNode(NULL, BAD_CAST "ASiCManifest") : NULL;
    xmlNsPtr asic = root ? xmlNewNs(root, BAD_CAST ASIC_NS, BAD_CAST "asic") : NULL;
    xmlNsPtr ds = root ? xmlNewNs(root, BAD_CAST XADES_DSIG_NS, BAD_CAST "ds") : NULL;
    int rc = SIGN_OK;
    if (!asic || !ds) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        goto done;
    }
    xmlSetNs(root, asic);
    xmlDocSetRootElement(doc, root);
    xmlNodePtr sig_ref = xmlNewChild(root, asic, BAD_CAST "SigReference", NULL);
    xmlChar *uri = xmlURIEscapeStr(BAD_CAST sig_name, BAD_CAST "/");
    xmlNewProp(sig_ref, BAD_CAST "URI", uri);
    xmlFree(uri);
    xmlNewProp(sig_ref, BAD_CAST "MimeType", BAD_CAST "application/x-pkcs7-signature");
    for (size_t i = 0; rc == SIGN_OK && i < c->count; i++) {
        struct asic_entry *e = &c->entries[i];
        if (e->role != ASIC_ROLE_DATA)
            continue;
        unsigned char value[EVP_MAX_MD_SIZE];
        unsigned int value_len = 0;
        char why[300];
        if (asic_digest_entry(c, e, md, value, &value_len, why, sizeof why) != 0) {
            rc = sign_seterr(ctx, SIGN_EIO, "%s", why);
            break;
        }
        char *b64 = sign_xml_base64(value, value_len);
        xmlNodePtr ref = xmlNewChild(root, asic, BAD_CAST "DataObjectReference", NULL);
        uri = xmlURIEscapeStr(BAD_CAST e->name, BAD_CAST "/");
        xmlNewProp(ref, BAD_CAST "URI", uri);
        xmlFree(uri);
        xmlNodePtr method = xmlNewChild(ref, ds, BAD_CAST "DigestMethod", NULL);
        xmlNewProp(method, BAD_CAST "Algorithm", BAD_CAST digest_uri);
        xmlNewChild(ref, ds, BAD_CAST "DigestValue", BAD_CAST b64);
        free(b64);
    }
    if (rc == SIGN_OK) {
        xmlChar *mem = NULL;
        int size = 0;
        xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
        *out = mem ? malloc((size_t)size) : NULL;
        if (*out) {
            memcpy(*out, mem, (size_t)size);
            *len = (size_t)size;
        } else {
            rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot serialise the ASiCManifest");
        }
        xmlFree(mem);
    }
done:
    xmlFreeDoc(doc);
    return rc;
}

static char *unescaped_uri(xmlNodePtr node)
{
    xmlChar *uri = xmlGetNoNsProp(node, BAD_CAST "URI");
    char *name = uri ? xmlURIUnescapeString((const char *)uri, 0, NULL) : NULL;
    xmlFree(uri);
    return name;
}

void asic_manifest_clear(struct asic_manifest *m)
{
    free(m->sig_reference);
    for (size_t i = 0; i < m->count; i++)
        free(m->refs[i].name);
    free(m->refs);
    memset(m, 0, sizeof *m);
}

static int parse_fail(struct asic_manifest *m, char *why, size_t why_len, const char *what)
{
    snprintf(why, why_len, "%s", what);
    asic_manifest_clear(m);
    return -1;
}

int asic_manifest_parse(const unsigned char *bytes, size_t len, struct asic_manifest *m,
                        char *why, size_t why_len)
{
    memset(m, 0, sizeof *m);
    xmlDocPtr doc = sign_xml_parse(bytes, len, why, why_len);
    if (!doc)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (!sign_xml_is(root, ASIC_NS, "ASiCManifest")) {
        rc = parse_fail(m, why, why_len, "not an ASiCManifest");
        goto done;
    }
    xmlNodePtr sig_ref = sign_xml_child(root, ASIC_NS, "SigReference");
    if (!sig_ref || sign_xml_next(sig_ref, ASIC_NS, "SigReference") ||
        !(m->sig_reference = unescaped_uri(sig_ref))) {
        rc = parse_fail(m, why, why_len, "an ASiCManifest needs exactly one SigReference with a URI");
        goto done;
    }
    size_t count = 0;
    for (xmlNodePtr ref = sign_xml_child(root, ASIC_NS, "DataObjectReference"); ref;
         ref = sign_xml_next(ref, ASIC_NS, "DataObjectReference"))
        count++;
    if (count == 0 || count > ASIC_MAX_ENTRIES) {
        rc = parse_fail(m, why, why_len, "the ASiCManifest references no data object");
        goto done;
    }
    m->refs = calloc(count, sizeof *m->refs);
    if (!m->refs) {
        rc = parse_fail(m, why, why_len, "out of memory");
        goto done;
    }
    for (xmlNodePtr node = sign_xml_child(root, ASIC_NS, "DataObjectReference"); node;
         node = sign_xml_next(node, ASIC_NS, "DataObjectReference")) {
        struct asic_reference *ref = &m->refs[m->count++];
        ref->name = unescaped_uri(node);
        xmlNodePtr method = sign_xml_child(node, XADES_DSIG_NS, "DigestMethod");
        xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
        ref->md = xades_digest_by_uri((const char *)algorithm, &ref->weak);
        xmlFree(algorithm);
        xmlNodePtr value = sign_xml_child(node, XADES_DSIG_NS, "DigestValue");
        xmlChar *text = value ? xmlNodeGetContent(value) : NULL;
        size_t value_len = 0;
        unsigned char *decoded = text ? sign_xml_unbase64((const char *)text, &value_len) : NULL;
        xmlFree(text);
        if (decoded && value_len <= sizeof ref->digest) {
            memcpy(ref->digest, decoded, value_len);
            ref->digest_len = value_len;
        }
        free(decoded);
        if (!ref->name || !*ref->name || ref->digest_len == 0) {
            rc = parse_fail(m, why, why_len, "a DataObjectReference has no URI or no DigestValue");
            goto done;
        }
    }
done:
    xmlFreeDoc(doc);
    return rc;
}
