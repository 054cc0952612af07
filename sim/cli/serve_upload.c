/* sim/cli/serve_upload.c: POST /upload, a pcap/pcapng as multipart/form-data
 * field "file" (serve.h).
 *
 * evhttp has read the whole body by the time we are called (bounded by
 * evhttp_set_max_body_size: --max-upload plus room for the multipart
 * framing).  The multipart body is parsed by hand in multipart.c, plain
 * bytes in (a ladder of early exits: boundary, delimiters, 8 KiB of headers
 * per part, lengths only from where delimiters are found); this file keeps
 * the HTTP side (status codes, limits) and the disk.  The uploaded bytes must
 * start with a pcap or pcapng magic, and then open with the project's trace
 * reader (traces/trace.h); otherwise nothing stays on disk.
 *
 * The file is stored as WORKDIR/uploads/uNNNNNN.pcap[ng], a name we make; the
 * client's filename is kept only for display (multipart_display_name(): its
 * base name after the last / or \, without control bytes, at most 80
 * bytes), HTML-escaped when shown. */
#include "sim/cli/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/multipart.h"
#include "traces/trace.h"

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
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19)) {
        serve_error(req, 415, "Unsupported Media Type",
                    "POST /upload takes multipart/form-data with the capture in a field named file");
        return;
    }
    /* checked before the body's size, as it always was; multipart_find_part() reads it again */
    const char *why = multipart_boundary(ct, boundary, sizeof boundary);
    if (why) {
        serve_error(req, 400, "Bad Request", "%s", why);
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
    struct multipart_part file;
    why = multipart_find_part(body, n, ct, "file", &file);
    if (why == multipart_field_missing)
        why = "field file: missing (the form has no part named \"file\")";
    else if (why == multipart_field_twice)
        why = "field file: given twice";
    if (why) {
        serve_error(req, 400, "Bad Request", "%s", why);
        return;
    }
    char display[96];
    multipart_display_name(&file, display, sizeof display);
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
