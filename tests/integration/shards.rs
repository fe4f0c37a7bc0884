//! Sharded runs: `run --shard I/N` in separate processes, then `merge`, give the same bytes
//! as one run; merges refuse partials that are not the shards of one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::{root, stderr, vaultsim};

/// The minimal example with prices and logical corruption (every accumulator kind that
/// scenario has: rows, storage, costs, lifecycle, alarms), written into `dir`.
fn scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/examples/minimal.toml")).unwrap()
        + &format!(
            "\n[disasters.logical_corruption]\n\
             detection_delay_days = {{ dist = \"lognormal\", median = 3, p95 = 21 }}\n\
             rate_per_year = 5\n\n[costs]\ncatalog = \"{}\"\n",
            root().join("scenarios/prices/aws-backup.toml").display()
        );
    let file = dir.join("sharded.toml");
    std::fs::write(&file, text).unwrap();
    file
}

fn ok(args: &[&str]) {
    let o = vaultsim(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Runs shard `i` of `n` into `dir/shard-i`.
fn shard(file: &Path, dir: &Path, i: u64, n: u64, seed: &str) -> PathBuf {
    let out = dir.join(format!("shard-{i}-{seed}"));
    ok(&[
        "run",
        file.to_str().unwrap(),
        "--trials",
        "8",
        "--seed",
        seed,
        "--shard",
        &format!("{i}/{n}"),
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

/// `vaultsim merge INPUTS... --out OUT`.
fn merge(inputs: &[&PathBuf], out: &Path) -> Output {
    let mut args = vec!["merge".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".to_string(), out.display().to_string()]);
    vaultsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn four_shards_merged_in_any_order_are_byte_identical_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let single = dir.path().join("single");
    ok(&[
        "run",
        file.to_str().unwrap(),
        "--trials",
        "8",
        "--seed",
        "5",
        "--out",
        single.to_str().unwrap(),
    ]);
    let shards: Vec<PathBuf> = (0..4)
        .map(|i| shard(&file, dir.path(), i, 4, "5"))
        .collect();
    let expected = files(&single);
    assert!(expected.len() > 15, "{:?}", expected.keys());
    for (name, order) in [("merged", vec![0, 1, 2, 3]), ("reversed", vec![3, 1, 0, 2])] {
        let out = dir.path().join(name);
        let o = merge(&order.iter().map(|&i| &shards[i]).collect::<Vec<_>>(), &out);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let merged = files(&out);
        assert_eq!(
            merged.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        for (file_name, bytes) in &expected {
            assert!(merged[file_name] == *bytes, "{name}: {file_name} differs");
        }
    }
}

#[test]
fn merges_of_partials_that_are_not_one_run_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let a0 = shard(&file, dir.path(), 0, 2, "5");
    let a1 = shard(&file, dir.path(), 1, 2, "5");
    let b1 = shard(&file, dir.path(), 1, 2, "6");
    let refused = |inputs: &[&PathBuf], wanted: &str| {
        let o = merge(inputs, &dir.path().join("never"));
        assert_eq!(o.status.code(), Some(2), "{inputs:?}");
        assert!(stderr(&o).contains(wanted), "{inputs:?}: {}", stderr(&o));
        assert!(!dir.path().join("never").exists(), "nothing is written");
    };
    refused(&[&a0, &b1], "seed 6, not 5");
    refused(&[&a0, &a1, &a1], "shards overlap");
    refused(&[&a0], "shards 1 of 2 are missing");
    // A partial whose header is shard 1's but whose accumulators come from a run of
    // another horizon: it passes every header check, and its per-day records are
    // wider than shard 0's. Refused, not merged into wrong numbers (or a panic).
    let longer = dir.path().join("longer.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("horizon_days = 60"));
    std::fs::write(
        &longer,
        text.replace("horizon_days = 60", "horizon_days = 90"),
    )
    .unwrap();
    let c1 = shard(&longer, &dir.path().join("longer"), 1, 2, "5");
    let read = |d: &PathBuf| {
        let bytes = std::fs::read(d.join("partial-0001-of-0002.bin")).unwrap();
        vaultsim::partial::decode(&bytes).unwrap()
    };
    let ((header, _), (_, other)) = (read(&a1), read(&c1));
    let spliced = dir.path().join("spliced");
    std::fs::create_dir(&spliced).unwrap();
    std::fs::write(
        spliced.join("partial-0001-of-0002.bin"),
        vaultsim::partial::encode(&header, &other),
    )
    .unwrap();
    refused(&[&a0, &spliced], "does not fit");
    refused(&[&a0, &spliced], "storage records of 180 words against 120");
    // The scenario changed after the shards ran.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("rate_per_year = 5", "rate_per_year = 6"),
    )
    .unwrap();
    refused(&[&a0, &a1], "has changed since the shards ran");
    // A partial cut short in transfer: the message says what to do about it.
    let cut = dir.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    let bytes = std::fs::read(a1.join("partial-0001-of-0002.bin")).unwrap();
    std::fs::write(
        cut.join("partial-0001-of-0002.bin"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    refused(&[&a0, &cut], "truncated or damaged");
    refused(&[&a0, &cut], "re-run that shard");
    // Not a partial.
    let junk = dir.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("partial-0000-of-0002.bin"), b"hello").unwrap();
    refused(&[&junk], "not a vaultsim partial");
}

/// A merge checks the files the scenario reads, not only the scenario file: shards that
/// read different price catalogs are refused, and so is a merge after the catalog
/// changed. Each message names the file.
#[test]
fn shards_and_merges_that_read_other_price_files_are_refused_by_name() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("prices.toml");
    let prices = std::fs::read_to_string(root().join("scenarios/prices/aws-backup.toml")).unwrap();
    std::fs::write(&catalog, &prices).unwrap();
    let file = dir.path().join("relative.toml");
    let text = std::fs::read_to_string(scenario(dir.path())).unwrap();
    let at = text.find("catalog = ").unwrap();
    std::fs::write(&file, format!("{}catalog = \"prices.toml\"\n", &text[..at])).unwrap();
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let (before, after) = (hex(prices.as_bytes()), {
        let edited = prices.replacen("usd = 0.05\n", "usd = 0.06\n", 1);
        assert_ne!(edited, prices);
        edited
    });
    let s0 = shard(&file, dir.path(), 0, 2, "5");
    std::fs::write(&catalog, &after).unwrap();
    let edited = hex(after.as_bytes());
    let s1 = shard(&file, dir.path(), 1, 2, "5");
    let o = merge(&[&s0, &s1], &dir.path().join("mixed"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let partial = |d: &PathBuf, i: u64| d.join(format!("partial-{i:04}-of-0002.bin"));
    let wanted = format!(
        "{} is from another run than {}: the scenario file is the same but the files it \
         reads are not (prices.toml has SHA-256 {edited} in {} and {before} in {})",
        partial(&s1, 1).display(),
        partial(&s0, 0).display(),
        partial(&s1, 1).display(),
        partial(&s0, 0).display()
    );
    assert!(stderr(&o).contains(&wanted), "{}", stderr(&o));
    assert!(!dir.path().join("mixed").exists(), "nothing is written");
    // Shard 0 again with the catalog shard 1 read: they merge, and the run manifest
    // lists the catalog with its digest.
    let s0 = shard(&file, &dir.path().join("again"), 0, 2, "5");
    let o = merge(&[&s0, &s1], &dir.path().join("merged"));
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("merged/summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["scenario"]["inputs"],
        serde_json::json!([{ "file": "prices.toml", "sha256": edited }])
    );
    // The catalog put back as it was: the shards no longer match what a merge would
    // publish (the estimates priced with one catalog, the reports read from another).
    std::fs::write(&catalog, &prices).unwrap();
    let o = merge(&[&s0, &s1], &dir.path().join("stale"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let wanted = format!(
        "a file that {} reads has changed since the shards ran (prices.toml has SHA-256 \
         {before} in this merge and {edited} in the shards' run)",
        file.display()
    );
    assert!(stderr(&o).contains(&wanted), "{}", stderr(&o));
    assert!(!dir.path().join("stale").exists(), "nothing is written");
}

#[test]
fn the_shard_index_comes_from_array_job_variables() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let out = dir.path().join("k8s");
    let o = two_shard_run(&file)
        .args(["--out", out.to_str().unwrap()])
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("partial-0001-of-0002.bin").exists());
    // Without any: a clear error naming the variables.
    let o = two_shard_run(&file)
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("AWS_BATCH_JOB_ARRAY_INDEX"),
        "{}",
        stderr(&o)
    );
    let o = vaultsim(&[
        "run",
        file.to_str().unwrap(),
        "--trials",
        "4",
        "--shard",
        "4/4",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("valid: 0 to 3"), "{}", stderr(&o));
}

/// `vaultsim run FILE --trials 4 --shards 2`, the shard index left to the environment.
fn two_shard_run(file: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_vaultsim"));
    command
        .args([
            "run",
            file.to_str().unwrap(),
            "--trials",
            "4",
            "--shards",
            "2",
        ])
        .current_dir(root());
    command
}

/// A partial holds its trials in trial order, so its bytes do not depend on the order in
/// which the threads happened to finish them.
#[test]
fn a_partial_has_the_same_bytes_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let partial = |threads: &str| {
        let out = dir.path().join(format!("threads-{threads}"));
        ok(&[
            "run",
            file.to_str().unwrap(),
            "--trials",
            "12",
            "--seed",
            "9",
            "--shard",
            "1/2",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        files(&out)
    };
    let one = partial("1");
    assert_eq!(one.len(), 1, "{:?}", one.keys());
    assert_eq!(partial("2"), one);
    assert_eq!(partial("3"), one);
}
