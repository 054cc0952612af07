#!/bin/sh
# tests/unit/data/perf-fixtures.sh: how the perf-*.txt fixtures of
# check_attrib were recorded (root; deletes its namespaces on exit).  Two
# netns joined by veth, offloads off, a python reader pinned to CPU 1 and a
# sender pinned to CPU 0 pushing 64 KiB send()s for 1.2 s, perf record around
# 1 s of it.  Then, for the text:
#   perf script -f -i OUTDIR/perf.data -F comm,pid,tid,cpu,event,ip,sym --no-demangle --no-inline
# and samples cut from it by hand (whole samples, unchanged).
# usage: perf-fixtures.sh OUTDIR RPSMASK GRO(on|off) SENDER_TX_CSUM(on|off)
#   same-cpu: 2 off on   other-cpu: 1 off on   gro: 2 on on   csum: 2 off off
set -e
out=$1; rps=$2; gro=$3; txc=$4
S=rxa-attrib-s; R=rxa-attrib-r; DS=attribs; DR=attribr
cleanup() { ip netns del $S 2>/dev/null || true; ip netns del $R 2>/dev/null || true; }
trap cleanup EXIT INT TERM
cleanup
ip netns add $S; ip netns add $R
ip link add $DS netns $S type veth peer name $DR netns $R
ip -n $S addr add 10.77.0.1/24 dev $DS; ip -n $R addr add 10.77.0.2/24 dev $DR
ip -n $S link set lo up; ip -n $R link set lo up
ip -n $S link set $DS up; ip -n $R link set $DR up
ip netns exec $S ethtool -K $DS tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec $R ethtool -K $DR tx off rx off sg off tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec $R ethtool -K $DR gro $gro
ip netns exec $S ethtool -K $DS tx $txc
ip netns exec $R sh -c "echo $rps > /sys/class/net/$DR/queues/rx-0/rps_cpus"
ip netns exec $R taskset -c 1 python3 -c '
import socket,sys,os
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("10.77.0.2",5001)); s.listen(1)
open(sys.argv[1],"w").write(str(os.getpid()))
c,_=s.accept(); n=0
while True:
    b=c.recv(65536)
    if not b: break
    n+=len(b)
print("reader got",n)
' $out/reader.pid &
RP=$!
sleep 0.5
perf record -e cpu-clock -a -g -c 100000 -o $out/perf.data -- sleep 1 2>$out/perf.err &
PP=$!
sleep 0.1
ip netns exec $S taskset -c 0 python3 -c '
import socket,sys,os,time
open(sys.argv[1],"w").write(str(os.getpid()))
s=socket.create_connection(("10.77.0.2",5001)); buf=b"x"*65536; t=time.time()
while time.time()-t < 1.2: s.sendall(buf)
s.close()
' $out/sender.pid
wait $PP; wait $RP
ip netns exec $R ethtool -k $DR | grep -E "generic-receive|rx-checksum" ; ip netns exec $S ethtool -k $DS | grep tx-checksumming
cat $out/perf.err | tail -1
