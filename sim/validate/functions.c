/* sim/validate/functions.c: the kept perf scripts of a validate run, leaf
 * function by leaf function (functions.h). */
#include "sim/validate/functions.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/validate/attrib.h"
#include "sim/validate/dataset.h"
#include "sim/validate/perf_script.h"
#include "sim/validate/validate.h"

#define FN_MAX_REPS (VAL_MAX_CONFIGS * VAL_MAX_REPS)

struct fn_row {
    char name[PERF_SCRIPT_SYM_LEN];
    double cycles[VAL_MAX_CONFIGS];     /* summed over the configuration's repetitions */
    double spread;                      /* max - min cycles per segment over the configurations */
};

struct fn_table {
    char config[VAL_MAX_CONFIGS][48];
    int nconfigs;
    double segs[VAL_MAX_CONFIGS];       /* segments in, over the configuration's repetitions */
    double total[VAL_MAX_CONFIGS];      /* every receive-side cycle */
    struct fn_row *row;
    size_t nrows, cap;
};

/* One repetition's sample weight and the configuration it adds to. */
struct fn_rep {
    struct fn_table *t;
    int config;
    double cycles_per_sample;
};

static struct fn_row *row_of(struct fn_table *t, const char *name)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (!strcmp(t->row[i].name, name))
            return &t->row[i];
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        struct fn_row *r = realloc(t->row, cap * sizeof *r);
        if (!r)
            return NULL;
        t->row = r;
        t->cap = cap;
    }
    struct fn_row *r = &t->row[t->nrows++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    return r;
}

static void each_sample(void *ctx, const struct perf_sample *s, int side)
{
    struct fn_rep *rep = ctx;
    if ((side != VAL_SIDE_RX && side != ATTRIB_SIDE_SHARED) || s->nframes == 0)
        return;
    struct fn_row *r = row_of(rep->t, s->frame[0].sym);
    if (r)                              /* out of memory: the row is lost, the total is not */
        r->cycles[rep->config] += rep->cycles_per_sample;
    rep->t->total[rep->config] += rep->cycles_per_sample;
}

/* counters.txt's three figures the table needs. */
static int read_counters(const char *path, double *segs, double *period_ns, double *ghz, char *err, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    *segs = *period_ns = *ghz = NAN;
    while (fgets(line, sizeof line, f)) {
        double v;
        if (sscanf(line, "segs_in %lf", &v) == 1)
            *segs = v;
        else if (sscanf(line, "sample_period_ns %lf", &v) == 1)
            *period_ns = v;
        else if (sscanf(line, "tsc_ghz %lf", &v) == 1)
            *ghz = v;
    }
    fclose(f);
    if (!(*segs > 0) || !(*period_ns > 0) || !(*ghz > 0)) {
        snprintf(err, n, "%s: wants segs_in, sample_period_ns and tsc_ghz, each above 0", path);
        return -1;
    }
    return 0;
}

/* The sender's and reader's pids, from their comm in the script's headers.
 * Without them their process-context samples would count as nobody's and
 * the table would quietly lose the reader's recv path: refused. */
static int find_peers(const char *path, struct attrib_who *who, char *err, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct perf_script ps;
    perf_script_open(&ps, f, path);
    struct perf_sample *s = malloc(sizeof *s);
    int r = s ? 0 : -1;
    *who = (struct attrib_who){0};
    while (s && (!who->sender_pid || !who->reader_pid) && (r = perf_script_next(&ps, s, err, n)) == 1) {
        if (!strcmp(s->comm, "rxv-sender"))
            who->sender_pid = s->pid;
        else if (!strcmp(s->comm, "rxv-reader"))
            who->reader_pid = s->pid;
    }
    if (!s)
        snprintf(err, n, "%s: out of memory", path);
    else if (r >= 0 && (!who->sender_pid || !who->reader_pid)) {
        snprintf(err, n, "%s: no samples of %s (not a perf script validate --keep-perf kept)", path,
                 !who->reader_pid ? "rxv-reader, the reader" : "rxv-sender, the sender");
        r = -1;
    }
    free(s);
    fclose(f);
    return r < 0 ? -1 : 0;
}

/* "same-csum-nogro-1500-003" -> "same-csum-nogro-1500"; false when the
 * name does not end in "-" and digits. */
static bool config_of(const char *entry, char *out, size_t n)
{
    const char *dash = strrchr(entry, '-');
    if (!dash || dash == entry || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1))
        return false;
    snprintf(out, n, "%.*s", (int)(dash - entry), entry);
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static double spread(const struct fn_table *t, const struct fn_row *r)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int c = 0; c < t->nconfigs; c++) {
        double v = r->cycles[c] / t->segs[c];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    return hi - lo;
}

static int by_spread(const void *a, const void *b)
{
    const struct fn_row *x = a, *y = b;
    return x->spread < y->spread ? 1 : x->spread > y->spread ? -1 : strcmp(x->name, y->name);
}

static int add_rep(struct fn_table *t, const char *dir, const char *entry, char *err, size_t n)
{
    char config[48], path[4200];
    if (!config_of(entry, config, sizeof config))
        return 0;                       /* not a repetition's directory */
    int c = 0;
    while (c < t->nconfigs && strcmp(t->config[c], config))
        c++;
    if (c == t->nconfigs) {
        if (t->nconfigs == VAL_MAX_CONFIGS) {
            snprintf(err, n, "%s/perf: more than %d configurations", dir, VAL_MAX_CONFIGS);
            return -1;
        }
        snprintf(t->config[t->nconfigs++], sizeof t->config[0], "%s", config);
    }
    double segs, period_ns, ghz;
    snprintf(path, sizeof path, "%s/perf/%s/counters.txt", dir, entry);
    if (read_counters(path, &segs, &period_ns, &ghz, err, n) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/perf/%s/perf.script", dir, entry);
    struct attrib_who who;
    if (find_peers(path, &who, err, n) != 0)
        return -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct val_attrib *a = calloc(1, sizeof *a);
    struct fn_rep rep = { .t = t, .config = c, .cycles_per_sample = period_ns * ghz };
    int r = a ? attrib_stream_each(f, path, &who, a, each_sample, &rep, err, n) : -1;
    if (!a)
        snprintf(err, n, "%s: out of memory", path);
    free(a);
    fclose(f);
    if (r == 0)
        t->segs[c] += segs;
    return r;
}

static void print_table(struct fn_table *t, int top, FILE *out)
{
    for (size_t i = 0; i < t->nrows; i++)
        t->row[i].spread = spread(t, &t->row[i]);
    qsort(t->row, t->nrows, sizeof *t->row, by_spread);
    fprintf(out, "receive-side cycles per segment in, by leaf function (samples of the receive side or\n"
                 "shared with the ACKs, attributed as validate does); most different first\n\n");
    fprintf(out, "%-40s", "leaf function");
    for (int c = 0; c < t->nconfigs; c++)
        fprintf(out, " %24s", t->config[c]);
    fprintf(out, "\n");
    for (size_t i = 0; i < t->nrows && (int)i < top; i++) {
        fprintf(out, "%-40.40s", t->row[i].name);
        for (int c = 0; c < t->nconfigs; c++)
            fprintf(out, " %24.0f", t->row[i].cycles[c] / t->segs[c]);
        fprintf(out, "\n");
    }
    fprintf(out, "%-40s", "all functions");
    for (int c = 0; c < t->nconfigs; c++)
        fprintf(out, " %24.0f", t->total[c] / t->segs[c]);
    fprintf(out, "\n");
}

int val_functions(const char *dir, int top, FILE *out, char *err, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/perf", dir);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, n, "%s: %s (a validate run's --out DIR with --keep-perf has it)", path, strerror(errno));
        return -1;
    }
    char *names[FN_MAX_REPS];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < FN_MAX_REPS)
        if (e->d_name[0] != '.' && (names[nn] = strdup(e->d_name)))
            nn++;
    closedir(d);
    qsort(names, nn, sizeof names[0], by_name);
    struct fn_table t = {0};
    int r = 0;
    for (size_t i = 0; i < nn && r == 0; i++)
        r = add_rep(&t, dir, names[i], err, n);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    if (r == 0 && t.nconfigs == 0) {
        snprintf(err, n, "%s: no repetition (CONFIG-NNN directories) in it", path);
        r = -1;
    }
    if (r == 0)
        print_table(&t, top, out);
    free(t.row);
    return r;
}
