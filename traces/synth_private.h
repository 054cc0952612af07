/* traces/synth_private.h: what the synthesizer's files share and nothing
 * outside traces/synth*.c includes: the frame geometry, Linux's handshake
 * values, and the helpers synth_opts.c gives synth.c and synth_truth.c. */
#ifndef RXSIM_TRACES_SYNTH_PRIVATE_H
#define RXSIM_TRACES_SYNTH_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "traces/synth.h"

#define ETH_HLEN        14
#define IP4_HLEN        20
#define IP6_HLEN        40
#define TCP_HLEN        20
#define TS_OPT_LEN      12      /* NOP NOP TS: on every segment after the SYNs */
#define SYN_OPT_LEN     20      /* MSS, SACK-permitted, TS, NOP, window scale (Linux's order) */
#define WIRE_OVERHEAD   24      /* preamble+SFD 8, FCS 4, inter-frame gap 12 */
#define FRAME_MAX       (ETH_HLEN + SYNTH_MTU_MAX)
#define WSCALE          7
#define CLIENT_SYN_WIN  64240   /* Linux's SYN windows */
#define SERVER_SYN_WIN  65160
#define CLIENT_WIN      502     /* scaled by 2^WSCALE: 64 KiB */
#define SERVER_WIN      24576   /* 3 MiB: never the limit here */
#define CONTENT_MUL     0x9e3779b97f4a7c15ull
#define IMPAIR_MUL      0xd1b54a32d192ed03ull

/* printf into msg (size bytes), the messages synth_check() and synth_write() give. */
void synth_set_msg(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The file's snaplen: SYNTH_SNAPLEN, or the longest frame when that is longer
 * (libpcap would cut records at the header's snaplen when reading). */
uint32_t synth_file_snaplen(const struct synth_opts *o);

/* Payload bytes of a full data segment (MTU less IP, TCP and timestamp option). */
uint32_t synth_seg_payload(const struct synth_opts *o);

/* n distinct numbers in [0, total), ascending, drawn from seed, into *out
 * (NULL when n is 0).  0, or -1 when out of memory. */
int synth_pick_distinct(uint64_t seed, uint64_t total, uint64_t n, uint64_t **out);

#endif
