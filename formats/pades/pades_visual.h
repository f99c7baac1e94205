/* pades_visual.c: the visual comparison of signed revisions with the final document. Internal. */
#ifndef SEGL_PADES_VISUAL_H
#define SEGL_PADES_VISUAL_H

#include "formats/pades/pdf/pdf.h"
#include "libsign/internal.h"

/* For each signature sigs[i] whose revision ends at signed_ends[i] (0: unusable) and is followed
 * by later revisions, as ctx's visual mode asks: renders and compares its pages with the final
 * document's, records "visual_changes" and fails the signature for a change no allowed
 * annotation explains. Run after the structural analysis (pades_check_modifications), whose
 * verdict decides which annotations may show. */
void pades_visual_check(const sign_ctx *ctx, pdf_doc *doc, const size_t *signed_ends,
                        sign_sig **sigs, size_t count);

#endif
