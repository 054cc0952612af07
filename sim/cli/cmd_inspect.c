/* sim/cli/cmd_inspect.c: rxsim inspect's command line: argv into
 * inspect_options, then inspect_run() (sim/inspect/inspect.h). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/inspect/inspect.h"
#include "sim/options/value.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim inspect [OPTIONS] TRACE    (or -r TRACE; - reads standard input)\n"
        "\n"
        "Runs a pcap/pcapng trace through rxsim's receive stack (link, IPv4/IPv6,\n"
        "TCP checksum and reassembly) without the machine model, and prints what an\n"
        "application would have read: per connection and direction, bytes delivered\n"
        "and their SHA-256, retransmitted / out-of-order / bad-checksum segments,\n"
        "and every dropped frame by reason.\n"
        "\n"
        "options:\n"
        "  --json               print the summary as JSON on stdout (for scripts)\n"
        "  --dump-streams DIR   write each direction's delivered bytes to\n"
        "                       DIR/<src>_<port>-<dst>_<port>.bin (DIR is created)\n"
        "  -r, --read TRACE     the trace to read (tcpdump's -r), instead of the operand\n"
        "  --filter EXPR        only records matching a BPF expression (tcpdump syntax)\n"
        "  -c, --count COUNT    stop after COUNT records (tcpdump's -c), counted after\n"
        "                       --filter and --start\n"
        "  --start SECONDS      skip the records captured less than SECONDS after the\n"
        "                       first (trace time, after --filter)\n"
        "  --duration SECONDS   stop at the first record SECONDS of trace time after\n"
        "                       --start\n"
        "  --no-verify-csum     accept bad IP/TCP checksums (captures taken on a sender\n"
        "                       with checksum offload)\n"
        "  --ooo-limit BYTES    out-of-order queue bound per direction (K/M/G suffix;\n"
        "                       default 4M); data over it is dropped and counted\n"
        "  --ooo-budget BYTES   out-of-order bytes all connections may hold together\n"
        "                       (default 256M, 0: no budget); over it: tcp_ooo_budget\n"
        "  --max-conns N        connections open at once (default 65536, 0: no cap);\n"
        "                       a new one beyond it is refused: conn_table_full\n"
        "  --no-progress        no progress line on stderr (default: only on a tty)\n"
        "  --progress           progress as lines for scripts, one a second, even off a\n"
        "                       terminal (docs/user-guide.md, Progress)\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 ok, 2 usage error (a --filter that does not compile too),\n"
        "3 unusable trace (unreadable, not a capture, unsupported link type), 4 partial\n"
        "trace (corrupt or truncated part-way: the summary covers the records before the\n"
        "damage), 5 unanswered in part (payload not captured: those directions say so\n"
        "instead of a SHA-256), 1 internal error (a --dump-streams file cannot be written\n"
        "too).\n");
}

int cmd_inspect(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_DUMP, OPT_FILTER, OPT_NOCSUM, OPT_OOO, OPT_NOPROG, OPT_BUDGET,
           OPT_MAXCONNS, OPT_START, OPT_DURATION, OPT_PROG };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "dump-streams", required_argument, NULL, OPT_DUMP },
        { "filter", required_argument, NULL, OPT_FILTER },
        { "no-verify-csum", no_argument, NULL, OPT_NOCSUM },
        { "ooo-limit", required_argument, NULL, OPT_OOO },
        { "ooo-budget", required_argument, NULL, OPT_BUDGET },
        { "max-conns", required_argument, NULL, OPT_MAXCONNS },
        { "no-progress", no_argument, NULL, OPT_NOPROG },
        { "progress", no_argument, NULL, OPT_PROG },
        { "read", required_argument, NULL, 'r' },
        { "count", required_argument, NULL, 'c' },
        { "start", required_argument, NULL, OPT_START },
        { "duration", required_argument, NULL, OPT_DURATION },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    struct inspect_options o = { .progress = isatty(2), .stack = { .verify_csum = true } };
    int c;

    optind = 1;
    opterr = 0;
    const char *read = NULL;
    double secs;
    while ((c = getopt_long(argc, argv, "hr:c:", opts, NULL)) != -1) {
        switch (c) {
        case 'r': read = optarg; break;
        case 'c':
            if (value_u64(optarg, VALUE_LEAD_STRTOUL, 10, 1, UINT64_MAX, &o.window.count) < 0) {
                fprintf(stderr, "rxsim inspect: -c '%s': want a whole number of records above 0\n", optarg);
                return RX_EXIT_USAGE;
            }
            break;
        case OPT_START:
        case OPT_DURATION:
            if (value_double(optarg, c == OPT_START ? 0 : 0.001, 1e9, &secs) < 0) {
                fprintf(stderr, "rxsim inspect: --%s '%s': want seconds from %s to 1e9\n",
                        c == OPT_START ? "start" : "duration", optarg, c == OPT_START ? "0" : "0.001");
                return RX_EXIT_USAGE;
            }
            *(c == OPT_START ? &o.window.start_ns : &o.window.duration_ns) = (int64_t)(secs * 1e9);
            break;
        case OPT_PROG: o.progress = o.progress_lines = true; break;
        case OPT_JSON: o.json = true; break;
        case OPT_DUMP: o.dump_dir = optarg; break;
        case OPT_FILTER: o.filter = optarg; break;
        case OPT_NOCSUM: o.stack.verify_csum = false; break;
        case OPT_NOPROG: o.progress = false; break;
        case OPT_OOO: {
            uint64_t v;
            if (value_size(optarg, VALUE_LEAD_STRTOUL, false, false, 4096, 1ull << 40, &v) < 0) {
                fprintf(stderr, "rxsim inspect: --ooo-limit '%s': want a size from 4K to 1T "
                                "(e.g. 4M)\n", optarg);
                return RX_EXIT_USAGE;
            }
            o.stack.ooo_limit = (size_t)v;
            break;
        }
        case OPT_BUDGET: {
            uint64_t v;
            if (value_size(optarg, VALUE_LEAD_STRTOUL, false, true, 4096, 1ull << 40, &v) < 0) {
                fprintf(stderr, "rxsim inspect: --ooo-budget '%s': want 0 (no budget) or a size "
                                "from 4K to 1T (e.g. 256M)\n", optarg);
                return RX_EXIT_USAGE;
            }
            o.stack.ooo_budget = v ? (size_t)v : SIZE_MAX;
            break;
        }
        case OPT_MAXCONNS: {
            uint64_t v;
            if (value_u64(optarg, VALUE_LEAD_STRTOUL, 10, 0, 1000000000u, &v) < 0) {
                fprintf(stderr, "rxsim inspect: --max-conns '%s': want 0 (no cap) or a whole "
                                "number up to 1000000000\n", optarg);
                return RX_EXIT_USAGE;
            }
            o.stack.max_conns = v ? (size_t)v : SIZE_MAX;
            break;
        }
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim inspect: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (optind + !read != argc) {
        fprintf(stderr, "rxsim inspect: %s\n\n", optind + !read > argc ? "no trace given" : "one trace at a time");
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    return inspect_run(read ? read : argv[optind], &o);
}
