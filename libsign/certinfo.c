/* Certificate facts for inspection: what a certificate says about itself (names, validity, key,
 * usages, policies, OCES identity, fingerprint), as JSON. Nothing here validates anything. */
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "internal.h"
#include "certinfo.h"
#include "json.h"

void sign_name_text(char *buf, size_t size, const X509_NAME *name)
{
    buf[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    /* RFC 2253 escaping, but UTF-8 kept as it is (Danish names) instead of \C3\B8 escapes. */
    if (mem && X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int n = BIO_read(mem, buf, (int)size - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

void sign_oid_text(char *buf, size_t size, const ASN1_OBJECT *oid)
{
    int nid = OBJ_obj2nid(oid);
    const char *name = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
    if (name)
        snprintf(buf, size, "%s", name);
    else if (OBJ_obj2txt(buf, (int)size, oid, 1) <= 0)
        snprintf(buf, size, "?");
}

static json_t *time_json(const ASN1_TIME *when)
{
    time_t t;
    char text[21];
    if (!when || sign_time_from_asn1(&t, when) != SIGN_OK)
        return json_null();
    sign_format_time(text, t);
    return json_string(text);
}

static json_t *serial_json(const X509 *cert)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    json_t *value = hex ? json_string(hex) : json_null();
    OPENSSL_free(hex);
    BN_free(bn);
    return value;
}

/* "RSASSA-PSS" for PSS (the name the OCES documents use), otherwise OpenSSL's long name, e.g.
 * "sha256WithRSAEncryption", "ecdsa-with-SHA256". */
static void signature_algorithm(json_t *obj, const X509 *cert)
{
    int nid = X509_get_signature_nid(cert);
    const char *name = nid == NID_rsassaPss ? "RSASSA-PSS" : OBJ_nid2ln(nid);
    int md_nid = NID_undef;
    if (!X509_get_signature_info((X509 *)cert, &md_nid, NULL, NULL, NULL))
        md_nid = NID_undef;
    ERR_clear_error();
    json_object_set_new(obj, "signature_algorithm", sign_json_text_or_null(name));
    json_object_set_new(obj, "signature_digest",
                        md_nid != NID_undef ? sign_json_text_or_null(OBJ_nid2ln(md_nid)) : json_null());
}

static void public_key(json_t *obj, const X509 *cert)
{
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    char curve[80] = "";
    if (pkey && EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
                                               sizeof curve, NULL) != 1)
        curve[0] = '\0';
    ERR_clear_error();
    json_object_set_new(obj, "key_type", pkey ? sign_json_text_or_null(EVP_PKEY_get0_type_name(pkey))
                                              : json_null());
    json_object_set_new(obj, "key_bits", pkey ? json_integer(EVP_PKEY_get_bits(pkey)) : json_null());
    json_object_set_new(obj, "key_curve", sign_json_text_or_null(curve));
}

/* RFC 5280 4.2.1.3 names; null when the extension is absent (any use allowed). */
static json_t *key_usage_json(const X509 *cert)
{
    static const struct { uint32_t bit; const char *name; } bits[] = {
        {KU_DIGITAL_SIGNATURE, "digitalSignature"}, {KU_NON_REPUDIATION, "nonRepudiation"},
        {KU_KEY_ENCIPHERMENT, "keyEncipherment"},   {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
        {KU_KEY_AGREEMENT, "keyAgreement"},         {KU_KEY_CERT_SIGN, "keyCertSign"},
        {KU_CRL_SIGN, "cRLSign"},                   {KU_ENCIPHER_ONLY, "encipherOnly"},
        {KU_DECIPHER_ONLY, "decipherOnly"},
    };
    uint32_t usage = X509_get_key_usage((X509 *)cert);
    if (usage == UINT32_MAX)
        return json_null();
    json_t *list = json_array();
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (usage & bits[i].bit)
            json_array_append_new(list, json_string(bits[i].name));
    return list;
}

static json_t *extended_key_usage_json(const X509 *cert)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
    if (!eku)
        return json_null();
    json_t *list = json_array();
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        char name[128];
        sign_oid_text(name, sizeof name, sk_ASN1_OBJECT_value(eku, i));
        json_array_append_new(list, sign_json_text(name));
    }
    EXTENDED_KEY_USAGE_free(eku);
    return list;
}

static json_t *policies_json(const X509 *cert)
{
    CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
    if (!pols)
        return json_null();
    json_t *list = json_array();
    for (int i = 0; i < sk_POLICYINFO_num(pols); i++) {
        const POLICYINFO *info = sk_POLICYINFO_value(pols, i);
        char oid[128];
        if (info && info->policyid && OBJ_obj2txt(oid, (int)sizeof oid, info->policyid, 1) > 0)
            json_array_append_new(list, json_string(oid));
    }
    CERTIFICATEPOLICIES_free(pols);
    return list;
}

/* The signer's "oces" object of segl-verify --json, plus the generation and whether an OCES
 * policy is present. */
static json_t *oces_json(const sign_oces_id *id)
{
    json_t *object = sign_oces_json(id);
    if (object) {
        json_object_set_new(object, "generation",
                            id->generation ? json_integer(id->generation) : json_null());
        json_object_set_new(object, "oces_policy", json_boolean(id->oces_policy));
    }
    return object;
}

static json_t *fingerprint_json(const X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!X509_digest(cert, EVP_sha256(), md, &len) || len == 0)
        return json_null();
    char text[3 * EVP_MAX_MD_SIZE];
    for (unsigned int i = 0; i < len; i++)
        snprintf(text + 3 * i, 4, "%02X%s", md[i], i + 1 < len ? ":" : "");
    return json_string(text);
}

json_t *sign_certinfo_json(const X509 *cert)
{
    json_t *obj = json_object();
    if (!obj || !cert)
        return obj;
    char name[2048];
    sign_oces_id oces;
    sign_oces_identify(&oces, cert);
    uint32_t flags = X509_get_extension_flags((X509 *)cert);

    sign_name_text(name, sizeof name, X509_get_subject_name(cert));
    json_object_set_new(obj, "subject", sign_json_text(name));
    sign_name_text(name, sizeof name, X509_get_issuer_name(cert));
    json_object_set_new(obj, "issuer", sign_json_text(name));
    json_object_set_new(obj, "serial", serial_json(cert));
    json_object_set_new(obj, "not_before", time_json(X509_get0_notBefore(cert)));
    json_object_set_new(obj, "not_after", time_json(X509_get0_notAfter(cert)));
    json_object_set_new(obj, "common_name", sign_json_text_or_null(oces.common_name));
    json_object_set_new(obj, "serial_number", sign_json_text_or_null(oces.serial_number));
    json_object_set_new(obj, "oces", oces_json(&oces));
    json_object_set_new(obj, "ca", json_boolean(flags & EXFLAG_CA));
    json_object_set_new(obj, "self_signed", json_boolean(flags & EXFLAG_SS));
    public_key(obj, cert);
    signature_algorithm(obj, cert);
    json_object_set_new(obj, "key_usage", key_usage_json(cert));
    json_object_set_new(obj, "extended_key_usage", extended_key_usage_json(cert));
    json_object_set_new(obj, "policies", policies_json(cert));
    json_object_set_new(obj, "sha256_fingerprint", fingerprint_json(cert));
    ERR_clear_error();
    return obj;
}

int sign_cert_is_ca(X509 *cert)
{
    return cert && (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
}
