/* sim/report/run_report_csv.c: run_report_csv(), `rxsim run --csv`: one
 * "section,name,value,not_meaningful" row per number, so a script can grep a
 * row or pivot the lot; names never contain commas.  A figure the run cannot
 * answer has an empty value and its reasons ("stranded;...") in the last
 * column, which is empty otherwise.  The result rows come from the metric
 * table (result.c). */
#include "sim/report/run_report.h"

#include "sim/report/result.h"
#include "sim/report/run_report_parts.h"

int run_report_csv(const struct run_view *v, FILE *out)
{
    const struct sim_machine *m = v->m;
    const struct run_config *c = v->cfg;
    struct run_metrics mt;
    run_metrics(v, &mt);
    fprintf(out, "section,name,value,not_meaningful\n");
    fprintf(out, "config,csum,%s,\nconfig,delivery,%s,\nconfig,recycle,%s,\nconfig,copy,%s,\n"
                 "config,irq,%s,\nconfig,app,%s,\nconfig,cpus,%d,\nconfig,ghz,%.4f,\nconfig,recv_size,%u,\n"
                 "config,timing,%s,\nconfig,payload,%s,\n",
            c->csum, c->delivery, c->recycle, v->copy->name, c->irq, c->app, c->cpus, c->ghz, c->recv_size,
            c->timing_measured ? "measured" : "model", c->payload_synth ? "synth" : "captured");
    if (c->count)                       /* only part of each trace was read */
        fprintf(out, "config,count,%llu,\n", (unsigned long long)c->count);
    if (c->start)
        fprintf(out, "config,start,%g,\n", c->start);
    if (c->duration)
        fprintf(out, "config,duration,%g,\n", c->duration);
    report_result_csv(&mt, out);
    for (int i = 0; v->nnics > 1 && i < v->nnics; i++)
        fprintf(out, "nic%d,frames_in,%llu,\nnic%d,interrupts,%llu,\nnic%d,dropped_ring_full,%llu,\n",
                i, (unsigned long long)v->nics[i].st.frames_in, i,
                (unsigned long long)v->nics[i].st.interrupts, i,
                (unsigned long long)v->nics[i].st.dropped_ring_full);
    if (v->live)
        fprintf(out, "capture,captured,%llu,\ncapture,queue_drops,%llu,\ncapture,kernel_drops,%llu,\n",
                (unsigned long long)v->live->captured, (unsigned long long)v->live->queue_drops,
                (unsigned long long)v->live->kernel_drops);
    report_families_csv(&mt, out);
    for (int i = 0; mt.sat_measured && i < m->ncpus; i++)    /* --replay closed: the saturation window's */
        fprintf(out, "cpu%d,utilisation_at_saturation,%.6f,\n", i, mt.sat_cpu_util[i]);
    for (int i = 0; i < m->ncpus; i++)
        for (int k = 0; k < SIM_CAT__COUNT; k++)
            fprintf(out, "cpu%d,%s_cycles,%llu,\n", i, sim_category_key(k),
                    (unsigned long long)m->cpu[i].cat_cycles[k]);
    for (int f = 0; f < SIM_FN__COUNT; f++) {
        struct report_fn_total ft = report_fn_total(m, f);
        fprintf(out, "profile_cycles,%s,%llu,\nprofile_lines_out,%s,%llu,\n", sim_function_name(f),
                (unsigned long long)ft.cycles, sim_function_name(f), (unsigned long long)ft.lines_out);
    }
    return ferror(out) ? -1 : 0;
}
