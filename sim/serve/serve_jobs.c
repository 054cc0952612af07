/* sim/serve/serve_jobs.c: rxsim serve's job queue (serve_jobs.h).
 *
 * A job is a short sequence of steps, each one worker process (serve_proc.c):
 * run = `rxsim run --json --progress --timeline` then `rxsim run --csv`;
 * compare = `rxsim compare --json --svg --progress` then `--csv`.  A step's
 * stdout goes to the file the job serves (report.json, report.csv), its
 * stderr to stepN.err, whose last line is the progress shown while it runs.
 * A step that exits with anything but 0 (or 4, a partial trace, or 5, results
 * flagged not meaningful: the report says so) fails the job.
 *
 * Cancelling (serve_jobs_cancel): a queued job just leaves the queue; a
 * running one gets SIGKILL on its worker's process group (a compare's own
 * workers are in it) and is JOB_CANCELLED at once, but keeps its pid and its
 * place in `running` until reap() in cmd_serve.c collects the worker, so that
 * never more than max_jobs workers are alive.  Its directory is removed then:
 * partial outputs are never offered.
 *
 * Bounds: at most max_jobs running, max_queue waiting (the form gets 503
 * beyond), SERVE_KEEP_FINISHED finished; the oldest finished job beyond that
 * is forgotten and its directory removed.  Ids are 12 hex digits, 4 of a
 * sequence number and 8 random, so they are not guessable one from another. */
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/session/exit_codes.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *serve_job_state_name(enum serve_job_state st)
{
    switch (st) {
    case JOB_QUEUED: return "queued";
    case JOB_RUNNING: return "running";
    case JOB_DONE: return "done";
    case JOB_FAILED: return "failed";
    case JOB_CANCELLED: return "cancelled";
    }
    return "?";
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

double serve_jobs_elapsed(const struct serve_job *j)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    switch (j->state) {
    case JOB_QUEUED: return ts_diff(&j->t_submit, &now);
    case JOB_RUNNING: return ts_diff(&j->t_start, &now);
    case JOB_CANCELLED: return ts_diff(j->t_start.tv_sec ? &j->t_start : &j->t_submit, &j->t_end);
    default: return j->t_start.tv_sec ? ts_diff(&j->t_start, &j->t_end) : 0;
    }
}

int serve_jobs_queued(const struct serve *s)
{
    int n = 0;
    for (int i = 0; i < s->njobs; i++)
        n += s->jobs[i]->state == JOB_QUEUED;
    return n;
}

static void job_free(struct serve_job *j)
{
    for (int i = 0; i < SERVE_MAX_STEPS; i++)
        serve_argv_free(j->argv[i]);
    for (int i = 0; i < j->ncharts; i++)
        free(j->charts[i]);
    free(j);
}

/* Finished, and no worker left to reap (a cancelled job's may still be dying). */
static bool is_finished(const struct serve_job *j)
{
    return (j->state == JOB_DONE || j->state == JOB_FAILED || j->state == JOB_CANCELLED) && !j->pid;
}

/* Forgets the oldest finished jobs beyond SERVE_KEEP_FINISHED (keep = that
 * bound), removing their files. */
static void evict(struct serve *s, int keep)
{
    int finished = 0;
    for (int i = 0; i < s->njobs; i++)
        finished += is_finished(s->jobs[i]);
    for (int i = 0; i < s->njobs && finished > keep;) {
        struct serve_job *j = s->jobs[i];
        if (!is_finished(j)) {
            i++;
            continue;
        }
        serve_rmtree(j->dir);
        job_free(j);
        memmove(&s->jobs[i], &s->jobs[i + 1], (size_t)(s->njobs - i - 1) * sizeof s->jobs[0]);
        s->njobs--;
        finished--;
    }
}

struct serve_job *serve_jobs_find(struct serve *s, const char *id)
{
    for (int i = 0; i < s->njobs; i++)
        if (!strcmp(s->jobs[i]->id, id))
            return s->jobs[i];
    return NULL;
}

struct serve_job *serve_jobs_create(struct serve *s, enum serve_job_kind kind, const char *trace,
                                    const char *what, bool *full)
{
    *full = false;
    if (s->running >= s->max_jobs && serve_jobs_queued(s) >= s->max_queue) {
        *full = true;
        return NULL;
    }
    evict(s, SERVE_KEEP_FINISHED - 1);
    if (s->njobs >= s->jobs_cap) {
        *full = true;
        return NULL;
    }
    struct serve_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    do {
        uint32_t r = 0;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            r = (uint32_t)rand();
        snprintf(j->id, sizeof j->id, "%04x%08x", (unsigned)(s->job_seq++ & 0xffff), (unsigned)r);
    } while (serve_jobs_find(s, j->id));
    j->kind = kind;
    j->state = JOB_QUEUED;
    snprintf(j->trace, sizeof j->trace, "%s", trace);
    snprintf(j->what, sizeof j->what, "%s", what);
    snprintf(j->dir, sizeof j->dir, "%s/jobs/%s", s->workdir, j->id);
    clock_gettime(CLOCK_MONOTONIC, &j->t_submit);
    if (mkdir(j->dir, 0700) < 0) {
        fprintf(stderr, "rxsim serve: cannot create %s: %s\n", j->dir, strerror(errno));
        free(j);
        return NULL;
    }
    s->jobs[s->njobs++] = j;
    return j;
}

static void finish(struct serve *s, struct serve_job *j, enum serve_job_state st)
{
    if (j->state == JOB_RUNNING)
        s->running--;
    j->state = st;
    j->pid = 0;
    clock_gettime(CLOCK_MONOTONIC, &j->t_end);
}

static int start_step(struct serve *s, struct serve_job *j)
{
    char out[SERVE_PATH_MAX + 64], err[SERVE_PATH_MAX + 64];
    snprintf(out, sizeof out, "%s/%s", j->dir, j->out_name[j->step]);
    snprintf(err, sizeof err, "%s/step%d.err", j->dir, j->step);
    j->pid = serve_spawn(j->argv[j->step], out, err);
    if (j->pid < 0) {
        fprintf(stderr, "rxsim serve: job %s: cannot start a worker: %s\n", j->id, strerror(errno));
        FILE *f = fopen(err, "a");
        if (f) {
            fprintf(f, "rxsim serve: cannot start a worker: %s\n", strerror(errno));
            fclose(f);
        }
        j->exit_status = -2;
        finish(s, j, JOB_FAILED);
        return -1;
    }
    return 0;
}

void serve_jobs_kick(struct serve *s)
{
    for (int i = 0; i < s->njobs && s->running < s->max_jobs; i++) {
        struct serve_job *j = s->jobs[i];
        if (j->state != JOB_QUEUED)
            continue;
        if (!j->nsteps) {           /* never filled (out of memory) */
            finish(s, j, JOB_FAILED);
            continue;
        }
        j->state = JOB_RUNNING;
        s->running++;
        clock_gettime(CLOCK_MONOTONIC, &j->t_start);
        j->step = 0;
        start_step(s, j);
    }
    evict(s, SERVE_KEEP_FINISHED);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The charts compare wrote: names [a-z0-9-]+.svg only, sorted. */
static void collect_charts(struct serve_job *j)
{
    char dir[SERVE_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/charts", j->dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && j->ncharts < SERVE_MAX_CHARTS) {
        size_t n = strlen(e->d_name);
        if (n < 5 || n > 128 || strcmp(e->d_name + n - 4, ".svg"))
            continue;
        bool ok = true;
        for (size_t i = 0; i < n - 4 && ok; i++) {
            char c = e->d_name[i];
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        }
        if (ok && (j->charts[j->ncharts] = strndup(e->d_name, n - 4)))
            j->ncharts++;
    }
    closedir(d);
    qsort(j->charts, (size_t)j->ncharts, sizeof j->charts[0], name_cmp);
}

bool serve_jobs_reaped(struct serve *s, pid_t pid, int status)
{
    for (int i = 0; i < s->njobs; i++) {
        struct serve_job *j = s->jobs[i];
        if (j->pid != pid || (j->state != JOB_RUNNING && j->state != JOB_CANCELLED))
            continue;
        if (j->state == JOB_CANCELLED) {        /* killed by serve_jobs_cancel: the slot frees now */
            s->running--;
            j->pid = 0;
            serve_rmtree(j->dir);
            serve_jobs_kick(s);
            return true;
        }
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != RX_EXIT_OK && code != RX_EXIT_PARTIAL && code != RX_EXIT_UNANSWERED) {
            j->exit_status = code;
            finish(s, j, JOB_FAILED);
        } else if (++j->step < j->nsteps) {
            start_step(s, j);
        } else {
            if (j->kind == JOB_COMPARE)
                collect_charts(j);
            j->exit_status = code;
            finish(s, j, JOB_DONE);
        }
        serve_jobs_kick(s);
        return true;
    }
    return false;
}

int serve_jobs_cancel(struct serve *s, struct serve_job *j)
{
    if (j->state == JOB_QUEUED) {
        fprintf(stderr, "rxsim serve: job %s: cancelled while queued\n", j->id);
        j->state = JOB_CANCELLED;
        clock_gettime(CLOCK_MONOTONIC, &j->t_end);
        serve_rmtree(j->dir);               /* empty: nothing has run */
        return 0;
    }
    if (j->state != JOB_RUNNING)
        return -1;
    fprintf(stderr, "rxsim serve: job %s: cancelled, killing worker %d and its process group\n", j->id,
            (int)j->pid);
    serve_kill(j->pid);
    j->state = JOB_CANCELLED;               /* pid and the slot stay until reaped */
    clock_gettime(CLOCK_MONOTONIC, &j->t_end);
    (void)s;
    return 0;
}

void serve_jobs_progress(const struct serve_job *j, char *buf, size_t size)
{
    buf[0] = '\0';
    if (j->state != JOB_RUNNING)
        return;
    char err[SERVE_PATH_MAX + 64];
    snprintf(err, sizeof err, "%s/step%d.err", j->dir, j->step);
    serve_file_last_line(err, buf, size);
}

void serve_jobs_free_all(struct serve *s)
{
    for (int i = 0; i < s->njobs; i++) {
        struct serve_job *j = s->jobs[i];
        if ((j->state == JOB_RUNNING || j->state == JOB_CANCELLED) && j->pid > 0) {
            serve_kill(j->pid);
            while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        job_free(j);
    }
    free(s->jobs);
    s->jobs = NULL;
    s->njobs = 0;
}
