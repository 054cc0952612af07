/* tests/unit/check_attrib.c: sim/validate/attrib.c and perf_script.c on
 * real `perf script` excerpts (tests/unit/data/perf-*.txt, cut from
 * profiles of a netns + veth bulk transfer recorded with
 * tests/unit/data/perf-fixtures.sh; see docs/validation.md "How samples are
 * attributed").  Each fixture's expected counts were made by hand from its
 * call chains, sample by sample, before the code was run on it: the lists
 * in the comments are that count (n: the sample's leaf ... → verdict).
 * Also the malformed inputs: a truncated sample, a stray line, a frame
 * before any header, an empty file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/validate/attrib.h"
#include "sim/validate/perf_script.h"
#include "tests/common/testenv.h"

static struct val_attrib run_fixture(const char *name, int sender, int reader)
{
    char rel[128], path[4096], err[256] = "";
    snprintf(rel, sizeof rel, "tests/unit/data/%s", name);
    testenv_path(path, sizeof path, rel);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f, "cannot open %s", path);
    struct val_attrib a;
    memset(&a, 0, sizeof a);
    struct attrib_who who = {.sender_pid = sender, .reader_pid = reader};
    int r = attrib_stream(f, name, &who, &a, err, sizeof err);
    fclose(f);
    ck_assert_msg(r == 0, "%s: %s", name, err);
    return a;
}

/* Field by field, so a failure names the field. */
static void expect(const struct val_attrib *got, const struct val_attrib *want)
{
    ck_assert_uint_eq(got->samples, want->samples);
    for (int s = 0; s < VAL_SIDE__COUNT; s++)
        ck_assert_msg(got->side[s] == want->side[s], "side %d: got %lu want %lu", s,
                      (unsigned long)got->side[s], (unsigned long)want->side[s]);
    for (int c = 0; c < SIM_CAT__COUNT; c++) {
        ck_assert_msg(got->rx_category[c] == want->rx_category[c], "rx_category %d: got %lu want %lu", c,
                      (unsigned long)got->rx_category[c], (unsigned long)want->rx_category[c]);
        ck_assert_msg(got->shared_category[c] == want->shared_category[c], "shared_category %d: got %lu want %lu",
                      c, (unsigned long)got->shared_category[c], (unsigned long)want->shared_category[c]);
    }
    ck_assert_uint_eq(got->rx_unmapped, want->rx_unmapped);
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        ck_assert_msg(got->event[e] == want->event[e], "event %s: got %lu want %lu", sim_cost_key(e),
                      (unsigned long)got->event[e], (unsigned long)want->event[e]);
        ck_assert_msg(got->shared_event[e] == want->shared_event[e], "shared_event %s: got %lu want %lu",
                      sim_cost_key(e), (unsigned long)got->shared_event[e], (unsigned long)want->shared_event[e]);
    }
    for (int c = 0; c < 2; c++) {
        ck_assert_msg(got->protocol_on_cpu[c] == want->protocol_on_cpu[c], "protocol_on_cpu[%d]: got %lu want %lu",
                      c, (unsigned long)got->protocol_on_cpu[c], (unsigned long)want->protocol_on_cpu[c]);
        ck_assert_msg(got->shared_on_cpu[c] == want->shared_on_cpu[c], "shared_on_cpu[%d]: got %lu want %lu", c,
                      (unsigned long)got->shared_on_cpu[c], (unsigned long)want->shared_on_cpu[c]);
    }
    ck_assert_uint_eq(got->shared, want->shared);
    uint64_t sides = got->shared, cats = got->rx_unmapped;
    for (int s = 0; s < VAL_SIDE__COUNT; s++)
        sides += got->side[s];
    for (int c = 0; c < SIM_CAT__COUNT; c++)
        cats += got->rx_category[c];
    ck_assert_uint_eq(sides, got->samples);
    ck_assert_uint_eq(cats, got->side[VAL_SIDE_RX]);
}

#define SIDE(a, s) (a).side[VAL_SIDE_##s]
#define RXC(a, c) (a).rx_category[SIM_CAT_##c]
#define EVT(a, e) (a).event[SIM_COST_##e]
#define SHC(a, c) (a).shared_category[SIM_CAT_##c]
#define SHE(a, e) (a).shared_event[SIM_COST_##e]

/* perf-same-cpu.txt: RPS puts the data softirq on the reader's CPU 1;
 * sender pid 14513, reader 14393.  26 samples:
 *  1 skb_release_data<napi_consume_skb<skb_defer_free_flush, softirq on
 *    the sender (cpu 0)                       → RX skb free_skb
 *  2,11,14 _copy_to_iter<..<tcp_recvmsg_locked → RX copy
 *  3,7 tcp_recvmsg_locked self                → RX protocol recvmsg
 *  4,8 tcp_data_queue<tcp_rcv_established<tcp_v4_do_rcv<__release_sock<
 *      tcp_recvmsg (backlog)                  → RX protocol tcp_queue, cpu 1
 *  5,10 skb_segment<..<tcp_write_xmit<__tcp_push_pending_frames<
 *      tcp_rcv_established, softirq           → SENDER (push after an ACK)
 *  6,24 veth_xmit / __dev_queue_xmit<..<__tcp_transmit_skb<tcp_recvmsg_locked
 *                                             → ACK (send) tcp_ack
 *  9 sock_def_readable<tcp_data_queue         → RX sched wakeup
 *  12,16 tcp_v4_rcv self, softirq in the reader's ACK transmit
 *                                             → shared protocol tcp_rcv, cpu 1
 *  13,23 skb_attempt_defer_free<tcp_recvmsg_locked → RX skb free_skb
 *  15,20 user-space leaf of the reader        → RX app
 *  17 skb_defer_free_flush, softirq in tcp_sendmsg (cpu 0) → RX skb free_skb
 *  18,19 sock_rfree<tcp_recvmsg_locked        → RX skb free_skb
 *  21,22 ip_rcv_core, softirq                 → shared protocol netif_receive
 *  25 skb_release_data<__kfree_skb<tcp_ack, softirq → ACK (intake)
 *  26 tcp_ack self, softirq                   → ACK (intake)
 * RX 16 = copy 3 + skb 6 (1,13,17,18,19,23) + protocol 4 + sched 1 + app 2;
 * ACK 4; SENDER 2; shared 4. */
static struct val_attrib want_same_cpu(void)
{
    struct val_attrib w;
    memset(&w, 0, sizeof w);
    w.samples = 26;
    SIDE(w, RX) = 16, SIDE(w, ACK) = 4, SIDE(w, SENDER) = 2;
    RXC(w, COPY) = 3, RXC(w, SKB) = 6, RXC(w, PROTOCOL) = 4, RXC(w, SCHED) = 1, RXC(w, APP) = 2;
    EVT(w, FREE_SKB) = 6, EVT(w, RECVMSG) = 2, EVT(w, TCP_QUEUE) = 2, EVT(w, WAKEUP) = 1, EVT(w, TCP_ACK) = 2;
    w.protocol_on_cpu[1] = 2;
    w.shared = 4, SHC(w, PROTOCOL) = 4, SHE(w, TCP_RCV) = 2, SHE(w, NETIF_RECEIVE) = 2;
    w.shared_on_cpu[1] = 2;
    return w;
}

START_TEST(same_cpu)
{
    struct val_attrib a = run_fixture("perf-same-cpu.txt", 14513, 14393), w = want_same_cpu();
    expect(&a, &w);
}
END_TEST

/* attrib_split_shared on the same fixture with 3 data skbs per ACK skb:
 * shared protocol 4 → RX round(4·3/4) = 3, ACK 1; tcp_rcv 2 → round(1.5)
 * = 2, netif_receive 2 → 2; shared_on_cpu[1] 2 → 2. */
START_TEST(split_shared)
{
    struct val_attrib a = run_fixture("perf-same-cpu.txt", 14513, 14393), w = want_same_cpu();
    ck_assert_int_eq(attrib_split_shared(&a, 3, 1), 0);
    SIDE(w, RX) += 3, SIDE(w, ACK) += 1, RXC(w, PROTOCOL) += 3;
    EVT(w, TCP_RCV) += 2, EVT(w, NETIF_RECEIVE) += 2, w.protocol_on_cpu[1] += 2;
    w.shared = 0, SHC(w, PROTOCOL) = 0, SHE(w, TCP_RCV) = 0, SHE(w, NETIF_RECEIVE) = 0, w.shared_on_cpu[1] = 0;
    expect(&a, &w);
    struct val_attrib b = run_fixture("perf-same-cpu.txt", 14513, 14393), before = b;
    ck_assert_int_eq(attrib_split_shared(&b, 0, 0), -1);          /* nothing to split by */
    ck_assert_int_eq(memcmp(&b, &before, sizeof b), 0);
}
END_TEST

/* perf-other-cpu.txt: RPS puts the data softirq on the sender's CPU 0;
 * sender 26086, reader 25978.  18 samples:
 *  1,4 tcp_rcv_established<tcp_v4_do_rcv<__release_sock<tcp_recvmsg
 *                                             → RX protocol tcp_rcv, cpu 1
 *  2,3 native_write_msr<x2apic_send_IPI<..<tcp_recvmsg_locked → IPI
 *  5,6 tcp_v4_rcv self, softirq in tcp_sendmsg → shared protocol tcp_rcv, cpu 0
 *  7,8 _copy_from_iter<tcp_sendmsg_locked     → SENDER
 *  9 finish_task_switch<..<sk_wait_data       → RX sched schedule
 *  10,14,15 tcp_data_queue<..<tcp_v4_rcv, softirq inside the sender's
 *      send() on cpu 0                        → RX protocol tcp_queue, cpu 0
 *  11 handle_softirqs self under a timer irq (nothing below: where the
 *     handlers' interrupts-off time lands)    → shared protocol softirq_pass
 *  12,13 ip_rcv_core, swapper's irq-exit softirq → shared protocol netif_receive
 *  16 tcp_ack<tcp_rcv_established<..<tcp_recvmsg (receiver's slow path)
 *                                             → RX protocol tcp_rcv, cpu 1
 *  17 tcp_delack_max<tcp_send_delayed_ack     → ACK (send) tcp_ack
 *  18 tcp_ack<..<__release_sock<tcp_sendmsg   → ACK (intake)
 * RX 7 = protocol 6 + sched 1; IPI 2; SENDER 2; ACK 2; shared 5. */
START_TEST(other_cpu)
{
    struct val_attrib a = run_fixture("perf-other-cpu.txt", 26086, 25978), w;
    memset(&w, 0, sizeof w);
    w.samples = 18;
    SIDE(w, RX) = 7, SIDE(w, IPI) = 2, SIDE(w, SENDER) = 2, SIDE(w, ACK) = 2;
    RXC(w, PROTOCOL) = 6, RXC(w, SCHED) = 1;
    EVT(w, TCP_RCV) = 3, EVT(w, TCP_QUEUE) = 3, EVT(w, SCHEDULE) = 1, EVT(w, TCP_ACK) = 1;
    w.protocol_on_cpu[0] = 3, w.protocol_on_cpu[1] = 3;
    w.shared = 5, SHC(w, PROTOCOL) = 5, SHE(w, TCP_RCV) = 2, SHE(w, NETIF_RECEIVE) = 2;
    SHE(w, SOFTIRQ_PASS) = 1, w.shared_on_cpu[0] = 2;
    expect(&a, &w);
}
END_TEST

/* perf-misc.txt: none of it from our two processes (pids 14513/14393 as
 * in the same-cpu profile).  15 samples:
 *  1-3 pv_native_safe_halt<default_idle<..<do_idle            → IDLE
 *  4,5 check_copy user leaf (another process)                 → OTHER
 *  6,8 irqentry_exit_to_user_mode<asm_sysvec_reschedule_ipi   → IPI
 *  7 ksoftirqd schedule<smpboot_thread_fn<kthread, no network → OTHER
 *  9 ksoftirqd tcp_v4_rcv self                → shared protocol tcp_rcv, cpu 1
 *  10 ksoftirqd sock_def_readable<tcp_data_queue → RX sched wakeup
 *  11 check_kernel_re __tcp_send_ack<tcp_rcv_established, softirq → ACK (send)
 *  12 check_kernel_re _copy_to_iter<tcp_recvmsg, its own syscall → OTHER
 *  13 try_to_wake_up<call_timer_fn<..<run_timer_softirq      → OTHER
 *  14 sched_balance_rq<sched_balance_domains, softirq         → OTHER
 *  15 tcp_write_xmit<tcp_send_loss_probe<tcp_write_timer, timer softirq
 *                                                             → SENDER
 * IDLE 3, IPI 2, OTHER 6, RX 1, ACK 1, SENDER 1, shared 1. */
START_TEST(misc)
{
    struct val_attrib a = run_fixture("perf-misc.txt", 14513, 14393), w;
    memset(&w, 0, sizeof w);
    w.samples = 15;
    SIDE(w, IDLE) = 3, SIDE(w, IPI) = 2, SIDE(w, OTHER) = 6, SIDE(w, RX) = 1, SIDE(w, ACK) = 1;
    SIDE(w, SENDER) = 1;
    RXC(w, SCHED) = 1, EVT(w, WAKEUP) = 1, EVT(w, TCP_ACK) = 1;
    w.shared = 1, SHC(w, PROTOCOL) = 1, SHE(w, TCP_RCV) = 1, w.shared_on_cpu[1] = 1;
    expect(&a, &w);
}
END_TEST

/* perf-gro.txt: GRO on the receiving veth (its NAPI: veth_poll, data
 * only); sender 26349, reader 26270.  10 samples:
 *  1,4 _copy_to_iter<__skb_datagram_iter<__skb_datagram_iter (frag list) → RX copy
 *  2,6 kfree_skb_list_reason<..<skb_defer_free_flush → RX skb free_skb
 *  3,8 veth_xdp_rcv<veth_poll                        → RX protocol driver_frame
 *  5,10 tcp_gro_receive<inet_gro_receive<dev_gro_receive → RX protocol gro_merge
 *  7,9 dev_gro_receive<gro_receive_skb<veth_xdp_rcv  → RX protocol gro_merge
 * All RX: copy 2, skb 2, protocol 6; nothing below tcp_v4_rcv. */
START_TEST(gro)
{
    struct val_attrib a = run_fixture("perf-gro.txt", 26349, 26270), w;
    memset(&w, 0, sizeof w);
    w.samples = 10;
    SIDE(w, RX) = 10;
    RXC(w, COPY) = 2, RXC(w, SKB) = 2, RXC(w, PROTOCOL) = 6;
    EVT(w, FREE_SKB) = 2, EVT(w, DRIVER_FRAME) = 2, EVT(w, GRO_MERGE) = 4;
    expect(&a, &w);
}
END_TEST

/* perf-csum.txt: the sender's tx checksum off, so the receiver verifies;
 * sender 26716, reader 26639.  8 samples:
 *  1,2 csum_partial_copy_generic<skb_copy_and_csum_bits<skb_segment, the
 *      sender's push (send(), and the TSQ hrtimer softirq) → SENDER
 *  3,4 csum_partial<skb_checksum<__skb_checksum_complete<tcp_add_backlog
 *  5,8 the same under tcp_rcv_established in ksoftirqd
 *      → receive stack, but checksum time: RX csum (an ACK has no payload)
 *  6 __tcp_transmit_skb<tcp_rcv_established, softirq → ACK (send)
 *  7 veth_xmit<..<__tcp_transmit_skb<tcp_v4_do_rcv     → ACK (send)
 * SENDER 2, RX 4 (csum 4: no event), ACK 2 (tcp_ack 2). */
START_TEST(csum)
{
    struct val_attrib a = run_fixture("perf-csum.txt", 26716, 26639), w;
    memset(&w, 0, sizeof w);
    w.samples = 8;
    SIDE(w, SENDER) = 2, SIDE(w, RX) = 4, SIDE(w, ACK) = 2;
    RXC(w, CSUM) = 4, EVT(w, TCP_ACK) = 2;
    expect(&a, &w);
}
END_TEST

static struct val_attrib last;     /* what the last stream_text() attributed */

/* attrib_stream on text; returns its result, err filled. */
static int stream_text(const char *text, char *err, size_t n)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!*text)
        f = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(f);
    struct val_attrib a;
    memset(&a, 0, sizeof a);
    struct attrib_who who = {1, 2};
    err[0] = 0;
    int r = attrib_stream(f, "t.txt", &who, &a, err, n);
    fclose(f);
    last = a;
    return r;
}

#define GOOD "python3 2/2 [001] cpu-clock: \n\tffffffff81000000 _copy_to_iter\n\n"

START_TEST(malformed)
{
    char err[256];
    ck_assert_int_eq(stream_text(GOOD, err, sizeof err), 0);
    /* a header at the end with no frames: the text was cut */
    ck_assert_int_eq(stream_text(GOOD "python3 2/2 [001] cpu-clock: \n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.txt:4:") && strstr(err, "truncated"), "%s", err);
    /* a header followed by a blank line or the next header: a sample perf
     * had no chain for (seen under load), counted once, as OTHER */
    ck_assert_int_eq(stream_text("python3 2/2 [001] cpu-clock: \n\n" GOOD "x 9/9 [000] cpu-clock: \n" GOOD, err,
                                 sizeof err), 0);
    ck_assert_uint_eq(last.samples, 4);
    ck_assert_uint_eq(last.side[VAL_SIDE_OTHER], 2);
    ck_assert_uint_eq(last.side[VAL_SIDE_RX], 2);
    /* keep_awake's spinner on its own is idle; a softirq on top of it is not */
    ck_assert_int_eq(stream_text("rxv-idle 77/77 [001] cpu-clock: \n\t401000 [unknown]\n\n"
                                 "rxv-idle 77/77 [001] cpu-clock: \n\tffffffff81000000 tcp_data_queue\n"
                                 "\tffffffff81000100 tcp_v4_rcv\n\tffffffff81000200 handle_softirqs\n"
                                 "\tffffffff81000300 irq_exit_rcu\n\t401000 [unknown]\n\n", err, sizeof err), 0);
    ck_assert_uint_eq(last.samples, 2);
    ck_assert_uint_eq(last.side[VAL_SIDE_IDLE], 1);
    ck_assert_uint_eq(last.side[VAL_SIDE_RX], 1);
    /* a line that is neither a header nor a frame */
    ck_assert_int_eq(stream_text(GOOD "garbage here\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.txt:4:") && strstr(err, "neither"), "%s", err);
    /* a frame line without a symbol */
    ck_assert_int_eq(stream_text("a 1/1 [000] cpu-clock:\n\tffffffff81000000\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.txt:2:"), "%s", err);
    /* a frame before any header */
    ck_assert_int_eq(stream_text("\tffffffff81000000 x\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.txt:1:") && strstr(err, "before any"), "%s", err);
    /* empty, and blank only */
    ck_assert_int_eq(stream_text("", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no samples"), "%s", err);
    ck_assert_int_eq(stream_text("\n\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "t.txt:2:") && strstr(err, "no samples"), "%s", err);
}
END_TEST

/* The header as perf 6.1 prints it: padded pid/tid, comm with spaces,
 * -1 when unknown; a frame line longer than the buffer is cut, not fatal. */
START_TEST(header_shapes)
{
    char long_sym[3000];
    memset(long_sym, 'x', sizeof long_sym - 1);
    long_sym[sizeof long_sym - 1] = 0;
    char text[4096];
    snprintf(text, sizeof text,
             "Web Content   77/78   [001] cpu-clock: \n\t          11e2f0 %s\n\n"
             ":-1 14383/-1    [000] cpu-clock: \n\tffffffff81d7d8f5 add_device_randomness\n",
             long_sym);
    FILE *f = fmemopen(text, strlen(text), "r");
    struct perf_script ps;
    perf_script_open(&ps, f, "h.txt");
    static struct perf_sample s;
    char err[256];
    ck_assert_int_eq(perf_script_next(&ps, &s, err, sizeof err), 1);
    ck_assert_str_eq(s.comm, "Web Content");
    ck_assert_int_eq(s.pid, 77);
    ck_assert_int_eq(s.tid, 78);
    ck_assert_int_eq(s.cpu, 1);
    ck_assert_int_eq(s.nframes, 1);
    ck_assert(!s.frame[0].kernel);
    ck_assert_uint_eq(strlen(s.frame[0].sym), PERF_SCRIPT_SYM_LEN - 1);
    ck_assert_int_eq(perf_script_next(&ps, &s, err, sizeof err), 1);
    ck_assert_str_eq(s.comm, ":-1");
    ck_assert_int_eq(s.pid, 14383);
    ck_assert_int_eq(s.tid, -1);
    ck_assert_int_eq(s.cpu, 0);
    ck_assert(s.frame[0].kernel);
    ck_assert_str_eq(s.frame[0].sym, "add_device_randomness");
    ck_assert_int_eq(s.line, 4);
    ck_assert_int_eq(perf_script_next(&ps, &s, err, sizeof err), 0);
    fclose(f);
}
END_TEST

/* attrib_perf_data on a file that is not there: an error naming it (perf
 * missing is an error too), never a zero profile. */
START_TEST(perf_data_missing)
{
    struct val_attrib a;
    memset(&a, 0, sizeof a);
    struct attrib_who who = {1, 2};
    char err[512] = "";
    ck_assert_int_eq(attrib_perf_data("/nonexistent/perf.data", &who, &a, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "perf"), "%s", err);
    ck_assert_uint_eq(a.samples, 0);
}
END_TEST

static Suite *attrib_suite(void)
{
    Suite *s = suite_create("attrib");
    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, same_cpu);
    tcase_add_test(tc, split_shared);
    tcase_add_test(tc, other_cpu);
    tcase_add_test(tc, misc);
    tcase_add_test(tc, gro);
    tcase_add_test(tc, csum);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, header_shapes);
    tcase_add_test(tc, perf_data_missing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(attrib_suite());
}
