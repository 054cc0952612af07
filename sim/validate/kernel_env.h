/* sim/validate/kernel_env.h: the real kernel's test bench for one validate
 * run: two network namespaces joined by a veth pair, offloads off, and per
 * configuration the MTU, GRO, checksum and RPS settings, each read back.
 *
 *   sender ns  "rxv-<tag>-s"  dev "rxv<tag>s"  10.79.T.1  (CPU 0 sends)
 *   receiver ns "rxv-<tag>-r" dev "rxv<tag>r"  10.79.T.2  (CPU 1 reads)
 *
 * T is a hash of the tag; every name carries the tag, so two helpers (or two
 * validate runs with different tags) never collide.  Namespaces are made with
 * `ip netns add` and deleted the way `ip netns del` does it (umount2 +
 * unlink of /run/netns/NAME), which is async-signal-safe: that is what lets
 * kernel_env_guard() tear the bench down from a SIGINT handler.  A run
 * holds flock(/run/rxsim-kernel-<tag>.lock) while it is up: a second run
 * with the same tag is refused rather than allowed to delete the first's
 * namespaces, and namespaces left by a killed run (no lock holder) are
 * deleted and made afresh. */
#ifndef RXSIM_VALIDATE_KERNEL_ENV_H
#define RXSIM_VALIDATE_KERNEL_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim/validate/validate.h"

/* How a repetition is run (kernel_opts_default() fills the defaults). */
struct kernel_opts {
    uint64_t bytes;             /* per repetition; default 512 MiB: 0.78 s at MTU 1500 without
                                 * GRO, 0.55 s with, 0.24 s at MTU 9000 on this VM (quiet) */
    unsigned msg_size;          /* the reader's recv() size; default 65536 (netperf's TCP_STREAM
                                 * default on Linux: 128 KiB socket buffer / 2; large enough that
                                 * one call can drain a GRO skb, small enough that the reader
                                 * still calls recv per few skbs) */
    uint64_t sample_period_ns;  /* perf record -c on cpu-clock; default 100000 (10 kHz per CPU) */
    const char *keep_dir;       /* if set: keep perf.data, perf script and counters of each rep */
    const char *tag;            /* <= 8 chars of [a-z0-9]; in netns/veth names; default "kernel" */
    unsigned timeout_s;         /* a transfer that takes longer is killed and reported; default 60 */
    bool keep_awake;            /* a SCHED_IDLE spinner ("rxv-idle") on CPU 0 and 1 during the window,
                                 * so no vCPU halts: on this VM cpu-clock undersamples the busy time
                                 * of a vCPU that halts often (MTU 9000: the reader's samples held
                                 * 46 % of its getrusage time; 100 % at 1500, where it never idles).
                                 * Changes what is measured (a wakeup no longer wakes a halted vCPU),
                                 * so off by default; attrib must count rxv-idle as IDLE. */
};

void kernel_opts_default(struct kernel_opts *o);

#define KERNEL_NAME_MAX 32

struct kernel_env {
    char tag[12];
    char ns_snd[KERNEL_NAME_MAX], ns_rcv[KERNEL_NAME_MAX];
    char dev_snd[16], dev_rcv[16];          /* IFNAMSIZ */
    char addr_snd[16], addr_rcv[16];
    char tmpdir[128];                       /* scratch (perf.data, fifos), removed by down */
    bool ns_snd_made, ns_rcv_made;
    bool locked;                            /* lock_fd holds /run/rxsim-kernel-<tag>.lock */
    int lock_fd;
    bool configured;                        /* cur holds the settings now in force */
    struct val_config cur;
    unsigned reps;                          /* repetitions measured so far (names keep_dir entries) */
};

/* Makes the bench: checks we can (root, `ip`, `ethtool`, perf, tcpdump, netns,
 * readable kallsyms), creates both namespaces and the veth pair, addresses,
 * lo up, IPv6 off, offloads off on both ends (read back).  Returns 0; 77 when
 * this machine cannot (why says what is missing, e.g. "not root"); 1 on an
 * error (why says what failed).  On any non-zero return nothing is left
 * behind, and kernel_env_down(e) is still safe. */
int kernel_env_up(struct kernel_env *e, const struct kernel_opts *o, char *why, size_t n);

/* Puts c's settings in force and reads each back: MTU on both ends; GRO on
 * the receiving veth; the sender's tx checksum off when c->csum (the receiver
 * verifies), on otherwise; RPS on the receiving veth's rx-0 = the reader's
 * CPU (mask 2) for VAL_SAME_CPU, the sender's (mask 1) for VAL_OTHER_CPU.
 * 0, or 1 with err naming the setting that did not take. */
int kernel_env_set(struct kernel_env *e, const struct val_config *c, char *err, size_t n);

/* What kernel_env_set() put in force, as read back from the kernel now. */
struct kernel_settings {
    unsigned mtu_snd, mtu_rcv;
    bool gro_rcv;
    bool tx_csum_snd;
    unsigned rps_mask;
};
int kernel_env_read(struct kernel_env *e, struct kernel_settings *s, char *err, size_t n);

/* Deletes both namespaces (the veth pair goes with them) and the scratch
 * directory.  Always safe: after a failed up, twice, on a zeroed struct. */
void kernel_env_down(struct kernel_env *e);

/* SIGINT/SIGTERM: kernel_env_guard(e) installs handlers that kill the
 * children registered with kernel_env_guard_child() (perf, peers, tcpdump),
 * delete e's namespaces with async-signal-safe calls only, then re-raise the
 * signal with its default action.  kernel_env_unguard() restores the old
 * handlers (kernel_env_down calls it).  One guarded env per process. */
void kernel_env_guard(struct kernel_env *e);
void kernel_env_guard_child(pid_t pid);
void kernel_env_unguard_child(pid_t pid);
void kernel_env_unguard(void);

#endif
