/* drivers/rss.c: Toeplitz hashing and IRQ routing (see rss.h). */
#include "drivers/rss.h"

#include "netstack/eth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t rss_default_key[RSS_KEY_LEN] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
    0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
    0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

uint32_t rss_toeplitz(const uint8_t *key, const uint8_t *input, size_t len)
{
    /* For every set input bit, XOR in the 32-bit key window starting at it. */
    uint32_t hash = 0;
    uint32_t window = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    for (size_t i = 0; i < len; i++) {
        uint8_t next = key[i + 4];
        for (int b = 7; b >= 0; b--) {
            if (input[i] & (1u << b))
                hash ^= window;
            window = window << 1 | ((next >> b) & 1);
        }
    }
    return hash;
}

uint32_t rss_hash_tuple(uint8_t v, const uint8_t *saddr, const uint8_t *daddr,
                        uint16_t sport, uint16_t dport)
{
    uint8_t in[36];
    size_t alen = v == 4 ? 4 : 16;
    memcpy(in, saddr, alen);
    memcpy(in + alen, daddr, alen);
    in[2 * alen] = (uint8_t)(sport >> 8);
    in[2 * alen + 1] = (uint8_t)sport;
    in[2 * alen + 2] = (uint8_t)(dport >> 8);
    in[2 * alen + 3] = (uint8_t)dport;
    return rss_toeplitz(rss_default_key, in, 2 * alen + 4);
}

uint32_t rss_hash_frame(const uint8_t *p, uint32_t len, int is_ethernet, uint32_t off)
{
    uint16_t type;
    if (is_ethernet) {
        if (eth_find_l3(p, len, &off, &type) < 0)
            return 0;
    } else {
        if (len <= off)
            return 0;
        type = (p[off] >> 4) == 6 ? 0x86dd : 0x0800;
    }
    if (type == 0x0800) {
        if (len < off + 20 || p[off + 9] != 6 || (p[off + 6] & 0x3f) || p[off + 7])
            return 0;                   /* not TCP, or a fragment */
        uint32_t ihl = (uint32_t)(p[off] & 15) * 4;
        if (ihl < 20 || len < off + ihl + 4)
            return 0;
        const uint8_t *t = p + off + ihl;
        return rss_hash_tuple(4, p + off + 12, p + off + 16, (uint16_t)(t[0] << 8 | t[1]),
                              (uint16_t)(t[2] << 8 | t[3]));
    }
    if (type == 0x86dd) {
        if (len < off + 44 || p[off + 6] != 6)
            return 0;                   /* extension headers: the default queue */
        const uint8_t *t = p + off + 40;
        return rss_hash_tuple(6, p + off + 8, p + off + 24, (uint16_t)(t[0] << 8 | t[1]),
                              (uint16_t)(t[2] << 8 | t[3]));
    }
    return 0;
}

void rss_peek(struct skb *skb)
{
    struct skb_tuple *t = &skb->tuple;
    const uint8_t *p = skb->data;
    uint32_t len = skb->len, off = skb->l3_off;
    uint16_t type = skb->l3_proto;
    *t = (struct skb_tuple){ .read = true };
    if (skb->l2 == SKB_L2_ETHERNET && eth_find_l3(p, len, &off, &type) < 0)
        return;
    if (type == ETHERTYPE_IPV4 && len >= off + 20)
        t->ip_version = 4;
    else if (type == ETHERTYPE_IPV6 && len >= off + 40)
        t->ip_version = 6;
    else
        return;
    t->l3 = off;
    const uint8_t *ip = p + off;
    if (t->ip_version == 4) {
        uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;
        if (ip[9] != 6 || (ip[6] & 0x3f) || ip[7] || ihl < 20 || len < off + ihl + 4)
            return;                     /* not TCP, a fragment, or the ports not captured */
        t->l4 = off + ihl;
    } else {
        if (ip[6] != 6 || len < off + 44)
            return;                     /* extension headers: the default queue */
        t->l4 = off + 40;
    }
    t->ports = true;
}

uint32_t rss_hash_skb(struct skb *skb)
{
    if (!skb->tuple.read)
        rss_peek(skb);
    const struct skb_tuple *t = &skb->tuple;
    /* Without an Ethernet header the NIC tells v4 from v6 by the version
     * nibble; should the capture's link header say otherwise, read it so. */
    if (skb->l2 != SKB_L2_ETHERNET &&
        (skb->len <= skb->l3_off || ((skb->data[skb->l3_off] >> 4) == 6) != (skb->l3_proto == ETHERTYPE_IPV6)))
        return rss_hash_frame(skb->data, skb->len, 0, skb->l3_off);
    if (!t->ports)
        return 0;
    const uint8_t *ip = skb->data + t->l3, *th = skb->data + t->l4;
    return rss_hash_tuple(t->ip_version, ip + (t->ip_version == 4 ? 12 : 8), ip + (t->ip_version == 4 ? 16 : 24),
                          (uint16_t)(th[0] << 8 | th[1]), (uint16_t)(th[2] << 8 | th[3]));
}

int irq_routing_parse(struct irq_routing *r, const char *spec, int ncpus)
{
    *r = (struct irq_routing){ .ncpus = ncpus };
    if (!strcmp(spec, "rr")) {
        r->route = IRQ_RR;
        return 0;
    }
    if (!strcmp(spec, "rss")) {
        r->route = IRQ_RSS;
        return 0;
    }
    char *end;
    if (!strncmp(spec, "fixed:", 6)) {
        long c = strtol(spec + 6, &end, 10);
        if (end != spec + 6 && !*end && c >= 0 && c < ncpus) {
            r->route = IRQ_FIXED;
            r->fixed_cpu = (int)c;
            return 0;
        }
    }
    return -1;
}

int irq_routing_peek(const struct irq_routing *r, int queue)
{
    switch (r->route) {
    case IRQ_FIXED:
        return r->fixed_cpu;
    case IRQ_RSS:
        return queue % r->ncpus;
    case IRQ_RR:
    default:
        return r->next_rr;
    }
}

int irq_routing_cpu(struct irq_routing *r, int queue)
{
    int c = irq_routing_peek(r, queue);
    if (r->route != IRQ_FIXED && r->route != IRQ_RSS)     /* round-robin: the next interrupt goes on */
        r->next_rr = (r->next_rr + 1) % r->ncpus;
    return c;
}
