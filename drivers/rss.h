/* drivers/rss.h: receive-side scaling and interrupt routing.
 *
 * The queue of a frame is the Toeplitz hash of its 4-tuple (Microsoft's RSS
 * specification, the default 40-byte key every NIC ships) modulo the number
 * of queues; the interrupt of a queue goes to a CPU by one of three rules:
 *   fixed:C  every interrupt to CPU C
 *   rr       each interrupt to the next CPU in turn (the 2.4-era dynamic routing)
 *   rss      queue i to CPU i mod ncpus */
#ifndef RXSIM_DRIVERS_RSS_H
#define RXSIM_DRIVERS_RSS_H

#include <stddef.h>
#include <stdint.h>

#include "netstack/skb.h"

#define RSS_KEY_LEN 40

extern const uint8_t rss_default_key[RSS_KEY_LEN];

/* Toeplitz hash of input[0..len) under key (len <= RSS_KEY_LEN - 4). */
uint32_t rss_toeplitz(const uint8_t *key, const uint8_t *input, size_t len);

/* Hash of a TCP/IPv4 or TCP/IPv6 frame's 4-tuple (addresses as in the packet,
 * ports host order); ip_version 4 or 6. */
uint32_t rss_hash_tuple(uint8_t ip_version, const uint8_t *saddr, const uint8_t *daddr,
                        uint16_t sport, uint16_t dport);

/* Hash of a frame at data (Ethernet, possibly VLAN-tagged, or starting at the
 * network header when l3_off says so, its version nibble telling v4 from
 * v6); frames that are not TCP over IP hash to 0 (queue 0), as NICs send
 * them to the default queue. */
uint32_t rss_hash_frame(const uint8_t *data, uint32_t len, int is_ethernet, uint32_t l3_off);

/* Reads skb->tuple from skb->data/len/l2 (l3_off, l3_proto when not
 * Ethernet): the one read of a frame's headers before the stack. */
void rss_peek(struct skb *skb);

/* rss_hash_frame() from skb->tuple (peeked when it was not yet). */
uint32_t rss_hash_skb(struct skb *skb);

enum irq_route { IRQ_FIXED, IRQ_RR, IRQ_RSS };

struct irq_routing {
    enum irq_route route;
    int fixed_cpu;
    int ncpus;
    int next_rr;
};

/* Parses "fixed:C", "rr" or "rss"; 0, or -1 when malformed or C >= ncpus. */
int irq_routing_parse(struct irq_routing *r, const char *spec, int ncpus);
/* The CPU that takes the next interrupt of queue. */
int irq_routing_cpu(struct irq_routing *r, int queue);
/* The CPU the next interrupt of queue would go to, without taking it (rr
 * does not advance). */
int irq_routing_peek(const struct irq_routing *r, int queue);

#endif
