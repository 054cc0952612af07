/* sim/time.h: simulated time.
 *
 * Integer picoseconds in a signed 64-bit value: exact arithmetic (a 2.6 GHz
 * cycle is 384.6 ps, so cycles are converted once, at the edge), and a range
 * of INT64_MAX ps ≈ 106 days, far beyond any trace replayed here. */
#ifndef RXSIM_SIM_TIME_H
#define RXSIM_SIM_TIME_H

#include <stdint.h>

typedef int64_t sim_ps;

#define SIM_PS_PER_NS  ((sim_ps)1000)
#define SIM_PS_PER_US  ((sim_ps)1000000)
#define SIM_PS_PER_MS  ((sim_ps)1000000000)
#define SIM_PS_PER_SEC ((sim_ps)1000000000000)
#define SIM_PS_MAX     INT64_MAX

#endif
