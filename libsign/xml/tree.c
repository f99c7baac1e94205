/* Walking a parsed document by namespace and name, and Base64 as XMLDSig writes it. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "libsign/xml/xml.h"

int sign_xml_is(xmlNodePtr node, const char *ns, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->ns &&
           xmlStrEqual(node->ns->href, BAD_CAST ns) && xmlStrEqual(node->name, BAD_CAST name);
}

xmlNodePtr sign_xml_next(xmlNodePtr node, const char *ns, const char *name)
{
    for (node = node ? node->next : NULL; node; node = node->next)
        if (sign_xml_is(node, ns, name))
            return node;
    return NULL;
}

xmlNodePtr sign_xml_child(xmlNodePtr parent, const char *ns, const char *name)
{
    if (!parent || !parent->children)
        return NULL;
    xmlNodePtr first = parent->children;
    return sign_xml_is(first, ns, name) ? first : sign_xml_next(first, ns, name);
}

char *sign_xml_base64(const unsigned char *data, size_t len)
{
    char *text = malloc(4 * ((len + 2) / 3) + 1);
    if (text)
        EVP_EncodeBlock((unsigned char *)text, data, (int)len);
    return text;
}

unsigned char *sign_xml_unbase64(const char *text, size_t *len)
{
    size_t n = strlen(text), m = 0;
    char *clean = calloc(n + 1, 1);
    unsigned char *out = malloc(n / 4 * 3 + 3);
    int got = -1;
    if (clean && out) {
        for (size_t i = 0; i < n; i++) {
            char c = text[i];
            /* compared, not strchr per character: a KeyInfo holds kilobytes of Base64 */
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                clean[m++] = c;
        }
        /* RFC 4648 4: '=' only as the padding of the last quantum. EVP_DecodeBlock reads an
         * '=' anywhere as zero bits, and would let two texts stand for the same bytes. */
        size_t padding = m > 0 && clean[m - 1] == '=' ? (m > 1 && clean[m - 2] == '=' ? 2 : 1) : 0;
        if (m % 4 == 0 && !memchr(clean, '=', m - padding))
            got = EVP_DecodeBlock(out, (unsigned char *)clean, (int)m);
        /* EVP_DecodeBlock counts the padding as data */
        for (size_t i = m; got > 0 && i > 0 && clean[i - 1] == '='; i--)
            got--;
    }
    free(clean);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *len = (size_t)got;
    return out;
}

