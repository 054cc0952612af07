/* tests/e2e/check_browser.c: the lab as a student meets it, in Debian's real
 * chromium (headless, through chromedriver): the trace list, a comparison
 * started from the form with its table and chart, a single run whose
 * delivered bytes match the trace's truth, an upload, and a bad value.
 *
 * Skips with a message when chromium or chromedriver is absent (a user's
 * clone); CI installs both (.ci/deps.sh).  With RXSIM_SCREENSHOTS_DIR set
 * the screenshots go there (docs/labs/img/ is made that way, see
 * docs/labs/00-first-look.md); otherwise into a temporary directory. */
#include <check.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/http_client.h"
#include "tests/common/json_get.h"
#include "tests/common/serve_proc.h"
#include "tests/common/testenv.h"
#include "tests/common/webdriver.h"

/* Job results on this machine take a second or two; the ASan build and a
 * busy CI machine are slower. */
#define JOB_TIMEOUT_MS 180000

static struct wd wd;
static struct serve_proc sp;
static char shots[1024];

static void url_of(char *buf, size_t size, const char *path)
{
    snprintf(buf, size, "http://127.0.0.1:%d%s", sp.port, path);
}

static void go(const char *path)
{
    char url[1200];
    url_of(url, sizeof url, path);
    ck_assert_msg(wd_get(&wd, url) == 0, "%s: %s", path, wd.err);
}

static void shoot(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", shots, name);
    ck_assert_msg(wd_screenshot(&wd, path) == 0, "screenshot %s: %s", path, wd.err);
}

static void click(const char *css)
{
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, css, 5000, &el) == 0, "%s: %s", css, wd.err);
    ck_assert_msg(wd_click(&wd, &el) == 0, "click %s: %s", css, wd.err);
}

static char *text_of(const char *css)
{
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, css, 5000, &el) == 0, "%s: %s", css, wd.err);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t != NULL, "text of %s: %s", css, wd.err);
    return t;
}

/* Submits the job form and waits on the job page until the job (a `what`)
 * is done; one that failed fails the test with its page's text. */
static void submit_done(const char *what)
{
    click("#submit");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#job-state", 10000, &el) == 0, "no job page after submit: %s", wd.err);
    char *state = wd_wait_text(&wd, "#job-state", "done|failed", JOB_TIMEOUT_MS);
    ck_assert_msg(state != NULL, "job never finished: %s", wd.err);
    if (strcmp(state, "done")) {
        char *page = text_of("main");
        ck_abort_msg("%s job %s: %s", what, state, page);
    }
    free(state);
}

/* The form, set for a compare of trace (its #trace option: shipped:NAME or
 * upload:ID) with the vary checkboxes whose ids are in ticks (NULL-ended),
 * e.g. "vary-app-fixed:1", ticked. */
static void compare_form(const char *trace, const char *const *ticks)
{
    go("/");
    ck_assert_msg(wd_select_option(&wd, "#trace", trace) == 0, "%s: %s", trace, wd.err);
    ck_assert_msg(wd_select_option(&wd, "#kind", "compare") == 0, "%s", wd.err);
    char css[160];
    for (; *ticks; ticks++) {
        snprintf(css, sizeof css, "input[id='%s']", *ticks);
        click(css);
    }
}

/* The server-relative href of a link on the page, fetched over HTTP. */
static void fetch_link(const char *css, struct http_resp *r)
{
    struct wd_el el;
    ck_assert_msg(wd_find(&wd, css, &el) == 0, "%s: %s", css, wd.err);
    char *href = wd_attr(&wd, &el, "href");
    ck_assert_msg(href && href[0] == '/', "%s: href '%s' is not a server path", css, href ? href : "");
    ck_assert_msg(http_get(sp.port, href, r) == 0 && r->status == 200, "GET %s: %d", href, r->status);
    free(href);
}

/* The SHA-256 the real Linux receiver read, from the shipped trace's truth
 * file (traces/data/README.md): the direction whose bytes the receiver read. */
static char *truth_sha256(const char *trace)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/traces/data/%s.truth.json", testenv_source_root(), trace);
    json_object *j = json_object_from_file(path);
    ck_assert_msg(j != NULL, "cannot read %s", path);
    json_object *dirs = get(j, "directions");
    ck_assert_msg(dirs != NULL, "%s: no directions", path);
    char *s = NULL;
    for (size_t i = 0; i < json_object_array_length(dirs) && !s; i++) {
        json_object *d = json_object_array_get_idx(dirs, i);
        if (!strcmp(str(d, "read_by"), "receiver") && get(d, "sha256"))
            s = strdup(str(d, "sha256"));
    }
    json_object_put(j);
    ck_assert_msg(s != NULL, "%s: no direction read by the receiver", path);
    return s;
}

/* The labs' compares from the form (lab 0's, and the labs' own steps, whose
 * screenshots are named labN-*.png, apart from lab 0's NN-*.png). */

/* Submits the filled form, waits for the compare's table of want rows and
 * returns its downloaded JSON (the caller puts it). */
static json_object *compare_result(int want)
{
    submit_done("compare");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "table#compare", 10000, &el) == 0, "no compare table: %s", wd.err);
    int rows = wd_count(&wd, "table#compare tbody tr");
    ck_assert_msg(rows == want, "want %d rows in the table, got %d", want, rows);
    struct http_resp r = { 0 };
    fetch_link("#download-json", &r);
    json_object *j = json_tokener_parse(r.body);
    http_resp_free(&r);
    ck_assert_msg(j && json_object_array_length(get(j, "rows")) == (size_t)want, "download-json: want %d rows", want);
    return j;
}

/* The result of the row whose values match want ("axis", "value", ..., NULL). */
static json_object *row_result(json_object *doc, const char *const *want)
{
    json_object *rows = get(doc, "rows");
    for (size_t i = 0; i < json_object_array_length(rows); i++) {
        json_object *row = json_object_array_get_idx(rows, i), *v = get(row, "values");
        bool all = true;
        for (const char *const *w = want; *w && all; w += 2)
            all = !strcmp(str(v, w[0]), w[1]);
        if (all)
            return get(get(row, "report"), "result");
    }
    ck_abort_msg("no row with %s=%s", want[0], want[1]);
    return NULL;
}

static void scroll_to(const char *css)
{
    char js[300];
    snprintf(js, sizeof js, "document.querySelector(\"%s\").scrollIntoView(); return 1;", css);
    free(wd_exec_js(&wd, js));
}

START_TEST(trace_list)
{
    go("/");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#traces", 5000, &el) == 0, "%s", wd.err);
    int rows = wd_count(&wd, "#traces tr[data-trace]");
    ck_assert_msg(rows >= 3, "want the 3 shipped traces listed, found %d rows", rows);
    /* the inspect summaries arrive from worker processes; the page fills them in */
    const char *row = "#traces tr[data-trace='shipped:parallel4-v4-64k.pcap'][data-state='ready']";
    ck_assert_msg(wd_wait_for(&wd, row, 60000, &el) == 0, "parallel4 never summarized: %s", wd.err);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t != NULL, "%s", wd.err);
    /* the shipped capture holds 4 connections (traces/data/README.md) */
    ck_assert_msg(strstr(t, " 4 ") != NULL, "parallel4's row should show 4 connections: '%s'", t);
    free(t);
    shoot("01-traces.png");
}
END_TEST

START_TEST(compare_from_the_form)
{
    static const char *const ticks[] = { "vary-csum-softirq", "vary-csum-process", "vary-app-fixed:0",
                                         "vary-app-fixed:1", NULL };
    compare_form("shipped:parallel4-v4-64k.pcap", ticks);
    scroll_to("#kind");
    shoot("02-compare-form.png");
    /* 2 csum x 2 app values: four rows in the table and in the downloaded JSON */
    json_object_put(compare_result(4));
    int charts = wd_count(&wd, "svg.chart");
    ck_assert_msg(charts >= 1, "want at least one chart, got %d", charts);
    char *table = text_of("table#compare");
    ck_assert_msg(strstr(table, "process") && strstr(table, "softirq"), "table lacks the csum values: %s", table);
    free(table);
    shoot("03-compare-result.png");
    free(wd_exec_js(&wd, "document.querySelector('svg.chart').scrollIntoView(); return 1;"));
    shoot("04-compare-chart.png");

    /* the CSV download has the same four runs */
    struct http_resp r = { 0 };
    fetch_link("#download-csv", &r);
    size_t lines = 0;
    for (const char *p = r.body; *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == 5, "download-csv: want a header and 4 rows, got %zu lines", lines);
    http_resp_free(&r);
}
END_TEST

START_TEST(run_from_the_form)
{
    go("/");
    ck_assert_msg(wd_select_option(&wd, "#trace", "shipped:bulk-v4-256k.pcap") == 0, "%s", wd.err);
    ck_assert_msg(wd_select_option(&wd, "#kind", "run") == 0, "%s", wd.err);
    ck_assert_msg(wd_select_option(&wd, "#f-csum", "process") == 0, "%s", wd.err);
    submit_done("run");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "table#report", 10000, &el) == 0, "no report table: %s", wd.err);
    shoot("05-run-report.png");
    ck_assert_msg(wd_find(&wd, "#download-timeline", &el) == 0, "no timeline link: %s", wd.err);
    /* the command that gives the same results from a shell (issue 16 item 6) */
    char *cmd = text_of("#job-command");
    ck_assert_msg(!strcmp(cmd, "rxsim run --csum=process -- bulk-v4-256k.pcap"), "job command: '%s'", cmd);
    free(cmd);

    /* what the simulated reader read is what the real Linux receiver read */
    char *want = truth_sha256("bulk-v4-256k.pcap");
    char *page = text_of("main");
    char want16[17];
    snprintf(want16, sizeof want16, "%s", want);
    ck_assert_msg(strstr(page, want16) != NULL, "the report page should show the SHA-256 %s", want);
    struct http_resp r = { 0 };
    fetch_link("#download-json", &r);
    ck_assert_msg(strstr(r.body, want) != NULL, "report.json lacks the receiver's SHA-256 %s", want);
    http_resp_free(&r);
    fetch_link("#download-timeline", &r);
    json_object *t = json_tokener_parse(r.body);
    ck_assert_msg(t != NULL, "timeline is not JSON");
    json_object_put(t);
    http_resp_free(&r);
    free(page);
    free(want);
}
END_TEST

START_TEST(upload_a_trace)
{
    /* a copy under a name with a space, as a student's file would have */
    char src[4200], dir[1024], path[1200];
    snprintf(src, sizeof src, "%s/traces/data/bulk-v6-128k-nsec.pcap", testenv_source_root());
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/my capture.pcap", dir);
    size_t n;
    char *bytes = testenv_slurp(src, &n);
    ck_assert_msg(bytes != NULL, "cannot read %s", src);
    FILE *f = fopen(path, "wb");
    ck_assert(f && fwrite(bytes, 1, n, f) == n && fclose(f) == 0);
    free(bytes);

    int before = (go("/"), wd_count(&wd, "#traces tr[data-trace]"));
    go("/upload");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#file", 5000, &el) == 0, "%s", wd.err);
    ck_assert_msg(wd_send_keys(&wd, &el, path) == 0, "choose file: %s", wd.err);
    shoot("06-upload.png");
    click("#upload-submit");
    /* the list comes back with one more row; until then the old page, or none, is there */
    int after = before;
    for (int i = 0; i < 100 && after != before + 1; i++, usleep(100000))
        after = wd_count(&wd, "#traces tr[data-trace]");
    ck_assert_msg(after == before + 1, "trace rows %d before the upload, %d after", before, after);
    char *t = text_of("#traces");
    ck_assert_msg(strstr(t, "my capture.pcap") != NULL, "the upload's own name should be shown: %s", t);
    free(t);
}
END_TEST

START_TEST(bad_value_says_which_field)
{
    go("/");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#f-cpus", 5000, &el) == 0, "%s", wd.err);
    ck_assert_msg(wd_send_keys(&wd, &el, "lots") == 0, "%s", wd.err);
    click("#submit");
    /* #error is on the answer page only (waiting for "main" could find the old page's) */
    ck_assert_msg(wd_wait_for(&wd, "#error", 10000, &el) == 0, "no error page: %s", wd.err);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t && strstr(t, "cpus") && strstr(t, "lots"), "the error page should name cpus and 'lots': %s",
                  t ? t : wd.err);
    free(t);
    ck_assert_msg(wd_count(&wd, "#job-state") == 0, "a bad value must not start a job");
    shoot("07-bad-value.png");
}
END_TEST

/* A filter that does not compile is refused with the form, before any job. */
START_TEST(bad_filter_refused_at_submit)
{
    go("/");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#f-filter", 5000, &el) == 0, "%s", wd.err);
    ck_assert_msg(wd_send_keys(&wd, &el, "port http and") == 0, "%s", wd.err);
    click("#submit");
    ck_assert_msg(wd_wait_for(&wd, "#error", 10000, &el) == 0, "no error page: %s", wd.err);
    char *t = wd_text(&wd, &el);
    ck_assert_msg(t && strstr(t, "field filter") && strstr(t, "not a BPF filter"), "error page: %s", t ? t : wd.err);
    free(t);
    ck_assert_msg(wd_count(&wd, "#job-state") == 0, "a bad filter must not start a job");
    shoot("08-bad-filter.png");
}
END_TEST

/* Lab 3, step 8: delivery x rx-usecs on a shipped trace at 2.5 Gbit/s. */
START_TEST(lab3_coalescing_from_the_form)
{
    static const char *const ticks[] = { "vary-delivery-packet", "vary-delivery-gro", NULL };
    compare_form("shipped:bulk-v4-256k.pcap", ticks);
    ck_assert_msg(wd_select_option(&wd, "#f-app", "fixed:1") == 0, "%s", wd.err);
    struct wd_el el;
    ck_assert_msg(wd_find(&wd, "#f-replay", &el) == 0 && wd_send_keys(&wd, &el, "rate:2.5G") == 0, "%s", wd.err);
    ck_assert_msg(wd_find(&wd, "#vary-rx-usecs", &el) == 0 && wd_send_keys(&wd, &el, "0,20,100") == 0, "%s", wd.err);
    scroll_to("#vary-delivery-packet");
    shoot("lab3-01-form.png");
    json_object *doc = compare_result(6);
    /* the lab's directions: with rx-usecs up, frames per interrupt and p99 rise, cycles per byte falls */
    static const char *const dl[] = { "packet", "gro" }, *const us[] = { "0", "20", "100" };
    for (int d = 0; d < 2; d++) {
        json_object *prev = NULL;
        for (int u = 0; u < 3; u++) {
            const char *want[] = { "delivery", dl[d], "rx-usecs", us[u], NULL };
            json_object *r = row_result(doc, want);
            if (prev) {
                ck_assert_msg(num(r, "frames_per_interrupt") > num(prev, "frames_per_interrupt") &&
                              num(get(r, "latency"), "p99_us") > num(get(prev, "latency"), "p99_us") &&
                              num(r, "cycles_per_byte") < num(prev, "cycles_per_byte"),
                              "delivery=%s rx-usecs=%s: frames/irq and p99 should rise, cycles/byte fall", dl[d], us[u]);
            }
            prev = r;
        }
    }
    json_object_put(doc);
    scroll_to("table#compare");
    shoot("lab3-02-result.png");
    scroll_to("#chart-line-rx-usecs-p99-latency");
    shoot("lab3-03-chart.png");
}
END_TEST

/* Lab 2, "In the browser": step 4's copy-routine matrix, 6 x 2 x 2 runs. */
START_TEST(lab2_copy_matrix_from_the_form)
{
    static const char *const copies[] = { "rep_movsl", "rep_movsb", "unrolled_int", "sse2", "nontemporal", "glibc" };
    static const char *const ticks[] = { "vary-csum-softirq", "vary-csum-offload", "vary-copy-rep_movsl",
                                         "vary-copy-rep_movsb", "vary-copy-unrolled_int", "vary-copy-sse2",
                                         "vary-copy-nontemporal", "vary-copy-glibc", "vary-app-fixed:0",
                                         "vary-app-fixed:1", NULL };
    compare_form("shipped:bulk-v4-256k.pcap", ticks);
    scroll_to("#vary-csum-softirq");
    shoot("lab2-01-form.png");
    json_object *doc = compare_result(24);
    /* step 4's directions: nontemporal the dearest copy in every cell; a cold source (offload) dearer than hot */
    static const char *const apps[] = { "fixed:0", "fixed:1" }, *const cs[] = { "softirq", "offload" };
    for (int a = 0; a < 2; a++)
        for (int c = 0; c < 2; c++) {
            const char *nt[] = { "copy", "nontemporal", "app", apps[a], "csum", cs[c], NULL };
            double worst = num(get(row_result(doc, nt), "cycles_per_byte_by_category"), "copy");
            for (int i = 0; i < 6; i++) {
                const char *w[] = { "copy", copies[i], "app", apps[a], "csum", cs[c], NULL };
                const char *cold[] = { "copy", copies[i], "app", "fixed:0", "csum", "offload", NULL };
                const char *hot[] = { "copy", copies[i], "app", "fixed:0", "csum", "softirq", NULL };
                double v = num(get(row_result(doc, w), "cycles_per_byte_by_category"), "copy");
                ck_assert_msg(i == 4 || v < worst, "%s %s/%s: copy %.3f c/B, nontemporal %.3f", copies[i], apps[a], cs[c], v, worst);
                ck_assert_msg(num(get(row_result(doc, cold), "cycles_per_byte_by_category"), "copy") >
                              num(get(row_result(doc, hot), "cycles_per_byte_by_category"), "copy"), "%s: cold not dearer", copies[i]);
            }
        }
    json_object_put(doc);
    shoot("lab2-02-result.png");
    scroll_to("#chart-bars-scaled-throughput");
    shoot("lab2-03-chart.png");
}
END_TEST

/* Lab 4, step 7 (docs/labs/04-skb-recycling.md): the recycle axis (percpu,
 * origin, defer) against the reader's CPU on a shipped capture. */
START_TEST(lab4_recycle_from_the_form)
{
    static const char *const ticks[] = { "vary-recycle-percpu", "vary-recycle-origin", "vary-recycle-defer",
                                         "vary-app-fixed:0", "vary-app-fixed:1", NULL };
    compare_form("shipped:parallel4-v4-64k.pcap", ticks);
    scroll_to("#vary-recycle-percpu");
    shoot("lab4-01-form.png");
    json_object *doc = compare_result(6);
    /* the lab's claims: with the reader on the IRQ's CPU the three policies are
     * one run; on the other CPU every data skb is freed remotely, defer queues
     * each such free and gains the most scaled throughput */
    static const char *const pol[] = { "percpu", "origin", "defer" };
    const char *w0[] = { "recycle", "percpu", "app", "fixed:0", NULL };
    double same = num(row_result(doc, w0), "throughput_scaled_to_cpu_mbps"), best = 0;
    const char *bestp = NULL;
    for (int p = 0; p < 3; p++) {
        const char *a0[] = { "recycle", pol[p], "app", "fixed:0", NULL };
        const char *a1[] = { "recycle", pol[p], "app", "fixed:1", NULL };
        json_object *r0 = row_result(doc, a0), *r1 = row_result(doc, a1);
        ck_assert_msg(num(r0, "throughput_scaled_to_cpu_mbps") == same, "%s fixed:0: not the same run as percpu's", pol[p]);
        ck_assert_msg(num(get(r0, "skb"), "remote_frees") == 0 && num(get(r1, "skb"), "remote_frees") > 0,
                      "%s: remote frees %g on the IRQ's CPU, %g on the other", pol[p], num(get(r0, "skb"), "remote_frees"),
                      num(get(r1, "skb"), "remote_frees"));
        if (!strcmp(pol[p], "defer"))
            ck_assert_msg(num(get(r1, "skb"), "deferred") == num(get(r1, "skb"), "remote_frees"), "defer: not every remote free deferred");
        if (num(r1, "throughput_scaled_to_cpu_mbps") > best) {
            best = num(r1, "throughput_scaled_to_cpu_mbps");
            bestp = pol[p];
        }
    }
    ck_assert_msg(!strcmp(bestp, "defer"), "best with the reader on the other CPU: %s", bestp);
    json_object_put(doc);
    scroll_to("table#compare");
    shoot("lab4-02-result.png");
    scroll_to("#chart-bars-scaled-throughput");
    shoot("lab4-03-chart.png");
}
END_TEST

/* Lab 5's browser step (docs/labs/05-zero-copy.md): a page-sized trace
 * (synth --mtu 4148) uploaded, then copy against zerocopy, with and
 * without the application reading every byte, from the compare form.  The
 * lab's claims, read back from the download: zero-copy wins when the
 * reader does not touch the data, the copy wins when it reads every byte. */
START_TEST(lab5_zero_copy_compare)
{
    char dir[1024], path[1200];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/lab5-page.pcap", dir);
    char *synth[] = { "synth", "-o", path, "--bytes", "4M", "--mtu", "4148", "--seed", "5", "--no-progress", NULL };
    ck_assert_msg(testenv_rxsim(synth, NULL, NULL) == 0, "rxsim synth failed");
    go("/upload");
    struct wd_el el;
    ck_assert_msg(wd_wait_for(&wd, "#file", 5000, &el) == 0, "%s", wd.err);
    ck_assert_msg(wd_send_keys(&wd, &el, path) == 0, "choose file: %s", wd.err);
    click("#upload-submit");
    char *v = NULL;
    for (int i = 0; i < 100 && (!v || !*v); i++, usleep(100000)) {
        free(v);
        /* the form lists an upload under its generated name; the table above gives its own */
        v = wd_exec_js(&wd, "for (const tr of document.querySelectorAll('#traces tr[data-trace]'))"
                            "  if (tr.textContent.indexOf('lab5-page.pcap') >= 0 && document.getElementById('trace')) {"
                            "    document.getElementById('trace').value = tr.dataset.trace; return tr.dataset.trace; }"
                            "return '';");
    }
    ck_assert_msg(v && *v, "the uploaded lab5-page.pcap never appeared in the trace list: %s", wd.err);
    free(v);
    ck_assert_msg(wd_select_option(&wd, "#kind", "compare") == 0, "%s", wd.err);
    ck_assert_msg(wd_select_option(&wd, "#f-csum", "offload") == 0, "%s", wd.err);
    ck_assert_msg(wd_find(&wd, "#f-replay", &el) == 0 && wd_send_keys(&wd, &el, "rate:5G") == 0, "%s", wd.err);
    ck_assert_msg(wd_find(&wd, "#f-recv-size", &el) == 0 && wd_send_keys(&wd, &el, "65536") == 0, "%s", wd.err);
    ck_assert_msg(wd_find(&wd, "#vary-app-cycles-per-byte", &el) == 0 && wd_send_keys(&wd, &el, "0,1") == 0, "%s",
                  wd.err);
    click("#vary-receive-copy");
    click("#vary-receive-zerocopy");
    scroll_to("#vary-receive-copy");
    shoot("lab5-compare-form.png");
    json_object *doc = compare_result(4);
    char *table = text_of("table#compare");
    ck_assert_msg(strstr(table, "zerocopy") != NULL, "table lacks zerocopy: %s", table);
    free(table);
    shoot("lab5-compare-result.png");
    double scaled[2][2];                /* [zerocopy][the application reads every byte] */
    static const char *const recv[] = { "copy", "zerocopy" }, *const app[] = { "0", "1" };
    for (int z = 0; z < 2; z++)
        for (int a = 0; a < 2; a++) {
            const char *w[] = { "receive", recv[z], "app-cycles-per-byte", app[a], NULL };
            scaled[z][a] = num(row_result(doc, w), "throughput_scaled_to_cpu_mbps");
        }
    ck_assert_msg(scaled[1][0] > scaled[0][0], "a reader that does not touch the data: zerocopy %.1f, copy %.1f "
                  "Mbit/s scaled", scaled[1][0], scaled[0][0]);
    /* a reader that reads every byte takes the misses on the mapped pages
     * the copy would have paid: most of zero-copy's gain goes (the copy's
     * per-segment copy_chunk, which zero-copy saves, keeps it above 0) */
    double gain_untouched = scaled[1][0] / scaled[0][0] - 1, gain_read = scaled[1][1] / scaled[0][1] - 1;
    ck_assert_msg(gain_read < gain_untouched / 2, "a reader that reads every byte: zerocopy %.1f, copy %.1f Mbit/s "
                  "scaled (%+.1f %%), untouched %+.1f %%: want under half the gain", scaled[1][1], scaled[0][1],
                  100 * gain_read, 100 * gain_untouched);
    json_object_put(doc);
}
END_TEST

static Suite *browser_suite(void)
{
    Suite *s = suite_create("browser");
    TCase *tc = tcase_create("lab");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, trace_list);
    tcase_add_test(tc, compare_from_the_form);
    tcase_add_test(tc, run_from_the_form);
    tcase_add_test(tc, upload_a_trace);
    tcase_add_test(tc, bad_value_says_which_field);
    tcase_add_test(tc, bad_filter_refused_at_submit);
    suite_add_tcase(s, tc);
    TCase *labs = tcase_create("labs 2 and 3");
    tcase_set_timeout(labs, 300);
    tcase_add_test(labs, lab3_coalescing_from_the_form);
    tcase_add_test(labs, lab2_copy_matrix_from_the_form);
    suite_add_tcase(s, labs);
    TCase *lab4 = tcase_create("lab 4");
    tcase_set_timeout(lab4, 300);
    tcase_add_test(lab4, lab4_recycle_from_the_form);
    suite_add_tcase(s, lab4);
    TCase *lab5 = tcase_create("lab5");
    tcase_set_timeout(lab5, 300);
    tcase_add_test(lab5, lab5_zero_copy_compare);
    suite_add_tcase(s, lab5);
    return s;
}

int main(void)
{
    char why[512];
    if (wd_available(why, sizeof why) != 0)
        testenv_skip_suite(why);
    const char *dir = getenv("RXSIM_SCREENSHOTS_DIR");
    if (dir && *dir) {
        snprintf(shots, sizeof shots, "%s", dir);
        mkdir(shots, 0755);
    } else {
        testenv_mkdtemp(shots, sizeof shots);
    }
    if (serve_proc_start(&sp, NULL) < 0) {
        fprintf(stderr, "check_browser: cannot start rxsim serve\n");
        return 1;
    }
    int rc = wd_start(&wd, why, sizeof why);
    if (rc == WD_ENOBROWSER) {
        serve_proc_stop(&sp);
        testenv_skip_suite(why);
    }
    if (rc != 0) {
        fprintf(stderr, "check_browser: %s\n", why);
        serve_proc_stop(&sp);
        return 1;
    }
    int status = testenv_run_suite(browser_suite());
    wd_stop(&wd);
    int sst = serve_proc_stop(&sp);
    if (sst != 0) {
        fprintf(stderr, "check_browser: rxsim serve exited %d after the tests (want 0)\n", sst);
        status = 1;
    }
    return status;
}
