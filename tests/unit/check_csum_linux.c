/* tests/unit/check_csum_linux.c: copy/csum_linux.c, the kernel's x86-64
 * csum_partial shape, against the RFC 1071 reference (copy/csum_ref.c):
 *  - random bytes, every length 0..4160 (every 80-byte block count up to
 *    52 and every 40/32/16/8/tail combination), at every start offset 0..63
 *    from a 64-byte boundary, with seeds 0, random and 0xffffffff;
 *  - all-0xff buffers up to 1 MiB, where every adc carries;
 *  - exact-size heap buffers (ASan faults on any read past the end);
 *  - the registry: found by name, a checksum, needs nothing, and not the
 *    dispatch's choice over csum_64 (the functional core's csum_partial()
 *    keeps its routine: only the model's pricing changes). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "copy/copy.h"
#include "copy/routines.h"
#include "tests/common/testenv.h"

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint16_t fold16(uint32_t s)
{
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

START_TEST(every_length_and_offset)
{
    enum { MAX_LEN = 4160, MAX_OFF = 64 };
    unsigned char *buf = aligned_alloc(64, MAX_LEN + MAX_OFF);
    ck_assert(buf);
    for (size_t i = 0; i < MAX_LEN + MAX_OFF; i++)
        buf[i] = (unsigned char)(rnd() >> 29);
    for (size_t len = 0; len <= MAX_LEN; len++)
        for (unsigned off = 0; off < MAX_OFF; off++) {
            const uint32_t seeds[] = { 0, (uint32_t)rnd(), 0xffffffffu };
            for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
                uint16_t want = fold16(csum_ref(buf + off, len, seeds[k]));
                uint16_t got = fold16(csum_linux(buf + off, len, seeds[k]));
                if (got != want)
                    ck_abort_msg("len %zu offset %u seed %#x: %#06x, reference %#06x", len, off, seeds[k], got,
                                 want);
            }
        }
    free(buf);
}
END_TEST

START_TEST(all_ones_carry_everywhere)
{
    size_t n = 1u << 20;
    unsigned char *buf = malloc(n + 1);
    ck_assert(buf);
    memset(buf, 0xff, n + 1);
    const size_t lens[] = { 79, 80, 81, 119, 120, 159, 160, 1448, 65535, 65536, 1u << 20 };
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
        for (unsigned off = 0; off < 2; off++) {
            size_t len = lens[k] - off;
            ck_assert_uint_eq(fold16(csum_linux(buf + off, len, 0xffffffffu)),
                              fold16(csum_ref(buf + off, len, 0xffffffffu)));
        }
    free(buf);
}
END_TEST

START_TEST(exact_size_buffers)
{
    for (size_t len = 0; len <= 700; len++) {
        unsigned char *p = malloc(len ? len : 1);
        ck_assert(p);
        for (size_t i = 0; i < len; i++)
            p[i] = (unsigned char)rnd();
        ck_assert_uint_eq(fold16(csum_linux(p, len, 7)), fold16(csum_ref(p, len, 7)));
        free(p);
    }
}
END_TEST

START_TEST(in_the_registry)
{
    const struct copy_routine *r = copy_find("csum_linux");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->kind, COPY_KIND_CSUM);
    ck_assert(copy_available(r));
    ck_assert(r->csum == csum_linux);
    ck_assert_str_ne(copy_csum_best()->name, "csum_linux");
}
END_TEST

static Suite *csum_linux_suite(void)
{
    Suite *s = suite_create("csum_linux");
    TCase *tc = tcase_create("sums");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_length_and_offset);
    tcase_add_test(tc, all_ones_carry_everywhere);
    tcase_add_test(tc, exact_size_buffers);
    tcase_add_test(tc, in_the_registry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(csum_linux_suite());
}
