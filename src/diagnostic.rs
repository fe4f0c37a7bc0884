//! How lists of input problems are shown to users: one `error: …` block per problem, then
//! a count when there are several. Shared by the scenario and backup-policy loaders.

use std::fmt;

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
