#!/usr/bin/env bash
# How a run's time and memory grow with its trial count (issue 28): a small scenario
# (scenarios/examples/minimal.toml: 3 accounts, 11 resources, 60 days) at 1,000, 10,000
# and 100,000 trials. Past a few hundred trials its per-trial records go to a temporary
# file (`stats::records`), and reading them back must stay linear in the trials: the wall
# time per trial should stay flat and the peak RSS should not follow the trials. Prints,
# per count, the wall time (hyperfine's mean over the runs when it is installed, else
# each run's `/usr/bin/time -v`), the engine's own seconds for the trials, the rest of
# the run (finish, reading the records back, writing the outputs) and the peak RSS
# (`/usr/bin/time -v`, the last run); then a CSV.
#
# Usage: benches/trials.sh [--counts "1000 10000 100000"] [--runs N] [--threads T]
#                          [--scenario FILE] [--binary PATH]
#   defaults: the three counts, 1 run each, 2 threads, the scenario above, this tree's
#   release build (built first); --binary times another build as it is (an older one,
#   to compare). 100,000 trials takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/parse.sh

counts="1000 10000 100000"
runs=1
threads=2
scenario=scenarios/examples/minimal.toml
bin=""
usage="usage: benches/trials.sh [--counts \"N ...\"] [--runs N] [--threads T] [--scenario FILE] [--binary PATH]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --counts) counts="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --scenario) scenario="$2"; shift 2 ;;
    --binary) bin="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
if [[ -z "$bin" ]]; then
  cargo build --release --quiet
  bin=target/release/vaultsim
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rows="trials,wall_s,simulation_s,rest_s,peak_rss_kib"
for n in $counts; do
  args=(run "$scenario" --trials "$n" --seed 7 --threads "$threads" --out "$work/out-$n")
  walls=()
  for ((r = 1; r <= runs; r++)); do
    log="$work/run-$n.log"
    /usr/bin/time -v "$bin" "${args[@]}" >/dev/null 2>"$log"
    walls+=("$(wall_seconds "$log")")
  done
  wall=$(printf '%s\n' "${walls[@]}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
  how="/usr/bin/time -v, mean of $runs: ${walls[*]}"
  if command -v hyperfine >/dev/null; then
    hyperfine --runs "$runs" --export-json "$work/hf-$n.json" \
      "$(printf '%q ' "$bin" "${args[@]}")" >/dev/null
    wall=$(python3 -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$work/hf-$n.json")
    how="hyperfine, mean of $runs"
  fi
  seconds=$(simulated_seconds "$log")
  rest=$(awk -v w="$wall" -v s="$seconds" 'BEGIN { printf "%.2f", w - s }')
  rss=$(peak_rss_kib "$log")
  echo "$n trials: wall ${wall}s ($how), trials ${seconds}s, the rest ${rest}s, peak RSS $rss KiB"
  rows+=$'\n'"$n,$wall,$seconds,$rest,$rss"
done
echo
echo "$rows"
