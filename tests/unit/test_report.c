/* The validation result model: worst-verdict rules (EN 319 102-1) and the JSON contract that
 * segl-verify --json prints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <libxml/parser.h>
#include "internal.h"

static void test_first_reason_for_the_worst_verdict_is_kept(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    sign_sig *sig = sign_report_add_sig(report);
    assert_int_equal(sign_sig_indication(sig), SIGN_TOTAL_PASSED);
    assert_null(sign_sig_subindication(sig));
    sign_sig_fail(sig, SIGN_INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND", "no chain");
    sign_sig_fail(sig, SIGN_TOTAL_FAILED, "HASH_FAILURE", "hash %d", 1);
    sign_sig_fail(sig, SIGN_TOTAL_FAILED, "SIG_CRYPTO_FAILURE", "crypto");
    sign_sig_fail(sig, SIGN_INDETERMINATE, "TRY_LATER", "later");
    assert_int_equal(sign_sig_indication(sig), SIGN_TOTAL_FAILED);
    assert_string_equal(sign_sig_subindication(sig), "HASH_FAILURE");
    assert_int_equal(sign_sig_error_count(sig), 4);
    assert_string_equal(sign_sig_error(sig, 1), "hash 1");
    sign_report_free(report);
}

static void test_file_verdict_is_the_worst_signature(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    assert_int_equal(sign_report_indication(report), SIGN_INDETERMINATE); /* no signature */
    sign_report_add_sig(report);
    assert_int_equal(sign_report_indication(report), SIGN_TOTAL_PASSED);
    sign_sig_fail(sign_report_add_sig(report), SIGN_INDETERMINATE, "TRY_LATER", "x");
    assert_int_equal(sign_report_indication(report), SIGN_INDETERMINATE);
    sign_sig_fail(sign_report_add_sig(report), SIGN_TOTAL_FAILED, "FORMAT_FAILURE", "x");
    assert_int_equal(sign_report_indication(report), SIGN_TOTAL_FAILED);
    sign_report_free(report);
}

static void test_json_has_the_documented_fields(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    sign_report_set_format(report, "cades");
    sign_sig *sig = sign_report_add_sig(report);
    sign_sig_set_level(sig, "CAdES-BASELINE-B");
    sign_sig_set_signing_time(sig, 1780272000);
    sign_sig_warn(sig, "careful");
    sign_sig_info(sig, "for the record");
    char *text = NULL;
    assert_int_equal(sign_report_json(&text, report, "a.p7s"), SIGN_OK);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "file")), "a.p7s");
    assert_string_equal(json_string_value(json_object_get(root, "format")), "cades");
    assert_string_equal(json_string_value(json_object_get(root, "indication")), "TOTAL_PASSED");
    json_t *first = json_array_get(json_object_get(root, "signatures"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "level")), "CAdES-BASELINE-B");
    assert_string_equal(json_string_value(json_object_get(first, "signing_time")),
                        "2026-06-01T00:00:00Z");
    assert_true(json_is_null(json_object_get(first, "subindication")));
    assert_true(json_is_null(json_object_get(first, "signer")));
    assert_int_equal(json_array_size(json_object_get(first, "warnings")), 1);
    json_t *info = json_object_get(first, "info");
    assert_int_equal(json_array_size(info), 1);
    assert_string_equal(json_string_value(json_array_get(info, 0)), "for the record");
    assert_int_equal(json_array_size(json_object_get(first, "errors")), 0);
    json_decref(root);
    free(text);
    sign_report_free(report);
}

static void test_cause_is_kept_only_for_the_subindication_shown(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    sign_sig *sig = sign_report_add_sig(report);
    sign_sig_cause_info cause;
    assert_int_equal(sign_sig_cause(&cause, sig), SIGN_OK);
    assert_int_equal(cause.kind, SIGN_CAUSE_NONE);
    assert_true(cause.time == (time_t)-1);
    sign_sig_fail(sig, SIGN_INDETERMINATE, "REVOKED_NO_POE", "revoked");
    /* a cause for a sub-indication the signature does not show is not recorded */
    sign_sig_set_cause(sig, "OUT_OF_BOUNDS_NO_POE", SIGN_CAUSE_EXPIRED, 1, NULL, NULL);
    assert_int_equal(sign_sig_cause(&cause, sig), SIGN_OK);
    assert_int_equal(cause.kind, SIGN_CAUSE_NONE);
    sign_sig_set_cause(sig, "REVOKED_NO_POE", SIGN_CAUSE_REVOKED, 1780272000, NULL, NULL);
    sign_sig_set_cause(sig, "REVOKED_NO_POE", SIGN_CAUSE_REVOKED, 1, NULL, NULL); /* first kept */
    assert_int_equal(sign_sig_cause(&cause, sig), SIGN_OK);
    assert_int_equal(cause.kind, SIGN_CAUSE_REVOKED);
    assert_true(cause.time == 1780272000);
    assert_null(cause.certificate);
    assert_null(cause.missing_issuer);
    assert_int_equal(sign_sig_info_count(sig), 0);
    sign_report_free(report);
}

/* "kind" follows "id" in every signature object: "signature" unless a format set it. */
static void test_kind_is_signature_unless_set_and_follows_id(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    sign_report_set_format(report, "pades");
    sign_sig *sig = sign_report_add_sig(report);
    sign_sig *ts = sign_report_add_sig(report);
    sign_sig_set_kind(ts, "timestamp");
    assert_string_equal(sign_sig_kind(sig), "signature");
    assert_string_equal(sign_sig_kind(ts), "timestamp");
    char *text = NULL;
    assert_int_equal(sign_report_json(&text, report, "a.pdf"), SIGN_OK);
    assert_non_null(strstr(text, "{\"id\":\"sig-1\",\"kind\":\"signature\","));
    assert_non_null(strstr(text, "{\"id\":\"sig-2\",\"kind\":\"timestamp\","));
    free(text);
    sign_report_free(report);
}

static void test_unreadable_file_has_error_and_null_indication(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    sign_report_set_error(report, "empty file");
    char *text = NULL;
    assert_int_equal(sign_report_json(&text, report, "\xff\xfe-not-utf8"), SIGN_OK);
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    assert_true(json_is_null(json_object_get(root, "indication")));
    assert_string_equal(json_string_value(json_object_get(root, "error")), "empty file");
    assert_string_equal(json_string_value(json_object_get(root, "file")), "?" "?-not-utf8");
    json_decref(root);
    free(text);
    sign_report_free(report);
}

/* TS 119 102-2 report: odd bytes in messages, ids and the file name never make it ill-formed,
 * and an id two signatures share is given as an xs:ID only once. */
static void test_etsi_report_is_well_formed_whatever_the_text(void **state)
{
    (void)state;
    sign_report *report = sign_report_new();
    for (int i = 0; i < 2; i++) {
        sign_sig *sig = sign_report_add_sig(report);
        sign_sig_set_id(sig, "dup");
        sign_sig_fail(sig, SIGN_TOTAL_FAILED, "HASH_FAILURE", "bad \xff\xfe utf-8, \x01 <&]]> %d", i);
    }
    sign_sig *odd = sign_report_add_sig(report);
    sign_sig_set_id(odd, "not an id");
    char *xml = NULL;
    size_t len = 0;
    assert_int_equal(sign_report_etsi_xml(&xml, &len, report, "odd--name\xc3-", 0), SIGN_OK);
    assert_int_equal(strlen(xml), len);
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "report.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    assert_non_null(strstr(xml, "<SignatureIdentifier id=\"dup\">"));
    assert_non_null(strstr(strstr(xml, "id=\"dup\"") + 1, "<SignatureIdentifier>"));
    assert_null(strstr(xml, "id=\"not an id\""));
    assert_non_null(strstr(xml, "urn:etsi:019102:subindication:HASH_FAILURE"));
    free(xml);
    sign_report_free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_reason_for_the_worst_verdict_is_kept),
        cmocka_unit_test(test_file_verdict_is_the_worst_signature),
        cmocka_unit_test(test_json_has_the_documented_fields),
        cmocka_unit_test(test_cause_is_kept_only_for_the_subindication_shown),
        cmocka_unit_test(test_kind_is_signature_unless_set_and_follows_id),
        cmocka_unit_test(test_unreadable_file_has_error_and_null_indication),
        cmocka_unit_test(test_etsi_report_is_well_formed_whatever_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
