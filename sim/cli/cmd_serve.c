/* sim/cli/cmd_serve.c: rxsim serve, the browser lab UI: argv into a
 * struct serve_config, then serve_run() (sim/serve/serve_server.h; the
 * module's shape is in sim/serve/serve.h).  This file owns the command line
 * only: --help, the options and their checks, the usage errors (exit 2). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/options/value.h"
#include "sim/serve/serve_server.h"

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

    struct serve_config cfg = {
        .listen = listen, .host = host, .port = port, .traces = traces, .workdir = workdir,
        .shipped_dir = RXSIM_TRACES_DIR, .ncpu = ncpu, .max_jobs = max_jobs, .max_queue = max_queue,
        .max_upload = max_upload, .max_conns = max_conns, .request_timeout = request_timeout,
        .nallow_hosts = nallow_hosts,
    };
    memcpy(cfg.allow_hosts, allow_hosts, sizeof allow_hosts);
    return serve_run(&cfg);
}
