/* libFuzzer target: the bytes between libsign and its renderer process (pades_render_wire.c).
 * The answer comes from a process that has just rendered a hostile PDF and is read as if that
 * process could say anything; the job reader is fed the same way, as a second line of defence.
 * The first byte picks which reader. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "formats/pades/pades_render_wire.h"

static void answer(const uint8_t *data, size_t size, size_t revisions)
{
    struct pades_render_result result = {0};
    if (pades_render_answer_parse(data, size, revisions, &result) == 0)
        for (size_t i = 0; i < result.change_count; i++)
            if (result.changes[i].revision >= revisions || result.changes[i].page == 0)
                abort(); /* the parser lets through only what the job asked about */
    pades_render_result_free(&result);
}

static void job(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-job", MFD_CLOEXEC);
    if (fd < 0)
        return;
    if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0) {
        struct pades_render_job_read in;
        if (pades_render_job_read(fd, &in) == 0)
            for (size_t r = 0; r < in.job.revision_count; r++)
                if (in.job.revisions[r].end > in.job.size)
                    abort(); /* a revision ends inside the document */
        pades_render_job_read_free(&in);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        job(data + 1, size - 1);
    else
        answer(data + 1, size - 1, (size_t)(data[0] >> 1) % 4 + 1);
    return 0;
}
