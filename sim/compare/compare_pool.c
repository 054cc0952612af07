/* sim/compare/compare_pool.c: runs rxsim's workers, at most max_jobs at a time.
 *
 * Each job is fork + exec of our own binary; its stdout and stderr go to
 * anonymous temporary files (created, then unlinked at once) rather than
 * pipes, so a worker never blocks on a full pipe while we wait on another one,
 * and nothing is left behind if we are killed.  A run report is ~20 KB, so the
 * results are read into memory as each worker ends.  Jobs are started in
 * index order; results are stored by index, so what the caller sees does not
 * depend on which worker finished first. */
#include "sim/compare/compare.h"
#include "sim/compare/read_fd.h"
#include "sim/options/progress.h"
#include "sim/session/exit_codes.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct slot {
    pid_t pid;
    size_t job;
    int out_fd, err_fd;
};

int compare_tmpfile(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/rxsim-compare-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int start(const char *exe, struct compare_job *j, struct slot *s)
{
    s->out_fd = compare_tmpfile();
    s->err_fd = compare_tmpfile();
    if (s->out_fd < 0 || s->err_fd < 0)
        goto fail;
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0)
        goto fail;
    if (s->pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(s->out_fd, 1);
        dup2(s->err_fd, 2);
        execv(exe, j->argv);
        dprintf(2, "rxsim compare: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    return 0;
fail:
    fprintf(stderr, "rxsim compare: cannot start a worker: %s\n", strerror(errno));
    if (s->out_fd >= 0)
        close(s->out_fd);
    if (s->err_fd >= 0)
        close(s->err_fd);
    return -1;
}

int compare_pool_run(const char *exe, struct compare_job *jobs, size_t njobs, int max_jobs,
                     bool stop_on_failure, int progress, const char *what)
{
    struct progress pr;
    progress_begin(&pr, "rxsim compare", what, njobs, progress != COMPARE_PROGRESS_OFF,
                   progress == COMPARE_PROGRESS_LINES || !isatty(2));
    if (max_jobs < 1)
        max_jobs = 1;
    struct slot *slots = calloc((size_t)max_jobs, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < njobs; i++)
        jobs[i].status = COMPARE_NOT_RUN;
    size_t next = 0, done = 0;
    int running = 0, rc = 0;
    bool failed = false;
    for (;;) {
        while (running < max_jobs && next < njobs && !failed && rc == 0) {
            int k = 0;
            while (slots[k].pid)
                k++;
            slots[k].job = next;
            if (start(exe, &jobs[next], &slots[k]) < 0) {
                slots[k].pid = 0;
                rc = -1;
                break;
            }
            next++;
            running++;
        }
        if (running == 0)
            break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        int k = 0;
        while (k < max_jobs && slots[k].pid != pid)
            k++;
        if (k == max_jobs)
            continue;       /* not one of ours */
        struct compare_job *j = &jobs[slots[k].job];
        j->status = WIFEXITED(status) ? WEXITSTATUS(status) : COMPARE_SIGNALLED;
        j->out = read_fd(slots[k].out_fd, SIZE_MAX, &j->out_len);
        j->err = read_fd(slots[k].err_fd, SIZE_MAX, NULL);
        close(slots[k].out_fd);
        close(slots[k].err_fd);
        slots[k].pid = 0;
        running--;
        done++;
        if (!j->out || !j->err)
            rc = -1;
        /* A run that answered (partly, 4 or 5) is not a failure. */
        if (j->status != RX_EXIT_OK && j->status != RX_EXIT_PARTIAL && j->status != RX_EXIT_UNANSWERED)
            failed = stop_on_failure;
        progress_update(&pr, done);
    }
    progress_end(&pr, done);
    free(slots);
    return rc;
}

void compare_job_fini(struct compare_job *j)
{
    compare_argv_free(j->argv);
    free(j->out);
    free(j->err);
    *j = (struct compare_job){ .status = COMPARE_NOT_RUN };
}
