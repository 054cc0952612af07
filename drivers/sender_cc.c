/* drivers/sender_cc.c: NewReno and the RFC 6298 timer (sender_cc.h); the
 * CUBIC curve is drivers/sender_cubic.c's. */
#include "drivers/sender_cc.h"

#include <string.h>

int sender_cc_algo_parse(const char *name, enum sender_cc_algo *algo)
{
    if (!strcmp(name, "newreno"))
        *algo = SENDER_CC_NEWRENO;
    else if (!strcmp(name, "cubic"))
        *algo = SENDER_CC_CUBIC;
    else
        return -1;
    return 0;
}

const char *sender_cc_algo_name(enum sender_cc_algo algo)
{
    return algo == SENDER_CC_CUBIC ? "cubic" : "newreno";
}

void sender_cc_init(struct sender_cc *cc, uint32_t mss)
{
    *cc = (struct sender_cc){ .mss = mss, .cwnd = (uint64_t)SENDER_INIT_CWND * mss, .ssthresh = UINT64_MAX,
                              .rto = SENDER_RTO_INIT };
}

/* ssthresh after a loss: half the flight (RFC 5681), CUBIC's 0.7 of it
 * (RFC 9438 4.6, which also remembers the window for its curve); at least
 * two segments either way. */
static uint64_t reduced(struct sender_cc *cc, uint64_t flight)
{
    uint64_t h = cc->algo == SENDER_CC_CUBIC ? sender_cubic_loss(&cc->cubic, cc->cwnd, flight) : flight / 2;
    return h > 2ull * cc->mss ? h : 2ull * cc->mss;
}

enum sender_cc_do sender_cc_ack(struct sender_cc *cc, uint64_t acked, uint64_t ack_off, uint64_t flight, sim_ps now,
                                bool *left_recovery)
{
    *left_recovery = false;
    if (cc->in_recovery) {
        if (ack_off >= cc->recover) {   /* the full ACK */
            uint64_t w = flight + cc->mss;
            cc->cwnd = w < cc->ssthresh ? w : cc->ssthresh;
            cc->in_recovery = false;
            cc->dupacks = 0;
            cc->acked_ca = 0;
            *left_recovery = true;
            return SENDER_CC_NOTHING;
        }
        /* A partial ACK: the next hole goes now; deflate by what it acked, add back one MSS. */
        cc->cwnd = cc->cwnd > acked ? cc->cwnd - acked : 0;
        cc->cwnd += cc->mss;
        if (cc->cwnd < cc->mss)
            cc->cwnd = cc->mss;
        return SENDER_CC_RETRANSMIT;
    }
    cc->dupacks = 0;
    if (cc->cwnd < cc->ssthresh) {      /* slow start: every byte acknowledged (Linux's tcp_slow_start) */
        cc->cwnd += acked;
        if (cc->cwnd > cc->ssthresh && cc->ssthresh != UINT64_MAX)
            cc->cwnd = cc->ssthresh;
    } else if (cc->algo == SENDER_CC_CUBIC) {
        cc->cwnd = sender_cubic_avoid(&cc->cubic, cc->cwnd, acked, cc->mss, now, cc->have_rtt ? cc->srtt : 0);
    } else {                            /* congestion avoidance: one MSS per window acknowledged */
        cc->acked_ca += acked;
        if (cc->acked_ca >= cc->cwnd) {
            cc->acked_ca -= cc->cwnd;
            cc->cwnd += cc->mss;
        }
    }
    return SENDER_CC_NOTHING;
}

enum sender_cc_do sender_cc_dupack(struct sender_cc *cc, uint64_t una, uint64_t flight, uint64_t snd_max)
{
    cc->dupacks++;
    if (cc->in_recovery) {
        cc->cwnd += cc->mss;            /* each further duplicate: a segment has left the network */
        return SENDER_CC_NOTHING;
    }
    if (cc->dupacks != 3 || (cc->recover_set && una < cc->recover))
        return SENDER_CC_NOTHING;       /* not yet, or still data from before the last recovery */
    cc->ssthresh = reduced(cc, flight);
    cc->cwnd = cc->ssthresh + 3ull * cc->mss;
    cc->recover = snd_max;
    cc->recover_set = true;
    cc->in_recovery = true;
    return SENDER_CC_RETRANSMIT;
}

void sender_cc_timeout(struct sender_cc *cc, uint64_t flight, uint64_t snd_max)
{
    cc->ssthresh = reduced(cc, flight);
    cc->cwnd = cc->mss;
    cc->acked_ca = 0;
    cc->dupacks = 0;
    cc->in_recovery = false;
    cc->recover = snd_max;
    cc->recover_set = true;
    cc->rto = cc->rto > SENDER_RTO_MAX / 2 ? SENDER_RTO_MAX : cc->rto * 2;
}

void sender_cc_rtt(struct sender_cc *cc, sim_ps r)
{
    if (!cc->have_rtt) {
        cc->srtt = r;
        cc->rttvar = r / 2;
        cc->have_rtt = true;
    } else {
        sim_ps diff = cc->srtt > r ? cc->srtt - r : r - cc->srtt;
        cc->rttvar = (3 * cc->rttvar + diff) / 4;
        cc->srtt = (7 * cc->srtt + r) / 8;
    }
    sim_ps var = 4 * cc->rttvar > SENDER_RTO_G ? 4 * cc->rttvar : SENDER_RTO_G;
    sim_ps rto = cc->srtt + var;
    cc->rto = rto < SENDER_RTO_MIN ? SENDER_RTO_MIN : rto > SENDER_RTO_MAX ? SENDER_RTO_MAX : rto;
}
