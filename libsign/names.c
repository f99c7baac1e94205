/* The names of the formats and of their files, for the commands (libsign/names.h). The format
 * list is the registry's (formats/registry.c); what the files of each format are called is kept
 * here, in one table keyed by format name, so that the format modules need not carry it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "formats/format.h"

struct format_file_names {
    const char *format;
    /* The endings its signed files usually have, compared in any case (segl-verify -r). */
    const char *const *signed_endings;
    /* The endings of a detached signature whose content has the name without them (compared
     * as they are: a file system that tells case apart named the content that way). */
    const char *const *detached_endings;
    /* A container: the formats of the signatures it can hold; NULL for a plain format. */
    const char *const *inner_formats;
};

static const char *const cades_signed[] = {".p7s", ".p7m", NULL};
/* .sig too: a detached CMS signature made by other tools (openssl cms -sign -out x.sig). */
static const char *const cades_detached[] = {".p7s", ".p7m", ".sig", NULL};
static const char *const xades_signed[] = {".xml", NULL};
static const char *const pades_signed[] = {".pdf", NULL};
/* The container extensions of EN 319 162-1 (ASiC-E 4.4, ASiC-S 4.3), long and 8.3 forms. */
static const char *const asic_e_signed[] = {".asice", ".sce", NULL};
static const char *const asic_s_signed[] = {".asics", ".scs", NULL};
/* EN 319 162-1 4.3.2/4.4.2 (XAdES) and 4.3.3/4.4.3 (CAdES): what an ASiC holds. */
static const char *const asic_inner[] = {"cades", "xades", NULL};

static const struct format_file_names file_names[] = {
    {"cades", cades_signed, cades_detached, NULL},
    {"xades", xades_signed, NULL, NULL},
    {"pades", pades_signed, NULL, NULL},
    {"asic-e", asic_e_signed, NULL, asic_inner},
    {"asic-s", asic_s_signed, NULL, asic_inner},
};

/* The file names of a format the registry has; NULL for any other name (a format of another
 * build, or one this table does not describe yet). */
static const struct format_file_names *names_of(const char *format)
{
    if (!format || !sign_format_by_name(format))
        return NULL;
    for (size_t i = 0; i < sizeof file_names / sizeof file_names[0]; i++)
        if (strcmp(file_names[i].format, format) == 0)
            return &file_names[i];
    return NULL;
}

static int ends_with(const char *name, size_t name_len, const char *ending, int any_case)
{
    size_t ending_len = strlen(ending);
    if (name_len <= ending_len)
        return 0;
    const char *tail = name + name_len - ending_len;
    return any_case ? strcasecmp(tail, ending) == 0 : strcmp(tail, ending) == 0;
}

SIGN_EXTERN size_t sign_format_count(void)
{
    size_t count = 0;
    for (const struct sign_format *const *format = sign_format_table(); *format; format++)
        count++;
    return count;
}

SIGN_EXTERN const char *sign_format_name(size_t index)
{
    const struct sign_format *const *table = sign_format_table();
    for (size_t i = 0; table[i]; i++)
        if (i == index)
            return table[i]->name;
    return NULL;
}

SIGN_EXTERN int sign_format_is_container(const char *format)
{
    const struct format_file_names *names = names_of(format);
    return names && names->inner_formats;
}

SIGN_EXTERN int sign_format_can_contain(const char *container, const char *inner)
{
    const struct format_file_names *names = names_of(container);
    if (!names || !names->inner_formats || !inner)
        return 0;
    for (const char *const *allowed = names->inner_formats; *allowed; allowed++)
        if (strcmp(*allowed, inner) == 0)
            return sign_format_by_name(inner) != NULL;
    return 0;
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
        if (!file_names[f].detached_endings || !sign_format_by_name(file_names[f].format))
            continue;
        for (const char *const *ending = file_names[f].detached_endings; *ending; ending++) {
            if (!ends_with(signature_name, len, *ending, 0))
                continue;
            size_t content_len = len - strlen(*ending);
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
        if (!sign_format_by_name(file_names[f].format))
            continue;
        for (const char *const *ending = file_names[f].signed_endings; *ending; ending++)
            if (ends_with(name, len, *ending, 1))
                return 1;
    }
    return 0;
}
