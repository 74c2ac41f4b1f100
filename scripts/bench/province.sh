#!/usr/bin/env bash
# Figures 1, 2 and 3 in one connect phase (15,000 connections take minutes to establish on 2 shared cores):
#   steady: 15,000 controllers at a province's heartbeat rate (9 s = 1,667/s) for MINUTES
#           (default 30) with one alarm a second: server CPU/RSS, heartbeats handled, false offline, alarm latency;
#   burst:  then 10,000 alarms within 10 s on the same connections: all stored, all forwarded, time to drain.
# A 9 s interval marks a device late after 13.5 s and offline after 27 s of silence (30 s heartbeats: 45 s / 90 s),
# so a soak without false offline here is the stricter test of the same thing.
# Usage: scripts/bench/province.sh [MINUTES]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
M="${1:-30}"
"$LOAD" swarm --devices 15000 --device protocol --heartbeat-s 9 --alarm-rate 1 --seconds "$((M * 60))" --check-s 60 \
  --burst 10000 --burst-s 10 --drain-s 600 \
  --label "province: 15000 devices, 1,667 hb/s, ${M} min" --out "$OUT/province.jsonl"
