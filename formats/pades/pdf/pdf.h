/* The PDF layer under the PAdES module: a read-only view of a PDF file (ISO 32000-1 clause 7:
 * tokens, objects, cross-reference tables and streams, object streams, incremental updates) and
 * an object writer for incremental updates. Internal to formats/pades*.c.
 *
 * The file is mapped (a sign_source's view), never read whole into the heap; objects are parsed on demand into an arena
 * freed with the document. Every walk is bounded (depth, counts, decompressed sizes), so a hostile
 * file costs bounded time and memory. */
#ifndef SEGL_PADES_PDF_H
#define SEGL_PADES_PDF_H

#include <stddef.h>
#include <stdint.h>
#include "libsign/source.h"

enum pdf_type {
    PDF_NULL, PDF_BOOL, PDF_INT, PDF_REAL, PDF_STRING, PDF_NAME,
    PDF_ARRAY, PDF_DICT, PDF_STREAM, PDF_REF
};

typedef struct pdf_value pdf_value;
struct pdf_value {
    enum pdf_type type;
    size_t start, end;      /* byte span of the value in its source (the file, or an object stream) */
    long long num;          /* BOOL, INT; REF: object number */
    int gen;                /* REF */
    unsigned char *bytes;   /* STRING (decoded), NAME (decoded, without '/'), REAL (its text) */
    size_t len;
    size_t count;           /* ARRAY items; DICT and STREAM entries */
    pdf_value **items;
    pdf_value **keys;       /* DICT, STREAM: names */
    size_t data_start, data_len; /* STREAM: raw data, offsets in the file */
};

/* One cross-reference entry. */
struct pdf_xref_entry {
    uint32_t num;
    uint16_t gen;
    uint8_t kind;           /* 0 free, 1 at offset, 2 in object stream */
    uint64_t where;         /* kind 1: file offset; kind 2: object stream number */
    uint32_t index;         /* kind 2: index in the object stream */
    uint32_t seq;           /* order read, while the section is sorted */
    pdf_value *cached;      /* parsed object, owned by the arena */
};

/* One cross-reference section (a table with its trailer, or a cross-reference stream), in the
 * order of the /Prev chain: sections[0] is the newest. */
struct pdf_section {
    size_t offset;          /* of "xref" or of the stream object */
    size_t end;             /* just after its trailer dictionary or stream object */
    int is_stream;
    pdf_value *trailer;     /* trailer dictionary, or the stream's dictionary */
    struct pdf_xref_entry *entries; /* sorted by num */
    size_t count;
};

typedef struct pdf_doc {
    const sign_source *source; /* where data is from (the caller's; it outlives the document) */
    const unsigned char *data;
    size_t size;
    struct pdf_section *sections;
    size_t section_count;
    int uses_xref_streams;  /* the newest section is a cross-reference stream */
    struct pdf_arena *arena;
    char error[256];
    /* Tolerant reading (what qpdf and other readers accept, never silently): */
    size_t startxref;       /* where the newest section really is: what a new update's /Prev names */
    char warning[256];      /* the first irregularity read past ("" when none) */
    int repaired;           /* the cross-reference data was unusable and was rebuilt by scanning
                             * the objects: one section per revision (the bytes up to each
                             * %%EOF), so that later revisions are still told apart */
    size_t damage_at;       /* repaired: where the first unusable cross-reference data is; a
                             * signature whose ByteRange ends at or before it does not cover it */
} pdf_doc;

/* Open the PDF in src, seen as one block (sign_source_view: a file is mapped, not read), which
 * stays the caller's and must outlive doc. Returns 0, or -1 with doc->error set; pdf_close in
 * either case. Tolerant as other readers are, never silently: a startxref or /Prev a few bytes
 * off is corrected; a linearized file's first-page section is read as part of the revision its
 * main section ends; unusable cross-reference data is rebuilt by scanning (doc->repaired); each
 * with doc->warning set. */
int pdf_open(pdf_doc *doc, const sign_source *src);
void pdf_close(pdf_doc *doc);
/* Hands bytes [at, at + len) of the file to consume in chunks read from the source, not through
 * the mapping: hashing or copying a large file then adds nothing to the resident memory, where
 * touching every mapped page would. 0, or -1 (out of range, a read error, consume failing). */
int pdf_each_chunk(const pdf_doc *doc, size_t at, size_t len,
                   int (*consume)(void *arg, const void *bytes, size_t len), void *arg);

/* Object num as of the revision state made of the sections that start before limit
 * (SIZE_MAX: the whole file). NULL when it is free, absent or unparsable. */
pdf_value *pdf_get(pdf_doc *doc, uint32_t num, size_t limit);
/* The xref entry in force for num under limit, or NULL. */
const struct pdf_xref_entry *pdf_entry(const pdf_doc *doc, uint32_t num, size_t limit);
/* v, or what it refers to when it is a reference. */
pdf_value *pdf_resolve(pdf_doc *doc, pdf_value *v, size_t limit);
/* The newest trailer among sections before limit. */
pdf_value *pdf_trailer(pdf_doc *doc, size_t limit);

pdf_value *pdf_dict_get(const pdf_value *dict, const char *key);
int pdf_is_name(const pdf_value *v, const char *name);
/* Largest object number + 1 over all sections. */
uint32_t pdf_next_num(const pdf_doc *doc);

/* Parse one value in buf[pos..len) (no indirect object header). Used for object streams and
 * tests. NULL on a syntax error. */
pdf_value *pdf_parse_value(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos);
/* Parse "num gen obj ... endobj" at offset in the file; *end gets the offset after "endobj". */
pdf_value *pdf_parse_indirect(pdf_doc *doc, size_t offset, uint32_t *num, int *gen, size_t *end,
                              size_t limit);

/* Skip white space and comments from *pos; whether keyword kw stands at pos. */
void pdf_skip_ws(const pdf_doc *doc, size_t *pos);
int pdf_at_keyword(const pdf_doc *doc, size_t pos, const char *kw);
/* Offset of needle in the file at or after from, or SIZE_MAX. */
size_t pdf_find(const pdf_doc *doc, size_t from, const char *needle);

/* Decoded data of a stream (no filter or FlateDecode). Caller frees *out. 0 or -1. */
int pdf_stream_decode(pdf_doc *doc, const pdf_value *stream, unsigned char **out, size_t *out_len);

/* Arena allocation for values built by the writer. */
pdf_value *pdf_new_value(pdf_doc *doc, enum pdf_type type);
void *pdf_alloc(pdf_doc *doc, size_t size);

/* ---- writer (pdf_write.c) ---- */
struct pdf_buf {
    unsigned char *data;
    size_t len, cap;
    int failed;             /* out of memory: every later append is a no-op */
};
void pdf_buf_append(struct pdf_buf *buf, const void *data, size_t len);
void pdf_buf_printf(struct pdf_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pdf_buf_free(struct pdf_buf *buf);
/* Serialise a value (not a stream); strings are written as hex strings. */
void pdf_write_value(struct pdf_buf *buf, const pdf_value *v);
/* Dictionary copy with key set to value (added or replaced; value NULL removes it). */
pdf_value *pdf_dict_with(pdf_doc *doc, const pdf_value *dict, const char *key, pdf_value *value);
pdf_value *pdf_ref(pdf_doc *doc, uint32_t num, int gen);
pdf_value *pdf_name(pdf_doc *doc, const char *name);
pdf_value *pdf_int(pdf_doc *doc, long long n);
/* Structural equality (references compared by number, streams by dictionary and raw data). */
int pdf_equal(const pdf_doc *doc, const pdf_value *a, const pdf_value *b);

#endif
