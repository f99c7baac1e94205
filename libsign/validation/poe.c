/* Time-stamps as proofs of existence (EN 319 102-1 5.4 time-stamp validation, 5.6.2.1 POE
 * extraction, simplified): a time-stamp that the format checked over the data it covers
 * (timestamp.c) proves that data existed at its time when it is valid and not after the
 * validation time. Every time-stamp is also recorded on the report, with the reason when it is
 * not used. Which kinds of time-stamp are the signature's proof of existence is the process's
 * decision (process.c). */
#include "libsign/validation/blocks.h"

/* How the report names a time-stamp (its type) and how a warning names it. A document
 * time-stamp is reported as an "archive" time-stamp of the signatures before it: it is the
 * PDF's archive time-stamp (EN 319 142-1 5.4.3), not a signature of its own. */
static const struct {
    const char *type, *label;
} timestamp_names[] = {
    [SIGN_TIMESTAMP_SIGNATURE] = {"signature", "signature"},
    [SIGN_TIMESTAMP_ARCHIVE] = {"archive", "archive"},
    [SIGN_TIMESTAMP_DOCUMENT] = {"archive", "document"},
};

int sign_timestamp_proves_existence(const sign_timestamp_result *result, time_t at)
{
    return result->valid && result->gen_time != (time_t)-1 && result->gen_time <= at;
}

/* Records ts on sig; returns whether it proves existence at at. */
static int record(sign_sig *sig, const sign_evidence_timestamp *ts, time_t at)
{
    if (ts->no_token) {
        sign_sig_warn(sig, "%s: not used", ts->no_token);
        return 0;
    }
    const char *label = timestamp_names[ts->kind].label;
    sign_sig_add_timestamp(sig, timestamp_names[ts->kind].type, &ts->result);
    if (!ts->result.valid) {
        sign_sig_warn(sig, "%s timestamp not used: %s", label, ts->result.why);
        return 0;
    }
    if (!sign_timestamp_proves_existence(&ts->result, at)) {
        sign_sig_warn(sig, "%s timestamp after the validation time: not used", label);
        return 0;
    }
    return 1;
}

time_t sign_timestamps_record(sign_sig *sig, const sign_evidence *ev,
                              enum sign_timestamp_kind kind, time_t at)
{
    time_t earliest = (time_t)-1;
    for (size_t i = 0; i < ev->timestamp_count; i++) {
        const sign_evidence_timestamp *ts = &ev->timestamps[i];
        if (ts->kind == kind && record(sig, ts, at) &&
            (earliest == (time_t)-1 || ts->result.gen_time < earliest))
            earliest = ts->result.gen_time;
    }
    return earliest;
}

int sign_validation_data_timestamped(const sign_evidence *ev, time_t at)
{
    for (size_t i = 0; i < ev->timestamp_count; i++) {
        const sign_evidence_timestamp *ts = &ev->timestamps[i];
        if (ts->kind != SIGN_TIMESTAMP_SIGNATURE && !ts->no_token && ts->covers_validation_data &&
            sign_timestamp_proves_existence(&ts->result, at))
            return 1;
    }
    return 0;
}
