#!/usr/bin/env bash
# The benchmark script: criterion benches of the pure core, then the whole default run
# timed as a process (hyperfine if installed, else /usr/bin/time -v for time and memory).
# Usage: benches/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."

criterion_args=()
if [[ "${1:-}" == "--quick" ]]; then
  criterion_args=(-- --warm-up-time 1 --measurement-time 5)
fi

cargo bench --bench trial "${criterion_args[@]}"
cargo bench --bench link "${criterion_args[@]}"
cargo bench --bench wave "${criterion_args[@]}"
cargo bench --bench cron "${criterion_args[@]}"
cargo bench --bench accounting "${criterion_args[@]}"
cargo bench --bench floor "${criterion_args[@]}"

cargo build --release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs 3 \
    "target/release/vaultsim run --trials 8 --threads 1 --out $out/t1" \
    "target/release/vaultsim run --trials 8 --threads 2 --out $out/t2"
fi
/usr/bin/time -v target/release/vaultsim run --out "$out/default" 2>&1 \
  | grep -E "trials in|Elapsed \(wall|Maximum resident"
