/* Reading a XAdES signature's parts from its DOM, the same for validating it (xades_verify.c)
 * and for augmenting it (xades_lt.c, xades_archive.c): its QualifyingProperties, its KeyInfo
 * certificates, the signatures of a document. */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include "xades.h"

char *xades_node_text(xmlNodePtr node)
{
    xmlChar *content = node ? xmlNodeGetContent(node) : NULL;
    char *text = content ? strdup((char *)content) : NULL;
    xmlFree(content);
    return text;
}

xmlNodePtr xades_qualifying_properties(xmlNodePtr signature, int *count)
{
    xmlNodePtr qualifying = NULL;
    *count = 0;
    for (xmlNodePtr object = sign_xml_child(signature, XADES_DSIG_NS, "Object"); object;
         object = sign_xml_next(object, XADES_DSIG_NS, "Object"))
        for (xmlNodePtr qp = sign_xml_child(object, XADES_NS, "QualifyingProperties"); qp;
             qp = sign_xml_next(qp, XADES_NS, "QualifyingProperties")) {
            qualifying = qp;
            (*count)++;
        }
    return qualifying;
}

/* Calls take with the decoded bytes of each element name (base64) in a signature's
 * KeyInfo/X509Data, in document order, until it returns non-zero. */
static void each_key_info_value(xmlNodePtr signature, const char *name,
                                int (*take)(const unsigned char *der, size_t len, void *arg),
                                void *arg)
{
    xmlNodePtr key_info = sign_xml_child(signature, XADES_DSIG_NS, "KeyInfo");
    int stop = 0;
    for (xmlNodePtr data = sign_xml_child(key_info, XADES_DSIG_NS, "X509Data"); !stop && data;
         data = sign_xml_next(data, XADES_DSIG_NS, "X509Data"))
        for (xmlNodePtr node = sign_xml_child(data, XADES_DSIG_NS, name); !stop && node;
             node = sign_xml_next(node, XADES_DSIG_NS, name)) {
            char *b64 = xades_node_text(node);
            size_t len = 0;
            unsigned char *der = b64 ? sign_xml_unbase64(b64, &len) : NULL;
            if (der)
                stop = take(der, len, arg);
            free(der);
            free(b64);
        }
    ERR_clear_error();
}

struct key_info_certs {
    const sign_ctx *ctx;
    STACK_OF(X509) *certs;
};

static int take_cert(const unsigned char *der, size_t len, void *arg)
{
    struct key_info_certs *k = arg;
    X509 *cert = sign_cert_cache_decode(k->ctx, der, len);
    if (cert && !sk_X509_push(k->certs, cert)) {
        X509_free(cert);
        return 1; /* out of memory: what was read so far */
    }
    return 0;
}

/* The certificates in a signature's KeyInfo/X509Data, in document order. */
STACK_OF(X509) *xades_key_info_certs(const sign_ctx *ctx, xmlNodePtr signature)
{
    struct key_info_certs k = {ctx, sk_X509_new_null()};
    if (k.certs)
        each_key_info_value(signature, "X509Certificate", take_cert, &k);
    return k.certs;
}

static int take_crl(const unsigned char *der, size_t len, void *arg)
{
    STACK_OF(X509_CRL) *crls = arg;
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (crl && !sk_X509_CRL_push(crls, crl)) {
        X509_CRL_free(crl);
        return 1;
    }
    return 0;
}

/* XMLDSig 4.5.4: X509CRL in a signature's KeyInfo/X509Data, in document order. Unsigned, like
 * every validation value: a CRL still has to be signed by its issuer to count. */
STACK_OF(X509_CRL) *xades_key_info_crls(xmlNodePtr signature)
{
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
    if (crls)
        each_key_info_value(signature, "X509CRL", take_crl, crls);
    return crls;
}

/* Every ds:Signature under node, in document order, at most max. */
void xades_collect_signatures(xmlNodePtr node, xmlNodePtr *found, int *count, int max)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (sign_xml_is(node, XADES_DSIG_NS, "Signature") && *count < max)
            found[(*count)++] = node;
        xades_collect_signatures(node->children, found, count, max);
    }
}

int xades_read_source(const sign_source *src, unsigned char **bytes, size_t *len, const char **why)
{
    if (sign_xml_init() != SIGN_OK) {
        *why = "cannot initialise xmlsec";
        return -1;
    }
    BIO *in = sign_source_bio(src);
    *why = "out of memory";
    int read = in ? sign_xml_read_all(in, bytes, len, why) : -1;
    BIO_free(in);
    return read;
}
