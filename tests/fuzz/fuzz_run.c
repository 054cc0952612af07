/* tests/fuzz/fuzz_run.c: libFuzzer harness over the whole `rxsim run` path:
 * the real cmd_run() (sim/cli/run_lib over sim/options and sim/session:
 * options, host guess, nic_trace, drivers/nic.c's replay clock, RX ring
 * and coalescing, sim/ machine and caches, netstack/host.c under the
 * policies, the report writers) on a
 * capture file made of the input.  fuzz_ingest.c covers the trace reader and
 * netstack alone; the replay clock's overflow (issue 10 item 7) lived in
 * drivers/nic.c, which only this path reaches.
 *
 * Input: 8 policy bytes, then the capture file.  The policy bytes choose
 * csum x delivery x recycle, CPUs, ring, queues, IRQ routing, rx-usecs,
 * rx-frames, budget, replay mode, reader affinity, copy routine, pool, cache
 * size, NICs, the report format and the receive policy, so the fuzzer explores the policy space
 * along with the trace.  An input that itself starts with a capture file's
 * magic (a shipped trace replayed by fuzz_regress_run) is run whole under
 * RAW_RUNS fixed combinations that between them use every csum, delivery and
 * recycle policy.
 *
 * Contract checked besides sanitizer reports: cmd_run() returns 0, 3, 4 or 5
 * (the arguments are valid, so usage (2) or internal (1) is a bug).
 *
 * The run's report (stdout) and its messages (stderr: the trace reader's
 * warnings wrote 857 MB in 25 minutes of fuzzing) go to /dev/null through
 * the stdio streams; sanitizers and libFuzzer write to fd 2 / their own
 * stream and are not silenced.  RXSIM_FUZZ_VERBOSE=1 keeps the messages.
 *
 * Speed: parsing the 96 KB calibration profile was 63% of an execution under
 * ASan (about 14 runs a second); the harness links with
 * -Wl,--wrap=costs_load,--wrap=costs_free and keeps the one profile it
 * loads (lookups take a const struct costs), so a run costs the run. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "copy/costs.h"
#include "sim/cli/commands.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct costs *__real_costs_load(const char *path, char *err, size_t errlen);
void __real_costs_free(struct costs *c);
struct costs *__wrap_costs_load(const char *path, char *err, size_t errlen);
void __wrap_costs_free(struct costs *c);

static struct costs *kept_profile;
static char *kept_path;

/* The profile of the first successful load, kept for the process: every run
 * names the same default profile. */
struct costs *__wrap_costs_load(const char *path, char *err, size_t errlen)
{
    if (kept_profile && !strcmp(path, kept_path))
        return kept_profile;
    struct costs *c = __real_costs_load(path, err, errlen);
    if (c && !kept_profile && (kept_path = strdup(path)))
        kept_profile = c;
    return c;
}

void __wrap_costs_free(struct costs *c)
{
    if (c != kept_profile)
        __real_costs_free(c);
}

#define POLICY_BYTES 8

static const char *const csums[] = { "softirq", "process", "offload" };
static const char *const deliveries[] = { "packet", "batch:", "gro" };
static const char *const recycles[] = { "none", "global", "percpu", "origin", "ring", "defer" };
static const char *const copies[] = { "glibc", "rep_movsb", "rep_movsl", "unrolled_int", "sse2", "nontemporal" };
static const char *const usecs[] = { "0", "1", "20", "100", "1000", "1000000" };
static const char *const rings[] = { "2", "4", "16", "64", "256", "1024" };
static const char *const budgets[] = { "1", "4", "64", "300" };
static const char *const frames[] = { "0", "1", "8", "64" };
static const char *const pools[] = { NULL, "16", "64", "512" };
static const char *const caches[] = { "4", "64", "1024" };
static const char *const replays[] = { "trace", "rate:10G", "rate:100M", "trace" };
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The choices one run makes, each a digit below its radix: the policy bytes
 * are read as one mixed-radix number, least significant digit first. */
enum { C_CPUS, C_CSUM, C_DELIVERY, C_BATCH, C_RECYCLE, C_COPY, C_RING, C_QUEUES, C_IRQ, C_IRQ_CPU,
       C_APP, C_APP_CPU, C_USECS, C_FRAMES, C_BUDGET, C_REPLAY, C_CACHE, C_POOL, C_NICS, C_VERIFY,
       C_FORMAT, C_MSG, C_RECV, C__COUNT };
static const unsigned radix[C__COUNT] = {
    [C_CPUS] = 4, [C_CSUM] = N(csums), [C_DELIVERY] = N(deliveries), [C_BATCH] = 4,
    [C_RECYCLE] = N(recycles), [C_COPY] = N(copies), [C_RING] = N(rings), [C_QUEUES] = 4,
    [C_IRQ] = 3, [C_IRQ_CPU] = 4, [C_APP] = 3, [C_APP_CPU] = 4, [C_USECS] = N(usecs),
    [C_FRAMES] = N(frames), [C_BUDGET] = N(budgets), [C_REPLAY] = N(replays), [C_CACHE] = N(caches),
    [C_POOL] = N(pools), [C_NICS] = 4, [C_VERIFY] = 2, [C_FORMAT] = 3, [C_MSG] = 2, [C_RECV] = 2,
};

static void run(const char *path, const unsigned *c)
{
    char cpus_s[16], batch_s[16], queues_s[16], irq_s[32], app_s[32];
    const char *argv[64];
    int argc = 0;
    argv[argc++] = "run";
    argv[argc++] = "--no-progress";
    unsigned cpus = 1 + c[C_CPUS];
    snprintf(cpus_s, sizeof cpus_s, "%u", cpus);
    argv[argc++] = "--cpus", argv[argc++] = cpus_s;
    argv[argc++] = "--csum", argv[argc++] = csums[c[C_CSUM]];
    snprintf(batch_s, sizeof batch_s, "%s%s", deliveries[c[C_DELIVERY]],
             c[C_DELIVERY] == 1 ? (const char *const[]){ "1", "7", "64", "256" }[c[C_BATCH]] : "");
    argv[argc++] = "--delivery", argv[argc++] = batch_s;
    argv[argc++] = "--recycle", argv[argc++] = recycles[c[C_RECYCLE]];
    argv[argc++] = "--copy", argv[argc++] = copies[c[C_COPY]];
    argv[argc++] = "--ring", argv[argc++] = rings[c[C_RING]];
    snprintf(queues_s, sizeof queues_s, "%u", 1 + c[C_QUEUES]);
    argv[argc++] = "--queues", argv[argc++] = queues_s;
    if (c[C_IRQ] == 2)
        snprintf(irq_s, sizeof irq_s, "fixed:%u", c[C_IRQ_CPU] % cpus);
    else
        snprintf(irq_s, sizeof irq_s, "%s", c[C_IRQ] ? "rss" : "rr");
    argv[argc++] = "--irq", argv[argc++] = irq_s;
    if (c[C_APP] == 2)
        snprintf(app_s, sizeof app_s, "fixed:%u", c[C_APP_CPU] % cpus);
    else                                        /* 3..5: the whole-trace runs only (raw_choices) */
        snprintf(app_s, sizeof app_s, "%s",
                 (const char *const[]){ "waker", "float", "", "linux", "pin:irq", "pin:rr" }[c[C_APP] % 6]);
    argv[argc++] = "--app", argv[argc++] = app_s;
    argv[argc++] = "--rx-usecs", argv[argc++] = usecs[c[C_USECS]];
    argv[argc++] = "--rx-frames", argv[argc++] = frames[c[C_FRAMES]];
    argv[argc++] = "--budget", argv[argc++] = budgets[c[C_BUDGET]];
    argv[argc++] = "--replay", argv[argc++] = replays[c[C_REPLAY]];
    argv[argc++] = "--cache-kib", argv[argc++] = caches[c[C_CACHE]];
    if (pools[c[C_POOL]])
        argv[argc++] = "--pool", argv[argc++] = pools[c[C_POOL]];
    if (c[C_NICS] == 3)                         /* mostly one NIC: shares read the trace again */
        argv[argc++] = "--nics", argv[argc++] = "2";
    if (c[C_VERIFY])
        argv[argc++] = "--no-verify-csum";
    if (c[C_FORMAT])
        argv[argc++] = c[C_FORMAT] == 1 ? "--json" : "--csv";
    argv[argc++] = "--recv-size", argv[argc++] = c[C_MSG] ? "1000" : "16384";
    if (c[C_RECV] && strcmp(csums[c[C_CSUM]], "process")) {    /* zerocopy refuses process (exit 2) */
        argv[argc++] = "--receive", argv[argc++] = "zerocopy";
        argv[argc++] = "--reader-threads", argv[argc++] = "2";
    }
    argv[argc++] = path;
    argv[argc] = NULL;

    static FILE *devnull;
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("RXSIM_FUZZ_VERBOSE");
        verbose = v && *v && strcmp(v, "0");
        devnull = fopen("/dev/null", "w");
    }
    FILE *out = stdout, *err = stderr;
    if (devnull) {
        stdout = devnull;
        if (!verbose)
            stderr = devnull;
    }
    int rc = cmd_run(argc, (char **)argv);
    if (devnull)
        fflush(devnull);
    stdout = out;
    stderr = err;
    if (rc != 0 && rc != 3 && rc != 4 && rc != 5) {
        fprintf(stderr, "fuzz_run: rxsim run exited %d (want 0, 3, 4 or 5):", rc);
        for (int i = 0; i < argc; i++)
            fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, "\n");
        abort();
    }
}

static bool capture_magic(const uint8_t *p, size_t n)
{
    static const uint32_t magics[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a };
    if (n < 4)
        return false;
    uint32_t m = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    for (size_t i = 0; i < N(magics); i++)
        if (m == magics[i])
            return true;
    return false;
}

/* A whole trace runs RAW_RUNS times: run i uses csum i % 3, delivery i % 3,
 * recycle i, i % 4 + 1 CPUs, readers linux (1), pin:irq (2), pin:rr (3) or
 * fixed:(1 mod CPUs), --receive zerocopy with 2 reader threads in runs 0 and
 * 2, and defaults-like values for the rest. */
#define RAW_RUNS 5
static void raw_choices(unsigned i, unsigned *c)
{
    memset(c, 0, sizeof(unsigned) * C__COUNT);
    c[C_CPUS] = i % 4;
    c[C_CSUM] = i % 3;
    c[C_DELIVERY] = i % 3;
    c[C_BATCH] = 2;
    c[C_RECYCLE] = i;
    c[C_COPY] = i % N(copies);
    c[C_RING] = 4;                              /* 256 */
    c[C_QUEUES] = i % 2;
    c[C_IRQ] = i % 3;
    c[C_APP] = i == 1 ? 3 : i == 2 ? 4 : i == 3 ? 5 : 2;   /* linux, pin:irq, pin:rr, else fixed:1 mod cpus */
    c[C_APP_CPU] = 1;
    c[C_USECS] = 2;                             /* 20 */
    c[C_BUDGET] = 2;                            /* 64 */
    c[C_REPLAY] = i == 4;                       /* one back to back at 10G */
    c[C_CACHE] = 2;
    c[C_NICS] = i == 3 ? 3 : 0;
    c[C_FORMAT] = i % 3;
    c[C_RECV] = (i + 1) % 2;                    /* zerocopy in runs 0 and 2 (process in 4 refuses it) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("rxsim-fuzz-run", 0);
        if (fd < 0)
            return 0;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    bool raw = capture_magic(data, size);
    if (!raw && size < POLICY_BYTES)
        return 0;
    const uint8_t *trace = raw ? data : data + POLICY_BYTES;
    size_t n = raw ? size : size - POLICY_BYTES;
    if (ftruncate(fd, 0) < 0 || pwrite(fd, trace, n, 0) != (ssize_t)n)
        return 0;
    unsigned c[C__COUNT];
    if (raw) {
        for (unsigned i = 0; i < RAW_RUNS; i++) {
            raw_choices(i, c);
            run(path, c);
        }
        return 0;
    }
    uint64_t bits = 0;
    for (int i = 0; i < POLICY_BYTES; i++)
        bits |= (uint64_t)data[i] << (8 * i);
    for (int i = 0; i < C__COUNT; i++) {       /* the digits past 2^64 are 0 */
        c[i] = (unsigned)(bits % radix[i]);
        bits /= radix[i];
    }
    run(path, c);
    return 0;
}
