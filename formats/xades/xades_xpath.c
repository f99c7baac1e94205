/* The limits on the XPath (XMLDSig 6.6.3) and XPath Filter 2.0 transforms of a Reference, checked
 * before xmlsec runs them. Other products sign with them (the enveloped-signature XPath
 * "not(ancestor-or-self::ds:Signature)", ETSI plugtest signatures), so they are allowed; but an
 * expression comes from the file, and xmlsec evaluates it with no bound. Each expression is
 * therefore evaluated here first, the way xmlsec will, in a libxml2 XPath context that knows only
 * the XPath 1.0 core functions and here() (no extension or external function: libxml2 refuses an
 * unknown name) and stops after a fixed number of operations (xmlXPathContext.opLimit), and is
 * refused when it is longer than a fixed length. An expression that passes costs xmlsec the same
 * operations on the same document. */
#include <stdlib.h>
#include <string.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include "xades.h"

#define XPATH_TRANSFORM XADES_XPATH_TRANSFORM
#define XPATH2_TRANSFORM XADES_XPATH2_TRANSFORM
#define XPATH_MAX_LENGTH 1024          /* characters of one expression */
#define XPATH_MAX_OPERATIONS 20000000u /* libxml2 XPath steps: well under a second */

/* here() (XMLDSig 6.6.3.3): the element bearing the expression. */
static void here_function(xmlXPathParserContextPtr parser, int nargs)
{
    if (nargs != 0) {
        xmlXPathSetArityError(parser);
        return;
    }
    xmlNodePtr bearer = parser->context->funcLookupData ? parser->context->funcLookupData : NULL;
    valuePush(parser, xmlXPathNewNodeSet(bearer));
}

/* The library never prints (STYLE.md): libxml2's XPath errors are read from the context. */
static void silent(void *data, xmlErrorPtr error)
{
    (void)data, (void)error;
}

/* Only here() beyond the core functions, which libxml2 looks up itself after this. */
static xmlXPathFunction lookup_function(void *bearer, const xmlChar *name, const xmlChar *ns_uri)
{
    (void)bearer;
    return !ns_uri && xmlStrEqual(name, BAD_CAST "here") ? here_function : NULL;
}

/* Evaluates expression (borne by element) over doc as xmlsec would, within the limits. 0, or -1
 * with why. */
static int try_expression(xmlDocPtr doc, xmlNodePtr element, const xmlChar *expression,
                          int filter2, char *why, size_t why_len)
{
    size_t length = (size_t)xmlStrlen(expression);
    if (length > XPATH_MAX_LENGTH) {
        snprintf(why, why_len, "an XPath expression of %zu characters (at most %d)", length,
                 XPATH_MAX_LENGTH);
        return -1;
    }
    xmlXPathContextPtr context = xmlXPathNewContext(doc);
    if (!context) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    /* The escape-uri extension libxml2 registers is not XPath 1.0: only the core remain. */
    xmlXPathRegisterFuncNS(context, BAD_CAST "escape-uri",
                           BAD_CAST "http://www.w3.org/2002/08/xquery-functions", NULL);
    xmlXPathRegisterFuncLookup(context, lookup_function, element);
    context->opLimit = XPATH_MAX_OPERATIONS;
    context->error = silent;
    context->node = element;
    int ok = 1;
    xmlNsPtr *namespaces = xmlGetNsList(doc, element);
    for (int i = 0; ok && namespaces && namespaces[i]; i++)
        if (namespaces[i]->prefix)
            ok = xmlXPathRegisterNs(context, namespaces[i]->prefix, namespaces[i]->href) == 0;
    xmlFree(namespaces);
    /* XMLDSig 6.6.3: the expression is a predicate over every node of the input; xmlsec
     * evaluates it as one path over all of them. Filter 2.0 evaluates it as it is. */
    xmlChar *evaluated = filter2 ? xmlStrdup(expression)
                                 : xmlStrdup(BAD_CAST "(//. | //@* | //namespace::*)[boolean(");
    if (!filter2) {
        evaluated = xmlStrcat(evaluated, expression);
        evaluated = xmlStrcat(evaluated, BAD_CAST ")]");
    }
    xmlXPathObjectPtr result = ok && evaluated ? xmlXPathEvalExpression(evaluated, context) : NULL;
    int rc = result ? 0 : -1;
    if (!ok || !evaluated) {
        snprintf(why, why_len, "out of memory");
    } else if (!result) {
        const xmlError *error = &context->lastError;
        if (error->code == XML_XPATH_UNKNOWN_FUNC_ERROR)
            snprintf(why, why_len, "an XPath expression calls a function that is not XPath 1.0's");
        else if (error->code == XML_XPATH_EXPRESSION_OK + XPATH_OP_LIMIT_EXCEEDED ||
                 context->opCount >= context->opLimit)
            snprintf(why, why_len, "an XPath expression runs too long (stopped after %u operations)",
                     XPATH_MAX_OPERATIONS);
        else
            snprintf(why, why_len, "an XPath expression cannot be evaluated");
    } else if (filter2 && result->type != XPATH_NODESET) {
        snprintf(why, why_len, "an XPath Filter 2.0 expression is not a node-set");
        rc = -1;
    }
    xmlXPathFreeObject(result);
    xmlFree(evaluated);
    xmlXPathFreeContext(context);
    return rc;
}

int xades_xpath_transforms_check(xmlNodePtr reference, int *filtered, char *why, size_t why_len)
{
    *filtered = 0;
    for (xmlNodePtr transform = sign_xml_child(sign_xml_child(reference, XADES_DSIG_NS,
                                                              "Transforms"),
                                               XADES_DSIG_NS, "Transform");
         transform; transform = sign_xml_next(transform, XADES_DSIG_NS, "Transform")) {
        xmlChar *algorithm = xmlGetNoNsProp(transform, BAD_CAST "Algorithm");
        int xpath = algorithm && xmlStrEqual(algorithm, BAD_CAST XPATH_TRANSFORM);
        int filter2 = algorithm && xmlStrEqual(algorithm, BAD_CAST XPATH2_TRANSFORM);
        xmlFree(algorithm);
        if (!xpath && !filter2)
            continue;
        *filtered = 1;
        int expressions = 0;
        for (xmlNodePtr element = sign_xml_child(transform, xpath ? XADES_DSIG_NS : XPATH2_TRANSFORM,
                                                 "XPath");
             element;
             element = sign_xml_next(element, xpath ? XADES_DSIG_NS : XPATH2_TRANSFORM, "XPath")) {
            xmlChar *expression = xmlNodeGetContent(element);
            int rc = expression ? try_expression(element->doc, element, expression, filter2, why,
                                                 why_len)
                                : -1;
            if (!expression)
                snprintf(why, why_len, "out of memory");
            xmlFree(expression);
            if (rc < 0)
                return -1;
            expressions++;
        }
        if (expressions == 0 || (xpath && expressions != 1)) {
            snprintf(why, why_len, "an XPath transform needs %s XPath element",
                     xpath ? "exactly one" : "an");
            return -1;
        }
    }
    return 0;
}

int xades_reference_has_xpath(xmlNodePtr reference)
{
    for (xmlNodePtr transform = sign_xml_child(sign_xml_child(reference, XADES_DSIG_NS,
                                                              "Transforms"),
                                               XADES_DSIG_NS, "Transform");
         transform; transform = sign_xml_next(transform, XADES_DSIG_NS, "Transform")) {
        xmlChar *algorithm = xmlGetNoNsProp(transform, BAD_CAST "Algorithm");
        int xpath = algorithm && (xmlStrEqual(algorithm, BAD_CAST XPATH_TRANSFORM) ||
                                  xmlStrEqual(algorithm, BAD_CAST XPATH2_TRANSFORM));
        xmlFree(algorithm);
        if (xpath)
            return 1;
    }
    return 0;
}
