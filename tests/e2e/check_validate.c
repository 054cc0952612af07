/* tests/e2e/check_validate.c: rxsim validate, the command.
 *
 *  - Always: its usage errors exit 2 and name what is wrong (an unknown
 *    configuration lists the real ones, an unloadable --profile names the
 *    file), an unreadable --from dataset exits
 *    3 naming the file, --help exits 0 and lists the matrix; without root
 *    (setpriv to nobody, when we are root) it exits 6 and says it needs root.
 *  - As root with perf and network namespaces: a short real validate (3
 *    configurations, --reps 3 (the fewest a cost is fitted from), 64 MiB transfers (fewer samples fit nothing)) exits 0; every repetition
 *    read exactly the bytes sent; GRO on merged segments (real segments per
 *    skb > 1, the model's too); the preflight verdict is there; the two
 *    held-out configurations have an error under the fitted costs; the
 *    dataset, fitted costs and captures are written; the fitted costs load
 *    in `rxsim run --costs`; the run calibrated the machine and the model
 *    priced bytes from that profile.json, which `--from` finds beside the
 *    dataset and gives the same model figures with (the model is
 *    deterministic).  Otherwise skipped with the reason. */
#include <check.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

static char dir[512];

/* rxsim validate args...; stdout and stderr kept in dir/out.txt, dir/err.txt. */
static int validate(char **out, char **err, const char *first, ...)
{
    char *args[48] = { "validate" };
    int n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 46; a = va_arg(ap, const char *))
        args[n++] = (char *)a;
    va_end(ap);
    args[n] = NULL;
    char o[600], e[600];
    snprintf(o, sizeof o, "%s/out.txt", dir);
    snprintf(e, sizeof e, "%s/err.txt", dir);
    int st = testenv_rxsim(args, o, e);
    *out = testenv_slurp(o, NULL);
    *err = testenv_slurp(e, NULL);
    return st;
}

START_TEST(usage_errors_name_the_fault)
{
    char *out, *err;
    ck_assert_int_eq(validate(&out, &err, "--reps", "0", NULL), 2);
    ck_assert_msg(strstr(err, "--reps 0") && strstr(err, "whole number"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--configs", "same-csum-nogro-1500,nope", NULL), 2);
    ck_assert_msg(strstr(err, "'nope'") && strstr(err, "other-nocsum-gro-1500"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--fit-on", "bogus", NULL), 2);
    ck_assert_msg(strstr(err, "--fit-on") && strstr(err, "'bogus'"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--bytes", "12Q", NULL), 2);
    ck_assert_msg(strstr(err, "--bytes 12Q"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "stray", NULL), 2);
    ck_assert_msg(strstr(err, "'stray'"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--from", "/nonexistent/dataset.json", NULL), 3);
    ck_assert_msg(strstr(err, "/nonexistent/dataset.json"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--profile", "/nonexistent/profile.json", NULL), 2);
    ck_assert_msg(strstr(err, "--profile /nonexistent/profile.json"), "%s", err);
    free(out), free(err);
    ck_assert_int_eq(validate(&out, &err, "--help", NULL), 0);
    ck_assert_msg(strstr(out, "same-csum-gro-9000") && strstr(out, "--fit-on"), "%s", out);
    free(out), free(err);
}
END_TEST

START_TEST(without_root_it_says_so)
{
    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0)
        return;     /* not root already: the root test below is what skips */
    char cmd[2048], err_path[600];
    snprintf(err_path, sizeof err_path, "%s/nobody.err", dir);
    chmod(dir, 0777);
    snprintf(cmd, sizeof cmd,
             "cd %s && setpriv --reuid=nobody --regid=nogroup --clear-groups %s validate --out %s/nobody "
             "--reps 1 2>%s",
             dir, testenv_rxsim_bin(), dir, err_path);
    int st = system(cmd);
    char *err = testenv_slurp(err_path, NULL);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 6, "exit %d: %s", WEXITSTATUS(st), err);
    ck_assert_msg(strstr(err, "root"), "%s", err);
    free(err);
}
END_TEST

/* What stops a real validate here, or NULL when it can run. */
static const char *cannot_measure(void)
{
    if (geteuid() != 0)
        return "not root: rxsim validate needs network namespaces and a system-wide perf";
    if (system("command -v perf >/dev/null 2>&1 && command -v tcpdump >/dev/null 2>&1 && "
               "command -v ethtool >/dev/null 2>&1") != 0)
        return "perf, tcpdump or ethtool missing (.ci/deps.sh installs them)";
    if (system("ip netns add rxv-check-probe 2>/dev/null && ip netns del rxv-check-probe") != 0)
        return "network namespaces cannot be made here";
    return NULL;
}

static json_object *object_at(json_object *o, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
                  json_object_to_json_string(o));
    return v;
}

/* The model's core cycles/byte of every configuration, in order. */
static void model_figures(json_object *report, double *out, int n)
{
    json_object *configs = object_at(report, "configs");
    ck_assert_int_eq((int)json_object_array_length(configs), n);
    for (int i = 0; i < n; i++) {
        json_object *fig = object_at(object_at(json_object_array_get_idx(configs, i), "figures"),
                                     "core_cycles_per_byte");
        json_object *model = object_at(fig, "model");
        ck_assert_msg(json_object_is_type(model, json_type_double), "config %d: %s", i, json_object_to_json_string(fig));
        out[i] = json_object_get_double(model);
    }
}

START_TEST(a_short_real_validate)
{
    const char *why = cannot_measure();
    if (why) {
        printf("# SKIP a_short_real_validate: %s\n", why);
        return;
    }
    char out_dir[600], dataset[700], costs[700], capture[700];
    snprintf(out_dir, sizeof out_dir, "%s/measured", dir);
    char *out, *err;
    int st = validate(&out, &err, "--configs", "same-csum-nogro-1500,same-csum-gro-1500,other-csum-nogro-1500",
                      "--fit-on", "same-csum-nogro-1500", "--reps", "3", "--bytes", "64M", "--capture-bytes", "1M",
                      "--out", out_dir, "--json", "--no-progress", NULL);
    ck_assert_msg(st == 0, "exit %d: %s", st, err);
    ck_assert_msg(strstr(err, "preflight"), "the preflight goes first on stderr: %s", err);
    json_object *report = json_tokener_parse(out);
    ck_assert_msg(report, "not JSON: %.400s", out);
    ck_assert(strlen(json_object_get_string(object_at(object_at(report, "preflight"), "verdict"))) > 20);

    /* GRO on the receiving veth merged segments, and the model merged too. */
    json_object *configs = object_at(report, "configs");
    json_object *gro = json_object_array_get_idx(configs, 1);
    ck_assert_str_eq(json_object_get_string(object_at(gro, "config")), "same-csum-gro-1500");
    json_object *segs = object_at(object_at(gro, "figures"), "segments_per_skb");
    ck_assert_msg(json_object_get_double(object_at(object_at(segs, "real"), "median")) > 1.5, "%s",
                  json_object_to_json_string(segs));
    ck_assert_msg(json_object_get_double(object_at(segs, "model")) > 1.0, "%s", json_object_to_json_string(segs));
    /* The two configurations not fitted on have an error under the fitted costs. */
    json_object *held = object_at(object_at(report, "held_out"), "configs");
    ck_assert_int_eq((int)json_object_array_length(held), 2);
    for (int i = 0; i < 2; i++) {       /* a number each, not an n/m object */
        json_object *err_i = object_at(json_object_array_get_idx(held, i), "error");
        ck_assert_msg(json_object_is_type(err_i, json_type_double), "%s", json_object_to_json_string(err_i));
    }

    /* Recorded: every repetition read exactly what was sent; captures and costs written. */
    snprintf(dataset, sizeof dataset, "%s/dataset.json", out_dir);
    json_object *d = json_object_from_file(dataset);
    ck_assert_msg(d, "%s unreadable", dataset);
    json_object *dc = object_at(d, "configs");
    ck_assert_int_eq((int)json_object_array_length(dc), 3);
    for (int i = 0; i < 3; i++) {
        json_object *c = json_object_array_get_idx(dc, i), *reps = object_at(c, "reps");
        ck_assert_int_eq((int)json_object_array_length(reps), 3);
        for (int r = 0; r < 3; r++) {
            json_object *counters = object_at(json_object_array_get_idx(reps, r), "counters");
            ck_assert_int_eq(json_object_get_int64(object_at(counters, "bytes")), 64 << 20);
            ck_assert(json_object_get_int64(object_at(counters, "segs_in")) > 0);
        }
        snprintf(capture, sizeof capture, "%s/%s", out_dir, json_object_get_string(object_at(c, "capture")));
        ck_assert_msg(access(capture, R_OK) == 0, "%s missing", capture);
    }
    json_object_put(d);
    /* The run calibrated this machine: its profile priced the model's bytes. */
    char profile[700];
    snprintf(profile, sizeof profile, "%s/profile.json", out_dir);
    ck_assert_str_eq(json_object_get_string(object_at(report, "model_profile")), profile);
    json_object *prof = json_object_from_file(profile);
    ck_assert_msg(prof && json_object_array_length(object_at(prof, "curves")) > 10, "%s: no curves", profile);
    json_object_put(prof);
    snprintf(costs, sizeof costs, "%s/costs.json", out_dir);
    char list[700];
    snprintf(list, sizeof list, "%s/list.txt", dir);
    char *run_args[] = { "run", "--list-costs", "--costs", costs, NULL };
    ck_assert_int_eq(testenv_rxsim(run_args, list, NULL), 0);
    char *listed = testenv_slurp(list, NULL);
    ck_assert_msg(strstr(listed, "fitted"), "%s", listed);
    free(listed);

    /* --from gives the same model figures: the model is deterministic. */
    double first[3], again[3];
    model_figures(report, first, 3);
    char *out2, *err2;
    ck_assert_int_eq(validate(&out2, &err2, "--from", dataset, "--json", NULL), 0);
    json_object *report2 = json_tokener_parse(out2);
    ck_assert(report2);
    model_figures(report2, again, 3);
    ck_assert_str_eq(json_object_get_string(object_at(report2, "model_profile")), profile);     /* found beside it */
    for (int i = 0; i < 3; i++)
        ck_assert_msg(first[i] == again[i], "config %d: %.6f then %.6f", i, first[i], again[i]);
    json_object_put(report);
    json_object_put(report2);
    free(out), free(err), free(out2), free(err2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, usage_errors_name_the_fault);
    tcase_add_test(tc, without_root_it_says_so);
    suite_add_tcase(s, tc);
    TCase *real = tcase_create("real");
    tcase_set_timeout(real, 240);
    tcase_add_test(real, a_short_real_validate);
    suite_add_tcase(s, real);
    return s;
}

int main(void)
{
    testenv_mkdtemp(dir, sizeof dir);
    return testenv_run_suite(suite());
}
