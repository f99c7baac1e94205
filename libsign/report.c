/* The validation result: per file a list of signatures, each with an EN 319 102-1 indication,
 * sub-indication, the AdES level reached, the signer and the reasons. It only records: the rules
 * that decide them live in the validation process (libsign/validation/process.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>
#include "certinfo.h"
#include "json.h"
#include "internal.h"

#define MESSAGE_MAX 512

struct message_list {
    char **items;
    size_t count;
};

struct timestamp_entry {
    char type[16];
    sign_timestamp_result result;
};

struct sign_sig {
    char id[64];
    char kind[16];                       /* "signature" (when empty) or "timestamp" */
    const sign_sig *countersigned; /* the signature this one counter-signs (XAdES), or NULL */
    struct timestamp_entry *timestamps;
    size_t timestamp_count;
    enum sign_indication indication;
    char subindication[64];
    char level[48];
    time_t signing_time;
    int has_signer;
    char subject[1024];
    sign_oces_id oces;
    struct message_list errors;
    struct message_list warnings;
    struct message_list infos;           /* what a user need not act on (JSON "info") */
    /* The facts behind the sub-indication (sign_sig_cause): a time and the certificates named. */
    char cause_subindication[64];
    enum sign_cause_kind cause_kind;
    time_t cause_time;
    char cause_certificate[512];
    char cause_missing_issuer[512];
    struct message_list covers;          /* what the signature covers (elements, data objects) */
    char modification[16];               /* PAdES: "none", "allowed", "disallowed"; "" elsewhere */
    struct message_list modification_details;
    int qualified;                       /* trusted lists: 1, 0, -1 unknown */
    char qc[1024];                       /* JSON object of the qualification details, or "" */
    int has_value_digest;                /* value_sha256 is set (CMS formats) */
    unsigned char value_sha256[32];      /* SHA-256 of the signature value: TS 119 102-2 4.3.2 */
    unsigned char signer_sha256[32];     /* SHA-256 of the signer certificate's DER, if has_signer */
    /* The certification path as far as it was built, signer first (references: subjects are
     * printed only when a report is written, the JSON "chain"), and where each certificate's
     * revocation status came from (chain_sources[i] for the certificate at depth i). */
    STACK_OF(X509) *chain;
    unsigned char *chain_sources;        /* enum sign_chain_source, one per certificate */
    struct sign_visual_list *visual;     /* PAdES visual comparison (report_visual.c), or NULL */
    /* OpenSign, NemLog-in: what the signer was shown (the MIME type; the text itself when it
     * is text), and the properties shown beside it, in document order. */
    char *sign_text_mime, *sign_text;
    char **property_names, **property_values;
    size_t property_count;
};

struct sign_report {
    char *error;
    char format[16];
    sign_sig **sigs;
    size_t count;
};

SIGN_PRINTF(2, 0) static void list_add(struct message_list *list, const char *fmt, va_list ap)
{
    char text[MESSAGE_MAX];
    vsnprintf(text, sizeof text, fmt, ap);
    char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);
    if (!grown)
        return; /* a lost message must not lose the verdict, which is already recorded */
    list->items = grown;
    list->items[list->count] = strdup(text);
    if (list->items[list->count])
        list->count++;
}

static void list_free(struct message_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
}

sign_report *sign_report_new(void) { return calloc(1, sizeof(sign_report)); }

SIGN_EXTERN void sign_report_free(sign_report *report)
{
    if (!report)
        return;
    for (size_t i = 0; i < report->count; i++) {
        list_free(&report->sigs[i]->errors);
        list_free(&report->sigs[i]->warnings);
        list_free(&report->sigs[i]->infos);
        list_free(&report->sigs[i]->covers);
        list_free(&report->sigs[i]->modification_details);
        free(report->sigs[i]->timestamps);
        sk_X509_pop_free(report->sigs[i]->chain, X509_free);
        free(report->sigs[i]->chain_sources);
        sign_visual_list_free(report->sigs[i]->visual);
        free(report->sigs[i]->sign_text_mime);
        free(report->sigs[i]->sign_text);
        for (size_t p = 0; p < report->sigs[i]->property_count; p++) {
            free(report->sigs[i]->property_names[p]);
            free(report->sigs[i]->property_values[p]);
        }
        free(report->sigs[i]->property_names);
        free(report->sigs[i]->property_values);
        free(report->sigs[i]);
    }
    free(report->sigs);
    free(report->error);
    free(report);
}

void sign_report_set_error(sign_report *report, const char *fmt, ...)
{
    char text[MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    free(report->error);
    report->error = strdup(text);
}

void sign_report_set_format(sign_report *report, const char *format)
{
    snprintf(report->format, sizeof report->format, "%s", format ? format : "");
}

sign_sig *sign_report_add_sig(sign_report *report)
{
    sign_sig **grown = realloc(report->sigs, (report->count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    report->sigs = grown;
    sign_sig *sig = calloc(1, sizeof *sig);
    if (!sig)
        return NULL;
    sig->indication = SIGN_TOTAL_PASSED;
    sig->signing_time = (time_t)-1;
    sig->cause_time = (time_t)-1;
    sig->qualified = -1;
    snprintf(sig->id, sizeof sig->id, "sig-%zu", report->count + 1);
    report->sigs[report->count++] = sig;
    return sig;
}

void sign_sig_fail(sign_sig *sig, enum sign_indication indication, const char *subindication,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_add(&sig->errors, fmt, ap);
    va_end(ap);
    if (indication > sig->indication) {
        sig->indication = indication;
        snprintf(sig->subindication, sizeof sig->subindication, "%s",
                 subindication ? subindication : "");
    }
}

void sign_sig_warn(sign_sig *sig, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_add(&sig->warnings, fmt, ap);
    va_end(ap);
}

void sign_sig_info(sign_sig *sig, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_add(&sig->infos, fmt, ap);
    va_end(ap);
}

void sign_sig_set_cause(sign_sig *sig, const char *subindication, enum sign_cause_kind kind,
                        time_t when, const X509 *cert, const X509_NAME *missing_issuer)
{
    /* Only for the sub-indication the signature shows, and only the first: the facts must be
     * those of the reason the verdict gives (sign_sig_fail keeps the first reason too). */
    if (sig->cause_subindication[0] || strcmp(sig->subindication, subindication) != 0)
        return;
    snprintf(sig->cause_subindication, sizeof sig->cause_subindication, "%s", subindication);
    sig->cause_kind = kind;
    sig->cause_time = when;
    if (cert)
        sign_name_text(sig->cause_certificate, sizeof sig->cause_certificate,
                       X509_get_subject_name(cert));
    if (missing_issuer)
        sign_name_text(sig->cause_missing_issuer, sizeof sig->cause_missing_issuer,
                       missing_issuer);
}

SIGN_EXTERN int sign_sig_cause(sign_sig_cause_info *out, const sign_sig *s)
{
    if (!out || !s)
        return SIGN_EINVAL;
    int known = s->cause_subindication[0] != '\0';
    out->kind = known ? s->cause_kind : SIGN_CAUSE_NONE;
    out->time = known ? s->cause_time : (time_t)-1;
    out->certificate = known && s->cause_certificate[0] ? s->cause_certificate : NULL;
    out->missing_issuer = known && s->cause_missing_issuer[0] ? s->cause_missing_issuer : NULL;
    return SIGN_OK;
}

void sign_sig_add_timestamp(sign_sig *sig, const char *type, const sign_timestamp_result *result)
{
    struct timestamp_entry *grown =
        realloc(sig->timestamps, (sig->timestamp_count + 1) * sizeof *grown);
    if (!grown)
        return;
    sig->timestamps = grown;
    struct timestamp_entry *entry = &sig->timestamps[sig->timestamp_count++];
    snprintf(entry->type, sizeof entry->type, "%s", type);
    entry->result = *result;
}

SIGN_EXTERN size_t sign_sig_timestamp_count(const sign_sig *s) { return s->timestamp_count; }
SIGN_EXTERN int sign_sig_timestamp(sign_timestamp_info *out, const sign_sig *s, size_t i)
{
    if (!out || !s || i >= s->timestamp_count)
        return SIGN_EINVAL;
    const struct timestamp_entry *entry = &s->timestamps[i];
    out->type = entry->type;
    out->time = entry->result.gen_time;
    out->valid = entry->result.valid;
    out->tsa = entry->result.tsa[0] ? entry->result.tsa : NULL;
    out->error = entry->result.valid || !entry->result.why[0] ? NULL : entry->result.why;
    return SIGN_OK;
}

void sign_sig_add_covered(sign_sig *sig, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_add(&sig->covers, fmt, ap);
    va_end(ap);
}

void sign_sig_set_modification(sign_sig *sig, const char *verdict)
{
    snprintf(sig->modification, sizeof sig->modification, "%s", verdict ? verdict : "");
}

void sign_sig_add_modification_detail(sign_sig *sig, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    list_add(&sig->modification_details, fmt, ap);
    va_end(ap);
}

int sign_sig_set_sign_text(sign_sig *sig, const char *mime, const char *text)
{
    free(sig->sign_text_mime);
    free(sig->sign_text);
    sig->sign_text_mime = mime ? strdup(mime) : NULL;
    sig->sign_text = text ? strdup(text) : NULL;
    return (mime && !sig->sign_text_mime) || (text && !sig->sign_text) ? SIGN_ENOMEM : SIGN_OK;
}

int sign_sig_add_property(sign_sig *sig, const char *name, const char *value)
{
    char **names = realloc(sig->property_names, (sig->property_count + 1) * sizeof *names);
    if (names)
        sig->property_names = names;
    char **values = realloc(sig->property_values, (sig->property_count + 1) * sizeof *values);
    if (values)
        sig->property_values = values;
    char *name_copy = names && values ? strdup(name) : NULL;
    char *value_copy = name_copy ? strdup(value) : NULL;
    if (!value_copy) {
        free(name_copy);
        return SIGN_ENOMEM;
    }
    sig->property_names[sig->property_count] = name_copy;
    sig->property_values[sig->property_count++] = value_copy;
    return SIGN_OK;
}

SIGN_EXTERN const char *sign_sig_sign_text_mime(const sign_sig *s) { return s->sign_text_mime; }
SIGN_EXTERN const char *sign_sig_sign_text(const sign_sig *s) { return s->sign_text; }
SIGN_EXTERN size_t sign_sig_property_count(const sign_sig *s) { return s->property_count; }
SIGN_EXTERN const char *sign_sig_property_name(const sign_sig *s, size_t i)
{
    return i < s->property_count ? s->property_names[i] : NULL;
}
SIGN_EXTERN const char *sign_sig_property_value(const sign_sig *s, size_t i)
{
    return i < s->property_count ? s->property_values[i] : NULL;
}

SIGN_EXTERN size_t sign_sig_covered_count(const sign_sig *s) { return s->covers.count; }
SIGN_EXTERN const char *sign_sig_covered(const sign_sig *s, size_t i)
{
    return i < s->covers.count ? s->covers.items[i] : NULL;
}
/* The visual comparison's list is report_visual.c's; these hand it the signature's. */
int sign_sig_set_visual_compared(sign_sig *sig)
{
    return sign_visual_list_add(&sig->visual, NULL);
}

int sign_sig_add_visual_change(sign_sig *sig, const sign_visual_change *change)
{
    return sign_visual_list_add(&sig->visual, change);
}

SIGN_EXTERN int sign_sig_visual_compared(const sign_sig *sig)
{
    return sig && sig->visual != NULL;
}

SIGN_EXTERN size_t sign_sig_visual_change_count(const sign_sig *sig)
{
    return sig ? sign_visual_list_count(sig->visual) : 0;
}

SIGN_EXTERN int sign_sig_visual_change(sign_visual_change *out, const sign_sig *sig, size_t i)
{
    return out && sig ? sign_visual_list_get(out, sig->visual, i) : SIGN_EINVAL;
}

SIGN_EXTERN const char *sign_sig_modification(const sign_sig *s)
{
    return s->modification[0] ? s->modification : NULL;
}
SIGN_EXTERN size_t sign_sig_modification_detail_count(const sign_sig *s)
{
    return s->modification_details.count;
}
SIGN_EXTERN const char *sign_sig_modification_detail(const sign_sig *s, size_t i)
{
    return i < s->modification_details.count ? s->modification_details.items[i] : NULL;
}

void sign_sig_set_id(sign_sig *sig, const char *id) { snprintf(sig->id, sizeof sig->id, "%s", id); }
void sign_sig_set_kind(sign_sig *sig, const char *kind)
{
    snprintf(sig->kind, sizeof sig->kind, "%s", kind ? kind : "");
}
void sign_sig_set_countersigned(sign_sig *sig, const sign_sig *parent) { sig->countersigned = parent; }
void sign_sig_set_level(sign_sig *sig, const char *level)
{
    snprintf(sig->level, sizeof sig->level, "%s", level ? level : "");
}
void sign_sig_set_signing_time(sign_sig *sig, time_t t) { sig->signing_time = t; }
void sign_sig_set_qualified(sign_sig *sig, int qualified, const char *qc_json_or_null)
{
    sig->qualified = qualified ? 1 : 0;
    /* Kept only whole: a cut JSON text is no JSON (the details are then unknown, null). The text
     * is json_dumps' compact form (tl.c), written into the report as it is. */
    size_t len = qc_json_or_null ? strlen(qc_json_or_null) : 0;
    if (len < sizeof sig->qc)
        memcpy(sig->qc, qc_json_or_null ? qc_json_or_null : "", len + 1);
    else
        sig->qc[0] = '\0';
}
SIGN_EXTERN int sign_sig_qualified(const sign_sig *s) { return s->qualified; }
SIGN_EXTERN const char *sign_sig_qualification_json(const sign_sig *s)
{
    return s->qualified >= 0 && s->qc[0] ? s->qc : NULL;
}

/* What the report says of a signer, derived from its certificate alone. */
struct signer_description {
    char subject[1024];
    sign_oces_id oces;
};

/* The subject of cert as RFC 2253 text, UTF-8 kept as it is. */
static void describe_subject(char *out, size_t size, X509 *cert)
{
    memset(out, 0, size);
    BIO *mem = BIO_new(BIO_s_mem());
    if (mem && X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0,
                                  XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int n = BIO_read(mem, out, (int)size - 1);
        out[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

static void describe_signer(struct signer_description *out, X509 *cert)
{
    describe_subject(out->subject, sizeof out->subject, cert);
    sign_oces_identify(&out->oces, cert);
}

/* The last signer each thread described, by its certificate's SHA-256: in a batch by one signer
 * every file names the same certificate, and printing its subject and reading its OCES identity
 * cost more than the rest of the report. Per thread, so that no lock is needed; a description
 * depends on nothing but the certificate, so a remembered one is the one it would make. */
static _Thread_local struct {
    int known;
    unsigned char sha256[32];
    struct signer_description description;
} last_signer;

void sign_sig_set_signer(sign_sig *sig, X509 *cert)
{
    sig->has_signer = 1;
    int has_digest = sign_cert_sha256(cert, sig->signer_sha256);
    if (!has_digest)
        memset(sig->signer_sha256, 0, sizeof sig->signer_sha256);
    if (!has_digest || !last_signer.known ||
        memcmp(last_signer.sha256, sig->signer_sha256, sizeof last_signer.sha256) != 0) {
        describe_signer(&last_signer.description, cert);
        last_signer.known = has_digest;
        memcpy(last_signer.sha256, sig->signer_sha256, sizeof last_signer.sha256);
    }
    memcpy(sig->subject, last_signer.description.subject, sizeof sig->subject);
    sig->oces = last_signer.description.oces;
}

void sign_sig_set_chain(sign_sig *sig, STACK_OF(X509) *chain)
{
    sk_X509_pop_free(sig->chain, X509_free);
    free(sig->chain_sources);
    sig->chain = NULL;
    sig->chain_sources = NULL;
    int n = sk_X509_num(chain);
    if (n <= 0)
        return;
    /* calloc: every certificate starts as SIGN_CHAIN_SOURCE_NONE */
    sig->chain_sources = calloc((size_t)n, sizeof *sig->chain_sources);
    sig->chain = sig->chain_sources ? X509_chain_up_ref(chain) : NULL;
    if (!sig->chain) { /* out of memory: the report then names no chain, the verdict stands */
        free(sig->chain_sources);
        sig->chain_sources = NULL;
    }
}

void sign_sig_set_chain_source(sign_sig *sig, int depth, enum sign_chain_source source)
{
    if (sig->chain && depth >= 0 && depth < sk_X509_num(sig->chain))
        sig->chain_sources[depth] = (unsigned char)source;
}

void sign_sig_set_value_digest(sign_sig *sig, const unsigned char sha256[32])
{
    memcpy(sig->value_sha256, sha256, sizeof sig->value_sha256);
    sig->has_value_digest = 1;
}
const unsigned char *sign_sig_value_sha256(const sign_sig *s)
{
    return s->has_value_digest ? s->value_sha256 : NULL;
}
const unsigned char *sign_sig_signer_sha256(const sign_sig *s)
{
    return s->has_signer ? s->signer_sha256 : NULL;
}

/* ---- accessors ---- */
SIGN_EXTERN const char *sign_report_error(const sign_report *r) { return r ? r->error : NULL; }
SIGN_EXTERN const char *sign_report_format(const sign_report *r)
{
    return r && r->format[0] ? r->format : NULL;
}
SIGN_EXTERN size_t sign_report_count(const sign_report *r) { return r ? r->count : 0; }
SIGN_EXTERN const sign_sig *sign_report_sig(const sign_report *r, size_t i)
{
    return r && i < r->count ? r->sigs[i] : NULL;
}

SIGN_EXTERN enum sign_indication sign_report_indication(const sign_report *r)
{
    if (!r || r->count == 0)
        return SIGN_INDETERMINATE;
    enum sign_indication worst = SIGN_TOTAL_PASSED;
    for (size_t i = 0; i < r->count; i++)
        if (r->sigs[i]->indication > worst)
            worst = r->sigs[i]->indication;
    return worst;
}

SIGN_EXTERN const char *sign_indication_name(enum sign_indication indication)
{
    switch (indication) {
    case SIGN_TOTAL_PASSED: return "TOTAL_PASSED";
    case SIGN_INDETERMINATE: return "INDETERMINATE";
    case SIGN_TOTAL_FAILED: return "TOTAL_FAILED";
    }
    return "INDETERMINATE";
}

SIGN_EXTERN const char *sign_sig_id(const sign_sig *s) { return s->id; }
SIGN_EXTERN const char *sign_sig_kind(const sign_sig *s)
{
    return s->kind[0] ? s->kind : "signature";
}
SIGN_EXTERN const sign_sig *sign_sig_countersigned(const sign_sig *s) { return s->countersigned; }
SIGN_EXTERN enum sign_indication sign_sig_indication(const sign_sig *s) { return s->indication; }
SIGN_EXTERN const char *sign_sig_subindication(const sign_sig *s)
{
    return s->subindication[0] ? s->subindication : NULL;
}
SIGN_EXTERN const char *sign_sig_level(const sign_sig *s) { return s->level[0] ? s->level : NULL; }
SIGN_EXTERN time_t sign_sig_signing_time(const sign_sig *s) { return s->signing_time; }
SIGN_EXTERN const char *sign_sig_signer_subject(const sign_sig *s)
{
    return s->has_signer ? s->subject : NULL;
}
SIGN_EXTERN const sign_oces_id *sign_sig_signer_oces(const sign_sig *s)
{
    return s->has_signer ? &s->oces : NULL;
}
SIGN_EXTERN size_t sign_sig_error_count(const sign_sig *s) { return s->errors.count; }
SIGN_EXTERN const char *sign_sig_error(const sign_sig *s, size_t i)
{
    return i < s->errors.count ? s->errors.items[i] : NULL;
}
SIGN_EXTERN size_t sign_sig_warning_count(const sign_sig *s) { return s->warnings.count; }
SIGN_EXTERN const char *sign_sig_warning(const sign_sig *s, size_t i)
{
    return i < s->warnings.count ? s->warnings.items[i] : NULL;
}
SIGN_EXTERN size_t sign_sig_info_count(const sign_sig *s) { return s->infos.count; }
SIGN_EXTERN const char *sign_sig_info_text(const sign_sig *s, size_t i)
{
    return i < s->infos.count ? s->infos.items[i] : NULL;
}

/* ---- JSON (segl-verify --json) ----
 * Written as it goes (json.h): a batch prints one line per file, and building a tree of values
 * for each cost more than validating the file did. */

static void messages_json(sign_json_writer *w, const struct message_list *list)
{
    sign_json_begin_array(w);
    for (size_t i = 0; i < list->count; i++)
        sign_json_string(w, list->items[i]);
    sign_json_end_array(w);
}

static void signer_json(sign_json_writer *w, const sign_sig *sig)
{
    if (!sig->has_signer) {
        sign_json_null(w);
        return;
    }
    sign_json_begin_object(w);
    sign_json_key(w, "subject");
    sign_json_string_or_null(w, sig->subject);
    sign_json_key(w, "common_name");
    sign_json_string_or_null(w, sig->oces.common_name);
    sign_json_key(w, "serial_number");
    sign_json_string_or_null(w, sig->oces.serial_number);
    sign_json_key(w, "oces");
    sign_json_oces(w, &sig->oces);
    sign_json_key(w, "qualified");
    if (sig->qualified < 0)
        sign_json_null(w);
    else
        sign_json_bool(w, sig->qualified);
    if (sig->qualified >= 0) { /* trusted lists given: the details, when known */
        sign_json_key(w, "qc");
        if (sig->qc[0])
            sign_json_raw_value(w, sig->qc);
        else
            sign_json_null(w);
    }
    sign_json_end_object(w);
}

static const char *chain_source_name(enum sign_chain_source source)
{
    switch (source) {
    case SIGN_CHAIN_SOURCE_OCSP: return "ocsp";
    case SIGN_CHAIN_SOURCE_CRL: return "crl";
    case SIGN_CHAIN_SOURCE_NONE: break;
    }
    return "none";
}

/* The text of cert's subject, printed once per certificate when it carries a note (one the
 * certificate cache decoded, a trust anchor: every CA of a batch), else into fallback. */
static const char *subject_text(X509 *cert, char *fallback, size_t size)
{
    const char *noted = sign_cert_subject_noted(cert);
    if (noted)
        return noted;
    char *text = malloc(size);
    if (text) {
        describe_subject(text, size, cert);
        noted = sign_cert_note_subject(cert, text);
        if (noted)
            return noted;
        free(text);
    }
    describe_subject(fallback, size, cert);
    return fallback;
}

/* The certification path, signer first: each certificate's subject and where its revocation
 * status came from. The signer's subject is the one already described; the others are printed
 * here, so that a validation whose report is never written pays nothing for them. */
static void chain_json(sign_json_writer *w, const sign_sig *sig)
{
    sign_json_begin_array(w);
    for (int i = 0; i < sk_X509_num(sig->chain); i++) {
        sign_json_begin_object(w);
        sign_json_key(w, "subject");
        if (i == 0 && sig->has_signer) {
            sign_json_string(w, sig->subject);
        } else {
            char fallback[1024];
            sign_json_string(w, subject_text(sk_X509_value(sig->chain, i), fallback,
                                             sizeof fallback));
        }
        sign_json_key(w, "revocation");
        sign_json_string(w, chain_source_name((enum sign_chain_source)sig->chain_sources[i]));
        sign_json_end_object(w);
    }
    sign_json_end_array(w);
}

static void time_json(sign_json_writer *w, time_t t)
{
    char text[21];
    if (t == (time_t)-1) {
        sign_json_null(w);
        return;
    }
    sign_format_time(text, t);
    sign_json_string(w, text);
}

static void sig_json(sign_json_writer *w, const sign_report *report, const sign_sig *sig)
{
    sign_json_begin_object(w);
    sign_json_key(w, "id");
    sign_json_string(w, sig->id);
    sign_json_key(w, "kind");
    sign_json_string(w, sign_sig_kind(sig));
    sign_json_key(w, "indication");
    sign_json_string(w, sign_indication_name(sig->indication));
    sign_json_key(w, "subindication");
    sign_json_string_or_null(w, sig->subindication);
    sign_json_key(w, "level");
    sign_json_string_or_null(w, sig->level);
    sign_json_key(w, "signing_time");
    time_json(w, sig->signing_time);
    sign_json_key(w, "signer");
    signer_json(w, sig);
    sign_json_key(w, "chain");
    chain_json(w, sig);
    sign_json_key(w, "timestamps");
    sign_json_begin_array(w);
    for (size_t i = 0; i < sig->timestamp_count; i++) {
        const struct timestamp_entry *entry = &sig->timestamps[i];
        sign_json_begin_object(w);
        sign_json_key(w, "type");
        sign_json_string(w, entry->type);
        sign_json_key(w, "time");
        time_json(w, entry->result.gen_time);
        sign_json_key(w, "tsa");
        sign_json_string_or_null(w, entry->result.tsa);
        sign_json_key(w, "valid");
        sign_json_bool(w, entry->result.valid);
        sign_json_key(w, "error");
        if (entry->result.valid)
            sign_json_null(w);
        else
            sign_json_string_or_null(w, entry->result.why);
        sign_json_end_object(w);
    }
    sign_json_end_array(w);
    sign_json_key(w, "covers");
    messages_json(w, &sig->covers);
    sign_json_key(w, "errors");
    messages_json(w, &sig->errors);
    sign_json_key(w, "warnings");
    messages_json(w, &sig->warnings);
    sign_json_key(w, "info");
    messages_json(w, &sig->infos);
    if (sig->modification[0]) { /* PAdES: what changed after the signature */
        sign_json_key(w, "modification");
        sign_json_string(w, sig->modification);
        sign_json_key(w, "modification_details");
        messages_json(w, &sig->modification_details);
    }
    if (sig->visual) /* PAdES: pages that look different (report_visual.c) */
        sign_visual_list_json(w, sig->visual);
    if (sig->sign_text_mime) { /* OpenSign, NemLog-in: what the signer was shown */
        sign_json_key(w, "sign_text");
        sign_json_begin_object(w);
        sign_json_key(w, "mime");
        sign_json_string(w, sig->sign_text_mime);
        sign_json_key(w, "text");
        if (sig->sign_text)
            sign_json_string(w, sig->sign_text);
        else
            sign_json_null(w);
        sign_json_end_object(w);
    }
    if (sig->property_count) {
        sign_json_key(w, "properties");
        sign_json_begin_object(w);
        for (size_t i = 0; i < sig->property_count; i++) {
            sign_json_key(w, sig->property_names[i]);
            sign_json_string(w, sig->property_values[i]);
        }
        sign_json_end_object(w);
    }
    /* XAdES counter-signatures (EN 319 132-1 5.2.7.2): nested under the signature they sign;
     * the key is there only when there is one. */
    int counter_signatures = 0;
    for (size_t i = 0; i < report->count; i++) {
        if (report->sigs[i]->countersigned != sig)
            continue;
        if (!counter_signatures++) {
            sign_json_key(w, "counter_signatures");
            sign_json_begin_array(w);
        }
        sig_json(w, report, report->sigs[i]);
    }
    if (counter_signatures)
        sign_json_end_array(w);
    sign_json_end_object(w);
}

SIGN_EXTERN int sign_report_json(char **out, const sign_report *report, const char *file)
{
    if (!out || !report)
        return SIGN_EINVAL;
    sign_json_writer w;
    sign_json_writer_init(&w);
    sign_json_begin_object(&w);
    sign_json_key(&w, "file");
    sign_json_string(&w, file ? file : "");
    sign_json_key(&w, "format");
    sign_json_string_or_null(&w, report->format);
    sign_json_key(&w, "indication");
    if (report->error)
        sign_json_null(&w);
    else
        sign_json_string(&w, sign_indication_name(sign_report_indication(report)));
    sign_json_key(&w, "signatures");
    sign_json_begin_array(&w);
    for (size_t i = 0; i < report->count; i++)
        if (!report->sigs[i]->countersigned)
            sig_json(&w, report, report->sigs[i]);
    sign_json_end_array(&w);
    if (report->error) {
        sign_json_key(&w, "error");
        sign_json_string(&w, report->error);
    }
    sign_json_end_object(&w);
    *out = sign_json_writer_finish(&w);
    return *out ? SIGN_OK : SIGN_ENOMEM;
}
