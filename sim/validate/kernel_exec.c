/* sim/validate/kernel_exec.c: fork + setns + exec with bounded waits (see
 * kernel_exec.h).  Every child reports failure to start through its exit
 * status 127 and a line on the captured output, so the parent's error names
 * the program and the reason. */
#include "sim/validate/kernel_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long kernel_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kernel_ns_enter(const char *ns, char *err, size_t n)
{
    char path[96];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    int r = setns(fd, CLONE_NEWNET);
    int e = errno;
    close(fd);
    if (r != 0) {
        snprintf(err, n, "setns %s: %s", path, strerror(e));
        return -1;
    }
    return 0;
}

/* In a child: ns entered and /sys remounted, as `ip netns exec` does. */
static int child_enter(const char *ns, char *err, size_t n)
{
    if (!ns)
        return 0;
    if (kernel_ns_enter(ns, err, n) != 0)
        return -1;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) {
        snprintf(err, n, "private mount namespace: %s", strerror(errno));
        return -1;
    }
    umount2("/sys", MNT_DETACH);
    if (mount(ns, "/sys", "sysfs", 0, NULL) != 0) {
        snprintf(err, n, "mount sysfs for %s: %s", ns, strerror(errno));
        return -1;
    }
    return 0;
}

static void child_fail(int fd, const char *what)
{
    if (write(fd, what, strlen(what)) < 0 || write(fd, "\n", 1) < 0) {
        /* nothing left to tell it to */
    }
    _exit(127);
}

int kernel_reap(pid_t pid, int timeout_ms, char *err, size_t n)
{
    long long end = kernel_now_ms() + timeout_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : KERNEL_SIGNALLED + WTERMSIG(st);
        if (r < 0 && errno != EINTR) {
            snprintf(err, n, "waitpid %d: %s", (int)pid, strerror(errno));
            return -1;
        }
        if (kernel_now_ms() >= end)
            break;
        struct timespec d = { 0, 5 * 1000 * 1000 };
        nanosleep(&d, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    snprintf(err, n, "pid %d still running after %d ms: killed", (int)pid, timeout_ms);
    return -1;
}

int kernel_exec(const char *ns, char *const argv[], char *out, size_t outn, int timeout_ms,
                char *err, size_t n)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, n, "fork for %s: %s", argv[0], strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        char why[256];
        dup2(p[1], 1);
        dup2(p[1], 2);
        if (child_enter(ns, why, sizeof why) != 0)
            child_fail(1, why);
        execvp(argv[0], argv);
        snprintf(why, sizeof why, "exec %s: %s", argv[0], strerror(errno));
        child_fail(1, why);
    }
    close(p[1]);
    size_t len = 0;
    long long end = kernel_now_ms() + timeout_ms;
    bool timed_out = false;
    for (;;) {
        long long left = end - kernel_now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pf = { p[0], POLLIN, 0 };
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        char tmp[4096];
        ssize_t k = read(p[0], tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t room = outn > len + 1 ? outn - len - 1 : 0;
        size_t take = (size_t)k < room ? (size_t)k : room;
        memcpy(out + len, tmp, take);
        len += take;
    }
    close(p[0]);
    if (outn)
        out[len] = '\0';
    char why[160];
    int st = kernel_reap(pid, timed_out ? 0 : 2000, why, sizeof why);
    if (timed_out || st < 0) {
        snprintf(err, n, "%s did not finish within %d ms (killed)", argv[0], timeout_ms);
        return -1;
    }
    if (st >= KERNEL_SIGNALLED) {
        snprintf(err, n, "%s killed by signal %d", argv[0], st - KERNEL_SIGNALLED);
        return -1;
    }
    if (st == 127) {
        snprintf(err, n, "%s could not start: %.200s", argv[0], outn ? out : "");
        return -1;
    }
    return st;
}

pid_t kernel_spawn(const char *ns, char *const argv[], const char *out_path, const char *err_path, char *err,
                   size_t n)
{
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int efd = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : fd;
    if (fd < 0 || efd < 0) {
        snprintf(err, n, "%s: %s", fd < 0 ? out_path : err_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (efd >= 0 && efd != fd)
            close(efd);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, n, "fork for %s: %s", argv[0], strerror(errno));
        close(fd);
        if (efd != fd)
            close(efd);
        return -1;
    }
    if (pid == 0) {
        char why[256];
        dup2(fd, 1);
        dup2(efd, 2);
        int nul = open("/dev/null", O_RDONLY);
        if (nul > 0) {
            dup2(nul, 0);
            close(nul);                 /* not left open in the program */
        }
        if (child_enter(ns, why, sizeof why) != 0)
            child_fail(2, why);
        execvp(argv[0], argv);
        snprintf(why, sizeof why, "exec %s: %s", argv[0], strerror(errno));
        child_fail(2, why);
    }
    close(fd);
    if (efd != fd)
        close(efd);
    return pid;
}

/* A child enters ns, then reads (text == NULL) or writes path; the result
 * (or the error) comes back through a pipe: first byte '0' ok, '1' error. */
static int ns_file(const char *ns, const char *path, const char *text, char *buf, size_t cap,
                   char *err, size_t n)
{
    char out[4096];
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(err, n, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, n, "fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        char why[512];
        int fd = -1;
        if (child_enter(ns, why + 1, sizeof why - 1) != 0)
            goto fail;
        fd = open(path, text ? O_WRONLY : O_RDONLY);
        ssize_t k = fd < 0 ? -1 : text ? write(fd, text, strlen(text)) : read(fd, why + 1, sizeof why - 2);
        if (k < 0) {
            snprintf(why + 1, sizeof why - 1, "%s %s in %s: %s", text ? "write" : "read", path, ns,
                     strerror(errno));
            goto fail;
        }
        why[0] = '0';
        why[text ? 1 : 1 + k] = '\0';
        if (write(p[1], why, strlen(why)) < 0)
            _exit(1);
        _exit(0);
fail:
        why[0] = '1';
        if (write(p[1], why, strlen(why)) < 0)
            _exit(1);
        _exit(1);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t k;
    struct pollfd pf = { p[0], POLLIN, 0 };
    while (len < sizeof out - 1 && poll(&pf, 1, 5000) > 0 &&
           (k = read(p[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)k;
    out[len] = '\0';
    close(p[0]);
    char why[128];
    int st = kernel_reap(pid, 5000, why, sizeof why);
    if (st != 0 || len == 0 || out[0] != '0') {
        snprintf(err, n, "%s", len > 1 ? out + 1 : st < 0 ? why : "child failed without a word");
        return -1;
    }
    if (buf)
        snprintf(buf, cap, "%s", out + 1);
    return 0;
}

int kernel_ns_read(const char *ns, const char *path, char *buf, size_t cap, char *err, size_t n)
{
    return ns_file(ns, path, NULL, buf, cap, err, n);
}

int kernel_ns_write(const char *ns, const char *path, const char *text, char *err, size_t n)
{
    return ns_file(ns, path, text, NULL, 0, err, n);
}
