/* sim/serve/multipart.c: find one part of a multipart/form-data body (see
 * multipart.h).  Called as serve_upload_post() -> multipart_boundary() (to
 * answer 400 before the body is touched) -> multipart_find_part() ->
 * multipart_display_name().
 *
 * A ladder of early exits over bytes that a client chose (RFC 7578 / RFC
 * 2046): the boundary must be present and well-formed (1..70 bchars), every
 * delimiter must be found where the grammar says, at most 32 parts, a part's
 * headers fit in 8 KiB, and a part's length comes only from where the next
 * delimiter is actually found, never from a header (Content-Length inside a
 * part is not read at all).  The only copies are the name and filename
 * parameters, into fixed arrays; the data stays in the caller's body, so a
 * 64 MiB upload costs one memmem() pass and no allocation.  The same grammar
 * reads a spooled upload from its file (multipart_find_part_fd) through a
 * 64 KiB window on the stack, so a 64 MiB upload costs no more memory than
 * that. */
#include "sim/serve/multipart.h"
#include "sim/serve/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char multipart_field_missing[] = "the form has no part of that name";
const char multipart_field_twice[] = "a part of that name is given twice";

static const char not_form_data[] = "not multipart/form-data";
static const char bad_boundary[] = "multipart/form-data without a valid boundary parameter";

const char *multipart_boundary(const char *ct, char *out, size_t size)
{
    if (!ct || strncasecmp(ct, "multipart/form-data", 19))
        return not_form_data;
    const char *p = ct + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (!strncasecmp(p, "boundary=", 9)) {
            p += 9;
            size_t n = 0;
            if (*p == '"') {
                p++;
                while (p[n] && p[n] != '"')
                    n++;
                if (p[n] != '"')
                    return bad_boundary;
            } else {
                while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
                    n++;
            }
            if (n < 1 || n > MULTIPART_BOUNDARY_MAX || n >= size)
                return bad_boundary;
            for (size_t i = 0; i < n; i++)     /* RFC 2046 bchars */
                if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ", p[i]))
                    return bad_boundary;
            if (p[n - 1] == ' ')
                return bad_boundary;
            memcpy(out, p, n);
            out[n] = '\0';
            return NULL;
        }
        while (*p && *p != ';')
            p++;
    }
    return bad_boundary;
}

/* In a quoted string, a backslash escapes only '"' and '\\' (curl sends both
 * so); before anything else it is a literal backslash, as browsers send a
 * Windows path (they send '"' as %22 and never escape '\\'). */
static bool quoted_pair(const char *h, size_t hlen, size_t j)
{
    return h[j] == '\\' && j + 1 < hlen && (h[j + 1] == '"' || h[j + 1] == '\\');
}

/* A Content-Disposition parameter (key="v", key=v) of h[0, hlen) into out,
 * cut to size - 1 bytes; false when absent or its quoted string never ends.
 * The parameters are walked one by one, so a key written inside another
 * parameter's quoted value (filename="x; name=file") is never matched. */
static bool disp_param(const char *h, size_t hlen, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key), i = 0;
    for (;;) {
        bool in_quotes = false;         /* to the next ';' outside a quoted string */
        while (i < hlen && (in_quotes || h[i] != ';')) {
            if (h[i] == '"')
                in_quotes = !in_quotes;
            else if (in_quotes && quoted_pair(h, hlen, i))
                i++;
            i++;
        }
        if (i >= hlen)
            return false;
        i++;
        while (i < hlen && (h[i] == ' ' || h[i] == '\t'))
            i++;
        if (!(i + klen < hlen && !strncasecmp(h + i, key, klen) && h[i + klen] == '='))
            continue;
        size_t j = i + klen + 1, n = 0;
        bool quoted = j < hlen && h[j] == '"';
        if (quoted)
            j++;
        while (j < hlen && (quoted ? h[j] != '"' : h[j] != ';' && h[j] != ' ' && h[j] != '\t')) {
            if (quoted && quoted_pair(h, hlen, j))
                j++;
            if (n + 1 < size)
                out[n++] = h[j];
            j++;
        }
        if (quoted && j >= hlen)
            return false;
        out[n] = '\0';
        return true;
    }
}

/* Parses a part's header block h[0, n) (no closing empty line); fills
 * name/filename.  NULL, or what is wrong with it. */
static const char *part_headers(const char *h, size_t n, struct multipart_part *p)
{
    bool disposition = false;
    while (n) {
        const char *eol = memmem(h, n, "\r\n", 2);
        size_t len = eol ? (size_t)(eol - h) : n;
        if (len > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
            const char *v = h + 20;
            size_t vlen = len - 20;
            while (vlen && (*v == ' ' || *v == '\t'))
                v++, vlen--;
            if (vlen < 9 || strncasecmp(v, "form-data", 9))
                return "a part is not form-data";
            if (!disp_param(v, vlen, "name", p->name, sizeof p->name))
                return "a part has no name";
            p->has_filename = disp_param(v, vlen, "filename", p->filename, sizeof p->filename);
            disposition = true;
        }
        if (!eol)
            break;
        h += len + 2;
        n -= len + 2;
    }
    return disposition ? NULL : "a part has no Content-Disposition";
}

/* Where the body's bytes come from: all of it in memory, or a file read with
 * pread() through a window (a spooled upload, never in memory whole).  The
 * grammar below asks for at most MULTIPART_WINDOW contiguous bytes at a time
 * (a part's header block is at most 8 KiB) and finds delimiters with
 * src_find(), which slides the window; a pointer src_at() returned is valid
 * until the next call. */
struct mp_src {
    const unsigned char *mem;       /* NULL: read fd */
    int fd;
    uint64_t size;
    unsigned char *win;
    uint64_t win_off;
    size_t win_len;
    bool failed;                    /* a pread() failed or came up short */
};

#define NOT_FOUND UINT64_MAX

/* Up to want (<= MULTIPART_WINDOW) bytes from off; *got says how many (fewer
 * only at the end of the body). */
static const unsigned char *src_at(struct mp_src *s, uint64_t off, size_t want, size_t *got)
{
    uint64_t left = off < s->size ? s->size - off : 0;
    *got = want < left ? want : (size_t)left;
    if (s->mem)
        return *got ? s->mem + off : (const unsigned char *)"";
    if (off >= s->win_off && off + *got <= s->win_off + s->win_len)
        return s->win + (off - s->win_off);
    size_t n = left < MULTIPART_WINDOW ? (size_t)left : MULTIPART_WINDOW, done = 0;
    while (done < n) {
        ssize_t r = pread(s->fd, s->win + done, n - done, (off_t)(off + done));
        if (r <= 0) {
            s->failed = true;
            s->win_len = 0;
            *got = 0;
            return (const unsigned char *)"";
        }
        done += (size_t)r;
    }
    s->win_off = off;
    s->win_len = n;
    return s->win;
}

/* The offset of the first needle at or after off, or NOT_FOUND. */
static uint64_t src_find(struct mp_src *s, uint64_t off, const char *needle, size_t nlen)
{
    if (s->mem) {
        const unsigned char *hit = off < s->size ? memmem(s->mem + off, (size_t)(s->size - off), needle, nlen) : NULL;
        return hit ? (uint64_t)(hit - s->mem) : NOT_FOUND;
    }
    for (;;) {
        size_t got;
        const unsigned char *p = src_at(s, off, MULTIPART_WINDOW, &got);
        const unsigned char *hit = memmem(p, got, needle, nlen);
        if (hit)
            return off + (uint64_t)(hit - p);
        if (got < MULTIPART_WINDOW || s->failed)
            return NOT_FOUND;
        off += got - (nlen - 1);        /* a needle across the window's end is found next time */
    }
}

static const char *find_part(struct mp_src *src, const char *content_type, const char *field,
                             struct multipart_part *out)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    const char *why = multipart_boundary(content_type, boundary, sizeof boundary);
    if (why)
        return why;
    if (strlen(field) >= sizeof out->name)
        return "the field name is too long";
    char delim[MULTIPART_BOUNDARY_MAX + 5];
    size_t dlen = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary), got;
    uint64_t p;
    /* the first delimiter: at the very start (no CRLF before it), or after a preamble */
    const unsigned char *b = src_at(src, 0, dlen - 2, &got);
    if (got == dlen - 2 && !memcmp(b, delim + 2, dlen - 2))
        p = dlen - 2;
    else if ((p = src_find(src, 0, delim, dlen)) != NOT_FOUND)
        p += dlen;
    else
        return "no multipart boundary in the body (truncated, or not the declared boundary)";
    struct multipart_part hit = { 0 };
    bool found = false;
    for (int parts = 0;; parts++) {
        b = src_at(src, p, 2, &got);
        if (got == 2 && b[0] == '-' && b[1] == '-')
            break;                                  /* the close delimiter */
        while ((b = src_at(src, p, 1, &got)), got && (*b == ' ' || *b == '\t'))
            p++;                                    /* transport padding */
        b = src_at(src, p, 2, &got);
        if (got < 2 || b[0] != '\r' || b[1] != '\n')
            return "truncated multipart body (a delimiter is not followed by CRLF)";
        p += 2;
        if (parts >= MULTIPART_PARTS_MAX)
            return "more than 32 parts";
        size_t avail;
        b = src_at(src, p, MULTIPART_HEADERS_MAX, &avail);
        const unsigned char *hend = memmem(b, avail, "\r\n\r\n", 4);
        struct multipart_part part = { 0 };
        if (!hend) {
            /* a part with no header lines at all starts with an empty line */
            if (avail >= 2 && b[0] == '\r' && b[1] == '\n')
                return "a part has no Content-Disposition";
            return avail < MULTIPART_HEADERS_MAX ? "truncated multipart body (a part's headers never end)"
                                                 : "a part's headers are longer than 8 KiB";
        }
        if ((why = part_headers((const char *)b, (size_t)(hend - b), &part)))
            return why;
        uint64_t data = p + (uint64_t)(hend - b) + 4;
        uint64_t next = src_find(src, data, delim, dlen);
        if (next == NOT_FOUND)
            return "truncated multipart body (a part is not closed by the boundary)";
        if (!strcmp(part.name, field)) {
            if (found)
                return multipart_field_twice;
            part.offset = data;
            part.data = src->mem ? src->mem + data : NULL;
            part.len = (size_t)(next - data);
            hit = part;
            found = true;
        }
        p = next + dlen;
    }
    if (!found)
        return multipart_field_missing;
    *out = hit;                                     /* only now: a later part may still refuse the body */
    return NULL;
}

const char *multipart_find_part(const unsigned char *body, size_t n, const char *content_type, const char *field,
                                struct multipart_part *out)
{
    struct mp_src src = { .mem = body ? body : (const unsigned char *)"", .fd = -1, .size = n };
    return find_part(&src, content_type, field, out);
}

const char multipart_read_failed[] = "cannot read the spooled upload back";

const char *multipart_find_part_fd(int fd, uint64_t size, const char *content_type, const char *field,
                                   struct multipart_part *out)
{
    unsigned char win[MULTIPART_WINDOW];
    struct mp_src src = { .fd = fd, .size = size, .win = win };
    const char *why = find_part(&src, content_type, field, out);
    return src.failed ? multipart_read_failed : why;
}

void multipart_display_name(const struct multipart_part *p, char *out, size_t size)
{
    const char *f = p->has_filename ? p->filename : "";
    const char *base = f;
    for (const char *c = f; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    /* whole sequences only: a byte that starts none becomes U+FFFD, and the
     * 80-byte cut never splits a character, so the name is valid UTF-8 */
    size_t n = 0, left = strlen(base);
    const unsigned char *c = (const unsigned char *)base;
    while (left) {
        size_t len = utf8_seq_len(c, left);
        const char *add = (const char *)c;
        size_t alen = len;
        if (len == 0)
            add = UTF8_REPLACEMENT, alen = 3, len = 1;
        else if (len == 1 && (*c < 0x20 || *c == 0x7f))
            alen = 0;                               /* control bytes are dropped */
        if (n + alen + 1 > size || n + alen > 80)
            break;
        memcpy(out + n, add, alen);
        n += alen;
        c += len;
        left -= len;
    }
    out[n] = '\0';
    if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, size, "unnamed");
}
