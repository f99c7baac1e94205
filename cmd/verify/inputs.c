/* The list of files segl-verify validates: arguments, --files-from, -r DIR, --shard. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/common.h"
#include "verify.h"

int names_add(struct name_list *list, const char *name)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        char **grown = realloc(list->names, cap * sizeof *grown);
        if (!grown)
            return -1;
        list->names = grown;
        list->cap = cap;
    }
    list->names[list->count] = strdup(name);
    if (!list->names[list->count])
        return -1;
    list->count++;
    return 0;
}

int names_read_from(struct name_list *list, const char *prog, const char *from, int nul_separated)
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
    while ((len = getdelim(&line, &line_cap, nul_separated ? '\0' : '\n', in)) > 0) {
        if (nul_separated) {
            len = (ssize_t)strlen(line);
        } else {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
        }
        if (len > 0 && names_add(list, line) != 0) {
            rc = -1;
            break;
        }
    }
    free(line);
    if (in != stdin)
        fclose(in);
    return rc;
}

/* nftw has no user pointer; the walk is single-threaded and this lives only during it. */
static struct name_list *walk_target;
static int walk_failed;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && sign_is_signed_file_name(path) && names_add(walk_target, path) != 0) {
        walk_failed = 1;
        return 1;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int names_walk(struct name_list *list, const char *prog, const char *dir)
{
    struct name_list found = {0};
    walk_target = &found;
    walk_failed = 0;
    if (nftw(dir, walk_one, 32, FTW_PHYS) != 0 || walk_failed) {
        cmd_error(prog, dir, "cannot read directory: %s", walk_failed ? "out of memory" : strerror(errno));
        names_free(&found);
        return -1;
    }
    qsort(found.names, found.count, sizeof *found.names, compare_names);
    int rc = 0;
    for (size_t i = 0; i < found.count && rc == 0; i++)
        rc = names_add(list, found.names[i]);
    names_free(&found);
    return rc;
}

/* FNV-1a: small, stable across platforms and versions, which is all a shard key needs. */
static uint64_t name_hash(const char *name)
{
    uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        hash ^= *p;
        hash *= 1099511628211ULL;
    }
    return hash;
}

void names_keep_shard(struct name_list *list, unsigned k, unsigned n)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (name_hash(list->names[i]) % n == k - 1)
            list->names[kept++] = list->names[i];
        else
            free(list->names[i]);
    }
    list->count = kept;
}

void names_free(struct name_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
    memset(list, 0, sizeof *list);
}
