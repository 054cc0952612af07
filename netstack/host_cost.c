/* netstack/host_cost.c: what running a copy or checksum routine over n
 * bytes costs, from the calibration profile and the cache model's verdict
 * on the source lines (host.h: rx_host_byte_cost). */
#include "netstack/host.h"

static double curve(const struct rx_host *h, const struct copy_routine *r, uint32_t n, unsigned align,
                    enum calib_cache state)
{
    return h->cfg.profile ? costs_lookup(h->cfg.profile, r->name, n, align, state) : -1;
}

/* costs_lookup() through a direct-mapped memo: the same few sizes and
 * alignments recur for every frame, and the profile search is by name. */
static const struct cost_memo *costs_of(struct rx_host *h, const struct copy_routine *r, uint32_t n,
                                        unsigned align)
{
    uint64_t key = ((uint64_t)(uintptr_t)r >> 4) ^ (uint64_t)n << 20 ^ (uint64_t)align << 8;
    key *= 0x9e3779b97f4a7c15ull;       /* mix every field into the bits used */
    struct cost_memo *e = &h->memo[(key >> 40) % COST_MEMO];
    if (e->r != r || e->n != n || e->align != align) {
        const struct copy_routine *cs = h->cfg.line_probe ? h->cfg.line_probe : h->cfg.csum_routine;
        *e = (struct cost_memo){ .r = r, .n = n, .align = (uint8_t)align,
                                 .hot = curve(h, r, n, align, CALIB_HOT),
                                 .remote = curve(h, r, n, align, CALIB_REMOTE),
                                 .csum_hot = cs ? curve(h, cs, n, align, CALIB_HOT) : -1,
                                 .csum_cold = cs ? curve(h, cs, n, align, CALIB_COLD) : -1,
                                 .csum_remote = cs ? curve(h, cs, n, align, CALIB_REMOTE) : -1 };
    }
    return e;
}

uint64_t rx_host_byte_cost(struct rx_host *h, const struct copy_routine *r, uint32_t n,
                           unsigned align, const struct sim_touch *t)
{
    if (!n)
        return 0;
    const struct cost_memo *e = costs_of(h, r, n, align);
    double hot = e->hot;
    if (hot < 0)
        hot = n / 8.0;                  /* no curve: a plain 8-bytes-a-cycle loop */
    double lines = (double)(t->hits + t->misses + t->transfers);
    if (lines <= 0)
        return (uint64_t)(hot * h->cfg.tsc_to_cpu + 0.5);
    /* A source line from memory costs what it costs the line probe (a
     * checksum), a pure read: the profile's cold curves of copies also miss
     * on their destination, which here is the reader's hot user buffer. */
    double rhot = e->csum_hot, rcold = e->csum_cold;
    double miss_line = rhot >= 0 && rcold > rhot ? (rcold - rhot) / lines : 0;
    /* A line from another CPU's cache: a copy's own remote curve (source
     * just written elsewhere, destination hot); a checksum reads as the
     * probe does, so the probe's: a line costs the memory system's price,
     * not the loop's (and one probe keeps every checksum routine priced
     * from one calibration run).  A miss if there is no curve. */
    double remote = r->kind == COPY_KIND_CSUM ? e->csum_remote : e->remote;
    double base = r->kind == COPY_KIND_CSUM ? rhot : hot;
    double transfer_line = base >= 0 && remote > base ? (remote - base) / lines : miss_line;
    double cycles = hot + miss_line * t->misses + transfer_line * t->transfers;
    return (uint64_t)(cycles * h->cfg.tsc_to_cpu + 0.5);
}
