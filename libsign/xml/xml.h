/* Generic XML reading for the core and the formats (XAdES, trusted lists): safe parsing of
 * untrusted bytes, IDs, walking by namespace, Base64, and the one XMLDSig transform policy.
 * Internal. */
#ifndef LIBSIGN_XML_H
#define LIBSIGN_XML_H

#include <stddef.h>
#include <libxml/tree.h>
#include <openssl/bio.h>
#include <xmlsec/xmldsig.h>

#define SIGN_XML_DSIG_NS "http://www.w3.org/2000/09/xmldsig#"

/* Largest XML document read into memory (a signed XML file, a trusted list). */
#define SIGN_XML_MAX_BYTES (64u * 1024 * 1024)

/* init.c: libxml2 and xmlsec1 set up once per process (thread-safe); 0 or a negative status. */
int sign_xml_init(void);

/* ---- parse.c */
/* Read all of in (at most SIGN_XML_MAX_BYTES). 0, or -1 with *why set to a static message. */
int sign_xml_read_all(BIO *in, unsigned char **out, size_t *len, const char **why);
/* Parse untrusted XML: no network, no DTD (a DOCTYPE stops the parser: entity expansion and
 * external entities are refused before they happen), no entity substitution. NULL with a
 * message in why (size why_len) when the bytes are not acceptable XML. */
xmlDocPtr sign_xml_parse(const unsigned char *bytes, size_t len, char *why, size_t why_len);

/* libxml2 reports some errors (parsing, C14N, IDs) through a handler that is per thread: a
 * reader of untrusted XML keeps them off stderr for its call with sign_xml_quiet_begin and puts
 * the caller's handler back with sign_xml_quiet_end. */
struct sign_xml_quiet {
    xmlStructuredErrorFunc handler;
    void *context;
};
void sign_xml_quiet_begin(struct sign_xml_quiet *saved);
void sign_xml_quiet_end(const struct sign_xml_quiet *saved);
/* Register every Id/ID/id attribute of the document as an XML ID, so that "#name" resolves.
 * Returns the number of ID values that occur more than once (those are refused when a
 * Reference points at them); *first_duplicate names one of them (owned by the document). */
int sign_xml_register_ids(xmlDocPtr doc, const xmlChar **first_duplicate);
/* How many elements carry value as an Id/ID/id attribute (0, 1 or more). */
int sign_xml_id_count(xmlDocPtr doc, const xmlChar *value);
/* Whether bytes look like XML (an XML declaration or an element first). */
int sign_xml_looks_like_xml(const unsigned char *head, size_t len);

/* ---- tree.c */
/* First child element (or next sibling, with next) in namespace ns named name, or NULL. */
xmlNodePtr sign_xml_child(xmlNodePtr parent, const char *ns, const char *name);
xmlNodePtr sign_xml_next(xmlNodePtr node, const char *ns, const char *name);
int sign_xml_is(xmlNodePtr node, const char *ns, const char *name);
/* Base64 of data as a NUL-terminated string (caller frees), or decode (whitespace ignored). */
char *sign_xml_base64(const unsigned char *data, size_t len);
unsigned char *sign_xml_unbase64(const char *text, size_t *len);

/* ---- transforms.c: what xmlsec may run, beyond canonicalisation, enveloped-signature and
 * SHA-2 reference digests (always allowed) */
enum {
    SIGN_XML_LEGACY_DIGESTS = 1 << 0,  /* SHA-1 reference digests, to be judged weak later */
    SIGN_XML_BASE64 = 1 << 1,          /* the base64 reference transform */
    SIGN_XML_SIGNATURE_VALUE = 1 << 2, /* xmlsec checks the SignatureValue (RSA/ECDSA, SHA-2) */
    SIGN_XML_XPATH = 1 << 3,           /* XPath and XPath Filter 2.0 reference transforms, their
                                          expressions checked by the caller first */
};
int sign_xml_restrict_transforms(xmlSecDSigCtxPtr dsig, unsigned int allow);

#endif
