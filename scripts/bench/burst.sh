#!/usr/bin/env bash
# Figure 3 (burst): 10,000 alarms within 10 s from 15,000 connected controllers (a city-wide event): all stored,
# all forwarded to the police receiver, none lost; time to drain. Usage: scripts/bench/burst.sh [ALARMS] [SECONDS]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
A="${1:-10000}"
W="${2:-10}"
"$LOAD" swarm --devices 15000 --device protocol --heartbeat-s 30 --burst "$A" --burst-s "$W" --drain-s 600 --label "burst: $A alarms in $W s, 15000 devices" --out "$OUT/burst.jsonl"
