/* sim/session/line_prices.c: per-line prices from the calibration profile
 * (line_prices.h says the rule and why). */
#include "sim/session/line_prices.h"

#include "sim/machine.h"

/* The probe's extra cycles per line over its hot run, for k lines in state;
 * -1 when the profile has no such curve. */
static double extra_per_line(const struct costs *profile, unsigned k, enum calib_cache state)
{
    double hot = costs_lookup(profile, LINE_PRICE_ROUTINE, 64u * k, 0, CALIB_HOT);
    double other = costs_lookup(profile, LINE_PRICE_ROUTINE, 64u * k, 0, state);
    if (hot < 0 || other < 0)
        return -1;
    return other > hot ? (other - hot) / k : 0;
}

void line_prices_from_profile(struct sim_line_prices *out, const struct costs *profile, double tsc_to_cpu,
                              bool keep_miss, bool keep_transfer)
{
    *out = (struct sim_line_prices){0};
    if (!profile)
        return;
    bool miss_ok = !keep_miss, transfer_ok = !keep_transfer;
    for (unsigned k = 1; k <= SIM_LINE_RUN_MAX; k++) {
        double miss = extra_per_line(profile, k, CALIB_COLD);
        double xfer = extra_per_line(profile, k, CALIB_REMOTE);
        miss_ok = miss_ok && miss >= 0;
        transfer_ok = transfer_ok && xfer >= 0;
        out->miss[k] = miss * tsc_to_cpu;
        out->transfer[k] = xfer * tsc_to_cpu;
    }
    out->miss_set = miss_ok;
    out->transfer_set = transfer_ok;
}

void line_prices_list(FILE *out, const struct sim_line_prices *p, const char *profile_path)
{
    if (!p->miss_set && !p->transfer_set)
        return;
    fprintf(out, "\nline prices (cycles per line, by lines in the touch), from %s's %s curves;\n"
                 "line_miss / line_transfer above apply only where these are not set:\n",
            profile_path, LINE_PRICE_ROUTINE);
    static const unsigned show[] = { 1, 2, 4, 8, 16, 32 };
    fprintf(out, "  %-10s", "lines");
    for (size_t i = 0; i < sizeof show / sizeof show[0]; i++)
        fprintf(out, " %7u", show[i]);
    fprintf(out, "\n");
    for (int half = 0; half < 2; half++) {
        bool set = half ? p->transfer_set : p->miss_set;
        const double *v = half ? p->transfer : p->miss;
        fprintf(out, "  %-10s", half ? "transfer" : "miss");
        for (size_t i = 0; i < sizeof show / sizeof show[0]; i++)
            set ? fprintf(out, " %7.1f", v[show[i]]) : fprintf(out, " %7s", "flat");
        fprintf(out, "\n");
    }
}
