/* segl-inspect: describe certificates, PKCS#12 key files and signed files without validating them.
 * Thin: files, passwords and printing; the inspection is libsign's (sign_inspect_*), and the
 * human output is printed from the JSON the library produces. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <libsign/sign.h>
#include "common/common.h"
#include "common/i18n.h"
#include "common/options.h"

static const char *prog = "segl-inspect";

/* Every option, once: getopt's tables and --help are made from this (cmd/common/options.h). */
enum { OPT_JSON = CMD_OPT_OWN, OPT_EXTRACT };
static const struct cmd_opt options[] = {
    CMD_OPT_ROW_PASS_FILE,
    CMD_OPT_ROW_PASS_ENV,
    {OPT_JSON, 0, "json", NULL, N_("one JSON object per file (JSON Lines) on stdout")},
    {OPT_EXTRACT, 0, "extract", "DIR",
     N_("write the data objects of the ASiC container FILE, or\n"
     "the sign text of the OpenSign or NemLog-in signature\n"
     "FILE, into DIR (made when missing; nothing is\n"
     "overwritten)")},
    CMD_OPT_ROW_HELP,
    CMD_OPT_ROW_VERSION,
    CMD_OPT_END,
};

static void usage(FILE *to)
{
    fprintf(to, _("Usage: segl-inspect [options] FILE...\n"
                "Describe each FILE (\"-\" = stdin) without validating it: a certificate (PEM/DER),\n"
                "a PKCS#12 key file, or a signed file (whose signatures are listed).\n\n"));
    cmd_opt_print_help(to, options);
    fprintf(to, _("\nWithout --pass-file or --pass-env the password of a PKCS#12 file is asked for\n"
                "on the terminal, only when the file needs one.\n"
                "Exit status: 0 every FILE described; 3 usage error, or a FILE unreadable, not\n"
                "recognised, or its password wrong. See segl-inspect(1).\n"));
}

struct inspect_args {
    const char *pass_file, *pass_env;
    int json;
    int stdin_is_input; /* then the terminal prompt cannot use stdin */
};

/* ---------------------------------------------------------------- human output */

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void print_field(int indent, const char *label, const char *value)
{
    if (value && *value)
        printf("%*s%-15s %s\n", indent, "", label, value);
}

/* A JSON array of strings as "a, b, c"; "(none)" for an empty array, NULL for null. */
static void print_list(int indent, const char *label, const json_t *list)
{
    if (!json_is_array(list))
        return;
    printf("%*s%-15s ", indent, "", label);
    if (json_array_size(list) == 0)
        printf("(none)");
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
        printf("%s%s", i ? ", " : "", json_string_value(item));
    printf("\n");
}

static void print_oces(int indent, const json_t *cert)
{
    const json_t *oces = json_object_get(cert, "oces");
    const char *kind = str(oces, "kind");
    int test = json_is_true(json_object_get(oces, "test"));
    char line[512];
    if (kind) {
        static const char *const ids[][2] = {
            {"uuid", "UUID"}, {"pid", "PID"}, {"rid", "RID"}, {"uid", "UID"}, {"fid", "FID"}};
        int generation = (int)json_integer_value(json_object_get(oces, "generation"));
        int used = generation ? snprintf(line, sizeof line, "%s (OCES%d)", kind, generation)
                              : snprintf(line, sizeof line, "%s", kind);
        for (size_t i = 0; i < 5; i++)
            if (str(oces, ids[i][0]) && used < (int)sizeof line)
                used += snprintf(line + used, sizeof line - (size_t)used, ", %s %s", ids[i][1],
                                 str(oces, ids[i][0]));
        if (str(oces, "cvr") && used < (int)sizeof line)
            used += snprintf(line + used, sizeof line - (size_t)used, ", CVR %s",
                             str(oces, "cvr"));
        if (test && used < (int)sizeof line)
            snprintf(line + used, sizeof line - (size_t)used, ", test certificate");
    } else if (json_is_true(json_object_get(oces, "oces_policy"))) {
        snprintf(line, sizeof line, "OCES policy%s, subject form not recognised",
                 test ? " (test)" : "");
    } else {
        return;
    }
    print_field(indent, "OCES:", line);
}

static void print_cert(int indent, const json_t *cert)
{
    char line[512];
    print_field(indent, "subject:", str(cert, "subject"));
    print_field(indent, "issuer:", str(cert, "issuer"));
    print_field(indent, "serial:", str(cert, "serial"));
    snprintf(line, sizeof line, "%s to %s", str(cert, "not_before") ? str(cert, "not_before") : "?",
             str(cert, "not_after") ? str(cert, "not_after") : "?");
    print_field(indent, "valid:", line);
    print_oces(indent, cert);
    snprintf(line, sizeof line, "%s %lld bits%s%s", str(cert, "key_type") ? str(cert, "key_type") : "?",
             (long long)json_integer_value(json_object_get(cert, "key_bits")),
             str(cert, "key_curve") ? ", " : "", str(cert, "key_curve") ? str(cert, "key_curve") : "");
    print_field(indent, "key:", line);
    snprintf(line, sizeof line, "%s%s%s%s", str(cert, "signature_algorithm") ? str(cert, "signature_algorithm") : "?",
             str(cert, "signature_digest") ? " (" : "",
             str(cert, "signature_digest") ? str(cert, "signature_digest") : "",
             str(cert, "signature_digest") ? ")" : "");
    print_field(indent, "signed with:", line);
    print_list(indent, "key usage:", json_object_get(cert, "key_usage"));
    print_list(indent, "ext. key usage:", json_object_get(cert, "extended_key_usage"));
    print_list(indent, "policies:", json_object_get(cert, "policies"));
    int ca = json_is_true(json_object_get(cert, "ca"));
    int self_signed = json_is_true(json_object_get(cert, "self_signed"));
    print_field(indent, "CA:", ca ? (self_signed ? "yes, self-signed" : "yes") : "no");
    print_field(indent, "SHA-256:", str(cert, "sha256_fingerprint"));
}

static void print_signature(const json_t *sig)
{
    printf("  signature %s (not validated)\n", str(sig, "id") ? str(sig, "id") : "?");
    const json_t *signer = json_object_get(sig, "signer");
    if (json_is_object(signer)) {
        print_field(4, "signer:", str(signer, "subject"));
        print_field(4, "issuer:", str(signer, "issuer"));
        print_oces(4, signer);
    } else {
        const json_t *id = json_object_get(sig, "signer_id");
        char line[1024];
        if (str(id, "issuer"))
            snprintf(line, sizeof line, "not in the file (issuer %s, serial %s)",
                     str(id, "issuer"), str(id, "serial") ? str(id, "serial") : "?");
        else
            snprintf(line, sizeof line, "not in the file (key id %s)",
                     str(id, "subject_key_identifier") ? str(id, "subject_key_identifier") : "?");
        print_field(4, "signer:", line);
    }
    if (str(sig, "signing_time")) {
        char line[64];
        snprintf(line, sizeof line, "%s (claimed)", str(sig, "signing_time"));
        print_field(4, "signing time:", line);
    }
    print_field(4, "digest:", str(sig, "digest_algorithm"));
    print_field(4, "signed with:", str(sig, "signature_algorithm"));
    print_list(4, "level markers:", json_object_get(sig, "level_markers"));
    print_field(4, "claimed level:", str(sig, "claimed_level"));
}

static void print_human(const char *file, const json_t *root)
{
    const char *type = str(root, "type");
    const json_t *certs = json_object_get(root, "certificates");
    size_t count = json_array_size(certs);
    if (strcmp(type, "signed") == 0) {
        const json_t *sigs = json_object_get(root, "signatures");
        printf("%s: signed file (%s, %s), %zu signature%s\n", file, str(root, "format"),
               str(root, "packaging") ? str(root, "packaging") : "?", json_array_size(sigs),
               json_array_size(sigs) == 1 ? "" : "s");
        size_t i;
        const json_t *sig;
        json_array_foreach(sigs, i, sig)
            print_signature(sig);
    } else if (strcmp(type, "pkcs12") == 0) {
        printf("%s: PKCS#12 file, %s %lld-bit key%s\n", file, str(root, "key_type"),
               (long long)json_integer_value(json_object_get(root, "key_bits")),
               json_is_false(json_object_get(root, "key_matches_certificate"))
                   ? " (does not match the certificate)" : "");
        for (size_t i = 0; i < count; i++) {
            if (i == 0)
                printf("  certificate of the key:\n");
            else
                printf("  other certificate %zu:\n", i);
            print_cert(4, json_array_get(certs, i));
        }
    } else if (count == 1) {
        printf("%s: certificate\n", file);
        print_cert(2, json_array_get(certs, 0));
    } else {
        printf("%s: %zu certificates\n", file, count);
        for (size_t i = 0; i < count; i++) {
            printf("  certificate %zu:\n", i + 1);
            print_cert(4, json_array_get(certs, i));
        }
    }
}

/* ---------------------------------------------------------------- per file */

static void print_json_error(const char *file, const char *message)
{
    json_t *obj = json_pack("{s:s, s:n, s:s}", "file", file, "type", "error", message);
    char *line = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (line)
        printf("%s\n", line);
    free(line);
    json_decref(obj);
}

/* Standard input, read whole so that a PKCS#12 file can be opened again with a password. */
static unsigned char *read_stdin(size_t *len)
{
    size_t cap = 65536, used = 0;
    unsigned char *data = malloc(cap);
    ssize_t n;
    while (data && (n = read(STDIN_FILENO, data + used, cap - used)) > 0) {
        used += (size_t)n;
        if (used == cap) {
            unsigned char *grown = realloc(data, cap * 2);
            if (!grown) {
                free(data);
                return NULL;
            }
            data = grown;
            cap *= 2;
        }
    }
    *len = used;
    return data;
}

static int inspect(sign_inspection **out, sign_ctx *ctx, const char *file,
                   const unsigned char *data, size_t len, const char *password)
{
    return data ? sign_inspect_memory(out, ctx, data, len, file, password)
                : sign_inspect_file(out, ctx, file, password);
}

/* given_password: from --pass-file/--pass-env, or NULL. Returns the file's exit status. */
static int inspect_one(sign_ctx *ctx, const struct inspect_args *args, const char *file,
                       const char *given_password)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (cmd_refuse_directory(prog, file, "name a file in it")) {
        if (args->json)
            print_json_error(file, "is a directory");
        return EXIT_USAGE;
    }
    if (strcmp(file, "-") == 0 && !(data = read_stdin(&len))) {
        cmd_error(prog, file, "cannot read stdin");
        return EXIT_USAGE;
    }
    sign_inspection *inspection = NULL;
    int rc = inspect(&inspection, ctx, file, data, len, given_password);
    if (rc == SIGN_EPASS && !given_password) {
        /* The file needs a password: ask for it on the terminal, once. */
        char prompt[512];
        snprintf(prompt, sizeof prompt, "Password for %s: ", file);
        char *password = cmd_read_password(prog, NULL, NULL, prompt, !args->stdin_is_input);
        if (!password) {
            free(data);
            if (args->json)
                print_json_error(file, "a password is needed");
            return EXIT_USAGE;
        }
        rc = inspect(&inspection, ctx, file, data, len, password);
        cmd_password_free(password);
    }
    free(data);
    if (rc != SIGN_OK) {
        cmd_error(prog, NULL, "%s", sign_ctx_errmsg(ctx));
        if (args->json)
            print_json_error(file, sign_ctx_errmsg(ctx));
        return rc == SIGN_ENOMEM ? EXIT_SOFTWARE : EXIT_USAGE;
    }
    char *text = NULL;
    int status = EXIT_PASSED;
    if (sign_inspection_json(&text, inspection, file) != SIGN_OK) {
        cmd_error(prog, file, "out of memory");
        status = EXIT_SOFTWARE;
    } else if (args->json) {
        printf("%s\n", text);
    } else {
        json_t *root = json_loads(text, 0, NULL);
        if (root)
            print_human(file, root);
        json_decref(root);
    }
    free(text);
    sign_inspection_free(inspection);
    fflush(stdout);
    return status;
}

/* --extract DIR FILE: the data objects of one ASiC container, checked and written safely. */
static int extract(const char *dir, int count, char **files)
{
    if (count != 1 || strcmp(files[0], "-") == 0) {
        cmd_error(prog, NULL, "--extract takes one container or signature FILE");
        return EXIT_USAGE;
    }
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    /* The sign text of an OpenSign signature, or the data objects of a container. */
    int rc = sign_sign_text_extract(ctx, files[0], dir);
    if (rc == SIGN_EUNSUPPORTED)
        rc = sign_asic_extract(ctx, files[0], dir);
    if (rc != SIGN_OK)
        cmd_error(prog, NULL, "%s", sign_ctx_errmsg(ctx));
    sign_ctx_free(ctx);
    return rc == SIGN_OK ? EXIT_PASSED : rc == SIGN_ENOMEM ? EXIT_SOFTWARE : EXIT_USAGE;
}

int main(int argc, char **argv)
{
    cmd_start();
    const char *extract_dir = NULL;
    struct inspect_args args = {0};
    cmd_opt_parser parser;
    cmd_opt_init(&parser, prog, options, argc, argv);
    const char *arg;
    int id;
    while ((id = cmd_opt_next(&parser, &arg)) > 0) {
        switch (id) {
        case CMD_OPT_PASS_FILE: args.pass_file = arg; break;
        case CMD_OPT_PASS_ENV: args.pass_env = arg; break;
        case OPT_JSON: args.json = 1; break;
        case OPT_EXTRACT: extract_dir = arg; break;
        case CMD_OPT_HELP: usage(stdout); return EXIT_PASSED;
        case CMD_OPT_VERSION: printf("segl-inspect %s\n", sign_version()); return EXIT_PASSED;
        }
    }
    if (id < 0)
        return EXIT_USAGE;
    if (optind >= argc) {
        cmd_error(prog, NULL, "no input: name the files to inspect (see --help)");
        return EXIT_USAGE;
    }
    if (extract_dir)
        return extract(extract_dir, argc - optind, argv + optind);
    for (int i = optind; i < argc; i++)
        args.stdin_is_input += strcmp(argv[i], "-") == 0;
    if (args.stdin_is_input > 1 ||
        (args.stdin_is_input && args.pass_file && strcmp(args.pass_file, "-") == 0)) {
        cmd_error(prog, NULL, "standard input (\"-\") can be read once per call: for one FILE, "
                              "or for --pass-file");
        return EXIT_USAGE;
    }
    char *password = NULL;
    if (args.pass_file || args.pass_env) {
        password = cmd_read_password(prog, args.pass_file, args.pass_env, "", 0);
        if (!password)
            return EXIT_USAGE;
    }
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_password_free(password);
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    int status = EXIT_PASSED;
    for (int i = optind; i < argc; i++) {
        int one = inspect_one(ctx, &args, argv[i], password);
        if (one > status)
            status = one;
    }
    cmd_password_free(password);
    sign_ctx_free(ctx);
    return status;
}
