/* segl-verify: validate signed files. Thin: inputs, worker threads and printing; the validation
 * itself is libsign's. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libsign/sign.h>
#include "common/common.h"

static const char *prog = "segl-verify";

static void usage(FILE *to)
{
    fprintf(to,
            "Usage: segl-verify [options] FILE...\n"
            "Validate every signature in each FILE (\"-\" = stdin).\n\n"
            "      --trust FILE|DIR   trust anchors (PEM/DER certificates); repeatable\n"
            "      --content FILE     signed content of a detached signature (one FILE only;\n"
            "                         default: FILE without .p7s/.p7m/.sig, when it exists)\n"
            "      --at TIME          validate at TIME (RFC 3339) instead of now\n"
            "      --offline          use only data embedded in the signature\n"
            "      --json             one JSON object per file (JSON Lines) on stdout\n"
            "  -j, --jobs N           validate N files at a time (default: the CPUs)\n"
            "      --files-from FILE  read file names, one per line, from FILE (\"-\" = stdin)\n"
            "  -q, --quiet            print nothing; the exit status tells\n"
            "  -h, --help             this help\n"
            "  -V, --version          print the version\n\n"
            "Exit status: 0 every signature TOTAL_PASSED; 1 a signature TOTAL_FAILED;\n"
            "2 INDETERMINATE or no signature found; 3 usage error, unreadable or unparsable\n"
            "input. See segl-verify(1).\n");
}

struct verify_args {
    const char *content_path;
    int json, quiet, jobs;
    const char *files_from;
};

struct job {
    const char *name;        /* as the user gave it, for printing */
    char *path;              /* where to read it (a spooled copy for stdin) */
    char *content_path;      /* detached content, or NULL */
    sign_report *report;
    int done;
    int spooled;             /* path is our temporary copy of stdin: remove it at the end */
};

struct pool {
    const sign_ctx *ctx;
    struct job *jobs;
    size_t count;
    size_t next;             /* next job to hand out */
    pthread_mutex_t lock;
    pthread_cond_t finished;
};

static char *default_content(const char *path)
{
    static const char *const extensions[] = {".p7s", ".p7m", ".sig"};
    size_t len = strlen(path);
    for (size_t i = 0; i < 3; i++) {
        size_t ext = strlen(extensions[i]);
        if (len > ext && strcmp(path + len - ext, extensions[i]) == 0) {
            char *content = strndup(path, len - ext);
            struct stat st;
            if (content && stat(content, &st) == 0 && S_ISREG(st.st_mode))
                return content;
            free(content);
            return NULL;
        }
    }
    return NULL;
}

static void *worker(void *arg)
{
    struct pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        size_t i = pool->next < pool->count ? pool->next++ : pool->count;
        pthread_mutex_unlock(&pool->lock);
        if (i >= pool->count)
            return NULL;
        struct job *job = &pool->jobs[i];
        sign_report *report = NULL;
        sign_verify_file(&report, pool->ctx, job->path, job->content_path);
        pthread_mutex_lock(&pool->lock);
        job->report = report;
        job->done = 1;
        pthread_cond_broadcast(&pool->finished);
        pthread_mutex_unlock(&pool->lock);
    }
}

static void print_human(const struct job *job)
{
    const sign_report *report = job->report;
    size_t count = sign_report_count(report);
    if (count == 0) {
        printf("%s: no signature found\n", job->name);
        return;
    }
    printf("%s: %s\n", job->name, sign_indication_name(sign_report_indication(report)));
    for (size_t i = 0; i < count; i++) {
        const sign_sig *sig = sign_report_sig(report, i);
        const char *sub = sign_sig_subindication(sig);
        const char *level = sign_sig_level(sig);
        printf("  %s: %s%s%s%s%s\n", sign_sig_id(sig), sign_indication_name(sign_sig_indication(sig)),
               sub ? "/" : "", sub ? sub : "", level ? ", " : "", level ? level : "");
        const sign_oces_id *oces = sign_sig_signer_oces(sig);
        if (oces) {
            const char *kind = sign_oces_kind_name(oces->kind);
            printf("    signer: %s", oces->common_name[0] ? oces->common_name : sign_sig_signer_subject(sig));
            if (kind)
                printf(" (%s%s%s, %s%s%s)", kind, oces->cvr[0] ? ", CVR " : "", oces->cvr,
                       oces->serial_number, oces->test ? ", " : "",
                       oces->test ? "test certificate" : "");
            else if (oces->serial_number[0])
                printf(" (serialNumber %s)", oces->serial_number);
            printf("\n");
        }
        time_t when = sign_sig_signing_time(sig);
        if (when != (time_t)-1) {
            char text[21];
            sign_format_time(text, when);
            printf("    signing time: %s (claimed by the signer)\n", text);
        }
        for (size_t e = 0; e < sign_sig_error_count(sig); e++)
            printf("    error: %s\n", sign_sig_error(sig, e));
        for (size_t w = 0; w < sign_sig_warning_count(sig); w++)
            printf("    warning: %s\n", sign_sig_warning(sig, w));
    }
}

/* Exit code of one file; the command's is the most severe: 3, then 1, then 2, then 0. */
static int file_status(const sign_report *report)
{
    if (sign_report_error(report))
        return EXIT_USAGE;
    if (sign_report_count(report) == 0)
        return EXIT_INDETERMINATE;
    switch (sign_report_indication(report)) {
    case SIGN_TOTAL_PASSED: return EXIT_PASSED;
    case SIGN_TOTAL_FAILED: return EXIT_FAILED;
    default: return EXIT_INDETERMINATE;
    }
}

static int severity(int status)
{
    static const int rank[] = {[EXIT_PASSED] = 0, [EXIT_INDETERMINATE] = 1, [EXIT_FAILED] = 2,
                               [EXIT_USAGE] = 3};
    return rank[status];
}

/* Copy stdin to a temporary file: formats need to read their input more than once. */
static char *spool_stdin(void)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    if (!path)
        return NULL;
    snprintf(path, 4096, "%s/segl-stdin-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    close(fd);
    if (n < 0) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

static int add_name(char ***names, size_t *count, size_t *cap, const char *name)
{
    if (*count == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        char **grown = realloc(*names, grown_cap * sizeof *grown);
        if (!grown)
            return -1;
        *names = grown;
        *cap = grown_cap;
    }
    (*names)[(*count)++] = strdup(name);
    return (*names)[*count - 1] ? 0 : -1;
}

static int read_files_from(const char *from, char ***names, size_t *count, size_t *cap)
{
    FILE *in = strcmp(from, "-") == 0 ? stdin : fopen(from, "r");
    if (!in) {
        cmd_error(prog, from, "cannot read: %s", strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &line_cap, in)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > 0 && add_name(names, count, cap, line) != 0) {
            rc = -1;
            break;
        }
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return rc;
}

int main(int argc, char **argv)
{
    enum { OPT_TRUST = 256, OPT_CONTENT, OPT_AT, OPT_OFFLINE, OPT_JSON, OPT_FILES_FROM };
    static const struct option longopts[] = {
        {"trust", required_argument, NULL, OPT_TRUST},
        {"content", required_argument, NULL, OPT_CONTENT},
        {"at", required_argument, NULL, OPT_AT},
        {"offline", no_argument, NULL, OPT_OFFLINE},
        {"json", no_argument, NULL, OPT_JSON},
        {"jobs", required_argument, NULL, 'j'},
        {"files-from", required_argument, NULL, OPT_FILES_FROM},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct verify_args args = {0};
    sign_ctx *ctx = NULL;
    if (sign_ctx_new(&ctx) != SIGN_OK) {
        cmd_error(prog, NULL, "out of memory");
        return EXIT_SOFTWARE;
    }
    int c;
    while ((c = getopt_long(argc, argv, "j:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_TRUST:
            if (sign_ctx_add_trust(ctx, optarg) != SIGN_OK) {
                cmd_error(prog, NULL, "--trust: %s", sign_ctx_errmsg(ctx));
                sign_ctx_free(ctx);
                return EXIT_USAGE;
            }
            break;
        case OPT_CONTENT: args.content_path = optarg; break;
        case OPT_AT: {
            time_t at;
            if (sign_parse_time(&at, optarg) != SIGN_OK) {
                cmd_error(prog, NULL, "--at: '%s' is not an RFC 3339 time", optarg);
                sign_ctx_free(ctx);
                return EXIT_USAGE;
            }
            sign_ctx_set_time(ctx, at);
            break;
        }
        case OPT_OFFLINE: sign_ctx_set_offline(ctx, 1); break;
        case OPT_JSON: args.json = 1; break;
        case 'j': {
            char *end;
            long jobs = strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 1024) {
                cmd_error(prog, NULL, "-j: '%s' is not a number of jobs (1-1024)", optarg);
                sign_ctx_free(ctx);
                return EXIT_USAGE;
            }
            args.jobs = (int)jobs;
            break;
        }
        case OPT_FILES_FROM: args.files_from = optarg; break;
        case 'q': args.quiet = 1; break;
        case 'h': usage(stdout); sign_ctx_free(ctx); return EXIT_PASSED;
        case 'V': printf("segl-verify %s\n", sign_version()); sign_ctx_free(ctx); return EXIT_PASSED;
        default: usage(stderr); sign_ctx_free(ctx); return EXIT_USAGE;
        }
    }

    char **names = NULL;
    size_t count = 0, cap = 0;
    int status = EXIT_PASSED;
    for (int i = optind; i < argc; i++)
        if (add_name(&names, &count, &cap, argv[i]) != 0)
            status = EXIT_SOFTWARE;
    if (args.files_from && read_files_from(args.files_from, &names, &count, &cap) != 0)
        status = EXIT_USAGE;
    if (status == EXIT_PASSED && count == 0) {
        cmd_error(prog, NULL, "no input: name the signed files (see --help)");
        status = EXIT_USAGE;
    }
    if (status == EXIT_PASSED && args.content_path && count > 1) {
        cmd_error(prog, NULL, "--content applies to one FILE only");
        status = EXIT_USAGE;
    }
    if (status != EXIT_PASSED) {
        for (size_t i = 0; i < count; i++)
            free(names[i]);
        free(names);
        sign_ctx_free(ctx);
        return status;
    }

    struct job *jobs = calloc(count, sizeof *jobs);
    int stdin_used = 0;
    for (size_t i = 0; jobs && i < count; i++) {
        jobs[i].name = names[i];
        if (strcmp(names[i], "-") == 0 && !stdin_used &&
            !(args.files_from && strcmp(args.files_from, "-") == 0)) {
            stdin_used = 1;
            jobs[i].path = spool_stdin();
            jobs[i].spooled = jobs[i].path != NULL;
            if (!jobs[i].path) {
                cmd_error(prog, "-", "cannot read stdin");
                jobs[i].path = strdup("/nonexistent/stdin");
            }
        } else {
            jobs[i].path = strdup(names[i]);
        }
        jobs[i].content_path = args.content_path ? strdup(args.content_path)
                                                 : default_content(names[i]);
    }

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = args.jobs ? args.jobs : (cpus > 0 ? (int)cpus : 1);
    if ((size_t)threads > count)
        threads = (int)count;
    struct pool pool = {.ctx = ctx, .jobs = jobs, .count = jobs ? count : 0};
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.finished, NULL);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    int started = 0;
    for (int t = 0; tids && t < threads; t++)
        if (pthread_create(&tids[t], NULL, worker, &pool) == 0)
            started++;
    if (started == 0)
        worker(&pool); /* no threads: do the work here */

    /* Print in input order as results arrive. */
    for (size_t i = 0; i < pool.count; i++) {
        pthread_mutex_lock(&pool.lock);
        while (!jobs[i].done)
            pthread_cond_wait(&pool.finished, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
        struct job *job = &jobs[i];
        int one;
        if (!job->report) {
            cmd_error(prog, job->name, "out of memory");
            one = EXIT_USAGE;
        } else {
            one = file_status(job->report);
            const char *error = sign_report_error(job->report);
            if (error)
                cmd_error(prog, job->name, "%s", error);
            if (args.json) {
                char *line = NULL;
                if (sign_report_json(&line, job->report, job->name) == SIGN_OK)
                    printf("%s\n", line);
                free(line);
            } else if (!args.quiet && !error) {
                print_human(job);
            }
        }
        if (severity(one) > severity(status))
            status = one;
        fflush(stdout);
        sign_report_free(job->report);
        job->report = NULL;
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&pool.lock);
    pthread_cond_destroy(&pool.finished);
    for (size_t i = 0; jobs && i < count; i++) {
        if (jobs[i].spooled)
            unlink(jobs[i].path);
        free(jobs[i].path);
        free(jobs[i].content_path);
    }
    if (!jobs)
        status = EXIT_SOFTWARE;
    free(jobs);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    sign_ctx_free(ctx);
    return status;
}
