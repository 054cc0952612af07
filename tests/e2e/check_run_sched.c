/* tests/e2e/check_run_sched.c: where readers run (--app, netstack/sched.h), the
 * mechanism itself, on small synthetic traces (rxsim synth) on 2 CPUs: which
 * CPU each reader's cycles were spent on (connections[].reader_cycles_by_cpu),
 * how often it moved (migrations, migrations_by_balance) and how many
 * wakeups crossed CPUs (wakeups_remote).
 *  - pin:rr and pin:irq: no reader ever migrates, each runs on one CPU:
 *    pin:rr two readers per CPU, pin:irq its queue's interrupt CPU (no
 *    remote wakeup under --irq rss, every reader on CPU 0 under fixed:0).
 *  - linux keeps a reader on its last CPU while that CPU is idle: three
 *    flows at 100 Mbit/s with --irq rr, where each flow's interrupts
 *    alternate between the CPUs: 0 migrations (waker follows the interrupt:
 *    a migration at almost every wakeup).
 *  - linux moves readers off a busy CPU: every interrupt on CPU 0 and readers
 *    that lag (--app-cycles-per-byte 20), worked out in each test.
 *  - linux is deterministic, and draws nothing from --seed.
 *  - float keeps its anti-affinity: every wakeup to the other CPU.
 *  - bad --app values: exit 2, the option and the value named. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char tmp[512], four[600], three[600], three1m[600], two[600];

static void synth(const char *out, const char *flows, const char *bytes)
{
    char *args[] = { "synth", "-o", (char *)out, "--flows", (char *)flows, "--bytes", (char *)bytes, "--seed", "2",
                     NULL };
    ck_assert_int_eq(testenv_rxsim(args, "/dev/null", NULL), 0);
}

static void setup(void)
{
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(four, sizeof four, "%s/four.pcap", tmp);
    snprintf(three, sizeof three, "%s/three.pcap", tmp);
    snprintf(three1m, sizeof three1m, "%s/three1m.pcap", tmp);
    snprintf(two, sizeof two, "%s/two.pcap", tmp);
    synth(four, "4", "256K");
    synth(three, "3", "256K");
    synth(three1m, "3", "1M");
    synth(two, "2", "256K");
}

static void teardown(void)
{
    const char *files[] = { four, three, three1m, two };
    for (size_t i = 0; i < 4; i++) {
        char truth[700];
        snprintf(truth, sizeof truth, "%s.truth.json", files[i]);
        remove(files[i]);
        remove(truth);
    }
    rmdir(tmp);
}

/* rxsim run --json --cpus 2 ARGS... TRACE in this process; the report, and
 * the raw text in *raw when asked. */
static json_object *run(const char *trace, const char *const *args, char **raw)
{
    static const char *const fixed[] = { "--cpus", "2", NULL };
    return testenv_run_json(fixed, args, trace, trace, raw);
}

static int64_t res(json_object *j, const char *k) { return i64(get(j, "result"), k); }

/* The reader of the flow from port 4000<flow>: its cycles on CPU 0 and 1. */
static json_object *reader(json_object *j, int flow)
{
    char from[32];
    snprintf(from, sizeof from, "10.0.0.1:%d", 40000 + flow);
    json_object *conns = get(j, "connections");
    for (size_t i = 0; i < json_object_array_length(conns); i++) {
        json_object *c = json_object_array_get_idx(conns, i);
        if (!strcmp(str(c, "from"), from))
            return c;
    }
    ck_abort_msg("no reader for %s", from);
    return NULL;
}

static int64_t cycles_on(json_object *j, int flow, int cpu)
{
    json_object *a = get(reader(j, flow), "reader_cycles_by_cpu");
    ck_assert_int_eq(json_object_array_length(a), 2);
    return json_object_get_int64(json_object_array_get_idx(a, (size_t)cpu));
}

/* The one CPU a reader ran on, or -1 when it ran on both. */
static int only_cpu(json_object *j, int flow)
{
    int64_t c0 = cycles_on(j, flow, 0), c1 = cycles_on(j, flow, 1);
    ck_assert_msg(c0 + c1 > 0, "flow %d's reader never ran", flow);
    return c0 && c1 ? -1 : c0 ? 0 : 1;
}

/* Four flows, two queues, a loaded receiver (2.5 Gbit/s).  pin:rr: readers
 * alternate CPUs in the order they first woke, so two on each; pin:irq with
 * RSS: each on its queue's CPU, so no wakeup crosses CPUs; pin:irq with
 * every interrupt on CPU 0: every reader there. */
START_TEST(pinned_readers_never_migrate)
{
    const char *rr[] = { "--queues", "2", "--irq", "rss", "--replay", "rate:2.5G", "--app", "pin:rr", NULL };
    const char *irq[] = { "--queues", "2", "--irq", "rss", "--replay", "rate:2.5G", "--app", "pin:irq", NULL };
    const char *irq0[] = { "--irq", "fixed:0", "--replay", "rate:2.5G", "--app", "pin:irq", NULL };
    json_object *a = run(four, rr, NULL), *b = run(four, irq, NULL), *c = run(four, irq0, NULL);
    int per_cpu[2] = { 0, 0 };
    for (int f = 0; f < 4; f++) {
        for (json_object **j = (json_object *[]){ a, b, c, NULL }; *j; j++) {
            ck_assert_int_eq(i64(reader(*j, f), "migrations"), 0);
            ck_assert_msg(only_cpu(*j, f) >= 0, "flow %d: a pinned reader ran on both CPUs", f);
        }
        per_cpu[only_cpu(a, f)]++;
        ck_assert_int_eq(only_cpu(c, f), 0);
    }
    ck_assert_msg(per_cpu[0] == 2 && per_cpu[1] == 2, "pin:rr: %d readers on CPU 0, %d on CPU 1", per_cpu[0],
                  per_cpu[1]);
    ck_assert_int_eq(res(a, "migrations") + res(b, "migrations") + res(c, "migrations"), 0);
    ck_assert_int_eq(res(b, "wakeups_remote"), 0);
    ck_assert_int_eq(res(c, "wakeups_remote"), 0);
    ck_assert_msg(res(a, "wakeups_remote") > 0, "pin:rr: two readers of a queue's pair sit on the other CPU");
    json_object_put(a);
    json_object_put(b);
    json_object_put(c);
}
END_TEST

/* Three flows, each segment in turn (synth interleaves them), interrupts
 * round-robin: flow k's segments are woken from CPU 0 and CPU 1 by turns.
 * At 100 Mbit/s every CPU is idle when a wakeup comes (a 121 us frame
 * against a few us of work), so linux's wake_affine_idle keeps each reader
 * on the CPU it last ran on: 0 migrations, and half the wakeups remote.
 * waker follows the interrupt: it moves at (almost) every wakeup. */
START_TEST(linux_keeps_an_idle_last_cpu)
{
    const char *lx[] = { "--irq", "rr", "--replay", "rate:100M", "--app", "linux", NULL };
    const char *wk[] = { "--irq", "rr", "--replay", "rate:100M", "--app", "waker", NULL };
    json_object *l = run(three, lx, NULL), *w = run(three, wk, NULL);
    ck_assert_int_eq(res(l, "migrations"), 0);
    for (int f = 0; f < 3; f++)
        ck_assert_msg(only_cpu(l, f) >= 0, "flow %d's reader moved", f);
    int64_t wakes = res(l, "wakeups"), remote = res(l, "wakeups_remote");
    ck_assert_msg(wakes > 500 && remote * 2 >= wakes - 3 && remote * 2 <= wakes + 3,
                  "linux: %lld of %lld wakeups remote, want half", (long long)remote, (long long)wakes);
    ck_assert_msg(res(w, "migrations") > res(w, "wakeups") * 9 / 10, "waker: %lld migrations for %lld wakeups",
                  (long long)res(w, "migrations"), (long long)res(w, "wakeups"));
    ck_assert_int_eq(res(w, "wakeups_remote"), 0);
    json_object_put(l);
    json_object_put(w);
}
END_TEST

/* Every interrupt on CPU 0; readers lag (20 cycles of work per byte), so
 * each stays runnable once woken.  Two flows: flow 0's first wakeup finds
 * both CPUs idle and stays on the waker's, CPU 0; flow 1's finds flow 0
 * runnable there, so select_idle_sibling sends it to idle CPU 1.  Later
 * wakeups keep them (prev idle, or the waker's only task and prev idle):
 * flow 0 on CPU 0, flow 1 on CPU 1, no migration, flow 1's wakeups remote.
 * waker puts both on CPU 0. */
START_TEST(linux_spreads_off_a_busy_cpu)
{
    const char *lx[] = { "--irq", "fixed:0", "--replay", "rate:2.5G", "--app-cycles-per-byte", "20", "--app", "linux",
                         NULL };
    const char *wk[] = { "--irq", "fixed:0", "--replay", "rate:2.5G", "--app-cycles-per-byte", "20", "--app", "waker",
                         NULL };
    json_object *l = run(two, lx, NULL), *w = run(two, wk, NULL);
    ck_assert_int_eq(only_cpu(l, 0), 0);
    ck_assert_int_eq(only_cpu(l, 1), 1);
    ck_assert_int_eq(res(l, "migrations"), 0);
    ck_assert_int_eq(res(l, "wakeups_remote"), i64(reader(l, 1), "wakeups"));
    ck_assert_int_eq(only_cpu(w, 0), 0);
    ck_assert_int_eq(only_cpu(w, 1), 0);
    json_object_put(l);
    json_object_put(w);
}
END_TEST

/* Three flows of 1 MiB, every interrupt on CPU 0, lagging readers: first
 * wakeups put flow 0 on CPU 0, flow 1 on idle CPU 1, flow 2 on CPU 0 (no
 * CPU idle: it stays on the waker's).  Flow 1 has CPU 1 to itself and ends
 * first; then CPU 1 is idle and CPU 0 has two runnable readers: the load
 * balancer pulls one (after refusing it while cache-hot, twice), and
 * nothing is imbalanced after: exactly 1 migration, by the balancer; the
 * moved reader ran on both CPUs, the other stayed on CPU 0. */
START_TEST(linux_balancer_pulls_to_an_idle_cpu)
{
    const char *lx[] = { "--irq", "fixed:0", "--replay", "rate:2.5G", "--app-cycles-per-byte", "20", "--app", "linux",
                         NULL };
    json_object *l = run(three1m, lx, NULL);
    ck_assert_int_eq(res(l, "migrations"), 1);
    ck_assert_int_eq(res(l, "migrations_by_balance"), 1);
    ck_assert_int_eq(only_cpu(l, 1), 1);
    int a = only_cpu(l, 0), c = only_cpu(l, 2);
    ck_assert_msg((a == -1 && c == 0) || (a == 0 && c == -1), "flows 0 and 2: CPUs %d and %d (-1: both)", a, c);
    json_object_put(l);
}
END_TEST

/* linux draws no random number: the same report for a seed, and for another. */
START_TEST(linux_is_deterministic)
{
    const char *s7[] = { "--queues", "2", "--irq", "rss", "--replay", "rate:2.5G", "--app", "linux", "--seed", "7",
                         NULL };
    const char *s8[] = { "--queues", "2", "--irq", "rss", "--replay", "rate:2.5G", "--app", "linux", "--seed", "8",
                         NULL };
    char *r1, *r2, *r3;
    json_object *j = run(four, s7, &r1);
    ck_assert_msg(res(j, "migrations") > 0, "a loaded run with two readers per queue should move some");
    json_object_put(j);
    json_object_put(run(four, s7, &r2));
    json_object_put(run(four, s8, &r3));
    ck_assert_msg(!strcmp(r1, r2), "two runs with the same seed differ");
    char *c1 = strstr(r1, "\"result\""), *c3 = strstr(r3, "\"result\"");
    ck_assert_msg(c1 && c3 && !strcmp(c1, c3), "linux's placement depends on --seed");
    free(r1);
    free(r2);
    free(r3);
}
END_TEST

/* float: a random *idle* CPU at each wakeup; the waker's CPU is running the
 * softirq, so on 2 CPUs each wakeup goes to the other one. */
START_TEST(float_stays_anti_affine)
{
    const char *fl[] = { "--irq", "fixed:0", "--replay", "rate:100M", "--app", "float", NULL };
    json_object *j = run(four, fl, NULL);
    ck_assert_int_eq(res(j, "wakeups_remote"), res(j, "wakeups"));
    for (int f = 0; f < 4; f++)
        ck_assert_int_eq(only_cpu(j, f), 1);
    json_object_put(j);
}
END_TEST

START_TEST(bad_app_values)
{
    static const char *const bad[] = { "pin:cpu", "linux:2", "fixed:2", "pin", "sometimes" };
    char errp[700];
    snprintf(errp, sizeof errp, "%s/err.txt", tmp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = { "run", "--cpus", "2", "--app", (char *)bad[i], "--no-progress", four, NULL };
        int rc = testenv_rxsim(argv, "/dev/null", errp);
        ck_assert_msg(rc == 2, "--app %s: exit %d, want 2", bad[i], rc);
        char *err = testenv_slurp(errp, NULL), want[64];
        snprintf(want, sizeof want, "--app '%s'", bad[i]);
        ck_assert_msg(err && strstr(err, want) && strstr(err, "pin:irq"), "--app %s: stderr: %s", bad[i],
                      err ? err : "(none)");
        free(err);
    }
    char *cargv[] = { "compare", four, "--vary", "app=linux,pin:x", "--no-progress", "--", "--cpus", "2", NULL };
    int rc = testenv_rxsim(cargv, "/dev/null", errp);
    char *err = testenv_slurp(errp, NULL);
    ck_assert_msg(rc == 2 && err && strstr(err, "pin:x"), "compare --vary app=pin:x: exit %d, %s", rc,
                  err ? err : "(none)");
    free(err);
    remove(errp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("placement");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, pinned_readers_never_migrate);
    tcase_add_test(tc, linux_keeps_an_idle_last_cpu);
    tcase_add_test(tc, linux_spreads_off_a_busy_cpu);
    tcase_add_test(tc, linux_balancer_pulls_to_an_idle_cpu);
    tcase_add_test(tc, linux_is_deterministic);
    tcase_add_test(tc, float_stays_anti_affine);
    tcase_add_test(tc, bad_app_values);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
