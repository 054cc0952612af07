/* sim/compare/stream_share.h: the SHA-256 of delivered streams, computed once
 * for rows that deliver the same bytes (rxsim compare's rows in one process).
 *
 * Rows of a compare replay the same trace under different policies; a
 * connection's reader almost always reads the same bytes in every row, only
 * at other times and in other pieces.  Each stream (identified across rows by
 * a key, e.g. the connection's 4-tuple) has one canonical copy: the bytes the
 * first row to reach an offset delivered there.  A row reading bytes the
 * canonical copy already holds compares them (memcmp, ~10x cheaper than
 * SHA-256); bytes beyond it are appended.  The canonical bytes are hashed
 * once, when every row still attached has read past them, and dropped.
 *
 * A stream's hash is never taken from another row unless its bytes were
 * compared equal: a row whose bytes differ leaves the canonical copy at the
 * first differing read and hashes its own bytes from then on (its context
 * starts from the canonical hash of the prefix it matched).  A row lagging
 * more than the window allows leaves the same way.  Keys only choose which
 * copy a row compares against; a wrong key costs speed, never correctness.
 *
 * Not thread-safe: rows take turns (compare_group.c). */
#ifndef RXSIM_COMPARE_STREAM_SHARE_H
#define RXSIM_COMPARE_STREAM_SHARE_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_SHARE_KEY_MAX 64

struct stream_share;

struct stream_share_stats {
    uint64_t hashed;            /* bytes through SHA-256 (canonical and own) */
    uint64_t compared;          /* bytes checked against a canonical copy */
    uint64_t diverged;          /* streams that left a copy because their bytes differed */
    uint64_t evicted;           /* ... because they lagged beyond the window */
};

/* rows: how many rows will deliver (a copy is kept from its start until all
 * have attached or it outgrows window bytes).  NULL when out of memory. */
struct stream_share *stream_share_new(int rows, size_t window);

/* Row row read p[0..n) on the stream whose digest lives in *sha (never
 * touched until that stream leaves its copy or the row syncs) and whose
 * identity across rows is key[0..keylen) (keylen <= STREAM_SHARE_KEY_MAX). */
void stream_share_update(struct stream_share *sh, int row, struct sha256_ctx *sha, const void *key,
                         size_t keylen, const uint8_t *p, size_t n);

/* Row row is done: each of its *sha holds the hash of exactly the bytes it
 * read, as sha256_update() over them would have left it. */
void stream_share_sync(struct stream_share *sh, int row);

struct stream_share_stats stream_share_stats(const struct stream_share *sh);

void stream_share_free(struct stream_share *sh);    /* NULL is a no-op */

#endif
