#!/usr/bin/env bash
# Figure 2 (alarm latency under load): 15,000 controllers carrying a province's heartbeat rate (9 s = 1,667/s),
# 5 alarms/s for SECONDS (default 180); press->received and press->police_ack percentiles.
# Usage: scripts/bench/latency.sh [SECONDS]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
S="${1:-180}"
"$LOAD" swarm --devices 15000 --device protocol --heartbeat-s 9 --alarm-rate 5 --seconds "$S" --label "latency: 15000 devices, 1,667 hb/s, 5 alarms/s" --out "$OUT/latency.jsonl"
