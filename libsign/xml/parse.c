/* Reading untrusted XML safely (no DTD, no network, bounded size) and registering IDs: what XAdES
 * validation and trusted lists (TS 119 612) read, both from untrusted bytes. */
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include "libsign/internal.h"
#include "libsign/xml/xml.h"

int sign_xml_read_all(BIO *in, unsigned char **out, size_t *len, const char **why)
{
    size_t cap = 65536, used = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) {
        *why = "out of memory";
        return -1;
    }
    for (;;) {
        if (used == cap) {
            if (cap >= SIGN_XML_MAX_BYTES) {
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

int sign_xml_looks_like_xml(const unsigned char *head, size_t len)
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

xmlDocPtr sign_xml_parse(const unsigned char *bytes, size_t len, char *why, size_t why_len)
{
    if (len > SIGN_XML_MAX_BYTES || len > (size_t)0x7fffffff) {
        snprintf(why, why_len, "XML larger than 64 MiB is not supported");
        return NULL;
    }
    if (len >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE))) {
        snprintf(why, why_len, "UTF-16 XML is not supported (save it as UTF-8)");
        return NULL;
    }
    /* libxml2 must be initialised once before threads parse (its encoding handlers are set up
     * on first use, and two threads doing it at once leak one set): whoever parses first. */
    if (sign_xml_init() != SIGN_OK) {
        snprintf(why, why_len, "cannot initialise the XML library");
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

int sign_xml_register_ids(xmlDocPtr doc, const xmlChar **first_duplicate)
{
    struct id_walk walk = {0};
    walk_ids(doc, doc->children, &walk);
    if (first_duplicate)
        *first_duplicate = walk.first_duplicate;
    return walk.duplicates;
}

int sign_xml_id_count(xmlDocPtr doc, const xmlChar *value)
{
    struct id_walk walk = {.value = value};
    walk_ids(doc, doc->children, &walk);
    return walk.count;
}

static void silent_errors(void *user, xmlErrorPtr error)
{
    (void)user;
    (void)error;
}

void sign_xml_quiet_begin(struct sign_xml_quiet *saved)
{
    saved->handler = xmlStructuredError;
    saved->context = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, silent_errors);
}

void sign_xml_quiet_end(const struct sign_xml_quiet *saved)
{
    xmlSetStructuredErrorFunc(saved->context, saved->handler);
}
