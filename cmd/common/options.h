/* Command-line options, each described once (STYLE.md; libgit2's cli_opt_spec): a command lists
 * its options in one table of struct cmd_opt, and both the getopt_long tables and the --help
 * text are made from it. The values that several commands take (--timeout, -l, -j, times,
 * names from a fixed set) have one parser each here, so that an option reads the same in every
 * segl-* command. */
#ifndef SEGL_CMD_OPTIONS_H
#define SEGL_CMD_OPTIONS_H

#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include <libsign/sign.h>
#include "i18n.h"

struct cmd_opt {
    int id;                /* what cmd_opt_next returns for the option: > 0, unique in its table */
    char short_name;       /* 'k' for -k; 0 when it has none */
    const char *long_name; /* "key" for --key; NULL ends the table */
    const char *arg_name;  /* "FILE" in "--key FILE"; NULL when it takes no argument */
    const char *help;      /* for --help; each '\n' starts a line under the first */
};

/* The options every command has, or that mean the same wherever they appear. A command numbers
 * its own ids from CMD_OPT_OWN. */
enum {
    CMD_OPT_HELP = 1,
    CMD_OPT_VERSION,
    CMD_OPT_TIMEOUT,
    CMD_OPT_PASS_FILE,
    CMD_OPT_PASS_ENV,
    CMD_OPT_CERTS,
    CMD_OPT_CRL,
    CMD_OPT_OCSP,
    CMD_OPT_OWN
};
#define CMD_OPT_ROW_HELP {CMD_OPT_HELP, 'h', "help", NULL, N_("this help")}
#define CMD_OPT_ROW_VERSION {CMD_OPT_VERSION, 'V', "version", NULL, N_("print the version")}
#define CMD_OPT_ROW_TIMEOUT                                                                      \
    {CMD_OPT_TIMEOUT, 0, "timeout", "SECONDS",                                                   \
     N_("for a timestamp, and for all the OCSP and CRL requests\n"                               \
     "for one certificate's status together (default 10)")}
#define CMD_OPT_ROW_PASS_FILE                                                                    \
    {CMD_OPT_PASS_FILE, 0, "pass-file", "FILE", N_("read the password from FILE (first line; \"-\" = stdin)")}
#define CMD_OPT_ROW_PASS_ENV                                                                     \
    {CMD_OPT_PASS_ENV, 0, "pass-env", "VAR", N_("read the password from environment variable VAR")}
/* Validation data from the user's archive (segl-verify, segl-extend): cmd_add_validation_data. */
#define CMD_OPT_ROW_CERTS                                                                        \
    {CMD_OPT_CERTS, 0, "certs", "FILE|DIR",                                                      \
     N_("untrusted certificates for building chains (PEM, DER,\n"                                   \
     "PKCS#7); repeatable")}
#define CMD_OPT_ROW_CRL {CMD_OPT_CRL, 0, "crl", "FILE|DIR", N_("CRLs (PEM or DER); repeatable")}
#define CMD_OPT_ROW_OCSP                                                                         \
    {CMD_OPT_OCSP, 0, "ocsp", "FILE|DIR", N_("OCSP responses (DER); repeatable")}
#define CMD_OPT_END {0, 0, NULL, NULL, NULL}

/* More than any command has; cmd_opt_init stops the program on a larger table. */
#define CMD_OPT_MAX 40

typedef struct cmd_opt_parser {
    const char *prog;
    const struct cmd_opt *table;
    int argc;
    char **argv;
    struct option longopts[CMD_OPT_MAX + 1];
    char shortopts[3 * CMD_OPT_MAX + 2];
} cmd_opt_parser;

void cmd_opt_init(cmd_opt_parser *parser, const char *prog, const struct cmd_opt *table,
                  int argc, char **argv);
/* The id of the next option on the command line, its argument in *arg (NULL when it takes
 * none). 0 when the options are over: the operands are argv[optind..argc-1], in order (GNU
 * getopt moves them behind the options). -1 after one line on stderr for an unknown or
 * ambiguous option, or a missing or unexpected argument: exit with EXIT_USAGE. */
int cmd_opt_next(cmd_opt_parser *parser, const char **arg);
/* The option lines of --help, from table: "  -k, --key FILE         what it does". */
void cmd_opt_print_help(FILE *to, const struct cmd_opt *table);

/* ---- values.c: each returns 0, or -1 after one line on stderr naming the option */

/* SECONDS for --timeout: 1 to 3600. */
int cmd_parse_timeout(const char *prog, const char *text, long *seconds);
/* N for -j/--jobs: 1 to max. */
int cmd_parse_jobs(const char *prog, const char *text, int max, int *jobs);
/* LEVEL for -l/--level: B-B, B-T, B-LT or B-LTA, in any case; none below lowest. */
int cmd_parse_level(const char *prog, const char *text, enum sign_level lowest,
                    enum sign_level *level);
/* An RFC 3339 time (or date) for option ("--at", "--signing-time"). */
int cmd_parse_time(const char *prog, const char *option, const char *text, time_t *at);

/* The argument of --certs, --crl or --ocsp (id: CMD_OPT_CERTS, _CRL, _OCSP) given to ctx. */
int cmd_add_validation_data(const char *prog, sign_ctx *ctx, int id, const char *path);

/* One of a fixed set of names, in any case, each with its value stated (not its position). */
struct cmd_choice {
    const char *name; /* NULL ends the list */
    int value;
};
/* what names the set in the message: "unknown packaging 'x' (detached, enveloping, ...)". */
int cmd_parse_choice(const char *prog, const char *what, const char *text,
                     const struct cmd_choice *choices, int *value);

#endif
