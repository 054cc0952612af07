/* sim/report/result.h: a run's result figures (struct run_metrics) in each
 * format, every figure taken from the metric table (metric.h): the JSON
 * "result" object, the CSV's result rows and per-category / per-reason
 * sections, the text report's summary lines.  The run report writers
 * (run_report*.c) put these beside the parts that are not figures of the
 * result (configuration, CPUs, profile, connections). */
#ifndef RXSIM_REPORT_RESULT_H
#define RXSIM_REPORT_RESULT_H

#include <json-c/json.h>
#include <stdio.h>

#include "sim/report/metric.h"

/* The run cannot answer for some bytes: the REPORT_NM figures are flagged. */
static inline bool report_flagging(const struct run_metrics *mt) { return mt->unanswered.reasons != 0; }

/* The "result" object of `rxsim run --json`. */
json_object *report_result_json(const struct run_metrics *mt);

/* CSV "result,<name>,<value>,<not_meaningful>" rows in CSV rank, then the
 * "unanswered,..." rows of each reason present. */
void report_result_csv(const struct run_metrics *mt, FILE *out);
/* CSV sections of the per-category and per-reason figures, in table order. */
void report_families_csv(const struct run_metrics *mt, FILE *out);

/* The text report's summary, one "heading        pieces" line after another
 * in text rank; a REPORT_TEXT_IF_SET line only when one of its figures is set. */
void report_result_text(const struct run_metrics *mt, FILE *out);
/* A per-category figure's pieces on one line (" irq 0.123 protocol ..."). */
void report_family_text(const struct report_metric *m, const struct run_metrics *mt, FILE *out);

#endif
