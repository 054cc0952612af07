/* sim/validate/kernel_probe.h: the preflight: what this machine can tell,
 * measured in < 5 s before any repetition (struct val_preflight in
 * validate.h).  Thresholds: quiet = other_share < 0.05 and steal_share <
 * 0.02 (docs/validation.md says why). */
#ifndef RXSIM_VALIDATE_KERNEL_PROBE_H
#define RXSIM_VALIDATE_KERNEL_PROBE_H

#include <stddef.h>
#include <stdio.h>

#include "sim/validate/validate.h"

#define KERNEL_QUIET_OTHER 0.05
#define KERNEL_QUIET_STEAL 0.02

/* Runs every probe and fills *p, verdict included.  0; 1 with err when a
 * probe could not run at all (e.g. fewer than 2 CPUs).  Needs no root. */
int kernel_preflight(struct val_preflight *p, char *err, size_t n);

/* One line per field of p, for validate's header (verdict last). */
void kernel_preflight_print(const struct val_preflight *p, FILE *f);

#endif
