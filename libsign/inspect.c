/* Inspection: recognise what a file is (signed file, PKCS#12, certificates) and describe it
 * without validating anything. The description is kept as the JSON tree segl-inspect prints. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include "formats/format.h"
#include "certinfo.h"
#include "json.h"

struct sign_inspection {
    enum sign_inspection_type type;
    json_t *body; /* the fields after "file", in output order */
};

SIGN_EXTERN void sign_inspection_free(sign_inspection *inspection)
{
    if (!inspection)
        return;
    json_decref(inspection->body);
    free(inspection);
}

SIGN_EXTERN enum sign_inspection_type sign_inspection_type(const sign_inspection *inspection)
{
    return inspection ? inspection->type : 0;
}

SIGN_EXTERN const char *sign_inspection_type_name(enum sign_inspection_type type)
{
    switch (type) {
    case SIGN_INSPECT_CERTIFICATE: return "certificate";
    case SIGN_INSPECT_PKCS12: return "pkcs12";
    case SIGN_INSPECT_SIGNED: return "signed";
    }
    return NULL;
}

/* Appends every certificate of a PEM text (a bundle may hold several). Returns how many. */
static int add_pem_certificates(json_t *list, const void *data, size_t len)
{
    BIO *in = BIO_new_mem_buf(data, (int)len);
    int count = 0;
    X509 *cert;
    while (in && (cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        json_array_append_new(list, sign_certinfo_json(cert));
        X509_free(cert);
        count++;
    }
    BIO_free(in);
    ERR_clear_error();
    return count;
}

static int inspect_certificates(sign_inspection *inspection, sign_ctx *ctx, const void *data,
                                size_t len, const char *name)
{
    json_t *list = json_array();
    json_object_set_new(inspection->body, "certificates", list);
    if (add_pem_certificates(list, data, len) == 0) {
        const unsigned char *p = data;
        X509 *cert = d2i_X509(NULL, &p, (long)len);
        ERR_clear_error();
        if (!cert)
            return sign_seterr(ctx, SIGN_EPARSE, "%s: not a certificate, PKCS#12 file or signed "
                                                 "file that segl knows (CMS/CAdES)", name);
        json_array_append_new(list, sign_certinfo_json(cert));
        X509_free(cert);
    }
    inspection->type = SIGN_INSPECT_CERTIFICATE;
    return SIGN_OK;
}

/* The key's certificate first, then the other certificates of the file. */
static int inspect_pkcs12(sign_inspection *inspection, sign_ctx *ctx, PKCS12 *p12,
                          const char *name, const char *password)
{
    sign_key *key = calloc(1, sizeof *key);
    if (!key)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = sign_key_from_pkcs12(ctx, key, p12, name, password);
    if (rc == SIGN_OK) {
        EVP_PKEY *pkey = key->pkey;
        json_object_set_new(inspection->body, "key_type",
                            sign_json_text(EVP_PKEY_get0_type_name(pkey)));
        json_object_set_new(inspection->body, "key_bits", json_integer(EVP_PKEY_get_bits(pkey)));
        json_object_set_new(inspection->body, "key_matches_certificate",
                            json_boolean(X509_check_private_key(key->cert, pkey) == 1));
        json_t *list = json_array();
        json_array_append_new(list, sign_certinfo_json(key->cert));
        for (int i = 0; key->chain && i < sk_X509_num(key->chain); i++)
            if (X509_cmp(sk_X509_value(key->chain, i), key->cert) != 0)
                json_array_append_new(list, sign_certinfo_json(sk_X509_value(key->chain, i)));
        json_object_set_new(inspection->body, "certificates", list);
        inspection->type = SIGN_INSPECT_PKCS12;
    }
    sign_key_free(key);
    ERR_clear_error();
    return rc;
}

static json_t *time_or_null(time_t t)
{
    char text[21];
    if (t == (time_t)-1)
        return json_null();
    sign_format_time(text, t);
    return json_string(text);
}

/* The signer as segl-verify --json shows it (no "qc": the reader has no trusted lists). */
static json_t *signer_json(const sign_sig *sig)
{
    const sign_oces_id *oces = sign_sig_signer_oces(sig);
    if (!oces)
        return json_null();
    int qualified = sign_sig_qualified(sig);
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "subject",
                     sign_json_text_or_null(sign_sig_signer_subject(sig)), "common_name",
                     sign_json_text_or_null(oces->common_name), "serial_number",
                     sign_json_text_or_null(oces->serial_number), "oces", sign_oces_json(oces), "qualified",
                     qualified < 0 ? json_null() : json_boolean(qualified));
}

static json_t *timestamps_json(const sign_sig *sig)
{
    json_t *timestamps = json_array();
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) != SIGN_OK)
            continue;
        json_array_append_new(
            timestamps, json_pack("{s:s, s:o, s:o, s:b, s:o}", "type", ts.type, "time",
                                  time_or_null(ts.time), "tsa", sign_json_text_or_null(ts.tsa), "valid",
                                  ts.valid, "error", sign_json_text_or_null(ts.error)));
    }
    return timestamps;
}

/* What a signature claims, in the fields of segl-inspect(1); no verdict. */
static json_t *claims_json(const sign_sig *sig)
{
    json_t *covers = json_array();
    for (size_t i = 0; i < sign_sig_covered_count(sig); i++)
        json_array_append_new(covers, sign_json_text(sign_sig_covered(sig, i)));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", sign_json_text_or_null(sign_sig_id(sig)),
                     "signer", signer_json(sig), "signing_time",
                     time_or_null(sign_sig_signing_time(sig)), "timestamps",
                     timestamps_json(sig), "covers", covers, "claimed_level",
                     sign_json_text_or_null(sign_sig_level(sig)));
}

/* For a format without its own lister: read the file with the format's validator, with no trust
 * anchors, offline and without revocation, and keep only what the signatures claim (signer,
 * claimed time and level, what they cover, their timestamps); every verdict is dropped, since
 * nothing was validated against anything. */
static int list_by_reading(sign_ctx *ctx, const struct sign_format *format,
                           const sign_source *src, json_t *body)
{
    const char *name = sign_source_name(src);
    sign_ctx *reader = NULL;
    sign_report *report = sign_report_new();
    int rc = report && sign_ctx_new(&reader) == SIGN_OK
                 ? SIGN_OK
                 : sign_seterr(ctx, SIGN_ENOMEM, "%s: cannot read it", name);
    if (rc == SIGN_OK) {
        sign_ctx_set_offline(reader, 1);
        sign_ctx_set_revocation(reader, SIGN_REVOCATION_OFF);
        format->verify(reader, report, src, NULL);
        if (sign_report_error(report))
            rc = sign_seterr(ctx, SIGN_EPARSE, "%s: %s", name, sign_report_error(report));
    }
    json_t *signatures = rc == SIGN_OK ? json_array() : NULL;
    for (size_t i = 0; signatures && i < sign_report_count(report); i++) {
        json_t *claims = claims_json(sign_report_sig(report, i));
        if (!claims || json_array_append_new(signatures, claims) != 0) {
            json_decref(signatures);
            signatures = NULL;
        }
    }
    if (rc == SIGN_OK && !signatures)
        rc = sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    if (signatures) {
        /* How the signatures sit in the file, in the terms of each format. */
        static const char *const packaging[][2] = {
            {"pades", "inside the PDF"}, {"xades", "XML"}, {"asic-e", "container"},
            {"asic-s", "container"}};
        for (size_t k = 0; k < sizeof packaging / sizeof packaging[0]; k++)
            if (strcmp(format->name, packaging[k][0]) == 0)
                json_object_set_new(body, "packaging", json_string(packaging[k][1]));
        json_object_set_new(body, "signatures", signatures);
    }
    sign_report_free(report);
    sign_ctx_free(reader);
    return rc;
}

static int inspect_signed(sign_inspection *inspection, sign_ctx *ctx,
                          const struct sign_format *format, const void *data, size_t len,
                          const char *name)
{
    json_object_set_new(inspection->body, "format", json_string(format->name));
    sign_source *src = sign_source_from_memory(data, len, name);
    if (!src)
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    int rc = format->list ? format->list(ctx, src, inspection->body)
                          : list_by_reading(ctx, format, src, inspection->body);
    sign_source_free(src);
    ERR_clear_error();
    if (rc == SIGN_OK)
        inspection->type = SIGN_INSPECT_SIGNED;
    return rc;
}

SIGN_EXTERN int sign_inspect_memory(sign_inspection **out, sign_ctx *ctx, const void *data,
                                    size_t len, const char *name, const char *password)
{
    if (!out || !ctx || (!data && len) || !name || len > INT32_MAX)
        return SIGN_EINVAL;
    *out = NULL;
    if (len == 0)
        return sign_seterr(ctx, SIGN_EPARSE, "%s: empty file", name);
    sign_inspection *inspection = calloc(1, sizeof *inspection);
    if (!inspection || !(inspection->body = json_object())) {
        free(inspection);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    /* Signed files first: their detectors are specific. Then PKCS#12, which only a complete
     * PFX structure parses as, and last certificates, PEM or DER. */
    int rc;
    const struct sign_format *format =
        sign_format_detect(data, len < SIGN_DETECT_BYTES ? len : SIGN_DETECT_BYTES);
    const unsigned char *p = data;
    PKCS12 *p12 = format ? NULL : d2i_PKCS12(NULL, &p, (long)len);
    ERR_clear_error();
    if (format)
        rc = inspect_signed(inspection, ctx, format, data, len, name);
    else if (p12)
        rc = inspect_pkcs12(inspection, ctx, p12, name, password);
    else
        rc = inspect_certificates(inspection, ctx, data, len, name);
    PKCS12_free(p12);
    if (rc != SIGN_OK) {
        sign_inspection_free(inspection);
        return rc;
    }
    *out = inspection;
    return SIGN_OK;
}

SIGN_EXTERN int sign_inspect_file(sign_inspection **out, sign_ctx *ctx, const char *path,
                                  const char *password)
{
    if (!out || !ctx || !path)
        return SIGN_EINVAL;
    *out = NULL;
    BIO *in = sign_open_input(path);
    if (!in) {
        int error = errno;
        ERR_clear_error(); /* errno says it better than OpenSSL's "no such file" */
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(error));
    }
    BIO *whole = BIO_new(BIO_s_mem());
    char buf[65536];
    int n = 0;
    while (whole && (n = BIO_read(in, buf, sizeof buf)) > 0)
        if (BIO_write(whole, buf, n) != n) {
            n = -2;
            break;
        }
    BIO_free(in);
    if (!whole || n == -2) {
        BIO_free(whole);
        return sign_seterr(ctx, SIGN_ENOMEM, "out of memory");
    }
    if (n < 0) {
        BIO_free(whole);
        ERR_clear_error();
        return sign_seterr(ctx, SIGN_EIO, "%s: cannot read", path);
    }
    char *data = NULL;
    long len = BIO_get_mem_data(whole, &data);
    int rc = sign_inspect_memory(out, ctx, data, len > 0 ? (size_t)len : 0, path, password);
    BIO_free(whole);
    return rc;
}

SIGN_EXTERN int sign_inspection_json(char **out, const sign_inspection *inspection,
                                     const char *file)
{
    if (!out || !inspection)
        return SIGN_EINVAL;
    *out = NULL;
    json_t *root = json_object();
    if (!root)
        return SIGN_ENOMEM;
    json_object_set_new(root, "file", sign_json_text(file ? file : ""));
    json_object_set_new(root, "type", json_string(sign_inspection_type_name(inspection->type)));
    const char *key;
    json_t *value;
    json_object_foreach(inspection->body, key, value)
        json_object_set(root, key, value);
    *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *out ? SIGN_OK : SIGN_ENOMEM;
}
