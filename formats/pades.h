/* The PAdES module's files among themselves (format class in pades.c). Internal. */
#ifndef SEGL_PADES_H
#define SEGL_PADES_H

#include "format.h"
#include "pades_pdf.h"

/* pades_sign.c: sign the PDF read from in by an incremental update written to out. */
int pades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out);

/* pades_verify.c */
void pades_verify(const sign_ctx *ctx, sign_report *report, const char *path,
                  const char *content_path);

/* pades_diff.c: modification analysis (fail closed). signed_end is where the signature's
 * revision ends (its ByteRange end); docmdp is the certification level /P of a certification
 * signature (1..3), 0 for an approval signature. Records what is not an allowed change on sig. */
void pades_check_modifications(pdf_doc *doc, size_t signed_end, int docmdp, sign_sig *sig);

/* The end of the revision written by the cross-reference section at index i of doc->sections:
 * just after the "%%EOF" marker that follows it (and its end-of-line). 0 if none is found. */
size_t pades_revision_end(const pdf_doc *doc, size_t section);

#endif
