/* sim/serve/serve_reply.c: how rxsim serve answers (serve_reply.h): the
 * escapers, the page frame, the headers every response carries, error pages,
 * redirects, files and request bodies.
 *
 * Every response carries nosniff and a Content-Security-Policy that allows
 * nothing from outside the server ('self' only); pages escape everything that
 * came from outside (trace names, uploads' names, worker stderr, report
 * strings), and both escapers emit only valid UTF-8: a byte that starts no
 * well-formed sequence (utf8.h) becomes U+FFFD (\ufffd in JSON).  Pages go
 * out with Referrer-Policy: same-origin (serve_origin.c says why). */
#include "sim/serve/serve_reply.h"
#include "sim/serve/utf8.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RXSIM_VERSION
#define RXSIM_VERSION "unknown"
#endif

void serve_html_escape_n(struct evbuffer *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;      /* run: bytes before i still to be copied as they are */
    while (i < n) {
        const char *rep = NULL;
        size_t len = utf8_seq_len(u + i, n - i);
        switch (len ? u[i] : 0x80) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case 0x80: rep = UTF8_REPLACEMENT; len = 1; break;    /* not UTF-8 */
        default:
            if (u[i] < 0x20 && u[i] != '\n' && u[i] != '\t')
                rep = UTF8_REPLACEMENT;                     /* control bytes */
            break;
        }
        if (rep) {
            evbuffer_add(b, s + i - run, run);
            evbuffer_add(b, rep, strlen(rep));
            run = 0;
        } else {
            run += len;
        }
        i += len;
    }
    evbuffer_add(b, s + n - run, run);
}

void serve_html_escape(struct evbuffer *b, const char *s)
{
    if (s)
        serve_html_escape_n(b, s, strlen(s));
}

void serve_json_escape(struct evbuffer *b, const char *s)
{
    evbuffer_add(b, "\"", 1);
    size_t n = s ? strlen(s) : 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t len = utf8_seq_len(u + i, n - i);
        if (len == 0) {
            evbuffer_add(b, "\\ufffd", 6);      /* not UTF-8: JSON text must be (RFC 8259 §8.1) */
            len = 1;
        } else if (c == '"' || c == '\\')
            evbuffer_add_printf(b, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            evbuffer_add_printf(b, "\\u%04x", c);
        else
            evbuffer_add(b, s + i, len);
        i += len;
    }
    evbuffer_add(b, "\"", 1);
}

void serve_page_begin(struct evbuffer *b, const char *title)
{
    evbuffer_add_printf(b,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rxsim: ");
    serve_html_escape(b, title);
    evbuffer_add_printf(b,
        "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
        "<script src=\"/static/serve.js\" defer></script>\n</head>\n<body>\n"
        "<header><a class=\"brand\" href=\"/\">rxsim lab</a>"
        "<nav><a href=\"/\">traces &amp; run</a> <a href=\"/upload\">upload</a> <a href=\"/jobs\">jobs</a></nav>"
        "</header>\n<main>\n<h1>");
    serve_html_escape(b, title);
    evbuffer_add_printf(b, "</h1>\n");
}

void serve_page_end(struct evbuffer *b)
{
    evbuffer_add_printf(b, "</main>\n<footer>rxsim %s: a simulator of a host's TCP/IP receive path. "
                        "Everything on this page is served by rxsim serve itself.</footer>\n"
                        "</body>\n</html>\n", RXSIM_VERSION);
}

void serve_send(struct evhttp_request *req, int code, const char *reason, const char *ctype, struct evbuffer *b)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                      "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                      "frame-ancestors 'none'");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");     /* see the same-origin check */
    if (!evhttp_find_header(h, "Cache-Control"))
        evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply(req, code, reason, b);
    if (b)
        evbuffer_free(b);
}

static void verror(struct evhttp_request *req, int code, const char *reason, bool json, const char *fmt,
                   va_list ap) __attribute__((format(printf, 5, 0)));
/* An absolute path starts a word (after the start, a space, a quote, '(',
 * '=' or ':') and runs to a space, quote, ')', ',' or ':'; with a '/' past
 * its first character it is a server file, and only its last part is
 * kept: "rxsim run: /srv/x/traces/a.pcap: ..." says "a.pcap: ...". */
size_t serve_scrub_paths(char *s, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        bool starts = s[i] == '/' && (i == 0 || strchr(" \t\n'\"(=:`", s[i - 1]));
        size_t end = i;
        while (starts && end < n && !strchr(" \t\n'\"),:`", s[end]))
            end++;
        const char *last = NULL;
        for (size_t k = i + 1; starts && k < end; k++)
            if (s[k] == '/' && k + 1 < end)
                last = s + k + 1;
        if (!last) {
            s[out++] = s[i++];
            continue;
        }
        size_t len = (size_t)(s + end - last);
        memmove(s + out, last, len);
        out += len;
        i = end;
    }
    if (out < n)
        s[out] = '\0';
    return out;
}

static void verror(struct evhttp_request *req, int code, const char *reason, bool json, const char *fmt,
                   va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    serve_scrub_paths(msg, strlen(msg));     /* an error page never shows where the server keeps files */
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    if (json) {
        evbuffer_add_printf(b, "{\"status\": %d, \"error\": ", code);
        serve_json_escape(b, msg);
        evbuffer_add_printf(b, "}\n");
        serve_send(req, code, reason, "application/json", b);
        return;
    }
    char title[64];
    snprintf(title, sizeof title, "%d %s", code, reason);
    serve_page_begin(b, title);
    evbuffer_add_printf(b, "<p class=\"error\" id=\"error\">");
    serve_html_escape(b, msg);
    evbuffer_add_printf(b, "</p>\n<p><a href=\"/\">back to the traces</a></p>\n");
    serve_page_end(b);
    serve_send(req, code, reason, "text/html; charset=utf-8", b);
}

void serve_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, false, fmt, ap);
    va_end(ap);
}

void serve_json_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, true, fmt, ap);
    va_end(ap);
}

void serve_error_as(struct evhttp_request *req, bool json, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(req, code, reason, json, fmt, ap);
    va_end(ap);
}

void serve_redirect(struct evhttp_request *req, const char *location)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Location", location);
    serve_page_begin(b, "See other");
    evbuffer_add_printf(b, "<p><a href=\"");
    serve_html_escape(b, location);
    evbuffer_add_printf(b, "\">continue</a></p>\n");
    serve_page_end(b);
    serve_send(req, 303, "See Other", "text/html; charset=utf-8", b);
}

void serve_file(struct evhttp_request *req, const char *path, const char *ctype, const char *download_name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        serve_error(req, 404, "Not Found", "no such file (yet)");
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        close(fd);
        evhttp_send_error(req, 500, "Internal Server Error");
        return;
    }
    if (st.st_size == 0)
        close(fd);
    else if (evbuffer_add_file(b, fd, 0, st.st_size) < 0) {     /* owns fd from here, even on failure */
        evbuffer_free(b);
        serve_error(req, 500, "Internal Server Error", "cannot read the file");
        return;
    }
    if (download_name) {
        char cd[256];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", download_name);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", cd);
    }
    serve_send(req, 200, "OK", ctype, b);
}

char *serve_body(struct evhttp_request *req, size_t max, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = in ? evbuffer_get_length(in) : 0;
    if (n > max)
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n && evbuffer_copyout(in, s, n) != (ssize_t)n) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}
