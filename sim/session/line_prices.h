/* sim/session/line_prices.h: the machine's per-line prices (struct
 * sim_line_prices, sim/machine.h) read off the calibration profile, so a
 * socket, skb or user-buffer line the cache model calls a miss or a transfer
 * costs what the profile measured for a touch of that many lines on this
 * CPU, as payload lines do (issue 13 item 5: one price per line).
 *
 * The probe is LINE_PRICE_ROUTINE, a pure read of every line (the 64-bit
 * add-with-carry checksum loop, as kernel code reads a structure): for a
 * touch of k lines, miss = (cold(64k) - hot(64k)) / k and transfer =
 * (remote(64k) - hot(64k)) / k, in TSC cycles times the TSC-to-CPU ratio,
 * never below 0.  A state the profile lacks keeps the flat cost entry. */
#ifndef RXSIM_SESSION_LINE_PRICES_H
#define RXSIM_SESSION_LINE_PRICES_H

#include <stdbool.h>
#include <stdio.h>

#include "copy/costs.h"
#include "sim/machine.h"

#define LINE_PRICE_ROUTINE "csum_64"

/* Fills out from profile; keep_miss / keep_transfer leave that half unset
 * (a --costs file gave line_miss / line_transfer: the flat figure rules). */
void line_prices_from_profile(struct sim_line_prices *out, const struct costs *profile, double tsc_to_cpu,
                              bool keep_miss, bool keep_transfer);

/* --list-costs' note on what line_miss / line_transfer stand for under
 * these prices: "line prices: ..." lines, or nothing when both are unset. */
void line_prices_list(FILE *out, const struct sim_line_prices *p, const char *profile_path);

#endif
