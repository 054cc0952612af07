/* sim/compare/compare_group.c: compare's rows run together, sharing what no
 * policy changes: the reading of each trace, its host guess, and the SHA-256
 * of every stream whose bytes are the same in several rows.
 *
 * Measured on the 300k-packet bench trace, one `rxsim run` spends about 30% of
 * its CPU in SHA-256, 16% in the host guess's pass over the file and 16% in
 * reading it for the replay; only the rest is the model, which is what a row
 * of a compare has of its own (docs/performance.md).
 *
 * How: --jobs N worker processes (fork, no exec), each running its share of
 * the rows (index % N), GROUP_MAX_ROWS at a time, as threads that take
 * turns, only one running at a time: each row is `rxsim run`'s own code path (cmd_run()) with its own argv,
 * so a row's report is the one the row's command gives alone.  Turns change
 * only inside trace_next(), when a row has taken the round's last record
 * (traces/trace_feed.h), so all rows of a worker move through the trace
 * together and the window of records they share stays a round wide.  While a
 * row runs, the worker's stdout and stderr are that row's files; its exit
 * status goes to the parent through a pipe as it ends (progress lines as
 * compare_pool.c prints them).  Streams are hashed by stream_share.c through
 * run_session's hash hook, keyed by connection.
 *
 * Rows are placed by index, never by which ended first, and every row's bytes
 * are its own, so the output is the same for any --jobs and any sharding. */
#include "sim/compare/compare.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/nic_trace.h"
#include "netstack/host.h"
#include "netstack/tcp_conn.h"
#include "sim/session/run_session.h"
#include "sim/compare/read_fd.h"
#include "sim/compare/stream_share.h"
#include "sim/options/progress.h"
#include "traces/trace_feed.h"

#define ROUND_RECORDS 4096              /* records each row takes per turn */
#define SHARE_WINDOW (32u << 20)        /* canonical bytes kept per stream before laggards go alone */
#define GROUP_MAX_ROWS 16               /* rows alive at once in a worker: memory stays that of 16 runs */

struct group_row {
    struct compare_job *job;
    size_t index;                       /* in the caller's jobs[] */
    int out_fd, err_fd;
    pthread_t thread;
    bool started, done;
    pthread_cond_t go;                  /* this row's turn: one waiter per condition, no herd */
    int status;
};

struct group {
    struct group_row *rows;
    int nrows;
    int turn;                           /* the row running, or -1: the scheduler */
    pthread_mutex_t lock;
    pthread_cond_t back;                /* the scheduler's turn */
    uint64_t target;                    /* a row yields once it has taken record target - 1 */
    struct stream_share *share;
};

static struct group *the_group;         /* the hooks' context: one group per worker process */
static int (*run_row)(int argc, char **argv);   /* `rxsim run`'s entry point, given by the caller */

bool compare_group_fits(const struct compare_matrix *m)
{
    if (getenv("RXSIM_COMPARE_EXEC"))   /* every row its own `rxsim run` process, as before */
        return false;
    for (int i = 0; i < m->ntraces; i++) {
        struct stat st;
        if (!strcmp(m->traces[i], "-") || stat(m->traces[i], &st) < 0 || !S_ISREG(st.st_mode))
            return false;               /* a pipe is read once: each row would need its own copy */
    }
    return true;
}

/* ---- turns ------------------------------------------------------------- */

static void wait_turn(struct group *g, int me)
{
    while (g->turn != me)
        pthread_cond_wait(me < 0 ? &g->back : &g->rows[me].go, &g->lock);
}

static void give_turn(struct group *g, int to)
{
    g->turn = to;
    pthread_cond_signal(to < 0 ? &g->back : &g->rows[to].go);
}

/* Called on a row's thread: back to the scheduler until the next round. */
static void yield(struct group *g)
{
    int me = g->turn;
    fflush(stdout);
    fflush(stderr);
    pthread_mutex_lock(&g->lock);
    give_turn(g, -1);
    wait_turn(g, me);
    pthread_mutex_unlock(&g->lock);
}

static void took(void *ctx, struct trace *t, uint64_t pos)
{
    (void)t;
    struct group *g = ctx;
    if (pos + 1 >= g->target)
        yield(g);
}

static void *row_main(void *arg)
{
    struct group *g = the_group;
    struct group_row *r = arg;
    int me = (int)(r - g->rows);
    pthread_mutex_lock(&g->lock);
    wait_turn(g, me);
    pthread_mutex_unlock(&g->lock);
    int argc = 0;
    while (r->job->argv[argc])
        argc++;
    /* argv is "rxsim run ..."; cmd_run() takes it from the subcommand on, as main() passes it */
    r->status = run_row(argc - 1, r->job->argv + 1);
    fflush(stdout);
    fflush(stderr);
    pthread_mutex_lock(&g->lock);
    r->done = true;
    give_turn(g, -1);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

static void run_turn(struct group *g, int i)
{
    fflush(stdout);
    fflush(stderr);
    dup2(g->rows[i].out_fd, 1);
    dup2(g->rows[i].err_fd, 2);
    pthread_mutex_lock(&g->lock);
    give_turn(g, i);
    wait_turn(g, -1);
    pthread_mutex_unlock(&g->lock);
}

/* ---- hashing ----------------------------------------------------------- */

/* A stream's identity across rows: the connection (namespace, addresses and
 * ports in the direction read, incarnation).  Only a hint: stream_share.c
 * compares bytes before it takes any hash from another row. */
static void share_hash(void *ctx, struct sha256_ctx *sha, const uint8_t *p, size_t n)
{
    struct group *g = ctx;
    const struct rx_sock *s = (const struct rx_sock *)((const char *)sha - offsetof(struct rx_sock, sha));
    const struct tcp_conn *c = s->conn;
    uint8_t key[STREAM_SHARE_KEY_MAX] = { 0 };
    size_t k = 0;
    memcpy(key + k, &c->netns, sizeof c->netns), k += sizeof c->netns;
    key[k++] = c->ip_version;
    key[k++] = (uint8_t)s->dir;
    memcpy(key + k, &c->incarnation, sizeof c->incarnation), k += sizeof c->incarnation;
    for (int e = 0; e < 2; e++) {
        const struct tcp_endpoint *ep = &c->ep[e ? !s->dir : s->dir];
        memcpy(key + k, ep->addr, sizeof ep->addr), k += sizeof ep->addr;
        memcpy(key + k, &ep->port, sizeof ep->port), k += sizeof ep->port;
    }
    stream_share_update(g->share, g->turn, sha, key, k, p, n);
}

static void share_sync(void *ctx)
{
    struct group *g = ctx;
    stream_share_sync(g->share, g->turn);
}

/* ---- one worker process ------------------------------------------------ */

static void tell(int fd, size_t index, int status)
{
    int64_t rec[2] = { (int64_t)index, status };
    ssize_t w;
    do
        w = write(fd, rec, sizeof rec);
    while (w < 0 && errno == EINTR);
}

/* Runs its rows to the end; each one's status to report_fd as it ends. */
static int group_main(struct group *g, int report_fd)
{
    the_group = g;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->back, NULL);
    for (int i = 0; i < g->nrows; i++)
        pthread_cond_init(&g->rows[i].go, NULL);
    g->turn = -1;
    if (!(g->share = stream_share_new(g->nrows, SHARE_WINDOW)))
        return 1;
    run_hash_hook = (struct run_hash_hook){ .hash = share_hash, .sync = share_sync, .ctx = g };
    trace_feeds_start(&(struct trace_feed_hooks){ .took = took, .ctx = g });
    for (int i = 0; i < g->nrows; i++) {
        if (pthread_create(&g->rows[i].thread, NULL, row_main, &g->rows[i]) != 0)
            return 1;
        g->rows[i].started = true;
    }
    for (int left = g->nrows; left > 0;) {
        g->target += ROUND_RECORDS;
        for (int i = 0; i < g->nrows; i++) {
            if (g->rows[i].done)
                continue;
            run_turn(g, i);
            if (g->rows[i].done) {
                pthread_join(g->rows[i].thread, NULL);
                tell(report_fd, g->rows[i].index, g->rows[i].status);
                left--;
            }
        }
        trace_feeds_release();
    }
    fflush(stdout);
    fflush(stderr);
    trace_feeds_stop();
    stream_share_free(g->share);
    run_hash_hook = (struct run_hash_hook){ 0 };
    for (int i = 0; i < g->nrows; i++)
        pthread_cond_destroy(&g->rows[i].go);
    pthread_cond_destroy(&g->back);
    pthread_mutex_destroy(&g->lock);
    return 0;
}

/* ---- the parent -------------------------------------------------------- */

/* The value of --NAME in a row's command line, or NULL. */
static const char *row_option(char **argv, const char *name)
{
    size_t len = strlen(name);
    const char *v = NULL;
    for (int i = 0; argv[i]; i++)
        if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, len)) {
            if (argv[i][2 + len] == '=')
                v = argv[i] + 3 + len;
            else if (!argv[i][2 + len] && argv[i + 1])
                v = argv[++i];
        }
    return v;
}

/* The host guess of each trace as the rows will open it (with their
 * --filter), worked out once here so that every worker forked after
 * inherits it instead of reading the trace once more.  Only speed depends on
 * finding the rows' filters right: an answer is kept per (trace, filter) and
 * used only for exactly that. */
static void guess_ahead(const struct compare_matrix *m, const struct compare_job *jobs, size_t njobs)
{
    trace_feeds_start(NULL);
    for (size_t i = 0; i < njobs; i++) {
        if (row_option(jobs[i].argv, "host"))
            continue;                   /* given (a row that also says "guess" guesses itself) */
        const char *filter = row_option(jobs[i].argv, "filter");
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const char *fk = row_option(jobs[k].argv, "filter");
            seen = !row_option(jobs[k].argv, "host") && !strcmp(fk ? fk : "", filter ? filter : "");
        }
        for (int a = 0; a < m->ntraces && !seen; a++) {
            struct trace_err err;
            struct trace *t = trace_open_as(m->traces[a], m->traces[a], filter, &err);
            if (t)
                nic_trace_guess_ahead(t);
            trace_close(t);
        }
    }
    trace_feeds_stop();
}

struct worker {
    pid_t pid;
    int fd;                             /* read end of its status pipe; -1 once at its end */
};

static pid_t start_worker(struct compare_job *jobs, int *out_fd, int *err_fd, size_t njobs, int k, int n,
                          int *fd)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        /* Its rows (index % n == k), GROUP_MAX_ROWS at a time. */
        struct group_row rows[GROUP_MAX_ROWS];
        for (size_t i = (size_t)k; i < njobs;) {
            struct group g = { .rows = rows };
            for (; i < njobs && g.nrows < GROUP_MAX_ROWS; i += (size_t)n)
                rows[g.nrows++] = (struct group_row){ .job = &jobs[i], .index = i, .out_fd = out_fd[i],
                                                      .err_fd = err_fd[i] };
            if (group_main(&g, p[1]) != 0)
                _exit(1);
        }
        _exit(0);
    }
    close(p[1]);
    *fd = p[0];
    return pid;
}

/* Reads the status records of every worker until all pipes end. */
static void collect(struct worker *w, int n, struct compare_job *jobs, size_t njobs, int progress,
                    const char *what)
{
    struct progress pr;
    progress_begin(&pr, "rxsim compare", what, njobs, progress != COMPARE_PROGRESS_OFF,
                   progress == COMPARE_PROGRESS_LINES || !isatty(2));
    struct pollfd *pf = calloc((size_t)n, sizeof *pf);
    size_t done = 0;
    for (int open = n; pf && open > 0;) {
        for (int i = 0; i < n; i++)
            pf[i] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < n; i++) {
            if (w[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int64_t rec[2];
            ssize_t r = read(w[i].fd, rec, sizeof rec);
            if (r < 0 && errno == EINTR)
                continue;
            if (r != (ssize_t)sizeof rec || rec[0] < 0 || (uint64_t)rec[0] >= njobs) {
                close(w[i].fd);
                w[i].fd = -1;
                open--;
                continue;
            }
            jobs[rec[0]].status = (int)rec[1];
            done++;
            progress_update(&pr, done);
        }
    }
    free(pf);
    progress_end(&pr, done);
}

int compare_group_run(const struct compare_matrix *m, struct compare_job *jobs, size_t njobs, int max_jobs,
                      int progress, const char *what, int (*run)(int argc, char **argv))
{
    run_row = run;
    int n = max_jobs < 1 ? 1 : max_jobs;
    if ((size_t)n > njobs)
        n = (int)njobs;
    int *out_fd = calloc(njobs, sizeof *out_fd), *err_fd = calloc(njobs, sizeof *err_fd);
    struct worker *w = calloc((size_t)(n > 0 ? n : 1), sizeof *w);
    int rc = -1, started = 0;
    if (!out_fd || !err_fd || !w)
        goto out;
    for (size_t i = 0; i < njobs; i++)
        out_fd[i] = err_fd[i] = -1;
    for (size_t i = 0; i < njobs; i++) {
        jobs[i].status = COMPARE_NOT_RUN;
        if ((out_fd[i] = compare_tmpfile()) < 0 || (err_fd[i] = compare_tmpfile()) < 0) {
            fprintf(stderr, "rxsim compare: cannot make a temporary file: %s\n", strerror(errno));
            goto out;
        }
    }
    guess_ahead(m, jobs, njobs);
    for (; started < n; started++)
        if ((w[started].pid = start_worker(jobs, out_fd, err_fd, njobs, started, n, &w[started].fd)) < 0) {
            fprintf(stderr, "rxsim compare: cannot start a worker: %s\n", strerror(errno));
            break;
        }
    collect(w, started, jobs, njobs, progress, what);
    rc = started == n ? 0 : -1;
    for (int i = 0; i < started; i++) {
        int st;
        while (waitpid(w[i].pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    for (size_t i = 0; i < njobs && rc == 0; i++) {
        if (jobs[i].status == COMPARE_NOT_RUN)
            jobs[i].status = COMPARE_SIGNALLED;     /* its worker died before the row ended */
        jobs[i].out = read_fd(out_fd[i], SIZE_MAX, &jobs[i].out_len);
        jobs[i].err = read_fd(err_fd[i], SIZE_MAX, NULL);
        if (!jobs[i].out || !jobs[i].err)
            rc = -1;
    }
out:
    for (size_t i = 0; out_fd && err_fd && i < njobs; i++) {
        if (out_fd[i] >= 0)
            close(out_fd[i]);
        if (err_fd[i] >= 0)
            close(err_fd[i]);
    }
    free(out_fd);
    free(err_fd);
    free(w);
    return rc;
}
