#!/usr/bin/env bash
# Issue 12 denial-of-service row: 5,000 silent sockets (slow-loris, spread over 100 loopback addresses) plus a stream
# of 400 CONNECTs announcing 64 MiB against a running Gate.Server; its RSS idle/during/after, and a real gate's panic
# to the police ack afterwards. Usage: scripts/bench/slowloris.sh [--silent N] [--sources N] [--oversized N]
source "$(dirname "$0")/common.sh"
"$LOAD" slowloris --out "$OUT/slowloris.jsonl" "$@"
