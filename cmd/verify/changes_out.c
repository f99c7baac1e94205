/* segl-verify --show-changes DIR: each page that looks different after a signature, as the
 * library rendered it with the changes highlighted (sign_sig_visual_change), written to
 * DIR/NAME.sigN.pageP.png. The library keeps the images in the report and writes no file:
 * validation has no side effects, and the command decides names and writes every file whole
 * (temporary file and rename) as it does its other outputs. Two inputs of one run with the same
 * base name (a/x.pdf, b/x.pdf) must not write over each other's pages: every one after the
 * first given is named NAME.K, K its position among the inputs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/common.h"
#include "verify.h"

/* The last component of input ("stdin" for "-"). */
static const char *input_base(const char *input, size_t *len)
{
    if (strcmp(input, "-") == 0) {
        *len = 5;
        return "stdin";
    }
    size_t end = strlen(input);
    while (end > 1 && input[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && input[start - 1] != '/')
        start--;
    *len = end - start;
    return input + start;
}

struct named {
    const char *base;
    size_t len, index;
};

static int by_base_then_index(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    size_t len = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->base, y->base, len);
    if (c == 0 && x->len != y->len)
        c = x->len < y->len ? -1 : 1;
    if (c == 0)
        c = x->index < y->index ? -1 : x->index > y->index;
    return c;
}

size_t *changes_out_positions(const struct job *jobs, size_t count)
{
    size_t *position = calloc(count ? count : 1, sizeof *position);
    struct named *named = calloc(count ? count : 1, sizeof *named);
    if (!position || !named) {
        free(named);
        free(position);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        named[i].base = input_base(jobs[i].name, &named[i].len);
        named[i].index = i;
    }
    qsort(named, count, sizeof *named, by_base_then_index);
    for (size_t i = 1; i < count; i++)
        if (named[i].len == named[i - 1].len &&
            memcmp(named[i].base, named[i - 1].base, named[i].len) == 0)
            position[named[i].index] = named[i].index + 1;
    free(named);
    return position;
}

int changes_out_write(const char *prog, const char *dir, const struct job *job, size_t position)
{
    int status = EXIT_PASSED;
    size_t base_len;
    const char *base = input_base(job->name, &base_len);
    for (size_t s = 0; job->report && s < sign_report_count(job->report); s++) {
        const sign_sig *sig = sign_report_sig(job->report, s);
        for (size_t i = 0; i < sign_sig_visual_change_count(sig); i++) {
            sign_visual_change change;
            if (sign_sig_visual_change(&change, sig, i) != SIGN_OK || !change.png)
                continue;
            char path[4096], suffix[32] = "";
            if (position)
                snprintf(suffix, sizeof suffix, ".%zu", position);
            if ((size_t)snprintf(path, sizeof path, "%s/%.*s%s.sig%zu.page%u.png", dir,
                                 (int)base_len, base, suffix, s + 1, change.page) >= sizeof path) {
                cmd_error(prog, job->name, "--show-changes: the file name is too long");
                status = EXIT_SOFTWARE;
                continue;
            }
            cmd_output output;
            if (cmd_output_open(&output, prog, path) != 0) {
                status = EXIT_SOFTWARE;
                continue;
            }
            if (fwrite(change.png, 1, change.png_len, output.stream) != change.png_len) {
                cmd_error(prog, path, "cannot write the page image");
                cmd_output_abort(&output);
                status = EXIT_SOFTWARE;
            } else if (cmd_output_commit(&output, prog) != 0) {
                status = EXIT_SOFTWARE;
            }
        }
    }
    return status;
}
