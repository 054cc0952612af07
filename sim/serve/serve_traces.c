/* sim/serve/serve_traces.c: the traces rxsim serve offers, and their summaries
 * (serve_traces.h).
 *
 * Three sources, each name prefixed with its origin so that names never
 * collide and never carry a path: "shipped:" (traces/data of the source tree,
 * compiled in), "traces:" (--traces DIR, rescanned at most every 2 s when a
 * page lists them), "upload:" (WORKDIR/uploads, generated names).  Only
 * regular files named [A-Za-z0-9._+-]+ ending .pcap, .pcapng or .cap are
 * listed; the rest of a directory is ignored.
 *
 * A summary is `rxsim inspect --json --no-progress PATH` in a worker (never
 * in the server: a big trace takes seconds), at most max_jobs at once, into
 * WORKDIR/summaries/N.json; it is read and reduced to the list's columns when
 * the worker ends, and redone when a --traces file changes size or mtime. */
#include "sim/serve/serve_traces.h"
#include "sim/serve/serve_proc.h"
#include "sim/session/exit_codes.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SUMMARY_MAX_JSON (64u << 20)

static bool listable(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 80 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-' || c == '+'))
            return false;
    }
    static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
    for (size_t i = 0; i < 3; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && !strcmp(name + n - e, ext[i]))
            return true;
    }
    return false;
}

struct serve_trace *serve_traces_find(struct serve *s, const char *name)
{
    for (int i = 0; i < s->ntraces; i++)
        if (!strcmp(s->traces[i]->name, name))
            return s->traces[i];
    return NULL;
}

static void start_summaries(struct serve *s)
{
    int limit = s->max_jobs > 0 ? s->max_jobs : 1;
    for (int i = 0; i < s->ntraces && s->sum_running < limit; i++) {
        struct serve_trace *t = s->traces[i];
        if (t->sum_state != SUM_PENDING)
            continue;
        t->sum_seq = ++s->sum_seq;
        char out[SERVE_PATH_MAX + 64], err[SERVE_PATH_MAX + 64];
        snprintf(out, sizeof out, "%s/summaries/%d.json", s->workdir, t->sum_seq);
        snprintf(err, sizeof err, "%s/summaries/%d.err", s->workdir, t->sum_seq);
        char *argv[] = { "rxsim", "inspect", "--json", "--no-progress", "--", t->path, NULL };
        t->pid = serve_spawn(argv, out, err);
        if (t->pid < 0) {
            t->sum_state = SUM_FAILED;
            snprintf(t->sum_err, sizeof t->sum_err, "cannot start rxsim inspect: %s", strerror(errno));
            continue;
        }
        t->sum_state = SUM_RUNNING;
        s->sum_running++;
    }
}

static struct serve_trace *add(struct serve *s, const char *origin, const char *file, const char *path,
                               const char *display, const struct stat *st)
{
    if (s->ntraces >= SERVE_MAX_TRACES)
        return NULL;
    struct serve_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    snprintf(t->name, sizeof t->name, "%s:%s", origin, file);
    snprintf(t->display, sizeof t->display, "%s", display);
    snprintf(t->path, sizeof t->path, "%s", path);
    t->origin = origin;
    t->size = st->st_size;
    t->mtime = st->st_mtime;
    t->seen = true;
    t->sum_state = SUM_PENDING;
    s->traces[s->ntraces++] = t;
    return t;
}

static void scan_dir(struct serve *s, const char *dir, const char *origin)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[SERVE_PATH_MAX];
    while ((e = readdir(d))) {
        if (!listable(e->d_name))
            continue;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        char name[SERVE_NAME_MAX];
        snprintf(name, sizeof name, "%s:%s", origin, e->d_name);
        struct serve_trace *t = serve_traces_find(s, name);
        if (t) {
            t->seen = true;
            if ((t->size != st.st_size || t->mtime != st.st_mtime) && t->sum_state != SUM_RUNNING) {
                t->size = st.st_size;
                t->mtime = st.st_mtime;
                t->sum_state = SUM_PENDING;
            }
            continue;
        }
        if (!add(s, origin, e->d_name, path, e->d_name, &st)) {
            fprintf(stderr, "rxsim serve: more than %d traces: %s and later ones are not listed\n",
                    SERVE_MAX_TRACES, path);
            break;
        }
    }
    closedir(d);
}

static int by_name(const void *a, const void *b)
{
    const struct serve_trace *x = *(struct serve_trace *const *)a, *y = *(struct serve_trace *const *)b;
    static const char *const order[] = { "shipped", "traces", "upload" };
    int ox = 0, oy = 0;
    for (int i = 0; i < 3; i++) {
        if (!strcmp(x->origin, order[i])) ox = i;
        if (!strcmp(y->origin, order[i])) oy = i;
    }
    return ox != oy ? ox - oy : strcmp(x->name, y->name);
}

void serve_traces_scan(struct serve *s, bool force)
{
    time_t now = time(NULL);
    if (!force && now - s->last_scan < 2) {
        start_summaries(s);
        return;
    }
    s->last_scan = now;
    for (int i = 0; i < s->ntraces; i++)
        if (strcmp(s->traces[i]->origin, "upload"))
            s->traces[i]->seen = false;
    if (s->shipped_dir && *s->shipped_dir)
        scan_dir(s, s->shipped_dir, "shipped");
    if (s->traces_dir[0])
        scan_dir(s, s->traces_dir, "traces");
    /* a --traces file that went away leaves the list (unless being summarized) */
    for (int i = 0; i < s->ntraces;) {
        struct serve_trace *t = s->traces[i];
        if (!t->seen && t->sum_state != SUM_RUNNING) {
            free(t);
            memmove(&s->traces[i], &s->traces[i + 1], (size_t)(s->ntraces - i - 1) * sizeof s->traces[0]);
            s->ntraces--;
        } else {
            i++;
        }
    }
    qsort(s->traces, (size_t)s->ntraces, sizeof s->traces[0], by_name);
    start_summaries(s);
}

int serve_traces_add_upload(struct serve *s, const char *path, const char *display, char *name_out,
                            size_t name_size)
{
    struct stat st;
    const char *file = strrchr(path, '/');
    file = file ? file + 1 : path;
    if (stat(path, &st) < 0)
        return -1;
    struct serve_trace *t = add(s, "upload", file, path, display, &st);
    if (!t)
        return -1;
    snprintf(name_out, name_size, "%s", t->name);
    qsort(s->traces, (size_t)s->ntraces, sizeof s->traces[0], by_name);
    start_summaries(s);
    return 0;
}

static uint64_t u64(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static void reduce(struct serve_trace *t, json_object *j)
{
    struct serve_summary *m = &t->sum;
    json_object *tr = NULL, *st = NULL, *conns = NULL, *v = NULL, *drops = NULL;
    *m = (struct serve_summary){ 0 };
    if (json_object_object_get_ex(j, "trace", &tr)) {
        if (json_object_object_get_ex(tr, "format", &v))
            snprintf(m->format, sizeof m->format, "%s", json_object_get_string(v));
        if (json_object_object_get_ex(tr, "link_type_name", &v))
            snprintf(m->link, sizeof m->link, "%s", json_object_get_string(v));
        m->records = u64(tr, "records_read");
        m->captured_bytes = u64(tr, "captured_bytes");
        uint64_t a = u64(tr, "first_ts_ns"), b = u64(tr, "last_ts_ns");
        m->duration_s = b > a ? (double)(b - a) / 1e9 : 0;
        m->partial = json_object_object_get_ex(tr, "partial", &v) && json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(j, "stack", &st)) {
        m->frames = u64(st, "frames");
        m->tcp_segments = u64(st, "tcp_segments");
        if (json_object_object_get_ex(st, "drops", &drops) && json_object_is_type(drops, json_type_object)) {
            json_object_object_foreach(drops, key, val) {
                (void)key;
                m->drops += (uint64_t)json_object_get_int64(val);
            }
        }
    }
    if (json_object_object_get_ex(j, "connections", &conns) && json_object_is_type(conns, json_type_array)) {
        m->connections = json_object_array_length(conns);
        for (size_t c = 0; c < m->connections; c++) {
            json_object *dirs = NULL;
            if (!json_object_object_get_ex(json_object_array_get_idx(conns, c), "directions", &dirs) ||
                !json_object_is_type(dirs, json_type_array))
                continue;
            for (size_t d = 0; d < json_object_array_length(dirs); d++) {
                json_object *dir = json_object_array_get_idx(dirs, d);
                m->directions++;
                m->bytes_delivered += u64(dir, "bytes_delivered");
                m->bad_csum += u64(dir, "bad_checksum_segments");
            }
        }
    }
}

bool serve_traces_reaped(struct serve *s, pid_t pid, int status)
{
    for (int i = 0; i < s->ntraces; i++) {
        struct serve_trace *t = s->traces[i];
        if (t->sum_state != SUM_RUNNING || t->pid != pid)
            continue;
        s->sum_running--;
        t->pid = 0;
        char out[SERVE_PATH_MAX + 64], err[SERVE_PATH_MAX + 64];
        snprintf(out, sizeof out, "%s/summaries/%d.json", s->workdir, t->sum_seq);
        snprintf(err, sizeof err, "%s/summaries/%d.err", s->workdir, t->sum_seq);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        json_object *j = NULL;
        if (code == RX_EXIT_OK || code == RX_EXIT_PARTIAL || code == RX_EXIT_UNANSWERED) {
            char *text = serve_read_file(out, SUMMARY_MAX_JSON, NULL);
            j = text ? json_tokener_parse(text) : NULL;
            free(text);
        }
        if (j) {
            reduce(t, j);
            json_object_put(j);
            t->sum_state = SUM_READY;
        } else {
            char line[200];
            serve_file_last_line(err, line, sizeof line);
            snprintf(t->sum_err, sizeof t->sum_err, "rxsim inspect: exit %d%s%s", code, line[0] ? ": " : "",
                     line);
            t->sum_state = SUM_FAILED;
        }
        unlink(out);
        unlink(err);
        start_summaries(s);
        return true;
    }
    return false;
}

void serve_traces_free_all(struct serve *s)
{
    for (int i = 0; i < s->ntraces; i++) {
        struct serve_trace *t = s->traces[i];
        if (t->sum_state == SUM_RUNNING && t->pid > 0) {
            serve_kill(t->pid);
            while (waitpid(t->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        free(t);
    }
    s->ntraces = 0;
}
