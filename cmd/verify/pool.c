/* A fixed pool of validating threads sharing one read-only context. Finished jobs are queued in
 * completion order; the printer takes them in input order or as they come. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "../common/common.h"
#include "verify.h"

struct pool {
    const sign_ctx *ctx;
    struct job *jobs;
    size_t count;
    size_t next;             /* next job to hand to a worker */
    int *done;               /* per job: finished */
    size_t *finished;        /* job indices in completion order */
    size_t finished_count;
    size_t taken;            /* how many the printer has taken */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t *threads;
    int started;
};

/* A job's file through the library: by path, or standard input as it was read (no report when
 * it could not be). */
static void validate(const sign_ctx *ctx, const struct job *job, sign_report **report)
{
    const struct cmd_stdin *in = job->input;
    if (job->path)
        sign_verify_file(report, ctx, job->path, job->content_path);
    else if (in && in->bytes)
        sign_verify_memory(report, ctx, job->name, in->bytes, in->len, job->content_path);
    else if (in && in->fd >= 0)
        sign_verify_fd(report, ctx, job->name, in->fd, job->content_path);
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
        pthread_mutex_lock(&pool->lock);
        job->report = report;
        job->validated_at = started;
        pool->done[i] = 1;
        pool->finished[pool->finished_count++] = i;
        pthread_cond_broadcast(&pool->changed);
        pthread_mutex_unlock(&pool->lock);
    }
}

struct pool *pool_start(const sign_ctx *ctx, struct job *jobs, size_t count, int threads)
{
    struct pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->ctx = ctx;
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
    pthread_cond_init(&pool->changed, NULL);
    for (int t = 0; t < threads; t++)
        if (pthread_create(&pool->threads[pool->started], NULL, worker, pool) == 0)
            pool->started++;
    if (pool->started == 0)
        worker(pool); /* no thread could start: do the work here, then print */
    return pool;
}

size_t pool_next_finished(struct pool *pool, int ordered)
{
    pthread_mutex_lock(&pool->lock);
    size_t index;
    if (ordered) {
        index = pool->taken;
        while (!pool->done[index])
            pthread_cond_wait(&pool->changed, &pool->lock);
    } else {
        while (pool->finished_count <= pool->taken)
            pthread_cond_wait(&pool->changed, &pool->lock);
        index = pool->finished[pool->taken];
    }
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
