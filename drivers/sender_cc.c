/* drivers/sender_cc.c: NewReno and the RFC 6298 timer (sender_cc.h). */
#include "drivers/sender_cc.h"

void sender_cc_init(struct sender_cc *cc, uint32_t mss)
{
    *cc = (struct sender_cc){ .mss = mss, .cwnd = (uint64_t)SENDER_INIT_CWND * mss, .ssthresh = UINT64_MAX,
                              .rto = SENDER_RTO_INIT };
}

static uint64_t half_flight(const struct sender_cc *cc, uint64_t flight)
{
    uint64_t h = flight / 2;
    return h > 2ull * cc->mss ? h : 2ull * cc->mss;
}

enum sender_cc_do sender_cc_ack(struct sender_cc *cc, uint64_t acked, uint64_t ack_off, uint64_t flight,
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
    if (cc->cwnd < cc->ssthresh) {      /* slow start, L = 2 MSS */
        uint64_t inc = acked < 2ull * cc->mss ? acked : 2ull * cc->mss;
        cc->cwnd += inc;
        if (cc->cwnd > cc->ssthresh && cc->ssthresh != UINT64_MAX)
            cc->cwnd = cc->ssthresh;
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
    cc->ssthresh = half_flight(cc, flight);
    cc->cwnd = cc->ssthresh + 3ull * cc->mss;
    cc->recover = snd_max;
    cc->recover_set = true;
    cc->in_recovery = true;
    return SENDER_CC_RETRANSMIT;
}

void sender_cc_timeout(struct sender_cc *cc, uint64_t flight, uint64_t snd_max)
{
    cc->ssthresh = half_flight(cc, flight);
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
