/* copy/calib_tables.h: what `rxsim calibrate` measures and prints, on top
 * of copy/calib.h: the grid of routines x cache states x alignments x sizes
 * (cycles/byte tables, and the points for a cost profile), and --classic's
 * two tables in the shape of the OLS 2002 paper.  Tables go to stdout,
 * messages to stderr, prefixed "rxsim calibrate:". */
#ifndef RXSIM_COPY_CALIB_TABLES_H
#define RXSIM_COPY_CALIB_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "copy/calib.h"
#include "copy/costs.h"

#define CALIB_CLASSIC_MAX_SIZE ((size_t)1 << 20)    /* --classic's largest column */

struct calib_grid {
    const size_t *sizes;
    size_t nsizes;
    const unsigned *aligns;
    size_t naligns;
    bool states[CALIB_NCACHE];
    const char **names;                 /* routines to measure; none: every available one */
    size_t nnames;
    unsigned rounds, reps_per_round;
};

/* Measures the grid in interleaved rounds, prints one table per cache state
 * and alignment, and adds every point to costs (when not NULL).  0, or -1
 * with a message. */
int calib_grid_run(struct calib *cal, const struct calib_grid *grid, struct costs *costs);

/* --classic: the shape of Tables 5 and 6 of the OLS 2002 paper.  0, or -1
 * with a message naming the point that could not be measured. */
int calib_classic_run(struct calib *cal);

#endif
