#!/usr/bin/env bash
# What the per-job draws are worth (issue 8): how far the answers move when a source of
# per-job randomness is replaced by its mean, measured with `vaultsim compare` (common
# random numbers, paired 95 % intervals) on scenarios/bench-reference.toml.
#
# A kernel that stops drawing ordinary jobs one by one (the draws alone take 22–46 ns per
# job on this machine, around the 30 ns target: docs/speed.md) must state its error. The
# variants below are the simplest such kernels, so their differences are the error that
# any faster kernel has to beat, and the acceptance check it will have to pass:
#
#   start-delay-mean   every job starts at the mean of `start_delay_minutes` (a uniform
#                      `low..high` becomes `mid..mid`, which still draws one number per
#                      job, so every later draw is the same as in the reference: exact
#                      pairing).
#   throughput-mean    every backup runs at the constant throughput with the same mean
#                      duration as the type's log-normal (`median · exp(−σ²/2)`, the
#                      harmonic mean), as a degenerate uniform. It draws one number per
#                      job where the log-normal's ziggurat draws one almost always, so the
#                      pairing is nearly exact.
#
# Prints, per variant, the differences whose paired interval excludes zero, the largest
# of them per measure, the first-year cost difference, and one JSON line at the end.
#
# Usage: benches/fidelity.sh [--trials N] [--threads N]   (defaults: 16 trials, all cores)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=16
threads=$(nproc)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "usage: benches/fidelity.sh [--trials N] [--threads N]" >&2; exit 2 ;;
  esac
done

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r scenarios/policies scenarios/prices "$work/"
cp scenarios/bench-reference.toml "$work/reference.toml"

python3 - "$work" <<'EOF'
import math, re, sys
work = sys.argv[1]
text = open(f"{work}/reference.toml").read()

def start_delay_mean(m):
    low, high = float(m.group(1)), float(m.group(2))
    mid = (low + high) / 2
    return f'start_delay_minutes = {{ dist = "uniform", low = {mid}, high = {mid} }}'

def throughput_mean(m):
    median, p95 = float(m.group(1)), float(m.group(2))
    sigma = math.log(p95 / median) / 1.6448536269514722
    harmonic = median * math.exp(-sigma * sigma / 2)
    return f'backup_throughput_mib_per_s = {{ dist = "uniform", low = {harmonic!r}, high = {harmonic!r} }}'

variants = {
    "start-delay-mean": (
        r'start_delay_minutes = \{ dist = "uniform", low = ([0-9.]+), high = ([0-9.]+) \}',
        start_delay_mean),
    "throughput-mean": (
        r'backup_throughput_mib_per_s = \{ dist = "lognormal", median = ([0-9.]+), p95 = ([0-9.]+) \}',
        throughput_mean),
}
for name, (pattern, replace) in variants.items():
    changed, n = re.subn(pattern, replace, text)
    assert n > 0, f"{name}: the reference no longer has the line this variant replaces"
    open(f"{work}/{name}.toml", "w").write(changed)
EOF

for variant in start-delay-mean throughput-mean; do
  echo "$variant: vaultsim compare, $trials trials"
  target/release/vaultsim compare "$work/reference.toml" "$work/$variant.toml" \
    --trials "$trials" --threads "$threads" --out "$work/$variant" >"$work/$variant.log"
done

python3 - "$work" "$trials" <<'EOF'
import json, sys
work, trials = sys.argv[1], int(sys.argv[2])
measures = {
    "p_meet_rpo": ("P(RPO met)", 100, "pp"),
    "p_meet_rto": ("P(RTO met)", 100, "pp"),
    "p_unrecoverable": ("P(unrecoverable)", 100, "pp"),
    "rpo_p95_seconds": ("RPO p95", 1 / 3600, "h"),
    "rto_p95_seconds": ("RTO p95", 1 / 3600, "h"),
}
result = {"scenario": "scenarios/bench-reference.toml", "trials": trials, "variants": {}}
for variant in ("start-delay-mean", "throughput-mean"):
    doc = json.load(open(f"{work}/{variant}/compare.json"))
    out = {"significant": 0, "compared": 0}
    print(f"\n{variant}:")
    for key, (label, scale, unit) in measures.items():
        worst = None
        for row in doc["rows"]:
            m = row["metrics"].get(key)
            if m is None or m.get("difference") is None:
                continue
            out["compared"] += 1
            if not m["significant"]:
                continue
            out["significant"] += 1
            if worst is None or abs(m["difference"]) > abs(worst[0]["difference"]):
                worst = (m, row)
        if worst is None:
            print(f"  {label}: no difference outside its 95 % interval")
            continue
        m, row = worst
        where = " · ".join(str(row[k]) for k in ("tier", "environment", "disaster") if row.get(k))
        lo, hi = (x * scale for x in m["paired"]["ci95"])
        print(f"  {label}: largest significant difference {m['difference'] * scale:+.2f} {unit} "
              f"[{lo:+.2f}, {hi:+.2f}] ({where})")
        out[key] = {"difference": round(m["difference"] * scale, 3), "unit": unit, "row": where}
    cost = doc["cost"]["first_year_usd"]
    pct = 100 * cost["difference"] / cost["a"]
    lo, hi = (100 * x / cost["a"] for x in cost["paired"]["ci95"])
    se = 100 * cost["independent_runs"]["standard_error"] / cost["a"]
    print(f"  first-year cost: {pct:+.2f} % [{lo:+.2f}, {hi:+.2f}] "
          f"(the Monte Carlo standard error of one run: {se:.2f} %)")
    print(f"  {out['significant']} of {out['compared']} differences outside their 95 % interval "
          f"(about {round(0.05 * out['compared'])} would be by chance)")
    out["first_year_cost_percent"] = round(pct, 3)
    out["first_year_cost_mc_standard_error_percent"] = round(se, 3)
    result["variants"][variant] = out
print()
print(json.dumps(result, separators=(",", ":")))
EOF
