/* sim/validate/kernel_capture.c: the header-only capture the model runs on
 * (kernel_capture.h).
 *
 *   tcpdump -n -i <SENDER's veth> -s 128 -B 65536 --immediate-mode -Z root -w PCAP
 *
 * in the sender's namespace: there the data leaves as wire-size segments
 * (TSO/GSO off) and the ACKs arrive unmerged (GRO stays off on the
 * sender's end), whatever the receiver's GRO setting.  On the receiving
 * veth the tap sits after GRO: with GRO on it recorded 54 frames of 65160
 * bytes for 4 MB (h-model measured it), which the model would take as
 * single frames.  tcpdump is confirmed listening (its "listening on" line)
 * before the peers connect, so the handshake is in the file, and stopped
 * with SIGTERM 200 ms after the reader has every byte, so the last ACKs
 * and FINs are too.  A capture is kept only if tcpdump dropped nothing and
 * the file holds packets. */
#include "sim/validate/kernel_capture.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/validate/kernel_counters.h"
#include "sim/validate/kernel_exec.h"
#include "sim/validate/kernel_peer.h"

/* "N <what>" in tcpdump's closing statistics; -1 when absent. */
static long long stat_of(const char *log, const char *what)
{
    const char *p = strstr(log, what);
    if (!p)
        return -1;
    while (p > log && p[-1] == ' ')
        p--;
    while (p > log && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return strtoll(p, NULL, 10);
}

static int wait_listening(const char *log_path, char *log, size_t cap, char *err, size_t n)
{
    long long end = kernel_now_ms() + 5000;
    char why[160];
    while (kernel_now_ms() < end) {
        if (kernel_read_text(log_path, log, cap, why, sizeof why) >= 0 && strstr(log, "listening on"))
            return 0;
        struct timespec d = { 0, 20 * 1000 * 1000 };
        nanosleep(&d, NULL);
    }
    snprintf(err, n, "tcpdump not listening after 5 s: %.300s", log);
    return -1;
}

int kernel_capture(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   uint64_t bytes, const char *pcap_path, char *err, size_t n)
{
    if (!e->configured || strcmp(e->cur.name, c->name) != 0) {
        snprintf(err, n, "%s: the bench is not set to this configuration (call kernel_env_set first)", c->name);
        return 1;
    }
    char log_path[256], log[8192] = "";
    snprintf(log_path, sizeof log_path, "%s/tcpdump.log", e->tmpdir);
    char *argv[] = { "tcpdump", "-n", "-i", e->dev_snd, "-s", "128", "-B", "65536", "--immediate-mode",
                     "-Z", "root", "-w", (char *)pcap_path, NULL };
    pid_t td = kernel_spawn(e->ns_snd, argv, log_path, NULL, err, n);
    if (td < 0)
        return 1;
    kernel_env_guard_child(td);
    struct kernel_peers peers;
    struct kernel_reader_result rr;
    char why[160];
    int rc = 1;
    if (wait_listening(log_path, log, sizeof log, err, n) != 0)
        goto out;
    if (kernel_peers_start(e, o, bytes, &peers, err, n) != 0 || kernel_peers_go(&peers, err, n) != 0 ||
        kernel_peers_wait(&peers, (int)o->timeout_s * 1000, &rr, err, n) != 0)
        goto out;
    struct timespec d = { 0, 200 * 1000 * 1000 };
    nanosleep(&d, NULL);
    rc = 0;
out:
    kill(td, SIGTERM);
    int st = kernel_reap(td, 5000, why, sizeof why);
    kernel_env_unguard_child(td);
    if (rc != 0)
        return rc;
    if (kernel_read_text(log_path, log, sizeof log, err, n) < 0)
        return 1;
    long long captured = stat_of(log, "packets captured"), dropped = stat_of(log, "packets dropped by kernel");
    if (st < 0 || captured < 0 || dropped < 0) {
        snprintf(err, n, "tcpdump ended without its statistics (%s): %.300s", st < 0 ? why : "exit", log);
        return 1;
    }
    if (dropped > 0 || captured == 0) {
        snprintf(err, n, "tcpdump on %s: %lld packets captured, %lld dropped by the kernel: capture %s not kept",
                 e->dev_snd, captured, dropped, pcap_path);
        unlink(pcap_path);
        return 1;
    }
    struct stat sb;
    if (stat(pcap_path, &sb) != 0 || sb.st_size <= 24) {
        snprintf(err, n, "%s: %s", pcap_path, errno ? strerror(errno) : "no packets in the file");
        return 1;
    }
    return 0;
}
