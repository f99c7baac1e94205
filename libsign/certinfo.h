/* Certificate facts as JSON, for segl-inspect (inspect.c) and the format modules' signature
 * listings. Not installed. */
#ifndef LIBSIGN_CERTINFO_H
#define LIBSIGN_CERTINFO_H

#include <jansson.h>
#include <openssl/x509.h>

/* One JSON object describing cert (fields documented in segl-inspect(1)); NULL on memory
 * exhaustion. Nothing is validated: the facts are what the certificate says. */
json_t *sign_certinfo_json(const X509 *cert);

/* A name in RFC 2253 form, UTF-8, into buf ("" on failure). */
void sign_name_text(char *buf, size_t size, const X509_NAME *name);

/* The name of an algorithm or attribute OID: OpenSSL's short name when it has one, else the
 * dotted form. */
void sign_oid_text(char *buf, size_t size, const ASN1_OBJECT *oid);

#endif
