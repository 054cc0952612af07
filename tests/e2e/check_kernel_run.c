/* tests/e2e/check_kernel_run.c: kernel_measure() whole on this machine's
 * kernel: a 32 MiB repetition with and without GRO, recorded and attributed
 * (sim/validate/attrib.c on the perf data), kept in a directory.  The
 * sample accounts must close (every sample on exactly one side once the
 * shared ones are split), the receive path and the sender must both show,
 * the counters must be those of the transfer, and the kept directory must
 * hold what docs/validation.md says.  Needs root and perf; skips with the
 * reason otherwise.  About 10 s. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/validate/kernel_env.h"
#include "sim/validate/kernel_run.h"
#include "tests/common/testenv.h"

/* Tags carry this process's id, so two test runs on one machine (the two
 * CI builds, or a developer's beside CI) never share a bench. */
static const char *tag(char letter)
{
    static char tags[26][12];
    char *t = tags[(letter - 'a') % 26];
    snprintf(t, sizeof tags[0], "k%c%05d", letter, (int)(getpid() % 100000));
    return t;
}

#define BYTES (32ull << 20)

static struct kernel_env env;
static struct kernel_opts opts;
static char keep[128];
static char err[1024];

static void bench_up(void)
{
    kernel_opts_default(&opts);
    opts.tag = tag('m');
    opts.bytes = BYTES;
    opts.timeout_s = 30;
    snprintf(keep, sizeof keep, "/tmp/rxsim-check-kernel-run.XXXXXX");
    if (!mkdtemp(keep))
        keep[0] = '\0';
    opts.keep_dir = keep;
    if (kernel_env_up(&env, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "check_kernel_run: kernel_env_up: %s\n", err);
        memset(&env, 0, sizeof env);
    }
}

static void bench_down(void)
{
    kernel_env_down(&env);
    char *argv[] = { "/bin/rm", "-rf", keep, NULL };
    if (keep[0])
        testenv_run(argv, NULL, NULL);
}

static bool exists_nonempty(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && st.st_size > 0;
}

START_TEST(measure_closes_the_accounts)
{
    struct val_config c = { .placement = VAL_SAME_CPU, .csum = true, .gro = _i == 1, .mtu = 1500 };
    val_config_name(&c);
    ck_assert_msg(env.ns_rcv_made, "bench not up");
    ck_assert_msg(kernel_env_set(&env, &c, err, sizeof err) == 0, "%s: set: %s", c.name, err);
    unsigned rep = env.reps;
    struct val_rep r;
    ck_assert_msg(kernel_measure(&env, &c, &opts, &r, err, sizeof err) == 0, "%s: measure: %s", c.name, err);
    const struct val_attrib *a = &r.a;
    uint64_t sides = 0;
    for (int s = 0; s < VAL_SIDE__COUNT; s++)
        sides += a->side[s];
    fprintf(stderr, "# %s: %.3f s, %llu samples (rx %llu, ack %llu, sender %llu, idle %llu, ipi %llu, other %llu), "
            "tsc %.4f GHz, core %.2f cycles/byte\n", c.name, r.c.seconds, (unsigned long long)a->samples,
            (unsigned long long)a->side[VAL_SIDE_RX], (unsigned long long)a->side[VAL_SIDE_ACK],
            (unsigned long long)a->side[VAL_SIDE_SENDER], (unsigned long long)a->side[VAL_SIDE_IDLE],
            (unsigned long long)a->side[VAL_SIDE_IPI], (unsigned long long)a->side[VAL_SIDE_OTHER], r.tsc_ghz,
            val_rep_core_cycles_per_byte(&r));
    ck_assert_msg(r.c.bytes == BYTES, "%s: %llu bytes", c.name, (unsigned long long)r.c.bytes);
    ck_assert_msg(a->samples > 0 && sides == a->samples, "%s: %llu samples, %llu on sides", c.name,
                  (unsigned long long)a->samples, (unsigned long long)sides);
    ck_assert_msg(a->side[VAL_SIDE_RX] > 0 && a->side[VAL_SIDE_SENDER] > 0, "%s: rx %llu sender %llu", c.name,
                  (unsigned long long)a->side[VAL_SIDE_RX], (unsigned long long)a->side[VAL_SIDE_SENDER]);
    /* The window brackets the transfer: cpu-clock samples a busy CPU
     * 10000 times a second (a kept 0.776 s rep with both CPUs busy held
     * 15449 of 15520), so at most 2 x 10000 x seconds, give or take perf's
     * ack latency at both ends (allowed: 5 ms, 100 samples) and 25 %.  Not
     * as many as that: on this VM a halted vCPU is not sampled (GRO on,
     * 0.555 s: CPU 0 5549 samples, the sleeping reader's CPU 1 only 1834),
     * but the sender's CPU is sampled whole, so at least 1 x 10000 x
     * seconds, less 25 %. */
    double expect = 2.0 * r.c.seconds * 1e9 / (double)r.sample_period_ns;
    ck_assert_msg((double)a->samples <= expect * 1.25 + 100 && (double)a->samples >= expect * 0.5 * 0.75,
                  "%s: %llu samples in %.3f s (at most ~%.0f)", c.name, (unsigned long long)a->samples,
                  r.c.seconds, expect);
    ck_assert_uint_eq(r.sample_period_ns, 100000);
    ck_assert_msg(r.tsc_ghz > 0.5 && r.tsc_ghz < 10, "tsc %g GHz", r.tsc_ghz);
    ck_assert_msg(val_rep_core_cycles_per_byte(&r) > 0, "%s: no core receive cycles", c.name);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/%s-%03u", keep, c.name, rep);
    ck_assert_msg(exists_nonempty(dir, "perf.data") && exists_nonempty(dir, "perf.script") &&
                  exists_nonempty(dir, "counters.txt"), "%s: kept files missing", dir);
}
END_TEST

int main(void)
{
    struct kernel_env probe;
    struct kernel_opts o;
    kernel_opts_default(&o);
    o.tag = tag('m');
    int r = kernel_env_up(&probe, &o, err, sizeof err);
    kernel_env_down(&probe);
    if (r == 77)
        testenv_skip_suite(err);
    Suite *s = suite_create("kernel_run");
    TCase *tc = tcase_create("measure");
    tcase_add_unchecked_fixture(tc, bench_up, bench_down);
    tcase_set_timeout(tc, 90);
    tcase_add_loop_test(tc, measure_closes_the_accounts, 0, 2);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
