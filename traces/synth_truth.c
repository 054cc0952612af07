/* traces/synth_truth.c: the truth sidecar rxsim synth writes beside a trace
 * (TRACE.truth.json): what was sent, the SHA-256 a receiving application
 * reads per direction, and what rxsim inspect --json should report. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "traces/synth_private.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_expect(FILE *f, const struct synth_dir_expect *x)
{
    fprintf(f, "\"expect\": {\"segments\": %" PRIu64 ", \"bytes_delivered\": %" PRIu64
            ", \"retransmitted_segments\": %" PRIu64 ", \"out_of_order_segments\": %" PRIu64
            ", \"bad_checksum_segments\": %" PRIu64 "}",
            x->segments, x->bytes, x->retransmitted_segments, x->out_of_order_segments,
            x->bad_checksum_segments);
}

int synth_write_truth(const struct synth_opts *o, const struct synth_result *res,
                      const char *path, const char *command, char *msg, size_t size)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        synth_set_msg(msg, size, "%s: %s", path, strerror(errno));
        return -1;
    }
    const char *base = strrchr(o->path, '/');
    static const char empty_sha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    uint64_t retr = 0, ooo = 0;
    for (uint32_t i = 0; i < o->flows; i++) {
        retr += res->flow[i].up.retransmitted_segments;
        ooo += res->flow[i].up.out_of_order_segments;
    }
    fprintf(f, "{\n \"trace\": ");
    json_str(f, base ? base + 1 : o->path);
    fprintf(f, ",\n \"made_by\": \"rxsim synth\",\n \"command\": ");
    json_str(f, command ? command : "");
    fprintf(f, ",\n \"ip_version\": %d,\n", o->ipv6 ? 6 : 4);
    fprintf(f, " \"file\": {\"packets\": %" PRIu64 ", \"linktype\": 1, \"nanosecond\": %s, \"snaplen\": %u"
            ", \"first_ts_ns\": %" PRIu64 ", \"last_ts_ns\": %" PRIu64 "},\n",
            res->frames, o->nsec ? "true" : "false", synth_file_snaplen(o), res->first_ts_ns, res->last_ts_ns);
    fprintf(f, " \"options\": {\"flows\": %" PRIu32 ", \"bytes\": %" PRIu64 ", \"mtu\": %" PRIu32
            ", \"mss\": %" PRIu32 ", \"segment_payload\": %" PRIu32 ", \"send_size\": %" PRIu32
            ", \"rate_bps\": %" PRIu64 ", \"loss\": %.17g, \"reorder\": %.17g, \"dup\": %.17g"
            ", \"bad_csum\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"acks\": %s},\n",
            o->flows, o->bytes, o->mtu, res->mss, res->seg_payload, o->send_size, o->rate_bps,
            o->loss, o->reorder, o->dup, o->bad_csum, o->seed, o->acks ? "true" : "false");
    fprintf(f, " \"content\": \"flow i (0-based): the first bytes of the little-endian 8-byte outputs of "
            "xoshiro256** seeded through splitmix64 (sim/rng.h) with seed + (i + 1) * 0x9e3779b97f4a7c15 "
            "mod 2^64 (content_seed below)\",\n");
    fprintf(f, " \"totals\": {\"data_segments\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"reordered\": %" PRIu64
            ", \"duplicated\": %" PRIu64 ", \"bad_checksum_segments\": %" PRIu64
            ", \"retransmitted_segments\": %" PRIu64 ", \"out_of_order_segments\": %" PRIu64 "},\n",
            res->data_segments * o->flows, res->lost, res->reordered, res->duplicated, res->bad_csum,
            retr, ooo);
    fprintf(f, " \"directions\": [");
    for (uint32_t i = 0; i < o->flows; i++) {
        const struct synth_flow *fl = &res->flow[i];
        char sha[65];
        for (int k = 0; k < 32; k++)
            sprintf(sha + 2 * k, "%02x", fl->sha256[k]);
        fprintf(f, "%s\n  {\"flow\": %" PRIu32 ", \"src\": \"%s\", \"sport\": %u, \"dst\": \"%s\", \"dport\": %u"
                ", \"bytes\": %" PRIu64 ", \"sha256\": \"%s\", \"read_by\": \"receiver\""
                ", \"content_seed\": \"0x%016" PRIx64 "\", \"write_size\": %" PRIu32
                ", \"data_segments\": %" PRIu64 ", \"impairments\": {\"lost\": %" PRIu64
                ", \"reordered\": %" PRIu64 ", \"duplicated\": %" PRIu64 ", \"bad_checksum\": %" PRIu64 "}, ",
                i ? "," : "", i, fl->client, fl->client_port, fl->server, fl->server_port, o->bytes, sha,
                fl->content_seed, o->send_size, fl->data_segments, fl->lost, fl->reordered, fl->duplicated,
                fl->bad_csum);
        json_expect(f, &fl->up);
        fprintf(f, "},\n  {\"flow\": %" PRIu32 ", \"src\": \"%s\", \"sport\": %u, \"dst\": \"%s\", \"dport\": %u"
                ", \"bytes\": 0, \"sha256\": \"%s\", \"read_by\": \"sender\", ",
                i, fl->server, fl->server_port, fl->client, fl->client_port, empty_sha);
        json_expect(f, &fl->down);
        fputc('}', f);
    }
    fprintf(f, "\n ],\n \"note\": \"sha256 = SHA-256 of the bytes a receiving application reads; expect = "
            "what rxsim inspect --json reports for the direction (segment-level model in traces/synth.c)\"\n}\n");
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        synth_set_msg(msg, size, "%s: write failed", path);
        unlink(path);
        return -1;
    }
    return 0;
}
