/* tests/common/webdriver.c: a W3C WebDriver client for browser tests; see
 * webdriver.h for the contract.
 *
 * Three layers, top to bottom:
 *
 *   wd_click(), wd_text(), ...   one W3C command each (≈ 40 lines of JSON)
 *   cmd()                        JSON in, the reply's "value" out; WebDriver
 *                                errors become "METHOD /path: code: message"
 *   http()                       one HTTP/1.1 exchange on a fresh loopback
 *                                connection, non-blocking, every connect, send
 *                                and recv bounded by one deadline; the reply is
 *                                read to Content-Length, the last chunk or EOF,
 *                                never past 64 MiB whatever a header claims
 *
 * and beside them the keeper, the process wd_start() forks to own the
 * browser.  Why a keeper: chromedriver starts chromium, chromium forks a
 * zygote, renderers and utilities, and its crashpad handlers double-fork
 * into their own sessions, reparented to init; a test that SIGKILLs
 * chromedriver leaves ten processes behind.  The keeper is a child subreaper
 * (prctl), so every orphan of the tree becomes its child; when told to stop,
 * or when the control socket reaches EOF because every holder of the client
 * side exited, it signals its children (TERM, then KILL after 1.5 s), reaps,
 * and repeats until waitpid() says ECHILD, then deletes the temporary
 * directory.  It is forked from a possibly multi-threaded test, so it uses
 * only async-signal-safe calls: no stdio, no malloc, /proc read with
 * getdents64().  Measured here (chromium 156, 2 CPUs): wd_start 0.8 s, the
 * first wd_get 1 s, later commands ≈ 10 ms each (one loopback connection per
 * command), a screenshot 0.09 s, wd_stop 0.26 s. */
#include "tests/common/webdriver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <nettle/base64.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WD_MAX_REPLY (64u << 20)            /* a 1280x1000 screenshot is ≈ 0.1-2 MB of base64 */
#define WD_MAX_HEADER (64u << 10)
#define WD_POLL_MS 50                       /* wd_wait_* poll interval */
#define WD_START_MS 20000                   /* chromedriver up and /status ready */
#define WD_SESSION_MS 45000                 /* chromium's first start, on a loaded machine */
#define WD_STOP_MS 20000                    /* keeper's TERM → KILL → reap, with margin */
#define WD_ELEMENT_KEY "element-6066-11e4-a52e-4f735466cecf"

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct wd *wd, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(wd->err, sizeof wd->err, fmt, ap);
    va_end(ap);
    snprintf(wd->code, sizeof wd->code, "%s", code);
}

/* Puts "context: " in front of the current error. */
__attribute__((format(printf, 2, 3)))
static void prefix(struct wd *wd, const char *fmt, ...)
{
    char head[512], old[sizeof wd->err];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, wd->err, sizeof old);
    if (snprintf(wd->err, sizeof wd->err, "%s: %s", head, old) >= (int)sizeof wd->err)
        memcpy(wd->err + sizeof wd->err - 4, "...", 4);     /* keep the start: the command */
}

/* ------------------------------------------------------------------------
 * The keeper.  Async-signal-safe code only from here to keeper_main().
 * ------------------------------------------------------------------------ */

static volatile sig_atomic_t keeper_quit;

static void say(int fd, const void *p, size_t n)
{
    ssize_t r = write(fd, p, n);
    (void)r;
}

static void keeper_on_signal(int sig)
{
    (void)sig;
    keeper_quit = 1;
}

/* Parent pid from /proc/PID/stat ("pid (comm) S ppid ..."; comm may hold
 * ')' or spaces, so parse after the last ')'), or -1. */
static pid_t proc_ppid(const char *pid_name)
{
    char path[64] = "/proc/", b[512];
    size_t n = strlen(path), k = strlen(pid_name);
    if (k > 20)
        return -1;
    memcpy(path + n, pid_name, k);
    memcpy(path + n + k, "/stat", 6);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, b, sizeof b - 1);
    close(fd);
    if (got <= 0)
        return -1;
    b[got] = '\0';
    char *p = strrchr(b, ')');
    if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
        return -1;
    pid_t ppid = 0;
    for (p += 4; *p >= '0' && *p <= '9'; p++)
        ppid = ppid * 10 + (*p - '0');
    return ppid;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Sends sig to every direct child of this process (zombies included, which
 * ignore it).  Orphans of the tree are direct children, being reparented to
 * this subreaper. */
static void keeper_signal_children(int sig)
{
    pid_t self = getpid();
    int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    _Alignas(struct dirent64) char buf[4096];
    ssize_t n;
    while ((n = getdents64(dfd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
            off += d->d_reclen;
            if (all_digits(d->d_name) && proc_ppid(d->d_name) == self) {
                pid_t pid = 0;
                for (const char *c = d->d_name; *c; c++)
                    pid = pid * 10 + (*c - '0');
                kill(pid, sig);
            }
        }
    }
    close(dfd);
}

/* Kills and reaps every descendant: TERM, KILL from 1.5 s on, until waitpid()
 * reports no children (or 10 s pass: a process stuck in D state). */
static void keeper_reap_all(void)
{
    int64_t t0 = now_ms();
    keeper_signal_children(SIGTERM);
    for (;;) {
        pid_t r;
        while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (r < 0 && errno == ECHILD)
            return;
        int64_t t = now_ms() - t0;
        if (t > 10000)
            return;
        keeper_signal_children(t > 1500 ? SIGKILL : SIGTERM);
        poll(NULL, 0, 20);
    }
}

/* rm -rf name (relative to dir_fd), never following symlinks. */
static void keeper_rmtree(int dir_fd, const char *name, int depth)
{
    int fd = depth < 32 ? openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    if (fd >= 0) {
        _Alignas(struct dirent64) char buf[4096];
        /* Removing entries while reading may skip some: reread until empty. */
        for (int round = 0; round < 16; round++) {
            bool seen = false;
            ssize_t n;
            lseek(fd, 0, SEEK_SET);
            while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
                for (ssize_t off = 0; off < n;) {
                    struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
                    off += d->d_reclen;
                    if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                        continue;
                    seen = true;
                    if (d->d_type == DT_DIR ||
                        (unlinkat(fd, d->d_name, 0) != 0 && (errno == EISDIR || errno == EPERM)))
                        keeper_rmtree(fd, d->d_name, depth + 1);
                }
            }
            if (!seen)
                break;
        }
        close(fd);
    }
    unlinkat(dir_fd, name, AT_REMOVEDIR);
}

/* The keeper: starts chromedriver, then waits for 'q' or EOF on ctl (or a
 * TERM/INT/HUP of its own), then kills and reaps everything and deletes
 * tmpdir.  Tells the client the driver's pid (a pid_t on ctl) and later an
 * 'x' if chromedriver exits by itself. */
static _Noreturn void keeper_main(int ctl, int logfd, const char *exe, char *const argv[],
                                  char *const envp[], const char *tmpdir)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    setpgid(0, 0);      /* out of the terminal's group: Ctrl-C ends the test, whose exit ends us */
    struct sigaction sa = { .sa_handler = keeper_on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Hold nothing of the test's: not meson's stdout pipe (it would wait for
     * our EOF), not a listening socket.  ctl and logfd are ≥ 3 (wd_start). */
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
    }
    int lo = ctl < logfd ? ctl : logfd, hi = ctl < logfd ? logfd : ctl;
    if (close_range((unsigned)hi + 1, ~0u, 0) != 0)
        for (int fd = hi + 1; fd < 4096; fd++)
            close(fd);
    for (int fd = 3; fd < hi; fd++)
        if (fd != lo)
            close(fd);

    pid_t driver = fork();
    if (driver == 0) {
        struct sigaction dfl = { .sa_handler = SIG_DFL };
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        dup2(logfd, 1);
        dup2(logfd, 2);
        execve(exe, argv, envp);
        _exit(127);
    }
    say(ctl, &driver, sizeof driver);
    while (driver > 0 && !keeper_quit) {
        struct pollfd p = { .fd = ctl, .events = POLLIN };
        if (poll(&p, 1, 250) > 0) {
            char c;
            ssize_t n = read(ctl, &c, 1);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) || (n == 1 && c == 'q'))
                break;
        }
        pid_t r;
        while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
            if (r == driver)
                say(ctl, "x", 1);
    }
    keeper_reap_all();
    keeper_rmtree(AT_FDCWD, tmpdir, 0);
    _exit(0);           /* closes ctl: the client's EOF */
}

/* ------------------------------------------------------------------------
 * HTTP/1.1 over loopback.
 * ------------------------------------------------------------------------ */

struct reply {
    int status;
    char *body;         /* malloc'd, NUL-terminated */
    size_t len;
};

/* Waits for events on fd until deadline: 0 ready, -1 timed out or failed. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, (int)(left > INT32_MAX ? INT32_MAX : left));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Decodes a chunked body of n bytes at p, in place only when move (run it
 * once without, to learn whether it is complete).  1 complete (*out_len
 * set), 0 incomplete, -1 malformed. */
static int unchunk(char *p, size_t n, bool move, size_t *out_len)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *eol = memmem(p + in, n - in, "\r\n", 2);
        if (!eol)
            return 0;
        size_t size = 0;
        int digits = 0;
        for (char *c = p + in; c < eol && *c != ';'; c++, digits++) {
            int v = (*c >= '0' && *c <= '9') ? *c - '0'
                  : (*c >= 'a' && *c <= 'f') ? *c - 'a' + 10
                  : (*c >= 'A' && *c <= 'F') ? *c - 'A' + 10 : -1;
            if (v < 0 || digits >= 8)
                return -1;
            size = size * 16 + (size_t)v;
        }
        if (!digits)
            return -1;
        in = (size_t)(eol - p) + 2;
        if (size == 0) {        /* last chunk; trailers end with an empty line */
            if (n - in >= 2 && !memcmp(p + in, "\r\n", 2))
                break;
            if (!memmem(p + in, n - in, "\r\n\r\n", 4))
                return 0;
            break;
        }
        if (n - in < size + 2)
            return 0;
        if (memcmp(p + in + size, "\r\n", 2))
            return -1;
        if (move)
            memmove(p + out, p + in, size);
        out += size;
        in += size + 2;
    }
    *out_len = out;
    return 1;
}

/* One request; 0 with *r filled (any status), or -1 with wd->err set. */
static int http(struct wd *wd, const char *method, const char *path, const char *body,
                struct reply *r)
{
    int64_t deadline = now_ms() + wd->timeout_ms;
    char *buf = NULL, *req = NULL;
    int ret = -1;
    memset(r, 0, sizeof *r);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(wd, "", "%s %s: socket: %s", method, path, strerror(errno));
        return -1;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)wd->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno, soerr = 0;
        socklen_t sl = sizeof soerr;
        if (e != EINPROGRESS) {
            fail(wd, "", "%s %s: connect 127.0.0.1:%d: %s", method, path, wd->port, strerror(e));
            goto out;
        }
        if (wait_fd(fd, POLLOUT, deadline)) {
            fail(wd, "", "%s %s: connect 127.0.0.1:%d: timed out", method, path, wd->port);
            goto out;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
            fail(wd, "", "%s %s: connect 127.0.0.1:%d: %s", method, path, wd->port, strerror(soerr));
            goto out;
        }
    }

    size_t blen = body ? strlen(body) : 0, hcap = 512 + strlen(path);
    req = malloc(hcap + blen);
    if (!req) {
        fail(wd, "", "%s %s: out of memory", method, path);
        goto out;
    }
    int hlen = snprintf(req, hcap,
                        "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                        "Accept: application/json\r\n"
                        "Content-Type: application/json; charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
                        method, path, wd->port, blen);
    if (hlen < 0 || (size_t)hlen >= hcap) {
        fail(wd, "", "%s %s: request line too long", method, path);
        goto out;
    }
    if (blen)
        memcpy(req + hlen, body, blen);
    for (size_t sent = 0, total = (size_t)hlen + blen; sent < total;) {
        ssize_t n = send(fd, req + sent, total - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline)) {
                fail(wd, "", "%s %s: send timed out after %d ms", method, path, wd->timeout_ms);
                goto out;
            }
        } else {
            fail(wd, "", "%s %s: send: %s", method, path, strerror(errno));
            goto out;
        }
    }

    /* Read until the body is complete by Content-Length or chunking, or EOF. */
    size_t cap = 16384, len = 0, hdr_end = 0, content_len = 0, body_len = 0;
    bool have_cl = false, chunked = false, eof = false;
    buf = malloc(cap + 1);
    if (!buf) {
        fail(wd, "", "%s %s: out of memory", method, path);
        goto out;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= WD_MAX_REPLY + WD_MAX_HEADER) {
                fail(wd, "", "%s %s: reply larger than %u bytes", method, path, WD_MAX_REPLY);
                goto out;
            }
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                fail(wd, "", "%s %s: out of memory for the reply", method, path);
                goto out;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLIN, deadline)) {
                fail(wd, "timeout", "%s %s: no complete reply within %d ms (%zu bytes so far)",
                     method, path, wd->timeout_ms, len);
                goto out;
            }
            continue;
        }
        if (n < 0) {
            fail(wd, "", "%s %s: recv: %s", method, path, strerror(errno));
            goto out;
        }
        size_t before = len;
        len += (size_t)n;
        eof = n == 0;
        buf[len] = '\0';
        if (!hdr_end) {
            char *e = memmem(buf + (before > 3 ? before - 3 : 0), len - (before > 3 ? before - 3 : 0),
                             "\r\n\r\n", 4);
            if (!e) {
                if (len > WD_MAX_HEADER || eof) {
                    fail(wd, "", "%s %s: %s", method, path,
                         eof ? "connection closed before the reply's header ended" : "reply header too long");
                    goto out;
                }
                continue;
            }
            hdr_end = (size_t)(e - buf) + 4;
            int major, minor, status;
            if (sscanf(buf, "HTTP/%d.%d %3d", &major, &minor, &status) != 3 || status < 100 || status > 599) {
                fail(wd, "", "%s %s: not an HTTP reply: %.60s", method, path, buf);
                goto out;
            }
            r->status = status;
            for (char *line = memmem(buf, hdr_end, "\r\n", 2) + 2, *eol; line < e; line = eol + 2) {
                eol = memmem(line, (size_t)(e + 2 - line), "\r\n", 2);
                if ((size_t)(eol - line) > 15 && !strncasecmp(line, "Content-Length:", 15)) {
                    char *end;
                    errno = 0;
                    unsigned long long v = strtoull(line + 15, &end, 10);
                    if (errno || end == line + 15 || v > WD_MAX_REPLY) {
                        fail(wd, "", "%s %s: bad or oversized Content-Length: %.40s", method, path, line + 15);
                        goto out;
                    }
                    have_cl = true;
                    content_len = (size_t)v;
                } else if ((size_t)(eol - line) > 18 && !strncasecmp(line, "Transfer-Encoding:", 18)) {
                    chunked = memmem(line, (size_t)(eol - line), "chunked", 7) != NULL;
                }
            }
        }
        if (chunked) {
            int u = unchunk(buf + hdr_end, len - hdr_end, false, &body_len);
            if (u < 0) {
                fail(wd, "", "%s %s: malformed chunked reply", method, path);
                goto out;
            }
            if (u > 0) {
                unchunk(buf + hdr_end, len - hdr_end, true, &body_len);
                break;
            }
        } else if (have_cl && len - hdr_end >= content_len) {
            body_len = content_len;
            break;
        }
        if (eof) {
            if (chunked || have_cl) {
                fail(wd, "", "%s %s: reply truncated at %zu bytes of body", method, path, len - hdr_end);
                goto out;
            }
            body_len = len - hdr_end;
            break;
        }
    }
    r->body = malloc(body_len + 1);
    if (!r->body) {
        fail(wd, "", "%s %s: out of memory", method, path);
        goto out;
    }
    memcpy(r->body, buf + hdr_end, body_len);
    r->body[body_len] = '\0';
    r->len = body_len;
    ret = 0;
out:
    free(req);
    free(buf);
    close(fd);
    return ret;
}

/* ------------------------------------------------------------------------
 * WebDriver commands.
 * ------------------------------------------------------------------------ */

/* One command.  fmt gives the path, after "/session/<id>" when in_session.
 * body is consumed (NULL: none for GET/DELETE, "{}" for POST).  On success
 * *value (if value) is a new reference to the reply's "value", NULL for a
 * JSON null. */
__attribute__((format(printf, 6, 7)))
static int cmd(struct wd *wd, const char *method, json_object *body, json_object **value,
               bool in_session, const char *fmt, ...)
{
    char rel[1024], path[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    if (value)
        *value = NULL;
    if (n < 0 || (size_t)n >= sizeof rel) {
        json_object_put(body);
        fail(wd, "", "%s: path too long", method);
        return -1;
    }
    if (in_session && !wd->session[0]) {
        json_object_put(body);
        fail(wd, "", "%s %s: no WebDriver session (wd_start failed, or wd_stop was called)", method, rel);
        return -1;
    }
    if (in_session)
        snprintf(path, sizeof path, "/session/%s%s", wd->session, rel);
    else
        snprintf(path, sizeof path, "%s", rel);
    const char *text = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE)
                            : strcmp(method, "POST") ? NULL : "{}";
    struct reply r;
    int rc = http(wd, method, path, text, &r);
    json_object_put(body);
    if (rc) {
        prefix(wd, "webdriver");
        return -1;
    }
    json_tokener *tok = json_tokener_new();
    json_object *j = tok ? json_tokener_parse_ex(tok, r.body, (int)r.len) : NULL;
    bool whole = tok && json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    if (!j || !whole) {
        fail(wd, "", "webdriver: %s %s: HTTP %d, not JSON: %.200s", method, rel, r.status, r.body);
        json_object_put(j);
        free(r.body);
        return -1;
    }
    json_object *v = NULL, *e = NULL, *m = NULL;
    json_object_object_get_ex(j, "value", &v);
    if (json_object_is_type(v, json_type_object))
        json_object_object_get_ex(v, "error", &e);
    if (r.status != 200 || e) {
        json_object_object_get_ex(v, "message", &m);
        const char *code = e ? json_object_get_string(e) : "unknown error";
        const char *msg = m ? json_object_get_string(m) : r.body;
        size_t cl = strlen(code);
        if (!strncmp(msg, code, cl) && !strncmp(msg + cl, ": ", 2))
            msg += cl + 2;      /* chromedriver repeats the code */
        /* chromedriver appends "\n  (Session info: chrome=...)"; keep the first line. */
        int first = (int)strcspn(msg, "\n");
        fail(wd, code, "webdriver: %s %s: HTTP %d: %s: %.*s", method, rel, r.status, code, first, msg);
        json_object_put(j);
        free(r.body);
        return -1;
    }
    if (value)
        *value = json_object_get(v);
    json_object_put(j);
    free(r.body);
    return 0;
}

/* A string, or anything else as JSON text ("null" for null). */
static char *value_string(struct wd *wd, json_object *v)
{
    const char *s = !v ? "null"
                  : json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                  : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = strdup(s ? s : "");
    if (!copy)
        fail(wd, "", "webdriver: out of memory");
    return copy;
}

/* Element ids go into paths: only [A-Za-z0-9._-], as chromedriver makes them. */
static int valid_id(struct wd *wd, const struct wd_el *el)
{
    size_t n = strnlen(el->id, sizeof el->id);
    if (n == 0 || n == sizeof el->id || strspn(el->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                       "0123456789._-") != n) {
        fail(wd, "", "webdriver: bad element reference \"%.40s\"", el->id);
        return -1;
    }
    return 0;
}

/* Attribute and property names go into paths: percent-encode. */
static void path_escape(char *out, size_t size, const char *s)
{
    size_t o = 0;
    for (; *s && o + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
    }
    out[o] = '\0';
}

static int element_from(struct wd *wd, json_object *v, struct wd_el *el)
{
    json_object *id = NULL;
    if (!json_object_object_get_ex(v, WD_ELEMENT_KEY, &id) || !json_object_is_type(id, json_type_string)) {
        fail(wd, "", "webdriver: reply is not an element reference");
        return -1;
    }
    snprintf(el->id, sizeof el->id, "%s", json_object_get_string(id));
    return valid_id(wd, el);
}

static json_object *css_body(const char *css)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "using", json_object_new_string("css selector"));
    json_object_object_add(b, "value", json_object_new_string(css));
    return b;
}

int wd_find(struct wd *wd, const char *css, struct wd_el *el)
{
    json_object *v;
    if (cmd(wd, "POST", css_body(css), &v, true, "/element"))
        return -1;
    int rc = element_from(wd, v, el);
    json_object_put(v);
    return rc;
}

int wd_find_in(struct wd *wd, const struct wd_el *parent, const char *css, struct wd_el *el)
{
    json_object *v;
    if (valid_id(wd, parent) || cmd(wd, "POST", css_body(css), &v, true, "/element/%s/element", parent->id))
        return -1;
    int rc = element_from(wd, v, el);
    json_object_put(v);
    return rc;
}

int wd_count(struct wd *wd, const char *css)
{
    json_object *v;
    if (cmd(wd, "POST", css_body(css), &v, true, "/elements"))
        return -1;
    int n = json_object_is_type(v, json_type_array) ? (int)json_object_array_length(v) : -1;
    json_object_put(v);
    if (n < 0)
        fail(wd, "", "webdriver: POST /elements: reply is not an array");
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* The element went away while we looked: not there yet, or the page was
 * replaced under us (a reload or a form's answer).  chromedriver sometimes
 * says the latter as an "unknown error" from the inspector instead of a
 * stale reference, or as a command "aborted by navigation". */
static bool element_in_flux(const struct wd *wd)
{
    return !strcmp(wd->code, "no such element") || !strcmp(wd->code, "stale element reference") ||
           strstr(wd->err, "does not belong to the document") || strstr(wd->err, "aborted by navigation");
}

int wd_wait_for(struct wd *wd, const char *css, int timeout_ms, struct wd_el *el)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        if (wd_find(wd, css, el) == 0)
            return 0;
        if (!element_in_flux(wd))
            return -1;
        if (now_ms() >= deadline) {
            prefix(wd, "waited %d ms for %s", timeout_ms, css);
            return -1;
        }
        sleep_ms(WD_POLL_MS);
    }
}

static bool one_of_matches(const char *one_of, const char *text)
{
    size_t tl = strlen(text);
    for (const char *p = one_of;;) {
        size_t n = strcspn(p, "|");
        if (n == tl && !memcmp(p, text, n))
            return true;
        if (!p[n])
            return false;
        p += n + 1;
    }
}


char *wd_wait_text(struct wd *wd, const char *css, const char *one_of, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    char last[256] = "(no element yet)";
    for (;;) {
        struct wd_el el;
        char *text = NULL;
        if (wd_find(wd, css, &el) == 0 && (text = wd_text(wd, &el)) != NULL) {
            if (one_of_matches(one_of, text))
                return text;
            snprintf(last, sizeof last, "\"%s\"", text);
            free(text);
        } else if (!element_in_flux(wd)) {
            return NULL;
        }
        if (now_ms() >= deadline) {
            fail(wd, "timeout", "waited %d ms for the text of %s to be one of {%s}; last: %s",
                 timeout_ms, css, one_of, last);
            return NULL;
        }
        sleep_ms(WD_POLL_MS);
    }
}

int wd_click(struct wd *wd, const struct wd_el *el)
{
    if (valid_id(wd, el))
        return -1;
    return cmd(wd, "POST", NULL, NULL, true, "/element/%s/click", el->id);
}

int wd_send_keys(struct wd *wd, const struct wd_el *el, const char *text)
{
    if (valid_id(wd, el))
        return -1;
    json_object *b = json_object_new_object();
    json_object_object_add(b, "text", json_object_new_string(text));
    return cmd(wd, "POST", b, NULL, true, "/element/%s/value", el->id);
}

int wd_select_option(struct wd *wd, const char *select_css, const char *value)
{
    struct wd_el sel, opt;
    char css[600];
    size_t o = 0;
    o += (size_t)snprintf(css, sizeof css, "option[value=\"");
    for (const char *p = value; *p; p++) {
        if ((unsigned char)*p < 0x20 || o + 8 >= sizeof css) {
            fail(wd, "", "wd_select_option: value \"%.40s\" is too long or has control characters", value);
            return -1;
        }
        if (*p == '"' || *p == '\\')
            css[o++] = '\\';
        css[o++] = *p;
    }
    memcpy(css + o, "\"]", 3);
    if (wd_find(wd, select_css, &sel))
        return -1;
    if (wd_find_in(wd, &sel, css, &opt)) {
        prefix(wd, "%s has no <option value=\"%s\">", select_css, value);
        return -1;
    }
    if (wd_click(wd, &opt))
        return -1;
    char *now = wd_prop(wd, &sel, "value");
    if (!now)
        return -1;
    int rc = strcmp(now, value) ? -1 : 0;
    if (rc)
        fail(wd, "", "wd_select_option: clicked %s option \"%s\" but the select's value is \"%s\" "
                     "(disabled option?)", select_css, value, now);
    free(now);
    return rc;
}

static char *get_string(struct wd *wd, const char *rel)
{
    json_object *v;
    if (cmd(wd, "GET", NULL, &v, true, "%s", rel))
        return NULL;
    char *s = value_string(wd, v);
    json_object_put(v);
    return s;
}

char *wd_text(struct wd *wd, const struct wd_el *el)
{
    char rel[200];
    if (valid_id(wd, el))
        return NULL;
    snprintf(rel, sizeof rel, "/element/%s/text", el->id);
    return get_string(wd, rel);
}

char *wd_attr(struct wd *wd, const struct wd_el *el, const char *name)
{
    char esc[256];
    json_object *v;
    if (valid_id(wd, el))
        return NULL;
    path_escape(esc, sizeof esc, name);
    if (cmd(wd, "GET", NULL, &v, true, "/element/%s/attribute/%s", el->id, esc))
        return NULL;
    if (!v) {
        fail(wd, "no such attribute", "webdriver: element has no attribute \"%s\"", name);
        return NULL;
    }
    char *s = value_string(wd, v);
    json_object_put(v);
    return s;
}

char *wd_prop(struct wd *wd, const struct wd_el *el, const char *name)
{
    char esc[256], rel[500];
    if (valid_id(wd, el))
        return NULL;
    path_escape(esc, sizeof esc, name);
    snprintf(rel, sizeof rel, "/element/%s/property/%s", el->id, esc);
    return get_string(wd, rel);
}

char *wd_exec_js(struct wd *wd, const char *script)
{
    json_object *b = json_object_new_object(), *v;
    json_object_object_add(b, "script", json_object_new_string(script));
    json_object_object_add(b, "args", json_object_new_array());
    if (cmd(wd, "POST", b, &v, true, "/execute/sync"))
        return NULL;
    char *s = value_string(wd, v);
    json_object_put(v);
    return s;
}

char *wd_title(struct wd *wd)
{
    return get_string(wd, "/title");
}

char *wd_current_url(struct wd *wd)
{
    return get_string(wd, "/url");
}

int wd_get(struct wd *wd, const char *url)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "url", json_object_new_string(url));
    return cmd(wd, "POST", b, NULL, true, "/url");
}

int wd_screenshot(struct wd *wd, const char *path)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    json_object *v;
    if (cmd(wd, "GET", NULL, &v, true, "/screenshot"))
        return -1;
    const char *b64 = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    size_t n = b64 ? strlen(b64) : 0, out = BASE64_DECODE_LENGTH(n);
    uint8_t *png = b64 ? malloc(out + 1) : NULL;
    struct base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    int rc = -1;
    if (!png)
        fail(wd, "", "webdriver: GET /screenshot: %s", b64 ? "out of memory" : "reply is not a string");
    else if (!base64_decode_update(&ctx, &out, png, n, b64) || !base64_decode_final(&ctx))
        fail(wd, "", "webdriver: GET /screenshot: bad base64");
    else if (out < 24 || memcmp(png, sig, sizeof sig))
        fail(wd, "", "webdriver: GET /screenshot: not a PNG (%zu bytes)", out);
    else {
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(png, 1, out, f) == out;
        if (f && fclose(f) != 0)
            ok = false;
        if (ok)
            rc = 0;
        else
            fail(wd, "", "wd_screenshot: %s: %s", path, strerror(errno));
    }
    free(png);
    json_object_put(v);
    return rc;
}

/* ------------------------------------------------------------------------
 * Start and stop.
 * ------------------------------------------------------------------------ */

static bool executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* name on $PATH, else fallback; "" when neither is there. */
static void find_program(char *out, size_t size, const char *env, const char *name, const char *fallback)
{
    const char *e = getenv(env);
    if (e && *e) {
        snprintf(out, size, "%s", e);
        if (!executable(out))
            out[0] = '\0';
        return;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        if (n && snprintf(out, size, "%.*s/%s", (int)n, p, name) < (int)size && executable(out))
            return;
        p += n + (p[n] == ':');
    }
    snprintf(out, size, "%s", fallback);
    if (!executable(out))
        out[0] = '\0';
}

static int find_programs(char *driver, char *chromium, size_t size, char *why, size_t why_size)
{
    find_program(driver, size, "RXSIM_CHROMEDRIVER", "chromedriver", "/usr/bin/chromedriver");
    find_program(chromium, size, "RXSIM_CHROMIUM", "chromium", "/usr/bin/chromium");
    if (driver[0] && chromium[0])
        return 0;
    snprintf(why, why_size, "%s%s%s not installed (Debian packages chromium, chromium-driver; .ci/deps.sh)",
             chromium[0] ? "" : "chromium", !chromium[0] && !driver[0] ? " and " : "",
             driver[0] ? "" : "chromedriver");
    return WD_ENOBROWSER;
}

int wd_available(char *why, size_t size)
{
    char d[4096], c[4096];
    return find_programs(d, c, sizeof d, why, size);
}

/* Last bytes of chromedriver's log, on one line, for error messages. */
static void log_tail(const struct wd *wd, char *out, size_t size)
{
    char path[300];
    snprintf(path, sizeof path, "%s/chromedriver.log", wd->tmpdir);
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
    ssize_t n = pread(fd, out, size - 1, from);
    close(fd);
    out[n > 0 ? n : 0] = '\0';
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* The port in chromedriver's "ChromeDriver was started successfully on port N."; 0 if not yet. */
static int log_port(const struct wd *wd)
{
    char path[300], buf[8192];
    snprintf(path, sizeof path, "%s/chromedriver.log", wd->tmpdir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *p = strstr(buf, "started successfully on port ");
    if (!p)
        return 0;
    long port = strtol(p + strlen("started successfully on port "), NULL, 10);
    return port > 0 && port < 65536 ? (int)port : 0;
}

static int fd_above_2(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

/* environ with HOME and XDG dirs pointing into tmpdir, so chromium writes
 * nothing (crash reports, caches) outside it.  Strings in store. */
static char **driver_env(const char *tmpdir, char store[3][300])
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 4, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "XDG_CONFIG_HOME=", 16) &&
            strncmp(environ[i], "XDG_CACHE_HOME=", 15))
            env[k++] = environ[i];
    snprintf(store[0], 300, "HOME=%s", tmpdir);
    snprintf(store[1], 300, "XDG_CONFIG_HOME=%s/config", tmpdir);
    snprintf(store[2], 300, "XDG_CACHE_HOME=%s/cache", tmpdir);
    env[k++] = store[0];
    env[k++] = store[1];
    env[k++] = store[2];
    return env;
}

static int new_session(struct wd *wd, const char *chromium)
{
    static const char *const args[] = {
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-extensions", "--disable-sync",
        "--no-first-run", "--no-proxy-server", "--window-size=1280,1000",
    };
    char profile[300];
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", wd->tmpdir);
    json_object *a = json_object_new_array(), *opts = json_object_new_object(),
                *always = json_object_new_object(), *caps = json_object_new_object(),
                *body = json_object_new_object(), *timeouts = json_object_new_object(), *v;
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        json_object_array_add(a, json_object_new_string(args[i]));
    json_object_array_add(a, json_object_new_string(profile));
    json_object_object_add(opts, "binary", json_object_new_string(chromium));
    json_object_object_add(opts, "args", a);
    json_object_object_add(timeouts, "implicit", json_object_new_int(0));
    json_object_object_add(timeouts, "pageLoad", json_object_new_int(20000));
    json_object_object_add(timeouts, "script", json_object_new_int(20000));
    json_object_object_add(always, "browserName", json_object_new_string("chrome"));
    json_object_object_add(always, "pageLoadStrategy", json_object_new_string("normal"));
    json_object_object_add(always, "timeouts", timeouts);
    json_object_object_add(always, "goog:chromeOptions", opts);
    json_object_object_add(caps, "alwaysMatch", always);
    json_object_object_add(body, "capabilities", caps);

    int saved = wd->timeout_ms;
    wd->timeout_ms = WD_SESSION_MS;
    int rc = cmd(wd, "POST", body, &v, false, "/session");
    wd->timeout_ms = saved;
    if (rc)
        return -1;
    json_object *sid = NULL;
    json_object_object_get_ex(v, "sessionId", &sid);
    const char *s = sid ? json_object_get_string(sid) : NULL;
    if (!s || !*s || strlen(s) >= sizeof wd->session || strspn(s, "0123456789abcdefABCDEF-") != strlen(s)) {
        fail(wd, "", "webdriver: POST /session: no usable sessionId in the reply");
        json_object_put(v);
        return -1;
    }
    snprintf(wd->session, sizeof wd->session, "%s", s);
    json_object_put(v);
    return 0;
}

/* Waits for the driver's port line, then for /status ready. */
static int driver_ready(struct wd *wd)
{
    int64_t deadline = now_ms() + WD_START_MS;
    while (!(wd->port = log_port(wd))) {
        struct pollfd p = { .fd = wd->ctl, .events = POLLIN };
        if (poll(&p, 1, 0) > 0) {      /* the keeper's 'x', or its EOF */
            fail(wd, "", "chromedriver exited before it listened");
            return -1;
        }
        if (now_ms() >= deadline) {
            fail(wd, "", "chromedriver did not report its port within %d ms", WD_START_MS);
            return -1;
        }
        sleep_ms(20);
    }
    for (;;) {
        json_object *v = NULL, *ready = NULL;
        int saved = wd->timeout_ms;
        wd->timeout_ms = 2000;
        int rc = cmd(wd, "GET", NULL, &v, false, "/status");
        wd->timeout_ms = saved;
        bool ok = rc == 0 && json_object_object_get_ex(v, "ready", &ready) && json_object_get_boolean(ready);
        json_object_put(v);
        if (ok)
            return 0;
        if (now_ms() >= deadline) {
            if (rc == 0)
                fail(wd, "", "chromedriver on port %d not ready within %d ms", wd->port, WD_START_MS);
            return -1;
        }
        sleep_ms(50);
    }
}

int wd_start(struct wd *wd, char *err, size_t size)
{
    char driver[4096], chromium[4096], tail[400], store[3][300], logpath[300];
    memset(wd, 0, sizeof *wd);
    wd->ctl = -1;
    wd->timeout_ms = 30000;
    if (find_programs(driver, chromium, sizeof driver, wd->err, sizeof wd->err)) {
        snprintf(err, size, "%s", wd->err);
        return WD_ENOBROWSER;
    }

    const char *tmp = getenv("TMPDIR");
    if (snprintf(wd->tmpdir, sizeof wd->tmpdir, "%s/rxsim-wd-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
            (int)sizeof wd->tmpdir - 40 || !mkdtemp(wd->tmpdir)) {
        fail(wd, "", "wd_start: cannot make a temporary directory under %s", tmp && *tmp ? tmp : "/tmp");
        wd->tmpdir[0] = '\0';
        goto fail;
    }
    snprintf(logpath, sizeof logpath, "%s/chromedriver.log", wd->tmpdir);
    int logfd = fd_above_2(open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    int sp[2];
    if (logfd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        fail(wd, "", "wd_start: %s: %s", logfd < 0 ? logpath : "socketpair", strerror(errno));
        if (logfd >= 0)
            close(logfd);
        goto fail;
    }
    sp[0] = fd_above_2(sp[0]);
    sp[1] = fd_above_2(sp[1]);
    char *argv[] = { driver, "--port=0", NULL };
    char **envp = driver_env(wd->tmpdir, store);
    if (!envp || sp[0] < 0 || sp[1] < 0) {
        fail(wd, "", "wd_start: out of memory or descriptors");
        free(envp);
        close(logfd);
        close(sp[0]);
        close(sp[1]);
        goto fail;
    }
    fflush(NULL);
    pid_t keeper = fork();
    if (keeper == 0)
        keeper_main(sp[1], logfd, driver, argv, envp, wd->tmpdir);
    int fork_errno = errno;
    free(envp);
    close(logfd);
    close(sp[1]);
    wd->ctl = sp[0];
    if (keeper < 0) {
        fail(wd, "", "wd_start: fork: %s", strerror(fork_errno));
        close(wd->ctl);
        wd->ctl = -1;
        goto fail;
    }
    wd->keeper = keeper;

    struct pollfd p = { .fd = wd->ctl, .events = POLLIN };
    if (poll(&p, 1, 5000) <= 0 || read(wd->ctl, &wd->driver, sizeof wd->driver) != sizeof wd->driver ||
        wd->driver <= 0) {
        fail(wd, "", "wd_start: the keeper process could not start %s", driver);
        goto fail;
    }
    if (driver_ready(wd) || new_session(wd, chromium)) {
        log_tail(wd, tail, sizeof tail);
        prefix(wd, "wd_start (%s, %s)", driver, chromium);
        size_t l = strlen(wd->err);
        snprintf(wd->err + l, sizeof wd->err - l, "; chromedriver log: ...%s", tail);
        goto fail;
    }
    return 0;

fail:
    snprintf(err, size, "%s", wd->err);
    wd_stop(wd);
    return -1;
}

void wd_stop(struct wd *wd)
{
    char err[sizeof wd->err], code[sizeof wd->code];
    memcpy(err, wd->err, sizeof err);
    memcpy(code, wd->code, sizeof code);
    if (wd->session[0] && wd->port > 0) {
        int saved = wd->timeout_ms;
        wd->timeout_ms = 10000;
        cmd(wd, "DELETE", NULL, NULL, true, "%s", "");     /* quits chromium; failure is fine */
        wd->timeout_ms = saved;
    }
    wd->session[0] = '\0';
    if (wd->keeper > 0) {
        bool gone = false;
        if (wd->ctl >= 0) {
            int64_t deadline = now_ms() + WD_STOP_MS;
            send(wd->ctl, "q", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            while (!gone && wait_fd(wd->ctl, POLLIN, deadline) == 0) {
                char buf[64];
                ssize_t n = read(wd->ctl, buf, sizeof buf);
                gone = n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
            }
            close(wd->ctl);
            wd->ctl = -1;
        }
        /* Ours to reap unless this is a Check fork (ECHILD). */
        if (waitpid(wd->keeper, NULL, gone ? 0 : WNOHANG) == 0) {
            kill(-wd->keeper, SIGKILL);     /* keeper stuck: its group (itself, chromedriver) */
            kill(wd->keeper, SIGKILL);
            waitpid(wd->keeper, NULL, 0);
        }
        wd->keeper = 0;
        wd->driver = 0;
    }
    if (wd->tmpdir[0]) {
        keeper_rmtree(AT_FDCWD, wd->tmpdir, 0);     /* normally already gone */
        wd->tmpdir[0] = '\0';
    }
    wd->port = 0;
    memcpy(wd->err, err, sizeof err);
    memcpy(wd->code, code, sizeof code);
}
