#!/usr/bin/env bash
# Micro-benchmarks (BenchmarkDotNet, in-process toolchain so nothing is rebuilt into the source tree):
# WireDecoder vs System.Text.Json DTO vs the portable WireCodec; DC-09 CRC table vs bitwise; frame encode/parse.
# Usage: scripts/bench/micro.sh [extra BenchmarkDotNet args, default --job short]
set -euo pipefail
cd "$(dirname "$0")/../.."
ART="${BENCH_ARTIFACTS:-/tmp/art-bench}"
dotnet build tests/Gate.Benchmarks -c Release --artifacts-path "$ART" -v quiet -nologo >/dev/null
mkdir -p artifacts/bench
args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=(--job short)
dotnet "$ART/bin/Gate.Benchmarks/release/Gate.Benchmarks.dll" --filter '*' --inProcess --artifacts artifacts/bench/bdn "${args[@]}"
