/* sim/report/svg.h: small self-contained SVG charts (no scripts, no external
 * fonts or stylesheets), so a chart opens in any browser and diffs as text.
 * Three kinds: grouped bars, stacked bars, lines over a numeric x axis. */
#ifndef RXSIM_REPORT_SVG_H
#define RXSIM_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum svg_kind { SVG_BARS, SVG_STACKED, SVG_LINES };

struct svg_series {
    const char *name;           /* legend entry */
    const double *v;            /* one per category; NAN = no value */
};

struct svg_chart {
    enum svg_kind kind;
    const char *title, *subtitle;
    const char *x_label, *y_label;      /* y_label carries the unit: "goodput (Mbit/s)" */
    size_t ncat;
    const char *const *cat;             /* category labels along x */
    const double *x;                    /* SVG_LINES: the categories' numeric x values, ascending */
    size_t nseries;
    const struct svg_series *series;
};

/* Writes a whole SVG document; -1 on a write error. */
int svg_chart_write(const struct svg_chart *c, FILE *out);

#endif
