/* sim/options/progress.c: the progress line of long work (see progress.h). */
#include "sim/options/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *cmd, const char *unit, uint64_t total, bool on,
                    bool lines)
{
    *p = (struct progress){ .cmd = cmd, .unit = unit, .on = on, .lines = lines, .total = total };
    p->t0 = wall();
    p->last = p->t0 - 10;       /* the first update draws at once: short work shows its line too */
}

/* "3.6 GB" for bytes, else "12 runs". */
static void amount(char *buf, size_t size, const struct progress *p, uint64_t n)
{
    if (strcmp(p->unit, "bytes")) {
        snprintf(buf, size, "%llu %s", (unsigned long long)n, p->unit);
        return;
    }
    static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 4)
        v /= 1000, u++;
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void draw(struct progress *p, uint64_t done, double now, bool last)
{
    double elapsed = now - p->t0;
    double pct = p->total ? 100.0 * (double)(done < p->total ? done : p->total) / (double)p->total : 0;
    double eta = done && p->total && done < p->total ? elapsed * (double)(p->total - done) / (double)done : 0;
    if (p->lines) {
        fprintf(stderr, "%s: progress done=%llu", p->cmd, (unsigned long long)done);
        if (p->total)
            fprintf(stderr, " total=%llu unit=%s percent=%.1f elapsed_s=%.1f eta_s=%.1f\n",
                    (unsigned long long)p->total, p->unit, last ? 100.0 : pct, elapsed, last ? 0.0 : eta);
        else
            fprintf(stderr, " total=- unit=%s percent=- elapsed_s=%.1f eta_s=-\n", p->unit, elapsed);
        return;
    }
    char d[32], t[32], rate[48] = "";
    amount(d, sizeof d, p, done);
    amount(t, sizeof t, p, p->total);
    if (!strcmp(p->unit, "bytes") && elapsed > 0) {
        amount(rate, sizeof rate - 3, p, (uint64_t)((double)done / elapsed));
        strcat(rate, "/s");
    }
    if (p->total)
        fprintf(stderr, "\r\033[K%s: %.1f%% of %s%s%s, %d:%02d left", p->cmd, pct, t, *rate ? ", " : "", rate,
                (int)(eta / 60), (int)eta % 60);
    else
        fprintf(stderr, "\r\033[K%s: %s%s%s", p->cmd, d, *rate ? ", " : "", rate);
}

void progress_update(struct progress *p, uint64_t done)
{
    if (!p->on)
        return;
    double now = wall();
    if (now - p->last < (p->lines ? 1.0 : 0.2))
        return;
    p->last = now;
    draw(p, done, now, false);
}

void progress_end(struct progress *p, uint64_t done)
{
    if (!p->on)
        return;
    if (p->lines)
        draw(p, done, wall(), true);
    else
        fprintf(stderr, "\r\033[K");
}
