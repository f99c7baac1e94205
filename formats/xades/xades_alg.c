/* XMLDSig algorithm identifiers (RFC 6931) mapped to OpenSSL: the signature algorithms and
 * digests that signing writes and validation reads, in XAdES signatures and ASiC manifests. */
#include <string.h>
#include "xades.h"

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
