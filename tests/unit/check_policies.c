/* tests/unit/check_policies.c: every checksum, delivery, recycle and receive policy,
 * table-driven over the registries (netstack/policy/registry.c), through
 * the ops tables and the whole receive path of a simulated host
 * (tests/common/sim_box.h: NIC -> host -> reader).
 *
 * For each registry entry: its required hooks and a unique name that
 * *_policy_find() returns; then one TCP stream with a segment whose
 * checksum is bad, a duplicate and two segments swapped, replayed under the
 * policy: the reader must read exactly the stream's bytes, the bad segment
 * must be dropped as tcp_csum (and counted nowhere else), every frame must
 * be accounted for, and every buffer must come back to the pool.  What
 * tells policies apart is a row of expects below, keyed by name: the
 * functions a checksum policy charges, how a delivery policy groups frames
 * into protocol passes, that a recycle policy counts every free on another
 * CPU than the allocating one as remote.  A new policy fails `has_a_row`
 * until its author writes its row: adding a policy is one registry line plus
 * one row here.  Loop iterations share one TAP name: every message names
 * the policy. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/policy/csum.h"
#include "netstack/policy/deliver.h"
#include "netstack/policy/receive.h"
#include "netstack/policy/recycle.h"
#include "netstack/tcp.h"
#include "tests/common/pkt.h"
#include "tests/common/sim_box.h"
#include "tests/common/testenv.h"

/* ---- the stream -------------------------------------------------------- */

#define MSS 1448
#define NSEGS 48
#define STREAM_BYTES (NSEGS * MSS - 700)    /* the last segment is short */
#define ISN 1000u
#define BAD_SEG 10                          /* sent with a bad checksum, then again good */
#define DUP_SEG 20                          /* sent twice */
#define SWAP_SEG 30                         /* sent after SWAP_SEG + 1 */

static uint8_t stream[STREAM_BYTES];
static uint8_t frame_bytes[NSEGS + 8][MSS + 128];
static struct box_frame frames[NSEGS + 8];
static size_t nframes;

static void add_frame(const struct pkt_spec *spec)
{
    size_t len = pkt_build(frame_bytes[nframes], sizeof frame_bytes[nframes], spec);
    ck_assert_uint_gt(len, 0);
    frames[nframes] = (struct box_frame){ .data = frame_bytes[nframes], .len = (uint32_t)len,
                                          .ts_ns = (int64_t)nframes * 2000 };
    nframes++;
}

static void add_seg(int k, bool bad)
{
    uint32_t off = (uint32_t)k * MSS;
    uint32_t len = off + MSS <= STREAM_BYTES ? MSS : STREAM_BYTES - off;
    /* PSH on the last segment only, as a sender's one write: GRO ends a
     * merged packet at a PSH (tcp_gro_receive) */
    uint8_t flags = k == NSEGS - 1 ? TCP_ACK | TCP_PSH : TCP_ACK;
    struct pkt_spec s = { .seq = ISN + 1 + off, .flags = flags, .payload = stream + off,
                          .len = len, .bad_tcp_csum = bad };
    add_frame(&s);
}

/* SYN, the data with its three faults, FIN. */
static void build_stream(void)
{
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 7 + i / 251);
    nframes = 0;
    add_frame(&(struct pkt_spec){ .seq = ISN, .flags = TCP_SYN });
    for (int k = 0; k < NSEGS; k++) {
        if (k == BAD_SEG)
            add_seg(k, true);
        if (k == SWAP_SEG)
            continue;
        add_seg(k, false);
        if (k == SWAP_SEG + 1)
            add_seg(SWAP_SEG, false);
        if (k == DUP_SEG)
            add_seg(k, false);
    }
    add_frame(&(struct pkt_spec){ .seq = ISN + 1 + STREAM_BYTES, .flags = TCP_ACK | TCP_FIN });
}

static struct sim_box box;

/* Runs the stream under cfg and checks what every policy must do: the bytes
 * read, the one checksum drop, every frame accounted for. */
static void run_stream(const struct box_config *cfg, const char *policy)
{
    build_stream();
    ck_assert_msg(box_init(&box, cfg, frames, nframes) == 0, "%s: box_init failed", policy);
    box_run(&box);
    ck_assert_msg(box.nread == STREAM_BYTES, "%s: read %zu bytes, want %d", policy, box.nread, STREAM_BYTES);
    ck_assert_msg(!memcmp(box.read, stream, STREAM_BYTES), "%s: the bytes read are not the stream", policy);
    ck_assert_msg(box.host.st.bytes_read == STREAM_BYTES, "%s: bytes_read %llu", policy,
                  (unsigned long long)box.host.st.bytes_read);
    ck_assert_msg(rx_host_unread(&box.host) == 0, "%s: bytes left unread", policy);
    ck_assert_msg(box.host.st.frames == nframes, "%s: %llu frames reached the host, want %zu", policy,
                  (unsigned long long)box.host.st.frames, nframes);
    ck_assert_msg(box.host.st.pass_frames == nframes, "%s: %llu frames in passes, want %zu", policy,
                  (unsigned long long)box.host.st.pass_frames, nframes);
    uint64_t drops = 0;
    for (int d = 0; d < RX_DROP__COUNT; d++)
        drops += box.host.st.drops[d];
    ck_assert_msg(box.host.st.drops[RX_DROP_TCP_CSUM] == 1, "%s: %llu tcp_csum drops, want 1", policy,
                  (unsigned long long)box.host.st.drops[RX_DROP_TCP_CSUM]);
    ck_assert_msg(drops == 1 + box.host.st.drops[RX_DROP_TCP_OLD_DATA],
                  "%s: drops other than tcp_csum and the duplicate's old data", policy);
    ck_assert_msg(box.host.st.drops[RX_DROP_TCP_OLD_DATA] == 1, "%s: the duplicate was not dropped once", policy);
}

static void finish(const char *policy)
{
    ck_assert_msg(box_fini(&box), "%s: buffers still out after teardown", policy);
}

static uint64_t cycles(enum sim_function fn)
{
    uint64_t c = 0;
    for (int i = 0; i < box.m.ncpus; i++)
        c += box.m.cpu[i].prof.cycles[fn];
    return c;
}

/* The row of rows[0..n) (each of size bytes, its name the first member)
 * named name, or NULL. */
static const void *row_named(const void *rows, size_t n, size_t size, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const char *const *row = (const char *const *)((const char *)rows + i * size);
        if (!strcmp(*row, name))
            return row;
    }
    return NULL;
}

/* ---- checksum placement -------------------------------------------------- */

/* Which functions the policy's two sides charge. */
struct csum_expect {
    const char *name;
    bool csum_partial;                  /* the softirq side sums */
    bool csum_copy;                     /* the reader's copy is the combined routine */
};
static const struct csum_expect csum_expects[] = {
    { "softirq", true,  false },
    { "process", false, true },
    { "offload", false, false },
};

static const struct csum_expect *csum_row(const char *name)
{
    return row_named(csum_expects, ARRAY_LEN(csum_expects), sizeof csum_expects[0], name);
}

START_TEST(csum_entry)
{
    const struct csum_policy_ops *p = csum_policies[_i];
    ck_assert_msg(p->name && *p->name && p->what && *p->what, "csum_policies[%d]: no name or what", _i);
    ck_assert_msg(p->rx_verify && p->copy_out, "%s: a required hook is missing", p->name);
    ck_assert_msg(csum_policy_find(p->name) == p, "%s: find() returns another entry", p->name);
    ck_assert_msg(csum_row(p->name), "%s: no row in csum_expects[]", p->name);
}
END_TEST

START_TEST(csum_delivers_the_stream)
{
    const struct csum_policy_ops *p = csum_policies[_i];
    const struct csum_expect *ex = csum_row(p->name);
    ck_assert_msg(ex, "%s: no row in csum_expects[]", p->name);
    run_stream(&(struct box_config){ .csum = p->name, .app_cpu = 1 }, p->name);
    ck_assert_msg((cycles(SIM_FN_CSUM_PARTIAL) > 0) == ex->csum_partial, "%s: csum_partial charged %llu cycles",
                  p->name, (unsigned long long)cycles(SIM_FN_CSUM_PARTIAL));
    /* the softirq side runs on the IRQ's CPU, never on the reader's */
    ck_assert_msg(box.m.cpu[1].prof.cycles[SIM_FN_CSUM_PARTIAL] == 0, "%s: checksum on the reader's CPU", p->name);
    ck_assert_msg((box.m.cpu[1].prof.calls[SIM_FN_CSUM_COPY] > 0) == ex->csum_copy,
                  "%s: %llu combined copies on the reader's CPU", p->name,
                  (unsigned long long)box.m.cpu[1].prof.calls[SIM_FN_CSUM_COPY]);
    ck_assert_msg((box.m.cpu[1].prof.calls[SIM_FN_COPY_TO_USER] > 0) == !ex->csum_copy,
                  "%s: plain copies on the reader's CPU: %llu", p->name,
                  (unsigned long long)box.m.cpu[1].prof.calls[SIM_FN_COPY_TO_USER]);
    finish(p->name);
}
END_TEST

/* ---- delivery ------------------------------------------------------------ */

enum grouping {
    ONE_PER_PASS,                       /* passes == frames */
    UP_TO_N_PER_PASS,                   /* frames / N <= passes < frames */
    MERGED,                             /* in-order segments of the flow in one pass */
};
struct deliver_expect {
    const char *name;
    const char *arg;                    /* for policies with arg_help */
    const char *bad_arg;                /* create() must refuse it (NULL: none to try) */
    enum grouping grouping;
    int n;                              /* UP_TO_N_PER_PASS */
};
static const struct deliver_expect deliver_expects[] = {
    { "packet", NULL, NULL,  ONE_PER_PASS,     0 },
    { "batch",  "8",  "0",   UP_TO_N_PER_PASS, 8 },
    { "gro",    NULL, "4",   MERGED,           0 },
};

static const struct deliver_expect *deliver_row(const char *name)
{
    return row_named(deliver_expects, ARRAY_LEN(deliver_expects), sizeof deliver_expects[0], name);
}

START_TEST(deliver_entry)
{
    const struct deliver_policy_ops *p = deliver_policies[_i];
    ck_assert_msg(p->name && *p->name && p->what && *p->what, "deliver_policies[%d]: no name or what", _i);
    ck_assert_msg(p->rx && p->flush, "%s: a required hook is missing", p->name);
    ck_assert_msg(!p->destroy || p->create, "%s: destroy without create", p->name);
    ck_assert_msg(deliver_policy_find(p->name) == p, "%s: find() returns another entry", p->name);
    const struct deliver_expect *ex = deliver_row(p->name);
    ck_assert_msg(ex, "%s: no row in deliver_expects[]", p->name);
    ck_assert_msg(!p->arg_help == !ex->arg, "%s: takes an argument, or its row gives one it does not", p->name);
}
END_TEST

START_TEST(deliver_refuses_a_bad_argument)
{
    const struct deliver_policy_ops *p = deliver_policies[_i];
    const struct deliver_expect *ex = deliver_row(p->name);
    ck_assert_msg(ex, "%s: no row in deliver_expects[]", p->name);
    if (!ex->bad_arg)
        return;
    ck_assert_msg(p->create, "%s: has a bad argument but no create()", p->name);
    const char *err = NULL;
    void *st = p->create(NULL, ex->bad_arg, &err);
    ck_assert_msg(!st && err && *err, "%s: create('%s') accepted it", p->name, ex->bad_arg);
}
END_TEST

START_TEST(deliver_groups_frames_into_passes)
{
    const struct deliver_policy_ops *p = deliver_policies[_i];
    const struct deliver_expect *ex = deliver_row(p->name);
    ck_assert_msg(ex, "%s: no row in deliver_expects[]", p->name);
    char spec[64];
    snprintf(spec, sizeof spec, "%s%s%s", p->name, ex->arg ? ":" : "", ex->arg ? ex->arg : "");
    /* frames in bunches: one interrupt per 16, so a poll sees many */
    run_stream(&(struct box_config){ .deliver = spec, .app_cpu = 1, .rx_frames = 16, .rx_usecs = 50 }, spec);
    uint64_t passes = box.host.st.passes;
    switch (ex->grouping) {
    case ONE_PER_PASS:
        ck_assert_msg(passes == nframes, "%s: %llu passes for %zu frames", spec, (unsigned long long)passes,
                      nframes);
        break;
    case UP_TO_N_PER_PASS:
        ck_assert_msg(passes < nframes && passes * (uint64_t)ex->n >= nframes, "%s: %llu passes for %zu frames",
                      spec, (unsigned long long)passes, nframes);
        break;
    case MERGED:
        /* the SYN, the bad segment, the duplicate, the hole and the FIN
         * each close a merge; the in-order runs between them merge */
        ck_assert_msg(passes < nframes / 4, "%s: %llu passes for %zu frames: nothing merged", spec,
                      (unsigned long long)passes, nframes);
        ck_assert_msg(box.m.cpu[0].prof.cycles[SIM_FN_NETIF_RECEIVE] > 0, "%s: no netif_receive_skb", spec);
        break;
    }
    finish(spec);
}
END_TEST

/* ---- recycling ------------------------------------------------------------- */

START_TEST(recycle_entry)
{
    const struct recycle_policy_ops *p = recycle_policies[_i];
    ck_assert_msg(p->name && *p->name && p->what && *p->what, "recycle_policies[%d]: no name or what", _i);
    ck_assert_msg(p->alloc && p->release, "%s: a required hook is missing", p->name);
    ck_assert_msg(recycle_policy_find(p->name) == p, "%s: find() returns another entry", p->name);
}
END_TEST

/* The reader on another CPU than the IRQ: a release is remote when the CPU
 * freeing the buffer did not allocate it (skb_pool.h), whatever the policy
 * then does with it.  The reader releases the buffers of the data segments
 * it read from them (all but the one that waited in the out-of-order queue,
 * whose bytes were copied); the softirq frees the rest on the IRQ's CPU. */
START_TEST(recycle_delivers_the_stream_across_cpus)
{
    const struct recycle_policy_ops *p = recycle_policies[_i];
    run_stream(&(struct box_config){ .recycle = p->name, .app_cpu = 1 }, p->name);
    const struct skb_pool_stats *st = &box.pool.st;
    ck_assert_msg(st->frees + st->recycled == nframes, "%s: %llu releases for %zu frames", p->name,
                  (unsigned long long)(st->frees + st->recycled), nframes);
    ck_assert_msg(st->remote_frees == NSEGS - 1, "%s: %llu remote releases, want %d", p->name,
                  (unsigned long long)st->remote_frees, NSEGS - 1);
    finish(p->name);
}
END_TEST

START_TEST(recycle_delivers_the_stream_on_one_cpu)
{
    const struct recycle_policy_ops *p = recycle_policies[_i];
    run_stream(&(struct box_config){ .recycle = p->name, .app_cpu = 0 }, p->name);
    ck_assert_msg(box.pool.st.remote_frees == 0, "%s: %llu remote frees with one CPU at work", p->name,
                  (unsigned long long)box.pool.st.remote_frees);
    finish(p->name);
}
END_TEST

/* Loop bounds come from the registries, so a new entry is tested as added. */
static int registry_len(const void *const *r)
{
    int n = 0;
    while (r[n])
        n++;
    return n;
}

/* ---- receiving ------------------------------------------------------------- */

START_TEST(receive_entry)
{
    const struct receive_policy_ops *p = receive_policies[_i];
    ck_assert_msg(p->name && *p->name && p->what && *p->what, "receive_policies[%d]: no name or what", _i);
    ck_assert_msg(p->read, "%s: the required read hook is missing", p->name);
    ck_assert_msg(receive_policy_find(p->name) == p, "%s: find() returns another entry", p->name);
    ck_assert_msg(_i || !strcmp(p->name, "copy"), "the first entry (--list's first) is %s, not copy", p->name);
}
END_TEST

/* Every receive policy reads exactly the stream (1448-byte segments, so
 * zerocopy maps nothing and reads every byte after its getsockopt: one per
 * pass of the reader's loop), and every buffer comes back. */
START_TEST(receive_delivers_the_stream)
{
    const struct receive_policy_ops *p = receive_policies[_i];
    run_stream(&(struct box_config){ .receive = p->name, .app_cpu = 1 }, p->name);
    ck_assert_msg(!p->maps || box.host.st.zc_calls > 0, "%s: no getsockopt call counted", p->name);
    ck_assert_msg(box.host.st.zc_pages == 0, "%s: %llu pages mapped from 1448-byte segments", p->name,
                  (unsigned long long)box.host.st.zc_pages);
    finish(p->name);
}
END_TEST

static Suite *policies_suite(void)
{
    Suite *s = suite_create("policies");
    int ncsum = registry_len((const void *const *)csum_policies);
    int ndeliver = registry_len((const void *const *)deliver_policies);
    int nrecycle = registry_len((const void *const *)recycle_policies);

    TCase *tc = tcase_create("csum");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, csum_entry, 0, ncsum);
    tcase_add_loop_test(tc, csum_delivers_the_stream, 0, ncsum);
    suite_add_tcase(s, tc);

    tc = tcase_create("deliver");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, deliver_entry, 0, ndeliver);
    tcase_add_loop_test(tc, deliver_refuses_a_bad_argument, 0, ndeliver);
    tcase_add_loop_test(tc, deliver_groups_frames_into_passes, 0, ndeliver);
    suite_add_tcase(s, tc);

    tc = tcase_create("recycle");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, recycle_entry, 0, nrecycle);
    tcase_add_loop_test(tc, recycle_delivers_the_stream_across_cpus, 0, nrecycle);
    tcase_add_loop_test(tc, recycle_delivers_the_stream_on_one_cpu, 0, nrecycle);
    suite_add_tcase(s, tc);

    int nreceive = registry_len((const void *const *)receive_policies);
    tc = tcase_create("receive");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, receive_entry, 0, nreceive);
    tcase_add_loop_test(tc, receive_delivers_the_stream, 0, nreceive);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testenv_run_suite(policies_suite());
}
