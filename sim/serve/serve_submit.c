/* sim/serve/serve_submit.c: POST /jobs, the form of serve_form.c read back
 * (serve_form.h): every field checked, then one job of two steps, each a
 * worker argv (rxsim run, or rxsim compare with one --vary per varied
 * field; step 0 writes the JSON report, timeline or charts, step 1 the CSV).
 *
 * An empty value means "run's default" and is not passed on.  For compare,
 * enumerable axes get one checkbox per choice (vary-AXIS, value V) and
 * numeric axes a comma-separated text field (vary-AXIS); a field cannot be
 * both set and varied, and a sweep has at most SERVE_MAX_COMBOS rows. */
#include "sim/serve/serve_form.h"
#include "sim/serve/serve.h"
#include "sim/serve/serve_jobs.h"
#include "sim/serve/serve_proc.h"
#include "sim/serve/serve_reply.h"
#include "sim/serve/serve_traces.h"

#include <event2/keyvalq_struct.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#define MAX_VALUE 256           /* characters of one form value */

struct vary {
    const struct serve_field *f;
    int n;
    char *v[SERVE_FORM_MAX_CHOICES];
};

struct form {
    const struct serve_field *fields;       /* serve_form_fields() */
    size_t nfields;
    const char *trace, *kind;
    const char *value[SERVE_FORM_MAX_FIELDS];     /* NULL or "" = default */
    struct vary vary[SERVE_FORM_MAX_FIELDS];
    int nvary;
};

static struct vary *vary_of(struct form *fm, const struct serve_field *f)
{
    for (int i = 0; i < fm->nvary; i++)
        if (fm->vary[i].f == f)
            return &fm->vary[i];
    fm->vary[fm->nvary] = (struct vary){ .f = f };
    return &fm->vary[fm->nvary++];
}

static void form_fini(struct form *fm)
{
    for (int i = 0; i < fm->nvary; i++)
        for (int k = 0; k < fm->vary[i].n; k++)
            free(fm->vary[i].v[k]);
}

/* Adds one value (deduplicated); false with why on a bad one. */
static bool vary_add(struct vary *va, const char *v, char *why, size_t size)
{
    char reason[400];
    if (!*v)
        return true;
    if (strchr(v, ',') || serve_form_check(va->f, v, reason, sizeof reason)) {
        snprintf(why, size, "field vary-%s: %s", va->f->name,
                 strchr(v, ',') ? "a value may not contain a comma" : reason);
        return false;
    }
    for (int i = 0; i < va->n; i++)
        if (!strcmp(va->v[i], v))
            return true;
    if (va->n == SERVE_FORM_MAX_CHOICES) {
        snprintf(why, size, "field vary-%s: at most %d values", va->f->name, SERVE_FORM_MAX_CHOICES);
        return false;
    }
    if (!(va->v[va->n] = strdup(v))) {
        snprintf(why, size, "out of memory");
        return false;
    }
    va->n++;
    return true;
}

/* A filter that does not compile fails here, not as a job: compiled as the
 * run will (optimised, netmask unknown) on a dead Ethernet handle.  0, or
 * -1 with why. */
static int check_filter(const struct form *fm, char *why, size_t size)
{
    const char *filter = fm->value[serve_form_field_find("filter") - fm->fields];
    if (!filter || !*filter)
        return 0;
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    struct bpf_program prog;
    if (!dead) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    int rc = pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN);
    if (rc != 0)
        snprintf(why, size, "field filter: '%.64s' is not a BPF filter: %s", filter, pcap_geterr(dead));
    else
        pcap_freecode(&prog);
    pcap_close(dead);
    return rc != 0 ? -1 : 0;
}

/* 0, or -1 with why (a message naming the field). */
static int parse_form(struct serve *s, struct evkeyvalq *q, struct form *fm, char *why, size_t size)
{
    char reason[400];
    int nkeys = 0;
    for (struct evkeyval *kv = q->tqh_first; kv; kv = kv->next.tqe_next) {
        const char *k = kv->key, *v = kv->value;
        if (++nkeys > 400) {
            snprintf(why, size, "too many fields");
            return -1;
        }
        if (strlen(v) > MAX_VALUE) {
            snprintf(why, size, "field %.64s: value longer than %d characters", k, MAX_VALUE);
            return -1;
        }
        if (!strcmp(k, "trace") || !strcmp(k, "kind")) {
            const char **slot = !strcmp(k, "trace") ? &fm->trace : &fm->kind;
            if (*slot) {
                snprintf(why, size, "field %s: given twice", k);
                return -1;
            }
            *slot = v;
            continue;
        }
        if (!strncmp(k, "vary-", 5)) {
            const struct serve_field *f = serve_form_field_find(k + 5);
            if (!f || !f->vary) {
                snprintf(why, size, "field %.64s: no such axis to vary", k);
                return -1;
            }
            struct vary *va = vary_of(fm, f);
            if (f->type == SERVE_F_CHOICE) {
                if (!vary_add(va, v, why, size))
                    return -1;
            } else {            /* "1024, 4096,65536" */
                char buf[MAX_VALUE + 1];
                snprintf(buf, sizeof buf, "%s", v);
                for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                    while (*t == ' ')
                        t++;
                    size_t n = strlen(t);
                    while (n && t[n - 1] == ' ')
                        t[--n] = '\0';
                    if (!vary_add(va, t, why, size))
                        return -1;
                }
            }
            continue;
        }
        const struct serve_field *f = serve_form_field_find(k);
        if (!f) {
            snprintf(why, size, "field %.64s: no such field", k);
            return -1;
        }
        size_t i = (size_t)(f - fm->fields);
        if (fm->value[i]) {
            snprintf(why, size, "field %s: given twice", k);
            return -1;
        }
        fm->value[i] = v;
        if (*v && serve_form_check(f, v, reason, sizeof reason)) {
            snprintf(why, size, "field %s: %s", k, reason);
            return -1;
        }
    }
    if (!fm->trace || !*fm->trace) {
        snprintf(why, size, "field trace: missing (pick a trace from the list)");
        return -1;
    }
    if (!serve_traces_find(s, fm->trace)) {
        snprintf(why, size, "field trace: '%.64s' is not a trace in the list", fm->trace);
        return -1;
    }
    if (check_filter(fm, why, size) < 0)
        return -1;
    if (!fm->kind || (strcmp(fm->kind, "run") && strcmp(fm->kind, "compare"))) {
        snprintf(why, size, "field kind: want run or compare");
        return -1;
    }
    /* fixed:C against the CPU count this job will have */
    const char *cpus = fm->value[serve_form_field_find("cpus") - fm->fields];
    int ncpus = cpus && *cpus ? atoi(cpus) : 2;
    static const char *const aff[] = { "irq", "app" };
    for (size_t a = 0; a < 2 && !strcmp(fm->kind, "run"); a++) {
        const char *v = fm->value[serve_form_field_find(aff[a]) - fm->fields];
        if (v && !strncmp(v, "fixed:", 6) && atoi(v + 6) >= ncpus) {
            snprintf(why, size, "field %s: '%s': CPU %d does not exist with cpus=%d", aff[a], v, atoi(v + 6),
                     ncpus);
            return -1;
        }
    }
    if (!strcmp(fm->kind, "compare")) {
        size_t combos = 1;
        int axes = 0;
        for (int i = 0; i < fm->nvary; i++) {
            if (!fm->vary[i].n)
                continue;
            const char *single = fm->value[fm->vary[i].f - fm->fields];
            if (single && *single) {
                snprintf(why, size, "field %s: both set and varied; leave it at default or untick vary-%s",
                         fm->vary[i].f->name, fm->vary[i].f->name);
                return -1;
            }
            combos *= (size_t)fm->vary[i].n;
            axes++;
            if (combos > SERVE_MAX_COMBOS)
                break;
        }
        if (!axes) {
            snprintf(why, size, "field vary-*: a compare needs at least one value to vary "
                     "(tick vary-csum, vary-delivery, ... or list numbers in vary-msg-size, ...)");
            return -1;
        }
        if (combos > SERVE_MAX_COMBOS) {
            snprintf(why, size, "field vary-*: more than %d combinations; use rxsim compare --shard "
                     "on the command line for large sweeps", SERVE_MAX_COMBOS);
            return -1;
        }
    }
    return 0;
}

struct argv_b {
    char **v;
    int n;
    bool oom;
};

static void arg(struct argv_b *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv_b *a, const char *fmt, ...)
{
    if (a->oom || a->n >= SERVE_MAX_ARGS - 1) {
        a->oom = true;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0) {
        a->v[a->n] = NULL;
        a->oom = true;
    } else {
        a->n++;
    }
    va_end(ap);
}

static void run_opts(struct argv_b *a, const struct form *fm)
{
    for (size_t i = 0; i < fm->nfields; i++) {
        if (!fm->value[i] || !*fm->value[i])
            continue;
        if (fm->fields[i].type == SERVE_F_FLAG)
            arg(a, "--%s", fm->fields[i].name);
        else
            arg(a, "--%s=%s", fm->fields[i].name, fm->value[i]);
    }
}

/* step 0 (json) or 1 (csv) */
static char **build_argv(const struct form *fm, const struct serve_trace *t, const struct serve_job *j,
                         int step, int compare_jobs)
{
    struct argv_b a = { .v = calloc(SERVE_MAX_ARGS, sizeof(char *)) };
    if (!a.v)
        return NULL;
    arg(&a, "rxsim");
    if (!strcmp(fm->kind, "run")) {
        arg(&a, "run");
        if (step == 0) {
            arg(&a, "--json");
            arg(&a, "--progress");
            arg(&a, "--timeline=%s/timeline.json", j->dir);
        } else {
            arg(&a, "--csv");
            arg(&a, "--no-progress");
        }
        run_opts(&a, fm);
        arg(&a, "--");
        arg(&a, "%s", t->path);
    } else {
        arg(&a, "compare");
        arg(&a, "%s", t->path);
        for (int i = 0; i < fm->nvary; i++) {
            if (!fm->vary[i].n)
                continue;
            char list[SERVE_FORM_MAX_CHOICES * (MAX_VALUE + 1)];
            size_t off = 0;
            for (int k = 0; k < fm->vary[i].n && off < sizeof list; k++)
                off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", k ? "," : "", fm->vary[i].v[k]);
            arg(&a, "--vary=%s=%s", fm->vary[i].f->name, list);
        }
        arg(&a, "--jobs=%d", compare_jobs);
        if (step == 0) {
            arg(&a, "--json");
            arg(&a, "--svg=%s/charts", j->dir);
            arg(&a, "--progress");
        } else {
            arg(&a, "--csv");
            arg(&a, "--no-progress");
        }
        arg(&a, "--");
        run_opts(&a, fm);
    }
    if (a.oom) {
        serve_argv_free(a.v);
        return NULL;
    }
    return a.v;
}

/* The step-0 worker argv as a person types it: what only the server needs
 * (--json, --progress, --timeline/--svg into the job's directory, --jobs)
 * left out, the trace by its file name, quoted for a POSIX shell. */
static void shell_command(char **argv, const struct serve_trace *t, char *buf, size_t size)
{
    static const char *const skip[] = { "--json", "--csv", "--progress", "--no-progress", "--timeline=", "--svg=",
                                        "--jobs=" };
    size_t off = 0;
    buf[0] = '\0';
    const char *slash = strrchr(t->path, '/');
    for (char **a = argv; a && *a && off + 1 < size; a++) {
        bool drop = false;
        for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++)
            drop |= skip[k][strlen(skip[k]) - 1] == '=' ? !strncmp(*a, skip[k], strlen(skip[k])) : !strcmp(*a, skip[k]);
        if (drop)
            continue;
        const char *w = !strcmp(*a, t->path) ? (slash ? slash + 1 : t->path) : *a;
        bool plain = *w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") ==
                               strlen(w);
        off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? " " : "", plain ? "" : "'");
        for (const char *c = w; *c && off + 5 < size; c++)
            off += (size_t)snprintf(buf + off, size - off, "%s", *c == '\'' && !plain ? "'\\''" : (char[2]){ *c, 0 });
        if (!plain && off + 1 < size)
            off += (size_t)snprintf(buf + off, size - off, "'");
    }
}

static void describe(const struct form *fm, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < fm->nvary && off < size; i++) {
        if (!fm->vary[i].n)
            continue;
        off += (size_t)snprintf(buf + off, size - off, "%svary %s=", off ? " " : "", fm->vary[i].f->name);
        for (int k = 0; k < fm->vary[i].n && off < size; k++)
            off += (size_t)snprintf(buf + off, size - off, "%s%s", k ? "," : "", fm->vary[i].v[k]);
    }
    for (size_t i = 0; i < fm->nfields && off < size; i++)
        if (fm->value[i] && *fm->value[i])
            off += (size_t)snprintf(buf + off, size - off, "%s%s=%s", off ? " " : "", fm->fields[i].name,
                                    fm->value[i]);
    if (!buf[0])
        snprintf(buf, size, "defaults");
}

void serve_form_submit(struct serve *s, struct evhttp_request *req)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
        serve_error(req, 415, "Unsupported Media Type",
                    "POST /jobs takes application/x-www-form-urlencoded (the form on /)");
        return;
    }
    size_t len;
    char *body = serve_body(req, SERVE_MAX_FORM_BODY, &len);
    if (!body) {
        serve_error(req, 413, "Payload Too Large", "the form is larger than %d bytes", SERVE_MAX_FORM_BODY);
        return;
    }
    if (strlen(body) != len) {
        free(body);
        serve_error(req, 400, "Bad Request", "the form body holds a NUL byte");
        return;
    }
    struct evkeyvalq q;
    TAILQ_INIT(&q);
    struct form *fm = calloc(1, sizeof *fm);
    char why[1024];
    if (!fm) {
        free(body);
        serve_error(req, 500, "Internal Server Error", "out of memory");
        return;
    }
    fm->fields = serve_form_fields(&fm->nfields);
    if (evhttp_parse_query_str(body, &q) < 0) {
        serve_error(req, 400, "Bad Request", "the form body is not application/x-www-form-urlencoded");
        goto out;
    }
    if (parse_form(s, &q, fm, why, sizeof why) < 0) {
        serve_error(req, 400, "Bad Request", "%s", why);
        goto out;
    }
    const struct serve_trace *t = serve_traces_find(s, fm->trace);
    char what[512];
    describe(fm, what, sizeof what);
    bool full = false;
    enum serve_job_kind kind = !strcmp(fm->kind, "run") ? JOB_RUN : JOB_COMPARE;
    struct serve_job *j = serve_jobs_create(s, kind, t->name, what, &full);
    if (!j) {
        if (full)
            serve_error(req, 503, "Service Unavailable",
                        "the job queue is full (%d running, %d queued): try again when some have finished",
                        s->running, serve_jobs_queued(s));
        else
            serve_error(req, 500, "Internal Server Error", "cannot create the job (out of memory or disk)");
        goto out;
    }
    for (int step = 0; step < 2; step++) {
        j->argv[step] = build_argv(fm, t, j, step, s->compare_jobs);
        j->out_name[step] = step == 0 ? "report.json" : "report.csv";
    }
    j->nsteps = 2;
    shell_command(j->argv[0], t, j->command, sizeof j->command);
    if (!j->argv[0] || !j->argv[1])
        j->state = JOB_FAILED;          /* out of memory: the page says failed */
    serve_jobs_kick(s);
    char loc[64];
    snprintf(loc, sizeof loc, "/jobs/%s", j->id);
    serve_redirect(req, loc);
out:
    form_fini(fm);
    free(fm);
    evhttp_clear_headers(&q);
    free(body);
}
