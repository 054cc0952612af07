/* drivers/nic_live.h: a live capture (libpcap) as a NIC's frame source.
 *
 * The capture is non-blocking: its owner watches l->fd in an event
 * loop, calls nic_live_poll() when it is readable, then nic_source_ready()
 * on the NIC, which asks this source again.  Frames the host receives (the
 * same rules as a trace: drivers/nic_trace.h) are copied into a bounded
 * queue, at most NIC_LIVE_QUEUE_FRAMES frames and NIC_LIVE_QUEUE_BYTES bytes;
 * a frame that finds it full is lost and counted (queue_drops): the
 * simulation fell behind the wire.  Between frames the source answers
 * NIC_SOURCE_PENDING, so the NIC waits instead of ending; after
 * nic_live_end() an empty queue is the end.
 *
 * Memory: the queue's array plus one malloc'd copy per queued frame, so at
 * most NIC_LIVE_QUEUE_BYTES of frame bytes (64 MiB). */
#ifndef RXSIM_DRIVERS_NIC_LIVE_H
#define RXSIM_DRIVERS_NIC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/nic.h"
#include "drivers/nic_trace.h"

#define NIC_LIVE_QUEUE_FRAMES 65536
#define NIC_LIVE_QUEUE_BYTES (64u << 20)
#define NIC_LIVE_SNAPLEN 262144

struct nic_live_config {
    bool promisc;               /* default off: only what the host would see */
    uint32_t buffer_kib;        /* the kernel's capture buffer */
    const char *filter;         /* BPF, tcpdump syntax; NULL: everything */
    uint64_t limit;             /* stop queueing after this many received frames; 0: none */
};

/* Why nic_live_open() failed, so the command can pick its exit status. */
enum nic_live_error {
    NIC_LIVE_ERR_OTHER = -1,
    NIC_LIVE_ERR_NODEV = -2,    /* no such interface, or it is down */
    NIC_LIVE_ERR_PERM = -3,     /* needs root or CAP_NET_RAW */
    NIC_LIVE_ERR_FILTER = -4,   /* the BPF expression does not compile */
    NIC_LIVE_ERR_LINKTYPE = -5, /* a link type traces/linktype.h cannot read */
};

struct nic_live_slot {
    struct skb f;               /* f.data: data */
    uint8_t *data;
};

struct nic_live {
    void *pcap;                 /* pcap_t */
    int fd;                     /* pcap_get_selectable_fd() */
    bool nano;                  /* timestamps in ns (else us) */
    struct nic_trace *filter;   /* host filter and its counters; filter->t is NULL */
    uint64_t limit;
    struct nic_live_slot *q;
    uint32_t head, len;
    uint64_t bytes;
    uint8_t *cur;               /* the frame the NIC is about to DMA */
    bool ended;
    bool have_ts;
    int64_t ts0_ns, newest_ns;  /* first and newest received frame's capture time */
    uint64_t captured;          /* records libpcap handed over */
    uint64_t received;          /* to the host, queued or lost */
    uint64_t queue_drops;
    char err[512];
};

/* Opens iface: pcap_create, snaplen NIC_LIVE_SNAPLEN, promiscuous only when
 * asked, immediate mode, the buffer size, ns timestamps when the kernel has
 * them, pcap_activate, the filter, non-blocking.  filter->dlt is set.  0, or
 * an enum nic_live_error with l->err saying what and why. */
int nic_live_open(struct nic_live *l, const char *iface, const struct nic_live_config *cfg,
                  struct nic_trace *filter);

/* Reads what the kernel has (without blocking) into the queue.  The number of
 * records read, or -1 on a capture error (l->err). */
int nic_live_poll(struct nic_live *l);

/* Kernel drops so far (pcap_stats ps_drop + ps_ifdrop), 0 when unknown. */
uint64_t nic_live_kernel_drops(struct nic_live *l);

/* No more frames will come: the NIC ends once the queue is empty. */
void nic_live_end(struct nic_live *l);

/* The simulated time of the newest received frame (relative to the first). */
sim_ps nic_live_newest(const struct nic_live *l);

struct nic_source nic_live_source(struct nic_live *l);

/* Closes the capture and frees the queue.  A zeroed l is a no-op. */
void nic_live_close(struct nic_live *l);

#endif
