/* segl-verify: validate signed files. Thin: options, inputs, threads and printing live here and
 * in cmd/verify/; the validation itself is libsign's. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"
#include "common/i18n.h"
#include "common/options.h"
#include "verify/verify.h"

static const char *prog = "segl-verify";

/* Every option, once: getopt's tables and --help are made from this (cmd/common/options.h). */
enum {
    OPT_TRUST = CMD_OPT_OWN, OPT_NO_DEFAULT_TRUST, OPT_TL, OPT_TL_SIGNER, OPT_CONTENT, OPT_AT,
    OPT_OFFLINE, OPT_REVOCATION, OPT_JSON, OPT_REPORT, OPT_JOBS, OPT_FILES_FROM, OPT_NULL,
    OPT_RECURSIVE, OPT_SHARD, OPT_UNORDERED, OPT_QUIET,
    OPT_POLICY, OPT_VISUAL, OPT_SHOW_CHANGES
};
static const struct cmd_opt options[] = {
    {OPT_TRUST, 0, "trust", "FILE|DIR", N_("trust anchors (PEM/DER certificates); repeatable")},
    {OPT_NO_DEFAULT_TRUST, 0, "no-default-trust", NULL,
     N_("trust only what --trust gives, not the OCES CAs\n"
     "installed with segl")},
    {OPT_TL, 0, "tl", "FILE|URL",
     N_("an ETSI trusted list (national, or the EU list of the\n"
     "lists): its CAs become trust anchors and signers are\n"
     "reported qualified or not; repeatable")},
    {OPT_TL_SIGNER, 0, "tl-signer", "FILE",
     N_("pinned certificate(s) the trusted lists must be signed\n"
     "by; repeatable, needed with --tl")},
    {OPT_CONTENT, 0, "content", "FILE",
     N_("signed content of a detached signature (one FILE only;\n"
     "\"-\" = stdin; default: FILE without .p7s/.p7m/.sig,\n"
     "when it exists)")},
    {OPT_AT, 0, "at", "TIME", N_("validate at TIME (RFC 3339) instead of now")},
    {OPT_OFFLINE, 0, "offline", NULL,
     N_("fetch nothing: use only the data the signature carries\n"
     "and what --certs, --crl and --ocsp give")},
    CMD_OPT_ROW_CERTS,
    CMD_OPT_ROW_CRL,
    CMD_OPT_ROW_OCSP,
    {OPT_POLICY, 0, "policy", "OID",
     N_("accept only paths valid for certificate policy OID\n"
     "(RFC 5280 user-initial-policy-set); repeatable;\n"
     "default: any policy")},
    {OPT_REVOCATION, 0, "revocation", "P",
     N_("require|soft|off: what an unknown revocation status does\n"
     "(default soft: a warning; require: INDETERMINATE)")},
    CMD_OPT_ROW_TIMEOUT,
    {OPT_VISUAL, 0, "visual", "MODE",
     N_("auto|always|off: render the pages of each signed PDF\n"
     "revision and compare them with the final file (default\n"
     "auto: when a later revision holds more than DSS and\n"
     "document timestamps)")},
    {OPT_SHOW_CHANGES, 0, "show-changes", "DIR",
     N_("write each page that looks different after a signature\n"
     "to DIR/NAME.sigN.pageP.png, the changes highlighted")},
    {OPT_JSON, 0, "json", NULL, N_("one JSON object per file (JSON Lines) on stdout")},
    {OPT_REPORT, 0, "report", "etsi PATH",
     N_("an ETSI TS 119 102-2 XML validation report per file: in\n"
     "PATH/NAME.etsi.xml when PATH is a directory, else in\n"
     "the file PATH (one input only; \"-\" = stdout)")},
    {OPT_JOBS, 'j', "jobs", "N", N_("validate N files at a time (default: the CPUs)")},
    {OPT_FILES_FROM, 0, "files-from", "FILE",
     N_("read file names, one per line, from FILE (\"-\" = stdin)")},
    {OPT_NULL, '0', "null", NULL, N_("names in --files-from end with NUL, not newline")},
    {OPT_RECURSIVE, 'r', "recursive", "DIR",
     N_("validate the signed files under DIR (.p7s .p7m .pdf .xml\n"
     ".asice .asics .sce .scs); repeatable")},
    {OPT_SHARD, 0, "shard", "K/N", N_("validate only share K of N (1 <= K <= N) of the files")},
    {OPT_UNORDERED, 0, "unordered", NULL, N_("print each result when ready, not in input order")},
    {OPT_QUIET, 'q', "quiet", NULL, N_("print nothing; the exit status tells")},
    CMD_OPT_ROW_HELP,
    CMD_OPT_ROW_VERSION,
    CMD_OPT_END,
};

static void usage(FILE *to)
{
    fprintf(to, _("Usage: segl-verify [options] FILE...\n"
                "Validate every signature in each FILE (\"-\" = stdin).\n\n"));
    cmd_opt_print_help(to, options);
    fprintf(to, _("\nExit status: 0 every signature TOTAL_PASSED; 1 a signature TOTAL_FAILED;\n"
                "2 INDETERMINATE or no signature found; 3 usage error, unreadable or unparsable\n"
                "input. See segl-verify(1).\n"));
}

struct verify_args {
    const char *content_path;
    int json, quiet, jobs, nul_separated, unordered;
    unsigned shard_k, shard_n;
    const char *files_from;
    const char *report_path; /* --report etsi PATH */
    const char *show_changes; /* --show-changes DIR */
    int visual;               /* --visual, enum sign_visual_mode */
};

/* Standard input, read once: the library reads it from memory or from a file without a name
 * (cmd_stdin_read), never from a named temporary file. NULL with the reason in *error. */
static struct cmd_stdin *read_stdin(const char **error)
{
    static char why[512]; /* stdin is read once in a run */
    struct cmd_stdin *in = calloc(1, sizeof *in);
    if (!in)
        *error = "out of memory";
    else if (cmd_stdin_read(in, why, sizeof why) != 0)
        *error = why;
    else
        return in;
    free(in);
    return NULL;
}

static int parse_shard(const char *text, unsigned *k, unsigned *n)
{
    char *slash, *end;
    unsigned long kk = strtoul(text, &slash, 10);
    if (slash == text || *slash != '/')
        return -1;
    unsigned long nn = strtoul(slash + 1, &end, 10);
    if (end == slash + 1 || *end || kk < 1 || nn < 1 || kk > nn || nn > 1000000)
        return -1;
    *k = (unsigned)kk;
    *n = (unsigned)nn;
    return 0;
}

/* The OCES CAs installed with segl, which --trust adds to. SEGL_TRUST_DIR names another directory
 * (tests, running from the build tree). A missing store is only warned about: fewer trust anchors
 * can make a result INDETERMINATE, never TOTAL_PASSED. */
static void use_default_trust(sign_ctx *ctx, int quiet)
{
    const char *dir = getenv("SEGL_TRUST_DIR");
    int rc = dir && *dir ? sign_ctx_add_trust(ctx, dir) : sign_ctx_use_default_trust(ctx);
    if (rc != SIGN_OK && !quiet)
        cmd_error(prog, NULL, "warning: %s%s; going on without it (give --trust, or "
                              "--no-default-trust)", dir && *dir ? "default trust " : "",
                  sign_ctx_errmsg(ctx));
}

/* Parses options into args, ctx and names. Returns -1 to exit with EXIT_USAGE, 1 to exit 0. */
static int parse_args(int argc, char **argv, struct verify_args *args, sign_ctx *ctx,
                      struct name_list *names)
{
    const char *walk_dirs[64];
    size_t walk_count = 0;
    int default_trust = 1;
    const char *tl_sources[64], *tl_signers[64]; /* loaded after all options (--offline) */
    size_t tl_count = 0, tl_signer_count = 0;
    static const struct cmd_choice policies[] = {
        {"soft", SIGN_REVOCATION_SOFT},
        {"require", SIGN_REVOCATION_REQUIRE},
        {"off", SIGN_REVOCATION_OFF},
        {NULL, 0},
    };
    static const struct cmd_choice visual_modes[] = {
        {"auto", SIGN_VISUAL_AUTO},
        {"always", SIGN_VISUAL_ALWAYS},
        {"off", SIGN_VISUAL_OFF},
        {NULL, 0},
    };
    cmd_opt_parser parser;
    cmd_opt_init(&parser, prog, options, argc, argv);
    const char *arg;
    int id, value;
    while ((id = cmd_opt_next(&parser, &arg)) > 0) {
        switch (id) {
        case OPT_TRUST:
            if (sign_ctx_add_trust(ctx, arg) != SIGN_OK) {
                cmd_error(prog, NULL, "--trust: %s", sign_ctx_errmsg(ctx));
                return -1;
            }
            break;
        case OPT_NO_DEFAULT_TRUST: default_trust = 0; break;
        case OPT_TL:
        case OPT_TL_SIGNER:
            if ((id == OPT_TL ? tl_count : tl_signer_count) == 64) {
                cmd_error(prog, NULL, "%s: at most 64", id == OPT_TL ? "--tl" : "--tl-signer");
                return -1;
            }
            if (id == OPT_TL)
                tl_sources[tl_count++] = arg;
            else
                tl_signers[tl_signer_count++] = arg;
            break;
        case OPT_CONTENT: args->content_path = arg; break;
        case OPT_AT: {
            time_t at;
            if (cmd_parse_time(prog, "--at", arg, &at) != 0)
                return -1;
            sign_ctx_set_time(ctx, at);
            break;
        }
        case OPT_OFFLINE: sign_ctx_set_offline(ctx, 1); break;
        case CMD_OPT_CERTS:
        case CMD_OPT_CRL:
        case CMD_OPT_OCSP:
            if (cmd_add_validation_data(prog, ctx, id, arg) != 0)
                return -1;
            break;
        case OPT_POLICY:
            /* the initial policy set: given to the library as it is */
            if (sign_ctx_add_policy(ctx, arg) != SIGN_OK) {
                cmd_error(prog, NULL, "--policy: %s", sign_ctx_errmsg(ctx));
                return -1;
            }
            break;
        case OPT_REVOCATION:
            if (cmd_parse_choice(prog, "revocation policy", arg, policies, &value) != 0)
                return -1;
            sign_ctx_set_revocation(ctx, (enum sign_revocation_policy)value);
            break;
        case CMD_OPT_TIMEOUT: {
            long seconds;
            if (cmd_parse_timeout(prog, arg, &seconds) != 0)
                return -1;
            sign_ctx_set_timeout(ctx, seconds);
            break;
        }
        case OPT_VISUAL:
            if (cmd_parse_choice(prog, "--visual mode", arg, visual_modes, &args->visual) != 0)
                return -1;
            break;
        case OPT_SHOW_CHANGES: args->show_changes = arg; break;
        case OPT_JSON: args->json = 1; break;
        case OPT_REPORT:
            /* --report etsi PATH: the format, then where the reports go (the next argument) */
            if (strcmp(arg, "etsi") != 0 || optind >= argc ||
                (argv[optind][0] == '-' && argv[optind][1])) {
                cmd_error(prog, NULL, "--report: use --report etsi PATH (a directory, a file or -)");
                return -1;
            }
            args->report_path = argv[optind++];
            break;
        case OPT_JOBS:
            if (cmd_parse_jobs(prog, arg, 1024, &args->jobs) != 0)
                return -1;
            break;
        case OPT_FILES_FROM: args->files_from = arg; break;
        case OPT_NULL: args->nul_separated = 1; break;
        case OPT_RECURSIVE:
            if (walk_count == sizeof walk_dirs / sizeof walk_dirs[0]) {
                cmd_error(prog, NULL, "-r: too many directories");
                return -1;
            }
            walk_dirs[walk_count++] = arg;
            break;
        case OPT_SHARD:
            if (parse_shard(arg, &args->shard_k, &args->shard_n) != 0) {
                cmd_error(prog, NULL, "--shard: '%s' is not K/N with 1 <= K <= N", arg);
                return -1;
            }
            break;
        case OPT_UNORDERED: args->unordered = 1; break;
        case OPT_QUIET: args->quiet = 1; break;
        case CMD_OPT_HELP: usage(stdout); return 1;
        case CMD_OPT_VERSION: printf("segl-verify %s\n", sign_version()); return 1;
        }
    }
    if (id < 0)
        return -1;
    if (args->show_changes) {
        struct stat st;
        if (args->visual == SIGN_VISUAL_OFF) {
            cmd_error(prog, NULL, "--show-changes needs the visual comparison: not with --visual off");
            return -1;
        }
        if (stat(args->show_changes, &st) != 0 || !S_ISDIR(st.st_mode)) {
            cmd_error(prog, args->show_changes, "--show-changes: not an existing directory");
            return -1;
        }
    }
    sign_ctx_set_visual(ctx, (enum sign_visual_mode)args->visual, args->show_changes != NULL);
    if (tl_signer_count > 0 && tl_count == 0) {
        cmd_error(prog, NULL, "--tl-signer without --tl");
        return -1;
    }
    for (size_t i = 0; i < tl_count; i++)
        if (sign_ctx_add_trusted_list(ctx, tl_sources[i], tl_signers, tl_signer_count) != SIGN_OK) {
            cmd_error(prog, NULL, "--tl: %s", sign_ctx_errmsg(ctx));
            return -1;
        }
    if (default_trust)
        use_default_trust(ctx, args->quiet);
    for (int i = optind; i < argc; i++)
        if (names_add(names, argv[i]) != 0)
            return -1;
    if (args->files_from &&
        names_read_from(names, prog, args->files_from, args->nul_separated) != 0)
        return -1;
    for (size_t i = 0; i < walk_count; i++)
        if (names_walk(names, prog, walk_dirs[i]) != 0)
            return -1;
    if (names->count == 0 && walk_count == 0) {
        cmd_error(prog, NULL, "no input: name the signed files (see --help)");
        return -1;
    }
    if (args->content_path && names->count > 1) {
        cmd_error(prog, NULL, "--content applies to one FILE only");
        return -1;
    }
    /* Standard input can be read once: for the content, or the signed file, or the list. */
    if (args->content_path && strcmp(args->content_path, "-") == 0 &&
        ((names->count == 1 && strcmp(names->names[0], "-") == 0) ||
         (args->files_from && strcmp(args->files_from, "-") == 0))) {
        cmd_error(prog, NULL, "--content - reads standard input, so the %s cannot come from it "
                              "too: give %s as a file", args->files_from ? "list" : "signed file",
                  args->files_from ? "--files-from" : "one of them");
        return -1;
    }
    if (args->shard_n)
        names_keep_shard(names, args->shard_k, args->shard_n);
    if (args->report_path && strcmp(args->report_path, "-") == 0 && args->json) {
        cmd_error(prog, NULL, "--report etsi -: stdout is taken by --json");
        return -1;
    }
    return 0;
}

static struct job *make_jobs(const struct name_list *names, const struct verify_args *args)
{
    struct job *jobs = calloc(names->count ? names->count : 1, sizeof *jobs);
    int stdin_taken = args->files_from && strcmp(args->files_from, "-") == 0;
    for (size_t i = 0; jobs && i < names->count; i++) {
        struct job *job = &jobs[i];
        job->name = names->names[i];
        if (strcmp(job->name, "-") == 0 && !stdin_taken) {
            stdin_taken = 1;
            job->input = read_stdin(&job->input_error);
        } else {
            job->path = strdup(job->name);
        }
        if (args->content_path && strcmp(args->content_path, "-") == 0) {
            job->content_input = read_stdin(&job->input_error); /* one job: parse_args */
        } else {
            /* The implied content is looked for by the worker: a stat per file, in parallel. */
            job->content_path = args->content_path ? strdup(args->content_path) : NULL;
            job->find_content = !args->content_path;
        }
    }
    return jobs;
}

static void free_jobs(struct job *jobs, size_t count)
{
    for (size_t i = 0; jobs && i < count; i++) {
        if (jobs[i].input)
            cmd_stdin_free(jobs[i].input);
        free(jobs[i].input);
        if (jobs[i].content_input)
            cmd_stdin_free(jobs[i].content_input);
        free(jobs[i].content_input);
        free(jobs[i].path);
        free(jobs[i].content_path);
        free(jobs[i].output);
        sign_report_free(jobs[i].report);
    }
    free(jobs);
}

static const char *job_error(const struct job *job)
{
    return job->input_error ? job->input_error
           : job->report    ? sign_report_error(job->report)
                            : "out of memory";
}

/* job_render_fn: what print_result writes on stdout for job, made by the worker. */
static void render_result(struct job *job, const void *arg)
{
    const struct verify_args *args = arg;
    if (job->report && args->json) {
        char *line = NULL;
        if (sign_report_json(&line, job->report, job->name) == SIGN_OK) {
            size_t len = strlen(line);
            char *with_newline = realloc(line, len + 2);
            if (with_newline) {
                memcpy(with_newline + len, "\n", 2);
                job->output = with_newline;
                job->output_len = len + 1;
                line = NULL;
            }
        }
        free(line);
    } else if (job->report && !args->quiet && !job_error(job) &&
               !(args->report_path && strcmp(args->report_path, "-") == 0)) {
        FILE *out = open_memstream(&job->output, &job->output_len);
        if (out) {
            print_human(out, job);
            fclose(out);
        }
    }
}

static int print_result(struct job *job)
{
    const char *error = job_error(job);
    if (error) {
        fflush(stdout); /* results printed before it stay before it on a shared terminal or pipe */
        cmd_error(prog, job->name, "%s", error);
    }
    if (job->output)
        fwrite(job->output, 1, job->output_len, stdout);
    free(job->output);
    job->output = NULL;
    /* Not flushed per file: pool_next_finished flushes whenever it would wait, so results go
     * out at once when validating is the slower side and in batches when printing is. */
    return file_status(job->report);
}

int main(int argc, char **argv)
{
    cmd_start();
    struct verify_args args = {0};
    struct name_list names = {0};
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    int parsed = parse_args(argc, argv, &args, ctx, &names);
    if (parsed != 0) {
        names_free(&names);
        sign_ctx_free(ctx);
        return parsed > 0 ? EXIT_PASSED : EXIT_USAGE;
    }

    cmd_show_fetches(prog, ctx, args.quiet || args.json);
    struct etsi_out *etsi = NULL;
    if (args.report_path && !(etsi = etsi_out_new(prog, args.report_path, &names))) {
        names_free(&names);
        sign_ctx_free(ctx);
        return EXIT_USAGE;
    }
    struct job *jobs = make_jobs(&names, &args);
    size_t *positions = jobs && args.show_changes ? changes_out_positions(jobs, names.count) : NULL;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = args.jobs ? args.jobs : (cpus > 0 ? (int)cpus : 1);
    if ((size_t)threads > names.count)
        threads = names.count ? (int)names.count : 1;
    struct pool *pool = jobs ? pool_start(ctx, jobs, names.count, threads, render_result, &args) : NULL;
    int status = pool && (positions || !args.show_changes) ? EXIT_PASSED : EXIT_SOFTWARE;
    struct progress *progress = args.quiet ? NULL : progress_new(names.count);
    struct summary summary = {0};
    for (size_t done = 0; pool && done < names.count; done++) {
        size_t index = pool_next_finished(pool, !args.unordered, stdout);
        struct job *job = &jobs[index];
        status = worse_status(status, print_result(job));
        if (etsi && !job->input_error) { /* no report of an input never read: said already */
            fflush(stdout);
            time_t at = sign_ctx_get_time(ctx);
            status = worse_status(status, etsi_out_write(etsi, prog, index, job,
                                                         at != (time_t)-1 ? at : job->validated_at));
        }
        if (positions)
            status = worse_status(status, changes_out_write(prog, args.show_changes, job,
                                                            positions[index]));
        summary_add(&summary, job->report);
        /* A long batch keeps nothing of a file it has printed but its name: memory stays flat
         * while it runs (the worker made the content's path as it went). */
        sign_report_free(job->report);
        job->report = NULL;
        free(job->path);
        job->path = NULL;
        free(job->content_path);
        job->content_path = NULL;
        progress_update(progress, done + 1);
    }
    pool_finish(pool);
    fflush(stdout);
    progress_end(progress);
    if (!args.quiet && names.count > 1)
        summary_print(&summary, prog);
    free(positions);
    free_jobs(jobs, names.count);
    etsi_out_free(etsi);
    names_free(&names);
    sign_ctx_free(ctx);
    return status;
}
