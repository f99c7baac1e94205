/* XAdES B-LTA (ETSI EN 319 132-1 5.5.2): the input of an xades141:ArchiveTimeStamp, the same for
 * making one (xades_lt.c) and checking one (xades_verify.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include <openssl/err.h>
#include "xades.h"

static int add_c14n(EVP_MD_CTX *mdctx, xmlNodePtr node, xmlNodePtr method, const char *default_uri)
{
    unsigned char *canonical = NULL;
    size_t len = 0;
    int ok = xades_c14n_node(node, method, default_uri, &canonical, &len) == 0 &&
             EVP_DigestUpdate(mdctx, canonical, len);
    free(canonical);
    return ok;
}

static int add_detached(EVP_MD_CTX *mdctx, const struct xades_content *content, xmlNodePtr ref,
                        const char *uri, char *why, size_t why_len)
{
    if (sign_xml_child(ref, XADES_DSIG_NS, "Transforms")) {
        snprintf(why, why_len, "transforms on the detached reference %s are not supported", uri);
        return -1;
    }
    if (!content) {
        snprintf(why, why_len, "the detached content %s is not at hand (extend the signature "
                               "with segl-extend, next to its content)", uri);
        return -1;
    }
    char *name = xmlURIUnescapeString(uri, 0, NULL);
    BIO *in = name ? content->open(content->arg, name, why, why_len) : NULL;
    free(name);
    if (!in)
        return -1;
    unsigned char buf[65536];
    int n = 0, ok = 1;
    while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
    BIO_free(in);
    if (!ok || n != 0) {
        snprintf(why, why_len, "the detached content %s cannot be read", uri);
        return -1;
    }
    return 0;
}

/* Whether some Reference of signed_info points at element by its Id. */
static int referenced(xmlNodePtr signed_info, xmlNodePtr element)
{
    xmlChar *id = xmlGetNoNsProp(element, BAD_CAST "Id");
    int found = 0;
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); id && ref && !found;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        found = uri && uri[0] == '#' && xmlStrEqual(uri + 1, id);
        xmlFree(uri);
    }
    xmlFree(id);
    return found;
}

int xades_archive_digest(xmlNodePtr signature, xmlNodePtr method, const char *default_uri,
                         xmlNodePtr before, const struct xades_content *content,
                         const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                         char *why, size_t why_len)
{
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    xmlNodePtr signed_info = sign_xml_child(signature, XADES_DSIG_NS, "SignedInfo");
    xmlNodePtr value = sign_xml_child(signature, XADES_DSIG_NS, "SignatureValue");
    int ok = mdctx && signed_info && value && EVP_DigestInit_ex(mdctx, md, NULL);
    snprintf(why, why_len, "the signature cannot be canonicalised");
    /* 1: every Reference's data as its transforms give it, in order. */
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); ok && ref;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        if (!uri) {
            snprintf(why, why_len, "a Reference without URI");
            ok = 0;
        } else if (uri[0] && uri[0] != '#') {
            ok = add_detached(mdctx, content, ref, (const char *)uri, why, why_len) == 0;
        } else {
            unsigned char *octets = NULL;
            size_t len = 0;
            ok = xades_reference_octets(ref, &octets, &len, why, why_len) == 0 &&
                 EVP_DigestUpdate(mdctx, octets, len);
            free(octets);
        }
        xmlFree(uri);
    }
    if (ok)
        snprintf(why, why_len, "the signature cannot be canonicalised");
    /* 2: SignedInfo, SignatureValue and KeyInfo. */
    ok = ok && add_c14n(mdctx, signed_info, method, default_uri) &&
         add_c14n(mdctx, value, method, default_uri);
    xmlNodePtr key_info = sign_xml_child(signature, XADES_DSIG_NS, "KeyInfo");
    ok = ok && (!key_info || add_c14n(mdctx, key_info, method, default_uri));
    /* 3: the unsigned signature properties before this time-stamp, in order. */
    int count = 0;
    xmlNodePtr qualifying = xades_qualifying_properties(signature, &count);
    xmlNodePtr unsigned_sig_props = sign_xml_child(sign_xml_child(qualifying, XADES_NS,
                                                            "UnsignedProperties"),
                                                XADES_NS, "UnsignedSignatureProperties");
    for (xmlNodePtr node = unsigned_sig_props ? unsigned_sig_props->children : NULL;
         ok && node && node != before; node = node->next)
        if (node->type == XML_ELEMENT_NODE)
            ok = add_c14n(mdctx, node, method, default_uri);
    /* 4 (TS 101 903 1.4.1 8.2.1): the ds:Objects that no Reference signs, but the one holding
     * the QualifyingProperties. */
    for (xmlNodePtr object = sign_xml_child(signature, XADES_DSIG_NS, "Object"); ok && object;
         object = sign_xml_next(object, XADES_DSIG_NS, "Object"))
        if ((!qualifying || qualifying->parent != object) && !referenced(signed_info, object))
            ok = add_c14n(mdctx, object, method, default_uri);
    ok = ok && EVP_DigestFinal_ex(mdctx, digest, digest_len);
    EVP_MD_CTX_free(mdctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}
