/* sim/session/json_text.h: one JSON value read from a text a user wrote
 * (a --costs file, a validate dataset), with the place of the first fault,
 * so that every reader's message names the line and column. */
#ifndef RXSIM_SESSION_JSON_TEXT_H
#define RXSIM_SESSION_JSON_TEXT_H

#include <json-c/json.h>
#include <stddef.h>

enum json_text_fault {
    JSON_TEXT_OK,
    JSON_TEXT_EMPTY,        /* nothing but whitespace */
    JSON_TEXT_TRUNCATED,    /* it ends before the value does */
    JSON_TEXT_INVALID,      /* not JSON at line:column (desc says why) */
    JSON_TEXT_TRAILING,     /* more text after the value, at line:column */
    JSON_TEXT_NOMEM,
};

struct json_text_error {
    enum json_text_fault fault;
    int line, column;       /* 1-based, for INVALID and TRAILING */
    const char *desc;       /* json-c's words, for INVALID */
};

/* The one value of text[0..len) (whitespace around it allowed; text need
 * not end in NUL; len < 2 GiB), or NULL with *e saying why. */
json_object *json_text_parse(const char *text, size_t len, struct json_text_error *e);

#endif
