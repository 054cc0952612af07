/* netstack/verdict.c: reasons a direction's figures are not meaningful (see
 * verdict.h). */
#include "netstack/verdict.h"

#include <stdio.h>

#include "netstack/tcp.h"
#include "netstack/tcp_reasm.h"

static const char *const verdict_keys[] = {
#define RX_VERDICT_KEY(e, key, phrase) key,
    RX_VERDICT_REASONS(RX_VERDICT_KEY)
#undef RX_VERDICT_KEY
};

static const char *const verdict_phrases[] = {
#define RX_VERDICT_PHRASE(e, key, phrase) phrase,
    RX_VERDICT_REASONS(RX_VERDICT_PHRASE)
#undef RX_VERDICT_PHRASE
};

const char *rx_verdict_key(enum rx_verdict_reason r)
{
    return (unsigned)r < RX_VERDICT__COUNT ? verdict_keys[r] : "unknown";
}

const char *rx_verdict_phrase(enum rx_verdict_reason r)
{
    return (unsigned)r < RX_VERDICT__COUNT ? verdict_phrases[r] : "unknown";
}

void rx_verdict_of(const struct tcp_dir *d, bool replay, struct rx_verdict *v)
{
    *v = (struct rx_verdict){0};
    /* Behind a hole at the end: still queued, thrown away when the connection
     * ended, or refused over the out-of-order bound while the hole was open. */
    uint64_t stranded = tcp_reasm_pending(&d->reasm) + d->stranded_at_close + d->reasm.st.ooo_dropped_bytes;
    if (replay && stranded) {
        v->reasons |= 1u << RX_VERDICT_STRANDED;
        v->bytes[RX_VERDICT_STRANDED] = stranded;
    }
    /* Data the NIC dropped that the stream never got past: not repaired. */
    if (d->nic_lost_segs_any && (!d->reasm.synced || seq_after(d->nic_lost_end, d->reasm.rcv_nxt))) {
        v->reasons |= 1u << RX_VERDICT_DROPPED_AT_NIC;
        v->bytes[RX_VERDICT_DROPPED_AT_NIC] = d->nic_lost_bytes;
    }
    if (d->uncaptured_segs) {
        v->reasons |= 1u << RX_VERDICT_PAYLOAD_NOT_CAPTURED;
        v->bytes[RX_VERDICT_PAYLOAD_NOT_CAPTURED] = d->uncaptured_bytes;
        v->segments_not_captured = d->uncaptured_segs;
        v->snaplen = d->uncaptured_snaplen;
    }
}

void rx_verdict_add(struct rx_verdict_sum *s, const struct rx_verdict *v)
{
    s->reasons |= v->reasons;
    for (int r = 0; r < RX_VERDICT__COUNT; r++)
        if (rx_verdict_has(v, r)) {
            s->bytes[r] += v->bytes[r];
            s->directions[r]++;
        }
    if (v->snaplen > s->snaplen)
        s->snaplen = v->snaplen;
}

void rx_verdict_label(enum rx_verdict_reason r, uint32_t snaplen, char *buf, size_t size)
{
    if (r == RX_VERDICT_PAYLOAD_NOT_CAPTURED && snaplen)
        snprintf(buf, size, "%s (snaplen %u)", rx_verdict_phrase(r), snaplen);
    else
        snprintf(buf, size, "%s", rx_verdict_phrase(r));
}

static void human_bytes(uint64_t n, char *buf, size_t size)
{
    if (n >= 1000000)
        snprintf(buf, size, "%.1f MB", (double)n / 1e6);
    else if (n >= 10000)
        snprintf(buf, size, "%.1f kB", (double)n / 1e3);
    else
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
}

void rx_verdict_describe(const struct rx_verdict_sum *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int r = 0; r < RX_VERDICT__COUNT && used < size; r++) {
        if (!(s->reasons & (1u << r)))
            continue;
        char label[96], amount[32];
        rx_verdict_label(r, s->snaplen, label, sizeof label);
        human_bytes(s->bytes[r], amount, sizeof amount);
        int n = snprintf(buf + used, size - used, "%s%s: %s in %llu direction%s", used ? "; " : "", label,
                         amount, (unsigned long long)s->directions[r], s->directions[r] == 1 ? "" : "s");
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
