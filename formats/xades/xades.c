/* XAdES (ETSI EN 319 132-1) baselines B, T and LT: the format class, the one-time library set-up
 * and the algorithm tables. Signing is in xades_sign.c, validation in xades_verify.c, XMLDSig
 * core in xades_dsig.c, safe parsing in xades_parse.c, the long-term levels (B-T, B-LT) and
 * extending in xades_lt.c. */
#include <pthread.h>
#include <string.h>
#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include "xades.h"

/* ---------------------------------------------------------------- algorithms */

static const struct xades_sig_alg sig_algs[] = {
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", XADES_KEY_RSA, "sha256", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", XADES_KEY_RSA, "sha384", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", XADES_KEY_RSA, "sha512", 0},
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", XADES_KEY_RSA, "sha1", 1},
    /* RFC 6931 2.3.10: RSASSA-PSS, MGF1 with the same digest, salt as long as the digest */
    {"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1", XADES_KEY_RSA_PSS, "sha256", 0},
    {"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1", XADES_KEY_RSA_PSS, "sha384", 0},
    {"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1", XADES_KEY_RSA_PSS, "sha512", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", XADES_KEY_EC, "sha256", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", XADES_KEY_EC, "sha384", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", XADES_KEY_EC, "sha512", 0},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", XADES_KEY_EC, "sha1", 1},
};

const struct xades_sig_alg *xades_sig_alg_by_uri(const char *uri)
{
    for (size_t i = 0; uri && i < sizeof sig_algs / sizeof sig_algs[0]; i++)
        if (strcmp(sig_algs[i].uri, uri) == 0)
            return &sig_algs[i];
    return NULL;
}

const struct xades_sig_alg *xades_sig_alg_for_key(EVP_PKEY *pkey, const char *digest)
{
    enum xades_key_kind kind = EVP_PKEY_is_a(pkey, "RSA-PSS") ? XADES_KEY_RSA_PSS
                               : EVP_PKEY_is_a(pkey, "EC")    ? XADES_KEY_EC
                                                              : XADES_KEY_RSA;
    if (kind == XADES_KEY_RSA && !EVP_PKEY_is_a(pkey, "RSA"))
        return NULL;
    for (size_t i = 0; i < sizeof sig_algs / sizeof sig_algs[0]; i++)
        if (sig_algs[i].kind == kind && !sig_algs[i].weak && strcmp(sig_algs[i].digest, digest) == 0)
            return &sig_algs[i];
    return NULL;
}

static const struct {
    const char *uri, *digest;
} digest_algs[] = {
    {"http://www.w3.org/2001/04/xmlenc#sha256", "sha256"},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", "sha384"},
    {"http://www.w3.org/2001/04/xmlenc#sha512", "sha512"},
    {"http://www.w3.org/2000/09/xmldsig#sha1", "sha1"},
};

const EVP_MD *xades_digest_by_uri(const char *uri, int *weak)
{
    for (size_t i = 0; uri && i < sizeof digest_algs / sizeof digest_algs[0]; i++)
        if (strcmp(digest_algs[i].uri, uri) == 0) {
            if (weak)
                *weak = strcmp(digest_algs[i].digest, "sha1") == 0;
            return EVP_get_digestbyname(digest_algs[i].digest);
        }
    return NULL;
}

const char *xades_digest_uri(const char *digest)
{
    for (size_t i = 0; digest && i < 3; i++)
        if (strcmp(digest_algs[i].digest, digest) == 0)
            return digest_algs[i].uri;
    return NULL;
}

/* ---------------------------------------------------------------- the format class */

/* A signed XAdES/XMLDSig file is XML with a ds:Signature in the XMLDSig namespace near the start
 * (enveloping, detached) or anywhere (enveloped, possibly past the head that is seen here). */
static int xades_detect_signed(const unsigned char *head, size_t len)
{
    if (!sign_xml_looks_like_xml(head, len))
        return 0;
    static const char ns[] = XADES_DSIG_NS;
    for (size_t i = 0; i + sizeof ns - 1 <= len; i++)
        if (memcmp(head + i, ns, sizeof ns - 1) == 0)
            return 80;
    return 30; /* XML is no other format's; an enveloped signature may be past the head */
}

/* XML content prefers XAdES (enveloped); everything else only when asked for with -f xades. */
static int xades_accepts_content(const unsigned char *head, size_t len)
{
    return sign_xml_looks_like_xml(head, len) ? 50 : 0;
}

/* The commands append the extension to the input name; one extension for every packaging keeps
 * names predictable: taxform.xml.xades.xml, letter.txt.xades.xml. */
static const char *xades_extension(enum sign_packaging packaging)
{
    (void)packaging;
    return ".xades.xml";
}

const struct sign_format sign_format_xades = {
    .name = "xades",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = xades_detect_signed,
    .accepts_content = xades_accepts_content,
    .sign = xades_sign,
    .verify = xades_verify,
    .extend = xades_extend,
    .extension = xades_extension,
};
