#!/usr/bin/env bash
# traces/capture-netns.sh: real TCP captures between two network namespaces.
#
# Why: rxsim's tests need traces whose delivered bytes are known without
# trusting rxsim (or tshark).  Here a Linux sender and receiver exchange
# content from a seeded generator over a veth pair; tcpdump captures on the
# receiver's side; each application reports the SHA-256 of what it read.
# Those reports, not the capture, are the ground truth (<trace>.truth.json).
#
# Topology: namespace A (sender, 10.78.0.1 / fd78::1) --veth-- namespace B
# (receiver, 10.78.0.2 / fd78::2), MTU 1500 (--mtu 9000 for jumbo frames).
# Offloads are off on both veth ends (tx, rx, sg, tso, gso, gro), so
# checksums are complete and segments MSS-sized, as on a wire.  Nothing
# leaves the namespaces; they are deleted on exit.
#
# Usage:
#   capture-netns.sh                     make the shipped traces in traces/data/
#                                        and rewrite traces/data/README.md
#   capture-netns.sh capture OUT.pcap --family 4|6 --flows N --bytes B
#                    [--seed S] [--rate RATE] [--nano] [--write SIZE] [--mtu M]
#                                        one capture (OUT.pcap + OUT.pcap.truth.json)
# Content of flow i (0-based) = python3 random.Random(S + i).randbytes(B).
# Each connection: the sender writes its content, half-closes, and reads the
# receiver's reply line "RECEIVED <bytes> <sha256>\n"; both directions are in
# the truth file.
#
# Exit: 0 done, 77 skipped (not root, no netns, missing tools), 1 failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=capture-netns.sh

skip() { echo "$prog: SKIP: $*" >&2; exit 77; }
die() { echo "$prog: error: $*" >&2; exit 1; }

preflight() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, veth, tcpdump)"
    command -v ip >/dev/null || skip "iproute2 'ip' not found"
    command -v python3 >/dev/null || skip "python3 not found"
    command -v tcpdump >/dev/null || skip "tcpdump not found (apt-get install tcpdump)"
    if ! command -v ethtool >/dev/null; then
        if command -v apt-get >/dev/null; then
            echo "$prog: installing ethtool (offloads must be turned off)" >&2
            apt-get install -y ethtool >/dev/null 2>&1 ||
                { apt-get update >/dev/null 2>&1 && apt-get install -y ethtool >/dev/null 2>&1; } ||
                skip "ethtool missing and apt-get could not install it"
        else
            skip "ethtool not found"
        fi
    fi
    local probe="rxsprobe$$"
    ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces here"
    ip netns del "$probe"
}

# The sender/receiver/truth helper: Python standard library only.
write_helper() {
    cat >"$1" <<'PY'
import hashlib, json, random, socket, sys, threading

def content(seed, size):
    return random.Random(seed).randbytes(size)

def recv(argv):
    bind, port, conns, report = argv[0], int(argv[1]), int(argv[2]), argv[3]
    fam = socket.AF_INET6 if ":" in bind else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bind, port))
    s.listen(64)
    print("ready", flush=True)
    out, lock = [], threading.Lock()
    def serve(c, peer):
        h, n = hashlib.sha256(), 0
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        reply = ("RECEIVED %d %s\n" % (n, h.hexdigest())).encode()
        c.sendall(reply)
        local = c.getsockname()
        c.close()
        with lock:
            out.append({"src": peer[0], "sport": peer[1], "dst": local[0], "dport": local[1],
                        "bytes": n, "sha256": h.hexdigest(),
                        "reply_bytes": len(reply), "reply_sha256": hashlib.sha256(reply).hexdigest()})
    threads = []
    for _ in range(conns):
        c, peer = s.accept()
        t = threading.Thread(target=serve, args=(c, peer))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    json.dump(out, open(report, "w"))

def send(argv):
    dst, port, sport, seed, size, write, report = argv[0], int(argv[1]), int(argv[2]), \
        int(argv[3]), int(argv[4]), int(argv[5]), argv[6]
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    data = content(seed, size)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((dst, port))
    for off in range(0, size, write):
        s.sendall(data[off:off + write])
    s.shutdown(socket.SHUT_WR)
    h, reply = hashlib.sha256(), b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        reply += b
    s.close()
    json.dump({"seed": seed, "bytes": size, "sha256": hashlib.sha256(data).hexdigest(),
               "write_size": write, "sport": sport,
               "reply_read_bytes": len(reply), "reply_read_sha256": hashlib.sha256(reply).hexdigest(),
               "reply": reply.decode(errors="replace").strip()}, open(report, "w"))

def pcapinfo(path):
    # Independent of rxsim and libpcap: walks the pcap records by hand.
    import struct
    b = open(path, "rb").read()
    magic = struct.unpack_from("<I", b, 0)[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    m = struct.unpack_from(e + "I", b, 0)[0]
    link = struct.unpack_from(e + "I", b, 20)[0]
    p, n = 24, 0
    while p + 16 <= len(b):
        n += 1
        p += 16 + struct.unpack_from(e + "I", b, p + 8)[0]
    return {"packets": n, "linktype": link, "nanosecond": m == 0xa1b23c4d,
            "size_bytes": len(b), "file_sha256": hashlib.sha256(b).hexdigest()}

def truth(argv):
    pcap, family, recv_report, tcpdump_stats, cmd = argv[0], argv[1], argv[2], argv[3], argv[4]
    sends = argv[5:]
    received = json.load(open(recv_report))
    dirs, flows = [], []
    for sr in sends:
        snd = json.load(open(sr))
        r = [x for x in received if x["sport"] == snd["sport"]]
        if len(r) != 1:
            sys.exit("no receiver report for source port %d" % snd["sport"])
        r = r[0]
        if (r["bytes"], r["sha256"]) != (snd["bytes"], snd["sha256"]):
            sys.exit("receiver read %d bytes %s, sender wrote %d bytes %s"
                     % (r["bytes"], r["sha256"], snd["bytes"], snd["sha256"]))
        if (r["reply_bytes"], r["reply_sha256"]) != (snd["reply_read_bytes"], snd["reply_read_sha256"]):
            sys.exit("sender read a different reply than the receiver wrote")
        dirs.append({"src": r["src"], "sport": r["sport"], "dst": r["dst"], "dport": r["dport"],
                     "bytes": r["bytes"], "sha256": r["sha256"], "read_by": "receiver",
                     "content": "random.Random(%d).randbytes(%d)" % (snd["seed"], snd["bytes"]),
                     "write_size": snd["write_size"]})
        dirs.append({"src": r["dst"], "sport": r["dport"], "dst": r["src"], "dport": r["sport"],
                     "bytes": snd["reply_read_bytes"], "sha256": snd["reply_read_sha256"],
                     "read_by": "sender", "content": snd["reply"] + "\\n"})
    info = pcapinfo(pcap)
    doc = {"trace": pcap.rsplit("/", 1)[-1], "made_by": "traces/capture-netns.sh",
           "ip_version": int(family), "file": info, "tcpdump": tcpdump_stats,
           "command": cmd, "directions": dirs,
           "note": "sha256 = SHA-256 of the bytes the reading application got from recv(); "
                   "sender and receiver reports agreed for every connection."}
    json.dump(doc, open(pcap + ".truth.json", "w"), indent=1)
    open(pcap + ".truth.json", "a").write("\n")

if __name__ == "__main__":
    {"recv": recv, "send": send, "truth": truth}[sys.argv[1]](sys.argv[2:])
PY
}

# capture OUT --family F --flows N --bytes B [--seed S] [--rate R] [--nano] [--write W] [--mtu M]
capture() {
    local out=$1; shift
    local family=4 flows=1 bytes=262144 seed=1 rate="" nano="" write=65536 mtu=1500
    while [ $# -gt 0 ]; do
        case $1 in
        --family) family=$2; shift 2 ;;
        --flows) flows=$2; shift 2 ;;
        --bytes) bytes=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --write) write=$2; shift 2 ;;
        --mtu) mtu=$2; shift 2 ;;
        --nano) nano="--time-stamp-precision=nano"; shift ;;
        *) die "unknown option $1" ;;
        esac
    done
    case $family in 4|6) ;; *) die "--family is 4 or 6" ;; esac
    case $mtu in *[!0-9]*|"") die "--mtu wants a number" ;; esac
    [ "$mtu" -ge 1280 ] && [ "$mtu" -le 65535 ] || die "--mtu is 1280..65535"

    local work nsa nsb
    work=$(mktemp -d /tmp/rxsim-capture.XXXXXX)
    nsa="rxsA$$"; nsb="rxsB$$"
    # Always run in a subshell: this EXIT trap is the clean-up.
    tcpdump_pid=""
    # shellcheck disable=SC2064
    trap "[ -n \"\$tcpdump_pid\" ] && kill \$tcpdump_pid 2>/dev/null; ip netns del $nsa 2>/dev/null; ip netns del $nsb 2>/dev/null; rm -rf '$work'" EXIT

    write_helper "$work/helper.py"
    ip netns add "$nsa"
    ip netns add "$nsb"
    ip link add vethA netns "$nsa" type veth peer name vethB netns "$nsb"
    local a b
    for ns in "$nsa" "$nsb"; do
        ip -n "$ns" link set lo up
        if [ "$family" = 4 ]; then
            # No IPv6 chatter (router solicitations, MLD) in IPv4 traces.
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
        fi
    done
    if [ "$family" = 4 ]; then
        a=10.78.0.1; b=10.78.0.2
        ip -n "$nsa" addr add $a/24 dev vethA
        ip -n "$nsb" addr add $b/24 dev vethB
    else
        a=fd78::1; b=fd78::2
        ip -n "$nsa" addr add $a/64 dev vethA nodad
        ip -n "$nsb" addr add $b/64 dev vethB nodad
    fi
    local dev ns
    for pair in "$nsa:vethA" "$nsb:vethB"; do
        ns=${pair%%:*}; dev=${pair#*:}
        ip -n "$ns" link set "$dev" mtu "$mtu" up
        ip netns exec "$ns" ethtool -K "$dev" tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
        # Verify rather than trust: every one of these must now read "off".
        local on
        on=$(ip netns exec "$ns" ethtool -k "$dev" | grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):' | grep -v ': off' || true)
        [ -z "$on" ] || die "offloads still on for $dev: $on"
    done
    if [ -n "$rate" ]; then
        ip netns exec "$nsa" tc qdisc add dev vethA root tbf rate "$rate" burst 64kb latency 100ms
    fi

    local port=5001
    ip netns exec "$nsb" python3 "$work/helper.py" recv "$b" $port "$flows" "$work/recv.json" >"$work/recv.out" 2>&1 &
    local recv_pid=$!
    for _ in $(seq 100); do grep -q ready "$work/recv.out" 2>/dev/null && break; sleep 0.05; done
    grep -q ready "$work/recv.out" || die "receiver did not start: $(cat "$work/recv.out")"

    local tmp_out="$out.tmp"
    # shellcheck disable=SC2086
    ip netns exec "$nsb" tcpdump --immediate-mode -Z root -i vethB -s 0 -B 65536 $nano -w "$tmp_out" \
        2>"$work/tcpdump.err" &
    tcpdump_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
    grep -q "listening on" "$work/tcpdump.err" || die "tcpdump did not start: $(cat "$work/tcpdump.err")"
    sleep 0.3

    local pids=() sends=()
    for i in $(seq 0 $((flows - 1))); do
        ip netns exec "$nsa" python3 "$work/helper.py" send "$b" $port $((41000 + i)) $((seed + i)) \
            "$bytes" "$write" "$work/send$i.json" &
        pids+=($!)
        sends+=("$work/send$i.json")
    done
    for p in "${pids[@]}"; do wait "$p" || die "a sender failed"; done
    wait "$recv_pid" || die "the receiver failed: $(cat "$work/recv.out")"
    sleep 1.5
    kill -TERM "$tcpdump_pid"
    wait "$tcpdump_pid" || true
    tcpdump_pid=""
    local stats
    stats=$(grep -E 'packets (captured|received by filter|dropped by kernel)' "$work/tcpdump.err" | tr '\n' ';')
    grep -q '^0 packets dropped by kernel' "$work/tcpdump.err" || die "tcpdump dropped packets: $stats"
    local cap rcv
    cap=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$work/tcpdump.err")
    rcv=$(sed -n 's/^\([0-9]*\) packets received by filter.*/\1/p' "$work/tcpdump.err")
    [ "$cap" = "$rcv" ] || die "tcpdump captured $cap of $rcv packets"
    mv "$tmp_out" "$out"

    local cmd="capture-netns.sh capture $(basename "$out") --family $family --flows $flows --bytes $bytes --seed $seed --write $write${rate:+ --rate $rate}${nano:+ --nano}$([ "$mtu" = 1500 ] || echo " --mtu $mtu")"
    python3 "$work/helper.py" truth "$out" "$family" "$work/recv.json" "$stats" "$cmd" "${sends[@]}" ||
        die "truth check failed for $out"
    echo "$prog: wrote $out ($(stat -c %s "$out") bytes), $out.truth.json" >&2
}

write_readme() {
    local dir=$1; shift
    {
        cat <<EOF
# Shipped traces (made by rxsim itself)

Made by \`traces/capture-netns.sh\` (run it as root with no arguments to remake them all),
on $(uname -sr), $(date -u +%Y-%m-%d), tcpdump $(tcpdump --version 2>&1 | sed -n 's/^tcpdump version //p'),
$(tcpdump --version 2>&1 | sed -n 's/^\(libpcap version [^ ]*\).*/\1/p').

How: two network namespaces joined by a veth pair (sender 10.78.0.1 / fd78::1, receiver
10.78.0.2 / fd78::2, MTU 1500 unless the command says \`--mtu\`), offloads off on both ends
(\`ethtool -K vethX tx off rx off sg off tso off gso off gro off\`, checked with \`ethtool -k\`),
so every checksum in the file is complete and every segment is MSS-sized (at MTU 9000: 8936
payload bytes in a 9014-byte frame, longer than one 2 KiB receive buffer).
\`tcpdump --immediate-mode -Z root -i vethB -s 0 -B 65536 -w FILE\` runs in the receiver's
namespace; a capture is kept only if tcpdump reports 0 packets dropped by the kernel and
captured = received by filter.  IPv4 captures have IPv6 disabled in both namespaces; the IPv6
capture keeps the kernel's neighbour discovery and MLD packets (non-TCP frames a stack must skip).

Traffic: a Python (standard library) receiver accepts the connections, reads each to EOF, and
answers \`RECEIVED <bytes> <sha256>\\n\`; each sender connects from source port 41000+i, writes
\`random.Random(SEED+i).randbytes(SIZE)\` in 64 KiB writes, half-closes and reads the reply.
The capture is kept only if the receiver's SHA-256 equals the sender's for every connection.

\`<trace>.truth.json\` lists, per direction: 4-tuple, byte count and SHA-256 of what the
*reading application* got from recv() — ground truth that does not depend on rxsim or tshark.
Re-capturing gives different timing, ACK patterns and initial sequence numbers, never different
content or tuples.

EOF
        for f in "$@"; do
            python3 - "$dir/$f" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p + ".truth.json"))
fi = d["file"]
print("## `%s`\n" % d["trace"])
print("- Command: `%s`" % d["command"])
print("- File: pcap%s, link type %d, %d bytes, %d packets, sha256 `%s`" % (
    " (nanosecond timestamps)" if fi["nanosecond"] else "", fi["linktype"], fi["size_bytes"],
    fi["packets"], fi["file_sha256"]))
print("- tcpdump: %s" % d["tcpdump"].strip(";").replace(";", "; "))
print("- Directions (what the reading application got):")
for x in d["directions"]:
    src = "[%s]" % x["src"] if ":" in x["src"] else x["src"]
    dst = "[%s]" % x["dst"] if ":" in x["dst"] else x["dst"]
    print("  - %s:%d → %s:%d: %d bytes, sha256 `%s` (read by the %s; content %s)" % (
        src, x["sport"], dst, x["dport"], x["bytes"], x["sha256"], x["read_by"],
        "`" + x["content"] + "`"))
print()
PY
        done
    } >"$dir/README.md"
}

main() {
    if [ "${1:-}" = capture ]; then
        shift
        [ $# -ge 1 ] || die "capture needs an output file"
        preflight
        ( capture "$@" )
        return
    fi
    [ $# -eq 0 ] || die "usage: $prog | $prog capture OUT.pcap --family 4|6 --flows N --bytes B [...]"
    preflight
    local data="$here/data"
    mkdir -p "$data"
    # The README's main job runs on the first one; keep them small (< 1 MB together).
    ( capture "$data/bulk-v4-256k.pcap" --family 4 --flows 1 --bytes 262144 --seed 1 )
    ( capture "$data/parallel4-v4-64k.pcap" --family 4 --flows 4 --bytes 65536 --seed 11 )
    ( capture "$data/bulk-v6-128k-nsec.pcap" --family 6 --flows 1 --bytes 131072 --seed 21 --nano )
    ( capture "$data/bulk-v4-mtu9000-256k.pcap" --family 4 --flows 1 --bytes 262144 --seed 31 --mtu 9000 )
    write_readme "$data" bulk-v4-256k.pcap parallel4-v4-64k.pcap bulk-v6-128k-nsec.pcap \
        bulk-v4-mtu9000-256k.pcap
    echo "$prog: wrote $data/README.md" >&2
}

main "$@"
