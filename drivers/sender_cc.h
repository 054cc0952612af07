/* drivers/sender_cc.h: the closed-loop sender's congestion control and
 * retransmission timer, as pure arithmetic over stream offsets (bytes), so
 * it is tested on its own (tests/unit/check_sender_cc.c):
 *
 *  - NewReno (RFC 5681 slow start and congestion avoidance, RFC 6582 fast
 *    recovery without SACK): initial window 10 segments (RFC 6928, Linux's
 *    TCP_INIT_CWND); slow start adds every byte an ACK acknowledges, as
 *    Linux's tcp_slow_start does since it dropped RFC 3465's limit L (3.9):
 *    a stretch ACK from a lagging reader grows cwnd by all it covers, not by
 *    2 MSS; congestion avoidance adds one
 *    MSS per window of bytes acknowledged (byte counting); the third
 *    duplicate ACK halves the flight (ssthresh = max(flight / 2, 2 MSS)),
 *    retransmits the first unacknowledged segment and inflates cwnd by 3 MSS
 *    (and by one MSS per further duplicate); a partial ACK retransmits the
 *    next hole and deflates cwnd by what it acknowledged less one MSS; the
 *    full ACK (covering `recover`, the highest byte sent when recovery
 *    began) sets cwnd = min(ssthresh, flight + MSS) (RFC 6582 3.2 step 3,
 *    option 1).  A new recovery starts only once una has passed recover.
 *  - RTO (RFC 6298): 1 s before the first sample; then srtt/rttvar with
 *    gains 1/8 and 1/4, rto = srtt + max(G, 4 rttvar), G = 1 ms, no less
 *    than 200 ms (Linux's TCP_RTO_MIN, where RFC 6298 says 1 s) and no more
 *    than 120 s (TCP_RTO_MAX).  A timeout doubles rto (backoff), sets
 *    ssthresh as above, cwnd = 1 MSS (the loss window) and recover = the
 *    highest byte sent.  Samples follow Karn: the caller times one segment
 *    at a time and never a retransmitted one.
 *  - CUBIC (RFC 9438, Linux's default), chosen per flow by `algo`: the same
 *    slow start, recovery mechanics and timer, but a loss sets ssthresh to
 *    0.7 of the flight (not half) and congestion avoidance follows the cubic
 *    curve around the window before the last loss (drivers/sender_cubic.c). */
#ifndef RXSIM_DRIVERS_SENDER_CC_H
#define RXSIM_DRIVERS_SENDER_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/sender_cubic.h"
#include "sim/time.h"

#define SENDER_INIT_CWND 10u
#define SENDER_RTO_INIT (1 * SIM_PS_PER_SEC)
#define SENDER_RTO_MIN (200 * SIM_PS_PER_MS)
#define SENDER_RTO_MAX (120 * SIM_PS_PER_SEC)
#define SENDER_RTO_G (1 * SIM_PS_PER_MS)

enum sender_cc_algo { SENDER_CC_NEWRENO, SENDER_CC_CUBIC };

struct sender_cc {
    enum sender_cc_algo algo;       /* NEWRENO unless set after sender_cc_init */
    struct sender_cubic cubic;
    uint32_t mss;
    uint64_t cwnd, ssthresh;        /* bytes */
    uint64_t acked_ca;              /* bytes acknowledged toward the next avoidance step */
    uint32_t dupacks;
    bool in_recovery;               /* fast recovery (RFC 6582) */
    bool recover_set;
    uint64_t recover;               /* one past the highest byte sent when recovery or a timeout began */
    bool have_rtt;
    sim_ps srtt, rttvar, rto;
};

/* What the sender must do after an ACK. */
enum sender_cc_do {
    SENDER_CC_NOTHING,
    SENDER_CC_RETRANSMIT,           /* the first unacknowledged segment, now */
};

void sender_cc_init(struct sender_cc *cc, uint32_t mss);

/* An ACK acknowledging `acked` new bytes, up to ack_off, at time now (CUBIC's
 * curve is a function of time); flight is the bytes outstanding after it
 * (snd_nxt - ack_off).  Leaves fast recovery on the full ACK (*left_recovery
 * true). */
enum sender_cc_do sender_cc_ack(struct sender_cc *cc, uint64_t acked, uint64_t ack_off, uint64_t flight, sim_ps now,
                                bool *left_recovery);

/* "newreno" or "cubic" into *algo; -1 for another name. */
int sender_cc_algo_parse(const char *name, enum sender_cc_algo *algo);
const char *sender_cc_algo_name(enum sender_cc_algo algo);

/* A duplicate ACK at una with flight bytes outstanding and snd_max one past
 * the highest byte sent.  SENDER_CC_RETRANSMIT on the third (fast
 * retransmit: recovery entered). */
enum sender_cc_do sender_cc_dupack(struct sender_cc *cc, uint64_t una, uint64_t flight, uint64_t snd_max);

/* The retransmission timer expired with flight bytes outstanding. */
void sender_cc_timeout(struct sender_cc *cc, uint64_t flight, uint64_t snd_max);

/* A round-trip sample (Karn's rule is the caller's). */
void sender_cc_rtt(struct sender_cc *cc, sim_ps sample);

#endif
