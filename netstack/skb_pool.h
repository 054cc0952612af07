/* netstack/skb_pool.h: receive buffers for the simulator, and the pool and
 * per-CPU caches the recycle policies (netstack/policy/recycle_*.c) move
 * them through.
 *
 * A buffer is metadata plus SKB_BUF_SIZE real bytes (the NIC model copies the
 * frame into them, the reader copies out of them with a real copy routine).
 * Each buffer also has two simulated addresses for the cache model: its data
 * (SKB_BUF_SIZE bytes) and its metadata (one line), fixed for its life, so a
 * recycled buffer is warm or cold in whichever CPU touched it last.
 *
 * A frame longer than one buffer spans several, as a NIC with 2 KiB receive
 * buffers chains descriptors (ixgbe's non-EOP descriptors, the skb's page
 * frags): buffer i of the chain holds bytes [i * 2048, (i + 1) * 2048) of
 * the frame and links to the next through frag.  A 9014-byte jumbo frame
 * takes 5 buffers, a 64 KiB GRO super-packet 33, and every step charges the
 * lines of the buffers it touches, wherever they are:
 *
 *   head ──frag──▶ buf ──frag──▶ buf ──frag──▶ NULL
 *   | eth ip tcp payload.. |  | ..payload.. |  | ..payload | (unused) |
 *   0                   2048  4096          6144        len
 *
 * A free buffer is in exactly one of three places, and an allocated one is
 * "out" (in an RX ring slot or queued on a socket):
 *
 *   global   the allocator's free list, behind one lock whose line
 *            (lock_addr) bounces between the CPUs that take it
 *   cache[c] CPU c's private stack, no lock; slot[len-1] is the hottest
 *   ring     buffers the `ring` policy sent straight back to the RX ring
 *
 * Caches move buffers to and from the global list in bulk, half a cache at a
 * time (DPDK's mempool cache; STYLE.md practice 7): with 64-slot caches a CPU
 * takes the lock once per 32 buffers instead of once per buffer.  A CPU whose
 * cache is empty does not raid other caches, so up to ncpus x size buffers
 * can sit idle while another CPU finds the global list empty (as with slab).
 *
 * A buffer remembers where it came from (alloc_cpu, set on every allocation;
 * STYLE.md practice 6), which the `origin` and `defer` policies need and the
 * remote-free count is defined by, here and nowhere else (skb_pool_take_back):
 * a free is remote when the CPU that frees the buffer is not the CPU that
 * allocated it, whatever the policy then does with it.  So every policy
 * counts the same event: with the IRQ on one CPU and the reader on another,
 * every release is remote under every policy.
 *
 * The skb's own work is priced here, once, for every policy (issue 13 item
 * 6): ALLOC_SKB per buffer handed out (inside alloc_skb), FREE_SKB per frame
 * freed (inside whichever call frees it), and a free on another CPU than
 * alloc_cpu pays by one rule: the cache model's transfers of the metadata
 * line it writes, plus REMOTE_FREE (the allocator's remote-free path: SLUB's
 * __slab_free to a slab another CPU owns, page_pool's ptr_ring).  Policies
 * differ only in what they do besides: where the buffer goes next
 * (none/global: the global list under its lock; percpu: the freeing CPU's
 * cache; origin: home to alloc_cpu's cache; ring: the ring list; defer:
 * onto alloc_cpu's defer list, freed there locally by the next NET_RX
 * softirq, skb_pool_defer_flush) and the lock takes that costs.
 *
 * Nothing else here charges cycles except skb_pool_lock() and the cache
 * helpers (which take the lock when they must).  The model is
 * single-threaded, so "the lock" is its cost, never a real mutex. */
#ifndef RXSIM_NETSTACK_SKB_POOL_H
#define RXSIM_NETSTACK_SKB_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/machine.h"

#define SKB_BUF_SIZE 2048               /* any standard frame with VLAN tags in one buffer */
#define SKB_FRAME_MAX (256u << 10)      /* longest frame (128 buffers): the largest snaplen
                                           libpcap reads or captures with */
#define SKB_CACHE_MAX 256
#define SKB_DEFER_MAX 64                /* Linux's sysctl net.core.skb_defer_max (6.x default) */

/* Buffers a frame of len bytes takes (a frame of 0 bytes still takes one). */
static inline uint32_t skb_bufs_for(uint32_t len)
{
    return len <= SKB_BUF_SIZE ? 1 : (len + SKB_BUF_SIZE - 1) / SKB_BUF_SIZE;
}

struct skb_buf {
    struct skb_buf *next;               /* link in the global or ring list while there */
    struct skb_buf *frag;               /* while out: the frame's next buffer; NULL: the last */
    bool tail_of_frame;                 /* while out: a longer frame's 2nd.. buffer (Linux: a page frag of one skb) */
    bool gro_merged;                    /* while out: GRO merged this frame into an earlier segment's skb
                                           (Linux: one skb, whose page frags this frame's data became) */
    uint8_t *data;                      /* SKB_BUF_SIZE real bytes */
    uint64_t data_addr;                 /* simulated address of data */
    uint64_t meta_addr;                 /* simulated address of the metadata line */
    int alloc_cpu;                      /* CPU that allocated it last; -1 before the first time */
    uint32_t id;                        /* index in pool->bufs */
    bool out;                           /* allocated, not yet released */
};

struct skb_list {                       /* LIFO of free buffers linked through next */
    struct skb_buf *head;
    uint32_t len;
};

struct skb_cache {                      /* one CPU's private stack of free buffers */
    uint32_t len, size;
    struct skb_buf *slot[SKB_CACHE_MAX];
};

/* Invariant: allocs == frees + recycled + buffers out.  A deferred free is
 * a free (its kfree_skb call happened); its buffer waits on a defer list. */
struct skb_pool_stats {
    uint64_t allocs;                    /* buffers handed out by an alloc hook */
    uint64_t frees;                     /* releases into the global list, a cache or a defer list */
    uint64_t recycled;                  /* releases straight back to the ring list */
    uint64_t remote_frees;              /* releases (frees or recycled) on a CPU other than alloc_cpu */
    uint64_t exhausted;                 /* alloc calls that found no buffer */
    /* the defer policy (skb_attempt_defer_free); 0 under the others */
    uint64_t deferred;                  /* frees queued on the alloc CPU's defer list */
    uint64_t defer_flushes;             /* skb_defer_free_flush calls that freed a list */
    uint64_t defer_kicks;               /* IPIs to the alloc CPU: its list reached defer_max / 2 */
    uint64_t defer_full;                /* remote frees done on the spot: the list held defer_max */
};

struct skb_pool {
    struct skb_buf *bufs;               /* all buffers, in one array */
    uint8_t *bytes;                     /* their data, in one allocation */
    uint32_t count;
    int ncpus;                          /* caches in use: cache[0 .. ncpus) */
    struct skb_list global;
    struct skb_list ring;
    uint64_t lock_addr;                 /* simulated line of the global list's lock */
    struct skb_cache cache[SIM_MAX_CPUS];
    /* CPU c's defer list (softnet_data's defer_list, linked through next) and
     * the line holding it, its count and its lock, at defer_addr + c lines */
    struct skb_list defer[SIM_MAX_CPUS];
    uint32_t defer_skbs[SIM_MAX_CPUS];  /* sd->defer_count: skbs (frame heads, after GRO) on defer[c] */
    bool defer_head_queued[SIM_MAX_CPUS];   /* the last skb head released to c: queued (its frags follow it) */
    uint64_t defer_addr;
    uint32_t defer_max;                 /* skb_defer_max: SKB_DEFER_MAX unless a caller sets it */
    struct skb_pool_stats st;
};

/* count (>= 1) buffers, all on the global list, and one cache of cache_size
 * (1 ..= SKB_CACHE_MAX) per CPU of m.  0, or -1 on a bad size or no memory
 * (p is then safe to skb_pool_fini). */
int skb_pool_init(struct skb_pool *p, struct sim_machine *m, uint32_t count, uint32_t cache_size);
/* Frees the buffers and their bytes, wherever they are; no-op on a zeroed pool. */
void skb_pool_fini(struct skb_pool *p);

static inline void skb_list_push(struct skb_list *l, struct skb_buf *b)
{
    b->next = l->head;
    l->head = b;
    l->len++;
}

static inline struct skb_buf *skb_list_pop(struct skb_list *l)
{
    struct skb_buf *b = l->head;
    if (b) {
        l->head = b->next;
        b->next = NULL;
        l->len--;
    }
    return b;
}

/* Moves up to n buffers from the global list into out[]; returns how many
 * (fewer when the list runs dry).  Charges nothing: call skb_pool_lock() first. */
uint32_t skb_pool_get_bulk(struct skb_pool *p, struct skb_buf **out, uint32_t n);
/* Moves n buffers onto the global list.  Charges nothing: call skb_pool_lock() first. */
void skb_pool_put_bulk(struct skb_pool *p, struct skb_buf *const *bufs, uint32_t n);

/* The cost of taking the global list's lock on cpu: POOL_LOCK, plus a write
 * of the lock line, which is a cache-to-cache transfer (counted as
 * skb_pool_lock's lines_out) when another CPU took the lock last. */
void skb_pool_lock(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu);

/* Every alloc hook ends here: b goes out to the NIC from cpu.  Sets
 * alloc_cpu, clears gro_merged, counts the one alloc_skb call (the profile's) and the
 * allocation (st.allocs), charges ALLOC_SKB and the write of the metadata
 * line inside it, and returns b.  A policy's own allocator cost goes inside
 * that call (sim_machine_charge_more), never as a second call. */
struct skb_buf *skb_pool_hand_out(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu,
                                  struct skb_buf *b);
/* Every release hook starts with one of these two.  Both count the one
 * kfree_skb call of the release, count it remote when cpu is not
 * b->alloc_cpu (the one place remote frees are counted), and have cpu
 * write b's metadata line inside it (a transfer when another CPU wrote it
 * last).  skb_pool_take_back then does the free's work on cpu, inside that
 * call (skb_pool_free_work); skb_pool_take_back_deferred leaves it to
 * whoever frees the buffer later (the defer policy's flush).  b must be one
 * of p's buffers and out: releasing a buffer twice aborts. */
void skb_pool_take_back(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, struct skb_buf *b);
void skb_pool_take_back_deferred(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu,
                               struct skb_buf *b);
/* The free's work, the one rule of every policy, inside a call of fn
 * already counted: FREE_SKB when b heads its frame (Linux frees one skb
 * with its page frags), plus REMOTE_FREE when cpu is not b->alloc_cpu. */
void skb_pool_free_work(struct sim_machine *m, struct sim_cpu *cpu, enum sim_function fn,
                        const struct skb_buf *b);

/* skb_defer_free_flush on cpu (the start of its NET_RX softirq): when cpu's
 * defer list holds buffers, one call of skb_defer_free_flush that writes
 * the list's line and, per buffer, its metadata line (moved back from the
 * reader's CPU) and the free's work, local now, each buffer into cpu's own
 * cache.  Counts st.defer_flushes; a no-op (no call) on an empty list. */
void skb_pool_defer_flush(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu);

/* A buffer from cpu's own cache, refilling half a cache from the global list
 * under the lock when it is empty; NULL when both are empty (nothing counted:
 * the caller counts exhaustion). */
struct skb_buf *skb_cache_get(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu);

/* One buffer from / to the global list under its lock (the allocator of
 * none, global and ring's fallback): get counts the pool exhausted and
 * returns NULL when the list is empty; neither hands out nor takes back. */
struct skb_buf *skb_pool_global_get(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu);
void skb_pool_global_put(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, struct skb_buf *b);

/* The alloc of every per-CPU-cache policy: skb_cache_get() then hand it out,
 * or count the pool exhausted and return NULL. */
struct skb_buf *skb_cache_alloc(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu);
/* Puts b into the cache of CPU `owner`; when that cache is full, cpu first
 * moves its colder half (the bottom slots) to the global list under the lock. */
void skb_cache_put(struct skb_pool *p, struct sim_machine *m, struct sim_cpu *cpu, int owner,
                   struct skb_buf *b);

#endif
