/* tests/common/sim_box.h: the simulator in a box for unit tests: a machine,
 * an skb pool, the receiving host with its three policies chosen by name,
 * and one NIC fed from frames held in memory (no trace file, no process
 * boundary), run until its event queue drains.  The bytes every reader reads
 * are collected in order, so a test compares them with the stream it sent. */
#ifndef RXSIM_TESTS_SIM_BOX_H
#define RXSIM_TESTS_SIM_BOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "netstack/host.h"
#include "netstack/skb_pool.h"
#include "sim/machine.h"

struct box_config {
    const char *csum, *deliver, *recycle;       /* policy names; NULL: softirq, packet, percpu */
    const char *receive;                        /* NULL: copy */
    int cpus;                                   /* 0: 2 */
    const char *irq;                            /* NULL: "fixed:0" */
    int app_cpu;                                /* the reader's (fixed) */
    uint32_t ring, queues, rx_usecs, rx_frames, budget;     /* 0: 256, 1, 0, 1, 64 */
    uint32_t recv_size;                          /* 0: 16384 */
    double app_cycles_per_byte;                 /* the reader's work on what it read; 0: none */
    uint64_t rate_bps;                          /* 0: arrive at the frames' timestamps */
    uint32_t gro_flush_timeout_ns, defer_hard_irqs;     /* drivers/nic.h; 0: off */
    bool veth;                                  /* no interrupt: the poll follows the burst */
    uint32_t veth_gap_ns;                       /* 0: NIC_VETH_GAP_US */
    int veth_sender;                            /* 1 + the sender's CPU; 0: the poll's CPU */
};

struct box_frame {                              /* one Ethernet frame, captured whole */
    const uint8_t *data;
    uint32_t len;
    int64_t ts_ns;
};

struct sim_box {
    struct sim_machine m;
    struct skb_pool pool;
    const struct recycle_policy_ops *recycle;
    void *recycle_state;
    struct rx_host host;
    struct nic nic;
    const struct box_frame *frames;
    size_t nframes, next;
    uint8_t *read;                              /* every byte the readers read, in order */
    size_t nread, read_cap;
};

/* 0, or -1 with a message on stderr (unknown policy, no memory). */
int box_init(struct sim_box *b, const struct box_config *cfg, const struct box_frame *frames, size_t n);
/* Starts the NIC and runs every event. */
void box_run(struct sim_box *b);
/* Tears down the NIC and the host, then checks nothing leaked from the pool:
 * true when every buffer came back. */
bool box_fini(struct sim_box *b);

/* One IPv4 flow (tests/common/pkt.h's defaults) of n segments of seg
 * payload bytes cut from stream, gap_ns apart, PSH on the last: frame k is
 * built in bytes + k * stride and described in frames[k].  0, or -1 when a
 * frame does not come out as 54 header bytes + seg. */
int box_flow_frames(const uint8_t *stream, uint32_t seg, int n, int64_t gap_ns, uint8_t *bytes, size_t stride,
                    struct box_frame *frames);

#endif
