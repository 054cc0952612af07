/* tests/unit/check_validate_report.c: validate's side-by-side table
 * (sim/validate/validate_report.h) on hand-made repetitions whose answers
 * are computed by hand below, and the model's figures read from a
 * hand-made rxsim run report (sim/validate/model_run.h), with its argv.
 *
 * Units: sample_period_ns 1000 and tsc_ghz 1.0, so one sample is 1000
 * cycles; every repetition read 1,000,000 bytes, so one sample is 0.001
 * cycles/byte and "core 4.2" below is 4200 protocol samples.
 *
 * The configurations (core cycles/byte per repetition, rounds 0..3):
 *   A same-csum-nogro-1500     4.0 4.4 4.2 5.0   model 2.58
 *   B same-csum-gro-1500 (HO)  2.4 2.2 2.6 2.5   model 1.8
 *   C same-csum-nogro-9000     4.4 4.8 4.6 5.2   model 1.0
 *   D same-nocsum-nogro-1500   3.6 4.8 4.0 5.2   model 2.2
 *   E other-csum-nogro-1500(HO)5.0 5.0 5.0 5.0   model 6.0, round 2 counted no segments
 * Spreads (type 7 quantiles, n = 4: median at h = 1.5, q1 at 0.75, q3 at 2.25):
 *   A sorted 4.0 4.2 4.4 5.0: median 4.3, q1 4.0+0.75*0.2 = 4.15, q3 4.4+0.25*0.6 = 4.55
 *     model error (2.58 - 4.3) / 4.3 = -40.0 %
 *   B sorted 2.2 2.4 2.5 2.6: median 2.45; held-out error |1.8 - 2.45| / 2.45 = 0.265306
 *   E median 5.0; held-out error |6 - 5| / 5 = 0.2; max of the two 0.265306
 * Changes (B / A per round):
 *   gro A->B: 0.6 0.5 0.619048 0.5 -> sorted .5 .5 .6 .619048: median 0.55, q1 0.5,
 *     q3 0.6 + 0.25*0.019048 = 0.604762; model 1.8/2.58 = 0.697674 < 1: matches
 *   mtu A->C: 1.1 1.090909 1.095238 1.04, all > 1; model 1.0/2.58 < 1: MISMATCH
 *   csum A->D (on -> off): 0.9 1.090909 0.952381 1.04 -> sorted: q1 0.9+0.75*0.052381 =
 *     0.939286, q3 1.04+0.25*0.050909 = 1.052727: straddles 1: not resolvable here
 *   placement A->E: 1.25 1.136364 1.190476 1.0 -> sorted 1.0 1.136364 1.190476 1.25:
 *     q1 1.0 + 0.75*0.136364 = 1.102273 > 1; model 6/2.58 > 1: matches
 *   B and C, D, E differ in two factors or more: no change.
 * Structure of A (every round segs_in 1000, skbs 1000, recv_calls 250):
 *   ACKs/segment segs_out 25 30 20 35 / 1000 -> sorted .020 .025 .030 .035: median 0.0275,
 *   q1 0.02375, q3 0.03125; skbs/recv 4; segments/skb 1; protocol samples 10 on CPU 0 and
 *   90 on CPU 1 per round: 90 % on the reader's CPU. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/validate/model_run.h"
#include "sim/validate/validate_report.h"
#include "tests/common/testenv.h"

#define NREPS 4
#define EPS 1e-6

static struct val_rep reps[5][NREPS];
static struct val_model models[5];
static struct val_report_config cfgs[5];
static struct val_summary sum;

static void set_config(int i, enum val_placement p, bool csum, bool gro, unsigned mtu, bool held,
                       const double core[NREPS], double model)
{
    struct val_config c = { .placement = p, .csum = csum, .gro = gro, .mtu = mtu, .held_out = held };
    val_config_name(&c);
    for (int r = 0; r < NREPS; r++) {
        struct val_rep *x = &reps[i][r];
        memset(x, 0, sizeof *x);
        x->sample_period_ns = 1000;
        x->tsc_ghz = 1.0;
        x->c.bytes = 1000000;
        x->c.segs_in = 1000;
        x->c.segs_out = 25 + (r == 1 ? 5 : r == 2 ? -5 : r == 3 ? 10 : 0);
        x->c.skbs = 1000;
        x->c.recv_calls = 250;
        x->c.rcvq_median = 2500000;
        x->a.rx_category[SIM_CAT_PROTOCOL] = (uint64_t)llround(core[r] * 1000);
        x->a.samples = x->a.side[VAL_SIDE_RX] = x->a.rx_category[SIM_CAT_PROTOCOL];    /* what perf saw */
        x->a.protocol_on_cpu[0] = 10;
        x->a.protocol_on_cpu[1] = 90;
    }
    memset(&models[i], 0, sizeof models[i]);
    models[i].core_cycles_per_byte = model;
    models[i].cycles_per_byte[SIM_CAT_PROTOCOL] = model;
    models[i].core_cycles_per_segment = model * 1448;
    models[i].acks_per_segment = 0.5;
    models[i].segments_per_skb = 1;
    models[i].skbs_per_recv = 11.3;
    models[i].rcvq_median = -1;
    cfgs[i] = (struct val_report_config){ .cfg = c, .reps = reps[i], .nreps = NREPS, .model = &models[i] };
}

static void setup(void)
{
    static const double a[] = { 4.0, 4.4, 4.2, 5.0 }, b[] = { 2.4, 2.2, 2.6, 2.5 }, c[] = { 4.4, 4.8, 4.6, 5.2 },
                        d[] = { 3.6, 4.8, 4.0, 5.2 }, e[] = { 5.0, 5.0, 5.0, 5.0 };
    set_config(0, VAL_SAME_CPU, true, false, 1500, false, a, 2.58);
    set_config(1, VAL_SAME_CPU, true, true, 1500, true, b, 1.8);
    set_config(2, VAL_SAME_CPU, true, false, 9000, false, c, 1.0);
    set_config(3, VAL_SAME_CPU, false, false, 1500, false, d, 2.2);
    set_config(4, VAL_OTHER_CPU, true, false, 1500, true, e, 6.0);
    reps[4][2].c.segs_in = 0;                   /* E: round 2 counted no segments */
    for (int r = 0; r < NREPS; r++)
        reps[4][r].a.protocol_on_cpu[0] = reps[4][r].a.protocol_on_cpu[1] = 0;
    struct val_report_in in = { .pre = NULL, .cfgs = cfgs, .ncfgs = 5 };
    ck_assert_int_eq(val_report_summarise(&in, &sum), 0);
}

static const struct val_change *change(const char *factor)
{
    for (int i = 0; i < sum.nchanges; i++)
        if (!strcmp(sum.change[i].factor, factor))
            return &sum.change[i];
    ck_abort_msg("no %s change", factor);
    return NULL;
}

static void spread_is(struct val_spread s, double median, double q1, double q3, const char *what)
{
    ck_assert_msg(fabs(s.median - median) < EPS, "%s median %.6f, want %.6f", what, s.median, median);
    ck_assert_msg(fabs(s.q1 - q1) < EPS, "%s q1 %.6f, want %.6f", what, s.q1, q1);
    ck_assert_msg(fabs(s.q3 - q3) < EPS, "%s q3 %.6f, want %.6f", what, s.q3, q3);
}

START_TEST(table_medians_and_error)
{
    const struct val_row *a = &sum.row[0];
    ck_assert_str_eq(a->cfg.name, "same-csum-nogro-1500");
    ck_assert(a->fig[VAL_FIG_CORE].real_ok && a->fig[VAL_FIG_PROTOCOL].real_ok);
    spread_is(a->fig[VAL_FIG_CORE].real, 4.3, 4.15, 4.55, "A core");
    spread_is(a->fig[VAL_FIG_PROTOCOL].real, 4.3, 4.15, 4.55, "A protocol");
    spread_is(a->fig[VAL_FIG_IRQ].real, 0, 0, 0, "A irq");
    /* per segment: 4.3 cycles/byte x 1,000,000 bytes / 1000 segments */
    spread_is(a->fig[VAL_FIG_PER_SEGMENT].real, 4300, 4150, 4550, "A per segment");
    spread_is(a->fig[VAL_FIG_ACKS].real, 0.0275, 0.02375, 0.03125, "A ACKs/segment");
    spread_is(a->fig[VAL_FIG_SKBS_RECV].real, 4, 4, 4, "A skbs/recv");
    spread_is(a->fig[VAL_FIG_SEGS_SKB].real, 1, 1, 1, "A segments/skb");
    spread_is(a->fig[VAL_FIG_RCVQ].real, 2500000, 2500000, 2500000, "A rcvq");
    ck_assert(a->error_ok);
    ck_assert_msg(fabs(a->error_pct - -40.0) < EPS, "A error %.6f %%", a->error_pct);
    ck_assert(a->protocol_ok && fabs(a->protocol_reader_share - 0.9) < EPS);
    ck_assert_int_eq(a->model_protocol_cpu, 1);
    ck_assert_int_eq(sum.row[4].model_protocol_cpu, 0);
    ck_assert(!a->fig[VAL_FIG_RCVQ].model_ok);
    ck_assert_str_eq(a->fig[VAL_FIG_RCVQ].model_why, "not modelled");
}
END_TEST

START_TEST(changes_match_mismatch_unresolved)
{
    ck_assert_int_eq(sum.nchanges, 4);  /* A-B gro, A-C mtu, A-D csum, A-E placement */
    const struct val_change *g = change("gro"), *m = change("mtu"), *c = change("csum"), *p = change("placement");
    ck_assert_int_eq(g->from, 0);
    ck_assert_int_eq(g->to, 1);
    ck_assert_int_eq(g->npairs, 4);
    spread_is(g->real, 0.55, 0.5, 0.604762, "gro ratio");
    ck_assert(fabs(g->model - 1.8 / 2.58) < EPS);
    ck_assert_int_eq(g->match, VAL_MATCH);
    ck_assert_int_eq(m->from, 0);
    ck_assert_int_eq(m->to, 2);
    ck_assert_int_eq(m->match, VAL_MISMATCH);
    ck_assert_int_eq(c->from, 0);       /* on -> off */
    ck_assert_int_eq(c->to, 3);
    spread_is(c->real, (0.952381 + 1.04) / 2, 0.939286, 1.052727, "csum ratio");
    ck_assert_int_eq(c->match, VAL_UNRESOLVED);
    ck_assert_int_eq(p->from, 0);
    ck_assert_int_eq(p->to, 4);
    ck_assert(fabs(p->real.q1 - 1.102273) < EPS);
    ck_assert_int_eq(p->match, VAL_MATCH);
}
END_TEST

START_TEST(not_measurable_where_a_count_is_zero)
{
    const struct val_row *e = &sum.row[4];
    ck_assert(e->fig[VAL_FIG_CORE].real_ok);            /* bytes were read: cycles/byte stands */
    ck_assert(!e->fig[VAL_FIG_ACKS].real_ok);
    ck_assert_str_eq(e->fig[VAL_FIG_ACKS].real_why, "no segments counted (InSegs 0)");
    ck_assert(!e->fig[VAL_FIG_PER_SEGMENT].real_ok);
    ck_assert(!e->fig[VAL_FIG_SEGS_SKB].real_ok);
    ck_assert(e->fig[VAL_FIG_SKBS_RECV].real_ok);
    ck_assert(!e->protocol_ok);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct val_report_in in = { .pre = NULL, .cfgs = cfgs, .ncfgs = 5 };
    ck_assert_int_eq(val_report_text(&in, &sum, f), 0);
    fclose(f);
    const char *blk = strstr(text, "other-csum-nogro-1500 (held out)");
    ck_assert_msg(blk != NULL, "%s", text);
    const char *acks = strstr(blk, "ACKs per segment");
    ck_assert_ptr_nonnull(acks);
    static const char want[] = "n/m (no segments counted (InSegs 0))";
    ck_assert_msg(!strncmp(strstr(acks, "n/m"), want, strlen(want)), "%s", acks);
    ck_assert_msg(strstr(text, "model error -40.0 %") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "4.300 [4.150-4.550]") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "not resolvable here") && strstr(text, "MISMATCH"), "%s", text);
    ck_assert_msg(strstr(text, "max 26.5 % over 2 configurations") != NULL, "%s", text);
    free(text);

    json_object *j = val_report_json(&in, &sum), *x;
    ck_assert(json_object_object_get_ex(j, "configs", &x));
    json_object *row = json_object_array_get_idx(x, 4), *figs, *acks_j, *real, *why;
    ck_assert(json_object_object_get_ex(row, "figures", &figs));
    ck_assert(json_object_object_get_ex(figs, "acks_per_segment", &acks_j));
    ck_assert(json_object_object_get_ex(acks_j, "real", &real));
    ck_assert(json_object_object_get_ex(real, "nm", &why));
    ck_assert_str_eq(json_object_get_string(why), "no segments counted (InSegs 0)");
    json_object_put(j);
}
END_TEST

START_TEST(held_out_errors)
{
    ck_assert_int_eq(sum.nheld, 2);
    ck_assert_int_eq(sum.held_nm, 0);
    ck_assert_int_eq(sum.held_row[0], 1);
    ck_assert(fabs(sum.held_err[0] - 0.265306) < EPS);
    ck_assert_int_eq(sum.held_row[1], 4);
    ck_assert(fabs(sum.held_err[1] - 0.2) < EPS);
    ck_assert(fabs(sum.held_max - 0.265306) < EPS);
}
END_TEST

START_TEST(no_model_is_not_measurable)
{
    cfgs[1].model = NULL;
    struct val_report_in in = { .pre = NULL, .cfgs = cfgs, .ncfgs = 5 };
    ck_assert_int_eq(val_report_summarise(&in, &sum), 0);
    ck_assert(!sum.row[1].fig[VAL_FIG_CORE].model_ok);
    ck_assert_str_eq(sum.row[1].fig[VAL_FIG_CORE].model_why, "the model was not run");
    ck_assert_int_eq(change("gro")->match, VAL_MATCH_NM);
    ck_assert_int_eq(sum.nheld, 1);     /* only E has an error now */
    ck_assert_int_eq(sum.held_nm, 1);
    ck_assert(fabs(sum.held_max - 0.2) < EPS);
}
END_TEST

/* A report with the figures model_run reads, numbers chosen by hand:
 * 1,000,000 bytes, 700 data segments, 350 ACKs, frames_per_pass 1;
 * protocol 1.2 cycles/byte of which tcp_send_ack 200,000 cycles = 0.2;
 * tcp_data_queue 700 calls over tcp_recvmsg 70 calls = 10 skbs per recv.
 * core = (1.2 - 0.2) + csum 0.3 + copy 0.5 + skb 0.1 = 1.9 cycles/byte;
 * per segment 1.9 x 1,000,000 / 700 = 2714.285714. */
static const char report[] =
    "{ \"result\": { \"payload_synthesised\": { \"segments\": 700, \"bytes\": 1000000 },"
    "  \"bytes_read\": 1000000, \"acks\": 350, \"frames_per_pass\": 1.0,"
    "  \"cycles_per_byte_by_category\": { \"irq\": 0.05, \"protocol\": 1.2, \"csum\": 0.3, \"copy\": 0.5,"
    "     \"skb\": 0.1, \"sched\": 0.2, \"app\": 0 } },"
    "  \"profile\": [ { \"function\": \"tcp_send_ack\", \"cycles\": 200000, \"calls\": 350 },"
    "   { \"function\": \"tcp_data_queue\", \"cycles\": 70000, \"calls\": 700 },"
    "   { \"function\": \"tcp_recvmsg\", \"cycles\": 7000, \"calls\": 70 } ] }";

START_TEST(model_figures_from_a_report)
{
    struct val_model m;
    char err[256];
    ck_assert_msg(model_from_report(report, &m, err, sizeof err) == 0, "%s", err);
    ck_assert(fabs(m.cycles_per_byte[SIM_CAT_PROTOCOL] - 1.0) < EPS);
    ck_assert(fabs(m.core_cycles_per_byte - 1.9) < EPS);
    ck_assert(fabs(m.core_cycles_per_segment - 2714.285714) < EPS);
    ck_assert(fabs(m.acks_per_segment - 0.5) < EPS);
    ck_assert(fabs(m.segments_per_skb - 1.0) < EPS);
    ck_assert(fabs(m.skbs_per_recv - 10.0) < EPS);
    ck_assert(m.rcvq_median < 0);
    ck_assert_int_eq(model_from_report("{ \"result\": {} }", &m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "lacks") != NULL, "%s", err);
    ck_assert_int_eq(model_from_report("not json", &m, err, sizeof err), -1);
}
END_TEST

START_TEST(model_argv_maps_the_configuration)
{
    struct val_config c = { .placement = VAL_OTHER_CPU, .csum = false, .gro = true, .mtu = 9000 };
    struct model_opts o = { .ghz = 2.5, .msg_size = 65536, .costs = "fit.json" };
    char *argv[MODEL_ARGV_MAX], buf[MODEL_ARGV_BUF], joined[MODEL_ARGV_BUF] = "";
    int argc = model_argv(&c, "x.pcap", &o, argv, MODEL_ARGV_MAX, buf, sizeof buf);
    ck_assert_int_gt(argc, 0);
    ck_assert_ptr_null(argv[argc]);
    for (int i = 0; i < argc; i++)
        strcat(strcat(joined, argv[i]), " ");
    ck_assert_str_eq(joined, "run --cpus 2 --irq fixed:0 --app fixed:1 --csum offload --no-verify-csum --delivery gro --recycle defer --nic-kind veth --veth-sender-cpu 0 --ring 65536 "
                             "--recv-size 65536 --ghz 2.5 --payload synth --costs fit.json --json x.pcap ");
    ck_assert_int_eq(model_argv(&c, "x.pcap", &o, argv, 5, buf, sizeof buf), -1);
    ck_assert_int_eq(model_argv(&c, "x.pcap", &o, argv, MODEL_ARGV_MAX, buf, 20), -1);
}
END_TEST

/* A capture taken behind GRO: one IPv4 packet of total length 3000 cut to
 * 54 bytes (Ethernet 14 + IPv4 20 + TCP 20) in a classic pcap file. */
START_TEST(model_refuses_merged_frames)
{
    char path[] = "/tmp/check_validate_report_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    uint32_t gh[] = { 0xa1b2c3d4, 0x00040002, 0, 0, 128, 1 };    /* magic, v2.4, zone, sigfigs, snaplen, EN10MB */
    uint32_t rh[] = { 1, 0, 54, 3014 };                           /* ts, caplen 54, wire length 14 + 3000 */
    uint8_t pkt[54] = { [12] = 0x08, [13] = 0x00,                 /* IPv4 */
                        [14] = 0x45, [16] = 3000 >> 8, [17] = 3000 & 0xff, [22] = 64, [23] = 6 };
    fwrite(gh, sizeof gh, 1, f);
    fwrite(rh, sizeof rh, 1, f);
    fwrite(pkt, sizeof pkt, 1, f);
    fclose(f);
    struct val_config c = { .placement = VAL_SAME_CPU, .csum = true, .gro = true, .mtu = 1500 };
    val_config_name(&c);
    struct model_opts o = { 0 };
    struct val_model m;
    char err[512];
    ck_assert_int_eq(model_run(&c, path, &o, &m, err, sizeof err), -1);
    ck_assert_msg(strstr(err, path) && strstr(err, "up to 3000 bytes") && strstr(err, "MTU 1500"), "%s", err);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("validate_report");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, table_medians_and_error);
    tcase_add_test(tc, changes_match_mismatch_unresolved);
    tcase_add_test(tc, not_measurable_where_a_count_is_zero);
    tcase_add_test(tc, held_out_errors);
    tcase_add_test(tc, no_model_is_not_measurable);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_add_test(tc, model_figures_from_a_report);
    tcase_add_test(tc, model_argv_maps_the_configuration);
    tcase_add_test(tc, model_refuses_merged_frames);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
