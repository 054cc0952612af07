/* sim/validate/day_profile.c: the calibration profile of the day the kernel
 * was measured (day_profile.h). */
#include "sim/validate/day_profile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy/costs.h"
#include "sim/options/run_options.h"
#include "sim/validate/kernel_exec.h"

#define CALIBRATE_TIMEOUT_MS (5 * 60 * 1000)   /* a full calibration takes ~15 s here */
#define COMPARE_SIZE 65536

/* name in path's directory (the current one when path has no '/'). */
static void sibling(const char *path, const char *name, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    snprintf(buf, n, "%.*s%s%s", slash ? (int)(slash - path) : 0, path, slash ? "/" : "", name);
}

int day_profile_measure(const char *path, char *err, size_t n)
{
    char log[1200];
    sibling(path, "calibrate.txt", log, sizeof log);
    char *argv[] = { "/proc/self/exe", "calibrate", "--json", (char *)path, NULL };
    char why[512];
    pid_t pid = kernel_spawn(NULL, argv, log, NULL, why, sizeof why);
    if (pid < 0) {
        snprintf(err, n, "rxsim calibrate could not start: %s", why);
        return -1;
    }
    int st = kernel_reap(pid, CALIBRATE_TIMEOUT_MS, why, sizeof why);
    if (st != 0) {
        snprintf(err, n, "rxsim calibrate --json %s %s (its output: %s)", path,
                 st < 0 ? why : "failed", log);
        return -1;
    }
    return 0;
}

const char *day_profile_beside(const char *dataset_path, char *buf, size_t n)
{
    sibling(dataset_path, DAY_PROFILE_NAME, buf, n);
    struct stat st;
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode) ? buf : NULL;
}

int day_profile_check(const char *path, char *err, size_t n)
{
    struct costs *c = costs_load(path, err, n);
    costs_free(c);
    return c ? 0 : -1;
}

/* "+68 %", or "n/m" when either figure is missing. */
static void change(double now, double then, char *buf, size_t n)
{
    if (now > 0 && then > 0)
        snprintf(buf, n, "%+.0f %%", 100 * (now / then - 1));
    else
        snprintf(buf, n, "n/m");
}

void day_profile_compare(const char *profile, FILE *out)
{
    const char *shipped = run_option_default(run_option_find("profile"));
    const char *routine = run_option_default(run_option_find("copy"));
    char err[512] = "no checked-in profile or --copy default";
    struct costs *p = costs_load(profile, err, sizeof err);
    struct costs *q = p && shipped ? costs_load(shipped, err, sizeof err) : NULL;
    if (!p || !q || !routine) {
        fprintf(out, "calibration: the model prices bytes and lines from %s (not compared with the checked-in "
                     "profile: %s)\n", profile, err);
        costs_free(p);
        costs_free(q);
        return;
    }
    double cold = costs_lookup(p, routine, COMPARE_SIZE, 0, CALIB_COLD);
    double hot = costs_lookup(p, routine, COMPARE_SIZE, 0, CALIB_HOT);
    double cold0 = costs_lookup(q, routine, COMPARE_SIZE, 0, CALIB_COLD);
    double hot0 = costs_lookup(q, routine, COMPARE_SIZE, 0, CALIB_HOT);
    char dc[32], dh[32];
    change(cold, cold0, dc, sizeof dc);
    change(hot, hot0, dh, sizeof dh);
    fprintf(out, "calibration: the model prices bytes and lines from %s: a %d-byte %s copy from memory "
                 "%.0f TSC cycles (%s against the checked-in profile's %.0f), from cache %.0f (%s)\n",
            profile, COMPARE_SIZE, routine, cold, dc, cold0, hot, dh);
    costs_free(p);
    costs_free(q);
}
