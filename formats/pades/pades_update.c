/* One incremental update (ISO 32000-1 7.5.6) being built in memory: objects appended after the
 * unchanged original, then a cross-reference section in the document's own style (a table, or
 * a stream when the newest section is one), and the /ByteRange + /Contents placeholders of a
 * signature or document timestamp in it. Shared by signing, the DSS and document timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "pades.h"

#define BYTE_RANGE_WIDTH 66 /* "0 " and three numbers of up to 21 digits */

void pades_update_begin(struct pades_update *u, pdf_doc *doc)
{
    memset(u, 0, sizeof *u);
    u->doc = doc;
    /* the new revision starts on a line of its own */
    if (doc->size && doc->data[doc->size - 1] != '\n' && doc->data[doc->size - 1] != '\r')
        pdf_buf_append(&u->out, "\n", 1);
    u->base = doc->size;
}

void pades_update_free(struct pades_update *u)
{
    pdf_buf_free(&u->out);
    free(u->objects);
    u->objects = NULL;
    u->count = u->cap = 0;
}

void pades_begin_object(struct pades_update *u, uint32_t num, int gen)
{
    if (u->count == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 16;
        struct pades_object *grown = realloc(u->objects, cap * sizeof *grown);
        if (!grown) {
            u->out.failed = 1;
            return;
        }
        u->objects = grown;
        u->cap = cap;
    }
    u->objects[u->count++] = (struct pades_object){.num = num, .gen = gen, .offset = u->out.len};
    pdf_buf_printf(&u->out, "%u %d obj\n", num, gen);
}

void pades_write_object(struct pades_update *u, uint32_t num, int gen, const pdf_value *v)
{
    pades_begin_object(u, num, gen);
    pdf_write_value(&u->out, v);
    pdf_buf_printf(&u->out, "\nendobj\n");
}

void pades_write_stream(struct pades_update *u, uint32_t num, const char *dict_entries,
                        const void *data, size_t len)
{
    pades_begin_object(u, num, 0);
    pdf_buf_printf(&u->out, "<< %s%s/Length %zu >>\nstream\n", dict_entries ? dict_entries : "",
                   dict_entries && *dict_entries ? " " : "", len);
    pdf_buf_append(&u->out, data, len);
    pdf_buf_printf(&u->out, "\nendstream\nendobj\n");
}

int pades_write_flate_stream(struct pades_update *u, uint32_t num, const char *dict_entries,
                             const void *data, size_t len)
{
    uLongf packed_len = compressBound((uLong)len);
    unsigned char *packed = malloc(packed_len ? packed_len : 1);
    if (!packed || compress2(packed, &packed_len, data, (uLong)len, Z_BEST_COMPRESSION) != Z_OK) {
        free(packed);
        u->out.failed = 1;
        return -1;
    }
    char dict[512];
    snprintf(dict, sizeof dict, "%s%s/Filter /FlateDecode", dict_entries ? dict_entries : "",
             dict_entries && *dict_entries ? " " : "");
    pades_write_stream(u, num, dict, packed, packed_len);
    free(packed);
    return u->out.failed ? -1 : 0;
}

void pades_write_placeholders(struct pades_update *u, size_t contents_bytes)
{
    pdf_buf_printf(&u->out, "/ByteRange [");
    u->byte_range_at = u->out.len;
    for (int i = 0; i < BYTE_RANGE_WIDTH; i++)
        pdf_buf_append(&u->out, " ", 1);
    pdf_buf_printf(&u->out, "]\n/Contents ");
    u->contents_at = u->out.len;
    u->contents_len = 2 * contents_bytes + 2;
    pdf_buf_append(&u->out, "<", 1);
    for (size_t i = 0; i < contents_bytes; i++)
        pdf_buf_append(&u->out, "00", 2);
    pdf_buf_append(&u->out, ">", 1);
}

static int object_cmp(const void *a, const void *b)
{
    const struct pades_object *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num;
}

static void write_trailer_entries(struct pades_update *u, pdf_value *trailer)
{
    static const char *const names[] = {"Root", "Info", "ID", NULL};
    for (int i = 0; names[i]; i++) {
        pdf_value *v = pdf_dict_get(trailer, names[i]);
        if (!v || (i == 1 && v->type != PDF_REF))
            continue;
        pdf_buf_printf(&u->out, " /%s ", names[i]);
        pdf_write_value(&u->out, v);
    }
}

static void write_xref_table(struct pades_update *u, pdf_value *trailer, uint32_t size, size_t prev)
{
    size_t xref_at = u->base + u->out.len;
    pdf_buf_printf(&u->out, "xref\n");
    /* one subsection per run of consecutive numbers */
    for (size_t i = 0; i < u->count;) {
        size_t j = i + 1;
        while (j < u->count && u->objects[j].num == u->objects[j - 1].num + 1)
            j++;
        pdf_buf_printf(&u->out, "%u %zu\n", u->objects[i].num, j - i);
        for (size_t k = i; k < j; k++)
            pdf_buf_printf(&u->out, "%010zu %05d n\r\n", u->base + u->objects[k].offset,
                           u->objects[k].gen);
        i = j;
    }
    pdf_buf_printf(&u->out, "trailer\n<< /Size %u", size);
    write_trailer_entries(u, trailer);
    pdf_buf_printf(&u->out, " /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", prev, xref_at);
}

static void write_xref_stream(struct pades_update *u, pdf_value *trailer, uint32_t num, size_t prev)
{
    size_t xref_at = u->out.len;
    /* the stream's own entry comes last: its number is the highest */
    pades_begin_object(u, num, 0);
    u->out.len = xref_at; /* begin_object wrote the header; it is written again below */
    int w = u->base + xref_at > 0xffffffffu ? 8 : 4;
    pdf_buf_printf(&u->out, "%u 0 obj\n<< /Type /XRef /Size %u /W [1 %d 2] /Index [", num,
                   num + 1, w);
    for (size_t i = 0; i < u->count;) {
        size_t j = i + 1;
        while (j < u->count && u->objects[j].num == u->objects[j - 1].num + 1)
            j++;
        pdf_buf_printf(&u->out, "%s%u %zu", i ? " " : "", u->objects[i].num, j - i);
        i = j;
    }
    pdf_buf_printf(&u->out, "]");
    write_trailer_entries(u, trailer);
    pdf_buf_printf(&u->out, " /Prev %zu /Length %zu >>\nstream\n", prev,
                   u->count * (size_t)(3 + w));
    for (size_t i = 0; i < u->count; i++) {
        unsigned char row[11];
        uint64_t where = u->base + u->objects[i].offset;
        row[0] = 1;
        for (int k = 0; k < w; k++)
            row[1 + k] = (unsigned char)(where >> (8 * (w - 1 - k)));
        row[1 + w] = (unsigned char)(u->objects[i].gen >> 8);
        row[2 + w] = (unsigned char)u->objects[i].gen;
        pdf_buf_append(&u->out, row, (size_t)(3 + w));
    }
    pdf_buf_printf(&u->out, "\nendstream\nendobj\nstartxref\n%zu\n%%%%EOF\n", u->base + xref_at);
}

int pades_update_finish(struct pades_update *u)
{
    pdf_doc *doc = u->doc;
    if (u->count == 0)
        return -1;
    qsort(u->objects, u->count, sizeof *u->objects, object_cmp);
    uint32_t size = pdf_next_num(doc);
    for (size_t i = 0; i < u->count; i++)
        if (u->objects[i].num + 1 > size)
            size = u->objects[i].num + 1;
    pdf_value *trailer = doc->sections[0].trailer;
    size_t prev = doc->startxref; /* the newest section as found, not as merged (linearized) */
    if (doc->uses_xref_streams)
        write_xref_stream(u, trailer, size, prev);
    else
        write_xref_table(u, trailer, size, prev);
    return u->out.failed ? -1 : 0;
}

int pades_fill_byte_range(struct pades_update *u)
{
    size_t gap_start = u->base + u->contents_at, gap_end = gap_start + u->contents_len;
    size_t total = u->base + u->out.len;
    char text[BYTE_RANGE_WIDTH + 1];
    int n = snprintf(text, sizeof text, "0 %zu %zu %zu", gap_start, gap_end, total - gap_end);
    if (n < 0 || n > BYTE_RANGE_WIDTH)
        return -1;
    memcpy(u->out.data + u->byte_range_at, text, (size_t)n);
    return 0;
}

static int digest_chunk(void *mctx, const void *bytes, size_t len)
{
    return EVP_DigestUpdate(mctx, bytes, len) ? 0 : -1;
}

static int write_chunk(void *out, const void *bytes, size_t len)
{
    return BIO_write(out, bytes, (int)len) == (int)len ? 0 : -1;
}

int pades_update_digest(const struct pades_update *u, const EVP_MD *md, unsigned char *digest,
                        unsigned int *digest_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ok = mctx && EVP_DigestInit_ex(mctx, md, NULL) &&
             pdf_each_chunk(u->doc, 0, u->doc->size, digest_chunk, mctx) == 0;
    size_t after = u->contents_at + u->contents_len;
    ok = ok && EVP_DigestUpdate(mctx, u->out.data, u->contents_at) &&
         EVP_DigestUpdate(mctx, u->out.data + after, u->out.len - after) &&
         EVP_DigestFinal_ex(mctx, digest, digest_len);
    EVP_MD_CTX_free(mctx);
    return ok ? 0 : -1;
}

int pades_update_set_contents(struct pades_update *u, const unsigned char *der, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (2 * len + 2 > u->contents_len)
        return -1;
    for (size_t i = 0; i < len; i++) {
        u->out.data[u->contents_at + 1 + 2 * i] = (unsigned char)hex[der[i] >> 4];
        u->out.data[u->contents_at + 2 + 2 * i] = (unsigned char)hex[der[i] & 15];
    }
    return 0;
}

sign_source *pades_update_result(const struct pades_update *u)
{
    return u->out.failed ? NULL : sign_source_append(u->doc->source, u->out.data, u->out.len);
}

int pades_update_emit(const struct pades_update *u, BIO *out)
{
    if (pdf_each_chunk(u->doc, 0, u->doc->size, write_chunk, out) != 0)
        return -1;
    if (u->out.len && BIO_write(out, u->out.data, (int)u->out.len) != (int)u->out.len)
        return -1;
    return 0;
}
