#!/usr/bin/env bash
# Runs every test of Gate. Installs the system parts the suites drive for real (Mosquitto as an external
# broker, Debian's Chromium and a CJK font for the status page) when they are missing, then runs
# `dotnet test Gate.sln`, a short coverage-guided fuzzing smoke (scripts/fuzz/run.sh, which installs AFL++), and
# prints one closing line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh

results="TestResults"
rm -rf "$results"
status=0
dotnet test Gate.sln --configuration Release \
  --results-directory "$results" "$@" || status=$?

# Coverage-guided fuzzing smoke (AFL++ through SharpFuzz, each target a few seconds) when the whole suite runs;
# the long runs and their totals are in docs/benchmarks.md.
if [ $# -eq 0 ]; then
  scripts/fuzz/run.sh "${GATE_FUZZ_SMOKE_SECONDS:-10}" || status=$?
fi

# One closing line over all test projects, read from the TRX files.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
