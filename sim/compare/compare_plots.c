/* sim/compare/compare_plots.c: rxsim compare --svg DIR: the charts of a matrix.
 *
 *   bars-METRIC.svg          one per headline metric: a group per setting of
 *                            every axis but the last, a bar per value of the last
 *   stacked-cycles-per-byte.svg  cycles per byte by category, one bar per row
 *   line-AXIS-METRIC.svg     per numeric axis with 2+ values (msg-size, cpus,
 *                            rx-usecs...) and headline metric: the metric against
 *                            that axis, a line per setting of the other axes
 *
 * Charts are built from rows in index order only, so they are the same bytes
 * for any --jobs and for merged shards.  Each chart goes to a sink: a file
 * in --svg DIR, or the --html page's list (compare_html.c). */
#include "sim/compare/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/report/svg.h"

struct plot_buf {
    char **cat;             /* ncat labels */
    size_t ncat;
    char **sname;           /* nseries names */
    size_t nseries;
    double *v;              /* nseries * ncat */
    struct svg_series *series;
};

static void plot_free(struct plot_buf *p)
{
    for (size_t i = 0; p->cat && i < p->ncat; i++)
        free(p->cat[i]);
    for (size_t i = 0; p->sname && i < p->nseries; i++)
        free(p->sname[i]);
    free(p->cat);
    free(p->sname);
    free(p->v);
    free(p->series);
    *p = (struct plot_buf){0};
}

static int plot_alloc(struct plot_buf *p, size_t ncat, size_t nseries)
{
    *p = (struct plot_buf){ .ncat = ncat, .nseries = nseries };
    p->cat = calloc(ncat, sizeof *p->cat);
    p->sname = calloc(nseries, sizeof *p->sname);
    p->v = malloc(ncat * nseries * sizeof *p->v);
    p->series = calloc(nseries, sizeof *p->series);
    if (!p->cat || !p->sname || !p->v || !p->series)
        return -1;
    for (size_t i = 0; i < ncat * nseries; i++)
        p->v[i] = NAN;
    for (size_t s = 0; s < nseries; s++)
        p->series[s].v = p->v + s * ncat;
    return 0;
}

/* A file in sink->dir. */
static int chart_to_file(struct compare_chart_sink *sink, const char *name, const struct svg_chart *c, char *err,
                         size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", (const char *)sink->ctx, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = svg_chart_write(c, f);
    if (fclose(f) != 0 || rc < 0) {
        snprintf(err, errsz, "%s: write error", path);
        return -1;
    }
    return 0;
}

static int write_chart(struct compare_chart_sink *sink, const char *name, struct svg_chart *c, char *err,
                       size_t errsz)
{
    return sink->put(sink, name, c, err, errsz);
}

/* The unit of an axis' values, for its label: "recv-size (bytes)". */
static const char *axis_unit(const char *axis)
{
    static const char *const units[][2] = {
        { "recv-size", "bytes" }, { "msg-size", "bytes" }, { "ring", "descriptors per queue" },
        { "rx-usecs", "us" }, { "rx-frames", "frames" }, { "budget", "frames" }, { "cpus", "CPUs" },
        { "queues", "queues" }, { "nics", "NICs" }, { "cache-kib", "KiB" }, { "ghz", "GHz" },
        { "app-cycles-per-byte", "cycles/byte" }, { "max-conns", "connections" },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(units[i][0], axis))
            return units[i][1];
    return NULL;
}

static void axis_label(const char *axis, char *buf, size_t size)
{
    const char *u = axis_unit(axis);
    if (u)
        snprintf(buf, size, "%s (%s)", axis, u);
    else
        snprintf(buf, size, "%s", axis);
}

/* Labels "name=value ..." of the axes in mask, at the values vi. */
static char *mask_label(const struct compare_matrix *m, const bool *mask, const int *vi, bool names)
{
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < m->naxes && used < sizeof buf; a++)
        if (mask[a])
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s%s%s", used ? " " : "",
                                     names ? m->axis[a].opt->name : "", names ? "=" : "",
                                     m->axis[a].values[vi[a]]);
    return strdup(buf);
}

static char *mask_names(const struct compare_matrix *m, const bool *mask, const char *sep)
{
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < m->naxes && used < sizeof buf; a++)
        if (mask[a])
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", used ? sep : "", m->axis[a].opt->name);
    return strdup(buf);
}

/* Index of a setting of the axes in mask → vi, mixed radix in axis order. */
static void mask_values(const struct compare_matrix *m, const bool *mask, size_t k, int *vi)
{
    for (int a = m->naxes - 1; a >= 0; a--)
        if (mask[a]) {
            vi[a] = (int)(k % (size_t)m->axis[a].nvalues);
            k /= (size_t)m->axis[a].nvalues;
        }
}

static size_t mask_count(const struct compare_matrix *m, const bool *mask)
{
    size_t n = 1;
    for (int a = 0; a < m->naxes; a++)
        if (mask[a])
            n *= (size_t)m->axis[a].nvalues;
    return n;
}

static int grouped_bars(const struct compare_matrix *m, struct compare_row *rows, struct compare_chart_sink *dir,
                        const struct report_metric *mt, char *err, size_t errsz)
{
    int last = m->naxes - 1;
    bool group_mask[COMPARE_MAX_AXES] = {0};
    for (int a = 0; a < last; a++)
        group_mask[a] = true;
    bool one_axis = m->naxes == 1;
    size_t ncat = one_axis ? (size_t)m->axis[0].nvalues : mask_count(m, group_mask);
    size_t nser = one_axis ? 1 : (size_t)m->axis[last].nvalues;
    struct plot_buf p;
    int rc = -1;
    if (plot_alloc(&p, ncat, nser) < 0)
        goto out;
    int vi[COMPARE_MAX_AXES] = {0};
    for (size_t g = 0; g < ncat; g++) {
        if (one_axis) {
            vi[0] = (int)g;
            p.cat[g] = strdup(m->axis[0].values[g]);
        } else {
            mask_values(m, group_mask, g, vi);
            p.cat[g] = mask_label(m, group_mask, vi, true);
        }
        for (size_t s = 0; s < nser; s++) {
            if (!one_axis)
                vi[last] = (int)s;
            double v;
            if (report_metric_number(rows[compare_combo_index(m, vi)].run, mt, 0, &v))
                p.v[s * p.ncat + g] = v;
        }
    }
    for (size_t s = 0; s < nser; s++) {
        if (one_axis) {
            p.sname[s] = strdup(mt->label);
        } else {
            char buf[512];
            snprintf(buf, sizeof buf, "%s=%s", m->axis[last].opt->name, m->axis[last].values[s]);
            p.sname[s] = strdup(buf);
        }
        p.series[s].name = p.sname[s];
    }
    for (size_t g = 0; g < ncat; g++)
        if (!p.cat[g])
            goto out;
    for (size_t s = 0; s < nser; s++)
        if (!p.sname[s])
            goto out;
    char title[256], ylab[256], sub[512], xlab[256];
    axis_label(m->axis[0].opt->name, xlab, sizeof xlab);
    char *xl = one_axis ? strdup(xlab) : mask_names(m, group_mask, " x ");
    snprintf(title, sizeof title, "%s by %s", mt->label, one_axis ? m->axis[0].opt->name : "combination");
    snprintf(sub, sizeof sub, "%zu runs; %s", m->ncombos,
             one_axis ? "one bar per value" : "groups: the other axes; bars: the last axis");
    report_label_unit(mt, ylab, sizeof ylab);
    struct svg_chart c = { .kind = SVG_BARS, .title = title, .subtitle = sub, .x_label = xl ? xl : "",
                           .y_label = ylab, .value_unit = mt->unit, .integer_y = mt->kind == REPORT_U64,
                           .shown_rounded = true, .decimals = mt->decimals,
                           .ncat = ncat, .cat = (const char *const *)p.cat, .nseries = nser, .series = p.series };
    char name[128];
    snprintf(name, sizeof name, "bars-%s.svg", mt->compare_key);
    rc = write_chart(dir, name, &c, err, errsz);
    free(xl);
out:
    if (rc < 0 && !*err)
        snprintf(err, errsz, "out of memory");
    plot_free(&p);
    return rc;
}

/* A per-category metric (REPORT_STACKED), one bar per row stacked by category. */
static int stacked_categories(const struct compare_matrix *m, struct compare_row *rows, struct compare_chart_sink *dir,
                              const struct report_metric *mt, char *err, size_t errsz)
{
    struct plot_buf p;
    int rc = -1;
    if (plot_alloc(&p, m->ncombos, SIM_CAT__COUNT) < 0)
        goto out;
    for (size_t i = 0; i < m->ncombos; i++) {
        char label[1024];
        compare_combo_label(m, i, " / ", false, label, sizeof label);
        if (!(p.cat[i] = strdup(label)))
            goto out;
        for (int k = 0; k < SIM_CAT__COUNT; k++) {
            double v;
            if (report_metric_number(rows[i].run, mt, k, &v))
                p.v[(size_t)k * p.ncat + i] = v;
        }
    }
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        p.series[k].name = sim_category_key(k);
    bool all[COMPARE_MAX_AXES];
    for (int a = 0; a < m->naxes; a++)
        all[a] = true;
    char *xl = mask_names(m, all, " / "), sub[256], ylab[256], name[128];
    snprintf(sub, sizeof sub, "where each byte's cycles go, %zu runs", m->ncombos);
    snprintf(ylab, sizeof ylab, "%s (%s)", mt->compare_heading, mt->unit);
    snprintf(name, sizeof name, "stacked-%s.svg", mt->compare_key);
    struct svg_chart c = { .kind = SVG_STACKED, .title = mt->label, .subtitle = sub,
                           .x_label = xl ? xl : "", .y_label = ylab,
                           .ncat = m->ncombos, .cat = (const char *const *)p.cat,
                           .nseries = SIM_CAT__COUNT, .series = p.series };
    rc = write_chart(dir, name, &c, err, errsz);
    free(xl);
out:
    if (rc < 0 && !*err)
        snprintf(err, errsz, "out of memory");
    plot_free(&p);
    return rc;
}

struct xsort {
    double x;
    int vi;
};

static int by_x(const void *a, const void *b)
{
    const struct xsort *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x ? 1 : p->vi - q->vi;
}

static int line_chart(const struct compare_matrix *m, struct compare_row *rows, struct compare_chart_sink *dir, int xa,
                      const struct report_metric *mt, char *err, size_t errsz)
{
    const struct compare_axis *ax = &m->axis[xa];
    bool other[COMPARE_MAX_AXES];
    for (int a = 0; a < m->naxes; a++)
        other[a] = a != xa;
    size_t ncat = (size_t)ax->nvalues, nser = mask_count(m, other);
    bool none_other = m->naxes == 1;
    struct xsort xs[COMPARE_MAX_VALUES];
    double xv[COMPARE_MAX_VALUES];
    for (int v = 0; v < ax->nvalues; v++)
        xs[v] = (struct xsort){ strtod(ax->values[v], NULL), v };
    qsort(xs, ncat, sizeof xs[0], by_x);
    struct plot_buf p;
    int rc = -1;
    if (plot_alloc(&p, ncat, nser) < 0)
        goto out;
    for (size_t i = 0; i < ncat; i++) {
        xv[i] = xs[i].x;
        if (!(p.cat[i] = strdup(ax->values[xs[i].vi])))
            goto out;
    }
    int vi[COMPARE_MAX_AXES] = {0};
    for (size_t s = 0; s < nser; s++) {
        mask_values(m, other, s, vi);
        p.sname[s] = none_other ? strdup(mt->label) : mask_label(m, other, vi, true);
        if (!p.sname[s])
            goto out;
        p.series[s].name = p.sname[s];
        for (size_t i = 0; i < ncat; i++) {
            double v;
            vi[xa] = xs[i].vi;
            if (report_metric_number(rows[compare_combo_index(m, vi)].run, mt, 0, &v))
                p.v[s * p.ncat + i] = v;
        }
    }
    /* Small multiples: a panel per setting of the outer other axes, when the
     * inner ones give at most SVG_SERIES_PER_PANEL lines. */
    size_t per = 1;
    bool outer[COMPARE_MAX_AXES] = {0};
    int split = m->naxes;
    for (int a = m->naxes - 1; a >= 0; a--) {
        if (a == xa)
            continue;
        if (per * (size_t)m->axis[a].nvalues > SVG_SERIES_PER_PANEL)
            break;
        per *= (size_t)m->axis[a].nvalues;
        split = a;
    }
    for (int a = 0; a < split; a++)
        outer[a] = a != xa;
    size_t npanel = per > 1 && nser > SVG_SERIES_PER_PANEL ? nser / per : 0;
    char **ptitle = npanel ? calloc(npanel, sizeof *ptitle) : NULL;
    for (size_t k = 0; ptitle && k < npanel; k++) {
        mask_values(m, outer, k, vi);
        ptitle[k] = mask_label(m, outer, vi, true);
    }
    char title[256], ylab[256], sub[256];
    snprintf(title, sizeof title, "%s against %s", mt->label, ax->opt->name);
    snprintf(sub, sizeof sub, "%s", none_other ? "one run per value" : "one line per setting of the other axes");
    report_label_unit(mt, ylab, sizeof ylab);
    char xlab[256];
    axis_label(ax->opt->name, xlab, sizeof xlab);
    if (nser > SVG_SERIES_PER_PANEL)
        snprintf(sub, sizeof sub, "one line per setting of the other axes, at most %d a panel%s (one y scale)",
                 SVG_SERIES_PER_PANEL, npanel ? ", a panel per setting of the first" : "");
    struct svg_chart c = { .kind = SVG_LINES, .title = title, .subtitle = sub, .x_label = xlab,
                           .y_label = ylab, .value_unit = mt->unit, .integer_y = mt->kind == REPORT_U64,
                           .shown_rounded = true, .decimals = mt->decimals,
                           .ncat = ncat, .cat = (const char *const *)p.cat, .x = xv,
                           .nseries = nser, .series = p.series, .per_panel = ptitle ? per : 0,
                           .panel_title = (const char *const *)ptitle };
    char name[160];
    snprintf(name, sizeof name, "line-%s-%s.svg", ax->opt->name, mt->compare_key);
    rc = write_chart(dir, name, &c, err, errsz);
    for (size_t k = 0; ptitle && k < npanel; k++)
        free(ptitle[k]);
    free(ptitle);
out:
    if (rc < 0 && !*err)
        snprintf(err, errsz, "out of memory");
    plot_free(&p);
    return rc;
}

int compare_write_svgs(const struct compare_matrix *m, struct compare_row *rows, const char *dir, char *err,
                       size_t errsz)
{
    struct stat st;
    err[0] = '\0';
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        snprintf(err, errsz, "cannot create the directory: %s", strerror(errno));
        return -1;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errsz, "not a directory");
        return -1;
    }
    struct compare_chart_sink sink = { .put = chart_to_file, .ctx = (void *)dir };
    return compare_charts(m, rows, &sink, err, errsz);
}

int compare_charts(const struct compare_matrix *m, struct compare_row *rows, struct compare_chart_sink *dir,
                   char *err, size_t errsz)
{
    err[0] = '\0';
    for (size_t k = 0; k < report_ncompare(); k++)
        if (grouped_bars(m, rows, dir, report_compare_metric(k), err, errsz) < 0)
            return -1;
    for (size_t k = 0; k < report_nmetrics; k++)
        if ((report_metrics[k].flags & REPORT_STACKED) &&
            stacked_categories(m, rows, dir, &report_metrics[k], err, errsz) < 0)
            return -1;
    for (int a = 0; a < m->naxes; a++) {
        if (!m->axis[a].opt->numeric || m->axis[a].nvalues < 2)
            continue;
        for (size_t k = 0; k < report_ncompare(); k++)
            if (line_chart(m, rows, dir, a, report_compare_metric(k), err, errsz) < 0)
                return -1;
    }
    return 0;
}
