/* sim/report/result.c: see result.h. */
#include "sim/report/result.h"

#include <string.h>

#include "sim/report/verdict_json.h"

static bool flagged(const struct report_metric *m, const struct run_metrics *mt)
{
    return (m->flags & REPORT_NM) && report_flagging(mt);
}

/* A figure at saturation when the run had no saturation window (saturation.h). */
static bool unmeasured(const struct report_metric *m, const struct run_metrics *mt)
{
    return (m->flags & REPORT_SATURATION) && !mt->sat_measured;
}

static const char *text_value(const struct report_metric *m, const struct run_metrics *mt)
{
    return (const char *)mt + m->offset;
}

static bool shown(const struct report_metric *m, const struct run_metrics *mt)
{
    return (!(m->flags & REPORT_SYNTH_ONLY) || mt->synthesised) && (!(m->flags & REPORT_CLOSED_ONLY) || mt->closed_loop) &&
           (!(m->flags & REPORT_ZC_ONLY) || mt->zerocopy) && (!(m->flags & REPORT_TRACE_ONLY) || !mt->closed_loop);
}

static uint64_t u64_value(const struct report_metric *m, const struct run_metrics *mt, int i)
{
    const char *p = (const char *)mt + m->offset;
    return m->kind == REPORT_PER_DROP ? ((const uint64_t *)(const void *)p)[i] : *(const uint64_t *)(const void *)p;
}

/* ---- JSON ---- */

static json_object *json_value(const struct report_metric *m, const struct run_metrics *mt)
{
    if (unmeasured(m, mt))
        return NULL;
    switch (m->kind) {
    case REPORT_U64:
        return json_object_new_uint64(u64_value(m, mt, 0));
    case REPORT_DOUBLE:
        return flagged(m, mt) ? NULL : json_object_new_double(report_value(m, mt, 0));
    case REPORT_BOOL:
        return json_object_new_boolean(report_value(m, mt, 0) != 0);
    case REPORT_NOTE:
        return json_object_new_string(m->note);
    case REPORT_PER_CATEGORY: {
        json_object *o = json_object_new_object();
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            json_object_object_add(o, sim_category_key(k),
                                   flagged(m, mt) ? NULL : json_object_new_double(report_value(m, mt, k)));
        return o;
    }
    case REPORT_PER_DROP: {
        json_object *o = json_object_new_object();
        for (int d = 0; d < RX_DROP__COUNT; d++)
            json_object_object_add(o, rx_drop_key(d), json_object_new_uint64(u64_value(m, mt, d)));
        return o;
    }
    case REPORT_FLAGGED_KEYS: {
        json_object *a = json_object_new_array();
        const char *last = NULL;
        for (size_t i = 0; report_flagging(mt) && i < report_nmetrics; i++) {
            const char *top = report_top_key(&report_metrics[i]);
            if (!(report_metrics[i].flags & REPORT_NM) || (last && !strcmp(last, top)))
                continue;
            json_object_array_add(a, json_object_new_string(top));
            last = top;
        }
        return a;
    }
    case REPORT_UNANSWERED:
        return verdict_json_sum(&mt->unanswered);
    case REPORT_TEXT:
        return json_object_new_string(text_value(m, mt));
    }
    return NULL;
}

json_object *report_result_json(const struct run_metrics *mt)
{
    json_object *r = json_object_new_object(), *group = NULL;
    const char *group_name = NULL;
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        if (!shown(m, mt))
            continue;
        json_object *into = r;
        if (m->group) {
            if (!group_name || strcmp(group_name, m->group)) {     /* a group's rows are adjacent */
                group = json_object_new_object();
                group_name = m->group;
                json_object_object_add(r, m->group, group);
            }
            into = group;
        }
        json_object_object_add(into, m->key, json_value(m, mt));
    }
    return r;
}

/* ---- CSV ---- */

/* "stranded;payload_not_captured": what a flagged figure's last column says. */
static void csv_reasons(const struct run_metrics *mt, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int r = 0; r < RX_VERDICT__COUNT && used < size; r++)
        if (mt->unanswered.reasons & (1u << r)) {
            int n = snprintf(buf + used, size - used, "%s%s", used ? ";" : "", rx_verdict_key(r));
            if (n < 0)
                break;
            used += (size_t)n;
        }
}

static void csv_row(const char *section, const char *name, const struct report_metric *m,
                    const struct run_metrics *mt, int i, FILE *out)
{
    if (flagged(m, mt)) {
        char why[128];
        csv_reasons(mt, why, sizeof why);
        fprintf(out, "%s,%s,,%s\n", section, name, why);
    } else if (unmeasured(m, mt)) {
        fprintf(out, "%s,%s,,no_saturation_window\n", section, name);
    } else if (m->kind == REPORT_TEXT) {
        fprintf(out, "%s,%s,%s,\n", section, name, text_value(m, mt));
    } else if (m->kind == REPORT_U64 || m->kind == REPORT_PER_DROP) {
        fprintf(out, "%s,%s,%llu,\n", section, name, (unsigned long long)u64_value(m, mt, i));
    } else {
        fprintf(out, "%s,%s,%.*f,\n", section, name, m->csv_decimals, report_value(m, mt, i));
    }
}

void report_result_csv(const struct run_metrics *mt, FILE *out)
{
    const struct report_metric *m;
    for (int r = 1; (m = report_ranked(report_csv_rank, r)); r++)
        if (shown(m, mt))
            csv_row("result", m->csv, m, mt, 0, out);
    for (int r = 0; r < RX_VERDICT__COUNT; r++)
        if (mt->unanswered.reasons & (1u << r))
            fprintf(out, "unanswered,%s_bytes,%llu,\nunanswered,%s_directions,%llu,\n", rx_verdict_key(r),
                    (unsigned long long)mt->unanswered.bytes[r], rx_verdict_key(r),
                    (unsigned long long)mt->unanswered.directions[r]);
}

void report_families_csv(const struct run_metrics *mt, FILE *out)
{
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        if (m->kind == REPORT_PER_CATEGORY && m->csv)
            for (int k = 0; k < SIM_CAT__COUNT; k++)
                csv_row(m->csv, sim_category_key(k), m, mt, k, out);
        else if (m->kind == REPORT_PER_DROP && m->csv)
            for (int d = 0; d < RX_DROP__COUNT; d++)
                csv_row(m->csv, rx_drop_key(d), m, mt, d, out);
    }
}

/* ---- text ---- */

/* Writes a text piece: {v} the value, {nm} "not meaningful (why)", {why},
 * {s} a plural's "s", {c} entry i's category. */
static void text_piece(const char *tmpl, const struct report_metric *m, const struct run_metrics *mt, int i,
                       FILE *out)
{
    for (const char *p = tmpl; *p; p++) {
        if (!strncmp(p, "{v}", 3)) {
            if (m->kind == REPORT_TEXT)
                fputs(text_value(m, mt), out);
            else if (m->kind == REPORT_U64)
                fprintf(out, "%llu", (unsigned long long)u64_value(m, mt, i));
            else
                fprintf(out, "%.*f", m->text_decimals,
                        report_value(m, mt, i) * (m->flags & REPORT_PERCENT ? 100 : 1));
            p += 2;
        } else if (!strncmp(p, "{nm}", 4)) {
            fprintf(out, "not meaningful (%s)", mt->unanswered_text);
            p += 3;
        } else if (!strncmp(p, "{why}", 5)) {
            fputs(mt->unanswered_text, out);
            p += 4;
        } else if (!strncmp(p, "{s}", 3)) {
            fputs(report_value(m, mt, i) > 1 ? "s" : "", out);
            p += 2;
        } else if (!strncmp(p, "{c}", 3)) {
            fputs(sim_category_key(i), out);
            p += 2;
        } else {
            fputc(*p, out);
        }
    }
}

/* Whether a piece's figure is set: non-zero, or (unanswered) any reason. */
static bool is_set(const struct report_metric *m, const struct run_metrics *mt)
{
    return m->kind == REPORT_UNANSWERED ? report_flagging(mt) : report_value(m, mt, 0) != 0;
}

/* The line of text ranks [first, end): shown when no piece is
 * REPORT_TEXT_IF_SET, or one that is has its figure set; never when a piece
 * is not shown in this run (closed-loop only, or unmeasured). */
static bool line_shown(int first, int end, const struct run_metrics *mt)
{
    bool conditional = false;
    for (int r = first; r < end; r++) {
        const struct report_metric *m = report_ranked(report_text_rank, r);
        if (unmeasured(m, mt))
            return false;
        if (!(m->flags & REPORT_TEXT_IF_SET))
            continue;
        if (is_set(m, mt))
            return true;
        conditional = true;
    }
    return !conditional;
}

static void text_line(int first, int end, const struct run_metrics *mt, FILE *out)
{
    bool prev_flagged = false;
    fprintf(out, "%-14s ", report_ranked(report_text_rank, first)->text_line);
    for (int r = first; r < end; r++) {
        const struct report_metric *m = report_ranked(report_text_rank, r);
        if ((m->flags & REPORT_TRACE_ONLY) && mt->closed_loop)    /* means nothing without a replayed trace */
            continue;
        bool f = flagged(m, mt);
        const char *tmpl = f ? m->text_nm : prev_flagged && m->text_after_nm ? m->text_after_nm : m->text;
        if (tmpl && (m->kind != REPORT_BOOL || report_value(m, mt, 0) != 0))
            text_piece(tmpl, m, mt, 0, out);
        prev_flagged = f;
    }
    fputc('\n', out);
}

void report_result_text(const struct run_metrics *mt, FILE *out)
{
    int n = (int)report_ranked_count(report_text_rank);
    for (int first = 1, end; first <= n; first = end) {
        const char *heading = report_ranked(report_text_rank, first)->text_line;
        for (end = first + 1; end <= n && !strcmp(report_ranked(report_text_rank, end)->text_line, heading); end++)
            ;
        if (line_shown(first, end, mt))
            text_line(first, end, mt, out);
    }
}

void report_family_text(const struct report_metric *m, const struct run_metrics *mt, FILE *out)
{
    if (flagged(m, mt)) {
        text_piece(m->text_nm, m, mt, 0, out);
        return;
    }
    for (int k = 0; k < SIM_CAT__COUNT; k++)
        text_piece(m->text, m, mt, k, out);
}
