/* Writing PDF objects (ISO 32000-1 7.3) for incremental updates, and comparing them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "formats/pades/pdf/pdf.h"

void pdf_buf_append(struct pdf_buf *buf, const void *data, size_t len)
{
    if (buf->failed)
        return;
    if (buf->len + len > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 4096;
        while (cap < buf->len + len)
            cap *= 2;
        unsigned char *grown = realloc(buf->data, cap);
        if (!grown) {
            buf->failed = 1;
            return;
        }
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
}

void pdf_buf_printf(struct pdf_buf *buf, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text) {
        buf->failed = 1;
        return;
    }
    pdf_buf_append(buf, text, (size_t)n);
}

void pdf_buf_free(struct pdf_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

static void write_name(struct pdf_buf *buf, const unsigned char *name, size_t len)
{
    pdf_buf_append(buf, "/", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = name[i];
        /* 7.3.5: anything outside the regular printable characters is written as #xx */
        if (c < 0x21 || c > 0x7e || strchr("()<>[]{}/%#", c))
            pdf_buf_printf(buf, "#%02X", c);
        else
            pdf_buf_append(buf, &c, 1);
    }
}

void pdf_write_value(struct pdf_buf *buf, const pdf_value *v)
{
    if (!v) {
        pdf_buf_append(buf, "null", 4);
        return;
    }
    switch (v->type) {
    case PDF_NULL: pdf_buf_append(buf, "null", 4); break;
    case PDF_BOOL: pdf_buf_printf(buf, "%s", v->num ? "true" : "false"); break;
    case PDF_INT: pdf_buf_printf(buf, "%lld", v->num); break;
    case PDF_REAL: pdf_buf_append(buf, v->bytes, v->len); break;
    case PDF_REF: pdf_buf_printf(buf, "%lld %d R", v->num, v->gen); break;
    case PDF_NAME: write_name(buf, v->bytes, v->len); break;
    case PDF_STRING:
        pdf_buf_append(buf, "<", 1);
        for (size_t i = 0; i < v->len; i++)
            pdf_buf_printf(buf, "%02X", v->bytes[i]);
        pdf_buf_append(buf, ">", 1);
        break;
    case PDF_ARRAY:
        pdf_buf_append(buf, "[", 1);
        for (size_t i = 0; i < v->count; i++) {
            if (i)
                pdf_buf_append(buf, " ", 1);
            pdf_write_value(buf, v->items[i]);
        }
        pdf_buf_append(buf, "]", 1);
        break;
    case PDF_DICT:
    case PDF_STREAM: /* callers never rewrite streams; their dictionary alone would be wrong */
        if (v->type == PDF_STREAM) {
            buf->failed = 1;
            return;
        }
        pdf_buf_append(buf, "<<", 2);
        for (size_t i = 0; i < v->count; i++) {
            pdf_buf_append(buf, "\n", 1);
            write_name(buf, v->keys[i]->bytes, v->keys[i]->len);
            pdf_buf_append(buf, " ", 1);
            pdf_write_value(buf, v->items[i]);
        }
        pdf_buf_append(buf, "\n>>", 3);
        break;
    }
}

pdf_value *pdf_name(pdf_doc *doc, const char *name)
{
    pdf_value *v = pdf_new_value(doc, PDF_NAME);
    size_t len = strlen(name);
    unsigned char *bytes = v ? pdf_alloc(doc, len + 1) : NULL;
    if (!bytes)
        return NULL;
    memcpy(bytes, name, len);
    v->bytes = bytes;
    v->len = len;
    return v;
}

pdf_value *pdf_ref(pdf_doc *doc, uint32_t num, int gen)
{
    pdf_value *v = pdf_new_value(doc, PDF_REF);
    if (v) {
        v->num = num;
        v->gen = gen;
    }
    return v;
}

pdf_value *pdf_int(pdf_doc *doc, long long n)
{
    pdf_value *v = pdf_new_value(doc, PDF_INT);
    if (v)
        v->num = n;
    return v;
}

pdf_value *pdf_dict_with(pdf_doc *doc, const pdf_value *dict, const char *key, pdf_value *value)
{
    size_t n = dict ? dict->count : 0;
    pdf_value *out = pdf_new_value(doc, PDF_DICT);
    if (!out)
        return NULL;
    out->keys = pdf_alloc(doc, (n + 1) * sizeof *out->keys);
    out->items = pdf_alloc(doc, (n + 1) * sizeof *out->items);
    if (!out->keys || !out->items)
        return NULL;
    size_t keylen = strlen(key);
    int replaced = 0;
    for (size_t i = 0; i < n; i++) {
        int same = dict->keys[i]->len == keylen && memcmp(dict->keys[i]->bytes, key, keylen) == 0;
        if (same && (replaced || !value)) {
            replaced = 1;
            continue; /* removed, or a duplicate of the key being set */
        }
        out->keys[out->count] = dict->keys[i];
        out->items[out->count] = same ? value : dict->items[i];
        replaced |= same;
        out->count++;
    }
    if (!replaced && value) {
        out->keys[out->count] = pdf_name(doc, key);
        out->items[out->count] = value;
        if (!out->keys[out->count])
            return NULL;
        out->count++;
    }
    return out;
}

int pdf_equal(const pdf_doc *doc, const pdf_value *a, const pdf_value *b)
{
    if (!a || !b)
        return !a && !b;
    if (a->type != b->type) {
        /* 1 and 1.0 are different tokens but equal numbers: compare as text is enough here */
        return 0;
    }
    switch (a->type) {
    case PDF_NULL: return 1;
    case PDF_BOOL:
    case PDF_INT: return a->num == b->num;
    case PDF_REF: return a->num == b->num && a->gen == b->gen;
    case PDF_REAL:
    case PDF_NAME:
    case PDF_STRING: return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
    case PDF_ARRAY:
        if (a->count != b->count)
            return 0;
        for (size_t i = 0; i < a->count; i++)
            if (!pdf_equal(doc, a->items[i], b->items[i]))
                return 0;
        return 1;
    case PDF_DICT:
    case PDF_STREAM:
        if (a->count != b->count)
            return 0;
        for (size_t i = 0; i < a->count; i++) {
            char key[128];
            if (a->keys[i]->len >= sizeof key || memchr(a->keys[i]->bytes, 0, a->keys[i]->len))
                return 0;
            memcpy(key, a->keys[i]->bytes, a->keys[i]->len);
            key[a->keys[i]->len] = '\0';
            /* the same key must be in b with an equal value, in any order */
            const pdf_value *other = NULL;
            int found = 0;
            for (size_t j = 0; j < b->count; j++)
                if (b->keys[j]->len == a->keys[i]->len &&
                    memcmp(b->keys[j]->bytes, key, a->keys[i]->len) == 0) {
                    other = b->items[j];
                    found = 1;
                    break;
                }
            if (!found || !pdf_equal(doc, a->items[i], other))
                return 0;
        }
        if (a->type == PDF_STREAM)
            return a->data_len == b->data_len &&
                   (a->data_start == b->data_start ||
                    memcmp(doc->data + a->data_start, doc->data + b->data_start, a->data_len) == 0);
        return 1;
    }
    return 0;
}
