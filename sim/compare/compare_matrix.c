/* sim/compare/compare_matrix.c: the matrix behind rxsim compare: which `rxsim run`
 * options are axes, the cross product (first axis outermost, last fastest),
 * the baseline rule, shard slices, each row's exact `rxsim run` argv, and the
 * matrix as JSON so that rxsim merge can check shards came from one sweep. */
#include "sim/compare/compare.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/options/run_options.h"

#ifndef RXSIM_VERSION
#define RXSIM_VERSION "unknown"
#endif

/* The `rxsim run` options compare knows, from run's option table
 * (sim/options/run_options.c): its axes in their .sweep order (every run
 * option that takes a value and means something once per row), then the
 * flags passed on after "--"; filled once, on first use.  Rows compare sets
 * itself (RUN_SWEEP_OWN: --json, --csv, ...) are refused after "--". */
static struct compare_option options[COMPARE_MAX_OPTIONS];
static size_t noptions;
static pthread_once_t options_once = PTHREAD_ONCE_INIT;

static void options_init(void)
{
    const struct run_option *axes[COMPARE_MAX_OPTIONS];
    size_t n = run_options_ordered(offsetof(struct run_option, sweep), axes);
    for (size_t i = 0; i < n; i++)
        options[noptions++] = (struct compare_option){ axes[i]->name, true, run_option_numeric(axes[i]), true };
    for (size_t i = 0; i < run_noptions; i++)
        if (run_options[i].sweep == RUN_SWEEP_PASSED)
            options[noptions++] = (struct compare_option){ run_options[i].name, false, false, false };
}


static void seterr(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

const struct compare_option *compare_option_find(const char *name)
{
    const struct run_option *ro = run_option_find(name);    /* an older name (--msg-size) finds its row */
    if (ro)
        name = ro->name;
    pthread_once(&options_once, options_init);
    for (size_t i = 0; i < noptions; i++)
        if (!strcmp(options[i].name, name))
            return &options[i];
    return NULL;
}

void compare_axes_help(FILE *out)
{
    int col = 2;
    pthread_once(&options_once, options_init);
    fprintf(out, " ");
    for (size_t i = 0; i < noptions; i++) {
        if (!options[i].axis)
            continue;
        int w = (int)strlen(options[i].name) + 1;
        if (col + w > 78) {
            fprintf(out, "\n ");
            col = 2;
        }
        fprintf(out, " %s", options[i].name);
        col += w;
    }
    fprintf(out, "\n");
}

void compare_matrix_init(struct compare_matrix *m)
{
    *m = (struct compare_matrix){0};
}

void compare_matrix_fini(struct compare_matrix *m)
{
    for (int i = 0; i < m->ntraces; i++)
        free(m->traces[i]);
    free(m->traces);
    for (int i = 0; i < m->nrun_opts; i++)
        free(m->run_opts[i]);
    free(m->run_opts);
    for (int a = 0; a < m->naxes; a++)
        for (int v = 0; v < m->axis[a].nvalues; v++)
            free(m->axis[a].values[v]);
    *m = (struct compare_matrix){0};
}

static int find_axis(const struct compare_matrix *m, const char *name)
{
    const struct run_option *ro = run_option_find(name);    /* an alias names its option's axis */
    if (ro)
        name = ro->name;
    for (int a = 0; a < m->naxes; a++)
        if (!strcmp(m->axis[a].opt->name, name))
            return a;
    return -1;
}

static int add_value(struct compare_axis *ax, const char *v, size_t len, char *err, size_t errsz)
{
    if (len == 0) {
        seterr(err, errsz, "--vary %s: an empty value", ax->opt->name);
        return -1;
    }
    for (int i = 0; i < ax->nvalues; i++)
        if (strlen(ax->values[i]) == len && !memcmp(ax->values[i], v, len)) {
            seterr(err, errsz, "--vary %s: '%.*s' given twice", ax->opt->name, (int)len, v);
            return -1;
        }
    if (ax->nvalues == COMPARE_MAX_VALUES) {
        seterr(err, errsz, "--vary %s: at most %d values", ax->opt->name, COMPARE_MAX_VALUES);
        return -1;
    }
    if (ax->opt->numeric) {
        char tmp[64], *end;
        snprintf(tmp, sizeof tmp, "%.*s", (int)len, v);
        errno = 0;
        (void)strtod(tmp, &end);
        if (len >= sizeof tmp || errno || end == tmp || *end) {
            seterr(err, errsz, "--vary %s: '%.*s' is not a number", ax->opt->name, (int)len, v);
            return -1;
        }
    }
    if (!(ax->values[ax->nvalues] = strndup(v, len))) {
        seterr(err, errsz, "out of memory");
        return -1;
    }
    ax->nvalues++;
    return 0;
}

int compare_matrix_vary(struct compare_matrix *m, const char *spec, char *err, size_t errsz)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        seterr(err, errsz, "--vary '%s': want AXIS=V1,V2,...", spec);
        return -1;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    const struct compare_option *o = compare_option_find(name);
    if (!o || !o->axis) {
        seterr(err, errsz, "--vary '%s': '%s' is not an axis (rxsim compare --help lists them)", spec, name);
        return -1;
    }
    if (find_axis(m, name) >= 0) {
        seterr(err, errsz, "--vary %s given twice: list every value in one --vary", name);
        return -1;
    }
    if (m->naxes == COMPARE_MAX_AXES) {
        seterr(err, errsz, "at most %d axes", COMPARE_MAX_AXES);
        return -1;
    }
    struct compare_axis *ax = &m->axis[m->naxes++];
    *ax = (struct compare_axis){ .opt = o, .baseline = -1 };
    for (const char *p = eq + 1;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (add_value(ax, p, len, err, errsz) < 0)
            return -1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int compare_matrix_baseline(struct compare_matrix *m, const char *spec, char *err, size_t errsz)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        seterr(err, errsz, "--baseline '%s': want AXIS=VALUE", spec);
        return -1;
    }
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    int a = find_axis(m, name);
    if (a < 0) {
        seterr(err, errsz, "--baseline '%s': %s is not a --vary axis", spec, name);
        return -1;
    }
    struct compare_axis *ax = &m->axis[a];
    if (ax->baseline >= 0) {
        seterr(err, errsz, "--baseline %s given twice", name);
        return -1;
    }
    for (int v = 0; v < ax->nvalues; v++)
        if (!strcmp(ax->values[v], eq + 1)) {
            ax->baseline = v;
            m->has_baseline = true;
            return 0;
        }
    seterr(err, errsz, "--baseline '%s': '%s' is not one of the --vary %s values", spec, eq + 1, name);
    return -1;
}

int compare_matrix_run_opts(struct compare_matrix *m, int argc, char **argv, char *err, size_t errsz)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) || !arg[2]) {
            seterr(err, errsz, "after --: '%s' is not an option (traces go before --)", arg);
            return -1;
        }
        char name[64];
        const char *eq = strchr(arg, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - arg - 2) : (int)strlen(arg + 2), arg + 2);
        const struct run_option *ro = run_option_find(name);
        if (ro && ro->sweep == RUN_SWEEP_OWN) {
            seterr(err, errsz, "after --: --%s is not passed on to each run (compare has its own output options)",
                   name);
            return -1;
        }
        const struct compare_option *o = compare_option_find(name);
        if (!o) {
            seterr(err, errsz, "after --: '%s' is not an rxsim run option (rxsim run --help)", arg);
            return -1;
        }
        if (find_axis(m, name) >= 0) {
            seterr(err, errsz, "after --: --%s is also a --vary axis; give it once", name);
            return -1;
        }
        if (o->takes_value && !eq && i + 1 == argc) {
            seterr(err, errsz, "after --: --%s needs a value", name);
            return -1;
        }
        if (!o->takes_value && eq) {
            seterr(err, errsz, "after --: --%s takes no value", name);
            return -1;
        }
        if (o->takes_value && !eq)
            i++;
    }
    m->run_opts = calloc((size_t)argc + 1, sizeof *m->run_opts);
    if (!m->run_opts) {
        seterr(err, errsz, "out of memory");
        return -1;
    }
    for (int i = 0; i < argc; i++)
        if (!(m->run_opts[m->nrun_opts++] = strdup(argv[i]))) {
            seterr(err, errsz, "out of memory");
            return -1;
        }
    return 0;
}

bool compare_matrix_closed(const struct compare_matrix *m)
{
    int a = find_axis(m, "replay");
    if (a >= 0) {
        for (int v = 0; v < m->axis[a].nvalues; v++)
            if (strcmp(m->axis[a].values[v], "closed"))
                return false;
        return true;
    }
    bool closed = false;                /* the last --replay given wins, as in rxsim run */
    for (int i = 0; i < m->nrun_opts; i++) {
        if (!strcmp(m->run_opts[i], "--replay") && i + 1 < m->nrun_opts)
            closed = !strcmp(m->run_opts[++i], "closed");
        else if (!strncmp(m->run_opts[i], "--replay=", 9))
            closed = !strcmp(m->run_opts[i] + 9, "closed");
    }
    return closed;
}

int compare_matrix_finish(struct compare_matrix *m, char *err, size_t errsz)
{
    if (m->naxes == 0) {
        seterr(err, errsz, "nothing to compare: give at least one --vary AXIS=V1,V2,...");
        return -1;
    }
    if (m->ntraces == 0 && !compare_matrix_closed(m)) {
        seterr(err, errsz, "no trace given (without one, every row must run --replay closed)");
        return -1;
    }
    size_t n = 1;
    for (int a = 0; a < m->naxes; a++) {
        n *= (size_t)m->axis[a].nvalues;
        if (n > COMPARE_MAX_COMBOS) {
            seterr(err, errsz, "more than %d combinations: split the sweep", COMPARE_MAX_COMBOS);
            return -1;
        }
    }
    m->ncombos = n;
    return 0;
}

void compare_combo(const struct compare_matrix *m, size_t idx, int vi[COMPARE_MAX_AXES])
{
    for (int a = m->naxes - 1; a >= 0; a--) {
        vi[a] = (int)(idx % (size_t)m->axis[a].nvalues);
        idx /= (size_t)m->axis[a].nvalues;
    }
}

size_t compare_combo_index(const struct compare_matrix *m, const int vi[COMPARE_MAX_AXES])
{
    size_t idx = 0;
    for (int a = 0; a < m->naxes; a++)
        idx = idx * (size_t)m->axis[a].nvalues + (size_t)vi[a];
    return idx;
}

size_t compare_baseline_of(const struct compare_matrix *m, size_t idx)
{
    if (!m->has_baseline)
        return 0;
    int vi[COMPARE_MAX_AXES];
    compare_combo(m, idx, vi);
    for (int a = 0; a < m->naxes; a++)
        if (m->axis[a].baseline >= 0)
            vi[a] = m->axis[a].baseline;
    return compare_combo_index(m, vi);
}

void compare_combo_label(const struct compare_matrix *m, size_t idx, const char *sep, bool names,
                         char *buf, size_t size)
{
    int vi[COMPARE_MAX_AXES];
    size_t used = 0;
    compare_combo(m, idx, vi);
    buf[0] = '\0';
    for (int a = 0; a < m->naxes && used < size; a++) {
        int w = snprintf(buf + used, size - used, "%s%s%s%s", a ? sep : "", names ? m->axis[a].opt->name : "",
                         names ? "=" : "", m->axis[a].values[vi[a]]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

char **compare_row_argv(const struct compare_matrix *m, size_t idx, const char *exe)
{
    size_t n = 4 + (size_t)m->nrun_opts + 2 * (size_t)m->naxes + (size_t)m->ntraces + 1;
    char **argv = calloc(n, sizeof *argv);
    if (!argv)
        return NULL;
    int vi[COMPARE_MAX_AXES];
    size_t k = 0;
    compare_combo(m, idx, vi);
    argv[k++] = strdup(exe);
    argv[k++] = strdup("run");
    argv[k++] = strdup("--json");
    argv[k++] = strdup("--no-progress");
    for (int i = 0; i < m->nrun_opts; i++)
        argv[k++] = strdup(m->run_opts[i]);
    for (int a = 0; a < m->naxes; a++) {
        char opt[80];
        snprintf(opt, sizeof opt, "--%s", m->axis[a].opt->name);
        argv[k++] = strdup(opt);
        argv[k++] = strdup(m->axis[a].values[vi[a]]);
    }
    for (int i = 0; i < m->ntraces; i++)
        argv[k++] = strdup(m->traces[i]);
    for (size_t i = 0; i < k; i++)
        if (!argv[i]) {
            compare_argv_free(argv);
            return NULL;
        }
    return argv;
}

void compare_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

int compare_shard_parse(const char *s, int *k, int *n)
{
    char *end;
    errno = 0;
    long kk = strtol(s, &end, 10);
    if (errno || end == s || *end != '/' || *s == '-' || *s == '+')
        return -1;
    const char *ns = end + 1;
    long nn = strtol(ns, &end, 10);
    if (errno || end == ns || *end || *ns == '-' || *ns == '+' || nn < 1 || nn > COMPARE_MAX_COMBOS || kk < 1 ||
        kk > nn)
        return -1;
    *k = (int)kk;
    *n = (int)nn;
    return 0;
}

json_object *compare_matrix_json(const struct compare_matrix *m)
{
    json_object *j = json_object_new_object();
    json_object_object_add(j, "rxsim_version", json_object_new_string(RXSIM_VERSION));
    json_object *tr = json_object_new_array();
    for (int i = 0; i < m->ntraces; i++)
        json_object_array_add(tr, json_object_new_string(m->traces[i]));
    json_object_object_add(j, "traces", tr);
    json_object *ro = json_object_new_array();
    for (int i = 0; i < m->nrun_opts; i++)
        json_object_array_add(ro, json_object_new_string(m->run_opts[i]));
    json_object_object_add(j, "run_options", ro);
    json_object *axes = json_object_new_array();
    for (int a = 0; a < m->naxes; a++) {
        json_object *ax = json_object_new_object();
        json_object_object_add(ax, "name", json_object_new_string(m->axis[a].opt->name));
        json_object_object_add(ax, "numeric", json_object_new_boolean(m->axis[a].opt->numeric));
        json_object *vals = json_object_new_array();
        for (int v = 0; v < m->axis[a].nvalues; v++)
            json_object_array_add(vals, json_object_new_string(m->axis[a].values[v]));
        json_object_object_add(ax, "values", vals);
        json_object_array_add(axes, ax);
    }
    json_object_object_add(j, "axes", axes);
    json_object_object_add(j, "order", json_object_new_string("first axis outermost, last axis fastest"));
    json_object *base = NULL;
    if (m->has_baseline) {
        base = json_object_new_object();
        for (int a = 0; a < m->naxes; a++)
            if (m->axis[a].baseline >= 0)
                json_object_object_add(base, m->axis[a].opt->name,
                                       json_object_new_string(m->axis[a].values[m->axis[a].baseline]));
    }
    json_object_object_add(j, "baseline", base);
    json_object_object_add(j, "baseline_rule",
                           json_object_new_string(m->has_baseline
                                                      ? "each row against the row with the baseline values on "
                                                        "those axes and its own values on the others"
                                                      : "each row against row 0"));
    json_object_object_add(j, "combinations", json_object_new_uint64(m->ncombos));
    return j;
}

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static int strings(json_object *arr, int *n, char ***out)
{
    if (!json_object_is_type(arr, json_type_array))
        return -1;
    size_t len = json_object_array_length(arr);
    *out = calloc(len + 1, sizeof **out);
    if (!*out)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *s = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(s, json_type_string))
            return -1;
        if (!((*out)[(*n)++] = strdup(json_object_get_string(s))))
            return -1;
    }
    return 0;
}

int compare_matrix_from_json(struct compare_matrix *m, json_object *j, char *err, size_t errsz)
{
    compare_matrix_init(m);
    json_object *axes = get(j, "axes"), *base = get(j, "baseline");
    if (!json_object_is_type(j, json_type_object) || strings(get(j, "traces"), &m->ntraces, &m->traces) < 0 ||
        strings(get(j, "run_options"), &m->nrun_opts, &m->run_opts) < 0 ||
        !json_object_is_type(axes, json_type_array)) {
        seterr(err, errsz, "the \"matrix\" is malformed");
        return -1;
    }
    for (size_t a = 0; a < json_object_array_length(axes); a++) {
        json_object *ax = json_object_array_get_idx(axes, a), *vals = get(ax, "values");
        char spec[8192];
        size_t used = (size_t)snprintf(spec, sizeof spec, "%s=", json_object_get_string(get(ax, "name")));
        for (size_t v = 0; vals && v < json_object_array_length(vals) && used < sizeof spec; v++)
            used += (size_t)snprintf(spec + used, sizeof spec - used, "%s%s", v ? "," : "",
                                     json_object_get_string(json_object_array_get_idx(vals, v)));
        if (!json_object_is_type(vals, json_type_array) || used >= sizeof spec ||
            compare_matrix_vary(m, spec, err, errsz) < 0)
            return -1;
    }
    if (base) {
        json_object_object_foreach(base, k, v) {
            char spec[1024];
            snprintf(spec, sizeof spec, "%s=%s", k, json_object_get_string(v));
            if (compare_matrix_baseline(m, spec, err, errsz) < 0)
                return -1;
        }
    }
    if (compare_matrix_finish(m, err, errsz) < 0)
        return -1;
    if ((uint64_t)json_object_get_uint64(get(j, "combinations")) != m->ncombos) {
        seterr(err, errsz, "the matrix says %llu combinations, its axes make %zu",
               (unsigned long long)json_object_get_uint64(get(j, "combinations")), m->ncombos);
        return -1;
    }
    return 0;
}
