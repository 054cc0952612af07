/* copy/routines.h: every routine's entry point, for copy/registry.c and the
 * tests.  Not for the rest of rxsim: it goes through copy_find() so that an
 * unavailable routine is never called.  Contracts are in copy/copy.h. */
#ifndef RXSIM_COPY_ROUTINES_H
#define RXSIM_COPY_ROUTINES_H

#include <stddef.h>
#include <stdint.h>

/* copy_string.c: x86 string instructions */
void *copy_rep_movsb(void *restrict dst, const void *restrict src, size_t n);
void *copy_rep_movsl(void *restrict dst, const void *restrict src, size_t n);
void *copy_rep_movsq(void *restrict dst, const void *restrict src, size_t n);
/* copy_unrolled.c: 64 bytes per iteration through integer registers */
void *copy_unrolled_int(void *restrict dst, const void *restrict src, size_t n);
void *copy_unrolled_int_prefetch(void *restrict dst, const void *restrict src, size_t n);
/* copy_sse2.c, copy_nontemporal.c: baseline x86-64 SIMD */
void *copy_sse2(void *restrict dst, const void *restrict src, size_t n);
void *copy_nontemporal(void *restrict dst, const void *restrict src, size_t n);
/* copy_avx2.c, copy_avx512.c: built with their own -m flags, call only when available */
void *copy_avx2(void *restrict dst, const void *restrict src, size_t n);
void *copy_avx512(void *restrict dst, const void *restrict src, size_t n);
/* copy_glibc.c */
void *copy_glibc(void *restrict dst, const void *restrict src, size_t n);

/* csum_ref.c, csum_64.c, csum_avx2.c */
uint32_t csum_ref(const void *buf, size_t n, uint32_t sum);
uint32_t csum_64(const void *buf, size_t n, uint32_t sum);
uint32_t csum_linux(const void *buf, size_t n, uint32_t sum);    /* csum_linux.c */
uint32_t csum_avx2(const void *buf, size_t n, uint32_t sum);
/* csum_copy_int.c, csum_avx2.c: one pass, copy and sum */
uint32_t csum_copy_int(void *restrict dst, const void *restrict src, size_t n, uint32_t sum);
uint32_t csum_copy_avx2(void *restrict dst, const void *restrict src, size_t n, uint32_t sum);

#endif
