/* sim/options/value.h: the value parsers of every command's options (run,
 * live, compare, serve, synth, inspect): whole numbers, numbers, byte sizes
 * with binary suffixes and bit rates with decimal ones, each checked
 * against the range its caller gives.
 *
 * One contract for all: the whole string is the value (no trailing text),
 * nothing out of range or overflowing is clamped, and a parser never
 * prints: the caller says what it wanted, in its command's words, so each
 * command keeps its messages.  Each returns 0, or -1 with *out untouched. */
#ifndef RXSIM_OPTIONS_VALUE_H
#define RXSIM_OPTIONS_VALUE_H

#include <stdbool.h>
#include <stdint.h>

/* What may come before a whole number's digits; commands differed and keep
 * what they accepted. */
enum value_lead {
    VALUE_LEAD_STRTOUL,     /* what strtoul skips (space, a '+'); a '-' refused */
    VALUE_LEAD_NOSIGN,      /* space, but no sign (rxsim synth) */
    VALUE_LEAD_DIGIT,       /* a digit first (rxsim serve) */
};

/* A whole number in base (10; 0 also reads 0x hex and 0 octal), lo..hi. */
int value_u64(const char *s, enum value_lead lead, int base, uint64_t lo, uint64_t hi, uint64_t *out);
/* value_u64 in base 10 after what strtoul skips: the run options' rule. */
int value_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
/* strtol's reading (space and a sign allowed), lo..hi. */
int value_int(const char *s, int lo, int hi, int *out);
/* A number as strtod reads it, lo..hi (NaN is never in range). */
int value_double(const char *s, double lo, double hi, double *out);

/* A byte count: a whole number and an optional binary suffix K, M, G (T
 * when allow_t), either case: "256M" = 268435456.  lo..hi bytes, and 0
 * too when zero_ok ("0: none"). */
int value_size(const char *s, enum value_lead lead, bool allow_t, bool zero_ok, uint64_t lo, uint64_t hi,
               uint64_t *out);

/* A bit rate: a number and an optional decimal suffix k, M, G (T when
 * allow_t), either case: "2.5G" = 2.5e9.  lo..hi bit/s. */
int value_rate(const char *s, bool allow_t, double lo, double hi, double *bps);

#endif
