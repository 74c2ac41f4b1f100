#!/usr/bin/env bash
# Figure 2 (alarm latency under load): 15,000 controllers carrying a province's heartbeat rate (9 s = 1,667/s),
# 5 alarms/s for SECONDS (default 180); press->received and press->police_ack percentiles.
# Usage: scripts/bench/latency.sh [SECONDS]
source "$(dirname "$0")/common.sh"
S="${1:-180}"
"$LOAD" swarm --devices 15000 --heartbeat-s 9 --alarm-rate 5 --seconds "$S" --label "latency: 15000 devices, 1,667 hb/s, 5 alarms/s" --out "$OUT/latency.jsonl"
