/* sim/cost_table.h: cycles the model charges per event, each with where its
 * default comes from.  Per-byte costs (copy, checksum) are not here: they
 * come from the calibration profile (copy/costs.h).  A run can override any
 * entry with --costs FILE (sim/session/costs_file.h: {"name": cycles} or
 * {"name": {"cycles": N, "kind": "fitted", "source": "..."}}).
 *
 * Defaults are for a current x86-64 core near 2.6 GHz.  Each row says what
 * kind of number it is (ASSUMPTION: a stated guess; PUBLISHED: a figure from
 * a paper or vendor; FITTED: measured on a real kernel by `rxsim validate`
 * and `rxsim fit`, the source then naming kernel, CPU, date, runs, median
 * and IQR) and where it comes from, so a user knows which numbers to
 * distrust first.  `rxsim run --list-costs` and docs/model.md show them.
 * Putting a fitted value in is one row: its cycles, FITTED, and the source
 * `rxsim fit --c-rows` prints. */
#ifndef RXSIM_SIM_COST_TABLE_H
#define RXSIM_SIM_COST_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* X(enum suffix, key, default cycles, kind, source) */
#define SIM_COSTS(X) \
    X(IRQ_ENTRY,      "irq_entry",      1200, ASSUMPTION, "interrupt entry + exit + EOI on x86-64, 0.4-0.6 us at 2.6 GHz") \
    X(DRIVER_FRAME,   "driver_frame",      91, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 91 [IQR 71-211] cycles per segment in (rxsim fit)") \
    X(SOFTIRQ_PASS,   "softirq_pass",    8100, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 8100 [IQR 4386-9202] cycles per NET_RX softirq (rxsim fit)") \
    X(XMIT_PASS,      "xmit_pass",       1567, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 11 runs over 1 configuration, median 1567 [IQR 1305-1755] cycles per NET_RX softirq, in the sender's xmit (rxsim fit)") \
    X(NETIF_RECEIVE,  "netif_receive",    555, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 555 [IQR 410-853] cycles per skb after GRO (rxsim fit)") \
    X(TCP_RCV,        "tcp_rcv",         1320, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 1320 [IQR 1212-1475] cycles per skb after GRO (rxsim fit)") \
    X(TCP_QUEUE,      "tcp_queue",        287, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 287 [IQR 277-314] cycles per skb after GRO (rxsim fit)") \
    X(BESIDE_SENDER_SKB, "beside_sender_skb",   710, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 11 runs over 1 configuration, median 710 [IQR 572-796] cycles per skb after GRO on the sender's CPU, beyond netif_receive + tcp_rcv + tcp_queue as fitted in placement same (rxsim fit)") \
    X(GRO_MERGE,      "gro_merge",        387, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 11 runs over 1 configuration, median 387 [IQR 383-407] cycles per merged segment, GRO on (rxsim fit)") \
    X(TCP_ACK,        "tcp_ack",        6691, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 6691 [IQR 4519-7010] cycles per ACK sent (rxsim fit)") \
    X(ALLOC_SKB,      "alloc_skb",       160, ASSUMPTION, "slab fast path for skb head + data") \
    X(FREE_SKB,       "free_skb",         444, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 444 [IQR 400-566] cycles per segment in (a buffer freed per segment, GRO or not) (rxsim fit)") \
    X(POOL_LOCK,      "pool_lock",        60, ASSUMPTION, "uncontended spinlock; a bouncing lock line costs a transfer on top") \
    X(REMOTE_FREE,    "remote_free",     220, ASSUMPTION, "freeing an skb on another CPU than the one that allocated it, every recycle policy: the allocator's remote path (SLUB's __slab_free to another CPU's slab, page_pool's ptr_ring)") \
    X(WAKEUP,         "wakeup",         1400, ASSUMPTION, "try_to_wake_up of a blocked reader") \
    X(WAKEUP_IPI,     "wakeup_ipi",     1800, ASSUMPTION, "sending an IPI: a wakeup of a reader on another CPU, a defer-list kick (recycle defer)") \
    X(SCHEDULE,       "schedule",       1600, ASSUMPTION, "a context switch into the reader") \
    X(RECVMSG,        "recvmsg",         350, ASSUMPTION, "tcp_recvmsg entry and per-call socket locking") \
    X(COPY_CHUNK,     "copy_chunk",       444, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 18 runs over 3 configurations, median 444 [IQR 362-512] cycles per segment copied, beyond the calibrated per-byte copy; queue within the cache (rxsim fit)") \
    X(RECVMSG_SKB,    "recvmsg_skb",      418, FITTED, "kernel 6.18.44-fc-v1045, CPU AMD EPYC, 2026-12-03T06:37:18Z: 33 runs over 3 configurations, median 418 [IQR 377-1384] cycles per skb after GRO (the recv path's samples) (rxsim fit)") \
    X(ZC_CALL,        "zc_call",         900, ASSUMPTION, "getsockopt(TCP_ZEROCOPY_RECEIVE)'s own part: the struct copied in and out, lock_sock, mmap_read_lock and the VMA lookup (tcp_zerocopy_receive); 2.5x recvmsg's entry") \
    X(ZC_INSERT_PAGE, "zc_insert_page",  100, ASSUMPTION, "vm_insert_pages per page: one PTE set under the page-table lock its batch takes once (3763a24c727e, 2020); 93ab6cc69162 (2018) bounds the whole mapped path, stack included, at ~45 us/MB: ~460 cycles a 4 KiB page") \
    X(ZC_PAGE_REF,    "zc_page_ref",      40, ASSUMPTION, "an atomic on a page's refcount: get_page when vm_insert_pages maps it, put_page when the zap unmaps it (uncontended lock-prefixed op)") \
    X(ZC_ZAP_PAGE,    "zc_zap_page",      80, ASSUMPTION, "zap_page_range_single per page (madvise MADV_DONTNEED, as tcp_mmap.c unmaps): clear the PTE, the mm counters, gather the page to free") \
    X(ZC_TLB_LOCAL,   "zc_tlb_local",    150, ASSUMPTION, "flush_tlb_mm_range on the reader's CPU: one INVLPG per page, at most tlb_single_page_flush_ceiling (33) of them (beyond, one full flush, priced as the ceiling's)") \
    X(ZC_TLB_IPI,     "zc_tlb_ipi",     2600, ASSUMPTION, "a TLB shootdown to one other CPU running the reader's threads: the IPI sent and its ack waited for (smp_call_function_many_cond, synchronous), ~1 us; wakeup_ipi's 1800 plus the round trip") \
    X(ZC_TLB_HANDLER, "zc_tlb_handler", 1400, ASSUMPTION, "a shootdown IPI's cost to the CPU it interrupts: interrupt entry and exit (irq_entry's 1200) plus flush_tlb_func's INVLPGs") \
    X(LINE_MISS,      "line_miss",       180, ASSUMPTION, "a 64-byte line from DRAM, flat; used only when the profile lacks the curves (else the profile prices each line by the touch's length)") \
    X(LINE_TRANSFER,  "line_transfer",   260, ASSUMPTION, "a line from another core's cache, flat; used only when the profile lacks a remote curve (else the profile prices each line by the touch's length)")

enum sim_cost {
#define SIM_COST_ENUM(e, key, cycles, kind, source) SIM_COST_##e,
    SIM_COSTS(SIM_COST_ENUM)
#undef SIM_COST_ENUM
    SIM_COST__COUNT
};

/* What kind of number a cost is.  GIVEN: a --costs file's bare number (no
 * kind stated); never a default's kind. */
#define SIM_COST_KINDS(X) \
    X(ASSUMPTION, "assumption") \
    X(PUBLISHED,  "published") \
    X(FITTED,     "fitted") \
    X(GIVEN,      "given")

enum sim_cost_kind {
#define SIM_COST_KIND_ENUM(e, key) SIM_COST_KIND_##e,
    SIM_COST_KINDS(SIM_COST_KIND_ENUM)
#undef SIM_COST_KIND_ENUM
    SIM_COST_KIND__COUNT
};

#define SIM_COST_SOURCE_MAX 256     /* a source text's bytes, with its NUL */

struct sim_cost_table {
    uint64_t cycles[SIM_COST__COUNT];
};

void sim_cost_table_defaults(struct sim_cost_table *t);
const char *sim_cost_key(enum sim_cost c);
/* The default's source text (without its kind) and kind. */
const char *sim_cost_source(enum sim_cost c);
enum sim_cost_kind sim_cost_default_kind(enum sim_cost c);
uint64_t sim_cost_default(enum sim_cost c);
/* "assumption", "published", "fitted", "given"; and back (-1: unknown). */
const char *sim_cost_kind_key(enum sim_cost_kind k);
int sim_cost_kind_find(const char *key);
/* Index of key, or -1. */
int sim_cost_find(const char *key);

#endif
