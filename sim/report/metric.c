/* sim/report/metric.c: the metric table (metric.h) and what reads it:
 * ranks, values, and the same figures read back from a JSON report. */
#include "sim/report/metric.h"

#include <string.h>

#define AT(field) offsetof(struct run_metrics, field)

/* In JSON order.  The strings are the outputs' own; changing one changes
 * that output (bench/same_reports.sh compares them byte for byte). */
const struct report_metric report_metrics[] = {
    { .key = "partial", .kind = REPORT_BOOL, .offset = AT(partial), .note = "yes: the report covers what was read",
      .text_rank = 2, .text_line = "simulated", .text = "  (PARTIAL trace)",
      .page_rank = 21, .page_label = "partial trace" },
    { .group = "payload_synthesised", .key = "segments", .kind = REPORT_U64, .offset = AT(synth_segments),
      .flags = REPORT_SYNTH_ONLY, .csv = "payload_synthesised_segments", .csv_rank = 1 },
    { .group = "payload_synthesised", .key = "bytes", .kind = REPORT_U64, .offset = AT(synth_bytes),
      .flags = REPORT_SYNTH_ONLY, .csv = "payload_synthesised_bytes", .csv_rank = 2 },
    { .group = "payload_synthesised", .key = "checksums", .kind = REPORT_NOTE, .flags = REPORT_SYNTH_ONLY,
      .note = "treated as verified" },
    { .key = "elapsed_s", .kind = REPORT_DOUBLE, .offset = AT(elapsed_s),
      .label = "simulated time (s)", .unit = "s", .decimals = 6,
      .csv = "elapsed_s", .csv_decimals = 9, .csv_rank = 3,
      .text_rank = 1, .text_line = "simulated", .text_decimals = 6, .text = "{v} s",
      .page_rank = 16, .page_label = "simulated time (s)" },
    { .key = "frames_offered", .kind = REPORT_U64, .offset = AT(frames_offered),
      .label = "frames offered", .unit = "frames", .csv = "frames_offered", .csv_rank = 4,
      .text_rank = 3, .text_line = "frames", .text = "{v} offered to the NIC",
      .page_rank = 11, .page_label = "frames offered" },
    { .key = "trace_warnings", .kind = REPORT_U64, .offset = AT(trace_warnings), .flags = REPORT_TEXT_IF_SET,
      .csv = "trace_warnings", .csv_rank = 22,
      .text_rank = 7, .text_line = "warnings", .text = "{v} trace records warned about (the first are on stderr)" },
    { .group = "replay_clock", .key = "backward_steps", .kind = REPORT_U64, .offset = AT(ts_backward),
      .flags = REPORT_TEXT_IF_SET, .csv = "clock_backward_steps", .csv_rank = 23,
      .text_rank = 9, .text_line = "replay clock",
      .text = "{v} frames stamped before the previous one (each follows it by its own serialization time)" },
    { .group = "replay_clock", .key = "idle_gaps_clamped", .kind = REPORT_U64, .offset = AT(gaps_clamped),
      .flags = REPORT_TEXT_IF_SET, .csv = "clock_idle_gaps_clamped", .csv_rank = 24,
      .text_rank = 10, .text_line = "replay clock", .text = "; {v} idle gaps over" },
    { .group = "replay_clock", .key = "max_idle_gap_s", .kind = REPORT_U64, .offset = AT(max_idle_gap_s),
      .text_rank = 11, .text_line = "replay clock", .text = " {v} s shortened to it" },
    { .group = "replay_clock", .key = "idle_removed_s", .kind = REPORT_DOUBLE, .offset = AT(idle_removed_s),
      .csv = "clock_idle_removed_s", .csv_decimals = 9, .csv_rank = 25,
      .text_rank = 12, .text_line = "replay clock", .text_decimals = 0, .text = " ({v} s of idle removed)" },
    { .group = "replay_clock", .key = "range_exhausted", .kind = REPORT_BOOL, .offset = AT(clock_full) },
    { .key = "nics_without_frames", .kind = REPORT_U64, .offset = AT(nics_without_frames),
      .flags = REPORT_TEXT_IF_SET, .csv = "nics_without_frames", .csv_rank = 26,
      .text_rank = 8, .text_line = "warning",
      .text = "{v} NIC{s} received no IP frames (none addressed to its host)" },
    { .key = "frames_skipped_not_to_host", .kind = REPORT_U64, .offset = AT(frames_skipped), .flags = REPORT_TRACE_ONLY,
      .label = "frames skipped (in the trace, not to the host)", .unit = "frames",
      .text_rank = 4, .text_line = "frames", .text = " (the trace's {v} other frames, not to this host, were skipped)",
      .page_rank = 12, .page_label = "frames in the trace not to the host (skipped, not offered)" },
    { .key = "frames_to_stack", .kind = REPORT_U64, .offset = AT(frames_to_stack),
      .label = "frames to the stack", .unit = "frames", .csv = "frames_to_stack", .csv_rank = 5,
      .text_rank = 5, .text_line = "frames", .text = "; {v} of them reached the stack",
      .page_rank = 13, .page_label = "frames offered that reached the stack" },
    { .key = "frames_dropped", .kind = REPORT_U64, .offset = AT(frames_dropped),
      .label = "frames dropped", .unit = "frames", .csv = "frames_dropped", .csv_rank = 6,
      .text_rank = 6, .text_line = "frames", .text = ", {v} dropped (by the NIC or the stack: see drops)",
      .compare_rank = 8, .compare_key = "drops", .compare_heading = "drops",
      .page_rank = 14, .page_label = "frames dropped" },
    { .key = "bytes_read", .kind = REPORT_U64, .offset = AT(bytes_read),
      .label = "bytes read by the application", .unit = "bytes", .csv = "bytes_read", .csv_rank = 7,
      .text_rank = 15, .text_line = "goodput", .text = " ({v} bytes read by the readers)",
      .text_after_nm = "; {v} bytes read by the readers",
      .page_rank = 15, .page_label = "bytes read by the application" },
    { .key = "bytes_unread", .kind = REPORT_U64, .offset = AT(bytes_unread), .flags = REPORT_TEXT_IF_SET,
      .csv = "bytes_unread", .csv_rank = 8,
      .text_rank = 16, .text_line = "UNREAD",
      .text = "{v} bytes delivered to sockets were never read by their readers" },
    { .key = "goodput_mbps", .kind = REPORT_DOUBLE, .offset = AT(goodput_mbps), .flags = REPORT_NM,
      .label = "goodput", .unit = "Mbit/s", .decimals = 1,
      .csv = "goodput_mbps", .csv_decimals = 3, .csv_rank = 9,
      .text_rank = 14, .text_line = "goodput", .text_decimals = 1, .text = "{v} Mbit/s", .text_nm = "{nm}",
      .compare_rank = 1, .compare_key = "goodput", .compare_heading = "goodput",
      .page_rank = 1, .page_label = "goodput (Mbit/s)" },
    { .key = "cpu_utilisation", .kind = REPORT_DOUBLE, .offset = AT(util_avg), .flags = REPORT_PERCENT,
      .label = "CPU utilisation, average", .unit = "%", .decimals = 2,
      .csv = "cpu_utilisation", .csv_decimals = 6, .csv_rank = 10,
      .text_rank = 17, .text_line = "CPU", .text_decimals = 1, .text = "{v} % average",
      .page_rank = 3, .page_label = "CPU utilisation, average (%)" },
    { .key = "throughput_scaled_to_cpu_mbps", .kind = REPORT_DOUBLE, .offset = AT(scaled_mbps),
      .flags = REPORT_NM | REPORT_PIVOT, .label = "throughput scaled to CPU", .unit = "Mbit/s", .decimals = 1,
      .csv = "throughput_scaled_to_cpu_mbps", .csv_decimals = 3, .csv_rank = 11,
      .text_rank = 18, .text_line = "CPU", .text_decimals = 1,
      .text = "; throughput scaled to 100% CPU: {v} Mbit/s", .text_nm = "; throughput scaled to 100% CPU: {nm}",
      .compare_rank = 2, .compare_key = "scaled-throughput", .compare_heading = "scaled to CPU",
      .page_rank = 2, .page_label = "throughput scaled to 100% CPU (Mbit/s)" },
    { .key = "service_demand_us_per_kb", .kind = REPORT_DOUBLE, .offset = AT(service_demand_us_per_kb),
      .flags = REPORT_NM, .label = "service demand", .unit = "us/KB", .decimals = 3,
      .csv = "service_demand_us_per_kb", .csv_decimals = 6, .csv_rank = 31,
      .text_rank = 43, .text_line = "service demand", .text_decimals = 3,
      .text = "{v} us of CPU per KB read (netperf's service demand: all CPUs' busy time / KB)",
      .text_nm = "{nm}",
      .compare_rank = 3, .compare_key = "service-demand", .compare_heading = "service demand",
      .page_rank = 25, .page_label = "service demand (us of CPU per KB read)" },
    { .key = "cycles_total", .kind = REPORT_U64, .offset = AT(total_cycles) },
    { .key = "cycles_per_byte", .kind = REPORT_DOUBLE, .offset = AT(cycles_per_byte), .flags = REPORT_NM,
      .label = "cycles per byte", .unit = "cycles/byte", .decimals = 3,
      .csv = "cycles_per_byte", .csv_decimals = 6, .csv_rank = 12,
      .text_rank = 19, .text_line = "cycles", .text_decimals = 2, .text = "{v} per byte",
      .text_nm = "per byte {nm}",
      .compare_rank = 4, .compare_key = "cycles-per-byte", .compare_heading = "cycles/byte",
      .page_rank = 4, .page_label = "cycles per byte" },
    { .key = "cycles_per_packet", .kind = REPORT_DOUBLE, .offset = AT(cycles_per_packet),
      .label = "cycles per packet", .unit = "cycles", .decimals = 1,
      .csv = "cycles_per_packet", .csv_decimals = 3, .csv_rank = 13,
      .text_rank = 20, .text_line = "cycles", .text_decimals = 0, .text = ", {v} per packet",
      .text_after_nm = "; {v} per packet",
      .page_rank = 5, .page_label = "cycles per packet" },
    { .key = "cycles_per_byte_by_category", .kind = REPORT_PER_CATEGORY, .offset = AT(cat_per_byte),
      .flags = REPORT_NM | REPORT_STACKED, .label = "cycles per byte by category", .unit = "cycles/byte",
      .csv = "cycles_per_byte", .csv_decimals = 6,
      .text_decimals = 3, .text = " {c} {v}", .text_nm = " {nm}",
      .compare_key = "cycles-per-byte", .compare_heading = "cycles per byte" },
    { .key = "interrupts", .kind = REPORT_U64, .offset = AT(interrupts),
      .label = "interrupts", .csv = "interrupts", .csv_rank = 14,
      .text_rank = 21, .text_line = "interrupts", .text = "{v}",
      .page_rank = 8, .page_label = "interrupts" },
    { .key = "softirq_polls", .kind = REPORT_U64, .offset = AT(polls),
      .label = "softirq polls",
      .text_rank = 23, .text_line = "interrupts", .text = "; softirq polls {v}",
      .page_rank = 9, .page_label = "softirq polls" },
    { .key = "napi_timer_polls", .kind = REPORT_U64, .offset = AT(napi_timer_polls),
      .label = "polls the gro_flush_timeout timer scheduled" },
    { .key = "xmit_passes", .kind = REPORT_U64, .offset = AT(xmit_passes),
      .label = "veth: softirq passes the sender's xmit ran on its own CPU, no interrupt (each an xmit_pass)" },
    { .key = "beside_sender_skbs", .kind = REPORT_U64, .offset = AT(beside_sender_skbs),
      .label = "veth: skbs taken in on the sender's CPU, their reader on another (each a beside_sender_skb)" },
    { .key = "irqs_deferred", .kind = REPORT_U64, .offset = AT(irqs_deferred),
      .label = "completed polls that left the interrupt masked (napi_defer_hard_irqs)" },
    { .key = "refill_retries", .kind = REPORT_U64, .offset = AT(refill_retries),
      .label = "polls a ring out of buffers scheduled to refill (every 1 ms while frames may come)" },
    { .key = "veth_sender_lines", .kind = REPORT_U64, .offset = AT(veth_sender_lines),
      .label = "veth: frame lines the sender's copy left in its CPU's cache (no DMA)" },
    { .key = "csum_lines_hit", .kind = REPORT_U64, .offset = AT(csum_hits),
      .label = "--csum softirq: lines its checksum found in its own CPU's cache" },
    { .key = "csum_lines_miss", .kind = REPORT_U64, .offset = AT(csum_misses),
      .label = "--csum softirq: lines its checksum read from memory (a NIC's DMA left them there)" },
    { .key = "csum_lines_transfer", .kind = REPORT_U64, .offset = AT(csum_transfers),
      .label = "--csum softirq: lines its checksum pulled from another CPU's cache (a veth sender's)" },
    { .key = "protocol_passes", .kind = REPORT_U64, .offset = AT(passes),
      .label = "protocol passes",
      .text_rank = 24, .text_line = "interrupts", .text = "; protocol passes {v}" },
    { .key = "frames_per_interrupt", .kind = REPORT_DOUBLE, .offset = AT(frames_per_irq),
      .label = "frames per interrupt", .unit = "frames", .decimals = 2,
      .csv = "frames_per_interrupt", .csv_decimals = 4, .csv_rank = 15,
      .text_rank = 22, .text_line = "interrupts", .text_decimals = 2, .text = " ({v} frames each)",
      .compare_rank = 6, .compare_key = "frames-per-interrupt", .compare_heading = "frames/irq",
      .page_rank = 6, .page_label = "frames per interrupt" },
    { .key = "frames_per_pass", .kind = REPORT_DOUBLE, .offset = AT(frames_per_pass),
      .label = "frames per protocol pass", .unit = "frames", .decimals = 2,
      .csv = "frames_per_pass", .csv_decimals = 4, .csv_rank = 16,
      .text_rank = 25, .text_line = "interrupts", .text_decimals = 2, .text = " ({v} frames each)",
      .page_rank = 7, .page_label = "frames per protocol pass" },
    { .key = "acks", .kind = REPORT_U64, .offset = AT(acks), .label = "ACKs",
      .page_rank = 18, .page_label = "ACKs" },
    { .key = "wakeups", .kind = REPORT_U64, .offset = AT(wakeups), .label = "wakeups",
      .text_rank = 38, .text_line = "wakeups", .text = "{v}",
      .page_rank = 17, .page_label = "wakeups" },
    { .key = "wakeups_remote", .kind = REPORT_U64, .offset = AT(wakeups_remote),
      .label = "wakeups to another CPU than the waking softirq's", .unit = "wakeups",
      .csv = "wakeups_remote", .csv_rank = 28,
      .text_rank = 39, .text_line = "wakeups", .text = " ({v} to another CPU)",
      .compare_rank = 9, .compare_key = "remote-wakeups", .compare_heading = "remote wakeups",
      .page_rank = 23, .page_label = "wakeups to another CPU" },
    { .key = "migrations", .kind = REPORT_U64, .offset = AT(migrations),
      .label = "reader migrations", .unit = "moves", .csv = "migrations", .csv_rank = 29,
      .text_rank = 41, .text_line = "migrations", .text = "{v} reader moves to another CPU",
      .compare_rank = 10, .compare_key = "migrations", .compare_heading = "migrations",
      .page_rank = 24, .page_label = "reader migrations (moves to another CPU)" },
    { .key = "migrations_by_balance", .kind = REPORT_U64, .offset = AT(migrations_balance),
      .csv = "migrations_by_balance", .csv_rank = 30,
      .text_rank = 42, .text_line = "migrations", .text = " ({v} by the load balancer)" },
    { .key = "rcvq_median_bytes", .kind = REPORT_U64, .offset = AT(rcvq_median_bytes),
      .label = "receive queue at recv(), median", .unit = "bytes",
      .csv = "rcvq_median_bytes", .csv_rank = 27,
      .text_rank = 40, .text_line = "socket queue", .text = "{v} bytes median when a reader called recv()",
      .page_rank = 22, .page_label = "receive queue when a reader called recv(), median (bytes)" },
    { .key = "rx_queues", .kind = REPORT_U64, .offset = AT(rx_queues),
      .label = "RX queues", .unit = "queues", .csv = "rx_queues", .csv_rank = 32,
      .text_rank = 44, .text_line = "RX queues", .text = "{v}",
      .page_rank = 26, .page_label = "RX queues" },
    { .key = "rx_queues_without_frames", .kind = REPORT_U64, .offset = AT(rx_queues_idle), .flags = REPORT_TEXT_IF_SET,
      .label = "RX queues without a frame", .unit = "queues", .csv = "rx_queues_without_frames", .csv_rank = 33,
      .text_rank = 45, .text_line = "RX queues",
      .text = "; {v} got no frame (RSS keeps each connection on one queue: with few connections, "
              "queues and the CPUs serving them stay idle; per queue below)",
      .page_rank = 27, .page_label = "RX queues that got no frame (RSS: a connection stays on one queue)" },
    { .key = "backlog_skbs", .kind = REPORT_U64, .offset = AT(backlog_skbs),
      .label = "skbs to the socket backlog (reader held the lock)", .unit = "skbs",
      .csv = "backlog_skbs", .csv_rank = 34,
      .text_rank = 46, .text_line = "socket backlog", .text = "{v} skbs queued while a reader held the lock" },
    { .key = "backlog_drains", .kind = REPORT_U64, .offset = AT(backlog_drains),
      .label = "release_sock calls that processed a backlog", .unit = "calls",
      .csv = "backlog_drains", .csv_rank = 35,
      .text_rank = 47, .text_line = "socket backlog", .text = " (processed by readers in {v} release_sock calls)" },
    { .key = "rcvbuf_grows", .kind = REPORT_U64, .offset = AT(rcvbuf_grows), .flags = REPORT_TEXT_IF_SET,
      .label = "receive buffer autotuning steps", .unit = "steps", .csv = "rcvbuf_grows", .csv_rank = 36,
      .text_rank = 48, .text_line = "receive buffer", .text = "{v} autotuning steps" },
    { .key = "rcvbuf_prunes", .kind = REPORT_U64, .offset = AT(rcvbuf_prunes), .flags = REPORT_TEXT_IF_SET,
      .label = "tcp_prune_queue runs (receive buffer full)", .unit = "runs", .csv = "rcvbuf_prunes", .csv_rank = 37,
      .text_rank = 49, .text_line = "receive buffer", .text = "; {v} tcp_prune_queue runs" },
    { .key = "rcvbuf_over_skbs", .kind = REPORT_U64, .offset = AT(rcvbuf_over), .flags = REPORT_TEXT_IF_SET,
      .label = "skbs past the receive buffer (the kernel drops them; kept)", .unit = "skbs",
      .csv = "rcvbuf_over_skbs", .csv_rank = 38,
      .text_rank = 50, .text_line = "receive buffer", .text = "; {v} skbs past it, which the kernel would drop" },
    { .key = "rcvbuf_over_bytes", .kind = REPORT_U64, .offset = AT(rcvbuf_over_bytes), .flags = REPORT_TEXT_IF_SET,
      .csv = "rcvbuf_over_bytes", .csv_rank = 39,
      .text_rank = 51, .text_line = "receive buffer", .text = " ({v} bytes, kept: an open-loop replay)" },
    { .group = "sender", .key = "segments", .kind = REPORT_U64, .offset = AT(snd_segments),
      .flags = REPORT_CLOSED_ONLY | REPORT_TEXT_IF_SET, .label = "segments sent", .unit = "segments",
      .csv = "sender_segments", .csv_rank = 40,
      .text_rank = 52, .text_line = "closed loop", .text = "{v} segments sent" },
    { .group = "sender", .key = "retransmits", .kind = REPORT_U64, .offset = AT(snd_retransmits),
      .flags = REPORT_CLOSED_ONLY, .label = "retransmitted segments", .unit = "segments",
      .csv = "sender_retransmits", .csv_rank = 41,
      .text_rank = 53, .text_line = "closed loop", .text = ", {v} retransmitted" },
    { .group = "sender", .key = "fast_retransmits", .kind = REPORT_U64, .offset = AT(snd_fast_retransmits),
      .flags = REPORT_CLOSED_ONLY, .csv = "sender_fast_retransmits", .csv_rank = 42,
      .text_rank = 54, .text_line = "closed loop", .text = " ({v} fast retransmits" },
    { .group = "sender", .key = "rtos", .kind = REPORT_U64, .offset = AT(snd_rtos),
      .flags = REPORT_CLOSED_ONLY, .csv = "sender_rtos", .csv_rank = 43,
      .text_rank = 55, .text_line = "closed loop", .text = ", {v} RTOs)" },
    { .group = "sender", .key = "recovery_s", .kind = REPORT_DOUBLE, .offset = AT(snd_recovery_s),
      .flags = REPORT_CLOSED_ONLY, .label = "time in recovery, summed over flows", .unit = "s", .decimals = 6,
      .csv = "sender_recovery_s", .csv_decimals = 9, .csv_rank = 44,
      .text_rank = 56, .text_line = "closed loop", .text_decimals = 6, .text = ", {v} s in recovery" },
    { .group = "sender", .key = "bytes_stranded", .kind = REPORT_U64, .offset = AT(snd_stranded),
      .flags = REPORT_CLOSED_ONLY, .label = "bytes never acknowledged", .unit = "bytes",
      .csv = "sender_bytes_stranded", .csv_rank = 45,
      .text_rank = 57, .text_line = "closed loop", .text = ", {v} bytes stranded" },
    { .group = "sender", .key = "zero_window_probes", .kind = REPORT_U64, .offset = AT(snd_probes),
      .flags = REPORT_CLOSED_ONLY, .csv = "sender_zero_window_probes", .csv_rank = 46 },
    { .group = "sender", .key = "dupacks", .kind = REPORT_U64, .offset = AT(snd_dupacks),
      .flags = REPORT_CLOSED_ONLY, .csv = "sender_dupacks", .csv_rank = 47 },
    { .group = "sender", .key = "wire_losses", .kind = REPORT_U64, .offset = AT(snd_wire_lost),
      .flags = REPORT_CLOSED_ONLY | REPORT_TEXT_IF_SET, .label = "data frames lost on the wire (--loss)",
      .unit = "frames", .csv = "sender_wire_losses", .csv_rank = 67,
      .text_rank = 75, .text_line = "wire", .text = "{v} data frames lost (--loss)" },
    { .group = "sender", .key = "wire_reorders", .kind = REPORT_U64, .offset = AT(snd_wire_reordered),
      .flags = REPORT_CLOSED_ONLY | REPORT_TEXT_IF_SET, .label = "data frames held behind later ones (--reorder)",
      .unit = "frames", .csv = "sender_wire_reorders", .csv_rank = 68,
      .text_rank = 76, .text_line = "wire", .text = ", {v} held behind later ones (--reorder)" },
    { .group = "sender", .key = "bytes_not_sent", .kind = REPORT_U64, .offset = AT(snd_not_sent),
      .flags = REPORT_CLOSED_ONLY | REPORT_TEXT_IF_SET, .label = "bytes never sent (the senders stopped at --duration)",
      .unit = "bytes", .csv = "sender_bytes_not_sent", .csv_rank = 69,
      .text_rank = 77, .text_line = "stopped", .text = "{v} bytes not sent (--duration)" },
    /* --replay closed at saturation (saturation.h): the window's figures, the bottleneck */
    { .group = "saturation", .key = "window_start_s", .kind = REPORT_DOUBLE, .offset = AT(sat_start_s),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .csv = "saturation_window_start_s", .csv_decimals = 9, .csv_rank = 48 },
    { .group = "saturation", .key = "window_s", .kind = REPORT_DOUBLE, .offset = AT(sat_window_s),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .label = "saturation window", .unit = "s", .decimals = 6,
      .csv = "saturation_window_s", .csv_decimals = 9, .csv_rank = 49,
      .text_rank = 58, .text_line = "saturation", .text_decimals = 6,
      .text = "{v} s from a quarter to three quarters of the bytes acknowledged" },
    { .group = "saturation", .key = "goodput_mbps", .kind = REPORT_DOUBLE, .offset = AT(sat_goodput_mbps),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .label = "goodput at saturation", .unit = "Mbit/s", .decimals = 1,
      .csv = "saturation_goodput_mbps", .csv_decimals = 3, .csv_rank = 50,
      .text_rank = 59, .text_line = "saturation", .text_decimals = 1, .text = ": goodput {v} Mbit/s" },
    { .group = "saturation", .key = "acked_mbps", .kind = REPORT_DOUBLE, .offset = AT(sat_acked_mbps),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .label = "bytes acknowledged at saturation", .unit = "Mbit/s",
      .decimals = 1, .csv = "saturation_acked_mbps", .csv_decimals = 3, .csv_rank = 66 },
    { .group = "saturation", .key = "cpu_utilisation", .kind = REPORT_DOUBLE, .offset = AT(sat_util_avg),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION | REPORT_PERCENT, .label = "CPU utilisation at saturation, average", .unit = "%",
      .decimals = 2, .csv = "saturation_cpu_utilisation", .csv_decimals = 6, .csv_rank = 51,
      .text_rank = 60, .text_line = "saturation", .text_decimals = 1, .text = ", CPU {v} % average" },
    { .group = "saturation", .key = "busiest_cpu", .kind = REPORT_U64, .offset = AT(sat_busiest_cpu),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .csv = "saturation_busiest_cpu", .csv_rank = 52,
      .text_rank = 61, .text_line = "saturation", .text = " (busiest CPU {v}" },
    { .group = "saturation", .key = "busiest_cpu_utilisation", .kind = REPORT_DOUBLE, .offset = AT(sat_busiest_util),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION | REPORT_PERCENT, .label = "busiest CPU's utilisation at saturation", .unit = "%",
      .decimals = 2, .csv = "saturation_busiest_cpu_utilisation", .csv_decimals = 6, .csv_rank = 53,
      .text_rank = 62, .text_line = "saturation", .text_decimals = 1, .text = " {v} %)" },
    { .group = "saturation", .key = "throughput_scaled_to_cpu_mbps", .kind = REPORT_DOUBLE,
      .offset = AT(sat_scaled_mbps), .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .label = "throughput at saturation scaled to 100% CPU",
      .unit = "Mbit/s", .decimals = 1, .csv = "saturation_throughput_scaled_to_cpu_mbps", .csv_decimals = 3,
      .csv_rank = 54, .text_rank = 63, .text_line = "saturation", .text_decimals = 1,
      .text = ", scaled to 100% CPU {v} Mbit/s" },
    { .group = "saturation", .key = "busiest_link", .kind = REPORT_U64, .offset = AT(sat_busiest_link),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .csv = "saturation_busiest_link", .csv_rank = 55,
      .text_rank = 65, .text_line = "limits", .text = " (the busiest: nic{v})" },
    { .group = "saturation", .key = "link_utilisation", .kind = REPORT_DOUBLE, .offset = AT(sat_link_util),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION | REPORT_PERCENT, .label = "links' utilisation at saturation, all together", .unit = "%",
      .decimals = 2, .csv = "saturation_link_utilisation", .csv_decimals = 6, .csv_rank = 56,
      .text_rank = 64, .text_line = "limits", .text_decimals = 1, .text = "links {v} % busy together" },
    { .group = "saturation", .key = "rwnd_limited", .kind = REPORT_DOUBLE, .offset = AT(sat_rwnd_limited),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION | REPORT_PERCENT, .label = "flows' time stopped by the receive window", .unit = "%",
      .decimals = 2, .csv = "saturation_rwnd_limited", .csv_decimals = 6, .csv_rank = 57,
      .text_rank = 66, .text_line = "limits", .text_decimals = 1,
      .text = "; senders stopped by the receive window {v} % of the time" },
    { .group = "saturation", .key = "ring_drops", .kind = REPORT_U64, .offset = AT(sat_ring_drops),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .csv = "saturation_ring_drops", .csv_rank = 58,
      .text_rank = 67, .text_line = "limits", .text = "; {v} ring/pool drops" },
    { .group = "saturation", .key = "retransmits", .kind = REPORT_U64, .offset = AT(sat_retransmits),
      .flags = REPORT_CLOSED_ONLY | REPORT_SATURATION, .csv = "saturation_retransmits", .csv_rank = 59,
      .text_rank = 68, .text_line = "limits", .text = ", {v} retransmits" },
    { .group = "saturation", .key = "bottleneck", .kind = REPORT_TEXT, .offset = AT(bottleneck),
      .flags = REPORT_CLOSED_ONLY | REPORT_TEXT_IF_SET, .label = "bottleneck", .csv = "saturation_bottleneck", .csv_rank = 60,
      .text_rank = 69, .text_line = "bottleneck",
      .text = "{v} (the rule: docs/model.md, \"Saturation and the bottleneck\")" },
    { .group = "zerocopy", .key = "calls", .kind = REPORT_U64, .offset = AT(zc_calls),
      .flags = REPORT_ZC_ONLY | REPORT_TEXT_IF_SET, .csv = "zerocopy_calls", .csv_rank = 61,
      .text_rank = 70, .text_line = "zerocopy", .text = "{v} getsockopt calls" },
    { .group = "zerocopy", .key = "pages_mapped", .kind = REPORT_U64, .offset = AT(zc_pages),
      .flags = REPORT_ZC_ONLY, .csv = "zerocopy_pages_mapped", .csv_rank = 62,
      .text_rank = 71, .text_line = "zerocopy", .text = "; {v} pages mapped" },
    { .group = "zerocopy", .key = "bytes_mapped", .kind = REPORT_U64, .offset = AT(zc_bytes_mapped),
      .flags = REPORT_ZC_ONLY, .csv = "zerocopy_bytes_mapped", .csv_rank = 63,
      .text_rank = 72, .text_line = "zerocopy", .text = " ({v} bytes)" },
    { .group = "zerocopy", .key = "bytes_copied_fallback", .kind = REPORT_U64, .offset = AT(zc_bytes_copied),
      .flags = REPORT_ZC_ONLY, .csv = "zerocopy_bytes_copied_fallback", .csv_rank = 64,
      .text_rank = 73, .text_line = "zerocopy", .text = "; {v} bytes copied (not page-sized: read())" },
    { .group = "zerocopy", .key = "tlb_shootdown_ipis", .kind = REPORT_U64, .offset = AT(zc_tlb_ipis),
      .flags = REPORT_ZC_ONLY, .csv = "zerocopy_tlb_shootdown_ipis", .csv_rank = 65,
      .text_rank = 74, .text_line = "zerocopy", .text = "; {v} TLB shootdown IPIs" },
    { .key = "lines_moved", .kind = REPORT_U64, .offset = AT(lines_out_total),
      .label = "cache lines moved between CPUs", .unit = "lines",
      .csv = "lines_moved", .csv_rank = 17,
      .text_rank = 26, .text_line = "cache lines", .text = "{v} moved between CPUs",
      .compare_rank = 5, .compare_key = "lines-moved", .compare_heading = "lines moved",
      .page_rank = 10, .page_label = "cache lines moved between CPUs" },
    { .group = "skb", .key = "allocs", .kind = REPORT_U64, .offset = AT(skb_allocs),
      .text_rank = 27, .text_line = "skb", .text = "{v} allocs",
      .page_rank = 20, .page_label = "skb allocs / frees / remote frees / recycled" },
    { .group = "skb", .key = "frees", .kind = REPORT_U64, .offset = AT(skb_frees),
      .text_rank = 28, .text_line = "skb", .text = ", {v} frees", .page_rank = 20 },
    { .group = "skb", .key = "remote_frees", .kind = REPORT_U64, .offset = AT(skb_remote_frees),
      .csv = "skb_remote_frees", .csv_rank = 21,
      .text_rank = 29, .text_line = "skb", .text = ", {v} remote frees", .page_rank = 20 },
    { .group = "skb", .key = "recycled", .kind = REPORT_U64, .offset = AT(skb_recycled),
      .text_rank = 30, .text_line = "skb", .text = ", {v} recycled", .page_rank = 20 },
    { .group = "skb", .key = "exhausted", .kind = REPORT_U64, .offset = AT(skb_exhausted) },
    /* the defer policy (skb_attempt_defer_free): a line of its own, shown when it deferred */
    { .group = "skb", .key = "deferred", .kind = REPORT_U64, .offset = AT(skb_deferred), .flags = REPORT_TEXT_IF_SET,
      .text_rank = 31, .text_line = "skb deferred", .text = "{v} frees queued to the allocating CPU" },
    { .group = "skb", .key = "defer_flushes", .kind = REPORT_U64, .offset = AT(skb_defer_flushes),
      .flags = REPORT_TEXT_IF_SET, .text_rank = 32, .text_line = "skb deferred", .text = ", {v} list flushes" },
    { .group = "skb", .key = "defer_kicks", .kind = REPORT_U64, .offset = AT(skb_defer_kicks),
      .flags = REPORT_TEXT_IF_SET, .text_rank = 33, .text_line = "skb deferred", .text = ", {v} IPIs" },
    { .group = "skb", .key = "defer_full", .kind = REPORT_U64, .offset = AT(skb_defer_full),
      .flags = REPORT_TEXT_IF_SET, .text_rank = 34, .text_line = "skb deferred",
      .text = ", {v} freed on the spot (list full)" },
    { .group = "latency", .key = "p50_us", .kind = REPORT_DOUBLE, .offset = AT(lat_p50_us), .flags = REPORT_NM,
      .label = "p50 latency wire to application", .unit = "us", .decimals = 1,
      .csv = "latency_p50_us", .csv_decimals = 3, .csv_rank = 18,
      .text_rank = 35, .text_line = "latency", .text_decimals = 1, .text = "wire to application: p50 {v} us",
      .text_nm = "wire to application: {nm}",
      .page_rank = 19, .page_label = "latency wire to application p50 / p99 / max (us)" },
    { .group = "latency", .key = "p99_us", .kind = REPORT_DOUBLE, .offset = AT(lat_p99_us), .flags = REPORT_NM,
      .label = "p99 latency wire to application", .unit = "us", .decimals = 1,
      .csv = "latency_p99_us", .csv_decimals = 3, .csv_rank = 19,
      .text_rank = 36, .text_line = "latency", .text_decimals = 1, .text = ", p99 {v} us",
      .compare_rank = 7, .compare_key = "p99-latency", .compare_heading = "p99 latency", .page_rank = 19 },
    { .group = "latency", .key = "max_us", .kind = REPORT_DOUBLE, .offset = AT(lat_max_us), .flags = REPORT_NM,
      .label = "max latency wire to application", .unit = "us", .decimals = 1,
      .csv = "latency_max_us", .csv_decimals = 3, .csv_rank = 20,
      .text_rank = 37, .text_line = "latency", .text_decimals = 1, .text = ", max {v} us", .page_rank = 19 },
    { .key = "not_meaningful", .kind = REPORT_FLAGGED_KEYS },
    { .key = "unanswered", .kind = REPORT_UNANSWERED, .flags = REPORT_TEXT_IF_SET, .csv = "unanswered",
      .text_rank = 13, .text_line = "unanswered", .text = "{why}: the figures that depend on it are flagged" },
    { .key = "drops", .kind = REPORT_PER_DROP, .offset = AT(drops), .csv = "drops" },
};
const size_t report_nmetrics = sizeof report_metrics / sizeof report_metrics[0];
_Static_assert(sizeof report_metrics / sizeof report_metrics[0] <= REPORT_MAX_METRICS, "raise REPORT_MAX_METRICS");

int report_csv_rank(const struct report_metric *m) { return m->csv_rank; }
int report_text_rank(const struct report_metric *m) { return m->text_rank; }
int report_compare_rank(const struct report_metric *m) { return m->compare_rank; }
int report_page_rank(const struct report_metric *m) { return m->page_rank; }

const struct report_metric *report_ranked(int (*rank)(const struct report_metric *), int r)
{
    for (size_t i = 0; r > 0 && i < report_nmetrics; i++)
        if (rank(&report_metrics[i]) == r)
            return &report_metrics[i];
    return NULL;
}

size_t report_ranked_count(int (*rank)(const struct report_metric *))
{
    size_t n = 0;
    for (size_t i = 0; i < report_nmetrics; i++)
        n += rank(&report_metrics[i]) > 0;
    return n;
}

const struct report_metric *report_flagged_metric(unsigned flag)
{
    for (size_t i = 0; i < report_nmetrics; i++)
        if (report_metrics[i].flags & flag)
            return &report_metrics[i];
    return NULL;
}

const struct report_metric *report_metric_of_kind(enum report_kind kind)
{
    for (size_t i = 0; i < report_nmetrics; i++)
        if (report_metrics[i].kind == kind)
            return &report_metrics[i];
    return NULL;
}

const struct report_metric *report_compare_metric(size_t i)
{
    return report_ranked(report_compare_rank, (int)i + 1);
}

size_t report_ncompare(void)
{
    return report_ranked_count(report_compare_rank);
}

double report_value(const struct report_metric *m, const struct run_metrics *mt, int i)
{
    const char *p = (const char *)mt + m->offset;
    switch (m->kind) {
    case REPORT_U64: return (double)*(const uint64_t *)(const void *)p;
    case REPORT_DOUBLE: return *(const double *)(const void *)p;
    case REPORT_BOOL: return *(const bool *)(const void *)p;
    case REPORT_PER_CATEGORY: return ((const double *)(const void *)p)[i];
    case REPORT_PER_DROP: return (double)((const uint64_t *)(const void *)p)[i];
    case REPORT_TEXT: return *p != '\0';
    default: return 0;
    }
}

const char *report_top_key(const struct report_metric *m)
{
    return m->group ? m->group : m->key;
}

void report_label_unit(const struct report_metric *m, char *buf, size_t size)
{
    if (m->unit && *m->unit)
        snprintf(buf, size, "%s (%s)", m->label, m->unit);
    else
        snprintf(buf, size, "%s", m->label);
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && key && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

json_object *report_metric_json(json_object *report, const struct report_metric *m, int i)
{
    json_object *o = get(report, "result");
    if (m->group)
        o = get(o, m->group);
    o = get(o, m->key);
    if (m->kind == REPORT_PER_CATEGORY)
        o = get(o, sim_category_key(i));
    else if (m->kind == REPORT_PER_DROP)
        o = get(o, rx_drop_key(i));
    return o;
}

bool report_metric_number(json_object *report, const struct report_metric *m, int i, double *out)
{
    json_object *o = report_metric_json(report, m, i);
    if (!o || !(json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int)))
        return false;
    *out = json_object_get_double(o);
    return true;
}

bool report_metric_flagged(json_object *report, const struct report_metric *m)
{
    json_object *nm = get(get(report, "result"), "not_meaningful");
    const char *top = report_top_key(m);
    for (size_t i = 0; json_object_is_type(nm, json_type_array) && i < json_object_array_length(nm); i++) {
        const char *k = json_object_get_string(json_object_array_get_idx(nm, i));
        if (k && !strcmp(k, top))
            return true;
    }
    return false;
}
