/* sim/compare/compare_sat.c: rxsim compare's block for closed-loop rows
 * (--replay closed): each row's figures at saturation and the bottleneck
 * its report named (sim/report/saturation.h), one line per row below the
 * main table, so a sweep of --nics or --delivery reads as "where does
 * throughput stop scaling, and why".  Printed only when some row's report
 * has result.saturation; the main table is unchanged. */
#include "sim/compare/compare.h"

#include <string.h>

static json_object *sat_of(json_object *run)
{
    json_object *r = NULL, *s = NULL;
    if (run && json_object_object_get_ex(run, "result", &r) && json_object_object_get_ex(r, "saturation", &s))
        return s;
    return NULL;
}

/* A figure as text: "%.*f" (x 100 when pct), "-" when absent or null. */
static void fig(json_object *sat, const char *key, int decimals, bool pct, char *buf, size_t size)
{
    json_object *v = NULL;
    if (!sat || !json_object_object_get_ex(sat, key, &v) ||
        !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", decimals, json_object_get_double(v) * (pct ? 100 : 1));
}

bool compare_has_saturation(const struct compare_matrix *m, struct compare_row *rows)
{
    for (size_t i = 0; i < m->ncombos; i++)
        if (sat_of(rows[i].run))
            return true;
    return false;
}

#define SAT_COLS 6

void compare_write_saturation(const struct compare_matrix *m, struct compare_row *rows, FILE *out)
{
    static const char *const head[SAT_COLS] = { "goodput", "CPU avg", "busiest CPU", "links", "rwnd-limited",
                                                "drops" };
    static const char *const unit[SAT_COLS] = { "Mbit/s", "%", "%", "%", "%", "frames" };
    size_t w[SAT_COLS], axw[COMPARE_MAX_AXES];
    char cell[SAT_COLS][32];
    static const size_t least[SAT_COLS] = { 8, 7, 12, 6, 12, 6 };   /* the widest values: "cpu 63 100.0" */
    for (int k = 0; k < SAT_COLS; k++) {
        w[k] = strlen(head[k]) > strlen(unit[k]) ? strlen(head[k]) : strlen(unit[k]);
        w[k] = w[k] > least[k] ? w[k] : least[k];
    }
    for (int a = 0; a < m->naxes; a++) {
        axw[a] = strlen(m->axis[a].opt->name);
        for (int v = 0; v < m->axis[a].nvalues; v++)
            if (strlen(m->axis[a].values[v]) > axw[a])
                axw[a] = strlen(m->axis[a].values[v]);
    }
    fprintf(out, "\nat saturation (closed loop: the window from a quarter to three quarters of the bytes "
                 "acknowledged;\nthe bottleneck by the rule of docs/model.md, \"Saturation and the bottleneck\")\n");
    int idxw = snprintf(NULL, 0, "%zu", m->ncombos - 1);
    for (int pass = 0; pass < 2; pass++) {
        fprintf(out, "%*s", idxw, pass ? "" : "#");
        for (int a = 0; a < m->naxes; a++)
            fprintf(out, "  %-*s", (int)axw[a], pass ? "" : m->axis[a].opt->name);
        for (int k = 0; k < SAT_COLS; k++)
            fprintf(out, "  %*s", (int)w[k], pass ? unit[k] : head[k]);
        fprintf(out, "  %s\n", pass ? "" : "bottleneck");
    }
    for (size_t i = 0; i < m->ncombos; i++) {
        json_object *sat = sat_of(rows[i].run), *bn = NULL, *busy = NULL;
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        fig(sat, "goodput_mbps", 1, false, cell[0], sizeof cell[0]);
        fig(sat, "cpu_utilisation", 1, true, cell[1], sizeof cell[1]);
        char pct[16];
        fig(sat, "busiest_cpu_utilisation", 1, true, pct, sizeof pct);
        if (sat && json_object_object_get_ex(sat, "busiest_cpu", &busy) && json_object_is_type(busy, json_type_int))
            snprintf(cell[2], sizeof cell[2], "cpu %d %s", json_object_get_int(busy), pct);
        else
            snprintf(cell[2], sizeof cell[2], "-");
        fig(sat, "link_utilisation", 1, true, cell[3], sizeof cell[3]);
        fig(sat, "rwnd_limited", 1, true, cell[4], sizeof cell[4]);
        fig(sat, "ring_drops", 0, false, cell[5], sizeof cell[5]);
        fprintf(out, "%*zu", idxw, i);
        for (int a = 0; a < m->naxes; a++)
            fprintf(out, "  %-*s", (int)axw[a], m->axis[a].values[vi[a]]);
        for (int k = 0; k < SAT_COLS; k++)
            fprintf(out, "  %*s", (int)w[k], cell[k]);
        fprintf(out, "  %s\n", sat && json_object_object_get_ex(sat, "bottleneck", &bn) ? json_object_get_string(bn)
                                                                                      : "-");
    }
}
