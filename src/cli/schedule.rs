//! `vaultsim schedule`: the next fire times of an AWS Backup cron expression.

use std::io::Write;

use anyhow::{Context, Result};

use super::{EXIT_BAD_INPUT, ScheduleArgs};
use crate::schedule::Schedule;

/// Most fire times one call prints.
const MAX_COUNT: usize = 100_000;

pub fn run(args: &ScheduleArgs) -> Result<i32> {
    let after = match chrono::DateTime::parse_from_rfc3339(&args.after) {
        Ok(t) => t.with_timezone(&chrono::Utc),
        Err(e) => {
            eprintln!(
                "error: --after `{}` is not an RFC 3339 instant ({e}); valid: e.g. 2025-03-10T12:00:00Z",
                args.after
            );
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if args.count > MAX_COUNT {
        eprintln!(
            "error: --count {} is too large; valid: 0 to {MAX_COUNT}",
            args.count
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let schedule = match Schedule::parse(&args.expression, args.timezone.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let mut out = std::io::stdout().lock();
    for t in schedule.next_after(after, args.count) {
        writeln!(out, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")).context("cannot write to stdout")?;
    }
    Ok(0)
}
