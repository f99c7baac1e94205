/* The visual comparison's part of a signature's report (PAdES, formats/pades/pades_visual.c):
 * the pages of the final document that look different from the signed revision. The signature
 * holds the list (report.c); this file keeps and writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "internal.h"

struct sign_visual_list {
    sign_visual_change *changes; /* png owned by the list */
    size_t count;
};

int sign_visual_list_add(struct sign_visual_list **list, const sign_visual_change *change)
{
    if (!*list && !(*list = calloc(1, sizeof **list))) {
        if (change)
            free((unsigned char *)change->png);
        return -1;
    }
    if (!change)
        return 0;
    sign_visual_change *grown = realloc((*list)->changes, ((*list)->count + 1) * sizeof *grown);
    if (!grown) {
        free((unsigned char *)change->png);
        return -1;
    }
    (*list)->changes = grown;
    grown[(*list)->count] = *change;
    if (!change->png)
        grown[(*list)->count].png_len = 0;
    (*list)->count++;
    return 0;
}

size_t sign_visual_list_count(const struct sign_visual_list *list)
{
    return list ? list->count : 0;
}

int sign_visual_list_get(sign_visual_change *out, const struct sign_visual_list *list, size_t i)
{
    if (!list || i >= list->count)
        return SIGN_EINVAL;
    *out = list->changes[i];
    return SIGN_OK;
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
