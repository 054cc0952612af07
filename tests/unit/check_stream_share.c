/* tests/unit/check_stream_share.c: sim/compare/stream_share.c, the SHA-256 of
 * streams shared by compare's rows.  Every row's digest must be the SHA-256
 * of exactly the bytes that row read, computed here independently with one
 * sha256_update() over them:
 *  - rows reading the same bytes in different pieces, interleaved as compare
 *    interleaves them, share one hashing (the bytes hashed stay near one
 *    stream's length, not rows x length);
 *  - a row whose bytes differ in one byte (first, middle, last, or beyond
 *    what the others read) gets its own correct digest, never the copy's;
 *  - a row reading only a prefix, a row far behind the others (beyond the
 *    window: it goes on alone), a row joining after the copy moved on, and two
 *    different streams under one key all get their own bytes' digests.
 * Loop tests share one TAP name: every message names the case. */
#include <check.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/compare/stream_share.h"
#include "tests/common/testenv.h"

#define MAX_ROWS 8
#define LEN (3u << 20)                  /* bytes per stream */

static uint8_t base_bytes[LEN];

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

static void digest_of(const uint8_t *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, p);
    sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

/* One row's stream: its bytes, how many it reads, its piece size. */
struct reader {
    uint8_t *bytes;
    size_t len, piece, done;
    struct sha256_ctx sha;
};

/* Rows take turns, each reading up to `round` bytes per turn (how far a row
 * gets in compare's round of records), until every one has read its bytes.
 * lag[i] > 0: row i reads in the first turn, then none until turn lag[i];
 * lag[i] < 0: it reads nothing before turn -lag[i]. */
static void play(struct stream_share *sh, struct reader *r, int nrows, const char *key, size_t round,
                 const int *lag)
{
    for (int turn = 0, busy = 1; busy; turn++) {
        busy = 0;
        for (int i = 0; i < nrows; i++) {
            if (r[i].done == r[i].len)
                continue;
            busy = 1;
            if (lag && (lag[i] > 0 ? turn > 0 && turn < lag[i] : turn < -lag[i]))
                continue;
            for (size_t got = 0; got < round && r[i].done < r[i].len;) {
                size_t n = r[i].piece;
                if (n > r[i].len - r[i].done)
                    n = r[i].len - r[i].done;
                stream_share_update(sh, i, &r[i].sha, key, strlen(key), r[i].bytes + r[i].done, n);
                r[i].done += n;
                got += n;
            }
        }
    }
    for (int i = 0; i < nrows; i++)
        stream_share_sync(sh, i);
}

static void check_digests(struct reader *r, int nrows, const char *what)
{
    for (int i = 0; i < nrows; i++) {
        uint8_t want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
        digest_of(r[i].bytes, r[i].len, want);
        sha256_digest(&r[i].sha, SHA256_DIGEST_SIZE, got);
        ck_assert_msg(!memcmp(want, got, sizeof want), "%s: row %d's digest is not the SHA-256 of its %zu bytes", what,
                      i, r[i].len);
    }
}

static void readers(struct reader *r, int nrows)
{
    static const size_t pieces[] = { 1448, 16384, 65536, 1000, 4096, 7, 131072, 2896 };
    for (int i = 0; i < nrows; i++) {
        r[i] = (struct reader){ .bytes = base_bytes, .len = LEN, .piece = pieces[i % 8] };
        sha256_init(&r[i].sha);
    }
}

static void setup(void)
{
    fill(base_bytes, LEN, 1);
}

/* ---- same bytes ---------------------------------------------------------- */

static const int row_counts[] = { 1, 2, 5, MAX_ROWS };

START_TEST(same_bytes_hashed_once)
{
    int nrows = row_counts[_i];
    struct reader r[MAX_ROWS];
    readers(r, nrows);
    struct stream_share *sh = stream_share_new(nrows, 32u << 20);
    ck_assert_ptr_nonnull(sh);
    play(sh, r, nrows, "conn", 256 << 10, NULL);
    char what[64];
    snprintf(what, sizeof what, "%d rows, same bytes", nrows);
    check_digests(r, nrows, what);
    struct stream_share_stats st = stream_share_stats(sh);
    ck_assert_msg(st.hashed == LEN, "%s: %llu bytes hashed, want %u (one stream)", what,
                  (unsigned long long)st.hashed, LEN);
    ck_assert_msg(st.compared == (uint64_t)(nrows - 1) * LEN, "%s: %llu bytes compared, want %llu", what,
                  (unsigned long long)st.compared, (unsigned long long)(nrows - 1) * LEN);
    ck_assert_msg(st.diverged == 0 && st.evicted == 0, "%s: %llu diverged, %llu evicted", what,
                  (unsigned long long)st.diverged, (unsigned long long)st.evicted);
    stream_share_free(sh);
}
END_TEST

/* ---- one row's bytes differ ------------------------------------------------ */

static const struct {
    const char *name;
    int row;                            /* the row whose bytes differ */
    size_t at;                          /* where */
} flips[] = {
    { "first byte, row 0", 0, 0 },
    { "first byte, row 2", 2, 0 },
    { "middle, row 1", 1, LEN / 2 + 17 },
    { "last byte, row 3", 3, LEN - 1 },
    { "at a piece boundary, row 0", 0, 1448 * 100 },
};

START_TEST(differing_row_hashes_its_own_bytes)
{
    enum { ROWS = 4 };
    struct reader r[ROWS];
    readers(r, ROWS);
    uint8_t *mine = malloc(LEN);
    ck_assert_ptr_nonnull(mine);
    memcpy(mine, base_bytes, LEN);
    mine[flips[_i].at] ^= 0x40;
    r[flips[_i].row].bytes = mine;
    struct stream_share *sh = stream_share_new(ROWS, 32u << 20);
    play(sh, r, ROWS, "conn", 256 << 10, NULL);
    check_digests(r, ROWS, flips[_i].name);
    struct stream_share_stats st = stream_share_stats(sh);
    ck_assert_msg(st.diverged >= 1, "%s: no row left the copy", flips[_i].name);
    uint8_t a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
    sha256_digest(&r[flips[_i].row].sha, sizeof a, a);
    digest_of(base_bytes, LEN, b);
    ck_assert_msg(memcmp(a, b, sizeof a), "%s: the differing row got the others' digest", flips[_i].name);
    stream_share_free(sh);
    free(mine);
}
END_TEST

/* ---- lengths, lag, late rows, one key for two streams --------------------- */

START_TEST(prefix_and_longer_rows)
{
    enum { ROWS = 4 };
    struct reader r[ROWS];
    readers(r, ROWS);
    r[1].len = LEN / 3;                 /* stopped early (a hole never filled) */
    r[2].len = 0;                       /* read nothing */
    r[3].len = LEN - 5;
    struct stream_share *sh = stream_share_new(ROWS, 32u << 20);
    play(sh, r, ROWS, "conn", 100000, NULL);
    check_digests(r, ROWS, "prefixes");
    stream_share_free(sh);
}
END_TEST

START_TEST(laggard_beyond_the_window_goes_alone)
{
    enum { ROWS = 3 };
    struct reader r[ROWS];
    readers(r, ROWS);
    const int lag[ROWS] = { 0, 0, 8 };  /* row 2 stalls 7 turns (1.75 MiB) after its first */
    struct stream_share *sh = stream_share_new(ROWS, 512 << 10);
    play(sh, r, ROWS, "conn", 256 << 10, lag);
    check_digests(r, ROWS, "laggard");
    ck_assert_msg(stream_share_stats(sh).evicted >= 1, "laggard: no row was let go");
    stream_share_free(sh);
}
END_TEST

START_TEST(late_row_after_the_copy_moved_on)
{
    enum { ROWS = 2 };
    struct reader r[ROWS];
    readers(r, ROWS);
    /* A window smaller than the stream: the copy is hashed forward before
     * row 1 first reads; row 1 must not join it half way. */
    const int lag[ROWS] = { 0, -100 };
    struct stream_share *sh = stream_share_new(ROWS, 256 << 10);
    play(sh, r, ROWS, "conn", 64 << 10, lag);
    check_digests(r, ROWS, "late row");
    stream_share_free(sh);
}
END_TEST

START_TEST(one_key_two_streams)
{
    enum { ROWS = 3 };
    struct reader r[ROWS];
    readers(r, ROWS);
    uint8_t *other = malloc(LEN);
    ck_assert_ptr_nonnull(other);
    fill(other, LEN, 2);
    r[1].bytes = other;                 /* another connection, same key (a 4-tuple reused) */
    struct stream_share *sh = stream_share_new(ROWS, 32u << 20);
    play(sh, r, ROWS, "conn", 256 << 10, NULL);
    check_digests(r, ROWS, "one key, two streams");
    stream_share_free(sh);
    free(other);
}
END_TEST

START_TEST(many_streams_per_row)
{
    /* Each row reads 3 streams, keys in a different order per row; one row's
     * second stream differs. */
    enum { ROWS = 3, STREAMS = 3, SLEN = 200000 };
    static uint8_t s[STREAMS][SLEN];
    for (int k = 0; k < STREAMS; k++)
        fill(s[k], SLEN, 10 + (uint32_t)k);
    static uint8_t odd[SLEN];
    memcpy(odd, s[1], SLEN);
    odd[SLEN / 2] ^= 1;
    struct sha256_ctx sha[ROWS][STREAMS];
    struct stream_share *sh = stream_share_new(ROWS, 32u << 20);
    for (int i = 0; i < ROWS; i++)
        for (int k = 0; k < STREAMS; k++)
            sha256_init(&sha[i][k]);
    for (size_t off = 0; off < SLEN; off += 1448)
        for (int i = 0; i < ROWS; i++)
            for (int j = 0; j < STREAMS; j++) {
                int k = (j + i) % STREAMS;
                char key[8];
                snprintf(key, sizeof key, "s%d", k);
                const uint8_t *src = i == 2 && k == 1 ? odd : s[k];
                size_t n = SLEN - off < 1448 ? SLEN - off : 1448;
                stream_share_update(sh, i, &sha[i][k], key, strlen(key), src + off, n);
            }
    for (int i = 0; i < ROWS; i++)
        stream_share_sync(sh, i);
    for (int i = 0; i < ROWS; i++)
        for (int k = 0; k < STREAMS; k++) {
            uint8_t want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
            digest_of(i == 2 && k == 1 ? odd : s[k], SLEN, want);
            sha256_digest(&sha[i][k], sizeof got, got);
            ck_assert_msg(!memcmp(want, got, sizeof want), "many streams: row %d stream %d wrong", i, k);
        }
    stream_share_free(sh);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream_share");
    TCase *tc = tcase_create("stream_share");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, same_bytes_hashed_once, 0, (int)(sizeof row_counts / sizeof row_counts[0]));
    tcase_add_loop_test(tc, differing_row_hashes_its_own_bytes, 0, (int)(sizeof flips / sizeof flips[0]));
    tcase_add_test(tc, prefix_and_longer_rows);
    tcase_add_test(tc, laggard_beyond_the_window_goes_alone);
    tcase_add_test(tc, late_row_after_the_copy_moved_on);
    tcase_add_test(tc, one_key_two_streams);
    tcase_add_test(tc, many_streams_per_row);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
