/* sim/rng.h: the seeded PRNG behind --seed (xoshiro256**, seeded through
 * splitmix64): the same seed gives the same run on every machine. */
#ifndef RXSIM_SIM_RNG_H
#define RXSIM_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
    uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);

#endif
