/* The result of a visual comparison, built by the renderer (pades_render.c, in the program
 * segl-render that pades_visual.c starts) and by libsign reading the renderer's answer
 * (pades_render_wire.c): apart from the renderer, so that libsign does not link poppler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pades_render.h"

int pades_render_add_change(struct pades_render_result *out, const struct pades_render_change *c)
{
    if (out->change_count == out->change_cap) {
        size_t cap = out->change_cap ? 2 * out->change_cap : 8;
        struct pades_render_change *grown = realloc(out->changes, cap * sizeof *grown);
        if (!grown) {
            free(c->png);
            return -1;
        }
        out->changes = grown;
        out->change_cap = cap;
    }
    out->changes[out->change_count++] = *c;
    return 0;
}

int pades_render_add_warning(struct pades_render_result *out, size_t revision, const char *text)
{
    if (out->warning_count >= 64) /* a few say it; a hostile file must not fill the report */
        return 0;
    if (out->warning_count == out->warning_cap) {
        size_t cap = out->warning_cap ? 2 * out->warning_cap : 4;
        struct pades_render_warning *grown = realloc(out->warnings, cap * sizeof *grown);
        if (!grown)
            return -1;
        out->warnings = grown;
        out->warning_cap = cap;
    }
    struct pades_render_warning *w = &out->warnings[out->warning_count++];
    w->revision = revision;
    snprintf(w->text, sizeof w->text, "%s", text);
    return 0;
}

void pades_render_result_free(struct pades_render_result *result)
{
    for (size_t i = 0; i < result->change_count; i++)
        free(result->changes[i].png);
    free(result->changes);
    free(result->warnings);
    memset(result, 0, sizeof *result);
}
