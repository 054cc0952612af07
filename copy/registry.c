/* copy/registry.c: the one table of copy, checksum and checksum+copy
 * routines, found by name (linear search: about fifteen entries), and the
 * run-time CPU feature checks that decide which may be called.  A new
 * routine costs one file and one line here; tests/unit/check_copy.c walks
 * this table, so it is tested as soon as it is listed. */
#include <string.h>

#include "copy/copy.h"
#include "copy/routines.h"

#define COPY(n, need, fn, w)      { .name = n, .kind = COPY_KIND_COPY, .needs = need, .what = w, .copy = fn }
#define CSUM(n, need, fn, r, w)   { .name = n, .kind = COPY_KIND_CSUM, .needs = need, .what = w, .csum = fn, .rank = r }
#define CSUM_COPY(n, need, fn, w) { .name = n, .kind = COPY_KIND_CSUM_COPY, .needs = need, .what = w, .csum_copy = fn }

static const struct copy_routine routines[] = {
    COPY("rep_movsb", COPY_NEED_NONE, copy_rep_movsb,
         "rep movsb string copy (fast with ERMS/FSRM)"),
    COPY("rep_movsl", COPY_NEED_NONE, copy_rep_movsl,
         "rep movsl 4-byte string copy (the old movsd) + movsb tail"),
    COPY("rep_movsq", COPY_NEED_NONE, copy_rep_movsq,
         "rep movsq 8-byte string copy + movsb tail"),
    COPY("unrolled_int", COPY_NEED_NONE, copy_unrolled_int,
         "64-byte unrolled integer-register loop (OLS 2002, __copy_user_intel)"),
    COPY("unrolled_int_prefetch", COPY_NEED_NONE, copy_unrolled_int_prefetch,
         "unrolled_int with software prefetch 5 lines ahead"),
    COPY("sse2", COPY_NEED_NONE, copy_sse2,
         "16-byte SSE2 loads/stores, 64 bytes per iteration"),
    COPY("avx2", COPY_NEED_AVX2, copy_avx2,
         "32-byte AVX2 loads/stores, 128 bytes per iteration"),
    COPY("avx512", COPY_NEED_AVX512, copy_avx512,
         "64-byte AVX-512 loads/stores, masked tail"),
    COPY("nontemporal", COPY_NEED_NONE, copy_nontemporal,
         "SSE2 streaming stores (movntdq) past 256 bytes, for large copies"),
    COPY("glibc", COPY_NEED_NONE, copy_glibc,
         "glibc memcpy (its own ifunc choice for this CPU)"),
    CSUM("csum_ref", COPY_NEED_NONE, csum_ref, 0,
         "RFC 1071 reference: 16-bit big-endian words, one at a time"),
    CSUM("csum_64", COPY_NEED_NONE, csum_64, 1,
         "64-bit accumulator, 64 bytes per iteration, adc carry chain"),
    CSUM("csum_linux", COPY_NEED_NONE, csum_linux, 1,
         "Linux 6.8+ x86-64 csum_partial: two 5-word adc chains from memory, 80 bytes per iteration"),
    CSUM("csum_avx2", COPY_NEED_AVX2, csum_avx2, 2,
         "AVX2: 32-bit halves into 64-bit lanes, 128 bytes per iteration"),
    CSUM_COPY("csum_copy_int", COPY_NEED_NONE, csum_copy_int,
              "one pass: unrolled integer copy + adc checksum"),
    CSUM_COPY("csum_copy_avx2", COPY_NEED_AVX2, csum_copy_avx2,
              "one pass: AVX2 copy + vector checksum"),
};

size_t copy_routine_count(void)
{
    return sizeof routines / sizeof routines[0];
}

const struct copy_routine *copy_routine_at(size_t i)
{
    return i < copy_routine_count() ? &routines[i] : NULL;
}

const struct copy_routine *copy_find(const char *name)
{
    for (size_t i = 0; i < copy_routine_count(); i++)
        if (!strcmp(routines[i].name, name))
            return &routines[i];
    return NULL;
}

/* __builtin_cpu_supports also checks that the OS saves the wider registers
 * (XGETBV), which a bare CPUID bit does not. */
bool copy_cpu_has(enum copy_feature f)
{
    __builtin_cpu_init();
    switch (f) {
    case COPY_NEED_NONE:
        return true;
    case COPY_NEED_AVX2:
        return __builtin_cpu_supports("avx2");
    case COPY_NEED_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    }
    return false;
}

bool copy_available(const struct copy_routine *r)
{
    return r && copy_cpu_has(r->needs);
}

const char *copy_kind_name(enum copy_kind k)
{
    switch (k) {
    case COPY_KIND_COPY:
        return "copy";
    case COPY_KIND_CSUM:
        return "csum";
    case COPY_KIND_CSUM_COPY:
        return "csum_copy";
    }
    return "?";
}

const char *copy_feature_name(enum copy_feature f)
{
    switch (f) {
    case COPY_NEED_NONE:
        return "-";
    case COPY_NEED_AVX2:
        return "avx2";
    case COPY_NEED_AVX512:
        return "avx512";
    }
    return "?";
}

const struct copy_routine *copy_csum_best(void)
{
    const struct copy_routine *best = NULL;
    for (size_t i = 0; i < copy_routine_count(); i++) {
        const struct copy_routine *r = &routines[i];
        if (r->kind == COPY_KIND_CSUM && copy_available(r) && (!best || r->rank > best->rank))
            best = r;
    }
    return best;             /* never NULL: csum_ref needs nothing */
}
