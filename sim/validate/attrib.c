/* sim/validate/attrib.c: a profile sample → side, rxsim category, cost
 * event (attrib.h says what and why; docs/validation.md "How samples are
 * attributed" gives each rule's reason).
 *
 * Everything the attribution knows about kernel functions is the table
 * rules[] below: a function name (or "prefix*", or "*infix*") → a side hint,
 * a category and an event.  The code only walks the call chain:
 *
 *   1. context: the frames from the leaf up to the first context boundary
 *      (softirq entry, hard-irq entry); above it runs whatever was
 *      interrupted, which is not what this sample's time was spent on.
 *   2. side: an IPI frame in the context → IPI; an idle frame → IDLE;
 *      another user process's own context → OTHER; otherwise the leaf-most
 *      frame with a side hint, where the provisional hints (XMIT, STACK, ACKQ)
 *      are resolved by the next hint above them (resolve()).
 *   3. category and event: the leaf-most frame in the context that has one.
 *      A user-space leaf of the reader is category app. */
#include "sim/validate/attrib.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/validate/perf_script.h"

/* Side hints.  D = decisive, P = provisional (resolved by what is above). */
enum hint {
    H_NONE,
    H_RX,        /* D: the data's receive path, the reader's recv */
    H_SENDER,    /* D: the sender's send path */
    H_ACK_SEND,  /* D: the receiver building and sending an ACK */
    H_ACK_IN,    /* D: the sender taking an ACK in */
    H_XMIT,      /* P: TCP transmit: the receiver's ACK unless the sender's push is above */
    H_STACK,     /* P: receive stack before TCP knows data from ACK: shared unless an owner is above */
    H_ACKQ,      /* P: tcp_ack: the sender's ACK intake unless the reader's recv is above */
    H_OTHER,     /* D: a softirq handler that is not networking (timers, RCU, balancing) */
    H_IDLE,
    H_IPI,
};

#define NOCAT (-1)
#define NOEV (-1)
#define CAT(c) SIM_CAT_##c
#define EV(e) SIM_COST_##e

struct rule {
    const char *name;   /* exact; "prefix*"; "*infix*" */
    enum hint hint;
    int cat;            /* enum sim_category or NOCAT */
    int ev;             /* enum sim_cost or NOEV */
};

/* First match wins, so specific names come before the prefixes that would
 * also match them.  Symbols are compared without perf's ".isra.0"-style
 * suffixes. */
static const struct rule rules[] = {
    /* Cross-CPU interrupts: sending, handling, and the queued work they run. */
    {"*send_IPI*", H_IPI, NOCAT, NOEV},
    {"*send_call_func*", H_IPI, NOCAT, NOEV},
    {"*smp_send_reschedule*", H_IPI, NOCAT, NOEV},
    {"*sysvec_call_function*", H_IPI, NOCAT, NOEV},
    {"*sysvec_reschedule*", H_IPI, NOCAT, NOEV},
    {"*flush_smp_call_function*", H_IPI, NOCAT, NOEV},
    {"generic_exec_single", H_IPI, NOCAT, NOEV},
    {"smp_call_function*", H_IPI, NOCAT, NOEV},
    {"__smp_call_single_queue", H_IPI, NOCAT, NOEV},
    {"kvm_send_ipi*", H_IPI, NOCAT, NOEV},
    /* Idle. */
    {"do_idle", H_IDLE, NOCAT, NOEV},
    {"cpu_startup_entry", H_IDLE, NOCAT, NOEV},
    {"default_idle*", H_IDLE, NOCAT, NOEV},
    {"arch_cpu_idle*", H_IDLE, NOCAT, NOEV},
    {"cpuidle_*", H_IDLE, NOCAT, NOEV},
    {"*safe_halt*", H_IDLE, NOCAT, NOEV},
    {"acpi_idle*", H_IDLE, NOCAT, NOEV},
    {"intel_idle*", H_IDLE, NOCAT, NOEV},
    {"cpu_idle_poll", H_IDLE, NOCAT, NOEV},
    {"poll_idle", H_IDLE, NOCAT, NOEV},
    /* Checksum (per byte, no event); copy-and-checksum routines count as csum. */
    {"csum_partial*", H_NONE, CAT(CSUM), NOEV},
    {"do_csum", H_NONE, CAT(CSUM), NOEV},
    {"csum_and_copy*", H_NONE, CAT(CSUM), NOEV},
    {"*skb_checksum*", H_NONE, CAT(CSUM), NOEV},
    {"skb_copy_and_csum*", H_NONE, CAT(CSUM), NOEV},
    {"tcp_checksum_complete", H_NONE, CAT(CSUM), NOEV},
    {"__skb_gro_checksum_complete", H_NONE, CAT(CSUM), NOEV},
    /* Copy to the user (per byte, no event). */
    {"_copy_to_iter", H_NONE, CAT(COPY), NOEV},
    {"copy_user*", H_NONE, CAT(COPY), NOEV},
    {"rep_movs*", H_NONE, CAT(COPY), NOEV},
    {"copyout*", H_NONE, CAT(COPY), NOEV},
    {"simple_copy_to_iter", H_NONE, CAT(COPY), NOEV},
    {"skb_copy_datagram_iter", H_RX, CAT(COPY), NOEV},
    {"__skb_datagram_iter", H_RX, CAT(COPY), NOEV},
    {"memcpy*", H_NONE, CAT(COPY), NOEV},
    {"__memcpy*", H_NONE, CAT(COPY), NOEV},
    {"__pi_memcpy*", H_NONE, CAT(COPY), NOEV},
    /* Freeing skbs (FREE_SKB); the deferred free runs on the CPU that
     * allocated the skb (the sender's), but frees the data skbs. */
    {"skb_defer_free_flush", H_RX, CAT(SKB), EV(FREE_SKB)},
    {"skb_attempt_defer_free", H_RX, CAT(SKB), EV(FREE_SKB)},
    {"kfree_skb*", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"sk_skb_reason_drop", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"consume_skb", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"__kfree_skb", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"napi_consume_skb", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"__napi_kfree_skb", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"skb_release_*", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"skb_free_head", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"kmem_cache_free*", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"kfree", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"sock_rfree", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"free_unref_*", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"__free_pages*", H_NONE, CAT(SKB), EV(FREE_SKB)},
    {"__folio_put", H_NONE, CAT(SKB), EV(FREE_SKB)},
    /* Allocating (skb; no event: on veth the sender allocates the data skbs). */
    {"__alloc_skb", H_NONE, CAT(SKB), NOEV},
    {"alloc_skb*", H_NONE, CAT(SKB), NOEV},
    {"*build_skb*", H_NONE, CAT(SKB), NOEV},
    {"kmem_cache_alloc*", H_NONE, CAT(SKB), NOEV},
    {"kmalloc_reserve", H_NONE, CAT(SKB), NOEV},
    {"__kmalloc*", H_NONE, CAT(SKB), NOEV},
    {"page_frag*", H_NONE, CAT(SKB), NOEV},
    {"skb_clone", H_NONE, CAT(SKB), NOEV},
    /* Waking the reader, the reader's scheduling. */
    {"sock_def_readable", H_RX, CAT(SCHED), EV(WAKEUP)},
    {"try_to_wake_up", H_NONE, CAT(SCHED), EV(WAKEUP)},
    {"__wake_up*", H_NONE, CAT(SCHED), EV(WAKEUP)},
    {"*wake_function", H_NONE, CAT(SCHED), EV(WAKEUP)},
    {"ttwu_*", H_NONE, CAT(SCHED), NOEV},
    {"schedule*", H_NONE, CAT(SCHED), EV(SCHEDULE)},
    {"__schedule", H_NONE, CAT(SCHED), EV(SCHEDULE)},
    {"finish_task_switch*", H_NONE, CAT(SCHED), EV(SCHEDULE)},
    {"__switch_to*", H_NONE, CAT(SCHED), EV(SCHEDULE)},
    {"sk_wait_data", H_RX, CAT(SCHED), EV(SCHEDULE)},
    {"wait_woken", H_NONE, CAT(SCHED), EV(SCHEDULE)},
    /* The receiver's ACKs. */
    {"tcp_send_ack", H_ACK_SEND, CAT(PROTOCOL), EV(TCP_ACK)},
    {"__tcp_send_ack", H_ACK_SEND, CAT(PROTOCOL), EV(TCP_ACK)},
    {"tcp_send_delayed_ack", H_ACK_SEND, CAT(PROTOCOL), EV(TCP_ACK)},
    {"tcp_delack_timer*", H_ACK_SEND, CAT(PROTOCOL), EV(TCP_ACK)},
    {"__tcp_transmit_skb", H_XMIT, CAT(PROTOCOL), EV(TCP_ACK)},
    {"tcp_transmit_skb", H_XMIT, CAT(PROTOCOL), EV(TCP_ACK)},
    /* The sender taking ACKs in. */
    {"tcp_ack", H_ACKQ, CAT(PROTOCOL), NOEV},
    {"tcp_clean_rtx_queue*", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"tcp_cong_avoid", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"cubictcp_*", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"tcp_rearm_rto", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"tcp_data_snd_check", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"tcp_ack_update_rtt", H_ACK_IN, CAT(PROTOCOL), NOEV},
    {"tcp_rate_gen", H_ACK_IN, CAT(PROTOCOL), NOEV},
    /* Pushing data out is the sender's work, also when an ACK triggered it
     * (segmentation copies payload when sg/tso are off: not ACK cost). */
    {"tcp_write_xmit", H_SENDER, CAT(PROTOCOL), NOEV},
    {"__tcp_push_pending_frames", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_push*", H_SENDER, CAT(PROTOCOL), NOEV},
    /* The sender's own path. */
    {"tcp_sendmsg*", H_SENDER, CAT(PROTOCOL), NOEV},
    {"__sys_sendto", H_SENDER, CAT(PROTOCOL), NOEV},
    {"__x64_sys_sendto", H_SENDER, CAT(PROTOCOL), NOEV},
    {"__sys_sendmsg", H_SENDER, CAT(PROTOCOL), NOEV},
    {"sock_sendmsg*", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_tsq_*", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_tasklet_func", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_pace_kick", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_retransmit_*", H_SENDER, CAT(PROTOCOL), NOEV},
    {"tcp_write_timer*", H_SENDER, CAT(PROTOCOL), NOEV},
    /* The data's TCP receive work proper (data only). */
    {"tcp_data_queue", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_queue_rcv", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_ofo_queue", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_data_queue_ofo", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_try_coalesce", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"skb_try_coalesce", H_NONE, CAT(PROTOCOL), NOEV},  /* also ACKs in tcp_add_backlog */
    {"tcp_try_rmem_schedule", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_event_data_recv", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"tcp_data_ready", H_RX, CAT(PROTOCOL), EV(TCP_QUEUE)},
    {"__tcp_ack_snd_check", H_RX, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_rcv_space_adjust", H_RX, CAT(PROTOCOL), NOEV},
    /* The reader's recv (per call: RECVMSG). */
    {"tcp_recvmsg*", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"tcp_cleanup_rbuf", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"inet_recvmsg", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"sock_recvmsg*", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"__sys_recvfrom", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"__x64_sys_recvfrom", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"__sys_recvmsg", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"__x64_sys_recvmsg", H_RX, CAT(PROTOCOL), EV(RECVMSG)},
    {"__x64_sys_read", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"release_sock", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"lock_sock*", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"__release_sock", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"do_syscall_64", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"entry_SYSCALL*", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"syscall_exit*", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    {"x64_sys_call", H_NONE, CAT(PROTOCOL), EV(RECVMSG)},
    /* The shared receive stack: TCP before it knows data from ACK. */
    {"tcp_v4_rcv", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_v4_do_rcv", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_rcv_established", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_add_backlog", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_v4_early_demux", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"__inet_lookup*", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_filter", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"sk_filter_trim_cap", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_inbound_hash", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    {"tcp_validate_incoming", H_STACK, CAT(PROTOCOL), EV(TCP_RCV)},
    /* ... IP and the device layer. */
    {"ip_local_deliver*", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"ip_protocol_deliver_rcu", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"raw_local_deliver", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"ip_rcv*", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"ip_sublist_rcv*", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"ip_list_rcv*", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"*netif_receive_skb*", H_STACK, CAT(PROTOCOL), EV(NETIF_RECEIVE)},
    {"process_backlog", H_STACK, CAT(PROTOCOL), EV(DRIVER_FRAME)},
    {"__napi_poll", H_STACK, CAT(PROTOCOL), EV(SOFTIRQ_PASS)},
    {"net_rx_action", H_STACK, CAT(PROTOCOL), EV(SOFTIRQ_PASS)},
    /* veth's NAPI runs only on the receiving veth (GRO on it alone): data. */
    {"veth_poll", H_RX, CAT(PROTOCOL), EV(DRIVER_FRAME)},
    {"veth_xdp_rcv*", H_RX, CAT(PROTOCOL), EV(DRIVER_FRAME)},
    {"napi_gro_receive", H_RX, CAT(PROTOCOL), EV(GRO_MERGE)},
    {"*gro_receive*", H_RX, CAT(PROTOCOL), EV(GRO_MERGE)},
    {"napi_gro_*", H_RX, CAT(PROTOCOL), EV(GRO_MERGE)},
    {"gro_*", H_RX, CAT(PROTOCOL), EV(GRO_MERGE)},
    /* Per-frame work inside any transmit (event only counts on the RX side). */
    {"enqueue_to_backlog", H_NONE, CAT(PROTOCOL), EV(DRIVER_FRAME)},
    {"veth_xmit", H_NONE, CAT(PROTOCOL), EV(DRIVER_FRAME)},
    /* Softirq handlers that are not networking: what runs below them is
     * OTHER unless a networking frame nearer the leaf says otherwise. */
    {"run_timer_softirq", H_OTHER, NOCAT, NOEV},
    {"rcu_core*", H_OTHER, NOCAT, NOEV},
    {"rcu_do_batch", H_OTHER, NOCAT, NOEV},
    {"sched_balance_*", H_OTHER, NOCAT, NOEV},
    {"run_rebalance_domains", H_OTHER, NOCAT, NOEV},
    {"hrtimer_run_softirq", H_OTHER, NOCAT, NOEV},
    {"tasklet_action*", H_OTHER, NOCAT, NOEV},
    {"blk_done_softirq", H_OTHER, NOCAT, NOEV},
    {"blk_complete_reqs", H_OTHER, NOCAT, NOEV},
    /* The softirq entry's own time: here cpu-clock lands what the handlers
     * (net_rx_action above all) ran with interrupts off; shared, the pass's. */
    {"handle_softirqs", H_STACK, CAT(PROTOCOL), EV(SOFTIRQ_PASS)},
    {"__do_softirq", H_STACK, CAT(PROTOCOL), EV(SOFTIRQ_PASS)},
    /* The reader touching its own memory. */
    {"*exc_page_fault", H_NONE, CAT(APP), NOEV},
    /* The rest of networking is protocol work with no event of its own. */
    {"tcp_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"ip_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"__ip_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"*dev_queue_xmit*", H_NONE, CAT(PROTOCOL), NOEV},
    {"sk_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"__sk_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"sock_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"skb_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"__skb_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"nf_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"netif_*", H_NONE, CAT(PROTOCOL), NOEV},
    {"__netif_*", H_NONE, CAT(PROTOCOL), NOEV},
};

/* Where the innermost context starts (the boundary frame belongs to it). */
enum ctx_kind { CTX_PROCESS, CTX_SOFTIRQ, CTX_HARDIRQ };

static const struct {
    const char *name;
    enum ctx_kind kind;
} boundaries[] = {
    {"handle_softirqs", CTX_SOFTIRQ},
    {"__do_softirq", CTX_SOFTIRQ},
    {"sysvec_*", CTX_HARDIRQ},
    {"asm_sysvec_*", CTX_HARDIRQ},
    {"common_interrupt", CTX_HARDIRQ},
    {"asm_common_interrupt", CTX_HARDIRQ},
};

/* sym without perf's compiler suffixes (".isra.0", ".part.0", ".cold"). */
static size_t base_len(const char *sym)
{
    const char *dot = strchr(sym, '.');
    return dot ? (size_t)(dot - sym) : strlen(sym);
}

static bool match(const char *pat, const char *sym, size_t n)
{
    size_t p = strlen(pat);
    if (p > 1 && pat[0] == '*' && pat[p - 1] == '*') {     /* "*infix*" */
        size_t k = p - 2;
        for (size_t i = 0; i + k <= n; i++)
            if (!strncmp(sym + i, pat + 1, k))
                return true;
        return false;
    }
    if (pat[0] == '*')                                      /* "*suffix" */
        return p - 1 <= n && !strncmp(sym + n - (p - 1), pat + 1, p - 1);
    if (pat[p - 1] == '*')                                  /* "prefix*" */
        return p - 1 <= n && !strncmp(sym, pat, p - 1);
    return p == n && !strncmp(sym, pat, n);
}

static const struct rule *rule_of(const struct perf_frame *f)
{
    if (!f->kernel)
        return NULL;
    size_t n = base_len(f->sym);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (match(rules[i].name, f->sym, n))
            return &rules[i];
    return NULL;
}

/* What one sample was, before it is added up. */
struct verdict {
    int side;           /* enum val_side, or -1: shared between RX and ACK */
    bool ack_send;      /* ACK side: the receiver sending (event TCP_ACK) */
    int cat;            /* NOCAT: unmapped */
    int ev;
    bool below_tcp;     /* tcp_v4_rcv / tcp_v4_do_rcv in the context */
};

#define SIDE_SHARED ATTRIB_SIDE_SHARED

/* The side a provisional hint comes to, given the next hint above it
 * (H_NONE: nothing above).  Returns H_NONE to keep looking. */
static enum hint resolve(enum hint pending, enum hint above)
{
    if (pending == H_XMIT)      /* a transmit is the receiver's ACK unless data is being pushed */
        return above == H_SENDER ? H_SENDER : H_ACK_SEND;
    if (pending == H_ACKQ) {    /* the receiver's slow path calls tcp_ack on data too */
        if (above == H_RX)
            return H_RX;
        return above == H_STACK ? H_NONE : H_ACK_IN;
    }
    switch (above) {            /* H_STACK: whose socket, the reader's (data) or the sender's (ACKs) */
    case H_RX: return H_RX;
    case H_SENDER:
    case H_ACK_IN: return H_ACK_IN;
    case H_ACK_SEND: return H_ACK_SEND;
    case H_NONE: return H_STACK;
    default: return H_NONE;
    }
}

/* The side hint of the context frames [0, n): leaf-most decisive hint, or a
 * provisional one resolved by the hints above it.  H_NONE: no hint at all;
 * H_STACK: shared. */
static enum hint side_hint(const struct rule *const *r, int n)
{
    enum hint pending = H_NONE;
    for (int i = 0; i < n; i++) {
        if (!r[i] || r[i]->hint == H_NONE || r[i]->hint == H_IDLE || r[i]->hint == H_IPI)
            continue;
        enum hint h = r[i]->hint;
        if (pending == H_NONE) {
            if (h != H_XMIT && h != H_STACK && h != H_ACKQ)
                return h;
            pending = h;
            continue;
        }
        if (h == pending)
            continue;
        enum hint got = resolve(pending, h);
        if (got != H_NONE)
            return got;
    }
    return pending == H_NONE ? H_NONE : resolve(pending, H_NONE);
}

static bool is_boundary(const struct perf_frame *f, enum ctx_kind *kind)
{
    if (!f->kernel)
        return false;
    size_t n = base_len(f->sym);
    for (size_t i = 0; i < sizeof boundaries / sizeof boundaries[0]; i++)
        if (match(boundaries[i].name, f->sym, n)) {
            *kind = boundaries[i].kind;
            return true;
        }
    return false;
}

static bool has_frame(const struct perf_sample *s, int from, int to, const char *name)
{
    for (int i = from; i < to; i++)
        if (s->frame[i].kernel && match(name, s->frame[i].sym, base_len(s->frame[i].sym)))
            return true;
    return false;
}

/* Side, category and event of one sample (the steps of the file comment). */
static struct verdict classify(const struct perf_sample *s, const struct attrib_who *who)
{
    struct verdict v = {.side = VAL_SIDE_OTHER, .cat = NOCAT, .ev = NOEV};
    if (s->nframes == 0)
        return v;                               /* perf had no chain: nothing says whose it was */
    enum ctx_kind kind = CTX_PROCESS;
    int n = 0;
    while (n < s->nframes && !is_boundary(&s->frame[n], &kind))
        n++;
    if (n < s->nframes)
        n++;                                    /* the boundary frame is the context's own */
    const struct rule *r[PERF_SCRIPT_MAX_FRAMES];
    bool ipi = false, idle = false;
    for (int i = 0; i < n; i++) {
        r[i] = rule_of(&s->frame[i]);
        ipi |= r[i] && r[i]->hint == H_IPI;
        idle |= r[i] && r[i]->hint == H_IDLE;
    }
    bool ours = s->pid == who->sender_pid || s->pid == who->reader_pid;
    bool kthread = has_frame(s, 0, s->nframes, "kthread");
    if (kind == CTX_PROCESS && !strcmp(s->comm, VAL_SPINNER_COMM))
        return (struct verdict){.side = VAL_SIDE_IDLE, .cat = NOCAT, .ev = NOEV};  /* keep_awake's spinner */
    if (kind == CTX_PROCESS && !ours && !kthread && s->pid != 0)
        return v;                               /* another process's own work: OTHER */
    if (ipi || idle) {
        v.side = ipi ? VAL_SIDE_IPI : VAL_SIDE_IDLE;
        return v;
    }
    enum hint h = side_hint(r, n);
    if (h == H_NONE && kind == CTX_PROCESS)     /* no networking frame: whose process */
        h = s->pid == who->reader_pid ? H_RX : s->pid == who->sender_pid ? H_SENDER : H_NONE;
    switch (h) {
    case H_RX: v.side = VAL_SIDE_RX; break;
    case H_STACK: v.side = SIDE_SHARED; break;
    case H_SENDER: v.side = VAL_SIDE_SENDER; return v;
    case H_ACK_IN: v.side = VAL_SIDE_ACK; return v;
    case H_ACK_SEND: v.side = VAL_SIDE_ACK; v.ack_send = true; return v;
    case H_OTHER: return v;
    default: return v;                          /* unrelated kernel work: OTHER */
    }
    v.below_tcp = has_frame(s, 0, n, "tcp_v4_rcv") || has_frame(s, 0, n, "tcp_v4_do_rcv");
    if (!s->frame[0].kernel) {                  /* the reader in user space */
        v.cat = SIM_CAT_APP;
        return v;
    }
    for (int i = 0; i < n && v.cat == NOCAT; i++)
        if (r[i] && r[i]->cat != NOCAT)
            v.cat = r[i]->cat;
    if (v.cat == SIM_CAT_COPY || v.cat == SIM_CAT_CSUM)
        return v;                               /* per-byte time: no event */
    for (int i = 0; i < n && v.ev == NOEV; i++)
        if (r[i] && r[i]->ev != NOEV)
            v.ev = r[i]->ev;
    return v;
}

static void add(struct val_attrib *out, const struct verdict *v, int cpu)
{
    out->samples++;
    if (v->side == SIDE_SHARED && v->cat != SIM_CAT_COPY && v->cat != SIM_CAT_CSUM) {
        out->shared++;
        out->shared_category[v->cat]++;         /* every STACK rule has a category */
        if (v->ev != NOEV)
            out->shared_event[v->ev]++;
        if (v->cat == SIM_CAT_PROTOCOL && v->below_tcp && cpu >= 0 && cpu < 2)
            out->shared_on_cpu[cpu]++;
        return;
    }
    int side = v->side == SIDE_SHARED ? VAL_SIDE_RX : v->side;  /* ACKs have no payload to sum */
    out->side[side]++;
    if (side == VAL_SIDE_ACK && v->ack_send)
        out->event[SIM_COST_TCP_ACK]++;
    if (side != VAL_SIDE_RX)
        return;
    if (v->cat == NOCAT)
        out->rx_unmapped++;
    else
        out->rx_category[v->cat]++;
    if (v->ev != NOEV)
        out->event[v->ev]++;
    if (v->cat == SIM_CAT_PROTOCOL && v->below_tcp && cpu >= 0 && cpu < 2)
        out->protocol_on_cpu[cpu]++;
}

int attrib_stream_each(FILE *text, const char *name_for_errors, const struct attrib_who *who,
                       struct val_attrib *out, attrib_each_fn each, void *ctx, char *err, size_t errlen)
{
    struct perf_script ps;
    perf_script_open(&ps, text, name_for_errors);
    struct perf_sample *s = malloc(sizeof *s);
    if (!s) {
        snprintf(err, errlen, "%s: out of memory", name_for_errors);
        return -1;
    }
    int r;
    long n = 0;
    for (; (r = perf_script_next(&ps, s, err, errlen)) == 1; n++) {
        struct verdict v = classify(s, who);
        add(out, &v, s->cpu);
        if (each)
            each(ctx, s, v.side);
    }
    free(s);
    if (r < 0)
        return -1;
    if (n == 0) {
        snprintf(err, errlen, "%s:%ld: no samples (perf recorded nothing, or not perf script output)",
                 name_for_errors, ps.line);
        return -1;
    }
    return 0;
}

static uint64_t share(uint64_t n, uint64_t num, uint64_t den)
{
    return (uint64_t)((long double)n * (long double)num / (long double)den + 0.5L);
}

int attrib_split_shared(struct val_attrib *a, uint64_t data_skbs, uint64_t ack_skbs)
{
    uint64_t den = data_skbs + ack_skbs;
    if (den == 0)
        return -1;
    uint64_t rx = 0;
    for (int c = 0; c < SIM_CAT__COUNT; c++) {
        uint64_t part = share(a->shared_category[c], data_skbs, den);
        a->rx_category[c] += part;
        rx += part;
        a->shared_category[c] = 0;
    }
    for (int e = 0; e < SIM_COST__COUNT; e++) {
        a->event[e] += share(a->shared_event[e], data_skbs, den);
        a->shared_event[e] = 0;
    }
    for (int c = 0; c < 2; c++) {
        a->protocol_on_cpu[c] += share(a->shared_on_cpu[c], data_skbs, den);
        a->shared_on_cpu[c] = 0;
    }
    a->side[VAL_SIDE_RX] += rx;
    a->side[VAL_SIDE_ACK] += a->shared - rx;
    a->shared = 0;
    return 0;
}

/* The first line of perf's stderr, for an error message. */
static void first_line(FILE *f, char *buf, size_t n)
{
    buf[0] = 0;
    rewind(f);
    if (fgets(buf, (int)n, f))
        buf[strcspn(buf, "\n")] = 0;
}

int attrib_perf_data(const char *perf_data, const struct attrib_who *who, struct val_attrib *out,
                     char *err, size_t errlen)
{
    char *const argv[] = {"perf", "script", "-f", "-i", (char *)perf_data, "-F", PERF_SCRIPT_FIELDS,
                          "--no-demangle", "--no-inline", NULL};
    int pfd[2];
    FILE *errf = tmpfile();
    if (!errf || pipe(pfd) < 0) {
        snprintf(err, errlen, "perf script: %s", strerror(errno));
        if (errf)
            fclose(errf);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fileno(errf), STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    pid_t pid;
    extern char **environ;
    int rc = posix_spawnp(&pid, "perf", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        snprintf(err, errlen, "perf script: cannot run perf: %s", strerror(rc));
        close(pfd[0]);
        fclose(errf);
        return -1;
    }
    FILE *in = fdopen(pfd[0], "r");
    int r = in ? attrib_stream(in, perf_data, who, out, err, errlen) : -1;
    if (!in)
        snprintf(err, errlen, "perf script: %s", strerror(errno));
    if (in)
        fclose(in);                             /* on an early error perf gets EPIPE and ends */
    else
        close(pfd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    bool we_stopped_it = r != 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE;  /* err says why we stopped reading */
    if (!we_stopped_it && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {  /* perf's own failure explains any other */
        char line[256];
        first_line(errf, line, sizeof line);
        snprintf(err, errlen, "perf script -i %s failed (%s %d): %s", perf_data,
                 WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
                 line[0] ? line : "no message");
        r = -1;
    }
    fclose(errf);
    return r;
}
