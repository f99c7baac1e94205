/* Reading PDF files (ISO 32000-1 clause 7): tokens (7.2), objects (7.3), the file structure with
 * its cross-reference tables and streams (7.5.4, 7.5.8), object streams (7.5.7) and incremental
 * updates (7.5.6). Only what the PAdES module needs: no content streams, no encryption. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "formats/pades/pdf/pdf.h"

#define MAX_DEPTH 64                 /* nesting of arrays/dictionaries, and of object lookups */
#define MAX_SECTIONS 4096            /* cross-reference sections in one /Prev chain */
#define MAX_OBJECTS 8000000u         /* object numbers a file may use */
#define MAX_INFLATE (256u << 20)     /* decompressed size of one object or xref stream */
#define MAX_ARENA ((size_t)1 << 30)  /* parsed objects of one file */
#define ARENA_CHUNK 65536

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t align[];
};

struct objstm {
    uint32_t num;
    uint64_t where;             /* file offset of the stream object (identifies the version) */
    unsigned char *data;
    size_t len;
    size_t first;
    uint32_t n;
    uint32_t *nums;
    size_t *offsets;
};

struct pdf_arena {
    struct arena_chunk *chunks;
    size_t total;
    struct objstm *objstms;
    size_t objstm_count;
    int depth;                  /* pdf_get recursion (stream /Length, object streams) */
};

/* ---------------------------------------------------------------- memory */

void *pdf_alloc(pdf_doc *doc, size_t size)
{
    struct pdf_arena *a = doc->arena;
    size = (size + 15) & ~(size_t)15;
    if (!a || size > MAX_ARENA || a->total + size > MAX_ARENA)
        return NULL;
    struct arena_chunk *c = a->chunks;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
        a->total += cap;
    }
    void *p = (unsigned char *)c->align + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

pdf_value *pdf_new_value(pdf_doc *doc, enum pdf_type type)
{
    pdf_value *v = pdf_alloc(doc, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

static void seterror(pdf_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterror(pdf_doc *doc, const char *fmt, ...)
{
    if (doc->error[0])
        return; /* the first reason is the useful one */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(doc->error, sizeof doc->error, fmt, ap);
    va_end(ap);
}

static void setwarning(pdf_doc *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void setwarning(pdf_doc *doc, const char *fmt, ...)
{
    if (doc->warning[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(doc->warning, sizeof doc->warning, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- tokens (7.2) */

static int is_ws(int c) { return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32; }
static int is_delim(int c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}
static int is_regular(int c) { return !is_ws(c) && !is_delim(c); }

static void skip_ws(const unsigned char *buf, size_t len, size_t *pos)
{
    while (*pos < len) {
        if (is_ws(buf[*pos])) {
            (*pos)++;
        } else if (buf[*pos] == '%') {
            while (*pos < len && buf[*pos] != '\n' && buf[*pos] != '\r')
                (*pos)++;
        } else {
            break;
        }
    }
}

/* Whether the keyword kw stands at pos (followed by a delimiter, white space or the end). */
static int at_keyword(const unsigned char *buf, size_t len, size_t pos, const char *kw)
{
    size_t n = strlen(kw);
    return pos + n <= len && memcmp(buf + pos, kw, n) == 0 &&
           (pos + n == len || !is_regular(buf[pos + n]));
}

/* An unsigned decimal integer at *pos (no sign); -1 when there is none. */
static long long read_uint(const unsigned char *buf, size_t len, size_t *pos)
{
    size_t p = *pos;
    long long n = 0;
    if (p >= len || buf[p] < '0' || buf[p] > '9')
        return -1;
    while (p < len && buf[p] >= '0' && buf[p] <= '9') {
        if (n > (LLONG_MAX - 9) / 10)
            return -1;
        n = n * 10 + (buf[p++] - '0');
    }
    if (p < len && is_regular(buf[p]))
        return -1; /* "12abc" or "1.5" is not an unsigned integer token */
    *pos = p;
    return n;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---------------------------------------------------------------- objects (7.3) */

/* Growable list of values while a container is parsed; copied into the arena at the end. */
struct vec {
    pdf_value **items;
    size_t count, cap;
};

static int vec_push(struct vec *v, pdf_value *item)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        pdf_value **grown = realloc(v->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        v->items = grown;
        v->cap = cap;
    }
    v->items[v->count++] = item;
    return 0;
}

static pdf_value **vec_to_arena(pdf_doc *doc, struct vec *v)
{
    pdf_value **out = pdf_alloc(doc, (v->count ? v->count : 1) * sizeof *out);
    if (out && v->count)
        memcpy(out, v->items, v->count * sizeof *out);
    free(v->items);
    v->items = NULL;
    return out;
}

static pdf_value *parse_at(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos,
                           int depth);

static pdf_value *parse_name(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos)
{
    size_t p = *pos + 1, n = 0;
    size_t startp = p;
    while (p < len && is_regular(buf[p]))
        p++;
    pdf_value *v = pdf_new_value(doc, PDF_NAME);
    unsigned char *out = v ? pdf_alloc(doc, p - startp + 1) : NULL;
    if (!out)
        return NULL;
    for (size_t i = startp; i < p; i++) {
        if (buf[i] == '#' && i + 2 < p && hexval(buf[i + 1]) >= 0 && hexval(buf[i + 2]) >= 0) {
            out[n++] = (unsigned char)(hexval(buf[i + 1]) * 16 + hexval(buf[i + 2]));
            i += 2;
        } else {
            out[n++] = buf[i];
        }
    }
    v->bytes = out;
    v->len = n;
    *pos = p;
    return v;
}

static pdf_value *parse_literal(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos)
{
    /* The decoded string is never longer than its source. Find the end first. */
    size_t p = *pos + 1;
    int nest = 1;
    while (p < len && nest > 0) {
        if (buf[p] == '\\')
            p++;
        else if (buf[p] == '(')
            nest++;
        else if (buf[p] == ')')
            nest--;
        p++;
    }
    if (nest != 0)
        return NULL;
    size_t end = p; /* after ')' */
    pdf_value *v = pdf_new_value(doc, PDF_STRING);
    unsigned char *out = v ? pdf_alloc(doc, end - *pos) : NULL;
    if (!out)
        return NULL;
    size_t n = 0;
    for (p = *pos + 1; p < end - 1; p++) {
        unsigned char c = buf[p];
        if (c == '\\' && p + 1 < end - 1) {
            c = buf[++p];
            switch (c) {
            case 'n': out[n++] = '\n'; break;
            case 'r': out[n++] = '\r'; break;
            case 't': out[n++] = '\t'; break;
            case 'b': out[n++] = '\b'; break;
            case 'f': out[n++] = '\f'; break;
            case '\r':
                if (p + 1 < end - 1 && buf[p + 1] == '\n')
                    p++;
                break;
            case '\n': break;
            default:
                if (c >= '0' && c <= '7') {
                    int octal = c - '0';
                    for (int k = 0; k < 2 && p + 1 < end - 1 && buf[p + 1] >= '0' && buf[p + 1] <= '7'; k++)
                        octal = octal * 8 + (buf[++p] - '0');
                    out[n++] = (unsigned char)octal;
                } else {
                    out[n++] = c;
                }
            }
        } else if (c == '\r') {
            /* 7.3.4.2: an end-of-line in a literal string is read as a line feed */
            out[n++] = '\n';
            if (p + 1 < end - 1 && buf[p + 1] == '\n')
                p++;
        } else {
            out[n++] = c;
        }
    }
    v->bytes = out;
    v->len = n;
    *pos = end;
    return v;
}

static pdf_value *parse_hex(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos)
{
    size_t p = *pos + 1;
    while (p < len && buf[p] != '>')
        p++;
    if (p >= len)
        return NULL;
    pdf_value *v = pdf_new_value(doc, PDF_STRING);
    unsigned char *out = v ? pdf_alloc(doc, (p - *pos) / 2 + 1) : NULL;
    if (!out)
        return NULL;
    size_t n = 0;
    int high = -1;
    for (size_t i = *pos + 1; i < p; i++) {
        int h = hexval(buf[i]);
        if (h < 0) {
            if (is_ws(buf[i]))
                continue;
            return NULL;
        }
        if (high < 0) {
            high = h;
        } else {
            out[n++] = (unsigned char)(high * 16 + h);
            high = -1;
        }
    }
    if (high >= 0)
        out[n++] = (unsigned char)(high * 16); /* 7.3.4.3: a missing last digit is 0 */
    v->bytes = out;
    v->len = n;
    *pos = p + 1;
    return v;
}

static pdf_value *parse_number(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos)
{
    size_t p = *pos;
    int dot = 0, digits = 0;
    if (p < len && (buf[p] == '+' || buf[p] == '-'))
        p++;
    while (p < len && ((buf[p] >= '0' && buf[p] <= '9') || buf[p] == '.')) {
        if (buf[p] == '.')
            dot++;
        else
            digits++;
        p++;
    }
    if (digits == 0 || dot > 1 || (p < len && is_regular(buf[p])))
        return NULL;
    if (dot) {
        pdf_value *v = pdf_new_value(doc, PDF_REAL);
        unsigned char *text = v ? pdf_alloc(doc, p - *pos + 1) : NULL;
        if (!text)
            return NULL;
        memcpy(text, buf + *pos, p - *pos);
        v->bytes = text;
        v->len = p - *pos;
        *pos = p;
        return v;
    }
    long long n = 0;
    int negative = buf[*pos] == '-';
    for (size_t i = *pos; i < p; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            continue;
        if (n > (LLONG_MAX - 9) / 10)
            return NULL;
        n = n * 10 + (buf[i] - '0');
    }
    /* "num gen R" is a reference: look ahead for it */
    size_t q = p;
    skip_ws(buf, len, &q);
    long long gen = read_uint(buf, len, &q);
    if (!negative && buf[*pos] != '+' && gen >= 0 && gen <= 65535) {
        skip_ws(buf, len, &q);
        if (at_keyword(buf, len, q, "R")) {
            pdf_value *v = pdf_new_value(doc, PDF_REF);
            if (!v)
                return NULL;
            v->num = n;
            v->gen = (int)gen;
            *pos = q + 1;
            return v;
        }
    }
    pdf_value *v = pdf_new_value(doc, PDF_INT);
    if (!v)
        return NULL;
    v->num = negative ? -n : n;
    *pos = p;
    return v;
}

static pdf_value *parse_container(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos,
                                  int depth, int is_dict)
{
    struct vec keys = {0}, items = {0};
    *pos += is_dict ? 2 : 1;
    for (;;) {
        skip_ws(buf, len, pos);
        if (*pos >= len)
            goto fail;
        if (is_dict && buf[*pos] == '>' && *pos + 1 < len && buf[*pos + 1] == '>') {
            *pos += 2;
            break;
        }
        if (!is_dict && buf[*pos] == ']') {
            (*pos)++;
            break;
        }
        if (is_dict) {
            if (buf[*pos] != '/')
                goto fail;
            pdf_value *key = parse_name(doc, buf, len, pos);
            if (!key || vec_push(&keys, key) != 0)
                goto fail;
            skip_ws(buf, len, pos);
            if (*pos < len && buf[*pos] == '>' && *pos + 1 < len && buf[*pos + 1] == '>') {
                /* a key without value: read it as null rather than give up the object */
                if (vec_push(&items, pdf_new_value(doc, PDF_NULL)) != 0)
                    goto fail;
                continue;
            }
        }
        pdf_value *item = parse_at(doc, buf, len, pos, depth + 1);
        if (!item || vec_push(&items, item) != 0)
            goto fail;
    }
    pdf_value *v = pdf_new_value(doc, is_dict ? PDF_DICT : PDF_ARRAY);
    if (!v)
        goto fail;
    v->count = items.count;
    v->items = vec_to_arena(doc, &items);
    if (is_dict)
        v->keys = vec_to_arena(doc, &keys);
    if (!v->items || (is_dict && !v->keys))
        return NULL;
    return v;
fail:
    free(keys.items);
    free(items.items);
    return NULL;
}

static pdf_value *parse_at(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos,
                           int depth)
{
    if (depth > MAX_DEPTH)
        return NULL;
    skip_ws(buf, len, pos);
    if (*pos >= len)
        return NULL;
    size_t start = *pos;
    unsigned char c = buf[*pos];
    pdf_value *v = NULL;
    if (c == '/')
        v = parse_name(doc, buf, len, pos);
    else if (c == '(')
        v = parse_literal(doc, buf, len, pos);
    else if (c == '<' && *pos + 1 < len && buf[*pos + 1] == '<')
        v = parse_container(doc, buf, len, pos, depth, 1);
    else if (c == '<')
        v = parse_hex(doc, buf, len, pos);
    else if (c == '[')
        v = parse_container(doc, buf, len, pos, depth, 0);
    else if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')
        v = parse_number(doc, buf, len, pos);
    else if (at_keyword(buf, len, *pos, "true") || at_keyword(buf, len, *pos, "false")) {
        v = pdf_new_value(doc, PDF_BOOL);
        if (v) {
            v->num = c == 't';
            *pos += c == 't' ? 4 : 5;
        }
    } else if (at_keyword(buf, len, *pos, "null")) {
        v = pdf_new_value(doc, PDF_NULL);
        if (v)
            *pos += 4;
    }
    if (v) {
        v->start = start;
        v->end = *pos;
    }
    return v;
}

pdf_value *pdf_parse_value(pdf_doc *doc, const unsigned char *buf, size_t len, size_t *pos)
{
    return parse_at(doc, buf, len, pos, 0);
}

pdf_value *pdf_dict_get(const pdf_value *dict, const char *key)
{
    if (!dict || (dict->type != PDF_DICT && dict->type != PDF_STREAM))
        return NULL;
    size_t n = strlen(key);
    /* 7.3.7: a later duplicate key is not defined; the first one wins, as in most readers */
    for (size_t i = 0; i < dict->count; i++)
        if (dict->keys[i]->len == n && memcmp(dict->keys[i]->bytes, key, n) == 0)
            return dict->items[i]->type == PDF_NULL ? NULL : dict->items[i];
    return NULL;
}

int pdf_is_name(const pdf_value *v, const char *name)
{
    return v && v->type == PDF_NAME && v->len == strlen(name) && memcmp(v->bytes, name, v->len) == 0;
}

/* ---------------------------------------------------------------- indirect objects */

static long long stream_length(pdf_doc *doc, const pdf_value *dict, size_t limit)
{
    pdf_value *length = pdf_dict_get(dict, "Length");
    if (length && length->type == PDF_REF)
        length = pdf_resolve(doc, length, limit);
    return length && length->type == PDF_INT && length->num >= 0 ? length->num : -1;
}

static const unsigned char *find_bytes(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || len < n)
        return NULL;
    const unsigned char *end = hay + len - n;
    for (const unsigned char *p = hay; p <= end;) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
        p++;
    }
    return NULL;
}

pdf_value *pdf_parse_indirect(pdf_doc *doc, size_t offset, uint32_t *num, int *gen, size_t *end,
                              size_t limit)
{
    const unsigned char *buf = doc->data;
    size_t len = doc->size, pos = offset;
    if (offset >= len)
        return NULL;
    skip_ws(buf, len, &pos);
    long long n = read_uint(buf, len, &pos);
    skip_ws(buf, len, &pos);
    long long g = read_uint(buf, len, &pos);
    skip_ws(buf, len, &pos);
    if (n < 0 || n >= MAX_OBJECTS || g < 0 || g > 65535 || !at_keyword(buf, len, pos, "obj"))
        return NULL;
    pos += 3;
    pdf_value *v = parse_at(doc, buf, len, &pos, 0);
    if (!v)
        return NULL;
    size_t after = pos;
    skip_ws(buf, len, &after);
    if (v->type == PDF_DICT && at_keyword(buf, len, after, "stream")) {
        /* 7.3.8.1: "stream" is followed by CRLF or LF (a lone CR is tolerated) */
        size_t data = after + 6;
        if (data < len && buf[data] == '\r')
            data++;
        if (data < len && buf[data] == '\n')
            data++;
        long long length = stream_length(doc, v, limit);
        size_t check = (size_t)length + data;
        int ok = length >= 0 && (size_t)length <= len - data;
        if (ok) {
            skip_ws(buf, len, &check);
            ok = at_keyword(buf, len, check, "endstream");
        }
        if (!ok) {
            /* a wrong /Length: take the data up to "endstream" as most readers do */
            const unsigned char *es = find_bytes(buf + data, len - data, "endstream");
            if (!es)
                return NULL;
            size_t stop = (size_t)(es - buf);
            if (stop > data && buf[stop - 1] == '\n')
                stop--;
            if (stop > data && buf[stop - 1] == '\r')
                stop--;
            length = (long long)(stop - data);
            check = (size_t)(es - buf);
        }
        v->type = PDF_STREAM;
        v->data_start = data;
        v->data_len = (size_t)length;
        pos = check + 9;
        v->end = pos;
        after = pos;
        skip_ws(buf, len, &after);
    }
    if (at_keyword(buf, len, after, "endobj"))
        pos = after + 6;
    *num = (uint32_t)n;
    *gen = (int)g;
    if (end)
        *end = pos;
    return v;
}

/* ---------------------------------------------------------------- streams (7.4.4) */

/* PNG predictors (7.4.4.4): each row starts with its filter type. Decoded in place into out. */
static int unpredict(unsigned char *data, size_t *len, const pdf_value *parms)
{
    pdf_value *pred = pdf_dict_get(parms, "Predictor");
    long long predictor = pred && pred->type == PDF_INT ? pred->num : 1;
    if (predictor == 1)
        return 0;
    if (predictor < 10)
        return -1; /* TIFF predictor: not used for cross-reference or object streams */
    pdf_value *c = pdf_dict_get(parms, "Columns"), *co = pdf_dict_get(parms, "Colors"),
              *b = pdf_dict_get(parms, "BitsPerComponent");
    long long columns = c && c->type == PDF_INT ? c->num : 1;
    long long colors = co && co->type == PDF_INT ? co->num : 1;
    long long bpc = b && b->type == PDF_INT ? b->num : 8;
    if (columns <= 0 || columns > 1 << 20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16)
        return -1;
    size_t bpp = (size_t)((colors * bpc + 7) / 8);
    size_t row = (size_t)((columns * colors * bpc + 7) / 8);
    size_t rows = *len / (row + 1);
    unsigned char *prev = calloc(row, 1);
    if (!prev)
        return -1;
    size_t out = 0;
    for (size_t r = 0; r < rows; r++) {
        unsigned char type = data[r * (row + 1)];
        unsigned char *in = data + r * (row + 1) + 1;
        unsigned char *cur = data + out; /* out <= in, so decoding in place is safe */
        for (size_t i = 0; i < row; i++) {
            unsigned a = i >= bpp ? cur[i - bpp] : 0, up = prev[i], ul = i >= bpp ? prev[i - bpp] : 0;
            unsigned x = in[i], value;
            switch (type) {
            case 0: value = x; break;
            case 1: value = x + a; break;
            case 2: value = x + up; break;
            case 3: value = x + (a + up) / 2; break;
            case 4: {
                int p = (int)a + (int)up - (int)ul;
                int pa = abs(p - (int)a), pb = abs(p - (int)up), pc = abs(p - (int)ul);
                value = x + (pa <= pb && pa <= pc ? a : pb <= pc ? up : ul);
                break;
            }
            default: free(prev); return -1;
            }
            cur[i] = (unsigned char)value;
        }
        memcpy(prev, cur, row);
        out += row;
    }
    free(prev);
    *len = out;
    return 0;
}

/* Decoded data of a stream (FlateDecode or no filter). Caller frees *out. */
static int decode_stream(pdf_doc *doc, const pdf_value *stream, unsigned char **out, size_t *out_len)
{
    pdf_value *filter = pdf_dict_get(stream, "Filter");
    pdf_value *parms = pdf_dict_get(stream, "DecodeParms");
    if (filter && filter->type == PDF_ARRAY) {
        if (filter->count > 1)
            return -1;
        filter = filter->count ? filter->items[0] : NULL;
        if (parms && parms->type == PDF_ARRAY)
            parms = parms->count ? parms->items[0] : NULL;
    }
    const unsigned char *raw = doc->data + stream->data_start;
    size_t raw_len = stream->data_len;
    if (!filter) {
        *out = malloc(raw_len ? raw_len : 1);
        if (!*out)
            return -1;
        memcpy(*out, raw, raw_len);
        *out_len = raw_len;
        return 0;
    }
    if (!pdf_is_name(filter, "FlateDecode"))
        return -1;
    size_t cap = raw_len * 4 + 1024, n = 0;
    unsigned char *buf = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!buf || inflateInit(&z) != Z_OK) {
        free(buf);
        return -1;
    }
    z.next_in = (unsigned char *)raw;
    z.avail_in = (uInt)(raw_len > UINT32_MAX ? UINT32_MAX : raw_len);
    int zrc = Z_OK;
    while (zrc == Z_OK) {
        if (n == cap) {
            if (cap >= MAX_INFLATE)
                break;
            cap *= 2;
            unsigned char *grown = realloc(buf, cap);
            if (!grown)
                break;
            buf = grown;
        }
        z.next_out = buf + n;
        z.avail_out = (uInt)(cap - n);
        zrc = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
        if (zrc == Z_BUF_ERROR && z.avail_in == 0)
            break; /* truncated data: keep what was decoded, as readers do */
    }
    inflateEnd(&z);
    if (zrc != Z_STREAM_END && zrc != Z_BUF_ERROR && zrc != Z_OK) {
        free(buf);
        return -1;
    }
    if (parms && parms->type == PDF_DICT && unpredict(buf, &n, parms) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}

/* ---------------------------------------------------------------- cross-reference (7.5.4, 7.5.8) */

static int entry_cmp(const void *a, const void *b)
{
    const struct pdf_xref_entry *x = a, *y = b;
    return x->num < y->num ? -1 : x->num > y->num;
}

static int entry_seq_cmp(const void *a, const void *b)
{
    const struct pdf_xref_entry *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort and drop duplicate numbers: the first one read wins (a hybrid file's table before its
 * /XRefStm stream, 7.5.8.4). */
static void section_finish(struct pdf_section *s)
{
    /* An empty section has no entries array: qsort and bsearch must not be given NULL, even
     * for zero elements (C11 7.22.5; glibc declares them nonnull). */
    if (s->count == 0)
        return;
    for (size_t i = 0; i < s->count; i++)
        s->entries[i].seq = (uint32_t)i;
    qsort(s->entries, s->count, sizeof *s->entries, entry_seq_cmp);
    size_t out = 0;
    for (size_t i = 0; i < s->count; i++)
        if (out == 0 || s->entries[out - 1].num != s->entries[i].num)
            s->entries[out++] = s->entries[i];
    s->count = out;
}

struct entry_vec {
    struct pdf_xref_entry *items;
    size_t count, cap;
};

static int entries_push(struct entry_vec *v, struct pdf_xref_entry e)
{
    if (v->count >= MAX_OBJECTS)
        return -1;
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        struct pdf_xref_entry *grown = realloc(v->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        v->items = grown;
        v->cap = cap;
    }
    v->items[v->count++] = e;
    return 0;
}

static int load_xref_stream(pdf_doc *doc, size_t offset, struct pdf_section *s,
                            struct entry_vec *entries)
{
    uint32_t num;
    int gen;
    size_t end;
    pdf_value *v = pdf_parse_indirect(doc, offset, &num, &gen, &end, SIZE_MAX);
    if (!v || v->type != PDF_STREAM || !pdf_is_name(pdf_dict_get(v, "Type"), "XRef"))
        return -1;
    pdf_value *w = pdf_dict_get(v, "W"), *size = pdf_dict_get(v, "Size"),
              *index = pdf_dict_get(v, "Index");
    if (!w || w->type != PDF_ARRAY || w->count != 3 || !size || size->type != PDF_INT)
        return -1;
    int widths[3], row = 0;
    for (int i = 0; i < 3; i++) {
        if (w->items[i]->type != PDF_INT || w->items[i]->num < 0 || w->items[i]->num > 8)
            return -1;
        widths[i] = (int)w->items[i]->num;
        row += widths[i];
    }
    if (row == 0)
        return -1;
    unsigned char *data;
    size_t len;
    if (decode_stream(doc, v, &data, &len) != 0)
        return -1;
    size_t pos = 0;
    size_t pairs = index && index->type == PDF_ARRAY ? index->count / 2 : 1;
    int rc = 0;
    for (size_t p = 0; p < pairs && rc == 0; p++) {
        long long first = 0, count = size->num;
        if (index && index->type == PDF_ARRAY) {
            if (index->items[2 * p]->type != PDF_INT || index->items[2 * p + 1]->type != PDF_INT) {
                rc = -1;
                break;
            }
            first = index->items[2 * p]->num;
            count = index->items[2 * p + 1]->num;
        }
        if (first < 0 || count < 0 || first + count > MAX_OBJECTS) {
            rc = -1;
            break;
        }
        for (long long i = 0; i < count; i++) {
            if (pos + (size_t)row > len)
                break; /* short stream: what is there is used */
            uint64_t field[3];
            for (int f = 0; f < 3; f++) {
                field[f] = 0;
                for (int k = 0; k < widths[f]; k++)
                    field[f] = field[f] << 8 | data[pos++];
            }
            if (widths[0] == 0)
                field[0] = 1;
            if (field[0] > 2)
                continue; /* 7.5.8.3: unknown types are references to null */
            struct pdf_xref_entry e = {.num = (uint32_t)(first + i), .kind = (uint8_t)field[0]};
            if (field[0] == 1) {
                e.where = field[1];
                e.gen = (uint16_t)field[2];
            } else if (field[0] == 2) {
                e.where = field[1];
                e.index = (uint32_t)field[2];
            }
            if (entries_push(entries, e) != 0) {
                rc = -1;
                break;
            }
        }
    }
    free(data);
    if (rc == 0) {
        s->trailer = v;
        s->end = end;
        s->is_stream = 1;
    }
    return rc;
}

static int load_xref_table(pdf_doc *doc, size_t offset, struct pdf_section *s,
                           struct entry_vec *entries)
{
    const unsigned char *buf = doc->data;
    size_t len = doc->size, pos = offset + 4;
    for (;;) {
        skip_ws(buf, len, &pos);
        if (at_keyword(buf, len, pos, "trailer"))
            break;
        long long first = read_uint(buf, len, &pos);
        skip_ws(buf, len, &pos);
        long long count = read_uint(buf, len, &pos);
        if (first < 0 || count < 0 || first + count > MAX_OBJECTS)
            return -1;
        for (long long i = 0; i < count; i++) {
            skip_ws(buf, len, &pos);
            long long where = read_uint(buf, len, &pos);
            skip_ws(buf, len, &pos);
            long long gen = read_uint(buf, len, &pos);
            skip_ws(buf, len, &pos);
            if (where < 0 || gen < 0 || pos >= len || (buf[pos] != 'n' && buf[pos] != 'f'))
                return -1;
            struct pdf_xref_entry e = {.num = (uint32_t)(first + i), .gen = (uint16_t)gen,
                                       .kind = buf[pos] == 'n', .where = (uint64_t)where};
            pos++;
            if (e.kind == 1 && where == 0)
                e.kind = 0; /* "0000000000 00000 n" points nowhere: treat as free */
            if (entries_push(entries, e) != 0)
                return -1;
        }
    }
    pos += 7;
    pdf_value *trailer = parse_at(doc, buf, len, &pos, 0);
    if (!trailer || trailer->type != PDF_DICT)
        return -1;
    s->trailer = trailer;
    s->end = pos;
    /* 7.5.8.4 hybrid files: entries of the /XRefStm stream come after the table's own */
    pdf_value *xrefstm = pdf_dict_get(trailer, "XRefStm");
    if (xrefstm && xrefstm->type == PDF_INT && xrefstm->num > 0 && (size_t)xrefstm->num < len) {
        struct pdf_section hidden = {0};
        if (load_xref_stream(doc, (size_t)xrefstm->num, &hidden, entries) != 0)
            return -1;
    }
    return 0;
}

static int load_section(pdf_doc *doc, size_t offset, struct pdf_section *s)
{
    struct entry_vec entries = {0};
    memset(s, 0, sizeof *s);
    s->offset = offset;
    int rc = at_keyword(doc->data, doc->size, offset, "xref")
                 ? load_xref_table(doc, offset, s, &entries)
                 : load_xref_stream(doc, offset, s, &entries);
    if (rc != 0) {
        free(entries.items);
        return -1;
    }
    s->entries = entries.items;
    s->count = entries.count;
    section_finish(s);
    return 0;
}

/* The offset given by the last "startxref" (7.5.5), or -1. */
static long long find_startxref(const pdf_doc *doc)
{
    size_t tail = doc->size < 2048 ? doc->size : 2048;
    const unsigned char *from = doc->data + doc->size - tail, *found = NULL;
    for (const unsigned char *p = from; (p = find_bytes(p, (size_t)(doc->data + doc->size - p),
                                                       "startxref")) != NULL;
         p++)
        found = p;
    if (!found)
        return -1;
    size_t pos = (size_t)(found - doc->data) + 9;
    skip_ws(doc->data, doc->size, &pos);
    return read_uint(doc->data, doc->size, &pos);
}

/* "num gen obj" at offset: the object number, or -1. */
static long long header_at(const pdf_doc *doc, size_t offset)
{
    size_t pos = offset;
    const unsigned char *buf = doc->data;
    if (offset >= doc->size)
        return -1;
    skip_ws(buf, doc->size, &pos);
    long long n = read_uint(buf, doc->size, &pos);
    skip_ws(buf, doc->size, &pos);
    long long g = read_uint(buf, doc->size, &pos);
    skip_ws(buf, doc->size, &pos);
    return n >= 0 && n < MAX_OBJECTS && g >= 0 && g <= 65535 && at_keyword(buf, doc->size, pos, "obj")
               ? n
               : -1;
}

#define XREF_SLACK 32 /* how far off a startxref or /Prev may point and still be followed */

/* Where the cross-reference section that offset names really starts: offset itself, or, as
 * qpdf does with a warning, the "xref" keyword or object header a few bytes from it (writers
 * that count an end-of-line too many or too few). SIZE_MAX when there is none. */
static size_t section_near(pdf_doc *doc, size_t offset)
{
    if (offset >= doc->size)
        return SIZE_MAX;
    size_t pos = offset;
    skip_ws(doc->data, doc->size, &pos);
    if (at_keyword(doc->data, doc->size, pos, "xref") || header_at(doc, offset) >= 0) {
        if (pos != offset && at_keyword(doc->data, doc->size, pos, "xref"))
            setwarning(doc, "a cross-reference offset points %zu bytes before its section",
                       pos - offset);
        return at_keyword(doc->data, doc->size, pos, "xref") ? pos : offset;
    }
    size_t from = offset > XREF_SLACK ? offset - XREF_SLACK : 0;
    size_t to = offset + XREF_SLACK < doc->size ? offset + XREF_SLACK : doc->size;
    size_t best = SIZE_MAX, best_distance = SIZE_MAX;
    for (size_t p = from; p < to; p++) {
        int boundary = p == 0 || !is_regular(doc->data[p - 1]);
        if (!boundary || (!at_keyword(doc->data, doc->size, p, "xref") &&
                          !(doc->data[p] >= '0' && doc->data[p] <= '9' && header_at(doc, p) >= 0)))
            continue; /* neither a table nor an object (a cross-reference stream) starts here */
        size_t distance = p > offset ? p - offset : offset - p;
        if (distance < best_distance) {
            best = p;
            best_distance = distance;
        }
    }
    if (best != SIZE_MAX)
        setwarning(doc, "a cross-reference offset points %zu bytes off its section", best_distance);
    return best;
}

/* ISO 32000-1 Annex F: in a linearized file the first-page section (near the start, found
 * first through startxref) names by /Prev the main section at the end of the same revision. A
 * /Prev that points forward from the oldest-but-one section to the oldest, in a file whose first
 * object is a linearization dictionary, is that pair: they are read as one section, where the
 * main one stands, so that the first revision is all of the linearized file. */
static int merge_linearized(pdf_doc *doc)
{
    size_t n = doc->section_count;
    if (n < 2)
        return 0;
    struct pdf_section *first_page = &doc->sections[n - 2], *main_section = &doc->sections[n - 1];
    if (first_page->offset >= main_section->offset)
        return 0;
    size_t pos = 0;
    const unsigned char *header = find_bytes(doc->data, doc->size < 1024 ? doc->size : 1024, "%PDF-");
    pos = header ? (size_t)(header - doc->data) + 5 : 0;
    while (pos < doc->size && pos < 2048 && doc->data[pos] != '\n' && doc->data[pos] != '\r')
        pos++;
    uint32_t num;
    int gen;
    size_t end;
    pdf_value *lin = pdf_parse_indirect(doc, pos, &num, &gen, &end, 0);
    if (!lin || lin->type != PDF_DICT || !pdf_dict_get(lin, "Linearized"))
        return 0;
    size_t count = first_page->count + main_section->count;
    struct pdf_xref_entry *entries = malloc((count ? count : 1) * sizeof *entries);
    if (!entries)
        return -1;
    /* the first-page entries are the newer ones (7.5.6): read first, they win duplicates */
    if (first_page->count)
        memcpy(entries, first_page->entries, first_page->count * sizeof *entries);
    if (main_section->count)
        memcpy(entries + first_page->count, main_section->entries,
               main_section->count * sizeof *entries);
    free(first_page->entries);
    free(main_section->entries);
    main_section->entries = entries;
    main_section->count = count;
    main_section->trailer = first_page->trailer;
    main_section->is_stream = first_page->is_stream;
    section_finish(main_section);
    doc->section_count = n - 1;
    doc->sections[n - 2] = *main_section;
    return 0;
}

static int load_chain(pdf_doc *doc)
{
    long long given = find_startxref(doc);
    size_t offset = given >= 0 ? section_near(doc, (size_t)given) : SIZE_MAX;
    if (offset == SIZE_MAX) {
        seterror(doc, "no usable startxref");
        doc->damage_at = doc->size;
        return -1;
    }
    doc->startxref = offset;
    size_t cap = 0;
    while (offset != SIZE_MAX) {
        for (size_t i = 0; i < doc->section_count; i++)
            if (doc->sections[i].offset == offset) {
                seterror(doc, "the /Prev chain of cross-reference sections loops");
                doc->damage_at = doc->sections[doc->section_count - 1].offset;
                return -1;
            }
        if (doc->section_count == MAX_SECTIONS) {
            seterror(doc, "too many cross-reference sections");
            doc->damage_at = 0;
            return -1;
        }
        if (doc->section_count == cap) {
            cap = cap ? cap * 2 : 8;
            struct pdf_section *grown = realloc(doc->sections, cap * sizeof *grown);
            if (!grown)
                return -1;
            doc->sections = grown;
        }
        struct pdf_section *s = &doc->sections[doc->section_count];
        if (load_section(doc, offset, s) != 0) {
            seterror(doc, "broken cross-reference section at offset %zu", offset);
            doc->damage_at = offset;
            return -1;
        }
        doc->section_count++;
        pdf_value *prev = pdf_dict_get(s->trailer, "Prev");
        offset = SIZE_MAX;
        if (prev && prev->type == PDF_INT && prev->num >= 0) {
            offset = section_near(doc, (size_t)prev->num);
            if (offset == SIZE_MAX) {
                seterror(doc, "/Prev points to no cross-reference section");
                doc->damage_at = s->offset;
                return -1;
            }
        }
    }
    if (merge_linearized(doc) != 0)
        return -1;
    doc->uses_xref_streams = doc->sections[0].is_stream;
    return 0;
}

/* Whether every in-use entry of every section points at the object it names: an offset that
 * does not is damage a reader has to repair (qpdf rebuilds the table then). */
static int entries_point_at_objects(pdf_doc *doc)
{
    for (size_t i = 0; i < doc->section_count; i++) {
        const struct pdf_section *s = &doc->sections[i];
        for (size_t k = 0; k < s->count; k++) {
            const struct pdf_xref_entry *e = &s->entries[k];
            if (e->kind == 1 && (e->where >= doc->size || header_at(doc, (size_t)e->where) != e->num)) {
                seterror(doc, "the cross-reference entry of object %u points elsewhere", e->num);
                doc->damage_at = s->offset;
                return 0;
            }
        }
    }
    pdf_value *root = pdf_resolve(doc, pdf_dict_get(doc->sections[0].trailer, "Root"), SIZE_MAX);
    if (!root || root->type != PDF_DICT) {
        seterror(doc, "the trailer's /Root is not a dictionary");
        doc->damage_at = doc->sections[0].offset;
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- repair by scanning */

/* One revision found by scanning: the objects between two "%%EOF" markers. */
struct scan_revision {
    struct entry_vec entries;   /* in file order; the later definition of a number wins */
    pdf_value *trailer;         /* its last trailer dictionary or cross-reference stream's */
    long long catalog;          /* its last /Type /Catalog object's number, or -1 */
    int catalog_gen;
    size_t eof;                 /* offset of its "%%EOF"; the file's end for the last one */
};

/* A trailer for a rebuilt revision: base's entries (none when base is NULL) with /Root set to
 * the catalog num gen R. */
static pdf_value *trailer_with_root(pdf_doc *doc, const pdf_value *base, uint32_t num, int gen)
{
    size_t n = base && base->type == PDF_DICT ? base->count : 0;
    pdf_value *out = pdf_new_value(doc, PDF_DICT), *key = pdf_new_value(doc, PDF_NAME),
              *ref = pdf_new_value(doc, PDF_REF);
    if (!out || !key || !ref)
        return NULL;
    out->keys = pdf_alloc(doc, (n + 1) * sizeof *out->keys);
    out->items = pdf_alloc(doc, (n + 1) * sizeof *out->items);
    key->bytes = pdf_alloc(doc, 4);
    if (!out->keys || !out->items || !key->bytes)
        return NULL;
    memcpy(key->bytes, "Root", 4);
    key->len = 4;
    ref->num = num;
    ref->gen = gen;
    out->keys[0] = key;
    out->items[0] = ref;
    out->count = 1;
    for (size_t i = 0; i < n; i++)
        if (!(base->keys[i]->len == 4 && memcmp(base->keys[i]->bytes, "Root", 4) == 0)) {
            out->keys[out->count] = base->keys[i];
            out->items[out->count++] = base->items[i];
        }
    return out;
}

/* The members of an object stream found while scanning, as entries of kind 2. */
static void scan_objstm(pdf_doc *doc, uint32_t stream_num, pdf_value *stream, struct entry_vec *out)
{
    pdf_value *n = pdf_dict_get(stream, "N");
    unsigned char *data = NULL;
    size_t len = 0;
    if (!n || n->type != PDF_INT || n->num < 0 || n->num > 1000000 ||
        decode_stream(doc, stream, &data, &len) != 0)
        return;
    size_t pos = 0;
    for (long long i = 0; i < n->num; i++) {
        skip_ws(data, len, &pos);
        long long objnum = read_uint(data, len, &pos);
        skip_ws(data, len, &pos);
        long long off = read_uint(data, len, &pos);
        if (objnum < 0 || off < 0 || objnum >= MAX_OBJECTS)
            break;
        struct pdf_xref_entry e = {.num = (uint32_t)objnum, .kind = 2, .where = stream_num,
                                   .index = (uint32_t)i};
        if (entries_push(out, e) != 0)
            break;
    }
    free(data);
}

/* 7.5.4 as qpdf recovers it: when the cross-reference data cannot be used, every "num gen obj"
 * in the file is an object, the last definition of a number winning. The file is cut at each
 * "%%EOF" into revisions, each becoming one section (ending there), so that what changed after
 * a signature is still seen as changed. */
static int repair(pdf_doc *doc)
{
    const unsigned char *buf = doc->data;
    size_t len = doc->size;
    struct scan_revision *revs = NULL;
    size_t rev_count = 0, rev_cap = 0, objects = 0;
    struct scan_revision current = {.eof = len, .catalog = -1};
    int rc = -1;
    for (size_t pos = 0; pos < len;) {
        unsigned char c = buf[pos];
        int boundary = pos == 0 || !is_regular(buf[pos - 1]);
        if (c == '%' && pos + 5 <= len && memcmp(buf + pos, "%%EOF", 5) == 0) {
            if (rev_count == MAX_SECTIONS)
                goto done;
            if (rev_count == rev_cap) {
                rev_cap = rev_cap ? rev_cap * 2 : 8;
                struct scan_revision *grown = realloc(revs, rev_cap * sizeof *grown);
                if (!grown)
                    goto done;
                revs = grown;
            }
            current.eof = pos;
            revs[rev_count++] = current;
            current = (struct scan_revision){.eof = len, .trailer = current.trailer,
                                             .catalog = current.catalog,
                                             .catalog_gen = current.catalog_gen};
            pos += 5;
        } else if (boundary && c >= '0' && c <= '9' && header_at(doc, pos) >= 0) {
            uint32_t num;
            int gen;
            size_t end = 0;
            pdf_value *v = pdf_parse_indirect(doc, pos, &num, &gen, &end, 0);
            if (!v || end <= pos) {
                pos++;
                continue;
            }
            struct pdf_xref_entry e = {.num = num, .gen = (uint16_t)gen, .kind = 1, .where = pos};
            if (entries_push(&current.entries, e) != 0)
                goto done;
            objects++;
            if (v->type == PDF_STREAM && pdf_is_name(pdf_dict_get(v, "Type"), "ObjStm"))
                scan_objstm(doc, num, v, &current.entries);
            else if (v->type == PDF_STREAM && pdf_is_name(pdf_dict_get(v, "Type"), "XRef"))
                current.trailer = v;
            else if (v->type == PDF_DICT && pdf_is_name(pdf_dict_get(v, "Type"), "Catalog")) {
                current.catalog = num;
                current.catalog_gen = gen;
            }
            pos = end;
        } else if (boundary && c == 't' && at_keyword(buf, len, pos, "trailer")) {
            size_t p = pos + 7;
            pdf_value *t = parse_at(doc, buf, len, &p, 0);
            if (t && t->type == PDF_DICT)
                current.trailer = t;
            pos = p > pos + 7 ? p : pos + 7;
        } else {
            pos++;
        }
    }
    if (current.entries.count) {
        if (rev_count == rev_cap) {
            struct scan_revision *grown = realloc(revs, (rev_cap + 1) * sizeof *grown);
            if (!grown)
                goto done;
            revs = grown;
        }
        revs[rev_count++] = current;
        current = (struct scan_revision){.eof = len, .catalog = -1};
    }
    if (objects == 0) {
        seterror(doc, "no objects found");
        goto done;
    }
    /* the sections, newest first, each ending at its revision's %%EOF */
    free(doc->sections);
    doc->sections = calloc(rev_count, sizeof *doc->sections);
    doc->section_count = 0;
    if (!doc->sections)
        goto done;
    for (size_t r = rev_count; r-- > 0;) {
        struct scan_revision *rev = &revs[r];
        if (rev->entries.count == 0 && doc->section_count == 0)
            continue; /* trailing markers after the last object */
        struct pdf_section *s = &doc->sections[doc->section_count++];
        s->offset = rev->eof;
        s->end = rev->eof;
        /* later definitions win: section_finish keeps the first read, so reverse them */
        for (size_t i = 0, j = rev->entries.count; i < j / 2; i++) {
            struct pdf_xref_entry t = rev->entries.items[i];
            rev->entries.items[i] = rev->entries.items[j - 1 - i];
            rev->entries.items[j - 1 - i] = t;
        }
        s->entries = rev->entries.items;
        s->count = rev->entries.count;
        rev->entries.items = NULL;
        section_finish(s);
        pdf_value *trailer = rev->trailer;
        pdf_value *root = trailer ? pdf_dict_get(trailer, "Root") : NULL;
        if ((!root || root->type != PDF_REF) && rev->catalog >= 0)
            trailer = trailer_with_root(doc, trailer, (uint32_t)rev->catalog, rev->catalog_gen);
        s->trailer = trailer ? trailer : pdf_new_value(doc, PDF_DICT);
        if (!s->trailer)
            goto done;
    }
    if (doc->section_count == 0) {
        seterror(doc, "no objects found");
        goto done;
    }
    doc->uses_xref_streams = 0;
    doc->startxref = 0;
    rc = 0;
done:
    for (size_t r = 0; r < rev_count; r++)
        free(revs[r].entries.items);
    free(revs);
    free(current.entries.items);
    return rc;
}

/* ---------------------------------------------------------------- documents */

int pdf_open(pdf_doc *doc, const sign_source *src)
{
    memset(doc, 0, sizeof *doc);
    doc->source = src;
    doc->arena = calloc(1, sizeof *doc->arena);
    if (!doc->arena) {
        seterror(doc, "out of memory");
        return -1;
    }
    if (sign_source_open_error(src)) {
        seterror(doc, "cannot open: %s", strerror(sign_source_open_error(src)));
        return -1;
    }
    if (sign_source_size(src) < 8) {
        seterror(doc, "too short for a PDF file");
        return -1;
    }
    /* One block for the parser: a file is mapped, never read whole into the heap. */
    if (sign_source_view(src, &doc->data, &doc->size) != 0) {
        seterror(doc, "cannot map the file: %s", strerror(errno));
        return -1;
    }
    if (!find_bytes(doc->data, doc->size < 1024 ? doc->size : 1024, "%PDF-")) {
        seterror(doc, "no %%PDF- header");
        return -1;
    }
    if (load_chain(doc) == 0 && entries_point_at_objects(doc))
        return 0;
    /* A PDF whose cross-reference data is unusable: rebuilt from its objects, as readers do,
     * and said so (the reason stays in the warning). */
    char reason[sizeof doc->error];
    snprintf(reason, sizeof reason, "%s", doc->error[0] ? doc->error : "unreadable");
    for (size_t i = 0; i < doc->section_count; i++)
        free(doc->sections[i].entries);
    free(doc->sections);
    doc->sections = NULL;
    doc->section_count = 0;
    doc->error[0] = '\0';
    if (repair(doc) != 0) {
        if (!doc->error[0])
            seterror(doc, "%s, and no objects to rebuild it from", reason);
        return -1;
    }
    doc->repaired = 1;
    doc->warning[0] = '\0';
    setwarning(doc, "the cross-reference data is damaged (%s); the file was read by scanning its "
                    "objects, as a repairing reader would", reason);
    return 0;
}

int pdf_each_chunk(const pdf_doc *doc, size_t at, size_t len,
                   int (*consume)(void *arg, const void *bytes, size_t len), void *arg)
{
    if (at > doc->size || len > doc->size - at)
        return -1;
    enum { CHUNK = 1 << 20 };
    unsigned char *chunk = malloc(len < CHUNK ? (len ? len : 1) : CHUNK);
    int ok = chunk != NULL;
    while (ok && len > 0) {
        size_t n = len < CHUNK ? len : CHUNK;
        ok = sign_source_read_at(doc->source, at, chunk, n) == (long long)n &&
             consume(arg, chunk, n) == 0;
        at += n;
        len -= n;
    }
    free(chunk);
    return ok ? 0 : -1;
}

void pdf_close(pdf_doc *doc)
{
    for (size_t i = 0; i < doc->section_count; i++)
        free(doc->sections[i].entries);
    free(doc->sections);
    if (doc->arena) {
        for (size_t i = 0; i < doc->arena->objstm_count; i++) {
            free(doc->arena->objstms[i].data);
            free(doc->arena->objstms[i].nums);
            free(doc->arena->objstms[i].offsets);
        }
        free(doc->arena->objstms);
        for (struct arena_chunk *c = doc->arena->chunks, *next; c; c = next) {
            next = c->next;
            free(c);
        }
        free(doc->arena);
    }
    memset(doc, 0, sizeof *doc);
}

const struct pdf_xref_entry *pdf_entry(const pdf_doc *doc, uint32_t num, size_t limit)
{
    struct pdf_xref_entry key = {.num = num};
    for (size_t i = 0; i < doc->section_count; i++) {
        const struct pdf_section *s = &doc->sections[i];
        if (s->offset >= limit || s->count == 0)
            continue;
        const struct pdf_xref_entry *e = bsearch(&key, s->entries, s->count, sizeof key, entry_cmp);
        if (e)
            return e;
    }
    return NULL;
}

pdf_value *pdf_trailer(pdf_doc *doc, size_t limit)
{
    for (size_t i = 0; i < doc->section_count; i++)
        if (doc->sections[i].offset < limit)
            return doc->sections[i].trailer;
    return NULL;
}

uint32_t pdf_next_num(const pdf_doc *doc)
{
    uint32_t next = 1;
    for (size_t i = 0; i < doc->section_count; i++) {
        const struct pdf_section *s = &doc->sections[i];
        pdf_value *size = pdf_dict_get(s->trailer, "Size");
        if (size && size->type == PDF_INT && size->num > next && size->num < MAX_OBJECTS)
            next = (uint32_t)size->num;
        if (s->count && s->entries[s->count - 1].num + 1 > next)
            next = s->entries[s->count - 1].num + 1;
    }
    return next;
}

static struct objstm *load_objstm(pdf_doc *doc, uint32_t num, size_t limit)
{
    const struct pdf_xref_entry *e = pdf_entry(doc, num, limit);
    if (!e || e->kind != 1)
        return NULL;
    struct pdf_arena *a = doc->arena;
    for (size_t i = 0; i < a->objstm_count; i++)
        if (a->objstms[i].num == num && a->objstms[i].where == e->where)
            return &a->objstms[i];
    pdf_value *stream = pdf_get(doc, num, limit);
    if (!stream || stream->type != PDF_STREAM || !pdf_is_name(pdf_dict_get(stream, "Type"), "ObjStm"))
        return NULL;
    pdf_value *n = pdf_dict_get(stream, "N"), *first = pdf_dict_get(stream, "First");
    if (!n || n->type != PDF_INT || !first || first->type != PDF_INT || n->num < 0 ||
        n->num > 1000000 || first->num < 0)
        return NULL;
    struct objstm o = {.num = num, .where = e->where};
    if (decode_stream(doc, stream, &o.data, &o.len) != 0)
        return NULL;
    o.first = (size_t)first->num;
    o.nums = calloc((size_t)n->num + 1, sizeof *o.nums);
    o.offsets = calloc((size_t)n->num + 1, sizeof *o.offsets);
    size_t pos = 0;
    for (long long i = 0; o.nums && o.offsets && i < n->num; i++) {
        skip_ws(o.data, o.len, &pos);
        long long objnum = read_uint(o.data, o.len, &pos);
        skip_ws(o.data, o.len, &pos);
        long long off = read_uint(o.data, o.len, &pos);
        if (objnum < 0 || off < 0 || objnum >= MAX_OBJECTS)
            break;
        o.nums[o.n] = (uint32_t)objnum;
        o.offsets[o.n] = (size_t)off;
        o.n++;
    }
    struct objstm *grown = o.nums && o.offsets
                               ? realloc(a->objstms, (a->objstm_count + 1) * sizeof *grown)
                               : NULL;
    if (!grown) {
        free(o.data);
        free(o.nums);
        free(o.offsets);
        return NULL;
    }
    a->objstms = grown;
    a->objstms[a->objstm_count] = o;
    return &a->objstms[a->objstm_count++];
}

pdf_value *pdf_get(pdf_doc *doc, uint32_t num, size_t limit)
{
    struct pdf_xref_entry *e = (struct pdf_xref_entry *)pdf_entry(doc, num, limit);
    if (!e || e->kind == 0)
        return NULL;
    if (e->cached)
        return e->cached;
    if (doc->arena->depth >= MAX_DEPTH)
        return NULL;
    doc->arena->depth++;
    pdf_value *v = NULL;
    if (e->kind == 1 && e->where < doc->size) {
        uint32_t got;
        int gen;
        v = pdf_parse_indirect(doc, (size_t)e->where, &got, &gen, NULL, limit);
        if (v && got != num)
            v = NULL;
    } else if (e->kind == 2 && e->where != num) {
        struct objstm *o = load_objstm(doc, (uint32_t)e->where, limit);
        if (o && e->index < o->n && o->nums[e->index] == num && o->first + o->offsets[e->index] < o->len) {
            size_t pos = o->first + o->offsets[e->index];
            v = parse_at(doc, o->data, o->len, &pos, 0);
        }
    }
    doc->arena->depth--;
    e->cached = v;
    return v;
}

pdf_value *pdf_resolve(pdf_doc *doc, pdf_value *v, size_t limit)
{
    if (v && v->type == PDF_REF)
        return v->num >= 0 && v->num < MAX_OBJECTS ? pdf_get(doc, (uint32_t)v->num, limit) : NULL;
    return v;
}

void pdf_skip_ws(const pdf_doc *doc, size_t *pos) { skip_ws(doc->data, doc->size, pos); }
int pdf_at_keyword(const pdf_doc *doc, size_t pos, const char *kw)
{
    return at_keyword(doc->data, doc->size, pos, kw);
}
size_t pdf_find(const pdf_doc *doc, size_t from, const char *needle)
{
    if (from >= doc->size)
        return SIZE_MAX;
    const unsigned char *p = find_bytes(doc->data + from, doc->size - from, needle);
    return p ? (size_t)(p - doc->data) : SIZE_MAX;
}

int pdf_stream_decode(pdf_doc *doc, const pdf_value *stream, unsigned char **out, size_t *out_len)
{
    if (!stream || stream->type != PDF_STREAM)
        return -1;
    return decode_stream(doc, stream, out, out_len);
}
