/* Revocation status of the certificates of a chain (EN 319 102-1 5.2.6.x, RFC 6960, RFC 5280):
 * embedded data first (CRLs and OCSP responses carried by the signature), then, when the context
 * is online, OCSP at the AIA URL and CRLs at the distribution points, remembered on the context
 * (shared by the threads that validate with it).
 *
 * Freshness is kept simple: an answer counts when it was produced no later than the time the
 * chain is checked at, plus the clock skew segl tolerates (SIGN_CLOCK_SKEW_TOLERANCE, blocks.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "libsign/certinfo.h"
#include "libsign/validation/blocks.h"

enum status { STATUS_UNKNOWN, STATUS_GOOD, STATUS_REVOKED };

struct answer {
    enum status status;
    int embedded;           /* the answer came from data the signature carries */
    enum sign_chain_source kind; /* OCSP or CRL, for the report's chain */
    time_t revoked_at;
    char source[160];       /* where it came from, for messages */
    char why[512];          /* for STATUS_UNKNOWN: why no answer */
};

/* ---- the process cache of fetched answers, keyed by certificate fingerprint ---- */
struct cache_entry {
    struct answer answer;
    OCSP_RESPONSE *ocsp;    /* what was fetched, kept for embedding (B-LT) */
    X509_CRL *crl;
};

struct sign_revocation_cache {
    sign_digest_map *answers; /* struct cache_entry * by certificate fingerprint */
};

static void free_entry(void *value)
{
    struct cache_entry *entry = value;
    OCSP_RESPONSE_free(entry->ocsp);
    X509_CRL_free(entry->crl);
    free(entry);
}

sign_revocation_cache *sign_revocation_cache_new(void)
{
    sign_revocation_cache *cache = calloc(1, sizeof *cache);
    if (cache)
        cache->answers = sign_digest_map_new(SIGN_CACHE_MAX_ENTRIES, SIGN_CACHE_MAX_BYTES, free_entry);
    if (cache && !cache->answers) {
        free(cache);
        return NULL;
    }
    return cache;
}

void sign_revocation_cache_free(sign_revocation_cache *cache)
{
    if (!cache)
        return;
    sign_digest_map_free(cache->answers);
    free(cache);
}

int sign_revocation_cache_set_limits(sign_revocation_cache *cache, size_t max_entries,
                                     size_t max_bytes)
{
    return sign_digest_map_set_limits(cache->answers, max_entries, max_bytes);
}

struct found_answer {
    struct answer *answer;
    sign_revocation_data *collect;
};

/* visit callback: the entry's answer copied out, its data added to the collection (which takes
 * references of its own), under the cache's lock. */
static void copy_answer(void *value, void *arg)
{
    const struct cache_entry *entry = value;
    struct found_answer *found = arg;
    *found->answer = entry->answer;
    if (found->collect)
        sign_revocation_data_add(found->collect, entry->ocsp, entry->crl);
}

static int cache_find(sign_revocation_cache *cache, const unsigned char fp[32],
                      struct answer *answer, sign_revocation_data *collect)
{
    struct found_answer found = {answer, collect};
    return sign_digest_map_find(cache->answers, fp, copy_answer, &found);
}

static void cache_store(sign_revocation_cache *cache, const unsigned char fp[32],
                        const struct answer *answer, OCSP_RESPONSE *ocsp, X509_CRL *crl)
{
    struct cache_entry *entry = calloc(1, sizeof *entry);
    if (!entry)
        return; /* not remembering an answer only costs a later fetch */
    entry->answer = *answer;
    entry->ocsp = ocsp ? (OCSP_RESPONSE *)ASN1_item_dup(ASN1_ITEM_rptr(OCSP_RESPONSE), ocsp) : NULL;
    entry->crl = crl && X509_CRL_up_ref(crl) ? crl : NULL;
    /* Counted: the entry and its OCSP response (decoded, about three times its DER). A CRL is
     * one object however many entries hold it (the certificates one CA issued share it), so it
     * is not counted per entry; the entry bound bounds how many CRLs are held. */
    int ocsp_der = entry->ocsp ? i2d_OCSP_RESPONSE(entry->ocsp, NULL) : 0;
    size_t bytes = sizeof *entry + (ocsp_der > 0 ? 3 * (size_t)ocsp_der : 0);
    sign_digest_map_insert(cache->answers, fp, entry, bytes, NULL, NULL);
}

/* ---- revocation data carried by a signature, or collected for one ---- */
void sign_revocation_data_init(sign_revocation_data *data)
{
    data->crls = sk_X509_CRL_new_null();
    data->ocsps = sk_OCSP_RESPONSE_new_null();
}

void sign_revocation_data_clear(sign_revocation_data *data)
{
    sk_X509_CRL_pop_free(data->crls, X509_CRL_free);
    sk_OCSP_RESPONSE_pop_free(data->ocsps, OCSP_RESPONSE_free);
    data->crls = NULL;
    data->ocsps = NULL;
}

void sign_revocation_data_add(sign_revocation_data *data, OCSP_RESPONSE *ocsp, X509_CRL *crl)
{
    if (ocsp && data->ocsps) {
        OCSP_RESPONSE *copy = (OCSP_RESPONSE *)ASN1_item_dup(ASN1_ITEM_rptr(OCSP_RESPONSE), ocsp);
        if (copy && !sk_OCSP_RESPONSE_push(data->ocsps, copy))
            OCSP_RESPONSE_free(copy);
    }
    if (crl && data->crls) {
        for (int i = 0; i < sk_X509_CRL_num(data->crls); i++)
            if (X509_CRL_cmp(sk_X509_CRL_value(data->crls, i), crl) == 0 &&
                X509_CRL_match(sk_X509_CRL_value(data->crls, i), crl) == 0)
                return;
        if (X509_CRL_up_ref(crl) && !sk_X509_CRL_push(data->crls, crl))
            X509_CRL_free(crl);
    }
}

/* ---- OCSP ---- */

/* RFC 6960 4.2.2.2: the response is signed by the issuing CA itself, or by a responder whose
 * certificate that CA issued with the id-kp-OCSPSigning extended key usage. The responder
 * certificate's signature is remembered on the context like every other certificate's
 * (certsig.c): a delegated responder answers for many certificates. */
static int ocsp_responder_authorised(const sign_ctx *ctx, X509 *responder, X509 *issuer)
{
    if (X509_cmp(responder, issuer) == 0)
        return 1;
    return X509_check_issued(issuer, responder) == X509_V_OK &&
           sign_certsig_verify(ctx->certsig_cache, responder, issuer) > 0 &&
           (X509_get_extended_key_usage(responder) & XKU_OCSP_SIGN);
}

/* Status of cert in one OCSP response: 1 and *answer when it speaks for cert validly at at.
 * A response fetched now (fetched) speaks for now and so for any earlier time. */
static int ocsp_status(const sign_ctx *ctx, OCSP_RESPONSE *response, X509 *cert, X509 *issuer,
                       time_t at, time_t poe, int fetched, struct answer *answer)
{
    if (OCSP_response_status(response) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return 0;
    OCSP_BASICRESP *basic = OCSP_response_get1_basic(response);
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    int result = 0;
    int status, reason;
    ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_update = NULL, *next_update = NULL;
    if (!basic || !id ||
        !OCSP_resp_find_status(basic, id, &status, &reason, &revoked_at, &this_update,
                               &next_update))
        goto done;
    /* The signature, with the responder certificate found among the response's certificates
     * or being the issuer; the responder's authority is checked by hand below, so that the
     * time it is checked at is ours, not the clock's. */
    STACK_OF(X509) *candidates = sk_X509_new_null();
    sk_X509_push(candidates, issuer);
    X509 *responder = NULL;
    int signed_ok = OCSP_resp_get0_signer(basic, &responder, candidates) &&
                    OCSP_basic_verify(basic, candidates, NULL, OCSP_NOVERIFY | OCSP_NOCHAIN |
                                                                   OCSP_TRUSTOTHER) > 0 &&
                    ocsp_responder_authorised(ctx, responder, issuer);
    sk_X509_free(candidates);
    time_t produced, next;
    if (!signed_ok || sign_time_from_asn1(&produced, this_update) != SIGN_OK ||
        (!fetched && produced > at + SIGN_CLOCK_SKEW_TOLERANCE))
        goto done;
    /* RFC 6960 4.2.2.1, like RFC 5280 6.3.3 (a)(2) for a CRL: a response whose nextUpdate is
     * before the validation time is no longer fresh, unless it was produced after the
     * signature's proof of existence (EN 319 102-1 5.6.2.4: it is judged at that proof). */
    if (!fetched && next_update && sign_time_from_asn1(&next, next_update) == SIGN_OK &&
        next < at && !(poe != (time_t)-1 && produced >= poe))
        goto done;
    if (status == V_OCSP_CERTSTATUS_GOOD) {
        answer->status = STATUS_GOOD;
        result = 1;
    } else if (status == V_OCSP_CERTSTATUS_REVOKED &&
               sign_time_from_asn1(&answer->revoked_at, revoked_at) == SIGN_OK) {
        answer->status = STATUS_REVOKED;
        result = 1;
    }
done:
    ERR_clear_error();
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(basic);
    return result;
}

static OCSP_RESPONSE *ocsp_fetch(const sign_ctx *ctx, long long deadline, X509 *cert,
                                 X509 *issuer, const char *url, char *why, size_t why_len)
{
    OCSP_REQUEST *request = OCSP_REQUEST_new();
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    unsigned char *der = NULL, *body = NULL;
    size_t body_len = 0;
    OCSP_RESPONSE *response = NULL;
    if (!request || !id || !OCSP_request_add0_id(request, id)) {
        OCSP_CERTID_free(id);
        snprintf(why, why_len, "%s: cannot build an OCSP request", url);
        goto done;
    }
    OCSP_request_add1_nonce(request, NULL, -1);
    int der_len = i2d_OCSP_REQUEST(request, &der);
    if (der_len <= 0 ||
        sign_http_fetch_until(ctx, deadline, url, "application/ocsp-request", der,
                              (size_t)der_len, &body, &body_len, why, why_len) != SIGN_OK)
        goto done;
    const unsigned char *p = body;
    response = d2i_OCSP_RESPONSE(NULL, &p, (long)body_len);
    if (!response) {
        snprintf(why, why_len, "%s: not an OCSP response", url);
    } else if (OCSP_response_status(response) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        snprintf(why, why_len, "%s: OCSP responder says %s", url,
                 OCSP_response_status_str(OCSP_response_status(response)));
        OCSP_RESPONSE_free(response);
        response = NULL;
    } else {
        /* RFC 6960 4.4.1: a nonce that came back must be ours. */
        OCSP_BASICRESP *basic = OCSP_response_get1_basic(response);
        int nonce = basic ? OCSP_check_nonce(request, basic) : 0;
        OCSP_BASICRESP_free(basic);
        if (nonce == 0) {
            snprintf(why, why_len, "%s: OCSP response with a wrong nonce", url);
            OCSP_RESPONSE_free(response);
            response = NULL;
        }
    }
done:
    ERR_clear_error();
    OPENSSL_free(der);
    free(body);
    OCSP_REQUEST_free(request);
    return response;
}

/* ---- CRLs ---- */
/* For collecting only (sign_revocation_collect): whether a fetched CRL is the issuer's and says
 * something of cert. Collecting judges nothing: the validation of the extended signature runs
 * the CRL through RFC 5280 6.3 (crl_pass). */
static int crl_status(X509_CRL *crl, X509 *cert, X509 *issuer, time_t at, struct answer *answer)
{
    EVP_PKEY *issuer_key = X509_get0_pubkey(issuer);
    time_t last_update;
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0 ||
        !issuer_key || X509_CRL_verify(crl, issuer_key) <= 0 ||
        sign_time_from_asn1(&last_update, X509_CRL_get0_lastUpdate(crl)) != SIGN_OK ||
        last_update > at + SIGN_CLOCK_SKEW_TOLERANCE) {
        ERR_clear_error();
        return 0;
    }
    X509_REVOKED *entry = NULL;
    if (X509_CRL_get0_by_cert(crl, &entry, cert) == 1 && entry) {
        answer->status = STATUS_REVOKED;
        if (sign_time_from_asn1(&answer->revoked_at, X509_REVOKED_get0_revocationDate(entry)) !=
            SIGN_OK)
            answer->revoked_at = 0;
    } else {
        answer->status = STATUS_GOOD;
    }
    return 1;
}

static X509_CRL *crl_fetch(const sign_ctx *ctx, long long deadline, const char *url, char *why,
                           size_t why_len)
{
    unsigned char *body = NULL;
    size_t body_len = 0;
    if (sign_http_fetch_until(ctx, deadline, url, NULL, NULL, 0, &body, &body_len, why,
                              why_len) != SIGN_OK)
        return NULL;
    const unsigned char *p = body;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)body_len);
    if (!crl) { /* some servers publish PEM */
        BIO *mem = BIO_new_mem_buf(body, (int)body_len);
        crl = mem ? PEM_read_bio_X509_CRL(mem, NULL, NULL, NULL) : NULL;
        BIO_free(mem);
    }
    if (!crl)
        snprintf(why, why_len, "%s: not a CRL", url);
    free(body);
    ERR_clear_error();
    return crl;
}

static void crl_urls(X509 *cert, char urls[][512], int *count, int max)
{
    *count = 0;
    STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
    for (int i = 0; points && i < sk_DIST_POINT_num(points) && *count < max; i++) {
        DIST_POINT *point = sk_DIST_POINT_value(points, i);
        if (!point->distpoint || point->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = point->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names) && *count < max; j++) {
            GENERAL_NAME *name = sk_GENERAL_NAME_value(names, j);
            if (name->type == GEN_URI) {
                const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
                snprintf(urls[(*count)++], 512, "%.*s", ASN1_STRING_length(uri),
                         (const char *)ASN1_STRING_get0_data(uri));
            }
        }
    }
    sk_DIST_POINT_pop_free(points, DIST_POINT_free);
}

/* A certificate that says it needs no revocation check (OCSP responders, RFC 6960 4.2.2.2.1). */
static int has_no_check(X509 *cert)
{
    return X509_get_ext_by_NID(cert, NID_id_pkix_OCSP_noCheck, -1) >= 0;
}

/* ---- collecting for B-LT: what the servers answer now for one certificate ---- */

/* The revocation data given to the context (--ocsp, --crl: a back office's archive) that speaks
 * for cert, into collect: an OCSP response for it, else the issuer's newest complete CRL. Judged
 * no more than fetched data is (the validation of the extended signature judges it); a delta
 * CRL is left out, being no status without its base. */
static int given_status(const sign_ctx *ctx, X509 *cert, X509 *issuer,
                        sign_revocation_data *collect, int crl_only, struct answer *answer)
{
    const sign_revocation_data *given = &ctx->validation_data.revocation;
    for (int i = 0; !crl_only && i < sk_OCSP_RESPONSE_num(given->ocsps); i++) {
        OCSP_RESPONSE *response = sk_OCSP_RESPONSE_value(given->ocsps, i);
        if (ocsp_status(ctx, response, cert, issuer, 0, (time_t)-1, 1, answer)) {
            sign_revocation_data_add(collect, response, NULL);
            return 1;
        }
    }
    X509_CRL *newest = NULL;
    time_t newest_update = 0;
    for (int i = 0; i < sk_X509_CRL_num(given->crls); i++) {
        X509_CRL *crl = sk_X509_CRL_value(given->crls, i);
        struct answer candidate = *answer;
        time_t last_update;
        if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0 ||
            sign_time_from_asn1(&last_update, X509_CRL_get0_lastUpdate(crl)) != SIGN_OK ||
            (newest && last_update <= newest_update) ||
            !crl_status(crl, cert, issuer, (time_t)1 << 40, &candidate))
            continue;
        newest = crl;
        newest_update = last_update;
        *answer = candidate;
    }
    if (newest)
        sign_revocation_data_add(collect, NULL, newest);
    return newest != NULL;
}

static void collect_status(sign_ctx *ctx, X509 *cert, X509 *issuer, sign_revocation_data *collect,
                           int crl_only, struct answer *answer)
{
    memset(answer, 0, sizeof *answer);
    answer->status = STATUS_UNKNOWN;
    /* What the user gave first: instead of the network when it answers, and offline too. */
    if (given_status(ctx, cert, issuer, collect, crl_only, answer))
        return;
    if (ctx->offline) {
        snprintf(answer->why, sizeof answer->why, "offline");
        return;
    }
    char why[512] = "";
    /* --timeout bounds the wait for this certificate's status, all its servers together. */
    long long deadline = sign_http_deadline(ctx);
    STACK_OF(OPENSSL_STRING) *ocsp_urls = crl_only ? NULL : X509_get1_ocsp(cert);
    for (int i = 0; answer->status == STATUS_UNKNOWN && i < sk_OPENSSL_STRING_num(ocsp_urls); i++) {
        const char *url = sk_OPENSSL_STRING_value(ocsp_urls, i);
        OCSP_RESPONSE *response = ocsp_fetch(ctx, deadline, cert, issuer, url, why, sizeof why);
        if (response && ocsp_status(ctx, response, cert, issuer, 0, (time_t)-1, 1, answer))
            sign_revocation_data_add(collect, response, NULL);
        else if (response)
            snprintf(why, sizeof why, "%s: the OCSP response does not answer for the certificate "
                                      "or is not signed by an authorised responder", url);
        OCSP_RESPONSE_free(response);
    }
    X509_email_free(ocsp_urls);
    char urls[4][512];
    int url_count;
    crl_urls(cert, urls, &url_count, 4);
    for (int i = 0; answer->status == STATUS_UNKNOWN && i < url_count; i++) {
        X509_CRL *crl = crl_fetch(ctx, deadline, urls[i], why, sizeof why);
        if (crl && crl_status(crl, cert, issuer, (time_t)1 << 40, answer))
            sign_revocation_data_add(collect, NULL, crl);
        else if (crl)
            snprintf(why, sizeof why, "%s: the CRL is not signed by the issuer or is from the "
                                      "future", urls[i]);
        X509_CRL_free(crl);
    }
    if (answer->status == STATUS_UNKNOWN)
        snprintf(answer->why, sizeof answer->why, "%s",
                 why[0] ? why : "the certificate names no OCSP responder or CRL");
}

int sign_revocation_collect(sign_ctx *ctx, STACK_OF(X509) *chain, time_t at, int crl_only,
                            sign_revocation_data *collect)
{
    (void)at; /* what is fetched now speaks for now */
    for (int i = 0; i + 1 < sk_X509_num(chain); i++) {
        X509 *cert = sk_X509_value(chain, i), *issuer = sk_X509_value(chain, i + 1);
        if (has_no_check(cert))
            continue;
        struct answer answer;
        collect_status(ctx, cert, issuer, collect, crl_only, &answer);
        char subject[512];
        sign_name_text(subject, sizeof subject, X509_get_subject_name(cert)); /* UTF-8 kept */
        if (answer.status == STATUS_UNKNOWN)
            return sign_seterr(ctx, SIGN_EIO, "no revocation data for %s: %s", subject, answer.why);
        if (answer.status == STATUS_REVOKED)
            return sign_seterr(ctx, SIGN_EKEY, "%s is revoked", subject);
    }
    return SIGN_OK;
}

/* ---- validating: the status of every certificate of a validated chain ---- */

/* The chain being checked and where each of its certificates stands. */
struct chain_check {
    const sign_ctx *ctx;
    STACK_OF(X509) *chain;     /* signer first, the trust anchor last */
    STACK_OF(X509) *untrusted; /* candidates for CRL issuers' paths */
    time_t at, poe;
    int count;                 /* certificates to check: all but the anchor */
    struct answer *answers;    /* count of them */
    int *pending;              /* 1: a status is still wanted (count of them) */
};

static int any_pending(const struct chain_check *check)
{
    for (int i = 0; i < check->count; i++)
        if (check->pending[i])
            return 1;
    return 0;
}

static void settle(struct chain_check *check, int i, const struct answer *answer)
{
    check->answers[i] = *answer;
    check->pending[i] = 0;
}

/* Each pending certificate's status from the OCSP responses of ocsps (source names them). */
static void ocsp_pass(struct chain_check *check, STACK_OF(OCSP_RESPONSE) *ocsps, int embedded,
                      const char *source)
{
    for (int i = 0; i < check->count; i++) {
        X509 *cert = sk_X509_value(check->chain, i), *issuer = sk_X509_value(check->chain, i + 1);
        for (int j = 0; check->pending[i] && j < sk_OCSP_RESPONSE_num(ocsps); j++) {
            struct answer answer = {.status = STATUS_UNKNOWN, .embedded = embedded,
                                    .kind = SIGN_CHAIN_SOURCE_OCSP};
            if (ocsp_status(check->ctx, sk_OCSP_RESPONSE_value(ocsps, j), cert, issuer, check->at,
                            check->poe, 0, &answer)) {
                snprintf(answer.source, sizeof answer.source, "%s", source);
                settle(check, i, &answer);
            }
        }
    }
}

/* Each pending certificate's status from crls, through RFC 5280 6.3 as OpenSSL implements it
 * (chain.c): the chain is validated again with the CRLs, and what the CRL step found at each
 * depth is the status of the certificate there. A certificate the CRLs give no status keeps
 * the reason, in case nothing else answers. fetched: the CRLs were fetched now. */
static void crl_pass(struct chain_check *check, STACK_OF(X509_CRL) *crls, int embedded,
                     int fetched, const char *source)
{
    if (sk_X509_CRL_num(crls) == 0 || !any_pending(check))
        return;
    sign_crl_verdicts *verdicts = calloc(1, sizeof *verdicts);
    if (!verdicts)
        return;
    verdicts->crls = crls;
    verdicts->poe = check->poe;
    verdicts->fetched = fetched;
    const sign_chain_options options = {.policies = check->ctx->policies, .crl_verdicts = verdicts};
    STACK_OF(X509) *chain = NULL;
    int error, depth;
    int ok = sign_chain_verify(check->ctx, sk_X509_value(check->chain, 0), check->untrusted,
                               check->at, 0, &options, &chain, &error, &depth);
    for (int i = 0; i < check->count; i++) {
        if (!check->pending[i])
            continue;
        struct answer *answer = &check->answers[i];
        /* The same inputs build the same chain; should they not, this pass says nothing. */
        int same = ok && i < sk_X509_num(chain) &&
                   X509_cmp(sk_X509_value(chain, i), sk_X509_value(check->chain, i)) == 0;
        const struct sign_crl_verdict *verdict =
            same && i < SIGN_CRL_MAX_DEPTH ? &verdicts->depth[i] : NULL;
        if (verdict && (verdict->status == SIGN_CRL_GOOD || verdict->status == SIGN_CRL_REVOKED)) {
            struct answer settled = {
                .status = verdict->status == SIGN_CRL_GOOD ? STATUS_GOOD : STATUS_REVOKED,
                .embedded = embedded,
                .kind = SIGN_CHAIN_SOURCE_CRL,
                .revoked_at = verdict->revoked_at,
            };
            snprintf(settled.source, sizeof settled.source, "%s", source);
            settle(check, i, &settled);
        } else if (verdict && verdict->status == SIGN_CRL_NO_STATUS) {
            snprintf(answer->why, sizeof answer->why, "%s: %s", source,
                     X509_verify_cert_error_string(verdict->error));
        } else if (!ok) {
            snprintf(answer->why, sizeof answer->why, "%s: the chain does not validate with "
                     "them: %s", source, X509_verify_cert_error_string(error));
        }
    }
    sk_X509_pop_free(chain, X509_free);
    free(verdicts);
    ERR_clear_error();
}

/* The union of two stacks of CRLs (references the caller frees with sk_X509_CRL_free). */
static STACK_OF(X509_CRL) *crl_union(STACK_OF(X509_CRL) *first, STACK_OF(X509_CRL) *second)
{
    STACK_OF(X509_CRL) *all = first ? sk_X509_CRL_dup(first) : sk_X509_CRL_new_null();
    for (int i = 0; all && i < sk_X509_CRL_num(second); i++)
        if (!sk_X509_CRL_push(all, sk_X509_CRL_value(second, i))) {
            sk_X509_CRL_free(all);
            all = NULL;
        }
    return all;
}

/* Online: OCSP at each pending certificate's responders, then its CRL distribution points,
 * the fetched CRLs judged in one pass with the CRLs at hand (a delta needs its base). Answers
 * are remembered on the context, failures too: a batch of a thousand files from one signer
 * asks once. */
static void online_pass(struct chain_check *check, STACK_OF(X509_CRL) *at_hand)
{
    const sign_ctx *ctx = check->ctx;
    STACK_OF(X509_CRL) *fetched = sk_X509_CRL_new_null();
    unsigned char (*fingerprints)[32] = calloc((size_t)check->count, 32);
    if (!fetched || !fingerprints) {
        sk_X509_CRL_free(fetched);
        free(fingerprints);
        return;
    }
    int *asked = calloc((size_t)check->count, sizeof *asked);
    for (int i = 0; asked && i < check->count; i++) {
        if (!check->pending[i])
            continue;
        X509 *cert = sk_X509_value(check->chain, i), *issuer = sk_X509_value(check->chain, i + 1);
        unsigned int fp_len;
        X509_digest(cert, EVP_sha256(), fingerprints[i], &fp_len);
        struct answer answer = {.status = STATUS_UNKNOWN};
        if (ctx->revocation_cache && cache_find(ctx->revocation_cache, fingerprints[i], &answer, NULL)) {
            if (answer.status != STATUS_UNKNOWN)
                settle(check, i, &answer);
            else
                check->answers[i] = answer;
            check->pending[i] = 0;
            continue;
        }
        asked[i] = 1;
        /* An answer fetched now speaks for now; "good" now means "not revoked" at any earlier
         * time, and a revocation carries its own date. So fetched answers are not held to at. */
        char why[512] = "";
        /* --timeout bounds the wait for this certificate's status, all its servers together:
         * a responder that accepts and never answers costs it once, not once per URL. */
        long long deadline = sign_http_deadline(ctx);
        STACK_OF(OPENSSL_STRING) *ocsp_urls = X509_get1_ocsp(cert);
        for (int j = 0; check->pending[i] && j < sk_OPENSSL_STRING_num(ocsp_urls); j++) {
            const char *url = sk_OPENSSL_STRING_value(ocsp_urls, j);
            OCSP_RESPONSE *response = ocsp_fetch(ctx, deadline, cert, issuer, url, why, sizeof why);
            if (response && ocsp_status(ctx, response, cert, issuer, check->at, check->poe, 1,
                                        &answer)) {
                snprintf(answer.source, sizeof answer.source, "OCSP %s", url);
                answer.kind = SIGN_CHAIN_SOURCE_OCSP;
                settle(check, i, &answer);
                if (ctx->revocation_cache)
                    cache_store(ctx->revocation_cache, fingerprints[i], &answer, response, NULL);
            } else if (response) {
                snprintf(why, sizeof why, "%s: the OCSP response does not answer for the "
                                          "certificate or is not signed by an authorised "
                                          "responder", url);
            }
            OCSP_RESPONSE_free(response);
        }
        X509_email_free(ocsp_urls);
        char urls[4][512];
        int url_count;
        crl_urls(cert, urls, &url_count, check->pending[i] ? 4 : 0);
        for (int j = 0; j < url_count; j++) {
            X509_CRL *crl = crl_fetch(ctx, deadline, urls[j], why, sizeof why);
            if (crl && !sk_X509_CRL_push(fetched, crl))
                X509_CRL_free(crl);
            else if (crl)
                snprintf(check->answers[i].source, sizeof check->answers[i].source, "CRL %s",
                         urls[j]);
        }
        if (check->pending[i])
            snprintf(check->answers[i].why, sizeof check->answers[i].why, "%s",
                     why[0] ? why : "the certificate names no OCSP responder or CRL");
    }
    if (sk_X509_CRL_num(fetched) > 0) {
        STACK_OF(X509_CRL) *all = crl_union(fetched, at_hand);
        /* One pass names one source; each certificate's is the CRL fetched for it. */
        for (int i = 0; all && i < check->count; i++) {
            if (!check->pending[i] || !check->answers[i].source[0])
                continue;
            char source[160];
            snprintf(source, sizeof source, "%s", check->answers[i].source);
            int *others = calloc((size_t)check->count, sizeof *others);
            for (int j = 0; others && j < check->count; j++)
                if (j != i && check->pending[j]) {
                    others[j] = 1;
                    check->pending[j] = 0;
                }
            crl_pass(check, all, 0, 1, source);
            for (int j = 0; others && j < check->count; j++)
                if (others[j])
                    check->pending[j] = 1;
            free(others);
        }
        sk_X509_CRL_free(all);
    }
    for (int i = 0; asked && i < check->count; i++)
        if (asked[i] && ctx->revocation_cache)
            cache_store(ctx->revocation_cache, fingerprints[i], &check->answers[i], NULL, NULL);
    sk_X509_CRL_pop_free(fetched, X509_CRL_free);
    free(asked);
    free(fingerprints);
}

int sign_revocation_check_chain(const sign_ctx *ctx, sign_sig *sig, STACK_OF(X509) *chain,
                                STACK_OF(X509) *untrusted, time_t at, time_t poe,
                                const sign_revocation_data *embedded)
{
    if (ctx->revocation == SIGN_REVOCATION_OFF || sk_X509_num(chain) < 2)
        return 0;
    /* The last certificate is the trust anchor: trusted as it is. */
    struct chain_check check = {
        .ctx = ctx, .chain = chain, .untrusted = untrusted, .at = at, .poe = poe,
        .count = sk_X509_num(chain) - 1,
    };
    check.answers = calloc((size_t)check.count, sizeof *check.answers);
    check.pending = calloc((size_t)check.count, sizeof *check.pending);
    if (!check.answers || !check.pending) {
        free(check.answers);
        free(check.pending);
        sign_sig_fail(sig, SIGN_INDETERMINATE, "TRY_LATER", "revocation status: out of memory");
        return 0;
    }
    for (int i = 0; i < check.count; i++) {
        check.answers[i].status = STATUS_UNKNOWN;
        check.answers[i].embedded = 1; /* nothing to ask is as good as embedded */
        check.pending[i] = !has_no_check(sk_X509_value(chain, i));
        if (check.pending[i])
            snprintf(check.answers[i].why, sizeof check.answers[i].why,
                     "no embedded revocation data%s", ctx->offline ? ", and offline" : "");
    }

    /* What the signature carries, then what the user gave, then the network: OCSP first in
     * each, as the fresher and the cheaper to check. */
    STACK_OF(X509_CRL) *embedded_crls = embedded ? embedded->crls : NULL;
    if (embedded)
        ocsp_pass(&check, embedded->ocsps, 1, "embedded OCSP response");
    crl_pass(&check, embedded_crls, 1, 0, "embedded CRL");
    const sign_revocation_data *given = &ctx->validation_data.revocation;
    STACK_OF(X509_CRL) *at_hand = embedded_crls;
    ocsp_pass(&check, given->ocsps, 0, "given OCSP response");
    STACK_OF(X509_CRL) *both = NULL;
    if (sk_X509_CRL_num(given->crls) > 0) {
        /* together: a delta CRL of one needs its base from the other */
        at_hand = both = crl_union(embedded_crls, given->crls);
        crl_pass(&check, both, 0, 0, "given CRL");
    }
    if (!ctx->offline && any_pending(&check))
        online_pass(&check, at_hand);
    sk_X509_CRL_free(both);

    int all_embedded = 1;
    for (int i = 0; i < check.count; i++) {
        const struct answer *answer = &check.answers[i];
        all_embedded &= answer->embedded;
        if (answer->status != STATUS_UNKNOWN)
            sign_sig_set_chain_source(sig, i, answer->kind);
        const char *which = i == 0 ? "signing certificate" : "CA certificate";
        if (answer->status == STATUS_REVOKED) {
            char when[21];
            sign_format_time(when, answer->revoked_at);
            /* EN 319 102-1 5.2.6 / 5.6.2.4: a revocation after a proof that the signature
             * existed does not touch it; one before it does; without a proof there is no telling. */
            if (poe != (time_t)-1 && poe < answer->revoked_at)
                sign_sig_warn(sig, "%s revoked at %s, after the signature's proof of existence "
                                   "(%s)", which, when, answer->source);
            else if (poe != (time_t)-1)
                sign_sig_fail(sig, SIGN_TOTAL_FAILED, i == 0 ? "REVOKED" : "REVOKED_CA_NO_POE",
                              "%s revoked at %s, before the signature's proof of existence (%s)",
                              which, when, answer->source);
            else
                sign_sig_fail(sig, SIGN_INDETERMINATE, i == 0 ? "REVOKED_NO_POE" : "REVOKED_CA_NO_POE",
                              "%s revoked at %s (%s)", which, when, answer->source);
            if (poe == (time_t)-1 || poe >= answer->revoked_at)
                sign_sig_set_cause(sig, i == 0 ? (poe != (time_t)-1 ? "REVOKED" : "REVOKED_NO_POE")
                                                : "REVOKED_CA_NO_POE",
                                   SIGN_CAUSE_REVOKED, answer->revoked_at, sk_X509_value(chain, i),
                                   NULL);
        } else if (answer->status == STATUS_UNKNOWN && !has_no_check(sk_X509_value(chain, i))) {
            all_embedded = 0;
            if (ctx->revocation == SIGN_REVOCATION_REQUIRE)
                sign_sig_fail(sig, SIGN_INDETERMINATE, "TRY_LATER",
                              "revocation status unknown: %s: %s", which, answer->why);
            else
                sign_sig_warn(sig, "revocation status unknown: %s: %s", which, answer->why);
        }
    }
    free(check.answers);
    free(check.pending);
    return all_embedded;
}
