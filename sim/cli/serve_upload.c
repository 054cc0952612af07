/* sim/cli/serve_upload.c: POST /upload, a pcap/pcapng as multipart/form-data
 * field "file" (serve.h).
 *
 * evhttp has read the whole body by the time we are called (bounded by
 * evhttp_set_max_body_size: --max-upload plus room for the multipart
 * framing).  The multipart body is parsed by hand as a ladder of early exits
 * (RFC 7578 / RFC 2046): the boundary must be present and well-formed, every
 * delimiter must be found where the grammar says, a part's headers fit in
 * 8 KiB, and lengths come only from where delimiters are actually found,
 * never from a header.  The uploaded bytes must start with a pcap or pcapng
 * magic, and then open with the project's trace reader (traces/trace.h);
 * otherwise nothing stays on disk.
 *
 * The file is stored as WORKDIR/uploads/uNNNNNN.pcap[ng], a name we make; the
 * client's filename is kept only for display, as its base name (after the
 * last / or \), without control bytes, at most 80 bytes, HTML-escaped when
 * shown. */
#include "sim/cli/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/trace.h"

#define PART_HEADERS_MAX 8192

struct part {
    char name[64];
    char filename[256];
    bool has_filename;
    const unsigned char *data;
    size_t len;
};

/* The boundary parameter of a multipart/form-data Content-Type; 0 or -1. */
static int get_boundary(const char *ct, char *out, size_t size)
{
    if (!ct || strncasecmp(ct, "multipart/form-data", 19))
        return -1;
    const char *p = ct + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (!strncasecmp(p, "boundary=", 9)) {
            p += 9;
            size_t n = 0;
            if (*p == '"') {
                p++;
                while (p[n] && p[n] != '"')
                    n++;
                if (p[n] != '"')
                    return -1;
            } else {
                while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
                    n++;
            }
            if (n < 1 || n > 70 || n >= size)
                return -1;
            for (size_t i = 0; i < n; i++)     /* RFC 2046 bchars */
                if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ", p[i]))
                    return -1;
            if (p[n - 1] == ' ')
                return -1;
            memcpy(out, p, n);
            out[n] = '\0';
            return 0;
        }
        while (*p && *p != ';')
            p++;
    }
    return -1;
}

/* A Content-Disposition parameter (name="v", name=v); false when absent. */
static bool disp_param(const char *h, size_t hlen, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 1 < hlen; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t') &&
            !strncasecmp(h + i, key, klen) && h[i + klen] == '=') {
            size_t j = i + klen + 1, n = 0;
            bool quoted = j < hlen && h[j] == '"';
            if (quoted)
                j++;
            while (j < hlen && (quoted ? h[j] != '"' : h[j] != ';' && h[j] != ' ')) {
                if (quoted && h[j] == '\\' && j + 1 < hlen)
                    j++;
                if (n + 1 < size)
                    out[n++] = h[j];
                j++;
            }
            if (quoted && (j >= hlen || h[j] != '"'))
                return false;
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

/* Parses a part's header block [h, h+n); fills name/filename. */
static const char *part_headers(const char *h, size_t n, struct part *p)
{
    bool disposition = false;
    while (n) {
        const char *eol = memmem(h, n, "\r\n", 2);
        size_t len = eol ? (size_t)(eol - h) : n;
        if (len > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
            const char *v = h + 20;
            size_t vlen = len - 20;
            while (vlen && (*v == ' ' || *v == '\t'))
                v++, vlen--;
            if (vlen < 9 || strncasecmp(v, "form-data", 9))
                return "a part is not form-data";
            if (!disp_param(v, vlen, "name", p->name, sizeof p->name))
                return "a part has no name";
            p->has_filename = disp_param(v, vlen, "filename", p->filename, sizeof p->filename);
            disposition = true;
        }
        if (!eol)
            break;
        h += len + 2;
        n -= len + 2;
    }
    return disposition ? NULL : "a part has no Content-Disposition";
}

/* Finds the part named "file"; NULL, or what is wrong with the body. */
static const char *parse_multipart(const unsigned char *body, size_t n, const char *boundary, struct part *file)
{
    char delim[80];
    int dlen = snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    const unsigned char *p;
    /* the first delimiter: at the very start (no CRLF before it), or after a preamble */
    if (n >= (size_t)dlen - 2 && !memcmp(body, delim + 2, (size_t)dlen - 2))
        p = body + dlen - 2;
    else if ((p = memmem(body, n, delim, (size_t)dlen)))
        p += dlen;
    else
        return "no multipart boundary in the body (truncated, or not the declared boundary)";
    const unsigned char *end = body + n;
    bool found = false;
    for (int parts = 0;; parts++) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break;                                  /* the close delimiter */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;                                    /* transport padding */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return "truncated multipart body (a delimiter is not followed by CRLF)";
        p += 2;
        if (parts >= 32)
            return "more than 32 parts";
        size_t avail = (size_t)(end - p);
        const unsigned char *hend = memmem(p, avail < PART_HEADERS_MAX ? avail : PART_HEADERS_MAX, "\r\n\r\n", 4);
        struct part part = { 0 };
        const char *why;
        if (!hend) {
            /* a part with no header lines at all starts with an empty line */
            if (avail >= 2 && p[0] == '\r' && p[1] == '\n')
                return "a part has no Content-Disposition";
            return avail < PART_HEADERS_MAX ? "truncated multipart body (a part's headers never end)"
                                            : "a part's headers are longer than 8 KiB";
        }
        if ((why = part_headers((const char *)p, (size_t)(hend - p), &part)))
            return why;
        const unsigned char *data = hend + 4;
        const unsigned char *next = memmem(data, (size_t)(end - data), delim, (size_t)dlen);
        if (!next)
            return "truncated multipart body (a part is not closed by the boundary)";
        if (!strcmp(part.name, "file")) {
            if (found)
                return "field file: given twice";
            part.data = data;
            part.len = (size_t)(next - data);
            *file = part;
            found = true;
        }
        p = next + dlen;
    }
    return found ? NULL : "field file: missing (the form has no part named \"file\")";
}

static void display_name(const struct part *p, char *out, size_t size)
{
    const char *f = p->has_filename ? p->filename : "";
    const char *base = f;
    for (const char *c = f; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    size_t n = 0;
    for (const char *c = base; *c && n + 1 < size && n < 80; c++)
        if ((unsigned char)*c >= 0x20 && *c != 0x7f)
            out[n++] = *c;
    out[n] = '\0';
    if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, size, "unnamed");
}

static const char *capture_kind(const unsigned char *d, size_t n)
{
    static const unsigned char magic[][4] = {
        { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },     /* pcap, us */
        { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },     /* pcap, ns */
    };
    if (n < 24)
        return NULL;
    for (size_t i = 0; i < 4; i++)
        if (!memcmp(d, magic[i], 4))
            return "pcap";
    if (!memcmp(d, "\x0a\x0d\x0d\x0a", 4) && n >= 28)
        return "pcapng";
    return NULL;
}

static int write_all(int fd, const unsigned char *d, size_t n)
{
    while (n) {
        ssize_t w = write(fd, d, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        d += w;
        n -= (size_t)w;
    }
    return 0;
}

void serve_upload_post(struct serve *s, struct evhttp_request *req)
{
    char boundary[80];
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19)) {
        serve_error(req, 415, "Unsupported Media Type",
                    "POST /upload takes multipart/form-data with the capture in a field named file");
        return;
    }
    if (get_boundary(ct, boundary, sizeof boundary) < 0) {
        serve_error(req, 400, "Bad Request", "multipart/form-data without a valid boundary parameter");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    if (n > s->max_upload + 65536) {
        serve_error(req, 413, "Payload Too Large", "the upload is larger than --max-upload (%llu bytes)",
                    (unsigned long long)s->max_upload);
        return;
    }
    const unsigned char *body = n ? evbuffer_pullup(in, -1) : (const unsigned char *)"";
    if (!body) {
        serve_error(req, 500, "Internal Server Error", "out of memory");
        return;
    }
    struct part file = { 0 };
    const char *why = parse_multipart(body, n, boundary, &file);
    if (why) {
        serve_error(req, 400, "Bad Request", "%s", why);
        return;
    }
    char display[96];
    display_name(&file, display, sizeof display);
    if (file.len == 0) {
        serve_error(req, 400, "Bad Request", "field file: empty (%s)", display);
        return;
    }
    if (file.len > s->max_upload) {
        serve_error(req, 413, "Payload Too Large", "%s: %zu bytes, more than --max-upload (%llu bytes)", display,
                    file.len, (unsigned long long)s->max_upload);
        return;
    }
    const char *kind = capture_kind(file.data, file.len);
    if (!kind) {
        serve_error(req, 415, "Unsupported Media Type",
                    "%s: not a pcap or pcapng file (no capture file magic number at its start)", display);
        return;
    }
    if (s->ntraces >= SERVE_MAX_TRACES) {
        serve_error(req, 507, "Insufficient Storage", "the trace list is full (%d traces)", SERVE_MAX_TRACES);
        return;
    }
    char path[SERVE_PATH_MAX];
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 1000; tries++) {
        snprintf(path, sizeof path, "%s/uploads/u%06u.%s", s->workdir, ++s->upload_seq, kind);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        fprintf(stderr, "rxsim serve: cannot store an upload under %s/uploads: %s\n", s->workdir, strerror(errno));
        serve_error(req, 500, "Internal Server Error", "cannot store the upload");
        return;
    }
    if (write_all(fd, file.data, file.len) < 0 || close(fd) < 0) {
        fprintf(stderr, "rxsim serve: writing %s: %s\n", path, strerror(errno));
        unlink(path);
        serve_error(req, 500, "Internal Server Error", "cannot store the upload (disk full?)");
        return;
    }
    struct trace_err terr;
    struct trace *t = trace_open(path, NULL, &terr);
    if (!t) {
        unlink(path);
        /* the reader's message starts with our path: show the reason only */
        const char *reason = terr.msg;
        size_t plen = strlen(path);
        if (!strncmp(reason, path, plen) && reason[plen] == ':')
            reason += plen + 1 + (reason[plen + 1] == ' ');
        serve_error(req, 415, "Unsupported Media Type", "%s: not a usable capture: %s", display, reason);
        return;
    }
    trace_close(t);
    char name[SERVE_NAME_MAX];
    if (serve_traces_add_upload(s, path, display, name, sizeof name) < 0) {
        unlink(path);
        serve_error(req, 500, "Internal Server Error", "cannot add the upload to the list");
        return;
    }
    fprintf(stderr, "rxsim serve: upload %s stored as %s\n", name, path);
    serve_redirect(req, "/");
}
