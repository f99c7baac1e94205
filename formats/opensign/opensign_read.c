/* Reading a NemID OpenSign signature (the OpenOCES signature format 0.1 of DanID's OpenSign
 * applet): the wrapper openoces:signature holding one enveloping ds:Signature whose one
 * Reference signs ds:Object Id="ToBeSigned", which holds the ds:SignatureProperties the signer
 * was shown (openoces:Name, openoces:Value Encoding="base64"|"xml" VisibleToSigner="yes"|"no").
 * The shape is checked exactly: anything a reader could take for signed content and that is
 * not in the signed Object (a second Object, a property elsewhere, text in the wrapper) refuses
 * the file. */
#include <stdlib.h>
#include <string.h>
#include "opensign.h"

void opensign_clear(struct opensign *os)
{
    for (size_t i = 0; i < os->count; i++) {
        free(os->properties[i].name);
        free(os->properties[i].value);
    }
    free(os->properties);
    memset(os, 0, sizeof *os);
}

static int fail(char *why, size_t why_len, const char *text)
{
    snprintf(why, why_len, "%s", text);
    return -1;
}

/* Whether node has text other than white space among its children. */
static int has_text(xmlNodePtr node)
{
    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = child->content; p && *p; p++)
                if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                    return 1;
        } else if (child->type != XML_ELEMENT_NODE && child->type != XML_COMMENT_NODE) {
            return 1;
        }
    }
    return 0;
}

static int element_count(xmlNodePtr node)
{
    int count = 0;
    for (xmlNodePtr child = node->children; child; child = child->next)
        count += child->type == XML_ELEMENT_NODE;
    return count;
}

static int attr_is(xmlNodePtr node, const char *name, const char *value)
{
    xmlChar *got = xmlGetNoNsProp(node, BAD_CAST name);
    int same = got && strcmp((const char *)got, value) == 0;
    xmlFree(got);
    return same;
}

/* Any element of the OpenSign vocabulary (a property, a name, a value) outside the signed
 * Object: a reader of the file could be shown it as if it were signed. */
static int stray_property(xmlNodePtr node, xmlNodePtr object)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE || node == object)
            continue;
        if (sign_xml_is(node, SIGN_XML_DSIG_NS, "SignatureProperties") ||
            sign_xml_is(node, SIGN_XML_DSIG_NS, "SignatureProperty") ||
            sign_xml_is(node, OPENSIGN_NS, "Name") || sign_xml_is(node, OPENSIGN_NS, "Value"))
            return 1;
        if (stray_property(node->children, object))
            return 1;
    }
    return 0;
}

/* A property name as a JSON key and a file name part can take it: printable ASCII. */
static int plain_name(const char *name)
{
    if (!*name || strlen(name) > 128)
        return 0;
    for (const char *p = name; *p; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
            return 0;
    return 1;
}

static int read_property(xmlNodePtr property, struct opensign_property *out, char *why,
                         size_t why_len)
{
    if (!attr_is(property, "Target", "signature"))
        return fail(why, why_len, "an OpenSign SignatureProperty without Target=\"signature\"");
    xmlNodePtr name = sign_xml_child(property, OPENSIGN_NS, "Name");
    xmlNodePtr value = sign_xml_child(property, OPENSIGN_NS, "Value");
    if (!name || !value || element_count(property) != 2 || has_text(property) ||
        element_count(name) || element_count(value))
        return fail(why, why_len, "an OpenSign SignatureProperty is not one openoces:Name and "
                                  "one openoces:Value");
    int base64 = attr_is(value, "Encoding", "base64");
    if (!base64 && !attr_is(value, "Encoding", "xml"))
        return fail(why, why_len, "an OpenSign property's Encoding is not base64 or xml");
    out->visible = attr_is(value, "VisibleToSigner", "yes");
    if (!out->visible && !attr_is(value, "VisibleToSigner", "no"))
        return fail(why, why_len, "an OpenSign property's VisibleToSigner is not yes or no");
    xmlChar *name_text = xmlNodeGetContent(name);
    xmlChar *value_text = xmlNodeGetContent(value);
    int ok = name_text && value_text && plain_name((const char *)name_text);
    if (ok) {
        out->name = strdup((const char *)name_text);
        if (base64) {
            out->value = sign_xml_unbase64((const char *)value_text, &out->len);
        } else {
            out->len = strlen((const char *)value_text);
            out->value = malloc(out->len + 1);
            if (out->value)
                memcpy(out->value, value_text, out->len);
        }
        ok = out->name && out->value;
        if (ok) { /* a NUL-terminated copy, for the text */
            unsigned char *grown = realloc(out->value, out->len + 1);
            ok = grown != NULL;
            if (grown) {
                grown[out->len] = 0;
                out->value = grown;
            }
        }
    }
    xmlFree(name_text);
    xmlFree(value_text);
    if (!ok)
        return fail(why, why_len, "an OpenSign property's name or value cannot be read (a "
                                  "name is printable ASCII, a base64 value base64)");
    return 0;
}

int opensign_read(xmlDocPtr doc, struct opensign *os, char *why, size_t why_len)
{
    memset(os, 0, sizeof *os);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || !sign_xml_is(root, OPENSIGN_NS, "signature"))
        return fail(why, why_len, "not an OpenSign signature (no openoces:signature root)");
    if (!attr_is(root, "version", "0.1"))
        return fail(why, why_len, "unsupported OpenSign version (0.1 is known)");
    xmlNodePtr signature = sign_xml_child(root, SIGN_XML_DSIG_NS, "Signature");
    os->signature = signature;
    if (!signature || element_count(root) != 1 || has_text(root))
        return fail(why, why_len, "openoces:signature must hold one ds:Signature and nothing "
                                  "else");
    xmlNodePtr signed_info = sign_xml_child(signature, SIGN_XML_DSIG_NS, "SignedInfo");
    xmlNodePtr c14n = sign_xml_child(signed_info, SIGN_XML_DSIG_NS, "CanonicalizationMethod");
    xmlNodePtr method = sign_xml_child(signed_info, SIGN_XML_DSIG_NS, "SignatureMethod");
    xmlNodePtr reference = sign_xml_child(signed_info, SIGN_XML_DSIG_NS, "Reference");
    if (!c14n || !attr_is(c14n, "Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"))
        return fail(why, why_len, "OpenSign's SignedInfo is canonicalised by inclusive C14N "
                                  "1.0 (20010315) and nothing else");
    if (!method ||
        (!attr_is(method, "Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") &&
         !attr_is(method, "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")))
        return fail(why, why_len, "OpenSign's signature algorithm is rsa-sha256 or rsa-sha1");
    if (!reference || sign_xml_next(reference, SIGN_XML_DSIG_NS, "Reference") ||
        !attr_is(reference, "URI", "#ToBeSigned"))
        return fail(why, why_len, "OpenSign's SignedInfo has one Reference, to #ToBeSigned");
    xmlNodePtr object = sign_xml_child(signature, SIGN_XML_DSIG_NS, "Object");
    if (!object || sign_xml_next(object, SIGN_XML_DSIG_NS, "Object"))
        return fail(why, why_len, "an OpenSign signature holds exactly one ds:Object");
    if (!attr_is(object, "Id", "ToBeSigned"))
        return fail(why, why_len, "OpenSign's ds:Object is not Id=\"ToBeSigned\"");
    xmlNodePtr properties = sign_xml_child(object, SIGN_XML_DSIG_NS, "SignatureProperties");
    if (!properties || element_count(object) != 1 || has_text(object) || has_text(properties))
        return fail(why, why_len, "OpenSign's ds:Object holds one ds:SignatureProperties and "
                                  "nothing else");
    if (stray_property(doc->children, object))
        return fail(why, why_len, "OpenSign properties outside the signed ds:Object");
    int count = element_count(properties);
    os->properties = calloc((size_t)(count ? count : 1), sizeof *os->properties);
    if (!os->properties)
        return fail(why, why_len, "out of memory");
    for (xmlNodePtr property = properties->children; property; property = property->next) {
        if (property->type != XML_ELEMENT_NODE)
            continue;
        if (!sign_xml_is(property, SIGN_XML_DSIG_NS, "SignatureProperty"))
            return fail(why, why_len, "ds:SignatureProperties holds something other than "
                                      "ds:SignatureProperty");
        struct opensign_property *p = &os->properties[os->count];
        if (read_property(property, p, why, why_len) != 0) {
            free(p->name);
            free(p->value);
            memset(p, 0, sizeof *p);
            return -1;
        }
        os->count++;
        for (size_t i = 0; i + 1 < os->count; i++)
            if (strcmp(os->properties[i].name, p->name) == 0)
                return fail(why, why_len, "an OpenSign property occurs twice");
    }
    return 0;
}

const struct opensign_property *opensign_property(const struct opensign *os, const char *name)
{
    for (size_t i = 0; i < os->count; i++)
        if (strcmp(os->properties[i].name, name) == 0)
            return &os->properties[i];
    return NULL;
}

/* The sign text's kind by its first bytes: OpenSign shows HTML, plain text or XML (with its
 * stylesheet) and says which only in the parameters the web page gave the applet. */
const char *opensign_text_mime(const unsigned char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && text[0] == 0xef && text[1] == 0xbb && text[2] == 0xbf)
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i >= len || text[i] != '<')
        return "text/plain";
    for (size_t j = i; j + 5 <= len && j < i + 1024; j++)
        if (text[j] == '<' && (text[j + 1] | 0x20) == 'h' && (text[j + 2] | 0x20) == 't' &&
            (text[j + 3] | 0x20) == 'm' && (text[j + 4] | 0x20) == 'l')
            return "text/html";
    return "application/xml";
}

const char *opensign_mime_extension(const char *mime)
{
    return strcmp(mime, "text/html") == 0         ? ".html"
           : strcmp(mime, "application/xml") == 0 ? ".xml"
           : strcmp(mime, "application/pdf") == 0 ? ".pdf"
           : strcmp(mime, "application/xslt+xml") == 0 ? ".xsl"
                                                   : ".txt";
}
