/* sim/serve/serve_routes.h: the one evhttp callback that routes every request of
 * rxsim serve to its page, form, upload or job. */
#ifndef RXSIM_SERVE_SERVE_ROUTES_H
#define RXSIM_SERVE_SERVE_ROUTES_H

#include <event2/http.h>

/* evhttp_set_gencb's callback (arg: the struct serve). */
void serve_route(struct evhttp_request *req, void *arg);

#endif
