#!/usr/bin/env bash
# Bad networks (issue 20): the same small province slice on a healthy loopback and then with each link impaired
# during the measuring window: 30 % packet loss (nftables), 2 s added each way (a TCP relay; this kernel has no
# netem) and a 60 s blackhole (nftables; the peer gone without FIN or RST, i.e. a half-open connection) between the
# devices and the broker, and the same between the server and the police receiver.
# Reports press->police_ack percentiles, alarms lost, offline transitions per condition.
# Needs root (CI and the bench machines run as root) and Debian's nftables, installed here when missing.
# Usage: scripts/bench/badnet.sh [SECONDS] [DEVICES]
source "$(dirname "$0")/common.sh"
S="${1:-90}"
N="${2:-2000}"
if ! command -v nft >/dev/null 2>&1; then
  echo "installing nftables"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nftables >/dev/null
fi
for fault in "" loss:30@broker loss:30@police delay:2000@broker delay:2000@police blackhole:60@broker blackhole:60@police; do
  args=()
  name="healthy"
  if [[ -n "$fault" ]]; then args=(--net-fault "$fault"); name="$fault"; fi
  "$LOAD" swarm --devices "$N" --device protocol --heartbeat-s 10 --alarm-rate 2 --seconds "$S" --drain-s 240 \
    "${args[@]}" --label "badnet: $name, $N devices, 2 alarms/s" --out "$OUT/badnet.jsonl"
done
