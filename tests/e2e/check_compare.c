/* tests/e2e/check_compare.c: rxsim compare and rxsim merge, end to end.
 *
 *  - A 16-combination matrix (csum x irq x recv-size) on a real capture
 *    (../shared/traces/captured/bulk-v4-1mib-nsec.pcap; that test is left
 *    out, with a TAP comment saying so, when ../shared is absent) and another
 *    (recycle x delivery x cpus x rx-usecs) on a shipped trace: the text table
 *    and its Table-1 pivot, --json (rows in cross-product order, the baseline
 *    rule, exact argv that re-runs a row alone to the same report), --csv
 *    (one line per row, same column count), --svg (well-formed XML checked
 *    by python3's parser, titles, units, series names, no scripts).
 *  - --jobs 1 and --jobs 2 (or 4) give the same bytes.
 *  - Shards merged give the unsharded bytes for --json, --csv and every SVG.
 *  - Rows run together (one reading of each trace, one hashing of equal
 *    streams: sim/compare/compare_group.c) give the bytes of rows run each
 *    in its own `rxsim run` process (RXSIM_COMPARE_EXEC=1), --jobs 1 and 3,
 *    with --nics, two traces and a truncated one; a row whose delivered
 *    bytes differ from another's gets the SHA-256 of its own bytes.
 *  - Bad axes, values, shard specs and option mixes exit 2 with a message
 *    before any run; a failing run names its combination; merge refuses
 *    missing, duplicated and foreign shards, and names the shard (K/N) an
 *    empty or cut shard file (a cancelled job's) stands for. */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "tests/common/json_get.h"
#include "tests/common/pkt.h"
#include "tests/common/testenv.h"

static char captured[4096], shipped[4096];

struct outcome {
    int rc;
    char *out, *err;
    size_t out_len;
};

static void outcome_free(struct outcome *o)
{
    free(o->out);
    free(o->err);
}

/* rxsim ARGS... (NULL-terminated), stdout and stderr captured. */
static struct outcome rxsim(const char *first, ...)
{
    char tmp[4096], out[4200], err[4200];
    char *argv[128];
    int n = 0;
    va_list ap;
    argv[n++] = (char *)testenv_rxsim_bin();
    argv[n++] = (char *)first;
    va_start(ap, first);
    for (const char *a; (a = va_arg(ap, const char *)) && n < 126;)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    testenv_mkdtemp(tmp, sizeof tmp);
    ck_assert_msg(tmp[0], "cannot make a temporary directory");
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(err, sizeof err, "%s/err", tmp);
    struct outcome o = { .rc = testenv_run(argv, out, err) };
    o.out = testenv_slurp(out, &o.out_len);
    o.err = testenv_slurp(err, NULL);
    ck_assert_msg(o.out && o.err, "cannot read the outputs of rxsim %s", first);
    remove(out);
    remove(err);
    rmdir(tmp);
    return o;
}

static void save(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: cannot write", path);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}


static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Fields of one CSV line with no quoted fields (all ours are plain here). */
static int csv_fields(const char *line)
{
    int n = 1;
    for (; *line && *line != '\n'; line++) {
        ck_assert_msg(*line != '"', "unexpected quoted CSV field: %.80s", line);
        n += *line == ',';
    }
    return n;
}

static const char *python3(void)
{
    static const char *const where[] = { "/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3" };
    for (size_t i = 0; i < ARRAY_LEN(where); i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

/* Every file: well-formed XML (python3's parser), an <svg> root, no script,
 * no external reference; then the strings each kind of chart must carry. */
static void check_svgs(const char *dir, const char *const *files, size_t nfiles, const char *const *needles,
                       const char *which)
{
    const char *py = python3();
    char paths[64][4400];
    char *argv[72];
    int n = 0;
    ck_assert_uint_le(nfiles, 64);
    if (py) {
        argv[n++] = (char *)py;
        argv[n++] = "-c";
        argv[n++] = "import sys, xml.dom.minidom\n"
                    "for f in sys.argv[1:]:\n"
                    "    d = xml.dom.minidom.parse(f)\n"
                    "    assert d.documentElement.tagName == 'svg', f\n"
                    "    assert d.documentElement.getAttribute('xmlns') == 'http://www.w3.org/2000/svg', f\n"
                    "    assert not d.getElementsByTagName('script'), f\n"
                    "    assert d.getElementsByTagName('title'), f\n";
    } else {
        printf("# python3 not found: SVG well-formedness checked by shape only\n");
    }
    for (size_t i = 0; i < nfiles; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, files[i]);
        char *text = testenv_slurp(paths[i], NULL);
        ck_assert_msg(text != NULL, "%s: %s not written", which, files[i]);
        ck_assert_msg(!strncmp(text, "<?xml", 5) && strstr(text, "</svg>\n"), "%s: %s is not a whole SVG", which,
                      files[i]);
        ck_assert_msg(!strstr(text, "<script") && !strstr(text, "href="), "%s: %s is not self-contained", which,
                      files[i]);
        for (const char *const *nd = needles; *nd; nd++)
            if (!strncmp(*nd, files[i], strlen(files[i])) && (*nd)[strlen(files[i])] == ':')
                ck_assert_msg(strstr(text, *nd + strlen(files[i]) + 1), "%s: %s lacks '%s'", which, files[i],
                              *nd + strlen(files[i]) + 1);
        free(text);
        if (py)
            argv[n++] = paths[i];
    }
    if (py) {
        char tmp[4096], err[4200];
        argv[n] = NULL;
        testenv_mkdtemp(tmp, sizeof tmp);
        snprintf(err, sizeof err, "%s/err", tmp);
        int rc = testenv_run(argv, NULL, err);
        char *e = testenv_slurp(err, NULL);
        ck_assert_msg(rc == 0, "%s: an SVG is not well-formed: %s", which, e ? e : "");
        free(e);
        remove(err);
        rmdir(tmp);
    }
}

static void same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = testenv_slurp(a, &la), *y = testenv_slurp(b, &lb);
    ck_assert_msg(x && y, "%s or %s missing", a, b);
    ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
    free(x);
    free(y);
}

/* ---- the real capture: csum x irq x recv-size, baseline csum=softirq ---- */

/* The reader stays on CPU 1 (the default, linux, would follow the IRQ's CPU
 * and move no line): the matrix is about where the checksum runs. */
#define CAP_AXES "--vary", "csum=softirq,process", "--vary", "irq=fixed:0,rr", "--vary", \
                 "recv-size=1024,4096,16384,65536", "--baseline", "csum=softirq", "--no-progress"
#define CAP_RUN "--", "--app", "fixed:1"

static const char *const cap_svgs[] = {
    "bars-goodput.svg", "bars-scaled-throughput.svg", "bars-cycles-per-byte.svg", "bars-lines-moved.svg",
    "bars-frames-per-interrupt.svg", "bars-p99-latency.svg", "bars-drops.svg", "stacked-cycles-per-byte.svg",
    "line-recv-size-goodput.svg", "line-recv-size-scaled-throughput.svg", "line-recv-size-cycles-per-byte.svg",
    "line-recv-size-lines-moved.svg", "line-recv-size-frames-per-interrupt.svg", "line-recv-size-p99-latency.svg",
    "line-recv-size-drops.svg",
};
static const char *const cap_needles[] = {
    "bars-scaled-throughput.svg:throughput scaled to CPU (Mbit/s)",
    "bars-scaled-throughput.svg:recv-size=1024",
    "bars-scaled-throughput.svg:recv-size=65536",
    "bars-scaled-throughput.svg:csum=process irq=rr",
    "bars-scaled-throughput.svg:csum x irq",
    "bars-p99-latency.svg:(us)",
    "stacked-cycles-per-byte.svg:cycles per byte by category",
    "stacked-cycles-per-byte.svg:>protocol</text>",
    "stacked-cycles-per-byte.svg:>csum</text>",
    "stacked-cycles-per-byte.svg:>copy</text>",
    "stacked-cycles-per-byte.svg:process / rr / 65536",
    "line-recv-size-scaled-throughput.svg:<polyline",
    "line-recv-size-scaled-throughput.svg:recv-size (bytes) (log scale)",
    "line-recv-size-scaled-throughput.svg:csum=softirq irq=fixed:0",
    "line-recv-size-cycles-per-byte.svg:cycles per byte against recv-size",
    NULL,
};

START_TEST(captured_matrix)
{
    char dir[4096], p[8][4300];
    testenv_mkdtemp(dir, sizeof dir);
    const char *names[] = { "j1.json", "j2.json", "s1.json", "s2.json", "s3.json", "m.json", "c.csv", "mc.csv" };
    for (int i = 0; i < 8; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);

    /* The table, and the paper-style pivot under it. */
    struct outcome t = rxsim("compare", captured, CAP_AXES, CAP_RUN, NULL);
    ck_assert_msg(t.rc == 0, "compare: exit %d: %s", t.rc, t.err);
    ck_assert_msg(strstr(t.out, "16 combinations of csum (2) x irq (2) x recv-size (4)"), "header: %s", t.out);
    ck_assert_msg(strstr(t.out, "each row against the row with csum=softirq and the same irq, recv-size"), "%s",
                  t.out);
    ck_assert_msg(strstr(t.out, "scaled to CPU") && strstr(t.out, "lines moved") && strstr(t.out, "p99 latency") &&
                      strstr(t.out, "frames/irq") && strstr(t.out, "drops"),
                  "headline columns missing: %s", t.out);
    ck_assert_msg(strstr(t.out, "laid out as the OLS 2002 paper's Table 1"), "no pivot: %s", t.out);
    ck_assert_msg(strstr(t.out, "irq recv-size") && strstr(t.out, "csum=process"), "pivot layout: %s", t.out);
    ck_assert_msg(strstr(t.out, "\n15  process  rr "), "row 15 missing: %s", t.out);
    outcome_free(&t);

    /* JSON: same bytes for any --jobs. */
    struct outcome j1 = rxsim("compare", captured, CAP_AXES, "--json", "--jobs", "1", CAP_RUN, NULL);
    struct outcome j2 = rxsim("compare", captured, CAP_AXES, "--json", "--jobs", "2", CAP_RUN, NULL);
    ck_assert_msg(j1.rc == 0 && j2.rc == 0, "compare --json: exit %d / %d: %s", j1.rc, j2.rc, j2.err);
    ck_assert_msg(j1.out_len == j2.out_len && !memcmp(j1.out, j2.out, j1.out_len), "--jobs 1 and 2 differ");
    save(p[0], j1.out, j1.out_len);

    json_object *doc = json_tokener_parse(j1.out);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_object_get_string(get(doc, "format")), "rxsim-compare/1");
    ck_assert_int_eq(json_object_get_int(get(get(doc, "matrix"), "combinations")), 16);
    json_object *rows = get(doc, "rows");
    ck_assert_int_eq((int)json_object_array_length(rows), 16);
    static const char *const csum[] = { "softirq", "process" }, *const irq[] = { "fixed:0", "rr" },
                             *const msg[] = { "1024", "4096", "16384", "65536" };
    for (int i = 0; i < 16; i++) {
        json_object *r = json_object_array_get_idx(rows, (size_t)i), *v = get(r, "values");
        ck_assert_int_eq(json_object_get_int(get(r, "index")), i);
        ck_assert_str_eq(json_object_get_string(get(v, "csum")), csum[i / 8]);
        ck_assert_str_eq(json_object_get_string(get(v, "irq")), irq[i / 4 % 2]);
        ck_assert_str_eq(json_object_get_string(get(v, "recv-size")), msg[i % 4]);
        ck_assert_int_eq(json_object_get_int(get(r, "baseline_index")), i % 8);
        json_object *rep = get(r, "report"), *cfg = get(rep, "config");
        ck_assert_str_eq(json_object_get_string(get(cfg, "csum")), csum[i / 8]);
        ck_assert_str_eq(json_object_get_string(get(cfg, "irq")), irq[i / 4 % 2]);
        ck_assert_int_eq(json_object_get_int(get(cfg, "recv_size")), atoi(msg[i % 4]));
        ck_assert_int_eq(json_object_get_int64(get(get(rep, "result"), "bytes_read")), 1048576);
        double pct = json_object_get_double(get(get(r, "change_pct"), "scaled-throughput"));
        double mine = json_object_get_double(get(get(rep, "result"), "throughput_scaled_to_cpu_mbps"));
        json_object *base = get(json_object_array_get_idx(rows, (size_t)(i % 8)), "report");
        double theirs = json_object_get_double(get(get(base, "result"), "throughput_scaled_to_cpu_mbps"));
        ck_assert_msg(fabs(pct - 100 * (mine - theirs) / theirs) < 1e-9, "row %d: change_pct %g", i, pct);
        if (i < 8)
            ck_assert_msg(pct == 0, "row %d is its own baseline but changes by %g%%", i, pct);
    }
    /* Checksum folded into the copy moves fewer lines when IRQ and reader CPUs differ. */
    double lines_soft = json_object_get_double(get(get(get(json_object_array_get_idx(rows, 2), "report"), "result"),
                                                   "lines_moved"));
    double lines_proc = json_object_get_double(get(get(get(json_object_array_get_idx(rows, 10), "report"), "result"),
                                                   "lines_moved"));
    ck_assert_msg(lines_proc < lines_soft, "lines moved: process %g, softirq %g", lines_proc, lines_soft);

    /* Row 13 re-run alone from its argv gives its report. */
    json_object *r13 = json_object_array_get_idx(rows, 13), *av = get(r13, "argv");
    char *argv[64];
    int n = 0;
    char out13[4400];
    snprintf(out13, sizeof out13, "%s/r13.json", dir);
    ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(av, 0)), "rxsim");
    argv[n++] = (char *)testenv_rxsim_bin();
    for (size_t a = 1; a < json_object_array_length(av) && n < 62; a++)
        argv[n++] = (char *)json_object_get_string(json_object_array_get_idx(av, a));
    argv[n] = NULL;
    ck_assert_int_eq(testenv_run(argv, out13, NULL), 0);
    json_object *alone = json_object_from_file(out13);
    ck_assert_ptr_nonnull(alone);
    ck_assert_str_eq(json_object_to_json_string(alone), json_object_to_json_string(get(r13, "report")));
    json_object_put(alone);
    remove(out13);
    json_object_put(doc);
    outcome_free(&j1);
    outcome_free(&j2);

    /* Three shards (any order on the merge line) == the unsharded run. */
    for (int k = 1; k <= 3; k++) {
        char spec[8];
        snprintf(spec, sizeof spec, "%d/3", k);
        struct outcome s = rxsim("compare", captured, CAP_AXES, "--shard", spec, "--jobs", "2", CAP_RUN, NULL);
        ck_assert_msg(s.rc == 0, "shard %s: exit %d: %s", spec, s.rc, s.err);
        save(p[1 + k], s.out, s.out_len);
        json_object *sd = json_tokener_parse(s.out);
        ck_assert_int_eq((int)json_object_array_length(get(sd, "rows")), k == 1 ? 6 : 5);
        ck_assert_int_eq(json_object_get_int(get(get(sd, "shard"), "k")), k);
        json_object_put(sd);
        outcome_free(&s);
    }
    struct outcome mj = rxsim("merge", p[4], p[2], p[3], "--json", NULL);
    ck_assert_msg(mj.rc == 0, "merge: exit %d: %s", mj.rc, mj.err);
    save(p[5], mj.out, mj.out_len);
    same_file(p[5], p[0]);
    outcome_free(&mj);

    /* CSV: one line per row plus the header, all the same width; merge agrees. */
    struct outcome c = rxsim("compare", captured, CAP_AXES, "--csv", CAP_RUN, NULL);
    ck_assert_msg(c.rc == 0, "compare --csv: exit %d: %s", c.rc, c.err);
    ck_assert_int_eq(count_lines(c.out), 17);
    ck_assert_msg(!strncmp(c.out, "index,csum,irq,recv-size,baseline_index,change_pct.goodput,", 58), "%.200s",
                  c.out);
    ck_assert_msg(strstr(c.out, ",goodput_mbps,") && strstr(c.out, ",latency.p99_us,") &&
                      strstr(c.out, ",cycles_per_byte_by_category.csum,") && strstr(c.out, ",config.seed,") &&
                      strstr(c.out, ",command\n"),
                  "CSV columns: %.300s", c.out);
    int width = csv_fields(c.out);
    for (const char *line = strchr(c.out, '\n') + 1; *line; line = strchr(line, '\n') + 1)
        ck_assert_int_eq(csv_fields(line), width);
    ck_assert_msg(strstr(c.out, "rxsim run --json --no-progress --app fixed:1 --csum process --irq rr --recv-size 65536 "),
                  "CSV command column");
    save(p[6], c.out, c.out_len);
    outcome_free(&c);
    struct outcome mc = rxsim("merge", p[2], p[3], p[4], "--csv", NULL);
    ck_assert_int_eq(mc.rc, 0);
    save(p[7], mc.out, mc.out_len);
    same_file(p[6], p[7]);
    outcome_free(&mc);

    /* SVGs: from compare and from merge, the same files byte for byte. */
    char svg1[4300], svg2[4300];
    snprintf(svg1, sizeof svg1, "%s/svg-compare", dir);
    snprintf(svg2, sizeof svg2, "%s/svg-merge", dir);
    struct outcome sv = rxsim("compare", captured, CAP_AXES, "--svg", svg1, CAP_RUN, NULL);
    ck_assert_msg(sv.rc == 0, "compare --svg: exit %d: %s", sv.rc, sv.err);
    outcome_free(&sv);
    struct outcome ms = rxsim("merge", p[2], p[3], p[4], "--svg", svg2, NULL);
    ck_assert_msg(ms.rc == 0, "merge --svg: exit %d: %s", ms.rc, ms.err);
    outcome_free(&ms);
    check_svgs(svg1, cap_svgs, ARRAY_LEN(cap_svgs), cap_needles, "captured");
    for (size_t i = 0; i < ARRAY_LEN(cap_svgs); i++) {
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/%s", svg1, cap_svgs[i]);
        snprintf(b, sizeof b, "%s/%s", svg2, cap_svgs[i]);
        same_file(a, b);
        remove(a);
        remove(b);
    }
    rmdir(svg1);
    rmdir(svg2);
    for (int i = 0; i < 8; i++)
        remove(p[i]);
    rmdir(dir);
}
END_TEST

/* ---- a shipped trace: recycle x delivery x cpus x rx-usecs ---- */

#define SHIP_AXES "--vary", "recycle=percpu,origin", "--vary", "delivery=packet,gro", "--vary", "cpus=1,2", \
                  "--vary", "rx-usecs=0,50", "--no-progress"

static const char *const ship_svgs[] = {
    "bars-goodput.svg", "bars-drops.svg", "stacked-cycles-per-byte.svg", "line-cpus-scaled-throughput.svg",
    "line-rx-usecs-frames-per-interrupt.svg", "line-rx-usecs-p99-latency.svg",
};
static const char *const ship_needles[] = {
    "bars-goodput.svg:rx-usecs=50",
    "bars-goodput.svg:recycle=origin delivery=gro cpus=2",
    "line-cpus-scaled-throughput.svg:recycle=percpu delivery=packet rx-usecs=0",
    "line-rx-usecs-frames-per-interrupt.svg:frames per interrupt (frames)",
    "line-rx-usecs-frames-per-interrupt.svg:>rx-usecs (us)</text>",
    NULL,
};

START_TEST(shipped_matrix)
{
    char dir[4096], j1p[4300], s1[4300], s2[4300], mp[4300], svg[4300];
    testenv_mkdtemp(dir, sizeof dir);
    snprintf(j1p, sizeof j1p, "%s/j1.json", dir);
    snprintf(s1, sizeof s1, "%s/s1.json", dir);
    snprintf(s2, sizeof s2, "%s/s2.json", dir);
    snprintf(mp, sizeof mp, "%s/m.json", dir);
    snprintf(svg, sizeof svg, "%s/svg", dir);

    struct outcome j1 = rxsim("compare", shipped, SHIP_AXES, "--json", "--jobs", "1", "--svg", svg, NULL);
    struct outcome j4 = rxsim("compare", shipped, SHIP_AXES, "--json", "--jobs", "4", NULL);
    ck_assert_msg(j1.rc == 0 && j4.rc == 0, "exit %d / %d: %s", j1.rc, j4.rc, j4.err);
    ck_assert_msg(j1.out_len == j4.out_len && !memcmp(j1.out, j4.out, j1.out_len), "--jobs 1 and 4 differ");
    save(j1p, j1.out, j1.out_len);
    json_object *doc = json_tokener_parse(j1.out);
    json_object *rows = get(doc, "rows");
    ck_assert_int_eq((int)json_object_array_length(rows), 16);
    for (int i = 0; i < 16; i++) {
        json_object *r = json_object_array_get_idx(rows, (size_t)i);
        ck_assert_int_eq(json_object_get_int(get(r, "baseline_index")), 0);   /* no --baseline: row 0 */
        json_object *res = get(get(r, "report"), "result");
        ck_assert_msg(json_object_get_double(get(res, "goodput_mbps")) > 0, "row %d: no goodput", i);
    }
    /* GRO coalesces: fewer protocol passes than per-packet delivery (rows 4.. vs 0..). */
    int64_t pass_packet = json_object_get_int64(get(get(get(json_object_array_get_idx(rows, 1), "report"), "result"),
                                                    "protocol_passes"));
    int64_t pass_gro = json_object_get_int64(get(get(get(json_object_array_get_idx(rows, 5), "report"), "result"),
                                                 "protocol_passes"));
    ck_assert_msg(pass_gro < pass_packet, "gro passes %lld, packet %lld", (long long)pass_gro, (long long)pass_packet);
    json_object_put(doc);
    outcome_free(&j1);
    outcome_free(&j4);
    check_svgs(svg, ship_svgs, ARRAY_LEN(ship_svgs), ship_needles, "shipped");

    struct outcome a = rxsim("compare", shipped, SHIP_AXES, "--shard", "2/2", "--json", NULL);
    struct outcome b = rxsim("compare", shipped, SHIP_AXES, "--shard", "1/2", NULL);
    ck_assert_msg(a.rc == 0 && b.rc == 0, "shards: exit %d / %d", a.rc, b.rc);
    save(s1, b.out, b.out_len);
    save(s2, a.out, a.out_len);
    outcome_free(&a);
    outcome_free(&b);
    struct outcome m = rxsim("merge", s1, s2, "--json", NULL);
    ck_assert_msg(m.rc == 0, "merge: exit %d: %s", m.rc, m.err);
    save(mp, m.out, m.out_len);
    same_file(mp, j1p);
    outcome_free(&m);

    /* Text output of merge == text of compare. */
    struct outcome tm = rxsim("merge", s2, s1, NULL), tc = rxsim("compare", shipped, SHIP_AXES, NULL);
    ck_assert_int_eq(tm.rc, 0);
    ck_assert_int_eq(tc.rc, 0);
    ck_assert_str_eq(tm.out, tc.out);
    ck_assert_msg(strstr(tc.out, "baseline: row 0 for every row"), "%s", tc.out);
    ck_assert_msg(!strstr(tc.out, "Table 1"), "pivot printed without --baseline");
    outcome_free(&tm);
    outcome_free(&tc);

    /* Merge refuses: a missing shard, one twice, one of another sweep, a non-shard. */
    struct { const char *f1, *f2, *f3; int rc; const char *msg; } bad[] = {
        { s1, NULL, NULL, 2, "1 shard missing: 2/2" },
        { s1, s1, s2, 2, "shard 1/2 given twice" },
        { j1p, NULL, NULL, 3, "not a shard" },
        { "/nonexistent.json", NULL, NULL, 3, "not readable" },
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct outcome o = rxsim("merge", bad[i].f1, bad[i].f2, bad[i].f3, NULL);
        ck_assert_msg(o.rc == bad[i].rc && strstr(o.err, bad[i].msg), "merge case %zu: exit %d: %s", i, o.rc, o.err);
        ck_assert_int_eq(o.out_len, 0);
        outcome_free(&o);
    }
    /* What a failed or cancelled shard leaves behind (`> shard-K.json` made, nothing or part written): the
     * file is named, and so is the shard the readable files lack, as K/N; exit 3. */
    static const char *left[] = { "", "{\"format\": \"rxsim-compare/1\", \"rows\": [" };
    for (size_t i = 0; i < ARRAY_LEN(left); i++) {
        save(mp, left[i], strlen(left[i]));
        struct outcome o = rxsim("merge", mp, s1, NULL);
        ck_assert_msg(o.rc == 3 && strstr(o.err, i ? "not readable as JSON" : "empty: the shard") &&
                          strstr(o.err, "1 shard missing: 2/2 (given 1 of 2)") && !o.out_len,
                      "merge with a cut shard %zu: exit %d: %s", i, o.rc, o.err);
        outcome_free(&o);
    }
    struct outcome other = rxsim("compare", shipped, "--vary", "recycle=percpu,origin", "--no-progress", "--shard",
                                 "2/2", NULL);
    ck_assert_int_eq(other.rc, 0);
    save(s2, other.out, other.out_len);
    outcome_free(&other);
    struct outcome mix = rxsim("merge", s1, s2, NULL);
    ck_assert_msg(mix.rc == 2 && strstr(mix.err, "different sweeps"), "foreign shard: exit %d: %s", mix.rc, mix.err);
    outcome_free(&mix);

    for (size_t i = 0; i < ARRAY_LEN(ship_svgs); i++) {
        char f[4400];
        snprintf(f, sizeof f, "%s/%s", svg, ship_svgs[i]);
        remove(f);
    }
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);      /* the charts not listed above */
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- usage errors: exit 2, a message, nothing on stdout ---- */

struct bad_case {
    const char *args[8];
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    { { "--vary", "bogus=1,2" }, "'bogus' is not an axis" },
    { { "--vary", "csum=softirq,nope" }, "--vary csum=nope: no such checksum policy" },
    { { "--vary", "cpus=2,0" }, "--vary cpus=0: rxsim run: --cpus '0'" },
    { { "--vary", "msg-size=1k" }, "--vary recv-size: '1k' is not a number" },   /* the older name finds the axis */
    { { "--vary", "delivery=batch:8,batch" }, "takes an argument" },
    { { "--vary", "csum=softirq,softirq" }, "given twice" },
    { { "--vary", "cpus=1,2", "--vary", "irq=fixed:1" }, "combination 0 (cpus=1 irq=fixed:1)" },
    { { "--vary", "csum=softirq", "--shard", "0/2" }, "--shard '0/2'" },
    { { "--vary", "csum=softirq", "--shard", "3/2" }, "--shard '3/2'" },
    { { "--vary", "csum=softirq", "--shard", "2" }, "--shard '2'" },
    { { "--vary", "csum=softirq", "--shard", "1/x" }, "--shard '1/x'" },
    { { "--vary", "csum=softirq", "--shard", "1/2", "--csv" }, "--shard writes shard JSON only" },
    { { "--vary", "csum=softirq", "--baseline", "csum=process" }, "not one of the --vary csum values" },
    { { "--vary", "csum=softirq", "--baseline", "irq=rr" }, "irq is not a --vary axis" },
    { { "--vary", "csum=softirq", "--jobs", "0" }, "--jobs '0'" },
    { { "--vary", "csum=softirq", "--json", "--csv" }, "choose one" },
    { { "--csv" }, "nothing to compare" },
    { { "--vary", "csum=softirq", "--", "--json" }, "--json is not passed on" },
    { { "--vary", "csum=softirq", "--", "--csum", "process" }, "also a --vary axis" },
    { { "--vary", "csum=softirq", "--", "--ring", "1" }, "options after --: rxsim run: --ring '1'" },
    { { "--vary", "csum=softirq", "--columns", "goodput,bogus" }, "--columns: unknown column 'bogus'; the columns are goodput," },
};

START_TEST(bad_input_exits_2)
{
    const struct bad_case *c = &bad_cases[_i];
    const char *a[8] = {0};
    for (int i = 0; i < 7 && c->args[i]; i++)
        a[i] = c->args[i];
    struct outcome o = rxsim("compare", shipped, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
    ck_assert_msg(o.rc == 2, "case %d (%s %s): exit %d, want 2: %s", _i, c->args[0], c->args[1] ? c->args[1] : "",
                  o.rc, o.err);
    ck_assert_msg(strstr(o.err, c->msg), "case %d (%s %s): message '%s' lacks '%s'", _i, c->args[0],
                  c->args[1] ? c->args[1] : "", o.err, c->msg);
    ck_assert_msg(o.out_len == 0, "case %d: wrote output before failing", _i);
    outcome_free(&o);
}
END_TEST

/* The table fits 100 columns: eight metric columns and three axes do not
 * fit one line, so the metrics come in blocks, each repeating the row
 * number and the axes; --columns keeps only the metrics named, in the
 * table's order; the pivot's baseline heading ends where its figures end. */
START_TEST(table_fits_100_columns)
{
    struct outcome t = rxsim("compare", shipped, "--vary", "csum=softirq,process", "--vary", "irq=fixed:0,rr",
                             "--vary", "recv-size=1024,65536", "--baseline", "csum=softirq", "--no-progress", NULL);
    ck_assert_msg(t.rc == 0, "compare: exit %d: %s", t.rc, t.err);
    int blocks = 0;
    for (const char *l = t.out; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        ck_assert_msg(len <= 100, "a line of %zu columns: %.*s", len, (int)len, l);
        blocks += !strncmp(l, "#  csum     irq      recv-size", 30);
        l += len + (nl != NULL);
    }
    ck_assert_msg(blocks >= 2, "%d blocks (want the metrics cut in two or more): %s", blocks, t.out);
    ck_assert_msg(strstr(t.out, "\n7  process  rr       65536 "), "row 7 in a block: %s", t.out);
    const char *piv = strstr(t.out, "irq recv-size  baseline Mbit/s");
    ck_assert_msg(piv, "pivot heading: %s", t.out);
    const char *row = strstr(piv, "\nfixed:0 1024 ");
    ck_assert_msg(row, "pivot row: %s", piv);
    /* "irq recv-size  baseline Mbit/s": the heading ends at column 30; so does the figure. */
    ck_assert_msg(row[1 + 30] == ' ' && row[1 + 29] != ' ', "pivot figure not under its heading: %s", piv);
    outcome_free(&t);

    struct outcome c = rxsim("compare", shipped, "--vary", "csum=softirq,process", "--columns",
                             "service-demand,goodput", "--no-progress", NULL);
    ck_assert_msg(c.rc == 0, "compare --columns: exit %d: %s", c.rc, c.err);
    const char *g = strstr(c.out, "goodput"), *sd = strstr(c.out, "service demand");
    ck_assert_msg(g && sd && g < sd && !strstr(c.out, "cycles/byte") && !strstr(c.out, "p99 latency"),
                  "--columns service-demand,goodput: %s", c.out);
    ck_assert_msg(strstr(c.out, "us/KB vs base"), "service demand's unit: %s", c.out);
    outcome_free(&c);
}
END_TEST

START_TEST(failing_run_is_named)
{
    struct outcome o = rxsim("compare", "/nonexistent/trace.pcap", "--vary", "csum=softirq,process", "--no-progress",
                             NULL);
    ck_assert_msg(o.rc == 3, "exit %d: %s", o.rc, o.err);
    ck_assert_msg(strstr(o.err, "combination 0 (csum=softirq) failed") && strstr(o.err, "re-run alone: rxsim run") &&
                      strstr(o.err, "/nonexistent/trace.pcap"),
                  "%s", o.err);
    ck_assert_int_eq(o.out_len, 0);
    outcome_free(&o);
    struct outcome h = rxsim("compare", "--help", NULL);
    ck_assert_int_eq(h.rc, 0);
    ck_assert_msg(strstr(h.out, "rx-usecs") && strstr(h.out, "--shard K/N"), "%s", h.out);
    outcome_free(&h);
}
END_TEST

/* ---- rows run together, sharing reads and hashes -------------------------- */

START_TEST(rows_together_same_as_alone)
{
    char tmp[4096], cut[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(cut, sizeof cut, "%s/cut.pcap", tmp);
    size_t len;
    char *whole = testenv_slurp(shipped, &len);
    ck_assert_ptr_nonnull(whole);
    save(cut, whole, len * 2 / 3);      /* ends mid-record: a partial trace, exit 4 */
    free(whole);
    static const char *const jobs[] = { "1", "3" };
    for (size_t j = 0; j < 2 * ARRAY_LEN(jobs); j++) {
        bool two = j % 2;               /* two traces, one cut short; or --nics over one */
        struct outcome o[2];
        for (int alone = 0; alone < 2; alone++) {
            if (alone)
                setenv("RXSIM_COMPARE_EXEC", "1", 1);
            o[alone] = rxsim("compare", shipped, "--vary", two ? "queues=1,2" : "nics=1,3", "--vary",
                             "delivery=packet,gro", "--vary", "csum=softirq,process", "--json", "--no-progress",
                             "--jobs", jobs[j / 2], two ? cut : NULL, NULL);
            unsetenv("RXSIM_COMPARE_EXEC");
        }
        ck_assert_msg(o[0].rc == (two ? 4 : 0) && o[1].rc == o[0].rc, "--jobs %s%s: exit %d together, %d alone: %s",
                      jobs[j / 2], two ? ", two traces" : "", o[0].rc, o[1].rc, o[0].err);
        ck_assert_msg(o[0].out_len == o[1].out_len && !memcmp(o[0].out, o[1].out, o[0].out_len),
                      "--jobs %s%s: rows run together differ from rows run alone", jobs[j / 2],
                      two ? ", two traces" : "");
        ck_assert_msg(!strcmp(o[0].err, o[1].err), "--jobs %s: stderr differs:\n%s\n---\n%s", jobs[j / 2],
                      o[0].err, o[1].err);
        outcome_free(&o[0]);
        outcome_free(&o[1]);
    }
    remove(cut);
    rmdir(tmp);
}
END_TEST

/* A trace whose 40 segments come twice: untagged with bytes X, then with an
 * 802.1Q tag and bytes Y, which differ from X in segment 20 only.  --filter
 * 'not vlan' delivers X, 'vlan' delivers Y: one connection, same key in
 * both rows, different bytes. */
#define SEGS 40
#define SEG 1000
static void x_and_y_trace(const char *path, uint8_t *x, uint8_t *y)
{
    for (int i = 0; i < SEGS * SEG; i++)
        x[i] = y[i] = (uint8_t)(i * 7 + i / 251);
    for (int i = 0; i < 10; i++)
        y[20 * SEG + 500 + i] ^= 0x5a;
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    const uint32_t hdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1 };
    ck_assert_uint_eq(fwrite(hdr, sizeof hdr, 1, f), 1);
    uint8_t frame[2048];
    for (int k = -1; k < 2 * SEGS; k++) {
        struct pkt_spec sp = { .flags = 0x10 };
        if (k < 0) {
            sp.flags = 0x02;                /* SYN */
            sp.seq = 999;
        } else {
            int seg = k / 2, tagged = k % 2;
            sp.seq = 1000u + (uint32_t)(seg * SEG);
            sp.payload = (tagged ? y : x) + seg * SEG;
            sp.len = SEG;
            sp.vlan_tags = tagged;
        }
        size_t n = pkt_build(frame, sizeof frame, &sp);
        ck_assert_uint_gt(n, 0);
        const uint32_t rec[4] = { 1700000000u, (uint32_t)(100 * (k + 1)), (uint32_t)n, (uint32_t)n };
        ck_assert_uint_eq(fwrite(rec, sizeof rec, 1, f), 1);
        ck_assert_uint_eq(fwrite(frame, n, 1, f), 1);
    }
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(differing_bytes_get_their_own_hash)
{
    static uint8_t x[SEGS * SEG], y[SEGS * SEG];
    char tmp[4096], trace[4200];
    testenv_mkdtemp(tmp, sizeof tmp);
    snprintf(trace, sizeof trace, "%s/xy.pcap", tmp);
    x_and_y_trace(trace, x, y);
    struct outcome o = rxsim("compare", trace, "--vary", "filter=not vlan,vlan,tcp", "--jobs", "1", "--json",
                             "--no-progress", "--", "--host", "10.0.0.2", NULL);
    ck_assert_msg(o.rc == 0, "exit %d: %s", o.rc, o.err);
    json_object *doc = json_tokener_parse(o.out), *rows = get(doc, "rows");
    ck_assert_msg(json_object_array_length(rows) == 3, "%s", o.out);
    const uint8_t *want[3] = { x, y, x };
    const char *names[3] = { "not vlan", "vlan", "tcp" };
    for (size_t i = 0; i < 3; i++) {
        json_object *conns = get(get(json_object_array_get_idx(rows, i), "report"), "connections");
        ck_assert_msg(json_object_array_length(conns) == 1, "filter %s: %zu connections", names[i],
                      json_object_array_length(conns));
        json_object *c = json_object_array_get_idx(conns, 0);
        struct sha256_ctx ctx;
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        sha256_init(&ctx);
        sha256_update(&ctx, sizeof x, want[i]);
        sha256_digest(&ctx, sizeof d, d);
        for (size_t b = 0; b < sizeof d; b++)
            snprintf(hex + 2 * b, 3, "%02x", d[b]);
        ck_assert_msg(i64(c, "bytes") == (int64_t)sizeof x, "filter %s: %lld bytes delivered", names[i],
                      (long long)i64(c, "bytes"));
        ck_assert_msg(!strcmp(str(c, "sha256"), hex), "filter %s: sha256 %s, its own bytes' is %s", names[i],
                      str(c, "sha256"), hex);
    }
    json_object_put(doc);
    outcome_free(&o);
    remove(trace);
    rmdir(tmp);
}
END_TEST

int main(void)
{
    char rel[256];
    snprintf(rel, sizeof rel, "traces/data/bulk-v4-256k.pcap");
    testenv_path(shipped, sizeof shipped, rel);
    if (access(shipped, R_OK))
        testenv_skip_suite("traces/data/bulk-v4-256k.pcap missing from the source tree");

    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_set_timeout(tc, 300);
    const char *shared = testenv_shared_traces();
    if (shared) {
        snprintf(captured, sizeof captured, "%s/captured/bulk-v4-1mib-nsec.pcap", shared);
        if (access(captured, R_OK) == 0)
            tcase_add_test(tc, captured_matrix);
        else
            printf("# %s missing: the real-capture matrix is not run\n", captured);
    } else {
        printf("# ../shared/traces not found: the real-capture matrix is not run (shipped trace only)\n");
    }
    tcase_add_test(tc, shipped_matrix);
    tcase_add_loop_test(tc, bad_input_exits_2, 0, (int)ARRAY_LEN(bad_cases));
    tcase_add_test(tc, failing_run_is_named);
    tcase_add_test(tc, table_fits_100_columns);
    tcase_add_test(tc, rows_together_same_as_alone);
    tcase_add_test(tc, differing_bytes_get_their_own_hash);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
