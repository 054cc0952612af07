/* sim/serve/serve_form.h: the run/compare form: its fields (rendered into the
 * index page) and POST /jobs, which validates them and queues a job. */
#ifndef RXSIM_SERVE_SERVE_FORM_H
#define RXSIM_SERVE_SERVE_FORM_H

#include <event2/buffer.h>
#include <event2/http.h>

struct serve;

void serve_form_render(struct serve *s, struct evbuffer *b);
/* POST /jobs: validates the form; 400 naming the field, 503 when the queue is
 * full, else 303 to the new job. */
void serve_form_submit(struct serve *s, struct evhttp_request *req);

#endif
