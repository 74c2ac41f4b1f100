#!/usr/bin/env bash
# Shared by scripts/bench/*.sh: builds the load generator once (Release) and says where results go.
# Results: one JSON line per run in artifacts/bench/<figure>.jsonl (git-ignored) plus a readable summary on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ART="${BENCH_ARTIFACTS:-/tmp/art-bench}"
OUT="${BENCH_OUT:-artifacts/bench}"
mkdir -p "$OUT"
if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
  dotnet build tests/Gate.LoadTest -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
fi
LOAD="$ART/bin/Gate.LoadTest/release/gate-load"
# A process may hold at most 20,000 open files here (hard limit); every swarm child stays far below it.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, open files $(ulimit -n); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
