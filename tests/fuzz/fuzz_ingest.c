/* tests/fuzz/fuzz_ingest.c: libFuzzer harness over the whole ingest path:
 * bytes → a capture file → libpcap (traces/) → link decap → netstack (IPv4,
 * IPv6, TCP, reassembly) with checksums verified and not.  Any crash, leak
 * or sanitizer report is a bug; inputs that found one are kept in
 * tests/fuzz/crashers/ and replayed by the fuzz_regress test.
 *
 * libpcap reads from a path, so the input goes into a memfd and is opened as
 * /proc/self/fd/N: no disk I/O, and the real file-reading code runs.
 *
 * The trace reader's warnings (stdio stderr) go to /dev/null: they wrote
 * 857 MB in 25 minutes of fuzzing and slowed every run.  Sanitizers and
 * libFuzzer write to fd 2 / their own stream and are not silenced;
 * RXSIM_FUZZ_VERBOSE=1 keeps the warnings. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drivers/replay.h"
#include "netstack/netstack.h"
#include "traces/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t sink;

static void on_deliver(void *ctx, const struct skb *skb, struct tcp_conn *c, int dir, const uint8_t *p,
                       uint32_t n)
{
    (void)ctx; (void)skb; (void)c; (void)dir;
    for (uint32_t i = 0; i < n; i += 64)    /* touch the bytes: overreads must show */
        sink += p[i];
    if (n)
        sink += p[n - 1];
}

static void run_once(const char *path, bool verify)
{
    struct trace_err err;
    struct trace *t = trace_open(path, NULL, &err);
    if (!t)
        return;
    struct netstack ns;
    struct netstack_config cfg = { .verify_csum = verify, .ooo_limit = 64 * 1024, .deliver = on_deliver };
    if (netstack_init(&ns, &cfg) == 0) {
        struct replay_stats st;
        replay_trace(t, &ns, &st, NULL, NULL, &err);
        netstack_fini(&ns);
    }
    trace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("rxsim-fuzz", 0);
        if (fd < 0)
            return 0;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    static FILE *devnull;
    static int verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("RXSIM_FUZZ_VERBOSE");
        verbose = v && *v && strcmp(v, "0");
        devnull = verbose ? NULL : fopen("/dev/null", "w");
    }
    FILE *err = stderr;
    if (devnull)
        stderr = devnull;
    run_once(path, true);
    run_once(path, false);
    stderr = err;
    return 0;
}
