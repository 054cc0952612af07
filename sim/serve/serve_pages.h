/* sim/serve/serve_pages.h: the pages and JSON answers of rxsim serve: the traces
 * and the form (/), the upload form, the jobs, one job and its results. */
#ifndef RXSIM_SERVE_SERVE_PAGES_H
#define RXSIM_SERVE_SERVE_PAGES_H

#include <event2/http.h>

struct serve;
struct serve_job;

void serve_page_index(struct serve *s, struct evhttp_request *req);
void serve_page_upload_form(struct serve *s, struct evhttp_request *req);
void serve_page_jobs(struct serve *s, struct evhttp_request *req);
void serve_page_job(struct serve *s, struct evhttp_request *req, struct serve_job *j);
void serve_job_status_json(struct serve *s, struct evhttp_request *req, struct serve_job *j);
void serve_traces_json(struct serve *s, struct evhttp_request *req);

#endif
