/* libFuzzer target: the OpenSign reader (formats/opensign: the root-element detector, the
 * wrapper's shape, the properties and their decoding, the sign text's kind) and the whole
 * validation of what it accepts. Any byte string must give a verdict or a refusal, never a
 * crash, hang or leak; a property that is read must be as long as it says and NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libsign/sign.h>
#include "formats/opensign/opensign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sign_ctx *ctx;
    if (!ctx) {
        if (sign_xml_init() != 0 || sign_ctx_new(&ctx) != SIGN_OK)
            return 0;
        sign_ctx_set_time(ctx, 1780272000);
        sign_ctx_set_offline(ctx, 1);
    }
    (void)sign_format_opensign.detect_signed(data, size < SIGN_DETECT_BYTES ? size
                                                                           : SIGN_DETECT_BYTES);
    char why[300];
    xmlDocPtr doc = sign_xml_parse(data, size, why, sizeof why);
    if (doc) {
        sign_xml_register_ids(doc, NULL);
        struct opensign os;
        if (opensign_read(doc, &os, why, sizeof why) == 0)
            for (size_t i = 0; i < os.count; i++) {
                const struct opensign_property *p = &os.properties[i];
                if (p->value[p->len] != 0 || !p->name[0])
                    abort();
                (void)opensign_mime_extension(opensign_text_mime(p->value, p->len));
            }
        opensign_clear(&os);
        xmlFreeDoc(doc);
    }
    sign_report *report = NULL;
    sign_verify_memory(&report, ctx, "fuzz.xml", data, size, NULL);
    char *json = NULL;
    if (report && sign_report_json(&json, report, "fuzz.xml") == SIGN_OK)
        free(json);
    sign_report_free(report);
    return 0;
}
