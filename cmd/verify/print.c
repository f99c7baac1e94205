/* What segl-verify prints: a human summary per file, the exit code rules, a progress line on a
 * terminal and the closing counts. JSON comes from libsign (sign_report_json). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../common/common.h"
#include "verify.h"

/* One signature at indent (2 spaces a level), then its counter-signatures one level deeper. */
static void print_sig(FILE *out, const sign_report *report, const sign_sig *sig, int indent)
{
    size_t count = sign_report_count(report);
    int in = indent; /* the signature's line; its details two spaces deeper */
    const char *sub = sign_sig_subindication(sig);
    const char *level = sign_sig_level(sig);
    fprintf(out, "%*s%s%s: %s%s%s%s%s\n", in, "", sign_sig_countersigned(sig) ? "counter-signature " : "",
            sign_sig_id(sig), sign_indication_name(sign_sig_indication(sig)), sub ? "/" : "",
            sub ? sub : "", level ? ", " : "", level ? level : "");
    const sign_oces_id *oces = sign_sig_signer_oces(sig);
    if (oces) {
        const char *kind = sign_oces_kind_name(oces->kind);
        fprintf(out, "%*s  signer: %s", in, "",
               oces->common_name[0] ? oces->common_name : sign_sig_signer_subject(sig));
        if (kind)
            fprintf(out, " (%s%s%s, %s%s)", kind, oces->cvr[0] ? ", CVR " : "", oces->cvr,
                   oces->serial_number, oces->test ? ", test certificate" : "");
        else if (oces->serial_number[0])
            fprintf(out, " (serialNumber %s)", oces->serial_number);
        fprintf(out, "\n");
    }
    time_t when = sign_sig_signing_time(sig);
    if (when != (time_t)-1) {
        char text[21];
        sign_format_time(text, when);
        fprintf(out, "%*s  signing time: %s (claimed by the signer)\n", in, "", text);
    }
    for (size_t c = 0; c < sign_sig_covered_count(sig); c++)
        fprintf(out, "%*s  covers: %s\n", in, "", sign_sig_covered(sig, c));
    for (size_t t = 0; t < sign_sig_timestamp_count(sig); t++) {
        sign_timestamp_info ts;
        char text[21] = "unknown time";
        if (sign_sig_timestamp(&ts, sig, t) == SIGN_OK) {
            if (ts.time != (time_t)-1)
                sign_format_time(text, ts.time);
            fprintf(out, "%*s  %s timestamp: %s%s\n", in, "", ts.type, text, ts.valid ? "" : " (not valid)");
        }
    }
    if (sign_sig_modification(sig))
        fprintf(out, "%*s  changes after signing: %s\n", in, "", sign_sig_modification(sig));
    for (size_t e = 0; e < sign_sig_error_count(sig); e++)
        fprintf(out, "%*s  error: %s\n", in, "", sign_sig_error(sig, e));
    /* libsign names no option in its messages: the remedy in this command's words. */
    if (sub && strcmp(sub, "SIGNED_DATA_NOT_FOUND") == 0)
        fprintf(out, "%*s  hint: give the signed content with --content FILE\n", in, "");
    for (size_t w = 0; w < sign_sig_warning_count(sig); w++)
        fprintf(out, "%*s  warning: %s\n", in, "", sign_sig_warning(sig, w));
    for (size_t i = 0; i < count; i++)
        if (sign_sig_countersigned(sign_report_sig(report, i)) == sig)
            print_sig(out, report, sign_report_sig(report, i), indent + 2);
}

void print_human(FILE *out, const struct job *job)
{
    const sign_report *report = job->report;
    size_t count = sign_report_count(report);
    if (count == 0) {
        fprintf(out, "%s: no signature found\n", job->name);
        return;
    }
    fprintf(out, "%s: %s\n", job->name, sign_indication_name(sign_report_indication(report)));
    for (size_t i = 0; i < count; i++)
        if (!sign_sig_countersigned(sign_report_sig(report, i)))
            print_sig(out, report, sign_report_sig(report, i), 2);
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
    fprintf(stderr, "\r\033[K%zu/%zu files, %.0f files/s, ETA %.0f s", done, progress->total, rate,
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
            "%s: %zu files: %zu TOTAL_PASSED, %zu TOTAL_FAILED, %zu INDETERMINATE, "
            "%zu without signature, %zu unreadable\n",
            prog, s->passed + s->failed + s->indeterminate + s->no_signature + s->unreadable,
            s->passed, s->failed, s->indeterminate, s->no_signature, s->unreadable);
}
