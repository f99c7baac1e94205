/* CAdES (ETSI EN 319 122-1) baseline B on OpenSSL's CMS: detached (.p7s) and enveloping (.p7m).
 * Content is hashed streaming in both directions: it passes through OpenSSL's digest BIOs in
 * chunks and is never held whole in memory (except when validating an enveloping .p7m, whose
 * content is inside the parsed structure). Validation checks what is CAdES's own (the
 * signature over the content, the signed attributes, the time-stamps over their data) and hands
 * the rest to the one validation process as evidence: the signer's chain, the claimed time
 * against the time-stamps and the level are decided in libsign/validation/process.c. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rsa.h>
#include <openssl/pem.h> /* before cms.h, which declares PEM_read_bio_CMS with its macros */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "cades.h"

/* DER SignedData starts SEQUENCE { OID 1.2.840.113549.1.7.2 ... }: look for that OID near the start. */
static const unsigned char signed_data_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                0xf7, 0x0d, 0x01, 0x07, 0x02};

static int cades_detect_signed(const unsigned char *head, size_t len)
{
    if (len >= 2 && head[0] == 0x30) {
        size_t window = len < 32 ? len : 32;
        for (size_t i = 1; i + sizeof signed_data_oid <= window; i++)
            if (memcmp(head + i, signed_data_oid, sizeof signed_data_oid) == 0)
                return 90;
    }
    static const char *const pem_labels[] = {"-----BEGIN PKCS7-----", "-----BEGIN CMS-----"};
    for (size_t i = 0; i < 2; i++) {
        size_t label = strlen(pem_labels[i]);
        if (len >= label && memcmp(head, pem_labels[i], label) == 0)
            return 90;
    }
    return 0;
}

/* CAdES signs any bytes: the fallback when no other format claims the content. */
static int cades_accepts_content(const unsigned char *head, size_t len)
{
    (void)head;
    (void)len;
    return 1;
}

static const char *cades_extension(enum sign_packaging packaging)
{
    return packaging == SIGN_PACKAGING_ENVELOPING ? ".p7m" : ".p7s";
}

/* ---------------------------------------------------------------- signing */




/* The chain of the TSA that signed token (a timestamp token's DER) into cms's certificates, and
 * its revocation data into collected: the timestamp is checked offline years later too. */
static int add_tsa_validation_data(sign_ctx *ctx, CMS_ContentInfo *cms, const unsigned char *token,
                                   size_t token_len, sign_revocation_data *collected)
{
    CMS_ContentInfo *token_cms = d2i_CMS_ContentInfo(NULL, &token, (long)token_len);
    STACK_OF(X509) *tsa_certs = token_cms ? CMS_get1_certs(token_cms) : NULL;
    int rc = SIGN_OK;
    if (token_cms && tsa_certs) {
        CMS_set1_signers_certs(token_cms, NULL, 0);
        X509 *tsa = NULL;
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(token_cms), 0),
                                 NULL, &tsa, NULL, NULL);
        STACK_OF(X509) *tsa_chain = tsa ? sign_chain_assemble(ctx, tsa, tsa_certs) : NULL;
        if (tsa_chain)
            rc = sign_revocation_collect(ctx, tsa_chain, time(NULL), 1, collected);
        for (int i = 0; tsa_chain && rc == SIGN_OK && i < sk_X509_num(tsa_chain); i++)
            CMS_add1_cert(cms, sk_X509_value(tsa_chain, i)); /* duplicates are skipped */
        sk_X509_pop_free(tsa_chain, X509_free);
    }
    ERR_clear_error();
    sk_X509_pop_free(tsa_certs, X509_free);
    CMS_ContentInfo_free(token_cms);
    return rc;
}

/* The DER of the timestamp token in si's unsigned attribute at index, or NULL. */
static const unsigned char *token_at(CMS_SignerInfo *si, int index, size_t *len)
{
    X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, index);
    return attr && X509_ATTRIBUTE_count(attr) == 1
               ? cms_sequence_der(X509_ATTRIBUTE_get0_type(attr, 0), len)
               : NULL;
}

/* Adds crls to cms but those it holds already (extending a B-LT file fetches them again). */
static int add_new_crls(sign_ctx *ctx, CMS_ContentInfo *cms, STACK_OF(X509_CRL) *crls)
{
    STACK_OF(X509_CRL) *present = CMS_get1_crls(cms);
    if (!present)
        present = sk_X509_CRL_new_null();
    int rc = present ? SIGN_OK : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    for (int i = 0; rc == SIGN_OK && i < sk_X509_CRL_num(crls); i++) {
        X509_CRL *crl = sk_X509_CRL_value(crls, i);
        int known = 0;
        for (int j = 0; !known && j < sk_X509_CRL_num(present); j++)
            known = X509_CRL_match(sk_X509_CRL_value(present, j), crl) == 0;
        if (known)
            continue;
        if (!CMS_add1_crl(cms, crl) || !X509_CRL_up_ref(crl))
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot add a CRL");
        else if (!sk_X509_CRL_push(present, crl))
            X509_CRL_free(crl);
    }
    sk_X509_CRL_pop_free(present, X509_CRL_free);
    return rc;
}

/* EN 319 122-1 baseline LT: the certificates and revocation data needed to validate the
 * signature (and its timestamps) later, offline, go into SignedData.certificates and .crls.
 * OpenSSL 3.0 can add CRLs to a SignedData but not OCSP responses (RFC 5940 otherRevInfo), so
 * CAdES carries CRLs. */
static int add_validation_data(sign_ctx *ctx, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                               X509 *signer, STACK_OF(X509) *chain)
{
    sign_revocation_data collected;
    sign_revocation_data_init(&collected);
    STACK_OF(X509) *candidates = chain ? sk_X509_dup(chain) : sk_X509_new_null();
    STACK_OF(X509) *signer_chain = candidates ? sign_chain_assemble(ctx, signer, candidates) : NULL;
    int rc = signer_chain ? sign_revocation_collect(ctx, signer_chain, time(NULL), 1, &collected)
                          : sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    /* The signer's chain too: part of it may come from the certificates given to the context
     * (--certs) rather than from the signature. */
    for (int i = 0; rc == SIGN_OK && i < sk_X509_num(signer_chain); i++)
        CMS_add1_cert(cms, sk_X509_value(signer_chain, i)); /* duplicates are skipped */
    /* Every timestamp's TSA needs the same: the signature time-stamps', and the archive
     * time-stamps' when a B-LTA signature is extended again (EN 319 122-1 5.5.3 renewal). */
    for (int index = -1; rc == SIGN_OK &&
                         (index = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
                                                               index)) >= 0;) {
        size_t token_len = 0;
        const unsigned char *token = token_at(si, index, &token_len);
        if (token)
            rc = add_tsa_validation_data(ctx, cms, token, token_len, &collected);
    }
    for (int index = -1; rc == SIGN_OK && (index = cades_archive_attr_next(si, index)) >= 0;) {
        size_t token_len = 0;
        const unsigned char *token = token_at(si, index, &token_len);
        if (token)
            rc = add_tsa_validation_data(ctx, cms, token, token_len, &collected);
    }
    if (rc == SIGN_OK)
        rc = add_new_crls(ctx, cms, collected.crls);
    ERR_clear_error();
    sk_X509_pop_free(signer_chain, X509_free);
    sk_X509_free(candidates);
    sign_revocation_data_clear(&collected);
    return rc;
}

/* The detached content's digest as computed while it was signed (B-LTA). */
struct content_digest {
    const EVP_MD *md;
    unsigned char value[EVP_MAX_MD_SIZE];
    unsigned int len;
};

static int known_content_digest(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                                void *arg)
{
    const struct content_digest *known = arg;
    if (!known->len || EVP_MD_get_type(md) != EVP_MD_get_type(known->md))
        return 0;
    memcpy(digest, known->value, known->len);
    *digest_len = known->len;
    return 1;
}

/* The detached content in the source arg (NULL: none), hashed streaming with md. */
static int source_content_digest(const EVP_MD *md, unsigned char *digest,
                                 unsigned int *digest_len, void *arg)
{
    const sign_source *content = arg;
    EVP_MD_CTX *mdctx = content && !sign_source_open_error(content) ? EVP_MD_CTX_new() : NULL;
    int ok = mdctx && EVP_DigestInit_ex(mdctx, md, NULL);
    unsigned char buf[65536];
    long long n = 0;
    for (uint64_t at = 0; ok && (n = sign_source_read_at(content, at, buf, sizeof buf)) > 0;
         at += (uint64_t)n)
        ok = EVP_DigestUpdate(mdctx, buf, (size_t)n);
    ok = ok && n == 0 && EVP_DigestFinal_ex(mdctx, digest, digest_len);
    EVP_MD_CTX_free(mdctx);
    ERR_clear_error();
    return ok;
}

static int cades_sign(sign_ctx *ctx, const sign_key *key, const sign_options *opts, BIO *in,
                      BIO *out)
{
    if (opts->packaging == SIGN_PACKAGING_ENVELOPED)
        return sign_seterr(ctx, SIGN_EINVAL, "CAdES has no enveloped packaging "
                                             "(use detached or enveloping)");
    const EVP_MD *md = cms_allowed_digest(opts->digest);
    if (!md)
        return sign_seterr(ctx, SIGN_EINVAL, "digest %s not allowed (sha256, sha384, sha512)",
                           opts->digest ? opts->digest : "(none)");
    int enveloping = opts->packaging == SIGN_PACKAGING_ENVELOPING;
    /* OpenSSL 3.0's streaming encoder fails with the explicit RSASSA-PSS parameters
     * cms_add_signer sets, so an enveloping PSS signature is built in memory (the one case
     * where content size bounds memory while signing). */
    int pss = EVP_PKEY_is_a(key->pkey, "RSA-PSS");
    int streaming = enveloping && !pss && opts->level == SIGN_LEVEL_B_B;
    unsigned int flags = CMS_PARTIAL | CMS_BINARY | (enveloping ? 0 : CMS_DETACHED) |
                         (streaming ? CMS_STREAM : 0);
    int rc = SIGN_OK;
    BIO *archive_md = NULL;

    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    CMS_SignerInfo *si = cms_add_signer(ctx, cms, key, md);
    if (!si) {
        rc = SIGN_ECRYPTO;
        goto done;
    }
    if (opts->signing_time != (time_t)-1) {
        ASN1_TIME *when = ASN1_TIME_set(NULL, opts->signing_time);
        int added = when && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, when->type,
                                                        when, -1);
        ASN1_TIME_free(when);
        if (!added) {
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot add the signing time");
            goto done;
        }
    }
    /* The chain, but not a self-signed root: a validator must have its trust anchor already,
     * and every certificate carried costs each validation a decode (EN 319 122-1 lets the
     * signer choose which chain certificates to include). */
    for (int i = 0; key->chain && i < sk_X509_num(key->chain); i++)
        if (X509_check_issued(sk_X509_value(key->chain, i), sk_X509_value(key->chain, i)) !=
                X509_V_OK &&
            !CMS_add1_cert(cms, sk_X509_value(key->chain, i))) {
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot add the certificate chain");
            goto done;
        }
    if (streaming) {
        /* Streams the content into the output as BER with indefinite lengths. */
        if (!i2d_CMS_bio_stream(out, cms, in, flags))
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot write the enveloping signature");
    } else {
        /* B-LTA of detached content: the archive time-stamp covers the content's SHA-256 too,
         * taken on the way through (the content may be stdin, read once). */
        struct content_digest content = {.md = EVP_sha256()};
        if (opts->level >= SIGN_LEVEL_B_LTA && !enveloping) {
            archive_md = BIO_new(BIO_f_md());
            if (!archive_md || !BIO_set_md(archive_md, content.md)) {
                rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot hash the content");
                goto done;
            }
            BIO_push(archive_md, in);
        }
        if (!CMS_final(cms, archive_md ? archive_md : in, NULL, flags))
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot sign the content");
        else if (archive_md &&
                 (content.len = (unsigned int)BIO_gets(archive_md, (char *)content.value,
                                                       sizeof content.value)) !=
                     (unsigned int)EVP_MD_get_size(content.md))
            rc = sign_seterr(ctx, SIGN_ECRYPTO, "cannot hash the content");
        else if (opts->level >= SIGN_LEVEL_B_T && (rc = cms_add_signature_timestamp(ctx, si, md, opts->tsa_url)) != SIGN_OK)
            ;
        else if (opts->level >= SIGN_LEVEL_B_LT &&
                 (rc = add_validation_data(ctx, cms, si, key->cert, key->chain)) != SIGN_OK)
            ;
        else if (opts->level >= SIGN_LEVEL_B_LTA &&
                 (rc = cades_archive_add(ctx, cms, si, archive_md ? known_content_digest : NULL,
                                         &content, opts->tsa_url)) != SIGN_OK)
            ;
        else if (!i2d_CMS_bio(out, cms))
            rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the signature");
    }
done:
    if (archive_md) {
        BIO_pop(archive_md); /* in stays the caller's */
        BIO_free(archive_md);
    }
    CMS_ContentInfo_free(cms);
    return rc;
}

/* ---------------------------------------------------------------- validation */





static void verify_signer(const sign_ctx *ctx, CMS_ContentInfo *cms, cms_received *received,
                          int index, BIO *digested, int content_found,
                          const sign_source *content, STACK_OF(X509) *certs, sign_sig *sig)
{
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), index);
    cms_signature_id(si, sig);
    X509 *signer = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
    int has_signed_attrs = CMS_signed_get_attr_count(si) > 0;

    int count;
    ASN1_TYPE *when = cms_single_signed_attr(si, NID_pkcs9_signingTime, &count);
    if (when && (when->type == V_ASN1_UTCTIME || when->type == V_ASN1_GENERALIZEDTIME)) {
        time_t t;
        if (sign_time_from_asn1(&t, when->value.utctime) == SIGN_OK)
            sign_sig_set_signing_time(sig, t);
    }
    int has_signing_time = when != NULL && count == 1;

    if (!signer) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_SIGNING_CERTIFICATE_FOUND",
                      "the signing certificate is not in the signature");
        return;
    }
    sign_sig_set_signer(sig, signer);
    cms_check_digest_strength(si, sig);

    cms_check_signed_attributes(si, sig, received, index);
    if (!content_found) {
        sign_sig_fail(sig, SIGN_INDETERMINATE, "SIGNED_DATA_NOT_FOUND",
                      "detached signature and no content given");
    } else if (CMS_SignerInfo_verify_content(si, digested) <= 0) {
        if (has_signed_attrs)
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "HASH_FAILURE",
                          "the content does not match the signed digest");
        else if (cms_signer_key_readable(si, sig))
            sign_sig_fail(sig, SIGN_TOTAL_FAILED, "SIG_CRYPTO_FAILURE",
                          "the signature value does not verify over the content");
        ERR_clear_error();
    }

    int has_signing_cert = cms_check_signing_certificate(si, signer, sig);

    /* What the validation process needs beyond what is checked above: EN 319 122-1 B-B's
     * attributes, the claimed time, the time-stamps and the validation data carried. */
    sign_evidence ev;
    sign_evidence_init(&ev, SIGN_FAMILY_CADES);
    ev.baseline_b_missing = !has_signed_attrs   ? "no signed attributes"
                            : !has_signing_cert ? "no signing-certificate attribute"
                            : !has_signing_time ? "no signing-time attribute"
                                                : NULL;
    ev.claimed_signing_time = sign_sig_signing_time(sig);
    sign_evidence_set_signer(&ev, signer);
    sign_evidence_add_certificates(&ev, certs);
    cms_signature_timestamps(ctx, si, &ev);
    /* EN 319 122-1 5.5.3: archive time-stamps over the signature and all it carries; a
     * detached content is hashed again from its source for each. */
    cades_archive_check(ctx, cms, si, source_content_digest, (void *)content, &ev);
    /* RFC 5940: OCSP responses in crls count as the CRLs there do */
    STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
    STACK_OF(OCSP_RESPONSE) *ocsps = cms_received_ocsp_responses(received);
    sign_evidence_add_revocation(&ev, crls, ocsps);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    sk_OCSP_RESPONSE_pop_free(ocsps, OCSP_RESPONSE_free);
    sign_validate_signature(ctx, sig, &ev);
    sign_evidence_clear(&ev);
}

static CMS_ContentInfo *read_cms(BIO *in)
{
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    if (!cms && BIO_reset(in) == 0) {
        ERR_clear_error();
        cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
    }
    return cms;
}

/* The CMS structure in src. One of the usual size is read whole, so that its certificates come
 * from the context's cache (a source already in memory is used in place); a large enveloping
 * one is decoded from a stream over the source as it is. */
static CMS_ContentInfo *read_source_cms(const sign_ctx *ctx, const sign_source *src,
                                        cms_received **received)
{
    CMS_ContentInfo *cms = NULL;
    unsigned char small[1 << 16];
    const unsigned char *whole = sign_source_memory(src);
    uint64_t size = sign_source_size(src);
    if (whole && size > 0 && size <= LONG_MAX) {
        cms = cms_read(ctx, whole, (size_t)size, received);
    } else if (size > 0 && size < sizeof small) {
        long long got = sign_source_read_at(src, 0, small, sizeof small);
        if (got > 0 && (uint64_t)got == size)
            cms = cms_read(ctx, small, (size_t)got, received);
    }
    BIO *in = cms ? NULL : sign_source_bio(src);
    if (in) {
        ERR_clear_error();
        cms = read_cms(in);
        BIO_free(in);
    }
    return cms;
}

static void cades_verify(const sign_ctx *ctx, sign_report *report, const sign_source *src,
                         const sign_source *content_src)
{
    cms_received *received = NULL;
    CMS_ContentInfo *cms = read_source_cms(ctx, src, &received);
    if (!cms) {
        char reason[256];
        sign_report_set_error(report, "not a valid CMS signature (%s)",
                              sign_ssl_reason(reason, sizeof reason));
        return;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        sign_report_set_error(report, "CMS structure is not SignedData");
        CMS_ContentInfo_free(cms);
        cms_received_free(received);
        return;
    }
    STACK_OF(CMS_SignerInfo) *signer_infos = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(signer_infos) <= 0) {
        CMS_ContentInfo_free(cms);
        cms_received_free(received);
        return; /* no signature: the command reports it */
    }

    ASN1_OCTET_STRING **embedded = CMS_get0_content(cms);
    int detached = !embedded || !*embedded;
    BIO *content = NULL;
    if (detached && content_src) {
        if (sign_source_open_error(content_src)) {
            sign_report_set_error(report, "cannot open content %s: %s",
                                  sign_source_name(content_src),
                                  strerror(sign_source_open_error(content_src)));
            CMS_ContentInfo_free(cms);
            cms_received_free(received);
            return;
        }
        content = sign_source_bio(content_src);
        if (!content) {
            sign_report_set_error(report, "out of memory");
            CMS_ContentInfo_free(cms);
            cms_received_free(received);
            return;
        }
    }
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    CMS_set1_signers_certs(cms, NULL, 0);
    ERR_clear_error();

    /* Run the content once through the digest BIOs of every signer's algorithm. */
    int content_found = !detached || content != NULL;
    BIO *digested = NULL;
    if (content_found) {
        digested = CMS_dataInit(cms, content);
        unsigned char buf[65536];
        int n = 0;
        while (digested && (n = BIO_read(digested, buf, sizeof buf)) > 0)
            ;
        if (!digested || n < 0) {
            sign_report_set_error(report, "cannot read the signed content");
            goto done;
        }
    }
    for (int i = 0; i < sk_CMS_SignerInfo_num(signer_infos); i++) {
        sign_sig *sig = sign_report_add_sig(report);
        if (!sig) {
            sign_report_set_error(report, "out of memory");
            break;
        }
        verify_signer(ctx, cms, received, i, digested, content_found,
                      detached ? content_src : NULL, certs, sig);
    }
done:
    /* Free the digest BIOs that CMS_dataInit pushed, but not the content BIO under them. */
    if (digested && content) {
        while (digested && digested != content) {
            BIO *next = BIO_pop(digested);
            BIO_free(digested);
            digested = next;
        }
        BIO_free(content);
    } else {
        BIO_free_all(digested);
        BIO_free(content);
    }
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    cms_received_free(received);
    ERR_clear_error();
}

/* The detached content for B-LTA: opts->content_name when given (segl-extend --content), else
 * the signature's name without .p7s/.p7m/.sig when src is a named file and that file exists, as
 * segl-verify finds it. NULL when there is none (*out_of_memory tells that case apart). */
static sign_source *detached_content(const sign_options *opts, const sign_source *src,
                                     int *out_of_memory)
{
    *out_of_memory = 0;
    if (opts->content_name) {
        sign_source *content = sign_source_open_file(opts->content_name);
        *out_of_memory = !content;
        return content;
    }
    /* The file the signature's name implies, by the one rule segl-verify uses too (names.c). */
    const char *path = sign_source_path(src);
    char *content_path = NULL;
    int rc = path ? sign_detached_content_name(&content_path, path) : SIGN_EINVAL;
    if (rc == SIGN_ENOMEM)
        *out_of_memory = 1;
    if (rc == SIGN_OK) {
        sign_source *content = sign_source_open_file(content_path);
        *out_of_memory = !content;
        free(content_path);
        if (content && !sign_source_open_error(content))
            return content;
        sign_source_free(content);
    }
    return NULL;
}

/* Before an archive time-stamp covers it: content is what every signature of cms was made
 * over. */
static int check_detached_content(sign_ctx *ctx, CMS_ContentInfo *cms, const sign_source *content)
{
    const char *name = sign_source_name(content);
    if (sign_source_open_error(content))
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", name,
                           strerror(sign_source_open_error(content)));
    BIO *in = sign_source_bio(content);
    if (!in)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    BIO *digested = CMS_dataInit(cms, in);
    unsigned char buf[65536];
    int n = 0;
    while (digested && (n = BIO_read(digested, buf, sizeof buf)) > 0)
        ;
    int rc = digested && n == 0 ? SIGN_OK : sign_seterr(ctx, SIGN_EIO, "cannot read %s", name);
    STACK_OF(CMS_SignerInfo) *signer_infos = CMS_get0_SignerInfos(cms);
    for (int i = 0; rc == SIGN_OK && i < sk_CMS_SignerInfo_num(signer_infos); i++)
        if (CMS_SignerInfo_verify_content(sk_CMS_SignerInfo_value(signer_infos, i), digested) <= 0)
            rc = sign_seterr(ctx, SIGN_EINVAL, "%s is not the content signature %d was made "
                                               "over", name, i + 1);
    while (digested && digested != in) {
        BIO *next = BIO_pop(digested);
        BIO_free(digested);
        digested = next;
    }
    BIO_free(in);
    ERR_clear_error();
    return rc;
}

/* Augments every SignerInfo: a signature timestamp where there is none (B-T), then the
 * validation data (B-LT), then an archive time-stamp over all that (B-LTA; each extension to
 * B-LTA adds one more, renewing the archive). The signed parts are untouched: unsigned
 * attributes, certificates and CRLs are outside what the signatures cover. */
static int cades_extend(sign_ctx *ctx, const sign_options *opts, const sign_source *src,
                        BIO *out)
{
    const char *name = sign_source_name(src);
    BIO *in = sign_source_bio(src);
    if (!in)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    CMS_ContentInfo *cms = read_cms(in);
    BIO_free(in);
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        CMS_ContentInfo_free(cms);
        return sign_seterr(ctx, SIGN_EPARSE, "%s: not a CMS signature", name);
    }
    STACK_OF(CMS_SignerInfo) *signer_infos = CMS_get0_SignerInfos(cms);
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    CMS_set1_signers_certs(cms, NULL, 0);
    ERR_clear_error();
    sign_source *content = NULL;
    int rc = sk_CMS_SignerInfo_num(signer_infos) > 0
                 ? SIGN_OK
                 : sign_seterr(ctx, SIGN_EPARSE, "%s: no signature to extend", name);
    ASN1_OCTET_STRING **embedded = CMS_get0_content(cms);
    if (rc == SIGN_OK && opts->level >= SIGN_LEVEL_B_LTA && (!embedded || !*embedded)) {
        /* EN 319 122-1 5.5.3: the archive time-stamp covers the detached content's hash. */
        int out_of_memory = 0;
        content = detached_content(opts, src, &out_of_memory);
        rc = content ? check_detached_content(ctx, cms, content)
             : out_of_memory ? sign_seterr(ctx, SIGN_ENOMEM, "out of memory")
                             : sign_seterr_needing(ctx, SIGN_EINVAL, SIGN_NEEDED_CONTENT,
                                                   "%s: B-LTA time-stamps the signed content "
                                                   "too, and it was not given", name);
    }
    for (int i = 0; rc == SIGN_OK && i < sk_CMS_SignerInfo_num(signer_infos); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(signer_infos, i);
        X509 *signer = NULL;
        X509_ALGOR *digest_alg = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, &signer, &digest_alg, NULL);
        const EVP_MD *md = digest_alg ? EVP_get_digestbyobj(digest_alg->algorithm) : NULL;
        if (!signer) {
            rc = sign_seterr(ctx, SIGN_EPARSE, "%s: signature %d does not carry its certificate",
                             name, i + 1);
            break;
        }
        if (CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) < 0)
            rc = cms_add_signature_timestamp(ctx, si, md ? md : EVP_sha256(), opts->tsa_url);
        if (rc == SIGN_OK && opts->level >= SIGN_LEVEL_B_LT)
            rc = add_validation_data(ctx, cms, si, signer, certs);
    }
    /* After every signature's B-LT data is in: each archive time-stamp covers all of it. */
    for (int i = 0; rc == SIGN_OK && opts->level >= SIGN_LEVEL_B_LTA &&
                    i < sk_CMS_SignerInfo_num(signer_infos); i++)
        rc = cades_archive_add(ctx, cms, sk_CMS_SignerInfo_value(signer_infos, i),
                               source_content_digest, content, opts->tsa_url);
    if (rc == SIGN_OK && !i2d_CMS_bio(out, cms))
        rc = sign_seterr(ctx, SIGN_EWRITE, "cannot write the extended signature");
    sign_source_free(content);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    return rc;
}

const struct sign_format sign_format_cades = {
    .name = "cades",
    .max_level = SIGN_LEVEL_B_LTA,
    .detect_signed = cades_detect_signed,
    .accepts_content = cades_accepts_content,
    .sign = cades_sign,
    .verify = cades_verify,
    .extend = cades_extend,
    .extension = cades_extension,
    .list = sign_cades_list,
};
