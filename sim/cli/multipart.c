/* sim/cli/multipart.c: find one part of a multipart/form-data body (see
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
 * 64 MiB upload costs one memmem() pass and no allocation. */
#include "sim/cli/multipart.h"
#include "sim/cli/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

const char *multipart_find_part(const unsigned char *body, size_t n, const char *content_type, const char *field,
                                struct multipart_part *out)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1];
    const char *why = multipart_boundary(content_type, boundary, sizeof boundary);
    if (why)
        return why;
    if (strlen(field) >= sizeof out->name)
        return "the field name is too long";
    if (!body)
        body = (const unsigned char *)"";           /* n is 0: NULL is allowed then */
    char delim[MULTIPART_BOUNDARY_MAX + 5];
    int dlen = snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    const unsigned char *p;
    /* the first delimiter: at the very start (no CRLF before it), or after a preamble */
    if (n >= (size_t)dlen - 2 && !memcmp(body, delim + 2, (size_t)dlen - 2))
        p = body + dlen - 2;
    else if ((p = memmem(body, n, delim, (size_t)dlen)))
        p += dlen;
    else
        return "no multipart boundary in the body (truncated, or not the declared boundary)";
    const unsigned char *end = body + n;
    struct multipart_part hit = { 0 };
    bool found = false;
    for (int parts = 0;; parts++) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break;                                  /* the close delimiter */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;                                    /* transport padding */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return "truncated multipart body (a delimiter is not followed by CRLF)";
        p += 2;
        if (parts >= MULTIPART_PARTS_MAX)
            return "more than 32 parts";
        size_t avail = (size_t)(end - p);
        const unsigned char *hend =
            memmem(p, avail < MULTIPART_HEADERS_MAX ? avail : MULTIPART_HEADERS_MAX, "\r\n\r\n", 4);
        struct multipart_part part = { 0 };
        if (!hend) {
            /* a part with no header lines at all starts with an empty line */
            if (avail >= 2 && p[0] == '\r' && p[1] == '\n')
                return "a part has no Content-Disposition";
            return avail < MULTIPART_HEADERS_MAX ? "truncated multipart body (a part's headers never end)"
                                                 : "a part's headers are longer than 8 KiB";
        }
        if ((why = part_headers((const char *)p, (size_t)(hend - p), &part)))
            return why;
        const unsigned char *data = hend + 4;
        const unsigned char *next = memmem(data, (size_t)(end - data), delim, (size_t)dlen);
        if (!next)
            return "truncated multipart body (a part is not closed by the boundary)";
        if (!strcmp(part.name, field)) {
            if (found)
                return multipart_field_twice;
            part.data = data;
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
