#!/usr/bin/env bash
# The resilience cases (SIGKILL mid-burst, police outage, external broker restart, locked database) and the fuzzers,
# as CI runs them (about 2-3 minutes on 2 cores). Usage: scripts/bench/resilience.sh [dotnet test args]
set -euo pipefail
cd "$(dirname "$0")/../.."
ART="${BENCH_ARTIFACTS:-/tmp/art-bench}"
dotnet test tests/Gate.Resilience.Tests -c Release --artifacts-path "$ART" --logger "console;verbosity=normal" "$@"
