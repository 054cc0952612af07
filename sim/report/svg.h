/* sim/report/svg.h: small self-contained SVG charts (no scripts, no external
 * fonts or stylesheets), so a chart opens in any browser and diffs as text.
 * Three kinds: grouped bars, stacked bars, lines over a numeric x axis.
 * Line charts label each line at its end (no legend to match colours
 * against) and put at most SVG_SERIES_PER_PANEL lines in a panel: more
 * series make small multiples sharing one y scale.  A chart whose values
 * are all equal draws no plot, only that value. */
#ifndef RXSIM_REPORT_SVG_H
#define RXSIM_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum svg_kind { SVG_BARS, SVG_STACKED, SVG_LINES };

#define SVG_SERIES_PER_PANEL 5

struct svg_series {
    const char *name;           /* legend entry */
    const double *v;            /* one per category; NAN = no value */
};

struct svg_chart {
    enum svg_kind kind;
    const char *title, *subtitle;
    const char *x_label, *y_label;      /* each carries its unit: "goodput (Mbit/s)", "recv-size (bytes)" */
    const char *value_unit;             /* for the all-equal note: "Mbit/s"; NULL: none */
    bool integer_y;                     /* a count: y ticks at whole numbers */
    bool shown_rounded;                 /* values equal at `decimals` places count as equal */
    int decimals;
    size_t ncat;
    const char *const *cat;             /* category labels along x */
    const double *x;                    /* SVG_LINES: the categories' numeric x values, ascending */
    size_t nseries;
    const struct svg_series *series;
    /* SVG_LINES with more than SVG_SERIES_PER_PANEL series: per_panel
     * consecutive series a panel (0 or too many: balanced), each titled by
     * panel_title[p] when given. */
    size_t per_panel;
    const char *const *panel_title;
};

/* s with & < > " escaped for XML or HTML text and attributes; control
 * characters but tab and newline dropped (XML 1.0 cannot carry them). */
void svg_escape(FILE *out, const char *s);

/* Writes a whole SVG document; -1 on a write error. */
int svg_chart_write(const struct svg_chart *c, FILE *out);
/* Every value present is the same (*v, true; at c->decimals places when
 * c->shown_rounded, as the table shows them), or there is none (false). */
bool svg_chart_constant(const struct svg_chart *c, double *v);

#endif
