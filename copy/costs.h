/* copy/costs.h: calibrated costs of the copy and checksum routines, as
 * stored by `rxsim calibrate --json FILE` and loaded by the simulator.
 * The file format ("rxsim-costs/1") is documented in docs/calibration.md;
 * copy/profiles/default.json is one, made on the reference machine.
 *
 * A profile holds curves: for one routine, one cache state and one source
 * misalignment, the TSC cycles per call at a list of sizes (median, with the
 * 10th and 90th percentile as spread). */
#ifndef RXSIM_COPY_COSTS_H
#define RXSIM_COPY_COSTS_H

#include <stddef.h>

#include "copy/calib.h"

struct costs;

/* A new, empty profile describing this machine (info from calib_info()).
 * mode is "full" or "quick"; generator names the program ("rxsim 0.1.0"). */
struct costs *costs_new(const struct calib_info *info, const char *mode, const char *generator);
/* Adds one measured point; keeps each curve sorted by size.  0 or -1 (ENOMEM). */
int costs_add(struct costs *c, const struct copy_routine *r, enum calib_cache state,
              unsigned align, size_t size, const struct calib_point *p);
/* Writes the profile as JSON.  0, or -1 with a message in err. */
int costs_save(const struct costs *c, const char *path, char *err, size_t errlen);

/* Reads and validates a profile.  NULL with a message (file, and what is
 * wrong where) in err. */
struct costs *costs_load(const char *path, char *err, size_t errlen);
void costs_free(struct costs *c);

/* TSC cycles for one call of routine on size bytes whose source is align
 * bytes past a 64-byte boundary, in the given cache state.
 *   size: linear interpolation between the two measured sizes around it;
 *         below the smallest, the smallest's cost (fixed costs dominate);
 *         above the largest, the largest's cycles per byte.
 *   align: the curve measured at align % 64 if there is one, else the
 *         curve of its alignment class (64-, 8-, 4-byte aligned, or worse:
 *         0, 8, 4, 1), else the nearest class measured.
 * Returns -1 when the profile has no curve for routine in that state (a
 * routine unavailable when it was made, or remote on a one-CPU machine). */
double costs_lookup(const struct costs *c, const char *routine, size_t size,
                    unsigned align, enum calib_cache state);

double costs_tsc_hz(const struct costs *c);
const char *costs_cpu_model(const struct costs *c);
const char *costs_mode(const struct costs *c);
size_t costs_curve_count(const struct costs *c);

#endif
