/* RFC 3339 parsing and formatting, as used by --at and --signing-time and in reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libsign/sign.h>

static void test_utc_time_is_parsed(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(sign_parse_time(&t, "2026-06-01T00:00:00Z"), SIGN_OK);
    assert_int_equal((long long)t, 1780272000LL);
}

static void test_offset_is_applied(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(sign_parse_time(&t, "2026-06-01T02:00:00+02:00"), SIGN_OK);
    assert_int_equal((long long)t, 1780272000LL);
    assert_int_equal(sign_parse_time(&t, "2026-05-31T23:30:00-00:30"), SIGN_OK);
    assert_int_equal((long long)t, 1780272000LL);
}

static void test_date_means_midnight_utc(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(sign_parse_time(&t, "2026-06-01"), SIGN_OK);
    assert_int_equal((long long)t, 1780272000LL);
}

static void test_fractions_are_dropped(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(sign_parse_time(&t, "2026-06-01T00:00:00.999Z"), SIGN_OK);
    assert_int_equal((long long)t, 1780272000LL);
}

static void test_malformed_times_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "yesterday", "2026-13-01", "2026-06-01T25:00:00Z",
                                      "2026-06-01T00:00:00", "2026-06-01T00:00:00+0200",
                                      "2026-06-01T00:00:00Zjunk", "2026-6-1", "2026-06-01T00:00:00.Z",
                                      "2026-06-01T00:60:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t = 42;
        assert_int_equal(sign_parse_time(&t, bad[i]), SIGN_EINVAL);
        assert_int_equal((long long)t, 42LL);
    }
    assert_int_equal(sign_parse_time(NULL, "2026-06-01"), SIGN_EINVAL);
}

static void test_format_round_trips(void **state)
{
    (void)state;
    char text[21];
    sign_format_time(text, 1780272000);
    assert_string_equal(text, "2026-06-01T00:00:00Z");
    time_t back;
    assert_int_equal(sign_parse_time(&back, text), SIGN_OK);
    assert_int_equal((long long)back, 1780272000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_time_is_parsed),
        cmocka_unit_test(test_offset_is_applied),
        cmocka_unit_test(test_date_means_midnight_utc),
        cmocka_unit_test(test_fractions_are_dropped),
        cmocka_unit_test(test_malformed_times_are_refused),
        cmocka_unit_test(test_format_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
