/* sim/report/workload_report.h: a closed-loop run's workload when it came
 * from a trace (drivers/sender_workload.h): the flows replayed, with where
 * their options came from, and the flows not replayed with their reason.
 * The JSON "workload" object and the text report's "workload" lines. */
#ifndef RXSIM_REPORT_WORKLOAD_REPORT_H
#define RXSIM_REPORT_WORKLOAD_REPORT_H

#include <json-c/json.h>
#include <stdio.h>

#include "drivers/sender_workload.h"

json_object *workload_report_json(const struct sender_workload_info *w);
void workload_report_text(const struct sender_workload_info *w, FILE *out);

#endif
