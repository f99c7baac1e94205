/* segl-render: the process in which libsign renders PDF pages for the visual comparison
 * (pades_visual.c starts it, one per document compared). It reads a job on its standard input
 * (pades_render_wire.h), renders and compares with poppler and cairo (pades_render.c) and
 * writes the answer on its standard output; poppler's complaints about a file go to its
 * standard error, which libsign points at /dev/null.
 *
 * Why a program and not a forked child: libsign validates in threads, and a fork of a threaded
 * process copies every lock another thread held at that instant (libc's locale, iconv and time
 * zone locks among them, which poppler and glib take); POSIX allows the child of such a fork
 * only async-signal-safe calls until it execs. A freshly executed program inherits no lock.
 * Its own limits, set before it reads a byte of the PDF: poppler has none, and a hostile file
 * can make it loop or allocate without end. Not for use by hand. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include "pades_render.h"
#include "pades_render_wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void limit(int resource, rlim_t value)
{
    struct rlimit r = {value, value};
    setrlimit(resource, &r);
}

#ifndef UNDER_ASAN
/* The address space the process has now (Linux /proc/self/statm), or 0. */
static unsigned long long current_address_space(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    char text[128] = "";
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    return strtoull(text, NULL, 10) * (unsigned long long)sysconf(_SC_PAGESIZE);
}
#endif

int main(void)
{
    /* only the job, the answer and /dev/null: a descriptor libsign's caller left inheritable
     * is no business of this process */
    close_range(3, ~0u, 0);
    limit(RLIMIT_CPU, PADES_RENDER_SECONDS);
    limit(RLIMIT_CORE, 0);
#ifndef UNDER_ASAN /* AddressSanitizer's shadow memory needs terabytes of address space */
    unsigned long long now = current_address_space();
    if (now)
        limit(RLIMIT_AS, (rlim_t)(now + PADES_RENDER_MEMORY));
#endif
    struct pades_render_job_read in;
    if (pades_render_job_read(STDIN_FILENO, &in) != 0)
        _exit(2);
    struct pades_render_result result = {0};
    pades_render_compare(&in.job, &result);
    int rc = pades_render_answer_write(STDOUT_FILENO, &result);
    pades_render_result_free(&result);
    pades_render_job_read_free(&in);
    /* _exit: no leak check of poppler's and fontconfig's caches at exit (the sanitizer builds) */
    _exit(rc == 0 ? 0 : 1);
}
