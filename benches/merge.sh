#!/usr/bin/env bash
# What `vaultsim merge` costs as the shard count grows (issue 8, docs/scale.md): one run
# of SCENARIO at TRIALS trials is split into 4, 8, 16 and 32 shards (`run --shard I/N`,
# strided; counts above TRIALS are skipped, as a shard needs a trial), each set is merged,
# and the merge's wall time and peak RSS (`/usr/bin/time -v`) are printed with the
# partials' total size. Every merge's outputs are compared byte for byte with the single
# run (`diff -r`, logs aside); a difference fails the script. One JSON line at the end.
#
# Usage: benches/merge.sh [--scenario FILE] [--trials N]
#   defaults: scenarios/bench-gate.toml, 32 trials (about a minute in all)
# Exit: 0 measured and identical, 1 a merge differs from the single run.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/parse.sh

scenario=scenarios/bench-gate.toml
trials=32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenario) scenario="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    *) echo "usage: benches/merge.sh [--scenario FILE] [--trials N]" >&2; exit 2 ;;
  esac
done

cargo build --release --quiet
bin=target/release/vaultsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/time -v "$bin" run "$scenario" --trials "$trials" --out "$work/single" \
  >/dev/null 2>"$work/single.log"
echo "single run, $trials trials: peak RSS $(( $(peak_rss_kib "$work/single.log") / 1024 )) MiB"

points=""
for shards in 4 8 16 32; do
  if ((shards > trials)); then
    echo "$shards shards: skipped (a shard needs a trial; --trials is $trials)"
    continue
  fi
  for ((i = 0; i < shards; i++)); do
    "$bin" run "$scenario" --trials "$trials" --shard "$i/$shards" \
      --out "$work/partials-$shards" >/dev/null 2>&1
  done
  bytes=$(du -cb "$work/partials-$shards"/partial-*.bin | tail -1 | cut -f1)
  /usr/bin/time -v "$bin" merge "$work/partials-$shards" --out "$work/merged-$shards" \
    >/dev/null 2>"$work/merge-$shards.log"
  rss=$(peak_rss_kib "$work/merge-$shards.log")
  wall=$(wall_seconds "$work/merge-$shards.log")
  if ! diff -r --exclude='*.log' "$work/single" "$work/merged-$shards" >/dev/null; then
    echo "benches/merge.sh: the merge of $shards shards differs from the single run" >&2
    exit 1
  fi
  echo "$shards shards: partials $bytes bytes, merge ${wall}s, peak RSS $rss KiB, identical to the single run"
  points+="${points:+,}{\"shards\":$shards,\"partial_bytes\":$bytes,\"merge_s\":$wall,\"merge_peak_rss_kib\":$rss}"
done
echo "{\"scenario\":\"$scenario\",\"trials\":$trials,\"single_peak_rss_kib\":$(peak_rss_kib "$work/single.log"),\"merges\":[$points]}"
