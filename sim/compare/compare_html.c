/* sim/compare/compare_html.c: rxsim compare --html FILE: one
 * self-contained page (no script, no external file: it can be mailed or
 * attached) with the matrix, the table of every row's headline metrics and
 * % changes, the text table as compare prints it, and every chart of --svg
 * inline; charts whose values are all equal are listed with that value
 * instead of drawn. */
#include "sim/compare/compare.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/svg.h"

struct html_chart {
    char name[160];
    char *svg;                  /* the SVG document without its XML declaration */
    bool constant;
    char note[256];             /* constant: "every run: 2 frames" */
    char title[256];
};

struct html_charts {
    struct html_chart *c;
    size_t n, cap;
};

static int collect(struct compare_chart_sink *sink, const char *name, const struct svg_chart *c, char *err,
                   size_t errsz)
{
    struct html_charts *hc = sink->ctx;
    if (hc->n == hc->cap) {
        size_t cap = hc->cap ? 2 * hc->cap : 32;
        struct html_chart *bigger = realloc(hc->c, cap * sizeof *bigger);
        if (!bigger)
            goto nomem;
        hc->c = bigger;
        hc->cap = cap;
    }
    struct html_chart *h = &hc->c[hc->n];
    *h = (struct html_chart){0};
    snprintf(h->name, sizeof h->name, "%s", name);
    snprintf(h->title, sizeof h->title, "%s", c->title ? c->title : name);
    double v;
    h->constant = c->kind != SVG_STACKED && svg_chart_constant(c, &v) && (c->ncat > 1 || c->nseries > 1);
    if (h->constant) {
        snprintf(h->note, sizeof h->note, "every run: %.*f%s%s", c->shown_rounded ? c->decimals : 6, v,
                 c->value_unit && *c->value_unit ? " " : "", c->value_unit ? c->value_unit : "");
        hc->n++;
        return 0;
    }
    size_t len = 0;
    char *text = NULL;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        goto nomem;
    int rc = svg_chart_write(c, f);
    if (fclose(f) != 0 || rc < 0) {
        free(text);
        goto nomem;
    }
    const char *body = strstr(text, "<svg");
    h->svg = strdup(body ? body : text);
    free(text);
    if (!h->svg)
        goto nomem;
    hc->n++;
    return 0;
nomem:
    snprintf(err, errsz, "out of memory");
    return -1;
}

static void write_table(const struct compare_matrix *m, struct compare_row *rows, FILE *out)
{
    char buf[64], pct[32], lab[256];
    fprintf(out, "<table id=\"results\">\n<thead><tr><th>#</th>");
    for (int a = 0; a < m->naxes; a++) {
        fprintf(out, "<th class=\"axis\">");
        svg_escape(out, m->axis[a].opt->name);
        fprintf(out, "</th>");
    }
    for (size_t k = 0; k < report_ncompare(); k++) {
        report_label_unit(report_compare_metric(k), lab, sizeof lab);
        fprintf(out, "<th>");
        svg_escape(out, lab);
        fprintf(out, "</th><th>vs base</th>");
    }
    fprintf(out, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < m->ncombos; i++) {
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        fprintf(out, "<tr><td>%zu</td>", i);
        for (int a = 0; a < m->naxes; a++) {
            fprintf(out, "<td class=\"axis\">");
            svg_escape(out, m->axis[a].values[vi[a]]);
            fprintf(out, "</td>");
        }
        for (size_t k = 0; k < report_ncompare(); k++) {
            compare_fmt_value(report_compare_metric(k), rows[i].run, buf, sizeof buf);
            compare_fmt_change(m, rows, i, report_compare_metric(k), pct, sizeof pct);
            fprintf(out, "<td>%s</td><td class=\"pct\">%s</td>", buf, pct);
        }
        fprintf(out, "</tr>\n");
    }
    fprintf(out, "</tbody>\n</table>\n");
}

static void write_page(const struct compare_matrix *m, struct compare_row *rows, const struct html_charts *hc,
                       const char *text, FILE *out)
{
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>rxsim compare: "
                 "%zu combinations</title>\n<style>\n"
                 "body { font-family: sans-serif; margin: 1.5em; }\n"
                 "table { border-collapse: collapse; font-size: 13px; }\n"
                 "th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #ddd; white-space: nowrap; }\n"
                 "th { background: #f3f3f3; vertical-align: bottom; white-space: normal; max-width: 9em; }\n"
                 ".axis { text-align: left; }\n td.pct { color: #555; }\n"
                 "figure { margin: 1.5em 0; } figcaption { color: #555; font-size: 12px; }\n"
                 "pre { font-size: 12px; background: #f8f8f8; padding: 0.5em; overflow-x: auto; }\n"
                 "svg { max-width: 100%%; height: auto; }\n</style>\n</head>\n<body>\n", m->ncombos);
    fprintf(out, "<h1>rxsim compare: %zu combination%s</h1>\n<p id=\"matrix\">", m->ncombos,
            m->ncombos == 1 ? "" : "s");
    for (int a = 0; a < m->naxes; a++) {
        fprintf(out, "%s<b>", a ? " &times; " : "");
        svg_escape(out, m->axis[a].opt->name);
        fprintf(out, "</b> (%d)", m->axis[a].nvalues);
    }
    fprintf(out, "; traces:%s", m->ntraces ? "" : " none (closed-loop senders)");
    for (int i = 0; i < m->ntraces; i++) {
        const char *slash = strrchr(m->traces[i], '/');
        fputc(' ', out);
        svg_escape(out, slash ? slash + 1 : m->traces[i]);
    }
    fprintf(out, "</p>\n<h2>Table</h2>\n");
    write_table(m, rows, out);
    fprintf(out, "<details><summary>the table as <code>rxsim compare</code> prints it</summary>\n<pre>");
    svg_escape(out, text);
    fprintf(out, "</pre></details>\n<h2>Charts</h2>\n<ul id=\"chart-index\">\n");
    for (size_t i = 0; i < hc->n; i++) {
        fprintf(out, "<li>");
        if (hc->c[i].constant) {
            svg_escape(out, hc->c[i].title);
            fprintf(out, ": ");
            svg_escape(out, hc->c[i].note);
            fprintf(out, " (not drawn)");
        } else {
            fprintf(out, "<a href=\"#chart-%s\">", hc->c[i].name);
            svg_escape(out, hc->c[i].title);
            fprintf(out, "</a>");
        }
        fprintf(out, "</li>\n");
    }
    fprintf(out, "</ul>\n");
    for (size_t i = 0; i < hc->n; i++)
        if (!hc->c[i].constant)
            fprintf(out, "<figure id=\"chart-%s\">\n%s<figcaption>%s</figcaption>\n</figure>\n", hc->c[i].name,
                    hc->c[i].svg, hc->c[i].name);
    fprintf(out, "</body>\n</html>\n");
}

int compare_write_html(const struct compare_matrix *m, struct compare_row *rows, const char *path, char *err,
                       size_t errsz)
{
    struct html_charts hc = {0};
    struct compare_chart_sink sink = { .put = collect, .ctx = &hc };
    char *text = NULL;
    size_t tlen = 0;
    int rc = compare_charts(m, rows, &sink, err, errsz);
    FILE *t = rc < 0 ? NULL : open_memstream(&text, &tlen);
    if (rc == 0 && (!t || compare_write_text(m, rows, 0, t) < 0 || fclose(t) != 0)) {
        snprintf(err, errsz, "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(err, errsz, "%s", strerror(errno));
            rc = -1;
        } else {
            write_page(m, rows, &hc, text, f);
            if (ferror(f) | (fclose(f) != 0)) {
                snprintf(err, errsz, "write error");
                rc = -1;
            }
        }
    }
    free(text);
    for (size_t i = 0; i < hc.n; i++)
        free(hc.c[i].svg);
    free(hc.c);
    return rc;
}
