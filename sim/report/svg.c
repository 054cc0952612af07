/* sim/report/svg.c: see svg.h.
 *
 * Layout, in user units: a title band (44), the plot, x labels below it
 * (rotated 35 degrees when long or many), the legend in a column to the right.
 * The y axis starts at 0 (every metric charted is a non-negative amount) and
 * ends at a 1-2-5 "nice" step above the maximum.  A line chart's x axis is
 * logarithmic (base 2) when its values span a factor of 16 or more, as message
 * sizes and coalescing delays do.  Every mark carries a <title>, which
 * browsers show as a tooltip without any script.
 *
 * Line charts: panels of at most SVG_SERIES_PER_PANEL lines, one under the
 * other on one y scale and one x axis each; each line's name at its right
 * end (moved apart vertically so names never overlap), so no legend. */
#include "sim/report/svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

void svg_escape(FILE *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                fputc(*s, out);
        }
}

static double nice_step(double max, int ticks, bool integer)
{
    if (!(max > 0))
        return 1;
    double raw = max / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    return integer && step < 1 ? 1 : step;     /* a count has no half frames */
}

static void num(char *buf, size_t size, double v)
{
    if (fabs(v) >= 1e6)
        snprintf(buf, size, "%.3gM", v / 1e6);
    else if (fabs(v) >= 1e3)
        snprintf(buf, size, "%gk", v / 1e3);
    else
        snprintf(buf, size, "%g", v);
}

/* Where everything goes, in user units. */
struct layout {
    double left, top, plot_w, plot_h, width, height;
    size_t npanels;             /* SVG_LINES: panels of per_panel lines; else 1 */
    size_t per_panel;
    double panel_step;          /* from one panel's top to the next's */
    double cw;                  /* the width of a category's slot */
    bool rotate;                /* x labels at 35 degrees */
    double step, ytop;          /* y tick step, top of the y axis */
    double xmin, xmax;          /* SVG_LINES: the x range (log2 when logx) */
    bool logx;
};

static void layout_size(const struct svg_chart *c, struct layout *L)
{
    size_t maxcat = 0, maxname = 0;
    for (size_t i = 0; i < c->ncat; i++)
        if (strlen(c->cat[i]) > maxcat)
            maxcat = strlen(c->cat[i]);
    for (size_t s = 0; s < c->nseries; s++)
        if (strlen(c->series[s].name) > maxname)
            maxname = strlen(c->series[s].name);
    double per_cat = c->kind == SVG_BARS ? (double)c->nseries * 14 + 18 : c->kind == SVG_STACKED ? 36 : 60;
    L->plot_w = fmax(420, per_cat * (double)c->ncat);
    /* The caller's grouping (one panel per setting of the outer axes), else
     * the fewest panels of at most SVG_SERIES_PER_PANEL, balanced. */
    L->per_panel = c->nseries ? c->nseries : 1;
    if (c->kind == SVG_LINES && c->nseries > SVG_SERIES_PER_PANEL) {
        size_t np = (c->nseries + SVG_SERIES_PER_PANEL - 1) / SVG_SERIES_PER_PANEL;
        L->per_panel = c->per_panel && c->per_panel <= SVG_SERIES_PER_PANEL ? c->per_panel
                                                                          : (c->nseries + np - 1) / np;
    }
    L->npanels = (c->nseries + L->per_panel - 1) / L->per_panel;
    if (!L->npanels)
        L->npanels = 1;
    L->plot_h = L->npanels > 1 ? 200 : 300;
    L->panel_step = L->plot_h + 48;
    L->rotate = c->kind != SVG_LINES && (maxcat * 7.0 > per_cat - 4);
    /* A label rotated 35 degrees at ~6.5 units per character reaches 0.82 of
     * its length to the left of its anchor and 0.57 of it down. */
    double xlab_h = L->rotate ? 20 + 0.57 * 6.5 * (double)maxcat : 24;
    double legend_w = 40 + 7.0 * (double)maxname;
    L->left = 76;
    L->top = L->npanels > 1 && c->panel_title ? 72 : 56;
    if (L->rotate && 0.82 * 6.5 * (double)maxcat - per_cat / 2 + 8 > L->left)
        L->left = 0.82 * 6.5 * (double)maxcat - per_cat / 2 + 8;
    L->width = L->left + L->plot_w + 24 + legend_w;
    L->height = L->top + L->panel_step * (double)(L->npanels - 1) + L->plot_h + xlab_h + 40;
    double legend_h = 20 + 18.0 * (double)c->nseries;
    if (L->top + legend_h > L->height)
        L->height = L->top + legend_h + 10;
    L->cw = L->plot_w / (double)(c->ncat ? c->ncat : 1);
}

static void layout_ranges(const struct svg_chart *c, struct layout *L)
{
    double ymax = 0;
    for (size_t i = 0; i < c->ncat; i++) {
        double stack = 0;
        for (size_t s = 0; s < c->nseries; s++) {
            double v = c->series[s].v[i];
            if (isnan(v))
                continue;
            if (c->kind == SVG_STACKED)
                stack += v;
            else if (v > ymax)
                ymax = v;
        }
        if (stack > ymax)
            ymax = stack;
    }
    L->step = nice_step(ymax, 5, c->integer_y);
    L->ytop = L->step * ceil(ymax / L->step);
    if (!(L->ytop > 0))
        L->ytop = L->step;
    L->xmin = 0;
    L->xmax = 1;
    L->logx = false;
    if (c->kind == SVG_LINES && c->ncat) {
        L->xmin = c->x[0];
        L->xmax = c->x[c->ncat - 1];
        L->logx = L->xmin > 0 && L->xmax / L->xmin >= 16;
        if (L->logx) {
            L->xmin = log2(L->xmin);
            L->xmax = log2(L->xmax);
        }
        if (L->xmax == L->xmin)
            L->xmax = L->xmin + 1;
    }
}

/* Panel p's top (SVG_LINES' small multiples; 0 otherwise). */
static double top_of(const struct layout *L, size_t p) { return L->top + L->panel_step * (double)p; }
static double y_in(const struct layout *L, size_t p, double v)
{
    return top_of(L, p) + L->plot_h - v / L->ytop * L->plot_h;
}
static double y_of(const struct layout *L, double v) { return y_in(L, 0, v); }

/* SVG_LINES: category i's x position. */
static double x_of(const struct svg_chart *c, const struct layout *L, size_t i)
{
    double xv = L->logx ? log2(c->x[i]) : c->x[i];
    return L->left + (xv - L->xmin) / (L->xmax - L->xmin) * L->plot_w;
}

static void write_head(const struct svg_chart *c, const struct layout *L, FILE *out)
{
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n",
            L->width, L->height, L->width, L->height);
    fprintf(out, "<title>");
    svg_escape(out, c->title);
    fprintf(out, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(out, "<text x=\"%.0f\" y=\"22\" font-size=\"16\" font-weight=\"bold\">", L->left);
    svg_escape(out, c->title);
    fprintf(out, "</text>\n");
    if (c->subtitle) {
        fprintf(out, "<text x=\"%.0f\" y=\"40\" fill=\"#555\">", L->left);
        svg_escape(out, c->subtitle);
        fprintf(out, "</text>\n");
    }
}

/* Grid, y ticks and y label. */
static void write_y_axis(const struct svg_chart *c, const struct layout *L, size_t p, FILE *out)
{
    fprintf(out, "<g class=\"y-axis\">\n");
    long nticks = lround(L->ytop / L->step);
    for (long k = 0; k <= nticks; k++) {
        double t = L->step * (double)k;
        char lab[32];
        num(lab, sizeof lab, t);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                L->left, y_in(L, p, t), L->left + L->plot_w, y_in(L, p, t), L->left - 6, y_in(L, p, t) + 4, lab);
    }
    fprintf(out, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">",
            top_of(L, p) + L->plot_h / 2);
    svg_escape(out, c->y_label);
    fprintf(out, "</text>\n</g>\n");
}

static void write_bars(const struct svg_chart *c, const struct layout *L, FILE *out)
{
    for (size_t i = 0; i < c->ncat; i++) {
        double x0 = L->left + L->cw * (double)i, base = 0;
        double bw = c->kind == SVG_BARS ? (L->cw - 12) / (double)(c->nseries ? c->nseries : 1) : L->cw - 12;
        for (size_t s = 0; s < c->nseries; s++) {
            double v = c->series[s].v[i];
            if (isnan(v))
                continue;
            double x = c->kind == SVG_BARS ? x0 + 6 + bw * (double)s : x0 + 6;
            double y1 = y_of(L, base + v), y0 = y_of(L, base);
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                    x, y1, bw > 1 ? bw - 1 : bw, y0 - y1, palette[s % NPALETTE]);
            svg_escape(out, c->cat[i]);
            fprintf(out, ", ");
            svg_escape(out, c->series[s].name);
            fprintf(out, ": %g</title></rect>\n", v);
            if (c->kind == SVG_STACKED)
                base += v;
        }
    }
}

struct end_label {
    size_t s;
    double y;
};

static int by_y(const void *a, const void *b)
{
    const struct end_label *p = a, *q = b;
    return p->y < q->y ? -1 : p->y > q->y ? 1 : (p->s > q->s) - (p->s < q->s);
}

/* Panel p's lines (series [first, last)), each named at its last point. */
static void write_lines(const struct svg_chart *c, const struct layout *L, size_t p, size_t first, size_t last,
                        FILE *out)
{
    struct end_label lab[SVG_SERIES_PER_PANEL];
    size_t nlab = 0;
    for (size_t s = first; s < last; s++) {
        const char *col = palette[(s - first) % NPALETTE];
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        bool any = false;
        size_t end = 0;
        for (size_t i = 0; i < c->ncat; i++) {
            double v = c->series[s].v[i];
            if (isnan(v))
                continue;
            fprintf(out, "%s%.1f,%.1f", any ? " " : "", x_of(c, L, i), y_in(L, p, v));
            any = true;
            end = i;
        }
        fprintf(out, "\"><title>");
        svg_escape(out, c->series[s].name);
        fprintf(out, "</title></polyline>\n");
        for (size_t i = 0; i < c->ncat; i++) {
            double v = c->series[s].v[i];
            if (isnan(v))
                continue;
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>", x_of(c, L, i),
                    y_in(L, p, v), col);
            svg_escape(out, c->series[s].name);
            fprintf(out, " at ");
            svg_escape(out, c->cat[i]);
            fprintf(out, ": %g</title></circle>\n", v);
        }
        if (any && nlab < SVG_SERIES_PER_PANEL)
            lab[nlab++] = (struct end_label){ s, y_in(L, p, c->series[s].v[end]) };
    }
    /* Names at the right of the plot, in the lines' order top to bottom,
     * at least 14 units apart, each joined to its line's end. */
    qsort(lab, nlab, sizeof lab[0], by_y);
    double prev = -1e9;
    for (size_t k = 0; k < nlab; k++) {
        double y = fmax(lab[k].y, prev + 14);
        prev = y;
        const char *col = palette[(lab[k].s - first) % NPALETTE];
        double x = L->left + L->plot_w;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"2 2\"/>"
                     "<text class=\"line-label\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">",
                x + 2, lab[k].y, x + 14, y, col, x + 18, y + 4, col);
        svg_escape(out, c->series[lab[k].s].name);
        fprintf(out, "</text>\n");
    }
}

/* The x axis: category labels under each group, or the numeric positions. */
static void write_x_axis(const struct svg_chart *c, const struct layout *L, size_t p, FILE *out)
{
    double base = top_of(L, p) + L->plot_h;
    fprintf(out, "<g class=\"x-axis\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
            L->left, base, L->left + L->plot_w, base);
    for (size_t i = 0; i < c->ncat; i++) {
        double x = c->kind == SVG_LINES ? x_of(c, L, i) : L->left + L->cw * ((double)i + 0.5);
        double y = base + 16;
        if (L->rotate)
            fprintf(out, "<text transform=\"translate(%.1f %.1f) rotate(-35)\" text-anchor=\"end\">", x + 4, y);
        else
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y);
        svg_escape(out, c->cat[i]);
        fprintf(out, "</text>\n");
    }
    if (p + 1 == L->npanels) {
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", L->left + L->plot_w / 2,
                L->height - 10);
        svg_escape(out, c->x_label);
        fprintf(out, "%s</text>\n", L->logx ? " (log scale)" : "");
    }
    fprintf(out, "</g>\n");
}

static void write_legend(const struct svg_chart *c, const struct layout *L, FILE *out)
{
    double lx = L->left + L->plot_w + 24;
    fprintf(out, "<g class=\"legend\">\n<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">legend</text>\n", lx,
            L->top + 4);
    for (size_t s = 0; s < c->nseries; s++) {
        double y = L->top + 18 + 18.0 * (double)s;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\">",
                lx, y - 10, palette[s % NPALETTE], lx + 18, y);
        svg_escape(out, c->series[s].name);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "</g>\n");
}

bool svg_chart_constant(const struct svg_chart *c, double *v)
{
    bool any = false;
    double scale = c->shown_rounded ? pow(10, c->decimals) : 1;
    for (size_t s = 0; s < c->nseries; s++)
        for (size_t i = 0; i < c->ncat; i++) {
            double x = c->series[s].v[i];
            if (isnan(x))
                continue;
            if (c->shown_rounded)
                x = round(x * scale) / scale;
            if (any && x != *v)
                return false;
            *v = x;
            any = true;
        }
    return any;
}

/* Every value the same: the value said, no plot (nothing to compare). */
static void write_constant(const struct svg_chart *c, const struct layout *L, double v, FILE *out)
{
    fprintf(out, "<text class=\"constant\" x=\"%.0f\" y=\"%.0f\" font-size=\"14\">every run: ", L->left,
            L->top + 30);
    if (c->shown_rounded)
        fprintf(out, "%.*f", c->decimals, v);
    else
        fprintf(out, "%g", v);
    if (c->value_unit && *c->value_unit) {
        fputc(' ', out);
        svg_escape(out, c->value_unit);
    }
    fprintf(out, " (%s; no chart: nothing differs)</text>\n", c->y_label ? c->y_label : "");
}

int svg_chart_write(const struct svg_chart *c, FILE *out)
{
    struct layout L;
    layout_size(c, &L);
    layout_ranges(c, &L);
    double same;
    if (c->kind != SVG_STACKED && svg_chart_constant(c, &same) && (c->ncat > 1 || c->nseries > 1)) {
        L.height = L.top + 60;
        L.width = fmax(L.left + 560, 640);
        write_head(c, &L, out);
        write_constant(c, &L, same, out);
        fprintf(out, "</svg>\n");
        return ferror(out) ? -1 : 0;
    }
    write_head(c, &L, out);
    for (size_t p = 0; p < L.npanels; p++) {
        size_t first = p * L.per_panel, last = first + L.per_panel;
        if (last > c->nseries || c->kind != SVG_LINES)
            last = c->nseries;
        fprintf(out, "<g class=\"panel\">\n");
        if (L.npanels > 1 && c->panel_title && c->panel_title[p]) {
            fprintf(out, "<text class=\"panel-title\" x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">", L.left,
                    top_of(&L, p) - 8);
            svg_escape(out, c->panel_title[p]);
            fprintf(out, "</text>\n");
        }
        write_y_axis(c, &L, p, out);
        fprintf(out, "<g class=\"marks\">\n");
        if (c->kind == SVG_LINES)
            write_lines(c, &L, p, first, last, out);
        else
            write_bars(c, &L, out);
        fprintf(out, "</g>\n");
        write_x_axis(c, &L, p, out);
        fprintf(out, "</g>\n");
    }
    if (c->kind != SVG_LINES)
        write_legend(c, &L, out);
    fprintf(out, "</svg>\n");
    return ferror(out) ? -1 : 0;
}
