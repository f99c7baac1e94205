/* segl-extend: augment existing signatures to B-T, B-LT or B-LTA. Thin: options and files. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"

static const char *prog = "segl-extend";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: segl-extend -l LEVEL --tsa URL -o OUTPUT FILE\n"
            "Augment every signature in FILE to LEVEL: a signature timestamp (B-T), then the\n"
            "certificates and revocation data for validation years later (B-LT), then an\n"
            "archive timestamp (B-LTA). Signatures made by other software too.\n\n"
            "  -l, --level L          B-T|B-LT|B-LTA\n"
            "      --tsa URL          timestamp authority (RFC 3161)\n"
            "      --content FILE     the signed content of a detached CAdES signature, for\n"
            "                         B-LTA (default: FILE without .p7s/.p7m/.sig)\n"
            "      --timeout SECONDS  for each OCSP/CRL/timestamp request (default 10)\n"
            "  -o, --output FILE      output file (\"-\" = stdout); never FILE itself\n"
            "  -q, --quiet            print nothing on success\n"
            "  -h, --help             this help\n"
            "  -V, --version          print the version\n\n"
            "A level that cannot be reached (TSA down, no revocation data) fails and writes\n"
            "nothing. Exit status: 0 extended, 3 usage or input error, 4 writing failed.\n"
            "See segl-extend(1).\n");
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

int main(int argc, char **argv)
{
    enum { OPT_TSA = 256, OPT_TIMEOUT, OPT_CONTENT };
    static const struct option longopts[] = {
        {"level", required_argument, NULL, 'l'},
        {"tsa", required_argument, NULL, OPT_TSA},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"content", required_argument, NULL, OPT_CONTENT},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    sign_options opts;
    sign_options_init(&opts);
    opts.level = SIGN_LEVEL_B_B;
    const char *output = NULL;
    long timeout = 0;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, "l:o:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': {
            static const char *const names[] = {"B-T", "B-LT", "B-LTA"};
            int found = -1;
            for (int i = 0; i < 3; i++)
                if (strcasecmp(optarg, names[i]) == 0)
                    found = i;
            if (found < 0) {
                cmd_error(prog, NULL, "unknown level '%s' (B-T, B-LT, B-LTA)", optarg);
                return EXIT_USAGE;
            }
            opts.level = (enum sign_level)(found + 1);
            break;
        }
        case OPT_TSA: opts.tsa_url = optarg; break;
        /* For extending, content_name is the path of the detached content (CAdES B-LTA). */
        case OPT_CONTENT: opts.content_name = optarg; break;
        case OPT_TIMEOUT: {
            char *end;
            timeout = strtol(optarg, &end, 10);
            if (*end || timeout < 1 || timeout > 3600) {
                cmd_error(prog, NULL, "--timeout: '%s' is not a number of seconds (1-3600)", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return EXIT_PASSED;
        case 'V': printf("segl-extend %s\n", sign_version()); return EXIT_PASSED;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (opts.level == SIGN_LEVEL_B_B) {
        cmd_error(prog, NULL, "give the level to reach: -l B-T|B-LT|B-LTA (see --help)");
        return EXIT_USAGE;
    }
    if (optind != argc - 1) {
        cmd_error(prog, NULL, "give exactly one signed FILE (see --help)");
        return EXIT_USAGE;
    }
    const char *input = argv[optind];
    /* The input is never changed: the extended file is a new file. */
    if (!output) {
        cmd_error(prog, NULL, "give the output file: -o OUTPUT (see --help)");
        return EXIT_USAGE;
    }
    if (strcmp(output, "-") != 0 && (strcmp(output, input) == 0 || cmd_same_file(input, output))) {
        cmd_error(prog, input, "the output would overwrite the input");
        return EXIT_USAGE;
    }
    cmd_stdin in = {.fd = -1};
    char why[512];
    if (strcmp(input, "-") == 0 && cmd_stdin_read(&in, why, sizeof why) != 0) {
        cmd_error(prog, input, "%s", why);
        return EXIT_USAGE;
    }
    const char *target = output;
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        cmd_stdin_free(&in);
        return EXIT_SOFTWARE;
    }
    if (timeout)
        sign_ctx_set_timeout(ctx, timeout);
    cmd_output out;
    if (cmd_output_open(&out, prog, target) != 0) {
        sign_ctx_free(ctx);
        cmd_stdin_free(&in);
        return EXIT_SOFTWARE;
    }
    int rc = extend_input(ctx, &opts, input, &in, out.stream);
    cmd_stdin_free(&in);
    if (rc != SIGN_OK) {
        cmd_output_abort(&out);
        cmd_error(prog, input, "%s", sign_ctx_errmsg(ctx));
        sign_ctx_free(ctx);
        return rc == SIGN_ENOMEM || rc == SIGN_EWRITE ? EXIT_SOFTWARE : EXIT_USAGE;
    }
    sign_ctx_free(ctx);
    if (cmd_output_commit(&out, prog) != 0)
        return EXIT_SOFTWARE;
    if (!quiet && !out.to_stdout && isatty(STDERR_FILENO)) /* quiet when not watched */
        fprintf(stderr, "%s: extended %s -> %s\n", prog, input, target);
    return EXIT_PASSED;
}
