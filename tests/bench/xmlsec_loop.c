/* xmlsec_loop: the loop a user would write with xmlsec's library instead of segl-verify for
 * enveloped XAdES files, the single-process peer in tests/bench/bench.sh (not a test, not built
 * by CMake).
 *
 * One keys manager holding the trust anchor is made once; then every file is parsed, its
 * xades:SignedProperties Id registered as an ID (what `xmlsec1 --id-attr` does, so that the
 * Reference to it resolves) and its ds:Signature checked with xmlSecDSigCtxVerify, one file after
 * the other, on one thread. This checks the XML-DSig signature, both References and the
 * certificate path of the certificates in ds:KeyInfo, and nothing of XAdES (no
 * SigningCertificateV2, no report).
 *
 *   xmlsec_loop TRUST_ANCHOR.pem EPOCH LIST
 *
 * LIST names one XAdES file a line. EPOCH is the validation time in seconds since 1970. Exit
 * status: 0 every file verified, 1 one did not (each named on stderr), 2 usage or setup error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>

static const xmlChar XADES_NS[] = "http://uri.etsi.org/01903/v1.3.2#";

static xmlSecKeysMngrPtr trust_keys_manager_new(const char *anchor_path)
{
    xmlSecKeysMngrPtr keys = xmlSecKeysMngrCreate();
    if (keys == NULL)
        return NULL;
    if (xmlSecCryptoAppDefaultKeysMngrInit(keys) < 0
        || xmlSecCryptoAppKeysMngrCertLoad(keys, anchor_path, xmlSecKeyDataFormatPem,
                                           xmlSecKeyDataTypeTrusted) < 0) {
        xmlSecKeysMngrDestroy(keys);
        return NULL;
    }
    return keys;
}

/* The SignedProperties Reference names its target by Id: make that attribute an XML ID. */
static void register_signed_properties_id(xmlDocPtr doc, xmlNodePtr root)
{
    xmlNodePtr signed_properties = xmlSecFindNode(root, BAD_CAST "SignedProperties", XADES_NS);
    xmlAttrPtr id_attr = signed_properties != NULL ? xmlHasProp(signed_properties, BAD_CAST "Id") : NULL;
    if (id_attr == NULL)
        return;
    xmlChar *id = xmlNodeListGetString(doc, id_attr->children, 1);
    if (id != NULL && xmlGetID(doc, id) == NULL)
        xmlAddID(NULL, doc, id, id_attr);
    xmlFree(id);
}

/* 1 when the file's ds:Signature verifies, 0 otherwise */
static int xml_signature_verifies(xmlSecKeysMngrPtr keys, time_t validation_time, const char *path)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    xmlNodePtr root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr signature = root != NULL ? xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs) : NULL;
    int verified = 0;
    if (signature != NULL) {
        register_signed_properties_id(doc, root);
        xmlSecDSigCtxPtr dsig = xmlSecDSigCtxCreate(keys);
        if (dsig != NULL) {
            dsig->keyInfoReadCtx.certsVerificationTime = validation_time;
            verified = xmlSecDSigCtxVerify(dsig, signature) == 0 && dsig->status == xmlSecDSigStatusSucceeded;
            xmlSecDSigCtxDestroy(dsig);
        }
    }
    xmlFreeDoc(doc);
    return verified;
}

static int xmlsec_start(void)
{
    xmlInitParser();
    LIBXML_TEST_VERSION
    return xmlSecInit() == 0 && xmlSecCheckVersion() == 1 && xmlSecCryptoAppInit(NULL) == 0
           && xmlSecCryptoInit() == 0;
}

static void xmlsec_stop(void)
{
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: xmlsec_loop TRUST_ANCHOR.pem EPOCH LIST\n");
        return 2;
    }
    FILE *list = fopen(argv[3], "r");
    if (list == NULL) {
        fprintf(stderr, "xmlsec_loop: cannot read %s\n", argv[3]);
        return 2;
    }
    xmlSecKeysMngrPtr keys = xmlsec_start() ? trust_keys_manager_new(argv[1]) : NULL;
    if (keys == NULL) {
        fprintf(stderr, "xmlsec_loop: cannot initialise xmlsec with the trust anchor %s\n", argv[1]);
        xmlsec_stop();
        fclose(list);
        return 2;
    }
    time_t validation_time = (time_t)strtoll(argv[2], NULL, 10);
    char *line = NULL;
    size_t line_size = 0;
    ssize_t line_len;
    int failures = 0;
    while ((line_len = getline(&line, &line_size, list)) > 0) {
        if (line[line_len - 1] == '\n')
            line[line_len - 1] = '\0';
        if (!xml_signature_verifies(keys, validation_time, line)) {
            fprintf(stderr, "xmlsec_loop: %s: not verified\n", line);
            failures++;
        }
    }
    free(line);
    xmlSecKeysMngrDestroy(keys);
    xmlsec_stop();
    fclose(list);
    return failures == 0 ? 0 : 1;
}
