#!/usr/bin/env bash
# Figure 5 (raw ingest ceiling): heartbeat rate steps through one Gate.Server (2,000 wire-level controllers, 2 probe
# alarms/s whose press->received latency shows whether ingest keeps up), next to a bare MQTTnet broker and bare
# Mosquitto with a do-nothing subscriber at the same steps. A step is sustained when the server handles >= 97 % of the
# offered heartbeats and probe p99 stays under 100 ms. Usage: scripts/bench/ceiling.sh ["RATE RATE ..."] [SECONDS]
source "$(dirname "$0")/common.sh"
RATES="${1:-2000 5000 10000 15000 20000 30000}"
S="${2:-30}"
for r in $RATES; do
  "$LOAD" swarm --devices 2000 --heartbeat-rate "$r" --device protocol --alarm-rate 2 --seconds "$S" --warmup 5 \
    --label "ceiling: Gate.Server at $r hb/s" --out "$OUT/ceiling.jsonl"
done
CSV=$(echo "$RATES" | tr ' ' ',')
"$LOAD" bare --broker mqttnet --qos 0 --publishers 4 --rates "$CSV" --seconds "$S" --label "ceiling: bare MQTTnet qos0" --out "$OUT/ceiling.jsonl"
"$LOAD" bare --broker mosquitto --qos 0 --publishers 4 --rates "$CSV" --seconds "$S" --label "ceiling: bare Mosquitto qos0" --out "$OUT/ceiling.jsonl"
