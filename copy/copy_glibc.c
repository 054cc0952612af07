/* copy/copy_glibc.c: glibc's memcpy, the yardstick.  Its ifunc picks a
 * variant for this CPU (here __memmove_avx_unaligned_erms: vector moves for
 * small sizes, rep movsb in the middle, non-temporal stores past a fraction
 * of the LLC). */
#include <string.h>

#include "copy/routines.h"

void *copy_glibc(void *restrict dst, const void *restrict src, size_t n)
{
    return memcpy(dst, src, n);
}
