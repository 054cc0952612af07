/* sim/serve/utf8.h: strict UTF-8 decoding of one sequence, for everything
 * rxsim serve shows or sends as JSON (multipart.c's display names, the HTML
 * and JSON escapers in serve_reply.c).  A client's bytes (an upload's file
 * name, say) are not text until checked: invalid bytes become U+FFFD, so a
 * page is valid UTF-8 and /traces.json valid JSON (RFC 8259 §8.1).  No
 * libevent here, so the multipart unit test and fuzz harness link it alone. */
#ifndef RXSIM_SERVE_UTF8_H
#define RXSIM_SERVE_UTF8_H

#include <stddef.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"     /* U+FFFD, 3 bytes */

/* The length (1..4) of the well-formed UTF-8 sequence at s[0, n), or 0 when
 * s[0] does not start one: a stray continuation byte, a truncated sequence,
 * an overlong form, a surrogate (U+D800..DFFF) or a code point above
 * U+10FFFF (RFC 3629 §4, the Unicode Table 3-7 ranges).  n is 0: 0. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
