/* sim/options/run_options.c: the one table of `rxsim run` and `rxsim live`
 * options and the parse, help and config echo derived from it (see
 * run_options.h).  The rows are in run --help's order. */
#include "sim/options/run_options.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/copy.h"
#include "drivers/nic.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "sim/machine.h"
#include "sim/options/value.h"

#ifndef RXSIM_DEFAULT_PROFILE
#define RXSIM_DEFAULT_PROFILE "copy/profiles/default.json"
#endif

#define F(field) offsetof(struct run_config, field)
#define M RUN_GROUP_MACHINE
#define P RUN_GROUP_POLICIES
#define N RUN_GROUP_NIC
#define A RUN_GROUP_APP
#define I RUN_GROUP_INPUT
#define O RUN_GROUP_OUTPUT

const struct run_option run_options[] = {
    { .name = "cpus", .kind = RUN_OPT_INT, .off = F(cpus), .lo = 1, .hi = SIM_MAX_CPUS, .deflt = "2", .modes = RUN_IN_BOTH, .group = M, .metavar = "N", .help = "simulated CPUs (default {default})", .sweep = 10, .form = 80, .form_vary = true, .form_help = "simulated CPUs", .live = 10, .echo = RUN_ECHO_VALUE },
    { .name = "ghz", .kind = RUN_OPT_DOUBLE, .off = F(ghz), .lo = 0.1, .hi = 10, .shown = "profile's TSC", .modes = RUN_IN_BOTH, .group = M, .metavar = "G", .help = "their clock (default: the calibration profile's TSC)", .sweep = 20, .form = 90, .form_vary = true, .form_help = "CPU clock", .live = 20, .echo = RUN_ECHO_VALUE },
    { .name = "cache-kib", .kind = RUN_OPT_UINT, .off = F(cache_kib), .lo = 4, .hi = 1u << 20, .deflt = "1024", .modes = RUN_IN_BOTH, .group = M, .metavar = "K", .help = "cache per CPU for the lines the path touches (default {default})", .sweep = 30, .form = 100, .form_vary = true, .form_help = "cache per CPU, KiB", .live = 30, .echo = RUN_ECHO_VALUE },
    { .name = "seed", .kind = RUN_OPT_SEED, .off = F(seed), .deflt = "1", .modes = RUN_IN_BOTH, .group = M, .metavar = "S", .help = "seed for every random choice (default {default})", .sweep = 40, .form = 110, .form_vary = true, .form_help = "seed for every random choice", .live = 40, .echo = RUN_ECHO_VALUE },
    { .name = "csum", .kind = RUN_OPT_NAME, .off = F(csum), .deflt = "softirq", .modes = RUN_IN_BOTH, .group = P, .metavar = "P", .help = "softirq | process | offload (default {default})", .sweep = 50, .form = 10, .form_vary = true, .form_help = "where the TCP checksum is verified", .live = 50, .echo = RUN_ECHO_VALUE },
    { .name = "delivery", .kind = RUN_OPT_NAME, .off = F(delivery), .deflt = "packet", .modes = RUN_IN_BOTH, .group = P, .metavar = "P", .help = "packet | batch:N | gro (default {default})", .sweep = 60, .form = 20, .form_vary = true, .form_help = "frames per protocol pass (batch:N takes any N)", .live = 60, .echo = RUN_ECHO_VALUE },
    { .name = "recycle", .kind = RUN_OPT_NAME, .off = F(recycle), .deflt = "defer", .modes = RUN_IN_BOTH, .group = P, .metavar = "P", .help = "defer | none | global | percpu | origin | ring (default {default})", .sweep = 70, .form = 30, .form_vary = true, .form_help = "skb recycling", .live = 70, .echo = RUN_ECHO_VALUE },
    { .name = "copy", .kind = RUN_OPT_NAME, .off = F(copy), .deflt = "glibc", .modes = RUN_IN_BOTH, .group = P, .metavar = "NAME", .help = "the reader's copy routine (default {default})", .sweep = 80, .form = 40, .form_vary = true, .form_help = "the reader's copy routine", .live = 80, .echo = RUN_ECHO_VALUE },
    { .name = "csum-copy", .kind = RUN_OPT_NAME, .off = F(csum_copy), .shown = "best available", .modes = RUN_IN_BOTH, .group = P, .metavar = "NAME", .help = "combined routine for --csum process (default: {default})", .sweep = 90, .form = 50, .form_vary = true, .form_help = "combined routine for csum=process", .live = 90, .echo = RUN_ECHO_VALUE },
    { .name = "csum-routine", .kind = RUN_OPT_NAME, .off = F(csum_routine), .deflt = "csum_linux", .modes = RUN_IN_BOTH, .group = P, .metavar = "NAME", .help = "the checksum routine --csum softirq is priced by (default\n{default}: Linux's x86-64 csum_partial)", .sweep = 92, .form = 52, .form_vary = true, .form_help = "the softirq's checksum routine", .live = 92, .echo = RUN_ECHO_VALUE },
    { .name = "receive", .kind = RUN_OPT_NAME, .off = F(receive), .deflt = "copy", .modes = RUN_IN_BOTH, .group = P, .metavar = "P", .help = "copy | zerocopy (default {default}): how the reader takes its\nbytes: recv() copies them; zerocopy maps whole payload pages\n(TCP_ZEROCOPY_RECEIVE) and copies the rest", .sweep = 95, .form = 55, .form_vary = true, .form_help = "copy (recv) or zerocopy (TCP_ZEROCOPY_RECEIVE: pages mapped)", .live = 95, .echo = RUN_ECHO_VALUE },
    { .name = "irq", .kind = RUN_OPT_NAME, .off = F(irq), .deflt = "fixed:0", .modes = RUN_IN_BOTH, .group = P, .metavar = "R", .help = "fixed:C | rr | rss (default {default}); rss: NIC k's queue i\nto CPU (k x queues + i) mod cpus", .sweep = 100, .form = 60, .form_vary = true, .form_help = "IRQ routing (fixed:C with C < cpus)", .live = 100, .echo = RUN_ECHO_VALUE },
    { .name = "app", .kind = RUN_OPT_NAME, .off = F(app), .shown = "linux", .modes = RUN_IN_BOTH, .group = P, .metavar = "A", .help = "reader placement fixed:C | pin:irq | pin:rr | linux |\nwaker | float (default {default}: Linux's wake-affine\nscheduler; docs/model.md, \"Where readers run\")", .sweep = 110, .form = 70, .form_vary = true, .form_help = "reader affinity (fixed:C with C < cpus)", .live = 110, .echo = RUN_ECHO_VALUE },
    { .name = "ring", .kind = RUN_OPT_UINT, .off = F(ring), .lo = 2, .hi = 65536, .deflt = "256", .modes = RUN_IN_BOTH, .group = N, .metavar = "N", .help = "RX descriptors per queue (default {default}), one 2 KiB buffer\neach; a longer frame takes one per 2 KiB (9014 bytes: 5)", .sweep = 120, .form = 120, .form_vary = true, .form_help = "RX descriptors per queue", .live = 120, .echo = RUN_ECHO_VALUE },
    { .name = "queues", .kind = RUN_OPT_UINT, .off = F(queues), .lo = 1, .hi = NIC_MAX_QUEUES, .deflt = "1", .modes = RUN_IN_BOTH, .group = N, .metavar = "N", .help = "RX queues, RSS over the 4-tuple (default {default})", .sweep = 130, .form = 130, .form_vary = true, .form_help = "RX queues (RSS)", .live = 130, .echo = RUN_ECHO_VALUE },
    { .name = "nics", .kind = RUN_OPT_UINT, .off = F(nics), .lo = 1, .hi = RUN_MAX_NICS, .modes = RUN_IN_RUN, .group = N, .metavar = "N", .help = "spread one trace's connections over N NICs (1..8), in\norder of first appearance, round-robin; each NIC has its\nown queues, ring, coalescing and interrupts (--replay\nclosed: each its own link of --link, flow i on NIC i mod N)", .sweep = 140, .echo = RUN_ECHO_SOURCE },
    { .name = "rx-usecs", .kind = RUN_OPT_UINT, .off = F(rx_usecs), .lo = 0, .hi = 1000000, .deflt = "20", .modes = RUN_IN_BOTH, .group = N, .metavar = "U", .help = "interrupt coalescing delay (default {default})", .sweep = 150, .form = 140, .form_vary = true, .form_help = "interrupt coalescing delay, us", .live = 140, .echo = RUN_ECHO_VALUE },
    { .name = "rx-frames", .kind = RUN_OPT_UINT, .off = F(rx_frames), .lo = 0, .hi = 65536, .deflt = "0", .modes = RUN_IN_BOTH, .group = N, .metavar = "F", .help = "interrupt after F frames (default {default}: off)", .sweep = 160, .form = 150, .form_vary = true, .form_help = "interrupt after F frames (0 off)", .live = 150, .echo = RUN_ECHO_VALUE },
    { .name = "budget", .kind = RUN_OPT_UINT, .off = F(budget), .lo = 1, .hi = 65536, .deflt = "64", .modes = RUN_IN_BOTH, .group = N, .metavar = "B", .help = "frames per NAPI poll (default {default})", .sweep = 170, .form = 160, .form_vary = true, .form_help = "frames per NAPI poll", .live = 160, .echo = RUN_ECHO_VALUE },
    { .name = "nic-kind", .kind = RUN_OPT_NAME, .off = F(nic_kind), .deflt = "nic", .modes = RUN_IN_BOTH, .group = N, .metavar = "K", .help = "nic (default: coalesced interrupts) | veth[:GAP] (no interrupt:\nthe poll runs when the sender's burst ends, a gap over GAP us,\ndefault 10)", .sweep = 172, .form = 162, .form_vary = true, .form_help = "nic, or veth[:GAP us]: the poll runs after the sender's burst", .live = 162, .echo = RUN_ECHO_VALUE },
    { .name = "veth-sender-cpu", .kind = RUN_OPT_NAME, .off = F(veth_sender_cpu), .deflt = "poll", .modes = RUN_IN_BOTH, .group = N, .metavar = "C", .help = "veth: the CPU whose copy wrote each frame, where its lines\nstart (veth never DMAs): poll (default: the CPU the poll runs\non, as without RPS) or C < cpus", .sweep = 173, .form = 163, .form_vary = true, .form_help = "veth: the sender's CPU (poll, or C): its cache holds the frame", .live = 163, .echo = RUN_ECHO_VALUE },
    { .name = "gro-flush-timeout", .kind = RUN_OPT_UINT, .off = F(gro_flush_timeout), .lo = 0, .hi = 1000000000, .deflt = "0", .modes = RUN_IN_BOTH, .group = N, .metavar = "NS", .help = "after a poll, GRO holds packets and a timer polls again\nNS later (sysfs gro_flush_timeout; default {default}: off)", .sweep = 174, .form = 164, .form_vary = true, .form_help = "gro_flush_timeout, ns (0 off)", .live = 164, .echo = RUN_ECHO_VALUE },
    { .name = "napi-defer-hard-irqs", .kind = RUN_OPT_UINT, .off = F(napi_defer_hard_irqs), .lo = 0, .hi = 1000000, .deflt = "0", .modes = RUN_IN_BOTH, .group = N, .metavar = "N", .help = "with --gro-flush-timeout: the interrupt stays masked after a\npoll that found work and the timer polls up to N times\n(sysfs napi_defer_hard_irqs; default {default})", .sweep = 176, .form = 166, .form_vary = true, .form_help = "napi_defer_hard_irqs", .live = 166, .echo = RUN_ECHO_VALUE },
    { .name = "pool", .kind = RUN_OPT_UINT, .off = F(pool), .lo = 16, .hi = 1u << 22, .modes = RUN_IN_BOTH, .group = N, .metavar = "N", .help = "packet buffers (skbs) in the pool, 16..4194304 (default:\n2 x ring x queues x NICs + 4096)", .sweep = 210, .live = 170 },
    { .name = "replay", .kind = RUN_OPT_REPLAY, .off = F(replay), .lo = 1e3, .hi = 4e12, .deflt = "trace", .modes = RUN_IN_RUN, .group = N, .metavar = "M", .help = "trace (capture times, default) | rate:RATE (back to back,\ne.g. rate:10G, rate:2.5G, rate:100M) | closed (simulated TCP\nsenders answer the host's ACKs; without a trace: --flows,\n--bytes, --send-size over --link, --rtt)", .sweep = 180, .form = 170, .form_help = "trace (capture times) or rate:RATE, e.g. rate:10G", .echo = RUN_ECHO_VALUE },
    { .name = "link", .kind = RUN_OPT_TEXT, .off = F(link), .deflt = "10G", .modes = RUN_IN_RUN, .group = N, .metavar = "RATE", .help = "--replay closed: the link's rate (default {default}; k/M/G)", .sweep = 403 , .echo = RUN_ECHO_CLOSED },
    { .name = "rtt", .kind = RUN_OPT_DOUBLE, .off = F(rtt_us), .lo = 0, .hi = 1e7, .deflt = "100", .modes = RUN_IN_RUN, .group = N, .metavar = "US", .help = "--replay closed: round-trip propagation in us (default {default})", .sweep = 413 , .echo = RUN_ECHO_CLOSED },
    { .name = "cc", .kind = RUN_OPT_TEXT, .off = F(cc), .deflt = "newreno", .modes = RUN_IN_RUN, .group = N, .metavar = "ALGO", .help = "--replay closed: the senders' congestion control, newreno\n(RFC 5681/6582) or cubic (RFC 9438, Linux's default)\n(default {default})", .sweep = 418, .echo = RUN_ECHO_CLOSED },
    { .name = "loss", .kind = RUN_OPT_DOUBLE, .off = F(loss), .lo = 0, .hi = 0.5, .deflt = "0", .modes = RUN_IN_RUN, .group = N, .metavar = "P", .help = "--replay closed: each data frame lost on the wire with\nprobability P (default {default}; drawn from --seed)", .sweep = 414, .echo = RUN_ECHO_CLOSED },
    { .name = "reorder", .kind = RUN_OPT_TEXT, .off = F(reorder), .deflt = "0", .modes = RUN_IN_RUN, .group = N, .metavar = "P[:US]", .help = "--replay closed: each data frame held US microseconds on the\nwire with probability P, behind frames sent after it\n(default {default}; US 50; drawn from --seed)", .sweep = 415, .echo = RUN_ECHO_CLOSED },
    { .name = "flows", .kind = RUN_OPT_UINT, .off = F(flows), .lo = 1, .hi = 65535, .deflt = "1", .modes = RUN_IN_RUN, .group = N, .metavar = "N", .help = "--replay closed, no trace: TCP_STREAM flows (default {default})", .sweep = 423 , .echo = RUN_ECHO_CLOSED },
    { .name = "bytes", .kind = RUN_OPT_TEXT, .off = F(bytes), .deflt = "1M", .modes = RUN_IN_RUN, .group = N, .metavar = "SIZE", .help = "--replay closed, no trace: bytes per flow (default {default};\nK/M/G), synth's content for --seed", .sweep = 433 , .echo = RUN_ECHO_CLOSED },
    { .name = "send-size", .kind = RUN_OPT_UINT, .off = F(send_size), .lo = 1, .hi = 1u << 26, .deflt = "16384", .modes = RUN_IN_RUN, .group = N, .metavar = "B", .help = "--replay closed, no trace: the sender's write size (default\n{default}), cut into segments as rxsim synth cuts them", .sweep = 443 , .echo = RUN_ECHO_CLOSED },
    { .name = "mtu", .kind = RUN_OPT_UINT, .off = F(mtu), .lo = 128, .hi = 9000, .deflt = "1500", .modes = RUN_IN_RUN, .group = N, .metavar = "B", .help = "--replay closed, no trace: the link's MTU (default {default})", .sweep = 453 , .echo = RUN_ECHO_CLOSED },
    { .name = "recv-size", .alias = "msg-size", .kind = RUN_OPT_UINT, .off = F(recv_size), .lo = 1, .hi = 1u << 26, .deflt = "16384", .modes = RUN_IN_BOTH, .group = A, .metavar = "B", .help = "the reader's recv() size (default {default}; formerly\n--msg-size, still accepted); the sender's write size is the\ntrace's (rxsim synth --send-size)", .sweep = 190, .form = 180, .form_vary = true, .form_help = "the reader's recv() size, bytes", .live = 180, .echo = RUN_ECHO_VALUE },
    { .name = "app-cycles-per-byte", .kind = RUN_OPT_DOUBLE, .off = F(app_cycles_per_byte), .lo = 0, .hi = 1e6, .deflt = "0", .modes = RUN_IN_BOTH, .group = A, .metavar = "X", .help = "the application's own work (default {default})", .sweep = 200, .form = 190, .form_vary = true, .form_help = "the application's own work", .live = 190, .echo = RUN_ECHO_VALUE },
    { .name = "reader-threads", .kind = RUN_OPT_INT, .off = F(reader_threads), .lo = 1, .hi = SIM_MAX_CPUS, .deflt = "1", .modes = RUN_IN_BOTH, .group = A, .metavar = "N", .help = "the reader process's threads, each on a CPU of its own\n(default {default}); --receive zerocopy's unmap sends a TLB\nshootdown IPI to the others' CPUs", .sweep = 205, .form = 195, .form_vary = true, .form_help = "the reader's threads (zerocopy: TLB shootdowns to the others)", .live = 195, .echo = RUN_ECHO_VALUE },
    { .name = "read", .kind = RUN_OPT_TEXT, .off = F(read), .modes = RUN_IN_RUN, .short_name = 'r', .group = I, .metavar = "FILE", .help = "read this trace (tcpdump's -r), as a TRACE operand: before\nany others; - is standard input", .sweep = RUN_SWEEP_OWN },
    { .name = "count", .kind = RUN_OPT_COUNT, .off = F(count), .modes = RUN_IN_BOTH, .short_name = 'c', .group = I, .metavar = "COUNT", .help = "stop after COUNT frames of each trace (tcpdump's -c), counted\nafter --filter and --start", .sweep = 232, .echo = RUN_ECHO_GIVEN },
    { .name = "start", .kind = RUN_OPT_DOUBLE, .off = F(start), .lo = 0, .hi = 1e9, .modes = RUN_IN_RUN, .group = I, .metavar = "SECONDS", .help = "skip the frames captured less than SECONDS after each\ntrace's first frame (trace time; after --filter)", .sweep = 234, .echo = RUN_ECHO_GIVEN },
    { .name = "duration", .kind = RUN_OPT_DOUBLE, .off = F(duration), .lo = 0.001, .hi = 1e9, .modes = RUN_IN_BOTH, .group = I, .metavar = "SECONDS", .help = "stop at the first frame SECONDS of trace time after\n--start (live: of wall time; --replay closed: the senders\nsend nothing new after SECONDS of simulated time)", .sweep = 236, .echo = RUN_ECHO_GIVEN },
    { .name = "filter", .kind = RUN_OPT_TEXT, .off = F(filter), .shown = "none", .modes = RUN_IN_BOTH, .group = I, .metavar = "EXPR", .help = "BPF filter on the traces", .sweep = 240, .form = 220, .form_help = "BPF filter, tcpdump syntax" },
    { .name = "host", .kind = RUN_OPT_HOST, .off = F(host), .shown = "guessed", .modes = RUN_IN_BOTH, .group = I, .metavar = "ADDR", .help = "the receiving host; once per trace, in trace order (ADDR\n'guess' guesses that one).  Default: the destination\nreceiving the most TCP payload (said on stderr; a pipe is\ncopied to a temporary file to be read twice); frames to\nother hosts are skipped", .sweep = 250, .form = 230, .form_help = "the receiving host's address", .echo = RUN_ECHO_VALUE },
    { .name = "no-verify-csum", .kind = RUN_OPT_OFF, .off = F(verify_csum), .deflt = "verify", .modes = RUN_IN_BOTH, .group = I, .help = "accept bad checksums (sender-side captures)", .sweep = RUN_SWEEP_PASSED, .form = 240, .form_help = "accept bad checksums", .live = 200, .echo = RUN_ECHO_VALUE, .json = "verify_csum" },
    { .name = "payload", .kind = RUN_OPT_CHOICE, .off = F(payload_synth), .deflt = "captured", .choices = "captured|synth", .modes = RUN_IN_BOTH, .group = I, .metavar = "P", .help = "captured (default) | synth: fill the payload a small snaplen\ncut from a pattern keyed by flow and sequence number, with\nchecksums that verify, so a header-only capture can be\npriced (the report says so on its first line)", .sweep = 290, .form = 210, .form_vary = true, .form_help = "captured, or synth: fill payload a small snaplen cut (header-only captures)", .live = 260, .echo = RUN_ECHO_VALUE },
    { .name = "ooo-budget", .kind = RUN_OPT_BUDGET, .off = F(ooo_budget), .lo = 4096, .hi = 1ull << 40, .modes = RUN_IN_BOTH, .group = I, .metavar = "BYTES", .help = "out-of-order bytes all connections may hold together\n(K/M/G; default 256M, 0: none); over it: tcp_ooo_budget", .sweep = 220, .live = 210 },
    { .name = "rcvbuf", .kind = RUN_OPT_BUDGET, .off = F(rcvbuf), .lo = 4096, .hi = 1ull << 40, .modes = RUN_IN_BOTH, .group = I, .metavar = "BYTES", .help = "a socket's initial receive buffer, net.ipv4.tcp_rmem's\ndefault (K/M/G; default 128K, 0: none)", .sweep = 300, .live = 270 },
    { .name = "rcvbuf-max", .kind = RUN_OPT_BUDGET, .off = F(rcvbuf_max), .lo = 4096, .hi = 1ull << 40, .modes = RUN_IN_BOTH, .group = I, .metavar = "BYTES", .help = "how far autotuning grows it, tcp_rmem's max (default 6M,\n0: none); past it: the report's receive-buffer counts", .sweep = 310, .live = 280 },
    { .name = "no-rcvbuf-autotune", .kind = RUN_OPT_OFF, .off = F(rcvbuf_autotune), .deflt = "on", .modes = RUN_IN_BOTH, .group = I, .help = "the receive buffer never grows (tcp_moderate_rcvbuf 0)", .sweep = RUN_SWEEP_PASSED, .live = 290, .echo = RUN_ECHO_VALUE, .json = "rcvbuf_autotune" },
    { .name = "max-conns", .kind = RUN_OPT_CAP, .off = F(max_conns), .lo = 0, .hi = 1000000000u, .modes = RUN_IN_BOTH, .group = I, .metavar = "N", .help = "connections open at once (default 65536, 0: no cap); a\nnew one beyond it is refused (conn_table_full), none evicted", .sweep = 230, .live = 220 },
    { .name = "profile", .kind = RUN_OPT_TEXT, .off = F(profile), .deflt = RXSIM_DEFAULT_PROFILE, .modes = RUN_IN_BOTH, .group = I, .metavar = "FILE", .help = "calibration profile (default the checked-in one)", .sweep = 260, .live = 230, .echo = RUN_ECHO_VALUE },
    { .name = "costs", .kind = RUN_OPT_TEXT, .off = F(costs), .modes = RUN_IN_BOTH, .group = I, .metavar = "FILE", .help = "JSON {\"cost\": cycles} overriding per-event costs\n(docs/model.md lists them with their sources)", .sweep = 270, .live = 240 },
    { .name = "timing", .kind = RUN_OPT_CHOICE, .off = F(timing_measured), .deflt = "model", .choices = "model|measured", .modes = RUN_IN_BOTH, .group = I, .metavar = "T", .help = "model (default: calibrated costs, deterministic) |\nmeasured (rdtsc cycles of each real copy/checksum call;\nNOT deterministic, the report says so)", .sweep = 280, .form = 200, .form_vary = true, .form_help = "model (deterministic) or measured", .live = 250, .echo = RUN_ECHO_VALUE },
    { .name = "json", .kind = RUN_OPT_ON, .off = F(json), .modes = RUN_IN_BOTH, .group = O, .help = "the report as JSON", .sweep = RUN_SWEEP_OWN },
    { .name = "csv", .kind = RUN_OPT_ON, .off = F(csv), .modes = RUN_IN_BOTH, .group = O, .help = "the report as CSV: section,name,value,not_meaningful rows", .sweep = RUN_SWEEP_OWN },
    { .name = "timeline", .kind = RUN_OPT_TEXT, .off = F(timeline), .modes = RUN_IN_BOTH, .group = O, .metavar = "FILE", .help = "what each CPU ran, as Chrome/Perfetto trace-event JSON: work\nitems, the functions in them, wakeup arrows, ring and socket\nqueue counters (open in ui.perfetto.dev; at most 2M events)", .sweep = RUN_SWEEP_OWN },
    { .name = "timeline-window", .kind = RUN_OPT_TEXT, .off = F(timeline_window), .modes = RUN_IN_BOTH, .group = O, .metavar = "S,D", .help = "--timeline only what overlaps D seconds of simulated time\nfrom S (as the timeline's clock shows), e.g. 0.05,0.01", .sweep = RUN_SWEEP_OWN },
    { .name = "no-progress", .kind = RUN_OPT_OFF, .off = F(progress), .modes = RUN_IN_BOTH, .group = O, .help = "no progress line (default: shown on a terminal)", .sweep = RUN_SWEEP_PASSED },
    { .name = "progress", .kind = RUN_OPT_PROGRESS, .off = F(progress), .modes = RUN_IN_BOTH, .group = O, .help = "progress as lines for scripts, one a second, even off a\nterminal (docs/user-guide.md, Progress)" },
    { .name = "realtime", .kind = RUN_OPT_SPEED, .off = F(realtime), .lo = 0, .hi = 1e6, .modes = RUN_IN_RUN, .group = O, .metavar = "[=SPEED]", .help = "replay at the trace's own pace (x SPEED, default 1) with live\ncounters on stderr each second; same report; Ctrl-C stops\nearly and reports what ran" },
    { .name = "list-costs", .kind = RUN_OPT_ON, .off = F(list_costs), .modes = RUN_IN_RUN, .group = O, .help = "per-event costs: name, cycles, kind, source (with --costs FILE,\nas the file sets them); no trace needed", .sweep = RUN_SWEEP_OWN },
    { .name = "list", .kind = RUN_OPT_LIST, .modes = RUN_IN_BOTH, .group = O, .help = "policies and copy routines", .sweep = RUN_SWEEP_OWN },
    { .name = "help", .kind = RUN_OPT_HELP, .modes = RUN_IN_BOTH, .short_name = 'h', .sweep = RUN_SWEEP_OWN },
    /* rxsim live's capture (live --help describes them; cmd_live.c) */
    { .name = "interface", .kind = RUN_OPT_TEXT, .off = F(iface), .modes = RUN_IN_LIVE, .short_name = 'i', .echo = RUN_ECHO_SOURCE },
    { .name = "promisc", .kind = RUN_OPT_ON, .off = F(promisc), .modes = RUN_IN_LIVE },
    { .name = "buffer-kib", .kind = RUN_OPT_UINT, .off = F(buffer_kib), .lo = 64, .hi = 1u << 21, .deflt = "8192", .modes = RUN_IN_LIVE },
};
const size_t run_noptions = sizeof run_options / sizeof run_options[0];

#undef M
#undef P
#undef N
#undef A
#undef I
#undef O

static const struct {
    const char *heading;        /* run --help */
    const char *name;           /* serve's fieldsets */
} groups[RUN_GROUP__COUNT] = {
    [RUN_GROUP_MACHINE] = { "machine:", "machine" },
    [RUN_GROUP_POLICIES] = { "policies (rxsim run --list shows them all):", "policies" },
    [RUN_GROUP_NIC] = { "NIC:", "NIC" },
    [RUN_GROUP_APP] = { "application:", "application" },
    [RUN_GROUP_INPUT] = { "input and costs:", "input and costs" },
    [RUN_GROUP_OUTPUT] = { "output:", "output" },
};

const char *run_group_name(enum run_opt_group g)
{
    return g > RUN_GROUP_NONE && g < RUN_GROUP__COUNT ? groups[g].name : "";
}

const struct run_option *run_option_find(const char *name)
{
    for (size_t i = 0; i < run_noptions; i++)
        if (!strcmp(run_options[i].name, name) || (run_options[i].alias && !strcmp(run_options[i].alias, name)))
            return &run_options[i];
    return NULL;
}

const char *run_option_default(const struct run_option *o)
{
    return o->shown ? o->shown : o->deflt ? o->deflt : "";
}

bool run_option_numeric(const struct run_option *o)
{
    switch (o->kind) {
    case RUN_OPT_UINT: case RUN_OPT_INT: case RUN_OPT_DOUBLE: case RUN_OPT_SEED: case RUN_OPT_COUNT:
    case RUN_OPT_CAP:
        return true;
    default:
        return false;
    }
}

static int position(const struct run_option *o, size_t pos_off)
{
    int p;
    memcpy(&p, (const char *)o + pos_off, sizeof p);
    return p;
}

size_t run_options_ordered(size_t pos_off, const struct run_option **out)
{
    size_t n = 0;
    for (size_t i = 0; i < run_noptions; i++) {     /* insertion sort: a few dozen rows */
        int p = position(&run_options[i], pos_off);
        if (p <= 0)
            continue;
        size_t k = n++;
        for (; k > 0 && position(out[k - 1], pos_off) > p; k--)
            out[k] = out[k - 1];
        out[k] = &run_options[i];
    }
    return n;
}

/* --- help --------------------------------------------------------------- */

#define HELP_COL 24             /* where the text starts: "  --cpus N" then spaces */

/* text with "{default}" replaced by the option's default. */
static void put_help_text(FILE *out, const struct run_option *o)
{
    static const char token[] = "{default}";
    for (const char *p = o->help; *p;) {
        if (!strncmp(p, token, sizeof token - 1)) {
            fputs(run_option_default(o), out);
            p += sizeof token - 1;
        } else if (*p == '\n') {
            fprintf(out, "\n%*s", HELP_COL, "");
            p++;
        } else {
            fputc(*p++, out);
        }
    }
    fputc('\n', out);
}

void run_options_help(FILE *out)
{
    for (int g = RUN_GROUP_NONE + 1; g < RUN_GROUP__COUNT; g++) {
        fprintf(out, "%s\n", groups[g].heading);
        for (size_t i = 0; i < run_noptions; i++) {
            const struct run_option *o = &run_options[i];
            if ((int)o->group != g || !o->help || !(o->modes & RUN_IN_RUN))
                continue;
            char short_name[8] = "";
            if (o->short_name)
                snprintf(short_name, sizeof short_name, "-%c, ", o->short_name);
            int w = fprintf(out, "  %s--%s%s%s", short_name, o->name,
                            o->metavar && o->metavar[0] != '[' ? " " : "", o->metavar ? o->metavar : "");
            fprintf(out, "%*s", w < HELP_COL - 1 ? HELP_COL - w : 2, "");
            put_help_text(out, o);
        }
    }
}

void run_options_live_list(FILE *out, const char *prefix)
{
    const struct run_option *list[sizeof run_options / sizeof run_options[0]];
    size_t n = run_options_ordered(offsetof(struct run_option, live), list);
    int col = fprintf(out, "%s", prefix);
    for (size_t i = 0; i < n; i++) {
        int w = 3 + (int)strlen(list[i]->name) + (i + 1 < n);      /* " --name," */
        if (col + w > 80)
            col = fprintf(out, "\n ") - 1;     /* the newline takes no column */
        col += fprintf(out, " --%s%s", list[i]->name, i + 1 < n ? "," : "");
    }
    fprintf(out, "\n");
}

/* --- parse -------------------------------------------------------------- */

static const char *cmdname = "rxsim run";      /* for parse messages */

static void list_all(void)
{
    printf("checksum placement (--csum):\n");
    for (int i = 0; csum_policies[i]; i++)
        printf("  %-10s %s\n", csum_policies[i]->name, csum_policies[i]->what);
    printf("delivery (--delivery):\n");
    for (int i = 0; deliver_policies[i]; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s%s%s", deliver_policies[i]->name,
                 deliver_policies[i]->arg_help ? ":" : "",
                 deliver_policies[i]->arg_help ? deliver_policies[i]->arg_help : "");
        printf("  %-10s %s\n", name, deliver_policies[i]->what);
    }
    printf("skb recycling (--recycle):\n");
    for (int i = 0; recycle_policies[i]; i++)
        printf("  %-10s %s\n", recycle_policies[i]->name, recycle_policies[i]->what);
    printf("receiving (--receive):\n");
    for (int i = 0; receive_policies[i]; i++)
        printf("  %-10s %s\n", receive_policies[i]->name, receive_policies[i]->what);
    printf("copy routines (--copy; --csum-copy takes the csum_copy kind, --csum-routine the csum kind):\n");
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *r = copy_routine_at(i);
        printf("  %-22s %-9s %s%s\n", r->name, copy_kind_name(r->kind), r->what,
               copy_available(r) ? "" : " (unavailable on this CPU)");
    }
}

/* The index of s in choices ("model|measured"), or -1. */
static int choice_index(const char *choices, const char *s)
{
    int i = 0;
    for (const char *p = choices;; i++) {
        size_t n = strcspn(p, "|");
        if (strlen(s) == n && !strncmp(p, s, n))
            return i;
        if (!p[n])
            return -1;
        p += n + 1;
    }
}

/* "model or measured", "a, b or c" from "a|b|c". */
static void want_choices(const char *choices, char *buf, size_t size)
{
    size_t used = 0;
    for (const char *p = choices; *p && used < size;) {
        size_t len = strcspn(p, "|");
        used += (size_t)snprintf(buf + used, size - used, "%s%.*s",
                                 p == choices ? "" : strchr(p, '|') ? ", " : " or ", (int)len, p);
        p += len + (p[len] != 0);
    }
}

#define FIELD(c, o, type) ((type *)((char *)(c) + (o)->off))
#define CFIELD(c, o, type) ((const type *)((const char *)(c) + (o)->off))

/* One value into its field; 0, or -1 with the message on stderr. */
static int set_value(struct run_config *c, const struct run_option *o, const char *arg, bool live)
{
    uint32_t u;
    uint64_t v;
    double d;
    switch (o->kind) {
    case RUN_OPT_UINT:
    case RUN_OPT_INT:
    case RUN_OPT_CAP:
        if (value_u32(arg, (uint32_t)o->lo, (uint32_t)o->hi, &u) < 0) {
            fprintf(stderr, "%s: --%s '%s': want a whole number from %u to %u\n", cmdname, o->name, arg,
                    (uint32_t)o->lo, (uint32_t)o->hi);
            return -1;
        }
        if (o->kind == RUN_OPT_UINT)
            *FIELD(c, o, uint32_t) = u;
        else if (o->kind == RUN_OPT_INT)
            *FIELD(c, o, int) = (int)u;
        else
            *FIELD(c, o, size_t) = u ? u : SIZE_MAX;
        return 0;
    case RUN_OPT_DOUBLE:
        if (value_double(arg, o->lo, o->hi, FIELD(c, o, double)) < 0) {
            fprintf(stderr, "%s: --%s '%s': want a number from %g to %g\n", cmdname, o->name, arg, o->lo, o->hi);
            return -1;
        }
        return 0;
    case RUN_OPT_SEED:
        if (value_u64(arg, VALUE_LEAD_STRTOUL, 10, 0, UINT64_MAX, FIELD(c, o, uint64_t)) < 0) {
            fprintf(stderr, "%s: --%s '%s': want a whole number\n", cmdname, o->name, arg);
            return -1;
        }
        return 0;
    case RUN_OPT_COUNT:
        if (value_u64(arg, VALUE_LEAD_STRTOUL, 10, 1, UINT64_MAX, FIELD(c, o, uint64_t)) < 0) {
            fprintf(stderr, "%s: --%s '%s': want a whole number of frames above 0\n", cmdname, o->name, arg);
            return -1;
        }
        return 0;
    case RUN_OPT_BUDGET:
        if (value_size(arg, VALUE_LEAD_STRTOUL, false, true, (uint64_t)o->lo, (uint64_t)o->hi, &v) < 0) {
            fprintf(stderr, "%s: --%s '%s': want 0 (no budget) or a size from 4K to 1T (e.g. 256M)\n",
                    cmdname, o->name, arg);
            return -1;
        }
        *FIELD(c, o, size_t) = v ? (size_t)v : SIZE_MAX;
        return 0;
    case RUN_OPT_CHOICE: {
        int k = choice_index(o->choices, arg);
        if (k < 0) {
            char want[128];
            want_choices(o->choices, want, sizeof want);
            fprintf(stderr, "%s: --%s '%s': want %s\n", cmdname, o->name, arg, want);
            return -1;
        }
        *FIELD(c, o, bool) = k == 1;
        return 0;
    }
    case RUN_OPT_REPLAY:
        if (!strncmp(arg, "rate:", 5)) {
            if (value_rate(arg + 5, false, o->lo, o->hi, &d) < 0) {
                fprintf(stderr, "%s: --%s '%s': want rate:RATE such as rate:10G\n", cmdname, o->name, arg);
                return -1;
            }
            c->rate_bps = (uint64_t)d;
        } else if (!strcmp(arg, "closed")) {
            c->closed = true;
        } else if (strcmp(arg, "trace")) {
            fprintf(stderr, "%s: --%s '%s': want trace, rate:RATE or closed\n", cmdname, o->name, arg);
            return -1;
        }
        *FIELD(c, o, const char *) = arg;
        return 0;
    case RUN_OPT_SPEED:     /* above 0: the smallest double above it is the floor */
        if (!arg)
            d = 1.0;
        else if (value_double(arg, 0x1p-1074, o->hi, &d) < 0) {
            fprintf(stderr, "%s: --%s '%s': want a speed above 0, up to 1e6\n", cmdname, o->name, arg);
            return -1;
        }
        *FIELD(c, o, double) = d;
        return 0;
    case RUN_OPT_NAME:
    case RUN_OPT_TEXT:
        *FIELD(c, o, const char *) = arg;
        return 0;
    case RUN_OPT_HOST:
        if (c->nhosts == RUN_MAX_TRACES) {
            fprintf(stderr, "%s: at most %d --host (one per trace)\n", cmdname, RUN_MAX_TRACES);
            return -1;
        }
        c->hosts[c->nhosts++] = arg;
        if (!c->host)
            c->host = arg;
        return 0;
    case RUN_OPT_ON:
    case RUN_OPT_OFF:
        *FIELD(c, o, bool) = o->kind == RUN_OPT_ON;
        return 0;
    case RUN_OPT_PROGRESS:
        *FIELD(c, o, bool) = !live;
        c->progress_lines = !live;
        return 0;
    case RUN_OPT_LIST:
    case RUN_OPT_HELP:
        return 0;
    }
    return -1;
}

/* Every field at its default: deflt read as a value, flags per their kind. */
static void set_defaults(struct run_config *c, bool live)
{
    *c = (struct run_config){0};
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        if (o->kind == RUN_OPT_OFF && o->deflt)
            *FIELD(c, o, bool) = true;
        else if (o->kind == RUN_OPT_PROGRESS)
            *FIELD(c, o, bool) = !live && isatty(2);
        else if (o->deflt && o->kind != RUN_OPT_OFF && set_value(c, o, o->deflt, live) < 0)
            abort();            /* a bad default: check_run_options catches it first */
    }
}

/* The operands and the checks across options, after the last option. */
static int check_operands(int argc, char **argv, struct run_config *c, bool live, void (*usage)(FILE *out))
{
    if (live) {
        if (optind < argc) {
            fprintf(stderr, "rxsim live: unexpected argument '%s' (live reads -i IFACE, not traces)\n\n",
                    argv[optind]);
            usage(stderr);
            return -1;
        }
        if (c->nhosts > 1) {
            fprintf(stderr, "rxsim live: one --host at most (the interface's host)\n");
            return -1;
        }
        if (!c->iface || !*c->iface) {
            fprintf(stderr, "rxsim live: no interface given (-i IFACE)\n\n");
            usage(stderr);
            return -1;
        }
    } else {
        if (c->read)                    /* -r FILE: the first trace */
            c->traces[c->ntraces++] = c->read;
        if (optind == argc && !c->read && !c->list_costs && !c->closed) {
            fprintf(stderr, "rxsim run: no trace given\n\n");
            usage(stderr);
            return -1;
        }
        if (c->ntraces + argc - optind > RUN_MAX_TRACES) {
            fprintf(stderr, "rxsim run: at most %d traces (one NIC each)\n", RUN_MAX_TRACES);
            return -1;
        }
        for (int i = optind; i < argc; i++)
            c->traces[c->ntraces++] = argv[i];
        if (c->nics && c->ntraces > 1) {
            fprintf(stderr, "rxsim run: --nics spreads one trace over several NICs; %d traces "
                            "already give one NIC each\n", c->ntraces);
            return -1;
        }
        if (c->nhosts && c->nhosts != c->ntraces) {
            fprintf(stderr, "rxsim run: %d --host for %d trace%s: give one --host per trace, in trace "
                            "order (--host guess to guess one), or none to guess each\n\n",
                    c->nhosts, c->ntraces, c->ntraces > 1 ? "s" : "");
            usage(stderr);
            return -1;
        }
    }
    if (!c->app)
        c->app = "linux";
    if (c->json && c->csv) {
        fprintf(stderr, "%s: --json and --csv: choose one\n", cmdname);
        return -1;
    }
    return 0;
}

int run_options_parse(int argc, char **argv, struct run_config *c, enum run_mode mode,
                      void (*usage)(FILE *out), int *exit_now)
{
    struct option longopts[2 * (sizeof run_options / sizeof run_options[0]) + 1];   /* names and aliases */
    char shortopts[2 * sizeof run_options / sizeof run_options[0] + 1];
    size_t ns = 0, nl = 0;
    bool live = mode == RUN_MODE_LIVE;
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        bool takes = o->kind != RUN_OPT_ON && o->kind != RUN_OPT_OFF && o->kind != RUN_OPT_PROGRESS &&
                     o->kind != RUN_OPT_LIST && o->kind != RUN_OPT_HELP;
        int has = o->kind == RUN_OPT_SPEED ? optional_argument : takes ? required_argument : no_argument;
        longopts[nl++] = (struct option){ o->name, has, NULL, 256 + (int)i };
        if (o->alias)
            longopts[nl++] = (struct option){ o->alias, has, NULL, 256 + (int)i };
        if (o->short_name && (o->modes & (1u << mode))) {
            shortopts[ns++] = o->short_name;
            if (takes)
                shortopts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){0};
    shortopts[ns] = '\0';
    cmdname = live ? "rxsim live" : "rxsim run";
    set_defaults(c, live);
    int ch;
    optind = 1;
    opterr = 0;
    *exit_now = -1;
    const struct run_option *closed_only = NULL;    /* the first option that only the senders read */
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const struct run_option *o = NULL;
        if (ch >= 256)
            o = &run_options[ch - 256];
        for (size_t i = 0; !o && ch != '?' && i < run_noptions; i++)
            if (run_options[i].short_name == ch)
                o = &run_options[i];
        if (!o) {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n\n", cmdname, argv[optind - 1]);
            usage(stderr);
            return -1;
        }
        if (!(o->modes & (1u << mode))) {
            fprintf(stderr, "%s: %s is an option of rxsim %s only\n\n", cmdname, argv[optind - 1],
                    live ? "run" : "live");
            usage(stderr);
            return -1;
        }
        if (o->kind == RUN_OPT_LIST || o->kind == RUN_OPT_HELP) {
            if (o->kind == RUN_OPT_LIST)
                list_all();
            else
                usage(stdout);
            *exit_now = 0;              /* RX_EXIT_OK: answered, nothing to run */
            return 0;
        }
        if (set_value(c, o, optarg, live) < 0)
            return -1;
        if (o->echo == RUN_ECHO_CLOSED && !closed_only)
            closed_only = o;
    }
    if (closed_only && !c->closed) {    /* an option nothing would read: say so, never ignore it */
        fprintf(stderr, "%s: --%s is for --replay closed (the simulated senders); a trace replayed as "
                        "captured has no sender to set\n", cmdname, closed_only->name);
        return -1;
    }
    return check_operands(argc, argv, c, live, usage);
}

/* --- the report's "config" ---------------------------------------------- */

static void echo_one(json_object *out, const struct run_config *c, const struct run_option *o,
                     const char *host_addr, json_object *hosts)
{
    char key[64];
    snprintf(key, sizeof key, "%s", o->json ? o->json : o->name);
    for (char *p = key; *p; p++)
        if (*p == '-')
            *p = '_';
    json_object *v = NULL;
    switch (o->kind) {
    case RUN_OPT_INT: v = json_object_new_int(*CFIELD(c, o, int)); break;
    case RUN_OPT_UINT: v = json_object_new_uint64(*CFIELD(c, o, uint32_t)); break;
    case RUN_OPT_SEED: case RUN_OPT_COUNT: v = json_object_new_uint64(*CFIELD(c, o, uint64_t)); break;
    case RUN_OPT_DOUBLE: case RUN_OPT_SPEED: v = json_object_new_double(*CFIELD(c, o, double)); break;
    case RUN_OPT_CAP: case RUN_OPT_BUDGET: v = json_object_new_uint64(*CFIELD(c, o, size_t)); break;
    case RUN_OPT_NAME: case RUN_OPT_TEXT: case RUN_OPT_REPLAY:     /* unset (not resolved): null */
        v = *CFIELD(c, o, char *) ? json_object_new_string(*CFIELD(c, o, char *)) : NULL;
        break;
    case RUN_OPT_CHOICE: {
        const char *bar = strchr(o->choices, '|');
        bool second = *CFIELD(c, o, bool);
        v = second ? json_object_new_string(bar + 1)
                   : json_object_new_string_len(o->choices, (int)(bar - o->choices));
        break;
    }
    case RUN_OPT_HOST: v = json_object_new_string(host_addr); break;
    case RUN_OPT_ON: case RUN_OPT_OFF: case RUN_OPT_PROGRESS:
        v = json_object_new_boolean(*CFIELD(c, o, bool));
        break;
    case RUN_OPT_LIST: case RUN_OPT_HELP: return;
    }
    json_object_object_add(out, key, v);
    if (o->kind == RUN_OPT_HOST && hosts)
        json_object_object_add(out, "hosts", hosts);
}

void run_config_echo_json(const struct run_config *c, const char *host_addr, json_object *hosts,
                          json_object *out)
{
    json_object *traces = json_object_new_array();
    for (int i = 0; i < c->ntraces; i++)
        json_object_array_add(traces, json_object_new_string(c->traces[i]));
    json_object_object_add(out, "traces", traces);
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        if (o->echo != RUN_ECHO_SOURCE)
            continue;
        bool given = o->kind == RUN_OPT_TEXT ? *CFIELD(c, o, char *) != NULL : *CFIELD(c, o, uint32_t) != 0;
        if (given)
            echo_one(out, c, o, host_addr, hosts);
    }
    for (size_t i = 0; i < run_noptions; i++) {
        const struct run_option *o = &run_options[i];
        bool given = o->kind == RUN_OPT_COUNT ? *CFIELD(c, o, uint64_t) != 0
                   : o->kind == RUN_OPT_DOUBLE ? *CFIELD(c, o, double) != 0 : false;
        if (o->echo == RUN_ECHO_VALUE || (o->echo == RUN_ECHO_GIVEN && given) || (o->echo == RUN_ECHO_CLOSED && c->closed))
            echo_one(out, c, o, host_addr, hosts);
    }
}
