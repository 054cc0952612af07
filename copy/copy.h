/* copy/copy.h: the copy, checksum and combined checksum+copy routines, found
 * by name in one const table (copy/registry.c).
 *
 * Three kinds share one struct so that --list, the tests and calibration walk
 * a single array.  Exactly one function pointer is set, the one of its kind.
 * A routine whose CPU feature is missing stays in the table (so profiles and
 * command lines keep their meaning) but available() says no and nobody may
 * call it: the code for it is compiled with -mavx512f etc. and would fault.
 *
 * Contracts, for every routine of the kind:
 *   copy:       dst[0..n) = src[0..n); nothing outside dst[0..n) is written,
 *               nothing outside src[0..n) is read; buffers must not overlap;
 *               any alignment.  Returns dst.
 *   csum:       the same value class as csum_partial() (copy/csum.h): a
 *               32-bit unfolded sum whose csum_fold() equals that of the
 *               RFC 1071 sum of buf[0..n) added to sum.  Any address parity.
 *   csum_copy:  both of the above in one pass over the bytes: copies like a
 *               copy routine and returns what csum_partial(src, n, sum) would
 *               (compare with csum_fold(), unfolded values may differ).
 * x86-64 only, like the rest of copy/.
 */
#ifndef RXSIM_COPY_COPY_H
#define RXSIM_COPY_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void *copy_fn(void *restrict dst, const void *restrict src, size_t n);
typedef uint32_t copy_csum_fn(const void *buf, size_t n, uint32_t sum);
typedef uint32_t copy_csum_copy_fn(void *restrict dst, const void *restrict src,
                                   size_t n, uint32_t sum);

enum copy_kind { COPY_KIND_COPY, COPY_KIND_CSUM, COPY_KIND_CSUM_COPY };

/* What a routine needs beyond baseline x86-64 (which includes SSE2). */
enum copy_feature {
    COPY_NEED_NONE,
    COPY_NEED_AVX2,
    COPY_NEED_AVX512,      /* AVX-512 F and BW (byte masks for the tails) */
};

struct copy_routine {
    const char *name;               /* required: unique, the --copy NAME */
    enum copy_kind kind;            /* required */
    enum copy_feature needs;        /* required */
    const char *what;               /* required: one line for --list */
    copy_fn *copy;                  /* required when kind == COPY_KIND_COPY */
    copy_csum_fn *csum;             /* required when kind == COPY_KIND_CSUM */
    copy_csum_copy_fn *csum_copy;   /* required when kind == COPY_KIND_CSUM_COPY */
    int rank;                       /* csum only: csum_partial picks the available
                                       one with the highest rank */
};

/* The table, in --list order. */
size_t copy_routine_count(void);
const struct copy_routine *copy_routine_at(size_t i);

/* NULL when unknown.  Does not check availability. */
const struct copy_routine *copy_find(const char *name);

/* True when this CPU (and OS) can run r. */
bool copy_available(const struct copy_routine *r);
bool copy_cpu_has(enum copy_feature f);

const char *copy_kind_name(enum copy_kind k);      /* "copy", "csum", "csum_copy" */
const char *copy_feature_name(enum copy_feature f); /* "-", "avx2", "avx512" */

/* The checksum routine csum_partial() dispatches to (the first call resolves it). */
const struct copy_routine *copy_csum_best(void);

#endif
