/* What segl-verify prints: a human summary per file, the exit code rules, a progress line on a
 * terminal and the closing counts. JSON comes from libsign (sign_report_json). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../common/common.h"
#include "../common/i18n.h"
#include "verify.h"

/* ---- text as it may be printed ---- */

/* text to out as UTF-8: well-formed characters as they are (Danish names), control characters
 * and bytes that are no UTF-8 as \xNN, so that a name in a certificate or a file cannot move the
 * cursor, clear the screen or forge a line of its own. */
static void put_text(FILE *out, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                                   : (*p & 0xF8) == 0xF0 ? 4 : 0;
        unsigned long code = len == 1   ? *p
                             : len == 2 ? *p & 0x1Fu
                             : len == 3 ? *p & 0x0Fu
                                        : *p & 0x07u;
        size_t i = 1;
        for (; len > 1 && i < len && (p[i] & 0xC0) == 0x80; i++)
            code = code << 6 | (p[i] & 0x3Fu);
        static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
        int well_formed = len == 1 || (len > 1 && i == len && code >= least[len] &&
                                       code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF));
        int control = code < 0x20 || code == 0x7F || (code >= 0x80 && code <= 0x9F);
        if (!well_formed || control) {
            fprintf(out, "\\x%02X", *p);
            p++;
        } else {
            fwrite(p, 1, len, out);
            p += len;
        }
    }
}

/* The common name of an RFC 2253 name ("C=DK,O=...,CN=Name" gives "Name"), with its escapes
 * undone; the whole name when it has none. */
static void common_name(char *out, size_t size, const char *rfc2253)
{
    const char *cn = NULL;
    for (const char *p = rfc2253; *p; p++) {
        if ((p == rfc2253 || (p[-1] == ',' && (p - 1 == rfc2253 || p[-2] != '\\'))) &&
            strncmp(p, "CN=", 3) == 0)
            cn = p + 3;
        if (*p == '\\' && p[1])
            p++;
    }
    size_t n = 0;
    for (const char *p = cn ? cn : rfc2253; *p && n + 1 < size; p++) {
        if (cn && *p == ',')
            break;
        if (*p == '\\' && p[1])
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* A moment for people: "2026-05-01 14:30:00 UTC". */
static void moment_text(char out[32], time_t t)
{
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, 32, "?");
}

/* A day for people: "2026-03-02"; with the time of day when it is not midnight UTC. */
static void day_text(char out[32], time_t t)
{
    struct tm tm;
    if (t == (time_t)-1 || !gmtime_r(&t, &tm))
        snprintf(out, 32, "?");
    else if (tm.tm_hour || tm.tm_min || tm.tm_sec)
        strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        strftime(out, 32, "%Y-%m-%d", &tm);
}

/* ---- the verdict and why, in plain words ---- */

static const char *verdict_words(enum sign_indication indication)
{
    switch (indication) {
    case SIGN_TOTAL_PASSED: return _("valid");
    case SIGN_TOTAL_FAILED: return _("INVALID");
    case SIGN_INDETERMINATE: break;
    }
    return _("cannot be confirmed");
}

static int is_sub(const char *sub, const char *name) { return sub && strcmp(sub, name) == 0; }

/* Whether the certificate a cause names is the signer's own. */
static int is_signer(const sign_sig *sig, const char *certificate)
{
    const char *signer = sign_sig_signer_subject(sig);
    return !certificate || (signer && strcmp(signer, certificate) == 0);
}

/* Why a signature is not valid, in one sentence built from its sub-indication and the facts
 * the report keeps (EN 319 102-1 table 5 in a citizen's words). */
static void why_sentence(char *out, size_t size, const sign_sig *sig)
{
    const char *sub = sign_sig_subindication(sig);
    sign_sig_cause_info cause = {.kind = SIGN_CAUSE_NONE, .time = (time_t)-1};
    if (sign_sig_cause(&cause, sig) != SIGN_OK)
        cause = (sign_sig_cause_info){.kind = SIGN_CAUSE_NONE, .time = (time_t)-1};
    char day[32], ca[512];
    day_text(day, cause.kind != SIGN_CAUSE_NONE ? cause.time : (time_t)-1);
    const char *named =
        cause.kind == SIGN_CAUSE_NO_CHAIN ? cause.missing_issuer : cause.certificate;
    common_name(ca, sizeof ca, named ? named : "");
    int signer = is_signer(sig, cause.certificate);
    const char *modification = sign_sig_modification(sig);
    switch (cause.kind) {
    case SIGN_CAUSE_REVOKED:
        if (signer && is_sub(sub, "REVOKED"))
            snprintf(out, size,
                     _("the signer's certificate was revoked on %s, before the signature is "
                       "proven to exist"), day);
        else if (signer)
            snprintf(out, size, _("the signer's certificate was revoked on %s, and nothing proves "
                                  "that the signature was made before that"), day);
        else
            snprintf(out, size, _("the certificate of %s was revoked on %s"), ca, day);
        return;
    case SIGN_CAUSE_EXPIRED:
        if (signer)
            snprintf(out, size, _("the signer's certificate expired on %s, and no timestamp proves "
                                  "that the signature was made before that"), day);
        else
            snprintf(out, size, _("the certificate of %s expired on %s, and no timestamp proves "
                                  "that the signature was made before that"), ca, day);
        return;
    case SIGN_CAUSE_NOT_YET_VALID:
        if (signer)
            snprintf(out, size, _("the signer's certificate is valid only from %s"), day);
        else
            snprintf(out, size, _("the certificate of %s is valid only from %s"), ca, day);
        return;
    case SIGN_CAUSE_NO_CHAIN:
        if (ca[0]) {
            snprintf(out, size, _("the certificate of %s is not trusted here: add it with --trust"),
                     ca);
            return;
        }
        break;
    case SIGN_CAUSE_NONE: break;
    }
    const char *sentence = NULL;
    if (is_sub(sub, "HASH_FAILURE"))
        sentence = _("the document was changed after it was signed");
    else if (is_sub(sub, "SIG_CRYPTO_FAILURE"))
        sentence = _("the signature does not match the signer's certificate: it is damaged or "
                     "forged");
    else if (is_sub(sub, "FORMAT_FAILURE") && modification &&
             strcmp(modification, "disallowed") == 0)
        sentence = _("the document was changed after it was signed, in a way the signature does "
                     "not allow");
    else if (is_sub(sub, "FORMAT_FAILURE"))
        sentence = _("the signature is damaged or not made as its standard requires");
    else if (is_sub(sub, "NO_CERTIFICATE_CHAIN_FOUND"))
        sentence = _("no certificate authority is trusted here: give one with --trust");
    else if (is_sub(sub, "SIGNED_DATA_NOT_FOUND"))
        sentence = _("the signed document was not found: give it with --content FILE");
    else if (is_sub(sub, "TRY_LATER"))
        sentence =
            _("whether the certificates were revoked could not be checked: try again later");
    else if (is_sub(sub, "NO_SIGNING_CERTIFICATE_FOUND"))
        sentence = _("the signer's certificate is not in the file");
    else if (is_sub(sub, "CHAIN_CONSTRAINTS_FAILURE"))
        sentence = _("a certificate of the signer's chain may not be used for this signature");
    else if (is_sub(sub, "CERTIFICATE_CHAIN_GENERAL_FAILURE"))
        sentence = _("the signer's chain of certificates is broken");
    else if (sub && strncmp(sub, "CRYPTO_CONSTRAINTS_FAILURE", 26) == 0)
        sentence = _("the signature uses an algorithm too weak to be trusted");
    else if (is_sub(sub, "SIG_CONSTRAINTS_FAILURE"))
        sentence = _("the signature lacks something its rules require");
    else if (is_sub(sub, "NOT_YET_VALID"))
        sentence = _("the signer's certificate was not yet valid");
    else if (sub && strncmp(sub, "REVOKED", 7) == 0)
        sentence = _("a certificate of the signer's chain was revoked");
    else if (sign_sig_indication(sig) == SIGN_TOTAL_FAILED)
        sentence = _("the signature is not valid");
    else
        sentence = _("the signature could not be confirmed");
    snprintf(out, size, "%s", sentence);
}

/* The words for an OCES certificate kind (libsign's names are the JSON's). */
static const char *kind_words(const char *kind)
{
    static const char *const kinds[] = {N_("person"), N_("employee"), N_("organisation"),
                                        N_("function")};
    (void)kinds; /* listed for xgettext: the names libsign gives */
    return _(kind);
}

/* What a signature covers: libsign's words, translated where the catalogue knows them. */
static const char *covered_words(const char *covered)
{
    static const char *const known[] = {N_("the whole document")};
    (void)known; /* listed for xgettext: the fixed texts libsign gives */
    return _(covered);
}

static void print_signer(FILE *out, const char *indent, const sign_sig *sig)
{
    const sign_oces_id *oces = sign_sig_signer_oces(sig);
    if (!oces)
        return;
    const char *kind = sign_oces_kind_name(oces->kind);
    fprintf(out, "%s%s ", indent, _("signed by:"));
    put_text(out, oces->common_name[0] ? oces->common_name : sign_sig_signer_subject(sig));
    if (kind) {
        fprintf(out, " (%s", kind_words(kind));
        if (oces->cvr[0])
            fprintf(out, ", CVR %s", oces->cvr);
        fputs(", ", out);
        put_text(out, oces->serial_number);
        if (oces->test)
            fprintf(out, ", %s", _("test certificate"));
        fputs(")", out);
    } else if (oces->serial_number[0]) {
        fputs(" (serialNumber ", out);
        put_text(out, oces->serial_number);
        fputs(")", out);
    }
    fputs("\n", out);
}

/* When it was signed: the signer's claim, and whether a valid timestamp proves the signature
 * existed (the earliest one, the strongest proof). Timestamps that are not valid follow. */
static void print_when(FILE *out, const char *indent, const sign_sig *sig)
{
    time_t proven = (time_t)-1;
    for (size_t t = 0; t < sign_sig_timestamp_count(sig); t++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, t) == SIGN_OK && ts.valid && ts.time != (time_t)-1 &&
            (proven == (time_t)-1 || ts.time < proven))
            proven = ts.time;
    }
    time_t claimed = sign_sig_signing_time(sig);
    char claimed_text[32], proven_text[32];
    moment_text(claimed_text, claimed);
    moment_text(proven_text, proven);
    fprintf(out, "%s%s ", indent, _("signed:"));
    if (claimed != (time_t)-1 && proven != (time_t)-1)
        fprintf(out, _("%s, as the signer claims; a timestamp proves that the signature existed "
                       "at %s"), claimed_text, proven_text);
    else if (claimed != (time_t)-1)
        fprintf(out, _("%s, as the signer claims (no timestamp proves it)"), claimed_text);
    else if (proven != (time_t)-1)
        fprintf(out, _("before %s, as a timestamp proves"), proven_text);
    else
        fputs(_("no time given"), out);
    fputs("\n", out);
    for (size_t t = 0; t < sign_sig_timestamp_count(sig); t++) {
        sign_timestamp_info ts;
        if (sign_sig_timestamp(&ts, sig, t) != SIGN_OK || ts.valid)
            continue;
        fprintf(out, "%s%s ", indent, _("detail:"));
        fprintf(out, strcmp(ts.type, "archive") == 0 ? _("archive timestamp not valid: ")
                                                     : _("signature timestamp not valid: "));
        put_text(out, ts.error ? ts.error : "?");
        fputs("\n", out);
    }
}

/* What changed after signing (PAdES), unless the signature itself is broken: "no changes"
 * beside a changed byte would contradict the verdict. */
static void print_changes(FILE *out, const char *indent, const sign_sig *sig)
{
    const char *modification = sign_sig_modification(sig);
    const char *sub = sign_sig_subindication(sig);
    if (!modification || is_sub(sub, "HASH_FAILURE") || is_sub(sub, "SIG_CRYPTO_FAILURE"))
        return;
    const char *words = strcmp(modification, "none") == 0 ? _("none")
                        : strcmp(modification, "allowed") == 0
                            ? _("only additions a signed PDF allows (signatures, validation data, "
                                "form filling)")
                            : _("changes that are not allowed");
    fprintf(out, "%s%s %s\n", indent, _("changes after signing:"), words);
}

/* OpenSign, NemLog-in: the start of the sign text the signer was shown, on one line (white
 * space and HTML tags folded, cut on a character boundary), and the properties shown with it. */
static void print_sign_text(FILE *out, const char *indent, const sign_sig *sig)
{
    const char *mime = sign_sig_sign_text_mime(sig);
    if (!mime)
        return;
    const char *text = sign_sig_sign_text(sig);
    char excerpt[80];
    size_t used = 0;
    int in_tag = 0, space = 0, html = strcmp(mime, "text/html") == 0, cut = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if (html && *p == '<')
            in_tag = 1;
        if (in_tag) {
            in_tag = *p != '>';
            space = 1;
            continue;
        }
        if (*p < 0x20 || *p == ' ') {
            space = 1;
            continue;
        }
        size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
        for (size_t k = 1; k < n; k++)
            if ((p[k] & 0xc0) != 0x80)
                n = k; /* not UTF-8: what there is (put_text escapes it) */
        if (used + n + (space && used) > 60) {
            cut = 1;
            break;
        }
        if (space && used)
            excerpt[used++] = ' ';
        space = 0;
        memcpy(excerpt + used, p, n);
        used += n;
        p += n - 1;
    }
    excerpt[used] = 0;
    fprintf(out, "%s%s (%s): ", indent, _("sign text"), mime);
    put_text(out, text ? excerpt : _("(not text)"));
    fprintf(out, "%s\n", cut ? "..." : "");
    for (size_t i = 0; i < sign_sig_property_count(sig); i++) {
        fprintf(out, "%s", indent);
        put_text(out, sign_sig_property_name(sig, i));
        fputs(": ", out);
        put_text(out, sign_sig_property_value(sig, i));
        fputc('\n', out);
    }
}

static void print_sig(FILE *out, const char *indent, const sign_sig *sig)
{
    enum sign_indication indication = sign_sig_indication(sig);
    const char *sub = sign_sig_subindication(sig);
    const char *level = sign_sig_level(sig);
    if (indication != SIGN_TOTAL_PASSED) {
        char why[1024];
        why_sentence(why, sizeof why, sig);
        fprintf(out, "%s%s ", indent, _("why:"));
        put_text(out, why);
        fputs("\n", out);
    }
    /* the codes for the clerk, as in JSON and the ETSI report */
    fprintf(out, "%sETSI: %s%s%s%s%s, ", indent, sign_indication_name(indication), sub ? "/" : "",
            sub ? sub : "", level ? ", " : "", level ? level : "");
    fprintf(out, _("signature %s"), sign_sig_id(sig));
    fputs("\n", out);
    print_signer(out, indent, sig);
    print_when(out, indent, sig);
    for (size_t c = 0; c < sign_sig_covered_count(sig); c++) {
        fprintf(out, "%s%s ", indent, _("covers:"));
        put_text(out, covered_words(sign_sig_covered(sig, c)));
        fputs("\n", out);
    }
    print_sign_text(out, indent, sig);
    print_changes(out, indent, sig);
    for (size_t e = 0; e < sign_sig_error_count(sig); e++) {
        fprintf(out, "%s%s ", indent, _("detail:"));
        put_text(out, sign_sig_error(sig, e));
        fputs("\n", out);
    }
    for (size_t w = 0; w < sign_sig_warning_count(sig); w++) {
        fprintf(out, "%s%s ", indent, _("warning:"));
        put_text(out, sign_sig_warning(sig, w));
        fputs("\n", out);
    }
}

/* The counter-signatures of parent (XAdES), each under the signature it signs, one level
 * deeper, with its own verdict and lines. */
static void print_counter_signatures(FILE *out, const sign_report *report, const sign_sig *parent,
                                     const char *indent)
{
    char deeper[64];
    snprintf(deeper, sizeof deeper, "%s  ", indent);
    for (size_t i = 0; i < sign_report_count(report); i++) {
        const sign_sig *sig = sign_report_sig(report, i);
        if (sign_sig_countersigned(sig) != parent)
            continue;
        fputs(indent, out);
        fprintf(out, _("counter-signature %s: %s"), sign_sig_id(sig),
                verdict_words(sign_sig_indication(sig)));
        fputs("\n", out);
        print_sig(out, deeper, sig);
        print_counter_signatures(out, report, sig, deeper);
    }
}

void print_human(FILE *out, const struct job *job)
{
    const sign_report *report = job->report;
    size_t count = sign_report_count(report), signatures = 0;
    for (size_t i = 0; i < count; i++) /* of the document: counter-signatures come under them */
        signatures += !sign_sig_countersigned(sign_report_sig(report, i));
    put_text(out, job->name);
    if (count == 0) {
        fprintf(out, ": %s\n", _("no signature found"));
        return;
    }
    fprintf(out, ": %s\n", verdict_words(sign_report_indication(report)));
    for (size_t i = 0, number = 0; i < count; i++) {
        const sign_sig *sig = sign_report_sig(report, i);
        if (sign_sig_countersigned(sig))
            continue;
        const char *indent = "  ";
        if (signatures > 1) {
            fprintf(out, "  ");
            fprintf(out, _("signature %zu of %zu: %s"), ++number, signatures,
                    verdict_words(sign_sig_indication(sig)));
            fputs("\n", out);
            indent = "    ";
        }
        print_sig(out, indent, sig);
        print_counter_signatures(out, report, sig, indent);
    }
}

int file_status(const sign_report *report)
{
    if (!report || sign_report_error(report))
        return EXIT_USAGE;
    if (sign_report_count(report) == 0)
        return EXIT_INDETERMINATE;
    switch (sign_report_indication(report)) {
    case SIGN_TOTAL_PASSED: return EXIT_PASSED;
    case SIGN_TOTAL_FAILED: return EXIT_FAILED;
    default: return EXIT_INDETERMINATE;
    }
}

int worse_status(int a, int b)
{
    static const int rank[] = {[EXIT_PASSED] = 0, [EXIT_INDETERMINATE] = 1, [EXIT_FAILED] = 2,
                               [EXIT_USAGE] = 3, [EXIT_SOFTWARE] = 4};
    return rank[b] > rank[a] ? b : a;
}

struct progress {
    size_t total;
    struct timespec start, last;
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

struct progress *progress_new(size_t total)
{
    static struct progress progress; /* one per process; NULL unless stderr is a terminal */
    if (total < 2 || !isatty(STDERR_FILENO))
        return NULL;
    progress.total = total;
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    progress.last = progress.start;
    return &progress;
}

void progress_update(struct progress *progress, size_t done)
{
    if (!progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (done < progress->total && seconds_between(&progress->last, &now) < 0.2)
        return; /* a terminal redrawn more than 5 times a second is only noise */
    progress->last = now;
    double elapsed = seconds_between(&progress->start, &now);
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(progress->total - done) / rate : 0;
    fputs("\r\033[K", stderr);
    fprintf(stderr, _("%zu/%zu files, %.0f files/s, ETA %.0f s"), done, progress->total, rate,
            eta);
    fflush(stderr);
}

void progress_end(struct progress *progress)
{
    if (progress)
        fprintf(stderr, "\r\033[K");
}

void summary_add(struct summary *summary, const sign_report *report)
{
    if (!report || sign_report_error(report))
        summary->unreadable++;
    else if (sign_report_count(report) == 0)
        summary->no_signature++;
    else if (sign_report_indication(report) == SIGN_TOTAL_PASSED)
        summary->passed++;
    else if (sign_report_indication(report) == SIGN_TOTAL_FAILED)
        summary->failed++;
    else
        summary->indeterminate++;
}

void summary_print(const struct summary *s, const char *prog)
{
    fprintf(stderr,
            _("%s: %zu files: %zu TOTAL_PASSED, %zu TOTAL_FAILED, %zu INDETERMINATE, "
              "%zu without signature, %zu unreadable\n"),
            prog, s->passed + s->failed + s->indeterminate + s->no_signature + s->unreadable,
            s->passed, s->failed, s->indeterminate, s->no_signature, s->unreadable);
}
