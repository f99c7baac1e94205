/* The bytes between libsign (pades_visual.c) and its renderer process, segl-render
 * (pades_render_main.c): the job on the renderer's standard input, its answer on its standard
 * output. Both ends are the same build on the same machine, so numbers travel in native byte
 * order; each reader still checks every length against what it has. Internal. */
#ifndef SEGL_PADES_RENDER_WIRE_H
#define SEGL_PADES_RENDER_WIRE_H

#include <stddef.h>
#include "pades_render.h"

/* A job read back: job points into storage, which the caller frees. */
struct pades_render_job_read {
    struct pades_render_job job;
    unsigned char *storage;
    struct pades_render_revision *revisions;
    struct pades_render_rect *rects;
    int *rotate;
};

/* The job as bytes onto fd; 0, or -1 with errno. */
int pades_render_job_write(int fd, const struct pades_render_job *job);
/* Reads fd to its end and rebuilds the job; 0, or -1 when it is not a complete job. */
int pades_render_job_read(int fd, struct pades_render_job_read *out);
void pades_render_job_read_free(struct pades_render_job_read *in);

/* The result as records onto fd, ended by an end record; 0, or -1. */
int pades_render_answer_write(int fd, const struct pades_render_result *result);
/* The records back into out (for a job of revisions revisions); -1 when they are not a complete,
 * well-formed answer. */
int pades_render_answer_parse(const unsigned char *data, size_t len, size_t revisions,
                              struct pades_render_result *out);

#endif
