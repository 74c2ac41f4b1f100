#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 20): each target of tests/Gate.Fuzz under AFL++ (Debian's afl++) through SharpFuzz,
# which instruments Gate's own assemblies so afl-fuzz sees the branches each input takes. A target fails only on a
# finding: a parser that threw instead of refusing, or the server and device decoders disagreeing on the same bytes.
# Usage: scripts/fuzz/run.sh SECONDS [TARGET ...]   (default: every target; CI runs a short smoke of each)
# Prints per target: execs, execs/s, corpus (paths found), crashes, hangs; exits 1 on any crash or hang, and replays
# each finding in-process so its exception is in the log. Findings stay in ${FUZZ_OUT:-/tmp/gate-fuzz}/findings.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET="${1:?usage: scripts/fuzz/run.sh SECONDS [TARGET ...]}"
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(wire json sia sia-body sia-stream config mqtt-framing)
OUT="${FUZZ_OUT:-/tmp/gate-fuzz}"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "installing afl++"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
SHARPFUZZ="$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")"
if [ ! -x "$SHARPFUZZ" ]; then
  dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  SHARPFUZZ="$HOME/.dotnet/tools/sharpfuzz"
fi

rm -rf "$OUT/bin"
dotnet publish tests/Gate.Fuzz -c Release -o "$OUT/bin" -v quiet -nologo >/dev/null
# Instrument only the code under test, not the framework or the libraries around it.
for dll in Gate.Contracts Gate.Boards Gate.Firmware.Core Gate.SiaDc09; do
  "$SHARPFUZZ" "$OUT/bin/$dll.dll" >/dev/null
done
"$SHARPFUZZ" "$OUT/bin/Gate.Server.dll" Gate.Server.Wire Gate.Server.Mqtt.PacketSizeLimit >/dev/null

export AFL_FORKSRV_INIT_TMOUT=60000 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
status=0
printf '%-13s %12s %9s %7s %8s %6s\n' target execs execs/s corpus crashes hangs
for t in "${TARGETS[@]}"; do
  rm -rf "$OUT/findings/$t"
  mkdir -p "$OUT/findings"
  afl-fuzz -i "tests/Gate.Fuzz/corpus/$t" -o "$OUT/findings/$t" -V "$SECONDS_PER_TARGET" -t 10000 -m none \
    -- dotnet "$OUT/bin/gate-fuzz.dll" "$t" > "$OUT/findings/$t.log" 2>&1 || { echo "afl-fuzz failed for $t:"; tail -20 "$OUT/findings/$t.log"; status=1; continue; }
  stats="$OUT/findings/$t/default/fuzzer_stats"
  get() { awk -F' *: *' -v k="$1" '$1==k{print $2}' "$stats"; }
  printf '%-13s %12s %9s %7s %8s %6s\n' "$t" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$(get saved_crashes)" "$(get saved_hangs)"
  for kind in crashes hangs; do
    dir="$OUT/findings/$t/default/$kind"
    if [ -n "$(ls -A "$dir" 2>/dev/null | grep -v README)" ]; then
      status=1
      mkdir -p "$OUT/replay/$t-$kind"; cp "$dir"/id* "$OUT/replay/$t-$kind/"
      echo "$t: $kind found; replaying them:"
      dotnet "$OUT/bin/gate-fuzz.dll" "$t" --replay "$OUT/replay/$t-$kind" 2>&1 | tail -15 || true
    fi
  done
done
exit $status
