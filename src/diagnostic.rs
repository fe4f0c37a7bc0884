//! How input problems are shown to users: `FILE:LINE:COLUMN: PATH`, the message, a
//! `help:` line; lists as one `error: …` block per problem, then a count when there are
//! several. Shared by the scenario and backup-policy loaders.

use std::fmt;
use std::path::Path;

/// Writes one located problem: `FILE[:LINE[:COLUMN]]: PATH\n  message\n  help: …`
/// (without the path line when `path` is empty).
pub fn write_problem(
    f: &mut fmt::Formatter<'_>,
    file: &Path,
    line: Option<usize>,
    column: Option<usize>,
    path: &str,
    message: &str,
    help: Option<&str>,
) -> fmt::Result {
    write!(f, "{}", file.display())?;
    if let Some(line) = line {
        write!(f, ":{line}")?;
        if let Some(column) = column {
            write!(f, ":{column}")?;
        }
    }
    if path.is_empty() {
        write!(f, ": {message}")?;
    } else {
        write!(f, ": {path}\n  {message}")?;
    }
    if let Some(help) = help {
        write!(f, "\n  help: {help}")?;
    }
    Ok(())
}

/// Writes `items` as `error:` blocks followed by "N errors in `what`" when N > 1.
pub fn write_errors<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    what: &str,
) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "error: {e}")?;
    }
    if items.len() > 1 {
        write!(f, "\n{} errors in {what}", items.len())?;
    }
    Ok(())
}
