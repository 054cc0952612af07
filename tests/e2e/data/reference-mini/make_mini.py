#!/usr/bin/env python3
"""tests/e2e/data/reference-mini/make_mini.py: writes reference.json, the small
validate dataset (sim/validate/dataset.h's format) that tests/e2e/check_reference.c
checks ITSELF on before the lead commits the real bench/validate/reference.json.

What is real and what is not:
  - transfer-1500.pcap and transfer-9000.pcap are real: a 1.5 MB (MTU 1500) and a
    2 MB (MTU 9000) transfer between two network namespaces, made with
      traces/capture-netns.sh capture X.pcap --family 4 --flows 1 --bytes B --mtu M
    and cut to headers with `editcap -s 128` (the model runs them with --payload synth).
  - the repetitions are NOT a run of rxsim validate: their core cycles/byte are
    spread over the ranges issue 12's hand measurement on this machine class
    reports (3.9-4.6 cycles/byte at MTU 1500 without GRO; GRO 0.56-0.66x; MTU
    9000 0.40-0.45x), four rounds each, and every core sample is put in the
    "protocol" category (the issue gives no per-category split).  The counters
    are consistent with a 256 MiB transfer (segments = bytes / MSS, 2.5 ACKs per
    100 segments, 28 segments per skb with GRO, one 64 KiB recv per call).
  - tests/meson.build gives the check a loose bound, 0.75, for this file: it is
    here to exercise the check (bound, directions, determinism), not to hold the
    model to the issue's +-30 %; the reference does that.
Run it from this directory to rewrite reference.json.
"""
import json

TSC_GHZ = 2.445404          # this VM's TSC ('tsc: Detected 2445.404 MHz')
PERIOD_NS = 100000          # perf record -c on cpu-clock (kernel_opts' default)
BYTES = 256 << 20
CYCLES_PER_SAMPLE = PERIOD_NS * TSC_GHZ

BASE = [3.9, 4.1, 4.3, 4.6]             # same-csum-nogro-1500, rounds 0..3
GRO = [0.56, 0.60, 0.63, 0.66]          # gro / nogro per round
MTU = [0.40, 0.42, 0.43, 0.45]          # 9000 / 1500 per round


def rep(core, mss, seg_per_skb):
    segs = BYTES // mss
    core_samples = round(core * BYTES / CYCLES_PER_SAMPLE)
    return {
        "sample_period_ns": PERIOD_NS,
        "tsc_ghz": TSC_GHZ,
        "counters": {
            "seconds": 0.78, "bytes": BYTES, "segs_in": segs, "segs_out": segs // 40,
            "delayed_acks": segs // 80, "skbs": segs // seg_per_skb, "net_rx_softirqs": segs // 8,
            "recv_calls": BYTES // 65536, "nvcsw": 2000, "nivcsw": 10, "reader_cpu_seconds": 0.6,
            "rcvq_median": 2500000, "rcvq_max": 4000000, "steal_share": 0.0,
        },
        "attrib": {
            "samples": core_samples, "side": {"rx": core_samples},
            "rx_category": {"protocol": core_samples}, "rx_unmapped": 0, "event": {},
            "protocol_on_cpu": [core_samples // 20, core_samples - core_samples // 20],
            "shared": 0, "shared_category": {}, "shared_event": {}, "shared_on_cpu": [0, 0],
        },
    }


def config(name, gro, mtu, held_out, capture, cores):
    mss = mtu - 52                      # IPv4 + TCP with timestamps
    return {
        "name": name, "placement": "same", "csum": True, "gro": gro, "mtu": mtu,
        "held_out": held_out, "capture": capture, "model": None,
        "reps": [rep(c, mss, 28 if gro else 1) for c in cores],
    }


doc = {
    "version": 1,
    "kernel": "6.18 (figures from issue 12, not a validate run)",
    "cpu": "AMD EPYC (nested VM)",
    "date": "2026-12-03T06:00:00Z",
    "command": "tests/e2e/data/reference-mini/make_mini.py",
    "tsc_ghz": TSC_GHZ,
    "msg_size": 65536,
    "bytes": BYTES,
    "capture_bytes": 1500000,
    "preflight": {
        "pmu": False, "hypervisor": True, "nested": True, "wakeup_us_median": 0.0, "wakeup_us_p90": 0.0,
        "speed_cv": 0.0, "other_share": 0.0, "steal_share": 0.0, "quiet": False,
        "verdict": "not probed: a test fixture (tests/e2e/data/reference-mini/make_mini.py)",
    },
    "configs": [
        config("same-csum-nogro-1500", False, 1500, False, "transfer-1500.pcap", BASE),
        config("same-csum-gro-1500", True, 1500, True, "transfer-1500.pcap",
               [b * r for b, r in zip(BASE, GRO)]),
        config("same-csum-nogro-9000", False, 9000, True, "transfer-9000.pcap",
               [b * r for b, r in zip(BASE, MTU)]),
    ],
}

with open("reference.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
