/* A CMS SignedData as received (RFC 5652 5.1), read with segl's own ASN.1 template, for the two
 * things OpenSSL's CMS decoder cannot give:
 * - the signed attributes in the encoding the signer sent: OpenSSL keeps them decoded and
 *   re-encodes them in DER (sorted) to verify, so a signer that signed them in another order
 *   (RFC 5652 5.4 asks for DER, not every signer complies) fails although its signature holds;
 * - RFC 5940 2.1 OtherRevocationInfoFormat entries in crls (id-ri-ocsp-response): OpenSSL 3.0
 *   refuses such a SignedData as a whole. They are taken out here, the rest handed to OpenSSL.
 * Every SET OF is kept in the order received and each element as its encoding (ANY), so that the
 * SignedData encoded again is the one received, minus what is left out. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include "formats/cms/cms.h"

#define OID_RI_OCSP_RESPONSE "1.3.6.1.5.5.7.16.2" /* id-ri-ocsp-response, RFC 5940 2.1 */

/* A SET OF whose elements keep the order received: the SET tag, but encoded as a SEQUENCE OF
 * (which ASN1_SET_OF would sort), so that encoding it again gives back the bytes received. */
#define SET_IN_ORDER(stname, field, type)                                                    \
    ASN1_EX_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL, V_ASN1_SET, \
                 stname, field, type)
#define IMP_SET_IN_ORDER_OPT(stname, field, type, tag)                                          \
    ASN1_EX_TYPE(ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT | ASN1_TFLG_OPTIONAL, \
                 tag, stname, field, type)

/* OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat OBJECT IDENTIFIER,
 *                                          otherRevInfo ANY DEFINED BY otherRevInfoFormat } */
typedef struct {
    ASN1_OBJECT *format;
    ASN1_TYPE *info;
} SEGL_OTHER_REVOCATION_INFO;

ASN1_SEQUENCE(SEGL_OTHER_REVOCATION_INFO) = {
    ASN1_SIMPLE(SEGL_OTHER_REVOCATION_INFO, format, ASN1_OBJECT),
    ASN1_SIMPLE(SEGL_OTHER_REVOCATION_INFO, info, ASN1_ANY),
} static_ASN1_SEQUENCE_END(SEGL_OTHER_REVOCATION_INFO)

/* RevocationInfoChoice's other alternative: [1] IMPLICIT OtherRevocationInfoFormat. */
ASN1_ITEM_TEMPLATE(SEGL_OTHER_REVOCATION_CHOICE) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_CONTEXT, 1, other,
                          SEGL_OTHER_REVOCATION_INFO)
static_ASN1_ITEM_TEMPLATE_END(SEGL_OTHER_REVOCATION_CHOICE)

/* SignedData ::= SEQUENCE { version, digestAlgorithms SET OF, encapContentInfo,
 *   certificates [0] IMPLICIT SET OF OPTIONAL, crls [1] IMPLICIT SET OF RevocationInfoChoice
 *   OPTIONAL, signerInfos SET OF SignerInfo }: each element kept as its encoding. */
typedef struct {
    ASN1_INTEGER *version;
    STACK_OF(ASN1_TYPE) *digest_algorithms;
    ASN1_TYPE *encap_content_info;
    STACK_OF(ASN1_TYPE) *certificates;
    STACK_OF(ASN1_TYPE) *crls;
    STACK_OF(ASN1_TYPE) *signer_infos;
} SEGL_SIGNED_DATA;

ASN1_SEQUENCE(SEGL_SIGNED_DATA) = {
    ASN1_SIMPLE(SEGL_SIGNED_DATA, version, ASN1_INTEGER),
    SET_IN_ORDER(SEGL_SIGNED_DATA, digest_algorithms, ASN1_ANY),
    ASN1_SIMPLE(SEGL_SIGNED_DATA, encap_content_info, ASN1_ANY),
    IMP_SET_IN_ORDER_OPT(SEGL_SIGNED_DATA, certificates, ASN1_ANY, 0),
    IMP_SET_IN_ORDER_OPT(SEGL_SIGNED_DATA, crls, ASN1_ANY, 1),
    SET_IN_ORDER(SEGL_SIGNED_DATA, signer_infos, ASN1_ANY),
} static_ASN1_SEQUENCE_END(SEGL_SIGNED_DATA)

/* ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT SignedData } */
typedef struct {
    ASN1_OBJECT *content_type;
    SEGL_SIGNED_DATA *signed_data;
} SEGL_CONTENT_INFO;

ASN1_SEQUENCE(SEGL_CONTENT_INFO) = {
    ASN1_SIMPLE(SEGL_CONTENT_INFO, content_type, ASN1_OBJECT),
    ASN1_EXP(SEGL_CONTENT_INFO, signed_data, SEGL_SIGNED_DATA, 0),
} static_ASN1_SEQUENCE_END(SEGL_CONTENT_INFO)

struct cms_received {
    unsigned char *der; /* a copy of the input, decoded only when needed */
    size_t len;
    SEGL_CONTENT_INFO *decoded;
    int decode_failed;
};

static void content_info_free(SEGL_CONTENT_INFO *ci)
{
    ASN1_item_free((ASN1_VALUE *)ci, ASN1_ITEM_rptr(SEGL_CONTENT_INFO));
}

cms_received *cms_received_new(const unsigned char *der, size_t len)
{
    cms_received *received = calloc(1, sizeof *received);
    if (!received || !(received->der = malloc(len ? len : 1))) {
        free(received);
        return NULL;
    }
    memcpy(received->der, der, len);
    received->len = len;
    return received;
}

void cms_received_free(cms_received *received)
{
    if (!received)
        return;
    content_info_free(received->decoded);
    free(received->der);
    free(received);
}

/* The SignedData, decoded on first use; NULL when it does not decode or is not SignedData. */
static SEGL_SIGNED_DATA *signed_data(cms_received *received)
{
    if (!received)
        return NULL;
    if (!received->decoded && !received->decode_failed) {
        const unsigned char *p = received->der;
        received->decoded = (SEGL_CONTENT_INFO *)ASN1_item_d2i(
            NULL, &p, (long)received->len, ASN1_ITEM_rptr(SEGL_CONTENT_INFO));
        if (received->decoded && OBJ_obj2nid(received->decoded->content_type) != NID_pkcs7_signed) {
            content_info_free(received->decoded);
            received->decoded = NULL;
        }
        received->decode_failed = received->decoded == NULL;
        ERR_clear_error();
    }
    return received->decoded ? received->decoded->signed_data : NULL;
}

/* The OtherRevocationInfoFormat an element of crls holds, or NULL for a CRL (or garbage). */
static SEGL_OTHER_REVOCATION_INFO *other_revocation_info(const ASN1_TYPE *element)
{
    if (!element || element->type != V_ASN1_OTHER || !element->value.asn1_string)
        return NULL;
    const unsigned char *p = element->value.asn1_string->data;
    long len = element->value.asn1_string->length;
    SEGL_OTHER_REVOCATION_INFO *other = (SEGL_OTHER_REVOCATION_INFO *)ASN1_item_d2i(
        NULL, &p, len, ASN1_ITEM_rptr(SEGL_OTHER_REVOCATION_CHOICE));
    if (other && p != element->value.asn1_string->data + len) {
        ASN1_item_free((ASN1_VALUE *)other, ASN1_ITEM_rptr(SEGL_OTHER_REVOCATION_INFO));
        other = NULL;
    }
    ERR_clear_error();
    return other;
}

CMS_ContentInfo *cms_received_without_other_revocation_info(cms_received *received)
{
    SEGL_SIGNED_DATA *sd = signed_data(received);
    if (!sd || !sd->crls)
        return NULL;
    /* Leave the other formats out of crls for the time of the encoding, then put them back. */
    STACK_OF(ASN1_TYPE) *all = sd->crls;
    STACK_OF(ASN1_TYPE) *crls_only = sk_ASN1_TYPE_new_null();
    if (!crls_only)
        return NULL;
    int left_out = 0;
    for (int i = 0; i < sk_ASN1_TYPE_num(all); i++) {
        ASN1_TYPE *element = sk_ASN1_TYPE_value(all, i);
        if (element->type == V_ASN1_OTHER)
            left_out++;
        else if (!sk_ASN1_TYPE_push(crls_only, element))
            left_out = -1;
    }
    CMS_ContentInfo *cms = NULL;
    if (left_out > 0) {
        sd->crls = sk_ASN1_TYPE_num(crls_only) > 0 ? crls_only : NULL;
        unsigned char *der = NULL;
        int len = ASN1_item_i2d((ASN1_VALUE *)received->decoded, &der,
                                ASN1_ITEM_rptr(SEGL_CONTENT_INFO));
        sd->crls = all;
        const unsigned char *p = der;
        if (len > 0)
            cms = d2i_CMS_ContentInfo(NULL, &p, len);
        OPENSSL_free(der);
    }
    sk_ASN1_TYPE_free(crls_only);
    ERR_clear_error();
    return cms;
}

STACK_OF(OCSP_RESPONSE) *cms_received_ocsp_responses(cms_received *received)
{
    /* Without the OID's encoding anywhere in the bytes there is no such entry: most signatures
     * are then not decoded a second time (a batch validates thousands). */
    static const unsigned char ocsp_oid_der[] = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x05,
                                                 0x05, 0x07, 0x10, 0x02};
    if (!received || !memmem(received->der, received->len, ocsp_oid_der, sizeof ocsp_oid_der))
        return NULL;
    SEGL_SIGNED_DATA *sd = signed_data(received);
    STACK_OF(OCSP_RESPONSE) *responses = NULL;
    ASN1_OBJECT *ocsp_format = OBJ_txt2obj(OID_RI_OCSP_RESPONSE, 1);
    for (int i = 0; sd && ocsp_format && i < sk_ASN1_TYPE_num(sd->crls); i++) {
        SEGL_OTHER_REVOCATION_INFO *other = other_revocation_info(sk_ASN1_TYPE_value(sd->crls, i));
        /* RFC 5940 2.1: otherRevInfo is an OCSPResponse (a SEQUENCE, kept as its encoding). */
        if (other && OBJ_cmp(other->format, ocsp_format) == 0 &&
            other->info->type == V_ASN1_SEQUENCE) {
            const unsigned char *p = other->info->value.sequence->data;
            OCSP_RESPONSE *response =
                d2i_OCSP_RESPONSE(NULL, &p, other->info->value.sequence->length);
            if (response && !responses)
                responses = sk_OCSP_RESPONSE_new_null();
            if (!response || !responses || !sk_OCSP_RESPONSE_push(responses, response))
                OCSP_RESPONSE_free(response);
        }
        ASN1_item_free((ASN1_VALUE *)other, ASN1_ITEM_rptr(SEGL_OTHER_REVOCATION_INFO));
    }
    ASN1_OBJECT_free(ocsp_format);
    ERR_clear_error();
    return responses;
}

unsigned char *cms_received_signed_attrs(cms_received *received, int index, size_t *len)
{
    SEGL_SIGNED_DATA *sd = signed_data(received);
    ASN1_TYPE *signer_info = sd ? sk_ASN1_TYPE_value(sd->signer_infos, index) : NULL;
    if (!signer_info || signer_info->type != V_ASN1_SEQUENCE)
        return NULL;
    /* SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT
     * SignedAttributes OPTIONAL, ... }: its elements as they were received (a context-tagged
     * one kept whole, tag and length included). */
    const unsigned char *p = signer_info->value.sequence->data;
    ASN1_SEQUENCE_ANY *fields = d2i_ASN1_SEQUENCE_ANY(NULL, &p, signer_info->value.sequence->length);
    ASN1_TYPE *attrs = sk_ASN1_TYPE_value(fields, 3);
    unsigned char *out = NULL;
    if (attrs && attrs->type == V_ASN1_OTHER && attrs->value.asn1_string->length > 1 &&
        attrs->value.asn1_string->data[0] == (V_ASN1_CONTEXT_SPECIFIC | V_ASN1_CONSTRUCTED | 0) &&
        (out = malloc((size_t)attrs->value.asn1_string->length))) {
        /* RFC 5652 5.4: what is signed is the same encoding with the SET OF tag instead of
         * [0] IMPLICIT (both one-octet identifiers). */
        *len = (size_t)attrs->value.asn1_string->length;
        memcpy(out, attrs->value.asn1_string->data, *len);
        out[0] = V_ASN1_CONSTRUCTED | V_ASN1_SET;
    }
    sk_ASN1_TYPE_pop_free(fields, ASN1_TYPE_free);
    ERR_clear_error();
    return out;
}
