/* sim/validate/kernel_capture.h: the model's input for one configuration: a
 * separate short transfer captured with tcpdump on the SENDER's veth (wire-
 * size segments out, ACKs in, whatever the receiver's GRO does), headers
 * only (-s 128; rxsim reads it with --payload synth).  Never during a
 * measured repetition: the tap costs. */
#ifndef RXSIM_VALIDATE_KERNEL_CAPTURE_H
#define RXSIM_VALIDATE_KERNEL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/validate/kernel_env.h"
#include "sim/validate/validate.h"

/* c's settings must be in force (kernel_env_set).  Transfers `bytes` (e.g.
 * 4 MiB) with the same peers as a measured rep, tcpdump confirmed listening
 * before the first byte and stopped after the last; fails if tcpdump dropped
 * packets or the pcap is empty.  0, or 1 with err. */
int kernel_capture(struct kernel_env *e, const struct val_config *c, const struct kernel_opts *o,
                   uint64_t bytes, const char *pcap_path, char *err, size_t n);

#endif
