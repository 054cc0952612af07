/* traces/synth.h: the netperf TCP_STREAM-like trace writer behind `rxsim synth`.
 *
 * N flows, each a client (10.0.H.1:40000+i%25000, H = i/25000; or
 * 2001:db8::H:1 with --ipv6) sending B bytes to 10.0.0.2:5001 (2001:db8::2):
 * handshake (SYN with MSS, SACK-permitted, timestamps, window scale), data in
 * S-byte writes cut into segments of at most MSS - 12 payload bytes (MSS =
 * MTU - 40 for IPv4, MTU - 60 for IPv6, less the 12-byte timestamp option
 * every segment carries, as Linux sends them), receiver ACKs every second
 * data segment, FIN both ways.  Flows take turns, one data segment each.
 *
 * Content (docs/user-guide.md, "rxsim synth"): flow i's stream is the
 * little-endian bytes of successive xoshiro256** outputs (sim/rng.h) seeded
 * with seed + (i + 1) * 0x9e3779b97f4a7c15 (mod 2^64), cut to B bytes.
 *
 * Impairments are drawn from a per-flow stream seeded with
 * seed ^ ((i + 1) * 0xd1b54a32d192ed03); the bad-checksum segments are N
 * distinct data segments picked over all flows from a stream seeded with
 * seed itself.  So a flow's trace depends only on the seed, its index and the
 * options, never on the interleaving.
 *
 * What a receiver then sees is computed here too (struct synth_dir_expect),
 * by a segment-granular model of the receive rules in docs/user-guide.md
 * ("How the stack decides"): segments never partially overlap, so a segment
 * is either next in order, ahead of a hole, or wholly old.
 */
#ifndef RXSIM_TRACES_SYNTH_H
#define RXSIM_TRACES_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the options; anything outside is refused by synth_check(). */
#define SYNTH_FLOWS_MAX     65535u
#define SYNTH_MTU_MIN       128u
#define SYNTH_MTU_MAX       65535u             /* above 9000: GRO-sized super-packets, as a
                                                  capture on a receiver with GRO on holds */
#define SYNTH_BYTES_MAX     (16ull << 30)      /* per flow */
#define SYNTH_TOTAL_MAX     (1ull << 40)       /* over all flows: 1 TiB of pcap is already absurd */
#define SYNTH_MSG_MAX       (64u << 20)
#define SYNTH_RATE_MIN      1000000ull         /* bits/s */
#define SYNTH_RATE_MAX      400000000000ull
#define SYNTH_BAD_CSUM_MAX  1000000ull
#define SYNTH_LOSS_DELAY    3                  /* a lost segment comes back after this many later ones */
#define SYNTH_SNAPLEN       65535u             /* raised to the frame length above MTU 65521 */
#define SYNTH_EPOCH_S       1704067200ull      /* first frame: 2024-01-01 00:00:00 UTC */
#define SYNTH_SERVER_PORT   5001u
#define SYNTH_CLIENT_PORT0  40000u
#define SYNTH_PORTS_PER_HOST 25000u

struct synth_opts {
    const char *path;           /* pcap to write */
    uint32_t flows;
    uint64_t bytes;             /* per flow */
    uint32_t mtu;
    uint32_t send_size;          /* the sender's write size */
    uint64_t rate_bps;          /* wire rate, preamble + FCS + inter-frame gap included;
                                 * an integer so frame times are exact integer arithmetic */
    double loss, reorder, dup;  /* probabilities in [0, 1] */
    uint64_t bad_csum;          /* exactly this many data segments with a bad TCP checksum */
    uint64_t seed;
    bool ipv6;
    bool acks;                  /* receiver ACKs every second data segment */
    bool nsec;                  /* nanosecond pcap */
    /* optional: called now and then while writing with the stream bytes
     * cut into segments so far, of flows x bytes (a progress line) */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

/* What `rxsim inspect` must report for one direction. */
struct synth_dir_expect {
    uint64_t segments;                  /* every frame of this direction */
    uint64_t bytes;                     /* delivered in order */
    uint64_t retransmitted_segments;    /* wholly old data on arrival */
    uint64_t out_of_order_segments;     /* new data behind a hole on arrival */
    uint64_t bad_checksum_segments;
};

struct synth_flow {
    char client[48], server[48];        /* addresses as text */
    uint16_t client_port, server_port;
    uint64_t content_seed;
    uint64_t data_segments;             /* segments the stream is cut into */
    uint64_t lost, reordered, duplicated, bad_csum; /* impairments applied */
    uint8_t sha256[32];                 /* of the client's B bytes */
    struct synth_dir_expect up, down;   /* client→server, server→client */
};

struct synth_result {
    uint64_t frames;
    uint64_t data_segments;             /* per flow, the same for every flow */
    uint32_t mss, seg_payload;
    uint64_t lost, reordered, duplicated, bad_csum; /* sums over flows */
    uint64_t first_ts_ns, last_ts_ns;
    struct synth_flow *flow;            /* [opts.flows], malloc'd */
};

/* Defaults: 1 flow, 1 MiB, MTU 1500, 16 KiB writes, 1 Gbit/s, no impairment,
 * seed 1, IPv4, ACKs on, microsecond pcap. */
void synth_opts_default(struct synth_opts *o);

/* 0 when o is usable; else -1 and a one-line reason in msg (a usage error). */
int synth_check(const struct synth_opts *o, char *msg, size_t size);

/* Data segments each flow is cut into under o. */
uint64_t synth_segments_per_flow(const struct synth_opts *o);

/* Writes o->path.  0 on success with *res filled (free with synth_result_free);
 * -1 with msg filled when the file cannot be written or memory runs out (the
 * partial file is removed). */
int synth_write(const struct synth_opts *o, struct synth_result *res, char *msg, size_t size);

/* The truth sidecar (JSON): options, content recipe, per direction the
 * 4-tuple, bytes, SHA-256 and expected counts.  command is recorded verbatim. */
int synth_write_truth(const struct synth_opts *o, const struct synth_result *res,
                      const char *path, const char *command, char *msg, size_t size);

void synth_result_free(struct synth_result *res);

/* The content seed of flow i (see the recipe above). */
uint64_t synth_content_seed(uint64_t seed, uint32_t flow);

#endif
