/* XMLDSig core (W3C XML Signature 1.1) shared by signing and validation: Reference digests
 * through xmlsec's transform engine (a base64 one, when validating, by segl: see below),
 * SignedInfo canonicalisation through libxml2, and the SignatureValue through OpenSSL directly,
 * which is what makes RSASSA-PSS possible (RFC 6931 2.3.10; xmlsec1 1.2 has no PSS transform)
 * and keeps one code path for all key types. */
#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/crypto.h>
#include "xades.h"

int xades_cert_digest(X509 *cert, const EVP_MD *md, unsigned char *out, unsigned int *len)
{
    unsigned char *der = NULL;
    int der_len = i2d_X509(cert, &der);
    if (der_len <= 0)
        return -1;
    int ok = EVP_Digest(der, (size_t)der_len, out, len, md, NULL);
    OPENSSL_free(der);
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- references */

/* XMLDSig 1.1 6.6.2: a Reference whose one transform is base64, digested by segl itself. xmlsec
 * 1.2.37 leaks 24 bytes for each such Reference whose text is not base64: the decoder fails on
 * the last push, and xmlSecTransformIOBufferClose (src/transforms.c) then returns -1 before it
 * frees its xmlSecTransformIOBuffer, which xmlOutputBufferClose cannot free either (1.3 has the
 * same code). A batch validator must not grow with every such file, so the bytes never reach
 * xmlsec when validating. (Signing still goes through xmlsec: segl wrote the base64 then.)
 * Returns 1 match, 0 mismatch, -1 error, NOT_BASE64 when reference has no base64 transform. */
#define NOT_BASE64 (-2)
static int base64_reference_run(xmlNodePtr reference, unsigned char **octets, size_t *len,
                                char *why, size_t why_len)
{
    int transforms = 0, base64 = 0;
    for (xmlNodePtr transform = sign_xml_child(sign_xml_child(reference, XADES_DSIG_NS,
                                                              "Transforms"),
                                               XADES_DSIG_NS, "Transform");
         transform; transform = sign_xml_next(transform, XADES_DSIG_NS, "Transform")) {
        xmlChar *algorithm = xmlGetNoNsProp(transform, BAD_CAST "Algorithm");
        base64 += algorithm && xmlStrEqual(algorithm, BAD_CAST XADES_BASE64);
        transforms++;
        xmlFree(algorithm);
    }
    if (base64 == 0)
        return NOT_BASE64;
    if (transforms != 1) {
        snprintf(why, why_len, "the base64 transform is supported only as a Reference's one "
                               "transform");
        return -1;
    }
    /* Its input: the string value of the text nodes of the element the URI names (6.6.2). */
    xmlChar *uri = xmlGetNoNsProp(reference, BAD_CAST "URI");
    xmlAttrPtr id = NULL;
    if (uri && uri[0] == '#' && uri[1] && sign_xml_id_count(reference->doc, uri + 1) == 1)
        id = xmlGetID(reference->doc, uri + 1);
    xmlFree(uri);
    if (!id || !id->parent) {
        snprintf(why, why_len, "the base64 transform applies to an element named by its ID only");
        return -1;
    }
    xmlNodePtr method = sign_xml_child(reference, XADES_DSIG_NS, "DigestMethod");
    xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
    const EVP_MD *md = xades_digest_by_uri((const char *)algorithm, NULL);
    xmlFree(algorithm);
    xmlChar *expected_b64 = xmlNodeGetContent(sign_xml_child(reference, XADES_DSIG_NS,
                                                             "DigestValue"));
    size_t expected_len = 0;
    unsigned char *expected = expected_b64 ? sign_xml_unbase64((char *)expected_b64,
                                                               &expected_len)
                                           : NULL;
    xmlFree(expected_b64);
    xmlChar *text = xmlNodeGetContent(id->parent);
    size_t data_len = 0;
    unsigned char *data = text ? sign_xml_unbase64((char *)text, &data_len) : NULL;
    xmlFree(text);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int result = -1;
    if (!md || !expected)
        snprintf(why, why_len, "no usable DigestMethod or DigestValue");
    else if (!data)
        snprintf(why, why_len, "the base64 transform's input is not base64");
    else if (!EVP_Digest(data, data_len, digest, &digest_len, md, NULL))
        snprintf(why, why_len, "the digest cannot be computed");
    else
        result = expected_len == digest_len && CRYPTO_memcmp(expected, digest, digest_len) == 0;
    if (result >= 0 && octets) {
        *octets = data;
        *len = data_len;
        data = NULL;
    }
    free(expected);
    free(data);
    return result;
}

/* Runs reference through xmlsec; with octets, also what it digested (the pre-digest data). */
static int reference_run(xmlNodePtr reference, int signing, unsigned char **octets, size_t *len,
                         char *why, size_t why_len)
{
    int xpath = 0;
    if (!signing) {
        int base64 = base64_reference_run(reference, octets, len, why, why_len);
        if (base64 != NOT_BASE64)
            return base64;
        if (xades_xpath_transforms_check(reference, &xpath, why, why_len) < 0)
            return -1;
    }
    xmlSecDSigCtxPtr dsig = xmlSecDSigCtxCreate(NULL);
    xmlSecDSigReferenceCtxPtr ref = NULL;
    int result = -1;
    if (!dsig || sign_xml_restrict_transforms(dsig, SIGN_XML_LEGACY_DIGESTS | SIGN_XML_BASE64 |
                                                        (xpath ? SIGN_XML_XPATH : 0)) < 0) {
        snprintf(why, why_len, "cannot set up xmlsec");
        goto done;
    }
    dsig->operation = signing ? xmlSecTransformOperationSign : xmlSecTransformOperationVerify;
    /* Same-document references only: no file, no network (detached content is digested by
     * segl itself, from a path it has checked). */
    dsig->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
    if (octets)
        dsig->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    ref = xmlSecDSigReferenceCtxCreate(dsig, xmlSecDSigReferenceOriginSignedInfo);
    if (!ref) {
        snprintf(why, why_len, "cannot set up xmlsec");
        goto done;
    }
    if (xmlSecDSigReferenceCtxProcessNode(ref, reference) < 0) {
        snprintf(why, why_len, "the reference cannot be processed (unsupported transform or "
                               "digest, or malformed)");
        goto done;
    }
    result = ref->status == xmlSecDSigStatusSucceeded ? 1 : 0;
    if (octets) {
        xmlSecBufferPtr buffer = xmlSecDSigReferenceCtxGetPreDigestBuffer(ref);
        xmlSecSize size = buffer ? xmlSecBufferGetSize(buffer) : 0;
        *octets = buffer ? malloc(size + 1) : NULL;
        if (!*octets) {
            snprintf(why, why_len, "the reference's data cannot be kept");
            result = -1;
            goto done;
        }
        if (size)
            memcpy(*octets, xmlSecBufferGetData(buffer), size);
        *len = size;
    }
done:
    if (ref)
        xmlSecDSigReferenceCtxDestroy(ref);
    if (dsig)
        xmlSecDSigCtxDestroy(dsig);
    return result;
}

int xades_reference_process(xmlNodePtr reference, int signing, char *why, size_t why_len)
{
    return reference_run(reference, signing, NULL, NULL, why, why_len);
}

int xades_reference_octets(xmlNodePtr reference, unsigned char **out, size_t *len, char *why,
                           size_t why_len)
{
    return reference_run(reference, 0, out, len, why, why_len) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- SignedInfo */

static int inside(xmlNodePtr node, xmlNodePtr ancestor)
{
    for (; node; node = node->parent)
        if (node == ancestor)
            return 1;
    return 0;
}

/* What is canonicalised: the subtree at top, less the one at excluded (may be NULL). */
struct c14n_scope {
    xmlNodePtr top, excluded;
};

static int subtree_visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
    const struct c14n_scope *scope = user;
    if (node && node->type == XML_NAMESPACE_DECL)
        node = parent;
    return inside(node, scope->top) && !(scope->excluded && inside(node, scope->excluded));
}

static const struct {
    const char *uri;
    int mode, comments;
} c14n_methods[] = {
    {"http://www.w3.org/2001/10/xml-exc-c14n#", XML_C14N_EXCLUSIVE_1_0, 0},
    {"http://www.w3.org/2001/10/xml-exc-c14n#WithComments", XML_C14N_EXCLUSIVE_1_0, 1},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315", XML_C14N_1_0, 0},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", XML_C14N_1_0, 1},
    {"http://www.w3.org/2006/12/xml-c14n11", XML_C14N_1_1, 0},
    {"http://www.w3.org/2006/12/xml-c14n11#WithComments", XML_C14N_1_1, 1},
};

static int c14n_scope_run(xmlDocPtr doc, struct c14n_scope *scope, xmlNodePtr method,
                          const char *default_uri, int no_comments, unsigned char **out,
                          size_t *len)
{
    xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
    const xmlChar *uri = algorithm ? algorithm : BAD_CAST default_uri;
    int chosen = -1;
    for (size_t i = 0; uri && i < sizeof c14n_methods / sizeof c14n_methods[0]; i++)
        if (xmlStrEqual(uri, BAD_CAST c14n_methods[i].uri))
            chosen = (int)i;
    xmlFree(algorithm);
    if (chosen < 0)
        return -1;

    /* Exclusive C14N: the InclusiveNamespaces PrefixList, if any. */
    xmlChar **prefixes = NULL, *prefix_list = NULL;
    xmlNodePtr inclusive = method ? method->children : NULL;
    while (inclusive && inclusive->type != XML_ELEMENT_NODE)
        inclusive = inclusive->next;
    if (inclusive && xmlStrEqual(inclusive->name, BAD_CAST "InclusiveNamespaces") &&
        c14n_methods[chosen].mode == XML_C14N_EXCLUSIVE_1_0) {
        prefix_list = xmlGetNoNsProp(inclusive, BAD_CAST "PrefixList");
        size_t count = 0, n = prefix_list ? (size_t)xmlStrlen(prefix_list) : 0;
        prefixes = calloc(n / 2 + 2, sizeof *prefixes);
        for (char *save = NULL, *token = prefixes && prefix_list
                                             ? strtok_r((char *)prefix_list, " \t\r\n", &save)
                                             : NULL;
             token; token = strtok_r(NULL, " \t\r\n", &save))
            prefixes[count++] = BAD_CAST token;
    }

    int rc = -1;
    xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
    if (buf && xmlC14NExecute(doc, subtree_visible, scope, c14n_methods[chosen].mode, prefixes,
                              c14n_methods[chosen].comments && !no_comments, buf) >= 0) {
        size_t size = xmlOutputBufferGetSize(buf);
        *out = malloc(size + 1);
        if (*out) {
            memcpy(*out, xmlOutputBufferGetContent(buf), size);
            *len = size;
            rc = 0;
        }
    }
    if (buf)
        xmlOutputBufferClose(buf);
    free(prefixes);
    xmlFree(prefix_list);
    return rc;
}

int xades_c14n_node(xmlNodePtr node, xmlNodePtr method, const char *default_uri,
                    unsigned char **out, size_t *len)
{
    struct c14n_scope scope = {node, NULL};
    return c14n_scope_run(node->doc, &scope, method, default_uri, 0, out, len);
}

int xades_c14n_document_without(xmlNodePtr excluded, xmlNodePtr method, unsigned char **out,
                                size_t *len)
{
    /* XMLDSig 4.4.3.3: URI="" is the document without comments; a node-set left at the end of
     * the transforms is canonicalised with Canonical XML 1.0. */
    struct c14n_scope scope = {(xmlNodePtr)excluded->doc, excluded};
    return c14n_scope_run(excluded->doc, &scope, method, XADES_INCL_C14N, 1, out, len);
}

int xades_c14n_signed_info(xmlNodePtr signed_info, unsigned char **out, size_t *len)
{
    xmlNodePtr method = sign_xml_child(signed_info, XADES_DSIG_NS, "CanonicalizationMethod");
    return method ? xades_c14n_node(signed_info, method, NULL, out, len) : -1;
}

/* ---------------------------------------------------------------- SignatureValue */

static int set_up_padding(const struct xades_sig_alg *alg, EVP_PKEY_CTX *pctx, const EVP_MD *md)
{
    if (alg->kind != XADES_KEY_RSA_PSS)
        return 1;
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
}

static int key_fits(const struct xades_sig_alg *alg, EVP_PKEY *pkey)
{
    if (alg->kind == XADES_KEY_EC)
        return EVP_PKEY_is_a(pkey, "EC");
    if (alg->kind == XADES_KEY_RSA)
        return EVP_PKEY_is_a(pkey, "RSA");
    return EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS");
}

/* XMLDSig 1.1 section 6.4.3: an ECDSA SignatureValue is r and s, each as long as the order. */
static size_t ec_half(EVP_PKEY *pkey) { return ((size_t)EVP_PKEY_get_bits(pkey) + 7) / 8; }

int xades_sign_bytes(const struct xades_sig_alg *alg, EVP_PKEY *pkey, const unsigned char *data,
                     size_t len, unsigned char **sig, size_t *sig_len)
{
    const EVP_MD *md = EVP_get_digestbyname(alg->digest);
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    int rc = -1;
    if (!md || !mdctx || !key_fits(alg, pkey) ||
        EVP_DigestSignInit(mdctx, &pctx, md, NULL, pkey) <= 0 || !set_up_padding(alg, pctx, md) ||
        EVP_DigestSign(mdctx, NULL, &der_len, data, len) <= 0 || !(der = malloc(der_len)) ||
        EVP_DigestSign(mdctx, der, &der_len, data, len) <= 0)
        goto done;
    if (alg->kind != XADES_KEY_EC) {
        *sig = der;
        *sig_len = der_len;
        der = NULL;
        rc = 0;
        goto done;
    }
    const unsigned char *p = der;
    ECDSA_SIG *ecdsa = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    size_t half = ec_half(pkey);
    unsigned char *raw = ecdsa ? malloc(2 * half) : NULL;
    if (raw && BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), raw, (int)half) == (int)half &&
        BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), raw + half, (int)half) == (int)half) {
        *sig = raw;
        *sig_len = 2 * half;
        rc = 0;
    } else {
        free(raw);
    }
    ECDSA_SIG_free(ecdsa);
done:
    free(der);
    EVP_MD_CTX_free(mdctx);
    return rc;
}

int xades_verify_bytes(const struct xades_sig_alg *alg, EVP_PKEY *pkey,
                       const unsigned char *data, size_t len, const unsigned char *sig,
                       size_t sig_len)
{
    const EVP_MD *md = EVP_get_digestbyname(alg->digest);
    unsigned char *der = NULL;
    int der_len = 0;
    if (!md || !key_fits(alg, pkey))
        return 0;
    if (alg->kind == XADES_KEY_EC) {
        size_t half = ec_half(pkey);
        ECDSA_SIG *ecdsa = ECDSA_SIG_new();
        BIGNUM *r = sig_len == 2 * half ? BN_bin2bn(sig, (int)half, NULL) : NULL;
        BIGNUM *s = r ? BN_bin2bn(sig + half, (int)half, NULL) : NULL;
        if (!ecdsa || !r || !s || !ECDSA_SIG_set0(ecdsa, r, s)) {
            BN_free(r);
            BN_free(s);
            ECDSA_SIG_free(ecdsa);
            return 0;
        }
        der_len = i2d_ECDSA_SIG(ecdsa, &der);
        ECDSA_SIG_free(ecdsa);
        if (der_len <= 0)
            return 0;
        sig = der;
        sig_len = (size_t)der_len;
    }
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = mdctx && EVP_DigestVerifyInit(mdctx, &pctx, md, NULL, pkey) > 0 &&
             set_up_padding(alg, pctx, md) && EVP_DigestVerify(mdctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(mdctx);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}
