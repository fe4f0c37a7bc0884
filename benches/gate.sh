#!/usr/bin/env bash
# The engine's speed gate (issue 8), for CI on noisy machines: counts the instructions
# the trials of scenarios/bench-gate.toml take (valgrind --tool=callgrind, collection on
# only inside the trial, the accumulator's add and merge: loading and reports are not
# counted), divides by the jobs simulated (backup + copy), and fails when that cost per
# job exceeds the committed baseline by more than the threshold. Instruction counts are
# repeatable for the same binary and input whatever else the machine does; they change
# with the compiler, so the baseline records rustc's version and the gate warns when it
# differs.
#
# Usage: benches/gate.sh [--baseline FILE] [--threshold PERCENT] [--write-baseline]
#   --baseline FILE    the baseline to compare with (default benches/baseline.json)
#   --threshold P      allowed regression in instructions per job, percent (default: the
#                      baseline's threshold_percent)
#   --write-baseline   measure and write FILE instead of comparing
# Exit: 0 within the threshold, 1 regressed, 2 bad usage or a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/parse.sh

baseline=benches/baseline.json
threshold=
write=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --baseline) baseline="$2"; shift 2 ;;
    --threshold) threshold="$2"; shift 2 ;;
    --write-baseline) write=1; shift ;;
    *) echo "usage: benches/gate.sh [--baseline FILE] [--threshold PERCENT] [--write-baseline]" >&2; exit 2 ;;
  esac
done
if ! command -v valgrind >/dev/null 2>&1; then
  echo "benches/gate.sh: valgrind is not installed (Debian: apt-get install valgrind)" >&2
  exit 2
fi

cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  --toggle-collect='vaultsim::sim::trial::simulate_into' \
  --toggle-collect='vaultsim::montecarlo::Accumulator::add' \
  --toggle-collect='vaultsim::montecarlo::Accumulator::merge' \
  target/release/vaultsim run scenarios/bench-gate.toml --threads 1 --out "$out/run" \
  >/dev/null 2>"$out/log"
instructions=$(sed -nE 's/.*Collected : ([0-9]+).*/\1/p' "$out/log")
jobs=$(simulated_jobs "$out/log")
if [[ -z "$instructions" || -z "$jobs" ]]; then
  echo "benches/gate.sh: could not read the instruction count or the jobs from the run:" >&2
  cat "$out/log" >&2
  exit 2
fi
rustc_version=$(rustc --version)

python3 - "$instructions" "$jobs" "$rustc_version" "$baseline" "$write" "$threshold" <<'EOF'
import json, sys
instructions, jobs, rustc, baseline, write, threshold = sys.argv[1:]
instructions, jobs = int(instructions), int(jobs)
per_job = instructions / jobs
measured = {
    "scenario": "scenarios/bench-gate.toml",
    "instructions": instructions,
    "jobs": jobs,
    "instructions_per_job": round(per_job, 2),
    "rustc": rustc,
}
if write == "1":
    measured["threshold_percent"] = float(threshold) if threshold else 5.0
    with open(baseline, "w") as f:
        json.dump(measured, f, indent=2)
        f.write("\n")
    print(f"wrote {baseline}: {per_job:.2f} instructions per job")
    print(json.dumps(measured, separators=(",", ":")))
    sys.exit(0)
try:
    with open(baseline) as f:
        base = json.load(f)
except (OSError, ValueError) as e:
    print(f"benches/gate.sh: cannot read baseline {baseline}: {e}", file=sys.stderr)
    sys.exit(2)
limit_percent = float(threshold) if threshold else float(base.get("threshold_percent", 5.0))
change = 100.0 * (per_job / base["instructions_per_job"] - 1.0)
if base.get("rustc") != rustc:
    print(f"warning: baseline measured with {base.get('rustc')}, this is {rustc}; "
          "instruction counts differ between compilers", file=sys.stderr)
if jobs != base.get("jobs"):
    print(f"note: the model simulates {jobs} jobs where the baseline had {base.get('jobs')} "
          "(the model changed; the comparison is per job)", file=sys.stderr)
regressed = change > limit_percent
measured.update({
    "baseline_instructions_per_job": base["instructions_per_job"],
    "change_percent": round(change, 2),
    "threshold_percent": limit_percent,
    "regressed": regressed,
})
verdict = "REGRESSED" if regressed else "ok"
print(f"{per_job:.2f} instructions per job vs baseline {base['instructions_per_job']:.2f} "
      f"({change:+.2f} %, limit +{limit_percent:g} %): {verdict}")
if change < -limit_percent:
    print(f"faster than the baseline by {-change:.1f} %: commit a new one with "
          "benches/gate.sh --write-baseline")
print(json.dumps(measured, separators=(",", ":")))
sys.exit(1 if regressed else 0)
EOF
