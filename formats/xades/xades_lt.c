/* XAdES long-term levels (ETSI EN 319 132-1): B-T's SignatureTimeStamp (5.3) and B-LT's
 * validation data values, CertificateValues and RevocationValues, added to signatures that
 * exist, segl's or other software's. The document is never re-serialised: what is added is
 * spliced into the original bytes inside the signature's UnsignedSignatureProperties, so
 * everything a signature covers, and everything around it, stays byte for byte the same. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "xades.h"

/* ---------------------------------------------------------------- the fragment */

/* The XML text to splice in, built with printf; failed remembers a lost allocation. */
struct text {
    char *data;
    size_t len, cap;
    int failed;
};

static void text_add(struct text *text, const char *data, size_t len)
{
    if (text->failed)
        return;
    if (text->len + len + 1 > text->cap) {
        size_t cap = text->cap ? text->cap : 4096;
        while (cap < text->len + len + 1)
            cap *= 2;
        char *grown = realloc(text->data, cap);
        if (!grown) {
            text->failed = 1;
            return;
        }
        text->data = grown;
        text->cap = cap;
    }
    memcpy(text->data + text->len, data, len);
    text->len += len;
    text->data[text->len] = 0;
}

static void text_printf(struct text *text, const char *fmt, ...) SIGN_PRINTF(2, 3);
static void text_printf(struct text *text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *line = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!line) {
        text->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, (size_t)n + 1, fmt, ap);
    va_end(ap);
    text_add(text, line, (size_t)n);
    free(line);
}

/* Base64 of DER as element text (ASCII, so the splice is right in any ASCII-compatible
 * document encoding). */
static void text_element_b64(struct text *text, const char *prefix, const char *name,
                             const unsigned char *der, size_t len)
{
    char *b64 = sign_xml_base64(der, len);
    if (!b64) {
        text->failed = 1;
        return;
    }
    text_printf(text, "<%s:%s>%s</%s:%s>", prefix, name, b64, prefix, name);
    free(b64);
}

/* The prefixes the added elements are written with: the ones already bound at the insertion
 * point when there are, else "xades" and "ds" declared on each added top element. */
struct prefixes {
    char xades[64], ds[64];
    char declarations[256];
};

static void choose_prefix(xmlNodePtr parent, const char *href, const char *fallback, char *out,
                          size_t size, char *declarations, size_t declarations_size)
{
    xmlNsPtr ns = xmlSearchNsByHref(parent->doc, parent, BAD_CAST href);
    if (ns && ns->prefix && xmlStrlen(ns->prefix) < (int)size &&
        xmlSearchNs(parent->doc, parent, ns->prefix) == ns) {
        snprintf(out, size, "%s", (const char *)ns->prefix);
        return;
    }
    snprintf(out, size, "%s", fallback);
    size_t used = strlen(declarations);
    snprintf(declarations + used, declarations_size - used, " xmlns:%s=\"%s\"", fallback, href);
}

static void choose_prefixes(struct prefixes *prefixes, xmlNodePtr parent)
{
    prefixes->declarations[0] = 0;
    choose_prefix(parent, XADES_NS, "xades", prefixes->xades, sizeof prefixes->xades,
                  prefixes->declarations, sizeof prefixes->declarations);
    choose_prefix(parent, XADES_DSIG_NS, "ds", prefixes->ds, sizeof prefixes->ds,
                  prefixes->declarations, sizeof prefixes->declarations);
}

/* ---------------------------------------------------------------- B-T */

/* EN 319 132-1 5.3: SignatureTimeStamp, a time-stamp over the ds:SignatureValue element
 * canonicalised with the ds:CanonicalizationMethod it names (exclusive C14N here). */
static int add_signature_timestamp(sign_ctx *ctx, const sign_options *opts, xmlNodePtr signature,
                                   const struct prefixes *p, const char *declarations,
                                   struct text *fragment, unsigned char **token,
                                   size_t *token_len)
{
    xmlNodePtr value = sign_xml_child(signature, XADES_DSIG_NS, "SignatureValue");
    unsigned char *canonical = NULL;
    size_t canonical_len = 0;
    if (!value || xades_c14n_node(value, NULL, XADES_EXC_C14N, &canonical, &canonical_len) != 0)
        return sign_seterr(ctx, SIGN_EPARSE, "the signature value cannot be canonicalised");
    const EVP_MD *md = EVP_get_digestbyname(opts->digest && xades_digest_uri(opts->digest)
                                                ? opts->digest : "sha256");
    int rc = sign_tsa_request(ctx, opts->tsa_url, md, canonical, canonical_len, token, token_len);
    free(canonical);
    if (rc != SIGN_OK)
        return rc;
    unsigned char random[8];
    char id[24] = "TS-";
    if (RAND_bytes(random, sizeof random) != 1)
        return sign_seterr(ctx, SIGN_ECRYPTO, "no random bytes for an Id");
    for (int i = 0; i < 8; i++)
        snprintf(id + 3 + 2 * i, 3, "%02x", random[i]);
    text_printf(fragment, "<%s:SignatureTimeStamp%s Id=\"%s\"><%s:CanonicalizationMethod "
                          "Algorithm=\"" XADES_EXC_C14N "\"/>",
                p->xades, declarations, id, p->ds);
    text_element_b64(fragment, p->xades, "EncapsulatedTimeStamp", *token, *token_len);
    text_printf(fragment, "</%s:SignatureTimeStamp>", p->xades);
    return SIGN_OK;
}

/* ---------------------------------------------------------------- B-LT */


/* The signing certificate among KeyInfo's: the one that issued none of the others (KeyInfo
 * holds the signer and, perhaps, its issuers). */
static X509 *leaf_of(STACK_OF(X509) *certs)
{
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *cert = sk_X509_value(certs, i);
        int issued_another = 0;
        for (int j = 0; j < sk_X509_num(certs) && !issued_another; j++)
            issued_another = j != i && X509_check_issued(cert, cert) != X509_V_OK &&
                             X509_check_issued(cert, sk_X509_value(certs, j)) == X509_V_OK;
        if (!issued_another)
            return cert;
    }
    return NULL;
}

/* RFC 5280 4.2.2.1: when the chain stops short of a self-signed certificate (a signature that
 * carries the signer's certificate only), its issuers are fetched from caIssuers. */
static X509 *fetch_issuer(sign_ctx *ctx, X509 *cert)
{
    AUTHORITY_INFO_ACCESS *access = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    X509 *issuer = NULL;
    for (int i = 0; !issuer && i < sk_ACCESS_DESCRIPTION_num(access); i++) {
        ACCESS_DESCRIPTION *description = sk_ACCESS_DESCRIPTION_value(access, i);
        if (OBJ_obj2nid(description->method) != NID_ad_ca_issuers ||
            description->location->type != GEN_URI)
            continue;
        ASN1_IA5STRING *location = description->location->d.uniformResourceIdentifier;
        const char *url = (const char *)ASN1_STRING_get0_data(location);
        unsigned char *body = NULL;
        size_t body_len = 0;
        char why[512];
        if (sign_http_fetch(ctx, url, NULL, NULL, 0, &body, &body_len, why, sizeof why) != SIGN_OK)
            continue;
        const unsigned char *p = body;
        X509 *candidate = d2i_X509(NULL, &p, (long)body_len);
        if (!candidate) {
            BIO *pem = BIO_new_mem_buf(body, (int)body_len);
            candidate = pem ? PEM_read_bio_X509(pem, NULL, NULL, NULL) : NULL;
            BIO_free(pem);
        }
        free(body);
        if (candidate && X509_check_issued(candidate, cert) == X509_V_OK)
            issuer = candidate;
        else
            X509_free(candidate);
    }
    AUTHORITY_INFO_ACCESS_free(access);
    ERR_clear_error();
    return issuer;
}

/* cert's chain from candidates, completed over the network where it stops short. */
static STACK_OF(X509) *chain_of(sign_ctx *ctx, X509 *cert, STACK_OF(X509) *candidates)
{
    STACK_OF(X509) *chain = sign_chain_assemble(ctx, cert, candidates);
    for (int step = 0; chain && step < 8; step++) {
        X509 *top = sk_X509_value(chain, sk_X509_num(chain) - 1);
        if (X509_check_issued(top, top) == X509_V_OK)
            break;
        X509 *issuer = fetch_issuer(ctx, top);
        if (!issuer)
            break;
        if (!sk_X509_push(chain, issuer)) {
            X509_free(issuer);
            break;
        }
    }
    return chain;
}

static int push_unique(STACK_OF(X509) *certs, X509 *cert)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (X509_cmp(sk_X509_value(certs, i), cert) == 0)
            return 1;
    if (!X509_up_ref(cert))
        return 0;
    if (!sk_X509_push(certs, cert)) {
        X509_free(cert);
        return 0;
    }
    return 1;
}

/* The TSA's chain of one timestamp token, from the certificates the token carries. */
static int collect_tsa(sign_ctx *ctx, const unsigned char *token, size_t token_len,
                       STACK_OF(X509) *values, sign_revocation_data *collected)
{
    const unsigned char *p = token;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)token_len);
    STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
    X509 *tsa = NULL;
    if (cms && certs) {
        CMS_set1_signers_certs(cms, certs, 0);
        STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
        if (sk_CMS_SignerInfo_num(infos) == 1)
            CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, 0), NULL, &tsa, NULL, NULL);
    }
    int rc;
    if (!tsa) {
        rc = sign_seterr(ctx, SIGN_EPARSE, "a signature timestamp does not carry its TSA's "
                                           "certificate");
    } else {
        STACK_OF(X509) *chain = chain_of(ctx, tsa, certs);
        rc = chain ? sign_revocation_collect(ctx, chain, time(NULL), 0, collected)
                   : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        for (int i = 0; rc == SIGN_OK && i < sk_X509_num(chain); i++)
            if (!push_unique(values, sk_X509_value(chain, i)))
                rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
        sk_X509_pop_free(chain, X509_free);
    }
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return rc;
}

/* The DER tokens of the signature's SignatureTimeStamps, for their TSAs' validation data. */
struct tokens {
    unsigned char *der[16];
    size_t len[16];
    int count;
};

static void tokens_clear(struct tokens *tokens)
{
    for (int i = 0; i < tokens->count; i++)
        OPENSSL_free(tokens->der[i]);
    tokens->count = 0;
}

static void read_tokens(xmlNodePtr unsigned_sig_props, struct tokens *tokens)
{
    for (xmlNodePtr stamp = sign_xml_child(unsigned_sig_props, XADES_NS, "SignatureTimeStamp"); stamp;
         stamp = sign_xml_next(stamp, XADES_NS, "SignatureTimeStamp"))
        for (xmlNodePtr node = sign_xml_child(stamp, XADES_NS, "EncapsulatedTimeStamp");
             node && tokens->count < 16;
             node = sign_xml_next(node, XADES_NS, "EncapsulatedTimeStamp")) {
            xmlChar *b64 = xmlNodeGetContent(node);
            size_t len = 0;
            unsigned char *der = b64 ? sign_xml_unbase64((const char *)b64, &len) : NULL;
            xmlFree(b64);
            unsigned char *copy = der ? OPENSSL_memdup(der, len) : NULL;
            free(der);
            if (copy) {
                tokens->der[tokens->count] = copy;
                tokens->len[tokens->count++] = len;
            }
        }
}

/* EN 319 132-1, validation data values: CertificateValues (the signer's and the TSAs' chains) and
 * RevocationValues (a CRL or OCSP response for every certificate of them but the anchors). */
static int add_validation_data(sign_ctx *ctx, xmlNodePtr signature, const struct tokens *tokens,
                               const struct prefixes *p, const char *declarations,
                               struct text *fragment)
{
    sign_revocation_data collected;
    sign_revocation_data_init(&collected);
    STACK_OF(X509) *certs = xades_key_info_certs(ctx, signature);
    STACK_OF(X509) *values = sk_X509_new_null();
    X509 *signer = leaf_of(certs);
    STACK_OF(X509) *chain = signer ? chain_of(ctx, signer, certs) : NULL;
    int rc;
    if (!signer)
        rc = sign_seterr(ctx, SIGN_EPARSE, "the signature carries no certificate in KeyInfo");
    else if (!chain || !values)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    else if (sk_X509_num(chain) < 2)
        rc = sign_seterr(ctx, SIGN_EPARSE, "the issuer of the signing certificate is neither in "
                                           "the signature nor to be had from its caIssuers");
    else
        rc = sign_revocation_collect(ctx, chain, time(NULL), 0, &collected);
    for (int i = 0; rc == SIGN_OK && i < sk_X509_num(chain); i++)
        if (!push_unique(values, sk_X509_value(chain, i)))
            rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    for (int i = 0; rc == SIGN_OK && i < tokens->count; i++)
        rc = collect_tsa(ctx, tokens->der[i], tokens->len[i], values, &collected);
    if (rc == SIGN_OK) {
        text_printf(fragment, "<%s:CertificateValues%s>", p->xades, declarations);
        for (int i = 0; i < sk_X509_num(values); i++) {
            unsigned char *der = NULL;
            int len = i2d_X509(sk_X509_value(values, i), &der);
            if (len > 0)
                text_element_b64(fragment, p->xades, "EncapsulatedX509Certificate", der,
                                 (size_t)len);
            else
                fragment->failed = 1;
            OPENSSL_free(der);
        }
        text_printf(fragment, "</%s:CertificateValues><%s:RevocationValues%s>", p->xades, p->xades,
                    declarations);
        /* XAdES 1.3.2 schema: CRLValues, then OCSPValues. */
        if (sk_X509_CRL_num(collected.crls) > 0) {
            text_printf(fragment, "<%s:CRLValues>", p->xades);
            for (int i = 0; i < sk_X509_CRL_num(collected.crls); i++) {
                unsigned char *der = NULL;
                int len = i2d_X509_CRL(sk_X509_CRL_value(collected.crls, i), &der);
                if (len > 0)
                    text_element_b64(fragment, p->xades, "EncapsulatedCRLValue", der, (size_t)len);
                else
                    fragment->failed = 1;
                OPENSSL_free(der);
            }
            text_printf(fragment, "</%s:CRLValues>", p->xades);
        }
        if (sk_OCSP_RESPONSE_num(collected.ocsps) > 0) {
            text_printf(fragment, "<%s:OCSPValues>", p->xades);
            for (int i = 0; i < sk_OCSP_RESPONSE_num(collected.ocsps); i++) {
                unsigned char *der = NULL;
                int len = i2d_OCSP_RESPONSE(sk_OCSP_RESPONSE_value(collected.ocsps, i), &der);
                if (len > 0)
                    text_element_b64(fragment, p->xades, "EncapsulatedOCSPValue", der, (size_t)len);
                else
                    fragment->failed = 1;
                OPENSSL_free(der);
            }
            text_printf(fragment, "</%s:OCSPValues>", p->xades);
        }
        text_printf(fragment, "</%s:RevocationValues>", p->xades);
    }
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(values, X509_free);
    sk_X509_pop_free(certs, X509_free);
    sign_revocation_data_clear(&collected);
    ERR_clear_error();
    return rc;
}

/* ---------------------------------------------------------------- one signature */

static int write_bytes(BIO *out, const void *data, size_t len)
{
    return BIO_write(out, data, (int)len) == (int)len ? 0 : -1;
}

/* Splice fragment into bytes at the end of parent's content (parent's end tag), or, for an
 * element written <a/>, make it <a>fragment</a>. wrap_open and wrap_close go around it. */
static int splice(const unsigned char *bytes, size_t len, xmlNodePtr parent,
                  const struct xades_span *span, const char *wrap_open, const struct text *fragment,
                  const char *wrap_close, BIO *out)
{
    int failed = 0;
    if (span->empty) {
        xmlChar *qname = parent->ns && parent->ns->prefix
                             ? xmlBuildQName(parent->name, parent->ns->prefix, NULL, 0)
                             : xmlStrdup(parent->name);
        failed |= !qname;
        failed |= write_bytes(out, bytes, span->end_tag);
        failed |= write_bytes(out, ">", 1);
        failed |= write_bytes(out, wrap_open, strlen(wrap_open));
        failed |= write_bytes(out, fragment->data, fragment->len);
        failed |= write_bytes(out, wrap_close, strlen(wrap_close));
        failed |= write_bytes(out, "</", 2);
        failed |= qname ? write_bytes(out, qname, (size_t)xmlStrlen(qname)) : -1;
        failed |= write_bytes(out, ">", 1);
        failed |= write_bytes(out, bytes + span->end, len - span->end);
        xmlFree(qname);
    } else {
        failed |= write_bytes(out, bytes, span->end_tag);
        failed |= write_bytes(out, wrap_open, strlen(wrap_open));
        failed |= write_bytes(out, fragment->data, fragment->len);
        failed |= write_bytes(out, wrap_close, strlen(wrap_close));
        failed |= write_bytes(out, bytes + span->end_tag, len - span->end_tag);
    }
    return failed ? -1 : 0;
}

/* Augments signature (the ordinal-th, for messages) in bytes, parsed as doc, writing the whole
 * new document to out. *changed says whether anything was added. */
static int augment_one(sign_ctx *ctx, const sign_options *opts, const unsigned char *bytes,
                       size_t len, xmlNodePtr signature, int ordinal, BIO *out, int *changed)
{
    int count = 0;
    xmlNodePtr qualifying = xades_qualifying_properties(signature, &count);
    *changed = 0;
    if (count != 1)
        return sign_seterr(ctx, SIGN_EPARSE, "signature %d is not a XAdES signature (%s "
                                             "QualifyingProperties): it cannot be extended",
                           ordinal, count ? "more than one" : "no");
    xmlNodePtr unsigned_props = sign_xml_child(qualifying, XADES_NS, "UnsignedProperties");
    xmlNodePtr unsigned_sig_props = sign_xml_child(unsigned_props, XADES_NS,
                                                "UnsignedSignatureProperties");
    /* The wrappers that do not exist yet come with the fragment. */
    xmlNodePtr parent = unsigned_sig_props ? unsigned_sig_props
                        : unsigned_props   ? unsigned_props
                                           : qualifying;
    struct prefixes p;
    choose_prefixes(&p, parent);
    const char *top_declarations = unsigned_sig_props ? p.declarations : "";

    struct text fragment = {0};
    struct tokens tokens = {0};
    read_tokens(unsigned_sig_props, &tokens);
    int rc = SIGN_OK;
    if (tokens.count == 0) {
        unsigned char *token = NULL;
        size_t token_len = 0;
        rc = add_signature_timestamp(ctx, opts, signature, &p, top_declarations, &fragment, &token,
                                     &token_len);
        if (rc == SIGN_OK) {
            tokens.der[0] = token;
            tokens.len[0] = token_len;
            tokens.count = 1;
        }
    }
    if (rc == SIGN_OK && opts->level >= SIGN_LEVEL_B_LT &&
        !sign_xml_child(unsigned_sig_props, XADES_NS, "CertificateValues"))
        rc = add_validation_data(ctx, signature, &tokens, &p, top_declarations, &fragment);
    if (rc == SIGN_OK && fragment.failed)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    struct xades_span span;
    if (rc == SIGN_OK && fragment.len > 0) {
        char wrap_open[512] = "", wrap_close[256] = "";
        if (!unsigned_props) {
            snprintf(wrap_open, sizeof wrap_open,
                     "<%s:UnsignedProperties%s><%s:UnsignedSignatureProperties>", p.xades,
                     p.declarations, p.xades);
            snprintf(wrap_close, sizeof wrap_close,
                     "</%s:UnsignedSignatureProperties></%s:UnsignedProperties>", p.xades, p.xades);
        } else if (!unsigned_sig_props) {
            snprintf(wrap_open, sizeof wrap_open, "<%s:UnsignedSignatureProperties%s>", p.xades,
                     p.declarations);
            snprintf(wrap_close, sizeof wrap_close, "</%s:UnsignedSignatureProperties>", p.xades);
        }
        if (xades_element_span(bytes, len, parent, &span) != 0)
            rc = sign_seterr(ctx, SIGN_EPARSE, "cannot find signature %d's properties in the "
                                               "file's bytes", ordinal);
        else if (unsigned_props && !unsigned_sig_props && !span.empty) {
            /* The XAdES schema puts UnsignedSignatureProperties first in UnsignedProperties:
             * right after its start tag. */
            struct xades_span first = span;
            first.end_tag = span.content;
            rc = splice(bytes, len, parent, &first, wrap_open, &fragment, wrap_close, out)
                     ? sign_seterr(ctx, SIGN_EIO, "cannot write the extended signature")
                     : SIGN_OK;
        } else {
            rc = splice(bytes, len, parent, &span, wrap_open, &fragment, wrap_close, out)
                     ? sign_seterr(ctx, SIGN_EIO, "cannot write the extended signature")
                     : SIGN_OK;
        }
        *changed = rc == SIGN_OK;
    }
    tokens_clear(&tokens);
    free(fragment.data);
    return rc;
}

/* ---------------------------------------------------------------- B-LTA */

/* EN 319 132-1 5.5.2: an xades141:ArchiveTimeStamp over the signature with all it carries (its
 * B-LT data among it), added last in UnsignedSignatureProperties, with exclusive C14N. Every
 * call adds one: extending a B-LTA file again renews its archive time-stamp. */
static int archive_one(sign_ctx *ctx, const sign_options *opts, const unsigned char *bytes,
                       size_t len, xmlNodePtr signature, int ordinal,
                       const struct xades_content *content, BIO *out)
{
    int count = 0;
    xmlNodePtr qualifying = xades_qualifying_properties(signature, &count);
    xmlNodePtr unsigned_sig_props = sign_xml_child(sign_xml_child(qualifying, XADES_NS,
                                                            "UnsignedProperties"),
                                                XADES_NS, "UnsignedSignatureProperties");
    if (count != 1 || !unsigned_sig_props)
        return sign_seterr(ctx, SIGN_EPARSE, "signature %d has no unsigned properties to "
                                             "time-stamp", ordinal);
    const EVP_MD *md = EVP_get_digestbyname(opts->digest && xades_digest_uri(opts->digest)
                                                ? opts->digest : "sha256");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    char why[300];
    if (xades_archive_digest(signature, NULL, XADES_EXC_C14N, NULL, content, md, digest,
                             &digest_len, why, sizeof why) != 0)
        return sign_seterr(ctx, SIGN_EPARSE, "signature %d: %s", ordinal, why);
    unsigned char *token = NULL;
    size_t token_len = 0;
    int rc = sign_tsa_request_digest(ctx, opts->tsa_url, md, digest, digest_len, &token,
                                     &token_len);
    if (rc != SIGN_OK)
        return rc;
    struct prefixes p;
    choose_prefixes(&p, unsigned_sig_props);
    unsigned char random[8];
    char id[24] = "ATS-";
    if (RAND_bytes(random, sizeof random) != 1) {
        OPENSSL_free(token);
        return sign_seterr(ctx, SIGN_ECRYPTO, "no random bytes for an Id");
    }
    for (int i = 0; i < 8; i++)
        snprintf(id + 4 + 2 * i, 3, "%02x", random[i]);
    struct text fragment = {0};
    text_printf(&fragment, "<xades141:ArchiveTimeStamp xmlns:xades141=\"" XADES141_NS "\"%s "
                           "Id=\"%s\"><%s:CanonicalizationMethod Algorithm=\"" XADES_EXC_C14N
                           "\"/>", p.declarations, id, p.ds);
    text_element_b64(&fragment, p.xades, "EncapsulatedTimeStamp", token, token_len);
    text_printf(&fragment, "</xades141:ArchiveTimeStamp>");
    OPENSSL_free(token);
    struct xades_span span;
    if (fragment.failed)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    else if (xades_element_span(bytes, len, unsigned_sig_props, &span) != 0)
        rc = sign_seterr(ctx, SIGN_EPARSE, "cannot find signature %d's properties in the file's "
                                           "bytes", ordinal);
    else if (splice(bytes, len, unsigned_sig_props, &span, "", &fragment, "", out) != 0)
        rc = sign_seterr(ctx, SIGN_EIO, "cannot write the extended signature");
    free(fragment.data);
    return rc;
}

/* ---------------------------------------------------------------- the document */



int xades_augment(sign_ctx *ctx, const sign_options *opts, const unsigned char *bytes, size_t len,
                  const struct xades_content *content, BIO *out)
{
    unsigned char *current = malloc(len + 1);
    if (!current)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    memcpy(current, bytes, len);
    size_t current_len = len;
    struct sign_xml_quiet quiet;
    sign_xml_quiet_begin(&quiet);
    int rc = SIGN_OK;
    /* One signature at a time, each on the bytes the previous one left: what is added to one
     * moves the others in the bytes. B-LTA takes a second round: the archive time-stamp covers
     * the B-LT data the first one added. */
    int rounds = opts->level >= SIGN_LEVEL_B_LTA ? 2 : 1;
    for (int index = 0, round = 0; rc == SIGN_OK && round < rounds; index++) {
        char why[300];
        xmlDocPtr doc = sign_xml_parse(current, current_len, why, sizeof why);
        if (!doc) {
            rc = sign_seterr(ctx, SIGN_EPARSE, "%s", why);
            break;
        }
        xmlNodePtr signatures[32];
        int count = 0;
        xades_collect_signatures(doc->children, signatures, &count, 32);
        if (count == 0)
            rc = sign_seterr(ctx, SIGN_EPARSE, "no XML signature to extend");
        if (index >= count) {
            xmlFreeDoc(doc);
            round++;
            index = -1;
            continue;
        }
        BIO *next = BIO_new(BIO_s_mem());
        int changed = 1;
        if (next && round == 1)
            sign_xml_register_ids(doc, NULL); /* the archive input resolves same-document URIs */
        rc = !next ? sign_seterr(ctx, SIGN_ENOMEM, "out of memory")
             : round == 0 ? augment_one(ctx, opts, current, current_len, signatures[index],
                                        index + 1, next, &changed)
                          : archive_one(ctx, opts, current, current_len, signatures[index],
                                        index + 1, content, next);
        xmlFreeDoc(doc);
        if (rc == SIGN_OK && changed) {
            char *data = NULL;
            long next_len = BIO_get_mem_data(next, &data);
            unsigned char *grown = next_len > 0 ? malloc((size_t)next_len + 1) : NULL;
            if (!grown) {
                rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
            } else {
                memcpy(grown, data, (size_t)next_len);
                free(current);
                current = grown;
                current_len = (size_t)next_len;
            }
        }
        BIO_free(next);
    }
    sign_xml_quiet_end(&quiet);
    if (rc == SIGN_OK)
        rc = xades_write_all(ctx, out, current, current_len);
    free(current);
    ERR_clear_error();
    return rc;
}

int xades_extend(sign_ctx *ctx, const sign_options *opts, const sign_source *src, BIO *out)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *why = NULL;
    if (xades_read_source(src, &bytes, &len, &why) != 0)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", sign_source_name(src), why);
    /* Detached content is next to the signature file (none when src is not a file). */
    struct xades_content next_to_it = {.open = xades_open_relative,
                                       .arg = (void *)sign_source_path(src)};
    int rc = xades_augment(ctx, opts, bytes, len, &next_to_it, out);
    free(bytes);
    return rc;
}
