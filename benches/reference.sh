#!/usr/bin/env bash
# The reference workload benchmark (issue 8): builds release, runs
# scenarios/bench-reference.toml (1,000 accounts, ~19,500 resources, 1 year) at 2 threads
# over its 200 trials and at 1 thread over fewer trials (trials are independent, so the
# per-trial rate is what the speed-up compares), and prints jobs simulated, ns per job per
# core, the 1 → 2 thread speed-up, peak RSS (/usr/bin/time -v) and wall time; the last
# line of output is one JSON object.
#
# Usage: benches/reference.sh [--trials N] [--one-thread-trials M] [--quick]
#   --trials N              trials of the 2-thread run (default: the scenario's 200)
#   --one-thread-trials M   trials of the 1-thread run (default: 20)
#   --quick                 --trials 8 --one-thread-trials 4 (a smoke run)
#
# "ns per job per core" = simulation seconds × threads ÷ (backup jobs + copy jobs), from
# the engine's own "simulated ..." line (it times the trials alone, not loading or
# writing reports); wall time and peak RSS are the whole process's.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/parse.sh

scenario=scenarios/bench-reference.toml
trials=200
one_thread_trials=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --one-thread-trials) one_thread_trials="$2"; shift 2 ;;
    --quick) trials=8; one_thread_trials=4; shift ;;
    *) echo "usage: benches/reference.sh [--trials N] [--one-thread-trials M] [--quick]" >&2; exit 2 ;;
  esac
done

cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# run THREADS TRIALS: sets seconds, jobs, ns, wall, rss_kb from one timed run.
run() {
  local threads=$1 n=$2 log="$out/log-$1"
  /usr/bin/time -v target/release/vaultsim run "$scenario" --trials "$n" --threads "$threads" \
    --out "$out/t$threads" >/dev/null 2>"$log"
  seconds=$(simulated_seconds "$log")
  jobs=$(simulated_jobs "$log")
  ns=$(simulated_ns "$log")
  wall=$(wall_seconds "$log")
  rss_kb=$(peak_rss_kib "$log")
  echo "$threads thread(s), $n trials: $jobs jobs simulated in ${seconds}s ($ns ns per job per core); wall ${wall}s, peak RSS $((rss_kb / 1024)) MiB"
}

run 1 "$one_thread_trials"
s1=$seconds n1=$one_thread_trials ns1=$ns wall1=$wall rss1=$rss_kb
run 2 "$trials"
s2=$seconds jobs2=$jobs ns2=$ns wall2=$wall rss2=$rss_kb
# One match (-m1), so no reader closes the pipe early: under pipefail, `grep | head -1`
# fails with SIGPIPE whenever grep still has matches to write.
resources=$(grep -m1 -o '"resources": [0-9]*' "$out/t2/summary.json" | grep -o '[0-9]*')

python3 - "$s1" "$n1" "$ns1" "$wall1" "$rss1" "$s2" "$trials" "$jobs2" "$ns2" "$wall2" "$rss2" "$resources" <<'EOF'
import json, sys
s1, n1, ns1, wall1, rss1, s2, n2, jobs2, ns2, wall2, rss2, resources = sys.argv[1:]
s1, ns1, wall1, s2, ns2, wall2 = map(float, (s1, ns1, wall1, s2, ns2, wall2))
n1, rss1, n2, jobs2, rss2, resources = map(int, (n1, rss1, n2, jobs2, rss2, resources))
speedup = (s1 / n1) / (s2 / n2)
result = {
    "scenario": "scenarios/bench-reference.toml",
    "resources": resources,
    "trials": n2,
    "jobs_simulated": jobs2,
    "jobs_per_trial": jobs2 / n2,
    "ns_per_job_per_core_1_thread": round(ns1, 1),
    "ns_per_job_per_core_2_threads": round(ns2, 1),
    "speedup_1_to_2_threads": round(speedup, 3),
    "simulation_s_2_threads": s2,
    "wall_s_2_threads": wall2,
    "wall_s_1_thread": wall1,
    "trials_1_thread": n1,
    "peak_rss_mib_1_thread": round(rss1 / 1024, 1),
    "peak_rss_mib_2_threads": round(rss2 / 1024, 1),
    "peak_rss_kib_per_resource_2_threads": round(rss2 / resources, 2),
    "targets_met": {
        "ns_per_job_per_core_le_30": ns2 <= 30.0,
        "speedup_ge_1_9": speedup >= 1.9,
        "rss_le_1_kib_per_resource": rss2 / resources <= 1.0,
        "wall_le_30_s_at_200_trials": n2 == 200 and wall2 <= 30.0,
    },
}
print(f"speed-up 1 -> 2 threads: {speedup:.2f}x (per-trial simulation time)")
print(json.dumps(result, separators=(",", ":")))
EOF
