/* sim/cli/cmd_serve.c: rxsim serve, the browser lab UI (serve.h has the
 * shape of the whole thing).
 *
 * This file: options, the work directory, binding (127.0.0.1 unless told
 * otherwise, unlike libevent's own sample which binds 0.0.0.0; and every
 * failing set-up step jumps to the label that undoes what came before), the
 * evhttp limits, the signals (SIGCHLD reaps workers; SIGINT and SIGTERM stop
 * the loop, kill and reap every worker, and exit 0), and teardown.
 *
 * Once bound, exactly one line goes to stdout, flushed, for scripts and
 * tests to read the port from:
 *     rxsim serve: listening on http://127.0.0.1:PORT/ */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/options/value.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_gate.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve_routes.h"
#include "sim/serve/serve_traces.h"

#ifndef RXSIM_TRACES_DIR
#define RXSIM_TRACES_DIR "traces/data"
#endif

#define DEFAULT_MAX_UPLOAD (64ull << 20)

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim serve [--listen ADDR:PORT] [--traces DIR] [--workdir DIR]\n"
        "                   [--max-jobs N] [--max-queue N] [--max-upload BYTES]\n"
        "                   [--max-connections N] [--request-timeout SECONDS]\n"
        "                   [--allow-host NAME]...\n"
        "\n"
        "The rxsim lab in a browser: the traces (shipped, --traces DIR, uploads) with\n"
        "their inspect summaries, a form with every rxsim run policy axis, runs and\n"
        "compares as background jobs with progress, results as tables, charts and\n"
        "downloads (JSON, CSV, Perfetto timeline).  docs/serve.md has the details.\n"
        "\n"
        "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; port 0 picks a\n"
        "                      free one; [::1]:PORT for IPv6).  Anything but loopback\n"
        "                      exposes the lab, which has no authentication, to the network\n"
        "  --traces DIR        also list the *.pcap, *.pcapng, *.cap files of DIR\n"
        "  --workdir DIR       uploads, job outputs and summaries go here (created if\n"
        "                      missing; default: a new directory under $TMPDIR, removed\n"
        "                      at exit)\n"
        "  --max-jobs N        jobs running at once (default: online CPUs)\n"
        "  --max-queue N       jobs waiting behind them; more get 503 (default %d)\n"
        "  --max-upload BYTES  largest upload, K/M/G suffixes (default 64M)\n"
        "  --max-connections N  connections open at once (default %d); more are answered\n"
        "                      503 and closed\n"
        "  --request-timeout SECONDS  a request must arrive whole (head and body) within\n"
        "                      this long of its first byte, and an idle connection is\n"
        "                      closed after it (default %d)\n"
        "  --allow-host NAME   also answer requests whose Host is NAME (up to %d times).\n"
        "                      Without it only localhost, loopback addresses and\n"
        "                      --listen's host are answered (421 otherwise: DNS\n"
        "                      rebinding); any IP address when --listen is 0.0.0.0 or [::]\n"
        "\n"
        "Once listening, prints 'rxsim serve: listening on http://ADDR:PORT/' on stdout.\n"
        "SIGINT or SIGTERM stops it: workers are killed, exit status 0.\n"
        "exit status: 0 stopped by a signal, 2 usage, 3 cannot listen or use the work\n"
        "directory, 1 internal error.\n", SERVE_DEFAULT_QUEUE, SERVE_DEFAULT_CONNS, SERVE_DEFAULT_TIMEOUT,
        SERVE_MAX_ALLOW_HOSTS);
}

/* "127.0.0.1:8080", "[::1]:0", "localhost:80" → host, port. */
static int parse_listen(const char *s, char *host, size_t size, int *port)
{
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= size || close == s + 1)
            return -1;
        snprintf(host, size, "%.*s", (int)(close - s - 1), s + 1);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || colon == s || (size_t)(colon - s) >= size || memchr(s, ':', (size_t)(colon - s)))
            return -1;
        snprintf(host, size, "%.*s", (int)(colon - s), s);
    }
    return value_int(colon + 1, 0, 65535, port);
}

/* An --allow-host value: a DNS name or an address, no port. */
static bool host_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 253 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") == n;
}

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

int cmd_serve(int argc, char **argv)
{
    enum { O_LISTEN = 256, O_TRACES, O_WORKDIR, O_MAXJOBS, O_MAXQUEUE, O_MAXUPLOAD, O_ALLOWHOST, O_MAXCONNS, O_TIMEOUT };
    static const struct option opts[] = {
        { "listen", required_argument, NULL, O_LISTEN }, { "traces", required_argument, NULL, O_TRACES },
        { "workdir", required_argument, NULL, O_WORKDIR }, { "max-jobs", required_argument, NULL, O_MAXJOBS },
        { "max-queue", required_argument, NULL, O_MAXQUEUE },
        { "max-upload", required_argument, NULL, O_MAXUPLOAD }, { "allow-host", required_argument, NULL, O_ALLOWHOST },
        { "max-connections", required_argument, NULL, O_MAXCONNS },
        { "request-timeout", required_argument, NULL, O_TIMEOUT }, { "help", no_argument, NULL, 'h' }, { 0 },
    };
    const char *listen = "127.0.0.1:8080", *traces = NULL, *workdir = NULL;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int max_jobs = ncpu > 0 ? (int)(ncpu < 256 ? ncpu : 256) : 1, max_queue = SERVE_DEFAULT_QUEUE;
    uint64_t max_upload = DEFAULT_MAX_UPLOAD;
    const char *allow_hosts[SERVE_MAX_ALLOW_HOSTS] = { 0 };
    int nallow_hosts = 0;
    int max_conns = SERVE_DEFAULT_CONNS, request_timeout = SERVE_DEFAULT_TIMEOUT;
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case O_LISTEN: listen = optarg; break;
        case O_TRACES: traces = optarg; break;
        case O_WORKDIR: workdir = optarg; break;
        case O_MAXJOBS:
            if (value_int(optarg, 1, 256, &max_jobs) < 0) {
                fprintf(stderr, "rxsim serve: --max-jobs '%s': want a whole number from 1 to 256\n", optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case O_MAXQUEUE:
            if (value_int(optarg, 0, 1024, &max_queue) < 0) {
                fprintf(stderr, "rxsim serve: --max-queue '%s': want a whole number from 0 to 1024\n", optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case O_MAXUPLOAD:
            if (value_size(optarg, VALUE_LEAD_DIGIT, false, false, 1, 4ull << 30, &max_upload) < 0) {
                fprintf(stderr, "rxsim serve: --max-upload '%s': want bytes from 1 to 4G (K/M/G suffixes)\n",
                        optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case O_MAXCONNS:
            if (value_int(optarg, 1, 512, &max_conns) < 0) {
                fprintf(stderr, "rxsim serve: --max-connections '%s': want a whole number from 1 to 512\n", optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case O_TIMEOUT:
            if (value_int(optarg, 1, 3600, &request_timeout) < 0) {
                fprintf(stderr, "rxsim serve: --request-timeout '%s': want whole seconds from 1 to 3600\n", optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case O_ALLOWHOST:
            if (nallow_hosts == SERVE_MAX_ALLOW_HOSTS || !host_name_ok(optarg)) {
                fprintf(stderr, "rxsim serve: --allow-host '%s': want a host name or address (letters, digits, "
                        "'.', '-', ':'; at most 253 bytes), given at most %d times\n", optarg, SERVE_MAX_ALLOW_HOSTS);
                return RX_EXIT_USAGE;
            }
            allow_hosts[nallow_hosts++] = optarg;
            break;
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim serve: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rxsim serve: unexpected argument '%s'\n\n", argv[optind]);
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    char host[256];
    int port;
    if (parse_listen(listen, host, sizeof host, &port) < 0) {
        fprintf(stderr, "rxsim serve: --listen '%s': want ADDR:PORT, e.g. 127.0.0.1:8080 or [::1]:0\n", listen);
        return RX_EXIT_USAGE;
    }

    struct serve *s = calloc(1, sizeof *s);
    if (!s)
        return RX_EXIT_INTERNAL;
    int rc = RX_EXIT_INPUT;
    bool own_workdir = false;
    s->max_jobs = max_jobs;
    s->max_queue = max_queue;
    s->max_upload = max_upload;
    s->max_conns = max_conns;
    s->request_timeout = request_timeout;
    s->nallow_hosts = nallow_hosts;
    memcpy(s->allow_hosts, allow_hosts, sizeof allow_hosts);
    snprintf(s->listen_host, sizeof s->listen_host, "%s", host);
    s->listen_any = !strcmp(host, "0.0.0.0") || !strcmp(host, "::") || !strcmp(host, "0");
    s->compare_jobs = ncpu > max_jobs ? (int)(ncpu / max_jobs) : 1;
    s->shipped_dir = RXSIM_TRACES_DIR;
    s->jobs_cap = max_jobs + max_queue + SERVE_KEEP_FINISHED + 1;
    if (!(s->jobs = calloc((size_t)s->jobs_cap, sizeof *s->jobs))) {
        rc = RX_EXIT_INTERNAL;
        goto out_free;
    }
    if (traces) {
        struct stat st;
        if (!realpath(traces, s->traces_dir) || stat(s->traces_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "rxsim serve: --traces %s: %s\n", traces,
                    errno ? strerror(errno) : "not a directory");
            s->traces_dir[0] = '\0';
            rc = RX_EXIT_USAGE;
            goto out_free;
        }
    }
    if (workdir) {
        char real[PATH_MAX];
        if (make_dir(workdir) < 0 || !realpath(workdir, real) || access(real, W_OK) < 0) {
            fprintf(stderr, "rxsim serve: --workdir %s: %s\n", workdir, strerror(errno));
            goto out_free;
        }
        if (strlen(real) >= SERVE_DIR_MAX) {
            fprintf(stderr, "rxsim serve: --workdir %s: path longer than %d bytes\n", workdir, SERVE_DIR_MAX - 1);
            goto out_free;
        }
        memcpy(s->workdir, real, strlen(real) + 1);
    } else {
        const char *tmp = getenv("TMPDIR");
        char templ[PATH_MAX], real[PATH_MAX];
        snprintf(templ, sizeof templ, "%s/rxsim-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(templ) || !realpath(templ, real)) {
            fprintf(stderr, "rxsim serve: cannot create a work directory %s: %s\n", templ, strerror(errno));
            goto out_free;
        }
        if (strlen(real) >= SERVE_DIR_MAX) {
            fprintf(stderr, "rxsim serve: work directory %s: path longer than %d bytes\n", real, SERVE_DIR_MAX - 1);
            rmdir(real);
            goto out_free;
        }
        memcpy(s->workdir, real, strlen(real) + 1);
        own_workdir = true;
        fprintf(stderr, "rxsim serve: work directory %s (removed at exit; --workdir DIR to keep one)\n",
                s->workdir);
    }
    static const char *const sub[] = { "uploads", "jobs", "summaries" };
    for (size_t i = 0; i < 3; i++) {
        char path[SERVE_PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/%s", s->workdir, sub[i]);
        if (make_dir(path) < 0) {
            fprintf(stderr, "rxsim serve: --workdir: cannot create %s: %s\n", path, strerror(errno));
            goto out_workdir;
        }
    }

    rc = RX_EXIT_INTERNAL;
    signal(SIGPIPE, SIG_IGN);
    if (!(s->base = event_base_new())) {
        fprintf(stderr, "rxsim serve: cannot create the event loop\n");
        goto out_workdir;
    }
    s->sigchld = evsignal_new(s->base, SIGCHLD, on_sigchld, s);
    s->sigint = evsignal_new(s->base, SIGINT, on_stop, s);
    s->sigterm = evsignal_new(s->base, SIGTERM, on_stop, s);
    s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    struct timeval second = { 1, 0 };
    if (!s->sigchld || !s->sigint || !s->sigterm || !s->tick || event_add(s->sigchld, NULL) < 0 ||
        event_add(s->sigint, NULL) < 0 || event_add(s->sigterm, NULL) < 0 || event_add(s->tick, &second) < 0) {
        fprintf(stderr, "rxsim serve: cannot set up the signal events\n");
        goto out_events;
    }
    if (!(s->http = evhttp_new(s->base))) {
        fprintf(stderr, "rxsim serve: cannot create the HTTP server\n");
        goto out_events;
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
    evhttp_set_timeout(s->http, 2 * request_timeout + 5);
    /* an over-long body is read (and dropped) before the 413, so that the
     * client, still sending, gets the answer rather than a reset */
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(s->http, serve_route, s);

    struct evhttp_bound_socket *sock = evhttp_bind_socket_with_handle(s->http, host, (ev_uint16_t)port);
    if (!sock) {
        fprintf(stderr, "rxsim serve: cannot listen on %s: %s\n", listen,
                errno ? strerror(errno) : "bind failed (address in use, or not an address of this host)");
        rc = RX_EXIT_INPUT;
        goto out_http;
    }
    struct sockaddr_storage ss = { 0 };
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    int bound_port = port;
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
    serve_traces_scan(s, true);
    fprintf(stderr, "rxsim serve: %d traces, at most %d jobs at once and %d queued, uploads up to %llu bytes, "
            "%d connections, %d s per request\n", s->ntraces, s->max_jobs, s->max_queue,
            (unsigned long long)s->max_upload, s->max_conns, s->request_timeout);
    printf("rxsim serve: listening on %s/\n", s->origin);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "rxsim serve: cannot write to stdout\n");
        goto out_http;
    }
    if (event_base_dispatch(s->base) < 0) {
        fprintf(stderr, "rxsim serve: the event loop failed\n");
        goto out_http;
    }
    rc = RX_EXIT_OK;

out_http:
    evhttp_free(s->http);
out_events:
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
    if (s->base)
        event_base_free(s->base);
    libevent_global_shutdown();
out_workdir:
    if (own_workdir)
        serve_rmtree(s->workdir);
out_free:
    free(s->jobs);
    free(s);
    return rc;
}
