/* NemLog-in3's signed document (the NemLog-in signing SDK's schema nemlogin-signed-document.xsd,
 * namespace http://dk.gov.certifikat/nemlogin/v0.0.1#): SignedDocument holding the SignText the
 * signer was shown (PlainText, HTMLDocument, XMLDocument with its XSLT Transformation, or
 * PDFDocument, each a base64 Document) and the enveloped XAdES ds:Signature over all of it.
 * The signature is validated as any enveloped XAdES signature; this reads what was shown. */
#include <stdlib.h>
#include <string.h>
#include "xades.h"

#define NEMLOGIN_NS "http://dk.gov.certifikat/nemlogin/v0.0.1#"

void xades_sign_text_clear(struct xades_sign_text *text)
{
    free(text->document);
    free(text->transformation);
    memset(text, 0, sizeof *text);
}

static unsigned char *child_base64(xmlNodePtr parent, const char *name, size_t *len)
{
    xmlNodePtr node = sign_xml_child(parent, NEMLOGIN_NS, name);
    char *b64 = node ? xades_node_text(node) : NULL;
    unsigned char *bytes = b64 ? sign_xml_unbase64(b64, len) : NULL;
    free(b64);
    unsigned char *terminated = bytes ? realloc(bytes, *len + 1) : NULL;
    if (!terminated) {
        free(bytes);
        return NULL;
    }
    terminated[*len] = 0;
    return terminated;
}

static int element_count(xmlNodePtr node)
{
    int count = 0;
    for (xmlNodePtr child = node->children; child; child = child->next)
        count += child->type == XML_ELEMENT_NODE;
    return count;
}

int xades_signed_document_text(xmlDocPtr doc, struct xades_sign_text *text, char *why,
                               size_t why_len)
{
    static const struct {
        const char *element, *mime;
    } kinds[] = {
        {"PlainText", "text/plain"},
        {"HTMLDocument", "text/html"},
        {"XMLDocument", "application/xml"},
        {"PDFDocument", "application/pdf"},
    };
    memset(text, 0, sizeof *text);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || !sign_xml_is(root, NEMLOGIN_NS, "SignedDocument"))
        return 0;
    xmlNodePtr sign_text = sign_xml_child(root, NEMLOGIN_NS, "SignText");
    xmlNodePtr kind = NULL;
    for (size_t i = 0; sign_text && !kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if ((kind = sign_xml_child(sign_text, NEMLOGIN_NS, kinds[i].element)))
            text->mime = kinds[i].mime;
    int properties = sign_text && sign_xml_child(sign_text, NEMLOGIN_NS, "Properties");
    /* The schema's sequence: SignText, then the ds:Signature; in SignText one kind of
     * document and at most the Properties. */
    if (!sign_text || element_count(root) != 2 || !sign_xml_child(root, XADES_DSIG_NS, "Signature") ||
        !kind || element_count(sign_text) != 1 + properties) {
        snprintf(why, why_len, "a NemLog-in SignedDocument is one SignText (PlainText, "
                               "HTMLDocument, XMLDocument or PDFDocument) and one ds:Signature");
        return -1;
    }
    text->document = child_base64(kind, "Document", &text->document_len);
    if (strcmp(text->mime, "application/xml") == 0)
        text->transformation = child_base64(kind, "Transformation", &text->transformation_len);
    if (!text->document ||
        (strcmp(text->mime, "application/xml") == 0 && !text->transformation)) {
        snprintf(why, why_len, "the NemLog-in SignText's Document%s is missing or not base64",
                 strcmp(text->mime, "application/xml") == 0 ? " or Transformation" : "");
        xades_sign_text_clear(text);
        return -1;
    }
    return 1;
}
