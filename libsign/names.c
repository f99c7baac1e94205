/* The formats of this build and what containers hold, for the commands (libsign/names.h). The
 * format list is the registry's (formats/registry.c); what files are called is in
 * file_names.c. */
#include <stdlib.h>
#include <string.h>
#include "formats/format.h"

/* EN 319 162-1 4.3.2/4.4.2 (XAdES) and 4.3.3/4.4.3 (CAdES): what an ASiC holds. */
static const char *const asic_inner[] = {"cades", "xades", NULL};

struct container {
    const char *format;
    const char *const *inner_formats; /* the formats of the signatures it can hold */
};
static const struct container containers[] = {
    {"asic-e", asic_inner},
    {"asic-s", asic_inner},
};

/* The container format of that name the registry has; NULL for any other name. */
static const struct container *container_of(const char *format)
{
    if (!format || !sign_format_by_name(format))
        return NULL;
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        if (strcmp(containers[i].format, format) == 0)
            return &containers[i];
    return NULL;
}

/* The names sign_options.format takes: the formats that sign (OpenSign is only validated). */
SIGN_EXTERN size_t sign_format_count(void)
{
    size_t count = 0;
    for (const struct sign_format *const *format = sign_format_table(); *format; format++)
        count += (*format)->sign != NULL;
    return count;
}

SIGN_EXTERN const char *sign_format_name(size_t index)
{
    size_t i = 0;
    for (const struct sign_format *const *format = sign_format_table(); *format; format++)
        if ((*format)->sign && i++ == index)
            return (*format)->name;
    return NULL;
}

SIGN_EXTERN int sign_format_is_container(const char *format)
{
    return container_of(format) != NULL;
}

SIGN_EXTERN int sign_format_can_contain(const char *container, const char *inner)
{
    const struct container *found = container_of(container);
    if (!found || !inner)
        return 0;
    for (const char *const *allowed = found->inner_formats; *allowed; allowed++)
        if (strcmp(*allowed, inner) == 0)
            return sign_format_by_name(inner) != NULL;
    return 0;
}
