#!/usr/bin/env bash
# Figure 3 (burst): 10,000 alarms within 10 s from 15,000 connected controllers (a city-wide event): all stored,
# all forwarded to the police receiver, none lost; time to drain. Usage: scripts/bench/burst.sh [ALARMS] [SECONDS]
source "$(dirname "$0")/common.sh"
A="${1:-10000}"
W="${2:-10}"
"$LOAD" swarm --devices 15000 --heartbeat-s 30 --burst "$A" --burst-s "$W" --drain-s 600 --label "burst: $A alarms in $W s, 15000 devices" --out "$OUT/burst.jsonl"
