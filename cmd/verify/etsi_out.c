/* segl-verify --report etsi PATH: where each ETSI TS 119 102-2 report goes. PATH an existing
 * directory: one report per input, PATH/<input's base name>.etsi.xml, numbered when two inputs
 * share a base name; otherwise PATH is the one report of the one input ("-" = stdout). The XML
 * itself is libsign's (sign_report_etsi_xml); every file appears complete or not at all. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../common/common.h"
#include "verify.h"

#define SUFFIX ".etsi.xml"

struct etsi_out {
    const char *path;   /* the FILE, or NULL in directory mode */
    char **names;       /* directory mode: per input, the report's path */
    size_t count;
};

/* The names given out so far, in an open-addressing table: a batch of many thousand inputs
 * must not compare each name with every other. */
struct name_set {
    const char **slots;
    size_t cap;
};

static size_t name_hash(const char *name)
{
    uint64_t hash = 14695981039346656037ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        hash ^= *p;
        hash *= 1099511628211ULL;
    }
    return (size_t)hash;
}

/* 1 when name was new (and is now in the set); 0 when taken. Never full: cap > 2 * count. */
static int name_set_add(struct name_set *set, const char *name)
{
    size_t i = name_hash(name) & (set->cap - 1);
    while (set->slots[i]) {
        if (strcmp(set->slots[i], name) == 0)
            return 0;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = name;
    return 1;
}

/* The last component of input ("stdin" for "-"), as a pointer and a length. */
static const char *base_name(const char *input, size_t *len)
{
    if (strcmp(input, "-") == 0) {
        *len = 5;
        return "stdin";
    }
    size_t end = strlen(input);
    while (end > 1 && input[end - 1] == '/')
        end--; /* "dir/" names dir, though inputs are files */
    size_t start = end;
    while (start > 0 && input[start - 1] != '/')
        start--;
    *len = end - start;
    return input + start;
}

/* PATH/<base>.etsi.xml, or PATH/<base>.<n>.etsi.xml for the n-th input of that base name. */
static char *report_path(const char *dir, const char *input, struct name_set *taken)
{
    size_t base_len;
    const char *base = base_name(input, &base_len);
    for (unsigned n = 1;; n++) {
        char number[16] = "";
        if (n > 1)
            snprintf(number, sizeof number, ".%u", n);
        size_t len = strlen(dir) + 1 + base_len + strlen(number) + sizeof SUFFIX;
        char *path = malloc(len);
        if (!path)
            return NULL;
        snprintf(path, len, "%s/%.*s%s%s", dir, (int)base_len, base, number, SUFFIX);
        if (name_set_add(taken, path))
            return path;
        free(path);
    }
}

struct etsi_out *etsi_out_new(const char *prog, const char *path, const struct name_list *names)
{
    struct stat st;
    int is_dir = strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    size_t path_len = strlen(path);
    if (!is_dir && path_len > 0 && path[path_len - 1] == '/') {
        /* "DIR/" says a folder is meant: made when missing (its parent must exist), so that a
         * report is never written to a file of that name, nor lost. */
        if (mkdir(path, 0777) != 0) {
            cmd_error(prog, path, "--report etsi: cannot create the folder: %s", strerror(errno));
            return NULL;
        }
        is_dir = 1;
    }
    if (!is_dir && strcmp(path, "-") != 0) {
        /* A report file in a folder that is not there: a usage error, said before validating. */
        char folder[4096];
        snprintf(folder, sizeof folder, "%s", path);
        char *slash = strrchr(folder, '/');
        if (slash) {
            slash[slash == folder] = '\0';
            if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
                cmd_error(prog, path, "--report etsi: folder %s does not exist", folder);
                return NULL;
            }
        }
    }
    if (!is_dir && names->count != 1) {
        cmd_error(prog, path, "--report etsi: not a directory; a report file needs exactly one "
                              "input (%zu given); name an existing directory for several",
                  names->count);
        return NULL;
    }
    if (!is_dir && cmd_same_file(path, names->names[0])) {
        cmd_error(prog, path, "--report etsi: the report would replace the file it reports on");
        return NULL;
    }
    struct etsi_out *out = calloc(1, sizeof *out);
    if (!out) {
        cmd_error(prog, NULL, "out of memory");
        return NULL;
    }
    if (!is_dir) {
        out->path = path;
        return out;
    }
    out->count = names->count;
    out->names = calloc(names->count ? names->count : 1, sizeof *out->names);
    struct name_set taken = {NULL, 64};
    while (taken.cap <= 2 * names->count)
        taken.cap *= 2;
    taken.slots = calloc(taken.cap, sizeof *taken.slots);
    int failed = !out->names || !taken.slots;
    for (size_t i = 0; !failed && i < names->count; i++) {
        out->names[i] = report_path(path, names->names[i], &taken);
        failed = !out->names[i];
    }
    free(taken.slots);
    if (failed) {
        cmd_error(prog, NULL, "out of memory");
        etsi_out_free(out);
        return NULL;
    }
    return out;
}

int etsi_out_write(struct etsi_out *out, const char *prog, size_t index, const struct job *job,
                   time_t validation_time)
{
    const char *path = out->path ? out->path : out->names[index];
    char *xml = NULL;
    size_t len = 0;
    if (!job->report ||
        sign_report_etsi_xml(&xml, &len, job->report, job->name, validation_time) != SIGN_OK) {
        cmd_error(prog, job->name, "cannot make the ETSI report: out of memory");
        return EXIT_SOFTWARE;
    }
    cmd_output output;
    int status = EXIT_SOFTWARE;
    if (cmd_output_open(&output, prog, path) == 0) {
        if (fwrite(xml, 1, len, output.stream) == len) {
            if (cmd_output_commit(&output, prog) == 0)
                status = EXIT_PASSED;
        } else {
            cmd_error(prog, path, "cannot write the ETSI report");
            cmd_output_abort(&output);
        }
    }
    free(xml);
    return status;
}

void etsi_out_free(struct etsi_out *out)
{
    if (!out)
        return;
    for (size_t i = 0; out->names && i < out->count; i++)
        free(out->names[i]);
    free(out->names);
    free(out);
}
