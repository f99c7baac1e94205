/* The one list of XMLDSig transforms segl lets xmlsec run, for XAdES references and trusted
 * lists alike. */
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/crypto.h>
#include "libsign/xml/xml.h"

static int enable_references(xmlSecDSigCtxPtr dsig, const xmlSecTransformId *ids, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (xmlSecDSigCtxEnableReferenceTransform(dsig, ids[i]) < 0)
            return -1;
    return 0;
}

int sign_xml_restrict_transforms(xmlSecDSigCtxPtr dsig, unsigned int allow)
{
    /* Canonicalisation, enveloped-signature and SHA-2 digests: all that XAdES baseline
     * signatures (EN 319 132-1) and trusted lists (TS 119 612 5.7) need. XPath and XPath
     * Filter 2 only when asked (XAdES validation, which bounds each expression first and
     * reports the reference as a selection); XSLT never: it can do far more than select. */
    const xmlSecTransformId c14n[] = {
        xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
        xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId,
    };
    const xmlSecTransformId references[] = {
        xmlSecTransformEnvelopedId, xmlSecTransformSha256Id, xmlSecTransformSha384Id,
        xmlSecTransformSha512Id,
    };
    const xmlSecTransformId signature_values[] = {
        xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,   xmlSecTransformRsaSha512Id,
        xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id, xmlSecTransformEcdsaSha512Id,
    };
    /* SHA-1 is read (not trusted) where the validator judges it afterwards: the digest is
     * computed so that the report can say it is weak rather than "unsupported". */
    const xmlSecTransformId legacy_digest[] = {xmlSecTransformSha1Id};
    const xmlSecTransformId base64[] = {xmlSecTransformBase64Id};
    const xmlSecTransformId xpath[] = {xmlSecTransformXPathId, xmlSecTransformXPath2Id};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
    if (enable_references(dsig, c14n, COUNT(c14n)) < 0 ||
        enable_references(dsig, references, COUNT(references)) < 0 ||
        ((allow & SIGN_XML_LEGACY_DIGESTS) &&
         enable_references(dsig, legacy_digest, COUNT(legacy_digest)) < 0) ||
        ((allow & SIGN_XML_BASE64) && enable_references(dsig, base64, COUNT(base64)) < 0) ||
        ((allow & SIGN_XML_XPATH) && enable_references(dsig, xpath, COUNT(xpath)) < 0))
        return -1;
    if (allow & SIGN_XML_SIGNATURE_VALUE) {
        for (size_t i = 0; i < COUNT(c14n); i++)
            if (xmlSecDSigCtxEnableSignatureTransform(dsig, c14n[i]) < 0)
                return -1;
        for (size_t i = 0; i < COUNT(signature_values); i++)
            if (xmlSecDSigCtxEnableSignatureTransform(dsig, signature_values[i]) < 0)
                return -1;
    }
#undef COUNT
    return 0;
}
