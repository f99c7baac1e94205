/* Fuzz targets hand libsign a path, as the commands do: the bytes go into an anonymous memory
 * file whose /proc/self/fd path is what the library opens. */
#ifndef SEGL_FUZZ_INPUT_H
#define SEGL_FUZZ_INPUT_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static int fuzz_input_path(char path[64], const uint8_t *data, size_t size)
{
    int fd = memfd_create("segl-fuzz", 0);
    if (fd < 0)
        return -1;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
