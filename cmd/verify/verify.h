/* segl-verify's parts: the input list, the worker pool, the printing. */
#ifndef SEGL_CMD_VERIFY_H
#define SEGL_CMD_VERIFY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <libsign/sign.h>

/* ---- inputs.c: the list of files to validate */
struct name_list {
    char **names;
    size_t count, cap;
};
int names_add(struct name_list *list, const char *name);
/* Names from FILE ("-" = stdin), one per line or, with nul_separated, NUL-terminated. */
int names_read_from(struct name_list *list, const char *prog, const char *from, int nul_separated);
/* Every file under dir whose name is a signed file's (sign_is_signed_file_name), in sorted
 * order so that shards agree across machines. */
int names_walk(struct name_list *list, const char *prog, const char *dir);
/* Keep the names of shard K of N (1-based): those whose name hashes to K-1 modulo N. A name's
 * share depends on nothing but the name, so machines that list the same files in a different
 * order still split them without overlap. */
void names_keep_shard(struct name_list *list, unsigned k, unsigned n);
void names_free(struct name_list *list);

/* ---- pool.c: validate jobs on N threads, hand finished ones back in completion order */
struct cmd_stdin;
struct job {
    const char *name;        /* as the user gave it, for printing */
    char *path;              /* where to read it, or NULL: */
    struct cmd_stdin *input; /* standard input, read once (common.h) */
    const char *input_error; /* why standard input could not be read; then no report */
    char *content_path;      /* detached content, or NULL: */
    struct cmd_stdin *content_input; /* detached content on standard input (--content -) */
    int find_content;        /* no --content: the worker looks for the content the name implies */
    sign_report *report;
    time_t validated_at;     /* when its validation started (the time "now" meant) */
    char *output;            /* what is printed for it on stdout, made by the worker; or NULL */
    size_t output_len;
};
/* Makes job->output once job->report is there: run by the worker that validated the job, so
 * that formatting runs in parallel and the printer only writes. */
typedef void (*job_render_fn)(struct job *job, const void *arg);
/* The content of a detached signature named path when --content is not given: the file its
 * name implies (libsign's rule), when that is a regular file; NULL otherwise. */
char *default_content(const char *path);
struct pool;
struct pool *pool_start(const sign_ctx *ctx, struct job *jobs, size_t count, int threads,
                        job_render_fn render, const void *render_arg);
/* The index of the next finished job: in input order when ordered, else as they finish. When
 * it must wait for one, flush (NULL: none) is flushed first, so that printed results go out as
 * soon as the printer has caught up and in batches while it has not. */
size_t pool_next_finished(struct pool *pool, int ordered, FILE *flush);
void pool_finish(struct pool *pool);

/* ---- print.c: results for people and machines */
/* The human summary of job's report, to out. */
void print_human(FILE *out, const struct job *job);
/* Exit code of one file: 0 passed, 1 failed, 2 indeterminate/none, 3 unreadable. */
int file_status(const sign_report *report);
/* Which of two exit codes wins for a batch: 3, then 1, then 2, then 0. */
int worse_status(int a, int b);

struct progress;
/* A progress line on stderr, only when stderr is a terminal; NULL otherwise. */
struct progress *progress_new(size_t total);
void progress_update(struct progress *progress, size_t done);
void progress_end(struct progress *progress);

/* ---- etsi_out.c: --report etsi PATH, the ETSI TS 119 102-2 report files */
struct etsi_out;
/* PATH an existing directory: a report per input there; else the one report of the one input
 * ("-" = stdout). NULL after saying why. */
struct etsi_out *etsi_out_new(const char *prog, const char *path, const struct name_list *names);
/* Writes the report of job, the index-th input; returns an exit code (0, or 4 after saying why). */
int etsi_out_write(struct etsi_out *out, const char *prog, size_t index, const struct job *job,
                   time_t validation_time);
void etsi_out_free(struct etsi_out *out);

/* ---- changes_out.c: --show-changes DIR, the changed pages as PNG images */
/* For each of count inputs, 0, or its position (from 1) when an input given before it has the
 * same base name; NULL when out of memory. */
size_t *changes_out_positions(const struct job *jobs, size_t count);
/* Writes DIR/NAME.sigN.pageP.png (DIR/NAME.K.sigN.pageP.png for a position K) for each changed
 * page of job's report; an exit code (0, or 4 after saying why). */
int changes_out_write(const char *prog, const char *dir, const struct job *job, size_t position);

struct summary {
    size_t passed, failed, indeterminate, no_signature, unreadable;
};
void summary_add(struct summary *summary, const sign_report *report);
void summary_print(const struct summary *summary, const char *prog);

#endif
