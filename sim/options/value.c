/* sim/options/value.c: the value parsers (see value.h).  Built on strtoull
 * and strtod, with errno and the end pointer always checked, so a value is
 * either read whole and in range or refused. */
#include "sim/options/value.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* Whether s may start a whole number under lead. */
static bool lead_ok(const char *s, enum value_lead lead)
{
    switch (lead) {
    case VALUE_LEAD_STRTOUL:
        return *s != '-';
    case VALUE_LEAD_NOSIGN:
        while (*s == ' ')
            s++;
        return *s && *s != '-' && *s != '+';
    case VALUE_LEAD_DIGIT:
        return isdigit((unsigned char)*s);
    }
    return false;
}

/* The digits of a whole number; *end after them.  -1 on garbage. */
static int whole(const char *s, enum value_lead lead, int base, unsigned long long *v, char **end)
{
    if (!lead_ok(s, lead))
        return -1;
    errno = 0;
    *v = strtoull(s, end, base);
    return errno || *end == s ? -1 : 0;
}

int value_u64(const char *s, enum value_lead lead, int base, uint64_t lo, uint64_t hi, uint64_t *out)
{
    unsigned long long v;
    char *end;
    if (whole(s, lead, base, &v, &end) < 0 || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int value_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v;
    if (value_u64(s, VALUE_LEAD_STRTOUL, 10, lo, hi, &v) < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int value_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int value_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int value_size(const char *s, enum value_lead lead, bool allow_t, bool zero_ok, uint64_t lo, uint64_t hi,
               uint64_t *out)
{
    unsigned long long v;
    char *end;
    if (whole(s, lead, 10, &v, &end) < 0)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = allow_t ? 40 : 0; break;
    default: break;
    }
    end += shift != 0;
    if (*end || v > UINT64_MAX >> shift)
        return -1;
    uint64_t bytes = (uint64_t)v << shift;
    if (!(bytes == 0 && zero_ok) && (bytes < lo || bytes > hi))
        return -1;
    *out = bytes;
    return 0;
}

int value_rate(const char *s, bool allow_t, double lo, double hi, double *bps)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return -1;
    switch (*end) {
    case 'k': case 'K': v *= 1e3; end++; break;
    case 'm': case 'M': v *= 1e6; end++; break;
    case 'g': case 'G': v *= 1e9; end++; break;
    case 't': case 'T': if (allow_t) v *= 1e12, end++; break;
    default: break;
    }
    if (*end || !(v >= lo && v <= hi))
        return -1;
    *bps = v;
    return 0;
}
