/* tests/e2e/check_live.c: rxsim live -i IFACE on a real TCP transfer.
 *
 *  - Always (no root needed): a non-existent interface exits 3 with a clear
 *    message; no -i, stray operands or run-only options are usage errors
 *    (exit 2); without privileges (setpriv to nobody, when we are root) the
 *    message says "needs root or CAP_NET_RAW".
 *  - As root, with network namespaces: two namespaces joined by a veth pair
 *    with offloads off (as traces/capture-netns.sh makes them; names unique
 *    to this process), rxsim live --json on the receiver's end while a
 *    Python sender writes 2 MB of random.Random(7) bytes to a listener in the
 *    receiver's namespace.  After the transfer, SIGINT: the report's one
 *    connection carries exactly the bytes sent with the sender's SHA-256;
 *    frames offered = to the stack + NIC drops (ring_full, frame_too_long);
 *    the drops by reason add up to frames_dropped and are under 10 % of the
 *    frames (the report has no "consumed" count to close the equation
 *    exactly); interrupts > 0; the receiver's own ACKs were skipped; no
 *    queue drops; the capture section says it stopped by signal.
 *  - --duration stops on its own (exit 0, a report, stopped_by duration).
 * The namespaces, veth and helper processes are removed in every case, also
 * when a test fails or the suite is killed with SIGTERM (meson's timeout).
 * Not root, or no netns/veth here: those tests are skipped with a message. */
#include <check.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/json_get.h"
#include "tests/common/testenv.h"

#define PAYLOAD 2000000
#define SEED 7

static char nsa[32], nsb[32], veth_a[16], veth_b[16];
static bool netns_up;
static bool offloads_off;       /* ethtool turned checksum offload off on both ends */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    fflush(NULL);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void netns_down(void)
{
    if (!netns_up)
        return;
    netns_up = false;
    /* Processes left in the namespaces (a failed test's listener) first. */
    sh("for ns in %s %s; do ip netns pids $ns 2>/dev/null | xargs -r kill -9; done; "
       "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", nsa, nsb, nsa, nsb);
}

static void on_term(int sig)
{
    netns_down();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* 0, or -1 with *why set: the environment cannot do it (skip). */
static int netns_setup(const char **why)
{
    if (geteuid() != 0) {
        *why = "not root: rxsim live's capture tests need network namespaces and a veth pair";
        return -1;
    }
    if (sh("command -v ip >/dev/null && command -v python3 >/dev/null")) {
        *why = "ip (iproute2) or python3 not found";
        return -1;
    }
    int id = (int)getpid();
    snprintf(nsa, sizeof nsa, "rxlA%d", id);
    snprintf(nsb, sizeof nsb, "rxlB%d", id);
    snprintf(veth_a, sizeof veth_a, "rxla%d", id % 1000000);
    snprintf(veth_b, sizeof veth_b, "rxlb%d", id % 1000000);
    if (sh("ip netns add %s 2>/dev/null", nsa)) {
        *why = "cannot create network namespaces here";
        return -1;
    }
    netns_up = true;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    if (sh("ip netns add %s && ip link add %s netns %s type veth peer name %s netns %s", nsb, veth_a, nsa,
           veth_b, nsb)) {
        netns_down();
        *why = "cannot create a veth pair here";
        return -1;
    }
    const char *nss[2] = { nsa, nsb }, *devs[2] = { veth_a, veth_b }, *addr[2] = { "10.79.0.1", "10.79.0.2" };
    for (int i = 0; i < 2; i++) {
        /* IPv4 only: no neighbour discovery or MLD in the capture. */
        if (sh("ip -n %s link set lo up && ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 && "
               "ip netns exec %s sysctl -qw net.ipv6.conf.default.disable_ipv6=1 && "
               "ip -n %s addr add %s/24 dev %s && ip -n %s link set %s mtu 1500 up",
               nss[i], nss[i], nss[i], nss[i], addr[i], devs[i], nss[i], devs[i])) {
            netns_down();
            *why = "cannot configure the veth pair";
            return -1;
        }
        /* Offloads off, so frames are MSS-sized with complete checksums (as
         * on a wire), which the simulated stack then verifies; without
         * ethtool the test runs with --no-verify-csum instead. */
        offloads_off = sh("ip netns exec %s ethtool -K %s tx off rx off sg off tso off gso off gro off "
                          ">/dev/null 2>&1", nss[i], devs[i]) == 0 && (i == 0 || offloads_off);
    }
    if (!offloads_off)
        printf("# ethtool could not turn offloads off: checksums are not verified on live frames\n");
    return 0;
}

static const char *const helper =
    "import hashlib, random, socket, sys, time\n"
    "def listen(addr):\n"
    "    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "    s.bind((addr, 5001)); s.listen(4); print('ready', flush=True)\n"
    "    c, _ = s.accept(); n = 0\n"
    "    while True:\n"
    "        b = c.recv(65536)\n"
    "        if not b: break\n"
    "        n += len(b)\n"
    "    c.close(); print('got', n, flush=True)\n"
    "def send(addr, size, seed):\n"
    "    data = random.Random(seed).randbytes(size)\n"
    "    for _ in range(100):\n"
    "        try:\n"
    "            s = socket.create_connection((addr, 5001)); break\n"
    "        except OSError: time.sleep(0.05)\n"
    "    s.sendall(data); s.shutdown(socket.SHUT_WR)\n"
    "    while s.recv(4096): pass\n"
    "    s.close(); print(len(data), hashlib.sha256(data).hexdigest(), flush=True)\n"
    "if sys.argv[1] == 'listen': listen(sys.argv[2])\n"
    "else: send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))\n";

static char tmp[4096], helper_py[4200];

/* Starts argv in the background, stdout/stderr to files; the pid. */
static pid_t spawn(char *const argv[], const char *out, const char *err)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits (up to secs) until path contains text. */
static bool wait_for(const char *path, const char *text, double secs)
{
    for (int i = 0; i < (int)(secs * 20); i++) {
        char *s = testenv_slurp(path, NULL);
        bool found = s && strstr(s, text);
        free(s);
        if (found)
            return true;
        usleep(50000);
    }
    return false;
}

static int wait_exit(pid_t pid, double secs)
{
    int st;
    for (int i = 0; i < (int)(secs * 20); i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

START_TEST(transfer_bytes_and_sha)
{
    char out[4300], err[4300], lout[4300], lerr[4300], sout[4300], serr[4300];
    snprintf(out, sizeof out, "%s/live.json", tmp);
    snprintf(err, sizeof err, "%s/live.err", tmp);
    snprintf(lout, sizeof lout, "%s/listen.out", tmp);
    snprintf(lerr, sizeof lerr, "%s/listen.err", tmp);
    snprintf(sout, sizeof sout, "%s/send.out", tmp);
    snprintf(serr, sizeof serr, "%s/send.err", tmp);
    char *live[] = { "ip", "netns", "exec", nsb, (char *)testenv_rxsim_bin(), "live", "-i", veth_b, "--json",
                     "--duration", "60", offloads_off ? NULL : "--no-verify-csum", NULL };
    pid_t lp = spawn(live, out, err);
    ck_assert_msg(wait_for(err, "capturing on", 10), "rxsim live did not start: %s", testenv_slurp(err, NULL));
    char *listen[] = { "ip", "netns", "exec", nsb, "python3", helper_py, "listen", "10.79.0.2", NULL };
    pid_t ls = spawn(listen, lout, lerr);
    ck_assert_msg(wait_for(lout, "ready", 10), "listener did not start: %s", testenv_slurp(lerr, NULL));
    char size[32], seed[32];
    snprintf(size, sizeof size, "%d", PAYLOAD);
    snprintf(seed, sizeof seed, "%d", SEED);
    char *send[] = { "ip", "netns", "exec", nsa, "python3", helper_py, "send", "10.79.0.2", size, seed, NULL };
    pid_t sp = spawn(send, sout, serr);
    ck_assert_msg(wait_exit(sp, 60) == 0, "sender failed: %s", testenv_slurp(serr, NULL));
    ck_assert_msg(wait_exit(ls, 10) == 0, "listener failed: %s", testenv_slurp(lerr, NULL));
    usleep(500000);                     /* the last ACKs and FINs on the wire */
    kill(lp, SIGINT);
    int rc = wait_exit(lp, 60);
    char *errtext = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "rxsim live: exit %d: %s", rc, errtext);
    ck_assert_msg(strstr(errtext, "frames/interrupt") && strstr(errtext, "goodput"),
                  "no live counter line: %s", errtext);

    char *sent = testenv_slurp(sout, NULL);
    long long sent_bytes = 0;
    char sent_sha[65] = "";
    ck_assert_msg(sent && sscanf(sent, "%lld %64s", &sent_bytes, sent_sha) == 2, "sender said: %s", sent);
    ck_assert_int_eq(sent_bytes, PAYLOAD);

    json_object *j = json_object_from_file(out);
    ck_assert_msg(j != NULL, "rxsim live: report is not JSON: %s", errtext);
    json_object *r = get(j, "result"), *drops = get(r, "drops");
    json_object *conns = get(j, "connections");
    ck_assert_msg(json_object_array_length(conns) == 1, "%zu connections, want 1",
                  json_object_array_length(conns));
    json_object *cn = json_object_array_get_idx(conns, 0);
    ck_assert_str_eq(str(cn, "to"), "10.79.0.2:5001");
    ck_assert_msg(i64(cn, "bytes") == PAYLOAD, "read %lld bytes, sent %d", (long long)i64(cn, "bytes"), PAYLOAD);
    ck_assert_str_eq(str(cn, "sha256"), sent_sha);

    int64_t offered = i64(r, "frames_offered"), to_stack = i64(r, "frames_to_stack");
    int64_t nic_drops = i64(drops, "ring_full") + i64(drops, "frame_too_long");
    ck_assert_msg(offered > PAYLOAD / 1500, "%lld frames offered for %d bytes", (long long)offered, PAYLOAD);
    ck_assert_msg(offered == to_stack + nic_drops, "%lld offered != %lld to the stack + %lld NIC drops",
                  (long long)offered, (long long)to_stack, (long long)nic_drops);
    int64_t all_drops = 0;
    json_object_object_foreach(drops, k, v) {
        (void)k;
        all_drops += json_object_get_int64(v);
    }
    ck_assert_int_eq(all_drops, i64(r, "frames_dropped"));
    ck_assert_msg(all_drops < offered / 10, "%lld of %lld frames dropped", (long long)all_drops, (long long)offered);
    ck_assert_msg(i64(r, "interrupts") > 0, "no interrupts");
    if (offloads_off) {     /* every frame's checksum was verified by the real routine, and was right */
        int64_t bad = i64(drops, "tcp_csum") + i64(drops, "ip_csum");
        ck_assert_msg(bad == 0, "%lld bad checksums on a veth with offloads off", (long long)bad);
    }
    json_object *cap = get(j, "capture");
    ck_assert_str_eq(str(cap, "stopped_by"), "signal");
    ck_assert_str_eq(str(cap, "interface"), veth_b);
    ck_assert_msg(i64(cap, "captured") >= offered, "captured %lld < offered %lld",
                  (long long)i64(cap, "captured"), (long long)offered);
    ck_assert_int_eq(i64(cap, "queue_drops"), 0);
    ck_assert_msg(i64(cap, "skipped_not_to_host") > 0, "the receiver's ACKs were not skipped");
    json_object_put(j);
    free(sent);
    free(errtext);
}
END_TEST

START_TEST(duration_stops_by_itself)
{
    char out[4300], err[4300];
    snprintf(out, sizeof out, "%s/dur.json", tmp);
    snprintf(err, sizeof err, "%s/dur.err", tmp);
    char *live[] = { "ip", "netns", "exec", nsb, (char *)testenv_rxsim_bin(), "live", "-i", veth_b, "--json",
                     "--duration", "1.5", NULL };
    pid_t lp = spawn(live, out, err);
    int rc = wait_exit(lp, 30);
    char *errtext = testenv_slurp(err, NULL);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, errtext);
    json_object *j = json_object_from_file(out);
    ck_assert_msg(j != NULL, "no JSON report: %s", errtext);
    ck_assert_str_eq(str(get(j, "capture"), "stopped_by"), "duration");
    ck_assert_msg(num(get(j, "capture"), "wall_s") >= 1.4, "stopped after %g s", num(get(j, "capture"), "wall_s"));
    json_object_put(j);
    free(errtext);
}
END_TEST

/* No root needed. */
START_TEST(bad_interface_and_usage)
{
    char err[4300];
    snprintf(err, sizeof err, "%s/bad.err", tmp);
    char *nodev[] = { "live", "-i", "rxsim-nosuch0", "--duration", "1", NULL };
    ck_assert_int_eq(testenv_rxsim(nodev, NULL, err), 3);
    char *text = testenv_slurp(err, NULL);
    ck_assert_msg(text && strstr(text, "rxsim-nosuch0") && strstr(text, "no such interface"), "message: %s", text);
    free(text);
    char *usage[][4] = { { "live", NULL }, { "live", "-i", "lo", "trace.pcap" },
                         { "live", "--realtime", "-i", "lo" }, { "live", "--nics", "2", "-i" } };
    for (size_t i = 0; i < ARRAY_LEN(usage); i++) {
        char *args[6] = { 0 };
        for (int k = 0; k < 4 && usage[i][k]; k++)
            args[k] = usage[i][k];
        ck_assert_msg(testenv_rxsim(args, NULL, NULL) == 2, "usage case %zu: want exit 2", i);
    }
    char *cnt[] = { "live", "-i", "lo", "--count", "0", NULL };
    ck_assert_int_eq(testenv_rxsim(cnt, NULL, NULL), 2);
}
END_TEST

START_TEST(unprivileged_says_why)
{
    if (geteuid() != 0 || sh("command -v setpriv >/dev/null"))
        return;                         /* nothing to drop to: covered by running as non-root */
    char err[4300];
    snprintf(err, sizeof err, "%s/perm.err", tmp);
    int rc = sh("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "
                "'%s' live -i lo --duration 1 >/dev/null 2>'%s'", testenv_rxsim_bin(), err);
    char *text = testenv_slurp(err, NULL);
    if (rc == 126 || rc == 127 || (text && strstr(text, "setpriv")))
        return;                         /* this setpriv cannot drop, or cannot run the binary */
    ck_assert_msg(rc == 3, "unprivileged: exit %d: %s", rc, text);
    ck_assert_msg(text && strstr(text, "needs root or CAP_NET_RAW"), "message: %s", text);
    free(text);
}
END_TEST

int main(void)
{
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(helper_py, sizeof helper_py, "%s/helper.py", tmp);
    FILE *f = fopen(helper_py, "w");
    if (!f || fputs(helper, f) < 0 || fclose(f))
        testenv_skip_suite("cannot write the helper script");
    chmod(tmp, 0755);

    Suite *s = suite_create("live");
    TCase *always = tcase_create("cli");
    tcase_set_timeout(always, 60);
    tcase_add_test(always, bad_interface_and_usage);
    tcase_add_test(always, unprivileged_says_why);
    suite_add_tcase(s, always);
    const char *why = NULL;
    if (netns_setup(&why) == 0) {
        TCase *tc = tcase_create("netns");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, transfer_bytes_and_sha);
        tcase_add_test(tc, duration_stops_by_itself);
        suite_add_tcase(s, tc);
    } else {
        printf("# SKIP netns capture tests: %s\n", why);
    }
    int rc = testenv_run_suite(s);
    netns_down();
    return rc;                          /* tmp goes at exit (testenv_mkdtemp) */
}
