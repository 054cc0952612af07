/* sim/validate/kernel_env.c: the netns + veth bench of kernel_env.h.
 *
 * Every setting is made with `ip` / `ethtool` (fixed argv through
 * kernel_exec) or a sysfs write from inside the namespace, and every one is
 * read back: a bench that silently kept GRO on would make the GRO-off rows
 * lie.  Offloads are off on both ends (tx rx sg tso gso gro), so without
 * GRO each skb is one MSS-sized segment, as on a wire.  Set-up takes about
 * 0.3 s (two namespaces, ~20 short ip/ethtool runs); deletion returns at
 * once, the kernel frees the namespaces behind our back. */
#include "sim/validate/kernel_env.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim/validate/kernel_exec.h"

#define CMD_TIMEOUT_MS 10000

void kernel_opts_default(struct kernel_opts *o)
{
    *o = (struct kernel_opts){
        .bytes = 512ull << 20,
        .msg_size = 65536,
        .sample_period_ns = 100000,
        .keep_dir = NULL,
        .tag = "kernel",
        .timeout_s = 60,
    };
}

/* Runs argv... (NULL-terminated) in ns; non-zero exit is an error whose text
 * is the command and its output. */
static int cmd(const char *ns, char *out, size_t outn, char *err, size_t n, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, n);
    while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    char buf[4096], *o = out ? out : buf;
    size_t on = out ? outn : sizeof buf;
    int st = kernel_exec(ns, argv, o, on, CMD_TIMEOUT_MS, err, n);
    if (st == 0)
        return 0;
    if (st > 0) {
        char line[256] = "";
        for (int i = 0; i < argc && strlen(line) < 200; i++)
            snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", i ? " " : "", argv[i]);
        snprintf(err, n, "`%s`%s%s exited %d: %.300s", line, ns ? " in " : "", ns ? ns : "", st, o);
    }
    return -1;
}

static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
    char *save, *dir = strtok_r(buf, ":", &save);
    for (; dir; dir = strtok_r(NULL, ":", &save)) {
        char p[640];
        snprintf(p, sizeof p, "%s/%s", dir, prog);
        if (access(p, X_OK) == 0)
            return true;
    }
    return false;
}

/* kallsyms with real addresses (kptr_restrict lets root see them). */
static bool kallsyms_readable(void)
{
    FILE *f = fopen("/proc/kallsyms", "r");
    if (!f)
        return false;
    char line[256];
    bool real = false;
    for (int i = 0; i < 100 && fgets(line, sizeof line, f); i++)
        if (strtoull(line, NULL, 16) != 0)
            real = true;
    fclose(f);
    return real;
}

/* Deletes /run/netns/name as `ip netns del` does; async-signal-safe. */
static void ns_delete(const char *name)
{
    char path[96] = "/run/netns/";
    size_t k = strlen(path);
    for (size_t i = 0; name[i] && k < sizeof path - 1; i++)
        path[k++] = name[i];
    path[k] = '\0';
    umount2(path, MNT_DETACH);
    unlink(path);
}

static int ns_make(const char *name, char *err, size_t n)
{
    char path[96];
    snprintf(path, sizeof path, "/run/netns/%s", name);
    if (access(path, F_OK) == 0)
        ns_delete(name);    /* left by a run that was killed: the name carries our tag */
    /* Two `ip netns add` at once can race on /run/netns's own mount (seen
     * once here: exit 255 while another bench was being made): retry. */
    for (int attempt = 0;; attempt++) {
        if (cmd(NULL, NULL, 0, err, n, "ip", "netns", "add", name, NULL) == 0)
            return 0;
        if (attempt == 2)
            return -1;
        ns_delete(name);
        struct timespec d = { 0, 100 * 1000 * 1000 };
        nanosleep(&d, NULL);
    }
}

static int check_can(const struct kernel_opts *o, char *why, size_t n)
{
    if (geteuid() != 0) {
        snprintf(why, n, "not root (network namespaces, veth, system-wide perf need it)");
        return 77;
    }
    const char *need[] = { "ip", "ethtool", "perf", "tcpdump" };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!on_path(need[i])) {
            snprintf(why, n, "'%s' not found on PATH", need[i]);
            return 77;
        }
    if (!kallsyms_readable()) {
        snprintf(why, n, "/proc/kallsyms shows no addresses (kptr_restrict): kernel samples cannot be named");
        return 77;
    }
    size_t len = strlen(o->tag);
    if (len == 0 || len > 8 || strspn(o->tag, "abcdefghijklmnopqrstuvwxyz0123456789") != len) {
        snprintf(why, n, "tag '%s': 1-8 characters of [a-z0-9] (it goes into interface names)", o->tag);
        return 1;
    }
    return 0;
}

static int offloads_off(const char *ns, const char *dev, char *err, size_t n)
{
    char out[8192];
    if (cmd(ns, out, sizeof out, err, n, "ethtool", "-K", dev, "tx", "off", "rx", "off", "sg", "off",
            "tso", "off", "gso", "off", "gro", "off", NULL) != 0 &&
        cmd(ns, out, sizeof out, err, n, "ethtool", "-k", dev, NULL) != 0)
        return -1;
    if (cmd(ns, out, sizeof out, err, n, "ethtool", "-k", dev, NULL) != 0)
        return -1;
    const char *keys[] = { "rx-checksumming: on", "tx-checksumming: on", "scatter-gather: on",
                           "tcp-segmentation-offload: on", "generic-segmentation-offload: on",
                           "generic-receive-offload: on" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strstr(out, keys[i])) {
            snprintf(err, n, "%s in %s: still '%s' after ethtool -K ... off", dev, ns, keys[i]);
            return -1;
        }
    return 0;
}

/* The tag's lock: refused while another live run holds it. */
static int tag_lock(struct kernel_env *e, char *why, size_t n)
{
    char path[96];
    snprintf(path, sizeof path, "/run/rxsim-kernel-%s.lock", e->tag);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(why, n, "another run with tag '%s' is live (%s is locked): use another tag", e->tag, path);
        close(fd);
        return -1;
    }
    e->lock_fd = fd;
    e->locked = true;
    return 0;
}

int kernel_env_up(struct kernel_env *e, const struct kernel_opts *o, char *why, size_t n)
{
    memset(e, 0, sizeof *e);
    int r = check_can(o, why, n);
    if (r != 0)
        return r;
    snprintf(e->tag, sizeof e->tag, "%s", o->tag);
    if (tag_lock(e, why, n) != 0)
        return 1;
    snprintf(e->ns_snd, sizeof e->ns_snd, "rxv-%s-s", o->tag);
    snprintf(e->ns_rcv, sizeof e->ns_rcv, "rxv-%s-r", o->tag);
    snprintf(e->dev_snd, sizeof e->dev_snd, "rxv%ss", o->tag);
    snprintf(e->dev_rcv, sizeof e->dev_rcv, "rxv%sr", o->tag);
    unsigned h = 5381;
    for (const char *p = o->tag; *p; p++)
        h = h * 33 + (unsigned char)*p;
    unsigned t = 1 + h % 254;
    snprintf(e->addr_snd, sizeof e->addr_snd, "10.79.%u.1", t);
    snprintf(e->addr_rcv, sizeof e->addr_rcv, "10.79.%u.2", t);
    snprintf(e->tmpdir, sizeof e->tmpdir, "/tmp/rxsim-kernel-%s.XXXXXX", o->tag);
    if (!mkdtemp(e->tmpdir)) {
        snprintf(why, n, "mkdtemp %s: %s", e->tmpdir, strerror(errno));
        e->tmpdir[0] = '\0';
        kernel_env_down(e);
        return 1;
    }
    if (ns_make(e->ns_snd, why, n) != 0) {
        kernel_env_down(e);
        return 77;          /* the first namespace is the test of whether we can */
    }
    e->ns_snd_made = true;
    if (ns_make(e->ns_rcv, why, n) != 0)
        goto fail;
    e->ns_rcv_made = true;
    if (cmd(NULL, NULL, 0, why, n, "ip", "link", "add", e->dev_snd, "netns", e->ns_snd, "type", "veth",
            "peer", "name", e->dev_rcv, "netns", e->ns_rcv, NULL) != 0)
        goto fail;
    const char *ns[2] = { e->ns_snd, e->ns_rcv }, *dev[2] = { e->dev_snd, e->dev_rcv };
    const char *addr[2] = { e->addr_snd, e->addr_rcv };
    for (int i = 0; i < 2; i++) {
        char cidr[24];
        snprintf(cidr, sizeof cidr, "%s/24", addr[i]);
        /* No IPv6 chatter (router solicitations, MLD) inside the window;
         * a kernel without IPv6 has nothing to switch off. */
        char ignore[128];
        kernel_ns_write(ns[i], "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1", ignore, sizeof ignore);
        kernel_ns_write(ns[i], "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1", ignore, sizeof ignore);
        if (cmd(NULL, NULL, 0, why, n, "ip", "-n", ns[i], "link", "set", "lo", "up", NULL) != 0 ||
            cmd(NULL, NULL, 0, why, n, "ip", "-n", ns[i], "addr", "add", cidr, "dev", dev[i], NULL) != 0 ||
            cmd(NULL, NULL, 0, why, n, "ip", "-n", ns[i], "link", "set", dev[i], "up", NULL) != 0 ||
            offloads_off(ns[i], dev[i], why, n) != 0)
            goto fail;
    }
    return 0;
fail:
    kernel_env_down(e);
    return 1;
}

static int read_mtu(const char *ns, const char *dev, unsigned *mtu, char *err, size_t n)
{
    char path[96], buf[64];
    snprintf(path, sizeof path, "/sys/class/net/%s/mtu", dev);
    if (kernel_ns_read(ns, path, buf, sizeof buf, err, n) != 0)
        return -1;
    *mtu = (unsigned)strtoul(buf, NULL, 10);
    return 0;
}

/* "name: on" / "name: off" (maybe followed by " [fixed]") in ethtool -k. */
static int feature(const char *text, const char *name, bool *on, char *err, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s: ", name);
    const char *p = strstr(text, key);
    if (!p) {
        snprintf(err, n, "ethtool -k does not list %s", name);
        return -1;
    }
    p += strlen(key);
    *on = strncmp(p, "on", 2) == 0;
    return 0;
}

int kernel_env_read(struct kernel_env *e, struct kernel_settings *s, char *err, size_t n)
{
    char out[8192], path[128], buf[64];
    if (read_mtu(e->ns_snd, e->dev_snd, &s->mtu_snd, err, n) != 0 ||
        read_mtu(e->ns_rcv, e->dev_rcv, &s->mtu_rcv, err, n) != 0)
        return -1;
    if (cmd(e->ns_rcv, out, sizeof out, err, n, "ethtool", "-k", e->dev_rcv, NULL) != 0 ||
        feature(out, "generic-receive-offload", &s->gro_rcv, err, n) != 0)
        return -1;
    if (cmd(e->ns_snd, out, sizeof out, err, n, "ethtool", "-k", e->dev_snd, NULL) != 0 ||
        feature(out, "tx-checksumming", &s->tx_csum_snd, err, n) != 0)
        return -1;
    snprintf(path, sizeof path, "/sys/class/net/%s/queues/rx-0/rps_cpus", e->dev_rcv);
    if (kernel_ns_read(e->ns_rcv, path, buf, sizeof buf, err, n) != 0)
        return -1;
    s->rps_mask = (unsigned)strtoul(buf, NULL, 16);
    return 0;
}

int kernel_env_set(struct kernel_env *e, const struct val_config *c, char *err, size_t n)
{
    char mtu[16], path[128];
    snprintf(mtu, sizeof mtu, "%u", c->mtu);
    e->configured = false;
    if (cmd(NULL, NULL, 0, err, n, "ip", "-n", e->ns_snd, "link", "set", e->dev_snd, "mtu", mtu, NULL) != 0 ||
        cmd(NULL, NULL, 0, err, n, "ip", "-n", e->ns_rcv, "link", "set", e->dev_rcv, "mtu", mtu, NULL) != 0)
        return 1;
    /* On 6.x veth, GRO on the receiving end also switches its NAPI on. */
    if (cmd(e->ns_rcv, NULL, 0, err, n, "ethtool", "-K", e->dev_rcv, "gro", c->gro ? "on" : "off", NULL) != 0)
        return 1;
    /* Receive verification on = the sender computes the checksum itself
     * (tx off): the skb crosses the veth CHECKSUM_NONE and TCP verifies. */
    if (cmd(e->ns_snd, NULL, 0, err, n, "ethtool", "-K", e->dev_snd, "tx", c->csum ? "off" : "on", NULL) != 0)
        return 1;
    unsigned mask = c->placement == VAL_SAME_CPU ? 1u << VAL_READER_CPU : 1u << VAL_SENDER_CPU;
    char hex[16];
    snprintf(hex, sizeof hex, "%x", mask);
    snprintf(path, sizeof path, "/sys/class/net/%s/queues/rx-0/rps_cpus", e->dev_rcv);
    if (kernel_ns_write(e->ns_rcv, path, hex, err, n) != 0)
        return 1;
    struct kernel_settings s;
    if (kernel_env_read(e, &s, err, n) != 0)
        return 1;
    if (s.mtu_snd != c->mtu || s.mtu_rcv != c->mtu) {
        snprintf(err, n, "MTU reads back %u/%u, wanted %u", s.mtu_snd, s.mtu_rcv, c->mtu);
        return 1;
    }
    if (s.gro_rcv != c->gro || s.tx_csum_snd == c->csum || s.rps_mask != mask) {
        snprintf(err, n, "%s reads back gro %s on %s, tx-checksumming %s on %s, rps_cpus %x (wanted %s, %s, %x)",
                 c->name, s.gro_rcv ? "on" : "off", e->dev_rcv, s.tx_csum_snd ? "on" : "off", e->dev_snd,
                 s.rps_mask, c->gro ? "on" : "off", c->csum ? "off" : "on", mask);
        return 1;
    }
    e->cur = *c;
    e->configured = true;
    return 0;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

void kernel_env_down(struct kernel_env *e)
{
    kernel_env_unguard();
    if (e->ns_snd_made)
        ns_delete(e->ns_snd);
    if (e->ns_rcv_made)
        ns_delete(e->ns_rcv);
    e->ns_snd_made = e->ns_rcv_made = false;
    e->configured = false;
    if (e->tmpdir[0])
        rm_tree(e->tmpdir);
    e->tmpdir[0] = '\0';
    if (e->locked)
        close(e->lock_fd);      /* releases the tag's flock */
    e->locked = false;
}

/* The SIGINT/SIGTERM guard: file statics because a handler has no argument. */
#define GUARD_MAX 8
static struct kernel_env *guard_env;
static volatile pid_t guard_pid[GUARD_MAX];
static struct sigaction guard_old_int, guard_old_term;

static void guard_handler(int sig)
{
    for (int i = 0; i < GUARD_MAX; i++)
        if (guard_pid[i] > 0)
            kill(guard_pid[i], SIGKILL);
    if (guard_env) {
        if (guard_env->ns_snd_made)
            ns_delete(guard_env->ns_snd);
        if (guard_env->ns_rcv_made)
            ns_delete(guard_env->ns_rcv);
    }
    /* The scratch directory stays (/tmp/rxsim-kernel-TAG.*): removing a
     * tree is not async-signal-safe. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void kernel_env_guard(struct kernel_env *e)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = guard_handler;
    sigemptyset(&sa.sa_mask);
    guard_env = e;
    sigaction(SIGINT, &sa, &guard_old_int);
    sigaction(SIGTERM, &sa, &guard_old_term);
}

void kernel_env_guard_child(pid_t pid)
{
    for (int i = 0; i < GUARD_MAX; i++)
        if (guard_pid[i] <= 0) {
            guard_pid[i] = pid;
            return;
        }
}

void kernel_env_unguard_child(pid_t pid)
{
    for (int i = 0; i < GUARD_MAX; i++)
        if (guard_pid[i] == pid)
            guard_pid[i] = 0;
}

void kernel_env_unguard(void)
{
    if (!guard_env)
        return;
    sigaction(SIGINT, &guard_old_int, NULL);
    sigaction(SIGTERM, &guard_old_term, NULL);
    guard_env = NULL;
}
