/* JSON helpers of the reports and inspections. Not installed. */
#ifndef LIBSIGN_JSON_H
#define LIBSIGN_JSON_H

#include <jansson.h>
#include <libsign/oces.h>

/* A JSON string from text that should be UTF-8; bytes that are not become '?'. */
json_t *sign_json_text(const char *text);
/* The same, or JSON null for NULL or "". */
json_t *sign_json_text_or_null(const char *text);
/* The "oces" object of segl-verify --json (segl-inspect adds to it). */
json_t *sign_oces_json(const sign_oces_id *id);

#endif
