/* What the files of each format are called (libsign/names.h): the endings of signed files, and
 * the endings a detached signature adds to its content's name. Pure name rules, with no format
 * module behind them, so that a format (CAdES B-LTA finding its content) can use them too. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libsign/names.h>

struct format_file_names {
    const char *format;
    /* The endings its signed files usually have, compared in any case (segl-verify -r). */
    const char *const *signed_endings;
    /* The endings of a detached signature whose content has the name without them (compared
     * as they are: a file system that tells case apart named the content that way). */
    const char *const *detached_endings;
};

static const char *const cades_signed[] = {".p7s", ".p7m", NULL};
/* .sig too: a detached CMS signature made by other tools (openssl cms -sign -out x.sig). */
static const char *const cades_detached[] = {".p7s", ".p7m", ".sig", NULL};

/* What segl-extend puts before the ending of the file it writes when not told a name
 * (letter.txt.p7s -> letter.txt.extended.p7s, and again letter.txt.extended.extended.p7s):
 * taken off too, so that the extended signature leads to the content of the one it extends. */
static const char extended_word[] = ".extended";
static const char *const xades_signed[] = {".xml", NULL};
static const char *const pades_signed[] = {".pdf", NULL};
/* The container extensions of EN 319 162-1 (ASiC-E 4.4, ASiC-S 4.3), long and 8.3 forms. */
static const char *const asic_e_signed[] = {".asice", ".sce", NULL};
static const char *const asic_s_signed[] = {".asics", ".scs", NULL};

static const struct format_file_names file_names[] = {
    {"cades", cades_signed, cades_detached},
    {"xades", xades_signed, NULL},
    {"pades", pades_signed, NULL},
    {"asic-e", asic_e_signed, NULL},
    {"asic-s", asic_s_signed, NULL},
};

static int ends_with(const char *name, size_t name_len, const char *ending, int any_case)
{
    size_t ending_len = strlen(ending);
    if (name_len <= ending_len)
        return 0;
    const char *tail = name + name_len - ending_len;
    return any_case ? strcasecmp(tail, ending) == 0 : strcmp(tail, ending) == 0;
}

SIGN_EXTERN int sign_detached_content_name(char **out, const char *signature_name)
{
    if (!out)
        return SIGN_EINVAL;
    *out = NULL;
    if (!signature_name)
        return SIGN_EINVAL;
    size_t len = strlen(signature_name);
    for (size_t f = 0; f < sizeof file_names / sizeof file_names[0]; f++) {
        if (!file_names[f].detached_endings)
            continue;
        for (const char *const *ending = file_names[f].detached_endings; *ending; ending++) {
            if (!ends_with(signature_name, len, *ending, 0))
                continue;
            size_t content_len = len - strlen(*ending);
            size_t word_len = sizeof extended_word - 1;
            while (content_len > word_len &&
                   memcmp(signature_name + content_len - word_len, extended_word, word_len) == 0)
                content_len -= word_len;
            /* "dir/.p7s" names no content file: only the directory is left. */
            if (signature_name[content_len - 1] == '/')
                return SIGN_EINVAL;
            char *content = malloc(content_len + 1);
            if (!content)
                return SIGN_ENOMEM;
            memcpy(content, signature_name, content_len);
            content[content_len] = '\0';
            *out = content;
            return SIGN_OK;
        }
    }
    return SIGN_EINVAL;
}

SIGN_EXTERN int sign_is_signed_file_name(const char *name)
{
    if (!name)
        return 0;
    size_t len = strlen(name);
    for (size_t f = 0; f < sizeof file_names / sizeof file_names[0]; f++) {
        for (const char *const *ending = file_names[f].signed_endings; *ending; ending++)
            if (ends_with(name, len, *ending, 1))
                return 1;
    }
    return 0;
}
