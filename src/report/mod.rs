//! Writers: turn `montecarlo::Estimates` into `summary.json`, CSV files and the terminal
//! table. Only this module knows JSON and CSV output formats; it formats and never computes
//! anything a user would need from elsewhere.
//!
//! Files are written atomically: each is written to a temporary file in the output
//! directory, then renamed over the old one, so a failed run leaves earlier results intact.

pub mod compare;
pub mod compliance;
pub mod csv_files;
pub mod document;
pub mod junit;
pub mod plot;
pub mod sarif;
pub mod summary;
pub mod sweep;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes every `(file name, bytes)` into `dir`, all moved into place together (see
/// [`Staging`]); callers render all of them first, so bad input leaves nothing
/// half-written.
pub fn write_all(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    let mut staging = Staging::new(dir)?;
    for (name, bytes) in files {
        staging.stage(name, bytes)?;
    }
    staging.commit()
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let mut staging = Staging::new(dir)?;
    staging.stage(&file_name.to_string_lossy(), bytes)?;
    staging.commit()
}

/// The new files of one output directory. Each is written to a temporary file beside its
/// final name as soon as it is rendered, so a run holds one output in memory at a time
/// (the compliance reports of a large estate are tens of megabytes), and all of them are
/// renamed into place by [`Staging::commit`] once every one is written. Dropped without a
/// commit (a later output failed), it removes its temporary files: the directory keeps
/// its earlier results and nothing half-written.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    /// (temporary, final) paths of the files written so far.
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staging {
    /// Staging for `dir`, which is created if missing.
    pub fn new(dir: &Path) -> Result<Staging> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// A new file `name` of the directory, written through its temporary file; call
    /// [`StagedFile::finish`] once it is complete.
    pub fn create(&mut self, name: &str) -> Result<StagedFile> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        self.files.push((tmp.clone(), path));
        Ok(StagedFile {
            tmp,
            writer: std::io::BufWriter::new(file),
        })
    }

    /// Writes file `name` with `bytes`.
    pub fn stage(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(name)?;
        file.write_all(bytes)
            .with_context(|| format!("cannot write {}", file.tmp.display()))?;
        file.finish()
    }

    /// Moves every file written into place, in the order they were created.
    pub fn commit(mut self) -> Result<()> {
        let files = std::mem::take(&mut self.files);
        for (i, (tmp, path)) in files.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, path) {
                // The rest are still temporary files: `drop` removes them.
                self.files = files[i..].to_vec();
                return Err(e)
                    .with_context(|| format!("cannot move {} into place", path.display()));
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// One file of a [`Staging`], being written.
#[derive(Debug)]
pub struct StagedFile {
    tmp: PathBuf,
    writer: std::io::BufWriter<std::fs::File>,
}

impl StagedFile {
    /// Completes the file: flushed and synced to disk (moved into place at the commit).
    pub fn finish(self) -> Result<()> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", self.tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot flush {}", self.tmp.display()))
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Formats seconds as a short human duration (`45s`, `12m`, `3h 05m`, `2.5d`).
pub fn human_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "-".to_string();
    }
    let s = seconds.round() as i64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", (seconds / 60.0).round() as i64)
    } else if s < 2 * 86_400 {
        let m = (seconds / 60.0).round() as i64;
        format!("{}h {:02}m", m / 60, m % 60)
    } else {
        format!("{:.1}d", seconds / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45.0), "45s");
        assert_eq!(human_duration(720.0), "12m");
        assert_eq!(human_duration(3.0 * 3600.0 + 300.0), "3h 05m");
        assert_eq!(human_duration(30.0 * 3600.0), "30h 00m");
        assert_eq!(human_duration(2.5 * 86_400.0), "2.5d");
        assert_eq!(human_duration(f64::NAN), "-");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("a.txt");
        write_atomically(&path, b"one").expect("write");
        write_atomically(&path, b"two").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| {
                let path = e.expect("entry").path();
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                (name, std::fs::read(&path).expect("read"))
            })
            .collect();
        files.sort();
        files
    }

    /// Staged files appear only at the commit, all together; a staging dropped before it
    /// (a later output failed) leaves the directory exactly as it was: the old results,
    /// no new file, no temporary file.
    #[test]
    fn staged_files_appear_together_at_the_commit_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_atomically(&dir.path().join("a.csv"), b"old").expect("write");
        let before = listing(dir.path());
        {
            let mut staging = Staging::new(dir.path()).expect("staging");
            staging.stage("a.csv", b"new").expect("stage");
            let mut streamed = staging.create("b.json").expect("create");
            streamed.write_all(b"{}").expect("write");
            streamed.finish().expect("finish");
            assert_eq!(
                listing(dir.path()).len(),
                3,
                "two temporary files beside a.csv"
            );
            // Dropped without a commit.
        }
        assert_eq!(listing(dir.path()), before);
        let mut staging = Staging::new(dir.path()).expect("staging");
        staging.stage("a.csv", b"new").expect("stage");
        let mut streamed = staging.create("b.json").expect("create");
        streamed.write_all(b"{}").expect("write");
        streamed.finish().expect("finish");
        let old = std::fs::read(dir.path().join("a.csv")).expect("read");
        assert_eq!(old, b"old", "nothing moves before the commit");
        staging.commit().expect("commit");
        assert_eq!(
            listing(dir.path()),
            vec![
                ("a.csv".to_string(), b"new".to_vec()),
                ("b.json".to_string(), b"{}".to_vec())
            ]
        );
    }
}
