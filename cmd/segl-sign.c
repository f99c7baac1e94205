/* segl-sign: sign documents with an OCES certificate. Thin: option parsing and files only. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"

static const char *prog = "segl-sign";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: segl-sign [options] INPUT...\n"
            "Sign each INPUT (\"-\" = stdin) with an OCES certificate.\n\n"
            "  -k, --key FILE         PKCS#12 file (.p12/.pfx) or PEM private key\n"
            "      --pkcs11 URI       key on a PKCS#11 token (RFC 7512 pkcs11: URI, with\n"
            "                         ?module-path=...); the PIN as a password below\n"
            "  -c, --cert FILE        certificate for a PEM key or token key\n"
            "      --chain FILE       extra intermediate certificates (PEM)\n"
            "      --pass-file FILE   read the key password from FILE (first line)\n"
            "      --pass-env VAR     read the key password from environment variable VAR\n"
            "  -f, --format FMT       cades|xades|pades|asic-e|asic-s (default: from content)\n"
            "      --inner FMT        asic-e, asic-s: cades (default) or xades inside\n"
            "      --packaging P      detached|enveloping|enveloped\n"
            "  -l, --level L          B-B|B-T|B-LT|B-LTA (default B-B)\n"
            "      --tsa URL          timestamp authority for B-T and above\n"
            "      --timeout SECONDS  for each timestamp, OCSP or CRL request (default 10)\n"
            "      --digest ALG       sha256 (default), sha384, sha512\n"
            "      --signing-time T   claimed signing time, RFC 3339 (default: now)\n"
            "      --visible P,X,Y,W,H  PAdES: show the signature on page P in the rectangle\n"
            "                         X,Y,W,H (points from the lower left corner)\n"
            "      --reason TEXT      PAdES: why the document is signed\n"
            "      --location TEXT    PAdES: where it is signed\n"
            "      --contact TEXT     PAdES: how to reach the signer\n"
            "  -o, --output FILE      output file (\"-\" = stdout); only with one INPUT,\n"
            "                         or the container that asic-e holds every INPUT in\n"
            "  -j, --jobs N           sign N inputs at a time (default: the CPUs)\n"
            "  -q, --quiet            print nothing on success\n"
            "  -h, --help             this help\n"
            "  -V, --version          print the version\n\n"
            "Output names: INPUT.p7s (detached CAdES), INPUT.p7m (enveloping CAdES),\n"
            "INPUT.xades.xml (XAdES), INPUT.signed.pdf (PAdES), INPUT.asice / INPUT.asics (ASiC).\n"
            "One INPUT that is an ASiC container gets a signature added (-f asic-e).\n"
            "Exit status: 0 signed, 3 usage or input error (also a wrong password),\n"
            "4 signing or writing failed. See segl-sign(1).\n");
}

struct sign_args {
    const char *key_path, *pkcs11_uri, *cert_path, *chain_path, *pass_file, *pass_env, *output;
    int quiet;
    int jobs;
    long timeout;
    sign_options opts;
};

static int parse_packaging(const char *text, enum sign_packaging *out)
{
    static const struct { const char *name; enum sign_packaging value; } names[] = {
        {"detached", SIGN_PACKAGING_DETACHED},
        {"enveloping", SIGN_PACKAGING_ENVELOPING},
        {"enveloped", SIGN_PACKAGING_ENVELOPED},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].value;
            return 0;
        }
    return -1;
}

static int parse_level(const char *text, enum sign_level *out)
{
    static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    for (int i = 0; i < 4; i++)
        if (strcasecmp(text, names[i]) == 0) {
            *out = (enum sign_level)i;
            return 0;
        }
    return -1;
}

/* ASiC: every INPUT goes into one container (sign_sign_files). */
static int is_container(const char *format)
{
    return format && strncmp(format, "asic-", 5) == 0;
}

static int parse_args(int argc, char **argv, struct sign_args *args)
{
    enum { OPT_CHAIN = 256, OPT_PASS_FILE, OPT_PASS_ENV, OPT_PACKAGING, OPT_TSA, OPT_DIGEST,
           OPT_SIGNING_TIME, OPT_VISIBLE, OPT_REASON, OPT_LOCATION, OPT_CONTACT, OPT_PKCS11, OPT_TIMEOUT,
           OPT_INNER };
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"pkcs11", required_argument, NULL, OPT_PKCS11},
        {"cert", required_argument, NULL, 'c'},
        {"chain", required_argument, NULL, OPT_CHAIN},
        {"pass-file", required_argument, NULL, OPT_PASS_FILE},
        {"pass-env", required_argument, NULL, OPT_PASS_ENV},
        {"format", required_argument, NULL, 'f'},
        {"inner", required_argument, NULL, OPT_INNER},
        {"packaging", required_argument, NULL, OPT_PACKAGING},
        {"level", required_argument, NULL, 'l'},
        {"tsa", required_argument, NULL, OPT_TSA},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"digest", required_argument, NULL, OPT_DIGEST},
        {"signing-time", required_argument, NULL, OPT_SIGNING_TIME},
        {"visible", required_argument, NULL, OPT_VISIBLE},
        {"reason", required_argument, NULL, OPT_REASON},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"contact", required_argument, NULL, OPT_CONTACT},
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    sign_options_init(&args->opts, SIGN_OPTIONS_VERSION);
    int c;
    while ((c = getopt_long(argc, argv, "k:c:f:l:o:j:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': args->key_path = optarg; break;
        case OPT_PKCS11: args->pkcs11_uri = optarg; break;
        case 'c': args->cert_path = optarg; break;
        case OPT_CHAIN: args->chain_path = optarg; break;
        case OPT_PASS_FILE: args->pass_file = optarg; break;
        case OPT_PASS_ENV: args->pass_env = optarg; break;
        case 'f':
            if (strcmp(optarg, "cades") && strcmp(optarg, "xades") && strcmp(optarg, "pades") &&
                strcmp(optarg, "asic-e") && strcmp(optarg, "asic-s")) {
                cmd_error(prog, NULL, "unknown format '%s' (cades, xades, pades, asic-e, asic-s)",
                          optarg);
                return -1;
            }
            args->opts.format = optarg;
            break;
        case OPT_INNER:
            if (strcmp(optarg, "cades") && strcmp(optarg, "xades")) {
                cmd_error(prog, NULL, "unknown format inside a container '%s' (cades, xades)",
                          optarg);
                return -1;
            }
            args->opts.inner_format = optarg;
            break;
        case OPT_PACKAGING:
            if (parse_packaging(optarg, &args->opts.packaging) != 0) {
                cmd_error(prog, NULL, "unknown packaging '%s' (detached, enveloping, enveloped)",
                          optarg);
                return -1;
            }
            break;
        case 'l':
            if (parse_level(optarg, &args->opts.level) != 0) {
                cmd_error(prog, NULL, "unknown level '%s' (B-B, B-T, B-LT, B-LTA)", optarg);
                return -1;
            }
            break;
        case OPT_TSA: args->opts.tsa_url = optarg; break;
        case OPT_TIMEOUT: {
            char *end;
            args->timeout = strtol(optarg, &end, 10);
            if (*end || args->timeout < 1 || args->timeout > 3600) {
                cmd_error(prog, NULL, "--timeout: '%s' is not a number of seconds (1-3600)", optarg);
                return -1;
            }
            break;
        }
        case OPT_DIGEST: args->opts.digest = optarg; break;
        case OPT_SIGNING_TIME:
            if (sign_parse_time(&args->opts.signing_time, optarg) != SIGN_OK) {
                cmd_error(prog, NULL, "--signing-time: '%s' is not an RFC 3339 time", optarg);
                return -1;
            }
            break;
        case OPT_VISIBLE: {
            sign_options *o = &args->opts;
            char tail;
            if (sscanf(optarg, "%d,%lf,%lf,%lf,%lf%c", &o->visible_page, &o->visible_rect[0],
                       &o->visible_rect[1], &o->visible_rect[2], &o->visible_rect[3], &tail) != 5 ||
                o->visible_page < 1 || o->visible_rect[2] <= 0 || o->visible_rect[3] <= 0) {
                cmd_error(prog, NULL, "--visible: '%s' is not PAGE,X,Y,W,H (page from 1, positive "
                                      "width and height)", optarg);
                return -1;
            }
            break;
        }
        case OPT_REASON: args->opts.reason = optarg; break;
        case OPT_LOCATION: args->opts.location = optarg; break;
        case OPT_CONTACT: args->opts.contact = optarg; break;
        case 'o': args->output = optarg; break;
        case 'j': {
            char *end;
            long jobs = strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 64) {
                cmd_error(prog, NULL, "-j: '%s' is not a number of jobs (1-64)", optarg);
                return -1;
            }
            args->jobs = (int)jobs;
            break;
        }
        case 'q': args->quiet = 1; break;
        case 'h': usage(stdout); exit(EXIT_PASSED);
        case 'V': printf("segl-sign %s\n", sign_version()); exit(EXIT_PASSED);
        default: usage(stderr); return -1;
        }
    }
    if (!args->key_path == !args->pkcs11_uri) {
        cmd_error(prog, NULL, args->key_path ? "give -k/--key or --pkcs11, not both"
                                             : "no key: give one with -k/--key or --pkcs11 (see --help)");
        return -1;
    }
    if (args->opts.inner_format && !is_container(args->opts.format)) {
        cmd_error(prog, NULL, "--inner is for containers: use it with -f asic-e or -f asic-s");
        return -1;
    }
    if (optind >= argc) {
        cmd_error(prog, NULL, "no input: name the files to sign (see --help)");
        return -1;
    }
    if (args->output && argc - optind > 1 && !is_container(args->opts.format)) {
        cmd_error(prog, NULL, "-o/--output takes one input; without it each INPUT gets its own "
                              "output name");
        return -1;
    }
    return 0;
}

/* Library status to exit code: problems with what the user gave are 3, the rest 4. */
static int exit_code_for(int status)
{
    return status == SIGN_ECRYPTO || status == SIGN_ENOMEM || status == SIGN_EWRITE ? EXIT_SOFTWARE
                                                                                  : EXIT_USAGE;
}

/* Sign inputs (one, or all of them into a container) to one output named after the first. */
static int sign_one(sign_ctx *ctx, const sign_key *key, const struct sign_args *args,
                    char *const *inputs, int count)
{
    const char *input = inputs[0];
    const char *format = sign_choose_format(ctx, &args->opts, input);
    if (!format) {
        cmd_error(prog, NULL, "%s", sign_ctx_errmsg(ctx));
        return EXIT_USAGE;
    }
    char default_name[4096];
    const char *target = args->output;
    if (!target) {
        if (strcmp(input, "-") == 0) {
            target = "-";
        } else {
            enum sign_packaging packaging = args->opts.packaging;
            if (snprintf(default_name, sizeof default_name, "%s%s", input,
                         sign_output_extension(format, packaging)) >= (int)sizeof default_name) {
                cmd_error(prog, input, "name too long");
                return EXIT_USAGE;
            }
            target = default_name;
        }
    }
    for (int i = 0; i < count; i++)
        if (strcmp(target, "-") != 0 && strcmp(inputs[i], "-") != 0 && cmd_same_file(inputs[i], target)) {
            cmd_error(prog, inputs[i], "the output would overwrite the input");
            return EXIT_USAGE;
        }
    if (strcmp(target, "-") == 0 && isatty(STDOUT_FILENO)) {
        cmd_error(prog, input, "refusing to write a binary signature to a terminal; use -o FILE");
        return EXIT_USAGE;
    }
    cmd_output out;
    if (cmd_output_open(&out, prog, target) != 0)
        return EXIT_SOFTWARE;
    int rc = sign_sign_files(ctx, key, &args->opts, (const char *const *)inputs, (size_t)count,
                             out.stream);
    if (rc != SIGN_OK) {
        cmd_output_abort(&out);
        cmd_error(prog, input, "%s", sign_ctx_errmsg(ctx));
        return exit_code_for(rc);
    }
    if (cmd_output_commit(&out, prog) != 0)
        return EXIT_SOFTWARE;
    /* Quiet on success unless someone is watching (STYLE.md): a script piping stderr gets
     * errors only. */
    if (!args->quiet && !out.to_stdout && isatty(STDERR_FILENO))
        fprintf(stderr, "%s: signed %s -> %s\n", prog, input, target);
    return EXIT_PASSED;
}

struct batch {
    const sign_key *key;
    const struct sign_args *args;
    char **inputs;
    int count, next, status;
    pthread_mutex_t lock;
};

static void *batch_worker(void *arg)
{
    struct batch *batch = arg;
    sign_ctx *ctx = NULL;
    int failed = sign_ctx_new(&ctx) != SIGN_OK;
    if (!failed && batch->args->timeout)
        sign_ctx_set_timeout(ctx, batch->args->timeout);
    for (;;) {
        pthread_mutex_lock(&batch->lock);
        int i = batch->next < batch->count ? batch->next++ : batch->count;
        pthread_mutex_unlock(&batch->lock);
        if (i >= batch->count)
            break;
        int one = failed ? EXIT_SOFTWARE : sign_one(ctx, batch->key, batch->args, &batch->inputs[i], 1);
        pthread_mutex_lock(&batch->lock);
        if (one != EXIT_PASSED && batch->status == EXIT_PASSED)
            batch->status = one;
        pthread_mutex_unlock(&batch->lock);
    }
    sign_ctx_free(ctx);
    return NULL;
}

/* Signs every input (one output each) on up to threads threads; returns the first failure's
 * exit code. With one thread the work is done here, on ctx. */
static int sign_batch(const sign_key *key, const struct sign_args *args, char **inputs, int count,
                      int threads, sign_ctx *ctx)
{
    if (threads > count)
        threads = count;
    if (threads <= 1) {
        int status = EXIT_PASSED;
        for (int i = 0; i < count; i++) {
            int one = sign_one(ctx, key, args, &inputs[i], 1);
            if (one != EXIT_PASSED && status == EXIT_PASSED)
                status = one;
        }
        return status;
    }
    struct batch batch = {.key = key, .args = args, .inputs = inputs, .count = count};
    pthread_mutex_init(&batch.lock, NULL);
    pthread_t ids[64];
    int started = 0;
    for (int t = 0; t < threads && t < 64; t++)
        if (pthread_create(&ids[started], NULL, batch_worker, &batch) == 0)
            started++;
    if (started == 0)
        batch_worker(&batch);
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    pthread_mutex_destroy(&batch.lock);
    return batch.status;
}

int main(int argc, char **argv)
{
    struct sign_args args = {0};
    if (parse_args(argc, argv, &args) != 0)
        return EXIT_USAGE;
    int stdin_inputs = 0;
    for (int i = optind; i < argc; i++)
        stdin_inputs += strcmp(argv[i], "-") == 0;
    if (stdin_inputs > 1) {
        cmd_error(prog, NULL, "stdin (\"-\") can be signed only once per call");
        return EXIT_USAGE;
    }

    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    if (args.timeout)
        sign_ctx_set_timeout(ctx, args.timeout);
    char *password = NULL;
    if (args.pass_file || args.pass_env || args.pkcs11_uri || sign_key_needs_password(args.key_path)) {
        /* Prompting needs the terminal on stdin and stdin free of content. */
        password = cmd_read_password(prog, args.pass_file, args.pass_env,
                                     args.pkcs11_uri ? "PIN for the token: "
                                                     : "Password for the signing key: ",
                                     stdin_inputs == 0);
        if (!password) {
            sign_ctx_free(ctx);
            return EXIT_USAGE;
        }
    }
    sign_key *key = NULL;
    int rc = args.pkcs11_uri ? sign_key_load_pkcs11(&key, ctx, args.pkcs11_uri, args.cert_path,
                                                    args.chain_path, password)
                             : sign_key_load(&key, ctx, args.key_path, args.cert_path,
                                             args.chain_path, password);
    cmd_password_free(password);
    if (rc != SIGN_OK) {
        cmd_error(prog, NULL, "%s", sign_ctx_errmsg(ctx));
        sign_ctx_free(ctx);
        return EXIT_USAGE;
    }
    /* Signing goes on (a test or a re-signing may want it), but a signature made with a
     * certificate outside its validity will not validate: say so. */
    enum sign_validity validity = SIGN_VALID;
    if (sign_key_validity(&validity, key, time(NULL)) == SIGN_OK && validity != SIGN_VALID)
        cmd_error(prog, NULL, "warning: the signing certificate is %s; the signatures will not "
                              "validate", validity == SIGN_EXPIRED ? "expired" : "not valid yet");
    int status;
    if (is_container(args.opts.format)) {
        status = sign_one(ctx, key, &args, argv + optind, argc - optind);
    } else {
        /* Inputs signed on several threads, one context each, the key shared read-only: a batch
         * runs at the speed of the CPUs' RSA/ECDSA. A token key (PKCS#11) signs one at a time. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int threads = args.jobs ? args.jobs : (cpus > 0 ? (int)cpus : 1);
        if (args.pkcs11_uri || stdin_inputs)
            threads = 1;
        status = sign_batch(key, &args, argv + optind, argc - optind, threads, ctx);
    }
    sign_key_free(key);
    sign_ctx_free(ctx);
    return status;
}
