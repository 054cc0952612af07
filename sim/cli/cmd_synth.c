/* sim/cli/cmd_synth.c: rxsim synth: options, validation and the summary
 * line; traces/synth.c writes the pcap and its truth sidecar. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "sim/session/exit_codes.h"
#include "sim/options/progress.h"
#include "sim/options/value.h"
#include "traces/synth.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: rxsim synth -o FILE [OPTIONS]\n"
        "\n"
        "Writes a pcap of netperf TCP_STREAM-like traffic: each flow a handshake, its\n"
        "bytes in write-sized pieces cut into MSS segments, receiver ACKs, FIN both\n"
        "ways; with seeded loss, reordering, duplication and bad checksums on request.\n"
        "FILE.truth.json records per direction the 4-tuple, bytes and SHA-256 of the\n"
        "stream, and what `rxsim inspect --json` must report for it.\n"
        "\n"
        "options:\n"
        "  -o, --output FILE    the pcap to write (required)\n"
        "  --flows N            flows, 1..65535 (default 1); flow i is\n"
        "                       10.0.i/25000.1:40000+i%%25000 -> 10.0.0.2:5001\n"
        "  --bytes B            bytes per flow, K/M/G suffixes, up to 16G (default 1M)\n"
        "  --mtu M              IP MTU, 128..65535 (default 1500; 9000: jumbo frames; above:\n"
        "                       GRO-sized frames); MSS = MTU-40 (IPv4), MTU-60 (IPv6);\n"
        "                       segments carry MSS-12 (timestamp option)\n"
        "  --send-size S        the sender's write size, K/M suffixes, 1..64M (default 16K);\n"
        "                       each write is cut on its own, so its tail is a short segment\n"
        "                       (formerly --msg-size, still accepted; the reader's recv()\n"
        "                       size is rxsim run's --recv-size)\n"
        "  --rate R             wire rate in bit/s, k/M/G suffixes, 1M..400G (default 1G)\n"
        "  --loss P             each data segment lost with probability P, then\n"
        "                       retransmitted after 3 more segments (or at the end)\n"
        "  --reorder P          each transmission swapped with the next with probability P\n"
        "  --dup P              each delivered segment sent twice with probability P\n"
        "  --bad-csum N         exactly N data segments with a bad TCP checksum, each\n"
        "                       followed by a good retransmission (default 0)\n"
        "  --seed S             seed for content and impairments (default 1)\n"
        "  --ipv6               IPv6 (2001:db8::1 -> 2001:db8::2) instead of IPv4\n"
        "  --acks, --no-acks    receiver ACKs every second data segment (default on)\n"
        "  --nsec               nanosecond timestamps (default microsecond)\n"
        "  --no-progress        no progress line on stderr (default: on a terminal)\n"
        "  --progress           progress as lines for scripts, one a second, even off a\n"
        "                       terminal (docs/user-guide.md, Progress)\n"
        "  -h, --help           this text\n"
        "\n"
        "Flow i's bytes are the little-endian 8-byte outputs of xoshiro256** (sim/rng.h)\n"
        "seeded with seed + (i+1) * 0x9e3779b97f4a7c15: the same seed gives the same\n"
        "file, byte for byte, on every machine.\n"
        "\n"
        "exit status: 0 ok, 2 usage error (unknown option, absurd value), 1 cannot\n"
        "write the output.\n");
}

static int bad_value(const char *opt, const char *arg, const char *want)
{
    fprintf(stderr, "rxsim synth: %s '%s': want %s\n", opt, arg, want);
    return RX_EXIT_USAGE;
}

/* argv into *o.  -1 when the command goes on; else the exit status (--help
 * answered, or a usage error with its message on stderr). */
static int parse_args(int argc, char **argv, struct synth_opts *o, int *progress)
{
    enum { OPT_FLOWS = 256, OPT_BYTES, OPT_MTU, OPT_MSG, OPT_RATE, OPT_LOSS, OPT_REORDER, OPT_DUP,
           OPT_BAD, OPT_SEED, OPT_V6, OPT_ACKS, OPT_NOACKS, OPT_NSEC, OPT_PROG, OPT_NOPROG };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "flows", required_argument, NULL, OPT_FLOWS },
        { "bytes", required_argument, NULL, OPT_BYTES },
        { "mtu", required_argument, NULL, OPT_MTU },
        { "send-size", required_argument, NULL, OPT_MSG },
        { "msg-size", required_argument, NULL, OPT_MSG },      /* its older name */
        { "rate", required_argument, NULL, OPT_RATE },
        { "loss", required_argument, NULL, OPT_LOSS },
        { "reorder", required_argument, NULL, OPT_REORDER },
        { "dup", required_argument, NULL, OPT_DUP },
        { "bad-csum", required_argument, NULL, OPT_BAD },
        { "seed", required_argument, NULL, OPT_SEED },
        { "ipv6", no_argument, NULL, OPT_V6 },
        { "acks", no_argument, NULL, OPT_ACKS },
        { "no-acks", no_argument, NULL, OPT_NOACKS },
        { "nsec", no_argument, NULL, OPT_NSEC },
        { "progress", no_argument, NULL, OPT_PROG },
        { "no-progress", no_argument, NULL, OPT_NOPROG },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    uint64_t v;
    double bps;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->path = optarg; break;
        case OPT_FLOWS:
            if (value_u64(optarg, VALUE_LEAD_NOSIGN, 10, 1, SYNTH_FLOWS_MAX, &v) < 0)
                return bad_value("--flows", optarg, "a number of flows from 1 to 65535");
            o->flows = (uint32_t)v;
            break;
        case OPT_BYTES:
            if (value_size(optarg, VALUE_LEAD_NOSIGN, true, true, 0, SYNTH_BYTES_MAX, &v) < 0)
                return bad_value("--bytes", optarg, "bytes per flow from 0 to 16G (K/M/G suffixes)");
            o->bytes = v;
            break;
        case OPT_MTU:
            if (value_u64(optarg, VALUE_LEAD_NOSIGN, 10, SYNTH_MTU_MIN, SYNTH_MTU_MAX, &v) < 0)
                return bad_value("--mtu", optarg, "an MTU from 128 to 65535");
            o->mtu = (uint32_t)v;
            break;
        case OPT_MSG:
            if (value_size(optarg, VALUE_LEAD_NOSIGN, true, false, 1, SYNTH_MSG_MAX, &v) < 0)
                return bad_value("--send-size", optarg, "a write size from 1 to 64M (K/M suffixes)");
            o->send_size = (uint32_t)v;
            break;
        case OPT_RATE:
            if (value_rate(optarg, true, 0, HUGE_VAL, &bps) < 0 ||
                (v = bps >= 1e15 ? UINT64_MAX : (uint64_t)llround(bps)) < SYNTH_RATE_MIN || v > SYNTH_RATE_MAX)
                return bad_value("--rate", optarg, "bits per second from 1M to 400G (e.g. 10G, 2.5G)");
            o->rate_bps = v;
            break;
        case OPT_LOSS:
            if (value_double(optarg, 0, 1, &o->loss) < 0)
                return bad_value("--loss", optarg, "a probability from 0 to 1");
            break;
        case OPT_REORDER:
            if (value_double(optarg, 0, 1, &o->reorder) < 0)
                return bad_value("--reorder", optarg, "a probability from 0 to 1");
            break;
        case OPT_DUP:
            if (value_double(optarg, 0, 1, &o->dup) < 0)
                return bad_value("--dup", optarg, "a probability from 0 to 1");
            break;
        case OPT_BAD:
            if (value_u64(optarg, VALUE_LEAD_NOSIGN, 10, 0, SYNTH_BAD_CSUM_MAX, &v) < 0)
                return bad_value("--bad-csum", optarg, "a number of segments from 0 to 1000000");
            o->bad_csum = v;
            break;
        case OPT_SEED:
            if (value_u64(optarg, VALUE_LEAD_NOSIGN, 0, 0, UINT64_MAX, &v) < 0)
                return bad_value("--seed", optarg, "an unsigned 64-bit number (decimal or 0x hex)");
            o->seed = v;
            break;
        case OPT_V6: o->ipv6 = true; break;
        case OPT_ACKS: o->acks = true; break;
        case OPT_NOACKS: o->acks = false; break;
        case OPT_NSEC: o->nsec = true; break;
        case OPT_PROG: *progress = 2; break;
        case OPT_NOPROG: *progress = 0; break;
        case 'h': usage(stdout); return RX_EXIT_OK;
        default:
            fprintf(stderr, "rxsim synth: unknown or incomplete option '%s'\n\n", argv[optind - 1]);
            usage(stderr);
            return RX_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "rxsim synth: unexpected argument '%s' (the output is -o FILE)\n\n", argv[optind]);
        usage(stderr);
        return RX_EXIT_USAGE;
    }
    char msg[512];
    if (synth_check(o, msg, sizeof msg) < 0) {     /* what needs the options together */
        fprintf(stderr, "rxsim synth: %s\n", msg);
        return RX_EXIT_USAGE;
    }
    return -1;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)total;
    progress_update(ctx, done);
}

/* The command line, recorded in the truth so the file can be made again:
 * "rxsim" and argv, space-separated.  NULL when out of memory. */
static char *command_line(int argc, char **argv)
{
    size_t cmdlen = strlen("rxsim") + 1;
    for (int i = 0; i < argc; i++)
        cmdlen += strlen(argv[i]) + 1;
    char *command = malloc(cmdlen);
    if (!command)
        return NULL;
    strcpy(command, "rxsim");
    for (int i = 0; i < argc; i++) {
        strcat(command, " ");
        strcat(command, argv[i]);
    }
    return command;
}

int cmd_synth(int argc, char **argv)
{
    struct synth_opts o;
    synth_opts_default(&o);
    int prog = isatty(2);       /* 0 none, 1 a terminal's line, 2 lines (--progress) */
    int rc = parse_args(argc, argv, &o, &prog);
    if (rc >= 0)
        return rc;
    struct progress p;
    progress_begin(&p, "rxsim synth", "bytes", (uint64_t)o.flows * o.bytes, prog > 0, prog == 2);
    o.progress = on_progress;
    o.progress_ctx = &p;
    char msg[512];
    char *command = command_line(argc, argv);
    if (!command) {
        fprintf(stderr, "rxsim synth: out of memory\n");
        return RX_EXIT_INTERNAL;
    }

    struct synth_result res;
    rc = RX_EXIT_OK;
    size_t plen = strlen(o.path);
    char *truth = malloc(plen + sizeof ".truth.json");
    if (!truth) {
        fprintf(stderr, "rxsim synth: out of memory\n");
        free(command);
        return RX_EXIT_INTERNAL;
    }
    memcpy(truth, o.path, plen);
    memcpy(truth + plen, ".truth.json", sizeof ".truth.json");
    int wrc = synth_write(&o, &res, msg, sizeof msg);
    progress_end(&p, (uint64_t)o.flows * o.bytes);
    if (wrc < 0) {
        fprintf(stderr, "rxsim synth: %s\n", msg);
        rc = RX_EXIT_INTERNAL;
    } else {
        if (synth_write_truth(&o, &res, truth, command, msg, sizeof msg) < 0) {
            fprintf(stderr, "rxsim synth: %s\n", msg);
            rc = RX_EXIT_INTERNAL;
        } else {
            printf("rxsim synth: wrote %s: %" PRIu64 " frames, %" PRIu32 " flow%s x %" PRIu64
                   " bytes (%" PRIu64 " data segments each, MSS %" PRIu32 "); lost %" PRIu64
                   ", reordered %" PRIu64 ", duplicated %" PRIu64 ", bad checksums %" PRIu64
                   "; truth in %s\n",
                   o.path, res.frames, o.flows, o.flows == 1 ? "" : "s", o.bytes, res.data_segments,
                   res.mss, res.lost, res.reordered, res.duplicated, res.bad_csum, truth);
            if (fflush(stdout) != 0)
                rc = RX_EXIT_INTERNAL;
        }
        synth_result_free(&res);
    }
    free(truth);
    free(command);
    return rc;
}
