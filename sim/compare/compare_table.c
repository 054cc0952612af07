/* sim/compare/compare_table.c: what rxsim compare and rxsim merge print: the
 * side-by-side text table (plus, with --baseline, a pivot of % change in
 * throughput scaled to CPU laid out like the OLS 2002 paper's Table 1), the
 * --json document (matrix + every row's full report and exact argv) and the
 * --csv sheet (one row per combination, every scalar as a column).
 *
 * Everything here reads rows in index order and formats numbers from the
 * reports' own JSON text, so the bytes depend on the matrix and the reports
 * only: the same for any --jobs, and for shards merged. */
#include "sim/compare/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"

static bool change_pct(json_object *run, json_object *base, const struct report_metric *mt, double *pct)
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
static void row_reasons(json_object *run, char *buf, size_t size)
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

static void fmt_value(const struct report_metric *mt, json_object *run, char *buf, size_t size)
{
    double v;
    if (report_metric_flagged(run, mt))
        snprintf(buf, size, "n/m");
    else if (report_metric_number(run, mt, 0, &v))
        snprintf(buf, size, "%.*f", mt->decimals, v);
    else
        snprintf(buf, size, "-");
}

static void fmt_change(const struct compare_matrix *m, struct compare_row *rows, size_t idx,
                       const struct report_metric *mt, char *buf, size_t size)
{
    size_t b = compare_baseline_of(m, idx);
    double pct;
    if (b == idx)
        snprintf(buf, size, report_metric_flagged(rows[idx].run, mt) ? "n/m" : "base");
    else if (report_metric_flagged(rows[idx].run, mt) || report_metric_flagged(rows[b].run, mt))
        snprintf(buf, size, "n/m");
    else if (change_pct(rows[idx].run, rows[b].run, mt, &pct))
        snprintf(buf, size, "%+.1f%%", fabs(pct) < 0.05 ? 0.0 : pct);
    else
        snprintf(buf, size, "n/a");
}

static void write_header(const struct compare_matrix *m, FILE *out)
{
    fprintf(out, "rxsim compare: %zu combination%s of ", m->ncombos, m->ncombos == 1 ? "" : "s");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "%s%s (%d)", a ? " x " : "", m->axis[a].opt->name, m->axis[a].nvalues);
    fprintf(out, "\ntraces:");
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
    char label[512];
    int vi[COMPARE_MAX_AXES];
    fprintf(out, "\n%s, %% change against", mt->label);
    for (int a = 0; a < m->naxes; a++)
        if (base_mask[a])
            fprintf(out, " %s=%s", m->axis[a].opt->name, m->axis[a].values[m->axis[a].baseline]);
    fprintf(out, " (laid out as the OLS 2002 paper's Table 1)\n");

    /* Width of the first column: the non-baselined axes' names and values. */
    size_t w0 = 3;
    char head[512] = "";
    size_t used = 0;
    for (int a = 0; a < m->naxes; a++)
        if (rest_mask[a])
            used += (size_t)snprintf(head + used, sizeof head - used, "%s%s", used ? " " : "",
                                     m->axis[a].opt->name);
    if (!used)
        snprintf(head, sizeof head, "all");
    w0 = strlen(head);
    for (size_t r = 0; r < nrows; r++) {
        for (int a = 0; a < m->naxes; a++)
            vi[a] = m->axis[a].baseline >= 0 ? m->axis[a].baseline : 0;
        subset_values(m, rest_mask, r, vi);
        size_t len = 0;
        for (int a = 0; a < m->naxes; a++)
            if (rest_mask[a])
                len += strlen(m->axis[a].values[vi[a]]) + (len ? 1 : 0);
        if (len > w0)
            w0 = len;
    }
    fprintf(out, "%-*s  %14s", (int)w0, head, "baseline Mbit/s");
    size_t colw[COMPARE_MAX_VALUES * 4];
    size_t shown = 0;
    for (size_t c = 0; c < ncols && shown < sizeof colw / sizeof colw[0]; c++) {
        for (int a = 0; a < m->naxes; a++)
            vi[a] = 0;
        subset_values(m, base_mask, c, vi);
        bool all_base = true;
        used = 0;
        for (int a = 0; a < m->naxes; a++)
            if (base_mask[a]) {
                all_base &= vi[a] == m->axis[a].baseline;
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s=%s", used ? " " : "",
                                         m->axis[a].opt->name, m->axis[a].values[vi[a]]);
            }
        if (all_base)
            continue;
        colw[c] = strlen(label) < 8 ? 8 : strlen(label);
        fprintf(out, "  %*s", (int)colw[c], label);
        shown++;
    }
    fprintf(out, "\n");
    for (size_t r = 0; r < nrows; r++) {
        for (int a = 0; a < m->naxes; a++)
            vi[a] = m->axis[a].baseline >= 0 ? m->axis[a].baseline : 0;
        subset_values(m, rest_mask, r, vi);
        used = 0;
        label[0] = '\0';
        for (int a = 0; a < m->naxes; a++)
            if (rest_mask[a])
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s", used ? " " : "",
                                         m->axis[a].values[vi[a]]);
        if (!used)
            snprintf(label, sizeof label, "all");
        size_t bidx = compare_combo_index(m, vi);
        char bval[32];
        fmt_value(mt, rows[bidx].run, bval, sizeof bval);
        fprintf(out, "%-*s  %14s", (int)w0, label, bval);
        for (size_t c = 0; c < ncols && c < sizeof colw / sizeof colw[0]; c++) {
            int cv[COMPARE_MAX_AXES];
            memcpy(cv, vi, sizeof cv);
            subset_values(m, base_mask, c, cv);
            bool all_base = true;
            for (int a = 0; a < m->naxes; a++)
                if (base_mask[a])
                    all_base &= cv[a] == m->axis[a].baseline;
            if (all_base)
                continue;
            char pct[32];
            fmt_change(m, rows, compare_combo_index(m, cv), mt, pct, sizeof pct);
            fprintf(out, "  %*s", (int)colw[c], pct);
        }
        fprintf(out, "\n");
    }
}

int compare_write_text(const struct compare_matrix *m, struct compare_row *rows, FILE *out)
{
    write_header(m, out);
    size_t axw[COMPARE_MAX_AXES];
    for (int a = 0; a < m->naxes; a++) {
        axw[a] = strlen(m->axis[a].opt->name);
        for (int v = 0; v < m->axis[a].nvalues; v++)
            if (strlen(m->axis[a].values[v]) > axw[a])
                axw[a] = strlen(m->axis[a].values[v]);
    }
    /* Each metric: a value column as wide as its heading or widest value, then its % change. */
    size_t nmetrics = report_ncompare(), valw[REPORT_MAX_METRICS];
    char buf[64];
    for (size_t k = 0; k < nmetrics; k++) {
        const struct report_metric *mt = report_compare_metric(k);
        valw[k] = strlen(mt->unit);
        for (size_t i = 0; i < m->ncombos; i++) {
            fmt_value(mt, rows[i].run, buf, sizeof buf);
            if (strlen(buf) > valw[k])
                valw[k] = strlen(buf);
        }
        size_t need = strlen(mt->compare_heading);
        if (valw[k] + 1 + 7 < need)
            valw[k] = need - 8;
    }
    int idxw = snprintf(buf, sizeof buf, "%zu", m->ncombos - 1);
    if (idxw < 1)
        idxw = 1;
    fprintf(out, "\n%*s", idxw, "#");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "  %-*s", (int)axw[a], m->axis[a].opt->name);
    for (size_t k = 0; k < nmetrics; k++)
        fprintf(out, "  %*s", (int)(valw[k] + 1 + 7), report_compare_metric(k)->compare_heading);
    fprintf(out, "\n%*s", idxw, "");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, "  %-*s", (int)axw[a], "");
    for (size_t k = 0; k < nmetrics; k++)
        fprintf(out, "  %*s %7s", (int)valw[k], report_compare_metric(k)->unit, "vs base");
    fprintf(out, "\n");
    for (size_t i = 0; i < m->ncombos; i++) {
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        fprintf(out, "%*zu", idxw, i);
        for (int a = 0; a < m->naxes; a++)
            fprintf(out, "  %-*s", (int)axw[a], m->axis[a].values[vi[a]]);
        for (size_t k = 0; k < nmetrics; k++) {
            char pct[32];
            fmt_value(report_compare_metric(k), rows[i].run, buf, sizeof buf);
            fmt_change(m, rows, i, report_compare_metric(k), pct, sizeof pct);
            fprintf(out, "  %*s %7s", (int)valw[k], buf, pct);
        }
        if (rows[i].exit == RX_EXIT_PARTIAL)
            fprintf(out, "  (partial trace)");
        char why[256];
        row_reasons(rows[i].run, why, sizeof why);
        if (why[0])
            fprintf(out, "  (n/m: %s)", why);
        fprintf(out, "\n");
    }
    if (m->has_baseline)
        write_pivot(m, rows, out);
    return ferror(out) ? -1 : 0;
}

static json_object *row_values(const struct compare_matrix *m, size_t idx)
{
    int vi[COMPARE_MAX_AXES];
    compare_combo(m, idx, vi);
    json_object *o = json_object_new_object();
    for (int a = 0; a < m->naxes; a++)
        json_object_object_add(o, m->axis[a].opt->name, json_object_new_string(m->axis[a].values[vi[a]]));
    return o;
}

static json_object *row_argv(const struct compare_matrix *m, size_t idx)
{
    char **argv = compare_row_argv(m, idx, "rxsim");
    json_object *arr = json_object_new_array();
    for (char **p = argv; p && *p; p++)
        json_object_array_add(arr, json_object_new_string(*p));
    compare_argv_free(argv);
    return arr;
}

int compare_write_json(const struct compare_matrix *m, struct compare_row *rows, int shard_k, int shard_n,
                       FILE *out)
{
    json_object *root = json_object_new_object();
    json_object_object_add(root, "format", json_object_new_string(COMPARE_FORMAT));
    json_object_object_add(root, "matrix", compare_matrix_json(m));
    if (shard_n) {
        json_object *sh = json_object_new_object();
        json_object_object_add(sh, "k", json_object_new_int(shard_k));
        json_object_object_add(sh, "n", json_object_new_int(shard_n));
        json_object_object_add(sh, "rule", json_object_new_string("rows with index % n == k - 1"));
        json_object_object_add(root, "shard", sh);
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < m->ncombos; i++) {
        if (shard_n && i % (size_t)shard_n != (size_t)(shard_k - 1))
            continue;
        json_object *r = json_object_new_object();
        json_object_object_add(r, "index", json_object_new_uint64(i));
        json_object_object_add(r, "values", row_values(m, i));
        json_object_object_add(r, "argv", row_argv(m, i));
        json_object_object_add(r, "exit", json_object_new_int(rows[i].exit));
        if (!shard_n) {
            /* Changes need the baseline row, which may live in another shard. */
            size_t b = compare_baseline_of(m, i);
            json_object_object_add(r, "baseline_index", json_object_new_uint64(b));
            json_object *ch = json_object_new_object();
            for (size_t k = 0; k < report_ncompare(); k++) {
                const struct report_metric *mt = report_compare_metric(k);
                double pct;
                bool ok = change_pct(rows[i].run, rows[b].run, mt, &pct);
                json_object_object_add(ch, mt->compare_key, ok ? json_object_new_double(pct) : NULL);
            }
            json_object_object_add(r, "change_pct", ch);
        }
        json_object_object_add(r, "report", json_object_get(rows[i].run));
        json_object_array_add(arr, r);
    }
    json_object_object_add(root, "rows", arr);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
    int rc = fprintf(out, "%s\n", text) < 0 ? -1 : 0;
    json_object_put(root);
    return rc;
}

/* ---- CSV ---- */

struct leaf {
    char path[128];
};

static void collect(json_object *o, const char *prefix, struct leaf **leaves, size_t *n, size_t *cap)
{
    json_object_object_foreach(o, k, v) {
        char path[128];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
        if (json_object_is_type(v, json_type_object)) {
            collect(v, path, leaves, n, cap);
            continue;
        }
        if (json_object_is_type(v, json_type_array) && strcmp(path, "config.traces"))
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 64;
            struct leaf *bigger = realloc(*leaves, nc * sizeof **leaves);
            if (!bigger)
                return;
            *leaves = bigger;
            *cap = nc;
        }
        snprintf((*leaves)[(*n)++].path, sizeof (*leaves)[0].path, "%s", path);
    }
}

static json_object *lookup(json_object *o, const char *path)
{
    char key[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(key, sizeof key, "%.*s", (int)len, path);
        json_object *v = NULL;
        o = json_object_object_get_ex(o, key, &v) ? v : NULL;
        path += len + (dot ? 1 : 0);
    }
    return o;
}

static void csv_field(const char *s, FILE *out)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void csv_json(json_object *v, FILE *out)
{
    if (!v)
        return;
    if (json_object_is_type(v, json_type_string)) {
        csv_field(json_object_get_string(v), out);
    } else if (json_object_is_type(v, json_type_array)) {
        char buf[8192];
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < json_object_array_length(v) && used < sizeof buf; i++)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? " " : "",
                                     json_object_get_string(json_object_array_get_idx(v, i)));
        csv_field(buf, out);
    } else {
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), out);
    }
}

/* The row's `rxsim run` command, quoted for a POSIX shell. */
static void csv_command(const struct compare_matrix *m, size_t idx, FILE *out)
{
    char **argv = compare_row_argv(m, idx, "rxsim");
    size_t cap = 256, used = 0;
    char *cmd = malloc(cap);
    for (char **p = argv; cmd && p && *p; p++) {
        bool plain = **p && strspn(*p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") ==
                                 strlen(*p);
        size_t need = used + 4 * strlen(*p) + 4;
        if (need > cap) {
            char *bigger = realloc(cmd, cap = 2 * need);
            if (!bigger) {
                free(cmd);
                cmd = NULL;
                break;
            }
            cmd = bigger;
        }
        if (used)
            cmd[used++] = ' ';
        if (!plain)
            cmd[used++] = '\'';
        for (const char *c = *p; *c; c++) {
            if (*c == '\'' && !plain) {
                memcpy(cmd + used, "'\\''", 4);
                used += 4;
            } else {
                cmd[used++] = *c;
            }
        }
        if (!plain)
            cmd[used++] = '\'';
    }
    if (cmd) {
        cmd[used] = '\0';
        csv_field(cmd, out);
    }
    free(cmd);
    compare_argv_free(argv);
}

int compare_write_csv(const struct compare_matrix *m, struct compare_row *rows, FILE *out)
{
    struct leaf *cfg = NULL, *res = NULL;
    size_t ncfg = 0, capc = 0, nres = 0, capr = 0;
    json_object *c0 = lookup(rows[0].run, "config"), *r0 = lookup(rows[0].run, "result");
    if (c0)
        collect(c0, "config", &cfg, &ncfg, &capc);
    if (r0)
        collect(r0, "", &res, &nres, &capr);
    fprintf(out, "index");
    for (int a = 0; a < m->naxes; a++)
        fprintf(out, ",%s", m->axis[a].opt->name);
    fprintf(out, ",baseline_index");
    for (size_t k = 0; k < report_ncompare(); k++)
        fprintf(out, ",change_pct.%s", report_compare_metric(k)->compare_key);
    for (size_t i = 0; i < nres; i++)
        fprintf(out, ",%s", res[i].path);
    for (size_t i = 0; i < ncfg; i++)
        fprintf(out, ",%s", cfg[i].path);
    fprintf(out, ",not_meaningful_because,exit,command\n");
    for (size_t i = 0; i < m->ncombos; i++) {
        int vi[COMPARE_MAX_AXES];
        compare_combo(m, i, vi);
        fprintf(out, "%zu", i);
        for (int a = 0; a < m->naxes; a++) {
            fputc(',', out);
            csv_field(m->axis[a].values[vi[a]], out);
        }
        size_t b = compare_baseline_of(m, i);
        fprintf(out, ",%zu", b);
        for (size_t k = 0; k < report_ncompare(); k++) {
            const struct report_metric *mt = report_compare_metric(k);
            double pct;
            fputc(',', out);
            if (!report_metric_flagged(rows[i].run, mt) && !report_metric_flagged(rows[b].run, mt) &&
                change_pct(rows[i].run, rows[b].run, mt, &pct)) {
                json_object *d = json_object_new_double(pct);
                fputs(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN), out);
                json_object_put(d);
            }
        }
        json_object *ri = lookup(rows[i].run, "result"), *ci = lookup(rows[i].run, "config");
        for (size_t k = 0; k < nres; k++) {
            fputc(',', out);
            csv_json(lookup(ri, res[k].path), out);
        }
        for (size_t k = 0; k < ncfg; k++) {
            fputc(',', out);
            csv_json(lookup(ci, cfg[k].path + strlen("config.")), out);
        }
        char why[256];
        row_reasons(rows[i].run, why, sizeof why);
        fputc(',', out);
        csv_field(why, out);
        fprintf(out, ",%d,", rows[i].exit);
        csv_command(m, i, out);
        fputc('\n', out);
    }
    free(cfg);
    free(res);
    return ferror(out) ? -1 : 0;
}

int compare_emit(const struct compare_matrix *m, struct compare_row *rows, enum compare_out fmt,
                 const char *svg_dir, const char *who)
{
    int wrc = fmt == COMPARE_OUT_JSON  ? compare_write_json(m, rows, 0, 0, stdout)
              : fmt == COMPARE_OUT_CSV ? compare_write_csv(m, rows, stdout)
                                       : compare_write_text(m, rows, stdout);
    if (fflush(stdout) != 0 || wrc < 0) {
        fprintf(stderr, "rxsim %s: error writing the output\n", who);
        return RX_EXIT_INTERNAL;
    }
    if (svg_dir) {
        char err[1024];
        if (compare_write_svgs(m, rows, svg_dir, err, sizeof err) < 0) {
            fprintf(stderr, "rxsim %s: --svg %s: %s\n", who, svg_dir, err);
            return RX_EXIT_INTERNAL;
        }
    }
    return compare_exit_status(m, rows);
}

int compare_exit_status(const struct compare_matrix *m, const struct compare_row *rows)
{
    int rc = RX_EXIT_OK;
    for (size_t i = 0; i < m->ncombos; i++)
        if (rows[i].exit == RX_EXIT_PARTIAL)
            return RX_EXIT_PARTIAL;     /* 4 wins over 5 */
        else if (rows[i].exit == RX_EXIT_UNANSWERED)
            rc = RX_EXIT_UNANSWERED;
    return rc;
}
