/* tests/fuzz/fuzz_multipart.c: libFuzzer harness over POST /upload's
 * multipart/form-data parser (sim/serve/multipart.c), the code that reads what
 * any client sends to `rxsim serve`.
 *
 * Input: the bytes up to the first '\n' are the Content-Type header value (a
 * NUL in them ends it, as it would a C string from evhttp; a trailing '\r'
 * is dropped), the rest is the body; no '\n' means an empty body.  The body
 * is a suffix of libFuzzer's exact-size buffer, so any read past its end is
 * an ASan report.  Besides crashes and sanitizer reports, the harness aborts
 * when an answer breaks the contract in multipart.h: a found part must lie
 * inside the body and be followed by "\r\n--BOUNDARY"; a refusal leaves
 * *out untouched; a display name is 1..80 bytes of valid UTF-8 with no
 * control byte, no '/' or '\', and is never "." or ".."; the same body read
 * from a file (multipart_find_part_fd, a memfd here) gives the same answer.
 * Seeds: tests/fuzz/multipart/seeds/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/serve/multipart.h"
#include "sim/serve/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void check_display(const struct multipart_part *p)
{
    char out[96];
    multipart_display_name(p, out, sizeof out);
    size_t n = strlen(out);
    if (n < 1 || n > 80 || !strcmp(out, ".") || !strcmp(out, ".."))
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f || out[i] == '/' || out[i] == '\\')
            abort();
    for (size_t i = 0, len; i < n; i += len)
        if (!(len = utf8_seq_len((const unsigned char *)out + i, n - i)))
            abort();
}

/* The same body from a file must give the same answer. */
static void find_fd(const unsigned char *body, size_t n, const char *ct, const char *field, const char *why,
                    const struct multipart_part *part)
{
    int fd = memfd_create("fuzz_multipart", MFD_CLOEXEC);
    if (fd < 0)
        return;
    struct multipart_part p;
    if ((n && write(fd, body, n) != (ssize_t)n)) {
        close(fd);
        return;
    }
    const char *fwhy = multipart_find_part_fd(fd, n, ct, field, &p);
    close(fd);
    if (fwhy != why)
        abort();
    if (!why && (p.data || p.offset != (uint64_t)(part->data - body) || p.len != part->len ||
                 strcmp(p.name, part->name) || strcmp(p.filename, part->filename) ||
                 p.has_filename != part->has_filename))
        abort();
}

static void find(const unsigned char *body, size_t n, const char *ct, const char *field)
{
    struct multipart_part part, untouched;
    memset(&part, 0x5a, sizeof part);
    memcpy(&untouched, &part, sizeof part);
    const char *why = multipart_find_part(body, n, ct, field, &part);
    find_fd(body, n, ct, field, why, &part);
    if (why) {
        if (!*why || memcmp(&part, &untouched, sizeof part))
            abort();
        return;
    }
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    if (multipart_boundary(ct, boundary, sizeof boundary))
        abort();                                    /* a body parsed under a refused boundary */
    size_t blen = strlen(boundary);
    if (strcmp(part.name, field) || !memchr(part.filename, 0, sizeof part.filename) || part.data < body ||
        part.len > n || (size_t)(part.data - body) > n - part.len)
        abort();
    const unsigned char *after = part.data + part.len;
    if ((size_t)(body + n - after) < blen + 4 || memcmp(after, "\r\n--", 4) || memcmp(after + 4, boundary, blen))
        abort();                                    /* the data must end where a delimiter starts */
    for (size_t i = 0; i < part.len; i += 61)       /* touch the bytes: overreads must show */
        sink += part.data[i];
    if (part.len)
        sink += part.data[part.len - 1];
    check_display(&part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ctlen = nl ? (size_t)(nl - data) : size;
    char *ct = malloc(ctlen + 1);
    if (!ct)
        return 0;
    memcpy(ct, data, ctlen);
    ct[ctlen] = '\0';
    size_t l = strlen(ct);
    if (l && ct[l - 1] == '\r')
        ct[l - 1] = '\0';
    const unsigned char *body = nl ? nl + 1 : data + size;
    size_t n = (size_t)(data + size - body);

    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    const char *why = multipart_boundary(ct, boundary, sizeof boundary);
    if (!why) {
        size_t blen = strlen(boundary);
        if (blen < 1 || blen > MULTIPART_BOUNDARY_MAX || boundary[blen - 1] == ' ')
            abort();
    }
    find(body, n, ct, "file");
    find(body, n, ct, "x");                         /* another field: the same walk, other matches */
    free(ct);
    return 0;
}
