/* tests/unit/check_report.c: the metric table (sim/report/metric.h) and the
 * result in each format (sim/report/result.h), with no simulator: a
 * struct run_metrics whose every figure is a distinct number is rendered to
 * JSON, CSV and text, and each figure of the table must come out once, at its
 * key / row / line, with its value; when the run cannot answer, every figure
 * flagged "not meaningful" must be flagged in every format and the others
 * must still be there.  Also the table's own invariants (ranks, unique
 * names) and reading a report back as compare and serve do. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/metric.h"
#include "sim/report/result.h"
#include "tests/common/testenv.h"

static struct run_metrics mt;

/* Every figure of the table a distinct value, exact in binary (x.25). */
static void fill(bool flag, bool synth)
{
    memset(&mt, 0, sizeof mt);
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        char *p = (char *)&mt + m->offset;
        double base = 1000.0 + 10.0 * (double)i;
        if (m->kind == REPORT_U64)
            *(uint64_t *)(void *)p = (uint64_t)base;
        else if (m->kind == REPORT_DOUBLE)
            *(double *)(void *)p = m->flags & REPORT_PERCENT ? 0.625 : base + 0.25;
        else if (m->kind == REPORT_BOOL)
            *(bool *)(void *)p = true;
        else if (m->kind == REPORT_PER_CATEGORY)
            for (int k = 0; k < SIM_CAT__COUNT; k++)
                ((double *)(void *)p)[k] = base + k + 0.5;
        else if (m->kind == REPORT_PER_DROP)
            for (int d = 0; d < RX_DROP__COUNT; d++)
                ((uint64_t *)(void *)p)[d] = (uint64_t)base + (uint64_t)d;
        else if (m->kind == REPORT_TEXT)
            strcpy(p, "cpu 0");
    }
    mt.sat_measured = true;             /* the figures at saturation are numbers (null: check_closed_sat) */
    mt.synthesised = synth;
    mt.closed_loop = synth;             /* the --replay closed figures with the synth ones */
    mt.zerocopy = synth;                /* and the --receive zerocopy ones */
    if (flag) {
        mt.unanswered.reasons = 1u << RX_VERDICT_STRANDED;
        mt.unanswered.bytes[RX_VERDICT_STRANDED] = 5000;
        mt.unanswered.directions[RX_VERDICT_STRANDED] = 1;
        rx_verdict_describe(&mt.unanswered, mt.unanswered_text, sizeof mt.unanswered_text);
    }
}

static bool is_flagged(const struct report_metric *m) { return (m->flags & REPORT_NM) && mt.unanswered.reasons; }
static bool is_shown(const struct report_metric *m)
{
    return (!(m->flags & REPORT_SYNTH_ONLY) || mt.synthesised) && (!(m->flags & REPORT_CLOSED_ONLY) || mt.closed_loop) &&
           (!(m->flags & REPORT_ZC_ONLY) || mt.zerocopy) && (!(m->flags & REPORT_TRACE_ONLY) || !mt.closed_loop);
}

typedef void (*writer)(const struct run_metrics *, FILE *);

static char *render(writer w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    w(&mt, f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

static int (*const ranks[])(const struct report_metric *) = {
    report_csv_rank, report_text_rank, report_compare_rank, report_page_rank,
};
static const char *const rank_names[] = { "csv", "text", "compare", "page" };

/* Ranks run 1..N with no gap; a rank is one metric's, except on serve's
 * page, where a group's figures may share one (one row "p50 / p99 / max"). */
START_TEST(ranks_are_one_to_n_once_each)
{
    int (*rank)(const struct report_metric *) = ranks[_i];
    bool shared_ok = rank == report_page_rank;
    size_t counted = 0;
    int r = 1;
    for (; report_ranked(rank, r); r++) {
        const struct report_metric *first = report_ranked(rank, r);
        for (size_t i = 0; i < report_nmetrics; i++) {
            const struct report_metric *m = &report_metrics[i];
            if (rank(m) != r)
                continue;
            counted++;
            ck_assert_msg(m == first || (shared_ok && first->group && m->group && !strcmp(m->group, first->group)),
                          "%s rank %d held by %s and %s", rank_names[_i], r, first->key, m->key);
        }
    }
    ck_assert_msg(r > 1, "%s: no metric ranked", rank_names[_i]);
    ck_assert_msg(counted == report_ranked_count(rank), "%s: a gap before rank %d", rank_names[_i], r);
}
END_TEST

START_TEST(names_are_unique_and_complete)
{
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *a = &report_metrics[i];
        ck_assert_msg(a->key && *a->key, "row %zu: no JSON key", i);
        ck_assert_msg(!a->text_rank || (a->text_line && a->text), "%s: text rank but no line or piece", a->key);
        ck_assert_msg(!a->csv_rank || a->csv, "%s: CSV rank but no CSV name", a->key);
        ck_assert_msg(!a->compare_rank || (a->compare_key && a->compare_heading && a->label && a->unit),
                      "%s: a compare column needs key, heading, label, unit", a->key);
        ck_assert_msg(!a->page_rank || a->page_label || report_ranked(report_page_rank, a->page_rank) != a,
                      "%s: first on its page row, without a label", a->key);
        ck_assert_msg(!(a->flags & REPORT_NM) || a->kind == REPORT_DOUBLE || a->kind == REPORT_PER_CATEGORY,
                      "%s: only numbers that are not counts can be not meaningful", a->key);
        for (size_t j = i + 1; j < report_nmetrics; j++) {
            const struct report_metric *b = &report_metrics[j];
            bool same_group = (!a->group && !b->group) || (a->group && b->group && !strcmp(a->group, b->group));
            ck_assert_msg(!(same_group && !strcmp(a->key, b->key)), "JSON key %s twice", a->key);
            ck_assert_msg(!(a->csv_rank && b->csv_rank && !strcmp(a->csv, b->csv)), "CSV name %s twice", a->csv);
            ck_assert_msg(!(a->compare_rank && b->compare_rank && !strcmp(a->compare_key, b->compare_key)),
                          "compare key %s twice", a->compare_key);
            /* a group's rows are adjacent: the JSON writer opens each once */
            if (a->group && b->group && !strcmp(a->group, b->group))
                ck_assert_msg(j == i + 1 || (report_metrics[j - 1].group &&
                                             !strcmp(report_metrics[j - 1].group, a->group)),
                              "group %s split", a->group);
        }
    }
}
END_TEST

static json_object *result_doc(void)
{
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "result", report_result_json(&mt));
    /* through text and back, as compare and serve read a worker's report */
    json_object *parsed = json_tokener_parse(json_object_to_json_string(doc));
    json_object_put(doc);
    ck_assert_ptr_nonnull(parsed);
    return parsed;
}

/* _i: bit 0 flagged, bit 1 --payload synth and --replay closed. */
START_TEST(json_has_every_figure_once)
{
    fill(_i & 1, _i & 2);
    json_object *doc = result_doc(), *res = NULL;
    ck_assert(json_object_object_get_ex(doc, "result", &res));
    size_t top_keys = 0;
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        bool first_of_top = i == 0 || strcmp(report_top_key(&report_metrics[i - 1]), report_top_key(m));
        top_keys += is_shown(m) && first_of_top;
        json_object *v = report_metric_json(doc, m, 0);
        json_object *holder = NULL;
        bool present = json_object_object_get_ex(res, report_top_key(m), &holder);
        ck_assert_msg(present == is_shown(m), "%s: present %d, synth %d", m->key, present, mt.synthesised);
        if (!is_shown(m))
            continue;
        ck_assert_msg(report_metric_flagged(doc, m) == is_flagged(m), "%s: flagged wrong", m->key);
        double got;
        if (m->kind == REPORT_U64 || m->kind == REPORT_DOUBLE || m->kind == REPORT_PER_CATEGORY ||
            m->kind == REPORT_PER_DROP) {
            int n = m->kind == REPORT_PER_CATEGORY ? SIM_CAT__COUNT : m->kind == REPORT_PER_DROP ? RX_DROP__COUNT : 1;
            for (int k = 0; k < n; k++) {
                bool num = report_metric_number(doc, m, k, &got);
                ck_assert_msg(num != is_flagged(m), "%s[%d]: a number %d while flagged %d", m->key, k, num,
                              is_flagged(m));
                if (num)
                    ck_assert_msg(got == report_value(m, &mt, k), "%s[%d]: %f, want %f", m->key, k, got,
                                  report_value(m, &mt, k));
            }
        } else if (m->kind == REPORT_BOOL) {
            ck_assert_msg(json_object_get_boolean(v), "%s: not true", m->key);
        }
    }
    ck_assert_uint_eq(json_object_object_length(res), top_keys);
    /* not_meaningful names each flagged figure's key once, and nothing else */
    json_object *nm = NULL;
    ck_assert(json_object_object_get_ex(res, "not_meaningful", &nm));
    size_t want = 0;
    for (size_t i = 0; (_i & 1) && i < report_nmetrics; i++)
        want += (report_metrics[i].flags & REPORT_NM) &&
                (i == 0 || strcmp(report_top_key(&report_metrics[i - 1]), report_top_key(&report_metrics[i])));
    ck_assert_uint_eq(json_object_array_length(nm), want);
    json_object_put(doc);
}
END_TEST

START_TEST(json_categories_are_sim_categories)
{
    fill(false, false);
    json_object *doc = result_doc();
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        if (m->kind != REPORT_PER_CATEGORY)
            continue;
        json_object *o = NULL, *res = NULL;
        ck_assert(json_object_object_get_ex(doc, "result", &res));
        ck_assert(json_object_object_get_ex(res, m->key, &o));
        ck_assert_uint_eq(json_object_object_length(o), SIM_CAT__COUNT);
        int k = 0;
        json_object_object_foreach(o, key, val) {
            (void)val;
            ck_assert_str_eq(key, sim_category_key(k));
            k++;
        }
    }
    json_object_put(doc);
}
END_TEST

/* The CSV line "section,name,..." (NULL when absent); fails when twice. */
static const char *csv_line(const char *csv, const char *section, const char *name)
{
    char want[256];
    snprintf(want, sizeof want, "\n%s,%s,", section, name);
    const char *at = strstr(csv, want);
    if (at)
        ck_assert_msg(!strstr(at + 1, want), "CSV row %s,%s twice", section, name);
    return at ? at + 1 : NULL;
}

static void check_csv_row(const char *csv, const char *section, const char *name, const struct report_metric *m,
                          int i)
{
    const char *line = csv_line(csv, section, name);
    ck_assert_msg(line, "no CSV row %s,%s", section, name);
    const char *val = line + strlen(section) + strlen(name) + 2;
    if (is_flagged(m)) {
        ck_assert_msg(!strncmp(val, ",stranded\n", 10), "%s,%s: flagged row is %.40s", section, name, line);
        return;
    }
    if (m->kind == REPORT_TEXT) {
        const char *want = (const char *)&mt + m->offset;
        ck_assert_msg(!strncmp(val, want, strlen(want)) && !strncmp(val + strlen(want), ",\n", 2),
                      "%s,%s: row %.40s, want %s", section, name, line, want);
        return;
    }
    char *end;
    double got = strtod(val, &end);
    ck_assert_msg(end != val && !strncmp(end, ",\n", 2), "%s,%s: row %.40s", section, name, line);
    ck_assert_msg(got == report_value(m, &mt, i), "%s,%s: %f, want %f", section, name, got, report_value(m, &mt, i));
}

static void both_csv(const struct run_metrics *r, FILE *out)
{
    fputc('\n', out);
    report_result_csv(r, out);
    report_families_csv(r, out);
}

START_TEST(csv_has_every_ranked_figure_once)
{
    fill(_i & 1, _i & 2);
    char *csv = render(both_csv);
    const struct report_metric *m;
    for (int r = 1; (m = report_ranked(report_csv_rank, r)); r++) {
        if (is_shown(m))
            check_csv_row(csv, "result", m->csv, m, 0);
        else
            ck_assert_msg(!csv_line(csv, "result", m->csv), "%s: shown without --payload synth", m->csv);
    }
    for (size_t i = 0; i < report_nmetrics; i++) {
        m = &report_metrics[i];
        for (int k = 0; m->kind == REPORT_PER_CATEGORY && k < SIM_CAT__COUNT; k++)
            check_csv_row(csv, m->csv, sim_category_key(k), m, k);
        for (int d = 0; m->kind == REPORT_PER_DROP && d < RX_DROP__COUNT; d++)
            check_csv_row(csv, m->csv, rx_drop_key(d), m, d);
    }
    ck_assert_msg(!strstr(csv, "\nunanswered,stranded_bytes,5000,\n") == !(_i & 1), "unanswered rows");
    free(csv);
}
END_TEST

/* The text line that starts with heading (padded to 15), NULL when absent. */
static char *text_line_of(const char *text, const char *heading, char *buf, size_t size)
{
    char want[64];
    snprintf(want, sizeof want, "%-14s ", heading);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, want, strlen(want))) {
            size_t len = strcspn(p, "\n");
            snprintf(buf, size, "%.*s", (int)len, p);
            return buf;
        }
    return NULL;
}

START_TEST(text_has_every_figure_on_its_line)
{
    fill(_i & 1, false);
    char *text = render(report_result_text);
    const struct report_metric *m;
    for (int r = 1; (m = report_ranked(report_text_rank, r)); r++) {
        char line[1024], val[64];
        bool expect = m->kind != REPORT_UNANSWERED || mt.unanswered.reasons;    /* said only when flagging */
        ck_assert_msg(!text_line_of(text, m->text_line, line, sizeof line) == !expect, "line %s: want %d",
                      m->text_line, expect);
        if (m->kind == REPORT_U64)
            snprintf(val, sizeof val, "%llu", (unsigned long long)report_value(m, &mt, 0));
        else if (m->kind == REPORT_DOUBLE)
            snprintf(val, sizeof val, "%.*f", m->text_decimals,
                     report_value(m, &mt, 0) * (m->flags & REPORT_PERCENT ? 100 : 1));
        else
            continue;
        if (is_flagged(m)) {
            ck_assert_msg(!strstr(line, val), "%s flagged, yet its value %s is on: %s", m->key, val, line);
            char nm[600];
            snprintf(nm, sizeof nm, "not meaningful (%s)", mt.unanswered_text);
            ck_assert_msg(strstr(line, nm), "%s flagged, no '%s' on: %s", m->key, nm, line);
        } else {
            ck_assert_msg(strstr(line, val), "%s: value %s not on: %s", m->key, val, line);
        }
    }
    free(text);
}
END_TEST

START_TEST(text_categories_one_line)
{
    fill(_i, false);
    for (size_t i = 0; i < report_nmetrics; i++) {
        const struct report_metric *m = &report_metrics[i];
        if (m->kind != REPORT_PER_CATEGORY)
            continue;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        report_family_text(m, &mt, f);
        fclose(f);
        for (int k = 0; k < SIM_CAT__COUNT; k++) {
            char piece[128];
            snprintf(piece, sizeof piece, " %s %.*f", sim_category_key(k), m->text_decimals, report_value(m, &mt, k));
            ck_assert_msg(!strstr(buf, piece) == is_flagged(m), "%s: '%s' in '%s'", m->key, piece, buf);
        }
        ck_assert_msg(!strstr(buf, "not meaningful (") == !is_flagged(m), "%s: %s", m->key, buf);
        free(buf);
    }
}
END_TEST

START_TEST(text_conditional_lines_follow_their_figures)
{
    fill(false, false);
    const struct report_metric *m;
    for (int r = 1; (m = report_ranked(report_text_rank, r)); r++)
        if ((m->flags & REPORT_TEXT_IF_SET) && m->kind == REPORT_U64)
            *(uint64_t *)(void *)((char *)&mt + m->offset) = 0;
        else if ((m->flags & REPORT_TEXT_IF_SET) && m->kind == REPORT_TEXT)
            *((char *)&mt + m->offset) = '\0';
    char *text = render(report_result_text);
    for (int r = 1; (m = report_ranked(report_text_rank, r)); r++) {
        char line[1024];
        if (m->flags & REPORT_TEXT_IF_SET)
            ck_assert_msg(!text_line_of(text, m->text_line, line, sizeof line), "line %s shown with nothing set",
                          m->text_line);
    }
    free(text);
}
END_TEST

START_TEST(compare_columns_read_back)
{
    fill(_i, false);
    json_object *doc = result_doc();
    ck_assert_uint_eq(report_ncompare(), report_ranked_count(report_compare_rank));
    for (size_t c = 0; c < report_ncompare(); c++) {
        const struct report_metric *m = report_compare_metric(c);
        double v;
        ck_assert_int_eq(m->compare_rank, (int)c + 1);
        ck_assert_msg(report_metric_flagged(doc, m) == is_flagged(m), "%s", m->compare_key);
        ck_assert_msg(report_metric_number(doc, m, 0, &v) == !is_flagged(m), "%s", m->compare_key);
    }
    json_object_put(doc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("table");
    tcase_add_loop_test(tc, ranks_are_one_to_n_once_each, 0, (int)ARRAY_LEN(ranks));
    tcase_add_test(tc, names_are_unique_and_complete);
    suite_add_tcase(s, tc);
    tc = tcase_create("formats");
    tcase_add_loop_test(tc, json_has_every_figure_once, 0, 4);
    tcase_add_test(tc, json_categories_are_sim_categories);
    tcase_add_loop_test(tc, csv_has_every_ranked_figure_once, 0, 4);
    tcase_add_loop_test(tc, text_has_every_figure_on_its_line, 0, 2);
    tcase_add_loop_test(tc, text_categories_one_line, 0, 2);
    tcase_add_test(tc, text_conditional_lines_follow_their_figures);
    tcase_add_loop_test(tc, compare_columns_read_back, 0, 2);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
