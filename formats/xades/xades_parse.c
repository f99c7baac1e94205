/* Reading untrusted XML safely, registering IDs, and finding where an enveloped signature goes. */
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include "xades.h"

int xades_read_all(BIO *in, unsigned char **out, size_t *len, const char **why)
{
    size_t cap = 65536, used = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) {
        *why = "out of memory";
        return -1;
    }
    for (;;) {
        if (used == cap) {
            if (cap >= XADES_MAX_XML_BYTES) {
                free(buf);
                *why = "XML larger than 64 MiB is not supported";
                return -1;
            }
            cap *= 2;
            unsigned char *bigger = realloc(buf, cap + 1);
            if (!bigger) {
                free(buf);
                *why = "out of memory";
                return -1;
            }
            buf = bigger;
        }
        int n = BIO_read(in, buf + used, (int)(cap - used));
        if (n <= 0) {
            if (BIO_should_retry(in))
                continue;
            break;
        }
        used += (size_t)n;
    }
    buf[used] = 0;
    *out = buf;
    *len = used;
    return 0;
}

int xades_looks_like_xml(const unsigned char *head, size_t len)
{
    size_t i = 0;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i + 1 >= len || head[i] != '<')
        return 0;
    unsigned char next = head[i + 1];
    return next == '?' || next == '!' || next == '_' || next == ':' ||
           (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') || next >= 0x80;
}

/* ---------------------------------------------------------------- parsing */

struct parse_state {
    int saw_doctype;
};

/* SAX internalSubset: called at <!DOCTYPE, before any entity declaration is read. Stopping here
 * means no entity is ever declared, so none can be expanded (billion laughs, quadratic blow-up)
 * or fetched (XXE). Signed documents have no business with a DTD. */
static void refuse_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    (void)name, (void)external_id, (void)system_id;
    xmlParserCtxtPtr parser = user;
    ((struct parse_state *)parser->_private)->saw_doctype = 1;
    xmlStopParser(parser);
}

xmlDocPtr xades_parse(const unsigned char *bytes, size_t len, char *why, size_t why_len)
{
    if (len > XADES_MAX_XML_BYTES || len > (size_t)0x7fffffff) {
        snprintf(why, why_len, "XML larger than 64 MiB is not supported");
        return NULL;
    }
    if (len >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE))) {
        snprintf(why, why_len, "UTF-16 XML is not supported (save it as UTF-8)");
        return NULL;
    }
    xmlParserCtxtPtr parser = xmlCreateMemoryParserCtxt((const char *)bytes, (int)len);
    if (!parser) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    struct parse_state state = {0};
    parser->_private = &state;
    parser->sax->internalSubset = refuse_doctype;
    parser->sax->externalSubset = NULL;
    /* No network, no external DTD, no entity substitution, no default attributes from a DTD,
     * and libxml2's own limits on depth and text sizes stay on (no XML_PARSE_HUGE). */
    xmlCtxtUseOptions(parser, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    parser->replaceEntities = 0;
    parser->loadsubset = 0;
    xmlParseDocument(parser);
    xmlDocPtr doc = parser->myDoc;
    parser->myDoc = NULL;
    if (state.saw_doctype) {
        snprintf(why, why_len, "XML with a DOCTYPE is refused (its entities could expand without "
                               "bound or load external files)");
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!parser->wellFormed || !doc || !xmlDocGetRootElement(doc)) {
        const xmlError *error = xmlCtxtGetLastError(parser);
        char message[200] = "";
        if (error && error->message) {
            snprintf(message, sizeof message, "%s", error->message);
            message[strcspn(message, "\n")] = 0;
        }
        snprintf(why, why_len, "not well-formed XML%s%s (line %d)", *message ? ": " : "", message,
                 error ? error->line : 0);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(parser);
    return doc;
}

/* ---------------------------------------------------------------- IDs */

static int is_id_attr(xmlAttrPtr attr)
{
    if (attr->ns)
        return xmlStrEqual(attr->ns->href, XML_XML_NAMESPACE) &&
               xmlStrEqual(attr->name, BAD_CAST "id");
    return xmlStrEqual(attr->name, BAD_CAST "Id") || xmlStrEqual(attr->name, BAD_CAST "ID") ||
           xmlStrEqual(attr->name, BAD_CAST "id");
}

struct id_walk {
    const xmlChar *value; /* count this value, or register all when NULL */
    int count;
    int duplicates;
    const xmlChar *first_duplicate;
};

static void walk_ids(xmlDocPtr doc, xmlNodePtr node, struct id_walk *walk)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
            if (!is_id_attr(attr) || !attr->children || !attr->children->content)
                continue;
            const xmlChar *value = attr->children->content;
            if (walk->value) {
                walk->count += xmlStrEqual(value, walk->value);
            } else if (xmlGetID(doc, value) == NULL) {
                xmlAddID(NULL, doc, value, attr);
            } else if (xmlGetID(doc, value) != attr) {
                if (walk->duplicates++ == 0)
                    walk->first_duplicate = value;
            }
        }
        walk_ids(doc, node->children, walk);
    }
}

int xades_register_ids(xmlDocPtr doc, const xmlChar **first_duplicate)
{
    struct id_walk walk = {0};
    walk_ids(doc, doc->children, &walk);
    if (first_duplicate)
        *first_duplicate = walk.first_duplicate;
    return walk.duplicates;
}

int xades_id_count(xmlDocPtr doc, const xmlChar *value)
{
    struct id_walk walk = {.value = value};
    walk_ids(doc, doc->children, &walk);
    return walk.count;
}

/* ---------------------------------------------------------------- splicing */

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Last occurrence of needle in bytes[0, end), or -1. */
static long last_of(const unsigned char *bytes, size_t end, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = end; i >= n; i--)
        if (memcmp(bytes + i - n, needle, n) == 0)
            return (long)(i - n);
    return -1;
}

/* XML 1.0 section 2.8: after the root element only Misc (comments, PIs, white space) may
 * follow. Walk back over them to the root's end tag. */
long xades_root_end_offset(const unsigned char *bytes, size_t len, const xmlChar *root_qname,
                           int *self_closing)
{
    size_t end = len;
    for (;;) {
        while (end > 0 && (is_space(bytes[end - 1]) || bytes[end - 1] == 0))
            end--;
        if (end >= 3 && memcmp(bytes + end - 3, "-->", 3) == 0) {
            long start = last_of(bytes, end - 3, "<!--");
            if (start < 0)
                return -1;
            end = (size_t)start;
        } else if (end >= 2 && memcmp(bytes + end - 2, "?>", 2) == 0) {
            long start = last_of(bytes, end - 2, "<?");
            if (start < 0)
                return -1;
            end = (size_t)start;
        } else {
            break;
        }
    }
    if (end < 2 || bytes[end - 1] != '>')
        return -1;
    *self_closing = bytes[end - 2] == '/';
    if (*self_closing)
        return (long)(end - 2);
    /* "</" qname S? ">" */
    size_t name_len = (size_t)xmlStrlen(root_qname);
    size_t pos = end - 1;
    while (pos > 0 && is_space(bytes[pos - 1]))
        pos--;
    if (pos < name_len + 2)
        return -1;
    pos -= name_len;
    if (memcmp(bytes + pos, root_qname, name_len) != 0 || bytes[pos - 1] != '/' ||
        bytes[pos - 2] != '<')
        return -1;
    return (long)(pos - 2);
}

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
