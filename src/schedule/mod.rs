//! AWS Backup schedule expressions: parsing, validation and fire-time evaluation.
//!
//! A backup rule's `ScheduleExpression` is an EventBridge-style
//! `cron(minutes hours day-of-month month day-of-week year)` expression, evaluated in the
//! rule's `ScheduleExpressionTimezone` (an IANA name, default UTC). [`Schedule::parse`]
//! validates both and [`Schedule::fire_times_between`] / [`Schedule::next_after`] list the
//! instants (UTC) at which the rule starts a backup job.
//!
//! # AWS rules followed
//!
//! * Exactly six whitespace-separated fields inside `cron(` ... `)`; `rate(...)` is refused
//!   (AWS Backup only accepts cron expressions).
//! * minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or `JAN`-`DEC`, day-of-week
//!   1-7 or `SUN`-`SAT` with **1 = Sunday** ... 7 = Saturday, year 1970-2199. Names are
//!   case-insensitive.
//! * `*`, `,`, `-`, `/` in every field. `a/b` starts at a and steps by b up to the field's
//!   maximum (`5/1` in hours is 05..23, not "every hour"); `*/b` starts at the minimum;
//!   `a-b/c` steps inside the range. A range whose start is after its end wraps around
//!   (`20-2` in hours is 20,21,22,23,0,1,2; `FRI-MON`, `NOV-FEB`, `50-10` likewise), except
//!   in the year field.
//! * `?` only in day-of-month / day-of-week, as the whole field, and exactly one of the two
//!   day fields must be `?`.
//! * day-of-month: `L` = last day of the month, `LW` = last weekday (Mon-Fri) of the month,
//!   `nW` = the weekday nearest day n without leaving the month (`1W` on a Saturday is
//!   Monday the 3rd, `31W` on a Sunday is Friday the 29th; in a month shorter than n it does
//!   not fire, as a plain `n` would not).
//! * day-of-week: `L` alone = Saturday (last day of the week), `dL` = last weekday d of the
//!   month (`6L` = last Friday), `d#n` = n-th weekday d of the month (`2#1` = first Monday),
//!   n in 1-5, at most one `#` entry. Following Quartz, `L`/`W` forms (`L`, `LW`, `nW`,
//!   `dL`) must be the only entry of their field; a `#` entry may be listed with plain days.
//! * AWS Backup's minimum interval of 60 minutes between jobs (see `expr::check_interval`
//!   for the exact rule, which AWS does not document for irregular lists).
//!
//! # Time zones and daylight saving
//!
//! The expression is evaluated on the local wall clock of the timezone. Each local fire
//! time is then mapped to UTC: a local time that does not exist (spring-forward gap) is
//! skipped; an ambiguous local time (fall-back overlap) fires once, at the earlier instant.
//! This is what EventBridge Scheduler documents; AWS Backup's own DST behaviour is not
//! documented.
//!
//! # Implementation
//!
//! Field syntax, AWS-specific validation, wrap-around ranges and the translation of a bare
//! `L` in day-of-week are handled here (croner rejects wrapping ranges, never fires a bare
//! `L` in day-of-week, and silently ORs day-of-month with day-of-week). The validated fields
//! are rewritten into a plain numeric pattern for croner (seconds field `0`, year field,
//! Quartz weekday numbering), and croner's day matcher decides which calendar days fire
//! (`L`, `LW`, `nW`, `dL`, `d#n`, lists, steps). Hours and minutes are a fixed set of
//! minutes-of-day, combined with each matching local day and converted with `chrono-tz`,
//! so croner's own DST rules are never used. The search never goes past the end of 2199,
//! so every call terminates, including for schedules that never fire (`30 FEB`, past years).

mod error;
mod expr;

#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub use error::{CronField, ScheduleError};
use expr::ValueSet;

/// First and last year of the AWS year field; the search never leaves this range.
const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 2199;

/// A validated AWS Backup schedule: cron expression plus evaluation timezone.
#[derive(Clone)]
pub struct Schedule {
    expression: String,
    timezone: String,
    tz: Tz,
    /// croner, used as the calendar-day matcher.
    cron: croner::Cron,
    /// Fire minutes of the local day (hour * 60 + minute), ascending.
    minutes_of_day: Vec<u16>,
    months: ValueSet,
    years: ValueSet,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schedule")
            .field("expression", &self.expression)
            .field("timezone", &self.timezone)
            .field("croner_pattern", &self.cron.pattern.as_str())
            .finish()
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.expression, self.timezone)
    }
}

impl Schedule {
    /// AWS Backup's default schedule expression (daily at 05:00 in the rule's timezone).
    pub const DEFAULT_EXPRESSION: &'static str = "cron(0 5 ? * * *)";

    /// Parses `cron(...)` with an optional IANA timezone (None = UTC).
    ///
    /// # Errors
    /// A [`ScheduleError`] naming the field, what was found and what is valid, for anything
    /// AWS Backup would refuse (see the module documentation), or for an unknown timezone.
    pub fn parse(expression: &str, timezone: Option<&str>) -> Result<Schedule, ScheduleError> {
        let fields = split_expression(expression)?;
        let parsed = expr::parse_fields(&fields)?;

        let (timezone, tz) = match timezone {
            None => ("UTC".to_string(), Tz::UTC),
            Some(name) => match name.parse::<Tz>() {
                Ok(tz) => (name.to_string(), tz),
                Err(_) => {
                    return Err(ScheduleError::UnknownTimezone {
                        name: name.to_string(),
                    });
                }
            },
        };

        let pattern = parsed.croner_pattern();
        let cron = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .year(croner::parser::Year::Required)
            .alternative_weekdays(true)
            .sloppy_ranges(true)
            .build()
            .parse(&pattern)
            .map_err(|e| ScheduleError::Evaluator {
                pattern: pattern.clone(),
                message: e.to_string(),
            })?;

        Ok(Schedule {
            expression: expression.to_string(),
            timezone,
            tz,
            cron,
            minutes_of_day: parsed.minutes_of_day(),
            months: parsed.months,
            years: parsed.years,
        })
    }

    /// The expression as written (e.g. "cron(0 5 ? * * *)").
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The timezone name used ("UTC" when none was given).
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The parsed timezone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The next `count` fire times strictly after `after`, as UTC instants, in order.
    ///
    /// Returns fewer than `count` (possibly none) when the schedule has no more fire times
    /// before the end of 2199.
    pub fn next_after(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        // Fire times are whole minutes, so comparing with the floor of `after` in seconds
        // keeps the bound exclusive even when `after` has a fractional second.
        self.scan(after.timestamp(), i64::MAX, count)
            .into_iter()
            .filter_map(|t| DateTime::from_timestamp(t, 0))
            .collect()
    }

    /// Every fire time t with after_unix < t <= until_unix, as Unix seconds (UTC), sorted, no duplicates.
    ///
    /// Cost is linear in the number of local days in the range plus the number of fire
    /// times: a year of an hourly schedule (8,760 fires) takes about 0.2 ms in release, a
    /// year of a daily one 10-20 µs (`benches/cron.rs`).
    pub fn fire_times_between(&self, after_unix: i64, until_unix: i64) -> Vec<i64> {
        let mut times = self.scan(after_unix, until_unix, usize::MAX);
        // Local-to-UTC mapping (earlier instant for ambiguous times, gaps skipped) is
        // strictly increasing, so this never triggers; it guards the documented contract.
        if !times.windows(2).all(|w| w[0] < w[1]) {
            times.sort_unstable();
            times.dedup();
        }
        times
    }

    /// Local calendar date of a UTC instant (clamped to a range chrono can represent).
    fn local_date(&self, unix: i64) -> NaiveDate {
        let (lo, hi) = scan_limits();
        let utc = DateTime::from_timestamp(unix.clamp(lo, hi), 0).unwrap_or_default();
        utc.with_timezone(&self.tz).date_naive()
    }

    /// Fire times in (after, until], ascending, at most `limit` of them.
    ///
    /// Walks the local calendar day by day (skipping years and months the expression
    /// excludes), asks croner whether each day matches, and maps each fire minute of a
    /// matching day to UTC. Local fire times are visited in increasing order and the
    /// local-to-UTC mapping is strictly increasing, so the walk stops at the first instant
    /// past `until`.
    fn scan(&self, after: i64, until: i64, limit: usize) -> Vec<i64> {
        let mut out = Vec::new();
        if limit == 0 || until <= after || self.minutes_of_day.is_empty() {
            return out;
        }
        let first_date = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or_default();
        let last_date = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or_default();
        // Local dates to walk. Because the local-to-UTC mapping is strictly increasing, no
        // fire with a local time before local(after) can be after `after`; the day of slack
        // at the start is mere insurance. At the end it is needed: when a fall-back
        // transition crosses midnight, a fire just after local midnight can map to an
        // instant at or before `until` whose local date is the next day. Both cost a few
        // day checks.
        let start = self
            .local_date(after)
            .pred_opt()
            .unwrap_or(first_date)
            .max(first_date);
        let end = self
            .local_date(until)
            .succ_opt()
            .unwrap_or(last_date)
            .min(last_date);
        if start > end {
            return out;
        }

        for year in start.year()..=end.year() {
            if !self.years.contains(year as u32) {
                continue;
            }
            for month in 1..=12u32 {
                if !self.months.contains(month) || (year, month) < (start.year(), start.month()) {
                    continue;
                }
                if (year, month) > (end.year(), end.month()) {
                    break;
                }
                let first_day = if (year, month) == (start.year(), start.month()) {
                    start.day()
                } else {
                    1
                };
                let last_day = if (year, month) == (end.year(), end.month()) {
                    end.day()
                } else {
                    croner::time::days_in_month(year, month)
                };
                let Some(mut date) = NaiveDate::from_ymd_opt(year, month, first_day) else {
                    continue;
                };
                for day in first_day..=last_day {
                    let weekday = croner::Weekday::from_days_from_sunday(
                        date.weekday().num_days_from_sunday(),
                    );
                    let matches = self.cron.pattern.day_match(year, month, day, weekday);
                    debug_assert!(matches.is_ok(), "croner day_match failed: {matches:?}");
                    if matches!(matches, Ok(true)) {
                        for &minute_of_day in &self.minutes_of_day {
                            let Some(local) = date.and_hms_opt(
                                u32::from(minute_of_day / 60),
                                u32::from(minute_of_day % 60),
                                0,
                            ) else {
                                continue;
                            };
                            let instant = match self.tz.from_local_datetime(&local) {
                                LocalResult::Single(t) => t,
                                LocalResult::Ambiguous(a, b) => a.min(b),
                                LocalResult::None => continue,
                            };
                            let t = instant.timestamp();
                            if t <= after {
                                continue;
                            }
                            if t > until {
                                return out;
                            }
                            out.push(t);
                            if out.len() >= limit {
                                return out;
                            }
                        }
                    }
                    date = date.succ_opt().unwrap_or(date);
                }
            }
        }
        out
    }
}

/// Range of Unix seconds the scan clamps its bounds to: two days either side of the AWS
/// year range, wide enough for any UTC offset.
fn scan_limits() -> (i64, i64) {
    let lo = NaiveDate::from_ymd_opt(FIRST_YEAR - 1, 12, 30).unwrap_or_default();
    let hi = NaiveDate::from_ymd_opt(LAST_YEAR + 1, 1, 2).unwrap_or_default();
    (
        lo.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
        hi.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
    )
}

/// Strips `cron(` ... `)` and splits into exactly six fields.
fn split_expression(expression: &str) -> Result<[&str; 6], ScheduleError> {
    let trimmed = expression.trim();
    if trimmed
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("rate("))
    {
        return Err(ScheduleError::RateExpression {
            expression: expression.to_string(),
        });
    }
    let Some(inner) = trimmed
        .strip_prefix("cron(")
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return Err(ScheduleError::NotCron {
            expression: expression.to_string(),
        });
    };
    let fields: Vec<&str> = inner.split_whitespace().collect();
    <[&str; 6]>::try_from(fields.as_slice()).map_err(|_| ScheduleError::FieldCount {
        expression: expression.to_string(),
        found: fields.len(),
    })
}
