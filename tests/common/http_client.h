/* tests/common/http_client.h: a small blocking HTTP/1.1 client over loopback
 * for the rxsim serve tests: Content-Length and chunked bodies, keep-alive
 * connections, a 30 s receive timeout so that a hung server fails a test
 * instead of hanging it. */
#ifndef RXSIM_TESTS_HTTP_CLIENT_H
#define RXSIM_TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct http_resp {
    int status;             /* 0 when no response was read */
    char *head;             /* status line and headers, NUL-terminated */
    char *body;             /* NUL-terminated (the body may hold NULs: use body_len) */
    size_t body_len;
    bool closed;            /* the server said Connection: close (or closed) */
};

/* A TCP connection to 127.0.0.1:port; -1 on failure. */
int http_connect(int port);

/* Sends one request on fd.  extra_headers: "Name: value\r\n..." or NULL; a
 * Host there replaces the default "Host: 127.0.0.1".
 * keep_alive false adds Connection: close.  0, or -1 when the write failed
 * (the response may still be readable: the server may answer early). */
int http_send(int fd, const char *method, const char *path, const char *extra_headers, const void *body,
              size_t len, bool keep_alive);

/* Reads one response from fd; head_only for a HEAD request.  0 or -1. */
int http_recv(int fd, struct http_resp *r, bool head_only);

/* One request on a new connection (Connection: close).  0 or -1. */
int http_request(int port, const char *method, const char *path, const char *content_type, const void *body,
                 size_t len, struct http_resp *r);
int http_get(int port, const char *path, struct http_resp *r);

/* The value of a header (case-insensitive name) into buf; NULL when absent. */
const char *http_header(const struct http_resp *r, const char *name, char *buf, size_t size);

void http_resp_free(struct http_resp *r);

/* multipart/form-data body with one part: name, filename (NULL: none), data.
 * Returns a malloc'd body and its length; *ctype gets the Content-Type value. */
char *http_multipart(const char *boundary, const char *name, const char *filename, const void *data, size_t len,
                     size_t *out_len, char *ctype, size_t ctype_size);

#endif
