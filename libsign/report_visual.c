/* The visual comparison's part of a signature's report (PAdES, formats/pades/pades_visual.c):
 * the pages of the final document that look different from the signed revision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "internal.h"

struct sign_visual_list {
    sign_visual_change *changes; /* png owned by the list */
    size_t count;
};

int sign_sig_set_visual_compared(sign_sig *sig)
{
    struct sign_visual_list **slot = sign_sig_visual_slot(sig);
    if (!*slot)
        *slot = calloc(1, sizeof **slot);
    return *slot ? 0 : -1;
}

int sign_sig_add_visual_change(sign_sig *sig, unsigned page, unsigned long long pixels,
                               unsigned long long unexplained, const double box[4],
                               unsigned char *png, size_t png_len)
{
    struct sign_visual_list *list;
    sign_visual_change *grown = NULL;
    if (sign_sig_set_visual_compared(sig) == 0) {
        list = *sign_sig_visual_slot(sig);
        grown = realloc(list->changes, (list->count + 1) * sizeof *grown);
    }
    if (!grown) {
        free(png);
        return -1;
    }
    list->changes = grown;
    grown[list->count++] = (sign_visual_change){page, pixels, unexplained,
                                                {box[0], box[1], box[2], box[3]}, png,
                                                png ? png_len : 0};
    return 0;
}

void sign_visual_list_free(struct sign_visual_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        free((unsigned char *)list->changes[i].png);
    free(list->changes);
    free(list);
}

void sign_visual_list_json(struct sign_json_writer *w, const struct sign_visual_list *list)
{
    sign_json_key(w, "visual_changes");
    sign_json_begin_array(w);
    for (size_t i = 0; i < list->count; i++) {
        const sign_visual_change *c = &list->changes[i];
        char number[64];
        sign_json_begin_object(w);
        sign_json_key(w, "page");
        snprintf(number, sizeof number, "%u", c->page);
        sign_json_raw_value(w, number);
        sign_json_key(w, "pixels");
        snprintf(number, sizeof number, "%llu", c->pixels);
        sign_json_raw_value(w, number);
        sign_json_key(w, "unexplained");
        snprintf(number, sizeof number, "%llu", c->unexplained);
        sign_json_raw_value(w, number);
        sign_json_key(w, "box");
        sign_json_begin_array(w);
        for (int k = 0; k < 4; k++) {
            snprintf(number, sizeof number, "%.1f", c->box[k]);
            sign_json_raw_value(w, number);
        }
        sign_json_end_array(w);
        sign_json_end_object(w);
    }
    sign_json_end_array(w);
}

SIGN_EXTERN int sign_sig_visual_compared(const sign_sig *sig)
{
    return sig && sign_sig_visual_of(sig) != NULL;
}

SIGN_EXTERN size_t sign_sig_visual_change_count(const sign_sig *sig)
{
    const struct sign_visual_list *list = sig ? sign_sig_visual_of(sig) : NULL;
    return list ? list->count : 0;
}

SIGN_EXTERN int sign_sig_visual_change(sign_visual_change *out, const sign_sig *sig, size_t i)
{
    if (!out || i >= sign_sig_visual_change_count(sig))
        return SIGN_EINVAL;
    *out = sign_sig_visual_of(sig)->changes[i];
    return SIGN_OK;
}
