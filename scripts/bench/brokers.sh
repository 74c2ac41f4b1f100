#!/usr/bin/env bash
# Figure 4 (side by side, one run of this script, same load, same machine):
#   a) Gate.Server with its embedded MQTTnet broker, b) Gate.Server subscribed to Mosquitto (external broker),
#   both with N controllers at a province's heartbeat rate plus alarms; then the bare plumbing on the same machine:
#   c) Mosquitto and d) a bare MQTTnet broker feeding a subscriber that does nothing, QoS 0 one publisher and
#   QoS 1 four publishers, unthrottled. Usage: scripts/bench/brokers.sh [DEVICES default 15000] [SECONDS default 120]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
N="${1:-15000}"
S="${2:-120}"
RATE=$(( N * 1000 / 9000 ))
"$LOAD" swarm --devices "$N" --device protocol --heartbeat-s 9 --alarm-rate 5 --seconds "$S" --broker embedded --label "brokers: embedded, $N devices, ${RATE} hb/s" --out "$OUT/brokers.jsonl"
"$LOAD" swarm --devices "$N" --device protocol --heartbeat-s 9 --alarm-rate 5 --seconds "$S" --broker mosquitto --label "brokers: Mosquitto external, $N devices, ${RATE} hb/s" --out "$OUT/brokers.jsonl"
for b in mosquitto mqttnet; do
  "$LOAD" bare --broker "$b" --qos 0 --publishers 1 --seconds 20 --label "bare $b qos0 1 publisher" --out "$OUT/brokers.jsonl"
  "$LOAD" bare --broker "$b" --qos 1 --publishers 4 --seconds 20 --label "bare $b qos1 4 publishers" --out "$OUT/brokers.jsonl"
  # The same heartbeat rate as a/b, through bare plumbing: its latency and broker CPU at equal work.
  "$LOAD" bare --broker "$b" --qos 0 --publishers 4 --rate "$RATE" --seconds 30 --label "bare $b qos0 at ${RATE}/s" --out "$OUT/brokers.jsonl"
done
