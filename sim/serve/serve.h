/* sim/serve/serve.h: rxsim serve, the browser lab UI on libevent's evhttp.
 *
 * One process, one event loop, never blocked on a simulation: every run,
 * compare and trace summary is a worker process (fork + exec of rxsim itself,
 * no shell) writing into WORKDIR, reaped from a SIGCHLD event.  Everything a
 * client can grow is bounded: traces (SERVE_MAX_TRACES), jobs (running
 * --max-jobs + queued --max-queue + SERVE_KEEP_FINISHED finished), request
 * headers, bodies (--max-upload), form fields.  Clients name traces by the
 * names in the list and jobs by their id, never by a path.
 *
 * Files, one job each:
 *   cmd_serve.c     options, work dir, bind, signals, the reaper, shutdown
 *   serve_gate.c    the filter in front of evhttp on every connection: the
 *                   connection cap, each request's deadline, uploads
 *                   spooled to disk as they arrive
 *   serve_http.c    routing, 404/405, the same-origin check on POSTs,
 *                   POST /jobs/ID/cancel, escaping, page frame, static assets
 *   serve_pages.c   the pages: traces + form, upload form, jobs, a job + results
 *   serve_form.c    the form's fields (choices from the policy registries),
 *                   server-side validation, the worker argv
 *   serve_upload.c  POST /upload: the file part (multipart.c parses it), checked, stored
 *   serve_jobs.c    the job queue: steps as workers, progress, bounded history
 *   serve_traces.c  the trace list and its `rxsim inspect --json` summaries
 *   serve_proc.c    spawning a worker, killing one, reading file tails
 *   web/            style.css and serve.js, embedded at build time (web/embed.py) */
#ifndef RXSIM_SERVE_SERVE_H
#define RXSIM_SERVE_SERVE_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define SERVE_MAX_TRACES 256
#define SERVE_KEEP_FINISHED 64      /* finished jobs kept (and their files); older ones are removed */
#define SERVE_DEFAULT_QUEUE 32
#define SERVE_MAX_FORM_BODY (64 * 1024)
#define SERVE_NAME_MAX 96
#define SERVE_PATH_MAX 4096
#define SERVE_DIR_MAX 3072            /* the work dir's path; room left for what goes under it */
#define SERVE_JOB_ID_LEN 12         /* lowercase hex digits */
#define SERVE_MAX_STEPS 2
#define SERVE_MAX_CHARTS 64
#define SERVE_MAX_ARGS 160
#define SERVE_MAX_ALLOW_HOSTS 8     /* --allow-host, repeated */
#define SERVE_MAX_HEADERS (16 * 1024) /* a request head (evhttp's limit, and the gate's) */
#define SERVE_DEFAULT_CONNS 64      /* --max-connections */
#define SERVE_DEFAULT_TIMEOUT 30    /* --request-timeout, seconds */

enum serve_sum_state { SUM_PENDING, SUM_RUNNING, SUM_READY, SUM_FAILED };

/* What `rxsim inspect --json` said about a trace, reduced to the list's columns. */
struct serve_summary {
    char format[16];
    char link[32];
    uint64_t records, captured_bytes, frames, tcp_segments, connections, directions;
    uint64_t bytes_delivered, bad_csum, drops;
    double duration_s;
    bool partial;
};

struct serve_trace {
    char name[SERVE_NAME_MAX];      /* "shipped:x.pcap", "traces:y.pcapng", "upload:u000001.pcap" */
    char display[SERVE_NAME_MAX];   /* file name, or the upload's original base name */
    char path[SERVE_PATH_MAX];
    const char *origin;             /* "shipped", "traces", "upload" */
    int64_t size;
    int64_t mtime;
    bool seen;                      /* rescan marker */
    enum serve_sum_state sum_state;
    struct serve_summary sum;
    char sum_err[256];
    pid_t pid;
    int sum_seq;                    /* names the summary's output files */
};

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

struct serve {
    struct event_base *base;
    struct evhttp *http;
    struct event *sigchld, *sigint, *sigterm, *tick;
    char workdir[SERVE_DIR_MAX];
    char traces_dir[SERVE_PATH_MAX];    /* "" when no --traces */
    char origin[128];                   /* "http://127.0.0.1:8080", as bound */
    /* Host names requests may carry (serve_host_allowed): loopback always,
     * plus --listen's host and each --allow-host; any IP literal when
     * listening on a wildcard address. */
    char listen_host[256];              /* --listen's host, brackets removed */
    bool listen_any;                    /* 0.0.0.0 or [::] */
    int nallow_hosts;
    const char *allow_hosts[SERVE_MAX_ALLOW_HOSTS];
    int max_conns, nconns;              /* --max-connections; open now (refused ones not counted) */
    int request_timeout;                /* --request-timeout, seconds */
    struct serve_gate *gates;           /* every connection's gate */
    uint64_t spool_seq;                 /* names WORKDIR/uploads/.spool-N */
    uint64_t conns_refused, requests_timed_out;
    const char *shipped_dir;
    int max_jobs, max_queue, compare_jobs;
    uint64_t max_upload;
    int ntraces;
    struct serve_trace *traces[SERVE_MAX_TRACES];
    int sum_running;
    int sum_seq;
    time_t last_scan;
    int njobs;
    struct serve_job **jobs;            /* oldest first; capacity jobs_cap */
    int jobs_cap;
    int running;
    uint32_t job_seq;
    uint32_t upload_seq;
    uint64_t requests;
};

/* serve_http.c */
void serve_http_route(struct evhttp_request *req, void *arg);
void serve_html_escape(struct evbuffer *b, const char *s);
void serve_html_escape_n(struct evbuffer *b, const char *s, size_t n);
void serve_json_escape(struct evbuffer *b, const char *s);
void serve_page_begin(struct evbuffer *b, const char *title);
void serve_page_end(struct evbuffer *b);
/* Sends b (freed) with the given status and Content-Type. */
void serve_send(struct evhttp_request *req, int code, const char *reason, const char *ctype, struct evbuffer *b);
/* An HTML error page whose message (escaped) is in <p id="error">. */
void serve_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* {"error": "..."} */
void serve_json_error(struct evhttp_request *req, int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void serve_redirect(struct evhttp_request *req, const char *location);
/* Serves a whole file (Content-Type ctype); 404 when it cannot be opened. */
void serve_file(struct evhttp_request *req, const char *path, const char *ctype, const char *download_name);
/* A copy of the request body, NUL-terminated; NULL when longer than max. */
char *serve_body(struct evhttp_request *req, size_t max, size_t *len);

/* true when the request's Host (port aside) names this server: localhost
 * (or NAME.localhost), a loopback address, --listen's host, an --allow-host
 * name, or any IP address when listening on 0.0.0.0 or [::]; a request
 * without Host (HTTP/1.0) too.  Else a 421 was sent: a foreign name is how
 * DNS rebinding reaches a loopback server from a page of another site. */
bool serve_host_allowed(struct serve *s, struct evhttp_request *req);

/* true when req may change state: no Origin header, or one naming this
 * server (http:// plus the request's Host, or the bound address), and no
 * Sec-Fetch-Site other than same-origin or none.  Else a 403 was sent. */
bool serve_same_origin(struct serve *s, struct evhttp_request *req);

/* serve_pages.c */
void serve_page_index(struct serve *s, struct evhttp_request *req);
void serve_page_upload_form(struct serve *s, struct evhttp_request *req);
void serve_page_jobs(struct serve *s, struct evhttp_request *req);
void serve_page_job(struct serve *s, struct evhttp_request *req, struct serve_job *j);
void serve_job_status_json(struct serve *s, struct evhttp_request *req, struct serve_job *j);
void serve_traces_json(struct serve *s, struct evhttp_request *req);

/* serve_form.c */
void serve_form_render(struct serve *s, struct evbuffer *b);
/* POST /jobs: validates the form; 400 naming the field, 503 when the queue is
 * full, else 303 to the new job. */
void serve_form_submit(struct serve *s, struct evhttp_request *req);

/* serve_gate.c */
/* evhttp_set_bevcb's callback (arg: the struct serve): the filter
 * bufferevent, over a socket bufferevent evhttp gives the fd to, that every
 * connection's bytes pass through first. */
struct bufferevent *serve_gate_bev(struct event_base *base, void *arg);
/* The file the gate spooled req's body into (req carries X-Rxsim-Spool, a
 * header the gate sets and strips from what clients send): 1 with its path
 * and length, the caller now owning the file (it must unlink it); 0 when the
 * body came the ordinary way (evhttp's input buffer); -1 when the header
 * names no spool of this connection. */
int serve_gate_take_spool(struct serve *s, struct evhttp_request *req, char *path, size_t size, uint64_t *len);

/* serve_upload.c */
void serve_upload_post(struct serve *s, struct evhttp_request *req);

/* serve_jobs.c */
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

/* serve_traces.c */
void serve_traces_scan(struct serve *s, bool force);
struct serve_trace *serve_traces_find(struct serve *s, const char *name);
int serve_traces_add_upload(struct serve *s, const char *path, const char *display, char *name_out,
                            size_t name_size);
bool serve_traces_reaped(struct serve *s, pid_t pid, int status);
void serve_traces_free_all(struct serve *s);

/* serve_proc.c */
/* fork + exec of rxsim (/proc/self/exe) in its own process group; stdout and
 * stderr to the files (created 0600).  Returns the pid, or -1. */
pid_t serve_spawn(char *const argv[], const char *out_path, const char *err_path);
void serve_kill(pid_t pid);             /* SIGKILL to the worker's process group */
/* The last non-empty line of a file's last 4 KiB, into buf. */
void serve_file_last_line(const char *path, char *buf, size_t size);
/* The first max bytes of a file, NUL-terminated, malloc'd; NULL if unreadable. */
char *serve_read_file(const char *path, size_t max, size_t *len);
void serve_argv_free(char **argv);
/* Removes dir and the files (one level of subdirectories) under it. */
void serve_rmtree(const char *dir);

/* web assets, generated from web/ by web/embed.py */
struct serve_asset {
    const char *name;               /* "style.css" */
    const char *ctype;
    const unsigned char *data;
    size_t len;
};
extern const struct serve_asset serve_assets[];
extern const size_t serve_nassets;

#endif
