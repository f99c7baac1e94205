/* segl-sign: sign documents with an OCES certificate. Thin: option parsing and files only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"
#include "common/i18n.h"
#include "common/options.h"

static const char *prog = "segl-sign";

/* Every option, once: getopt's tables and --help are made from this (cmd/common/options.h). */
enum {
    OPT_KEY = CMD_OPT_OWN, OPT_PKCS11, OPT_CERT, OPT_CHAIN, OPT_FORMAT, OPT_INNER, OPT_PACKAGING,
    OPT_LEVEL, OPT_TSA, OPT_DIGEST, OPT_SIGNING_TIME, OPT_VISIBLE, OPT_IMAGE, OPT_REASON, OPT_LOCATION,
    OPT_CONTACT, OPT_OUTPUT, OPT_JOBS, OPT_QUIET
};
static const struct cmd_opt options[] = {
    {OPT_KEY, 'k', "key", "FILE", N_("PKCS#12 file (.p12/.pfx) or PEM private key")},
    {OPT_PKCS11, 0, "pkcs11", "URI",
     N_("key on a PKCS#11 token (RFC 7512 pkcs11: URI, with\n"
     "?module-path=...); the PIN as a password below")},
    {OPT_CERT, 'c', "cert", "FILE", N_("certificate for a PEM key or token key")},
    {OPT_CHAIN, 0, "chain", "FILE", N_("extra intermediate certificates (PEM)")},
    CMD_OPT_ROW_PASS_FILE,
    CMD_OPT_ROW_PASS_ENV,
    {OPT_FORMAT, 'f', "format", "FMT", N_("a format listed below (default: from content)")},
    {OPT_INNER, 0, "inner", "FMT", N_("for a container: cades (default) or xades inside")},
    {OPT_PACKAGING, 0, "packaging", "P", N_("detached|enveloping|enveloped")},
    {OPT_LEVEL, 'l', "level", "L", N_("B-B|B-T|B-LT|B-LTA (default B-B)")},
    {OPT_TSA, 0, "tsa", "URL", N_("timestamp authority for B-T and above")},
    CMD_OPT_ROW_TIMEOUT,
    {OPT_DIGEST, 0, "digest", "ALG", N_("sha256 (default), sha384, sha512")},
    {OPT_SIGNING_TIME, 0, "signing-time", "T", N_("claimed signing time, RFC 3339 (default: now)")},
    {OPT_VISIBLE, 0, "visible", "P,X,Y,W,H",
     N_("PAdES: show the signature on page P in the rectangle\n"
     "X,Y,W,H (points from the lower left corner), inside\n"
     "the page and large enough for 6 pt text; labels in\n"
     "Danish when the locale is (LANGUAGE, LC_ALL, LANG)")},
    {OPT_IMAGE, 0, "image", "PNG", N_("PAdES: a picture (scanned signature, logo) beside\n"
                                   "the text of --visible")},
    {OPT_REASON, 0, "reason", "TEXT", N_("PAdES: why the document is signed")},
    {OPT_LOCATION, 0, "location", "TEXT", N_("PAdES: where it is signed")},
    {OPT_CONTACT, 0, "contact", "TEXT", N_("PAdES: how to reach the signer")},
    {OPT_OUTPUT, 'o', "output", "FILE",
     N_("output file (\"-\" = stdout); only with one INPUT,\n"
     "or the container that holds every INPUT")},
    {OPT_JOBS, 'j', "jobs", "N", N_("sign N inputs at a time (default: the CPUs)")},
    {OPT_QUIET, 'q', "quiet", NULL, N_("print nothing on success")},
    CMD_OPT_ROW_HELP,
    CMD_OPT_ROW_VERSION,
    CMD_OPT_END,
};

/* The formats of this build (libsign's list) as "a, b, c"; with container, only those it can
 * hold, and with want_containers only the containers. */
static void list_formats(char *list, size_t size, const char *container, int want_containers)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < sign_format_count() && used < size; i++) {
        const char *name = sign_format_name(i);
        if ((container && !sign_format_can_contain(container, name)) ||
            (want_containers && !sign_format_is_container(name)))
            continue;
        used += (size_t)snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
    }
}

static void usage(FILE *to)
{
    char formats[256];
    list_formats(formats, sizeof formats, NULL, 0);
    fprintf(to, _("Usage: segl-sign [options] INPUT...\n"
                "Sign each INPUT (\"-\" = stdin) with an OCES certificate.\n\n"));
    cmd_opt_print_help(to, options);
    fprintf(to,
            _("\nFormats: %s.\n"
            "Output names: INPUT.p7s (detached CAdES), INPUT.p7m (enveloping CAdES),\n"
            "INPUT.xades.xml (XAdES), INPUT.signed.pdf (PAdES), INPUT.asice / INPUT.asics (ASiC).\n"
            "One INPUT that is an ASiC container gets a signature added (-f asic-e).\n"
            "Exit status: 0 signed, 3 usage or input error (also a wrong password),\n"
            "4 signing or writing failed. See segl-sign(1).\n"),
            formats);
}

struct sign_args {
    const char *key_path, *pkcs11_uri, *cert_path, *chain_path, *pass_file, *pass_env, *output;
    const char *image_path;
    unsigned char *image;  /* --image's bytes, opts.visible_image */
    int quiet;
    int jobs;
    long timeout;
    sign_options opts;
};

/* The library's name of the format text names, in any case; NULL when this build has none. */
static const char *format_named(const char *text)
{
    for (size_t i = 0; i < sign_format_count(); i++)
        if (strcasecmp(text, sign_format_name(i)) == 0)
            return sign_format_name(i);
    return NULL;
}

/* ASiC: every INPUT goes into one container (sign_sign_files). */
static int is_container(const char *format)
{
    return format && sign_format_is_container(format);
}

/* What --inner may name goes with -f; checked once both are known. */
static int check_inner(const sign_options *opts)
{
    char list[256];
    if (!is_container(opts->format)) {
        list_formats(list, sizeof list, NULL, 1);
        cmd_error(prog, NULL, "--inner is for containers: use it with -f and one of %s", list);
        return -1;
    }
    if (!sign_format_can_contain(opts->format, opts->inner_format)) {
        list_formats(list, sizeof list, opts->format, 0);
        cmd_error(prog, NULL, "unknown format inside a container '%s' (%s)", opts->inner_format,
                  list);
        return -1;
    }
    return 0;
}

/* The language of a visible signature's labels, as gettext would choose it (the first of
 * LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set): "da" for Danish, else NULL (English). */
static const char *labels_language(void)
{
    const char *const variables[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++) {
        const char *value = getenv(variables[i]);
        if (value && *value)
            return strncmp(value, "da", 2) == 0 ? "da" : NULL;
    }
    return NULL;
}

/* --image: the file's bytes into args (at most a size no picture for a signature needs). */
static int read_image(struct sign_args *args)
{
    enum { MAX_IMAGE = 16 << 20 };
    FILE *f = fopen(args->image_path, "rb");
    if (!f) {
        cmd_error(prog, args->image_path, "cannot read the --image file: %s", strerror(errno));
        return -1;
    }
    unsigned char *bytes = malloc(MAX_IMAGE + 1);
    size_t len = bytes ? fread(bytes, 1, MAX_IMAGE + 1, f) : 0;
    int failed = !bytes || ferror(f);
    fclose(f);
    if (failed || len == 0 || len > MAX_IMAGE) {
        cmd_error(prog, args->image_path, failed ? "cannot read the --image file"
                                          : len ? "the --image file is larger than 16 MiB"
                                                : "the --image file is empty");
        free(bytes);
        return -1;
    }
    args->image = bytes;
    args->opts.visible_image = bytes;
    args->opts.visible_image_len = len;
    return 0;
}

/* Parses options into args. Returns 0 to go on, 1 to exit 0 (--help, --version), -1 to exit
 * with EXIT_USAGE after saying why. */
static int parse_args(int argc, char **argv, struct sign_args *args)
{
    static const struct cmd_choice packagings[] = {
        {"detached", SIGN_PACKAGING_DETACHED},
        {"enveloping", SIGN_PACKAGING_ENVELOPING},
        {"enveloped", SIGN_PACKAGING_ENVELOPED},
        {NULL, 0},
    };
    sign_options_init(&args->opts, SIGN_OPTIONS_VERSION);
    cmd_opt_parser parser;
    cmd_opt_init(&parser, prog, options, argc, argv);
    const char *arg;
    int id, value;
    while ((id = cmd_opt_next(&parser, &arg)) > 0) {
        switch (id) {
        case OPT_KEY: args->key_path = arg; break;
        case OPT_PKCS11: args->pkcs11_uri = arg; break;
        case OPT_CERT: args->cert_path = arg; break;
        case OPT_CHAIN: args->chain_path = arg; break;
        case CMD_OPT_PASS_FILE: args->pass_file = arg; break;
        case CMD_OPT_PASS_ENV: args->pass_env = arg; break;
        case OPT_FORMAT:
            if (!(args->opts.format = format_named(arg))) {
                char list[256];
                list_formats(list, sizeof list, NULL, 0);
                cmd_error(prog, NULL, "unknown format '%s' (%s)", arg, list);
                return -1;
            }
            break;
        case OPT_INNER:
            /* the container's own name for it, when it has one; checked against -f below */
            args->opts.inner_format = format_named(arg) ? format_named(arg) : arg;
            break;
        case OPT_PACKAGING:
            if (cmd_parse_choice(prog, "packaging", arg, packagings, &value) != 0)
                return -1;
            args->opts.packaging = (enum sign_packaging)value;
            break;
        case OPT_LEVEL:
            if (cmd_parse_level(prog, arg, SIGN_LEVEL_B_B, &args->opts.level) != 0)
                return -1;
            break;
        case OPT_TSA: args->opts.tsa_url = arg; break;
        case CMD_OPT_TIMEOUT:
            if (cmd_parse_timeout(prog, arg, &args->timeout) != 0)
                return -1;
            break;
        case OPT_DIGEST: args->opts.digest = arg; break;
        case OPT_SIGNING_TIME:
            if (cmd_parse_time(prog, "--signing-time", arg, &args->opts.signing_time) != 0)
                return -1;
            break;
        case OPT_VISIBLE: {
            sign_options *o = &args->opts;
            char tail;
            if (sscanf(arg, "%d,%lf,%lf,%lf,%lf%c", &o->visible_page, &o->visible_rect[0],
                       &o->visible_rect[1], &o->visible_rect[2], &o->visible_rect[3], &tail) != 5 ||
                o->visible_page < 1 || !isfinite(o->visible_rect[0]) || !isfinite(o->visible_rect[1]) ||
                !(o->visible_rect[2] > 0 && o->visible_rect[2] < 1e6) ||
                !(o->visible_rect[3] > 0 && o->visible_rect[3] < 1e6)) {
                cmd_error(prog, NULL, "--visible: '%s' is not PAGE,X,Y,W,H (page from 1, positive "
                                      "width and height)", arg);
                return -1;
            }
            break;
        }
        case OPT_IMAGE: args->image_path = arg; break;
        case OPT_REASON: args->opts.reason = arg; break;
        case OPT_LOCATION: args->opts.location = arg; break;
        case OPT_CONTACT: args->opts.contact = arg; break;
        case OPT_OUTPUT: args->output = arg; break;
        case OPT_JOBS:
            /* at most as many threads as sign_batch keeps ids for */
            if (cmd_parse_jobs(prog, arg, 64, &args->jobs) != 0)
                return -1;
            break;
        case OPT_QUIET: args->quiet = 1; break;
        case CMD_OPT_HELP: usage(stdout); return 1;
        case CMD_OPT_VERSION: printf("segl-sign %s\n", sign_version()); return 1;
        }
    }
    if (id < 0)
        return -1;
    if (!args->key_path == !args->pkcs11_uri) {
        cmd_error(prog, NULL,
                  args->key_path ? N_("give -k/--key or --pkcs11, not both")
                                 : N_("no key: give one with -k/--key or --pkcs11 (see --help)"));
        return -1;
    }
    if (args->opts.inner_format && check_inner(&args->opts) != 0)
        return -1;
    if (args->image_path && !args->opts.visible_page) {
        cmd_error(prog, NULL, "--image goes beside a visible signature: give --visible too");
        return -1;
    }
    args->opts.visible_language = labels_language();
    if (optind >= argc) {
        cmd_error(prog, NULL, "no input: name the files to sign (see --help)");
        return -1;
    }
    if (args->image_path && read_image(args) != 0)
        return -1;
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
        cmd_lib_error(prog, NULL, ctx);
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
        cmd_lib_error(prog, input, ctx);
        return exit_code_for(rc);
    }
    if (cmd_output_commit(&out, prog) != 0)
        return EXIT_SOFTWARE;
    /* Quiet on success unless someone is watching (STYLE.md): a script piping stderr gets
     * errors only. */
    if (!args->quiet && !out.to_stdout && isatty(STDERR_FILENO))
        fprintf(stderr, _("%s: signed %s -> %s\n"), prog, input, target);
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
    if (!failed)
        cmd_show_fetches(prog, ctx, batch->args->quiet);
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

/* A signature whose chain stops short of a root or an installed OCES CA cannot be validated
 * by whoever receives it (INDETERMINATE, no chain found): said at signing time, when the signer
 * can still add the CA certificates. A token often holds the signer's certificate alone. */
static void warn_short_chain(const sign_key *key)
{
    sign_ctx *trust = NULL;
    if (sign_ctx_new(&trust) != SIGN_OK)
        return;
    const char *dir = getenv("SEGL_TRUST_DIR"); /* as segl-verify: tests, the build tree */
    if (dir && *dir)
        sign_ctx_add_trust(trust, dir);
    else
        sign_ctx_use_default_trust(trust);
    if (sign_key_check_chain(trust, key) == SIGN_EKEY)
        cmd_error(prog, NULL, "warning: %s, so a validator may not find the signer's path "
                              "(INDETERMINATE): add the CA certificates with --chain FILE",
                  sign_ctx_errmsg(trust));
    sign_ctx_free(trust);
}

/* The command after cmd_start, on args (which main frees). */
static int sign_command(int argc, char **argv, struct sign_args *args)
{
    int parsed = parse_args(argc, argv, args);
    if (parsed != 0)
        return parsed > 0 ? EXIT_PASSED : EXIT_USAGE;
    int stdin_inputs = 0, directories = 0;
    for (int i = optind; i < argc; i++) {
        stdin_inputs += strcmp(argv[i], "-") == 0;
        directories += cmd_refuse_directory(prog, argv[i], "name the files in it: DIR/*");
    }
    if (directories)
        return EXIT_USAGE;
    if (args->pass_file && strcmp(args->pass_file, "-") == 0)
        stdin_inputs++; /* the password comes from standard input: nothing else can */
    if (stdin_inputs > 1) {
        cmd_error(prog, NULL, "standard input (\"-\") can be read once per call: for one INPUT, or for --pass-file");
        return EXIT_USAGE;
    }

    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    if (args->timeout)
        sign_ctx_set_timeout(ctx, args->timeout);
    cmd_show_fetches(prog, ctx, args->quiet);
    char *password = NULL;
    if (args->pass_file || args->pass_env || args->pkcs11_uri || sign_key_needs_password(args->key_path)) {
        /* Prompting needs the terminal on stdin and stdin free of content. */
        password = cmd_read_password(prog, args->pass_file, args->pass_env,
                                     args->pkcs11_uri ? _("PIN for the token: ")
                                                     : _("Password for the signing key: "),
                                     stdin_inputs == 0);
        if (!password) {
            sign_ctx_free(ctx);
            return EXIT_USAGE;
        }
    }
    sign_key *key = NULL;
    int rc = args->pkcs11_uri ? sign_key_load_pkcs11(&key, ctx, args->pkcs11_uri, args->cert_path,
                                                    args->chain_path, password)
                             : sign_key_load(&key, ctx, args->key_path, args->cert_path,
                                             args->chain_path, password);
    cmd_password_free(password);
    if (rc != SIGN_OK) {
        cmd_lib_error(prog, NULL, ctx);
        sign_ctx_free(ctx);
        return EXIT_USAGE;
    }
    /* Signing goes on (a test or a re-signing may want it), but a signature made with a
     * certificate outside its validity will not validate: say so. */
    enum sign_validity validity = SIGN_VALID;
    if (sign_key_validity(&validity, key, time(NULL)) == SIGN_OK && validity != SIGN_VALID)
        cmd_error(prog, NULL, "%s",
                  validity == SIGN_EXPIRED
                      ? _("warning: the signing certificate has expired; the signatures will not "
                          "validate")
                      : _("warning: the signing certificate is not valid yet; the signatures will "
                          "not validate"));
    warn_short_chain(key);
    int status;
    if (is_container(args->opts.format)) {
        status = sign_one(ctx, key, args, argv + optind, argc - optind);
    } else {
        /* Inputs signed on several threads, one context each, the key shared read-only: a batch
         * runs at the speed of the CPUs' RSA/ECDSA. A token key (PKCS#11) signs one at a time. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int threads = args->jobs ? args->jobs : (cpus > 0 ? (int)cpus : 1);
        if (args->pkcs11_uri || stdin_inputs)
            threads = 1;
        status = sign_batch(key, args, argv + optind, argc - optind, threads, ctx);
    }
    sign_key_free(key);
    sign_ctx_free(ctx);
    return status;
}

int main(int argc, char **argv)
{
    cmd_start();
    struct sign_args args = {0};
    int status = sign_command(argc, argv, &args);
    free(args.image);
    return status;
}
