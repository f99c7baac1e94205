/* JSON values from text that may not be UTF-8 (names in certificates), and the OCES identity
 * object that segl-verify --json and segl-inspect share. */
#include <stdlib.h>
#include <string.h>
#include "json.h"

json_t *sign_json_text(const char *text)
{
    json_t *value = json_string(text ? text : "");
    if (value)
        return value;
    char *ascii = strdup(text);
    if (!ascii)
        return json_null();
    for (char *p = ascii; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    value = json_string(ascii);
    free(ascii);
    return value ? value : json_null();
}

json_t *sign_json_text_or_null(const char *text)
{
    return text && *text ? sign_json_text(text) : json_null();
}

json_t *sign_oces_json(const sign_oces_id *id)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
                     "kind", sign_json_text_or_null(sign_oces_kind_name(id->kind)),
                     "uuid", sign_json_text_or_null(id->uuid), "pid", sign_json_text_or_null(id->pid),
                     "rid", sign_json_text_or_null(id->rid), "uid", sign_json_text_or_null(id->uid),
                     "fid", sign_json_text_or_null(id->fid), "cvr", sign_json_text_or_null(id->cvr),
                     "test", id->test);
}

