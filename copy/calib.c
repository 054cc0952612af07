/* copy/calib.c: the measuring behind `rxsim calibrate` and the copy
 * benchmark.  See copy/calib.h for the method and the cache states; the
 * figures and their stability are in docs/calibration.md. */
#include "copy/calib.h"

#include <errno.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define REMOTE_SPAN (256u << 10)   /* fits the writer's L2: the lines stay there, modified */
#define MAX_SLOTS 65536u           /* cold slots per measurement: bounds the permutation */
/* Destinations sit this far past their page start, sources at 0: were both
 * at the same offset in a page, every load would wait on the previous call's
 * store to the same address bits (4 KiB aliasing), an artefact of timing one
 * buffer pair in a loop, not a property of the routine. */
#define DST_SKEW 2112u

struct calib {
    struct calib_config cfg;
    struct calib_info info;
    char *flags;
    cpu_set_t saved_mask;
    bool pinned;
    unsigned char *hot_src, *hot_dst;
    unsigned char *cold_src, *cold_dst;
    uint32_t *perm;
    size_t perm_slots, perm_cur;
    uint64_t rng;
    /* remote writer */
    unsigned char *remote_src;
    pthread_t writer;
    bool writer_running;
    _Atomic uint64_t req, done;
    _Atomic size_t req_bytes;
    _Atomic bool stop;
};

static volatile uint32_t sink;     /* keeps checksum results alive */

const char *calib_cache_name(enum calib_cache c)
{
    static const char *const names[CALIB_NCACHE] = { "hot", "cold", "remote" };
    return (unsigned)c < CALIB_NCACHE ? names[c] : "?";
}

int calib_cache_parse(const char *name)
{
    for (int i = 0; i < CALIB_NCACHE; i++)
        if (!strcmp(name, calib_cache_name((enum calib_cache)i)))
            return i;
    return -1;
}

/* lfence keeps the timed calls from leaking out of the rdtsc window. */
static inline uint64_t tsc_begin(void)
{
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

static inline uint64_t tsc_end(void)
{
    unsigned aux;
    uint64_t t = __rdtscp(&aux);
    _mm_lfence();
    return t;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of three windows of ms milliseconds each. */
static double tsc_calibrate(double ms)
{
    double hz[3];
    for (int i = 0; i < 3; i++) {
        double t0 = now_s();
        uint64_t c0 = tsc_begin();
        double t1;
        do
            t1 = now_s();
        while (t1 - t0 < ms * 1e-3);
        uint64_t c1 = tsc_end();
        hz[i] = (double)(c1 - c0) / (t1 - t0);
    }
    qsort(hz, 3, sizeof hz[0], cmp_double);
    return hz[1];
}

static size_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K' || *end == 'k')
        v <<= 10;
    else if (*end == 'M' || *end == 'm')
        v <<= 20;
    return (size_t)v;
}

/* Largest cache level's size for this CPU, from sysfs, else sysconf. */
static size_t llc_size(int cpu, const char **source)
{
    size_t best = 0;
    int best_level = 0;
    for (int i = 0; i < 10; i++) {
        char path[128], buf[64];
        int level = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/level",
                 cpu < 0 ? 0 : cpu, i);
        FILE *f = fopen(path, "r");
        if (!f)
            break;
        if (fscanf(f, "%d", &level) != 1)
            level = 0;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache/index%d/size",
                 cpu < 0 ? 0 : cpu, i);
        f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(buf, sizeof buf, f) && level >= best_level) {
            size_t sz = parse_size(buf);
            if (sz) {
                best = sz;
                best_level = level;
            }
        }
        fclose(f);
    }
    if (best) {
        *source = "sysfs";
        return best;
    }
#ifdef _SC_LEVEL3_CACHE_SIZE
    long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (v <= 0)
        v = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (v > 0) {
        *source = "sysconf";
        return (size_t)v;
    }
#endif
    *source = "default (32 MiB)";
    return 32u << 20;
}

static void read_cpuinfo(struct calib *c)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char *line = NULL;
    size_t cap = 0;
    snprintf(c->info.cpu_model, sizeof c->info.cpu_model, "unknown");
    while (f && getline(&line, &cap, f) > 0) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *val = colon + 1 + (colon[1] == ' ');
        val[strcspn(val, "\n")] = '\0';
        if (!strncmp(line, "model name", 10) && !strcmp(c->info.cpu_model, "unknown"))
            snprintf(c->info.cpu_model, sizeof c->info.cpu_model, "%s", val);
        else if (!strncmp(line, "flags", 5) && !c->flags)
            c->flags = strdup(val);
        if (c->flags && strcmp(c->info.cpu_model, "unknown"))
            break;
    }
    free(line);
    if (f)
        fclose(f);
    c->info.cpu_flags = c->flags ? c->flags : "";
}

static void *alloc_region(size_t bytes, bool huge)
{
    size_t align = huge ? (2u << 20) : 4096;
    bytes = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, bytes);
    if (p && huge)
        (void)madvise(p, bytes, MADV_HUGEPAGE);  /* skb data sits in the kernel's huge-page map */
    if (p)
        memset(p, 0x5a, bytes);                  /* fault it in now, not while timing */
    return p;
}

static void *writer_main(void *arg)
{
    struct calib *c = arg;
    uint64_t seen = 0;
    unsigned idle = 0;
    while (!atomic_load_explicit(&c->stop, memory_order_acquire)) {
        uint64_t r = atomic_load_explicit(&c->req, memory_order_acquire);
        if (r == seen) {
            if (++idle < (1u << 20)) {
                _mm_pause();
            } else {
                struct timespec ts = { 0, 50000 };
                nanosleep(&ts, NULL);            /* idle between measurements: stay off the core */
            }
            continue;
        }
        idle = 0;
        seen = r;
        size_t n = atomic_load_explicit(&c->req_bytes, memory_order_relaxed);
        memset(c->remote_src, (int)(r & 0xff), n);
        atomic_store_explicit(&c->done, r, memory_order_release);
    }
    return NULL;
}

static int pick_cpus(struct calib *c)
{
    cpu_set_t mask;
    c->info.cpu = -1;
    c->info.remote_cpu = -1;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0)
        return -1;
    c->saved_mask = mask;
    for (int i = 0; i < CPU_SETSIZE; i++) {
        if (!CPU_ISSET(i, &mask))
            continue;
        if (c->info.cpu < 0)
            c->info.cpu = i;
        else if (c->info.remote_cpu < 0)
            c->info.remote_cpu = i;
    }
    if (c->info.cpu < 0)
        return -1;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(c->info.cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
        c->info.cpu = -1;
        return -1;
    }
    c->pinned = true;
    return 0;
}

struct calib *calib_open(const struct calib_config *cfg, char *err, size_t errlen)
{
    struct calib *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cfg = *cfg;
    if (!c->cfg.reps)
        c->cfg.reps = 21;
    if (c->cfg.batch_us <= 0)
        c->cfg.batch_us = 40;
    if (!c->cfg.max_size)
        c->cfg.max_size = 1u << 20;
    if (c->cfg.tsc_ms <= 0)
        c->cfg.tsc_ms = 50;
    c->rng = 0x9e3779b97f4a7c15ull;

    if (pick_cpus(c) != 0)
        fprintf(stderr, "rxsim calibrate: could not pin to one CPU (%s); figures will be noisier\n",
                strerror(errno));
    read_cpuinfo(c);
    c->info.tsc_hz = tsc_calibrate(c->cfg.tsc_ms);
    c->info.llc_bytes = llc_size(c->info.cpu, &c->info.llc_source);
    size_t cold = 4 * c->info.llc_bytes;
    if (cold < (64u << 20))
        cold = 64u << 20;
    if (cold > (1u << 30))
        cold = 1u << 30;
    c->info.cold_bytes = cold;

    size_t hot = c->cfg.max_size + 128 + DST_SKEW;
    c->hot_src = alloc_region(hot, false);
    c->hot_dst = alloc_region(hot, false);
    c->cold_src = alloc_region(cold, true);
    c->cold_dst = alloc_region(cold + DST_SKEW, true);
    c->perm = malloc(MAX_SLOTS * sizeof *c->perm);
    if (!c->hot_src || !c->hot_dst || !c->cold_src || !c->cold_dst || !c->perm) {
        snprintf(err, errlen, "out of memory for %zu MiB of cold buffers", 2 * (cold >> 20));
        calib_close(c);
        return NULL;
    }
    for (size_t i = 0; i < hot; i++)
        c->hot_src[i] = (unsigned char)(i * 131 + 7);

    if (cfg->want_remote && c->info.remote_cpu >= 0) {
        c->remote_src = alloc_region(REMOTE_SPAN + c->cfg.max_size + 128, false);
        if (!c->remote_src) {
            snprintf(err, errlen, "out of memory for the remote buffer");
            calib_close(c);
            return NULL;
        }
        pthread_attr_t attr;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(c->info.remote_cpu, &one);
        pthread_attr_init(&attr);
        pthread_attr_setaffinity_np(&attr, sizeof one, &one);
        int rc = pthread_create(&c->writer, &attr, writer_main, c);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            fprintf(stderr, "rxsim calibrate: no writer thread on CPU %d (%s); remote skipped\n",
                    c->info.remote_cpu, strerror(rc));
            c->info.remote_cpu = -1;
        } else {
            c->writer_running = true;
        }
    } else {
        c->info.remote_cpu = -1;
    }
    return c;
}

void calib_close(struct calib *c)
{
    if (!c)
        return;
    if (c->writer_running) {
        atomic_store_explicit(&c->stop, true, memory_order_release);
        pthread_join(c->writer, NULL);
    }
    if (c->pinned)
        (void)sched_setaffinity(0, sizeof c->saved_mask, &c->saved_mask);
    free(c->hot_src);
    free(c->hot_dst);
    free(c->cold_src);
    free(c->cold_dst);
    free(c->remote_src);
    free(c->perm);
    free(c->flags);
    free(c);
}

const struct calib_info *calib_info(const struct calib *c)
{
    return &c->info;
}

struct job {
    const struct copy_routine *r, *then_csum;
};

static inline void run(const struct job *j, unsigned char *d, const unsigned char *s, size_t n)
{
    switch (j->r->kind) {
    case COPY_KIND_COPY:
        j->r->copy(d, s, n);
        if (j->then_csum)
            sink = j->then_csum->csum(d, n, 0);
        break;
    case COPY_KIND_CSUM:
        sink = j->r->csum(s, n, 0);
        break;
    case COPY_KIND_CSUM_COPY:
        sink = j->r->csum_copy(d, s, n, 0);
        break;
    }
}

static uint64_t rand64(struct calib *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

void calib_summarise(double *samples, unsigned n, struct calib_point *out)
{
    memset(out, 0, sizeof *out);
    if (!n)
        return;
    qsort(samples, n, sizeof samples[0], cmp_double);
    out->cycles = n & 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    out->p10 = samples[(size_t)(0.1 * (n - 1) + 0.5)];
    out->p90 = samples[(size_t)(0.9 * (n - 1) + 0.5)];
    out->reps = n;
}

static unsigned calls_per_batch(const struct calib *c, double est_cycles, unsigned cap)
{
    double batch = c->cfg.batch_us * 1e-6 * c->info.tsc_hz;
    double k = est_cycles > 0 ? batch / est_cycles : cap;
    if (k < 1)
        k = 1;
    return k > cap ? cap : (unsigned)k;
}

static void measure_hot(struct calib *c, const struct job *j, size_t size, unsigned align,
                        unsigned reps, double *per_call)
{
    unsigned char *d = c->hot_dst + DST_SKEW;
    const unsigned char *s = c->hot_src + align;
    for (int i = 0; i < 4; i++)
        run(j, d, s, size);
    uint64_t t0 = tsc_begin();
    for (int i = 0; i < 4; i++)
        run(j, d, s, size);
    unsigned k = calls_per_batch(c, (double)(tsc_end() - t0) / 4, 1u << 20);
    for (unsigned i = 0; i < k; i++)          /* one untimed batch: caches, predictors, clocks */
        run(j, d, s, size);
    for (unsigned r = 0; r < reps; r++) {
        t0 = tsc_begin();
        for (unsigned i = 0; i < k; i++)
            run(j, d, s, size);
        per_call[r] = (double)(tsc_end() - t0) / k;
    }
}

static void measure_cold(struct calib *c, const struct job *j, size_t size, unsigned align,
                         unsigned reps, double *per_call)
{
    size_t stride = (size + 64 + 63) & ~(size_t)63;
    if (stride < c->info.cold_bytes / MAX_SLOTS)
        stride = c->info.cold_bytes / MAX_SLOTS;
    size_t slots = c->info.cold_bytes / stride;
    if (slots != c->perm_slots) {
        for (size_t i = 0; i < slots; i++)
            c->perm[i] = (uint32_t)i;
        for (size_t i = slots - 1; i > 0; i--) {   /* random order: no stride to prefetch */
            size_t k = rand64(c) % (i + 1);
            uint32_t t = c->perm[i];
            c->perm[i] = c->perm[k];
            c->perm[k] = t;
        }
        c->perm_slots = slots;
    }
    /* the cursor carries on from the last measurement: slots just used are
     * the last to come round again */
    size_t cur = c->perm_cur % slots;
#define NEXT_SLOT() (cur = cur + 1 == slots ? 0 : cur + 1, (size_t)c->perm[cur] * stride)
    size_t off = NEXT_SLOT();
    uint64_t t0 = tsc_begin();
    run(j, c->cold_dst + DST_SKEW + off, c->cold_src + off + align, size);
    unsigned cap = (unsigned)(slots / (reps + 2));
    unsigned k = calls_per_batch(c, (double)(tsc_end() - t0), cap ? cap : 1);
    for (unsigned i = 0; i < k; i++) {
        off = NEXT_SLOT();
        run(j, c->cold_dst + DST_SKEW + off, c->cold_src + off + align, size);
    }
    for (unsigned r = 0; r < reps; r++) {
        t0 = tsc_begin();
        for (unsigned i = 0; i < k; i++) {
            off = NEXT_SLOT();
            run(j, c->cold_dst + DST_SKEW + off, c->cold_src + off + align, size);
        }
        per_call[r] = (double)(tsc_end() - t0) / k;
    }
#undef NEXT_SLOT
    c->perm_cur = cur;
}

/* Each batch: the writer rewrites k source slots on its CPU, then we time k
 * calls reading them (destination hot).  The first batch is discarded. */
static void measure_remote(struct calib *c, const struct job *j, size_t size, unsigned align,
                           unsigned reps, double *per_call)
{
    size_t stride = (size + 64 + 63) & ~(size_t)63;
    unsigned k = (unsigned)(REMOTE_SPAN / stride);
    if (k < 1)
        k = 1;
    if (k > 64)
        k = 64;
    atomic_store_explicit(&c->req_bytes, k * stride, memory_order_relaxed);
    for (unsigned i = 0; i < 4; i++)
        run(j, c->hot_dst + DST_SKEW, c->hot_src + align, size); /* code, destination warm */
    for (unsigned r = 0; r <= reps; r++) {
        uint64_t want = atomic_load_explicit(&c->req, memory_order_relaxed) + 1;
        atomic_store_explicit(&c->req, want, memory_order_release);
        while (atomic_load_explicit(&c->done, memory_order_acquire) != want)
            _mm_pause();
        uint64_t t0 = tsc_begin();
        for (unsigned i = 0; i < k; i++)
            run(j, c->hot_dst + DST_SKEW, c->remote_src + i * stride + align, size);
        double v = (double)(tsc_end() - t0) / k;
        if (r)
            per_call[r - 1] = v;
    }
}

static int sample(struct calib *c, const struct job *j, size_t size, unsigned align,
                  enum calib_cache state, unsigned reps, double *samples)
{
    if (size > c->cfg.max_size || align > 63 || !reps || !copy_available(j->r) ||
        (j->then_csum && !copy_available(j->then_csum)))
        return -1;
    if (state == CALIB_REMOTE && !c->writer_running)
        return -1;
    switch (state) {
    case CALIB_HOT:
        measure_hot(c, j, size, align, reps, samples);
        break;
    case CALIB_COLD:
        measure_cold(c, j, size, align, reps, samples);
        break;
    case CALIB_REMOTE:
        measure_remote(c, j, size, align, reps, samples);
        break;
    default:
        return -1;
    }
    return 0;
}

int calib_sample(struct calib *c, const struct copy_routine *r,
                 const struct copy_routine *then_csum, size_t size, unsigned align,
                 enum calib_cache state, unsigned reps, double *samples)
{
    if (then_csum && (r->kind != COPY_KIND_COPY || then_csum->kind != COPY_KIND_CSUM))
        return -1;
    struct job j = { r, then_csum };
    return sample(c, &j, size, align, state, reps, samples);
}

int calib_measure(struct calib *c, const struct copy_routine *r, size_t size,
                  unsigned align, enum calib_cache state, struct calib_point *out)
{
    return calib_measure_pair(c, r, NULL, size, align, state, out);
}

int calib_measure_pair(struct calib *c, const struct copy_routine *copy_r,
                       const struct copy_routine *csum_r, size_t size, unsigned align,
                       enum calib_cache state, struct calib_point *out)
{
    double *samples = malloc(c->cfg.reps * sizeof *samples);
    if (!samples)
        return -1;
    int rc = calib_sample(c, copy_r, csum_r, size, align, state, c->cfg.reps, samples);
    if (rc == 0)
        calib_summarise(samples, c->cfg.reps, out);
    free(samples);
    return rc;
}
