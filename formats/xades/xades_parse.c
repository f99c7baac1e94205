/* Splicing into the bytes a document was parsed from (the document stays byte-identical outside
 * the signature): where an enveloped signature goes, where an element is, and writing the
 * spliced pieces out. */
#include <string.h>
#include "xades.h"

/* ---------------------------------------------------------------- splicing */

/* The position of element among the document's elements in document order (0: the root). */
static long element_ordinal(xmlNodePtr node, xmlNodePtr element, long *seen)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (node == element)
            return *seen;
        (*seen)++;
        long found = element_ordinal(node->children, element, seen);
        if (found >= 0)
            return found;
    }
    return -1;
}

/* Index of the first occurrence of needle at or after from, or len. */
static size_t find_from(const unsigned char *bytes, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= len; i++)
        if (bytes[i] == (unsigned char)needle[0] && memcmp(bytes + i, needle, n) == 0)
            return i;
    return len;
}

/* Well-formed XML without a DTD (xades_parse refuses one, so no entity can hide markup): every
 * '<' outside comments, CDATA sections, PIs and attribute values starts a tag, and attribute
 * values cannot hold '<'. So start tags counted in byte order are the elements in document
 * order, which is how a DOM node is found in the bytes it came from. */
int xades_element_span(const unsigned char *bytes, size_t len, xmlNodePtr element,
                       struct xades_span *span)
{
    long seen = 0;
    long target = element_ordinal(element->doc->children, element, &seen);
    if (target < 0)
        return -1;
    long count = -1;
    int depth = 0, target_depth = -1;
    size_t i = 0;
    while (i < len) {
        const unsigned char *lt = memchr(bytes + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - bytes);
        if (len - i >= 4 && memcmp(bytes + i, "<!--", 4) == 0) {
            i = find_from(bytes, len, i + 4, "-->") + 3;
        } else if (len - i >= 9 && memcmp(bytes + i, "<![CDATA[", 9) == 0) {
            i = find_from(bytes, len, i + 9, "]]>") + 3;
        } else if (len - i >= 2 && bytes[i + 1] == '?') {
            i = find_from(bytes, len, i + 2, "?>") + 2;
        } else if (len - i >= 2 && bytes[i + 1] == '!') {
            return -1; /* a DOCTYPE: never parsed */
        } else if (len - i >= 2 && bytes[i + 1] == '/') {
            size_t gt = find_from(bytes, len, i + 2, ">");
            if (gt == len)
                return -1;
            depth--;
            if (target_depth >= 0 && depth == target_depth) {
                span->end_tag = i;
                span->end = gt + 1;
                return 0;
            }
            i = gt + 1;
        } else {
            size_t j = i + 1;
            unsigned char quote = 0;
            for (; j < len && (quote || bytes[j] != '>'); j++)
                if (quote && bytes[j] == quote)
                    quote = 0;
                else if (!quote && (bytes[j] == '"' || bytes[j] == '\''))
                    quote = bytes[j];
            if (j == len)
                return -1;
            int empty = bytes[j - 1] == '/';
            if (++count == target) {
                span->start = i;
                span->content = j + 1;
                span->empty = empty;
                if (empty) {
                    span->end_tag = j - 1;
                    span->end = j + 1;
                    return 0;
                }
                target_depth = depth;
            }
            if (!empty)
                depth++;
            i = j + 1;
        }
    }
    return -1;
}

/* Where an enveloped signature goes: the root's end tag, found by the same forward scan as any
 * element. (Walking back from the end of the file over comments and processing instructions
 * once mistook a "</root>" written inside a trailing PI, after a "<?" there, for the end tag, and
 * put the signature inside the PI.) */
long xades_root_end_offset(const unsigned char *bytes, size_t len, xmlNodePtr root,
                           int *self_closing)
{
    struct xades_span span;
    if (xades_element_span(bytes, len, root, &span) != 0)
        return -1;
    *self_closing = span.empty;
    return (long)span.end_tag;
}

/* ---------------------------------------------------------------- writing */

int xades_write_all(sign_ctx *ctx, BIO *out, const void *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        int chunk = len - done > 1 << 30 ? 1 << 30 : (int)(len - done);
        int n = BIO_write(out, (const char *)data + done, chunk);
        if (n <= 0)
            return sign_seterr(ctx, SIGN_EIO, "cannot write the signature");
        done += (size_t)n;
    }
    return SIGN_OK;
}
