/* tests/unit/check_serve_reply.c: sim/serve/ linked alone (serve_dep, no
 * process, no socket), on what every page depends on:
 *  - the HTML and JSON escapers (serve_reply.c), table-driven: markup
 *    characters, control bytes, bytes that start no well-formed UTF-8
 *    sequence (U+FFFD in HTML, \ufffd in JSON), multi-byte characters kept;
 *  - the page frame: the title escaped in <title> and <h1>;
 *  - the form's check of one value (serve_form.c) where it goes past the
 *    option table: delivery NAME:N, irq/app fixed:C, replay rate:RATE. */
#include <check.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/serve/serve_form.h"
#include "sim/serve/serve_reply.h"
#include "tests/common/testenv.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The buffer's bytes, NUL-terminated, malloc'd; the buffer is freed. */
static char *drain(struct evbuffer *b)
{
    size_t n = evbuffer_get_length(b);
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    evbuffer_remove(b, s, n);
    s[n] = '\0';
    evbuffer_free(b);
    return s;
}

static const struct { const char *in, *html, *json; } escapes[] = {
    { "plain text 123", "plain text 123", "\"plain text 123\"" },
    { "<a href=\"x\">&'</a>", "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;",
      "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026'\\u003c/a\\u003e\"" },
    { "back\\slash", "back\\slash", "\"back\\\\slash\"" },
    { "tab\tnew\nline", "tab\tnew\nline", "\"tab\\u0009new\\u000aline\"" },
    { "bell\x07 del\x7f", "bell\xef\xbf\xbd del\x7f", "\"bell\\u0007 del\\u007f\"" },
    { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
    { "bad \xff end", "bad \xef\xbf\xbd end", "\"bad \\ufffd end\"" },
    { "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd", "\"overlong \\ufffd\\ufffd\"" },
    { "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\"surrogate \\ufffd\\ufffd\\ufffd\"" },
    { "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd", "\"cut \\ufffd\\ufffd\"" },
    { "", "", "\"\"" },
};

START_TEST(escaped)
{
    struct evbuffer *b = evbuffer_new();
    serve_html_escape(b, escapes[_i].in);
    char *html = drain(b);
    ck_assert_msg(!strcmp(html, escapes[_i].html), "html of case %d: '%s', want '%s'", _i, html, escapes[_i].html);
    free(html);
    b = evbuffer_new();
    serve_json_escape(b, escapes[_i].in);
    char *json = drain(b);
    ck_assert_msg(!strcmp(json, escapes[_i].json), "json of case %d: '%s', want '%s'", _i, json, escapes[_i].json);
    free(json);
}
END_TEST

/* A NUL inside the counted bytes is a control byte like any other; NULL
 * strings are empty. */
START_TEST(counted_and_null)
{
    struct evbuffer *b = evbuffer_new();
    serve_html_escape_n(b, "a\0b<", 4);
    serve_html_escape(b, NULL);
    char *html = drain(b);
    ck_assert_str_eq(html, "a\xef\xbf\xbd" "b&lt;");
    free(html);
    b = evbuffer_new();
    serve_json_escape(b, NULL);
    char *json = drain(b);
    ck_assert_str_eq(json, "\"\"");
    free(json);
}
END_TEST

START_TEST(page_frame)
{
    struct evbuffer *b = evbuffer_new();
    serve_page_begin(b, "job <1> & \xff");
    serve_page_end(b);
    char *page = drain(b);
    ck_assert_ptr_nonnull(strstr(page, "<title>rxsim: job &lt;1&gt; &amp; \xef\xbf\xbd</title>"));
    ck_assert_ptr_nonnull(strstr(page, "<h1>job &lt;1&gt; &amp; \xef\xbf\xbd</h1>"));
    ck_assert_ptr_null(strstr(page, "<1>"));
    ck_assert_ptr_nonnull(strstr(page, "</html>\n"));
    free(page);
}
END_TEST

static const struct { const char *field, *value; bool ok; } values[] = {
    { "delivery", "batch:8", true },        /* NAME:N for a policy that takes N, any N in 1..65536 */
    { "delivery", "batch:65536", true },
    { "delivery", "batch:0", false },
    { "delivery", "batch:65537", false },
    { "delivery", "batch:x", false },
    { "delivery", "nope", false },
    { "irq", "fixed:7", true },             /* fixed:C; C < cpus is checked against the form's cpus */
    { "irq", "fixed:", false },
    { "irq", "rss", true },
    { "app", "fixed:1", true },
    { "app", "fixed:-1", false },
    { "replay", "trace", true },
    { "replay", "rate:10G", true },
    { "replay", "rate:0.5k", false },       /* below 1k */
    { "replay", "rate:5000G", false },      /* above 4000G */
    { "host", "10.0.0.1", true },
    { "host", "::1", true },
    { "host", "10.0.0", false },
    { "filter", "tcp port 80", true },
    { "filter", "tcp\x01", false },
};

/* serve_scrub_paths: an absolute path of two parts or more keeps its last;
 * what is not a server file (a URL path of one part, a relative path, a
 * plain word) is left alone. */
static const char *const scrubs[][2] = {
    { "rxsim run: /srv/lab/traces/a.pcap: not a capture", "rxsim run: a.pcap: not a capture" },
    { "rxsim run --timeline=/tmp/w/jobs/0a1b/timeline.json", "rxsim run --timeline=timeline.json" },
    { "cannot open '/etc/passwd' (x)", "cannot open 'passwd' (x)" },
    { "see /jobs or a/b/c, not /", "see /jobs or a/b/c, not /" },
    { "(/var/spool/x.tmp)", "(x.tmp)" },
    { "this path takes GET only", "this path takes GET only" },
};

START_TEST(paths_scrubbed)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", scrubs[_i][0]);
    size_t n = serve_scrub_paths(buf, strlen(buf));
    ck_assert_str_eq(buf, scrubs[_i][1]);
    ck_assert_uint_eq(n, strlen(scrubs[_i][1]));
}
END_TEST

START_TEST(form_values)
{
    const struct serve_field *f = serve_form_field_find(values[_i].field);
    ck_assert_msg(f != NULL, "no form field %s", values[_i].field);
    char why[512];
    const char *r = serve_form_check(f, values[_i].value, why, sizeof why);
    ck_assert_msg((r == NULL) == values[_i].ok, "%s=%s: %s, want %s", values[_i].field, values[_i].value,
                  r ? r : "accepted", values[_i].ok ? "accepted" : "refused");
}
END_TEST

/* Every field has a name, a group, and help; vary only where a compare can vary it. */
START_TEST(fields_described)
{
    size_t n;
    const struct serve_field *f = serve_form_fields(&n);
    ck_assert_uint_gt(n, 10);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(f[i].name && *f[i].name && f[i].group && *f[i].group && f[i].help && *f[i].help,
                      "field %zu is not described", i);
        ck_assert_ptr_eq(serve_form_field_find(f[i].name), &f[i]);
    }
    ck_assert_ptr_null(serve_form_field_find("no-such-field"));
}
END_TEST

static Suite *serve_reply_suite(void)
{
    Suite *s = suite_create("serve_reply");
    TCase *tc = tcase_create("escaping");
    tcase_add_loop_test(tc, escaped, 0, (int)ARRAY_LEN(escapes));
    tcase_add_test(tc, counted_and_null);
    tcase_add_test(tc, page_frame);
    tcase_add_loop_test(tc, paths_scrubbed, 0, (int)ARRAY_LEN(scrubs));
    suite_add_tcase(s, tc);
    tc = tcase_create("form");
    tcase_add_loop_test(tc, form_values, 0, (int)ARRAY_LEN(values));
    tcase_add_test(tc, fields_described);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(serve_reply_suite());
}
