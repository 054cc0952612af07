/* tests/unit/check_fit.c: rxsim fit (sim/validate/fit.h) on a hand-made
 * dataset whose answers are computed by hand below, and the costs file it
 * writes read back by the real --costs reader (sim/session/costs_file.h) in
 * this process and by the built rxsim's `run --list-costs --costs FILE`.
 *
 * Units: sample_period_ns 1000, tsc_ghz 1.0: one sample is 1000 cycles.
 * Configurations, 3 repetitions each (r0 r1 r2):
 *   A same-csum-nogro-1500  fitting, GRO off: skbs 100, segs_in 100, segs_out 50,
 *                           recv_calls 10 (r1: 0), nvcsw 10, nivcsw 10, bytes 1e6
 *   B same-nocsum-gro-1500  fitting, GRO on:  skbs 100, segs_in 1000, segs_out 20,
 *                           recv_calls 10, nvcsw 20, nivcsw 20, bytes 2e6
 *   C other-csum-gro-9000   HELD OUT, with absurd figures (1e6 cycles per event,
 *                           100 cycles/byte): any of them in a result is a bug.
 * Events (samples per repetition -> cycles per event):
 *   tcp_rcv  A 40 50 60 / 100 skbs -> 400 500 600; B 70 80 90 -> 700 800 900
 *            sorted 400..900, n = 6 (type 7: median h 2.5, q1 h 1.25, q3 h 3.75):
 *            median 650, q1 525, q3 775; samples 40..90: median 65 >= 30: fitted
 *   netif_receive  event 30 everywhere; A also 30 shared samples, RX's part
 *            round(30 * 100 / (100 + 50)) = 20 -> A 50 samples -> 500, B 30 -> 300:
 *            median 400, q1 300, q3 500; samples 30 30 30 50 50 50: median 40: fitted
 *   tcp_ack  A 100 / 50 ACKs -> 2000; B 60 / 20 -> 3000: median 2500, q1 2000, q3 3000
 *   wakeup   30 samples / nvcsw: A 3000, B 1500: median 2250, q1 1500, q3 3000
 *   schedule 40 / (nvcsw + nivcsw): A 2000, B 1000: median 1500
 *   gro_merge only B (GRO on): 36 45 54 / (1000 - 100) -> 40 50 60: median 50,
 *            q1 45, q3 55, 3 runs; A carries 99 samples and 0 merged segments,
 *            so had A taken part it would be unfitted ("counted none")
 *   recvmsg  unfitted: the recv path's samples are fitted per skb (recvmsg_skb);
 *            recvmsg_skb 40 samples / 100 skbs -> 400 in every repetition (A r1's 0
 *            recv calls do not matter): median, q1, q3 400, 6 runs
 *   tcp_queue 10 samples a repetition: unfitted, "too few samples: median 10"
 *   free_skb 40 samples but 0 in B r2: unfitted, "no samples ... in 1 of 6"; per SEGMENT
 *            in: A 40 * 1000 / 100 = 400, B 40 * 1000 / 1000 = 40 (per skb it would be 400)
 *   irq_entry: unfitted, not identifiable (veth has no hardware interrupt)
 * Per configuration (medians of A's and B's repetitions; C took no part):
 *   tcp_rcv A 500, B 800; tcp_ack A 2000, B 3000; schedule A 2000, B 1000: at most 2x
 *   apart, so no entry is flagged; with B's tcp_ack at 130 samples (6500 per ACK) it
 *   is 3.25x A's and flagged.
 * Per byte:
 *   copy A 500 600 700 / 1e6 -> 0.5 0.6 0.7; B 800 1000 1200 / 2e6 -> 0.4 0.5 0.6:
 *        sorted .4 .5 .5 .6 .6 .7: median 0.55, q1 0.5, q3 0.6, 6 runs
 *   csum only A (B does not verify; its 0 would pull the median to 0.15):
 *        100 200 300 / 1e6 -> 0.1 0.2 0.3: median 0.2, q1 0.15, q3 0.25, 3 runs */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/testenv.h"
#include "sim/session/costs_file.h"
#include "copy/costs.h"
#include "sim/options/run_options.h"
#include "sim/validate/fit.h"

static struct val_dataset *d;
static struct fit_result *r;

static void rep(struct val_dataset_config *c, int k, uint64_t skbs, uint64_t segs_in, uint64_t segs_out,
                uint64_t recv_calls, uint64_t vcsw, uint64_t bytes)
{
    struct val_rep *p = &c->rep[k];
    p->sample_period_ns = 1000;
    p->tsc_ghz = 1.0;
    p->c = (struct val_counters){ .bytes = bytes, .segs_in = segs_in, .segs_out = segs_out, .skbs = skbs,
                                  .recv_calls = recv_calls, .nvcsw = vcsw, .nivcsw = vcsw, .seconds = 1 };
    if (k + 1 > c->nreps)
        c->nreps = k + 1;
}

static void config(struct val_dataset_config *c, enum val_placement pl, bool csum, bool gro, unsigned mtu,
                   bool held_out)
{
    c->cfg = (struct val_config){ .placement = pl, .csum = csum, .gro = gro, .mtu = mtu, .held_out = held_out };
    val_config_name(&c->cfg);
}

/* The dataset of the header comment. */
static void build(struct val_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->version = VAL_DATASET_VERSION;
    snprintf(ds->kernel, sizeof ds->kernel, "6.18.0-test");
    snprintf(ds->cpu, sizeof ds->cpu, "Hand-Made CPU @ 1.00GHz");
    snprintf(ds->date, sizeof ds->date, "2026-12-03T06:00:00Z");
    ds->nconfigs = 3;
    struct val_dataset_config *a = &ds->c[0], *b = &ds->c[1], *c = &ds->c[2];
    config(a, VAL_SAME_CPU, true, false, 1500, false);
    config(b, VAL_SAME_CPU, false, true, 1500, false);
    config(c, VAL_OTHER_CPU, true, true, 9000, true);
    for (int k = 0; k < 3; k++) {
        rep(a, k, 100, 100, 50, k == 1 ? 0 : 10, 10, 1000000);
        rep(b, k, 100, 1000, 20, 10, 20, 2000000);
        rep(c, k, 1, 2, 1, 1, 1, 1000);
        struct val_attrib *x = &a->rep[k].a, *y = &b->rep[k].a, *z = &c->rep[k].a;
        x->event[SIM_COST_TCP_RCV] = 40 + 10 * (uint64_t)k;
        y->event[SIM_COST_TCP_RCV] = 70 + 10 * (uint64_t)k;
        x->event[SIM_COST_NETIF_RECEIVE] = y->event[SIM_COST_NETIF_RECEIVE] = 30;
        x->shared_event[SIM_COST_NETIF_RECEIVE] = 30;
        x->event[SIM_COST_TCP_ACK] = 100;
        y->event[SIM_COST_TCP_ACK] = 60;
        x->event[SIM_COST_WAKEUP] = y->event[SIM_COST_WAKEUP] = 30;
        x->event[SIM_COST_SCHEDULE] = y->event[SIM_COST_SCHEDULE] = 40;
        x->event[SIM_COST_GRO_MERGE] = 99;
        y->event[SIM_COST_GRO_MERGE] = 36 + 9 * (uint64_t)k;
        x->event[SIM_COST_RECVMSG] = y->event[SIM_COST_RECVMSG] = 40;
        x->event[SIM_COST_TCP_QUEUE] = y->event[SIM_COST_TCP_QUEUE] = 10;
        x->event[SIM_COST_FREE_SKB] = 40;
        y->event[SIM_COST_FREE_SKB] = k == 2 ? 0 : 40;
        x->rx_category[SIM_CAT_COPY] = 500 + 100 * (uint64_t)k;
        y->rx_category[SIM_CAT_COPY] = 800 + 200 * (uint64_t)k;
        x->rx_category[SIM_CAT_CSUM] = 100 + 100 * (uint64_t)k;
        for (int e = 0; e < SIM_COST__COUNT; e++)
            z->event[e] = 1000;
        z->rx_category[SIM_CAT_COPY] = z->rx_category[SIM_CAT_CSUM] = 100;
    }
}

static void setup(void)
{
    d = calloc(1, sizeof *d);
    r = calloc(1, sizeof *r);
    ck_assert(d && r);
    build(d);
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
}

static void teardown(void)
{
    free(d);
    free(r);
}

#define TOL 1e-9

static void want(enum sim_cost e, double median, double q1, double q3, int runs)
{
    const struct fit_entry *f = &r->e[e];
    ck_assert_msg(f->fitted, "%s not fitted: %s", sim_cost_key(e), f->why);
    ck_assert_msg(fabs(f->median - median) < TOL && fabs(f->q1 - q1) < TOL && fabs(f->q3 - q3) < TOL,
                  "%s: %g [%g-%g], want %g [%g-%g]", sim_cost_key(e), f->median, f->q1, f->q3, median, q1, q3);
    ck_assert_int_eq(f->runs, runs);
}

static void want_unfitted(enum sim_cost e, const char *why)
{
    const struct fit_entry *f = &r->e[e];
    ck_assert_msg(!f->fitted, "%s fitted (%g)", sim_cost_key(e), f->median);
    ck_assert_msg(strstr(f->why, why), "%s: why \"%s\", want \"%s\"", sim_cost_key(e), f->why, why);
}

START_TEST(fitted_medians_and_iqr)
{
    want(SIM_COST_TCP_RCV, 650, 525, 775, 6);
    ck_assert_double_eq_tol(r->e[SIM_COST_TCP_RCV].samples_median, 65, TOL);
    want(SIM_COST_NETIF_RECEIVE, 400, 300, 500, 6);
    want(SIM_COST_TCP_ACK, 2500, 2000, 3000, 6);
    want(SIM_COST_WAKEUP, 2250, 1500, 3000, 6);
    want(SIM_COST_SCHEDULE, 1500, 1000, 2000, 6);
    ck_assert_str_eq(r->e[SIM_COST_TCP_RCV].why, "per skb after GRO");
    ck_assert_int_eq(r->fit_configs, 2);
    ck_assert_int_eq(r->fit_reps, 6);
    ck_assert_int_eq(r->held_out_configs, 1);
    ck_assert_str_eq(r->kernel, "6.18.0-test");
}
END_TEST

START_TEST(gro_merge_only_from_gro_configs)
{
    want(SIM_COST_GRO_MERGE, 50, 45, 55, 3);
}
END_TEST

START_TEST(recv_path_fitted_per_skb)
{
    want(SIM_COST_RECVMSG_SKB, 400, 400, 400, 6);
}
END_TEST

START_TEST(unfitted_say_why)
{
    want_unfitted(SIM_COST_RECVMSG, "fitted per skb instead (recvmsg_skb)");
    want_unfitted(SIM_COST_TCP_QUEUE, "too few samples: median 10 a repetition, the rule wants >= 30");
    want_unfitted(SIM_COST_FREE_SKB, "no samples attributed to it in 1 of 6 repetitions");
    want_unfitted(SIM_COST_IRQ_ENTRY, "not identifiable here: veth has no hardware interrupt");
    want_unfitted(SIM_COST_LINE_MISS, "needs cache-miss counts (a PMU)");
}
END_TEST

/* Held out C alone: nothing to fit on.  And C's absurd figures appear in
 * no result above (each want() would have failed). */
START_TEST(held_out_ignored)
{
    d->c[0].cfg.held_out = d->c[1].cfg.held_out = true;
    ck_assert_int_eq(fit_costs(d, NULL, r), -1);
    ck_assert_int_eq(r->fit_configs, 0);
    want_unfitted(SIM_COST_TCP_RCV, "no fitting repetition");
    /* C taking part instead of A: B's 3000 3000 3000 and C's 1e6 1e6 1e6
     * cycles per ACK: median 3000 + 0.5 * (1e6 - 3000) = 501500; tcp_rcv
     * is fitted on placement same only (C's is beside_sender_skb's): B's 800 */
    d->c[1].cfg.held_out = false;
    d->c[2].cfg.held_out = false;
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
    ck_assert_double_eq_tol(r->e[SIM_COST_TCP_ACK].median, 501500, 1e-6);
    ck_assert_double_eq_tol(r->e[SIM_COST_TCP_RCV].median, 800, 1e-6);
}
END_TEST

/* copy_chunk: the copy category per segment in, less the calibrated hot
 * copy of a segment of the repetition's mean size (the checked-in
 * profile's curve of run's default routine), on repetitions whose queue
 * stayed within the cache.  A r2's queue is 2 MiB: out.  Per segment:
 * A (10000-byte segments) 500000 / 100 = 5000 and 6000, B (2000 bytes)
 * 800, 1000, 1200 cycles, each less its hot copy: 5 runs, the middle one.
 * Without a profile the entry is not fitted, and says why. */
START_TEST(copy_chunk_beyond_the_hot_copy)
{
    d->c[0].rep[2].c.rcvq_median = 2u << 20;
    d->c[1].rep[0].c.rcvq_median = 1u << 20;     /* at the cache's size: in */
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
    char err[256];
    struct costs *p = costs_load(run_option_default(run_option_find("profile")), err, sizeof err);
    ck_assert_msg(p != NULL, "%s", err);
    const char *routine = run_option_default(run_option_find("copy"));
    double ha = costs_lookup(p, routine, 10000, 0, CALIB_HOT), hb = costs_lookup(p, routine, 2000, 0, CALIB_HOT);
    costs_free(p);
    ck_assert(ha > 0 && hb > 0 && ha < 5000 && hb < 800);
    double v[5] = { 5000 - ha, 6000 - ha, 800 - hb, 1000 - hb, 1200 - hb };
    for (int i = 0; i < 5; i++)         /* sort: the median is v[2] */
        for (int k = i + 1; k < 5; k++)
            if (v[k] < v[i]) {
                double t = v[i];
                v[i] = v[k], v[k] = t;
            }
    const struct fit_entry *f = &r->e[SIM_COST_COPY_CHUNK];
    ck_assert_int_eq(f->runs, 5);
    ck_assert_double_eq_tol(f->median, v[2], 1e-6);
    ck_assert_double_eq_tol(f->config_median[0], 5500 - ha, 1e-6);
    ck_assert(isnan(f->config_median[2]));      /* held out */
    ck_assert_int_eq(fit_costs(d, "/nonexistent/profile.json", r), 0);
    ck_assert(!r->e[SIM_COST_COPY_CHUNK].fitted);
    ck_assert_msg(strstr(r->e[SIM_COST_COPY_CHUNK].why, "calibration profile") != NULL, "%s",
                  r->e[SIM_COST_COPY_CHUNK].why);
    /* softirq_pass is the same placement's, RPS-raised; xmit_pass needs the other */
    ck_assert_str_eq(r->e[SIM_COST_XMIT_PASS].why, "not identifiable here: every fitting configuration's softirq "
                     "was raised on the reader's CPU by RPS (softirq_pass); none ran in the sender's xmit");
}
END_TEST

/* beside_sender_skb: C fitted on (placement other), its per-skb protocol
 * events are what the same placement's fit (A and B) charges, plus the
 * surplus.  tcp_queue fitted too: A and B 40 samples / 100 skbs -> 400.
 * Base 650 + 400 + 400 = 1450 (tcp_rcv and netif_receive as in
 * fitted_medians_and_iqr: C takes no part in them).  C per repetition:
 * netif 60 + tcp_rcv 200/210/220 + tcp_queue 40 samples over 100 skbs ->
 * 3000 3100 3200 cycles per skb, less 1450: 1550 1650 1750, median 1650,
 * q1 1600, q3 1700, 3 runs. */
START_TEST(beside_sender_beyond_the_same_placement)
{
    ck_assert_str_eq(r->e[SIM_COST_BESIDE_SENDER_SKB].why, "not identifiable here: no fitting configuration "
                     "ran the softirq on the sender's CPU (placement other)");
    struct val_dataset_config *c = &d->c[2];
    c->cfg.held_out = false;
    for (int k = 0; k < 3; k++) {
        rep(c, k, 100, 100, 50, 10, 10, 1000000);
        memset(&c->rep[k].a, 0, sizeof c->rep[k].a);
        c->rep[k].a.event[SIM_COST_NETIF_RECEIVE] = 60;
        c->rep[k].a.event[SIM_COST_TCP_RCV] = 200 + 10 * (uint64_t)k;
        c->rep[k].a.event[SIM_COST_TCP_QUEUE] = 40;
        d->c[0].rep[k].a.event[SIM_COST_TCP_QUEUE] = d->c[1].rep[k].a.event[SIM_COST_TCP_QUEUE] = 40;
    }
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
    want(SIM_COST_TCP_RCV, 650, 525, 775, 6);           /* C's 2000+ per skb took no part */
    want(SIM_COST_NETIF_RECEIVE, 400, 300, 500, 6);
    want(SIM_COST_TCP_QUEUE, 400, 400, 400, 6);
    want(SIM_COST_BESIDE_SENDER_SKB, 1650, 1600, 1700, 3);
    ck_assert_double_eq_tol(r->e[SIM_COST_BESIDE_SENDER_SKB].config_median[2], 1650, TOL);
    ck_assert(isnan(r->e[SIM_COST_BESIDE_SENDER_SKB].config_median[0]));
    for (int k = 0; k < 3; k++)         /* the base unfitted: nothing to measure the surplus against */
        d->c[0].rep[k].a.event[SIM_COST_TCP_QUEUE] = d->c[1].rep[k].a.event[SIM_COST_TCP_QUEUE] = 10;
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
    want_unfitted(SIM_COST_BESIDE_SENDER_SKB, "netif_receive, tcp_rcv and tcp_queue are not all fitted in "
                  "placement same");
}
END_TEST

START_TEST(per_configuration)
{
    const struct fit_entry *f = &r->e[SIM_COST_TCP_RCV];
    ck_assert_int_eq(r->nconfigs, 3);
    ck_assert_str_eq(r->config_name[1], "same-nocsum-gro-1500");
    ck_assert_double_eq_tol(f->config_median[0], 500, TOL);
    ck_assert_double_eq_tol(f->config_median[1], 800, TOL);
    ck_assert(isnan(f->config_median[2]));
    ck_assert(isnan(r->e[SIM_COST_GRO_MERGE].config_median[0]));
    ck_assert(isnan(r->e[SIM_COST_IRQ_ENTRY].config_median[0]));     /* not identifiable: no figure at all */
    ck_assert_double_eq_tol(r->e[SIM_COST_FREE_SKB].config_median[0], 400, TOL);
    ck_assert_double_eq_tol(r->e[SIM_COST_FREE_SKB].config_median[1], 40, TOL);    /* per segment in */
    int lo, hi;
    for (int e = 0; e < SIM_COST__COUNT; e++)       /* copy_chunk: per segment, A's are 5x B's (below) */
        ck_assert_msg(e == SIM_COST_COPY_CHUNK || !fit_configs_disagree(&r->e[e], r->nconfigs, &lo, &hi),
                      "%s flagged", sim_cost_key(e));
    for (int k = 0; k < 3; k++)
        d->c[1].rep[k].a.event[SIM_COST_TCP_ACK] = 130;
    ck_assert_int_eq(fit_costs(d, NULL, r), 0);
    ck_assert(fit_configs_disagree(&r->e[SIM_COST_TCP_ACK], r->nconfigs, &lo, &hi));
    ck_assert(lo == 0 && hi == 1);
    char *text = NULL;
    size_t len = 0;
    FILE *f2 = open_memstream(&text, &len);
    fit_write_table(r, f2);
    fit_write_by_config(r, f2);
    fclose(f2);
    ck_assert_msg(strstr(text, "\n  tcp_ack        2000 (same-csum-nogro-1500) .. 6500 (same-nocsum-gro-1500)\n"),
                  "%s", text);
    ck_assert_msg(strstr(text, "\ntcp_rcv              500       800         -\n"), "%s", text);
    free(text);
}
END_TEST

START_TEST(per_byte_copy_and_csum)
{
    ck_assert_int_eq(r->copy_runs, 6);
    ck_assert_double_eq_tol(r->copy_cpb.median, 0.55, TOL);
    ck_assert_double_eq_tol(r->copy_cpb.q1, 0.5, TOL);
    ck_assert_double_eq_tol(r->copy_cpb.q3, 0.6, TOL);
    ck_assert_int_eq(r->csum_runs, 3);
    ck_assert_double_eq_tol(r->csum_cpb.median, 0.2, TOL);
    ck_assert_double_eq_tol(r->csum_cpb.q1, 0.15, TOL);
    ck_assert_double_eq_tol(r->csum_cpb.q3, 0.25, TOL);
}
END_TEST

/* The costs file fit writes, through the real reader: fitted entries with
 * kind fitted and their provenance, unfitted ones left at the default. */
START_TEST(costs_file_read_back)
{
    char dir[4096], path[4200], out[4200], errp[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/fit.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert(f != NULL);
    ck_assert_int_eq(fit_write_costs_json(r, f), 0);
    fclose(f);

    struct sim_cost_table t;
    struct run_costs_origin *o = malloc(sizeof *o);
    sim_cost_table_defaults(&t);
    run_costs_origin_defaults(o);
    ck_assert_int_eq(run_costs_load("check_fit", path, &t, o, stderr), 0);
    ck_assert_uint_eq(t.cycles[SIM_COST_TCP_RCV], 650);
    ck_assert_uint_eq(t.cycles[SIM_COST_GRO_MERGE], 50);
    ck_assert_uint_eq(t.cycles[SIM_COST_TCP_ACK], 2500);
    ck_assert(o->from_file[SIM_COST_TCP_RCV] && o->kind[SIM_COST_TCP_RCV] == SIM_COST_KIND_FITTED);
    ck_assert_msg(strstr(o->source[SIM_COST_TCP_RCV], "kernel 6.18.0-test, CPU Hand-Made CPU @ 1.00GHz, "
                         "2026-12-03T06:00:00Z: 6 runs over 2 configurations, median 650 [IQR 525-775] "
                         "cycles per skb after GRO"), "%s", o->source[SIM_COST_TCP_RCV]);
    ck_assert_uint_eq(t.cycles[SIM_COST_TCP_QUEUE], sim_cost_default(SIM_COST_TCP_QUEUE));
    ck_assert(!o->from_file[SIM_COST_TCP_QUEUE] &&
              o->kind[SIM_COST_TCP_QUEUE] == sim_cost_default_kind(SIM_COST_TCP_QUEUE));
    free(o);

    /* the built rxsim shows the same */
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    char *args[] = { "run", "--list-costs", "--costs", path, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, errp), 0);
    char *text = testenv_slurp(out, NULL);
    ck_assert_msg(text && strstr(text, "\ntcp_rcv              650  fitted      --costs "), "%s", text);
    char row[512];      /* the default's row, whatever the defaults are */
    snprintf(row, sizeof row, "\ntcp_queue      %9llu  %-10s  %s\n", (unsigned long long)sim_cost_default(SIM_COST_TCP_QUEUE),
             sim_cost_kind_key(sim_cost_default_kind(SIM_COST_TCP_QUEUE)), sim_cost_source(SIM_COST_TCP_QUEUE));
    ck_assert_msg(strstr(text, row), "want%s in: %s", row, text);
    free(text);
    unlink(path);
    unlink(out);
    unlink(errp);
    rmdir(dir);
}
END_TEST

/* The rows to paste are valid rows: each names its enum, key, cycles and
 * FITTED; the docs rows are what docs_table_matches wants for them. */
START_TEST(c_rows)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fit_write_c_rows(r, f);
    fclose(f);
    ck_assert_msg(strstr(text, "    X(TCP_RCV,        \"tcp_rcv\",          650, FITTED, \"kernel 6.18.0-test, "),
                  "%s", text);
    ck_assert_msg(!strstr(text, "TCP_QUEUE"), "an unfitted row: %s", text);
    free(text);
    f = open_memstream(&text, &len);
    fit_write_doc_rows(r, f);
    fclose(f);
    ck_assert_msg(strstr(text, "| `tcp_rcv` | 650 | fitted | kernel 6.18.0-test, CPU Hand-Made CPU @ 1.00GHz, "
                               "2026-12-03T06:00:00Z: 6 runs over 2 configurations, median 650 [IQR 525-775] "
                               "cycles per skb after GRO (rxsim fit) |\n"), "%s", text);
    ck_assert_msg(!strstr(text, "tcp_queue"), "an unfitted row: %s", text);
    free(text);
}
END_TEST

/* The --costs reader's object form: each fault named in the file's terms,
 * every fault reported, the bare-number form unchanged (kind "given"). */
START_TEST(costs_object_errors)
{
    static const struct { const char *text, *want; } cases[] = {
        { "{\"tcp_rcv\": {\"kind\": \"fitted\"}}", "\"tcp_rcv\": no \"cycles\"; want {\"cycles\": N}" },
        { "{\"tcp_rcv\": {\"cycles\": -1}}", "\"tcp_rcv\".cycles: -1: want a whole number of cycles from 0 to 100000000" },
        { "{\"tcp_rcv\": {\"cycles\": 1.5}}", "\"tcp_rcv\".cycles: a number with a fraction or exponent" },
        { "{\"tcp_rcv\": {\"cycles\": 5, \"kind\": \"guess\"}}",
          "\"tcp_rcv\".kind: \"guess\": want one of assumption, published, fitted, given" },
        { "{\"tcp_rcv\": {\"cycles\": 5, \"source\": 7}}", "\"tcp_rcv\".source: a number: want a string of at most 255 bytes" },
        { "{\"tcp_rcv\": {\"cycles\": 5, \"why\": \"x\"}}", "\"tcp_rcv\": \"why\" is not a member" },
        { "{\"tcp_rcv\": {\"cycles\": 5, \"kind\": 3}, \"wakeup\": []}",
          "\"tcp_rcv\".kind: a number: want one of assumption" },
        { "{\"tcp_rcv\": {\"cycles\": 5, \"kind\": 3}, \"wakeup\": []}", "\"wakeup\": an array: want a whole number" },
    };
    char dir[4096], path[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/c.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        char *msg = NULL;
        size_t len = 0;
        FILE *errs = open_memstream(&msg, &len);
        struct sim_cost_table t;
        sim_cost_table_defaults(&t);
        ck_assert_int_eq(run_costs_load("rxsim run", path, &t, NULL, errs), -1);
        fclose(errs);
        char want[4800];
        snprintf(want, sizeof want, "rxsim run: --costs %s: %s", path, cases[i].want);
        ck_assert_msg(strstr(msg, want), "case %zu: want \"%s\" in: %s", i, want, msg);
        free(msg);
    }
    /* a long source: 300 bytes */
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"tcp_rcv\": {\"cycles\": 5, \"source\": \"%0300d\"}}", 0);
    fclose(f);
    struct sim_cost_table t;
    sim_cost_table_defaults(&t);
    FILE *null = fopen("/dev/null", "w");
    ck_assert_int_eq(run_costs_load("rxsim run", path, &t, NULL, null), -1);
    fclose(null);
    /* both forms in one file */
    f = fopen(path, "w");
    fputs("{\"irq_entry\": 900, \"tcp_rcv\": {\"cycles\": 820, \"kind\": \"published\", \"source\": \"a paper\"}}", f);
    fclose(f);
    struct run_costs_origin *o = malloc(sizeof *o);
    run_costs_origin_defaults(o);
    ck_assert_int_eq(run_costs_load("rxsim run", path, &t, o, stderr), 0);
    ck_assert_uint_eq(t.cycles[SIM_COST_IRQ_ENTRY], 900);
    ck_assert_uint_eq(t.cycles[SIM_COST_TCP_RCV], 820);
    ck_assert(o->kind[SIM_COST_IRQ_ENTRY] == SIM_COST_KIND_GIVEN && o->source[SIM_COST_IRQ_ENTRY][0] == '\0');
    ck_assert(o->kind[SIM_COST_TCP_RCV] == SIM_COST_KIND_PUBLISHED);
    ck_assert_str_eq(o->source[SIM_COST_TCP_RCV], "a paper");
    free(o);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* docs/model.md's cost table is sim/cost_table.h's: one row per cost with
 * its default, kind and source (the message gives the row to paste). */
START_TEST(docs_table_matches)
{
    char path[4096];
    testenv_path(path, sizeof path, "docs/model.md");
    char *doc = testenv_slurp(path, NULL);
    ck_assert_msg(doc != NULL, "cannot read %s", path);
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        char row[SIM_COST_SOURCE_MAX + 128];
        snprintf(row, sizeof row, "\n| `%s` | %llu | %s | %s |\n", sim_cost_key((enum sim_cost)e),
                 (unsigned long long)sim_cost_default((enum sim_cost)e),
                 sim_cost_kind_key(sim_cost_default_kind((enum sim_cost)e)), sim_cost_source((enum sim_cost)e));
        ck_assert_msg(strstr(doc, row), "docs/model.md lacks the row (or it differs): %.*s",
                      (int)strlen(row) - 2, row + 1);
    }
    free(doc);
}
END_TEST

/* rxsim fit itself: the table, -o's file, exit codes, errors naming the file. */
START_TEST(fit_command)
{
    char dir[4096], ds[4200], costs[4200], out[4200], errp[4200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(ds, sizeof ds, "%s/ds.json", dir);
    snprintf(costs, sizeof costs, "%s/costs.json", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    FILE *f = fopen(ds, "w");
    ck_assert(f != NULL);
    ck_assert_int_eq(val_dataset_write(d, f), 0);
    fclose(f);
    char *args[] = { "fit", ds, "-o", costs, NULL };
    ck_assert_int_eq(testenv_rxsim(args, out, errp), 0);
    char *text = testenv_slurp(out, NULL);
    ck_assert_msg(text && strstr(text, "fitted on 2 configurations (6 repetitions); 1 held out, not used"), "%s", text);
    char row[256];      /* the defaults may change: taken from the table */
    snprintf(row, sizeof row, "\ntcp_rcv        %8llu  650 [525-775]                6       65  yes: per skb after GRO\n",
             (unsigned long long)sim_cost_default(SIM_COST_TCP_RCV));
    ck_assert_msg(strstr(text, row), "want%s in: %s", row, text);
    snprintf(row, sizeof row, "\ntcp_queue      %8llu  -                            6       10  no: too few samples",
             (unsigned long long)sim_cost_default(SIM_COST_TCP_QUEUE));
    ck_assert_msg(strstr(text, row), "want%s in: %s", row, text);
    ck_assert_msg(strstr(text, "  copy  0.550 [0.500-0.600] cycles/byte over 6 repetitions\n"), "%s", text);
    free(text);
    struct sim_cost_table t;
    sim_cost_table_defaults(&t);
    ck_assert_int_eq(run_costs_load("check_fit", costs, &t, NULL, stderr), 0);
    ck_assert_uint_eq(t.cycles[SIM_COST_SCHEDULE], 1500);

    char *json_args[] = { "fit", "--json", ds, NULL };
    ck_assert_int_eq(testenv_rxsim(json_args, out, errp), 0);
    text = testenv_slurp(out, NULL);
    ck_assert_msg(text && strstr(text, "\"why_not\": \"too few samples"), "%.400s", text);
    free(text);

    char *usage_args[] = { "fit", NULL };
    ck_assert_int_eq(testenv_rxsim(usage_args, out, errp), 2);
    unlink(ds);
    char *missing_args[] = { "fit", ds, NULL };
    ck_assert_int_eq(testenv_rxsim(missing_args, out, errp), 1);
    text = testenv_slurp(errp, NULL);
    ck_assert_msg(text && strstr(text, ds) && strstr(text, "No such file"), "%s", text);
    free(text);
    unlink(costs);
    unlink(out);
    unlink(errp);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("fit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fitted_medians_and_iqr);
    tcase_add_test(tc, gro_merge_only_from_gro_configs);
    tcase_add_test(tc, recv_path_fitted_per_skb);
    tcase_add_test(tc, unfitted_say_why);
    tcase_add_test(tc, held_out_ignored);
    tcase_add_test(tc, per_byte_copy_and_csum);
    tcase_add_test(tc, per_configuration);
    tcase_add_test(tc, copy_chunk_beyond_the_hot_copy);
    tcase_add_test(tc, beside_sender_beyond_the_same_placement);
    tcase_add_test(tc, costs_file_read_back);
    tcase_add_test(tc, c_rows);
    tcase_add_test(tc, fit_command);
    tcase_add_test(tc, costs_object_errors);
    tcase_add_test(tc, docs_table_matches);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
