/* netstack/sched.c: the --app values and the Linux-like scheduler's rules
 * (sched.h says which kernel function each stands for). */
#include "netstack/sched.h"

#include <stdlib.h>
#include <string.h>

int app_affinity_parse(const char *spec, int ncpus, enum app_affinity *a, int *cpu)
{
    static const struct { const char *name; enum app_affinity a; } names[] = {
        { "waker", APP_WAKER }, { "float", APP_FLOAT }, { "pin:irq", APP_PIN_IRQ },
        { "pin:rr", APP_PIN_RR }, { "linux", APP_LINUX },
    };
    if (!spec)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(spec, names[i].name)) {
            *a = names[i].a;
            return 0;
        }
    if (strncmp(spec, "fixed:", 6) || spec[6] < '0' || spec[6] > '9')
        return -1;
    char *end;
    long c = strtol(spec + 6, &end, 10);
    if (*end || c >= ncpus)
        return -1;
    *a = APP_FIXED;
    *cpu = (int)c;
    return 0;
}

sim_ps sched_balance_period(int ncpus)
{
    return (sim_ps)(ncpus > 0 ? ncpus : 1) * SIM_PS_PER_MS;
}

/* available_idle_cpu(): no runnable task (a softirq running on the idle
 * task's stack leaves the CPU idle). */
static bool idle(const int *nr, int c) { return nr[c] == 0; }

/* wake_affine(): wake_affine_idle(), then wake_affine_weight(); sync. */
static int wake_affine(const int *nr, int this, int prev)
{
    if (idle(nr, this))                 /* cpus_share_cache(): always here */
        return idle(nr, prev) ? prev : this;
    if (nr[this] == 1)                  /* sync: the waker's only task will sleep */
        return this;
    if (idle(nr, prev))
        return prev;
    /* Loads as runnable counts: this CPU's without the current task (sync)
     * and with the wakee; prev's without the wakee (it was not counted). */
    long this_eff = (long)nr[this] * 100;
    long prev_eff = (long)nr[prev] * (100 + (SCHED_MC_IMBALANCE_PCT - 100) / 2) + 1;
    return this_eff < prev_eff ? this : prev;
}

int sched_linux_wake_cpu(const int *nr, int ncpus, int prev, int waker)
{
    if (prev < 0 || prev >= ncpus)
        prev = waker;
    int target = waker != prev ? wake_affine(nr, waker, prev) : prev;
    /* select_idle_sibling() */
    if (idle(nr, target))
        return target;
    if (prev != target && idle(nr, prev))
        return prev;
    for (int i = 1; i < ncpus; i++) {   /* select_idle_cpu(): for_each_cpu_wrap from target + 1 */
        int c = (target + i) % ncpus;
        if (idle(nr, c))
            return c;
    }
    return target;
}

bool sched_linux_imbalance(const int *nr, int ncpus, int *from, int *to)
{
    int idle_cpu = -1, busiest = -1;
    for (int c = 0; c < ncpus; c++) {
        if (idle_cpu < 0 && idle(nr, c))
            idle_cpu = c;
        if (nr[c] >= 2 && (busiest < 0 || nr[c] > nr[busiest]))
            busiest = c;
    }
    if (idle_cpu < 0 || busiest < 0)
        return false;
    *from = busiest;
    *to = idle_cpu;
    return true;
}
