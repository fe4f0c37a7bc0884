# Readers of a `vaultsim run` log (its stderr, under /usr/bin/time -v), sourced by the
# benchmark scripts. The engine's "simulated N trials: J jobs (…) in Ss on T threads,
# X ns per job per thread" line times the trials alone.

# simulated_jobs LOG / simulated_seconds LOG / simulated_ns LOG
simulated_jobs() { sed -nE 's/^simulated [0-9]+ trials: ([0-9]+) jobs.*/\1/p' "$1"; }
simulated_seconds() { sed -nE 's/^simulated .* in ([0-9.]+)s on .*/\1/p' "$1"; }
simulated_ns() { sed -nE 's/^simulated .*, ([0-9.]+) ns per job per thread$/\1/p' "$1"; }

# peak_rss_kib LOG: /usr/bin/time -v's maximum resident set size, KiB.
peak_rss_kib() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

# wall_seconds LOG: /usr/bin/time -v's elapsed wall clock time, seconds.
wall_seconds() {
  awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"
}
