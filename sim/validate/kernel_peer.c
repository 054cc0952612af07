/* sim/validate/kernel_peer.c: the sender and reader processes of
 * kernel_peer.h.  Children report in single bytes and one fixed-size
 * struct over pipes (< PIPE_BUF, so each write is atomic); a child's error
 * is a message prefixed 'E' and ends the transfer. */
#include "sim/validate/kernel_peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/validate/kernel_exec.h"

#define PEER_PORT 5001
#define SETUP_TIMEOUT_MS 5000
#define WRITE_SIZE 65536

/* A child's message for the parent ("what arg: strerror(errno)", without
 * the errno part when errno is 0), then exit. */
static void die(int fd, const char *what, const char *arg)
{
    char msg[256];
    int e = errno;
    msg[0] = 'E';
    snprintf(msg + 1, sizeof msg - 1, "%s%s%s%s%s", what, arg[0] ? " " : "", arg, e ? ": " : "", e ? strerror(e) : "");
    if (write(fd, msg, strlen(msg)) < 0)
        _exit(3);
    _exit(2);
}

static void tell(int fd, char c)
{
    if (write(fd, &c, 1) != 1)
        _exit(3);
}

static void pin(int fd, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die(fd, "pin to CPU", cpu == VAL_READER_CPU ? "1" : "0");
}

static void enter(int fd, const char *ns)
{
    char why[200];
    if (kernel_ns_enter(ns, why, sizeof why) != 0) {
        errno = 0;
        die(fd, why, "");
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double cpu_of(const struct rusage *u)
{
    return (double)(u->ru_utime.tv_sec + u->ru_stime.tv_sec) +
           (double)(u->ru_utime.tv_usec + u->ru_stime.tv_usec) * 1e-6;
}

static void reader_main(const struct kernel_env *e, unsigned msg_size, int out)
{
    prctl(PR_SET_NAME, "rxv-reader");   /* its comm in perf script */
    enter(out, e->ns_rcv);
    pin(out, VAL_READER_CPU);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
    inet_pton(AF_INET, e->addr_rcv, &a.sin_addr);
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0)
        die(out, "reader: listen on", e->addr_rcv);
    tell(out, 'L');
    struct pollfd pf = { ls, POLLIN, 0 };
    if (poll(&pf, 1, SETUP_TIMEOUT_MS) != 1) {
        errno = 0;
        die(out, "reader: no connection within", "5 s");
    }
    int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (s < 0)
        die(out, "reader: accept", "");
    close(ls);
    char *buf = malloc(msg_size);
    size_t cap = 1 << 16, nq = 0;
    uint64_t *q = malloc(cap * sizeof *q);
    if (!buf || !q)
        die(out, "reader: out of memory", "");
    struct kernel_reader_result r = { 0 };
    struct rusage u0, u1;
    getrusage(RUSAGE_SELF, &u0);
    tell(out, 'A');
    for (;;) {
        int queued = 0;
        ioctl(s, FIONREAD, &queued);
        ssize_t k = recv(s, buf, msg_size, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            die(out, "reader: recv", "");
        if (nq == cap) {
            cap *= 2;
            uint64_t *bigger = realloc(q, cap * sizeof *q);
            if (!bigger)
                die(out, "reader: out of memory", "");
            q = bigger;
        }
        q[nq++] = (uint64_t)queued;
        if (k == 0)
            break;
        r.bytes += (uint64_t)k;
        r.recv_calls++;
    }
    getrusage(RUSAGE_SELF, &u1);
    qsort(q, nq, sizeof *q, cmp_u64);
    r.rcvq_median = q[nq / 2];
    r.rcvq_max = q[nq - 1];
    r.nvcsw = (uint64_t)(u1.ru_nvcsw - u0.ru_nvcsw);
    r.nivcsw = (uint64_t)(u1.ru_nivcsw - u0.ru_nivcsw);
    r.cpu_seconds = cpu_of(&u1) - cpu_of(&u0);
    char msg[1 + sizeof r];
    msg[0] = 'R';
    memcpy(msg + 1, &r, sizeof r);
    if (write(out, msg, sizeof msg) != (ssize_t)sizeof msg)
        _exit(3);
    _exit(0);
}

static void sender_main(const struct kernel_env *e, uint64_t bytes, int out, int in)
{
    prctl(PR_SET_NAME, "rxv-sender");
    enter(out, e->ns_snd);
    pin(out, VAL_SENDER_CPU);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT) };
    inet_pton(AF_INET, e->addr_rcv, &a.sin_addr);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        die(out, "sender: connect to", e->addr_rcv);
    tell(out, 'C');
    char go = 0;
    struct pollfd pf = { in, POLLIN, 0 };
    if (poll(&pf, 1, 60000) != 1 || read(in, &go, 1) != 1 || go != 'G')
        _exit(4);   /* the parent gave up: it kills us anyway */
    static unsigned char buf[WRITE_SIZE];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 131 + 7);      /* fixed pattern, not all zero */
    for (uint64_t left = bytes; left > 0;) {
        size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
        ssize_t w = write(s, buf, k);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die(out, "sender: write", "");
        left -= (uint64_t)w;
    }
    close(s);
    tell(out, 'D');
    _exit(0);
}

/* One byte from fd within timeout_ms: the byte, 'E' with the child's
 * message in err, or 0 on a timeout / EOF. */
static char expect(int fd, int timeout_ms, const char *who, char *err, size_t n)
{
    struct pollfd pf = { fd, POLLIN, 0 };
    char c = 0;
    int r;
    while ((r = poll(&pf, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    if (r != 1 || read(fd, &c, 1) != 1) {
        snprintf(err, n, "%s: %s", who, r == 0 ? "no word within the time allowed" : "exited without a word");
        return 0;
    }
    if (c == 'E') {
        char msg[256];
        ssize_t k = read(fd, msg, sizeof msg - 1);
        msg[k > 0 ? k : 0] = '\0';
        snprintf(err, n, "%s", msg);
    }
    return c;
}

pid_t kernel_spin_start(int cpu, char *err, size_t n)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, n, "fork a CPU %d spinner: %s", cpu, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_NAME, VAL_SPINNER_COMM);
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlives rxsim */
        for (volatile unsigned long i = 0;; i++) {
        }
    }
    kernel_env_guard_child(pid);
    /* Set from here, and checked: a spinner at normal priority would take
     * the reader's CPU time, one on another CPU would keep the wrong CPU awake. */
    struct sched_param sp = { 0 };
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setscheduler(pid, SCHED_IDLE, &sp) != 0 || sched_setaffinity(pid, sizeof set, &set) != 0) {
        snprintf(err, n, "a CPU %d spinner: cannot make it SCHED_IDLE on CPU %d: %s", cpu, cpu, strerror(errno));
        kernel_spin_stop(pid);
        return -1;
    }
    return pid;
}

void kernel_spin_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    kernel_env_unguard_child(pid);
}

void kernel_peers_kill(struct kernel_peers *p)
{
    pid_t *pid[2] = { &p->reader, &p->sender };
    for (int i = 0; i < 2; i++)
        if (*pid[i] > 0) {
            kill(*pid[i], SIGKILL);
            while (waitpid(*pid[i], NULL, 0) < 0 && errno == EINTR) {
            }
            kernel_env_unguard_child(*pid[i]);
            *pid[i] = 0;
        }
    int *fd[3] = { &p->from_reader, &p->from_sender, &p->to_sender };
    for (int i = 0; i < 3; i++)
        if (*fd[i] > 0) {
            close(*fd[i]);
            *fd[i] = -1;
        }
}

static pid_t fork_peer(int *keep, int *child_end, int nfd)
{
    pid_t pid = fork();
    if (pid == 0)
        for (int i = 0; i < nfd; i++)
            close(keep[i]);
    else
        for (int i = 0; i < nfd; i++)
            close(child_end[i]);
    return pid;
}

int kernel_peers_start(const struct kernel_env *e, const struct kernel_opts *o, uint64_t bytes,
                       struct kernel_peers *p, char *err, size_t n)
{
    *p = (struct kernel_peers){ .from_reader = -1, .from_sender = -1, .to_sender = -1, .bytes = bytes };
    int r[2], s[2], g[2];
    if (pipe2(r, O_CLOEXEC) != 0)
        goto fail_errno;
    p->from_reader = r[0];
    p->reader = fork_peer(&r[0], &r[1], 1);
    if (p->reader == 0)
        reader_main(e, o->msg_size, r[1]);
    if (p->reader < 0)
        goto fail_errno;
    kernel_env_guard_child(p->reader);
    if (expect(p->from_reader, SETUP_TIMEOUT_MS, "reader", err, n) != 'L')
        goto fail;
    if (pipe2(s, O_CLOEXEC) != 0)
        goto fail_errno;
    p->from_sender = s[0];
    if (pipe2(g, O_CLOEXEC) != 0) {
        int saved = errno;
        close(s[1]);                    /* the sender's end: no sender to hand it to */
        errno = saved;
        goto fail_errno;
    }
    p->to_sender = g[1];
    int keep[2] = { s[0], g[1] }, child_end[2] = { s[1], g[0] };
    p->sender = fork_peer(keep, child_end, 2);
    if (p->sender == 0) {
        close(p->from_reader);
        sender_main(e, bytes, s[1], g[0]);
    }
    if (p->sender < 0)
        goto fail_errno;
    kernel_env_guard_child(p->sender);
    if (expect(p->from_sender, SETUP_TIMEOUT_MS, "sender", err, n) != 'C' ||
        expect(p->from_reader, SETUP_TIMEOUT_MS, "reader", err, n) != 'A')
        goto fail;
    return 0;
fail_errno:
    snprintf(err, n, "starting the peers: %s", strerror(errno));
fail:
    kernel_peers_kill(p);
    return -1;
}

int kernel_peers_go(struct kernel_peers *p, char *err, size_t n)
{
    /* A sender that died would make this write raise SIGPIPE and end
     * rxsim: block it, write, and swallow the signal if it came. */
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = write(p->to_sender, "G", 1);
    int e = errno;
    struct timespec zero = { 0, 0 };
    if (w != 1)
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    if (w != 1) {
        snprintf(err, n, "telling the sender to go: %s", strerror(errno));
        kernel_peers_kill(p);
        return -1;
    }
    return 0;
}

int kernel_peers_wait(struct kernel_peers *p, int timeout_ms, struct kernel_reader_result *out,
                      char *err, size_t n)
{
    long long end = kernel_now_ms() + timeout_ms;
    char c = expect(p->from_reader, timeout_ms, "reader", err, n);
    if (c != 'R') {
        if (c == 0)
            snprintf(err, n, "transfer of %llu bytes did not finish within %d s (reader and sender killed)",
                     (unsigned long long)p->bytes, timeout_ms / 1000);
        goto fail;
    }
    char buf[sizeof *out];
    ssize_t k = read(p->from_reader, buf, sizeof buf);
    if (k != (ssize_t)sizeof buf) {
        snprintf(err, n, "reader: short report (%zd bytes)", k);
        goto fail;
    }
    memcpy(out, buf, sizeof *out);
    long long left = end - kernel_now_ms();
    c = expect(p->from_sender, left > 1000 ? (int)left : 1000, "sender", err, n);
    if (c != 'D')
        goto fail;
    char why[160];
    pid_t *pid[2] = { &p->reader, &p->sender };
    for (int i = 0; i < 2; i++) {
        int st = kernel_reap(*pid[i], 2000, why, sizeof why);
        kernel_env_unguard_child(*pid[i]);
        *pid[i] = 0;
        if (st != 0) {
            snprintf(err, n, "%s exited %d%s%s", i ? "sender" : "reader", st, st < 0 ? ": " : "", st < 0 ? why : "");
            goto fail;
        }
    }
    kernel_peers_kill(p);   /* closes the pipes */
    if (out->bytes != p->bytes) {
        snprintf(err, n, "reader read %llu bytes, sender wrote %llu", (unsigned long long)out->bytes,
                 (unsigned long long)p->bytes);
        return -1;
    }
    return 0;
fail:
    kernel_peers_kill(p);
    return -1;
}
