/* copy/csum.h: the Internet checksum (RFC 1071) as the netstack uses it.
 *
 * Sums are 32-bit unfolded ones'-complement accumulators whose value is the
 * RFC 1071 sum of the bytes read as big-endian 16-bit words (an odd final byte
 * is the high byte of a word padded with zero).  Any 32-bit value is a valid
 * input sum; adding sums of pieces is correct when every piece but the last
 * starts at an even offset of the whole, as the headers here always do.
 *
 * csum_fold() matches Linux: it folds and complements, so the value to store
 * in a header is csum_fold(sum over pseudo-header + segment with field = 0),
 * and a received segment verifies when csum_fold(sum over pseudo-header +
 * whole segment) == 0.  Verifying that way accepts 0xffff and 0x0000 alike,
 * the two ones'-complement zeros (RFC 1624), as Linux does.
 */
#ifndef RXSIM_COPY_CSUM_H
#define RXSIM_COPY_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Sum of buf[0..len) added to sum.  Dispatches to the fastest checksum
 * routine this CPU can run (see copy/copy.h); never reads past buf+len. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/* Ones'-complement add of two 32-bit partial sums (end-around carry). */
static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
    uint32_t s = a + b;
    return s + (s < a);
}

/* Fold to 16 bits and complement (Linux semantics, see above). */
static inline uint16_t csum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Pseudo-header sums: addresses as they sit in the packet (network order),
 * proto and length as host numbers. */
uint32_t csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4],
                        uint8_t proto, uint32_t len);
uint32_t csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16],
                        uint8_t proto, uint32_t len);

#endif
