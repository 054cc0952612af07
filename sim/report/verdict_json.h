/* sim/report/verdict_json.h: netstack/verdict.h's verdicts as the reports write
 * them, shared by inspect and run so both say it the same way.
 *
 * Per direction: "reasons": ["stranded", ...] (empty when the direction is
 * answered), plus each reason's figures: "<reason>_bytes", or for
 * payload_not_captured an object { segments, bytes, snaplen }.  Per report:
 * "unanswered": [{ "reason", "text", "bytes", "directions" }, ...]. */
#ifndef RXSIM_REPORT_VERDICT_JSON_H
#define RXSIM_REPORT_VERDICT_JSON_H

#include <json-c/json.h>

#include "netstack/verdict.h"

/* Adds "reasons" and, per reason present, its figures to the direction o. */
void verdict_json_dir(json_object *o, const struct rx_verdict *v);

/* The report-level list of reasons in s (an empty array when none). */
json_object *verdict_json_sum(const struct rx_verdict_sum *s);

#endif
