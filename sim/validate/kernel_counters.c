/* sim/validate/kernel_counters.c: /proc text → the kernel's counts around a
 * repetition (kernel_counters.h says which file gives which count).  The
 * parsers take strings so the fixtures of tests/unit/check_kernel_counters.c
 * exercise exactly the code a measurement runs. */
#include "sim/validate/kernel_counters.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <time.h>
#include <unistd.h>

/* Next line of *p (without its newline) into line[cap]; false at the end. */
static bool next_line(const char **p, char *line, size_t cap)
{
    if (**p == '\0')
        return false;
    const char *e = strchr(*p, '\n');
    size_t len = e ? (size_t)(e - *p) : strlen(*p);
    size_t k = len < cap - 1 ? len : cap - 1;
    memcpy(line, *p, k);
    line[k] = '\0';
    *p += len + (e ? 1 : 0);
    return true;
}

static int parse_u64(const char *s, int base, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, base);
    if (errno || end == s || *s == '-')
        return -1;
    *v = x;
    return 0;
}

int kernel_parse_pairs(const char *text, const char *prefix, const char *field, uint64_t *v,
                       char *err, size_t n)
{
    char names[8192], vals[8192], want[64];
    snprintf(want, sizeof want, "%s:", prefix);
    const char *p = text;
    while (next_line(&p, names, sizeof names)) {
        char *save1, *tok = strtok_r(names, " \t", &save1);
        if (!tok || strcmp(tok, want) != 0)
            continue;
        if (!next_line(&p, vals, sizeof vals)) {
            snprintf(err, n, "%s has names but no values line", want);
            return -1;
        }
        int col = -1, i = 0;
        for (tok = strtok_r(NULL, " \t", &save1); tok; tok = strtok_r(NULL, " \t", &save1), i++)
            if (strcmp(tok, field) == 0)
                col = i;
        if (col < 0)
            continue;   /* the same prefix can appear twice (TcpExt: only once today) */
        char *save2;
        tok = strtok_r(vals, " \t", &save2);
        if (!tok || strcmp(tok, want) != 0) {
            snprintf(err, n, "%s names line not followed by a %s values line", want, want);
            return -1;
        }
        for (i = 0, tok = strtok_r(NULL, " \t", &save2); tok && i < col; i++)
            tok = strtok_r(NULL, " \t", &save2);
        if (!tok || parse_u64(tok, 10, v) != 0) {
            snprintf(err, n, "%s %s: value missing or not a number", want, field);
            return -1;
        }
        return 0;
    }
    snprintf(err, n, "no %s %s field", want, field);
    return -1;
}

int kernel_parse_netdev(const char *text, const char *dev, uint64_t *rx_packets, char *err, size_t n)
{
    char line[1024], want[32];
    snprintf(want, sizeof want, "%s:", dev);
    const char *p = text;
    while (next_line(&p, line, sizeof line)) {
        char *s = line + strspn(line, " ");
        if (strncmp(s, want, strlen(want)) != 0)
            continue;
        char *save, *tok = strtok_r(s + strlen(want), " \t", &save);   /* rx bytes */
        tok = tok ? strtok_r(NULL, " \t", &save) : NULL;                /* rx packets */
        if (!tok || parse_u64(tok, 10, rx_packets) != 0) {
            snprintf(err, n, "net/dev %s: rx packets missing or not a number", dev);
            return -1;
        }
        return 0;
    }
    snprintf(err, n, "net/dev: no interface %s", dev);
    return -1;
}

int kernel_parse_softirqs(const char *text, const char *name, int cpus, uint64_t *v, char *err, size_t n)
{
    char line[4096], want[32];
    snprintf(want, sizeof want, "%s:", name);
    const char *p = text;
    while (next_line(&p, line, sizeof line)) {
        char *save, *tok = strtok_r(line, " \t", &save);
        if (!tok || strcmp(tok, want) != 0)
            continue;
        uint64_t sum = 0, x;
        int cols = 0;
        for (tok = strtok_r(NULL, " \t", &save); tok && (cpus <= 0 || cols < cpus);
             tok = strtok_r(NULL, " \t", &save), cols++) {
            if (parse_u64(tok, 10, &x) != 0) {
                snprintf(err, n, "softirqs %s column %d: '%s' is not a number", name, cols + 1, tok);
                return -1;
            }
            sum += x;
        }
        if (cols == 0) {
            snprintf(err, n, "softirqs %s: no CPU columns", name);
            return -1;
        }
        *v = sum;
        return 0;
    }
    snprintf(err, n, "softirqs: no %s row", name);
    return -1;
}

int kernel_parse_softnet(const char *text, uint64_t *v, char *err, size_t n)
{
    char line[1024];
    const char *p = text;
    uint64_t sum = 0, x;
    int lines = 0;
    while (next_line(&p, line, sizeof line)) {
        char *save, *tok = strtok_r(line, " \t", &save);
        if (!tok)
            continue;
        if (parse_u64(tok, 16, &x) != 0) {
            snprintf(err, n, "softnet_stat line %d: '%s' is not hex", lines + 1, tok);
            return -1;
        }
        sum += x;
        lines++;
    }
    if (lines == 0) {
        snprintf(err, n, "softnet_stat: no lines");
        return -1;
    }
    *v = sum;
    return 0;
}

int kernel_parse_stat(const char *text, int cpu, struct kernel_cpu_times *t, char *err, size_t n)
{
    char line[1024], want[16];
    if (cpu < 0)
        snprintf(want, sizeof want, "cpu");
    else
        snprintf(want, sizeof want, "cpu%d", cpu);
    const char *p = text;
    while (next_line(&p, line, sizeof line)) {
        char *save, *tok = strtok_r(line, " \t", &save);
        if (!tok || strcmp(tok, want) != 0)
            continue;
        uint64_t f[8];
        for (int i = 0; i < 8; i++) {
            tok = strtok_r(NULL, " \t", &save);
            if (!tok || parse_u64(tok, 10, &f[i]) != 0) {
                snprintf(err, n, "/proc/stat %s: field %d missing or not a number", want, i + 1);
                return -1;
            }
        }
        *t = (struct kernel_cpu_times){ f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] };
        return 0;
    }
    snprintf(err, n, "/proc/stat: no %s line", want);
    return -1;
}

int kernel_parse_stat_bench(const char *text, struct kernel_cpu_times *t, char *err, size_t n)
{
    struct kernel_cpu_times a, b;
    if (kernel_parse_stat(text, VAL_SENDER_CPU, &a, err, n) < 0 || kernel_parse_stat(text, VAL_READER_CPU, &b, err, n) < 0)
        return -1;
    *t = (struct kernel_cpu_times){ a.user + b.user, a.nice + b.nice, a.system + b.system, a.idle + b.idle,
                                    a.iowait + b.iowait, a.irq + b.irq, a.softirq + b.softirq, a.steal + b.steal };
    return 0;
}

/* "<number> MHz" after key in line; 1 found, 0 not, -1 malformed. */
static int mhz_after(const char *line, const char *key, double *mhz)
{
    const char *k = strstr(line, key);
    if (!k)
        return 0;
    char *end;
    double x = strtod(k + strlen(key), &end);
    if (end == k + strlen(key) || strncmp(end, " MHz", 4) != 0 || !(x > 0))
        return -1;
    *mhz = x;
    return 1;
}

int kernel_parse_tsc_dmesg(const char *text, double *ghz, char *err, size_t n)
{
    char line[1024];
    const char *p = text;
    double refined = 0, detected = 0, x;
    while (next_line(&p, line, sizeof line)) {
        int r = mhz_after(line, "tsc: Refined TSC clocksource calibration: ", &x);
        if (r == 1)
            refined = x;
        int d = r == 0 ? mhz_after(line, "tsc: Detected ", &x) : 0;
        if (d == 1)
            detected = x;
        if (r < 0 || d < 0) {
            snprintf(err, n, "kernel log: malformed TSC line '%.200s'", line);
            return -1;
        }
    }
    double mhz = refined > 0 ? refined : detected;
    if (mhz <= 0)
        return 0;
    *ghz = mhz / 1000.0;
    return refined > 0 ? 2 : 1;
}

int kernel_parse_tsc_cpuinfo(const char *text, double *ghz, char *err, size_t n)
{
    char line[1024];
    const char *p = text;
    while (next_line(&p, line, sizeof line)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        const char *at = strrchr(line, '@');
        if (!at)
            return 0;   /* e.g. "AMD EPYC": no nominal frequency */
        char *end;
        double x = strtod(at + 1, &end);
        if (end == at + 1 || strncmp(end, "GHz", 3) != 0 || !(x > 0)) {
            snprintf(err, n, "cpuinfo: cannot read a frequency in '%.200s'", line);
            return -1;
        }
        *ghz = x;
        return 1;
    }
    return 0;
}

int kernel_snap_delta(const struct kernel_snap *a, const struct kernel_snap *b,
                      struct val_counters *c, char *err, size_t n)
{
    const struct { const char *name; uint64_t x, y; } f[] = {
        { "net/dev rx packets", a->rx_packets, b->rx_packets },
        { "Tcp InSegs", a->in_segs, b->in_segs },
        { "Tcp OutSegs", a->out_segs, b->out_segs },
        { "TcpExt DelayedACKs", a->delayed_acks, b->delayed_acks },
        { "softirqs NET_RX", a->net_rx, b->net_rx },
        { "softnet_stat processed", a->softnet_processed, b->softnet_processed },
        { "/proc/stat cpu total", a->cpu_total, b->cpu_total },
        { "/proc/stat cpu steal", a->cpu_steal, b->cpu_steal },
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].y < f[i].x) {
            snprintf(err, n, "%s went backwards (%" PRIu64 " -> %" PRIu64 ")", f[i].name, f[i].x, f[i].y);
            return -1;
        }
    c->seconds = b->t - a->t;
    c->segs_in = b->rx_packets - a->rx_packets;
    c->segs_out = b->out_segs - a->out_segs;
    c->delayed_acks = b->delayed_acks - a->delayed_acks;
    c->net_rx_softirqs = b->net_rx - a->net_rx;
    c->skbs = b->in_segs - a->in_segs;
    uint64_t all = b->cpu_total - a->cpu_total;
    c->steal_share = all ? (double)(b->cpu_steal - a->cpu_steal) / (double)all : 0;
    return 0;
}

uint64_t kernel_snap_other_skbs(const struct kernel_snap *a, const struct kernel_snap *b)
{
    uint64_t ours = (b->in_segs - a->in_segs) + (b->out_segs - a->out_segs);
    uint64_t all = b->softnet_processed - a->softnet_processed;
    return all > ours ? all - ours : 0;
}

ssize_t kernel_read_text(const char *path, char *buf, size_t cap, char *err, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, n, "%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == cap - 1) {
            snprintf(err, n, "%s: longer than %zu bytes", path, cap - 1);
            close(fd);
            return -1;
        }
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

int kernel_snap_open(pid_t pid, const char *ifname, struct kernel_snap_src *src, char *err, size_t n)
{
    char path[64];
    src->snmp = src->netstat = src->dev = -1;
    snprintf(src->ifname, sizeof src->ifname, "%s", ifname);
    const char *file[3] = { "snmp", "netstat", "dev" };
    int *fd[3] = { &src->snmp, &src->netstat, &src->dev };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, file[i]);
        *fd[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (*fd[i] < 0)
            break;
    }
    if (src->snmp < 0 || src->netstat < 0 || src->dev < 0) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        kernel_snap_close(src);
        return -1;
    }
    return 0;
}

void kernel_snap_close(struct kernel_snap_src *src)
{
    if (src->snmp >= 0)
        close(src->snmp);
    if (src->netstat >= 0)
        close(src->netstat);
    if (src->dev >= 0)
        close(src->dev);
    src->snmp = src->netstat = src->dev = -1;
}

/* The whole of an open proc file, from its start again. */
static int reread(int fd, const char *what, char *buf, size_t cap, char *err, size_t n)
{
    size_t len = 0;
    ssize_t k;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        snprintf(err, n, "%s: seek: %s", what, strerror(errno));
        return -1;
    }
    while (len < cap - 1 && (k = read(fd, buf + len, cap - 1 - len)) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(err, n, "%s: %s", what, strerror(errno));
            return -1;
        }
        len += (size_t)k;
    }
    buf[len] = '\0';
    return 0;
}

int kernel_snap_take(const struct kernel_snap_src *src, struct kernel_snap *s, char *err, size_t n)
{
    static char buf[1 << 16];   /* one caller at a time: the parent around a rep */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->t = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    if (reread(src->snmp, "receiver ns net/snmp", buf, sizeof buf, err, n) < 0 ||
        kernel_parse_pairs(buf, "Tcp", "InSegs", &s->in_segs, err, n) < 0 ||
        kernel_parse_pairs(buf, "Tcp", "OutSegs", &s->out_segs, err, n) < 0)
        return -1;
    if (reread(src->dev, "receiver ns net/dev", buf, sizeof buf, err, n) < 0 ||
        kernel_parse_netdev(buf, src->ifname, &s->rx_packets, err, n) < 0)
        return -1;
    if (reread(src->netstat, "receiver ns net/netstat", buf, sizeof buf, err, n) < 0 ||
        kernel_parse_pairs(buf, "TcpExt", "DelayedACKs", &s->delayed_acks, err, n) < 0)
        return -1;
    if (kernel_read_text("/proc/softirqs", buf, sizeof buf, err, n) < 0 ||
        kernel_parse_softirqs(buf, "NET_RX", 2, &s->net_rx, err, n) < 0)  /* CPU 0 and 1: the bench's */
        return -1;
    if (kernel_read_text("/proc/net/softnet_stat", buf, sizeof buf, err, n) < 0 ||
        kernel_parse_softnet(buf, &s->softnet_processed, err, n) < 0)
        return -1;
    struct kernel_cpu_times t;
    if (kernel_read_text("/proc/stat", buf, sizeof buf, err, n) < 0 || kernel_parse_stat_bench(buf, &t, err, n) < 0)
        return -1;
    s->cpu_total = kernel_cpu_total(&t);
    s->cpu_steal = t.steal;
    return 0;
}

static double now_raw(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* rdtsc against CLOCK_MONOTONIC_RAW over 100 ms: the fallback when neither
 * the kernel log nor the model name states the frequency. */
static double tsc_measured(void)
{
    double t0 = now_raw();
    uint64_t c0 = __builtin_ia32_rdtsc();
    struct timespec d = { 0, 100 * 1000 * 1000 };
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
    uint64_t c1 = __builtin_ia32_rdtsc();
    double t1 = now_raw();
    return (double)(c1 - c0) / ((t1 - t0) * 1e9);
}

double kernel_tsc_ghz(const char **source)
{
    static char buf[1 << 20];
    char err[256];
    double ghz = 0;
    int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, (int)sizeof buf - 1);
    if (len > 0) {
        buf[len] = '\0';
        int r = kernel_parse_tsc_dmesg(buf, &ghz, err, sizeof err);
        if (r > 0) {
            *source = r == 2 ? "kernel log: tsc: Refined TSC clocksource calibration"
                             : "kernel log: tsc: Detected ... MHz processor";
            return ghz;
        }
    }
    if (kernel_read_text("/proc/cpuinfo", buf, sizeof buf, err, sizeof err) > 0 &&
        kernel_parse_tsc_cpuinfo(buf, &ghz, err, sizeof err) == 1) {
        *source = "/proc/cpuinfo model name @ GHz";
        return ghz;
    }
    *source = "measured: rdtsc against CLOCK_MONOTONIC_RAW over 100 ms";
    return tsc_measured();
}
