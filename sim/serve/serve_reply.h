/* sim/serve/serve_reply.h: how rxsim serve answers a request: escaping, the page
 * frame, the headers every response carries, errors, redirects, files, request
 * bodies.  The leaf of the module: it knows no page, no job, no struct serve,
 * so every other file may call it and it calls none of them back. */
#ifndef RXSIM_SERVE_SERVE_REPLY_H
#define RXSIM_SERVE_SERVE_REPLY_H

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>

void serve_html_escape(struct evbuffer *b, const char *s);
void serve_html_escape_n(struct evbuffer *b, const char *s, size_t n);
/* Every absolute file path in s[0..n) cut to its last part, in place (NUL
 * written when shorter); the new length.  Error pages and a failed job's
 * stderr go through it: a page never shows the server's directories. */
size_t serve_scrub_paths(char *s, size_t n);
void serve_json_escape(struct evbuffer *b, const char *s);
void serve_page_begin(struct evbuffer *b, const char *title);
void serve_page_end(struct evbuffer *b);
/* Sends b (freed) with the given status and Content-Type. */
void serve_send(struct evhttp_request *req, int code, const char *reason, const char *ctype, struct evbuffer *b);
/* An HTML error page whose message (escaped) is in <p id="error">. */
void serve_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* {"error": "..."} */
void serve_json_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* serve_json_error() when json, else serve_error(). */
void serve_error_as(struct evhttp_request *req, bool json, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void serve_redirect(struct evhttp_request *req, const char *location);
/* Serves a whole file (Content-Type ctype); 404 when it cannot be opened. */
void serve_file(struct evhttp_request *req, const char *path, const char *ctype, const char *download_name);
/* A copy of the request body, NUL-terminated; NULL when longer than max. */
char *serve_body(struct evhttp_request *req, size_t max, size_t *len);

#endif
