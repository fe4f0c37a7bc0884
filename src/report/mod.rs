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

/// Writes every `(file name, bytes)` into `dir`, each atomically; callers render all of
/// them first, so bad input leaves nothing half-written.
pub fn write_all(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    for (name, bytes) in files {
        write_atomically(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot flush {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} into place", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
}
