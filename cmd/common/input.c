/* Standard input for the commands that read a signed file from it ("-"): read once, kept where
 * the library can read it as often as a format needs. Small input stays in memory; larger input
 * goes to a file that never has a name (O_TMPFILE in $TMPDIR), so the kernel frees it however
 * the command ends, SIGTERM and SIGKILL included, and memory stays bounded. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

/* Beyond this, standard input goes to an unnamed file rather than memory. */
#define STDIN_MEMORY_MAX (16u << 20)

/* Writes all of bytes to fd. 0, or -1 with errno. */
static int write_all(int fd, const unsigned char *bytes, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* A file without a name in $TMPDIR (or /tmp), holding held (len bytes) and then the rest of
 * stdin. The fd, or -1 with the reason in why. */
static int spill(const unsigned char *held, size_t len, char *why, size_t why_len)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, why_len, "standard input is larger than %u MiB and cannot be held in %s "
                               "(a file without a name, O_TMPFILE): %s",
                 STDIN_MEMORY_MAX >> 20, dir, strerror(errno));
        return -1;
    }
    unsigned char chunk[65536];
    ssize_t n = 0;
    int failed = write_all(fd, held, len);
    while (!failed && (n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        failed = n < 0 || write_all(fd, chunk, (size_t)n) != 0;
    }
    if (failed) {
        snprintf(why, why_len, "cannot %s standard input: %s", n < 0 ? "read" : "hold",
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int cmd_stdin_read(cmd_stdin *in, char *why, size_t why_len)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    /* `< file`: the file itself, read in place (from its start, where it is). */
    struct stat st;
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
        lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
        in->fd = STDIN_FILENO;
        return 0;
    }
    /* One buffer of the full size: pages not read into are never resident, and it is not
     * grown by copies. */
    size_t len = 0;
    unsigned char *bytes = malloc(STDIN_MEMORY_MAX);
    if (!bytes) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    for (;;) {
        if (len == STDIN_MEMORY_MAX) {
            in->fd = spill(bytes, len, why, why_len);
            in->owned_fd = in->fd >= 0;
            free(bytes);
            return in->fd >= 0 ? 0 : -1;
        }
        ssize_t n = read(STDIN_FILENO, bytes + len, STDIN_MEMORY_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, why_len, "cannot read standard input: %s", strerror(errno));
            free(bytes);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    in->bytes = bytes;
    in->len = len;
    return 0;
}

void cmd_stdin_free(cmd_stdin *in)
{
    if (in->owned_fd)
        close(in->fd);
    free(in->bytes);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}
