/* sim/serve/multipart.h: one part of a multipart/form-data body (RFC 7578,
 * framing from RFC 2046 §5.1.1), found in plain bytes.  POST /upload
 * (serve_upload.c) is the caller; no libevent type crosses this header, so
 * the unit test (tests/unit/check_multipart.c) and the libFuzzer harness
 * (tests/fuzz/fuzz_multipart.c) drive the same code with bytes alone.
 *
 * Every function returns NULL on success or a static, human-readable reason
 * (fit to show a client) and never allocates. */
#ifndef RXSIM_SERVE_MULTIPART_H
#define RXSIM_SERVE_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MULTIPART_BOUNDARY_MAX 70       /* RFC 2046: 1..70 bchars */
#define MULTIPART_HEADERS_MAX 8192      /* a part's header block, its closing CRLF CRLF included */
#define MULTIPART_PARTS_MAX 32          /* parts before the close delimiter */
#define MULTIPART_WINDOW (64 * 1024)    /* multipart_find_part_fd's read window (on the stack) */

/* A part's Content-Disposition parameters, cut to fit (the name at 63 bytes,
 * the filename at 255; a backslash before '"' or '\\' removed, any other kept
 * as a browser sends a Windows path), and its data, which
 * points into the caller's body: valid only as long as the body is. */
struct multipart_part {
    char name[64];
    char filename[256];
    bool has_filename;              /* a filename parameter was present, even if empty */
    const unsigned char *data;      /* NULL from multipart_find_part_fd */
    uint64_t offset;                /* where data starts in the body */
    size_t len;                     /* from where the next delimiter was found, never from a header */
};

/* Reasons multipart_find_part() gives about the field rather than about the
 * body's framing.  Compare by pointer; neither names the field, so a caller
 * that shows them adds the name. */
extern const char multipart_field_missing[];    /* no part has the field's name */
extern const char multipart_field_twice[];      /* two parts have it */

/* The boundary parameter of a "multipart/form-data" Content-Type (type
 * matched case-insensitively; quoted or not) into out, NUL-terminated.
 * Refused: another type, no boundary, one that is empty, longer than
 * MULTIPART_BOUNDARY_MAX or than size - 1, ends in a space, or holds a byte
 * outside RFC 2046's bchars.  out is untouched on refusal. */
const char *multipart_boundary(const char *content_type, char *out, size_t size);

/* Parses body[0, n) framed by content_type's boundary and fills *out with
 * the one part whose name is field (compared exactly; field must be shorter
 * than sizeof out->name).  The body must hold the first delimiter (at its
 * start or after a preamble), at most MULTIPART_PARTS_MAX parts, each with a
 * header block of at most MULTIPART_HEADERS_MAX bytes that has a
 * Content-Disposition: form-data with a name, each part closed by a
 * delimiter, and then the close delimiter; the epilogue after it is ignored.
 * Refusals: the multipart_boundary() reasons, a framing reason, or
 * multipart_field_missing / multipart_field_twice.  *out is written only on
 * success; an empty part (len 0) is a success.  body may be NULL when n is 0. */
const char *multipart_find_part(const unsigned char *body, size_t n, const char *content_type, const char *field,
                                struct multipart_part *out);

/* The same over the bytes [0, size) of a file (a spooled upload), read with
 * pread() through a MULTIPART_WINDOW buffer on the stack; out->data is NULL
 * and out->offset says where the part's bytes start in the file.  One more
 * refusal: multipart_read_failed, when the file cannot be read back. */
const char *multipart_find_part_fd(int fd, uint64_t size, const char *content_type, const char *field,
                                   struct multipart_part *out);
extern const char multipart_read_failed[];

/* A part's filename made safe to show and to log: the base name (after the
 * last '/' or '\'), without bytes below 0x20 and 0x7f, valid UTF-8 (a byte
 * that starts no well-formed sequence becomes U+FFFD), at most 80 bytes (and
 * size - 1) cut between characters; "unnamed" when that leaves "", "." or
 * "..".  Not HTML-escaped:
 * a page must still escape it.  size must be at least 1 (below 8 it cuts
 * "unnamed" short). */
void multipart_display_name(const struct multipart_part *p, char *out, size_t size);

#endif
