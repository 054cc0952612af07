/* netstack/sched.h: where a reader process runs (--app): the placement
 * policies, and the rules of a Linux-like scheduler (--app linux) as pure
 * functions of how many readers are runnable on each CPU, so that each rule
 * is tested on its own (tests/unit/check_sched.c).  app.c applies them to
 * the machine: it counts runnable readers, moves them, and runs the load
 * balancer's ticks.
 *
 * The kernel logic each rule stands for (kernel/sched/fair.c, Linux 6.x,
 * CFS and EEVDF alike: placement did not change with EEVDF):
 *   select_task_rq_fair()  a wakeup: wake_affine() when the waking CPU is not
 *                          the task's previous one, then select_idle_sibling()
 *   wake_affine_idle()     the waker's CPU when it is idle (prev when both
 *                          are), or when the waker's task is its only one and
 *                          the wakeup is sync (a socket's data-ready wakeup
 *                          is: sock_def_readable() wakes with WF_SYNC); else
 *                          prev when prev is idle
 *   wake_affine_weight()   otherwise the lighter of the two, loads being
 *                          runnable counts, prev biased by half the MC
 *                          domain's imbalance_pct (117)
 *   select_idle_sibling()  the chosen CPU when idle, else prev when idle,
 *                          else the first idle CPU scanning from target+1
 *                          (select_idle_cpu()), else the chosen CPU
 *   load_balance()         periodically an idle CPU pulls one runnable,
 *                          not running, reader from the busiest CPU (two or
 *                          more runnable): the one that ran least recently
 *                          (detach_tasks() takes cfs_tasks' tail), refusing
 *                          a cache-hot one (ran within 0.5 ms, task_hot())
 *                          until balancing failed more than cache_nice_tries
 * Simplified: every CPU shares one last-level cache (one MC domain, as on a
 * one-socket host without SMT); load is the number of runnable readers, not
 * PELT's decayed average; wake_wide(), recent_used_cpu, newidle balancing,
 * NOHZ kicks and active balancing (moving a running task) are left out; the
 * model's softirq and hardirq items run outside any task, so a CPU doing
 * only softirq work is idle to the scheduler, as the idle task is when an
 * interrupt arrives.  None of these rules draws a random number: the
 * kernel's are deterministic too, so `linux` places readers the same way
 * whatever --seed is. */
#ifndef RXSIM_NETSTACK_SCHED_H
#define RXSIM_NETSTACK_SCHED_H

#include <stdbool.h>

#include "sim/event.h"
#include "sim/machine.h"
#include "sim/time.h"

enum app_affinity {
    APP_FIXED,                  /* fixed:C  every reader on CPU C */
    APP_WAKER,                  /* waker    where the softirq that woke it ran */
    APP_FLOAT,                  /* float    a seeded random idle CPU at each wakeup */
    APP_PIN_IRQ,                /* pin:irq  each reader pinned to the CPU whose softirq first woke it */
    APP_PIN_RR,                 /* pin:rr   the readers pinned round-robin over the CPUs */
    APP_LINUX,                  /* linux    the rules above */
};

/* For messages: the values --app takes. */
#define APP_AFFINITY_VALUES "fixed:C (C < --cpus), pin:irq, pin:rr, linux, waker or float"

/* --app's value for ncpus CPUs: 0 with *a (and *cpu for fixed:C), or -1. */
int app_affinity_parse(const char *spec, int ncpus, enum app_affinity *a, int *cpu);

#define SCHED_MC_IMBALANCE_PCT 117              /* sd_init(): a domain sharing the LLC */
#define SCHED_MIGRATION_COST_PS (500 * SIM_PS_PER_US)  /* sysctl_sched_migration_cost */
#define SCHED_CACHE_NICE_TRIES 1                /* sd->cache_nice_tries of an MC domain */

/* The period of the load balancer's ticks on ncpus CPUs: the MC domain's
 * min_interval, one millisecond per CPU in it (sd_weight ms). */
sim_ps sched_balance_period(int ncpus);

/* linux: the CPU a reader woken by waker's softirq runs on.  nr[c] is the
 * number of readers runnable on CPU c (rq->nr_running; the wakee is not
 * among them); prev is the CPU it last ran on, -1 before its first run
 * (then counted as the waker's: the model has no fork to place it). */
int sched_linux_wake_cpu(const int *nr, int ncpus, int prev, int waker);

/* linux's balance: true when an idle CPU (*to, the lowest) can pull from a
 * CPU with two or more runnable readers (*from, the busiest, the lowest of
 * equals). */
bool sched_linux_imbalance(const int *nr, int ncpus, int *from, int *to);

/* The scheduler's state in a host (app.c keeps it). */
struct rx_sched {
    int nr[SIM_MAX_CPUS];               /* readers runnable (queued, running or being woken) per CPU */
    int next_pin;                       /* pin:rr: the CPU of the next reader to wake first */
    unsigned balance_failed;            /* ticks in a row that found only cache-hot readers */
    struct sim_event tick;              /* linux: the next balance tick, queued while imbalanced */
};

#endif
