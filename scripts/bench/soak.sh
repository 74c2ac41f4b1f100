#!/usr/bin/env bash
# Figure 1 (soak): 15,000 controllers, 30 s heartbeats, for MINUTES (default 30), one alarm every 2 s throughout;
# counts false offline / late transitions recorded by the server. Usage: scripts/bench/soak.sh [MINUTES]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
M="${1:-30}"
"$LOAD" swarm --devices 15000 --device protocol --heartbeat-s 30 --alarm-rate 0.5 --seconds "$((M * 60))" --check-s 60 \
  --label "soak: 15000 devices, 30 s heartbeats, ${M} min" --out "$OUT/soak.jsonl"
