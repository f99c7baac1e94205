/* The one validation process (libsign/validation/): the level table, the claimed signing time
 * against the validation time and the proof of existence, and which time-stamps prove that a
 * signature existed. The evidence is made by hand, as a format would hand it over; without a
 * signer there is no certificate path to validate, so these tests need no PKI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libsign/validation/blocks.h"

#define AT ((time_t)1780272000) /* 2026-06-01T00:00:00Z, the validation time */

struct fixture {
    sign_ctx *ctx;
    sign_report *report;
    sign_sig *sig;
    sign_evidence ev;
};

static int set_up(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f || sign_ctx_new(&f->ctx) != SIGN_OK || sign_ctx_set_time(f->ctx, AT) != SIGN_OK)
        return -1;
    f->report = sign_report_new();
    f->sig = f->report ? sign_report_add_sig(f->report) : NULL;
    sign_evidence_init(&f->ev, SIGN_FAMILY_CADES);
    *state = f;
    return f->sig ? 0 : -1;
}

static int tear_down(void **state)
{
    struct fixture *f = *state;
    sign_evidence_clear(&f->ev);
    sign_report_free(f->report);
    sign_ctx_free(f->ctx);
    free(f);
    return 0;
}

static sign_timestamp_result checked_timestamp(int valid, time_t gen_time)
{
    sign_timestamp_result result;
    memset(&result, 0, sizeof result);
    result.valid = valid;
    result.gen_time = gen_time;
    snprintf(result.tsa, sizeof result.tsa, "/CN=Test TSA");
    if (!valid)
        snprintf(result.why, sizeof result.why, "the timestamp's signature does not verify");
    return result;
}

static int has_warning(const sign_sig *sig, const char *text)
{
    for (size_t i = 0; i < sign_sig_warning_count(sig); i++)
        if (strcmp(sign_sig_warning(sig, i), text) == 0)
            return 1;
    return 0;
}

/* ---- the level table (level.c) ---- */

static void test_level_names_come_from_one_table_per_family(void **state)
{
    (void)state;
    assert_string_equal(sign_level_name(SIGN_FAMILY_CADES, SIGN_LEVEL_B_B), "CAdES-BASELINE-B");
    assert_string_equal(sign_level_name(SIGN_FAMILY_CADES, SIGN_LEVEL_B_LTA),
                        "CAdES-BASELINE-LTA");
    assert_string_equal(sign_level_name(SIGN_FAMILY_XADES, SIGN_LEVEL_B_T), "XAdES-BASELINE-T");
    assert_string_equal(sign_level_name(SIGN_FAMILY_PADES, SIGN_LEVEL_B_LT), "PAdES-BASELINE-LT");
    assert_string_equal(sign_level_not_baseline_name(SIGN_FAMILY_CADES), "CMS-NOT-ETSI");
    assert_string_equal(sign_level_not_baseline_name(SIGN_FAMILY_PADES), "CMS-NOT-ETSI");
    assert_string_equal(sign_level_not_baseline_name(SIGN_FAMILY_XADES), "XMLDSIG-NOT-ETSI");
}

static void test_level_is_b_without_a_proof_of_existence(void **state)
{
    (void)state;
    struct sign_level_facts facts = {.has_poe = 0, .validation_data_embedded = 1,
                                     .validation_data_timestamped = 1};
    assert_int_equal(sign_level_reached(&facts), SIGN_LEVEL_B_B);
}

static void test_level_is_t_when_validation_data_had_to_be_fetched(void **state)
{
    (void)state;
    struct sign_level_facts facts = {.has_poe = 1, .validation_data_embedded = 0,
                                     .validation_data_timestamped = 1};
    assert_int_equal(sign_level_reached(&facts), SIGN_LEVEL_B_T);
}

static void test_level_is_lt_when_validation_data_is_embedded(void **state)
{
    (void)state;
    struct sign_level_facts facts = {.has_poe = 1, .validation_data_embedded = 1};
    assert_int_equal(sign_level_reached(&facts), SIGN_LEVEL_B_LT);
}

static void test_level_is_lta_when_a_timestamp_covers_the_embedded_validation_data(void **state)
{
    (void)state;
    struct sign_level_facts facts = {.has_poe = 1, .validation_data_embedded = 1,
                                     .validation_data_timestamped = 1};
    assert_int_equal(sign_level_reached(&facts), SIGN_LEVEL_B_LTA);
}

static void test_signature_without_baseline_attributes_is_not_etsi_and_says_why(void **state)
{
    struct fixture *f = *state;
    f->ev.family = SIGN_FAMILY_XADES;
    f->ev.baseline_b_missing = "no SigningTime";
    sign_timestamp_result stamp = checked_timestamp(1, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &stamp, 0);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    /* a time-stamp does not make a signature without the B-B properties baseline T */
    assert_string_equal(sign_sig_level(f->sig), "XMLDSIG-NOT-ETSI");
    assert_true(has_warning(f->sig, "not a XAdES baseline signature: no SigningTime"));
}

static void test_signature_with_a_signature_timestamp_is_t_without_embedded_data(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result stamp = checked_timestamp(1, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &stamp, 0);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_string_equal(sign_sig_level(f->sig), "CAdES-BASELINE-T");
    assert_int_equal(sign_sig_warning_count(f->sig), 0);
}

/* ---- the claimed signing time (with_time.c) ---- */

static void test_claimed_time_after_validation_time_beyond_tolerance_warns(void **state)
{
    struct fixture *f = *state;
    f->ev.claimed_signing_time = AT + SIGN_CLOCK_SKEW_TOLERANCE + 1;
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_true(has_warning(f->sig, "the claimed signing time is after the validation time"));
}

static void test_claimed_time_after_validation_time_within_tolerance_does_not_warn(void **state)
{
    struct fixture *f = *state;
    f->ev.claimed_signing_time = AT + SIGN_CLOCK_SKEW_TOLERANCE;
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_int_equal(sign_sig_warning_count(f->sig), 0);
    assert_string_equal(sign_sig_level(f->sig), "CAdES-BASELINE-B");
}

static void test_claimed_time_after_the_signature_timestamp_warns(void **state)
{
    struct fixture *f = *state;
    f->ev.claimed_signing_time = AT - 3600 + SIGN_CLOCK_SKEW_TOLERANCE + 1;
    sign_timestamp_result stamp = checked_timestamp(1, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &stamp, 0);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_true(has_warning(f->sig, "the claimed signing time is after the signature timestamp"));
    assert_false(has_warning(f->sig, "the claimed signing time is after the validation time"));
}

static void test_unknown_claimed_time_is_not_compared(void **state)
{
    struct fixture *f = *state;
    sign_check_claimed_time(f->sig, (time_t)-1, AT, "the validation time");
    sign_check_claimed_time(f->sig, AT + 86400, (time_t)-1, "the signature timestamp");
    assert_int_equal(sign_sig_warning_count(f->sig), 0);
}

/* ---- time-stamps as proofs of existence (poe.c) ---- */

static void test_poe_is_the_earliest_valid_timestamp_not_after_the_validation_time(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result later = checked_timestamp(1, AT - 1000);
    sign_timestamp_result earlier = checked_timestamp(1, AT - 5000);
    sign_timestamp_result future = checked_timestamp(1, AT + 100);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &later, 0);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &future, 0);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &earlier, 0);
    assert_int_equal((long long)sign_timestamps_record(f->sig, &f->ev, SIGN_TIMESTAMP_SIGNATURE, AT),
                     (long long)(AT - 5000));
    assert_int_equal(sign_sig_timestamp_count(f->sig), 3);
    assert_true(has_warning(f->sig, "signature timestamp after the validation time: not used"));
}

static void test_invalid_timestamp_is_not_a_proof_of_existence(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result forged = checked_timestamp(0, AT - 9000);
    sign_timestamp_result genuine = checked_timestamp(1, AT - 1000);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &forged, 0);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &genuine, 0);
    assert_int_equal((long long)sign_timestamps_record(f->sig, &f->ev, SIGN_TIMESTAMP_SIGNATURE, AT),
                     (long long)(AT - 1000));
    assert_true(has_warning(f->sig, "signature timestamp not used: the timestamp's signature "
                                    "does not verify"));
    /* still reported, with its error */
    sign_timestamp_info ts;
    assert_int_equal(sign_sig_timestamp(&ts, f->sig, 0), SIGN_OK);
    assert_string_equal(ts.type, "signature");
    assert_false(ts.valid);
    assert_non_null(ts.error);
}

static void test_only_invalid_timestamps_leave_the_signature_at_b(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result forged = checked_timestamp(0, AT - 9000);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &forged, 0);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_string_equal(sign_sig_level(f->sig), "CAdES-BASELINE-B");
}

static void test_pdf_document_timestamp_proves_existence_and_is_reported_as_archive(void **state)
{
    struct fixture *f = *state;
    f->ev.family = SIGN_FAMILY_PADES;
    sign_timestamp_result stamp = checked_timestamp(1, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_DOCUMENT, &stamp, 1);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_string_equal(sign_sig_level(f->sig), "PAdES-BASELINE-T");
    sign_timestamp_info ts;
    assert_int_equal(sign_sig_timestamp(&ts, f->sig, 0), SIGN_OK);
    assert_string_equal(ts.type, "archive");
}

static void test_archive_timestamp_alone_does_not_make_baseline_t(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result stamp = checked_timestamp(1, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_ARCHIVE, &stamp, 1);
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_string_equal(sign_sig_level(f->sig), "CAdES-BASELINE-B");
    assert_int_equal(sign_sig_timestamp_count(f->sig), 1);
}

static void test_validation_data_is_timestamped_only_by_a_covering_usable_timestamp(void **state)
{
    struct fixture *f = *state;
    sign_timestamp_result usable = checked_timestamp(1, AT - 3600);
    sign_timestamp_result forged = checked_timestamp(0, AT - 3600);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_SIGNATURE, &usable, 0);
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_DOCUMENT, &usable, 0); /* before the DSS */
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_ARCHIVE, &forged, 1);
    assert_false(sign_validation_data_timestamped(&f->ev, AT));
    sign_evidence_add_timestamp(&f->ev, SIGN_TIMESTAMP_ARCHIVE, &usable, 1);
    assert_true(sign_validation_data_timestamped(&f->ev, AT));
    assert_false(sign_validation_data_timestamped(&f->ev, AT - 3601)); /* from the future */
}

static void test_timestamp_container_without_token_is_warned_not_reported(void **state)
{
    struct fixture *f = *state;
    f->ev.family = SIGN_FAMILY_XADES;
    sign_evidence_add_timestamp_without_token(&f->ev, SIGN_TIMESTAMP_ARCHIVE,
                                              "an ArchiveTimeStamp without EncapsulatedTimeStamp");
    sign_validate_signature(f->ctx, f->sig, &f->ev);
    assert_int_equal(sign_sig_timestamp_count(f->sig), 0);
    assert_true(has_warning(f->sig,
                            "an ArchiveTimeStamp without EncapsulatedTimeStamp: not used"));
    assert_string_equal(sign_sig_level(f->sig), "XAdES-BASELINE-B");
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, set_up, tear_down)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_level_names_come_from_one_table_per_family),
        TEST(test_level_is_b_without_a_proof_of_existence),
        TEST(test_level_is_t_when_validation_data_had_to_be_fetched),
        TEST(test_level_is_lt_when_validation_data_is_embedded),
        TEST(test_level_is_lta_when_a_timestamp_covers_the_embedded_validation_data),
        TEST(test_signature_without_baseline_attributes_is_not_etsi_and_says_why),
        TEST(test_signature_with_a_signature_timestamp_is_t_without_embedded_data),
        TEST(test_claimed_time_after_validation_time_beyond_tolerance_warns),
        TEST(test_claimed_time_after_validation_time_within_tolerance_does_not_warn),
        TEST(test_claimed_time_after_the_signature_timestamp_warns),
        TEST(test_unknown_claimed_time_is_not_compared),
        TEST(test_poe_is_the_earliest_valid_timestamp_not_after_the_validation_time),
        TEST(test_invalid_timestamp_is_not_a_proof_of_existence),
        TEST(test_only_invalid_timestamps_leave_the_signature_at_b),
        TEST(test_pdf_document_timestamp_proves_existence_and_is_reported_as_archive),
        TEST(test_archive_timestamp_alone_does_not_make_baseline_t),
        TEST(test_validation_data_is_timestamped_only_by_a_covering_usable_timestamp),
        TEST(test_timestamp_container_without_token_is_warned_not_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
