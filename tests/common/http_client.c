/* tests/common/http_client.c: see http_client.h. */
#include "tests/common/http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (256u << 20)

int http_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = { 30, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    /* Requests go out as one write where they fit (see http_send); no Nagle
     * wait on a tail either: a small header segment waiting for a delayed
     * ACK has been seen to stall a loopback connection for seconds. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int http_send(int fd, const char *method, const char *path, const char *extra_headers, const void *body,
              size_t len, bool keep_alive)
{
    char head[8192];
    /* a Host among the extra headers replaces ours (the Host-check tests) */
    bool own_host = extra_headers && (!strncasecmp(extra_headers, "Host:", 5) || strcasestr(extra_headers, "\nHost:"));
    int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\n%s%s%s", method, path,
                     own_host ? "" : "Host: 127.0.0.1\r\n", keep_alive ? "" : "Connection: close\r\n",
                     extra_headers ? extra_headers : "");
    /* evhttp reads a body until close for a method that may have one and no length */
    if (body || (strcmp(method, "GET") && strcmp(method, "HEAD")))
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (n >= (int)sizeof head)
        return -1;
    if (body && len && len <= sizeof head - (size_t)n) {      /* one write: head and body */
        memcpy(head + n, body, len);
        return send_all(fd, head, (size_t)n + len);
    }
    if (send_all(fd, head, (size_t)n) < 0)
        return -1;
    return body && len ? send_all(fd, body, len) : 0;
}

/* Buffered reader over fd. */
struct rd {
    int fd;
    char buf[16384];
    size_t pos, len;
};

static int rd_byte(struct rd *r)
{
    if (r->pos == r->len) {
        ssize_t n;
        do
            n = recv(r->fd, r->buf, sizeof r->buf, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0)
            return -1;
        r->pos = 0;
        r->len = (size_t)n;
    }
    return (unsigned char)r->buf[r->pos++];
}

static int rd_line(struct rd *r, char *out, size_t size)
{
    size_t n = 0;
    for (;;) {
        int c = rd_byte(r);
        if (c < 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < size)
            out[n++] = (char)c;
    }
    if (n && out[n - 1] == '\r')
        n--;
    out[n] = '\0';
    return (int)n;
}

static int rd_n(struct rd *r, char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int c = rd_byte(r);
        if (c < 0)
            return -1;
        out[i] = (char)c;
    }
    return 0;
}

static int body_append(struct http_resp *resp, size_t *cap, const char *p, size_t n)
{
    if (resp->body_len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap : 4096);
        while (nc < resp->body_len + n + 1)
            nc *= 2;
        if (nc > BODY_MAX)
            return -1;
        char *b = realloc(resp->body, nc);
        if (!b)
            return -1;
        resp->body = b;
        *cap = nc;
    }
    memcpy(resp->body + resp->body_len, p, n);
    resp->body_len += n;
    resp->body[resp->body_len] = '\0';
    return 0;
}

/* A single-socket reader: since each call makes a new struct rd, any bytes
 * read past this response would be lost; HTTP/1.1 without pipelining never
 * sends them (we send the next request only after reading this response). */
int http_recv(int fd, struct http_resp *resp, bool head_only)
{
    struct rd r;
    memset(resp, 0, sizeof *resp);
    r.fd = fd;
    r.pos = r.len = 0;
    char line[8192];
    size_t hcap = 4096, hlen = 0, bcap = 0;
    resp->head = malloc(hcap);
    if (!resp->head)
        return -1;
    resp->head[0] = '\0';
    long clen = -1;
    bool chunked = false;
    for (int i = 0;; i++) {
        int n = rd_line(&r, line, sizeof line);
        if (n < 0)
            return -1;
        if (i == 0 && sscanf(line, "HTTP/1.%*d %d", &resp->status) != 1)
            return -1;
        if (n == 0)
            break;
        if (hlen + (size_t)n + 3 > HEAD_MAX)
            return -1;
        if (hlen + (size_t)n + 3 > hcap) {
            hcap = HEAD_MAX;
            char *h = realloc(resp->head, hcap);
            if (!h)
                return -1;
            resp->head = h;
        }
        memcpy(resp->head + hlen, line, (size_t)n);
        hlen += (size_t)n;
        memcpy(resp->head + hlen, "\r\n", 3);
        hlen += 2;
        if (!strncasecmp(line, "Content-Length:", 15))
            clen = atol(line + 15);
        else if (!strncasecmp(line, "Transfer-Encoding:", 18) && strstr(line + 18, "chunked"))
            chunked = true;
        else if (!strncasecmp(line, "Connection:", 11) && strcasestr(line + 11, "close"))
            resp->closed = true;
    }
    if (body_append(resp, &bcap, "", 0) < 0)
        return -1;
    if (head_only || resp->status == 204 || resp->status == 304)
        return 0;
    char chunk[16384];
    if (chunked) {
        for (;;) {
            if (rd_line(&r, line, sizeof line) < 0)
                return -1;
            long n = strtol(line, NULL, 16);
            if (n < 0)
                return -1;
            if (n == 0) {
                while (rd_line(&r, line, sizeof line) > 0)
                    ;
                return 0;
            }
            while (n > 0) {
                size_t k = (size_t)n < sizeof chunk ? (size_t)n : sizeof chunk;
                if (rd_n(&r, chunk, k) < 0 || body_append(resp, &bcap, chunk, k) < 0)
                    return -1;
                n -= (long)k;
            }
            rd_line(&r, line, sizeof line);
        }
    }
    if (clen >= 0) {
        while (clen > 0) {
            size_t k = (size_t)clen < sizeof chunk ? (size_t)clen : sizeof chunk;
            if (rd_n(&r, chunk, k) < 0 || body_append(resp, &bcap, chunk, k) < 0)
                return -1;
            clen -= (long)k;
        }
        return 0;
    }
    int c;
    while ((c = rd_byte(&r)) >= 0) {
        char ch = (char)c;
        if (body_append(resp, &bcap, &ch, 1) < 0)
            return -1;
    }
    resp->closed = true;
    return 0;
}

int http_request(int port, const char *method, const char *path, const char *content_type, const void *body,
                 size_t len, struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    int fd = http_connect(port);
    if (fd < 0)
        return -1;
    char extra[512] = "";
    if (content_type)
        snprintf(extra, sizeof extra, "Content-Type: %s\r\n", content_type);
    http_send(fd, method, path, extra, body, len, false);  /* a failed write may still get an answer */
    int rc = http_recv(fd, r, !strcmp(method, "HEAD"));
    close(fd);
    return rc;
}

int http_get(int port, const char *path, struct http_resp *r)
{
    return http_request(port, "GET", path, NULL, NULL, 0, r);
}

const char *http_header(const struct http_resp *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *p = r->head ? strstr(r->head, "\r\n") : NULL; p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *h = p + 2;
        if (!strncasecmp(h, name, n) && h[n] == ':') {
            h += n + 1;
            while (*h == ' ')
                h++;
            const char *e = strstr(h, "\r\n");
            snprintf(buf, size, "%.*s", (int)(e ? e - h : (long)strlen(h)), h);
            return buf;
        }
    }
    return NULL;
}

void http_resp_free(struct http_resp *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

char *http_multipart(const char *boundary, const char *name, const char *filename, const void *data, size_t len,
                     size_t *out_len, char *ctype, size_t ctype_size)
{
    char head[1024];
    int h;
    if (filename)
        h = snprintf(head, sizeof head, "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n", boundary, name, filename);
    else
        h = snprintf(head, sizeof head, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", boundary,
                     name);
    char tail[128];
    int t = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", boundary);
    char *b = malloc((size_t)h + len + (size_t)t + 1);
    if (!b)
        return NULL;
    memcpy(b, head, (size_t)h);
    if (len)
        memcpy(b + h, data, len);
    memcpy(b + (size_t)h + len, tail, (size_t)t + 1);
    *out_len = (size_t)h + len + (size_t)t;
    snprintf(ctype, ctype_size, "multipart/form-data; boundary=%s", boundary);
    return b;
}
