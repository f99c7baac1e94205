/* libFuzzer target: the ASiC container reader (formats/asic/asic_zip.c on libzip): the
 * container's structure and limits, every META-INF member read whole (an ASiCManifest parsed),
 * every data object digested streaming, whatever the signatures inside say. */
#include <stdint.h>
#include <string.h>
#include "formats/asic/asic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sign_source *src = sign_source_from_memory(data, size, "fuzz.asice");
    if (!src)
        return 0;
    struct asic_container c;
    memset(&c, 0, sizeof c);
    char why[256];
    if (asic_open(&c, src, why, sizeof why) == 0) {
        for (size_t i = 0; i < c.count; i++) {
            const struct asic_entry *e = &c.entries[i];
            if (e->role == ASIC_ROLE_META) {
                unsigned char *bytes = NULL;
                size_t len = 0;
                if (asic_read_meta(&c, e, &bytes, &len, why, sizeof why) == 0) {
                    struct asic_manifest manifest;
                    memset(&manifest, 0, sizeof manifest);
                    if (strstr(e->name, "ASiCManifest") &&
                        asic_manifest_parse(bytes, len, &manifest, why, sizeof why) == 0)
                        asic_manifest_clear(&manifest);
                    free(bytes);
                }
            } else if (e->role == ASIC_ROLE_DATA) {
                unsigned char digest[EVP_MAX_MD_SIZE];
                unsigned int digest_len = 0;
                (void)asic_digest_entry(&c, e, EVP_sha256(), digest, &digest_len, why,
                                        sizeof why);
            }
        }
    }
    asic_close(&c);
    sign_source_free(src);
    return 0;
}
