/* libFuzzer target: the RFC 3339 parser behind --at and --signing-time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libsign/sign.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    time_t t;
    if (sign_parse_time(&t, text) == SIGN_OK) {
        char back[21];
        sign_format_time(back, t);
    }
    free(text);
    return 0;
}
