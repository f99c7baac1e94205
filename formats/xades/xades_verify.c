/* XAdES validation: XMLDSig core validation (W3C XML Signature 1.1 3.2) plus the XAdES rules of
 * ETSI EN 319 132-1 for baselines B, T, LT and LTA, and defences against XML Signature Wrapping:
 * every Reference resolves to exactly one element, no signed element hides in a ds:Object or
 * another signature, and an enveloped signature must cover the whole document, since a reader
 * of the document reads all of it. The signer's chain, the claimed time against the
 * time-stamps and the level are not decided here: the properties, time-stamps and validation
 * data found are handed to the one validation process (libsign/validation/process.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>
#include <libxml/valid.h>
#include <openssl/err.h>
#include "libsign/validation/evidence.h"
#include "xades.h"

#define MAX_REFERENCES 64

struct verify_state {
    const sign_ctx *ctx;
    xmlDocPtr doc;
    xmlNodePtr signature;
    const char *path;                    /* the signature's file, when it is one; else NULL */
    const sign_source *content_source;   /* --content: the one detached content; or NULL */
    const struct xades_content *content; /* detached content not in files; NULL: files */
    sign_sig *sig;
    xmlNodePtr countersigned; /* for a counter-signature, the ds:Signature it signs; else NULL */
    int countersigned_refs;   /* references to that signature's SignatureValue */
    xmlNodePtr signed_props;
    int signed_props_refs;
    int covers_document;
    int content_refs;
    int external_refs;
    xmlNodePtr targets[MAX_REFERENCES];
    int target_count;
    char covered_elsewhere[1100]; /* the first signed element that is not the root */
    int wrapped; /* the root only wraps this signature (OpenSign): not content a reader sees */
};


static xmlNodePtr signature_ancestor(xmlNodePtr node)
{
    for (; node && node->type == XML_ELEMENT_NODE; node = node->parent)
        if (sign_xml_is(node, XADES_DSIG_NS, "Signature"))
            return node;
    return NULL;
}

static xmlNodePtr object_ancestor(xmlNodePtr node)
{
    for (; node && node->type == XML_ELEMENT_NODE; node = node->parent)
        if (sign_xml_is(node, XADES_DSIG_NS, "Object"))
            return node;
    return NULL;
}

/* "/Skatteblanket/Indkomst[2]": where a reader of the document finds the element. */
static void element_path(xmlNodePtr node, char *out, size_t size)
{
    xmlNodePtr chain[64];
    int depth = 0;
    for (; node && node->type == XML_ELEMENT_NODE && depth < 64; node = node->parent)
        chain[depth++] = node;
    size_t used = 0;
    out[0] = 0;
    while (depth-- > 0 && used < size) {
        xmlNodePtr step = chain[depth];
        int index = 1, count = 0;
        for (xmlNodePtr sibling = step->parent ? step->parent->children : NULL; sibling;
             sibling = sibling->next)
            if (sibling->type == XML_ELEMENT_NODE && xmlStrEqual(sibling->name, step->name)) {
                count++;
                if (sibling == step)
                    index = count;
            }
        const char *prefix = step->ns && step->ns->prefix ? (const char *)step->ns->prefix : "";
        int n = count > 1 ? snprintf(out + used, size - used, "/%s%s%s[%d]", prefix,
                                     *prefix ? ":" : "", step->name, index)
                          : snprintf(out + used, size - used, "/%s%s%s", prefix, *prefix ? ":" : "",
                                     step->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* ---------------------------------------------------------------- detached content */

/* A BIO over the --content source, or NULL with errno (the file could not be opened). */
static BIO *open_content_source(const sign_source *content)
{
    if (sign_source_open_error(content)) {
        errno = sign_source_open_error(content);
        return NULL;
    }
    BIO *in = sign_source_bio(content);
    if (!in)
        errno = ENOMEM;
    return in;
}

static void check_detached(struct verify_state *st, xmlNodePtr ref, const char *uri,
                           int external_count)
{
    char file[4096];
    st->content_refs++;
    if (sign_xml_child(ref, XADES_DSIG_NS, "Transforms")) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "transforms on the detached reference %s are not supported", uri);
        return;
    }
    if (st->content) {
        char *name = xmlURIUnescapeString(uri, 0, NULL);
        snprintf(file, sizeof file, "%s", name ? name : uri);
        free(name);
    } else if (st->content_source && external_count == 1) {
        snprintf(file, sizeof file, "%s", sign_source_name(st->content_source));
    } else if (!st->path) {
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "the reference %s names a file, and the signature was not read from a "
                      "folder to find it in: the content must be given", uri);
        return;
    } else if (xades_resolve_relative(st->path, uri, file, sizeof file) != 0) {
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "the reference %s is not a plain file name next to the signature: not "
                      "followed: the content must be given", uri);
        return;
    }
    xmlNodePtr method = sign_xml_child(ref, XADES_DSIG_NS, "DigestMethod");
    xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
    int weak = 0;
    const EVP_MD *md = xades_digest_by_uri((const char *)algorithm, &weak);
    xmlFree(algorithm);
    char *expected_b64 = xades_node_text(sign_xml_child(ref, XADES_DSIG_NS, "DigestValue"));
    size_t expected_len = 0;
    unsigned char *expected = expected_b64 ? sign_xml_unbase64(expected_b64, &expected_len) : NULL;
    free(expected_b64);
    if (!md || !expected) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the reference %s has no usable DigestMethod or DigestValue", uri);
        free(expected);
        return;
    }
    if (weak)
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                      "the digest algorithm SHA-1 is no longer reliable");
    char why[300] = "";
    BIO *in = st->content ? st->content->open(st->content->arg, file, why, sizeof why)
              : st->content_source && external_count == 1 ? open_content_source(st->content_source)
                                                          : BIO_new_file(file, "rb");
    if (!in && st->content) {
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "detached content %s: %s", file, why[0] ? why : "not found");
        free(expected);
        return;
    }
    if (!in) {
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "detached content %s: %s", file, strerror(errno));
        free(expected);
        ERR_clear_error();
        return;
    }
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    unsigned char buf[65536], digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int n, ok = mdctx && EVP_DigestInit_ex(mdctx, md, NULL);
    while (ok && (n = BIO_read(in, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
    int read_error = ok && n < 0; /* a container member longer than declared, or a bad CRC */
    ok = ok && n == 0 && EVP_DigestFinal_ex(mdctx, digest, &digest_len);
    EVP_MD_CTX_free(mdctx);
    BIO_free(in);
    if (read_error)
        sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "detached content %s cannot be read to the end", file);
    else if (!ok || digest_len != expected_len || memcmp(digest, expected, digest_len) != 0)
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "HASH_FAILURE",
                      "the content %s does not match the signed digest", file);
    else {
        char *name = xmlURIUnescapeString(uri, 0, NULL);
        sign_sig_add_covered(st->sig, "%s", name ? name : uri);
        free(name);
    }
    free(expected);
}

/* ---------------------------------------------------------------- references */

/* Whether reference (URI="", with XPath transforms) selects exactly what the enveloped-signature
 * transform would for signature: the whole document but the signature. */
static int xpath_selects_document(xmlNodePtr reference, xmlNodePtr signature)
{
    /* The canonicalisation that ends the transforms, if one does; else XMLDSig's default. */
    xmlNodePtr last = NULL;
    for (xmlNodePtr transform = sign_xml_child(sign_xml_child(reference, XADES_DSIG_NS,
                                                              "Transforms"),
                                               XADES_DSIG_NS, "Transform");
         transform; transform = sign_xml_next(transform, XADES_DSIG_NS, "Transform"))
        last = transform;
    xmlChar *algorithm = last ? xmlGetNoNsProp(last, BAD_CAST "Algorithm") : NULL;
    int last_is_xpath = algorithm && (xmlStrEqual(algorithm, BAD_CAST XADES_XPATH_TRANSFORM) ||
                                      xmlStrEqual(algorithm, BAD_CAST XADES_XPATH2_TRANSFORM));
    xmlFree(algorithm);
    unsigned char *selected = NULL, *document = NULL;
    size_t selected_len = 0, document_len = 0;
    char why[200];
    /* A last transform that is not a canonicalisation (enveloped-signature) leaves the default. */
    int canonical = xades_c14n_document_without(signature, last_is_xpath ? NULL : last, &document,
                                                &document_len);
    if (canonical < 0)
        canonical = xades_c14n_document_without(signature, NULL, &document, &document_len);
    int same = canonical == 0 &&
               xades_reference_octets(reference, &selected, &selected_len, why, sizeof why) == 0 &&
               selected_len == document_len && memcmp(selected, document, selected_len) == 0;
    free(selected);
    free(document);
    return same;
}

static void check_target(struct verify_state *st, xmlNodePtr target, xmlNodePtr ref,
                         const char *uri, int signed_props_type, int countersigned_type)
{
    if (st->target_count < MAX_REFERENCES)
        st->targets[st->target_count++] = target;
    /* EN 319 132-1 5.2.7.2: a counter-signature signs the SignatureValue of the signature whose
     * CounterSignature property holds it, with a Reference of the CountersignedSignature type.
     * That one element of that one signature, nothing else of another signature. */
    /* The properties and the countersigned value are read as they are: all of them signed. */
    if ((signed_props_type || countersigned_type) && xades_reference_has_xpath(ref)) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "an XPath transform on the %s reference %s: what it leaves out would be "
                      "read as signed", signed_props_type ? "SignedProperties"
                                                          : "CountersignedSignature", uri);
        return;
    }
    if (countersigned_type) {
        if (st->countersigned && target->parent == st->countersigned &&
            sign_xml_is(target, XADES_DSIG_NS, "SignatureValue")) {
            st->countersigned_refs++;
            st->content_refs++;
            sign_sig_add_covered(st->sig, "the SignatureValue of the signature it counter-signs");
        } else {
            sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "the CountersignedSignature reference %s does not name the "
                          "SignatureValue of the signature holding this counter-signature", uri);
        }
        return;
    }
    if (signed_props_type) {
        st->signed_props_refs++;
        if (target != st->signed_props)
            sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "the SignedProperties reference %s is not this signature's "
                          "SignedProperties", uri);
        return;
    }
    char where[1024];
    element_path(target, where, sizeof where);
    xmlNodePtr owner = signature_ancestor(target);
    xmlNodePtr object = object_ancestor(target);
    if (owner && owner != st->signature) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the signed element %s (%s) is inside another signature: signature "
                      "wrapping", where, uri);
    } else if (owner == st->signature) {
        /* Enveloping: the content is a ds:Object of this signature, referenced as a whole. */
        if (object && object != target)
            sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "the signed element %s (%s) is wrapped in a ds:Object: signature "
                          "wrapping", where, uri);
        else if (object) {
            st->content_refs++;
            sign_sig_add_covered(st->sig, "%s%s", uri,
                                 xades_reference_has_xpath(ref)
                                     ? ", as an XPath transform selects it"
                                     : "");
        }
    } else if (object) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the signed element %s (%s) is wrapped in a ds:Object: signature wrapping",
                      where, uri);
    } else {
        st->content_refs++;
        /* An XPath transform selects what is signed: the whole document only when it selects
         * what the enveloped-signature transform would (XMLDSig 6.6.3's usual expression);
         * anything less is a part, and the rule on enveloped signatures below applies. */
        int filtered = xades_reference_has_xpath(ref);
        int whole = target == xmlDocGetRootElement(st->doc) &&
                    (!filtered || (!*uri && xpath_selects_document(ref, st->signature)));
        if (whole)
            st->covers_document = 1;
        else if (!st->covered_elsewhere[0])
            snprintf(st->covered_elsewhere, sizeof st->covered_elsewhere, "%s (%s%s)", where, uri,
                     filtered ? " as an XPath transform selects it" : "");
        if (filtered && !whole)
            sign_sig_add_covered(st->sig, "%s, as an XPath transform selects it",
                                 *uri ? uri : "the document");
        else
            sign_sig_add_covered(st->sig, "%s", *uri ? uri : "the whole document");
    }
}

static void check_references(struct verify_state *st, xmlNodePtr signed_info)
{
    int external_count = 0, count = 0;
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); ref;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        external_count += uri && uri[0] && uri[0] != '#';
        count++;
        xmlFree(uri);
    }
    st->external_refs = external_count;
    if (count == 0) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "SignedInfo has no Reference");
        return;
    }
    for (xmlNodePtr ref = sign_xml_child(signed_info, XADES_DSIG_NS, "Reference"); ref;
         ref = sign_xml_next(ref, XADES_DSIG_NS, "Reference")) {
        xmlChar *uri = xmlGetNoNsProp(ref, BAD_CAST "URI");
        xmlChar *type = xmlGetNoNsProp(ref, BAD_CAST "Type");
        int signed_props_type = type && xmlStrEqual(type, BAD_CAST XADES_SIGNED_PROPS_TYPE);
        int countersigned_type = type && xmlStrEqual(type, BAD_CAST XADES_COUNTERSIGNED_TYPE);
        xmlFree(type);
        xmlNodePtr method = sign_xml_child(ref, XADES_DSIG_NS, "DigestMethod");
        xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
        int weak = 0;
        const EVP_MD *md = xades_digest_by_uri((const char *)algorithm, &weak);
        xmlFree(algorithm);
        if (!uri) {
            /* XMLDSig lets the application know what an absent URI means; a validator cannot. */
            sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "a Reference without URI: what it signs is unknown");
        } else if (!md) {
            sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "unsupported digest algorithm in reference %s", uri);
        } else if (uri[0] && uri[0] != '#') {
            check_detached(st, ref, (const char *)uri, external_count);
        } else {
            xmlNodePtr target = NULL;
            if (weak)
                sign_sig_fail(st->sig, SIGN_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                              "the digest algorithm SHA-1 is no longer reliable");
            if (uri[0] == 0) {
                target = xmlDocGetRootElement(st->doc);
            } else if (xmlStrncmp(uri, BAD_CAST "#xpointer(", 10) == 0) {
                sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                              "XPointer reference %s is not supported", uri);
            } else {
                int ids = sign_xml_id_count(st->doc, uri + 1);
                xmlAttrPtr id = ids == 1 ? xmlGetID(st->doc, uri + 1) : NULL;
                if (ids == 0)
                    sign_sig_fail(st->sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                                  "no element has the ID of reference %s", uri);
                else if (ids > 1)
                    sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                                  "%d elements have the ID of reference %s: signature wrapping",
                                  ids, uri);
                else if (id && id->parent)
                    target = id->parent;
            }
            if (target) {
                /* Where the signed element is, before whether it matches: wrapping is the
                 * more telling reason. */
                check_target(st, target, ref, (const char *)uri, signed_props_type,
                             countersigned_type);
                char why[200];
                int digest_ok = xades_reference_process(ref, 0, why, sizeof why);
                if (digest_ok < 0)
                    sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "reference %s: %s",
                                  uri, why);
                else if (digest_ok == 0)
                    sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "HASH_FAILURE",
                                  "%s does not match its signed digest (reference %s)",
                                  signed_props_type ? "SignedProperties" : "the signed content",
                                  uri[0] ? (char *)uri : "URI=\"\"");
            }
        }
        xmlFree(uri);
    }
}

/* ---------------------------------------------------------------- one signature */

/* The certificate digest of SigningCertificateV2 (or SigningCertificate), EN 319 132-1 5.2.2. */
struct cert_ref {
    const EVP_MD *md;
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t len;
    int v2;
};

static int signing_cert_ref(xmlNodePtr signed_sig_props, struct cert_ref *out, sign_sig *sig)
{
    xmlNodePtr holder = sign_xml_child(signed_sig_props, XADES_NS, "SigningCertificateV2");
    out->v2 = holder != NULL;
    if (!holder)
        holder = sign_xml_child(signed_sig_props, XADES_NS, "SigningCertificate");
    if (!holder)
        return 0;
    xmlNodePtr cert_digest = sign_xml_child(sign_xml_child(holder, XADES_NS, "Cert"), XADES_NS, "CertDigest");
    xmlNodePtr method = sign_xml_child(cert_digest, XADES_DSIG_NS, "DigestMethod");
    xmlChar *algorithm = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
    out->md = xades_digest_by_uri((const char *)algorithm, NULL);
    xmlFree(algorithm);
    char *b64 = xades_node_text(sign_xml_child(cert_digest, XADES_DSIG_NS, "DigestValue"));
    unsigned char *value = b64 ? sign_xml_unbase64(b64, &out->len) : NULL;
    free(b64);
    if (!out->md || !value || out->len > sizeof out->digest) {
        free(value);
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "malformed signing certificate property");
        return -1;
    }
    memcpy(out->digest, value, out->len);
    free(value);
    return 1;
}

static int cert_matches(X509 *cert, const struct cert_ref *ref)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    return xades_cert_digest(cert, ref->md, digest, &len) == 0 && len == ref->len &&
           memcmp(digest, ref->digest, len) == 0;
}

/* Which of KeyInfo's certificates signed (issue 15: by evidence, never by position): the one
 * SigningCertificate(V2) names, or without that property (plain XMLDSig) the end-entity
 * certificate whose key verifies SignatureValue; the others are only chain candidates. */
struct signer_choice {
    X509 *signer;    /* borrowed from the certificates; NULL when none qualifies */
    int verified;    /* its key verifies SignatureValue */
    int substituted; /* a certificate is named, none in KeyInfo is it: signer is the one whose
                      * key verifies */
    int named_ca;    /* the certificate named is a CA's */
};

static void choose_signer(struct signer_choice *out, STACK_OF(X509) *certs,
                          const struct cert_ref *ref, const struct xades_sig_alg *alg,
                          const unsigned char *canonical, size_t canonical_len,
                          const unsigned char *value, size_t value_len)
{
    X509 *named = NULL, *verifying = NULL, *first_end_entity = NULL;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        if (ref && !named && cert_matches(cert, ref))
            named = cert;
        if (!first_end_entity && !sign_cert_is_ca(cert))
            first_end_entity = cert;
    }
    for (int i = 0; alg && value && !verifying && i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        if (!sign_cert_is_ca(cert) && (!named || cert == named) &&
            xades_verify_bytes(alg, X509_get0_pubkey(cert), canonical, canonical_len, value,
                               value_len))
            verifying = cert;
    }
    ERR_clear_error();
    if (named && sign_cert_is_ca(named)) {
        out->named_ca = 1;
        return;
    }
    out->signer = named ? named : verifying ? verifying : first_end_entity;
    out->verified = out->signer && out->signer == verifying;
    out->substituted = ref && !named && out->signer != NULL;
}

static void set_id(xmlNodePtr signature, const char *value_b64, sign_sig *sig)
{
    xmlChar *id = xmlGetNoNsProp(signature, BAD_CAST "Id");
    if (id) {
        sign_sig_set_id(sig, (char *)id);
        xmlFree(id);
        return;
    }
    unsigned char digest[32];
    unsigned int len = 0;
    if (!value_b64 || !EVP_Digest(value_b64, strlen(value_b64), digest, &len, EVP_sha256(), NULL))
        return;
    char text[24] = "S-";
    for (int i = 0; i < 8; i++)
        snprintf(text + 2 + 2 * i, 3, "%02X", digest[i]);
    sign_sig_set_id(sig, text);
}

/* ---------------------------------------------------------------- long-term */

/* DER from the base64 text of node; NULL when it is not base64. */
static unsigned char *node_der(xmlNodePtr node, size_t *len)
{
    char *b64 = xades_node_text(node);
    unsigned char *der = b64 ? sign_xml_unbase64(b64, len) : NULL;
    free(b64);
    return der;
}

/* EN 319 132-1 5.3: every SignatureTimeStamp is checked over the ds:SignatureValue element
 * canonicalised as it says, and handed to the validation process as evidence (what it proves
 * is decided in libsign/validation/poe.c). */
static void check_signature_timestamps(struct verify_state *st, xmlNodePtr unsigned_sig_props,
                                       xmlNodePtr value_node, sign_evidence *ev)
{
    for (xmlNodePtr stamp = sign_xml_child(unsigned_sig_props, XADES_NS, "SignatureTimeStamp"); stamp;
         stamp = sign_xml_next(stamp, XADES_NS, "SignatureTimeStamp")) {
        xmlNodePtr method = sign_xml_child(stamp, XADES_DSIG_NS, "CanonicalizationMethod");
        unsigned char *canonical = NULL;
        size_t canonical_len = 0;
        /* The XAdES time-stamp container: without a CanonicalizationMethod, inclusive C14N 1.0. */
        int canonical_ok = xades_c14n_node(value_node, method, XADES_INCL_C14N, &canonical,
                                           &canonical_len) == 0;
        int tokens = 0;
        for (xmlNodePtr node = sign_xml_child(stamp, XADES_NS, "EncapsulatedTimeStamp"); node;
             node = sign_xml_next(node, XADES_NS, "EncapsulatedTimeStamp")) {
            sign_timestamp_result result;
            size_t token_len = 0;
            unsigned char *token = canonical_ok ? node_der(node, &token_len) : NULL;
            tokens++;
            if (!token) {
                memset(&result, 0, sizeof result);
                result.gen_time = (time_t)-1;
                snprintf(result.why, sizeof result.why, "%s",
                         canonical_ok ? "the EncapsulatedTimeStamp is not base64"
                                      : "unsupported CanonicalizationMethod in SignatureTimeStamp");
            } else {
                sign_timestamp_check(st->ctx, token, token_len, canonical, canonical_len, &result);
            }
            free(token);
            sign_evidence_add_timestamp(ev, SIGN_TIMESTAMP_SIGNATURE, &result, 0);
        }
        if (tokens == 0)
            sign_evidence_add_timestamp_without_token(
                ev, SIGN_TIMESTAMP_SIGNATURE,
                "a SignatureTimeStamp without EncapsulatedTimeStamp (XML timestamps are not "
                "supported)");
        free(canonical);
    }
}

/* Detached content for the archive input, found as check_detached finds it. */
static BIO *open_detached(void *arg, const char *name, char *why, size_t why_len)
{
    struct verify_state *st = arg;
    if (st->content)
        return st->content->open(st->content->arg, name, why, why_len);
    if (st->content_source && st->external_refs == 1) {
        BIO *in = open_content_source(st->content_source);
        if (!in)
            snprintf(why, why_len, "%s: %s", sign_source_name(st->content_source),
                     strerror(errno));
        return in;
    }
    return xades_open_relative((void *)st->path, name, why, why_len);
}

struct archive_job {
    struct verify_state *st;
    xmlNodePtr method, stamp;
    char why[300];
};

static int archive_digest(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                          void *arg)
{
    struct archive_job *job = arg;
    struct xades_content content = {.open = open_detached, .arg = job->st};
    int ok = xades_archive_digest(job->st->signature, job->method, XADES_INCL_C14N, job->stamp,
                                  &content, md, digest, digest_len, job->why,
                                  sizeof job->why) == 0;
    if (ok)
        job->why[0] = 0; /* a mismatch is then the token's to tell */
    return ok;
}

/* EN 319 132-1 5.5.2: every xades141:ArchiveTimeStamp is checked over the signature and the
 * unsigned properties before it (the validation data among them), and handed to the validation
 * process as evidence (B-LTA). */
static void check_archive_timestamps(struct verify_state *st, xmlNodePtr unsigned_sig_props,
                                     sign_evidence *ev)
{
    for (xmlNodePtr stamp = sign_xml_child(unsigned_sig_props, XADES141_NS, "ArchiveTimeStamp");
         stamp; stamp = sign_xml_next(stamp, XADES141_NS, "ArchiveTimeStamp")) {
        struct archive_job job = {.st = st, .stamp = stamp,
                                  .method = sign_xml_child(stamp, XADES_DSIG_NS,
                                                        "CanonicalizationMethod")};
        int tokens = 0;
        for (xmlNodePtr node = sign_xml_child(stamp, XADES_NS, "EncapsulatedTimeStamp"); node;
             node = sign_xml_next(node, XADES_NS, "EncapsulatedTimeStamp")) {
            sign_timestamp_result result;
            size_t token_len = 0;
            unsigned char *token = node_der(node, &token_len);
            tokens++;
            job.why[0] = 0;
            if (!token) {
                memset(&result, 0, sizeof result);
                result.gen_time = (time_t)-1;
                snprintf(result.why, sizeof result.why, "the EncapsulatedTimeStamp is not base64");
            } else if (!sign_timestamp_check_with(st->ctx, token, token_len, archive_digest, &job,
                                                  &result) && job.why[0]) {
                snprintf(result.why, sizeof result.why, "%s", job.why);
            }
            free(token);
            sign_evidence_add_timestamp(ev, SIGN_TIMESTAMP_ARCHIVE, &result, 1);
        }
        if (tokens == 0)
            sign_evidence_add_timestamp_without_token(
                ev, SIGN_TIMESTAMP_ARCHIVE, "an ArchiveTimeStamp without EncapsulatedTimeStamp");
    }
}

/* EN 319 132-1 validation data values: CertificateValues join KeyInfo's certificates as untrusted
 * candidates for the chain; RevocationValues are the embedded revocation data. Neither is
 * signed: a certificate still has to chain to a trust anchor, a CRL or OCSP response still has
 * to be signed by its issuer or an authorised responder. Into the evidence's certificates and
 * revocation data. */
static void read_validation_data(const sign_ctx *ctx, xmlNodePtr unsigned_sig_props,
                                 sign_evidence *ev)
{
    STACK_OF(X509) *certs = ev->certificates;
    sign_revocation_data *embedded = &ev->revocation;
    for (xmlNodePtr values = sign_xml_child(unsigned_sig_props, XADES_NS, "CertificateValues"); values;
         values = sign_xml_next(values, XADES_NS, "CertificateValues"))
        for (xmlNodePtr node = sign_xml_child(values, XADES_NS, "EncapsulatedX509Certificate"); node;
             node = sign_xml_next(node, XADES_NS, "EncapsulatedX509Certificate")) {
            size_t len = 0;
            unsigned char *der = node_der(node, &len);
            X509 *cert = der ? sign_cert_cache_decode(ctx, der, len) : NULL;
            if (cert && !sk_X509_push(certs, cert))
                X509_free(cert);
            free(der);
        }
    for (xmlNodePtr values = sign_xml_child(unsigned_sig_props, XADES_NS, "RevocationValues"); values;
         values = sign_xml_next(values, XADES_NS, "RevocationValues")) {
        for (xmlNodePtr node = sign_xml_child(sign_xml_child(values, XADES_NS, "CRLValues"), XADES_NS,
                                           "EncapsulatedCRLValue");
             node; node = sign_xml_next(node, XADES_NS, "EncapsulatedCRLValue")) {
            size_t len = 0;
            unsigned char *der = node_der(node, &len);
            const unsigned char *p = der;
            X509_CRL *crl = der ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
            if (crl)
                sign_revocation_data_add(embedded, NULL, crl);
            X509_CRL_free(crl);
            free(der);
        }
        for (xmlNodePtr node = sign_xml_child(sign_xml_child(values, XADES_NS, "OCSPValues"), XADES_NS,
                                           "EncapsulatedOCSPValue");
             node; node = sign_xml_next(node, XADES_NS, "EncapsulatedOCSPValue")) {
            size_t len = 0;
            unsigned char *der = node_der(node, &len);
            const unsigned char *p = der;
            OCSP_RESPONSE *ocsp = der ? d2i_OCSP_RESPONSE(NULL, &p, (long)len) : NULL;
            if (ocsp)
                sign_revocation_data_add(embedded, ocsp, NULL);
            OCSP_RESPONSE_free(ocsp);
            free(der);
        }
    }
    ERR_clear_error();
}

#define XADES_PSS_PARAMS_NS "http://www.w3.org/2007/05/xmldsig-more#"

/* RFC 9231 2.3.10 (xadesjs uses it): RSASSA-PSS with explicit RSAPSSParams. Supported as far as
 * they match the parameterless RFC 6931 forms: MGF1 with the same digest, salt as long as it. */
static const struct xades_sig_alg *pss_with_params(xmlNodePtr method)
{
    xmlNodePtr params = sign_xml_child(method, XADES_PSS_PARAMS_NS, "RSAPSSParams");
    xmlNodePtr digest_method = sign_xml_child(params, XADES_DSIG_NS, "DigestMethod");
    xmlChar *digest_uri = digest_method ? xmlGetNoNsProp(digest_method, BAD_CAST "Algorithm") : NULL;
    const EVP_MD *md = digest_uri ? xades_digest_by_uri((const char *)digest_uri, NULL) : EVP_sha256();
    xmlFree(digest_uri);
    char *salt = xades_node_text(sign_xml_child(params, XADES_PSS_PARAMS_NS, "SaltLength"));
    int salt_ok = md && (!salt || atoi(salt) == EVP_MD_get_size(md));
    free(salt);
    if (!salt_ok || sign_xml_child(params, XADES_PSS_PARAMS_NS, "MaskGenerationFunction"))
        return NULL;
    char uri[128];
    snprintf(uri, sizeof uri, XADES_PSS_PARAMS_NS "%s-rsa-MGF1", OBJ_nid2sn(EVP_MD_get_type(md)));
    for (char *p = uri + sizeof XADES_PSS_PARAMS_NS - 1; *p && *p != '-'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    return xades_sig_alg_by_uri(uri);
}

static void verify_signature(struct verify_state *st)
{
    sign_sig *sig = st->sig;
    xmlNodePtr signature = st->signature;
    xmlNodePtr signed_info = sign_xml_child(signature, XADES_DSIG_NS, "SignedInfo");
    xmlNodePtr value_node = sign_xml_child(signature, XADES_DSIG_NS, "SignatureValue");
    char *value_b64 = xades_node_text(value_node);
    set_id(signature, value_b64, sig);
    if (!signed_info || !value_node || sign_xml_next(signed_info, XADES_DSIG_NS, "SignedInfo") ||
        sign_xml_next(value_node, XADES_DSIG_NS, "SignatureValue")) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "ds:Signature needs exactly one SignedInfo and one SignatureValue");
        free(value_b64);
        return;
    }
    xmlNodePtr method = sign_xml_child(signed_info, XADES_DSIG_NS, "SignatureMethod");
    xmlChar *method_uri = method ? xmlGetNoNsProp(method, BAD_CAST "Algorithm") : NULL;
    const struct xades_sig_alg *alg = xades_sig_alg_by_uri((const char *)method_uri);
    if (!alg && method_uri && xmlStrEqual(method_uri, BAD_CAST XADES_PSS_PARAMS_NS "rsa-pss"))
        alg = pss_with_params(method);
    if (!alg)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "unsupported signature algorithm %s",
                      method_uri ? (char *)method_uri : "(none)");
    else if (alg->weak)
        sign_sig_fail(sig, SIGN_INDETERMINATE, "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                      "the signature algorithm %s is no longer reliable", alg->uri);
    xmlFree(method_uri);

    /* The XAdES properties of this signature: QualifyingProperties targets it by Id. */
    int qualifying_count = 0;
    xmlNodePtr qualifying = xades_qualifying_properties(signature, &qualifying_count);
    xmlNodePtr signed_sig_props = NULL;
    if (qualifying_count > 1) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "more than one QualifyingProperties");
    } else if (qualifying) {
        xmlChar *target = xmlGetNoNsProp(qualifying, BAD_CAST "Target");
        xmlChar *id = xmlGetNoNsProp(signature, BAD_CAST "Id");
        if (!target || !id || target[0] != '#' || !xmlStrEqual(target + 1, id))
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "QualifyingProperties does not target this signature");
        xmlFree(target);
        xmlFree(id);
        st->signed_props = sign_xml_child(qualifying, XADES_NS, "SignedProperties");
        if (st->signed_props && sign_xml_next(st->signed_props, XADES_NS, "SignedProperties"))
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "more than one SignedProperties");
        signed_sig_props = sign_xml_child(st->signed_props, XADES_NS, "SignedSignatureProperties");
    }
    int has_signing_time = 0;
    char *when = xades_node_text(sign_xml_child(signed_sig_props, XADES_NS, "SigningTime"));
    time_t signing_time;
    if (when && sign_parse_time(&signing_time, when) == SIGN_OK) {
        sign_sig_set_signing_time(sig, signing_time);
        has_signing_time = 1;
    }
    free(when);

    check_references(st, signed_info);
    if (st->signed_props && st->signed_props_refs != 1)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "SignedProperties must be referenced exactly once from SignedInfo "
                      "(%d times)", st->signed_props_refs);
    /* What a reader sees must be what was signed; a counter-signature signs a signature. */
    int wrapper_only = st->wrapped && signature->parent == xmlDocGetRootElement(st->doc);
    if (st->countersigned) {
        if (st->countersigned_refs == 0)
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                          "the counter-signature does not sign the SignatureValue of the "
                          "signature it is in");
    } else if (signature != xmlDocGetRootElement(st->doc) && !st->covers_document &&
               !wrapper_only)
        sign_sig_fail(sig, SIGN_INDETERMINATE, "SIG_CONSTRAINTS_FAILURE",
                      "the signature does not cover the whole document%s%s: a reader would see "
                      "unsigned content (segl requires an enveloped signature to sign the root)",
                      st->covered_elsewhere[0] ? ", only " : "", st->covered_elsewhere);
    else if (st->content_refs == 0)
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "the signature signs no content");
    /* Enveloping: every ds:Object but the properties' is signed content, or a reader could be
     * shown unsigned content next to the signed. */
    for (xmlNodePtr object = sign_xml_child(signature, XADES_DSIG_NS, "Object"); object;
         object = sign_xml_next(object, XADES_DSIG_NS, "Object")) {
        int referenced = qualifying && qualifying->parent == object;
        for (int i = 0; i < st->target_count; i++)
            referenced |= st->targets[i] == object;
        if (!referenced)
            sign_sig_fail(sig, SIGN_INDETERMINATE, "SIG_CONSTRAINTS_FAILURE",
                          "the signature carries a ds:Object that it does not sign");
    }

    STACK_OF(X509) *certs = xades_key_info_certs(st->ctx, signature);
    struct cert_ref cert_ref;
    int has_cert_ref = signing_cert_ref(signed_sig_props, &cert_ref, sig);
    unsigned char *canonical = NULL, *value = NULL;
    size_t canonical_len = 0, value_len = 0;
    value = value_b64 ? sign_xml_unbase64(value_b64, &value_len) : NULL;
    int canonical_ok = xades_c14n_signed_info(signed_info, &canonical, &canonical_len) == 0;
    struct signer_choice choice = {0};
    if (canonical_ok)
        choose_signer(&choice, certs, has_cert_ref > 0 ? &cert_ref : NULL, alg, canonical,
                      canonical_len, value, value_len);
    X509 *signer = choice.signer;
    if (sk_X509_num(certs) == 0) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                      "no signing certificate in KeyInfo");
    } else if (!canonical_ok) {
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "SignedInfo cannot be canonicalised (unsupported method?)");
    } else if (choice.named_ca) {
        /* A CA certifies signers; it is never reported as one (issue 15). */
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE",
                      "the signing certificate named in SignedProperties is a CA certificate");
        signer = NULL;
    } else if (!signer) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                      "no end-entity certificate in KeyInfo");
    } else {
        sign_sig_set_signer(sig, signer);
        if (alg && !choice.verified)
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "SIG_CRYPTO_FAILURE",
                          "the signature value does not verify with the signer's key");
        else if (choice.substituted)
            /* EN 319 132-1 5.2.2: the signed certificate digest binds the signature to one
             * certificate; a different certificate in KeyInfo (even for the same key) is not it. */
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "SIG_CRYPTO_FAILURE",
                          "the certificate in KeyInfo is not the signing certificate named in "
                          "SignedProperties (key substitution)");
    }
    /* What the validation process needs beyond what is checked above: EN 319 132-1 B-B's
     * properties, the claimed time, the time-stamps and the validation data carried. */
    sign_evidence ev;
    sign_evidence_init(&ev, SIGN_FAMILY_XADES);
    ev.baseline_b_missing =
        !qualifying || !st->signed_props     ? "no signed XAdES properties"
        : !has_signing_time                  ? "no SigningTime"
        : !(has_cert_ref > 0 && cert_ref.v2) ? "no SigningCertificateV2"
                                             : NULL;
    ev.claimed_signing_time = sign_sig_signing_time(sig);
    sign_evidence_set_signer(&ev, signer);
    sign_evidence_add_certificates(&ev, certs);
    xmlNodePtr unsigned_sig_props =
        sign_xml_child(sign_xml_child(qualifying, XADES_NS, "UnsignedProperties"), XADES_NS,
                    "UnsignedSignatureProperties");
    check_signature_timestamps(st, unsigned_sig_props, value_node, &ev);
    check_archive_timestamps(st, unsigned_sig_props, &ev);
    read_validation_data(st->ctx, unsigned_sig_props, &ev);
    STACK_OF(X509_CRL) *key_info_crls = xades_key_info_crls(signature);
    for (int i = 0; i < sk_X509_CRL_num(key_info_crls); i++)
        sign_revocation_data_add(&ev.revocation, NULL, sk_X509_CRL_value(key_info_crls, i));
    sk_X509_CRL_pop_free(key_info_crls, X509_CRL_free);
    sign_validate_signature(st->ctx, sig, &ev);
    sign_evidence_clear(&ev);
    sk_X509_pop_free(certs, X509_free);
    free(canonical);
    free(value);
    free(value_b64);
}

/* NemLog-in3: the sign text of a SignedDocument, for the signature that signs it whole (the
 * enveloped one it holds), when that signature did not fail; text for text and HTML. */
static void report_sign_text(struct verify_state *st)
{
    struct xades_sign_text text;
    char why[200];
    int found = xades_signed_document_text(st->doc, &text, why, sizeof why);
    if (found == 0 || st->signature->parent != xmlDocGetRootElement(st->doc))
        return;
    if (found < 0) {
        sign_sig_fail(st->sig, SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "%s", why);
        return;
    }
    int is_text = strcmp(text.mime, "text/plain") == 0 || strcmp(text.mime, "text/html") == 0;
    if (st->covers_document && sign_sig_indication(st->sig) != SIGN_TOTAL_FAILED)
        sign_sig_set_sign_text(st->sig, text.mime,
                               is_text && strlen((char *)text.document) == text.document_len
                                   ? (char *)text.document
                                   : NULL);
    xades_sign_text_clear(&text);
}

void xades_verify_wrapped(const sign_ctx *ctx, sign_sig *sig, xmlDocPtr doc, xmlNodePtr signature)
{
    struct verify_state st = {.ctx = ctx, .doc = doc, .signature = signature, .sig = sig,
                              .wrapped = 1};
    verify_signature(&st);
}

/* EN 319 132-1 5.2.7.2: the ds:Signature that signature counter-signs, when signature is the
 * child of a CounterSignature in that signature's UnsignedSignatureProperties
 * (Signature/Object/QualifyingProperties/UnsignedProperties/UnsignedSignatureProperties/
 * CounterSignature/Signature, nothing else in between); else NULL. */
static xmlNodePtr countersigned_signature(xmlNodePtr signature)
{
    static const struct {
        const char *ns, *name;
    } path[] = {{XADES_NS, "CounterSignature"},
                {XADES_NS, "UnsignedSignatureProperties"},
                {XADES_NS, "UnsignedProperties"},
                {XADES_NS, "QualifyingProperties"},
                {XADES_DSIG_NS, "Object"},
                {XADES_DSIG_NS, "Signature"}};
    xmlNodePtr node = signature;
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        node = node ? node->parent : NULL;
        if (!node || node->type != XML_ELEMENT_NODE || !sign_xml_is(node, path[i].ns, path[i].name))
            return NULL;
    }
    return node;
}

static void verify_document(const sign_ctx *ctx, sign_report *report, const unsigned char *bytes,
                            size_t len, const char *path, const sign_source *content_source,
                            const struct xades_content *content)
{
    struct sign_xml_quiet quiet; /* libxml2's errors off stderr for this call */
    sign_xml_quiet_begin(&quiet);
    char reason[300];
    xmlDocPtr doc = sign_xml_parse(bytes, len, reason, sizeof reason);
    if (!doc) {
        sign_report_set_error(report, "%s", reason);
        sign_xml_quiet_end(&quiet);
        return;
    }
    sign_xml_register_ids(doc, NULL);
    xmlNodePtr signatures[32];
    int count = 0;
    xades_collect_signatures(doc->children, signatures, &count, 32);
    sign_sig *sigs[32];
    for (int i = 0; i < count; i++) {
        sign_sig *sig = sigs[i] = sign_report_add_sig(report);
        if (!sig) {
            sign_report_set_error(report, "out of memory");
            break;
        }
        /* A counter-signature comes after the signature holding it, in document order. */
        xmlNodePtr countersigned = countersigned_signature(signatures[i]);
        for (int parent = 0; countersigned && parent < i; parent++)
            if (signatures[parent] == countersigned)
                sign_sig_set_countersigned(sig, sigs[parent]);
        struct verify_state st = {.ctx = ctx, .doc = doc, .signature = signatures[i],
                                  .path = path, .content_source = content_source,
                                  .content = content, .sig = sig, .countersigned = countersigned};
        verify_signature(&st);
        report_sign_text(&st);
    }
    xmlFreeDoc(doc);
    sign_xml_quiet_end(&quiet);
    ERR_clear_error();
}

void xades_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                  const sign_source *content)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *why = NULL;
    if (xades_read_source(src, &bytes, &len, &why) != 0) {
        sign_report_set_error(report, "%s", why);
        return;
    }
    /* Detached references name files next to the signature, when it is a file. */
    verify_document(ctx, report, bytes, len, sign_source_path(src), content, NULL);
    free(bytes);
}

void xades_verify_memory(const sign_ctx *ctx, sign_report *report, const unsigned char *bytes,
                         size_t len, const struct xades_content *content)
{
    if (sign_xml_init() != SIGN_OK) {
        sign_report_set_error(report, "cannot initialise xmlsec");
        return;
    }
    verify_document(ctx, report, bytes, len, NULL, NULL, content);
}
