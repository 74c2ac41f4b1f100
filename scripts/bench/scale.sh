#!/usr/bin/env bash
# Figure 1 (scale): 1,000 / 5,000 / 15,000 virtual controllers (the firmware core) on one server, 30 s heartbeats;
# then the heartbeat rate of one province (~1,700/s) and of ten (~17,000/s) carried over 15,000 connections.
# Usage: scripts/bench/scale.sh [SECONDS per run, default 120]
# 15,000 controllers are wire-level (--device protocol: the shared contract's codec over MQTTnet, one connection each):
# the firmware-core swarm polls every controller each 20 ms and at 15,000 needs more of these 2 cores than is left
# beside the server (its own connections then time out and churn). The firmware core is measured at 1,000 and 5,000.
source "$(dirname "$0")/common.sh"
S="${1:-120}"
for n in 1000 5000; do
  "$LOAD" swarm --devices "$n" --heartbeat-s 30 --seconds "$S" --label "scale: $n firmware-core controllers, 30 s heartbeats" --out "$OUT/scale.jsonl"
done
for n in 1000 5000 15000; do
  "$LOAD" swarm --devices "$n" --device protocol --heartbeat-s 30 --seconds "$S" --label "scale: $n devices, 30 s heartbeats" --out "$OUT/scale.jsonl"
done
# 15,000 devices at one province's rate (9 s = 1,667 heartbeats/s) is scripts/bench/province.sh.
# 17,000/s needs 0.88 s intervals, below the firmware's 5 s minimum: wire-level controllers (--device protocol).
"$LOAD" swarm --devices 15000 --heartbeat-rate 17000 --device protocol --seconds "$S" --label "scale: 15000 devices, ten provinces' rate (17,000/s)" --out "$OUT/scale.jsonl"
