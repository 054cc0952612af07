/* tests/common/serve_proc.c: see serve_proc.h. */
#include "tests/common/serve_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/testenv.h"

int serve_proc_start(struct serve_proc *sp, const char *const *extra)
{
    if (!sp->workdir[0])
        testenv_mkdtemp(sp->workdir, sizeof sp->workdir);
    if (!sp->traces[0])
        testenv_mkdtemp(sp->traces, sizeof sp->traces);
    snprintf(sp->log, sizeof sp->log, "%s/serve.log", sp->workdir);
    int out[2];
    if (!sp->workdir[0] || !sp->traces[0] || pipe(out) < 0)
        return -1;
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)testenv_rxsim_bin();
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--workdir";
    argv[n++] = sp->workdir;
    argv[n++] = "--traces";
    argv[n++] = sp->traces;
    for (int i = 0; extra && extra[i] && n < 39; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    fflush(NULL);
    sp->pid = fork();
    if (sp->pid < 0)
        return -1;
    if (sp->pid == 0) {
        int log = open(sp->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out[1], 1);
        if (log >= 0)
            dup2(log, 2);
        close(out[0]);
        close(out[1]);
        /* Under AddressSanitizer, freed memory waits in a quarantine of up to
         * 256 MB before reuse, which a memory-growth check would read as a
         * leak; a small quarantine still catches use-after-free in the
         * window that matters.  (No effect on a build without ASan.) */
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%squarantine_size_mb=4:thread_local_quarantine_size_kb=64",
                 asan && *asan ? asan : "", asan && *asan ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    size_t len = 0;
    while (len + 1 < sizeof line) {     /* one line, then stdout is left alone */
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(out[0]);
    const char *p = strstr(line, "http://127.0.0.1:");
    if (!p || sscanf(p, "http://127.0.0.1:%d/", &sp->port) != 1) {
        fprintf(stderr, "rxsim serve did not say where it listens: '%s' (log %s)\n", line, sp->log);
        kill(sp->pid, SIGKILL);
        waitpid(sp->pid, NULL, 0);
        sp->pid = 0;
        return -1;
    }
    return 0;
}

int serve_proc_stop(struct serve_proc *sp)
{
    if (sp->pid <= 0)
        return -1;
    kill(sp->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 2000; i++) {
        pid_t r = waitpid(sp->pid, &status, WNOHANG);
        if (r == sp->pid) {
            sp->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(10000);
    }
    kill(sp->pid, SIGKILL);
    waitpid(sp->pid, NULL, 0);
    sp->pid = 0;
    return -1;
}

static long status_kib(const struct serve_proc *sp, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)sp->pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)))
            kib = atol(line + strlen(key));
    fclose(f);
    return kib;
}

long serve_proc_rss_kib(const struct serve_proc *sp)
{
    return status_kib(sp, "VmRSS:");
}

long serve_proc_hwm_kib(const struct serve_proc *sp)
{
    return status_kib(sp, "VmHWM:");
}

/* /proc/PID/stat fields 3 to 5 (state, ppid, pgrp) of one process, read
 * after the ')' that ends its command name; false when it is gone. */
static bool proc_stat(const char *pid, char *state, int *ppid, int *pgrp)
{
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    const char *rp = strrchr(buf, ')');
    return rp && sscanf(rp + 1, " %c %d %d", state, ppid, pgrp) == 3;
}

bool serve_proc_pid_alive(pid_t pid)
{
    char name[24], st;
    int ppid, pgrp;
    snprintf(name, sizeof name, "%d", (int)pid);
    return proc_stat(name, &st, &ppid, &pgrp) && st != 'Z' && st != 'X';
}

size_t serve_proc_group_alive(pid_t pgid, pid_t *out, size_t max)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char st;
        int ppid, pgrp;
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && proc_stat(e->d_name, &st, &ppid, &pgrp) &&
            pgrp == pgid && st != 'Z' && st != 'X') {
            if (out && n < max)
                out[n] = (pid_t)atoi(e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

size_t serve_proc_children(const struct serve_proc *sp, pid_t *out, size_t max)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char st;
        int ppid, pgrp;
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && proc_stat(e->d_name, &st, &ppid, &pgrp) &&
            ppid == sp->pid)
            out[n++] = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return n;
}
