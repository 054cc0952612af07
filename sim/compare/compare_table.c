/* sim/compare/compare_table.c: what rxsim compare and rxsim merge write
 * besides the text table (compare_text.c): the --json document (matrix +
 * every row's full report and exact argv), the --csv sheet (one row per
 * combination, every scalar as a column), and compare_emit() choosing.
 *
 * Everything here reads rows in index order and formats numbers from the
 * reports' own JSON text, so the bytes depend on the matrix and the reports
 * only: the same for any --jobs, and for shards merged. */
#include "sim/compare/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/session/exit_codes.h"

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
                bool ok = compare_change_pct(rows[i].run, rows[b].run, mt, &pct);
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
                compare_change_pct(rows[i].run, rows[b].run, mt, &pct)) {
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
        compare_row_reasons(rows[i].run, why, sizeof why);
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
                 const struct compare_view *view, const char *who)
{
    const char *svg_dir = view ? view->svg_dir : NULL;
    int wrc = fmt == COMPARE_OUT_JSON  ? compare_write_json(m, rows, 0, 0, stdout)
              : fmt == COMPARE_OUT_CSV ? compare_write_csv(m, rows, stdout)
                                       : compare_write_text(m, rows, view ? view->columns : 0, stdout);
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
    if (view && view->html) {
        char err[1024];
        if (compare_write_html(m, rows, view->html, err, sizeof err) < 0) {
            fprintf(stderr, "rxsim %s: --html %s: %s\n", who, view->html, err);
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
