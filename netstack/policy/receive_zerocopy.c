/* netstack/policy/receive_zerocopy.c: TCP receive zero-copy (Linux >= 4.18,
 * TCP_ZEROCOPY_RECEIVE), with the reader loop of tools/testing/selftests/
 * net/tcp_mmap.c: getsockopt maps the whole pages of payload at the head of
 * the queue into the reader's mapping (vm_insert_pages) instead of copying
 * them; the bytes it cannot map (its recv_skip_hint) are read() and copied;
 * the reader uses the pages where they lie, then madvise(MADV_DONTNEED)
 * unmaps them: zap_page_range_single drops the page references and
 * flush_tlb_mm_range flushes this CPU's TLB and shoots down the others'.
 *
 * What is mappable.  The kernel maps a page only where an skb fragment is
 * exactly one page at offset 0 (can_map_frag), which takes a NIC that
 * splits headers from payload and a payload of whole pages (tcp_mmap.c's
 * note; MTU 4096 + 40 + 12 for IPv4 with timestamps: `rxsim synth --mtu
 * 4148`).  The model cannot see a NIC's buffer layout; it assumes header
 * split and decides from what it knows, each segment's payload length: a
 * segment's payload starts a page of its own, so its pages at payload
 * offsets 0, 4096, ... that have 4096 bytes behind them are mappable, and
 * the rest (a short segment, a jumbo segment's tail) is not.  GRO merges
 * segments into one skb without moving their pages, so it changes nothing
 * here but where a skip ends (the skb's end).  Bytes that waited in the
 * out-of-order queue are not mapped (the model keeps no segments for them).
 *
 * One pass of the loop: getsockopt(length = recv_size rounded down to
 * pages); with less than a page queued, or asked for less than a page,
 * nothing is mapped and all of it is the skip hint (inq); else pages are
 * mapped while the head is a mappable page and length lasts, and when the
 * head is not, the skip hint runs to the next mappable page or the end of
 * the skb; read(skip hint, at most recv_size) copies through the checksum
 * policy's copy_out.  The pages and their buffers stay the reader's until
 * the unmap (done()), after the application's own work: with
 * --app-cycles-per-byte it reads every mapped line where the NIC's DMA left
 * it (cold, or in the softirq CPU's cache after csum=softirq), charging
 * the misses to app_work; copied bytes are in the reader's buffer, hot from
 * the copy, and are not walked (as for --receive copy).
 *
 * Shootdowns: a single-threaded reader's mm is loaded on no other CPU, so
 * the flush is local.  --reader-threads N says the reader process has N
 * threads, each running on a CPU of its own: each unmap then sends an IPI
 * to min(N - 1, cpus - 1) other CPUs (the next ones after the reader's),
 * the sender waits for each (zc_tlb_ipi) and each target runs the handler
 * as a hardirq item (flush_tlb_func, zc_tlb_handler).  Costs: sim/cost_table.h
 * (zc_*), every one an ASSUMPTION; docs/model.md, "Zero-copy receive". */
#include "netstack/policy/receive.h"

#include <stdlib.h>

#include "netstack/host.h"

#define ZC_PAGE 4096u                   /* PAGE_SIZE, x86-64 */
#define ZC_BATCH 32u                    /* TCP_ZEROCOPY_PAGE_BATCH_SIZE: pages per vm_insert_pages call */
#define ZC_FLUSH_CEILING 33u            /* tlb_single_page_flush_ceiling: more pages, one full flush */

struct zc_ipi {                         /* one CPU's shootdowns that arrived and wait for its handler */
    struct sim_work w;
    struct rx_host *h;
    int cpu;
    uint32_t pending;
};

struct zc_state {
    struct zc_ipi ipi[SIM_MAX_CPUS];
};

static void ipi_run(struct sim_work *w, struct sim_cpu *cpu)
{
    struct zc_ipi *q = w->arg;
    for (; q->pending; q->pending--)    /* one handler per IPI */
        sim_machine_charge(q->h->m, cpu, SIM_FN_FLUSH_TLB_FUNC, SIM_COST_ZC_TLB_HANDLER);
}

static void ipi_arrive(struct sim_event *ev, void *ctx)
{
    (void)ctx;
    struct zc_ipi *q = ev->arg;
    sim_cpu_submit(&q->h->m->cpu[q->cpu], &q->w);
}

static void *zc_create(struct rx_host *h)
{
    struct zc_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    for (int c = 0; c < SIM_MAX_CPUS; c++)
        st->ipi[c] = (struct zc_ipi){
            .w = { .level = SIM_LEVEL_HARDIRQ, .run = ipi_run, .arg = &st->ipi[c], .name = "TLB shootdown" },
            .h = h, .cpu = c };
    return st;
}

static void zc_destroy(void *state)
{
    free(state);
}

/* Whether a whole mappable page starts at the head of s's queue. */
static bool head_mappable(const struct rx_sock *s)
{
    const struct rx_chunk *c = s->head;
    uint32_t pos = c->seg_off + s->head_off;
    return c->seg_len && pos % ZC_PAGE == 0 && pos + ZC_PAGE <= c->seg_len;
}

/* recv_skip_hint: bytes from the head to the next mappable page of the
 * head's skb, or to the skb's end (find_next_mappable_frag). */
static uint64_t skip_hint(const struct rx_sock *s)
{
    uint64_t n = 0;
    uint32_t off = s->head_off;
    for (const struct rx_chunk *c = s->head; c; c = c->next, off = 0) {
        if (c != s->head && c->skb_head)
            break;                      /* the next skb */
        if (c->seg_len) {
            uint32_t pos = c->seg_off + off;
            uint32_t next = (pos + ZC_PAGE - 1) / ZC_PAGE * ZC_PAGE;
            if (next < c->seg_off + c->len && next + ZC_PAGE <= c->seg_len)
                return n + (next - pos);
        }
        n += c->len - off;
    }
    return n;
}

static void piece_add(struct rx_host *h, struct rx_zc_map *z, struct skb_buf *b, uint64_t addr, uint32_t len)
{
    if (z->n == z->cap) {
        uint32_t cap = z->cap ? 2 * z->cap : 64;
        struct rx_zc_piece *p = realloc(z->piece, cap * sizeof *p);
        if (!p)
            abort();                    /* the model cannot go on without its pages */
        z->piece = p;
        z->cap = cap;
    }
    h->refs[b->id]++;                   /* the mapping's page reference */
    z->piece[z->n++] = (struct rx_zc_piece){ .buf = b, .addr = addr, .len = len };
}

/* The mapping loop of tcp_zerocopy_receive: whole pages off the head while
 * it is mappable and length lasts; their bytes hashed as they are taken.
 * Returns the pages mapped. */
static uint32_t map_pages(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, uint32_t length)
{
    uint32_t pages = 0;
    while ((pages + 1) * ZC_PAGE <= length && s->head && head_mappable(s)) {
        for (uint32_t left = ZC_PAGE; left;) {  /* a mappable page is queued whole: its segment is */
            struct rx_chunk *c = s->head;
            uint32_t k = c->len - s->head_off < left ? c->len - s->head_off : left;
            piece_add(h, &s->zc, c->buf, c->addr + s->head_off, k);
            rx_sock_hash(h, s, c->data + s->head_off, k);
            s->head_off += k;
            left -= k;
            if (s->head_off == c->len)
                rx_sock_take_head(h, cpu, s, SIM_FN_TCP_ZC_RECEIVE);
        }
        if (pages % ZC_BATCH == 0)      /* a batch's page-table lock and VMA checks: one call */
            sim_machine_call(h->m, cpu, SIM_FN_VM_INSERT_PAGES);
        sim_machine_charge_more(h->m, cpu, SIM_FN_VM_INSERT_PAGES, SIM_COST_ZC_INSERT_PAGE);
        sim_machine_charge_more(h->m, cpu, SIM_FN_VM_INSERT_PAGES, SIM_COST_ZC_PAGE_REF);
        pages++;
    }
    s->queued -= (uint64_t)pages * ZC_PAGE;
    s->zc.pages += pages;
    return pages;
}

static uint32_t zc_read(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s)
{
    uint32_t length = h->cfg.recv_size / ZC_PAGE * ZC_PAGE;
    uint64_t skip = 0;
    uint32_t pages = 0;
    sim_machine_charge(h->m, cpu, SIM_FN_TCP_ZC_RECEIVE, SIM_COST_ZC_CALL);
    rx_sock_lock(h, cpu, s, SIM_FN_TCP_ZC_RECEIVE);
    h->st.zc_calls++;
    if (s->queued < ZC_PAGE || !length) {
        skip = s->queued;               /* less than a page: all of it is left to read() */
    } else {
        pages = map_pages(h, cpu, s, length);
        if (s->head && (pages + 1) * ZC_PAGE <= length)
            skip = skip_hint(s);        /* stopped at bytes it cannot map */
    }
    h->st.zc_pages += pages;
    h->st.zc_bytes_mapped += (uint64_t)pages * ZC_PAGE;
    uint32_t copied = 0;
    if (skip) {                         /* read(fd, buffer, recv_skip_hint) */
        sim_machine_charge(h->m, cpu, SIM_FN_TCP_RECVMSG, SIM_COST_RECVMSG);
        copied = rx_sock_recvmsg(h, cpu, s, skip < h->cfg.recv_size ? (uint32_t)skip : h->cfg.recv_size);
        h->st.zc_bytes_copied += copied;
    }
    return pages * ZC_PAGE + copied;
}

/* The application read what it got; madvise(MADV_DONTNEED) on the pages. */
static void zc_done(struct rx_host *h, struct sim_cpu *cpu, struct rx_sock *s, bool touch)
{
    struct rx_zc_map *z = &s->zc;
    if (!z->n)
        return;
    for (uint32_t i = 0; touch && i < z->n; i++)    /* where the NIC left it, not warmed by a copy */
        sim_machine_touch(h->m, cpu, SIM_FN_APP_WORK, z->piece[i].addr, z->piece[i].len, false);
    sim_machine_call(h->m, cpu, SIM_FN_ZAP_PAGE_RANGE);
    for (uint32_t p = 0; p < z->pages; p++) {
        sim_machine_charge_more(h->m, cpu, SIM_FN_ZAP_PAGE_RANGE, SIM_COST_ZC_ZAP_PAGE);
        sim_machine_charge_more(h->m, cpu, SIM_FN_ZAP_PAGE_RANGE, SIM_COST_ZC_PAGE_REF);
    }
    for (uint32_t i = 0; i < z->n; i++) /* the pages' last references: the buffers go back */
        rx_host_buf_put(h, cpu, z->piece[i].buf);
    sim_machine_call(h->m, cpu, SIM_FN_FLUSH_TLB);
    for (uint32_t p = 0; p < z->pages && p < ZC_FLUSH_CEILING; p++)
        sim_machine_charge_more(h->m, cpu, SIM_FN_FLUSH_TLB, SIM_COST_ZC_TLB_LOCAL);
    int others = h->cfg.reader_threads - 1 < h->m->ncpus - 1 ? h->cfg.reader_threads - 1 : h->m->ncpus - 1;
    struct zc_state *st = h->receive_state;
    for (int k = 1; k <= others; k++) { /* the other threads' CPUs: an IPI each, waited for */
        struct zc_ipi *q = &st->ipi[(cpu->id + k) % h->m->ncpus];
        sim_machine_charge_more(h->m, cpu, SIM_FN_FLUSH_TLB, SIM_COST_ZC_TLB_IPI);
        h->st.zc_tlb_ipis++;
        if (!q->pending++ && sim_schedule_fn(&h->m->q, sim_cpu_now(cpu), ipi_arrive, q) < 0)
            abort();                    /* the model cannot go on without its event */
    }
    z->n = 0;
    z->pages = 0;
}

const struct receive_policy_ops receive_zerocopy = {
    .name = "zerocopy",
    .what = "getsockopt(TCP_ZEROCOPY_RECEIVE): whole payload pages mapped, the rest read() and copied",
    .maps = true,
    .create = zc_create,
    .destroy = zc_destroy,
    .read = zc_read,
    .done = zc_done,
};
