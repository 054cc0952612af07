/* sim/serve/serve_upload.h: POST /upload: a pcap/pcapng as multipart/form-data. */
#ifndef RXSIM_SERVE_SERVE_UPLOAD_H
#define RXSIM_SERVE_SERVE_UPLOAD_H

#include <event2/http.h>

struct serve;

void serve_upload_post(struct serve *s, struct evhttp_request *req);

#endif
