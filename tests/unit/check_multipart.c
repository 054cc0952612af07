/* tests/unit/check_multipart.c: sim/serve/multipart.c, the multipart/form-data
 * parser behind POST /upload, on hand-written bodies.  Two tables: bodies
 * that must give the "file" part with exactly these bytes (quoted and
 * unquoted boundaries, preambles, epilogues, other parts around it, hostile
 * file names, NUL and CR LF in the data, an empty file), and bodies that must
 * be refused with exactly this reason (every rung of the ladder).  Then the
 * limits at their edges (70-byte boundary, 8 KiB of headers, 32 parts) and
 * the display-name sanitiser.
 *
 * Every body is copied into a heap buffer of exactly its length, so a read
 * past it trips AddressSanitizer in the sanitizer build, and is parsed again
 * from a file (multipart_find_part_fd, how a spooled upload is read), which
 * must give the same answer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/serve/multipart.h"
#include "tests/common/testenv.h"

#define BYTES(s) s, sizeof(s) - 1       /* a literal with NULs in it, and its length */
#define CT "multipart/form-data; boundary=XyZ"
#define CD_FILE "Content-Disposition: form-data; name=\"file\"; filename=\"t.pcap\"\r\n"

/* multipart_find_part() on an exact-size copy of body.  On success the part's
 * data (its first sizeof data bytes) is copied out before the copy is freed;
 * data_off is where it started in the body. */
struct result {
    const char *why;
    struct multipart_part part;
    unsigned char data[256];
    size_t data_off;
};

/* multipart_find_part_fd() over the same body written to a file: the same
 * answer (the same reason, by pointer; the same part, at the same offset). */
static void parse_fd_agrees(const char *ct, const char *body, size_t n, const char *field, const struct result *r)
{
    FILE *f = tmpfile();
    ck_assert(f);
    ck_assert(n == 0 || fwrite(body, 1, n, f) == n);
    ck_assert_int_eq(fflush(f), 0);
    struct multipart_part part;
    memset(&part, 0xa5, sizeof part);
    const char *why = multipart_find_part_fd(fileno(f), n, ct, field ? field : "file", &part);
    ck_assert_msg(why == r->why, "from a file: '%s', from memory: '%s'", why ? why : "(ok)", r->why ? r->why : "(ok)");
    if (!why) {
        ck_assert_ptr_null(part.data);
        ck_assert_uint_eq(part.offset, r->data_off);
        ck_assert_uint_eq(part.len, r->part.len);
        ck_assert_str_eq(part.name, r->part.name);
        ck_assert_str_eq(part.filename, r->part.filename);
        ck_assert(part.has_filename == r->part.has_filename);
    }
    fclose(f);
}

static void parse(const char *ct, const char *body, size_t n, const char *field, struct result *r)
{
    unsigned char *copy = n ? malloc(n) : NULL;
    if (n)
        memcpy(copy, body, n);
    memset(r, 0, sizeof *r);
    memset(&r->part, 0xa5, sizeof r->part);        /* untouched on refusal: checked below */
    r->why = multipart_find_part(copy, n, ct, field ? field : "file", &r->part);
    if (!r->why) {
        ck_assert_ptr_nonnull(r->part.data);
        ck_assert(r->part.data >= copy && r->part.data + r->part.len <= copy + n);
        r->data_off = (size_t)(r->part.data - copy);
        ck_assert_uint_eq(r->part.offset, r->data_off);
        memcpy(r->data, r->part.data, r->part.len < sizeof r->data ? r->part.len : sizeof r->data);
    }
    free(copy);
    parse_fd_agrees(ct, body, n, field, r);
}

/* --- bodies that give the part ------------------------------------------- */

struct accept {
    const char *what;
    const char *ct;
    const char *body;
    size_t len;
    const char *field;          /* NULL: "file" */
    const char *filename;       /* NULL: no filename parameter */
    const char *data;
    size_t dlen;
    const char *display;
};

static const struct accept accepts[] = {
    { "unquoted boundary", CT,
      BYTES("--XyZ\r\n" CD_FILE "Content-Type: application/octet-stream\r\n\r\nDATA\r\n--XyZ--\r\n"),
      NULL, "t.pcap", BYTES("DATA"), "t.pcap" },
    { "quoted boundary with a space and every punctuation bchar",
      "multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"",
      BYTES("--a b'()+_,-./:=?\r\n" CD_FILE "\r\nDATA\r\n--a b'()+_,-./:=?--"),
      NULL, "t.pcap", BYTES("DATA"), "t.pcap" },
    { "type and parameter in another case, no space after ;", "Multipart/Form-Data;BOUNDARY=q",
      BYTES("--q\r\ncontent-disposition: FORM-DATA; NAME=file\r\n\r\nx\r\n--q--"),
      NULL, NULL, BYTES("x"), "unnamed" },
    { "boundary followed by another parameter", "multipart/form-data; boundary=XyZ; charset=utf-8",
      BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--\r\n"), NULL, "t.pcap", BYTES("D"), "t.pcap" },
    { "preamble, parts before and after, epilogue", CT,
      BYTES("This is a preamble.\r\n--XyZ\r\n"
            "Content-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XyZ\r\n"
            "Content-Disposition: form-data; name=\"files\"; filename=\"no.pcap\"\r\n\r\nnot me\r\n--XyZ\r\n"
            CD_FILE "Content-Type: application/vnd.tcpdump.pcap\r\n\r\nTHE DATA\r\n--XyZ\r\n"
            "Content-Disposition: form-data; name=\"notes\"\r\n\r\nafter\r\n--XyZ--\r\nepilogue --XyZ junk"),
      NULL, "t.pcap", BYTES("THE DATA"), "t.pcap" },
    { "another field asked for", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XyZ\r\n" CD_FILE
            "\r\nDATA\r\n--XyZ--"),
      "title", NULL, BYTES("hello"), "unnamed" },
    { "transport padding after delimiters", CT,
      BYTES("--XyZ \t \r\n" CD_FILE "\r\nDATA\r\n--XyZ\t\r\n"
            "Content-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--XyZ--"),
      NULL, "t.pcap", BYTES("DATA"), "t.pcap" },
    { "NUL, CR LF and near-miss delimiters kept in the data", CT,
      BYTES("--XyZ\r\n" CD_FILE "\r\n\0\0a\0\r\n\r\n--XyY\r\n-XyZ\n--XyZ\0\xff\r\n\r\n--XyZ--\r\n"),
      NULL, "t.pcap", BYTES("\0\0a\0\r\n\r\n--XyY\r\n-XyZ\n--XyZ\0\xff\r\n"), "t.pcap" },
    { "empty file", CT, BYTES("--XyZ\r\n" CD_FILE "\r\n\r\n--XyZ--\r\n"), NULL, "t.pcap", BYTES(""), "t.pcap" },
    { "empty filename", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "", BYTES("D"), "unnamed" },
    { "filename ../../evil.pcap", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../evil.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "../../evil.pcap", BYTES("D"), "evil.pcap" },
    { "filename /etc/passwd", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/etc/passwd\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "/etc/passwd", BYTES("D"), "passwd" },
    { "filename with backslashes (quoted-pairs)", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\\\\..\\\\win.pcap\"\r\n\r\n"
            "D\r\n--XyZ--"),
      NULL, "..\\..\\win.pcap", BYTES("D"), "win.pcap" },
    { "filename with raw backslashes (a browser's Windows path)", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\x\\y.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "C:\\x\\y.pcap", BYTES("D"), "y.pcap" },
    { "filename ..\\..\\win.pcap, raw", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\\..\\win.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "..\\..\\win.pcap", BYTES("D"), "win.pcap" },
    { "name= inside another part's filename is not the field", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; filename=\"x; name=file;x\"; name=\"other\"\r\n\r\nA\r\n"
            "--XyZ\r\n" CD_FILE "\r\nB\r\n--XyZ--"),
      NULL, "t.pcap", BYTES("B"), "t.pcap" },
    { "filename a/b/../../c.pcap", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a/b/../../c.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "a/b/../../c.pcap", BYTES("D"), "c.pcap" },
    { "filename ..", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "..", BYTES("D"), "unnamed" },
    { "filename with control bytes", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x01" "b\x7f" "c\x1b[31md\tx.pcap\"\r\n"
            "\r\nD\r\n--XyZ--"),
      NULL, "a\x01" "b\x7f" "c\x1b[31md\tx.pcap", BYTES("D"), "abc[31mdx.pcap" },
    { "filename with an escaped quote", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\\\"y.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "x\"y.pcap", BYTES("D"), "x\"y.pcap" },
    { "filename whose quoted string ends at an inner quote", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"y.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "x", BYTES("D"), "x" },
    { "unquoted filename with a script tag", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=file; filename=<script>alert(1)</script>.pcap\r\n"
            "\r\nD\r\n--XyZ--"),
      NULL, "<script>alert(1)</script>.pcap", BYTES("D"), "script>.pcap" },
    { "a later Content-Disposition wins", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n" CD_FILE "\r\nD\r\n--XyZ--"),
      NULL, "t.pcap", BYTES("D"), "t.pcap" },
    { "delimiter at the very end, no CRLF after --", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"),
      NULL, "t.pcap", BYTES("D"), "t.pcap" },
};

START_TEST(accepted)
{
    const struct accept *a = &accepts[_i];
    struct result r;
    parse(a->ct, a->body, a->len, a->field, &r);
    ck_assert_msg(!r.why, "%s: refused: %s", a->what, r.why);
    ck_assert_msg(!strcmp(r.part.name, a->field ? a->field : "file"), "%s: name '%s'", a->what, r.part.name);
    ck_assert_msg(r.part.has_filename == (a->filename != NULL), "%s: has_filename %d", a->what,
                  r.part.has_filename);
    if (a->filename)
        ck_assert_msg(!strcmp(r.part.filename, a->filename), "%s: filename '%s', want '%s'", a->what,
                      r.part.filename, a->filename);
    ck_assert_msg(r.part.len == a->dlen, "%s: %zu data bytes, want %zu", a->what, r.part.len, a->dlen);
    ck_assert_msg(!memcmp(r.data, a->data, a->dlen), "%s: data bytes differ", a->what);
    /* the data is where the body has it, not a copy */
    ck_assert_msg(r.data_off + a->dlen <= a->len && !memcmp(a->body + r.data_off, a->data, a->dlen),
                  "%s: data at offset %zu is not the body's", a->what, r.data_off);
    char shown[96];
    multipart_display_name(&r.part, shown, sizeof shown);
    ck_assert_msg(!strcmp(shown, a->display), "%s: shown as '%s', want '%s'", a->what, shown, a->display);
}
END_TEST

/* --- bodies that are refused ---------------------------------------------- */

#define NOT_FORM_DATA "not multipart/form-data"
#define BAD_BOUNDARY "multipart/form-data without a valid boundary parameter"
#define NO_BOUNDARY "no multipart boundary in the body (truncated, or not the declared boundary)"
#define NO_CRLF "truncated multipart body (a delimiter is not followed by CRLF)"
#define NOT_CLOSED "truncated multipart body (a part is not closed by the boundary)"
#define HEADERS_OPEN "truncated multipart body (a part's headers never end)"
#define NO_CD "a part has no Content-Disposition"

struct refuse {
    const char *what;
    const char *ct;
    const char *body;
    size_t len;
    const char *field;          /* NULL: "file" */
    const char *why;            /* exact text; multipart_field_* compared by pointer */
};

static const struct refuse refusals[] = {
    { "no Content-Type", NULL, BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL, NOT_FORM_DATA },
    { "not multipart", "application/octet-stream", BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL,
      NOT_FORM_DATA },
    { "multipart/mixed", "multipart/mixed; boundary=XyZ", BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL,
      NOT_FORM_DATA },
    { "no boundary parameter", "multipart/form-data", BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL,
      BAD_BOUNDARY },
    { "other parameters only", "multipart/form-data; charset=utf-8; xboundary=XyZ",
      BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL, BAD_BOUNDARY },
    { "empty boundary", "multipart/form-data; boundary=", BYTES("--\r\n" CD_FILE "\r\nD\r\n----"), NULL,
      BAD_BOUNDARY },
    { "empty quoted boundary", "multipart/form-data; boundary=\"\"", BYTES("--\r\n" CD_FILE "\r\nD\r\n----"),
      NULL, BAD_BOUNDARY },
    { "boundary of 71 bytes",
      "multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901",
      BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL, BAD_BOUNDARY },
    { "boundary with <>", "multipart/form-data; boundary=b<0>undary", BYTES("--b<0>undary\r\n" CD_FILE "\r\nD"),
      NULL, BAD_BOUNDARY },
    { "boundary with @", "multipart/form-data; boundary=a@b", BYTES("--a@b\r\n" CD_FILE "\r\nD\r\n--a@b--"), NULL,
      BAD_BOUNDARY },
    { "quoted boundary with CR LF", "multipart/form-data; boundary=\"bad\r\nX-Evil: 1\"",
      BYTES("--bad\r\nX-Evil: 1\r\n" CD_FILE "\r\nD"), NULL, BAD_BOUNDARY },
    { "quoted boundary never closed", "multipart/form-data; boundary=\"XyZ", BYTES("--XyZ\r\n" CD_FILE "\r\nD"),
      NULL, BAD_BOUNDARY },
    { "quoted boundary ending in a space", "multipart/form-data; boundary=\"XyZ \"",
      BYTES("--XyZ \r\n" CD_FILE "\r\nD\r\n--XyZ --"), NULL, BAD_BOUNDARY },
    { "empty body", CT, NULL, 0, NULL, NO_BOUNDARY },
    { "body shorter than a delimiter", CT, BYTES("--Xy"), NULL, NO_BOUNDARY },
    { "another boundary in the body", CT, BYTES("--XyW\r\n" CD_FILE "\r\nD\r\n--XyW--"), NULL, NO_BOUNDARY },
    { "first delimiter without its dashes: all preamble", CT, BYTES("XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL,
      multipart_field_missing },
    { "only the first delimiter", CT, BYTES("--XyZ"), NULL, NO_CRLF },
    { "first delimiter, CR only", CT, BYTES("--XyZ\r"), NULL, NO_CRLF },
    { "delimiter followed by a letter", CT, BYTES("--XyZx\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL, NO_CRLF },
    { "the boundary inside the data", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nab\r\n--XyZab\r\n--XyZ--"), NULL,
      NO_CRLF },
    { "missing final delimiter", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nDATA"), NULL, NOT_CLOSED },
    { "final delimiter cut to --Xy", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nDATA\r\n--Xy"), NULL, NOT_CLOSED },
    { "final delimiter without its dashes", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nDATA\r\n--XyZ"), NULL, NO_CRLF },
    { "final delimiter with one dash", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nDATA\r\n--XyZ-"), NULL, NO_CRLF },
    { "truncated headers", CT, BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n"), NULL,
      HEADERS_OPEN },
    { "headers cut mid-line", CT, BYTES("--XyZ\r\nContent-Disposition: form-da"), NULL, HEADERS_OPEN },
    { "part with no headers", CT, BYTES("--XyZ\r\n\r\nDATA\r\n--XyZ--"), NULL, NO_CD },
    { "part with no Content-Disposition", CT,
      BYTES("--XyZ\r\nContent-Type: application/octet-stream\r\n\r\nDATA\r\n--XyZ--"), NULL, NO_CD },
    { "Content-Disposition with no value", CT, BYTES("--XyZ\r\nContent-Disposition:\r\n\r\nDATA\r\n--XyZ--"),
      NULL, NO_CD },
    { "not form-data", CT, BYTES("--XyZ\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\nD\r\n--XyZ--"),
      NULL, "a part is not form-data" },
    { "no name (filename only)", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; filename=\"a.pcap\"\r\n\r\nD\r\n--XyZ--"), NULL,
      "a part has no name" },
    { "name's quoted string never ends", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"file\r\n\r\nD\r\n--XyZ--"), NULL, "a part has no name" },
    { "an earlier part is refused", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"), NULL,
      "a part has no name" },
    { "a later part is refused after the field was found", CT,
      BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--"), NULL, NO_CD },
    { "field missing", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"notfile\"; filename=\"x.pcap\"\r\n\r\nD\r\n--XyZ--"),
      NULL, multipart_field_missing },
    { "field name differs in case", CT,
      BYTES("--XyZ\r\nContent-Disposition: form-data; name=\"File\"\r\n\r\nD\r\n--XyZ--"), NULL,
      multipart_field_missing },
    { "close delimiter at once", CT, BYTES("--XyZ--\r\n"), NULL, multipart_field_missing },
    { "field given twice", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ\r\n" CD_FILE "\r\nE\r\n--XyZ--"), NULL,
      multipart_field_twice },
    { "field name longer than a part's name can be", CT, BYTES("--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--"),
      "0123456789012345678901234567890123456789012345678901234567890123", "the field name is too long" },
};

START_TEST(refused)
{
    const struct refuse *f = &refusals[_i];
    struct result r;
    parse(f->ct, f->body, f->len, f->field, &r);
    ck_assert_msg(r.why, "%s: accepted (%zu bytes)", f->what, r.part.len);
    if (f->why == multipart_field_missing || f->why == multipart_field_twice)
        ck_assert_msg(r.why == f->why, "%s: '%s', want '%s'", f->what, r.why, f->why);
    else
        ck_assert_msg(!strcmp(r.why, f->why), "%s: '%s', want '%s'", f->what, r.why, f->why);
    unsigned char untouched[sizeof r.part];
    memset(untouched, 0xa5, sizeof untouched);
    ck_assert_msg(!memcmp(&r.part, untouched, sizeof untouched), "%s: *out written on refusal", f->what);
}
END_TEST

/* --- limits at their edges ------------------------------------------------ */

START_TEST(boundary_lengths)
{
    char ct[128], out[MULTIPART_BOUNDARY_MAX + 1], b70[71];
    memset(b70, 'b', 70);
    b70[70] = '\0';
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b70);
    ck_assert_ptr_null(multipart_boundary(ct, out, sizeof out));
    ck_assert_str_eq(out, b70);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%s\"", b70);
    ck_assert_ptr_null(multipart_boundary(ct, out, sizeof out));
    ck_assert_str_eq(out, b70);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%sb", b70);
    ck_assert_str_eq(multipart_boundary(ct, out, sizeof out), BAD_BOUNDARY);
    char roomy[128];        /* 71 is refused for its length, not for want of room */
    ck_assert_str_eq(multipart_boundary(ct, roomy, sizeof roomy), BAD_BOUNDARY);

    /* the caller's buffer bounds it too, and is untouched on refusal */
    char small[5] = "keep";
    ck_assert_str_eq(multipart_boundary("multipart/form-data; boundary=abcde", small, sizeof small), BAD_BOUNDARY);
    ck_assert_str_eq(small, "keep");
    ck_assert_ptr_null(multipart_boundary("multipart/form-data; boundary=abcd", small, sizeof small));
    ck_assert_str_eq(small, "abcd");

    /* a 70-byte boundary frames a body end to end */
    char body[512];
    int n = snprintf(body, sizeof body, "--%s\r\n" CD_FILE "\r\n70\r\n--%s--", b70, b70);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b70);
    struct result r;
    parse(ct, body, (size_t)n, NULL, &r);
    ck_assert_msg(!r.why, "70-byte boundary: %s", r.why);
    ck_assert_uint_eq(r.part.len, 2);
    ck_assert(!memcmp(r.data, "70", 2));
}
END_TEST

/* A part whose header block (its CR LF CR LF included) is hlen bytes. */
static char *body_with_headers(size_t hlen, size_t *n)
{
    static const char head[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\nX-Pad: ";
    static const char tail[] = "\r\n\r\nHDR\r\n--XyZ--";
    size_t fixed = strlen("Content-Disposition: form-data; name=\"file\"\r\nX-Pad: ") + 4;
    ck_assert(hlen > fixed);
    *n = strlen(head) + (hlen - fixed) + strlen(tail);
    char *b = malloc(*n);
    memcpy(b, head, strlen(head));
    memset(b + strlen(head), 'p', hlen - fixed);
    memcpy(b + strlen(head) + (hlen - fixed), tail, strlen(tail));
    return b;
}

START_TEST(header_limit)
{
    size_t n;
    struct result r;
    char *b = body_with_headers(MULTIPART_HEADERS_MAX, &n);
    parse(CT, b, n, NULL, &r);
    ck_assert_msg(!r.why, "headers of exactly 8 KiB: %s", r.why);
    ck_assert_uint_eq(r.part.len, 3);
    ck_assert(!memcmp(r.data, "HDR", 3));
    free(b);

    b = body_with_headers(MULTIPART_HEADERS_MAX + 1, &n);
    parse(CT, b, n, NULL, &r);
    ck_assert_msg(r.why && !strcmp(r.why, "a part's headers are longer than 8 KiB"), "8 KiB + 1: %s", r.why);
    free(b);

    /* cut before the headers end: under 8 KiB left is "truncated", 8 KiB or more "too long" */
    b = body_with_headers(MULTIPART_HEADERS_MAX + 100, &n);
    size_t start = strlen("--XyZ\r\n");
    parse(CT, b, start + MULTIPART_HEADERS_MAX - 1, NULL, &r);
    ck_assert_str_eq(r.why, HEADERS_OPEN);
    parse(CT, b, start + MULTIPART_HEADERS_MAX, NULL, &r);
    ck_assert_str_eq(r.why, "a part's headers are longer than 8 KiB");
    free(b);
}
END_TEST

/* parts parts, the last one "file" holding its index. */
static char *body_with_parts(int parts, size_t *n)
{
    char *b = malloc((size_t)parts * 96 + 16), *p = b;
    for (int i = 0; i < parts; i++)
        p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%d\r\n",
                     i == parts - 1 ? "file" : "f", i);
    p += sprintf(p, "--XyZ--");
    *n = (size_t)(p - b);
    return b;
}

START_TEST(part_limit)
{
    size_t n;
    struct result r;
    char *b = body_with_parts(MULTIPART_PARTS_MAX, &n);
    parse(CT, b, n, NULL, &r);
    ck_assert_msg(!r.why, "32 parts: %s", r.why);
    ck_assert_uint_eq(r.part.len, 2);
    ck_assert(!memcmp(r.data, "31", 2));
    free(b);
    b = body_with_parts(MULTIPART_PARTS_MAX + 1, &n);
    parse(CT, b, n, NULL, &r);
    ck_assert_msg(r.why && !strcmp(r.why, "more than 32 parts"), "33 parts: %s", r.why);
    free(b);
}
END_TEST

START_TEST(large_data_kept_exactly)
{
    /* 1 MiB of every byte value, the delimiter's own bytes included */
    size_t dlen = 1 << 20, n;
    static const char head[] = "--XyZ\r\n" CD_FILE "\r\n", tail[] = "\r\n--XyZ--\r\n";
    n = strlen(head) + dlen + strlen(tail);
    unsigned char *b = malloc(n);
    memcpy(b, head, strlen(head));
    for (size_t i = 0; i < dlen; i++)
        b[strlen(head) + i] = "\r\n-XyZ\0\xff"[i % 8];
    memcpy(b + strlen(head) + dlen, tail, strlen(tail));
    struct multipart_part part;
    ck_assert_ptr_null(multipart_find_part(b, n, CT, "file", &part));
    ck_assert_uint_eq(part.len, dlen);
    ck_assert(part.data == b + strlen(head));
    free(b);
}
END_TEST

/* From a file, the delimiter that closes the part is found wherever it
 * falls against the 64 KiB read window: data lengths around the window's
 * end, with delimiter look-alikes ("\r\n--XyQ") inside the data. */
START_TEST(file_window_edges)
{
    const char *head = "--XyZ\r\n" CD_FILE "\r\n";
    size_t hlen = strlen(head), max = MULTIPART_WINDOW + 64;
    char *body = malloc(hlen + max + 16);
    ck_assert(body);
    for (size_t dlen = MULTIPART_WINDOW - hlen - 24; dlen < MULTIPART_WINDOW - hlen + 24; dlen++) {
        memcpy(body, head, hlen);
        for (size_t i = 0; i < dlen; i++)
            body[hlen + i] = (char)('a' + i % 23);
        for (size_t i = 7; i + 7 < dlen; i += 4093)
            memcpy(body + hlen + i, "\r\n--XyQ", 7);
        size_t n = hlen + dlen;
        n += (size_t)sprintf(body + n, "\r\n--XyZ--");
        struct result r;
        parse(CT, body, n, NULL, &r);
        ck_assert_msg(!r.why, "data of %zu bytes: %s", dlen, r.why);
        ck_assert_uint_eq(r.part.len, dlen);
        ck_assert_uint_eq(r.data_off, hlen);
    }
    free(body);
}
END_TEST

START_TEST(file_unreadable)
{
    struct multipart_part part;
    const char *body = "--XyZ\r\n" CD_FILE "\r\nD\r\n--XyZ--";
    /* a descriptor that cannot be read, and a file shorter than the size claimed */
    ck_assert_ptr_eq(multipart_find_part_fd(-1, strlen(body), CT, "file", &part), multipart_read_failed);
    FILE *f = tmpfile();
    ck_assert(f && fwrite(body, 1, 10, f) == 10 && fflush(f) == 0);
    ck_assert_ptr_eq(multipart_find_part_fd(fileno(f), strlen(body), CT, "file", &part), multipart_read_failed);
    fclose(f);
}
END_TEST

/* --- the display name ----------------------------------------------------- */

static const struct {
    const char *filename;       /* NULL: no filename parameter */
    size_t size;
    const char *want;
} display_cases[] = {
    { NULL, 96, "unnamed" },
    { "", 96, "unnamed" },
    { ".", 96, "unnamed" },
    { "..", 96, "unnamed" },
    { "a/.", 96, "unnamed" },
    { "x\\..", 96, "unnamed" },
    { "dir/", 96, "unnamed" },
    { "\x01\x02\x7f", 96, "unnamed" },
    { "../../evil.pcap", 96, "evil.pcap" },
    { "/etc/passwd", 96, "passwd" },
    { "..\\..\\win.pcap", 96, "win.pcap" },
    { "a/b\\c/d.pcap", 96, "d.pcap" },
    { ".\x01.", 96, "unnamed" },            /* ".." once the control byte is gone */
    { "tab\there.pcap", 96, "tabhere.pcap" },
    { "caf\xc3\xa9.pcap", 96, "caf\xc3\xa9.pcap" },     /* UTF-8 is kept */
    /* bytes that start no well-formed sequence: each one U+FFFD */
    { "a\xff.pcap", 96, "a\xef\xbf\xbd.pcap" },
    { "\xc0\xaf", 96, "\xef\xbf\xbd\xef\xbf\xbd" },              /* overlong '/' */
    { "\xed\xa0\x80", 96, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a UTF-16 surrogate */
    { "\xf4\x90\x80\x80", 96, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* > U+10FFFF */
    { "x\xe2\x82", 96, "x\xef\xbf\xbd\xef\xbf\xbd" },           /* cut short */
    { "\xf0\x9f\x98\x80.pcap", 96, "\xf0\x9f\x98\x80.pcap" },   /* 4 bytes, kept */
    /* the cuts (80 bytes, size) never split a character */
    { "0123456789012345678901234567890123456789012345678901234567890123456789012345678\xc3\xa9", 96,
      "0123456789012345678901234567890123456789012345678901234567890123456789012345678" },
    { "ab\xc3\xa9", 4, "ab" },
    { "ab\xff", 5, "ab" },
    { "abcdefgh", 5, "abcd" },
    { "", 5, "unna" },
    { "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890", 96,
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789" },
};

START_TEST(display_names)
{
    struct multipart_part p = { 0 };
    if (display_cases[_i].filename) {
        p.has_filename = true;
        snprintf(p.filename, sizeof p.filename, "%s", display_cases[_i].filename);
    }
    char out[96];
    memset(out, 'Z', sizeof out);
    multipart_display_name(&p, out, display_cases[_i].size);
    ck_assert_msg(!strcmp(out, display_cases[_i].want), "'%s' (size %zu): '%s', want '%s'",
                  display_cases[_i].filename ? display_cases[_i].filename : "(none)", display_cases[_i].size, out,
                  display_cases[_i].want);
    for (size_t i = display_cases[_i].size; i < sizeof out; i++)
        ck_assert_msg(out[i] == 'Z', "'%s': wrote past size %zu", display_cases[_i].filename,
                      display_cases[_i].size);
}
END_TEST

START_TEST(filename_cut_at_255)
{
    char body[1024], name[400];
    memset(name, 'n', 300);
    name[300] = '\0';
    int n = snprintf(body, sizeof body,
                     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/%s\"\r\n\r\nD\r\n--XyZ--",
                     name);
    struct result r;
    parse(CT, body, (size_t)n, NULL, &r);
    ck_assert_ptr_null(r.why);
    ck_assert_uint_eq(strlen(r.part.filename), 255);
    ck_assert(!strncmp(r.part.filename, "dir/nnn", 7));
    char shown[96];
    multipart_display_name(&r.part, shown, sizeof shown);
    ck_assert_uint_eq(strlen(shown), 80);
}
END_TEST

static Suite *multipart_suite(void)
{
    Suite *s = suite_create("multipart");
    TCase *tc = tcase_create("bodies");
    tcase_add_loop_test(tc, accepted, 0, (int)ARRAY_LEN(accepts));
    tcase_add_loop_test(tc, refused, 0, (int)ARRAY_LEN(refusals));
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, boundary_lengths);
    tcase_add_test(tc, header_limit);
    tcase_add_test(tc, part_limit);
    tcase_add_test(tc, large_data_kept_exactly);
    tcase_add_test(tc, filename_cut_at_255);
    tcase_add_test(tc, file_window_edges);
    tcase_add_test(tc, file_unreadable);
    suite_add_tcase(s, tc);
    tc = tcase_create("display");
    tcase_add_loop_test(tc, display_names, 0, (int)ARRAY_LEN(display_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(multipart_suite());
}
