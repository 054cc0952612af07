/* sim/compare/compare_text.c: the table rxsim compare and rxsim merge print:
 * one line per combination, each headline metric's value and % change
 * against the row's baseline, plus with --baseline a pivot of % change in
 * throughput scaled to CPU laid out like the OLS 2002 paper's Table 1.
 *
 * Both fit COMPARE_TEXT_WIDTH columns: when the metrics do not, the table is
 * printed in blocks of metric columns, each block repeating the row number
 * and the axes (as `column` and R's print wrap a wide table), and --columns
 * picks the metrics shown.  Notes on rows (partial trace, n/m reasons) follow
 * the table, one line each, so no line grows with them. */
#include "sim/compare/compare.h"

#include <math.h>
#include <string.h>

#include "sim/session/exit_codes.h"

bool compare_change_pct(json_object *run, json_object *base, const struct report_metric *mt, double *pct)
{
    double v, b;
    if (!report_metric_number(run, mt, 0, &v) || !report_metric_number(base, mt, 0, &b))
        return false;
    if (b == 0) {
        if (v != 0)
            return false;   /* no meaningful percentage from zero */
        *pct = 0;
        return true;
    }
    *pct = 100.0 * (v - b) / b;
    return true;
}

/* "stranded payload_not_captured": the reasons a row's run gave, "" if none. */
void compare_row_reasons(json_object *run, char *buf, size_t size)
{
    json_object *res = NULL, *un = NULL;
    size_t used = 0;
    buf[0] = '\0';
    if (!run || !json_object_object_get_ex(run, "result", &res) ||
        !json_object_object_get_ex(res, "unanswered", &un) || !json_object_is_type(un, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(un) && used < size; i++) {
        json_object *r = NULL;
        if (!json_object_object_get_ex(json_object_array_get_idx(un, i), "reason", &r))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", json_object_get_string(r));
        if (n > 0)
            used += (size_t)n;
    }
}

int compare_columns_parse(const char *list, uint64_t *mask, char *err, size_t errsz)
{
    *mask = 0;
    if (!strcmp(list, "all"))
        return 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        for (; k < report_ncompare(); k++) {
            const char *key = report_compare_metric(k)->compare_key;
            if (strlen(key) == len && !strncmp(key, p, len))
                break;
        }
        if (len == 0 || k == report_ncompare()) {
            size_t used = (size_t)snprintf(err, errsz, "--columns: unknown column '%.*s'; the columns are", (int)len, p);
            for (k = 0; k < report_ncompare() && used < errsz; k++)
                used += (size_t)snprintf(err + used, errsz - used, "%s %s", k ? "," : "",
                                         report_compare_metric(k)->compare_key);
            if (used < errsz)
                snprintf(err + used, errsz - used, ", or all");
            return -1;
        }
        *mask |= (uint64_t)1 << k;
        p += len + (p[len] == ',');
    }
    if (!*mask) {
        snprintf(err, errsz, "--columns: no column named");
        return -1;
    }
    return 0;
}

void compare_fmt_value(const struct report_metric *mt, json_object *run, char *buf, size_t size)
{
    double v;
    if (report_metric_flagged(run, mt))
        snprintf(buf, size, "n/m");
    else if (report_metric_number(run, mt, 0, &v))
        snprintf(buf, size, "%.*f", mt->decimals, v);
    else
        snprintf(buf, size, "-");
}

void compare_fmt_change(const struct compare_matrix *m, struct compare_row *rows, size_t idx,
                        const struct report_metric *mt, char *buf, size_t size)
{
    size_t b = compare_baseline_of(m, idx);
    double pct;
    if (b == idx)
        snprintf(buf, size, report_metric_flagged(rows[idx].run, mt) ? "n/m" : "base");
    else if (report_metric_flagged(rows[idx].run, mt) || report_metric_flagged(rows[b].run, mt))
        snprintf(buf, size, "n/m");
    else if (compare_change_pct(rows[idx].run, rows[b].run, mt, &pct))
        snprintf(buf, size, "%+.1f%%", fabs(pct) < 0.05 ? 0.0 : pct);
    else
        snprintf(buf, size, "n/a");
}

static void write_header(const struct compare_matrix *m, FILE *out)
{
    fprintf(out, "rxsim compare: %zu combination%s of ", m->ncombos, m->ncombos == 1 ? "" : "s");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "%s%s (%d)", a ? " x " : "", m->axis[a].opt->name, m->axis[a].nvalues);
    fprintf(out, "\ntraces:%s", m->ntraces ? "" : " none (closed-loop senders)");
    for (int i = 0; i < m->ntraces; i++) {
        const char *slash = strrchr(m->traces[i], '/');
        fprintf(out, " %s", slash ? slash + 1 : m->traces[i]);
    }
    if (m->nrun_opts) {
        fprintf(out, "; every run:");
        for (int i = 0; i < m->nrun_opts; i++)
            fprintf(out, " %s", m->run_opts[i]);
    }
    fprintf(out, "\nbaseline: ");
    if (!m->has_baseline) {
        fprintf(out, "row 0 for every row\n");
        return;
    }
    fprintf(out, "each row against the row with");
    bool others = false;
    for (int a = 0; a < m->naxes; a++)
        if (m->axis[a].baseline >= 0)
            fprintf(out, " %s=%s", m->axis[a].opt->name, m->axis[a].values[m->axis[a].baseline]);
        else
            others = true;
    if (others) {
        fprintf(out, " and the same");
        const char *sep = " ";
        for (int a = 0; a < m->naxes; a++)
            if (m->axis[a].baseline < 0) {
                fprintf(out, "%s%s", sep, m->axis[a].opt->name);
                sep = ", ";
            }
    }
    fprintf(out, "\n");
}

/* Cuts columns [0, n) of widths w[] (each with its two leading spaces) into
 * blocks after a lead of width lead: block b is [start[b], start[b + 1]).
 * A block has at least one column, so a column wider than the page still
 * prints.  Returns the number of blocks. */
static size_t cut_blocks(size_t lead, const size_t *w, size_t n, size_t *start)
{
    size_t nb = 0, used = lead;
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || used + w[k] > COMPARE_TEXT_WIDTH) {
            start[nb++] = k;
            used = lead;
        }
        used += w[k];
    }
    start[nb] = n;
    return nb;
}

/* Mixed-radix walk over a subset of the axes (mask true = in the subset). */
static size_t subset_count(const struct compare_matrix *m, const bool *mask)
{
    size_t n = 1;
    for (int a = 0; a < m->naxes; a++)
        if (mask[a])
            n *= (size_t)m->axis[a].nvalues;
    return n;
}

static void subset_values(const struct compare_matrix *m, const bool *mask, size_t k, int *vi)
{
    for (int a = m->naxes - 1; a >= 0; a--)
        if (mask[a]) {
            vi[a] = (int)(k % (size_t)m->axis[a].nvalues);
            k /= (size_t)m->axis[a].nvalues;
        }
}

/* "name=value name=value" (names) or "value value" of the masked axes. */
static void axes_label(const struct compare_matrix *m, const bool *mask, const int *vi, bool names,
                       char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < m->naxes && used < size; a++)
        if (mask[a])
            used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s", used ? " " : "",
                                     names ? m->axis[a].opt->name : "", names ? "=" : "", m->axis[a].values[vi[a]]);
    if (!used)
        snprintf(buf, size, "all");
}

#define PIVOT_MAX_COLS (COMPARE_MAX_VALUES * 4)

/* The paper's Table 1: % improvement in throughput scaled to CPU, one line per
 * setting of the axes that are not baselined (message size, say), one column
 * per non-baseline setting of the baselined ones (the policies). */
static void write_pivot(const struct compare_matrix *m, struct compare_row *rows, FILE *out)
{
    const struct report_metric *mt = report_flagged_metric(REPORT_PIVOT);
    if (!mt)
        return;
    bool base_mask[COMPARE_MAX_AXES], rest_mask[COMPARE_MAX_AXES];
    for (int a = 0; a < m->naxes; a++) {
        base_mask[a] = m->axis[a].baseline >= 0;
        rest_mask[a] = !base_mask[a];
    }
    size_t nrows = subset_count(m, rest_mask), ncols = subset_count(m, base_mask);
    if (ncols < 2)
        return;
    fprintf(out, "\n%s, %% change against", mt->label);
    for (int a = 0; a < m->naxes; a++)
        if (base_mask[a])
            fprintf(out, " %s=%s", m->axis[a].opt->name, m->axis[a].values[m->axis[a].baseline]);
    fprintf(out, " (laid out as the OLS 2002 paper's Table 1)\n");

    /* The first column: the non-baselined axes' names, then their values;
     * the second: the baseline's own figure; then one per other setting. */
    char head[512], label[512], val[64];
    int vi[COMPARE_MAX_AXES];
    size_t used = 0;
    head[0] = '\0';
    for (int a = 0; a < m->naxes; a++)
        if (rest_mask[a])
            used += (size_t)snprintf(head + used, sizeof head - used, "%s%s", used ? " " : "", m->axis[a].opt->name);
    if (!used)
        snprintf(head, sizeof head, "all");
    static const char bhead[] = "baseline Mbit/s";
    size_t w0 = strlen(head), bw = strlen(bhead);
    for (size_t r = 0; r < nrows; r++) {
        for (int a = 0; a < m->naxes; a++)
            vi[a] = m->axis[a].baseline >= 0 ? m->axis[a].baseline : 0;
        subset_values(m, rest_mask, r, vi);
        axes_label(m, rest_mask, vi, false, label, sizeof label);
        w0 = strlen(label) > w0 ? strlen(label) : w0;
        compare_fmt_value(mt, rows[compare_combo_index(m, vi)].run, val, sizeof val);
        bw = strlen(val) > bw ? strlen(val) : bw;
    }
    size_t col[PIVOT_MAX_COLS], colw[PIVOT_MAX_COLS], start[PIVOT_MAX_COLS + 1], n = 0;
    for (size_t c = 0; c < ncols && n < PIVOT_MAX_COLS; c++) {
        for (int a = 0; a < m->naxes; a++)
            vi[a] = 0;
        subset_values(m, base_mask, c, vi);
        bool all_base = true;
        for (int a = 0; a < m->naxes; a++)
            all_base &= !base_mask[a] || vi[a] == m->axis[a].baseline;
        if (all_base)
            continue;
        axes_label(m, base_mask, vi, true, label, sizeof label);
        col[n] = c;
        colw[n++] = 2 + (strlen(label) < 8 ? 8 : strlen(label));
    }
    size_t nb = cut_blocks(w0 + 2 + bw, colw, n, start);
    for (size_t b = 0; b < nb; b++) {
        if (b)
            fprintf(out, "\n");
        fprintf(out, "%-*s  %*s", (int)w0, head, (int)bw, bhead);
        for (size_t k = start[b]; k < start[b + 1]; k++) {
            subset_values(m, base_mask, col[k], vi);
            axes_label(m, base_mask, vi, true, label, sizeof label);
            fprintf(out, "  %*s", (int)colw[k] - 2, label);
        }
        fprintf(out, "\n");
        for (size_t r = 0; r < nrows; r++) {
            for (int a = 0; a < m->naxes; a++)
                vi[a] = m->axis[a].baseline >= 0 ? m->axis[a].baseline : 0;
            subset_values(m, rest_mask, r, vi);
            axes_label(m, rest_mask, vi, false, label, sizeof label);
            compare_fmt_value(mt, rows[compare_combo_index(m, vi)].run, val, sizeof val);
            fprintf(out, "%-*s  %*s", (int)w0, label, (int)bw, val);
            for (size_t k = start[b]; k < start[b + 1]; k++) {
                int cv[COMPARE_MAX_AXES];
                memcpy(cv, vi, sizeof cv);
                subset_values(m, base_mask, col[k], cv);
                compare_fmt_change(m, rows, compare_combo_index(m, cv), mt, val, sizeof val);
                fprintf(out, "  %*s", (int)colw[k] - 2, val);
            }
            fprintf(out, "\n");
        }
    }
}

/* One block of the main table: the row number, the axes, metrics [k0, k1). */
static void write_block(const struct compare_matrix *m, struct compare_row *rows, const size_t *metric,
                        const size_t *valw, size_t k0, size_t k1, int idxw, const size_t *axw, FILE *out)
{
    char buf[64], pct[32];
    fprintf(out, "\n%*s", idxw, "#");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "  %-*s", (int)axw[a], m->axis[a].opt->name);
    for (size_t k = k0; k < k1; k++)
        fprintf(out, "  %*s", (int)(valw[k] + 1 + 7), report_compare_metric(metric[k])->compare_heading);
    fprintf(out, "\n%*s", idxw, "");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "  %-*s", (int)axw[a], "");
    for (size_t k = k0; k < k1; k++)
        fprintf(out, "  %*s %7s", (int)valw[k], report_compare_metric(metric[k])->unit, "vs base");
    fprintf(out, "\n");
    for (size_t i = 0; i < m->ncombos; i++) {
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        fprintf(out, "%*zu", idxw, i);
        for (int a = 0; a < m->naxes; a++)
            fprintf(out, "  %-*s", (int)axw[a], m->axis[a].values[vi[a]]);
        for (size_t k = k0; k < k1; k++) {
            compare_fmt_value(report_compare_metric(metric[k]), rows[i].run, buf, sizeof buf);
            compare_fmt_change(m, rows, i, report_compare_metric(metric[k]), pct, sizeof pct);
            fprintf(out, "  %*s %7s", (int)valw[k], buf, pct);
        }
        fprintf(out, "\n");
    }
}

int compare_write_text(const struct compare_matrix *m, struct compare_row *rows, uint64_t columns, FILE *out)
{
    write_header(m, out);
    size_t axw[COMPARE_MAX_AXES];
    int idxw = snprintf(NULL, 0, "%zu", m->ncombos - 1);
    size_t lead = (size_t)(idxw < 1 ? 1 : idxw);
    for (int a = 0; a < m->naxes; a++) {
        axw[a] = strlen(m->axis[a].opt->name);
        for (int v = 0; v < m->axis[a].nvalues; v++)
            if (strlen(m->axis[a].values[v]) > axw[a])
                axw[a] = strlen(m->axis[a].values[v]);
        lead += 2 + axw[a];
    }
    /* Each metric shown: a value column as wide as its heading or widest
     * value, then its % change. */
    size_t metric[REPORT_MAX_METRICS], valw[REPORT_MAX_METRICS], w[REPORT_MAX_METRICS],
        start[REPORT_MAX_METRICS + 1], n = 0;
    char buf[64];
    for (size_t k = 0; k < report_ncompare(); k++) {
        if (columns && !(columns & ((uint64_t)1 << k)))
            continue;
        const struct report_metric *mt = report_compare_metric(k);
        valw[n] = strlen(mt->unit);
        for (size_t i = 0; i < m->ncombos; i++) {
            compare_fmt_value(mt, rows[i].run, buf, sizeof buf);
            if (strlen(buf) > valw[n])
                valw[n] = strlen(buf);
        }
        size_t need = strlen(mt->compare_heading);
        if (valw[n] + 1 + 7 < need)
            valw[n] = need - 8;
        w[n] = 2 + valw[n] + 1 + 7;
        metric[n++] = k;
    }
    size_t nb = cut_blocks(lead, w, n, start);
    for (size_t b = 0; b < nb; b++)
        write_block(m, rows, metric, valw, start[b], start[b + 1], idxw < 1 ? 1 : idxw, axw, out);
    bool noted = false;
    for (size_t i = 0; i < m->ncombos; i++) {
        char why[256];
        compare_row_reasons(rows[i].run, why, sizeof why);
        if (rows[i].exit != RX_EXIT_PARTIAL && !why[0])
            continue;
        if (!noted)
            fprintf(out, "\n");
        noted = true;
        fprintf(out, "row %zu:%s", i, rows[i].exit == RX_EXIT_PARTIAL ? "  (partial trace)" : "");
        if (why[0])
            fprintf(out, "  (n/m: %s)", why);
        fprintf(out, "\n");
    }
    if (compare_has_saturation(m, rows))
        compare_write_saturation(m, rows, out);
    if (m->has_baseline)
        write_pivot(m, rows, out);
    return ferror(out) ? -1 : 0;
}
