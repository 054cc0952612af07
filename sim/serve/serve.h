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
 * This header is the server's state (struct serve) and its limits; each file
 * below has its own header.  Calls go one way, down this list (no file calls
 * one above it; tests/structure/check_structure.py checks it with nm):
 *   cmd_serve.c     (sim/cli/) the command line, into a struct serve_config
 *   serve_server.c  work dir, bind, signals, the reaper, the loop, shutdown
 *   serve_routes.c  routing, 404/405, POST /jobs/ID/cancel, static assets
 *   serve_pages.c   the pages: traces + form, upload form, jobs, a job
 *   serve_results.c a finished job's results: a run's tables, a compare's table and charts
 *   serve_submit.c  POST /jobs: the form read back, checked, the worker argvs, the job
 *   serve_form.c    the form's fields (from the option table; choices from the
 *                   policy registries), the check of one value, the form's HTML
 *   serve_upload.c  POST /upload: the file part (multipart.c parses it), checked, stored
 *   serve_origin.c  the Host check (DNS rebinding), the same-origin check on POSTs
 *   serve_gate.c    the filter in front of evhttp on every connection: the
 *                   connection cap, each request's deadline, uploads
 *                   spooled to disk as they arrive
 *   serve_jobs.c    the job queue: steps as workers, progress, bounded history
 *   serve_traces.c  the trace list and its `rxsim inspect --json` summaries
 *   serve_proc.c    spawning a worker, killing one, reading file tails
 *   serve_reply.c   the leaf: escaping, page frame, headers, errors, redirects, files
 *   multipart.c, utf8.c  the upload's parser and the UTF-8 check (no libevent)
 *   web/            style.css and serve.js, embedded at build time (web/embed.py,
 *                   serve_assets.h) */
#ifndef RXSIM_SERVE_SERVE_H
#define RXSIM_SERVE_SERVE_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdint.h>
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

struct serve_trace;     /* serve_traces.h */
struct serve_job;       /* serve_jobs.h */
struct serve_gate;      /* serve_gate.c */

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

#endif
