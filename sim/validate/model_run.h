/* sim/validate/model_run.h: the model's side of `rxsim validate`: `rxsim
 * run` on a header-only capture of one configuration's transfer, in this
 * process, under the options that match the kernel configuration, its JSON
 * report read back into struct val_model.
 *
 * What the model is told (docs/validation.md, "What the model is told"):
 *
 *   kernel configuration            rxsim run option
 *   two CPUs, sender 0, reader 1    --cpus 2 --app fixed:1
 *   placement same (RPS -> CPU 1)   --irq fixed:1
 *   placement other (RPS -> CPU 0)  --irq fixed:0
 *   csum on (receiver verifies)     --csum softirq
 *   csum off (sender's tx offload)  --csum offload
 *   GRO on / off                    --delivery gro / packet
 *   deferred skb frees (6.x)        --recycle defer
 *   (a ring that never fills)       --ring 65536 (MODEL_RING)
 *   the reader's recv() size        --recv-size N
 *   the measured TSC                --ghz G
 *   header-only capture             --payload synth
 *   fitted costs, if any            --costs FILE
 *   receiver address                --host ADDR (else guessed)
 *   calibration profile             --profile FILE (else the checked-in one)
 *   always                          --json (the report is parsed)
 *
 * MTU needs no option: it is in the capture (segment sizes).
 *
 * --recycle defer: the kernel measured (6.18) frees an skb allocated on
 * another CPU through skb_attempt_defer_free (every policy charges the
 * skb's alloc and free now).  The model's ALLOC_SKB at the receiver has no
 * veth counterpart (the sender allocates the skb, on CPU 0: in the kernel
 * every free is deferred to it); the model's alloc CPU is the ring fill's,
 * CPU 0 for the first fill, which --ring 65536 makes every frame's.
 * --ring 65536 (the option's maximum): the capture is replayed open loop at
 * its recorded times, while the real transfer was paced by TCP's flow
 * control; with costs fitted on this VM the model falls behind the arrivals,
 * and a 256-descriptor ring would drop (ring_full -> stranded bytes -> exit
 * 5).  A ring this deep holds 65536 MTU-1500 frames (13107 at 9000): the
 * replay queues instead of dropping, for captures up to about 90 MB.
 * Closed-loop replay is issue 14's.  Any other exit 5 stays an error.
 *
 * The figures, from the report:
 *   cycles_per_byte[k]   result.cycles_per_byte_by_category, except that
 *                        protocol leaves out tcp_send_ack's cycles (profile
 *                        section): the real side's categories count only
 *                        RX-side samples, building and sending ACKs is the
 *                        ACK side (validate.h's VAL_SIDES), so the two are
 *                        compared like for like
 *   core_cycles_per_byte protocol + csum + copy + skb, as above
 *   acks_per_segment     result.acks / payload_synthesised.segments (the
 *                        data segments given a payload: every data segment
 *                        to the receiver in a header-only capture)
 *   segments_per_skb     result.frames_per_pass: frames to the stack per
 *                        protocol pass; with --delivery packet or gro a
 *                        pass is one skb into TCP, so it is segments per skb
 *   skbs_per_recv        tcp_data_queue calls / tcp_recvmsg calls (profile
 *                        section): skbs queued to the socket per read
 *   rcvq_median          result.rcvq_median_bytes; -1 (not modelled) for a report without it
 *   exit_status          rxsim run's (5: part of the capture unanswered)
 */
#ifndef RXSIM_VALIDATE_MODEL_RUN_H
#define RXSIM_VALIDATE_MODEL_RUN_H

#include <stddef.h>

#include "sim/validate/validate.h"

struct model_opts {
    const char *costs;      /* --costs FILE, or NULL: the built-in costs */
    double ghz;             /* the measured machine's TSC GHz (--ghz); <= 0: the profile's */
    unsigned msg_size;      /* the real reader's recv() size; 0: rxsim's default */
    const char *host;       /* receiver address in the capture, or NULL to guess */
    const char *profile;    /* calibration profile, or NULL: the checked-in one */
};

/* The most arguments model_argv() writes, and the text it needs for them. */
#define MODEL_ARGV_MAX 40
#define MODEL_RING 65536        /* --ring: run's maximum */
#define MODEL_ARGV_BUF 1024

/* rxsim run in this process on pcap, a header-only capture of c's transfer
 * (so --payload synth), with the options above; fills *out from the run's
 * JSON report.  0: ran and the report was read (out->exit_status says 5 if
 * part was unanswered but the figures stayed meaningful); -1: no usable
 * report (rxsim run's usage, input or internal error, a capture with
 * packets over c's MTU, a partial run whose figures are flagged not
 * meaningful, a report without the figures), err says why, naming the
 * capture. */
int model_run(const struct val_config *c, const char *pcap, const struct model_opts *o,
              struct val_model *out, char *err, size_t n);

/* The rxsim run argv for c ("run", options, pcap; NULL-terminated), for
 * the run itself and for the record of everything validate ran.  The
 * strings live in buf.  Returns argc, or -1 when max or bufn is too small. */
int model_argv(const struct val_config *c, const char *pcap, const struct model_opts *o,
               char **argv, int max, char *buf, size_t bufn);

/* The same figures from a JSON report already in memory (what model_run
 * does after the run); exposed for tests.  0, or -1 with err. */
int model_from_report(const char *json, struct val_model *out, char *err, size_t n);

#endif
