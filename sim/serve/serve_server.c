/* sim/serve/serve_server.c: rxsim serve from parsed options to exit status
 * (serve_server.h).
 *
 * The work directory, binding (127.0.0.1 unless told otherwise, unlike
 * libevent's own sample which binds 0.0.0.0), the evhttp limits, the signals
 * (SIGCHLD reaps workers; SIGINT and SIGTERM stop the loop, kill and reap
 * every worker, and exit 0), and teardown.  Each set-up step is one function
 * returning 0 or the exit status; serve_run() undoes whatever was set up,
 * whichever step failed. */
#include "sim/serve/serve_server.h"
#include "sim/serve/serve_gate.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve_routes.h"
#include "sim/serve/serve_traces.h"
#include "sim/session/exit_codes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0)
        return 0;
    struct stat st;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return -1;
}

static void reap(struct serve *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (!serve_jobs_reaped(s, pid, status))
            serve_traces_reaped(s, pid, status);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    reap(arg);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct serve *s = arg;
    fprintf(stderr, "rxsim serve: %s: stopping\n", fd == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(s->base);
}

/* A missed SIGCHLD cannot leave a worker unreaped for more than a second. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    reap(arg);
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

/* The options into s, the job table, --traces resolved: 0 or the exit status. */
static int serve_init(struct serve *s, const struct serve_config *c)
{
    s->max_jobs = c->max_jobs;
    s->max_queue = c->max_queue;
    s->max_upload = c->max_upload;
    s->max_conns = c->max_conns;
    s->request_timeout = c->request_timeout;
    s->nallow_hosts = c->nallow_hosts;
    memcpy(s->allow_hosts, c->allow_hosts, sizeof s->allow_hosts);
    snprintf(s->listen_host, sizeof s->listen_host, "%s", c->host);
    s->listen_any = !strcmp(c->host, "0.0.0.0") || !strcmp(c->host, "::") || !strcmp(c->host, "0");
    s->compare_jobs = c->ncpu > c->max_jobs ? (int)(c->ncpu / c->max_jobs) : 1;
    s->shipped_dir = c->shipped_dir;
    s->jobs_cap = c->max_jobs + c->max_queue + SERVE_KEEP_FINISHED + 1;
    if (!(s->jobs = calloc((size_t)s->jobs_cap, sizeof *s->jobs)))
        return RX_EXIT_INTERNAL;
    if (c->traces) {
        struct stat st;
        if (!realpath(c->traces, s->traces_dir) || stat(s->traces_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "rxsim serve: --traces %s: %s\n", c->traces,
                    errno ? strerror(errno) : "not a directory");
            s->traces_dir[0] = '\0';
            return RX_EXIT_USAGE;
        }
    }
    return 0;
}

/* --workdir (created if missing) or a new directory under $TMPDIR (*own
 * set: removed at exit), with its uploads/, jobs/ and summaries/. */
static int open_workdir(struct serve *s, const char *workdir, bool *own)
{
    if (workdir) {
        char real[PATH_MAX];
        if (make_dir(workdir) < 0 || !realpath(workdir, real) || access(real, W_OK) < 0) {
            fprintf(stderr, "rxsim serve: --workdir %s: %s\n", workdir, strerror(errno));
            return RX_EXIT_INPUT;
        }
        if (strlen(real) >= SERVE_DIR_MAX) {
            fprintf(stderr, "rxsim serve: --workdir %s: path longer than %d bytes\n", workdir, SERVE_DIR_MAX - 1);
            return RX_EXIT_INPUT;
        }
        memcpy(s->workdir, real, strlen(real) + 1);
    } else {
        const char *tmp = getenv("TMPDIR");
        char templ[PATH_MAX], real[PATH_MAX];
        snprintf(templ, sizeof templ, "%s/rxsim-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(templ) || !realpath(templ, real)) {
            fprintf(stderr, "rxsim serve: cannot create a work directory %s: %s\n", templ, strerror(errno));
            return RX_EXIT_INPUT;
        }
        if (strlen(real) >= SERVE_DIR_MAX) {
            fprintf(stderr, "rxsim serve: work directory %s: path longer than %d bytes\n", real, SERVE_DIR_MAX - 1);
            rmdir(real);
            return RX_EXIT_INPUT;
        }
        memcpy(s->workdir, real, strlen(real) + 1);
        *own = true;
        fprintf(stderr, "rxsim serve: work directory %s (removed at exit; --workdir DIR to keep one)\n",
                s->workdir);
    }
    static const char *const sub[] = { "uploads", "jobs", "summaries" };
    for (size_t i = 0; i < 3; i++) {
        char path[SERVE_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/%s", s->workdir, sub[i]);
        if (make_dir(path) < 0) {
            fprintf(stderr, "rxsim serve: --workdir: cannot create %s: %s\n", path, strerror(errno));
            return RX_EXIT_INPUT;
        }
    }
    return 0;
}

/* The event loop, its signal events and the one-second tick. */
static int start_events(struct serve *s)
{
    signal(SIGPIPE, SIG_IGN);
    if (!(s->base = event_base_new())) {
        fprintf(stderr, "rxsim serve: cannot create the event loop\n");
        return RX_EXIT_INTERNAL;
    }
    s->sigchld = evsignal_new(s->base, SIGCHLD, on_sigchld, s);
    s->sigint = evsignal_new(s->base, SIGINT, on_stop, s);
    s->sigterm = evsignal_new(s->base, SIGTERM, on_stop, s);
    s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    struct timeval second = { 1, 0 };
    if (!s->sigchld || !s->sigint || !s->sigterm || !s->tick || event_add(s->sigchld, NULL) < 0 ||
        event_add(s->sigint, NULL) < 0 || event_add(s->sigterm, NULL) < 0 || event_add(s->tick, &second) < 0) {
        fprintf(stderr, "rxsim serve: cannot set up the signal events\n");
        return RX_EXIT_INTERNAL;
    }
    return 0;
}

/* evhttp behind the gate, bound; s->origin is the address it is bound to. */
static int start_http(struct serve *s, const struct serve_config *c)
{
    if (!(s->http = evhttp_new(s->base))) {
        fprintf(stderr, "rxsim serve: cannot create the HTTP server\n");
        return RX_EXIT_INTERNAL;
    }
    /* Every connection goes through the gate (serve_gate.c): the connection
     * cap, each request's deadline, uploads spooled to disk.  So evhttp only
     * ever buffers small bodies: the form, or an upload the gate refers to
     * evhttp's 413 (more than --max-upload + 64 KiB).  Its own inactivity
     * timeout is a backstop past the gate's deadlines (idle, then a whole
     * request, during which the gate may hold every byte back). */
    evhttp_set_bevcb(s->http, serve_gate_bev, s);
    evhttp_set_max_headers_size(s->http, SERVE_MAX_HEADERS);
    evhttp_set_max_body_size(s->http, 2 * SERVE_MAX_FORM_BODY);
    evhttp_set_timeout(s->http, 2 * c->request_timeout + 5);
    /* an over-long body is read (and dropped) before the 413, so that the
     * client, still sending, gets the answer rather than a reset */
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(s->http, serve_route, s);

    struct evhttp_bound_socket *sock = evhttp_bind_socket_with_handle(s->http, c->host, (ev_uint16_t)c->port);
    if (!sock) {
        fprintf(stderr, "rxsim serve: cannot listen on %s: %s\n", c->listen,
                errno ? strerror(errno) : "bind failed (address in use, or not an address of this host)");
        return RX_EXIT_INPUT;
    }
    struct sockaddr_storage ss = { 0 };
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    int bound_port = c->port;
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
            bound_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
            bound_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        }
        if (!is_loopback(&ss))
            fprintf(stderr, "rxsim serve: warning: listening on %s, reachable from other machines; "
                    "the lab has no authentication\n", addr);
    }
    snprintf(s->origin, sizeof s->origin, ss.ss_family == AF_INET6 ? "http://[%s]:%d" : "http://%s:%d", addr,
             bound_port);
    return 0;
}

/* The first scan, the two announcements, then the loop until a signal. */
static int serve_loop(struct serve *s)
{
    serve_traces_scan(s, true);
    fprintf(stderr, "rxsim serve: %d traces, at most %d jobs at once and %d queued, uploads up to %llu bytes, "
            "%d connections, %d s per request\n", s->ntraces, s->max_jobs, s->max_queue,
            (unsigned long long)s->max_upload, s->max_conns, s->request_timeout);
    printf("rxsim serve: listening on %s/\n", s->origin);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "rxsim serve: cannot write to stdout\n");
        return RX_EXIT_INTERNAL;
    }
    if (event_base_dispatch(s->base) < 0) {
        fprintf(stderr, "rxsim serve: the event loop failed\n");
        return RX_EXIT_INTERNAL;
    }
    return RX_EXIT_OK;
}

/* Undoes start_events() and start_http(), however far they got: every
 * worker killed and reaped, every event freed. */
static void stop_events(struct serve *s)
{
    if (!s->base)
        return;
    if (s->http)
        evhttp_free(s->http);
    serve_jobs_free_all(s);
    serve_traces_free_all(s);
    if (s->tick)
        event_free(s->tick);
    if (s->sigterm)
        event_free(s->sigterm);
    if (s->sigint)
        event_free(s->sigint);
    if (s->sigchld)
        event_free(s->sigchld);
    event_base_free(s->base);
    libevent_global_shutdown();
}

int serve_run(const struct serve_config *cfg)
{
    struct serve *s = calloc(1, sizeof *s);
    if (!s)
        return RX_EXIT_INTERNAL;
    bool own_workdir = false;
    int rc = serve_init(s, cfg);
    if (!rc)
        rc = open_workdir(s, cfg->workdir, &own_workdir);
    if (!rc) {
        rc = start_events(s);
        if (!rc)
            rc = start_http(s, cfg);
        if (!rc)
            rc = serve_loop(s);
        stop_events(s);
    }
    if (own_workdir)
        serve_rmtree(s->workdir);
    free(s->jobs);
    free(s);
    return rc;
}
