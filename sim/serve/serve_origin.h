/* sim/serve/serve_origin.h: the Host check (DNS rebinding) and the same-origin
 * check on every POST (serve_origin.c says why each is shaped so). */
#ifndef RXSIM_SERVE_SERVE_ORIGIN_H
#define RXSIM_SERVE_SERVE_ORIGIN_H

#include <event2/http.h>
#include <stdbool.h>

struct serve;

/* true when the request's Host (port aside) names this server: localhost
 * (or NAME.localhost), a loopback address, --listen's host, an --allow-host
 * name, or any IP address when listening on 0.0.0.0 or [::]; a request
 * without Host (HTTP/1.0) too.  Else a 421 was sent: a foreign name is how
 * DNS rebinding reaches a loopback server from a page of another site. */
bool serve_host_allowed(struct serve *s, struct evhttp_request *req);

/* true when req may change state: no Origin header, or one naming this
 * server (http:// plus the request's Host, or the bound address), and no
 * Sec-Fetch-Site other than same-origin or none.  Else a 403 was sent. */
bool serve_same_origin(struct serve *s, struct evhttp_request *req);

#endif
