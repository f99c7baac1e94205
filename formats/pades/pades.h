/* The PAdES module's files among themselves (format class in pades.c). Internal. */
#ifndef SEGL_PADES_H
#define SEGL_PADES_H

#include "formats/format.h"
#include "formats/pades/pdf/pdf.h"
#include "formats/pades/pades_glyphs.h"
#include <openssl/evp.h>
#include <openssl/x509.h>

/* pades_sign.c: sign the PDF read from in by an incremental update written to out. */
int pades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in, BIO *out);

/* pades_verify.c */
void pades_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                  const sign_source *content);

/* ---- pades_refs.c: every indirect reference reachable from a revision's trailer ---- */
#define PADES_KEY_LEN 48
struct pades_edge {
    uint32_t from;             /* 0: the trailer */
    uint32_t to;
    char key[PADES_KEY_LEN];   /* dictionary keys from the holding object, two levels: "AP/N" */
};
typedef struct pades_refs pades_refs;
/* The references of the revision state under limit (pdf_get's). 0, or -1 out of memory. */
int pades_refs_build(pades_refs **out, pdf_doc *doc, size_t limit);
void pades_refs_free(pades_refs *refs);
/* The walk stopped at its bounds: the edges are incomplete, nothing may be judged by them. */
int pades_refs_truncated(const pades_refs *refs);
int pades_refs_reached(const pades_refs *refs, uint32_t num);
/* How many objects the walk reached. */
size_t pades_refs_count(const pades_refs *refs);
/* The references to object to: *first gets the first of the returned count. */
size_t pades_refs_into(const pades_refs *refs, uint32_t to, const struct pades_edge **first);

/* ---- pades_mdp.c: permissions after signing (DocMDP, FieldMDP, SigFieldLock) ---- */
typedef struct pades_perms pades_perms;
int pades_perms_new(pades_perms **out, pdf_doc *doc);
void pades_perms_free(pades_perms *perms);
/* The permissions signature sig_num (signing the revision ending at signed_end, /P docmdp of
 * its DocMDP reference or 0) gives the revisions after it: its DocMDP, its FieldMDP references
 * and its field's lock dictionary. */
void pades_perms_add_signature(pades_perms *perms, uint32_t sig_num, size_t signed_end, int docmdp);
/* The strictest /P in force for a revision at offset at (0: none); *by and *kind get the
 * signature and the dictionary ("DocMDP", "SigFieldLock") it comes from. */
int pades_perms_level(const pades_perms *perms, size_t at, uint32_t *by, const char **kind);
/* Whether a certification signature (DocMDP) is in force at offset at. */
int pades_perms_certified(const pades_perms *perms, size_t at);
/* Whether the field of fully qualified name is locked at offset at (*by, *kind: by what). */
int pades_perms_field_locked(const pades_perms *perms, size_t at, const char *name, uint32_t *by,
                             const char **kind);

/* ---- pades_diff.c: modification analysis (fail closed), revision by revision ---- */
typedef struct pades_changes pades_changes;
/* perms must hold every signature's permissions and outlive the result. 0 or -1. */
int pades_changes_new(pades_changes **out, pdf_doc *doc, const pades_perms *perms);
void pades_changes_free(pades_changes *changes);
/* Records on sig what the revisions after signed_end (its ByteRange end) changed, and fails it
 * on a change no rule allows. */
void pades_check_modifications(pades_changes *changes, size_t signed_end, sign_sig *sig);

/* ---- one incremental update (pades_update.c) ---- */
struct pades_object {
    uint32_t num;
    int gen;
    size_t offset;             /* in out */
};
struct pades_update {
    pdf_doc *doc;
    struct pdf_buf out;        /* the new revision, appended after the original */
    size_t base;               /* file offset of out.data[0] */
    struct pades_object *objects;
    size_t count, cap;
    size_t byte_range_at;      /* offset in out of the ByteRange placeholder */
    size_t contents_at;        /* offset in out of '<' of /Contents */
    size_t contents_len;       /* with '<' and '>' */
};
void pades_update_begin(struct pades_update *u, pdf_doc *doc);
void pades_update_free(struct pades_update *u);
void pades_begin_object(struct pades_update *u, uint32_t num, int gen);
void pades_write_object(struct pades_update *u, uint32_t num, int gen, const pdf_value *v);
/* A stream object; dict_entries (may be NULL) go into its dictionary before /Length. */
void pades_write_stream(struct pades_update *u, uint32_t num, const char *dict_entries,
                        const void *data, size_t len);
/* The same, the data compressed (/FlateDecode). 0, or -1 when out of memory. */
int pades_write_flate_stream(struct pades_update *u, uint32_t num, const char *dict_entries,
                             const void *data, size_t len);
/* "/ByteRange [...] /Contents <00...>" with room for contents_bytes bytes. */
void pades_write_placeholders(struct pades_update *u, size_t contents_bytes);
/* Sort the objects and write the cross-reference section and trailer. 0 or -1. */
int pades_update_finish(struct pades_update *u);
int pades_fill_byte_range(struct pades_update *u);
/* Digest of the byte ranges: the original and the update around /Contents. */
int pades_update_digest(const struct pades_update *u, const EVP_MD *md, unsigned char *digest,
                        unsigned int *digest_len);
int pades_update_set_contents(struct pades_update *u, const unsigned char *der, size_t len);
/* Write the original and the update. */
int pades_update_emit(const struct pades_update *u, BIO *out);
/* The document with the update appended, as a new source over the original's bytes (which are
 * not copied: the original's source must outlive it). NULL when out of memory. */
sign_source *pades_update_result(const struct pades_update *u);

/* ---- pades_field.c: a new signature or document-timestamp field's revision ---- */
enum pades_field_kind { PADES_SIGNATURE, PADES_DOC_TIMESTAMP };
/* Into u: a new signature field (with widget, appearance when opts asks for one) holding a
 * signature dictionary of kind with placeholders for contents_bytes; then the xref section.
 * *sig_num gets the signature dictionary's number. */
int pades_build_field_revision(sign_ctx *ctx, struct pades_update *u, const sign_options *opts,
                               enum pades_field_kind kind, const sign_key *key,
                               size_t contents_bytes, uint32_t *sig_num);
/* The digest named name when PAdES signing allows it (sha256, sha384, sha512), else NULL. */

/* ---- pades_appearance.c: a visible signature's look (ISO 32000-1 12.5.5, 12.7.4.5) ---- */
/* Writes into u the appearance stream first_num (opts->visible_rect's size) and the objects it
 * uses, numbered from first_num + 1; *next_num gets the first number left free. SIGN_EINVAL with
 * the reason on ctx when the box is too small for readable text or opts->visible_image is not
 * a usable PNG. */
int pades_write_appearance(sign_ctx *ctx, struct pades_update *u, uint32_t first_num,
                           const sign_options *opts, X509 *cert, time_t when, uint32_t *next_num);
/* ---- pades_font.c: the embedded subset of DejaVu Sans ---- */
struct pades_font;
/* The font file at path, or -1. */
int pades_font_open(struct pades_font **out, const char *path);
void pades_font_free(struct pades_font *font);
/* The code point drawn for c: c, or U+FFFD / '?' when the font lacks it; a space for a control. */
unsigned long pades_font_resolve(const struct pades_font *font, unsigned long c);
/* c's advance width in thousandths of the font size. */
double pades_font_advance(const struct pades_font *font, unsigned long c);
/* Marks c as drawn; then pades_font_subset once, then pades_font_show and pades_font_write. */
void pades_font_use(struct pades_font *font, unsigned long c);
int pades_font_subset(struct pades_font *font);
/* count code points (each marked drawn) as a hex string of the subset's glyphs, for Tj. */
void pades_font_show(const struct pades_font *font, struct pdf_buf *buf, const unsigned long *text,
                     size_t count);
/* The Type 0 font type0_num and its descendant, descriptor, font file and /ToUnicode numbered
 * type0_num + 1 .. + 4. 0 or -1. */
int pades_font_write(struct pades_update *u, const struct pades_font *font, uint32_t type0_num);

/* ---- pades_image.c: a PNG beside the text (untrusted bytes) ---- */
/* (struct pades_image: pades_glyphs.h) Decodes len bytes of PNG; 0, or -1 with the reason in
 * why. */
int pades_image_from_png(struct pades_image *img, const void *png, size_t len, char *why,
                         size_t why_len);
/* The image XObject image_num and, with alpha, its soft mask image_num + 1. 0 or -1. */
int pades_image_write(struct pades_update *u, const struct pades_image *img, uint32_t image_num);

/* A text string (7.9.2.2) from UTF-8: hex of the bytes when ASCII, else UTF-16BE with BOM. */
void pades_write_text_string(struct pdf_buf *buf, const char *utf8);

/* ---- pades_timestamp.c: a document timestamp's imprint is over the ByteRange, hashed from the
 * mapped file (requests use libsign's sign_tsa_request_digest) ---- */
/* sign_timestamp_check for a token whose imprint is over the byte ranges br of doc. */
int pades_timestamp_check_ranges(const sign_ctx *ctx, const unsigned char *token,
                                 size_t token_len, const pdf_doc *doc, const long long br[4],
                                 sign_timestamp_result *out);

/* ---- pades_ltv.c: long-term levels (EN 319 142-1 5.4) ---- */
/* Bring the PDF in src to opts->level after signing (B-LT: DSS for the signature sig_num;
 * B-LTA: and a document timestamp) or extending (sig_num 0: every signature, with a document
 * timestamp first when one has none), writing the whole result to out. Each step's revision is
 * appended to the bytes before it in memory (sign_source_append), never staged in a file. */
int pades_augment(sign_ctx *ctx, const sign_options *opts, const sign_source *src,
                  uint32_t sig_num, BIO *out);
int pades_extend(sign_ctx *ctx, const sign_options *opts, const sign_source *src, BIO *out);

/* ---- pades_verify.c ---- */
/* The end of the revision written by the cross-reference section at index i of doc->sections:
 * just after the "%%EOF" marker that follows it (and its end-of-line). 0 if none is found. */
size_t pades_revision_end(const pdf_doc *doc, size_t section);
/* Numbers of the signature dictionaries of the signature fields (0 for a direct /V). */
size_t pades_find_signatures(pdf_doc *doc, uint32_t *nums, size_t max);

#endif
