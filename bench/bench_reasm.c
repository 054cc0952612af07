/* bench/bench_reasm.c: the out-of-order queue under its worst shapes.
 *
 * One direction of tcp_reasm fed N one-byte segments behind a hole: the odd
 * bytes, then the even ones (each lands between two queued pieces), then the
 * first byte, which drains all N.  A sorted list walked half the queue per
 * insert: 240k took 24.5 s (issue 10 item 12); the red-black tree is O(log n)
 * per piece.  Also the reverse order (every piece before all queued ones)
 * and a random permutation.  Prints seconds per shape and checks that every
 * byte came out once, in order.  Usage: bench_reasm [N] (default 240000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netstack/tcp.h"
#include "netstack/tcp_reasm.h"

struct sink {
    uint8_t *buf;
    size_t len;
};

static void collect(void *ctx, const uint8_t *p, uint32_t n)
{
    struct sink *s = ctx;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Feeds byte order[k] for k < n-1 first, then byte 0; returns seconds, or -1
 * when the delivered stream is wrong. */
static double feed(const uint32_t *order, uint32_t n, const uint8_t *stream, uint8_t *out)
{
    struct tcp_reasm r;
    struct sink s = { out, 0 };
    enum rx_drop why;
    tcp_reasm_init(&r, (size_t)n * (1 + TCP_OOO_PIECE_COST));
    double t0 = now();
    tcp_reasm_segment(&r, 0, TCP_SYN, NULL, 0, collect, &s, &why);
    for (uint32_t k = 0; k < n; k++)
        if (order[k])
            tcp_reasm_segment(&r, 1 + order[k], TCP_ACK, stream + order[k], 1, collect, &s, &why);
    tcp_reasm_segment(&r, 1, TCP_ACK, stream, 1, collect, &s, &why);
    double t = now() - t0;
    bool ok = s.len == n && !memcmp(out, stream, n) && r.ooo_pieces == 0;
    tcp_reasm_fini(&r);
    return ok ? t : -1;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 240000;
    if (n < 2) {
        fprintf(stderr, "usage: bench_reasm [N >= 2]\n");
        return 2;
    }
    uint8_t *stream = malloc(n), *out = malloc(n);
    uint32_t *order = malloc(n * sizeof *order);
    if (!stream || !out || !order)
        return 1;
    for (uint32_t i = 0; i < n; i++)
        stream[i] = (uint8_t)(i * 131 + (i >> 8));

    struct { const char *name; int shape; } shapes[] = {
        { "interleaved (odd, then even)", 0 }, { "reverse", 1 }, { "random permutation", 2 },
    };
    int rc = 0;
    printf("%u one-byte segments behind a hole, then the hole filled:\n", n);
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        uint32_t m = 0;
        if (shapes[k].shape == 0) {
            for (uint32_t i = 1; i < n; i += 2) order[m++] = i;
            for (uint32_t i = 2; i < n; i += 2) order[m++] = i;
        } else if (shapes[k].shape == 1) {
            for (uint32_t i = n - 1; i >= 1; i--) order[m++] = i;
        } else {
            uint64_t x = 42;
            for (uint32_t i = 1; i < n; i++) order[m++] = i;
            for (uint32_t i = m - 1; i > 0; i--) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                uint32_t j = (uint32_t)((x >> 33) % (i + 1)), t = order[i];
                order[i] = order[j], order[j] = t;
            }
        }
        double t = feed(order, m + 1, stream, out);
        if (t < 0) {
            printf("  %-30s WRONG BYTES\n", shapes[k].name);
            rc = 1;
        } else
            printf("  %-30s %8.3f s\n", shapes[k].name, t);
    }
    free(stream), free(out), free(order);
    return rc;
}
