/* Reading an ETSI TS 119 612 trusted list: its enveloped XMLDSig signature checked with xmlsec
 * against pinned signer certificates only, then the scheme information, the services with their
 * status history, and (for a list of the lists) the pointers to other lists. The XML is parsed as
 * every untrusted XML in segl is (libsign/xml/parse.c: no network, no DTD, no entities). */
#include <string.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/keys.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include "libsign/xml/xml.h"
#include "tl_list.h"

#define TL_ADDITIONAL_NS "http://uri.etsi.org/02231/v2/additionaltypes#"
#define TL_MIME_XML "application/vnd.etsi.tsl+xml"

/* ---------------------------------------------------------------- helpers */

/* The element's text with surrounding white space trimmed, into out ("" when absent). */
static void node_text(xmlNodePtr node, char *out, size_t len)
{
    out[0] = 0;
    xmlChar *content = node ? xmlNodeGetContent(node) : NULL;
    if (!content)
        return;
    const char *start = (const char *)content;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    size_t n = strlen(start);
    while (n > 0 && strchr(" \t\r\n", start[n - 1]))
        n--;
    snprintf(out, len, "%.*s", (int)n, start);
    xmlFree(content);
}

static time_t node_time(xmlNodePtr node)
{
    char text[64];
    node_text(node, text, sizeof text);
    time_t t;
    return text[0] && sign_parse_time(&t, text) == SIGN_OK ? t : (time_t)-1;
}

static X509 *cert_from_base64(xmlNodePtr node)
{
    xmlChar *content = xmlNodeGetContent(node);
    size_t der_len = 0;
    unsigned char *der = content ? sign_xml_unbase64((const char *)content, &der_len) : NULL;
    xmlFree(content);
    const unsigned char *p = der;
    X509 *cert = der ? d2i_X509(NULL, &p, (long)der_len) : NULL;
    free(der);
    return cert;
}

/* Every X509Certificate (and X509SKI, when skis is given) of a ServiceDigitalIdentity. */
static void read_identity(xmlNodePtr identity, STACK_OF(X509) *certs, struct tl_service *skis)
{
    for (xmlNodePtr id = sign_xml_child(identity, TL_NS, "DigitalId"); id;
         id = sign_xml_next(id, TL_NS, "DigitalId")) {
        xmlNodePtr value = sign_xml_child(id, TL_NS, "X509Certificate");
        X509 *cert = value ? cert_from_base64(value) : NULL;
        if (cert && !sk_X509_push(certs, cert))
            X509_free(cert);
        xmlNodePtr ski_node = skis ? sign_xml_child(id, TL_NS, "X509SKI") : NULL;
        xmlChar *text = ski_node ? xmlNodeGetContent(ski_node) : NULL;
        size_t ski_len = 0;
        unsigned char *ski = text ? sign_xml_unbase64((const char *)text, &ski_len) : NULL;
        xmlFree(text);
        struct tl_ski *grown = ski && ski_len > 0 && ski_len <= sizeof grown->value
                                   ? realloc(skis->skis, (skis->ski_count + 1) * sizeof *grown)
                                   : NULL;
        if (grown) {
            skis->skis = grown;
            memcpy(grown[skis->ski_count].value, ski, ski_len);
            grown[skis->ski_count++].len = ski_len;
        }
        free(ski);
    }
}

/* ---------------------------------------------------------------- signature */

/* The pinned certificate that is in the signature's KeyInfo, or NULL. */
static X509 *pinned_signer(xmlNodePtr signature, STACK_OF(X509) *pinned)
{
    xmlNodePtr key_info = sign_xml_child(signature, SIGN_XML_DSIG_NS, "KeyInfo");
    for (xmlNodePtr data = sign_xml_child(key_info, SIGN_XML_DSIG_NS, "X509Data"); data;
         data = sign_xml_next(data, SIGN_XML_DSIG_NS, "X509Data"))
        for (xmlNodePtr value = sign_xml_child(data, SIGN_XML_DSIG_NS, "X509Certificate"); value;
             value = sign_xml_next(value, SIGN_XML_DSIG_NS, "X509Certificate")) {
            X509 *cert = cert_from_base64(value);
            for (int i = 0; cert && i < sk_X509_num(pinned); i++)
                if (X509_cmp(cert, sk_X509_value(pinned, i)) == 0) {
                    X509_free(cert);
                    return sk_X509_value(pinned, i);
                }
            X509_free(cert);
        }
    return NULL;
}

/* TS 119 612 5.7.1: one enveloped signature, child of the root, whose SignedInfo has a
 * Reference with URI="" (the whole list but the signature); verified with the key of the pinned
 * certificate named in KeyInfo and nothing else (xmlsec reads no KeyInfo once a key is set). */
static int check_signature(xmlDocPtr doc, xmlNodePtr root, STACK_OF(X509) *pinned, char *why,
                           size_t why_len)
{
    xmlNodePtr signature = sign_xml_child(root, SIGN_XML_DSIG_NS, "Signature");
    if (!signature) {
        snprintf(why, why_len, "the trusted list is not signed");
        return SIGN_ECRYPTO;
    }
    if (sign_xml_next(signature, SIGN_XML_DSIG_NS, "Signature")) {
        snprintf(why, why_len, "the trusted list has more than one signature");
        return SIGN_ECRYPTO;
    }
    const xmlChar *duplicate = NULL;
    if (sign_xml_register_ids(doc, &duplicate) > 0) {
        snprintf(why, why_len, "the trusted list has the Id '%s' more than once",
                 duplicate ? (const char *)duplicate : "");
        return SIGN_EPARSE;
    }
    X509 *signer = pinned_signer(signature, pinned);
    if (!signer) {
        snprintf(why, why_len, "the trusted list is not signed by a pinned signer certificate");
        return SIGN_ECRYPTO;
    }
    EVP_PKEY *pkey = X509_get_pubkey(signer);
    xmlSecKeyDataPtr key_data = pkey ? xmlSecOpenSSLEvpKeyAdopt(pkey) : NULL;
    if (!key_data) {
        EVP_PKEY_free(pkey);
        snprintf(why, why_len, "the pinned signer certificate's key is not usable");
        return SIGN_ECRYPTO;
    }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (!key || xmlSecKeySetValue(key, key_data) < 0) {
        xmlSecKeyDataDestroy(key_data);
        if (key)
            xmlSecKeyDestroy(key);
        snprintf(why, why_len, "out of memory");
        return SIGN_ENOMEM;
    }
    int status = SIGN_ECRYPTO;
    xmlSecDSigCtxPtr dsig = xmlSecDSigCtxCreate(NULL);
    if (!dsig || sign_xml_restrict_transforms(dsig, SIGN_XML_SIGNATURE_VALUE) < 0) {
        xmlSecKeyDestroy(key);
        snprintf(why, why_len, "cannot set up xmlsec");
        goto done;
    }
    dsig->signKey = key; /* owned by dsig from here */
    dsig->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
    if (xmlSecDSigCtxVerify(dsig, signature) < 0) {
        snprintf(why, why_len, "the trusted list's signature cannot be processed (unsupported "
                               "algorithm or malformed)");
        goto done;
    }
    if (dsig->status != xmlSecDSigStatusSucceeded) {
        snprintf(why, why_len, "the trusted list's signature does not verify (the list was "
                               "changed after signing, or another key signed it)");
        goto done;
    }
    int whole = 0;
    xmlSecSize count = xmlSecPtrListGetSize(&dsig->signedInfoReferences);
    for (xmlSecSize i = 0; i < count; i++) {
        xmlSecDSigReferenceCtxPtr ref = xmlSecPtrListGetItem(&dsig->signedInfoReferences, i);
        whole |= ref && ref->uri && ref->uri[0] == 0;
    }
    if (!whole) {
        snprintf(why, why_len, "the trusted list's signature does not cover the whole list "
                               "(no Reference URI=\"\")");
        goto done;
    }
    status = SIGN_OK;
done:
    if (dsig)
        xmlSecDSigCtxDestroy(dsig);
    return status;
}

/* ---------------------------------------------------------------- contents */

static enum tl_status status_meaning(const char *uri)
{
    static const char *const granted[] = {"granted", "undersupervision", "supervisionincessation",
                                          "accredited", "setbynationallaw"};
    size_t prefix = strlen(TL_SVCSTATUS);
    if (strncmp(uri, TL_SVCSTATUS, prefix) != 0)
        return TL_STATUS_OTHER;
    uri += prefix;
    for (size_t i = 0; i < sizeof granted / sizeof granted[0]; i++)
        if (strcmp(uri, granted[i]) == 0)
            return TL_STATUS_GRANTED;
    return strcmp(uri, "recognisedatnationallevel") == 0 ? TL_STATUS_NATIONAL : TL_STATUS_OTHER;
}

/* One ServiceInformation or ServiceHistoryInstance: its type, status and identities. */
static int read_state(struct tl_service *service, xmlNodePtr info)
{
    struct tl_state *grown =
        realloc(service->states, (service->state_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    service->states = grown;
    struct tl_state *state = &grown[service->state_count++];
    memset(state, 0, sizeof *state);
    node_text(sign_xml_child(info, TL_NS, "ServiceTypeIdentifier"), state->type, sizeof state->type);
    node_text(sign_xml_child(info, TL_NS, "ServiceStatus"), state->status_uri,
              sizeof state->status_uri);
    state->status = status_meaning(state->status_uri);
    state->start = node_time(sign_xml_child(info, TL_NS, "StatusStartingTime"));
    read_identity(sign_xml_child(info, TL_NS, "ServiceDigitalIdentity"), service->certs, service);
    return 0;
}

static int read_service(struct tl_list *list, xmlNodePtr tsp_service)
{
    xmlNodePtr info = sign_xml_child(tsp_service, TL_NS, "ServiceInformation");
    if (!info)
        return 0;
    struct tl_service *grown =
        realloc(list->services, (list->service_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    list->services = grown;
    struct tl_service *service = &grown[list->service_count++];
    memset(service, 0, sizeof *service);
    service->certs = sk_X509_new_null();
    if (!service->certs)
        return -1;
    xmlNodePtr name = sign_xml_child(sign_xml_child(info, TL_NS, "ServiceName"), TL_NS, "Name");
    node_text(name, service->name, sizeof service->name);
    if (read_state(service, info) != 0)
        return -1;
    xmlNodePtr history = sign_xml_child(tsp_service, TL_NS, "ServiceHistory");
    for (xmlNodePtr instance = sign_xml_child(history, TL_NS, "ServiceHistoryInstance"); instance;
         instance = sign_xml_next(instance, TL_NS, "ServiceHistoryInstance"))
        if (read_state(service, instance) != 0)
            return -1;
    return 0;
}

static int read_pointer(struct tl_list *list, xmlNodePtr pointer)
{
    struct tl_pointer *grown =
        realloc(list->pointers, (list->pointer_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    list->pointers = grown;
    struct tl_pointer *entry = &grown[list->pointer_count++];
    memset(entry, 0, sizeof *entry);
    entry->certs = sk_X509_new_null();
    if (!entry->certs)
        return -1;
    node_text(sign_xml_child(pointer, TL_NS, "TSLLocation"), entry->location, sizeof entry->location);
    xmlNodePtr identities = sign_xml_child(pointer, TL_NS, "ServiceDigitalIdentities");
    for (xmlNodePtr identity = sign_xml_child(identities, TL_NS, "ServiceDigitalIdentity"); identity;
         identity = sign_xml_next(identity, TL_NS, "ServiceDigitalIdentity"))
        read_identity(identity, entry->certs, NULL);
    /* AdditionalInformation/OtherInformation holds the MimeType and the TSLType, each in its own
     * OtherInformation element. */
    int has_mime = 0;
    xmlNodePtr additional = sign_xml_child(pointer, TL_NS, "AdditionalInformation");
    for (xmlNodePtr other = sign_xml_child(additional, TL_NS, "OtherInformation"); other;
         other = sign_xml_next(other, TL_NS, "OtherInformation")) {
        char text[256];
        xmlNodePtr mime = sign_xml_child(other, TL_ADDITIONAL_NS, "MimeType");
        if (mime) {
            node_text(mime, text, sizeof text);
            has_mime = 1;
            entry->xml |= strcmp(text, TL_MIME_XML) == 0;
        }
        node_text(sign_xml_child(other, TL_NS, "TSLType"), text, sizeof text);
        size_t n = strlen(text);
        entry->is_lotl |= n >= 14 && strcmp(text + n - 14, "listofthelists") == 0;
    }
    size_t n = strlen(entry->location);
    if (!has_mime)
        entry->xml = n >= 4 && strcmp(entry->location + n - 4, ".xml") == 0;
    return 0;
}

static int read_list(struct tl_list *list, xmlNodePtr root)
{
    xmlNodePtr scheme = sign_xml_child(root, TL_NS, "SchemeInformation");
    if (!scheme)
        return -1;
    char type[256];
    node_text(sign_xml_child(scheme, TL_NS, "TSLType"), type, sizeof type);
    size_t n = strlen(type);
    list->is_lotl = n >= 14 && strcmp(type + n - 14, "listofthelists") == 0;
    node_text(sign_xml_child(scheme, TL_NS, "SchemeTerritory"), list->territory,
              sizeof list->territory);
    list->issued = node_time(sign_xml_child(scheme, TL_NS, "ListIssueDateTime"));
    list->next_update =
        node_time(sign_xml_child(sign_xml_child(scheme, TL_NS, "NextUpdate"), TL_NS, "dateTime"));
    xmlNodePtr pointers = sign_xml_child(scheme, TL_NS, "PointersToOtherTSL");
    for (xmlNodePtr pointer = sign_xml_child(pointers, TL_NS, "OtherTSLPointer"); pointer;
         pointer = sign_xml_next(pointer, TL_NS, "OtherTSLPointer"))
        if (read_pointer(list, pointer) != 0)
            return -1;
    xmlNodePtr providers = sign_xml_child(root, TL_NS, "TrustServiceProviderList");
    for (xmlNodePtr tsp = sign_xml_child(providers, TL_NS, "TrustServiceProvider"); tsp;
         tsp = sign_xml_next(tsp, TL_NS, "TrustServiceProvider")) {
        xmlNodePtr services = sign_xml_child(tsp, TL_NS, "TSPServices");
        for (xmlNodePtr service = sign_xml_child(services, TL_NS, "TSPService"); service;
             service = sign_xml_next(service, TL_NS, "TSPService"))
            if (read_service(list, service) != 0)
                return -1;
    }
    return 0;
}

int sign_tl_parse(struct tl_list *list, const unsigned char *bytes, size_t len,
                  STACK_OF(X509) *pinned, char *why, size_t why_len)
{
    if (sign_xml_init() != SIGN_OK) {
        snprintf(why, why_len, "cannot set up xmlsec");
        return SIGN_ECRYPTO;
    }
    char parse_why[256];
    xmlDocPtr doc = sign_xml_parse(bytes, len, parse_why, sizeof parse_why);
    if (!doc) {
        snprintf(why, why_len, "%s", parse_why);
        return SIGN_EPARSE;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int status = SIGN_OK;
    if (!sign_xml_is(root, TL_NS, "TrustServiceStatusList")) {
        snprintf(why, why_len, "not an ETSI TS 119 612 trusted list (no TrustServiceStatusList)");
        status = SIGN_EPARSE;
    } else {
        status = check_signature(doc, root, pinned, why, why_len);
    }
    if (status == SIGN_OK && read_list(list, root) != 0) {
        snprintf(why, why_len, "the trusted list has no SchemeInformation, or out of memory");
        status = SIGN_EPARSE;
    }
    xmlFreeDoc(doc);
    return status;
}

void sign_tl_list_clear(struct tl_list *list)
{
    for (size_t i = 0; i < list->service_count; i++) {
        sk_X509_pop_free(list->services[i].certs, X509_free);
        free(list->services[i].skis);
        free(list->services[i].states);
    }
    free(list->services);
    for (size_t i = 0; i < list->pointer_count; i++)
        sk_X509_pop_free(list->pointers[i].certs, X509_free);
    free(list->pointers);
    memset(list, 0, sizeof *list);
}
