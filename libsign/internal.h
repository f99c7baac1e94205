/* libsign internals shared between the core and the format modules. Not installed. */
#ifndef LIBSIGN_INTERNAL_H
#define LIBSIGN_INTERNAL_H

#include <stdarg.h>
#include <openssl/bio.h>
#include <openssl/ocsp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <libsign/sign.h>

#define SIGN_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef struct sign_revocation_cache sign_revocation_cache;
typedef struct sign_cert_cache sign_cert_cache;
typedef struct sign_certsig_cache sign_certsig_cache;
typedef struct sign_tl_set sign_tl_set; /* trusted lists (tl.c) */
typedef struct sign_failed_hosts sign_failed_hosts; /* hosts that did not answer (http.c) */

/* OpenSSL 3.0 has no stack of OCSP responses; declare one with its own macro. */
DEFINE_STACK_OF(OCSP_RESPONSE)

/* Revocation data a signature carries (CRLs, OCSP responses), or that is collected for one. */
typedef struct sign_revocation_data {
    STACK_OF(X509_CRL) *crls;
    STACK_OF(OCSP_RESPONSE) *ocsps;
} sign_revocation_data;

/* Validation data the caller gives the context (sign_ctx_add_certs, _add_crls, _add_ocsp): used
 * for every signature after what the signature carries. */
typedef struct sign_validation_data {
    STACK_OF(X509) *certs;          /* untrusted: candidates for any chain */
    sign_revocation_data revocation;
} sign_validation_data;

struct sign_ctx {
    X509_STORE *trust;        /* read-only once validation starts; X509_STORE is safe to share */
    size_t trust_count;
    time_t at;                /* (time_t)-1: now */
    int offline;
    long timeout;             /* seconds for each network request, and for all the requests
                               * for one certificate's status together; 0: the default, 10 */
    sign_failed_hosts *failed_hosts; /* shared by validating threads; it locks itself */
    sign_fetch_notify_fn fetch_notify; /* told before each request; NULL: nobody */
    void *fetch_notify_arg;
    enum sign_revocation_policy revocation;
    sign_revocation_cache *revocation_cache; /* shared by validating threads; it locks itself */
    sign_cert_cache *cert_cache;             /* the same, for decoded certificates */
    sign_certsig_cache *certsig_cache;       /* the same, for verified certificate signatures */
    OSSL_PROVIDER *legacy;    /* loaded on demand for OCES2 PKCS#12 files (RC2/3DES) */
    OSSL_PROVIDER *deflt;
    sign_tl_set *trusted_lists; /* NULL: none given; read-only once validation starts */
    /* RFC 5280 6.1.1 (c) user-initial-policy-set for signers' paths; NULL: any-policy. */
    STACK_OF(ASN1_OBJECT) *policies;
    sign_validation_data validation_data; /* read-only once validation starts */
    enum sign_visual_mode visual;         /* PAdES visual comparison (sign_ctx_set_visual) */
    int visual_images;                    /* keep highlighted pages in the report */
    char errmsg[1024];
    enum sign_needed needed;  /* what the caller could give to make the failed call work */
};

struct sign_key {
    EVP_PKEY *pkey;
    X509 *cert;
    STACK_OF(X509) *chain;    /* without the signer certificate */
    struct engine_st *engine; /* ENGINE holding a PKCS#11 key (pkcs11.c), or NULL */
    /* How the engine is let go, set by whoever took it (pkcs11.c), so that the key object
     * (key.c) does not depend on the token code that depends on it. */
    void (*release_engine)(struct engine_st *engine);
};
/* Adds the PEM certificates of chain_path to key's chain (key.c). */
int sign_key_add_chain(sign_ctx *ctx, sign_key *key, const char *chain_path);

/* Set ctx's message and return status, so that `return sign_seterr(ctx, SIGN_EIO, ...)` reads well.
 * When OpenSSL left an error on its queue, its reason is appended and the queue cleared. */
int sign_seterr(sign_ctx *ctx, int status, const char *fmt, ...) SIGN_PRINTF(3, 4);
/* The same when the caller could supply what is missing (sign_ctx_err_needed): the message says
 * what is missing in the library's terms and names no command-line option, which the program
 * adds in its own words. */
int sign_seterr_needing(sign_ctx *ctx, int status, enum sign_needed needed, const char *fmt, ...)
    SIGN_PRINTF(4, 5);
/* The reason of the newest OpenSSL error (or "unknown error"), clearing the queue. */
const char *sign_ssl_reason(char *buf, size_t len);

time_t sign_ctx_validation_time(const sign_ctx *ctx);
/* Loads path with load_file (which returns how many things it added from one file, or a
 * negative status with the message on ctx), or every regular file of the directory path (files
 * that give nothing are skipped). Returns the number added, or a negative status with the
 * message on ctx: none at all is SIGN_EPARSE, "no what found" (ctx_data.c). */
int sign_load_path(sign_ctx *ctx, const char *path, const char *what,
                   int (*load_file)(sign_ctx *ctx, const char *file));
/* Frees the validation data and policies given to ctx (ctx_data.c). */
void sign_ctx_data_free(sign_ctx *ctx);

/* Open path for reading ("-" is stdin, not closed by BIO_free). NULL with errno set on failure. */
BIO *sign_open_input(const char *path);

/* ---- network (http.c) ---- */
/* GET url (request NULL) or POST request with content_type. On success *response is malloc'd.
 * On failure why says what went wrong, naming the URL. Refused when ctx is offline. */
int sign_http_fetch(const sign_ctx *ctx, const char *url, const char *content_type,
                    const unsigned char *request, size_t request_len, unsigned char **response,
                    size_t *response_len, char *why, size_t why_len);
/* The same within a deadline on the monotonic clock (sign_http_deadline): what is left of it
 * bounds the request, and none left refuses it. A host that could not be reached or did not
 * answer in time is not asked again on this context (every thread of a batch included). */
int sign_http_fetch_until(const sign_ctx *ctx, long long deadline_ms, const char *url,
                          const char *content_type, const unsigned char *request,
                          size_t request_len, unsigned char **response, size_t *response_len,
                          char *why, size_t why_len);
/* The deadline for requests starting now that together take at most ctx's timeout. */
long long sign_http_deadline(const sign_ctx *ctx);
sign_failed_hosts *sign_failed_hosts_new(void);
void sign_failed_hosts_free(sign_failed_hosts *hosts);

/* ---- report building (report.c) ---- */
sign_report *sign_report_new(void);
void sign_report_set_error(sign_report *report, const char *fmt, ...) SIGN_PRINTF(2, 3);
void sign_report_set_format(sign_report *report, const char *format);
sign_sig *sign_report_add_sig(sign_report *report); /* NULL on memory exhaustion */

/* Record a problem: adds message to the signature's errors and lowers its verdict to indication
 * with subindication unless it is already as bad (the first reason for the worst verdict stays). */
void sign_sig_fail(sign_sig *sig, enum sign_indication indication, const char *subindication,
                   const char *fmt, ...) SIGN_PRINTF(4, 5);
/* Something the user should act on (an unchecked revocation status, a changed metadata). */
void sign_sig_warn(sign_sig *sig, const char *fmt, ...) SIGN_PRINTF(2, 3);
/* Something worth recording that asks nothing of the user (a revision that only adds validation
 * data, the manifest an ASiC signature signs): JSON "info", not shown as a warning. */
void sign_sig_info(sign_sig *sig, const char *fmt, ...) SIGN_PRINTF(2, 3);
/* The facts behind a failure, for sign_sig_cause: recorded only when subindication is the one
 * the signature shows and none was recorded yet. when: (time_t)-1 if none; cert: the
 * certificate concerned, or NULL; missing_issuer: the issuer no chain could reach, or NULL. */
void sign_sig_set_cause(sign_sig *sig, const char *subindication, enum sign_cause_kind kind,
                        time_t when, const X509 *cert, const X509_NAME *missing_issuer);
void sign_sig_set_id(sign_sig *sig, const char *id);
/* What the entry is: "signature" (the default) or "timestamp" (a document or container that
 * carries only a timestamp token, validated as one). */
void sign_sig_set_kind(sign_sig *sig, const char *kind);
/* sig counter-signs parent (an earlier signature of the same report; XAdES CounterSignature). */
void sign_sig_set_countersigned(sign_sig *sig, const sign_sig *parent);
void sign_sig_set_level(sign_sig *sig, const char *level);
void sign_sig_set_signing_time(sign_sig *sig, time_t t);
void sign_sig_set_signer(sign_sig *sig, X509 *cert); /* copies what it needs */
/* Where the revocation status of a certificate of the signer's path came from. */
enum sign_chain_source {
    SIGN_CHAIN_SOURCE_NONE = 0, /* no status: not checked, none found, or the trust anchor */
    SIGN_CHAIN_SOURCE_OCSP,
    SIGN_CHAIN_SOURCE_CRL,
};
/* The signer's certification path as far as it was built, signer first (references taken;
 * the subjects are printed only when the report is written). Every certificate's source starts
 * as SIGN_CHAIN_SOURCE_NONE; sign_sig_set_chain_source sets the one at depth. */
void sign_sig_set_chain(sign_sig *sig, STACK_OF(X509) *chain);
void sign_sig_set_chain_source(sign_sig *sig, int depth, enum sign_chain_source source);
/* SHA-256 of the signature value (the CMS SignerInfo signature), for the ETSI report's
 * SignatureIdentifier; NULL from the getter when no format set it. */
void sign_sig_set_value_digest(sign_sig *sig, const unsigned char sha256[32]);
const unsigned char *sign_sig_value_sha256(const sign_sig *sig);
/* SHA-256 of the signer certificate (DER); NULL when there is no signer certificate. */
const unsigned char *sign_sig_signer_sha256(const sign_sig *sig);
/* What the signature covers, one entry each: "#id", "the whole document", "contract.pdf". */
void sign_sig_add_covered(sign_sig *sig, const char *fmt, ...) SIGN_PRINTF(2, 3);
/* PAdES modification analysis: "none", "allowed" or "disallowed", and what changed. */
/* OpenSign, NemLog-in: the sign text's MIME type and (text only; else NULL) the text; a
 * property shown to the signer. Copied. SIGN_OK or SIGN_ENOMEM. */
int sign_sig_set_sign_text(sign_sig *sig, const char *mime, const char *text);
int sign_sig_add_property(sign_sig *sig, const char *name, const char *value);
void sign_sig_set_modification(sign_sig *sig, const char *verdict);
void sign_sig_add_modification_detail(sign_sig *sig, const char *fmt, ...) SIGN_PRINTF(2, 3);
/* PAdES visual comparison: the signature's revision was compared with the final document (the
 * JSON then has "visual_changes", empty when nothing changed); a page that looks different, its
 * png (malloc'd or NULL) taken over whatever the outcome. -1 when out of memory (report.c). */
int sign_sig_set_visual_compared(sign_sig *sig);
int sign_sig_add_visual_change(sign_sig *sig, const sign_visual_change *change);
/* The list behind them (report_visual.c): made on the first add (change NULL: only made). */
struct sign_visual_list;
struct sign_json_writer;
int sign_visual_list_add(struct sign_visual_list **list, const sign_visual_change *change);
size_t sign_visual_list_count(const struct sign_visual_list *list);
int sign_visual_list_get(sign_visual_change *out, const struct sign_visual_list *list, size_t i);
void sign_visual_list_free(struct sign_visual_list *list);
void sign_visual_list_json(struct sign_json_writer *w, const struct sign_visual_list *list);

/* Fill key's pkey, cert and chain from p12 (key.c; also used by inspect.c). SIGN_EPASS when
 * password (NULL: none or empty) does not open it; path names the file in messages. Loads the
 * legacy provider on ctx when the file needs it (OCES2 RC2/3DES). */
struct PKCS12_st; /* PKCS12 from <openssl/pkcs12.h> */
int sign_key_from_pkcs12(sign_ctx *ctx, sign_key *key, struct PKCS12_st *p12, const char *path,
                         const char *password);

/* ---- revocation (revocation.c) ---- */
void sign_revocation_data_init(sign_revocation_data *data);
void sign_revocation_data_clear(sign_revocation_data *data);
/* Adds copies (references) of ocsp and/or crl (either may be NULL). */
void sign_revocation_data_add(sign_revocation_data *data, OCSP_RESPONSE *ocsp, X509_CRL *crl);
sign_revocation_cache *sign_revocation_cache_new(void);
int sign_revocation_cache_set_limits(sign_revocation_cache *cache, size_t max_entries,
                                     size_t max_bytes);
void sign_revocation_cache_free(sign_revocation_cache *cache);
/* Checks every certificate of chain (validated at at) but the trust anchor under ctx's policy:
 * OCSP responses and CRLs the signature carries (embedded), then those given to the context,
 * then, online, those fetched; CRLs through RFC 5280 6.3 (sign_chain_verify), for which
 * untrusted holds the candidate certificates of CRL issuers. poe is the earliest proof of
 * existence of the signature ((time_t)-1: none). Records on sig. Returns 1 when every answer
 * came from the embedded data (what B-LT promises), else 0. */
int sign_revocation_check_chain(const sign_ctx *ctx, sign_sig *sig, STACK_OF(X509) *chain,
                                STACK_OF(X509) *untrusted, time_t at, time_t poe,
                                const sign_revocation_data *embedded);
/* For B-LT: fetch revocation data for every certificate of chain but the anchor into collect
 * (CRLs only with crl_only, for containers that cannot carry OCSP responses). Fails (message on
 * ctx) when one cannot be had or a certificate is revoked. */
int sign_revocation_collect(sign_ctx *ctx, STACK_OF(X509) *chain, time_t at, int crl_only,
                            sign_revocation_data *collect);
/* The issuers of cert found among candidates, then among the certificates given to ctx
 * (sign_ctx_add_certs), cert first, up to a self-signed one or as far as they go; no validation
 * (for collecting what a B-LT signature should carry). */
STACK_OF(X509) *sign_chain_assemble(const sign_ctx *ctx, X509 *cert, STACK_OF(X509) *candidates);

/* ---- timestamps (tsa.c: asking for one; timestamp.c: checking one) ---- */
/* RFC 3161 request for a token over data (digested with md) to url. The token (a CMS
 * ContentInfo, DER) is malloc'd by OpenSSL: free with OPENSSL_free. Message on ctx. */
int sign_tsa_request(sign_ctx *ctx, const char *url, const EVP_MD *md, const unsigned char *data,
                     size_t data_len, unsigned char **token, size_t *token_len);
typedef struct sign_timestamp_result {
    int valid;           /* signature, imprint and TSA certificate all check out */
    time_t gen_time;     /* the time the TSA asserts, (time_t)-1 when unreadable */
    char tsa[256];       /* the TSA's subject */
    char why[512];       /* when not valid */
    const char *subindication; /* when not valid: EN 319 102-1 sub-indication (static) */
} sign_timestamp_result;
/* Checks token over data; returns out->valid. */
int sign_timestamp_check(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                         const unsigned char *data, size_t data_len, sign_timestamp_result *out);
/* The same where the caller computes the digest, with the algorithm the token names, when asked
 * (data hashed streaming from a file, such as a PDF's ByteRange). Returns 1 on success. */
typedef int sign_digest_fn(const EVP_MD *md, unsigned char *digest, unsigned int *digest_len,
                           void *arg);
int sign_timestamp_check_with(const sign_ctx *ctx, const unsigned char *token, size_t token_len,
                              sign_digest_fn *digest_fn, void *digest_arg,
                              sign_timestamp_result *out);
/* sign_tsa_request for data known only by its digest (made with md). */
int sign_tsa_request_digest(sign_ctx *ctx, const char *url, const EVP_MD *md,
                            const unsigned char *digest, size_t digest_len, unsigned char **token,
                            size_t *token_len);
/* Records a timestamp on the signature's report ("signature" or "archive"); whether it is a
 * proof of existence is the validation process's to say (libsign/validation/poe.c). */
void sign_sig_add_timestamp(sign_sig *sig, const char *type, const sign_timestamp_result *result);
/* A timestamp token that is the file's only evidence (a PDF document timestamp, an ASiC-S
 * timestamp.tst), checked into result, reported on sig as an entry of kind "timestamp": the TSA
 * as its signer, the time the TSA asserts, and TOTAL_PASSED only when result is valid (imprint,
 * signature, TSA chained to trust). */
void sign_sig_from_timestamp(sign_sig *sig, const unsigned char *token, size_t token_len,
                             const sign_timestamp_result *result);


/* ---- a bounded, hashed map from SHA-256 digests to values (digest_map.c) ---- */
typedef struct sign_digest_map sign_digest_map;
/* At most max_entries entries and max_bytes bytes (0: no byte bound) of values, the least
 * recently used dropped first; free_value frees a value the map holds. */
sign_digest_map *sign_digest_map_new(size_t max_entries, size_t max_bytes,
                                     void (*free_value)(void *value));
void sign_digest_map_free(sign_digest_map *map);
/* New bounds; what the map held is dropped. */
int sign_digest_map_set_limits(sign_digest_map *map, size_t max_entries, size_t max_bytes);
/* 1 and visit(value, arg) under the map's lock when digest is there, else 0. */
int sign_digest_map_find(sign_digest_map *map, const unsigned char digest[32],
                         void (*visit)(void *value, void *arg), void *arg);
/* Takes value (bytes long) for digest. visit (may be NULL) is called under the lock with the
 * value now in the map, which is another thread's when it inserted the same digest first (then
 * value is freed), or with value itself when it could not be kept (then freed after). Returns 1
 * when value was kept. */
int sign_digest_map_insert(sign_digest_map *map, const unsigned char digest[32], void *value,
                           size_t bytes, void (*visit)(void *value, void *arg), void *arg);
void sign_digest_map_stats(sign_digest_map *map, size_t *entries, size_t *bytes);

/* The bounds of the certificate cache and of the revocation cache, each, unless
 * sign_ctx_set_cache_limits says otherwise. */
#define SIGN_CACHE_MAX_ENTRIES 8192
#define SIGN_CACHE_MAX_BYTES (64u * 1024 * 1024)

/* ---- the certificate cache (certcache.c) ---- */
sign_cert_cache *sign_cert_cache_new(void);
void sign_cert_cache_free(sign_cert_cache *cache);
int sign_cert_cache_set_limits(sign_cert_cache *cache, size_t max_entries, size_t max_bytes);
/* The certificate whose DER is der (a new reference), decoded once per context; NULL if der
 * is not exactly one certificate. */
X509 *sign_cert_cache_decode(const sign_ctx *ctx, const unsigned char *der, size_t len);
/* The SHA-256 of cert's DER into out: remembered for a certificate the cache decoded (which
 * nothing changes after), else computed. Returns 1 on success. */
int sign_cert_sha256(X509 *cert, unsigned char out[32]);
/* Whether cert is a CA's (basicConstraints cA): a CA certifies signers and is never reported as
 * one (issue 15), whatever a signature names. certinfo.c. */
int sign_cert_is_ca(X509 *cert);
/* Notes cert's SHA-256 on it unless something is noted already; for a certificate no other
 * thread can see yet (a trust anchor being added). */
void sign_cert_note(X509 *cert);
/* Readies cert to be used by several threads at once (certcache.c: OpenSSL 3.0's lazily built
 * policy cache); for every certificate a context shares: cached, trust anchors, --certs. */
void sign_cert_prepare_shared(X509 *cert);
/* The text of cert's subject as a report noted it on cert, or NULL. */
const char *sign_cert_subject_noted(X509 *cert);
/* Notes text (malloc'd; taken) as cert's subject text: returns what is noted (text, or the
 * same text another thread noted first, and then text is freed); NULL when cert carries no
 * note (a certificate neither the cache decoded nor a trust anchor), text still the caller's. */
const char *sign_cert_note_subject(X509 *cert, char *text);

/* ---- verified certificate signatures (certsig.c) ---- */
/* Room for capacity entries (rounded down to whole buckets of 4, at least one bucket): the
 * context's holds SIGN_CERTSIG_CAPACITY, 4 MiB at most, touched as it fills. */
#define SIGN_CERTSIG_CAPACITY 65536
sign_certsig_cache *sign_certsig_cache_new(size_t capacity);
void sign_certsig_cache_free(sign_certsig_cache *cache);
/* X509_verify(cert, the public key of issuer), answered from cache when that key has verified
 * exactly this certificate before (cache NULL: always verified). 1 verified, 0 not, -1 on an
 * error (no issuer key). Nothing but the signature is checked: not issuer's name, key usage or
 * validity. Thread-safe. */
int sign_certsig_verify(sign_certsig_cache *cache, X509 *cert, X509 *issuer);
/* How many sign_certsig_verify calls were answered from cache (hits) and how many verified. */
void sign_certsig_cache_stats(const sign_certsig_cache *cache, unsigned long *hits,
                              unsigned long *checks);

/* ---- certificates (oces.c, chain.c, path.c, chain_signatures.c) ---- */
int sign_oces_identify(sign_oces_id *out, const X509 *cert);
/* RFC 5280 6.3 CRL outcomes of one sign_chain_verify run, by depth in the chain (0: the
 * certificate validated). Depths from SIGN_CRL_MAX_DEPTH on are not recorded (no status). */
#define SIGN_CRL_MAX_DEPTH 32
enum sign_crl_status {
    SIGN_CRL_UNCHECKED = 0, /* the run ended before the CRL step, or the depth is too deep */
    SIGN_CRL_GOOD,          /* the CRLs give the certificate a status: not revoked */
    SIGN_CRL_REVOKED,       /* listed (revoked_at; 0 when no date could be read) */
    SIGN_CRL_NO_STATUS,     /* no CRL of the set gives a status (error: OpenSSL's why) */
};
struct sign_crl_verdict {
    enum sign_crl_status status;
    time_t revoked_at;
    int error;
};
typedef struct sign_crl_verdicts {
    STACK_OF(X509_CRL) *crls; /* in: the CRLs to use (the caller's; not taken) */
    time_t poe;               /* in: the signature's proof of existence, (time_t)-1: none */
    int fetched;              /* in: the CRLs were fetched now, so speak for any earlier time */
    struct sign_crl_verdict depth[SIGN_CRL_MAX_DEPTH]; /* out */
} sign_crl_verdicts;
/* What a sign_chain_verify run asks beyond RFC 5280 6.1's defaults. */
typedef struct sign_chain_options {
    /* RFC 5280 6.1.1 (c) user-initial-policy-set; NULL: any-policy. */
    STACK_OF(ASN1_OBJECT) *policies;
    /* Non-NULL: RFC 5280 6.3 CRL processing of every certificate with its crls, the outcome
     * per depth recorded in it; a certificate without a status does not fail the run. */
    sign_crl_verdicts *crl_verdicts;
} sign_chain_options;
/* X509_verify_cert at time at with ctx's trust anchors (any one of which may end a chain),
 * policy processing always on (chain.c). purpose 0: none; options NULL: the defaults. Returns
 * 1 and the chain (*chain, if asked) or 0, the error and depth, and the chain as far as it was
 * built (*chain, if asked; possibly NULL). The caller frees *chain either way. */
int sign_chain_verify(const sign_ctx *ctx, X509 *cert, STACK_OF(X509) *untrusted, time_t at,
                      int purpose, const sign_chain_options *options, STACK_OF(X509) **chain,
                      int *error, int *depth);
/* The step of X509_verify_cert that checks each certificate's signature by the next and every
 * validity period, as OpenSSL 3.0 does it, with the signatures answered from the
 * sign_certsig_cache that is the store context's app data (X509_STORE_CTX_set_app_data; NULL:
 * none). For X509_STORE_CTX_set_verify (chain_signatures.c). */
int sign_chain_check_signatures(X509_STORE_CTX *store_ctx);
/* ETSI EN 319 102-1 5.2.6 X.509 certificate validation of signer at time at, then revocation;
 * poe is the earliest trusted proof of existence of the signature ((time_t)-1: none), which
 * lets a certificate that expired or was revoked after it still pass. Records on sig. Returns 1
 * when the chain validated and its revocation status came wholly from embedded data. A step of
 * the validation process (libsign/validation/process.c): formats hand over evidence instead
 * (libsign/validation/evidence.h). */
int sign_path_validate_ex(const sign_ctx *ctx, sign_sig *sig, X509 *signer,
                          STACK_OF(X509) *untrusted, time_t at, time_t poe,
                          const sign_revocation_data *embedded);
int sign_time_from_asn1(time_t *out, const ASN1_TIME *t);

/* ---- trusted lists (tl.c, tl_parse.c) ---- */
void sign_tl_set_free(sign_tl_set *set);
/* ETSI TS 119 615 (simplified): after chain (signer first) validated at at, whether the signer is
 * qualified per ctx's trusted lists, at the best signing time (poe, else the earliest valid
 * signature timestamp on sig, else the claimed signing time, else at). Records it on sig
 * (sign_sig_set_qualified); does nothing when ctx has no trusted list. */
void sign_tl_qualify(const sign_ctx *ctx, sign_sig *sig, X509 *signer, STACK_OF(X509) *chain,
                     time_t at, time_t poe);
/* report.c: qualified 1 or 0 (-1, the default: unknown, null in JSON) and the "qc" details (a
 * JSON object as text, copied; NULL: none). */
void sign_sig_set_qualified(sign_sig *sig, int qualified, const char *qc_json_or_null);

#endif
