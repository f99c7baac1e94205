/* JSON helpers of the reports and inspections. Not installed. */
#ifndef LIBSIGN_JSON_H
#define LIBSIGN_JSON_H

#include <stddef.h>
#include <jansson.h>
#include <libsign/oces.h>

/* A JSON string from text that should be UTF-8; bytes that are not become '?'. */
json_t *sign_json_text(const char *text);
/* The same, or JSON null for NULL or "". */
json_t *sign_json_text_or_null(const char *text);
/* The "oces" object of segl-verify --json (segl-inspect adds to it). */
json_t *sign_oces_json(const sign_oces_id *id);

/* JSON text written as it goes, for what is printed per file in a batch (segl-verify --json):
 * no tree of values to build and free. The text is the one jansson's json_dumps makes with
 * JSON_COMPACT | JSON_PRESERVE_ORDER of the same values (strings as sign_json_text makes them),
 * so the output does not depend on which way it was made. Commas come by themselves: a member
 * is a key then one value, an array element one value. An out-of-memory error is remembered
 * and sign_json_writer_finish reports it. */
#define SIGN_JSON_MAX_DEPTH 16
typedef struct sign_json_writer {
    char *text;
    size_t len, cap;
    int failed;
    int depth;
    unsigned char in_array[SIGN_JSON_MAX_DEPTH]; /* per open container: an array, not object */
    unsigned char has_items[SIGN_JSON_MAX_DEPTH];
} sign_json_writer;

void sign_json_writer_init(sign_json_writer *w);
/* The text written (malloc'd, the caller's), or NULL after a failure (then freed). */
char *sign_json_writer_finish(sign_json_writer *w);
void sign_json_begin_object(sign_json_writer *w);
void sign_json_end_object(sign_json_writer *w);
void sign_json_begin_array(sign_json_writer *w);
void sign_json_end_array(sign_json_writer *w);
void sign_json_key(sign_json_writer *w, const char *key); /* key is ASCII */
/* A string as sign_json_text makes it: UTF-8 as it is, else every byte >= 0x80 as '?'. */
void sign_json_string(sign_json_writer *w, const char *text);
/* The same, or null for NULL or "" (sign_json_text_or_null). */
void sign_json_string_or_null(sign_json_writer *w, const char *text);
void sign_json_null(sign_json_writer *w);
void sign_json_bool(sign_json_writer *w, int value);
/* A value that is JSON text already, in json_dumps' compact form (as written by this writer or
 * by json_dumps with JSON_COMPACT | JSON_PRESERVE_ORDER). */
void sign_json_raw_value(sign_json_writer *w, const char *json_text);
/* The "oces" object of segl-verify --json; sign_oces_json is made from it. */
void sign_json_oces(sign_json_writer *w, const sign_oces_id *id);

#endif
