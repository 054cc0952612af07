/* sim/serve/serve_jobs.h: rxsim serve's jobs: what one is, and the queue that
 * runs them as worker processes, reports progress and keeps a bounded history. */
#ifndef RXSIM_SERVE_SERVE_JOBS_H
#define RXSIM_SERVE_SERVE_JOBS_H

#include "sim/serve/serve.h"
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* queued -> running -> done | failed; queued or running -> cancelled (POST
 * /jobs/ID/cancel).  A running job cancelled keeps its pid, and its
 * --max-jobs slot, until the SIGCHLD path reaps the killed worker. */
enum serve_job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };
enum serve_job_kind { JOB_RUN, JOB_COMPARE };

struct serve_job {
    char id[SERVE_JOB_ID_LEN + 1];
    enum serve_job_kind kind;
    enum serve_job_state state;
    char trace[SERVE_NAME_MAX];
    char what[512];                 /* "csum=process msg-size=1024", for the lists */
    char command[1024];             /* the equivalent `rxsim ...` for a shell, no server path */
    char dir[SERVE_PATH_MAX];
    char **argv[SERVE_MAX_STEPS];   /* each step's argv (argv[0] "rxsim"), malloc'd */
    const char *out_name[SERVE_MAX_STEPS]; /* file under dir the step's stdout goes to (a literal) */
    int nsteps, step;               /* step running (or next to run) */
    pid_t pid;                      /* the running step's worker; 0 once reaped */
    int exit_status;                /* of the failed step; -1 killed by a signal */
    struct timespec t_submit, t_start, t_end;
    int ncharts;
    char *charts[SERVE_MAX_CHARTS]; /* "bars-goodput" (no .svg): the only names served */
};

/* A new job, queued, with its id and (created) directory; the caller fills
 * argv/out_name/nsteps, then calls serve_jobs_kick.  NULL with *full set when
 * the queue is full (or *full false: out of memory, or the dir failed). */
struct serve_job *serve_jobs_create(struct serve *s, enum serve_job_kind kind, const char *trace,
                                    const char *what, bool *full);
/* Starts queued jobs while fewer than max_jobs run. */
void serve_jobs_kick(struct serve *s);
struct serve_job *serve_jobs_find(struct serve *s, const char *id);
bool serve_jobs_reaped(struct serve *s, pid_t pid, int status);
/* Cancels a queued job (it leaves the queue) or a running one (SIGKILL to
 * its worker's process group; the slot frees, and the next queued job
 * starts, when serve_jobs_reaped sees it die).  Either way the state is
 * JOB_CANCELLED at once and nothing the job wrote is offered.  0, or -1 when
 * the job had already finished (done, failed or cancelled). */
int serve_jobs_cancel(struct serve *s, struct serve_job *j);
/* The last progress line of the running step, into buf ("" if none). */
void serve_jobs_progress(const struct serve_job *j, char *buf, size_t size);
double serve_jobs_elapsed(const struct serve_job *j);
const char *serve_job_state_name(enum serve_job_state st);
void serve_jobs_free_all(struct serve *s);
int serve_jobs_queued(const struct serve *s);

#endif
