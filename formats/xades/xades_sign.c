/* XAdES signing (ETSI EN 319 132-1 clause 6) at B-B, and through xades_lt.c at B-T and B-LT:
 * enveloped (the default for XML: the ds:Signature is spliced into the original bytes, which stay
 * byte-for-byte the same around it), enveloping (content in a ds:Object) and detached (default
 * for other content, referenced by its file name and digested streaming). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include <openssl/rand.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/crypto.h>
#include "xades.h"

struct ids {
    char signature[40], signed_props[48], content_ref[48], object[48];
};

static int make_ids(struct ids *ids)
{
    unsigned char random[8];
    if (RAND_bytes(random, sizeof random) != 1)
        return -1;
    char hex[17];
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", random[i]);
    snprintf(ids->signature, sizeof ids->signature, "id-%s", hex);
    snprintf(ids->signed_props, sizeof ids->signed_props, "xades-id-%s", hex);
    snprintf(ids->content_ref, sizeof ids->content_ref, "r-id-%s-1", hex);
    snprintf(ids->object, sizeof ids->object, "o-id-%s", hex);
    return 0;
}

static xmlSecTransformId digest_transform(const char *digest)
{
    if (strcmp(digest, "sha384") == 0)
        return xmlSecTransformSha384Id;
    if (strcmp(digest, "sha512") == 0)
        return xmlSecTransformSha512Id;
    return xmlSecTransformSha256Id;
}

static const char *mime_type(const unsigned char *head, size_t len, int xml)
{
    if (xml)
        return "text/xml";
    if (len >= 5 && memcmp(head, "%PDF-", 5) == 0)
        return "application/pdf";
    for (size_t i = 0; i < len; i++)
        if (head[i] < 0x09 || (head[i] > 0x0d && head[i] < 0x20) || head[i] == 0x7f)
            return "application/octet-stream";
    return "text/plain";
}

const char *xades_mime_type(const unsigned char *head, size_t len)
{
    return mime_type(head, len, sign_xml_looks_like_xml(head, len));
}

/* ETSI EN 319 132-1 5.2: SigningTime, SigningCertificateV2 and a DataObjectFormat for each of the
 * count content references (ref_ids without '#'), in a QualifyingProperties that targets the
 * signature. Returns the SignedProperties element. */
static xmlNodePtr add_qualifying_properties(xmlNodePtr signature, const struct ids *ids,
                                            const sign_key *key, const sign_options *opts,
                                            const char *const *ref_ids, const char *const *mimes,
                                            size_t count)
{
    xmlNsPtr ds = xmlSearchNsByHref(signature->doc, signature, BAD_CAST XADES_DSIG_NS);
    xmlNodePtr object = xmlSecTmplSignatureAddObject(signature, NULL, NULL, NULL);
    xmlNodePtr qualifying = object ? xmlNewChild(object, NULL, BAD_CAST "QualifyingProperties", NULL) : NULL;
    if (!qualifying)
        return NULL;
    xmlNsPtr xades = xmlNewNs(qualifying, BAD_CAST XADES_NS, BAD_CAST "xades");
    xmlSetNs(qualifying, xades);
    char target[48];
    snprintf(target, sizeof target, "#%s", ids->signature);
    xmlNewProp(qualifying, BAD_CAST "Target", BAD_CAST target);
    xmlNodePtr props = xmlNewChild(qualifying, xades, BAD_CAST "SignedProperties", NULL);
    xmlNewProp(props, BAD_CAST "Id", BAD_CAST ids->signed_props);
    xmlNodePtr sig_props = xmlNewChild(props, xades, BAD_CAST "SignedSignatureProperties", NULL);

    time_t when = opts->signing_time != (time_t)-1 ? opts->signing_time : time(NULL);
    struct tm utc;
    char stamp[32];
    gmtime_r(&when, &utc);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    xmlNewChild(sig_props, xades, BAD_CAST "SigningTime", BAD_CAST stamp);

    /* 5.2.2: the digest of the signing certificate binds the signature to it. */
    const EVP_MD *md = EVP_get_digestbyname(opts->digest);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (!md || xades_cert_digest(key->cert, md, digest, &digest_len) != 0)
        return NULL;
    char *digest_b64 = sign_xml_base64(digest, digest_len);
    xmlNodePtr cert = xmlNewChild(xmlNewChild(sig_props, xades, BAD_CAST "SigningCertificateV2", NULL),
                                  xades, BAD_CAST "Cert", NULL);
    xmlNodePtr cert_digest = xmlNewChild(cert, xades, BAD_CAST "CertDigest", NULL);
    xmlNodePtr method = xmlNewChild(cert_digest, ds, BAD_CAST "DigestMethod", NULL);
    xmlNewProp(method, BAD_CAST "Algorithm", BAD_CAST xades_digest_uri(opts->digest));
    xmlNewChild(cert_digest, ds, BAD_CAST "DigestValue", BAD_CAST digest_b64);
    free(digest_b64);

    /* 5.2.4: the MIME type of each signed data object. */
    xmlNodePtr object_props = xmlNewChild(props, xades, BAD_CAST "SignedDataObjectProperties", NULL);
    for (size_t i = 0; i < count; i++) {
        char reference[64];
        snprintf(reference, sizeof reference, "#%s", ref_ids[i]);
        xmlNodePtr format = xmlNewChild(object_props, xades, BAD_CAST "DataObjectFormat", NULL);
        xmlNewProp(format, BAD_CAST "ObjectReference", BAD_CAST reference);
        xmlNewChild(format, xades, BAD_CAST "MimeType", BAD_CAST mimes[i]);
    }
    return props;
}

static int add_key_info(xmlNodePtr signature, const sign_key *key)
{
    xmlNodePtr x509 = xmlSecTmplKeyInfoAddX509Data(xmlSecTmplSignatureEnsureKeyInfo(signature, NULL));
    if (!x509)
        return -1;
    int count = 1 + (key->chain ? sk_X509_num(key->chain) : 0);
    for (int i = 0; i < count; i++) {
        X509 *cert = i == 0 ? key->cert : sk_X509_value(key->chain, i - 1);
        unsigned char *der = NULL;
        int len = i2d_X509(cert, &der);
        char *b64 = len > 0 ? sign_xml_base64(der, (size_t)len) : NULL;
        OPENSSL_free(der);
        /* xmlSecTmplX509DataAddCertificate adds only one: the chain follows the signer's. */
        xmlNodePtr node = b64 ? xmlNewChild(x509, x509->ns, BAD_CAST "X509Certificate", BAD_CAST b64)
                              : NULL;
        free(b64);
        if (!node)
            return -1;
    }
    return 0;
}

/* Digest every same-document Reference, then the SignatureValue over the canonical SignedInfo. */
static int compute_signature(sign_ctx *ctx, xmlNodePtr signature, const sign_key *key,
                             const struct xades_sig_alg *alg)
{
    sign_xml_register_ids(signature->doc, NULL);
    xmlNodePtr signed_info = sign_xml_child(signature, XADES_DSIG_NS, "SignedInfo");
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); ref;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        int same_document = uri && (uri[0] == 0 || uri[0] == '#');
        xmlFree(uri);
        char why[200];
        if (same_document && xades_reference_process(ref, 1, why, sizeof why) < 0)
            return sign_seterr(ctx, SIGN_ECRYPTO, "%s", why);
    }
    unsigned char *canonical = NULL, *value = NULL;
    size_t canonical_len = 0, value_len = 0;
    if (xades_c14n_signed_info(signed_info, &canonical, &canonical_len) != 0)
        return sign_seterr(ctx, SIGN_ECRYPTO, "cannot canonicalise SignedInfo");
    int rc = xades_sign_bytes(alg, key->pkey, canonical, canonical_len, &value, &value_len);
    free(canonical);
    if (rc != 0)
        return sign_seterr(ctx, SIGN_ECRYPTO, "cannot compute the signature value");
    char *b64 = sign_xml_base64(value, value_len);
    free(value);
    if (!b64)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    xmlNodeSetContent(sign_xml_child(signature, XADES_DSIG_NS, "SignatureValue"), BAD_CAST b64);
    free(b64);
    return SIGN_OK;
}

/* The signature template: SignedInfo with the content Reference (added by the caller through
 * content_ref) and the SignedProperties Reference, KeyInfo with the certificates, the XAdES
 * properties. */
static xmlNodePtr new_signature(xmlDocPtr doc, const struct ids *ids, const sign_options *opts,
                                const struct xades_sig_alg *alg)
{
    xmlNodePtr signature = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
                                                           xmlSecTransformRsaSha256Id,
                                                           BAD_CAST ids->signature, BAD_CAST "ds");
    if (!signature)
        return NULL;
    /* The template names RSA-SHA256; the algorithm actually used (PSS, ECDSA, other digests). */
    xmlNodePtr method = sign_xml_child(sign_xml_child(signature, XADES_DSIG_NS, "SignedInfo"),
                                    XADES_DSIG_NS, "SignatureMethod");
    xmlSetProp(method, BAD_CAST "Algorithm", BAD_CAST alg->uri);
    (void)opts;
    return signature;
}

static int add_signed_props_reference(xmlNodePtr signature, const struct ids *ids,
                                      const sign_options *opts)
{
    char uri[56];
    snprintf(uri, sizeof uri, "#%s", ids->signed_props);
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(signature, digest_transform(opts->digest), NULL,
                                                     BAD_CAST uri, BAD_CAST XADES_SIGNED_PROPS_TYPE);
    return ref && xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ? 0 : -1;
}

static int write_doc(sign_ctx *ctx, xmlDocPtr doc, BIO *out)
{
    xmlChar *mem = NULL;
    int size = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    if (!mem)
        return sign_seterr(ctx, SIGN_ENOMEM, "cannot serialise the signature");
    int rc = xades_write_all(ctx, out, mem, (size_t)size);
    rc = rc == SIGN_OK ? xades_write_all(ctx, out, "\n", 1) : rc;
    xmlFree(mem);
    return rc;
}

/* ---------------------------------------------------------------- enveloped */

static int sign_enveloped(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                          const struct xades_sig_alg *alg, const unsigned char *bytes, size_t len,
                          BIO *out)
{
    char why[300];
    xmlDocPtr doc = sign_xml_parse(bytes, len, why, sizeof why);
    if (!doc)
        return sign_seterr(ctx, SIGN_EINVAL, "%s", why);
    int rc = SIGN_OK;
    struct ids ids;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlChar *qname = root->ns && root->ns->prefix
                         ? xmlBuildQName(root->name, root->ns->prefix, NULL, 0)
                         : xmlStrdup(root->name);
    int self_closing = 0;
    long end_tag = xades_root_end_offset(bytes, len, root, &self_closing);
    xmlBufferPtr dumped = NULL;
    if (end_tag < 0) {
        rc = sign_seterr(ctx, SIGN_EINVAL, "cannot find the end tag of the root element");
        goto done;
    }
    xmlNodePtr signature = make_ids(&ids) == 0 ? new_signature(doc, &ids, opts, alg) : NULL;
    /* EN 319 132-1 6.3.1 and XMLDSig 6.6.4: URI="" with the enveloped-signature transform
     * covers the whole document except this signature. */
    xmlNodePtr ref = signature ? xmlSecTmplSignatureAddReference(signature, digest_transform(opts->digest),
                                                                 BAD_CAST ids.content_ref, BAD_CAST "", NULL)
                               : NULL;
    if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
        !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId) ||
        add_signed_props_reference(signature, &ids, opts) != 0 || add_key_info(signature, key) != 0 ||
        !add_qualifying_properties(signature, &ids, key, opts, (const char *[]){ids.content_ref},
                                   (const char *[]){"text/xml"}, 1)) {
        xmlFreeNode(signature);
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
        goto done;
    }
    /* The last child of the root: where the splice below puts it in the bytes. */
    xmlAddChild(root, signature);
    rc = compute_signature(ctx, signature, key, alg);
    if (rc != SIGN_OK)
        goto done;
    dumped = xmlBufferCreate();
    if (!dumped || xmlNodeDump(dumped, doc, signature, 0, 0) < 0) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot serialise the signature");
        goto done;
    }
    const xmlChar *sig_bytes = xmlBufferContent(dumped);
    size_t sig_len = (size_t)xmlBufferLength(dumped);
    /* ASCII only, so that the splice is right in any ASCII-compatible document encoding. */
    for (size_t i = 0; i < sig_len; i++)
        if (sig_bytes[i] >= 0x80) {
            rc = sign_seterr(ctx, SIGN_EINVAL, "the signature is not ASCII");
            goto done;
        }
    size_t at = (size_t)end_tag;
    if (self_closing) { /* <root .../> becomes <root ...>SIGNATURE</root> */
        rc = xades_write_all(ctx, out, bytes, at);
        rc = rc ? rc : xades_write_all(ctx, out, ">", 1);
        rc = rc ? rc : xades_write_all(ctx, out, sig_bytes, sig_len);
        rc = rc ? rc : xades_write_all(ctx, out, "</", 2);
        rc = rc ? rc : xades_write_all(ctx, out, qname, (size_t)xmlStrlen(qname));
        rc = rc ? rc : xades_write_all(ctx, out, ">", 1);
        rc = rc ? rc : xades_write_all(ctx, out, bytes + at + 2, len - at - 2);
    } else {
        rc = xades_write_all(ctx, out, bytes, at);
        rc = rc ? rc : xades_write_all(ctx, out, sig_bytes, sig_len);
        rc = rc ? rc : xades_write_all(ctx, out, bytes + at, len - at);
    }
done:
    xmlBufferFree(dumped);
    xmlFree(qname);
    xmlFreeDoc(doc);
    return rc;
}

/* ---------------------------------------------------------------- enveloping, detached */

static int sign_standalone(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                           const struct xades_sig_alg *alg, int enveloping, int xml,
                           const unsigned char *head, size_t head_len, BIO *in, BIO *out)
{
    struct ids ids;
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr signature = doc && make_ids(&ids) == 0 ? new_signature(doc, &ids, opts, alg) : NULL;
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = SIGN_OK;
    if (!signature) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
        goto done;
    }
    xmlDocSetRootElement(doc, signature);
    xmlNodePtr ref = NULL;
    if (enveloping) {
        /* EN 319 132-1 6.3.2: the content in a ds:Object of the signature; XML as elements, other
         * content as base64 text that the base64 transform decodes before digesting. */
        const char *why = NULL;
        BIO *rest = BIO_new(BIO_s_mem());
        if (!rest || BIO_write(rest, head, (int)head_len) < 0) {
            BIO_free(rest);
            rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
            goto done;
        }
        unsigned char *tail = NULL;
        size_t tail_len = 0;
        if (sign_xml_read_all(in, &tail, &tail_len, &why) != 0) {
            BIO_free(rest);
            rc = sign_seterr(ctx, SIGN_EIO, "%s", why);
            goto done;
        }
        BIO_write(rest, tail, (int)tail_len);
        free(tail);
        len = (size_t)BIO_ctrl_pending(rest);
        bytes = malloc(len + 1);
        if (!bytes || BIO_read(rest, bytes, (int)len) != (int)len) {
            BIO_free(rest);
            rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
            goto done;
        }
        BIO_free(rest);
        bytes[len] = 0;
        char uri[56];
        snprintf(uri, sizeof uri, "#%s", ids.object);
        xmlNodePtr object = xmlSecTmplSignatureAddObject(signature, BAD_CAST ids.object,
                                                         BAD_CAST mime_type(head, head_len, xml),
                                                         xml ? NULL : BAD_CAST XADES_BASE64);
        ref = object ? xmlSecTmplSignatureAddReference(signature, digest_transform(opts->digest),
                                                       BAD_CAST ids.content_ref, BAD_CAST uri, NULL)
                     : NULL;
        if (!ref) {
            rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
            goto done;
        }
        if (xml) {
            char why_parse[300];
            xmlDocPtr content = sign_xml_parse(bytes, len, why_parse, sizeof why_parse);
            if (!content) {
                rc = sign_seterr(ctx, SIGN_EINVAL, "%s", why_parse);
                goto done;
            }
            xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(content), doc, 1);
            xmlFreeDoc(content);
            if (!copy || !xmlAddChild(object, copy) ||
                !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId)) {
                rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
                goto done;
            }
        } else {
            char *b64 = sign_xml_base64(bytes, len);
            if (!b64 || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformBase64Id)) {
                free(b64);
                rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
                goto done;
            }
            xmlNodeAddContent(object, BAD_CAST b64);
            free(b64);
        }
    } else {
        /* EN 319 132-1 6.3.3: detached, the Reference URI is the content's file name (relative,
         * so signature and content can move together); segl digests it streaming. */
        if (!opts->content_name || !*opts->content_name) {
            rc = sign_seterr(ctx, SIGN_EINVAL, "a detached XAdES signature names its content by "
                                               "file name: sign a file, not stdin");
            goto done;
        }
        xmlChar *uri = xmlURIEscapeStr(BAD_CAST opts->content_name, BAD_CAST "");
        ref = uri ? xmlSecTmplSignatureAddReference(signature, digest_transform(opts->digest),
                                                    BAD_CAST ids.content_ref, uri, NULL)
                  : NULL;
        xmlFree(uri);
        const EVP_MD *md = EVP_get_digestbyname(opts->digest);
        EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
        unsigned char digest[EVP_MAX_MD_SIZE], buf[65536];
        unsigned int digest_len = 0;
        int ok = ref && md && mdctx && EVP_DigestInit_ex(mdctx, md, NULL) &&
                 EVP_DigestUpdate(mdctx, head, head_len);
        int n;
        while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
            ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
        ok = ok && EVP_DigestFinal_ex(mdctx, digest, &digest_len);
        EVP_MD_CTX_free(mdctx);
        char *b64 = ok ? sign_xml_base64(digest, digest_len) : NULL;
        if (!b64) {
            rc = sign_seterr(ctx, SIGN_EIO, "cannot digest the content");
            goto done;
        }
        xmlNodeSetContent(sign_xml_child(ref, XADES_DSIG_NS, "DigestValue"), BAD_CAST b64);
        free(b64);
    }
    if (add_signed_props_reference(signature, &ids, opts) != 0 || add_key_info(signature, key) != 0 ||
        !add_qualifying_properties(signature, &ids, key, opts, (const char *[]){ids.content_ref},
                                   (const char *[]){mime_type(head, head_len, xml)}, 1)) {
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
        goto done;
    }
    rc = compute_signature(ctx, signature, key, alg);
    if (rc == SIGN_OK)
        rc = write_doc(ctx, doc, out);
done:
    free(bytes);
    xmlFreeDoc(doc);
    return rc;
}

/* What every signing path checks first; *alg gets the signature algorithm for key. */
static int prepare(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                   const struct xades_sig_alg **alg)
{
    if (sign_xml_init() != SIGN_OK)
        return sign_seterr(ctx, SIGN_ECRYPTO, "cannot initialise xmlsec");
    if (!opts->digest || !xades_digest_uri(opts->digest))
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           opts->digest ? opts->digest : "(none)");
    *alg = xades_sig_alg_for_key(key->pkey, opts->digest);
    if (!*alg)
        return sign_seterr(ctx, SIGN_EINVAL, "XAdES cannot sign with this kind of key");
    return SIGN_OK;
}

static int sign_basic(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in,
                      BIO *out)
{
    const struct xades_sig_alg *alg = NULL;
    int prepared = prepare(ctx, key, opts, &alg);
    if (prepared != SIGN_OK)
        return prepared;

    unsigned char head[SIGN_DETECT_BYTES];
    size_t head_len = 0;
    int n;
    while (head_len < sizeof head && (n = BIO_read(in, head + head_len, (int)(sizeof head - head_len))) > 0)
        head_len += (size_t)n;
    int xml = sign_xml_looks_like_xml(head, head_len);
    enum sign_packaging packaging = opts->packaging;
    if (packaging == SIGN_PACKAGING_DEFAULT)
        packaging = xml ? SIGN_PACKAGING_ENVELOPED : SIGN_PACKAGING_DETACHED;
    if (packaging == SIGN_PACKAGING_ENVELOPED && !xml)
        return sign_seterr(ctx, SIGN_EINVAL, "an enveloped XAdES signature needs XML content "
                                             "(use detached or enveloping)");
    if (packaging != SIGN_PACKAGING_ENVELOPED)
        return sign_standalone(ctx, key, opts, alg, packaging == SIGN_PACKAGING_ENVELOPING, xml,
                               head, head_len, in, out);

    unsigned char *tail = NULL, *bytes = NULL;
    size_t tail_len = 0;
    const char *why = NULL;
    if (sign_xml_read_all(in, &tail, &tail_len, &why) != 0)
        return sign_seterr(ctx, SIGN_EIO, "%s", why);
    if (head_len + tail_len > SIGN_XML_MAX_BYTES || !(bytes = malloc(head_len + tail_len + 1))) {
        free(tail);
        return sign_seterr(ctx, SIGN_EINVAL, "XML larger than 64 MiB is not supported");
    }
    memcpy(bytes, head, head_len);
    memcpy(bytes + head_len, tail, tail_len);
    free(tail);
    int rc = sign_enveloped(ctx, key, opts, alg, bytes, head_len + tail_len, out);
    free(bytes);
    return rc;
}

/* ---------------------------------------------------------------- data objects held elsewhere */

/* The digest under md of what content opens for name, streaming. */
static int digest_object(sign_ctx *ctx, const struct xades_content *content, const char *name,
                         const EVP_MD *md, unsigned char *digest, unsigned int *digest_len)
{
    char why[300] = "";
    BIO *in = content->open(content->arg, name, why, sizeof why);
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", name, why[0] ? why : "cannot be read");
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    unsigned char buf[65536];
    int n = 0, ok = mdctx && EVP_DigestInit_ex(mdctx, md, NULL);
    while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
    ok = ok && n == 0 && EVP_DigestFinal_ex(mdctx, digest, digest_len);
    EVP_MD_CTX_free(mdctx);
    BIO_free(in);
    return ok ? SIGN_OK : sign_seterr(ctx, SIGN_EIO, "%s: cannot be read to the end", name);
}

/* EN 319 132-1 6.3.3 and EN 319 162-1 4.4.2: one detached Reference per data object. */
static int sign_objects_basic(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                              const struct xades_objects *objects, BIO *out)
{
    const struct xades_sig_alg *alg = NULL;
    int rc = prepare(ctx, key, opts, &alg);
    if (rc != SIGN_OK)
        return rc;
    if (objects->count == 0 || objects->count > 9999)
        return sign_seterr(ctx, SIGN_EINVAL, "nothing to sign");
    struct ids ids;
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr signature = doc && make_ids(&ids) == 0 ? new_signature(doc, &ids, opts, alg) : NULL;
    char(*ref_ids)[48] = calloc(objects->count, sizeof *ref_ids);
    const char **ref_id_list = calloc(objects->count, sizeof *ref_id_list);
    const EVP_MD *md = EVP_get_digestbyname(opts->digest);
    if (!signature || !ref_ids || !ref_id_list || !md) {
        xmlFreeNode(signature);
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
        goto done;
    }
    if (objects->root_name) {
        xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST objects->root_name, NULL);
        xmlNsPtr ns = root ? xmlNewNs(root, BAD_CAST objects->root_ns,
                                      BAD_CAST objects->root_prefix) : NULL;
        if (!ns) {
            xmlFreeNode(root);
            xmlFreeNode(signature);
            rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
            goto done;
        }
        xmlSetNs(root, ns);
        xmlDocSetRootElement(doc, root);
        xmlAddChild(root, signature);
    } else {
        xmlDocSetRootElement(doc, signature);
    }
    for (size_t i = 0; i < objects->count && rc == SIGN_OK; i++) {
        snprintf(ref_ids[i], sizeof ref_ids[i], "r-%s-%zu", ids.signature, i + 1);
        ref_id_list[i] = ref_ids[i];
        xmlChar *uri = xmlURIEscapeStr(BAD_CAST objects->names[i], BAD_CAST "/");
        xmlNodePtr ref = uri ? xmlSecTmplSignatureAddReference(signature,
                                                               digest_transform(opts->digest),
                                                               BAD_CAST ref_ids[i], uri, NULL)
                             : NULL;
        xmlFree(uri);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        if (!ref) {
            rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
            break;
        }
        rc = digest_object(ctx, &objects->content, objects->names[i], md, digest, &digest_len);
        char *b64 = rc == SIGN_OK ? sign_xml_base64(digest, digest_len) : NULL;
        if (rc == SIGN_OK && !b64)
            rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        if (b64)
            xmlNodeSetContent(sign_xml_child(ref, XADES_DSIG_NS, "DigestValue"), BAD_CAST b64);
        free(b64);
    }
    if (rc == SIGN_OK &&
        (add_signed_props_reference(signature, &ids, opts) != 0 ||
         add_key_info(signature, key) != 0 ||
         !add_qualifying_properties(signature, &ids, key, opts, ref_id_list, objects->mimes,
                                    objects->count)))
        rc = sign_seterr(ctx, SIGN_ENOMEM, "cannot build the signature");
    if (rc == SIGN_OK)
        rc = compute_signature(ctx, signature, key, alg);
    if (rc == SIGN_OK)
        rc = write_doc(ctx, doc, out);
done:
    free(ref_ids);
    free(ref_id_list);
    xmlFreeDoc(doc);
    return rc;
}

/* B-T and above: the B-B signature in memory first, then its unsigned properties spliced in
 * exactly as segl-extend would (xades_lt.c). Signs in through basic_in or objects. */
static int sign_leveled(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                        BIO *basic_in, const struct xades_objects *objects, BIO *out)
{
    if (opts->level == SIGN_LEVEL_B_B)
        return objects ? sign_objects_basic(ctx, key, opts, objects, out)
                       : sign_basic(ctx, key, opts, basic_in, out);
    BIO *basic = BIO_new(BIO_s_mem());
    if (!basic)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = objects ? sign_objects_basic(ctx, key, opts, objects, basic)
                     : sign_basic(ctx, key, opts, basic_in, basic);
    char *data = NULL;
    long len = rc == SIGN_OK ? BIO_get_mem_data(basic, &data) : 0;
    if (rc == SIGN_OK)
        rc = len > 0 ? xades_augment(ctx, opts, (const unsigned char *)data, (size_t)len,
                                       objects ? &objects->content : NULL, out)
                     : sign_seterr(ctx, SIGN_EIO, "cannot write the signature");
    BIO_free(basic);
    return rc;
}

int xades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out)
{
    return sign_leveled(ctx, key, opts, in, NULL, out);
}

int xades_sign_objects(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                       const struct xades_objects *objects, BIO *out)
{
    return sign_leveled(ctx, key, opts, NULL, objects, out);
}
