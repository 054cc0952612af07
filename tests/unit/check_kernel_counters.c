/* tests/unit/check_kernel_counters.c: the /proc parsers and the delta
 * arithmetic of sim/validate/kernel_counters.c on fixtures copied from this
 * machine's /proc (kernel 6.18, 2 CPUs), trimmed; every expected value is
 * worked out by hand in the comment beside it.  No root, no kernel. */
#include <check.h>
#include <string.h>

#include "sim/validate/kernel_counters.h"
#include "tests/common/testenv.h"

static char err[256];

static const char snmp[] =
    "Ip: Forwarding DefaultTTL InReceives InHdrErrors\n"
    "Ip: 2 64 1190 0\n"
    "Icmp: InMsgs InErrors\n"
    "Icmp: 0 0\n"
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
    "CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
    "Tcp: 1 200 120000 -1 0 6 0 0 0 1118484 27057 0 0 0 0\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 0 0\n";

static const char netstat[] =
    "TcpExt: SyncookiesSent SyncookiesRecv DelayedACKs DelayedACKLocked\n"
    "TcpExt: 0 0 17 2\n"
    "IpExt: InNoRoutes InTruncatedPkts\n"
    "IpExt: 0 0\n";

START_TEST(pairs_snmp_and_netstat)
{
    uint64_t v = 0;
    /* InSegs is the 10th Tcp name, so the 10th value: 1118484; OutSegs the 11th: 27057. */
    ck_assert_int_eq(kernel_parse_pairs(snmp, "Tcp", "InSegs", &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 1118484);
    ck_assert_int_eq(kernel_parse_pairs(snmp, "Tcp", "OutSegs", &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 27057);
    ck_assert_int_eq(kernel_parse_pairs(netstat, "TcpExt", "DelayedACKs", &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 17);
    /* MaxConn is -1: not a counter, and said so. */
    ck_assert_int_eq(kernel_parse_pairs(snmp, "Tcp", "MaxConn", &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "MaxConn") != NULL, "%s", err);
}
END_TEST

START_TEST(pairs_missing_or_broken)
{
    uint64_t v = 0;
    ck_assert_int_eq(kernel_parse_pairs(snmp, "Tcp", "NoSuchField", &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "Tcp: NoSuchField") != NULL, "%s", err);
    ck_assert_int_eq(kernel_parse_pairs(snmp, "TcpExt", "InSegs", &v, err, sizeof err), -1);
    /* A names line with no values line after it. */
    ck_assert_int_eq(kernel_parse_pairs("Tcp: InSegs OutSegs\n", "Tcp", "InSegs", &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no values") != NULL, "%s", err);
    /* A values line that is short of the field's column. */
    ck_assert_int_eq(kernel_parse_pairs("Tcp: A InSegs\nTcp: 1\n", "Tcp", "InSegs", &v, err, sizeof err), -1);
}
END_TEST

START_TEST(softirqs_sum_over_cpus)
{
    static const char t[] =
        "                    CPU0       CPU1       \n"
        "          HI:          0          0\n"
        "       TIMER:     974170    1004788\n"
        "      NET_TX:      20154      16339\n"
        "      NET_RX:    4132865    3889487\n";
    uint64_t v = 0;
    /* 4132865 + 3889487 = 8022352 */
    ck_assert_int_eq(kernel_parse_softirqs(t, "NET_RX", 0, &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 8022352);
    ck_assert_int_eq(kernel_parse_softirqs(t, "NET_RX", 1, &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 4132865);  /* CPU0 alone: the bench's CPUs, not a bigger host's others */
    /* NET_TX must not be taken for NET_RX, nor a prefix for the name. */
    ck_assert_int_eq(kernel_parse_softirqs(t, "NET_TX", 0, &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 36493);    /* 20154 + 16339 */
    ck_assert_int_eq(kernel_parse_softirqs(t, "NET", 0, &v, err, sizeof err), -1);
    ck_assert_int_eq(kernel_parse_softirqs("NET_RX: 12 x3\n", "NET_RX", 0, &v, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "column 2") != NULL, "%s", err);
}
END_TEST

START_TEST(softnet_first_column_hex)
{
    static const char t[] =
        "0057cb92 00000000 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        "00537d27 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000001\n";
    uint64_t v = 0;
    /* 0x57cb92 = 5*16^5 + 7*16^4 + 12*16^3 + 11*16^2 + 9*16 + 2 = 5242880 + 458752 + 49152
     * + 2816 + 144 + 2 = 5753746; 0x537d27 = 5242880 + 196608 + 28672 + 3328 + 32 + 7 =
     * 5471527; sum 11225273. */
    ck_assert_int_eq(kernel_parse_softnet(t, &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 11225273);
    ck_assert_int_eq(kernel_parse_softnet("", &v, err, sizeof err), -1);
    ck_assert_int_eq(kernel_parse_softnet("zz 00\n", &v, err, sizeof err), -1);
}
END_TEST

START_TEST(stat_total_and_steal)
{
    static const char t[] =
        "cpu  1265819 765434 618644 4849285 1654 0 5082 13626 0 0\n"
        "cpu0 643309 382295 297699 2427235 366 0 2177 6447 0 0\n"
        "cpu1 622510 383139 320945 2422050 1287 0 2905 7179 0 0\n"
        "intr 1 2 3\n";
    struct kernel_cpu_times c;
    ck_assert_int_eq(kernel_parse_stat(t, -1, &c, err, sizeof err), 0);
    /* 1265819 + 765434 + 618644 + 4849285 + 1654 + 0 + 5082 + 13626 = 7519544 */
    ck_assert_uint_eq(kernel_cpu_total(&c), 7519544);
    ck_assert_uint_eq(c.steal, 13626);
    ck_assert_int_eq(kernel_parse_stat(t, 1, &c, err, sizeof err), 0);
    ck_assert_uint_eq(c.idle, 2422050);
    ck_assert_uint_eq(c.steal, 7179);
    ck_assert_int_eq(kernel_parse_stat(t, 2, &c, err, sizeof err), -1);
    /* the bench's CPUs, 0 and 1, added field by field */
    struct kernel_cpu_times c0, c1, both;
    ck_assert_int_eq(kernel_parse_stat(t, 0, &c0, err, sizeof err), 0);
    ck_assert_int_eq(kernel_parse_stat(t, 1, &c1, err, sizeof err), 0);
    ck_assert_int_eq(kernel_parse_stat_bench(t, &both, err, sizeof err), 0);
    ck_assert_uint_eq(kernel_cpu_total(&both), kernel_cpu_total(&c0) + kernel_cpu_total(&c1));
    ck_assert_uint_eq(both.steal, c0.steal + c1.steal);
    ck_assert_int_eq(kernel_parse_stat("cpu 1 2 3\n", -1, &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "field 4") != NULL, "%s", err);
}
END_TEST

START_TEST(netdev_rx_packets)
{
    static const char t[] =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop\n"
        "    lo:       0       0    0    0    0     0          0         0        0       0    0    0\n"
        "rxvkernelr: 562112930  376692    0    0    0     0          0         0  451880   8650    0    0\n";
    uint64_t v = 0;
    ck_assert_int_eq(kernel_parse_netdev(t, "rxvkernelr", &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 376692);       /* the second number after the colon, not the bytes */
    ck_assert_int_eq(kernel_parse_netdev(t, "lo", &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(kernel_parse_netdev(t, "rxvkernels", &v, err, sizeof err), -1);
}
END_TEST

START_TEST(tsc_from_kernel_log)
{
    double ghz = 0;
    static const char detected[] = "[    0.000020] tsc: Detected 2445.404 MHz processor\n"
                                   "[    0.052342] TSC deadline timer available\n";
    ck_assert_int_eq(kernel_parse_tsc_dmesg(detected, &ghz, err, sizeof err), 1);
    ck_assert_double_eq_tol(ghz, 2.445404, 1e-9);
    /* The refined calibration wins over the first guess, whatever the order. */
    static const char both[] = "[ 1.5] tsc: Refined TSC clocksource calibration: 2099.998 MHz\n"
                               "[ 0.0] tsc: Detected 2100.000 MHz processor\n";
    ck_assert_int_eq(kernel_parse_tsc_dmesg(both, &ghz, err, sizeof err), 2);
    ck_assert_double_eq_tol(ghz, 2.099998, 1e-9);
    ck_assert_int_eq(kernel_parse_tsc_dmesg("[ 0.1] Linux version 6.18\n", &ghz, err, sizeof err), 0);
    ck_assert_int_eq(kernel_parse_tsc_dmesg("[ 0.1] tsc: Detected fast MHz processor\n", &ghz, err, sizeof err), -1);
}
END_TEST

START_TEST(tsc_from_cpuinfo)
{
    double ghz = 0;
    ck_assert_int_eq(kernel_parse_tsc_cpuinfo("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ "
                                              "2.40GHz\n", &ghz, err, sizeof err), 1);
    ck_assert_double_eq_tol(ghz, 2.40, 1e-12);
    ck_assert_int_eq(kernel_parse_tsc_cpuinfo("model name\t: AMD EPYC\n", &ghz, err, sizeof err), 0);
    ck_assert_int_eq(kernel_parse_tsc_cpuinfo("model name\t: Odd @ soon\n", &ghz, err, sizeof err), -1);
}
END_TEST

/* Two snapshots of a GRO-on rep measured on this machine (counters.txt of
 * same-csum-gro-1500). */
static const struct kernel_snap before = {
    .t = 100.25, .rx_packets = 1118485, .in_segs = 1118484, .out_segs = 27057, .delayed_acks = 0,
    .net_rx = 8187933, .softnet_processed = 12632136, .cpu_total = 7605853, .cpu_steal = 13700,
};

START_TEST(delta_of_a_rep)
{
    struct kernel_snap after = {
        .t = 100.80, .rx_packets = 1495177, .in_segs = 1134704, .out_segs = 35707, .delayed_acks = 3,
        .net_rx = 8227860, .softnet_processed = 12657006, .cpu_total = 7606053, .cpu_steal = 13710,
    };
    struct val_counters c;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(kernel_snap_delta(&before, &after, &c, err, sizeof err), 0);
    ck_assert_double_eq_tol(c.seconds, 0.55, 1e-9);
    ck_assert_uint_eq(c.segs_in, 376692);        /* 1495177 - 1118485: wire segments */
    ck_assert_uint_eq(c.segs_out, 8650);         /* 35707 - 27057 */
    ck_assert_uint_eq(c.delayed_acks, 3);
    ck_assert_uint_eq(c.net_rx_softirqs, 39927); /* 8227860 - 8187933 */
    /* Tcp InSegs' delta 1134704 - 1118484 = 16220 skbs; softnet processed
     * 12657006 - 12632136 = 24870 = 16220 + 8650 ACKs: no other traffic. */
    ck_assert_uint_eq(c.skbs, 16220);
    ck_assert_uint_eq(kernel_snap_other_skbs(&before, &after), 0);
    after.softnet_processed += 37;
    ck_assert_uint_eq(kernel_snap_other_skbs(&before, &after), 37);
    ck_assert_double_eq_tol(c.steal_share, 10.0 / 200.0, 1e-12);
}
END_TEST

START_TEST(delta_refuses_nonsense)
{
    struct val_counters c;
    struct kernel_snap after = before;
    after.in_segs = before.in_segs - 1;
    ck_assert_int_eq(kernel_snap_delta(&before, &after, &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "Tcp InSegs went backwards") != NULL, "%s", err);
    after = before;
    after.cpu_steal -= 1;
    ck_assert_int_eq(kernel_snap_delta(&before, &after, &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "steal went backwards") != NULL, "%s", err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kernel_counters");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, pairs_snmp_and_netstat);
    tcase_add_test(tc, pairs_missing_or_broken);
    tcase_add_test(tc, softirqs_sum_over_cpus);
    tcase_add_test(tc, softnet_first_column_hex);
    tcase_add_test(tc, stat_total_and_steal);
    tcase_add_test(tc, netdev_rx_packets);
    tcase_add_test(tc, tsc_from_kernel_log);
    tcase_add_test(tc, tsc_from_cpuinfo);
    suite_add_tcase(s, tc);
    tc = tcase_create("delta");
    tcase_add_test(tc, delta_of_a_rep);
    tcase_add_test(tc, delta_refuses_nonsense);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
