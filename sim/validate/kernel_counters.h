/* sim/validate/kernel_counters.h: the kernel's own counts around one
 * repetition, parsed from /proc text.  Pure functions over strings, so the
 * parsing and the delta arithmetic are unit-tested on fixtures
 * (tests/unit/check_kernel_counters.c) without root or a kernel.
 *
 *   /proc/<reader>/net/dev      the receiving veth's rx packets: wire segments
 *   /proc/<reader>/net/snmp     "Tcp:" InSegs, OutSegs (the receiver's netns);
 *                               InSegs counts skbs after GRO on 6.x (measured:
 *                               it equals softnet processed minus ACKs)
 *   /proc/<reader>/net/netstat  "TcpExt:" DelayedACKs
 *   /proc/softirqs              NET_RX, summed over CPUs
 *   /proc/net/softnet_stat      column 1 (processed, hex), summed over CPUs
 *   /proc/stat                  "cpu" line: all time and steal (jiffies)
 *   dmesg / /proc/cpuinfo       the TSC frequency */
#ifndef RXSIM_VALIDATE_KERNEL_COUNTERS_H
#define RXSIM_VALIDATE_KERNEL_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/validate/validate.h"

struct kernel_snap {
    double t;                       /* CLOCK_MONOTONIC, seconds */
    uint64_t rx_packets;            /* receiving veth, /proc/<reader>/net/dev */
    uint64_t in_segs, out_segs;     /* receiver ns Tcp */
    uint64_t delayed_acks;          /* receiver ns TcpExt */
    uint64_t net_rx;                /* all CPUs */
    uint64_t softnet_processed;     /* all CPUs (per-CPU counters are global, not per netns) */
    uint64_t cpu_total, cpu_steal;  /* /proc/stat aggregate "cpu" line, jiffies */
};

/* CPU times of one /proc/stat line, jiffies. */
struct kernel_cpu_times {
    uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};
static inline uint64_t kernel_cpu_total(const struct kernel_cpu_times *t)
{
    /* guest and guest_nice are already inside user and nice */
    return t->user + t->nice + t->system + t->idle + t->iowait + t->irq + t->softirq + t->steal;
}

/* In the "Prefix: name name ..." / "Prefix: value value ..." line pairs of
 * /proc/net/snmp and /proc/net/netstat, the value of prefix's field.
 * 0, or -1 with err naming the prefix/field (absent, or not a number). */
int kernel_parse_pairs(const char *text, const char *prefix, const char *field, uint64_t *v,
                       char *err, size_t n);

/* /proc/net/dev: the rx packets column of interface dev. */
int kernel_parse_netdev(const char *text, const char *dev, uint64_t *rx_packets, char *err, size_t n);

/* /proc/softirqs: the row `name` ("NET_RX") summed over the first `cpus`
 * CPU columns (CPU0, CPU1, ...; 0: all of them). */
int kernel_parse_softirqs(const char *text, const char *name, int cpus, uint64_t *v, char *err, size_t n);

/* /proc/net/softnet_stat: first column (hex) summed over lines. */
int kernel_parse_softnet(const char *text, uint64_t *v, char *err, size_t n);

/* /proc/stat: the line "cpu" (cpu < 0) or "cpuN". */
int kernel_parse_stat(const char *text, int cpu, struct kernel_cpu_times *t, char *err, size_t n);
/* The bench's CPUs, 0 and 1, added up: a bigger host's other CPUs must not
 * dilute (or lend) the steal and other-tenant shares. */
int kernel_parse_stat_bench(const char *text, struct kernel_cpu_times *t, char *err, size_t n);

/* TSC frequency in GHz from kernel log text ("tsc: Refined TSC clocksource
 * calibration: 2445.399 MHz" preferred over "tsc: Detected 2445.404 MHz
 * processor"; the last such line wins) or from /proc/cpuinfo's model name
 * ("... @ 2.10GHz").  0 when the text says nothing; -1 with err if malformed. */
int kernel_parse_tsc_dmesg(const char *text, double *ghz, char *err, size_t n);
int kernel_parse_tsc_cpuinfo(const char *text, double *ghz, char *err, size_t n);

/* The repetition's counters from two snapshots: segs_in = rx_packets delta
 * (segments on the wire, before GRO), segs_out, delayed_acks,
 * net_rx_softirqs, skbs = Tcp InSegs delta (one per skb TCP took in, after
 * GRO), steal_share, seconds.  Not softnet_stat's processed minus the ACKs:
 * that counter is per CPU, not per namespace, and the e2e test saw it count
 * 150-490 skbs of other namespaces' traffic in an 8 MiB rep
 * (kernel_snap_other_skbs says how many).  Fails (-1, err) when a counter
 * went backwards. */
int kernel_snap_delta(const struct kernel_snap *a, const struct kernel_snap *b,
                      struct val_counters *c, char *err, size_t n);

/* Skbs the CPUs processed in the window that were neither our data nor our
 * ACKs: softnet processed - (InSegs + OutSegs) deltas, 0 if negative.  A
 * measure of other traffic on the host during a rep. */
uint64_t kernel_snap_other_skbs(const struct kernel_snap *a, const struct kernel_snap *b);

/* Reads a whole small file (< cap bytes) into buf, NUL-terminated.
 * Returns the length or -1 with err naming the path and errno. */
ssize_t kernel_read_text(const char *path, char *buf, size_t cap, char *err, size_t n);

/* The receiver namespace's /proc/<pid>/net/{snmp,netstat}, opened while a
 * process of that namespace (the reader) lives: an open proc-net file keeps
 * its namespace, so the "after" snapshot still reads it once the reader has
 * exited. */
struct kernel_snap_src { int snmp, netstat, dev; char ifname[16]; };
int kernel_snap_open(pid_t pid_in_rcv_ns, const char *ifname, struct kernel_snap_src *src, char *err,
                     size_t n);
void kernel_snap_close(struct kernel_snap_src *src);

/* Takes a snapshot: the receiver-ns counters through src, the rest
 * system-wide. */
int kernel_snap_take(const struct kernel_snap_src *src, struct kernel_snap *s, char *err, size_t n);

/* TSC GHz and where it came from ("dmesg refined", "dmesg detected",
 * "cpuinfo model name", "measured rdtsc vs CLOCK_MONOTONIC_RAW over 100 ms"). */
double kernel_tsc_ghz(const char **source);

#endif
