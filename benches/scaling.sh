#!/usr/bin/env bash
# How the engine's cost grows with accounts, horizon and trials (issue 8): variants of
# scenarios/bench-reference.toml with the workload account counts scaled (250, 500, 1,000,
# 2,000 accounts in all), the horizon changed (90, 365, 730 days) and the trial count
# changed (2, 4, 8), each run on one thread. Prints one line per point (accounts,
# resources, horizon, trials, jobs, simulation seconds, ns per job, peak RSS) and a CSV at
# the end.
#
# Usage: benches/scaling.sh [--trials N]   (trials per point of the account and horizon
#                                           series; default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/parse.sh

trials=2
if [[ "${1:-}" == "--trials" ]]; then trials="$2"; fi

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r scenarios/policies scenarios/prices "$work/"

# variant NAME ACCOUNTS HORIZON_DAYS: writes $work/NAME.toml.
variant() {
  python3 - "$work/$1.toml" "$2" "$3" <<'EOF'
import re, sys
path, accounts, horizon = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open("scenarios/bench-reference.toml").read()
# The reference's 996 workload accounts in its proportions, plus the 4 platform accounts.
shares = {"production": 295, "staging": 185, "development": 295, "sandbox": 221}
workload = accounts - 4
for name, count in shares.items():
    scaled = max(1, round(count * workload / 996))
    text, n = re.subn(
        r'(\[organization\.account_templates\.%s\]\nou = "\w+"\ncount = )\d+' % name,
        r"\g<1>%d" % scaled, text)
    assert n == 1, name
# The link scales with the estate, so copies queue as the reference's do.
text, n = re.subn(r"bandwidth_mib_per_s = 2000",
                  "bandwidth_mib_per_s = %d" % round(2000 * accounts / 1000), text)
assert n == 1
text, n = re.subn(r"horizon_days = 365", "horizon_days = %d" % horizon, text)
assert n == 1
open(path, "w").write(text)
EOF
}

rows="accounts,resources,horizon_days,trials,jobs,simulation_s,ns_per_job,peak_rss_mib"
point() {
  local name=$1 n=$2 log="$work/$1-$2.log"
  /usr/bin/time -v target/release/vaultsim run "$work/$name.toml" --trials "$n" --threads 1 \
    --out "$work/out-$name-$n" >/dev/null 2>"$log"
  local accounts resources horizon jobs seconds ns rss
  read -r accounts resources < <(sed -nE 's/.* — ([0-9]+) accounts, ([0-9]+) resources.*/\1 \2/p' "$log")
  horizon=$(grep -oE '^horizon_days = [0-9]+' "$work/$name.toml" | grep -oE '[0-9]+$')
  jobs=$(simulated_jobs "$log")
  seconds=$(simulated_seconds "$log")
  ns=$(simulated_ns "$log")
  rss=$(( $(peak_rss_kib "$log") / 1024 ))
  echo "$accounts accounts, $resources resources, $horizon days, $n trials: $jobs jobs in ${seconds}s ($ns ns per job), peak RSS $rss MiB"
  rows+=$'\n'"$accounts,$resources,$horizon,$n,$jobs,$seconds,$ns,$rss"
}

for accounts in 250 500 1000 2000; do
  variant "a$accounts" "$accounts" 365
  point "a$accounts" "$trials"
done
for horizon in 90 730; do
  variant "h$horizon" 1000 "$horizon"
  point "h$horizon" "$trials"
done
for n in 4 8; do
  point a1000 "$n"
done
echo
echo "$rows"
