/* libFuzzer target: the XML reader every XML format shares (libsign/xml: the safe parser, ID
 * registration) and what XAdES splices by (formats/xades/xades_parse.c: where an element and
 * the root's end tag are in the bytes, found by scanning them, not by libxml2). A span that does
 * not start with the element's own start tag, or a root end tag that is not the root's, would
 * make segl-sign or segl-extend write into the wrong place: that aborts, as a finding. (It found
 * an enveloped signature put inside a processing instruction after the root.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "formats/xades/xades.h"

enum { MAX_ELEMENTS = 64 };

/* prefix:name of element, as its start tag writes it. */
static void qname(xmlNodePtr element, char *out, size_t size)
{
    if (element->ns && element->ns->prefix)
        snprintf(out, size, "%s:%s", element->ns->prefix, element->name);
    else
        snprintf(out, size, "%s", element->name);
}

static void check_span(const uint8_t *data, size_t size, xmlNodePtr element)
{
    struct xades_span span;
    if (xades_element_span(data, size, element, &span) != 0)
        return;
    char name[512];
    qname(element, name, sizeof name);
    size_t n = strlen(name);
    if (!(span.start < span.content && span.content <= span.end && span.end_tag < span.end &&
          span.end <= size && data[span.start] == '<' && span.start + 1 + n <= size &&
          memcmp(data + span.start + 1, name, n) == 0))
        abort();
}

static void each_element(const uint8_t *data, size_t size, xmlNodePtr node, int *budget)
{
    for (; node && *budget > 0; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        (*budget)--;
        check_span(data, size, node);
        xmlChar *id = xmlGetNoNsProp(node, BAD_CAST "Id");
        if (id) {
            (void)sign_xml_id_count(node->doc, id);
            xmlFree(id);
        }
        each_element(data, size, node->children, budget);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sign_xml_init() != 0)
            return 0;
        ready = 1;
    }
    char why[300];
    (void)sign_xml_looks_like_xml(data, size);
    xmlDocPtr doc = sign_xml_parse(data, size, why, sizeof why);
    if (!doc)
        return 0;
    const xmlChar *duplicate = NULL;
    (void)sign_xml_register_ids(doc, &duplicate);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char name[512];
    qname(root, name, sizeof name);
    /* where an enveloped signature goes: "</" and the root's name, or the '/' of "<root/>" */
    int self_closing = 0;
    long end = xades_root_end_offset(data, size, root, &self_closing);
    size_t n = strlen(name);
    if (end >= 0 && !(self_closing ? (size_t)end + 1 < size && data[end] == '/' && data[end + 1] == '>'
                                   : (size_t)end + 2 + n <= size && data[end] == '<' &&
                                         data[end + 1] == '/' && memcmp(data + end + 2, name, n) == 0))
        abort();
    int budget = MAX_ELEMENTS;
    each_element(data, size, root, &budget);
    xmlNodePtr signatures[8];
    int count = 0;
    xades_collect_signatures(root, signatures, &count, 8);
    for (int i = 0; i < count; i++) {
        unsigned char *c14n = NULL;
        size_t len = 0;
        if (xades_c14n_node(signatures[i], NULL, XADES_EXC_C14N, &c14n, &len) == 0)
            free(c14n);
    }
    xmlFreeDoc(doc);
    return 0;
}
