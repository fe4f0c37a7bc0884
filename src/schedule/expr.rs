//! Parsing and validation of the six fields of an AWS Backup `cron(...)` expression.
//!
//! The output is a [`ParsedCron`]: explicit value sets for the plain fields (wrap-around
//! ranges and steps already expanded), the day-of-month / day-of-week specials, and the
//! normalized pattern handed to croner for day matching.

use super::error::{CronField, ScheduleError};

/// A set of small unsigned values (at most 256 distinct values above `base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ValueSet {
    base: u32,
    bits: [u64; 4],
}

impl ValueSet {
    pub(crate) fn new(base: u32) -> Self {
        ValueSet { base, bits: [0; 4] }
    }

    fn insert(&mut self, value: u32) {
        let i = (value - self.base) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    pub(crate) fn contains(&self, value: u32) -> bool {
        match value.checked_sub(self.base) {
            Some(i) if i < 256 => self.bits[i as usize / 64] & (1 << (i % 64)) != 0,
            _ => false,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    pub(crate) fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Values in ascending order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..256u32)
            .filter(|&i| self.bits[i as usize / 64] & (1 << (i % 64)) != 0)
            .map(|i| i + self.base)
    }

    fn join(&self) -> String {
        self.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Day-of-month field after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DayOfMonth {
    /// `?`
    Question,
    /// `*`
    Any,
    /// Plain values (lists, ranges, steps; wrap-around expanded).
    Values(ValueSet),
    /// `L`: last day of the month.
    Last,
    /// `LW`: last weekday (Mon-Fri) of the month.
    LastWeekday,
    /// `nW`: weekday nearest day n, within the same month.
    NearestWeekday(u32),
}

/// Day-of-week field after validation. Weekdays are numbered 1 = Sunday ... 7 = Saturday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DayOfWeek {
    /// `?`
    Question,
    /// `*`
    Any,
    /// Plain values (with `L` alone already translated to 7) and at most one `d#n` term.
    Values {
        plain: ValueSet,
        nth: Option<(u32, u32)>,
    },
    /// `dL`: last weekday d of the month.
    LastOf(u32),
}

/// A validated expression.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCron {
    pub(crate) minutes: ValueSet,
    pub(crate) hours: ValueSet,
    pub(crate) day_of_month: DayOfMonth,
    pub(crate) months: ValueSet,
    pub(crate) day_of_week: DayOfWeek,
    pub(crate) years: ValueSet,
}

impl ParsedCron {
    /// Fire minutes of the day (hour * 60 + minute), ascending.
    pub(crate) fn minutes_of_day(&self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.hours.len() * self.minutes.len());
        for h in self.hours.iter() {
            for m in self.minutes.iter() {
                out.push((h * 60 + m) as u16);
            }
        }
        out
    }

    /// The pattern handed to croner: seconds prepended, only digits and `L W #` specials,
    /// no names, no wrap-around ranges, `L` alone in day-of-week replaced by 7, `?` by `*`.
    pub(crate) fn croner_pattern(&self) -> String {
        let dom = match &self.day_of_month {
            DayOfMonth::Question | DayOfMonth::Any => "*".to_string(),
            DayOfMonth::Values(set) => set.join(),
            DayOfMonth::Last => "L".to_string(),
            DayOfMonth::LastWeekday => "LW".to_string(),
            DayOfMonth::NearestWeekday(n) => format!("{n}W"),
        };
        let dow = match &self.day_of_week {
            DayOfWeek::Question | DayOfWeek::Any => "*".to_string(),
            DayOfWeek::Values { plain, nth } => {
                let mut parts: Vec<String> = plain.iter().map(|v| v.to_string()).collect();
                if let Some((d, n)) = nth {
                    parts.push(format!("{d}#{n}"));
                }
                parts.join(",")
            }
            DayOfWeek::LastOf(d) => format!("{d}L"),
        };
        let (ymin, ymax) = CronField::Year.bounds();
        let years = if self.years.len() == (ymax - ymin + 1) as usize {
            "*".to_string()
        } else {
            self.years.join()
        };
        format!(
            "0 {} {} {} {} {} {}",
            self.minutes.join(),
            self.hours.join(),
            dom,
            self.months.join(),
            dow,
            years
        )
    }
}

/// Parses the six fields (already split, original spelling) into a [`ParsedCron`].
///
/// Field syntax is checked first, in field order, then the day-of-month / day-of-week
/// exclusivity rule, then the 60-minute interval rule.
pub(crate) fn parse_fields(fields: &[&str; 6]) -> Result<ParsedCron, ScheduleError> {
    let minutes = parse_plain_field(CronField::Minutes, fields[0])?;
    let hours = parse_plain_field(CronField::Hours, fields[1])?;
    let day_of_month = parse_day_of_month(fields[2])?;
    let months = parse_plain_field(CronField::Month, fields[3])?;
    let day_of_week = parse_day_of_week(fields[4])?;
    let years = parse_plain_field(CronField::Year, fields[5])?;

    match (&day_of_month, &day_of_week) {
        (DayOfMonth::Question, DayOfWeek::Question) => {
            return Err(ScheduleError::BothQuestionMarks);
        }
        (DayOfMonth::Question, _) | (_, DayOfWeek::Question) => {}
        (DayOfMonth::Any, _) | (_, DayOfWeek::Any) => {
            return Err(ScheduleError::NoQuestionMark {
                day_of_month: fields[2].to_string(),
                day_of_week: fields[4].to_string(),
            });
        }
        _ => {
            return Err(ScheduleError::BothDayFieldsSet {
                day_of_month: fields[2].to_string(),
                day_of_week: fields[4].to_string(),
            });
        }
    }

    let parsed = ParsedCron {
        minutes,
        hours,
        day_of_month,
        months,
        day_of_week,
        years,
    };
    check_interval(&parsed.minutes_of_day())?;
    Ok(parsed)
}

/// AWS Backup's minimum interval ("The interval between backup jobs shouldn't be less than
/// 60 minutes").
///
/// AWS does not document how irregular lists such as `0,50` are measured. The rule chosen
/// here is the strictest reading of the error text: take the set of minutes-of-day at which
/// the expression fires (every hour of the hours field combined with every minute of the
/// minutes field, in local wall-clock time) and require that **every** pair of consecutive
/// fire times is at least 60 minutes apart, including the wrap from the last fire of one
/// day to the first fire of the next day.
///
/// Consequences worth knowing:
/// * Because the fire set is a product minutes × hours, two minute values always put two
///   fires into the same hour, so the rule is equivalent to "the minutes field must be a
///   single value"; `cron(0,30 5 ? * * *)` (twice a day, 30 minutes apart) and AWS's own
///   EventBridge example `cron(5,35 14 * * ? *)` are rejected.
/// * With a single minute value, fires are whole hours apart and the wrap gap
///   (`first + 24 h - last`) is at least one hour, so whether two consecutive days can both
///   fire never changes the outcome. The wrap is therefore checked unconditionally, which is
///   exact, not merely conservative.
/// * The check is on the expression's wall clock, as AWS validates the expression text. On a
///   daylight-saving transition day the real gap may differ (a fire skipped in a
///   spring-forward gap, or in zones with a 30-minute shift such as Australia/Lord_Howe, a
///   gap of 30 real minutes); such schedules are accepted.
fn check_interval(minutes_of_day: &[u16]) -> Result<(), ScheduleError> {
    fn hhmm(m: u16) -> String {
        format!("{:02}:{:02}", m / 60, m % 60)
    }
    for pair in minutes_of_day.windows(2) {
        let gap = u32::from(pair[1] - pair[0]);
        if gap < 60 {
            return Err(ScheduleError::IntervalTooShort {
                first: hhmm(pair[0]),
                second: hhmm(pair[1]),
                minutes: gap,
            });
        }
    }
    if let (Some(&first), Some(&last)) = (minutes_of_day.first(), minutes_of_day.last())
        && minutes_of_day.len() > 1
    {
        let gap = u32::from(first) + 1440 - u32::from(last);
        if gap < 60 {
            return Err(ScheduleError::IntervalTooShort {
                first: hhmm(last),
                second: format!("{} the next day", hhmm(first)),
                minutes: gap,
            });
        }
    }
    Ok(())
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn syntax(field: CronField, found: &str, reason: impl Into<String>) -> ScheduleError {
    ScheduleError::InvalidSyntax {
        field,
        found: found.to_string(),
        reason: reason.into(),
    }
}

/// Checks for `?` and `#` where they are not allowed. Returns the upper-cased field.
fn common_checks(field: CronField, text: &str) -> Result<String, ScheduleError> {
    let is_day = matches!(field, CronField::DayOfMonth | CronField::DayOfWeek);
    if text.contains('?') {
        return Err(if is_day {
            syntax(field, text, "`?` must be the whole field")
        } else {
            syntax(
                field,
                text,
                "`?` is only allowed in day-of-month and day-of-week",
            )
        });
    }
    if field != CronField::DayOfWeek && text.contains('#') {
        return Err(syntax(field, text, "`#` is only allowed in day-of-week"));
    }
    Ok(text.to_ascii_uppercase())
}

/// Splits a field into its comma-separated entries, rejecting empty ones.
fn entries<'a>(
    field: CronField,
    original: &str,
    upper: &'a str,
) -> Result<Vec<&'a str>, ScheduleError> {
    let parts: Vec<&str> = upper.split(',').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(syntax(
            field,
            original,
            "empty entry in a comma-separated list",
        ));
    }
    Ok(parts)
}

/// Parses a single value: a number, or a month / weekday name where the field allows one.
fn parse_value(field: CronField, text: &str) -> Result<u32, ScheduleError> {
    let (min, max) = field.bounds();
    if text.is_empty() {
        return Err(syntax(field, text, "a value is missing"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u32>() {
            Ok(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(ScheduleError::OutOfRange {
                field,
                found: text.to_string(),
            }),
        };
    }
    if text.bytes().all(|b| b.is_ascii_alphabetic()) {
        let names: &[&str] = match field {
            CronField::Month => &MONTH_NAMES,
            CronField::DayOfWeek => &WEEKDAY_NAMES,
            _ => &[],
        };
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(i as u32 + 1);
        }
        if names.is_empty() && (text == "L" || text == "W" || text == "LW") {
            return Err(syntax(
                field,
                text,
                "`L` and `W` are only allowed in day-of-month (and `L` in day-of-week)",
            ));
        }
        return Err(ScheduleError::UnknownName {
            field,
            found: text.to_string(),
        });
    }
    Err(syntax(field, text, "expected a number or a name"))
}

/// Parses a list of plain entries (`*`, `v`, `a-b`, `*/s`, `a/s`, `a-b/s`) into a set.
///
/// Ranges whose start is after their end wrap around the field (`20-2` in hours is
/// 20-23 then 0-2), except in the year field where they are rejected.
fn parse_plain_entries(field: CronField, list: &[&str]) -> Result<ValueSet, ScheduleError> {
    let (min, max) = field.bounds();
    let mut set = ValueSet::new(min);
    for &entry in list {
        let (base, step) = match entry.split_once('/') {
            Some((base, step_text)) => {
                if step_text.is_empty() || !step_text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(syntax(field, entry, "the step after `/` must be a number"));
                }
                let step = step_text.parse::<u32>().unwrap_or(u32::MAX);
                if step == 0 {
                    return Err(ScheduleError::ZeroStep {
                        field,
                        found: entry.to_string(),
                    });
                }
                if base.is_empty() {
                    return Err(syntax(
                        field,
                        entry,
                        "a start is missing before `/`, e.g. `0/15` or `*/15`",
                    ));
                }
                (base, step)
            }
            None => (entry, 1),
        };
        let (lo, hi) = if base == "*" {
            (min, max)
        } else if let Some((a, b)) = base.split_once('-') {
            (parse_value(field, a)?, parse_value(field, b)?)
        } else {
            let a = parse_value(field, base)?;
            if entry.contains('/') {
                (a, max)
            } else {
                (a, a)
            }
        };
        let sequence: Box<dyn Iterator<Item = u32>> = if lo <= hi {
            Box::new(lo..=hi)
        } else if field == CronField::Year {
            return Err(ScheduleError::ReversedYearRange {
                found: entry.to_string(),
            });
        } else {
            Box::new((lo..=max).chain(min..=hi))
        };
        for v in sequence.step_by(step as usize) {
            set.insert(v);
        }
    }
    Ok(set)
}

fn parse_plain_field(field: CronField, text: &str) -> Result<ValueSet, ScheduleError> {
    let upper = common_checks(field, text)?;
    let list = entries(field, text, &upper)?;
    parse_plain_entries(field, &list)
}

fn parse_day_of_month(text: &str) -> Result<DayOfMonth, ScheduleError> {
    let field = CronField::DayOfMonth;
    if text == "?" {
        return Ok(DayOfMonth::Question);
    }
    if text == "*" {
        return Ok(DayOfMonth::Any);
    }
    let upper = common_checks(field, text)?;
    let list = entries(field, text, &upper)?;
    let special = list.iter().find(|e| e.contains('L') || e.contains('W'));
    let Some(&special) = special else {
        return parse_plain_entries(field, &list).map(DayOfMonth::Values);
    };
    if list.len() > 1 {
        return Err(ScheduleError::SpecialNotAlone {
            field,
            found: text.to_string(),
            special: special.to_string(),
        });
    }
    match special {
        "L" => Ok(DayOfMonth::Last),
        "LW" => Ok(DayOfMonth::LastWeekday),
        s if s.contains('L') => Err(syntax(field, text, "`L` is used alone (`L`) or as `LW`")),
        s => {
            let day = s.strip_suffix('W').unwrap_or(s);
            if day.is_empty() || !day.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax(
                    field,
                    text,
                    "`W` needs a single day before it, e.g. `15W`",
                ));
            }
            parse_value(field, day).map(DayOfMonth::NearestWeekday)
        }
    }
}

/// Parses a single weekday (number or name) for `d#n` / `dL`.
fn single_weekday(entry: &str, day: &str) -> Result<u32, ScheduleError> {
    if day.contains(['-', '/', '*']) {
        return Err(syntax(
            CronField::DayOfWeek,
            entry,
            "`#` and `L` need a single weekday, e.g. `2#1` or `6L`",
        ));
    }
    parse_value(CronField::DayOfWeek, day)
}

fn parse_day_of_week(text: &str) -> Result<DayOfWeek, ScheduleError> {
    let field = CronField::DayOfWeek;
    if text == "?" {
        return Ok(DayOfWeek::Question);
    }
    if text == "*" {
        return Ok(DayOfWeek::Any);
    }
    let upper = common_checks(field, text)?;
    let list = entries(field, text, &upper)?;
    if list.iter().filter(|e| e.contains('#')).count() > 1 {
        return Err(ScheduleError::MultipleNth {
            found: text.to_string(),
        });
    }
    if let Some(w) = list.iter().find(|e| e.ends_with('W')) {
        return Err(syntax(field, w, "`W` is only allowed in day-of-month"));
    }
    // `L` alone (Saturday) and `dL` (last weekday d): no names end in L, so a trailing L is
    // always the special.
    if let Some(&last) = list.iter().find(|e| e.ends_with('L')) {
        if list.len() > 1 {
            return Err(ScheduleError::SpecialNotAlone {
                field,
                found: text.to_string(),
                special: last.to_string(),
            });
        }
        if last == "L" {
            // croner parses a bare `L` in day-of-week but never fires it: it means
            // Saturday, the last day of the week (1 = Sunday ... 7 = Saturday).
            let mut plain = ValueSet::new(1);
            plain.insert(7);
            return Ok(DayOfWeek::Values { plain, nth: None });
        }
        let day = &last[..last.len() - 1];
        return single_weekday(last, day).map(DayOfWeek::LastOf);
    }
    let mut nth = None;
    let mut plain_entries = Vec::with_capacity(list.len());
    for &entry in &list {
        if let Some((day, n)) = entry.split_once('#') {
            let d = single_weekday(entry, day)?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax(field, entry, "`#` must be followed by a number 1-5"));
            }
            match n.parse::<u32>() {
                Ok(n @ 1..=5) => nth = Some((d, n)),
                _ => {
                    return Err(ScheduleError::NthOutOfRange {
                        found: entry.to_string(),
                    });
                }
            }
        } else {
            plain_entries.push(entry);
        }
    }
    let plain = parse_plain_entries(field, &plain_entries)?;
    debug_assert!(nth.is_some() || !plain.is_empty());
    Ok(DayOfWeek::Values { plain, nth })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(field: CronField, text: &str) -> Vec<u32> {
        parse_plain_field(field, text).unwrap().iter().collect()
    }

    #[test]
    fn plain_field_expansion() {
        assert_eq!(
            values(CronField::Hours, "20-2"),
            vec![0, 1, 2, 20, 21, 22, 23]
        );
        assert_eq!(
            values(CronField::Minutes, "50-10"),
            vec![
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59
            ]
        );
        assert_eq!(values(CronField::Month, "NOV-FEB"), vec![1, 2, 11, 12]);
        assert_eq!(values(CronField::Month, "nov-feb"), vec![1, 2, 11, 12]);
        assert_eq!(values(CronField::DayOfWeek, "FRI-MON"), vec![1, 2, 6, 7]);
        assert_eq!(
            values(CronField::Hours, "5/1"),
            (5..=23).collect::<Vec<_>>()
        );
        assert_eq!(values(CronField::Minutes, "0/15"), vec![0, 15, 30, 45]);
        assert_eq!(values(CronField::Minutes, "*/20"), vec![0, 20, 40]);
        assert_eq!(values(CronField::Hours, "8-17/3"), vec![8, 11, 14, 17]);
        // wrapping range with a step: 22, 23, 0, 1, 2 -> every second one
        assert_eq!(values(CronField::Hours, "22-2/2"), vec![0, 2, 22]);
        assert_eq!(values(CronField::Month, "1/3"), vec![1, 4, 7, 10]);
        assert_eq!(values(CronField::DayOfWeek, "*/2"), vec![1, 3, 5, 7]);
        assert_eq!(
            values(CronField::Year, "2019-2022"),
            vec![2019, 2020, 2021, 2022]
        );
        assert_eq!(values(CronField::Year, "2190/5"), vec![2190, 2195]);
        assert_eq!(values(CronField::Hours, "1,3,1"), vec![1, 3]);
    }

    #[test]
    fn normalized_pattern_for_croner() {
        let p = parse_fields(&["0", "20-2", "?", "NOV-FEB", "L", "*"]).unwrap();
        assert_eq!(p.croner_pattern(), "0 0 0,1,2,20,21,22,23 * 1,2,11,12 7 *");
        let p = parse_fields(&["15", "10", "?", "*", "FRIL", "2019-2020"]).unwrap();
        assert_eq!(
            p.croner_pattern(),
            "0 15 10 * 1,2,3,4,5,6,7,8,9,10,11,12 6L 2019,2020"
        );
        let p = parse_fields(&["0", "5", "?", "*", "mon,sun#2", "*"]).unwrap();
        assert_eq!(
            p.croner_pattern(),
            "0 0 5 * 1,2,3,4,5,6,7,8,9,10,11,12 2,1#2 *"
        );
        let p = parse_fields(&["0", "5", "15w", "*", "?", "*"]).unwrap();
        assert_eq!(
            p.croner_pattern(),
            "0 0 5 15W 1,2,3,4,5,6,7,8,9,10,11,12 * *"
        );
    }
}
