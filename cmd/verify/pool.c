/* A fixed pool of validating threads sharing one read-only context. Finished jobs are queued in
 * completion order; the printer takes them in input order or as they come.
 *
 * The printer is woken for a batch of results, not for each: a validation of a small file takes
 * less than waking a thread does, and a printer woken per file costs the validating threads a
 * system call and their CPU a switch each time. So a worker wakes it when WAKE_BATCH results
 * wait, or when the last jobs are under way; otherwise it looks again every WAKE_INTERVAL_MS,
 * which bounds how late a result is printed. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "../common/common.h"
#include "verify.h"

#define WAKE_BATCH 32
#define WAKE_INTERVAL_MS 20

struct pool {
    const sign_ctx *ctx;
    job_render_fn render;
    const void *render_arg;
    struct job *jobs;
    size_t count;
    size_t next;             /* next job to hand to a worker */
    int *done;               /* per job: finished */
    size_t *finished;        /* job indices in completion order */
    size_t finished_count;
    size_t taken;            /* how many the printer has taken */
    int printer_waiting;
    int printer_ordered;     /* what the waiting printer wants next: the input's next job */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t *threads;
    int started;
};

char *default_content(const char *path)
{
    char *content = NULL;
    struct stat st;
    if (sign_detached_content_name(&content, path) == SIGN_OK && stat(content, &st) == 0 &&
        S_ISREG(st.st_mode))
        return content;
    free(content);
    return NULL;
}

/* A job's file through the library: by path, or standard input as it was read, and its content
 * likewise (no report when standard input could not be read). */
static void validate(const sign_ctx *ctx, struct job *job, sign_report **report)
{
    const struct cmd_stdin *in = job->input, *content = job->content_input;
    if (job->input_error)
        return;
    struct stat st;
    if (job->path && stat(job->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        job->input_error = "is a directory (use -r to validate what is in it)";
        return;
    }
    if (job->find_content && !job->content_path)
        job->content_path = default_content(job->name);
    if (job->path && content && content->bytes)
        sign_verify_file_content_memory(report, ctx, job->path, "-",
                                        content->bytes, content->len);
    else if (job->path && content)
        sign_verify_file_content_fd(report, ctx, job->path, "-", content->fd);
    else if (job->path)
        sign_verify_file(report, ctx, job->path, job->content_path);
    else if (in && in->bytes)
        sign_verify_memory(report, ctx, job->name, in->bytes, in->len, job->content_path);
    else if (in && in->fd >= 0)
        sign_verify_fd(report, ctx, job->name, in->fd, job->content_path);
}

/* Whether the job the printer wants next has finished. Under the lock. */
static int next_is_ready(const struct pool *pool, int ordered)
{
    return ordered ? pool->done[pool->taken] : pool->finished_count > pool->taken;
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
        time_t started = time(NULL);
        validate(pool->ctx, job, &report);
        job->report = report; /* the printer reads it only after taking the lock below */
        if (pool->render)
            pool->render(job, pool->render_arg);
        pthread_mutex_lock(&pool->lock);
        job->validated_at = started;
        pool->done[i] = 1;
        pool->finished[pool->finished_count++] = i;
        /* Woken only when it can print: a slow file at the head of an ordered output holds
         * the printer anyway, and waking it for each result behind it would be for nothing. */
        if (pool->printer_waiting && next_is_ready(pool, pool->printer_ordered) &&
            (pool->finished_count - pool->taken >= WAKE_BATCH || pool->next >= pool->count))
            pthread_cond_signal(&pool->changed);
        pthread_mutex_unlock(&pool->lock);
    }
}

struct pool *pool_start(const sign_ctx *ctx, struct job *jobs, size_t count, int threads,
                        job_render_fn render, const void *render_arg)
{
    struct pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->ctx = ctx;
    pool->render = render;
    pool->render_arg = render_arg;
    pool->jobs = jobs;
    pool->count = count;
    pool->done = calloc(count ? count : 1, sizeof *pool->done);
    pool->finished = calloc(count ? count : 1, sizeof *pool->finished);
    pool->threads = calloc((size_t)(threads > 0 ? threads : 1), sizeof *pool->threads);
    if (!pool->done || !pool->finished || !pool->threads) {
        free(pool->done);
        free(pool->finished);
        free(pool->threads);
        free(pool);
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    /* The printer's timed waits on the monotonic clock: a clock set back does not stall it. */
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->changed, &monotonic);
    pthread_condattr_destroy(&monotonic);
    for (int t = 0; t < threads; t++)
        if (pthread_create(&pool->threads[pool->started], NULL, worker, pool) == 0)
            pool->started++;
    if (pool->started == 0)
        worker(pool); /* no thread could start: do the work here, then print */
    return pool;
}

/* The printer's wait: until a worker wakes it or WAKE_INTERVAL_MS have passed. Under the lock. */
static void wait_for_workers(struct pool *pool, int ordered)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until); /* the clock pool_start gave the condition */
    until.tv_nsec += WAKE_INTERVAL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pool->printer_waiting = 1;
    pool->printer_ordered = ordered;
    int rc = pthread_cond_timedwait(&pool->changed, &pool->lock, &until);
    (void)rc; /* woken, timed out or spurious: the caller looks again either way */
    pool->printer_waiting = 0;
}

size_t pool_next_finished(struct pool *pool, int ordered, FILE *flush)
{
    pthread_mutex_lock(&pool->lock);
    if (!next_is_ready(pool, ordered) && flush) {
        /* Nothing to print yet: what was printed goes out now, not with the next batch. */
        pthread_mutex_unlock(&pool->lock);
        fflush(flush);
        pthread_mutex_lock(&pool->lock);
    }
    while (!next_is_ready(pool, ordered))
        wait_for_workers(pool, ordered);
    size_t index = ordered ? pool->taken : pool->finished[pool->taken];
    pool->taken++;
    pthread_mutex_unlock(&pool->lock);
    return index;
}

void pool_finish(struct pool *pool)
{
    if (!pool)
        return;
    for (int t = 0; t < pool->started; t++)
        pthread_join(pool->threads[t], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->changed);
    free(pool->threads);
    free(pool->done);
    free(pool->finished);
    free(pool);
}
