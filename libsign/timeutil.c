/* RFC 3339 times, as used by --at and in reports. */
#define _DEFAULT_SOURCE /* timegm */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "internal.h"

static int digits(const char *s, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return 0;
}

SIGN_EXTERN int sign_parse_time(time_t *out, const char *text)
{
    if (!out || !text)
        return SIGN_EINVAL;
    struct tm tm = {0};
    int year, mon, day, hour = 0, min = 0, sec = 0;
    size_t len = strlen(text);
    if (len < 10 || digits(text, 4, &year) || text[4] != '-' || digits(text + 5, 2, &mon) ||
        text[7] != '-' || digits(text + 8, 2, &day))
        return SIGN_EINVAL;
    long offset = 0;
    const char *p = text + 10;
    if (*p) {
        if ((*p != 'T' && *p != 't' && *p != ' ') || digits(p + 1, 2, &hour) || p[3] != ':' ||
            digits(p + 4, 2, &min) || p[6] != ':' || digits(p + 7, 2, &sec))
            return SIGN_EINVAL;
        p += 9;
        if (*p == '.') { /* fractions of a second are accepted and dropped */
            p++;
            if (!isdigit((unsigned char)*p))
                return SIGN_EINVAL;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
            offset = 0;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
            int oh, om;
            if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
                return SIGN_EINVAL;
            offset = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
        } else {
            return SIGN_EINVAL;
        }
    }
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return SIGN_EINVAL;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return SIGN_EINVAL;
    *out = t - offset;
    return SIGN_OK;
}

SIGN_EXTERN void sign_format_time(char buf[21], time_t t)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 21, "invalid-time");
}

int sign_time_from_asn1(time_t *out, const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return SIGN_EPARSE;
    time_t value = timegm(&tm);
    if (value == (time_t)-1)
        return SIGN_EPARSE;
    *out = value;
    return SIGN_OK;
}
