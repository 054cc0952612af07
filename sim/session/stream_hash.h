/* sim/session/stream_hash.h: SHA-256 of delivered streams, computed on a second
 * thread.
 *
 * Hashing is the most expensive thing `inspect` does per byte (nettle with
 * SHA-NI: about 1.4 GB/s here, against a trace read at 2+ GB/s), so the
 * reading thread only copies each delivery into a 1 MiB chunk and a worker
 * thread applies the updates in order.  At most STREAM_HASH_CHUNKS chunks are
 * in flight (8 MiB): a fast reader waits for the hasher, memory stays bounded.
 * Digests are read only after stream_hash_sync(). */
#ifndef RXSIM_SESSION_STREAM_HASH_H
#define RXSIM_SESSION_STREAM_HASH_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

struct stream_hash;

/* NULL when out of memory or no thread could be started. */
struct stream_hash *stream_hash_new(void);

/* Queues sha256_update(ctx, n, p); ctx must stay alive until the next sync. */
void stream_hash_update(struct stream_hash *h, struct sha256_ctx *ctx, const uint8_t *p, size_t n);

/* Returns when every queued update has been applied. */
void stream_hash_sync(struct stream_hash *h);

void stream_hash_free(struct stream_hash *h);      /* syncs first; NULL is a no-op */

#endif
