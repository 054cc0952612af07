/* sim/serve/serve_gate.c: the gate every connection of rxsim serve passes
 * through, a bufferevent filter between the socket and evhttp (installed with
 * evhttp_set_bevcb; serve_gate.h).
 *
 * Why a filter: libevent 2.1's evhttp (Debian 12 ships 2.1.12) has no limit
 * on connections (evhttp_set_max_connections is 2.2), only an inactivity
 * timeout (a client sending one byte every 29 s holds a connection forever),
 * and reads a request body whole into memory before calling us (a server
 * request cannot be given a chunked_cb before its body is read: there is no
 * new-request hook before 2.2).  Eight 60 MB uploads at once took 803 MB.
 * The gate sees the bytes first and frames requests itself (request line,
 * headers up to an empty line, Content-Length), so it can:
 *
 *  - cap connections: past --max-connections, a connection is answered 503
 *    and closed at once (it never reaches evhttp's request parser);
 *  - give every request a total deadline: --request-timeout seconds from its
 *    first byte to its last body byte, and as long for an idle connection
 *    (from accept, or from the last response byte); then 408 (idle: just
 *    closed) and the connection is shut down, however slowly bytes trickle;
 *  - spool POST /upload to disk: the body (Content-Length up to --max-upload
 *    + 64 KiB) goes to WORKDIR/uploads/.spool-N as it arrives, and only then
 *    does evhttp get the head, rewritten to Content-Length: 0 plus
 *    X-Rxsim-Spool: N; serve_upload.c takes the file with
 *    serve_gate_take_spool() and parses it from disk.  Memory per upload is
 *    one socket read, not the upload.
 *
 * Framing follows evhttp 2.1's: every method but HEAD and TRACE carries a
 * body of Content-Length bytes.  A request the gate cannot frame the same way is
 * refused: Transfer-Encoding (501), Content-Length given twice differently
 * or not a number, an obsolete folded header line (400).  A head longer than
 * SERVE_MAX_HEADERS passes through untouched, and evhttp refuses it.  The
 * gate strips X-Rxsim-Spool from every request, so a client cannot name a
 * spool.  Refusals and deadlines write a short response on the socket, shut
 * it down, and tell evhttp EOF, which frees the connection (and the gate:
 * its free_context removes an unclaimed spool). */
#include "sim/serve/serve_gate.h"
#include "sim/serve/serve.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define GATE_MAX_PENDING 4          /* spooled uploads released to evhttp, not yet taken */

enum gate_state {
    GATE_HEAD,      /* reading a request head into g->head */
    GATE_BODY,      /* passing body_left bytes to evhttp */
    GATE_SPOOL,     /* writing body_left bytes to the spool file */
    GATE_RAW,       /* passing everything (a head evhttp will refuse) */
    GATE_SHUT,      /* refused or timed out: input dropped until evhttp frees us */
};

struct serve_gate {
    struct serve *s;
    struct serve_gate *next;
    struct bufferevent *under, *bev;    /* the socket; the filter evhttp uses */
    struct event *deadline;
    struct event *kick;                 /* pushes the filter's output on (gate_out) */
    bool counted;                       /* in s->nconns (not a refused one) */
    bool in_request;                    /* the deadline is a request's, not idle time */
    enum gate_state state;
    struct evbuffer *head;
    struct evbuffer *held;              /* the rewritten head of the upload being spooled */
    uint64_t body_left;
    int spool_fd;
    uint64_t spool_seq, spool_len;
    struct { uint64_t seq, len; } pending[GATE_MAX_PENDING];
    int npending;
};

static void spool_path(const struct serve *s, uint64_t seq, char *out, size_t size)
{
    snprintf(out, size, "%s/uploads/.spool-%06" PRIu64, s->workdir, seq);
}

static void arm(struct serve_gate *g, bool request)
{
    struct timeval tv = { g->s->request_timeout, 0 };
    g->in_request = request;
    event_add(g->deadline, &tv);
}

/* Answers with a canned response (code 0: none), shuts the socket down and
 * tells evhttp EOF (deferred, so that evhttp frees the connection, and this
 * gate, from the loop and not from under the filter). */
static void gate_close(struct serve_gate *g, int code, const char *reason, const char *msg)
{
    if (g->state == GATE_SHUT)
        return;
    g->state = GATE_SHUT;
    evutil_socket_t fd = bufferevent_getfd(g->under);
    if (fd >= 0) {
        if (code) {
            char resp[512];
            int n = snprintf(resp, sizeof resp,
                             "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                             "Content-Length: %zu\r\n\r\n%s\n", code, reason, strlen(msg) + 1, msg);
            if (n > 0 && n < (int)sizeof resp && evbuffer_get_length(bufferevent_get_output(g->under)) == 0)
                (void)!send(fd, resp, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        shutdown(fd, SHUT_RDWR);
    }
    event_del(g->deadline);
    bufferevent_trigger_event(g->bev, BEV_EVENT_EOF | BEV_EVENT_READING, BEV_TRIG_DEFER_CALLBACKS);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct serve_gate *g = arg;
    if (g->in_request) {
        g->s->requests_timed_out++;
        gate_close(g, 408, "Request Timeout", "the request did not arrive whole within --request-timeout");
    } else {
        gate_close(g, 0, NULL, NULL);   /* idle: nothing to answer */
    }
}

/* A request has been passed on whole: its deadline stops (the response,
 * once written, starts the idle one). */
static void request_done(struct serve_gate *g)
{
    g->state = GATE_HEAD;
    event_del(g->deadline);
    g->in_request = false;
}

/* The end of the head in p[0, n): the offset just past its empty line, or 0. */
static size_t head_end(const char *p, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++)
        if (p[i] == '\n') {
            if (i + 1 < n && p[i + 1] == '\n')
                return i + 2;
            if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
                return i + 3;
        }
    return 0;
}

static bool header_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && line[n] == ':' && !strncasecmp(line, name, n);
}

/* A complete head h[0, n) (ending with its empty line): decides what the
 * gate does with it and with the body behind it, and what evhttp gets. */
static void head_done(struct serve_gate *g, const char *h, size_t n, struct evbuffer *dst)
{
    struct serve *s = g->s;
    const char *eol = memchr(h, '\n', n);
    size_t rl = (size_t)(eol - h);
    const char *sp1 = memchr(h, ' ', rl);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', rl - (size_t)(sp1 + 1 - h)) : NULL;
    if (!sp2) {                             /* not a request line: evhttp says so */
        evbuffer_add(dst, h, n);
        request_done(g);
        return;
    }
    size_t mlen = (size_t)(sp1 - h), tlen = (size_t)(sp2 - sp1 - 1);
    const char *target = sp1 + 1;
    /* evhttp 2.1 reads a Content-Length body for every method but HEAD and TRACE */
    bool body_method = !(mlen == 4 && !memcmp(h, "HEAD", 4)) && !(mlen == 5 && !memcmp(h, "TRACE", 5));
    bool upload = mlen == 4 && !memcmp(h, "POST", 4) &&
                  ((tlen == 7 && !memcmp(target, "/upload", 7)) || (tlen > 7 && !memcmp(target, "/upload?", 8)));
    bool has_length = false, expect_continue = false, forged = false;
    uint64_t length = 0;
    for (const char *line = eol + 1; line < h + n;) {
        const char *e = memchr(line, '\n', (size_t)(h + n - line));
        size_t len = (size_t)(e - line);
        if (len && line[len - 1] == '\r')
            len--;
        if (len && (line[0] == ' ' || line[0] == '\t')) {
            gate_close(g, 400, "Bad Request", "folded header lines are not accepted");
            return;
        }
        if (header_is(line, len, "Transfer-Encoding")) {
            gate_close(g, 501, "Not Implemented", "request bodies must come with a Content-Length "
                       "(Transfer-Encoding is not accepted)");
            return;
        }
        if (header_is(line, len, "Content-Length")) {
            const char *v = line + 15, *end = line + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            uint64_t val = 0;
            bool ok = v < end && end - v <= 15;
            for (const char *c = v; ok && c < end; c++)
                ok = *c >= '0' && *c <= '9', val = val * 10 + (uint64_t)(*c - '0');
            if (!ok || (has_length && val != length)) {
                gate_close(g, 400, "Bad Request", "a Content-Length that is not one number");
                return;
            }
            has_length = true;
            length = val;
        }
        if (header_is(line, len, "Expect") && len >= 19 && !strncasecmp(line + len - 12, "100-continue", 12))
            expect_continue = true;
        forged |= header_is(line, len, "X-Rxsim-Spool");
        line = e + 1;
    }
    uint64_t body = body_method ? length : 0;
    bool spool = upload && body > 0 && body <= s->max_upload + 65536;
    if (spool && g->npending == GATE_MAX_PENDING) {
        gate_close(g, 503, "Service Unavailable", "too many uploads pipelined on one connection");
        return;
    }
    if (!spool && !forged) {
        evbuffer_add(dst, h, n);
    } else {
        /* the head as sent, less our own header (and, spooled, its length and Expect) */
        struct evbuffer *out = spool ? g->held : dst;
        evbuffer_add(out, h, rl + 1);
        for (const char *line = eol + 1; line < h + n;) {
            const char *e = memchr(line, '\n', (size_t)(h + n - line));
            size_t len = (size_t)(e - line) - (e > line && e[-1] == '\r');
            bool drop = header_is(line, len, "X-Rxsim-Spool") ||
                        (spool && (header_is(line, len, "Content-Length") || header_is(line, len, "Expect")));
            if (len && !drop)
                evbuffer_add(out, line, (size_t)(e + 1 - line));
            line = e + 1;
        }
        if (spool)
            evbuffer_add_printf(out, "Content-Length: 0\r\nX-Rxsim-Spool: %" PRIu64 "\r\n", s->spool_seq + 1);
        evbuffer_add(out, "\r\n", 2);
    }
    g->body_left = body;
    if (!spool) {
        if (body)
            g->state = GATE_BODY;
        else
            request_done(g);
        return;
    }
    char path[SERVE_PATH_MAX + 32];
    g->spool_seq = ++s->spool_seq;
    spool_path(s, g->spool_seq, path, sizeof path);
    g->spool_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (g->spool_fd < 0) {
        fprintf(stderr, "rxsim serve: cannot spool an upload to %s: %s\n", path, strerror(errno));
        evbuffer_drain(g->held, evbuffer_get_length(g->held));
        gate_close(g, 500, "Internal Server Error", "cannot store the upload");
        return;
    }
    g->spool_len = 0;
    g->state = GATE_SPOOL;
    if (expect_continue)
        bufferevent_write(g->under, "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

/* Body bytes of a spooled upload: to the file; when the last one is written,
 * the held head goes to evhttp and the spool waits to be taken. */
static void spool_some(struct serve_gate *g, struct evbuffer *src, struct evbuffer *dst)
{
    while (g->body_left && evbuffer_get_length(src)) {
        size_t n = evbuffer_get_length(src);
        int w = evbuffer_write_atmost(src, g->spool_fd, (ev_ssize_t)(n < g->body_left ? n : g->body_left));
        if (w <= 0) {
            char path[SERVE_PATH_MAX + 32];
            spool_path(g->s, g->spool_seq, path, sizeof path);
            fprintf(stderr, "rxsim serve: writing %s: %s\n", path, w < 0 ? strerror(errno) : "no progress");
            close(g->spool_fd);
            g->spool_fd = -1;
            unlink(path);
            evbuffer_drain(g->held, evbuffer_get_length(g->held));
            gate_close(g, 500, "Internal Server Error", "cannot store the upload (disk full?)");
            return;
        }
        g->body_left -= (uint64_t)w;
        g->spool_len += (uint64_t)w;
    }
    if (g->body_left)
        return;
    close(g->spool_fd);
    g->spool_fd = -1;
    g->pending[g->npending].seq = g->spool_seq;
    g->pending[g->npending].len = g->spool_len;
    g->npending++;
    evbuffer_add_buffer(dst, g->held);
    request_done(g);
}

static enum bufferevent_filter_result gate_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
                                              enum bufferevent_flush_mode mode, void *ctx)
{
    (void)limit, (void)mode;
    struct serve_gate *g = ctx;
    size_t before = evbuffer_get_length(dst);

    while (evbuffer_get_length(src) && g->state != GATE_SHUT) {
        switch (g->state) {
        case GATE_RAW:
            evbuffer_add_buffer(dst, src);
            break;
        case GATE_BODY: {
            size_t n = evbuffer_get_length(src);
            if (n > g->body_left)
                n = (size_t)g->body_left;
            evbuffer_remove_buffer(src, dst, n);
            if (!(g->body_left -= n))
                request_done(g);
            break;
        }
        case GATE_SPOOL:
            spool_some(g, src, dst);
            break;
        case GATE_HEAD: {
            size_t had = evbuffer_get_length(g->head);
            if (had == 0) {
                /* empty lines before a request line are ignored (RFC 9112 §2.2) */
                unsigned char c;
                while (evbuffer_copyout(src, &c, 1) == 1 && (c == '\r' || c == '\n'))
                    evbuffer_drain(src, 1);
                if (!evbuffer_get_length(src))
                    break;
                arm(g, true);               /* a request has begun: its whole deadline */
            }
            evbuffer_add_buffer(g->head, src);
            size_t n = evbuffer_get_length(g->head);
            size_t look = n < SERVE_MAX_HEADERS + 4 ? n : SERVE_MAX_HEADERS + 4;
            const char *p = (const char *)evbuffer_pullup(g->head, (ev_ssize_t)look);
            size_t end = p ? head_end(p, look, had > 2 ? had - 2 : 0) : 0;
            if (!end) {
                if (n > SERVE_MAX_HEADERS) {        /* evhttp refuses it (its header limit) */
                    evbuffer_add_buffer(dst, g->head);
                    g->state = GATE_RAW;
                }
                break;
            }
            char *h = malloc(end);
            if (!h) {
                gate_close(g, 500, "Internal Server Error", "out of memory");
                break;
            }
            evbuffer_remove(g->head, h, end);
            evbuffer_prepend_buffer(src, g->head);  /* what follows the head goes back in front */
            head_done(g, h, end, dst);
            free(h);
            break;
        }
        case GATE_SHUT:
            break;
        }
    }
    if (g->state == GATE_SHUT)
        evbuffer_drain(src, evbuffer_get_length(src));
    return evbuffer_get_length(dst) > before ? BEV_OK : BEV_NEED_MORE;
}

/* Responses pass unchanged, but two things of libevent 2.1's filters need
 * help.  evhttp writes a response into the filter's output while writing is
 * still disabled, then enables it, and enabling does not process what is
 * there: a callback on that buffer kicks the filter from the loop (by then
 * enabled) with bufferevent_flush().  And evhttp takes an empty output for
 * "sent": on Connection: close it then shuts the socket down and frees it,
 * dropping whatever the socket bufferevent had not written yet.  So the
 * last byte stays in the filter until the socket's buffer is empty (the
 * socket bufferevent's write callback runs this again then; if the socket
 * itself is full, the kick retries in 5 ms), and goes to the socket
 * directly: only then is the output empty.  The last byte of a response also
 * starts the idle deadline. */
static enum bufferevent_filter_result gate_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
                                               enum bufferevent_flush_mode mode, void *ctx)
{
    (void)limit, (void)mode;
    struct serve_gate *g = ctx;
    size_t n = evbuffer_get_length(src);
    if (!n)
        return BEV_NEED_MORE;
    evutil_socket_t fd = bufferevent_getfd(g->under);
    bool direct = !evbuffer_get_length(dst) && fd >= 0 && g->state != GATE_SHUT;
    if (direct)
        evbuffer_write(src, fd);            /* what the socket takes now is sent */
    size_t left = evbuffer_get_length(src);
    if (left > 1)
        evbuffer_remove_buffer(src, dst, left - 1);
    else if (left == 1 && direct) {
        struct timeval retry = { 0, 5000 };
        event_add(g->kick, &retry);
    }
    if (!left && g->state == GATE_HEAD && !evbuffer_get_length(g->head))
        arm(g, false);
    return evbuffer_get_length(src) < n ? BEV_OK : BEV_NEED_MORE;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct serve_gate *g = arg;
    bufferevent_flush(g->bev, EV_WRITE, BEV_FLUSH);
}

static void output_added(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    struct serve_gate *g = arg;
    if (info->n_added)
        event_active(g->kick, EV_TIMEOUT, 0);
}

static void gate_free(void *ctx)
{
    struct serve_gate *g = ctx;
    struct serve *s = g->s;
    for (struct serve_gate **pp = &s->gates; *pp; pp = &(*pp)->next)
        if (*pp == g) {
            *pp = g->next;
            break;
        }
    if (g->counted)
        s->nconns--;
    char path[SERVE_PATH_MAX + 32];
    if (g->spool_fd >= 0) {
        close(g->spool_fd);
        spool_path(s, g->spool_seq, path, sizeof path);
        unlink(path);
    }
    for (int i = 0; i < g->npending; i++) {
        spool_path(s, g->pending[i].seq, path, sizeof path);
        unlink(path);
    }
    event_free(g->deadline);
    event_free(g->kick);
    evbuffer_free(g->head);
    evbuffer_free(g->held);
    free(g);
}

static void on_refuse(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct serve_gate *g = arg;
    g->state = GATE_HEAD;           /* so that gate_close acts */
    char msg[128];
    snprintf(msg, sizeof msg, "the lab has %d connections open (--max-connections); try again", g->s->max_conns);
    gate_close(g, 503, "Service Unavailable", msg);
}

struct bufferevent *serve_gate_bev(struct event_base *base, void *arg)
{
    struct serve *s = arg;
    struct serve_gate *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->s = s;
    g->spool_fd = -1;
    g->head = evbuffer_new();
    g->held = evbuffer_new();
    g->under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bool refused = s->nconns >= s->max_conns;
    g->deadline = event_new(base, -1, 0, refused ? on_refuse : on_deadline, g);
    g->kick = event_new(base, -1, 0, on_kick, g);
    if (!g->head || !g->held || !g->under || !g->deadline || !g->kick)
        goto out_free;
    g->bev = bufferevent_filter_new(g->under, gate_in, gate_out, BEV_OPT_CLOSE_ON_FREE, gate_free, g);
    if (!g->bev)
        goto out_free;
    if (!evbuffer_add_cb(bufferevent_get_output(g->bev), output_added, g)) {
        bufferevent_free(g->bev);       /* gate_free frees the rest */
        return NULL;
    }
    g->next = s->gates;
    s->gates = g;
    if (refused) {
        /* evhttp sets the socket once we return: answer from the loop */
        s->conns_refused++;
        g->state = GATE_SHUT;
        struct timeval now = { 0, 0 };
        event_add(g->deadline, &now);
    } else {
        g->counted = true;
        s->nconns++;
        arm(g, false);
    }
    return g->bev;

out_free:
    if (g->under)
        bufferevent_free(g->under);
    if (g->deadline)
        event_free(g->deadline);
    if (g->kick)
        event_free(g->kick);
    if (g->head)
        evbuffer_free(g->head);
    if (g->held)
        evbuffer_free(g->held);
    free(g);
    return NULL;
}

int serve_gate_take_spool(struct serve *s, struct evhttp_request *req, char *path, size_t size, uint64_t *len)
{
    const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Rxsim-Spool");
    if (!v)
        return 0;
    uint64_t seq = strtoull(v, NULL, 10);
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    for (struct serve_gate *g = s->gates; g; g = g->next) {
        if (g->bev != bev)
            continue;
        for (int i = 0; i < g->npending; i++)
            if (g->pending[i].seq == seq) {
                spool_path(s, seq, path, size);
                *len = g->pending[i].len;
                g->pending[i] = g->pending[--g->npending];
                return 1;
            }
    }
    return -1;
}
