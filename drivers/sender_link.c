/* drivers/sender_link.c: a closed-loop link (sender_link.h): the FIFO of
 * frames in flight and its timing. */
#include "drivers/sender_link.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_OVERHEAD 24                /* preamble + SFD, FCS, inter-frame gap (drivers/nic.c) */

int sender_link_init(struct sender_link *l, uint32_t idx, uint64_t bps, sim_ps owd, uint32_t slot_size)
{
    *l = (struct sender_link){ .idx = idx, .bps = bps, .owd = owd, .slot_size = slot_size };
    l->cur = malloc(slot_size);
    return l->cur ? 0 : -1;
}

void sender_link_fini(struct sender_link *l)
{
    free(l->cur);
    free(l->slots);
    free(l->slot_len);
    free(l->slot_at);
    *l = (struct sender_link){0};
}

/* Serialization of a frame of len bytes (Ethernet header on) at the link rate, in ps. */
static sim_ps wire_ps(const struct sender_link *l, uint32_t len)
{
    __extension__ unsigned __int128 ps = (unsigned __int128)(((uint64_t)len + WIRE_OVERHEAD) * 8) *
                                         (uint64_t)SIM_PS_PER_SEC / l->bps;
    return (sim_ps)ps;
}

uint8_t *sender_link_slot(struct sender_link *l)
{
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 256;
        uint8_t *slots = malloc((size_t)cap * l->slot_size);
        uint32_t *len = malloc(cap * sizeof *len);
        sim_ps *at = malloc(cap * sizeof *at);
        if (!slots || !len || !at) {
            free(slots);
            free(len);
            free(at);
            return NULL;
        }
        for (uint32_t i = 0; i < l->count; i++) {
            uint32_t j = (l->head + i) % l->cap;
            memcpy(slots + (size_t)i * l->slot_size, l->slots + (size_t)j * l->slot_size, l->slot_len[j]);
            len[i] = l->slot_len[j];
            at[i] = l->slot_at[j];
        }
        free(l->slots);
        free(l->slot_len);
        free(l->slot_at);
        l->slots = slots;
        l->slot_len = len;
        l->slot_at = at;
        l->cap = cap;
        l->head = 0;
    }
    return l->slots + (size_t)((l->head + l->count) % l->cap) * l->slot_size;
}

sim_ps sender_link_put(struct sender_link *l, uint32_t len, sim_ps now)
{
    sim_ps depart = now > l->link_free ? now : l->link_free;
    sim_ps ser = wire_ps(l, len);
    l->link_free = depart + ser;
    l->busy_ps += ser;
    l->frames_put++;
    l->bytes_put += len;
    sim_ps at = l->link_free + l->owd;
    at = (at + SIM_PS_PER_NS - 1) / SIM_PS_PER_NS * SIM_PS_PER_NS;
    uint32_t tail = (l->head + l->count) % l->cap;
    l->slot_len[tail] = len;
    l->slot_at[tail] = at;
    l->count++;
    return at;
}

void sender_link_take_back(struct sender_link *l)
{
    l->count--;
}

int sender_link_insert(struct sender_link *l, const uint8_t *frame, uint32_t len, sim_ps at)
{
    if (!sender_link_slot(l))
        return -1;
    uint32_t pos;
    for (pos = l->count; pos > 0 && l->slot_at[(l->head + pos - 1) % l->cap] > at; pos--) {
        uint32_t from = (l->head + pos - 1) % l->cap, to = (l->head + pos) % l->cap;
        memcpy(l->slots + (size_t)to * l->slot_size, l->slots + (size_t)from * l->slot_size, l->slot_len[from]);
        l->slot_len[to] = l->slot_len[from];
        l->slot_at[to] = l->slot_at[from];
    }
    uint32_t j = (l->head + pos) % l->cap;
    memcpy(l->slots + (size_t)j * l->slot_size, frame, len);
    l->slot_len[j] = len;
    l->slot_at[j] = at;
    l->count++;
    return 0;
}

bool sender_link_pop(struct sender_link *l, const uint8_t **data, uint32_t *len, sim_ps *at)
{
    if (!l->count)
        return false;
    uint32_t j = l->head;
    *len = l->slot_len[j];
    *at = l->slot_at[j];
    memcpy(l->cur, l->slots + (size_t)j * l->slot_size, *len);
    *data = l->cur;
    l->head = (l->head + 1) % l->cap;
    l->count--;
    return true;
}

sim_ps sender_link_last_arrival(const struct sender_link *l)
{
    return l->slot_at[(l->head + l->count - 1) % l->cap];
}

sim_ps sender_link_busy_by(const struct sender_link *l, sim_ps now)
{
    sim_ps ahead = l->link_free > now ? l->link_free - now : 0;
    return l->busy_ps > ahead ? l->busy_ps - ahead : 0;
}
