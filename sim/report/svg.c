/* sim/report/svg.c: see svg.h.
 *
 * Layout, in user units: a title band (44), the plot, x labels below it
 * (rotated 35 degrees when long or many), the legend in a column to the right.
 * The y axis starts at 0 (every metric charted is a non-negative amount) and
 * ends at a 1-2-5 "nice" step above the maximum.  A line chart's x axis is
 * logarithmic (base 2) when its values span a factor of 16 or more, as message
 * sizes and coalescing delays do.  Every mark carries a <title>, which
 * browsers show as a tooltip without any script. */
#include "sim/report/svg.h"

#include <math.h>
#include <string.h>

static const char *const palette[] = {
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

static void esc(FILE *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, out);
        }
}

static double nice_step(double max, int ticks)
{
    if (!(max > 0))
        return 1;
    double raw = max / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
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

int svg_chart_write(const struct svg_chart *c, FILE *out)
{
    /* Sizes. */
    size_t maxcat = 0, maxname = 0;
    for (size_t i = 0; i < c->ncat; i++)
        if (strlen(c->cat[i]) > maxcat)
            maxcat = strlen(c->cat[i]);
    for (size_t s = 0; s < c->nseries; s++)
        if (strlen(c->series[s].name) > maxname)
            maxname = strlen(c->series[s].name);
    double per_cat = c->kind == SVG_BARS ? (double)c->nseries * 14 + 18 : c->kind == SVG_STACKED ? 36 : 60;
    double plot_w = fmax(420, per_cat * (double)c->ncat);
    double plot_h = 300;
    bool rotate = c->kind != SVG_LINES && (maxcat * 7.0 > per_cat - 4);
    /* A label rotated 35 degrees at ~6.5 units per character reaches 0.82 of
     * its length to the left of its anchor and 0.57 of it down. */
    double xlab_h = rotate ? 20 + 0.57 * 6.5 * (double)maxcat : 24;
    double left = 76, top = 56, legend_w = 40 + 7.0 * (double)maxname;
    if (rotate && 0.82 * 6.5 * (double)maxcat - per_cat / 2 + 8 > left)
        left = 0.82 * 6.5 * (double)maxcat - per_cat / 2 + 8;
    double width = left + plot_w + 24 + legend_w, height = top + plot_h + xlab_h + 40;
    double legend_h = 20 + 18.0 * (double)c->nseries;
    if (top + legend_h > height)
        height = top + legend_h + 10;

    /* The y range. */
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
    double step = nice_step(ymax, 5), ytop = step * ceil(ymax / step);
    if (!(ytop > 0))
        ytop = step;
#define Y(v) (top + plot_h - (v) / ytop * plot_h)

    /* The x mapping for lines. */
    double xmin = 0, xmax = 1;
    bool logx = false;
    if (c->kind == SVG_LINES && c->ncat) {
        xmin = c->x[0];
        xmax = c->x[c->ncat - 1];
        logx = xmin > 0 && xmax / xmin >= 16;
        if (logx) {
            xmin = log2(xmin);
            xmax = log2(xmax);
        }
        if (xmax == xmin)
            xmax = xmin + 1;
    }

    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n",
            width, height, width, height);
    fprintf(out, "<title>");
    esc(out, c->title);
    fprintf(out, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(out, "<text x=\"%.0f\" y=\"22\" font-size=\"16\" font-weight=\"bold\">", left);
    esc(out, c->title);
    fprintf(out, "</text>\n");
    if (c->subtitle) {
        fprintf(out, "<text x=\"%.0f\" y=\"40\" fill=\"#555\">", left);
        esc(out, c->subtitle);
        fprintf(out, "</text>\n");
    }

    /* Grid, y ticks and y label. */
    fprintf(out, "<g class=\"y-axis\">\n");
    long nticks = lround(ytop / step);
    for (long k = 0; k <= nticks; k++) {
        double t = step * (double)k;
        char lab[32];
        num(lab, sizeof lab, t);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                left, Y(t), left + plot_w, Y(t), left - 6, Y(t) + 4, lab);
    }
    fprintf(out, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">", top + plot_h / 2);
    esc(out, c->y_label);
    fprintf(out, "</text>\n</g>\n");

    /* The marks. */
    fprintf(out, "<g class=\"marks\">\n");
    double cw = plot_w / (double)(c->ncat ? c->ncat : 1);
    for (size_t i = 0; i < c->ncat && c->kind != SVG_LINES; i++) {
        double x0 = left + cw * (double)i, base = 0;
        double bw = c->kind == SVG_BARS ? (cw - 12) / (double)(c->nseries ? c->nseries : 1) : cw - 12;
        for (size_t s = 0; s < c->nseries; s++) {
            double v = c->series[s].v[i];
            if (isnan(v))
                continue;
            double x = c->kind == SVG_BARS ? x0 + 6 + bw * (double)s : x0 + 6;
            double y1 = Y(base + v), y0 = Y(base);
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                    x, y1, bw > 1 ? bw - 1 : bw, y0 - y1, palette[s % NPALETTE]);
            esc(out, c->cat[i]);
            fprintf(out, ", ");
            esc(out, c->series[s].name);
            fprintf(out, ": %g</title></rect>\n", v);
            if (c->kind == SVG_STACKED)
                base += v;
        }
    }
    if (c->kind == SVG_LINES) {
        for (size_t s = 0; s < c->nseries; s++) {
            const char *col = palette[s % NPALETTE];
            fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
            bool first = true;
            for (size_t i = 0; i < c->ncat; i++) {
                double v = c->series[s].v[i];
                if (isnan(v))
                    continue;
                double xv = logx ? log2(c->x[i]) : c->x[i];
                fprintf(out, "%s%.1f,%.1f", first ? "" : " ", left + (xv - xmin) / (xmax - xmin) * plot_w, Y(v));
                first = false;
            }
            fprintf(out, "\"><title>");
            esc(out, c->series[s].name);
            fprintf(out, "</title></polyline>\n");
            for (size_t i = 0; i < c->ncat; i++) {
                double v = c->series[s].v[i];
                if (isnan(v))
                    continue;
                double xv = logx ? log2(c->x[i]) : c->x[i];
                fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
                        left + (xv - xmin) / (xmax - xmin) * plot_w, Y(v), col);
                esc(out, c->series[s].name);
                fprintf(out, " at ");
                esc(out, c->cat[i]);
                fprintf(out, ": %g</title></circle>\n", v);
            }
        }
    }
    fprintf(out, "</g>\n");

    /* The x axis: category labels under each group, or the numeric positions. */
    fprintf(out, "<g class=\"x-axis\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
            left, top + plot_h, left + plot_w, top + plot_h);
    for (size_t i = 0; i < c->ncat; i++) {
        double x;
        if (c->kind == SVG_LINES) {
            double xv = logx ? log2(c->x[i]) : c->x[i];
            x = left + (xv - xmin) / (xmax - xmin) * plot_w;
        } else {
            x = left + cw * ((double)i + 0.5);
        }
        double y = top + plot_h + 16;
        if (rotate)
            fprintf(out, "<text transform=\"translate(%.1f %.1f) rotate(-35)\" text-anchor=\"end\">", x + 4, y);
        else
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y);
        esc(out, c->cat[i]);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", left + plot_w / 2, height - 10);
    esc(out, c->x_label);
    fprintf(out, "%s</text>\n</g>\n", logx ? " (log scale)" : "");

    /* Legend. */
    double lx = left + plot_w + 24;
    fprintf(out, "<g class=\"legend\">\n<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">legend</text>\n", lx,
            top + 4);
    for (size_t s = 0; s < c->nseries; s++) {
        double y = top + 18 + 18.0 * (double)s;
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\">",
                lx, y - 10, palette[s % NPALETTE], lx + 18, y);
        esc(out, c->series[s].name);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "</g>\n</svg>\n");
#undef Y
    return ferror(out) ? -1 : 0;
}
