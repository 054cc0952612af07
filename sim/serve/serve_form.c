/* sim/serve/serve_form.c: the run/compare form of rxsim serve: its fields,
 * their server-side validation, and the worker argvs (serve_form.h).
 *
 * One field per `rxsim run` option that a lab would set (every policy axis,
 * the machine, the NIC, the application, seed and timing), named exactly as
 * the option.  Choices for policies and copy routines come from the same
 * registries `rxsim run --list` walks (csum_policies[], deliver_policies[],
 * recycle_policies[], copy_routine_at()), so a new policy appears here with
 * no edit.  The fields themselves, their ranges, defaults and help come
 * from run's option table (sim/options/run_options.c, the rows with a
 * .form place), which run's parser uses too; `rxsim run` checks again in
 * the worker anyway.
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

#include <arpa/inet.h>
#include <errno.h>
#include <event2/keyvalq_struct.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "copy/copy.h"
#include "drivers/nic.h"
#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/recycle.h"
#include "sim/machine.h"
#include "sim/options/run_options.h"
#include "sim/options/value.h"

#define SERVE_MAX_COMBOS 64
#define MAX_CHOICES 48
#define MAX_VALUE 256

enum ftype {
    F_CHOICE,       /* one of choices() (plus name:N for delivery, fixed:C for irq/app) */
    F_UINT,         /* whole number lo..hi */
    F_DOUBLE,       /* number lo..hi */
    F_SEED,         /* whole number, 64 bits */
    F_REPLAY,       /* trace | rate:RATE */
    F_HOST,         /* IPv4 or IPv6 address */
    F_FILTER,       /* BPF text, printable ASCII */
    F_FLAG,         /* checkbox */
};

struct field {
    const char *name;       /* == the rxsim run option without "--" */
    const char *group;
    enum ftype type;
    double lo, hi;
    const char *deflt;      /* what run uses when the field is empty (shown, not sent) */
    bool vary;              /* may be varied in a compare */
    const char *help;
    const char *choices;    /* "a|b" of an option with fixed choices, else NULL */
};

/* The fields: the option table's rows with a .form place, in that order
 * (sim/options/run_options.c), each with the row's range, default and
 * help; filled once, before the first page or submission. */
#define FORM_MAX_FIELDS 64
static struct field fields[FORM_MAX_FIELDS];
static size_t nfields;
#define NFIELDS nfields
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static enum ftype field_type(enum run_opt_kind k)
{
    switch (k) {
    case RUN_OPT_UINT: case RUN_OPT_INT: case RUN_OPT_CAP: return F_UINT;
    case RUN_OPT_DOUBLE: return F_DOUBLE;
    case RUN_OPT_SEED: return F_SEED;
    case RUN_OPT_REPLAY: return F_REPLAY;
    case RUN_OPT_HOST: return F_HOST;
    case RUN_OPT_TEXT: return F_FILTER;
    case RUN_OPT_ON: case RUN_OPT_OFF: return F_FLAG;
    default: return F_CHOICE;
    }
}

static void fields_init(void)
{
    const struct run_option *rows[FORM_MAX_FIELDS * 2];
    size_t n = run_options_ordered(offsetof(struct run_option, form), rows);
    for (size_t i = 0; i < n && i < FORM_MAX_FIELDS; i++) {
        const struct run_option *o = rows[i];
        fields[nfields++] = (struct field){ .name = o->name, .group = run_group_name(o->group),
                                            .type = field_type(o->kind), .lo = o->lo, .hi = o->hi,
                                            .deflt = run_option_default(o), .vary = o->form_vary,
                                            .help = o->form_help, .choices = o->choices };
    }
}

/* The choices of a F_CHOICE field, from the registries; returns how many. */
static int choices(const struct field *f, const char *out[MAX_CHOICES], char store[][32])
{
    int n = 0;
    if (!strcmp(f->name, "csum")) {
        for (int i = 0; csum_policies[i] && n < MAX_CHOICES; i++)
            out[n++] = csum_policies[i]->name;
    } else if (!strcmp(f->name, "recycle")) {
        for (int i = 0; recycle_policies[i] && n < MAX_CHOICES; i++)
            out[n++] = recycle_policies[i]->name;
    } else if (!strcmp(f->name, "delivery")) {
        int k = 0;
        for (int i = 0; deliver_policies[i] && n < MAX_CHOICES - 2; i++) {
            if (!deliver_policies[i]->arg_help) {
                out[n++] = deliver_policies[i]->name;
                continue;
            }
            static const int args[] = { 8, 64 };          /* examples; any N is accepted */
            for (int a = 0; a < 2; a++) {
                snprintf(store[k], 32, "%s:%d", deliver_policies[i]->name, args[a]);
                out[n++] = store[k++];
            }
        }
    } else if (!strcmp(f->name, "copy") || !strcmp(f->name, "csum-copy")) {
        enum copy_kind want = !strcmp(f->name, "copy") ? COPY_KIND_COPY : COPY_KIND_CSUM_COPY;
        for (size_t i = 0; i < copy_routine_count() && n < MAX_CHOICES; i++) {
            const struct copy_routine *r = copy_routine_at(i);
            if (r->kind == want && copy_available(r))
                out[n++] = r->name;
        }
    } else if (!strcmp(f->name, "irq")) {
        static const char *const v[] = { "fixed:0", "fixed:1", "rr", "rss" };
        for (size_t i = 0; i < 4; i++)
            out[n++] = v[i];
    } else if (!strcmp(f->name, "app")) {
        static const char *const v[] = { "fixed:0", "fixed:1", "waker", "float" };
        for (size_t i = 0; i < 4; i++)
            out[n++] = v[i];
    } else if (f->choices) {
        for (const char *p = f->choices; *p && n < MAX_CHOICES; n++) {
            size_t len = strcspn(p, "|");
            snprintf(store[n], 32, "%.*s", (int)len, p);
            out[n] = store[n];
            p += len + (p[len] != 0);
        }
    }
    return n;
}

static const struct field *field_find(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(fields[i].name, name))
            return &fields[i];
    return NULL;
}

static bool all_digits(const char *s, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* NULL when v is a good value of f; else why not (in why). */
static const char *check_value(const struct field *f, const char *v, char *why, size_t size)
{
    switch (f->type) {
    case F_CHOICE: {
        const char *c[MAX_CHOICES];
        char store[MAX_CHOICES][32];
        int n = choices(f, c, store);
        for (int i = 0; i < n; i++)
            if (!strcmp(c[i], v))
                return NULL;
        if (!strcmp(f->name, "delivery")) {
            const char *colon = strchr(v, ':');
            if (colon && colon - v < 32) {
                char name[32];
                snprintf(name, sizeof name, "%.*s", (int)(colon - v), v);
                const struct deliver_policy_ops *d = deliver_policy_find(name);
                if (d && d->arg_help && all_digits(colon + 1, 5) && atoi(colon + 1) >= 1 &&
                    atoi(colon + 1) <= 65536)
                    return NULL;
            }
        }
        if ((!strcmp(f->name, "irq") || !strcmp(f->name, "app")) && !strncmp(v, "fixed:", 6) &&
            all_digits(v + 6, 3) && atoi(v + 6) < SIM_MAX_CPUS)
            return NULL;
        size_t off = (size_t)snprintf(why, size, "'%.64s' is not one of", v);
        for (int i = 0; i < n && off < size; i++)
            off += (size_t)snprintf(why + off, size - off, "%s %s", i ? "," : "", c[i]);
        if (!strcmp(f->name, "delivery") && off < size)
            snprintf(why + off, size - off, " (or NAME:N for a policy that takes N, 1..65536)");
        if ((!strcmp(f->name, "irq") || !strcmp(f->name, "app")) && off < size)
            snprintf(why + off, size - off, " (or fixed:C, C < cpus)");
        return why;
    }
    case F_UINT: {
        uint64_t u;
        if (!all_digits(v, 10) || value_u64(v, VALUE_LEAD_DIGIT, 10, (uint64_t)f->lo, (uint64_t)f->hi, &u) < 0) {
            snprintf(why, size, "'%.64s': want a whole number from %.0f to %.0f", v, f->lo, f->hi);
            return why;
        }
        return NULL;
    }
    case F_DOUBLE: {
        double d;
        if (strlen(v) > 32 || value_double(v, f->lo, f->hi, &d) < 0) {
            snprintf(why, size, "'%.64s': want a number from %g to %g", v, f->lo, f->hi);
            return why;
        }
        return NULL;
    }
    case F_SEED: {
        uint64_t u;
        if (!all_digits(v, 20) || value_u64(v, VALUE_LEAD_DIGIT, 10, 0, UINT64_MAX, &u) < 0) {
            snprintf(why, size, "'%.64s': want a whole number below 2^64", v);
            return why;
        }
        return NULL;
    }
    case F_REPLAY: {
        if (!strcmp(v, "trace"))
            return NULL;
        double bps;         /* run's range for a rate (the replay row's lo..hi) */
        if (!strncmp(v, "rate:", 5) && strlen(v) < 32 && value_rate(v + 5, false, f->lo, f->hi, &bps) == 0)
            return NULL;
        snprintf(why, size, "'%.64s': want trace or rate:RATE (1k to 4000G, e.g. rate:10G)", v);
        return why;
    }
    case F_HOST: {
        unsigned char a[16];
        if (strlen(v) < 64 && (inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1))
            return NULL;
        snprintf(why, size, "'%.64s': not an IPv4 or IPv6 address", v);
        return why;
    }
    case F_FILTER: {
        size_t n = strlen(v);
        bool ok = n <= 200;
        for (size_t i = 0; ok && i < n; i++)
            ok = v[i] >= 0x20 && v[i] < 0x7f;
        if (!ok) {
            snprintf(why, size, "at most 200 printable ASCII characters");
            return why;
        }
        return NULL;
    }
    case F_FLAG:
        if (!strcmp(v, "1") || !strcmp(v, "on"))
            return NULL;
        snprintf(why, size, "a checkbox: on or absent");
        return why;
    }
    return "unknown field type";
}

/* --- rendering ---------------------------------------------------------- */

static void render_field(struct evbuffer *b, const struct field *f)
{
    evbuffer_add_printf(b, "<div class=\"field\"><label for=\"f-%s\">%s</label> ", f->name, f->name);
    if (f->type == F_CHOICE) {
        const char *c[MAX_CHOICES];
        char store[MAX_CHOICES][32];
        int n = choices(f, c, store);
        evbuffer_add_printf(b, "<select id=\"f-%s\" name=\"%s\"><option value=\"\">default (%s)</option>",
                            f->name, f->name, f->deflt);
        for (int i = 0; i < n; i++)
            evbuffer_add_printf(b, "<option value=\"%s\">%s</option>", c[i], c[i]);
        evbuffer_add_printf(b, "</select>");
        if (f->vary) {
            evbuffer_add_printf(b, " <span class=\"vary\">vary:");
            for (int i = 0; i < n; i++)
                evbuffer_add_printf(b, " <label><input type=\"checkbox\" name=\"vary-%s\" value=\"%s\" "
                                    "id=\"vary-%s-%s\">%s</label>", f->name, c[i], f->name, c[i], c[i]);
            evbuffer_add_printf(b, "</span>");
        }
    } else if (f->type == F_FLAG) {
        evbuffer_add_printf(b, "<input type=\"checkbox\" id=\"f-%s\" name=\"%s\" value=\"on\">", f->name,
                            f->name);
    } else {
        evbuffer_add_printf(b, "<input type=\"text\" id=\"f-%s\" name=\"%s\" placeholder=\"%s\" "
                            "maxlength=\"200\">", f->name, f->name, f->deflt);
        if (f->vary)
            evbuffer_add_printf(b, " <span class=\"vary\">vary: <input type=\"text\" id=\"vary-%s\" "
                                "name=\"vary-%s\" placeholder=\"V1,V2,...\" maxlength=\"200\"></span>",
                                f->name, f->name);
    }
    evbuffer_add_printf(b, " <small>%s</small></div>\n", f->help);
}

void serve_form_render(struct serve *s, struct evbuffer *b)
{
    pthread_once(&fields_once, fields_init);
    evbuffer_add_printf(b, "<form id=\"job-form\" method=\"post\" action=\"/jobs\">\n<fieldset><legend>job</legend>\n"
                        "<div class=\"field\"><label for=\"trace\">trace</label> <select id=\"trace\" name=\"trace\">");
    for (int i = 0; i < s->ntraces; i++) {
        evbuffer_add_printf(b, "<option value=\"");
        serve_html_escape(b, s->traces[i]->name);
        evbuffer_add_printf(b, "\">");
        serve_html_escape(b, s->traces[i]->name);
        evbuffer_add_printf(b, "</option>");
    }
    evbuffer_add_printf(b, "</select></div>\n<div class=\"field\"><label for=\"kind\">kind</label> "
                        "<select id=\"kind\" name=\"kind\"><option value=\"run\">run</option>"
                        "<option value=\"compare\">compare</option></select> <small>run: one report; "
                        "compare: tick the values to vary, side by side (at most %d combinations)</small>"
                        "</div>\n</fieldset>\n", SERVE_MAX_COMBOS);
    const char *group = NULL;
    for (size_t i = 0; i < NFIELDS; i++) {
        if (!group || strcmp(group, fields[i].group)) {
            if (group)
                evbuffer_add_printf(b, "</fieldset>\n");
            group = fields[i].group;
            evbuffer_add_printf(b, "<fieldset><legend>%s</legend>\n", group);
        }
        render_field(b, &fields[i]);
    }
    evbuffer_add_printf(b, "</fieldset>\n<p><button id=\"submit\" type=\"submit\">start</button></p>\n</form>\n");
}

/* --- submission --------------------------------------------------------- */

struct vary {
    const struct field *f;
    int n;
    char *v[MAX_CHOICES];
};

struct form {
    const char *trace, *kind;
    const char *value[FORM_MAX_FIELDS];     /* NULL or "" = default */
    struct vary vary[FORM_MAX_FIELDS];
    int nvary;
};

static struct vary *vary_of(struct form *fm, const struct field *f)
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
    if (strchr(v, ',') || check_value(va->f, v, reason, sizeof reason)) {
        snprintf(why, size, "field vary-%s: %s", va->f->name,
                 strchr(v, ',') ? "a value may not contain a comma" : reason);
        return false;
    }
    for (int i = 0; i < va->n; i++)
        if (!strcmp(va->v[i], v))
            return true;
    if (va->n == MAX_CHOICES) {
        snprintf(why, size, "field vary-%s: at most %d values", va->f->name, MAX_CHOICES);
        return false;
    }
    if (!(va->v[va->n] = strdup(v))) {
        snprintf(why, size, "out of memory");
        return false;
    }
    va->n++;
    return true;
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
            const struct field *f = field_find(k + 5);
            if (!f || !f->vary) {
                snprintf(why, size, "field %.64s: no such axis to vary", k);
                return -1;
            }
            struct vary *va = vary_of(fm, f);
            if (f->type == F_CHOICE) {
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
        const struct field *f = field_find(k);
        if (!f) {
            snprintf(why, size, "field %.64s: no such field", k);
            return -1;
        }
        size_t i = (size_t)(f - fields);
        if (fm->value[i]) {
            snprintf(why, size, "field %s: given twice", k);
            return -1;
        }
        fm->value[i] = v;
        if (*v && check_value(f, v, reason, sizeof reason)) {
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
    if (!fm->kind || (strcmp(fm->kind, "run") && strcmp(fm->kind, "compare"))) {
        snprintf(why, size, "field kind: want run or compare");
        return -1;
    }
    /* fixed:C against the CPU count this job will have */
    const char *cpus = fm->value[field_find("cpus") - fields];
    int ncpus = cpus && *cpus ? atoi(cpus) : 2;
    static const char *const aff[] = { "irq", "app" };
    for (size_t a = 0; a < 2 && !strcmp(fm->kind, "run"); a++) {
        const char *v = fm->value[field_find(aff[a]) - fields];
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
            const char *single = fm->value[fm->vary[i].f - fields];
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
    for (size_t i = 0; i < NFIELDS; i++) {
        if (!fm->value[i] || !*fm->value[i])
            continue;
        if (fields[i].type == F_FLAG)
            arg(a, "--%s", fields[i].name);
        else
            arg(a, "--%s=%s", fields[i].name, fm->value[i]);
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
            char list[MAX_CHOICES * (MAX_VALUE + 1)];
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
    for (size_t i = 0; i < NFIELDS && off < size; i++)
        if (fm->value[i] && *fm->value[i])
            off += (size_t)snprintf(buf + off, size - off, "%s%s=%s", off ? " " : "", fields[i].name,
                                    fm->value[i]);
    if (!buf[0])
        snprintf(buf, size, "defaults");
}

void serve_form_submit(struct serve *s, struct evhttp_request *req)
{
    pthread_once(&fields_once, fields_init);
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
