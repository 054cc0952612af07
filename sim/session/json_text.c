/* sim/session/json_text.c: see json_text.h. */
#include "sim/session/json_text.h"

#include <stdbool.h>

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whitespace from text[i] on, never past len. */
static size_t skip_space(const char *text, size_t i, size_t len)
{
    while (i < len && space(text[i]))
        i++;
    return i;
}

static void place(const char *text, size_t off, struct json_text_error *e)
{
    e->line = e->column = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n')
            e->line++, e->column = 1;
        else
            e->column++;
    }
}

json_object *json_text_parse(const char *text, size_t len, struct json_text_error *e)
{
    *e = (struct json_text_error){ .fault = JSON_TEXT_OK };
    if (skip_space(text, 0, len) >= len) {
        e->fault = JSON_TEXT_EMPTY;
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        e->fault = JSON_TEXT_NOMEM;
        return NULL;
    }
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!o) {
        e->fault = jerr == json_tokener_continue ? JSON_TEXT_TRUNCATED : JSON_TEXT_INVALID;
        e->desc = json_tokener_error_desc(jerr);
        place(text, end, e);
        return NULL;
    }
    end = skip_space(text, end, len);
    if (end < len) {
        e->fault = JSON_TEXT_TRAILING;
        place(text, end, e);
        json_object_put(o);
        return NULL;
    }
    return o;
}
