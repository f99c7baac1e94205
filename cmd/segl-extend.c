/* segl-extend: augment existing signatures to B-T, B-LT or B-LTA. Thin: options and files. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"
#include "common/i18n.h"
#include "common/options.h"

static const char *prog = "segl-extend";

/* Every option, once: getopt's tables and --help are made from this (cmd/common/options.h). */
enum { OPT_LEVEL = CMD_OPT_OWN, OPT_TSA, OPT_CONTENT, OPT_OUTPUT, OPT_QUIET };
static const struct cmd_opt options[] = {
    {OPT_LEVEL, 'l', "level", "L", N_("B-T|B-LT|B-LTA")},
    {OPT_TSA, 0, "tsa", "URL", N_("timestamp authority (RFC 3161)")},
    {OPT_CONTENT, 0, "content", "FILE",
     N_("the signed content of a detached CAdES signature, for\n"
     "B-LTA (default: FILE without .p7s/.p7m/.sig)")},
    CMD_OPT_ROW_CERTS,
    CMD_OPT_ROW_CRL,
    CMD_OPT_ROW_OCSP,
    CMD_OPT_ROW_TIMEOUT,
    {OPT_OUTPUT, 'o', "output", "FILE",
     N_("output file (\"-\" = stdout, the default when FILE is\n"
     "\"-\"; else FILE with .extended before its ending, never\n"
     "replacing a file); never FILE itself")},
    {OPT_QUIET, 'q', "quiet", NULL, N_("print nothing on success")},
    CMD_OPT_ROW_HELP,
    CMD_OPT_ROW_VERSION,
    CMD_OPT_END,
};

static void usage(FILE *to)
{
    fprintf(to, _("Usage: segl-extend -l LEVEL --tsa URL [-o OUTPUT] FILE\n"
                "Augment every signature in FILE (\"-\": stdin) to LEVEL: a signature timestamp\n"
                "(B-T), then the certificates and revocation data for validation years later\n"
                "(B-LT), then an archive timestamp (B-LTA). Signatures made by other software\n"
                "too.\n\n"));
    cmd_opt_print_help(to, options);
    fprintf(to, _("\nA level that cannot be reached (TSA down, no revocation data) fails and writes\n"
                "nothing. Exit status: 0 extended, 3 usage or input error, 4 writing failed.\n"
                "See segl-extend(1).\n"));
}

/* The signed file through the library: by path, or standard input as cmd_stdin_read kept it. */
static int extend_input(sign_ctx *ctx, const sign_options *opts, const char *input,
                        const cmd_stdin *in, FILE *out)
{
    if (strcmp(input, "-") != 0)
        return sign_extend_file(ctx, opts, input, out);
    if (in->bytes)
        return sign_extend_memory(ctx, opts, input, in->bytes, in->len, out);
    return sign_extend_fd(ctx, opts, input, in->fd, out);
}

/* What the command line asks for; the validation data options go to the context directly. */
struct extend_args {
    sign_options opts;
    const char *input;
    const char *output;
    char default_output[4096]; /* the output when -o names none */
    int quiet;
};

/* Without -o, the extended file goes beside FILE, named as segl-sign names its outputs: FILE
 * and a word, here ".extended" before FILE's ending, so that the kind of file stays visible
 * (contract.pdf.signed.pdf -> contract.pdf.signed.extended.pdf, letter.txt.p7m ->
 * letter.txt.extended.p7m) and a detached signature still leads to its content
 * (letter.txt.extended.p7s -> letter.txt, libsign/names.h). A name without an ending gets
 * ".extended" at its end. 0, or -1 when the name is too long. */
static int default_output_name(char *out, size_t out_len, const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    const char *ending = strrchr(base, '.');
    if (!ending || ending == base)
        ending = base + strlen(base);
    int n = snprintf(out, out_len, "%.*s.extended%s", (int)(ending - input), input, ending);
    return n >= 0 && (size_t)n < out_len ? 0 : -1;
}

/* -1 to go on, or the exit status after a message (or --help, --version). */
static int parse_args(struct extend_args *args, sign_ctx *ctx, int argc, char **argv)
{
    sign_options_init(&args->opts, SIGN_OPTIONS_VERSION);
    args->opts.level = SIGN_LEVEL_B_B; /* none given yet: B-B is not a level to extend to */
    long timeout = 0;
    cmd_opt_parser parser;
    cmd_opt_init(&parser, prog, options, argc, argv);
    const char *arg;
    int id;
    while ((id = cmd_opt_next(&parser, &arg)) > 0) {
        switch (id) {
        case OPT_LEVEL:
            if (cmd_parse_level(prog, arg, SIGN_LEVEL_B_T, &args->opts.level) != 0)
                return EXIT_USAGE;
            break;
        case OPT_TSA: args->opts.tsa_url = arg; break;
        /* For extending, content_name is the path of the detached content (CAdES B-LTA). */
        case OPT_CONTENT: args->opts.content_name = arg; break;
        case CMD_OPT_TIMEOUT:
            if (cmd_parse_timeout(prog, arg, &timeout) != 0)
                return EXIT_USAGE;
            break;
        /* The archive's validation data, for B-LT before anything is fetched. */
        case CMD_OPT_CERTS:
        case CMD_OPT_CRL:
        case CMD_OPT_OCSP:
            if (cmd_add_validation_data(prog, ctx, id, arg) != 0)
                return EXIT_USAGE;
            break;
        case OPT_OUTPUT: args->output = arg; break;
        case OPT_QUIET: args->quiet = 1; break;
        case CMD_OPT_HELP: usage(stdout); return EXIT_PASSED;
        case CMD_OPT_VERSION: printf("segl-extend %s\n", sign_version()); return EXIT_PASSED;
        }
    }
    if (id < 0)
        return EXIT_USAGE;
    if (args->opts.level == SIGN_LEVEL_B_B) {
        cmd_error(prog, NULL, "give the level to reach: -l B-T|B-LT|B-LTA (see --help)");
        return EXIT_USAGE;
    }
    if (optind != argc - 1) {
        cmd_error(prog, NULL, "give exactly one signed FILE (see --help)");
        return EXIT_USAGE;
    }
    args->input = argv[optind];
    if (cmd_refuse_directory(prog, args->input, "name a signed file in it"))
        return EXIT_USAGE;
    /* The input is never changed: the extended file is a new file. Standard input goes to
     * standard output unless -o says otherwise, as in segl-sign. */
    if (!args->output && strcmp(args->input, "-") == 0)
        args->output = "-";
    if (!args->output) {
        if (default_output_name(args->default_output, sizeof args->default_output,
                                args->input) != 0) {
            cmd_error(prog, args->input, "name too long");
            return EXIT_USAGE;
        }
        args->output = args->default_output;
        struct stat st;
        if (lstat(args->output, &st) == 0) {
            cmd_error(prog, args->output, "already exists and is not replaced (remove it, or "
                                          "name the output with -o)");
            return EXIT_USAGE;
        }
    }
    if (strcmp(args->output, "-") == 0 && isatty(STDOUT_FILENO)) {
        cmd_error(prog, args->input, "refusing to write a signature to a terminal; use -o FILE");
        return EXIT_USAGE;
    }
    if (strcmp(args->output, "-") != 0 &&
        (strcmp(args->output, args->input) == 0 || cmd_same_file(args->input, args->output))) {
        cmd_error(prog, args->input, "the output would overwrite the input");
        return EXIT_USAGE;
    }
    if (timeout)
        sign_ctx_set_timeout(ctx, timeout);
    cmd_show_fetches(prog, ctx, args->quiet);
    return -1;
}

static int extend(sign_ctx *ctx, const struct extend_args *args)
{
    const char *input = args->input, *target = args->output;
    cmd_stdin in = {.fd = -1};
    char why[512];
    if (strcmp(input, "-") == 0 && cmd_stdin_read(&in, why, sizeof why) != 0) {
        cmd_error(prog, input, "%s", why);
        return EXIT_USAGE;
    }
    cmd_output out;
    if (cmd_output_open(&out, prog, target) != 0) {
        cmd_stdin_free(&in);
        return EXIT_SOFTWARE;
    }
    /* A name segl-extend chose replaces nothing; one given with -o is the user's to replace. */
    out.keep_existing = target == args->default_output;
    int rc = extend_input(ctx, &args->opts, input, &in, out.stream);
    cmd_stdin_free(&in);
    if (rc != SIGN_OK) {
        cmd_output_abort(&out);
        cmd_lib_error(prog, input, ctx);
        return rc == SIGN_ENOMEM || rc == SIGN_EWRITE ? EXIT_SOFTWARE : EXIT_USAGE;
    }
    int committed = cmd_output_commit(&out, prog);
    if (committed != 0)
        return committed == -2 ? EXIT_USAGE : EXIT_SOFTWARE;
    if (!args->quiet && !out.to_stdout && isatty(STDERR_FILENO)) /* quiet when not watched */
        fprintf(stderr, "%s: extended %s -> %s\n", prog, input, target);
    return EXIT_PASSED;
}

int main(int argc, char **argv)
{
    cmd_start();
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    struct extend_args args = {0};
    int status = parse_args(&args, ctx, argc, argv);
    if (status < 0)
        status = extend(ctx, &args);
    sign_ctx_free(ctx);
    return status;
}
