/* The table of formats and the choice between them. */
#include <string.h>
#include "formats/format.h"

static const struct sign_format *const formats[] = {
    &sign_format_cades,
    &sign_format_pades,
    &sign_format_xades,
    &sign_format_asic_e,
    &sign_format_asic_s,
    &sign_format_opensign,
    NULL,
};

const struct sign_format *const *sign_format_table(void) { return formats; }

const struct sign_format *sign_format_by_name(const char *name)
{
    for (size_t i = 0; formats[i]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

const struct sign_format *sign_format_detect(const unsigned char *head, size_t len)
{
    const struct sign_format *best = NULL;
    int best_score = 0;
    for (size_t i = 0; formats[i]; i++) {
        int score = formats[i]->detect_signed(head, len);
        if (score > best_score) {
            best = formats[i];
            best_score = score;
        }
    }
    return best;
}
