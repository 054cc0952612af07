/* tests/e2e/check_reference.c: the model's current predictions against the
 * committed reference measurements of the real kernel, without root (the CI
 * check of docs/validation.md, "The CI check against the reference").
 *
 * Reads a validate dataset (sim/validate/dataset.h): the first argument,
 * else $RXSIM_REFERENCE, else bench/validate/reference.json under the
 * source root; skips, saying so, when the file is absent.  Runs the model
 * (sim/validate/model_run.h: rxsim run in this process, the current
 * built-in costs) on every configuration's committed header-only capture,
 * builds validate's table from the recorded repetitions beside those model
 * figures (sim/validate/validate_report.h; the table goes to stderr, which
 * meson's log keeps) and fails when
 *   - the largest held-out error of core cycles/byte, |model - real
 *     median| / real median, exceeds the bound: 0.30 (the issue's +-30 %,
 *     documented in docs/validation.md), or the second argument;
 *   - a GRO, MTU or checksum change that the real repetitions resolve (their
 *     q1..q3 of the ratio on one side of 1) goes the other way in the model.
 * Placement is printed, not checked: on this VM it resolves only when the
 * machine is quiet.  The check checks itself too: the same table with the
 * bound just under the measured error must fail, and with a resolved
 * direction's real repetitions swapped (the real ratio inverted) must
 * report a mismatch; and a model run repeated gives the same figures.
 *
 * tests/meson.build runs it twice: on the reference (skipped until the lead
 * commits it) and on tests/e2e/data/reference-mini/, a small dataset made
 * for this test with a loose bound (its make_mini.py says how, and what in
 * it is measured). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/validate/dataset.h"
#include "sim/validate/model_run.h"
#include "sim/validate/validate_report.h"
#include "tests/common/testenv.h"

#define DOC_BOUND 0.30          /* docs/validation.md: the held-out error bound */
#define READER_MSG_SIZE 65536   /* the reader's recv() size when the dataset predates msg_size */
_Static_assert(VAL_MAX_REPS_TABLE >= VAL_MAX_REPS, "the table must take every repetition a dataset holds");

static struct {
    char path[PATH_MAX], dir[PATH_MAX];
    struct val_dataset *d;
    char load_err[512];
    double bound;
    bool bound_from_arg;
    struct val_model model[VAL_MAX_CONFIGS];
    char model_err[VAL_MAX_CONFIGS][512];
    int model_rc[VAL_MAX_CONFIGS];
    struct val_report_config rc[VAL_MAX_CONFIGS];
    struct val_summary sum;
} ref;

static bool checked_factor(const char *f)
{
    return !strcmp(f, "gro") || !strcmp(f, "mtu") || !strcmp(f, "csum");
}

/* ---- the judgement, kept apart so the check can test itself ---------------- */

/* Held-out configurations over bound (or without an error): their count,
 * and their names in why. */
static int judge_held(const struct val_summary *s, double bound, char *why, size_t n)
{
    int bad = 0;
    size_t k = 0;
    why[0] = '\0';
    for (int i = 0; i < s->nheld; i++)
        if (s->held_err[i] > bound) {
            bad++;
            k += (size_t)snprintf(why + k, k < n ? n - k : 0, "%s %.1f %% > %.1f %%; ",
                                  s->row[s->held_row[i]].cfg.name, s->held_err[i] * 100, bound * 100);
        }
    if (s->held_nm) {
        bad += s->held_nm;
        snprintf(why + k, k < n ? n - k : 0, "%d held-out configuration(s) without a measurable error",
                 s->held_nm);
    }
    return bad;
}

/* GRO / MTU / csum changes whose direction the model gets wrong, or that
 * cannot be judged at all (n/m: a side with no figure). */
static int judge_directions(const struct val_summary *s, char *why, size_t n)
{
    int bad = 0;
    size_t k = 0;
    why[0] = '\0';
    for (int i = 0; i < s->nchanges; i++) {
        const struct val_change *c = &s->change[i];
        if (!checked_factor(c->factor) || (c->match != VAL_MISMATCH && c->match != VAL_MATCH_NM))
            continue;
        bad++;
        if (c->match == VAL_MATCH_NM) {
            k += (size_t)snprintf(why + k, k < n ? n - k : 0, "%s %s -> %s: n/m (%s); ", c->factor,
                                  s->row[c->from].cfg.name, s->row[c->to].cfg.name, c->why ? c->why : "?");
            continue;
        }
        k += (size_t)snprintf(why + k, k < n ? n - k : 0, "%s %s -> %s: real %.3f [%.3f-%.3f], model %.3f; ",
                              c->factor, s->row[c->from].cfg.name, s->row[c->to].cfg.name, c->real.median,
                              c->real.q1, c->real.q3, c->model);
    }
    return bad;
}

/* ---- loading and running, once, before the tests ------------------------- */

static void find_path(int argc, char **argv)
{
    const char *p = argc > 1 ? argv[1] : getenv("RXSIM_REFERENCE");
    if (p && *p)
        snprintf(ref.path, sizeof ref.path, "%s", p);
    else
        testenv_path(ref.path, sizeof ref.path, "bench/validate/reference.json");
    if (access(ref.path, R_OK) != 0) {
        char why[PATH_MAX + 200];
        snprintf(why, sizeof why, "no reference dataset at %s (the lead commits bench/validate/reference.json; "
                 "an argument or RXSIM_REFERENCE=FILE names another)", ref.path);
        testenv_skip_suite(why);
    }
    snprintf(ref.dir, sizeof ref.dir, "%s", ref.path);
    char *slash = strrchr(ref.dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(ref.dir, sizeof ref.dir, ".");
}

/* The bound: the second argument, else the documented one. */
static void read_bound(int argc, char **argv)
{
    ref.bound = DOC_BOUND;
    if (argc > 2) {
        char *end;
        double b = strtod(argv[2], &end);
        if (*end || !(b > 0 && b < 100)) {
            fprintf(stderr, "check_reference: bound '%s': want a number > 0\n", argv[2]);
            exit(2);
        }
        ref.bound = b;
        ref.bound_from_arg = true;
    }
}

static int run_model(int i, struct val_model *out, char *err, size_t n)
{
    const struct val_dataset_config *dc = &ref.d->c[i];
    char pcap[PATH_MAX * 2];
    if (!dc->capture[0]) {
        snprintf(err, n, "%s: the dataset names no capture", dc->cfg.name);
        return -1;
    }
    snprintf(pcap, sizeof pcap, "%s/%s", ref.dir, dc->capture);
    struct model_opts o = { .ghz = ref.d->tsc_ghz,
                            .msg_size = ref.d->msg_size ? ref.d->msg_size : READER_MSG_SIZE };
    return model_run(&dc->cfg, pcap, &o, out, err, n);
}

static void load_and_run(void)
{
    ref.d = calloc(1, sizeof *ref.d);
    if (!ref.d || val_dataset_read(ref.path, ref.d, ref.load_err, sizeof ref.load_err) != 0) {
        if (!ref.d)
            snprintf(ref.load_err, sizeof ref.load_err, "out of memory");
        return;
    }
    for (int i = 0; i < ref.d->nconfigs; i++) {
        ref.model_rc[i] = run_model(i, &ref.model[i], ref.model_err[i], sizeof ref.model_err[i]);
        ref.rc[i] = (struct val_report_config){ .cfg = ref.d->c[i].cfg, .reps = ref.d->c[i].rep,
                                                .nreps = ref.d->c[i].nreps,
                                                .model = ref.model_rc[i] == 0 ? &ref.model[i] : NULL };
    }
    struct val_report_in in = { .pre = &ref.d->preflight, .cfgs = ref.rc, .ncfgs = ref.d->nconfigs };
    if (val_report_summarise(&in, &ref.sum) != 0) {
        snprintf(ref.load_err, sizeof ref.load_err, "%.400s: too many configurations or repetitions", ref.path);
        return;
    }
    fprintf(stderr, "check_reference: %s (%s, %s), bound %.0f %% (%s)\n", ref.path, ref.d->kernel, ref.d->date,
            ref.bound * 100, ref.bound_from_arg ? "given" : "docs/validation.md");
    val_report_text(&in, &ref.sum, stderr);
}

/* ---- the tests -------------------------------------------------------------- */

START_TEST(dataset_reads)
{
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    ck_assert_msg(ref.d->nconfigs > 0, "%s: no configurations", ref.path);
}
END_TEST

START_TEST(every_configuration_modelled)
{
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    for (int i = 0; i < ref.d->nconfigs; i++) {
        const char *name = ref.d->c[i].cfg.name;
        ck_assert_msg(ref.model_rc[i] == 0, "%s: %s", name, ref.model_err[i]);
        ck_assert_msg(ref.model[i].exit_status == 0, "%s: rxsim run left part of the capture unanswered (%d)",
                      name, ref.model[i].exit_status);
        ck_assert_msg(ref.model[i].core_cycles_per_byte > 0, "%s: the model's core cycles/byte is %g", name,
                      ref.model[i].core_cycles_per_byte);
    }
}
END_TEST

START_TEST(held_out_error_within_bound)
{
    char why[2048];
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    ck_assert_msg(ref.sum.nheld + ref.sum.held_nm > 0, "%s marks no configuration held out", ref.path);
    ck_assert_msg(judge_held(&ref.sum, ref.bound, why, sizeof why) == 0, "held-out error over the bound: %s", why);
}
END_TEST

START_TEST(resolved_directions_match)
{
    char why[2048];
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    ck_assert_msg(judge_directions(&ref.sum, why, sizeof why) == 0, "the model goes the other way: %s", why);
}
END_TEST

START_TEST(the_bound_check_can_fail)
{
    char why[2048];
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    ck_assert_msg(ref.sum.nheld > 0 && ref.sum.held_max > 0, "no held-out error to test the check on");
    ck_assert_int_gt(judge_held(&ref.sum, ref.sum.held_max * 0.999, why, sizeof why), 0);
    ck_assert_int_eq(judge_held(&ref.sum, ref.sum.held_max, why, sizeof why), 0);
}
END_TEST

/* Swapping the real repetitions of a resolved change's two ends inverts the
 * real ratio and leaves the model's: the check must call it a mismatch. */
START_TEST(a_flipped_direction_is_caught)
{
    char why[2048];
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    int at = -1;
    for (int i = 0; i < ref.sum.nchanges && at < 0; i++)
        if (checked_factor(ref.sum.change[i].factor) && ref.sum.change[i].match == VAL_MATCH)
            at = i;
    ck_assert_msg(at >= 0, "%s: no GRO, MTU or csum change resolved and matched to test the check on", ref.path);
    struct val_report_config rc[VAL_MAX_CONFIGS];
    memcpy(rc, ref.rc, sizeof rc);
    int from = ref.sum.change[at].from, to = ref.sum.change[at].to;
    rc[from].reps = ref.rc[to].reps;
    rc[from].nreps = ref.rc[to].nreps;
    rc[to].reps = ref.rc[from].reps;
    rc[to].nreps = ref.rc[from].nreps;
    static struct val_summary flipped;
    struct val_report_in in = { .pre = NULL, .cfgs = rc, .ncfgs = ref.d->nconfigs };
    ck_assert_int_eq(val_report_summarise(&in, &flipped), 0);
    ck_assert_int_eq(flipped.change[at].match, VAL_MISMATCH);
    ck_assert_int_gt(judge_directions(&flipped, why, sizeof why), 0);
}
END_TEST

START_TEST(model_runs_are_deterministic)
{
    ck_assert_msg(!ref.load_err[0], "%s", ref.load_err);
    ck_assert_msg(ref.model_rc[0] == 0, "%s", ref.model_err[0]);
    struct val_model again;
    char err[512];
    ck_assert_msg(run_model(0, &again, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(!memcmp(&again, &ref.model[0], sizeof again), "%s: a second model run differs (core %.9g vs %.9g)",
                  ref.d->c[0].cfg.name, again.core_cycles_per_byte, ref.model[0].core_cycles_per_byte);
}
END_TEST

int main(int argc, char **argv)
{
    find_path(argc, argv);
    read_bound(argc, argv);
    load_and_run();
    Suite *s = suite_create("reference");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dataset_reads);
    tcase_add_test(tc, every_configuration_modelled);
    tcase_add_test(tc, held_out_error_within_bound);
    tcase_add_test(tc, resolved_directions_match);
    suite_add_tcase(s, tc);
    tc = tcase_create("the check itself");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, the_bound_check_can_fail);
    tcase_add_test(tc, a_flipped_direction_is_caught);
    tcase_add_test(tc, model_runs_are_deterministic);
    suite_add_tcase(s, tc);
    int rc = testenv_run_suite(s);
    free(ref.d);
    return rc;
}
