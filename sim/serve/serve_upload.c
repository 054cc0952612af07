/* sim/serve/serve_upload.c: POST /upload, a pcap/pcapng as multipart/form-data
 * field "file" (serve_upload.h).
 *
 * The body is on disk by the time we are called: the gate (serve_gate.c)
 * spooled it to WORKDIR/uploads/.spool-N as it arrived (up to --max-upload
 * plus 64 KiB for the multipart framing; evhttp answers 413 past that), and
 * serve_gate_take_spool() hands the file over; a small body evhttp buffered
 * (a request the gate did not recognise as an upload) is written to a spool
 * file here, so one path reads both.  The spool is removed whatever the
 * answer.  The multipart body is parsed from the file by multipart.c
 * through a 64 KiB window, and the file part copied out with
 * copy_file_range(): an upload never sits in our memory.  The parser is a
 * ladder of early exits (boundary, delimiters, 8 KiB of headers per part,
 * lengths only from where delimiters are found); this file keeps
 * the HTTP side (status codes, limits) and the disk.  The uploaded bytes must
 * start with a pcap or pcapng magic, and then open with the project's trace
 * reader (traces/trace.h); otherwise nothing stays on disk.
 *
 * The file is stored as WORKDIR/uploads/uNNNNNN.pcap[ng], a name we make; the
 * client's filename is kept only for display (multipart_display_name(): its
 * base name after the last / or \, without control bytes, at most 80
 * bytes, valid UTF-8), escaped when shown. */
#include "sim/serve/serve_upload.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_gate.h"
#include "sim/serve/serve_reply.h"
#include "sim/serve/serve_traces.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/serve/multipart.h"
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

/* len bytes at off of file in to the end of file out, a 64 KiB buffer at a
 * time (the kernel copies when it can).  0 or -1. */
static int copy_range(int in, uint64_t off, uint64_t len, int out)
{
    while (len) {
        loff_t o = (loff_t)off;
        ssize_t n = copy_file_range(in, &o, out, NULL, len < (1u << 30) ? (size_t)len : (1u << 30), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    unsigned char buf[65536];
    while (len) {
        ssize_t n = pread(in, buf, len < sizeof buf ? (size_t)len : sizeof buf, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || write_all(out, buf, (size_t)n) < 0)
            return -1;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* A body evhttp buffered (one the gate did not spool: small) written to a
 * new spool file, so that one path reads both: the fd (read-write, offset at
 * its end) and the path; -1 (nothing left on disk) when it cannot be. */
static int spool_buffer(struct serve *s, struct evhttp_request *req, char *path, size_t size, uint64_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 1000; tries++) {
        snprintf(path, size, "%s/uploads/.spool-%06llu", s->workdir, (unsigned long long)++s->spool_seq);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    while (fd >= 0 && evbuffer_get_length(in))
        if (evbuffer_write(in, fd) <= 0) {
            close(fd);
            unlink(path);
            fd = -1;
        }
    return fd;
}

/* From a refusal or an acceptance on: the answer is sent and the spool gone. */
static void upload_from(struct serve *s, struct evhttp_request *req, const char *ct, int body, uint64_t n)
{
    if (n > s->max_upload + 65536) {
        serve_error(req, 413, "Payload Too Large", "the upload is larger than --max-upload (%llu bytes)",
                    (unsigned long long)s->max_upload);
        return;
    }
    struct multipart_part file;
    const char *why = multipart_find_part_fd(body, n, ct, "file", &file);
    if (why == multipart_field_missing)
        why = "field file: missing (the form has no part named \"file\")";
    else if (why == multipart_field_twice)
        why = "field file: given twice";
    if (why) {
        serve_error(req, why == multipart_read_failed ? 500 : 400,
                    why == multipart_read_failed ? "Internal Server Error" : "Bad Request", "%s", why);
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
    unsigned char magic[28];
    size_t mlen = file.len < sizeof magic ? file.len : sizeof magic;
    const char *kind = pread(body, magic, mlen, (off_t)file.offset) == (ssize_t)mlen ? capture_kind(magic, mlen)
                                                                                       : NULL;
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
    if (copy_range(body, file.offset, file.len, fd) < 0 || close(fd) < 0) {
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

void serve_upload_post(struct serve *s, struct evhttp_request *req)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1], spool[SERVE_PATH_MAX + 32];
    uint64_t n = 0;
    int fd = -1, spooled = serve_gate_take_spool(s, req, spool, sizeof spool, &n);
    if (spooled < 0) {
        serve_error(req, 500, "Internal Server Error", "the spooled upload is gone");
        return;
    }
    /* from here a spooled body is ours: removed whatever the answer */
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19)) {
        serve_error(req, 415, "Unsupported Media Type",
                    "POST /upload takes multipart/form-data with the capture in a field named file");
        goto out_unlink;
    }
    /* checked before the body's size, as it always was; multipart_find_part_fd() reads it again */
    const char *why = multipart_boundary(ct, boundary, sizeof boundary);
    if (why) {
        serve_error(req, 400, "Bad Request", "%s", why);
        goto out_unlink;
    }
    if (spooled)
        fd = open(spool, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    else if ((fd = spool_buffer(s, req, spool, sizeof spool, &n)) >= 0)
        spooled = 1;
    if (fd < 0) {
        fprintf(stderr, "rxsim serve: cannot spool an upload under %s/uploads: %s\n", s->workdir, strerror(errno));
        serve_error(req, 500, "Internal Server Error", "cannot store the upload");
        goto out_unlink;
    }
    upload_from(s, req, ct, fd, n);
    close(fd);
out_unlink:
    if (spooled)
        unlink(spool);
}
