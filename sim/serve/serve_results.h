/* sim/serve/serve_results.h: a finished job's results as HTML, from the
 * report.json its worker wrote (serve_pages.c puts them on /jobs/ID). */
#ifndef RXSIM_SERVE_SERVE_RESULTS_H
#define RXSIM_SERVE_SERVE_RESULTS_H

#include <event2/buffer.h>
#include <json-c/json.h>

struct serve_job;

/* rxsim run --json's report rep as tables. */
void serve_results_run(struct evbuffer *b, json_object *rep);
/* rxsim compare --json's document doc: the side-by-side table, then the
 * charts the job's compare wrote (inlined from its charts/ directory). */
void serve_results_compare(struct evbuffer *b, json_object *doc, const struct serve_job *j);

#endif
