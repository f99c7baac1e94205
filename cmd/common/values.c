/* The values several commands' options take, parsed once so that they read the same in every
 * segl-* command. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "common.h"
#include "options.h"

/* A whole decimal number from min to max, or -1. */
static int parse_count(const char *text, long min, long max, long *out)
{
    char *end;
    long value = strtol(text, &end, 10);
    if (end == text || *end || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

int cmd_parse_timeout(const char *prog, const char *text, long *seconds)
{
    if (parse_count(text, 1, 3600, seconds) == 0)
        return 0;
    cmd_error(prog, NULL, "--timeout: '%s' is not a number of seconds (1-3600)", text);
    return -1;
}

int cmd_parse_jobs(const char *prog, const char *text, int max, int *jobs)
{
    long value;
    if (parse_count(text, 1, max, &value) == 0) {
        *jobs = (int)value;
        return 0;
    }
    cmd_error(prog, NULL, "-j: '%s' is not a number of jobs (1-%d)", text, max);
    return -1;
}

int cmd_parse_choice(const char *prog, const char *what, const char *text,
                     const struct cmd_choice *choices, int *value)
{
    for (const struct cmd_choice *choice = choices; choice->name; choice++)
        if (strcasecmp(text, choice->name) == 0) {
            *value = choice->value;
            return 0;
        }
    char names[256] = "";
    size_t used = 0;
    for (const struct cmd_choice *choice = choices; choice->name && used < sizeof names; choice++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                 choice == choices ? "" : ", ", choice->name);
    cmd_error(prog, NULL, "unknown %s '%s' (%s)", what, text, names);
    return -1;
}

int cmd_parse_level(const char *prog, const char *text, enum sign_level lowest,
                    enum sign_level *level)
{
    /* The ETSI baseline levels as users type them, from the lowest up. */
    static const struct cmd_choice levels[] = {
        {"B-B", SIGN_LEVEL_B_B},
        {"B-T", SIGN_LEVEL_B_T},
        {"B-LT", SIGN_LEVEL_B_LT},
        {"B-LTA", SIGN_LEVEL_B_LTA},
        {NULL, 0},
    };
    const struct cmd_choice *allowed = levels;
    while (allowed->name && allowed->value != (int)lowest)
        allowed++;
    int value;
    if (cmd_parse_choice(prog, "level", text, allowed, &value) != 0)
        return -1;
    *level = (enum sign_level)value;
    return 0;
}

int cmd_parse_time(const char *prog, const char *option, const char *text, time_t *at)
{
    if (sign_parse_time(at, text) == SIGN_OK)
        return 0;
    cmd_error(prog, NULL, "%s: '%s' is not an RFC 3339 time", option, text);
    return -1;
}

int cmd_add_validation_data(const char *prog, sign_ctx *ctx, int id, const char *path)
{
    /* given to the library as they are: it reads and keeps them (sign_ctx_add_*) */
    int rc = id == CMD_OPT_CERTS ? sign_ctx_add_certs(ctx, path)
             : id == CMD_OPT_CRL ? sign_ctx_add_crls(ctx, path)
                                 : sign_ctx_add_ocsp(ctx, path);
    if (rc == SIGN_OK)
        return 0;
    cmd_error(prog, NULL, "--%s: %s",
              id == CMD_OPT_CERTS ? "certs" : id == CMD_OPT_CRL ? "crl" : "ocsp",
              sign_ctx_errmsg(ctx));
    return -1;
}
