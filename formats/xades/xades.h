/* XAdES module internals (ETSI EN 319 132-1 on xmlsec1 and libxml2), shared by xades*.c only. */
#ifndef SEGL_XADES_H
#define SEGL_XADES_H

#include <libxml/tree.h>
#include <openssl/evp.h>
#include "formats/format.h"
#include "libsign/xml/xml.h"

#define XADES_DSIG_NS SIGN_XML_DSIG_NS
#define XADES_NS "http://uri.etsi.org/01903/v1.3.2#"
#define XADES141_NS "http://uri.etsi.org/01903/v1.4.1#"
#define XADES_SIGNED_PROPS_TYPE "http://uri.etsi.org/01903#SignedProperties"
#define XADES_COUNTERSIGNED_TYPE "http://uri.etsi.org/01903#CountersignedSignature"
#define XADES_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define XADES_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define XADES_BASE64 "http://www.w3.org/2000/09/xmldsig#base64"
#define XADES_XPATH_TRANSFORM "http://www.w3.org/TR/1999/REC-xpath-19991116"
#define XADES_XPATH2_TRANSFORM "http://www.w3.org/2002/06/xmldsig-filter2"
/* The XAdES time-stamp container's canonicalisation when it names none (Canonical XML 1.0). */
#define XADES_INCL_C14N "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"

/* ---- xades_alg.c: a signature algorithm of XMLDSig (RFC 6931) mapped to OpenSSL */
enum xades_key_kind { XADES_KEY_RSA, XADES_KEY_RSA_PSS, XADES_KEY_EC };
struct xades_sig_alg {
    const char *uri;
    enum xades_key_kind kind;
    const char *digest; /* OpenSSL name */
    int weak;           /* SHA-1: no longer reliable */
};
const struct xades_sig_alg *xades_sig_alg_by_uri(const char *uri);
const struct xades_sig_alg *xades_sig_alg_for_key(EVP_PKEY *pkey, const char *digest);
/* DigestMethod URI <-> OpenSSL digest; weak set for SHA-1. NULL when unknown. */
const EVP_MD *xades_digest_by_uri(const char *uri, int *weak);
const char *xades_digest_uri(const char *digest);

/* ---- xades_parse.c: where things are in the bytes a document was parsed from, for splicing */
/* Where the root element's end tag starts in bytes (for splicing an enveloped signature); when
 * the root is written <root/>, *self_closing is set and the offset is that of its '/'. -1 when
 * it cannot be found. */
long xades_root_end_offset(const unsigned char *bytes, size_t len, xmlNodePtr root,
                           int *self_closing);
/* Where one element is in bytes (the document doc was parsed from, which has no DTD): start is
 * its '<', content the byte after its start tag, end_tag where its end tag starts (for <a/>: the
 * '/'), end the byte after it. Found by counting start tags in document order. 0, or -1. */
struct xades_span {
    size_t start, content, end_tag, end;
    int empty; /* written <a .../> */
};
int xades_element_span(const unsigned char *bytes, size_t len, xmlNodePtr element,
                       struct xades_span *span);
/* write_all for splicing: every byte of data to out, or SIGN_EIO with a message on ctx. */
int xades_write_all(sign_ctx *ctx, BIO *out, const void *data, size_t len);

/* ---- xades_read.c: a signature's parts, read the same for validating and augmenting */
/* The whole XML document src holds, read into one malloc'd block (at most SIGN_XML_MAX_BYTES),
 * with libxml2 and xmlsec set up. 0, or -1 with *why set to a static message. */
int xades_read_source(const sign_source *src, unsigned char **bytes, size_t *len, const char **why);
/* The text content of node as a malloc'd string; NULL when node is NULL. */
char *xades_node_text(xmlNodePtr node);
/* The QualifyingProperties of signature (NULL when none); *count says how many there are. */
xmlNodePtr xades_qualifying_properties(xmlNodePtr signature, int *count);
/* The certificates in a signature's KeyInfo/X509Data, in document order. */
STACK_OF(X509) *xades_key_info_certs(const sign_ctx *ctx, xmlNodePtr signature);
/* The CRLs in a signature's KeyInfo/X509Data (X509CRL), in document order. */
STACK_OF(X509_CRL) *xades_key_info_crls(xmlNodePtr signature);
/* Every ds:Signature under node, in document order, at most max. */
void xades_collect_signatures(xmlNodePtr node, xmlNodePtr *found, int *count, int max);

/* ---- xades_xpath.c: the limits on XPath and XPath Filter 2.0 transforms */
/* Each XPath expression of reference's transforms evaluated within segl's limits (length,
 * operations, XPath 1.0 core functions and here() only), before xmlsec runs them; *filtered
 * set when there is one (what the reference signs is then a selection). 0, or -1 with why. */
int xades_xpath_transforms_check(xmlNodePtr reference, int *filtered, char *why, size_t why_len);
/* Whether reference has an XPath or XPath Filter 2.0 transform. */
int xades_reference_has_xpath(xmlNodePtr reference);

/* ---- xades_dsig.c: XMLDSig core shared by signing and validation */
/* Process one ds:Reference through xmlsec (same-document URIs only): sign mode fills
 * DigestValue; verify mode returns 1 when the digest matches, 0 when not, -1 on error. A
 * Reference with the base64 transform is validated by segl, not xmlsec (see xades_dsig.c). */
int xades_reference_process(xmlNodePtr reference, int signing, char *why, size_t why_len);
/* The octets a same-document ds:Reference digests (after its transforms; a node-set result
 * canonicalised as XMLDSig does), malloc'd. 0, or -1 with why. */
int xades_reference_octets(xmlNodePtr reference, unsigned char **out, size_t *len, char *why,
                           size_t why_len);
/* The canonical form of the subtree at node under method (a ds:CanonicalizationMethod element,
 * with its InclusiveNamespaces), or under default_uri when method is NULL. 0, or -1 when the
 * algorithm is unknown or canonicalisation fails. */
int xades_c14n_node(xmlNodePtr node, xmlNodePtr method, const char *default_uri,
                    unsigned char **out, size_t *len);
/* The canonical form of the whole document without comments and without the subtree at
 * excluded, under method (a ds:Transform naming a canonicalisation) or Canonical XML 1.0 when
 * method is NULL: what URI="" with the enveloped-signature transform signs for the signature
 * excluded. 0, or -1. */
int xades_c14n_document_without(xmlNodePtr excluded, xmlNodePtr method, unsigned char **out,
                                size_t *len);
/* The canonical form of ds:SignedInfo under its CanonicalizationMethod. */
int xades_c14n_signed_info(xmlNodePtr signed_info, unsigned char **out, size_t *len);
/* Sign data under alg with pkey: the XMLDSig SignatureValue bytes (ECDSA as r||s). */
int xades_sign_bytes(const struct xades_sig_alg *alg, EVP_PKEY *pkey, const unsigned char *data,
                     size_t len, unsigned char **sig, size_t *sig_len);
/* 1 valid, 0 invalid. */
int xades_verify_bytes(const struct xades_sig_alg *alg, EVP_PKEY *pkey,
                       const unsigned char *data, size_t len, const unsigned char *sig,
                       size_t sig_len);
/* Digest of DER certificate cert under md into out (EVP_MAX_MD_SIZE). */
int xades_cert_digest(X509 *cert, const EVP_MD *md, unsigned char *out, unsigned int *len);

/* ---- detached data objects held elsewhere (files next to the signature, an ASiC container's
 * members) */
/* Opens the data object a detached Reference names (its URI unescaped) for reading, streaming;
 * NULL when there is no such object (why says so). Free the BIO with BIO_free. */
typedef BIO *xades_open_fn(void *arg, const char *name, char *why, size_t why_len);
struct xades_content {
    xades_open_fn *open;
    void *arg;
};

/* ---- xades_content.c: detached content in files next to the signature file */
/* A detached Reference URI as a file next to sig_path: "%s" of out; -1 for anything that could
 * reach elsewhere (absolute, "..", schemes), and when sig_path is NULL. */
int xades_resolve_relative(const char *sig_path, const char *uri, char *out, size_t size);
/* An xades_open_fn over files next to the signature file arg (a const char * path; NULL when the
 * signature is not a file: then nothing is found). */
BIO *xades_open_relative(void *arg, const char *name, char *why, size_t why_len);

/* ---- xades_sign.c: signing (EN 319 132-1 clause 6) */
int xades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out);
/* What xades_sign_objects signs and where the signature goes. */
struct xades_objects {
    const char *const *names;   /* the data objects, one detached Reference each */
    const char *const *mimes;   /* their MIME types (DataObjectFormat), count of them */
    size_t count;
    struct xades_content content;
    /* The root element the ds:Signature goes in (EN 319 162-1 A.5: asic:XAdESSignatures);
     * root_name NULL: the ds:Signature is the root. */
    const char *root_ns, *root_prefix, *root_name;
};
/* A detached XAdES signature over objects at opts->level (B-T and B-LT through xades_augment),
 * the whole document written to out. URIs are the names percent-encoded ('/' kept). */
int xades_sign_objects(sign_ctx *ctx, const sign_key *key, const sign_options *opts,
                       const struct xades_objects *objects, BIO *out);
/* The MIME type segl gives content that starts with head. */
const char *xades_mime_type(const unsigned char *head, size_t len);

/* ---- xades_verify.c: validation */
void xades_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                  const sign_source *content);
/* Validate every signature in the XML document bytes, opening detached content through content
 * (never as files). */
void xades_verify_memory(const sign_ctx *ctx, sign_report *report, const unsigned char *bytes,
                         size_t len, const struct xades_content *content);

/* Validate signature, the one ds:Signature that the root element of doc (IDs registered) wraps
 * and nothing else (OpenSign's openoces:signature), into sig: as an XAdES file's signature,
 * the wrapper not counting as unsigned content. The caller checks the wrapper's shape. */
void xades_verify_wrapped(const sign_ctx *ctx, sign_sig *sig, xmlDocPtr doc, xmlNodePtr signature);

/* ---- xades_signtext.c: NemLog-in3's SignedDocument (the sign text around an enveloped XAdES) */
struct xades_sign_text {
    const char *mime;              /* "text/plain", "text/html", "application/xml", "application/pdf" */
    unsigned char *document;       /* decoded, document_len bytes, NUL-terminated */
    size_t document_len;
    unsigned char *transformation; /* XMLDocument: its XSLT stylesheet, decoded; else NULL */
    size_t transformation_len;
};
/* The sign text of doc when its root is a NemLog-in SignedDocument: 1 and text filled
 * (xades_sign_text_clear it); 0 when the root is something else; -1 with why when it is a
 * SignedDocument of another shape. */
int xades_signed_document_text(xmlDocPtr doc, struct xades_sign_text *text, char *why,
                               size_t why_len);
void xades_sign_text_clear(struct xades_sign_text *text);

/* ---- xades_lt.c: the unsigned properties of the long-term levels (EN 319 132-1 5.3, 5.4) */
/* Augment every XAdES signature in bytes to opts->level (B-T: a SignatureTimeStamp, B-LT: also
 * CertificateValues and RevocationValues) and write the whole document to out: the bytes
 * outside each signature's UnsignedSignatureProperties stay as they were. */
int xades_augment(sign_ctx *ctx, const sign_options *opts, const unsigned char *bytes, size_t len,
                  const struct xades_content *content, BIO *out);
int xades_extend(sign_ctx *ctx, const sign_options *opts, const sign_source *src, BIO *out);

/* ---- xades_archive.c: B-LTA (EN 319 132-1 5.5.2) */
/* The digest under md of an ArchiveTimeStamp's input (5.5.2.2) for signature: each Reference's
 * data (detached content opened through content), SignedInfo, SignatureValue, KeyInfo, the
 * unsigned signature properties before `before` (NULL: all of them) and the ds:Objects no
 * Reference signs but the QualifyingProperties', each canonicalised under method (a
 * ds:CanonicalizationMethod) or default_uri. IDs must be registered. 0, or -1 with why. */
int xades_archive_digest(xmlNodePtr signature, xmlNodePtr method, const char *default_uri,
                         xmlNodePtr before, const struct xades_content *content,
                         const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                         char *why, size_t why_len);

#endif
