#!/usr/bin/env bash
# Figure 1 (soak): 15,000 controllers, 30 s heartbeats, for MINUTES (default 30), one alarm every 2 s throughout;
# counts false offline / late transitions recorded by the server. Usage: scripts/bench/soak.sh [MINUTES]
source "$(dirname "$0")/common.sh"
M="${1:-30}"
"$LOAD" swarm --devices 15000 --heartbeat-s 30 --alarm-rate 0.5 --seconds "$((M * 60))" --check-s 60 \
  --label "soak: 15000 devices, 30 s heartbeats, ${M} min" --out "$OUT/soak.jsonl"
