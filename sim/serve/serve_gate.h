/* sim/serve/serve_gate.h: the gate every connection passes through before
 * evhttp: the connection cap, each request's deadline, uploads spooled to disk. */
#ifndef RXSIM_SERVE_SERVE_GATE_H
#define RXSIM_SERVE_SERVE_GATE_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>
#include <stdint.h>

struct serve;

/* evhttp_set_bevcb's callback (arg: the struct serve): the filter
 * bufferevent, over a socket bufferevent evhttp gives the fd to, that every
 * connection's bytes pass through first. */
struct bufferevent *serve_gate_bev(struct event_base *base, void *arg);
/* The file the gate spooled req's body into (req carries X-Rxsim-Spool, a
 * header the gate sets and strips from what clients send): 1 with its path
 * and length, the caller now owning the file (it must unlink it); 0 when the
 * body came the ordinary way (evhttp's input buffer); -1 when the header
 * names no spool of this connection. */
int serve_gate_take_spool(struct serve *s, struct evhttp_request *req, char *path, size_t size, uint64_t *len);

#endif
