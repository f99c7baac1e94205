/* Private working folders for ASiC: what the CAdES and XAdES modules validate as files is
 * streamed there from the container, and removed afterwards. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "asic.h"

int asic_tmpdir(char *path, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(path, size, "%s/segl-asic-XXXXXX", base) >= (int)size)
        return -1;
    return mkdtemp(path) ? 0 : -1; /* mkdtemp makes it 0700 */
}

static void rm_at(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        unlinkat(parent, name, 0);
        return;
    }
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    for (struct dirent *d; (d = readdir(dir)) != NULL;)
        if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
            rm_at(dirfd(dir), d->d_name);
    closedir(dir);
    unlinkat(parent, name, AT_REMOVEDIR);
}

void asic_rmtree(const char *path)
{
    if (path && *path)
        rm_at(AT_FDCWD, path);
}
