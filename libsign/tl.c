/* Trusted lists (ETSI TS 119 612) on a context: where a list comes from (file, URL, the cache),
 * the trust anchors it gives, and whether a signer is qualified (TS 119 615, simplified: the
 * issuing CA is a CA/QC service whose status at the signing time is granted). Reading the XML and
 * checking its signature is tl_parse.c's. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "libsign/xml/xml.h"
#include "tl_list.h"

struct sign_tl_set {
    struct tl_list *lists;
    size_t count;
};

void sign_tl_set_free(sign_tl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        sign_tl_list_clear(&set->lists[i]);
    free(set->lists);
    free(set);
}

SIGN_EXTERN size_t sign_ctx_trusted_list_count(const sign_ctx *ctx)
{
    return ctx && ctx->trusted_lists ? ctx->trusted_lists->count : 0;
}

/* ---------------------------------------------------------------- pinned signers */

static int read_pinned(sign_ctx *ctx, STACK_OF(X509) *pinned, const char *path)
{
    BIO *in = BIO_new_file(path, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "pinned signer certificate %s: %s", path, strerror(errno));
    int added = 0;
    X509 *cert;
    while ((cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(pinned, cert))
            added++;
        else
            X509_free(cert);
    }
    if (added == 0 && BIO_reset(in) == 0 && (cert = d2i_X509_bio(in, NULL)) != NULL) {
        if (sk_X509_push(pinned, cert))
            added++;
        else
            X509_free(cert);
    }
    BIO_free(in);
    ERR_clear_error();
    if (added == 0)
        return sign_seterr(ctx, SIGN_EPARSE, "pinned signer certificate %s: no certificate found", path);
    return SIGN_OK;
}

/* ---------------------------------------------------------------- sources and the cache */

static int is_url(const char *source)
{
    return strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0;
}

/* $XDG_CACHE_HOME/segl/tl (or ~/.cache/segl/tl) and the file for url in it. */
static int cache_paths(const char *url, char *dir, size_t dir_len, char *file, size_t file_len)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg == '/')
        snprintf(dir, dir_len, "%s/segl/tl", xdg);
    else if (home && *home)
        snprintf(dir, dir_len, "%s/.cache/segl/tl", home);
    else
        return -1;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!EVP_Digest(url, strlen(url), digest, &digest_len, EVP_sha256(), NULL))
        return -1;
    char hex[65];
    for (unsigned i = 0; i < digest_len && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    snprintf(file, file_len, "%s/%s.xml", dir, hex);
    return 0;
}

static int make_dirs(char *path)
{
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        int rc = mkdir(path, 0700);
        *slash = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* A snapshot appears whole or not at all: written beside it under a name of this writer's own
 * (the process, and a count for its threads; O_EXCL, so never someone else's file or link),
 * then renamed over it. */
static void cache_write(const char *url, const unsigned char *bytes, size_t len)
{
    static atomic_uint writes;
    char dir[4096], file[4200], staging[4300];
    if (cache_paths(url, dir, sizeof dir, file, sizeof file) != 0 || make_dirs(dir) != 0)
        return; /* a cache that cannot be written only costs a fetch next time */
    snprintf(staging, sizeof staging, "%s/.tl-%ld-%u", dir, (long)getpid(),
             atomic_fetch_add(&writes, 1));
    int fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, bytes + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int synced = done == len && fsync(fd) == 0;
    if (close(fd) != 0 || !synced || rename(staging, file) != 0)
        unlink(staging);
}

static int read_file(sign_ctx *ctx, const char *path, unsigned char **bytes, size_t *len)
{
    BIO *in = BIO_new_file(path, "rb");
    if (!in)
        return sign_seterr(ctx, SIGN_EIO, "%s: %s", path, strerror(errno));
    const char *why = NULL;
    int rc = sign_xml_read_all(in, bytes, len, &why);
    BIO_free(in);
    ERR_clear_error();
    return rc == 0 ? SIGN_OK : sign_seterr(ctx, SIGN_EIO, "%s: %s", path, why);
}

/* The bytes of source: a file, file://PATH, or a URL (fetched, or from the cache when offline).
 * *fetched is set when they came from the network (and should be cached once they check). */
static int read_source(sign_ctx *ctx, const char *source, unsigned char **bytes, size_t *len,
                       int *fetched)
{
    *fetched = 0;
    if (strncmp(source, "file://", 7) == 0)
        return read_file(ctx, source + 7, bytes, len);
    if (!is_url(source))
        return read_file(ctx, source, bytes, len);
    if (ctx->offline) {
        char dir[4096], file[4200];
        if (cache_paths(source, dir, sizeof dir, file, sizeof file) != 0)
            return sign_seterr(ctx, SIGN_EIO, "%s: no cache directory (offline)", source);
        if (access(file, R_OK) != 0)
            return sign_seterr(ctx, SIGN_EIO, "%s: no saved copy in %s (offline)", source, dir);
        return read_file(ctx, file, bytes, len);
    }
    char why[512];
    int rc = sign_http_fetch(ctx, source, NULL, NULL, 0, bytes, len, why, sizeof why);
    if (rc != SIGN_OK)
        return sign_seterr(ctx, rc == SIGN_EPARSE ? SIGN_EPARSE : SIGN_EIO, "%s", why);
    *fetched = 1;
    return SIGN_OK;
}

/* ---------------------------------------------------------------- trust anchors */

static int type_is(const struct tl_state *state, const char *suffix)
{
    return strncmp(state->type, TL_SVCTYPE, strlen(TL_SVCTYPE)) == 0 &&
           strcmp(state->type + strlen(TL_SVCTYPE), suffix) == 0;
}

/* The state in force at time at: the one with the latest StatusStartingTime not after it
 * (TS 119 612 5.6: a history instance holds until the next one starts). NULL before the first. */
static const struct tl_state *state_at(const struct tl_service *service, time_t at)
{
    const struct tl_state *found = NULL;
    for (size_t i = 0; i < service->state_count; i++) {
        const struct tl_state *state = &service->states[i];
        if (state->start != (time_t)-1 && state->start <= at &&
            (!found || state->start > found->start))
            found = state;
    }
    return found;
}

static const struct tl_state *current_state(const struct tl_service *service)
{
    const struct tl_state *found = NULL;
    for (size_t i = 0; i < service->state_count; i++)
        if (!found || service->states[i].start > found->start)
            found = &service->states[i];
    return found;
}

/* CA services (qualified, national, root) and time-stamping services whose status is granted or
 * recognised at national level now are trust anchors: certificates they issue, or timestamps
 * they sign, chain to them. Whether a signer was qualified is decided at its signing time. */
static void add_anchors(sign_ctx *ctx, const struct tl_list *list)
{
    for (size_t i = 0; i < list->service_count; i++) {
        const struct tl_service *service = &list->services[i];
        const struct tl_state *state = current_state(service);
        if (!state || state->status == TL_STATUS_OTHER)
            continue;
        if (!type_is(state, "CA/QC") && !type_is(state, "CA/PKC") &&
            !type_is(state, "NationalRootCA-QC") && !type_is(state, "TSA/QTST") &&
            !type_is(state, "TSA"))
            continue;
        for (int c = 0; c < sk_X509_num(service->certs); c++)
            if (X509_STORE_add_cert(ctx->trust, sk_X509_value(service->certs, c)))
                ctx->trust_count++;
    }
    ERR_clear_error(); /* X509_STORE_add_cert of a certificate already there */
}

/* ---------------------------------------------------------------- loading */

static int add_list(sign_ctx *ctx, struct tl_list *list)
{
    if (!ctx->trusted_lists && !(ctx->trusted_lists = calloc(1, sizeof *ctx->trusted_lists)))
        return SIGN_ENOMEM;
    sign_tl_set *set = ctx->trusted_lists;
    struct tl_list *grown = realloc(set->lists, (set->count + 1) * sizeof *grown);
    if (!grown)
        return SIGN_ENOMEM;
    set->lists = grown;
    add_anchors(ctx, list);
    set->lists[set->count++] = *list; /* the set owns what list held */
    memset(list, 0, sizeof *list);
    return SIGN_OK;
}

static int load_list(sign_ctx *ctx, const char *source, STACK_OF(X509) *pinned, int follow)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int fetched = 0;
    int rc = read_source(ctx, source, &bytes, &len, &fetched);
    if (rc != SIGN_OK)
        return rc;
    struct tl_list list = {0};
    char why[512];
    rc = sign_tl_parse(&list, bytes, len, pinned, why, sizeof why);
    if (rc != SIGN_OK) {
        free(bytes);
        sign_tl_list_clear(&list);
        return sign_seterr(ctx, rc, "%s: %s", source, why);
    }
    if (fetched)
        cache_write(source, bytes, len);
    free(bytes);
    snprintf(list.source, sizeof list.source, "%s", source);

    if (list.is_lotl && follow) {
        /* The EU list of the lists: each national list, checked against the certificates the
         * LOTL (whose own signature has just been checked) gives for it. */
        int loaded = 0, tried = 0;
        char last_error[1024] = "";
        for (size_t i = 0; i < list.pointer_count; i++) {
            const struct tl_pointer *pointer = &list.pointers[i];
            if (!pointer->xml || pointer->is_lotl || !pointer->location[0])
                continue;
            tried++;
            if (load_list(ctx, pointer->location, pointer->certs, 0) == SIGN_OK)
                loaded++;
            else
                snprintf(last_error, sizeof last_error, "%s", ctx->errmsg);
        }
        if (tried > 0 && loaded == 0) {
            sign_tl_list_clear(&list);
            return sign_seterr(ctx, SIGN_EIO, "%s: none of the %d trusted lists it points to "
                               "could be loaded; the last: %s", source, tried, last_error);
        }
    }
    rc = add_list(ctx, &list);
    sign_tl_list_clear(&list);
    return rc == SIGN_OK ? SIGN_OK : sign_seterr(ctx, rc, "out of memory");
}

SIGN_EXTERN int sign_ctx_add_trusted_list(sign_ctx *ctx, const char *file_or_url,
                                          const char *const *signer_cert_paths, size_t n)
{
    if (!ctx || !file_or_url || (n > 0 && !signer_cert_paths))
        return SIGN_EINVAL;
    if (n == 0)
        return sign_seterr(ctx, SIGN_EINVAL, "%s: a trusted list needs a pinned signer "
                           "certificate", file_or_url);
    STACK_OF(X509) *pinned = sk_X509_new_null();
    if (!pinned)
        return SIGN_ENOMEM;
    int rc = SIGN_OK;
    for (size_t i = 0; i < n && rc == SIGN_OK; i++)
        rc = read_pinned(ctx, pinned, signer_cert_paths[i]);
    if (rc == SIGN_OK)
        rc = load_list(ctx, file_or_url, pinned, 1);
    sk_X509_pop_free(pinned, X509_free);
    return rc;
}

/* ---------------------------------------------------------------- qualification */

/* ETSI EN 319 412-5 QCStatements of cert: qcCompliance, qcSSCD and qcType, as a JSON object. */
static json_t *qc_statements(X509 *cert)
{
    int compliance = 0, sscd = 0;
    json_t *types = json_array();
    int index = X509_get_ext_by_NID(cert, NID_qcStatements, -1);
    X509_EXTENSION *ext = index >= 0 ? X509_get_ext(cert, index) : NULL;
    ASN1_OCTET_STRING *value = ext ? X509_EXTENSION_get_data(ext) : NULL;
    const unsigned char *p = value ? ASN1_STRING_get0_data(value) : NULL;
    /* QCStatements ::= SEQUENCE OF QCStatement; QCStatement ::= SEQUENCE { statementId OID,
     * statementInfo ANY OPTIONAL }; QcType ::= SEQUENCE OF OID (RFC 3739, EN 319 412-5 4.2). */
    ASN1_SEQUENCE_ANY *statements =
        p ? d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(value)) : NULL;
    for (int i = 0; i < sk_ASN1_TYPE_num(statements); i++) {
        ASN1_TYPE *statement = sk_ASN1_TYPE_value(statements, i);
        if (statement->type != V_ASN1_SEQUENCE)
            continue;
        const unsigned char *q = statement->value.sequence->data;
        ASN1_SEQUENCE_ANY *parts =
            d2i_ASN1_SEQUENCE_ANY(NULL, &q, statement->value.sequence->length);
        ASN1_TYPE *id = sk_ASN1_TYPE_num(parts) > 0 ? sk_ASN1_TYPE_value(parts, 0) : NULL;
        char oid[64] = "";
        if (id && id->type == V_ASN1_OBJECT)
            OBJ_obj2txt(oid, sizeof oid, id->value.object, 1);
        if (strcmp(oid, "0.4.0.1862.1.1") == 0)
            compliance = 1;
        else if (strcmp(oid, "0.4.0.1862.1.4") == 0)
            sscd = 1;
        else if (strcmp(oid, "0.4.0.1862.1.6") == 0 && sk_ASN1_TYPE_num(parts) > 1 &&
                 sk_ASN1_TYPE_value(parts, 1)->type == V_ASN1_SEQUENCE) {
            ASN1_STRING *info = sk_ASN1_TYPE_value(parts, 1)->value.sequence;
            const unsigned char *r = info->data;
            ASN1_SEQUENCE_ANY *list = d2i_ASN1_SEQUENCE_ANY(NULL, &r, info->length);
            for (int t = 0; t < sk_ASN1_TYPE_num(list); t++) {
                ASN1_TYPE *type = sk_ASN1_TYPE_value(list, t);
                char type_oid[64] = "";
                if (type->type == V_ASN1_OBJECT)
                    OBJ_obj2txt(type_oid, sizeof type_oid, type->value.object, 1);
                const char *name = strcmp(type_oid, "0.4.0.1862.1.6.1") == 0   ? "esign"
                                   : strcmp(type_oid, "0.4.0.1862.1.6.2") == 0 ? "eseal"
                                   : strcmp(type_oid, "0.4.0.1862.1.6.3") == 0 ? "web"
                                                                               : type_oid;
                if (*name)
                    json_array_append_new(types, json_string(name));
            }
            sk_ASN1_TYPE_pop_free(list, ASN1_TYPE_free);
        }
        sk_ASN1_TYPE_pop_free(parts, ASN1_TYPE_free);
    }
    sk_ASN1_TYPE_pop_free(statements, ASN1_TYPE_free);
    ERR_clear_error();
    return json_pack("{s:b, s:b, s:o}", "qcCompliance", compliance, "qcSSCD", sscd, "qcType",
                     types);
}

/* Whether the service's identity is issuer: a listed certificate with its subject and key, or
 * its subject key identifier (TS 119 612 5.5.3). */
static int service_is(const struct tl_service *service, X509 *issuer)
{
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    for (int i = 0; i < sk_X509_num(service->certs); i++) {
        X509 *listed = sk_X509_value(service->certs, i);
        if (X509_NAME_cmp(X509_get_subject_name(listed), X509_get_subject_name(issuer)) == 0 &&
            key && EVP_PKEY_eq(X509_get0_pubkey(listed), key) == 1)
            return 1;
    }
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);
    for (size_t i = 0; ski && i < service->ski_count; i++)
        if ((size_t)ASN1_STRING_length(ski) == service->skis[i].len &&
            memcmp(ASN1_STRING_get0_data(ski), service->skis[i].value, service->skis[i].len) == 0)
            return 1;
    return 0;
}

/* EN 319 102-1: the best signing time is the earliest proof of existence, a valid signature
 * timestamp; failing that the time the signer claims; failing that the validation time. */
static time_t best_signing_time(const sign_sig *sig, time_t at, time_t poe)
{
    time_t best = poe;
    for (size_t i = 0; i < sign_sig_timestamp_count(sig); i++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, i) == SIGN_OK && ts.valid &&
            strcmp(ts.type, "signature") == 0 && ts.time != (time_t)-1 && ts.time <= at &&
            (best == (time_t)-1 || ts.time < best))
            best = ts.time;
    }
    if (best == (time_t)-1)
        best = sign_sig_signing_time(sig);
    return best == (time_t)-1 ? at : best;
}

void sign_tl_qualify(const sign_ctx *ctx, sign_sig *sig, X509 *signer, STACK_OF(X509) *chain,
                     time_t at, time_t poe)
{
    const sign_tl_set *set = ctx->trusted_lists;
    if (!set || set->count == 0 || sk_X509_num(chain) < 2)
        return;
    X509 *issuer = sk_X509_value(chain, 1);
    time_t when = best_signing_time(sig, at, poe);
    const struct tl_list *found_list = NULL;
    const struct tl_service *found = NULL;
    const struct tl_state *found_state = NULL;
    int qualified = 0;
    for (size_t l = 0; l < set->count && !qualified; l++)
        for (size_t s = 0; s < set->lists[l].service_count && !qualified; s++) {
            const struct tl_service *service = &set->lists[l].services[s];
            if (!service_is(service, issuer))
                continue;
            const struct tl_state *state = state_at(service, when);
            int granted_qc = state && type_is(state, "CA/QC") &&
                             state->status == TL_STATUS_GRANTED;
            if (!found || granted_qc) {
                found_list = &set->lists[l];
                found = service;
                found_state = state;
                qualified = granted_qc;
            }
        }
    char at_text[21];
    sign_format_time(at_text, when);
    json_t *qc = qc_statements(signer);
    if (qc) {
        json_object_set_new(qc, "at", json_string(at_text));
        json_object_set_new(qc, "service", found ? json_string(found->name) : json_null());
        json_object_set_new(qc, "territory",
                            found_list && found_list->territory[0]
                                ? json_string(found_list->territory)
                                : json_null());
        json_object_set_new(qc, "service_type", found_state ? json_string(found_state->type)
                                                            : json_null());
        json_object_set_new(qc, "status", found_state ? json_string(found_state->status_uri)
                                                      : json_null());
    }
    char *text = qc ? json_dumps(qc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    sign_sig_set_qualified(sig, qualified, text);
    free(text);
    json_decref(qc);
}
