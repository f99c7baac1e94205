/* JSON values from text that may not be UTF-8 (names in certificates), the OCES identity object
 * that segl-verify --json and segl-inspect share, and a writer of JSON text that makes what
 * json_dumps would without building the values first (json.h). */
#include <stdint.h>
#include <stdio.h>
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
    sign_json_writer w;
    sign_json_writer_init(&w);
    sign_json_oces(&w, id);
    char *text = sign_json_writer_finish(&w);
    json_t *object = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return object;
}

void sign_json_oces(sign_json_writer *w, const sign_oces_id *id)
{
    sign_json_begin_object(w);
    sign_json_key(w, "kind");
    sign_json_string_or_null(w, sign_oces_kind_name(id->kind));
    sign_json_key(w, "uuid");
    sign_json_string_or_null(w, id->uuid);
    sign_json_key(w, "pid");
    sign_json_string_or_null(w, id->pid);
    sign_json_key(w, "rid");
    sign_json_string_or_null(w, id->rid);
    sign_json_key(w, "uid");
    sign_json_string_or_null(w, id->uid);
    sign_json_key(w, "fid");
    sign_json_string_or_null(w, id->fid);
    sign_json_key(w, "cvr");
    sign_json_string_or_null(w, id->cvr);
    sign_json_key(w, "test");
    sign_json_bool(w, id->test);
    sign_json_end_object(w);
}

/* ---- the writer ---- */

void sign_json_writer_init(sign_json_writer *w)
{
    memset(w, 0, sizeof *w);
}

char *sign_json_writer_finish(sign_json_writer *w)
{
    if (w->failed || w->depth != 0 || !w->text) {
        free(w->text);
        return NULL;
    }
    return w->text;
}

static void append(sign_json_writer *w, const char *bytes, size_t len)
{
    if (w->failed)
        return;
    if (w->len + len + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < w->len + len + 1)
            cap *= 2;
        char *grown = realloc(w->text, cap);
        if (!grown) {
            w->failed = 1;
            return;
        }
        w->text = grown;
        w->cap = cap;
    }
    memcpy(w->text + w->len, bytes, len);
    w->len += len;
    w->text[w->len] = '\0';
}

/* Before a value: the comma between array elements (an object's comes with its key). */
static void value_start(sign_json_writer *w)
{
    if (w->depth > 0 && w->in_array[w->depth - 1]) {
        if (w->has_items[w->depth - 1])
            append(w, ",", 1);
        w->has_items[w->depth - 1] = 1;
    }
}

static void begin(sign_json_writer *w, int array)
{
    value_start(w);
    if (w->depth == SIGN_JSON_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->in_array[w->depth] = (unsigned char)array;
    w->has_items[w->depth] = 0;
    w->depth++;
    append(w, array ? "[" : "{", 1);
}

static void end(sign_json_writer *w, int array)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    append(w, array ? "]" : "}", 1);
}

void sign_json_begin_object(sign_json_writer *w) { begin(w, 0); }
void sign_json_end_object(sign_json_writer *w) { end(w, 0); }
void sign_json_begin_array(sign_json_writer *w) { begin(w, 1); }
void sign_json_end_array(sign_json_writer *w) { end(w, 1); }

/* The length of the UTF-8 sequence at s (up to its NUL) if it is one jansson accepts (utf.c:
 * no overlong form, no surrogate, nothing above U+10FFFF), else 0. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned char first = s[0];
    size_t len;
    uint32_t value;
    if (first < 0x80)
        return 1;
    if (first >= 0xC2 && first <= 0xDF) {
        len = 2;
        value = first & 0x1F;
    } else if (first >= 0xE0 && first <= 0xEF) {
        len = 3;
        value = first & 0x0F;
    } else if (first >= 0xF0 && first <= 0xF4) {
        len = 4;
        value = first & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0; /* also the NUL at the end */
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) ||
        (len == 3 && value < 0x800) || (len == 4 && value < 0x10000))
        return 0;
    return len;
}

static int is_utf8(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t len = utf8_sequence(p);
        if (!len)
            return 0;
        p += len;
    }
    return 1;
}

/* text as jansson's dump_string writes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH:
 * '"', '\\' and control characters escaped, everything else as it is. replace_high: every
 * byte >= 0x80 as '?' (text that is not UTF-8, as sign_json_text does). */
static void write_string(sign_json_writer *w, const char *text, int replace_high)
{
    append(w, "\"", 1);
    const char *run = text;
    for (const char *p = text;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c != '\0' && c != '"' && c != '\\' && c >= 0x20 && !(replace_high && c >= 0x80))
            continue;
        append(w, run, (size_t)(p - run));
        if (c == '\0')
            break;
        run = p + 1;
        char escape[8];
        const char *with = escape;
        switch (c) {
        case '"': with = "\\\""; break;
        case '\\': with = "\\\\"; break;
        case '\b': with = "\\b"; break;
        case '\f': with = "\\f"; break;
        case '\n': with = "\\n"; break;
        case '\r': with = "\\r"; break;
        case '\t': with = "\\t"; break;
        default:
            if (c >= 0x80)
                with = "?";
            else
                snprintf(escape, sizeof escape, "\\u%04X", c);
        }
        append(w, with, strlen(with));
    }
    append(w, "\"", 1);
}

void sign_json_key(sign_json_writer *w, const char *key)
{
    if (w->depth > 0 && !w->in_array[w->depth - 1]) {
        if (w->has_items[w->depth - 1])
            append(w, ",", 1);
        w->has_items[w->depth - 1] = 1;
    }
    write_string(w, key, 0);
    append(w, ":", 1);
}

void sign_json_string(sign_json_writer *w, const char *text)
{
    value_start(w);
    text = text ? text : "";
    write_string(w, text, !is_utf8(text));
}

void sign_json_string_or_null(sign_json_writer *w, const char *text)
{
    if (text && *text)
        sign_json_string(w, text);
    else
        sign_json_null(w);
}

void sign_json_null(sign_json_writer *w)
{
    value_start(w);
    append(w, "null", 4);
}

void sign_json_bool(sign_json_writer *w, int value)
{
    value_start(w);
    append(w, value ? "true" : "false", value ? 4 : 5);
}

void sign_json_raw_value(sign_json_writer *w, const char *json_text)
{
    value_start(w);
    append(w, json_text, strlen(json_text));
}
