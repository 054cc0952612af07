/* sim/compare/compare.h: rxsim compare and rxsim merge: a matrix of `rxsim run`
 * configurations over the same traces, run as worker processes, reported side
 * by side.
 *
 * The matrix is the cross product of the --vary axes, first axis outermost and
 * the last one varying fastest, so combination i has a fixed meaning for a
 * given command line.  Every output (text, JSON, CSV, SVG) is a function of the
 * matrix and the rows in index order only, never of completion order, --jobs
 * or sharding: that is what lets `rxsim merge` reproduce an unsharded run's
 * bytes.
 *
 * Files (the module sim/compare/, compare_dep): compare_matrix.c (axes, cross
 * product, baseline rule, shards, the matrix as JSON), compare_pool.c
 * (fork/exec workers, at most --jobs at once), compare_group.c and
 * stream_share.c (rows run together, sharing reads and hashes),
 * compare_text.c (text table), compare_table.c (JSON, CSV), compare_plots.c (SVGs via
 * sim/report/svg.c); sim/cli/cmd_compare.c and cmd_merge.c are the two
 * commands' front ends. */
#ifndef RXSIM_COMPARE_COMPARE_H
#define RXSIM_COMPARE_COMPARE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/report/metric.h"

#define COMPARE_MAX_AXES 12
#define COMPARE_MAX_OPTIONS 64   /* run options compare knows (sim/options/) */
#define COMPARE_MAX_VALUES 256
#define COMPARE_MAX_COMBOS 1000000      /* a sweep larger than this is a typo */
#define COMPARE_FORMAT "rxsim-compare/1"

/* An `rxsim run` option a matrix may vary or pass on (compare_matrix.c). */
struct compare_option {
    const char *name;           /* axis name == the run option without "--" */
    bool takes_value;
    bool numeric;               /* values are numbers: line charts, numeric checks */
    bool axis;                  /* may be --vary'd */
};

struct compare_axis {
    const struct compare_option *opt;
    int nvalues;
    char *values[COMPARE_MAX_VALUES];
    int baseline;               /* value index when named by --baseline, else -1 */
};

struct compare_matrix {
    int ntraces;
    char **traces;
    int nrun_opts;              /* passed to every row, after the compare's "--" */
    char **run_opts;
    int naxes;
    struct compare_axis axis[COMPARE_MAX_AXES];
    bool has_baseline;          /* false: row 0 is every row's baseline */
    size_t ncombos;
};

/* One combination's outcome.  run is the worker's report (NULL until run). */
struct compare_row {
    json_object *run;
    int exit;                   /* the worker's exit status; 4 (partial trace) and 5
                                   (unanswered in part) are kept */
};

/* 4 when any row's trace was partial, else 5 when any row flagged results it
 * cannot answer, else 0. */
int compare_exit_status(const struct compare_matrix *m, const struct compare_row *rows);

/* The headline metrics, their columns and charts are the metric table's
 * compare-ranked rows (sim/report/metric.h: report_compare_metric(), read
 * from a row's report with report_metric_number() and, when the run flagged
 * one not meaningful, report_metric_flagged(): "n/m", never a number or a %
 * change). */

/* compare_matrix.c */
const struct compare_option *compare_option_find(const char *name);
void compare_axes_help(FILE *out);
void compare_matrix_init(struct compare_matrix *m);
void compare_matrix_fini(struct compare_matrix *m);
/* "AXIS=V1,V2": errors (unknown axis, duplicate value, too many) into err. */
int compare_matrix_vary(struct compare_matrix *m, const char *spec, char *err, size_t errsz);
/* "AXIS=V" after every --vary: the axis must be varied and V one of its values. */
int compare_matrix_baseline(struct compare_matrix *m, const char *spec, char *err, size_t errsz);
/* Checks options passed on after "--" (known, not varied, not an output option). */
int compare_matrix_run_opts(struct compare_matrix *m, int argc, char **argv, char *err, size_t errsz);
/* Sets ncombos; fails when there is nothing to vary or the product is too
 * large, or when no trace is given and the rows are not closed loop. */
int compare_matrix_finish(struct compare_matrix *m, char *err, size_t errsz);
/* Every row runs --replay closed (given to every run, or the replay axis's
 * every value): the rows need no trace (the netperf-like workload). */
bool compare_matrix_closed(const struct compare_matrix *m);
/* Value index on each axis of combination idx. */
void compare_combo(const struct compare_matrix *m, size_t idx, int vi[COMPARE_MAX_AXES]);
size_t compare_combo_index(const struct compare_matrix *m, const int vi[COMPARE_MAX_AXES]);
/* The baseline row of row idx: the row with the --baseline values on the named
 * axes and idx's values on every other axis; row 0 without --baseline. */
size_t compare_baseline_of(const struct compare_matrix *m, size_t idx);
/* "csum=process msg-size=1024" (axes in order, sep between them). */
void compare_combo_label(const struct compare_matrix *m, size_t idx, const char *sep, bool names,
                         char *buf, size_t size);
/* argv of `rxsim run --json --no-progress ...` for row idx, NULL-terminated,
 * argv[0] = exe ("rxsim" in reports); free with compare_argv_free. */
char **compare_row_argv(const struct compare_matrix *m, size_t idx, const char *exe);
void compare_argv_free(char **argv);
/* "K/N", 1 <= K <= N; rows with index % N == K-1 belong to shard K. */
int compare_shard_parse(const char *s, int *k, int *n);
json_object *compare_matrix_json(const struct compare_matrix *m);
int compare_matrix_from_json(struct compare_matrix *m, json_object *j, char *err, size_t errsz);

/* compare_pool.c: runs argvs as child processes of exe, at most jobs at once;
 * each job's stdout and stderr land in memory.  With stop_on_failure, no new
 * job starts after one exits non-zero (exit 4 is not a failure); the ones never
 * started keep status COMPARE_NOT_RUN. */
#define COMPARE_NOT_RUN (-2)
#define COMPARE_SIGNALLED (-1)
struct compare_job {
    char **argv;
    int status;                 /* exit status, COMPARE_SIGNALLED, COMPARE_NOT_RUN */
    char *out, *err;            /* NUL-terminated, malloc'd */
    size_t out_len;
};
/* progress: COMPARE_PROGRESS_* (sim/options/progress.h draws it) */
enum { COMPARE_PROGRESS_OFF, COMPARE_PROGRESS_TTY, COMPARE_PROGRESS_LINES };
int compare_pool_run(const char *exe, struct compare_job *jobs, size_t njobs, int max_jobs,
                     bool stop_on_failure, int progress, const char *what);
/* An anonymous temporary file (in $TMPDIR or /tmp, unlinked at once) for a
 * worker's stdout or stderr: no pipe to fill while another is waited on, and
 * nothing left behind if compare is killed.  -1 on failure (errno). */
int compare_tmpfile(void);
void compare_job_fini(struct compare_job *j);

/* compare_group.c: the same jobs (argv "rxsim run ..."), run as `--jobs`
 * worker processes that each run their rows together, sharing the reading of
 * every trace, its host guess and the hashing of equal streams; run is `rxsim
 * run`'s entry point (cmd_run: argv from "run" on).  Each job's status, stdout
 * and stderr are what its command gives alone; every row runs (the caller
 * reports the lowest-numbered failure).  0, or -1 when the workers could not
 * be started or their output read. */
bool compare_group_fits(const struct compare_matrix *m);    /* regular-file traces (not "-" or a pipe) */
int compare_group_run(const struct compare_matrix *m, struct compare_job *jobs, size_t njobs, int max_jobs,
                      int progress, const char *what, int (*run)(int argc, char **argv));

/* compare_check.c: every value checked before any row runs (policy names
 * against the registries, the rest by `self_exe run ... --list`, at most jobs
 * at once; affinities against each row's --cpus).  RX_EXIT_OK, or the exit
 * status with the reason on stderr. */
int compare_check_values(const struct compare_matrix *m, int jobs, const char *self_exe);

/* compare_run.c: runs the rows (shard_n == 0: all; else those of shard
 * shard_k) and parses each report into rows[index] (rows: m->ncombos,
 * zeroed).  run and self_exe as for compare_group_run / compare_pool_run.
 * RX_EXIT_OK, or the lowest-numbered failure's status with its stderr. */
int compare_run_rows(const struct compare_matrix *m, int shard_k, int shard_n, int jobs, int progress,
                     const char *self_exe, int (*run)(int argc, char **argv), struct compare_row *rows);

/* compare_merge.c: shard files (any order) into *m (initialised, empty) and
 * *rows (m->ncombos, malloc'd; each run a reference the caller puts back).
 * RX_EXIT_OK, or 2/3/1 with the files named on stderr. */
int compare_merge_shards(char **files, int nfiles, struct compare_matrix *m, struct compare_row **rows);

/* compare_text.c: the table, every row present, in index order, within
 * COMPARE_TEXT_WIDTH columns (metrics in blocks); columns: bit k shows
 * compare metric k, 0 all of them. */
#define COMPARE_TEXT_WIDTH 100
int compare_write_text(const struct compare_matrix *m, struct compare_row *rows, uint64_t columns, FILE *out);
/* compare_sat.c: some row's report has figures at saturation (--replay
 * closed); their block, one line per row, after the main table. */
bool compare_has_saturation(const struct compare_matrix *m, struct compare_row *rows);
void compare_write_saturation(const struct compare_matrix *m, struct compare_row *rows, FILE *out);
/* --columns LIST: compare keys (report_compare_metric()->compare_key),
 * comma-separated, or "all" (mask 0).  -1 with err naming the columns. */
int compare_columns_parse(const char *list, uint64_t *mask, char *err, size_t errsz);
/* compare_table.c: */
int compare_write_csv(const struct compare_matrix *m, struct compare_row *rows, FILE *out);
/* shard_n == 0: the full document; else a shard file holding only the rows
 * of shard k (the others may be NULL). */
int compare_write_json(const struct compare_matrix *m, struct compare_row *rows, int shard_k, int shard_n,
                       FILE *out);
/* compare_plots.c: the SVG charts into dir (created when absent). */
int compare_write_svgs(const struct compare_matrix *m, struct compare_row *rows, const char *dir,
                       char *err, size_t errsz);
/* The same charts, each handed to sink->put with its file name. */
struct svg_chart;
struct compare_chart_sink {
    int (*put)(struct compare_chart_sink *sink, const char *name, const struct svg_chart *c, char *err,
               size_t errsz);
    void *ctx;
};
int compare_charts(const struct compare_matrix *m, struct compare_row *rows, struct compare_chart_sink *sink,
                   char *err, size_t errsz);
/* compare_html.c: --html FILE: the table and every chart in one
 * self-contained page. */
int compare_write_html(const struct compare_matrix *m, struct compare_row *rows, const char *path, char *err,
                       size_t errsz);

/* The % change of mt from base to run; false when either lacks it or the
 * base is 0 and run is not. */
bool compare_change_pct(json_object *run, json_object *base, const struct report_metric *mt, double *pct);
/* "stranded payload_not_captured": the reasons a row's run gave, "" if none. */
void compare_row_reasons(json_object *run, char *buf, size_t size);
/* A cell of the table: the value ("n/m", "-" when absent), its % change
 * against the row's baseline ("base", "n/m", "n/a"). */
void compare_fmt_value(const struct report_metric *mt, json_object *run, char *buf, size_t size);
void compare_fmt_change(const struct compare_matrix *m, struct compare_row *rows, size_t idx,
                        const struct report_metric *mt, char *buf, size_t size);

/* Shared by both commands: the chosen output for a complete set of rows,
 * and the files asked for beside it. */
enum compare_out { COMPARE_OUT_TEXT, COMPARE_OUT_JSON, COMPARE_OUT_CSV };
struct compare_view {
    const char *svg_dir;        /* --svg DIR, NULL: none */
    const char *html;           /* --html FILE, NULL: none */
    uint64_t columns;           /* --columns (compare_columns_parse), 0: all */
};
int compare_emit(const struct compare_matrix *m, struct compare_row *rows, enum compare_out fmt,
                 const struct compare_view *view, const char *who);

#endif
