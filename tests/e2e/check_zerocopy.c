/* tests/e2e/check_zerocopy.c: --receive zerocopy (netstack/policy/
 * receive_zerocopy.c) checked on its mechanisms.
 *
 *  - It delivers exactly the bytes every other policy delivers: per stream,
 *    the SHA-256 `rxsim inspect` computes on the shipped traces, and the
 *    Linux receiver's (the manifest) on ../shared/traces/captured (skipped,
 *    saying so, without ../shared), under several checksum, delivery,
 *    recv-size and thread settings.
 *  - What it maps and what it copies, counted by hand on small synthetic
 *    traces (below), and what those pages cost at the default prices.
 *  - TLB shootdown IPIs only when the reader has threads on other CPUs, one
 *    per other CPU per unmap, each handled on its target.
 *  - The application's reads of mapped data pay their misses (app_work);
 *    after a copy they do not.
 *  - --csum process with zerocopy is refused (exit 2), naming why. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/json_get.h"
#include "tests/common/run_lib.h"
#include "tests/common/testenv.h"

static char tmp[2048];
static char p4k[4096], p9000[4096], p1500[4096];   /* synthetic traces, made once */
#define MAX_TRACES 32
static char shipped[MAX_TRACES][4096], captured[MAX_TRACES][4096];
static int nshipped, ncaptured;

/* rxsim run --json --no-progress ARGS... TRACE in this process (run_lib.h). */
static json_object *run(const char *trace, const char *const *args)
{
    return testenv_run_json(NULL, args, trace, trace, NULL);
}

static json_object *zc(json_object *j) { return get(get(j, "result"), "zerocopy"); }
static int64_t zc_i(json_object *j, const char *k) { return i64(zc(j), k); }
static int64_t prof(json_object *j, const char *fn, const char *k) { return i64(profile_row(j, fn), k); }

/* ---- the same bytes ------------------------------------------------------- */

static const char *const byte_configs[][12] = {
    { "--receive", "zerocopy", "--recv-size", "65536", NULL },
    { "--receive", "zerocopy", "--csum", "offload", "--delivery", "gro", "--recv-size", "4096",
      "--reader-threads", "2", NULL },
    { "--receive", "zerocopy", "--delivery", "batch:8", "--recv-size", "1024", "--app-cycles-per-byte", "1", NULL },
};
#define NBYTE_CONFIGS ((int)ARRAY_LEN(byte_configs))

/* Every direction inspect delivered to the host run simulated: the same bytes, the same SHA-256. */
START_TEST(shipped_traces_same_bytes_as_inspect)
{
    const char *trace = shipped[_i / NBYTE_CONFIGS];
    char out[4096];
    snprintf(out, sizeof out, "%s/inspect.json", tmp);
    char *iargs[] = { "inspect", "--json", (char *)trace, NULL };
    int irc = testenv_rxsim(iargs, out, NULL);
    ck_assert_msg(irc == 0, "inspect %s: exit %d", trace, irc);
    json_object *ins = json_object_from_file(out), *r = run(trace, byte_configs[_i % NBYTE_CONFIGS]);
    ck_assert_msg(zc_i(r, "calls") > 0, "%s: no getsockopt call", trace);
    const char *host = str(get(r, "config"), "host");
    int compared = 0;
    json_object *id;
    for (size_t i = 0; (id = inspect_direction(ins, i)); i++) {
        const char *from = str(id, "from"), *to = str(id, "to");
        char to_addr[64];
        endpoint_addr(to, to_addr, sizeof to_addr);
        if (strcmp(to_addr, host) || !i64(id, "bytes_delivered"))
            continue;                   /* not to the simulated host, or nothing delivered */
        json_object *rc = run_connection(r, from, to);
        ck_assert_msg(rc != NULL, "%s: %s > %s: no reader in run", trace, from, to);
        ck_assert_msg(i64(rc, "bytes") == i64(id, "bytes_delivered") && !strcmp(str(rc, "sha256"), str(id, "sha256")),
                      "%s (config %d): %s > %s: run %lld bytes sha %.16s, inspect %lld sha %.16s", trace,
                      _i % NBYTE_CONFIGS, from, to, (long long)i64(rc, "bytes"), str(rc, "sha256"),
                      (long long)i64(id, "bytes_delivered"), str(id, "sha256"));
        compared++;
    }
    ck_assert_msg(compared > 0, "%s: no direction compared", trace);
    json_object_put(ins);
    json_object_put(r);
}
END_TEST

/* The bytes the real Linux receiver read (the capture's manifest). */
START_TEST(captured_traces_same_bytes_as_linux)
{
    if (!ncaptured) {
        printf("# SKIP: ../shared/traces/captured not found (set RXSIM_SHARED): not part of a clone\n");
        return;
    }
    const char *trace = captured[_i / NBYTE_CONFIGS];
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s.manifest.json", trace);
    json_object *man = json_object_from_file(mpath), *r = run(trace, byte_configs[_i % NBYTE_CONFIGS]);
    ck_assert_msg(man != NULL, "%s: cannot read", mpath);
    json_object *flows = get(man, "flows"), *conns = get(r, "connections");
    for (size_t f = 0; f < json_object_array_length(flows); f++) {
        json_object *fl = json_object_array_get_idx(flows, f), *cn = NULL;
        for (size_t c = 0; c < json_object_array_length(conns); c++)
            if (!strcmp(str(json_object_array_get_idx(conns, c), "from"), str(fl, "sender")))
                cn = json_object_array_get_idx(conns, c);
        ck_assert_msg(cn != NULL, "%s: no reader for %s", trace, str(fl, "sender"));
        ck_assert_msg(i64(cn, "bytes") == i64(fl, "receiver_bytes") &&
                      !strcmp(str(cn, "sha256"), str(fl, "receiver_sha256")),
                      "%s (config %d): %s read %lld bytes sha %.16s, Linux %lld sha %.16s", trace, _i % NBYTE_CONFIGS,
                      str(fl, "sender"), (long long)i64(cn, "bytes"), str(cn, "sha256"),
                      (long long)i64(fl, "receiver_bytes"), str(fl, "receiver_sha256"));
    }
    json_object_put(man);
    json_object_put(r);
}
END_TEST

/* ---- what is mapped, what is copied --------------------------------------- */

/* 64 KiB in 16 KiB writes at MTU 4148: payload 4148 - 40 - 12 = 4096, so 16
 * segments of one page each: 16 pages (65536 bytes) mapped, nothing copied. */
START_TEST(page_sized_payload_all_mapped)
{
    const char *a[] = { "--receive", "zerocopy", "--recv-size", "65536", NULL };
    json_object *j = run(p4k, a);
    ck_assert_int_eq(zc_i(j, "pages_mapped"), 16);
    ck_assert_int_eq(zc_i(j, "bytes_mapped"), 65536);
    ck_assert_int_eq(zc_i(j, "bytes_copied_fallback"), 0);
    /* at the default prices: vm_insert_pages 100 + 40 (refcount) a page, the zap 80 + 40 */
    ck_assert_int_eq(prof(j, "vm_insert_pages", "cycles"), 16 * 140);
    ck_assert_int_eq(prof(j, "zap_page_range_single", "cycles"), 16 * 120);
    ck_assert_int_eq(prof(j, "copy_to_user", "calls"), 0);
    /* every buffer a mapped page held goes back once, at the unmap: as many
     * releases as when the same bytes are copied */
    const char *c[] = { "--recv-size", "65536", NULL };
    json_object *k = run(p4k, c), *zs = get(get(j, "result"), "skb"), *cs = get(get(k, "result"), "skb");
    ck_assert_int_eq(i64(zs, "frees") + i64(zs, "recycled"), i64(cs, "frees") + i64(cs, "recycled"));
    ck_assert_int_eq(i64(get(j, "result"), "bytes_unread"), 0);
    json_object_put(k);
    json_object_put(j);
}
END_TEST

/* MTU 9000: payload 8948; each 16384-byte write is 8948 + 7436 (synth cuts
 * each write on its own).  8948 = 2 pages + 756, 7436 = 1 page + 3340: per
 * write 3 pages mapped and 4096 bytes copied; 4 writes: 12 pages (49152
 * bytes), 16384 copied.  GRO merges segments, not pages: the same. */
START_TEST(jumbo_segments_map_their_whole_pages_and_copy_the_tail)
{
    const char *dl[] = { "packet", "gro" };
    for (int d = 0; d < 2; d++) {
        const char *a[] = { "--receive", "zerocopy", "--recv-size", "65536", "--delivery", dl[d], NULL };
        json_object *j = run(p9000, a);
        ck_assert_msg(zc_i(j, "pages_mapped") == 12 && zc_i(j, "bytes_mapped") == 49152 &&
                      zc_i(j, "bytes_copied_fallback") == 16384,
                      "delivery %s: %lld pages, %lld mapped, %lld copied (want 12, 49152, 16384)", dl[d],
                      (long long)zc_i(j, "pages_mapped"), (long long)zc_i(j, "bytes_mapped"),
                      (long long)zc_i(j, "bytes_copied_fallback"));
        json_object_put(j);
    }
}
END_TEST

/* MTU 1500 (1448-byte payloads: no whole page), and a reader asking for less
 * than a page: nothing mapped, all 65536 bytes copied, one getsockopt before
 * each read(). */
START_TEST(short_payload_or_small_reads_fall_back_to_copy)
{
    const char *a1[] = { "--receive", "zerocopy", "--recv-size", "65536", NULL };
    const char *a2[] = { "--receive", "zerocopy", "--recv-size", "2048", NULL };
    json_object *j[2] = { run(p1500, a1), run(p4k, a2) };
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(zc_i(j[k], "pages_mapped"), 0);
        ck_assert_int_eq(zc_i(j[k], "bytes_copied_fallback"), 65536);
        ck_assert_int_eq(prof(j[k], "vm_insert_pages", "calls"), 0);
        ck_assert_int_eq(prof(j[k], "tcp_zerocopy_receive", "calls"), zc_i(j[k], "calls"));
        ck_assert_int_eq(prof(j[k], "tcp_recvmsg", "calls"), zc_i(j[k], "calls"));
    }
    ck_assert_int_ge(zc_i(j[1], "calls"), 65536 / 2048);
    json_object_put(j[0]);
    json_object_put(j[1]);
}
END_TEST

/* ---- shootdowns ----------------------------------------------------------- */

/* --recv-size 4096 on the page-sized trace: one page per call, 16 unmaps.
 * IPIs = 16 x min(threads - 1, cpus - 1); each handled on its target
 * (flush_tlb_func, 1400 cycles); the flush pays 150 a page + 2600 an IPI. */
START_TEST(shootdowns_only_to_other_cpus_running_the_reader)
{
    static const struct { const char *cpus, *threads; int per_unmap; } cases[] = {
        { "2", "1", 0 }, { "2", "2", 1 }, { "2", "8", 1 }, { "4", "3", 2 }, { "1", "4", 0 },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const char *a[] = { "--receive", "zerocopy", "--recv-size", "4096", "--cpus", cases[i].cpus,
                            "--reader-threads", cases[i].threads, NULL };
        json_object *j = run(p4k, a);
        int64_t ipis = zc_i(j, "tlb_shootdown_ipis"), unmaps = prof(j, "flush_tlb_mm_range", "calls");
        ck_assert_msg(unmaps == 16, "cpus %s: %lld unmaps, want 16", cases[i].cpus, (long long)unmaps);
        ck_assert_msg(ipis == 16 * cases[i].per_unmap, "cpus %s threads %s: %lld IPIs, want %d", cases[i].cpus,
                      cases[i].threads, (long long)ipis, 16 * cases[i].per_unmap);
        ck_assert_int_eq(prof(j, "flush_tlb_func", "calls"), ipis);
        ck_assert_int_eq(prof(j, "flush_tlb_func", "cycles"), ipis * 1400);
        ck_assert_int_eq(prof(j, "flush_tlb_mm_range", "cycles"), 16 * 150 + ipis * 2600);
        json_object_put(j);
    }
    const char *c[] = { "--recv-size", "4096", "--reader-threads", "2", NULL };
    json_object *j = run(p4k, c);
    ck_assert_msg(zc(j) == NULL, "a copy run reports result.zerocopy");
    ck_assert_int_eq(prof(j, "flush_tlb_mm_range", "calls"), 0);
    json_object_put(j);
}
END_TEST

/* ---- the reader's misses ---------------------------------------------------- */

/* With --app-cycles-per-byte 1 the application's own work is 65536 cycles
 * (one per byte read, rounded per read).  After a copy its buffer is hot:
 * app_work is exactly that.  Mapped pages are where the NIC left them:
 * cold after --csum offload, so app_work pays misses on top; in the reader
 * CPU's own cache when it checksummed them there (IRQ and reader on CPU 0),
 * so fewer.  Without application work nothing is read and app_work is 0. */
START_TEST(reading_mapped_data_pays_the_misses)
{
    const char *copy[] = { "--csum", "offload", "--app-cycles-per-byte", "1", NULL };
    const char *zcold[] = { "--receive", "zerocopy", "--csum", "offload", "--app-cycles-per-byte", "1", NULL };
    const char *zhot[] = { "--receive", "zerocopy", "--app", "fixed:0", "--app-cycles-per-byte", "1", NULL };
    const char *znone[] = { "--receive", "zerocopy", "--csum", "offload", NULL };
    json_object *c = run(p4k, copy), *zc_cold = run(p4k, zcold), *zc_hot = run(p4k, zhot), *z0 = run(p4k, znone);
    int64_t own = 65536;
    ck_assert_int_eq(prof(c, "app_work", "cycles"), own);
    int64_t cold = prof(zc_cold, "app_work", "cycles") - own, hot = prof(zc_hot, "app_work", "cycles") - own;
    ck_assert_msg(cold > 0, "zerocopy, cold pages: app_work %lld cycles over its own work", (long long)cold);
    ck_assert_msg(hot < cold, "pages in the reader's cache cost it %lld, cold ones %lld", (long long)hot, (long long)cold);
    ck_assert_int_eq(prof(z0, "app_work", "cycles"), 0);
    json_object_put(c);
    json_object_put(zc_cold);
    json_object_put(zc_hot);
    json_object_put(z0);
}
END_TEST

START_TEST(checksum_in_the_copy_is_refused)
{
    char err[4200];
    snprintf(err, sizeof err, "%s/err.txt", tmp);
    char *a[] = { "run", "--receive", "zerocopy", "--csum", "process", p4k, NULL };
    int rc = testenv_rxsim(a, NULL, err);
    ck_assert_int_eq(rc, 2);
    char *text = testenv_slurp(err, NULL);
    ck_assert_msg(text && strstr(text, "--receive zerocopy with --csum process"), "stderr: %s", text ? text : "");
    free(text);
}
END_TEST

/* ---- set-up ------------------------------------------------------------- */

static void synth(char *path, size_t size, const char *name, const char *mtu)
{
    snprintf(path, size, "%s/%s.pcap", tmp, name);
    char *a[] = { "synth", "-o", path, "--bytes", "64K", "--mtu", (char *)mtu, "--seed", "7", "--no-progress", NULL };
    if (testenv_rxsim(a, NULL, NULL) != 0) {
        fprintf(stderr, "check_zerocopy: rxsim synth --mtu %s failed\n", mtu);
        exit(1);
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

/* DIR's *.pcap (with a manifest when want_manifest) into list. */
static int list_traces(const char *dir, bool want_manifest, char list[][4096])
{
    int n = 0;
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    for (struct dirent *e; (e = readdir(dh)) && n < MAX_TRACES;) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".pcap"))
            continue;
        snprintf(list[n], 4096, "%s/%.1000s", dir, e->d_name);
        char m[4200];
        snprintf(m, sizeof m, "%s.manifest.json", list[n]);
        FILE *f = want_manifest ? fopen(m, "r") : NULL;
        if (f)
            fclose(f);
        if (!want_manifest || f)
            n++;
    }
    closedir(dh);
    qsort(list, (size_t)n, 4096, cmp_str);
    return n;
}

int main(void)
{
    testenv_mkdtemp(tmp, sizeof tmp);
    synth(p4k, sizeof p4k, "mtu4148", "4148");
    synth(p9000, sizeof p9000, "mtu9000", "9000");
    synth(p1500, sizeof p1500, "mtu1500", "1500");
    char dir[4096];
    testenv_path(dir, sizeof dir, "traces/data");
    nshipped = list_traces(dir, false, shipped);
    if (testenv_shared_traces()) {
        snprintf(dir, sizeof dir, "%s/captured", testenv_shared_traces());
        ncaptured = list_traces(dir, true, captured);
    }
    Suite *s = suite_create("zerocopy");
    TCase *tc = tcase_create("zerocopy");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, shipped_traces_same_bytes_as_inspect, 0, nshipped * NBYTE_CONFIGS);
    tcase_add_loop_test(tc, captured_traces_same_bytes_as_linux, 0, ncaptured ? ncaptured * NBYTE_CONFIGS : 1);
    tcase_add_test(tc, page_sized_payload_all_mapped);
    tcase_add_test(tc, jumbo_segments_map_their_whole_pages_and_copy_the_tail);
    tcase_add_test(tc, short_payload_or_small_reads_fall_back_to_copy);
    tcase_add_test(tc, shootdowns_only_to_other_cpus_running_the_reader);
    tcase_add_test(tc, reading_mapped_data_pays_the_misses);
    tcase_add_test(tc, checksum_in_the_copy_is_refused);
    suite_add_tcase(s, tc);
    return testenv_run_suite(s);
}
