/* sim/serve/serve_proc.c: the worker processes of rxsim serve (serve_proc.h).
 *
 * A worker is fork + exec of our own binary (/proc/self/exe, as compare does),
 * never a shell: the argv is built from validated form values and trace paths
 * the server chose.  Each worker leads its own process group so that killing
 * it also kills what it started (rxsim compare's own workers).  Its stdout and
 * stderr go to files under the work dir, which the pages read later; the
 * server never waits on a pipe. */
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve.h"
#include "sim/compare/read_fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SELF_EXE "/proc/self/exe"

pid_t serve_spawn(char *const argv[], const char *out_path, const char *err_path)
{
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = -1;
    if (out < 0 || err < 0)
        goto out_close;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(126);
        /* Nothing of the server's (sockets, the libevent signal pipe) leaks in. */
        long maxfd = sysconf(_SC_OPEN_MAX);
        if (maxfd < 0 || maxfd > 65536)
            maxfd = 65536;
        for (int fd = 3; fd < maxfd; fd++)
            close(fd);
        execv(SELF_EXE, argv);
        dprintf(2, "rxsim serve: cannot run %s: %s\n", SELF_EXE, strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid);      /* also from here: no race with a kill right after */
out_close:
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    return pid;
}

void serve_kill(pid_t pid)
{
    if (pid > 0) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
}

void serve_file_last_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    char tail[4097];
    ssize_t n = 0;
    if (fstat(fd, &st) == 0) {
        off_t from = st.st_size > 4096 ? st.st_size - 4096 : 0;
        n = pread(fd, tail, 4096, from);
    }
    close(fd);
    if (n <= 0)
        return;
    tail[n] = '\0';
    /* a terminal-style progress line may carry \r; treat it as a line end */
    for (ssize_t i = 0; i < n; i++)
        if (tail[i] == '\r' || tail[i] == '\0')
            tail[i] = '\n';
    while (n > 0 && tail[n - 1] == '\n')
        tail[--n] = '\0';
    char *start = strrchr(tail, '\n');
    start = start ? start + 1 : tail;
    snprintf(buf, size, "%s", start);
}

char *serve_read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *buf = read_fd(fd, max, len);
    close(fd);
    return buf;
}

void serve_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

void serve_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[SERVE_PATH_MAX];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (unlink(path) < 0 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            serve_rmtree(path);         /* lstat: a symlink is unlinked, never followed */
    }
    closedir(d);
    rmdir(dir);
}
