/* sim/validate/kernel_perf.c: the perf record life cycle of kernel_perf.h.
 * perf runs in our own (initial) network namespace: -a samples every CPU
 * whatever namespace the peers are in. */
#include "sim/validate/kernel_perf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/validate/kernel_counters.h"
#include "sim/validate/kernel_env.h"
#include "sim/validate/kernel_exec.h"

/* perf's log, for an error message. */
static void log_tail(const struct kernel_perf *p, char *buf, size_t cap)
{
    char why[64];
    static char text[1 << 14];
    if (kernel_read_text(p->log, text, sizeof text, why, sizeof why) < 0) {
        snprintf(buf, cap, "(no log)");
        return;
    }
    size_t len = strlen(text);
    const char *from = len > 300 ? text + len - 300 : text;
    size_t k = strlen(from) < cap - 1 ? strlen(from) : cap - 1;
    memcpy(buf, from, k);
    buf[k] = '\0';
}

/* Reads "ack\n" from the ack fifo within timeout_ms. */
static int wait_ack(struct kernel_perf *p, const char *what, int timeout_ms, char *err, size_t n)
{
    char buf[64];
    size_t len = 0;
    long long end = kernel_now_ms() + timeout_ms;
    while (len < sizeof buf - 1) {
        long long left = end - kernel_now_ms();
        struct pollfd pf = { p->ack, POLLIN, 0 };
        int r = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t k = read(p->ack, buf + len, sizeof buf - 1 - len);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
        buf[len] = '\0';
        if (strchr(buf, '\n'))
            return strncmp(buf, "ack", 3) == 0 ? 0 : (snprintf(err, n, "perf answered '%s' to %s", buf, what), -1);
    }
    char tail[320];
    log_tail(p, tail, sizeof tail);
    snprintf(err, n, "perf did not acknowledge '%s' within %d ms: %s", what, timeout_ms, tail);
    return -1;
}

int kernel_perf_start(struct kernel_perf *p, const char *dir, uint64_t period_ns, char *err, size_t n)
{
    *p = (struct kernel_perf){ .pid = 0, .ctl = -1, .ack = -1 };
    snprintf(p->data, sizeof p->data, "%s/perf.data", dir);
    snprintf(p->ctl_path, sizeof p->ctl_path, "%s/perf.ctl", dir);
    snprintf(p->ack_path, sizeof p->ack_path, "%s/perf.ack", dir);
    snprintf(p->log, sizeof p->log, "%s/perf.log", dir);
    unlink(p->ctl_path);
    unlink(p->ack_path);
    if (mkfifo(p->ctl_path, 0600) != 0 || mkfifo(p->ack_path, 0600) != 0) {
        snprintf(err, n, "mkfifo in %s: %s", dir, strerror(errno));
        return -1;
    }
    /* O_RDWR: opening never blocks, and perf opening its ends late is fine. */
    p->ctl = open(p->ctl_path, O_RDWR | O_CLOEXEC);
    p->ack = open(p->ack_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (p->ctl < 0 || p->ack < 0) {
        snprintf(err, n, "open perf fifos in %s: %s", dir, strerror(errno));
        kernel_perf_stop(p, err + strlen(err), 0);
        return -1;
    }
    char period[24], control[420];
    snprintf(period, sizeof period, "%" PRIu64, period_ns);
    snprintf(control, sizeof control, "fifo:%s,%s", p->ctl_path, p->ack_path);
    char *argv[] = { "perf", "record", "-q", "--no-bpf-event", "-e", "cpu-clock", "-a", "-g", "-c", period, "-D", "-1",
                     "--control", control, "-o", p->data, NULL };
    p->pid = kernel_spawn(NULL, argv, p->log, NULL, err, n);
    if (p->pid < 0) {
        p->pid = 0;
        kernel_perf_stop(p, NULL, 0);
        return -1;
    }
    kernel_env_guard_child(p->pid);
    if (write(p->ctl, "ping\n", 5) != 5 || wait_ack(p, "ping", 10000, err, n) != 0) {
        char ignore[64];
        kernel_perf_stop(p, ignore, sizeof ignore);
        return -1;
    }
    return 0;
}

int kernel_perf_cmd(struct kernel_perf *p, const char *cmd, int timeout_ms, char *err, size_t n)
{
    char line[32];
    int len = snprintf(line, sizeof line, "%s\n", cmd);
    if (write(p->ctl, line, (size_t)len) != len) {
        snprintf(err, n, "perf control fifo: %s", strerror(errno));
        return -1;
    }
    return wait_ack(p, cmd, timeout_ms, err, n);
}

int kernel_perf_stop(struct kernel_perf *p, char *err, size_t n)
{
    int rc = 0;
    if (p->pid > 0) {
        kill(p->pid, SIGINT);
        char why[160];
        int st = kernel_reap(p->pid, 60000, why, sizeof why);
        kernel_env_unguard_child(p->pid);
        p->pid = 0;
        if (st != 0 && st != KERNEL_SIGNALLED + SIGINT) {
            char tail[320];
            log_tail(p, tail, sizeof tail);
            if (err && n)
                snprintf(err, n, "perf record exited %d%s%s: %s", st, st < 0 ? ": " : "", st < 0 ? why : "", tail);
            rc = -1;
        }
    }
    if (p->ctl >= 0)
        close(p->ctl);
    if (p->ack >= 0)
        close(p->ack);
    p->ctl = p->ack = -1;
    unlink(p->ctl_path);
    unlink(p->ack_path);
    return rc;
}
