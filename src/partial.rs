//! Shards of a run and their exact merge.
//!
//! `run --shard I/N` simulates the trials t with t mod N = I (a strided split: every shard
//! gets trials from the whole range, so shards take about as long as each other) and
//! saves its `Accumulator` — integer tallies, histograms and per-trial values tagged with
//! their trial index — as a *partial*. `merge` folds any number of partials back into one
//! accumulator. Because accumulation is exact and per-trial values are sorted by trial
//! before any floating-point arithmetic (`montecarlo`), the merged estimates, and so
//! every output file, are byte-identical to a single run with the same seed.
//!
//! A partial is binary: the magic line `vaultsim-partial`, a format version (u32, little
//! endian), then the header and the accumulator in postcard (a compact, documented serde
//! encoding: https://postcard.jamesmunns.com/wire-format). The header names everything a
//! merge must agree on: vaultsim's version, the maths fingerprint, the scenario's SHA-256
//! and those of the policy and price files it reads, the seed, the trial count and the
//! shard split.
//!
//! Pure: a partial is written to any byte sink and read from any byte source, as it is
//! encoded and decoded (never whole in memory); `cli` opens the files.

use std::io::{self, BufRead, Read, Write};

use postcard::de_flavors::Flavor;
use serde::{Deserialize, Serialize};

use crate::model::InputFile;
use crate::montecarlo::Accumulator;
use crate::report::summary::RunInfo;

/// The first bytes of every partial.
pub const MAGIC: &[u8] = b"vaultsim-partial\n";
/// Bumped whenever the encoding of the header or the accumulator changes. Version 2:
/// histograms list only their non-zero buckets (version 1 wrote all 2,240 of each).
/// Version 3: daily copy counts are sums over the shard's trials, not kept per trial.
/// Version 4: per-trial values are fixed-width records of 64-bit words
/// (`stats::records`), one per trial and family. Version 5: the accumulator no longer
/// writes its outage tier and copy link counts (both follow from the record widths).
/// Version 6: the header lists the policy and price files the model was read from.
pub const FORMAT_VERSION: u32 = 7;

/// What a merge must agree on, and which trials a partial holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub vaultsim_version: String,
    pub maths_fingerprint: String,
    /// The scenario file as named on the command line, and its SHA-256.
    pub scenario_file: String,
    pub scenario_sha256: String,
    /// The other files the model was read from, with their SHA-256 (`Model::inputs`).
    pub inputs: Vec<InputFile>,
    pub seed: u64,
    /// Trials of the whole run (all shards).
    pub trials: u64,
    /// This shard: index and count.
    pub shard: u64,
    pub shards: u64,
}

impl Header {
    /// The header of shard `shard` of `shards` of the run `run`, made by this build.
    pub fn new(run: &RunInfo, shard: u64, shards: u64) -> Header {
        Header {
            vaultsim_version: env!("CARGO_PKG_VERSION").to_string(),
            maths_fingerprint: crate::dist::maths_fingerprint(),
            scenario_file: run.scenario_file.clone(),
            scenario_sha256: run.scenario_sha256.clone(),
            inputs: run.inputs.clone(),
            seed: run.seed,
            trials: run.trials,
            shard,
            shards,
        }
    }

    /// The whole run this shard belongs to.
    pub fn run_info(&self) -> RunInfo {
        RunInfo {
            scenario_file: self.scenario_file.clone(),
            scenario_sha256: self.scenario_sha256.clone(),
            inputs: self.inputs.clone(),
            seed: self.seed,
            trials: self.trials,
        }
    }

    /// The trials of this shard: t in 0..trials with t mod shards = shard.
    pub fn trial_indices(&self) -> Vec<u64> {
        (self.shard..self.trials)
            .step_by(self.shards.max(1) as usize)
            .collect()
    }

    /// The file name of this shard's partial: `partial-0003-of-0008.bin`.
    pub fn file_name(&self) -> String {
        format!("partial-{:04}-of-{:04}.bin", self.shard, self.shards)
    }
}

/// Writes a partial to `out` as it is encoded. The accumulator's per-trial records are
/// streamed from wherever they are kept (`stats::records`), so writing a partial holds
/// no copy of them: a shard's memory does not grow with its trial count.
pub fn write(header: &Header, accumulator: &Accumulator, out: impl Write) -> io::Result<()> {
    let mut out = Tracked {
        inner: out,
        error: None,
    };
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    match postcard::to_io(&(header, accumulator), &mut out) {
        Ok(_) => out.flush(),
        // postcard reports a failed write as a full buffer: give the write's own error.
        Err(e) => Err(out
            .error
            .take()
            .unwrap_or_else(|| io::Error::other(format!("encoding the partial: {e}")))),
    }
}

/// Encodes a partial into bytes ([`write`]).
pub fn encode(header: &Header, accumulator: &Accumulator) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(header, accumulator, &mut bytes).expect("writing to memory does not fail");
    bytes
}

/// The most bytes one string of a partial may take (its header's file name and hashes):
/// the streaming decoder copies no more than that at a time.
const MAX_STRING_BYTES: usize = 64 * 1024;

/// Reads a partial from `input` as it is decoded, so reading holds no copy of its bytes
/// (the records go to their own store as they are read: `stats::records`). The error
/// says what is wrong: not a partial, another format version, corrupt.
pub fn read(input: impl Read) -> Result<(Header, Accumulator), String> {
    let mut input = io::BufReader::new(input);
    let mut magic = Vec::with_capacity(MAGIC.len());
    (&mut input)
        .take(MAGIC.len() as u64)
        .read_to_end(&mut magic)
        .map_err(|e| format!("cannot read: {e}"))?;
    if magic != MAGIC {
        return Err("not a vaultsim partial (it does not start with `vaultsim-partial`)".into());
    }
    let mut version = [0; 4];
    input
        .read_exact(&mut version)
        .map_err(|_| "truncated: no format version")?;
    let version = u32::from_le_bytes(version);
    if version != FORMAT_VERSION {
        return Err(format!(
            "partial format version {version}; this vaultsim reads version {FORMAT_VERSION} (re-run the shards with the same vaultsim as the merge)"
        ));
    }
    let mut decoder = postcard::Deserializer::from_flavor(Buffered {
        input,
        scratch: Vec::new(),
    });
    <(Header, Accumulator)>::deserialize(&mut decoder).map_err(|e| {
        format!(
            "corrupt partial ({e}): the file is truncated or damaged; copy it again from where its shard wrote it, or re-run that shard"
        )
    })
}

/// Decodes a partial from bytes ([`read`]).
pub fn decode(bytes: &[u8]) -> Result<(Header, Accumulator), String> {
    read(bytes)
}

/// postcard's reading flavor over a buffered reader: each byte comes straight from the
/// reader's buffer (postcard's own `from_io` reads a byte at a time through `read_exact`,
/// which made a merge ~30 % slower than decoding from memory), and only a value that
/// postcard takes whole (a float, a string: at most `MAX_STRING_BYTES`) is copied, into
/// `scratch`.
struct Buffered<R> {
    input: R,
    scratch: Vec<u8>,
}

impl<'de, R: BufRead + 'de> Flavor<'de> for Buffered<R> {
    type Remainder = ();
    type Source = R;

    #[inline]
    fn pop(&mut self) -> postcard::Result<u8> {
        let byte = self
            .input
            .fill_buf()
            .ok()
            .and_then(|b| b.first().copied())
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        self.input.consume(1);
        Ok(byte)
    }

    /// Nothing in a partial borrows from its input (every string is owned).
    fn try_take_n(&mut self, _: usize) -> postcard::Result<&'de [u8]> {
        Err(postcard::Error::DeserializeBadEncoding)
    }

    fn try_take_n_temp<'a>(&'a mut self, ct: usize) -> postcard::Result<&'a [u8]>
    where
        'de: 'a,
    {
        if ct > MAX_STRING_BYTES {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        self.scratch.resize(ct, 0);
        self.input
            .read_exact(&mut self.scratch)
            .map_err(|_| postcard::Error::DeserializeUnexpectedEnd)?;
        Ok(&self.scratch)
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// A writer that keeps the error of a failed write, which postcard replaces by its own.
struct Tracked<W> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.error = Some(io::Error::new(e.kind(), e.to_string()));
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Checks that `h` (named `name`) is a shard of the same run as `first` (named
/// `first_name`): the same version, maths, scenario (and the files it reads), seed,
/// trials and shard count.
/// `merge` calls it on each partial as it is read, before folding it in.
pub fn check_same_run(
    first: &Header,
    first_name: &str,
    h: &Header,
    name: &str,
) -> Result<(), String> {
    let differs = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
        Err(format!(
            "{name} is from another run than {first_name}: {what} {b}, not {a}"
        ))
    };
    if h.vaultsim_version != first.vaultsim_version {
        return differs("vaultsim", &first.vaultsim_version, &h.vaultsim_version);
    }
    if h.maths_fingerprint != first.maths_fingerprint {
        return differs(
            "maths fingerprint",
            &first.maths_fingerprint,
            &h.maths_fingerprint,
        );
    }
    if h.scenario_sha256 == first.scenario_sha256 && h.scenario_file != first.scenario_file {
        return Err(format!(
            "{name} names the scenario {}, {first_name} names {}: the same file's bytes \
             (SHA-256 {}), named two ways. The outputs name the scenario as the shards \
             were given it, so run every shard with the same path",
            h.scenario_file, first.scenario_file, h.scenario_sha256
        ));
    }
    if h.scenario_sha256 != first.scenario_sha256 || h.scenario_file != first.scenario_file {
        return differs(
            "scenario",
            &format!("{} ({})", first.scenario_file, first.scenario_sha256),
            &format!("{} ({})", h.scenario_file, h.scenario_sha256),
        );
    }
    if let Some(difference) = InputFile::difference(&first.inputs, first_name, &h.inputs, name) {
        return Err(format!(
            "{name} is from another run than {first_name}: the scenario file is the same but \
             the files it reads are not ({difference}); run every shard with the same policy \
             and price files"
        ));
    }
    if h.seed != first.seed {
        return differs("seed", &first.seed, &h.seed);
    }
    if h.trials != first.trials {
        return differs("trials", &first.trials, &h.trials);
    }
    if h.shards != first.shards {
        return differs("shard count", &first.shards, &h.shards);
    }
    Ok(())
}

/// Checks that `headers` (in any order) are the shards of one run, each exactly once
/// (`check_same_run`, then every shard index once). Names the partials by their
/// position in `names`.
pub fn check_complete(headers: &[Header], names: &[String]) -> Result<(), String> {
    let first = headers.first().ok_or("no partial to merge")?;
    for (h, name) in headers.iter().zip(names).skip(1) {
        check_same_run(first, &names[0], h, name)?;
    }
    let mut seen: Vec<Option<&str>> = vec![None; first.shards as usize];
    for (h, name) in headers.iter().zip(names) {
        match seen.get_mut(h.shard as usize) {
            Some(Some(other)) => {
                return Err(format!(
                    "{name} and {other} are both shard {}/{}: shards overlap",
                    h.shard, h.shards
                ));
            }
            Some(slot) => *slot = Some(name),
            None => {
                return Err(format!(
                    "{name}: shard {} of {} is out of range",
                    h.shard, h.shards
                ));
            }
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shards {} of {} are missing: a merge needs every shard of the run",
            missing.join(", "),
            first.shards
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(shard: u64) -> Header {
        Header {
            vaultsim_version: "0.1.0".to_string(),
            maths_fingerprint: "m".to_string(),
            scenario_file: "s.toml".to_string(),
            scenario_sha256: "abc".to_string(),
            inputs: vec![
                InputFile {
                    file: "policies/org.json".to_string(),
                    sha256: "p1".to_string(),
                },
                InputFile {
                    file: "prices/aws.toml".to_string(),
                    sha256: "c1".to_string(),
                },
            ],
            seed: 7,
            trials: 10,
            shard,
            shards: 4,
        }
    }

    #[test]
    fn strided_shards_cover_every_trial_once() {
        let mut all: Vec<u64> = (0..4).flat_map(|s| header(s).trial_indices()).collect();
        assert_eq!(header(1).trial_indices(), [1, 5, 9]);
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn a_complete_set_in_any_order_is_accepted_and_anything_else_refused() {
        let names: Vec<String> = (0..4).map(|i| format!("p{i}")).collect();
        let ok = [header(2), header(0), header(3), header(1)];
        assert_eq!(check_complete(&ok, &names), Ok(()));
        let overlap = [header(0), header(1), header(1), header(3)];
        assert!(
            check_complete(&overlap, &names)
                .unwrap_err()
                .contains("overlap")
        );
        let missing = [header(0), header(3)];
        assert!(
            check_complete(&missing, &names)
                .unwrap_err()
                .contains("shards 1, 2 of 4 are missing")
        );
        let mut other_seed = header(1);
        other_seed.seed = 8;
        let e = check_complete(&[header(0), other_seed], &names).unwrap_err();
        assert!(
            e.contains("p1 is from another run than p0: seed 8, not 7"),
            "{e}"
        );
    }

    #[test]
    fn shards_that_read_other_files_or_name_the_scenario_otherwise_are_refused() {
        let names: Vec<String> = (0..4).map(|i| format!("p{i}")).collect();
        let refusal = |edit: &dyn Fn(&mut Vec<InputFile>)| {
            let mut other = header(1);
            edit(&mut other.inputs);
            check_complete(&[header(0), other], &names).unwrap_err()
        };
        let e = refusal(&|inputs| inputs[0].sha256 = "p2".to_string());
        assert!(
            e.contains("p1 is from another run than p0: the scenario file is the same")
                && e.contains("policies/org.json has SHA-256 p2 in p1 and p1 in p0"),
            "{e}"
        );
        let e = refusal(&|inputs| {
            inputs.push(InputFile {
                file: "policies/extra.json".to_string(),
                sha256: "x".to_string(),
            })
        });
        assert!(
            e.contains("p1 read policies/extra.json and p0 did not"),
            "{e}"
        );
        let e = refusal(&|inputs| {
            inputs.remove(1);
        });
        assert!(e.contains("p0 read prices/aws.toml and p1 did not"), "{e}");
        let mut renamed = header(1);
        renamed.scenario_file = "./s.toml".to_string();
        let e = check_complete(&[header(0), renamed], &names).unwrap_err();
        assert!(
            e.contains("p1 names the scenario ./s.toml, p0 names s.toml: the same file's bytes"),
            "{e}"
        );
        // The same files read in another order are the same inputs.
        let mut reordered = header(1);
        reordered.inputs.reverse();
        let all = [header(0), reordered, header(2), header(3)];
        assert_eq!(check_complete(&all, &names), Ok(()));
    }

    #[test]
    fn decoding_refuses_what_is_not_a_partial_of_this_format() {
        assert!(
            decode(b"hello")
                .unwrap_err()
                .contains("not a vaultsim partial")
        );
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&99u32.to_le_bytes());
        assert!(decode(&bytes).unwrap_err().contains("format version 99"));
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&[1, 2, 3]);
        assert!(decode(&bytes).unwrap_err().contains("corrupt"));
    }

    /// A sink that takes `room` bytes, then fails as a full disk does.
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_partial_streams_through_writers_and_readers_and_a_failed_write_says_why() {
        let accumulator = Accumulator::new(&[]);
        let bytes = encode(&header(1), &accumulator);
        let (h, a) = read(io::BufReader::with_capacity(1, bytes.as_slice())).unwrap();
        assert_eq!(h, header(1));
        assert_eq!(encode(&h, &a), bytes);
        // Fails in the body (past the magic and version), with the sink's own error.
        let e = write(&header(1), &accumulator, Full { room: 30 }).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert_eq!(e.to_string(), "disk full");
        // A string longer than the decoder's scratch is refused as corrupt, not read.
        let mut long = header(1);
        long.scenario_file = "x".repeat(MAX_STRING_BYTES + 1);
        assert!(
            decode(&encode(&long, &accumulator))
                .unwrap_err()
                .contains("corrupt")
        );
    }
}
