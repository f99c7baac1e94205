/* CMS SignerInfo checks and additions shared by the CMS-based formats (cms.c): the SignerInfo reading and checks of every format built on CMS. */
#ifndef SEGL_FORMATS_CMS_H
#define SEGL_FORMATS_CMS_H

#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include "libsign/internal.h"
#include "libsign/validation/evidence.h"

/* The DER of a SEQUENCE-valued attribute value (a timestamp token), or NULL. */
const unsigned char *cms_sequence_der(const ASN1_TYPE *value, size_t *len);
/* The single value of a signed attribute; *count: 0 absent, 1 once, 2 more than once. */
ASN1_TYPE *cms_single_signed_attr(CMS_SignerInfo *si, int nid, int *count);
/* "S-" and the start of the SHA-256 of the signature value; also records that digest. */
void cms_signature_id(CMS_SignerInfo *si, sign_sig *sig);
/* EN 319 122-1 5.2.2.3 signing-certificate(-v2) against signer: 1 present and matching, 0
 * absent; a mismatch or malformed attribute is recorded on sig. */
int cms_check_signing_certificate(CMS_SignerInfo *si, X509 *signer, sign_sig *sig);
/* MD5/SHA-1 (and older) digests: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE. */
void cms_check_digest_strength(CMS_SignerInfo *si, sign_sig *sig);
/* EN 319 122-1 5.3: a signature-time-stamp unsigned attribute from the TSA at tsa_url. */
int cms_add_signature_timestamp(sign_ctx *ctx, CMS_SignerInfo *si, const EVP_MD *md,
                                const char *tsa_url);
/* Checks every signature-time-stamp of si over the signature value and adds each result to
 * ev, for the validation process to judge. */
void cms_signature_timestamps(const sign_ctx *ctx, CMS_SignerInfo *si, sign_evidence *ev);

/* The SignedData as received (cms_received.c): its signed attributes in the encoding the
 * signer sent, and the RFC 5940 revocation data in crls that OpenSSL 3.0 cannot read. */
typedef struct cms_received cms_received;
/* Keeps a copy of der (decoded only when asked); NULL on memory exhaustion. */
cms_received *cms_received_new(const unsigned char *der, size_t len);
void cms_received_free(cms_received *received);
/* The same SignedData for OpenSSL, its crls' OtherRevocationInfoFormat entries left out; NULL
 * when there are none or it does not decode. */
CMS_ContentInfo *cms_received_without_other_revocation_info(cms_received *received);
/* RFC 5940 2.1: the OCSP responses (id-ri-ocsp-response) in crls; NULL when there are none. */
STACK_OF(OCSP_RESPONSE) *cms_received_ocsp_responses(cms_received *received);
/* The index-th SignerInfo's signedAttrs as received, re-tagged SET OF (RFC 5652 5.4), malloc'd;
 * NULL when absent or unreadable. */
unsigned char *cms_received_signed_attrs(cms_received *received, int index, size_t *len);

/* Decode a CMS ContentInfo from DER, its certificates through the context's cache (decoded
 * once per batch, not once per file); other shapes are decoded the ordinary way, and a
 * SignedData OpenSSL refuses for RFC 5940 revocation data in crls is read without it. When
 * received is not NULL, *received is set to the SignedData as received (free it). */
CMS_ContentInfo *cms_read(const sign_ctx *ctx, const unsigned char *der, size_t len,
                          cms_received **received);

/* The digest a CMS signature may be made with, by its OpenSSL name: SHA-256, SHA-384 or SHA-512
 * (ETSI TS 119 312); NULL for any other. */
const EVP_MD *cms_allowed_digest(const char *name);

/* Adds key's signer to cms (signing-certificate-v2 included; explicit RSASSA-PSS parameters
 * for a PSS key), to be signed when the content has been read. NULL, message on ctx, on error. */
CMS_SignerInfo *cms_add_signer(sign_ctx *ctx, CMS_ContentInfo *cms, const sign_key *key,
                               const EVP_MD *md);

/* Checks the signature over the signed attributes and that content-type and message-digest are
 * each signed once; records failures on sig. Returns whether there are signed attributes.
 * received (may be NULL) and index name the SignerInfo as received: a signature over signed
 * attributes sent in another encoding than DER is checked over that encoding. */
int cms_check_signed_attributes(CMS_SignerInfo *si, sign_sig *sig, cms_received *received,
                                int index);
/* Whether the signer's public key could be decoded; if not, records INDETERMINATE on sig (the
 * signature cannot be checked, which is not a signature that fails). */
int cms_signer_key_readable(CMS_SignerInfo *si, sign_sig *sig);

#endif
