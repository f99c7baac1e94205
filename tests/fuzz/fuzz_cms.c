/* libFuzzer target: CMS SignedData as received (formats/cms/cms_received.c), segl's own ASN.1
 * template for what OpenSSL's CMS decoder does not give: the signed attributes as sent and the
 * RFC 5940 OtherRevocationInfoFormat entries of crls; and cms_read, which falls back on it. */
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"
#include "formats/cms/cms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    if (!ctx)
        sign_ctx_new(&ctx);
    cms_received *received = NULL;
    CMS_ContentInfo *cms = cms_read(ctx, data, size, &received);
    if (!received)
        received = cms_received_new(data, size);
    STACK_OF(OCSP_RESPONSE) *responses = cms_received_ocsp_responses(received);
    sk_OCSP_RESPONSE_pop_free(responses, OCSP_RESPONSE_free);
    for (int index = 0; index < 4; index++) {
        size_t len = 0;
        free(cms_received_signed_attrs(received, index, &len));
    }
    /* the signature over the attributes as received, as the formats check it */
    STACK_OF(CMS_SignerInfo) *infos = cms ? CMS_get0_SignerInfos(cms) : NULL;
    sign_report *report = sign_report_new();
    for (int index = 0; report && index < sk_CMS_SignerInfo_num(infos) && index < 4; index++) {
        sign_sig *sig = sign_report_add_sig(report);
        if (sig)
            cms_check_signed_attributes(sk_CMS_SignerInfo_value(infos, index), sig, received,
                                        index);
    }
    sign_report_free(report);
    CMS_ContentInfo_free(cms);
    CMS_ContentInfo_free(cms_received_without_other_revocation_info(received));
    cms_received_free(received);
    return 0;
}
