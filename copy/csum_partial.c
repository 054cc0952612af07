/* copy/csum_partial.c: csum_partial() (copy/csum.h) dispatches to the
 * best-ranked checksum in the registry that this CPU can run.  Resolved on
 * first call, without a constructor: two threads racing on the first call
 * both store the same pointer, so a relaxed-enough atomic is all it needs. */
#include <stdatomic.h>

#include "copy/copy.h"
#include "copy/csum.h"

static _Atomic(copy_csum_fn *) resolved;

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
    copy_csum_fn *fn = atomic_load_explicit(&resolved, memory_order_acquire);
    if (!fn) {
        fn = copy_csum_best()->csum;
        atomic_store_explicit(&resolved, fn, memory_order_release);
    }
    return fn(buf, len, sum);
}
