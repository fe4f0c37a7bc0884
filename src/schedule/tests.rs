//! Unit tests for `vaultsim::schedule`.
//!
//! Every expected fire time below was worked out by hand from the AWS rules in the module
//! documentation (weekdays of the dates involved were checked against a calendar), never by
//! running the implementation.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::*;

/// `"2025-03-11T05:00Z"` -> instant.
fn t(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%MZ")
        .unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
        .and_utc()
}

fn unix(s: &str) -> i64 {
    t(s).timestamp()
}

fn fmt(times: &[DateTime<Utc>]) -> Vec<String> {
    times
        .iter()
        .map(|d| d.format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

fn fmt_unix(times: &[i64]) -> Vec<String> {
    times
        .iter()
        .map(|&s| {
            DateTime::from_timestamp(s, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%MZ")
                .to_string()
        })
        .collect()
}

fn schedule(expr: &str, tz: Option<&str>) -> Schedule {
    Schedule::parse(expr, tz).unwrap_or_else(|e| panic!("{expr} should parse: {e}"))
}

/// Next `n` fire times after `after` (UTC), formatted.
fn next(expr: &str, tz: Option<&str>, after: &str, n: usize) -> Vec<String> {
    fmt(&schedule(expr, tz).next_after(t(after), n))
}

/// The error message for an expression that must be rejected.
fn rejected(expr: &str) -> String {
    match Schedule::parse(expr, None) {
        Ok(s) => panic!("{expr} should be rejected, got {s:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_rejected(expr: &str, needle: &str) {
    let msg = rejected(expr);
    assert!(
        msg.contains(needle),
        "{expr}: message {msg:?} should contain {needle:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Accessors, default schedule, exclusivity
// ---------------------------------------------------------------------------------------

#[test]
fn accessors() {
    let s = schedule("cron(0 5 ? * * *)", None);
    assert_eq!(s.expression(), "cron(0 5 ? * * *)");
    assert_eq!(s.timezone(), "UTC");
    let s = schedule("cron(0 5 ? * * *)", Some("Europe/Berlin"));
    assert_eq!(s.timezone(), "Europe/Berlin");
    assert_eq!(s.tz(), chrono_tz::Europe::Berlin);
    assert_eq!(Schedule::DEFAULT_EXPRESSION, "cron(0 5 ? * * *)");
    // Debug stays short (no croner bitfields).
    assert!(format!("{s:?}").len() < 200);
    assert_eq!(s.to_string(), "cron(0 5 ? * * *) in Europe/Berlin");
}

#[test]
fn default_schedule_daily_0500_utc() {
    assert_eq!(
        next("cron(0 5 ? * * *)", None, "2025-03-10T12:00Z", 3),
        [
            "2025-03-11T05:00Z",
            "2025-03-12T05:00Z",
            "2025-03-13T05:00Z"
        ]
    );
    // Same expression, `*` in day-of-month and `?` in day-of-week (documented example form).
    assert_eq!(
        next("cron(0 12 * * ? *)", None, "2025-03-10T12:00Z", 2),
        ["2025-03-11T12:00Z", "2025-03-12T12:00Z"]
    );
}

#[test]
fn after_is_exclusive() {
    let s = schedule("cron(0 5 ? * * *)", None);
    assert_eq!(
        fmt(&s.next_after(t("2025-03-11T05:00Z"), 1)),
        ["2025-03-12T05:00Z"]
    );
    let just_before = t("2025-03-11T05:00Z") - chrono::Duration::seconds(1);
    assert_eq!(fmt(&s.next_after(just_before, 1)), ["2025-03-11T05:00Z"]);
    let just_after = t("2025-03-11T05:00Z") + chrono::Duration::milliseconds(500);
    assert_eq!(fmt(&s.next_after(just_after, 1)), ["2025-03-12T05:00Z"]);
    let just_before_ms = t("2025-03-11T05:00Z") - chrono::Duration::milliseconds(1);
    assert_eq!(fmt(&s.next_after(just_before_ms, 1)), ["2025-03-11T05:00Z"]);
    // (after, until]: lower bound exclusive, upper bound inclusive.
    assert_eq!(
        fmt_unix(&s.fire_times_between(unix("2025-03-11T05:00Z"), unix("2025-03-13T05:00Z"))),
        ["2025-03-12T05:00Z", "2025-03-13T05:00Z"]
    );
    assert!(
        s.fire_times_between(unix("2025-03-11T05:00Z"), unix("2025-03-11T05:00Z"))
            .is_empty()
    );
    assert!(
        s.fire_times_between(unix("2025-03-12T05:00Z"), unix("2025-03-11T05:00Z"))
            .is_empty()
    );
    assert!(s.next_after(t("2025-03-11T05:00Z"), 0).is_empty());
}

// ---------------------------------------------------------------------------------------
// Plain fields: * , - /
// ---------------------------------------------------------------------------------------

#[test]
fn day_of_week_numbering_one_is_sunday() {
    // 2025-03-10 is a Monday. 1,3,5 = Sunday, Tuesday, Thursday.
    // AWS's own Organizations documentation describes `cron(0 5 ? * 1,3,5 *)` as
    // "Monday, Wednesday and Friday" -- that is wrong: EventBridge numbers 1 = Sunday.
    assert_eq!(
        next("cron(0 5 ? * 1,3,5 *)", None, "2025-03-10T12:00Z", 4),
        [
            "2025-03-11T05:00Z", // Tue
            "2025-03-13T05:00Z", // Thu
            "2025-03-16T05:00Z", // Sun
            "2025-03-18T05:00Z", // Tue
        ]
    );
    assert_eq!(
        next("cron(0 12 ? * 1 *)", None, "2025-03-10T12:00Z", 1),
        ["2025-03-16T12:00Z"]
    );
    assert_eq!(
        next("cron(0 12 ? * 7 *)", None, "2025-03-10T12:00Z", 1),
        ["2025-03-15T12:00Z"]
    );
}

#[test]
fn names_are_case_insensitive() {
    // Mondays in January: 2026-01-05, 12, 19, 26, then 2027-01-04.
    let expected = [
        "2026-01-05T05:00Z",
        "2026-01-12T05:00Z",
        "2026-01-19T05:00Z",
        "2026-01-26T05:00Z",
        "2027-01-04T05:00Z",
    ];
    for expr in [
        "cron(0 5 ? JAN MON *)",
        "cron(0 5 ? jan mon *)",
        "cron(0 5 ? Jan Mon *)",
        "cron(0 5 ? 1 2 *)",
    ] {
        assert_eq!(next(expr, None, "2025-12-31T00:00Z", 5), expected, "{expr}");
    }
}

#[test]
fn hours_start_slash_step_runs_to_end_of_day_only() {
    // `5/1` = 05, 06, ..., 23; the AWS doc prose "once an hour on the hour" is wrong.
    let mut expected: Vec<String> = (5..=23).map(|h| format!("2025-03-10T{h:02}:00Z")).collect();
    expected.push("2025-03-11T05:00Z".to_string());
    assert_eq!(
        next("cron(0 5/1 ? * * *)", None, "2025-03-10T00:00Z", 20),
        expected
    );
    let s = schedule("cron(0 5/1 ? * * *)", None);
    assert_eq!(
        s.fire_times_between(unix("2025-03-10T00:00Z"), unix("2025-03-11T00:00Z"))
            .len(),
        19
    );
}

#[test]
fn every_hour_forms() {
    // `0/1`, `*` and `*/1` in hours: 24 fires per day, at :00.
    for expr in [
        "cron(0 0/1 ? * * *)",
        "cron(0 * ? * * *)",
        "cron(0 */1 ? * * *)",
    ] {
        let s = schedule(expr, None);
        let day = s.fire_times_between(unix("2025-03-09T23:59Z"), unix("2025-03-10T23:59Z"));
        let expected: Vec<String> = (0..24).map(|h| format!("2025-03-10T{h:02}:00Z")).collect();
        assert_eq!(fmt_unix(&day), expected, "{expr}");
    }
    // Documented example: every hour at :15.
    assert_eq!(
        next("cron(15 * ? * * *)", None, "2025-03-10T23:20Z", 3),
        [
            "2025-03-11T00:15Z",
            "2025-03-11T01:15Z",
            "2025-03-11T02:15Z"
        ]
    );
}

#[test]
fn lists_ranges_and_steps() {
    assert_eq!(
        next("cron(0 6,18 * * ? *)", None, "2025-03-10T07:00Z", 3),
        [
            "2025-03-10T18:00Z",
            "2025-03-11T06:00Z",
            "2025-03-11T18:00Z"
        ]
    );
    assert_eq!(
        next("cron(0 8-17/3 ? * * *)", None, "2025-03-10T00:00Z", 5),
        [
            "2025-03-10T08:00Z",
            "2025-03-10T11:00Z",
            "2025-03-10T14:00Z",
            "2025-03-10T17:00Z",
            "2025-03-11T08:00Z"
        ]
    );
    assert_eq!(
        next("cron(30 */6 ? * * *)", None, "2025-03-10T00:00Z", 5),
        [
            "2025-03-10T00:30Z",
            "2025-03-10T06:30Z",
            "2025-03-10T12:30Z",
            "2025-03-10T18:30Z",
            "2025-03-11T00:30Z"
        ]
    );
    // `1/10` in day-of-month: 1, 11, 21, 31 (the 31st only in 31-day months).
    assert_eq!(
        next("cron(0 0 1/10 * ? *)", None, "2025-04-01T00:00Z", 6),
        [
            "2025-04-11T00:00Z",
            "2025-04-21T00:00Z",
            "2025-05-01T00:00Z",
            "2025-05-11T00:00Z",
            "2025-05-21T00:00Z",
            "2025-05-31T00:00Z"
        ]
    );
    // Day-of-month list and range; documented example `0 8 1 * ? *`.
    assert_eq!(
        next("cron(0 8 1,15 * ? *)", None, "2025-03-10T00:00Z", 3),
        [
            "2025-03-15T08:00Z",
            "2025-04-01T08:00Z",
            "2025-04-15T08:00Z"
        ]
    );
    assert_eq!(
        next("cron(0 8 1 * ? *)", None, "2025-03-10T00:00Z", 2),
        ["2025-04-01T08:00Z", "2025-05-01T08:00Z"]
    );
    assert_eq!(
        next("cron(0 8 10-12 * ? *)", None, "2025-03-10T09:00Z", 3),
        [
            "2025-03-11T08:00Z",
            "2025-03-12T08:00Z",
            "2025-04-10T08:00Z"
        ]
    );
    // Documented example `0 18 ? * MON-FRI *`: from Friday 2025-03-14 19:00 to Monday.
    assert_eq!(
        next("cron(0 18 ? * MON-FRI *)", None, "2025-03-14T19:00Z", 2),
        ["2025-03-17T18:00Z", "2025-03-18T18:00Z"]
    );
    // Month list with names and a month step.
    assert_eq!(
        next("cron(0 0 1 JAN,jul ? *)", None, "2025-03-10T00:00Z", 3),
        [
            "2025-07-01T00:00Z",
            "2026-01-01T00:00Z",
            "2026-07-01T00:00Z"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Wrap-around ranges
// ---------------------------------------------------------------------------------------

#[test]
fn wrapping_hours_range() {
    // 20-2 = 20,21,22,23,0,1,2 on weekdays. Friday 2025-03-14 20:00-23:00 fire; Saturday
    // 00:00-02:00 do not (Saturday is not MON-FRI); Monday 2025-03-17 00:00-02:00 do.
    assert_eq!(
        next("cron(0 20-2 ? * MON-FRI *)", None, "2025-03-14T12:00Z", 8),
        [
            "2025-03-14T20:00Z",
            "2025-03-14T21:00Z",
            "2025-03-14T22:00Z",
            "2025-03-14T23:00Z",
            "2025-03-17T00:00Z",
            "2025-03-17T01:00Z",
            "2025-03-17T02:00Z",
            "2025-03-17T20:00Z",
        ]
    );
}

#[test]
fn wrapping_day_of_week_range() {
    // FRI-MON = Fri, Sat, Sun, Mon. 2025-03-10 is a Monday.
    let expected = [
        "2025-03-14T05:00Z",
        "2025-03-15T05:00Z",
        "2025-03-16T05:00Z",
        "2025-03-17T05:00Z",
        "2025-03-21T05:00Z",
    ];
    assert_eq!(
        next("cron(0 5 ? * FRI-MON *)", None, "2025-03-10T12:00Z", 5),
        expected
    );
    assert_eq!(
        next("cron(0 5 ? * 6-2 *)", None, "2025-03-10T12:00Z", 5),
        expected
    );
}

#[test]
fn wrapping_month_range() {
    assert_eq!(
        next("cron(0 5 1 NOV-FEB ? *)", None, "2025-03-01T00:00Z", 5),
        [
            "2025-11-01T05:00Z",
            "2025-12-01T05:00Z",
            "2026-01-01T05:00Z",
            "2026-02-01T05:00Z",
            "2026-11-01T05:00Z"
        ]
    );
}

#[test]
fn wrapping_minutes_range_is_expanded_then_hits_the_interval_rule() {
    // 50-10 is 50..59,0..10: valid syntax, but two fires a minute apart.
    assert_rejected("cron(50-10 * ? * * *)", "shouldn't be less than 60 minutes");
    assert_rejected("cron(50-10 * ? * * *)", "00:00 and again at 00:01");
}

// ---------------------------------------------------------------------------------------
// L, W, LW, nL, #
// ---------------------------------------------------------------------------------------

#[test]
fn last_day_of_month() {
    assert_eq!(
        next("cron(0 5 L * ? *)", None, "2027-01-31T06:00Z", 3),
        [
            "2027-02-28T05:00Z",
            "2027-03-31T05:00Z",
            "2027-04-30T05:00Z"
        ]
    );
    // Leap year: L in February 2028 is the 29th.
    assert_eq!(
        next("cron(0 5 L * ? *)", None, "2028-02-01T00:00Z", 2),
        ["2028-02-29T05:00Z", "2028-03-31T05:00Z"]
    );
    assert_eq!(
        next("cron(0 5 l 2 ? *)", None, "2027-01-01T00:00Z", 3),
        [
            "2027-02-28T05:00Z",
            "2028-02-29T05:00Z",
            "2029-02-28T05:00Z"
        ]
    );
}

#[test]
fn last_weekday_of_month() {
    // May 2025: 31st Saturday -> Friday 30th. June: 30th Monday. July: 31st Thursday.
    // August: 31st Sunday -> Friday 29th.
    assert_eq!(
        next("cron(0 5 LW * ? *)", None, "2025-05-01T00:00Z", 4),
        [
            "2025-05-30T05:00Z",
            "2025-06-30T05:00Z",
            "2025-07-31T05:00Z",
            "2025-08-29T05:00Z"
        ]
    );
}

#[test]
fn nearest_weekday() {
    // 2025-11-01 is a Saturday: 1W moves forward to Monday the 3rd (not back into
    // October). 2025-12-01 is a Monday.
    assert_eq!(
        next("cron(0 5 1W * ? *)", None, "2025-10-15T00:00Z", 2),
        ["2025-11-03T05:00Z", "2025-12-01T05:00Z"]
    );
    // 15W: 2025-06-15 is a Sunday -> Monday 16th; 2025-11-15 is a Saturday -> Friday 14th.
    assert_eq!(
        next("cron(0 5 15W * ? *)", None, "2025-06-01T00:00Z", 1),
        ["2025-06-16T05:00Z"]
    );
    assert_eq!(
        next("cron(0 5 15W * ? *)", None, "2025-11-01T00:00Z", 1),
        ["2025-11-14T05:00Z"]
    );
    // 31W: 2025-08-31 is a Sunday -> Friday 29th (not Monday September 1st); October 31st is
    // a Friday; September and November have no 31st; December 31st is a Wednesday.
    assert_eq!(
        next("cron(0 5 31W * ? *)", None, "2025-08-01T00:00Z", 3),
        [
            "2025-08-29T05:00Z",
            "2025-10-31T05:00Z",
            "2025-12-31T05:00Z"
        ]
    );
}

#[test]
fn last_weekday_n_of_month() {
    // 6L = last Friday: March 2025 -> 28th, April 2025 -> 25th.
    assert_eq!(
        next("cron(0 5 ? * 6L *)", None, "2025-03-01T00:00Z", 2),
        ["2025-03-28T05:00Z", "2025-04-25T05:00Z"]
    );
    assert_eq!(
        next("cron(0 5 ? * FRIL *)", None, "2025-03-01T00:00Z", 2),
        ["2025-03-28T05:00Z", "2025-04-25T05:00Z"]
    );
}

#[test]
fn bare_l_in_day_of_week_is_saturday() {
    // croner parses a bare `L` in day-of-week but never fires it; AWS means Saturday.
    assert_eq!(
        next("cron(0 5 ? * L *)", None, "2025-03-10T00:00Z", 2),
        ["2025-03-15T05:00Z", "2025-03-22T05:00Z"]
    );
}

#[test]
fn nth_weekday_of_month() {
    // 2#1 = first Monday: 2025-03-03, 2025-04-07.
    assert_eq!(
        next("cron(0 5 ? * 2#1 *)", None, "2025-03-01T00:00Z", 2),
        ["2025-03-03T05:00Z", "2025-04-07T05:00Z"]
    );
    // SUN#2 = second Sunday: 2025-03-09, 2025-04-13.
    assert_eq!(
        next("cron(0 5 ? * SUN#2 *)", None, "2025-03-01T00:00Z", 2),
        ["2025-03-09T05:00Z", "2025-04-13T05:00Z"]
    );
    // 5#5 = fifth Thursday, only in months that have one: Jan, May, Jul, Oct 2025.
    assert_eq!(
        next("cron(0 5 ? * 5#5 *)", None, "2025-01-01T00:00Z", 4),
        [
            "2025-01-30T05:00Z",
            "2025-05-29T05:00Z",
            "2025-07-31T05:00Z",
            "2025-10-30T05:00Z"
        ]
    );
    // One `#` entry listed with a plain day: Saturdays plus the first Monday.
    // 2025-03-01 is a Saturday (already past at 06:00), 2025-03-03 the first Monday.
    assert_eq!(
        next("cron(0 5 ? * 7,2#1 *)", None, "2025-03-01T06:00Z", 3),
        [
            "2025-03-03T05:00Z",
            "2025-03-08T05:00Z",
            "2025-03-15T05:00Z"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Month ends, leap days, year field, termination
// ---------------------------------------------------------------------------------------

#[test]
fn month_ends() {
    assert_eq!(
        next("cron(0 0 31 * ? *)", None, "2025-01-01T00:00Z", 7),
        [
            "2025-01-31T00:00Z",
            "2025-03-31T00:00Z",
            "2025-05-31T00:00Z",
            "2025-07-31T00:00Z",
            "2025-08-31T00:00Z",
            "2025-10-31T00:00Z",
            "2025-12-31T00:00Z"
        ]
    );
    assert_eq!(
        next("cron(0 0 30 * ? *)", None, "2025-01-01T00:00Z", 3),
        [
            "2025-01-30T00:00Z",
            "2025-03-30T00:00Z",
            "2025-04-30T00:00Z"
        ]
    );
}

#[test]
fn leap_day() {
    assert_eq!(
        next("cron(0 0 29 2 ? *)", None, "2025-01-01T00:00Z", 2),
        ["2028-02-29T00:00Z", "2032-02-29T00:00Z"]
    );
    assert_eq!(
        next("cron(0 0 29 FEB ? *)", None, "2028-02-29T00:00Z", 1),
        ["2032-02-29T00:00Z"]
    );
    // 2100 is not a leap year: 2096 is followed by 2104.
    assert_eq!(
        next("cron(0 0 29 2 ? *)", None, "2096-03-01T00:00Z", 1),
        ["2104-02-29T00:00Z"]
    );
}

#[test]
fn schedules_that_never_fire_terminate() {
    for expr in [
        "cron(0 0 30 2 ? *)",
        "cron(0 0 31 FEB ? *)",
        "cron(0 0 31 APR,JUN,SEP,NOV ? *)",
    ] {
        let s = schedule(expr, None);
        assert!(s.next_after(t("2025-01-01T00:00Z"), 3).is_empty(), "{expr}");
        assert!(
            s.fire_times_between(unix("1970-01-01T00:00Z"), i64::MAX)
                .is_empty(),
            "{expr}"
        );
    }
}

#[test]
fn year_field() {
    // AWS example: last Friday at 10:15, 2019-2022. Nothing after 2023.
    let s = schedule("cron(15 10 ? * 6L 2019-2022)", None);
    assert!(s.next_after(t("2023-01-01T00:00Z"), 5).is_empty());
    // Last Fridays of November and December 2022 are the 25th and the 30th.
    assert_eq!(
        fmt(&s.next_after(t("2022-11-01T00:00Z"), 5)),
        ["2022-11-25T10:15Z", "2022-12-30T10:15Z"]
    );
    // Quarterly, 2027 only.
    assert_eq!(
        next("cron(0 5 1 1/3 ? 2027)", None, "2025-01-01T00:00Z", 10),
        [
            "2027-01-01T05:00Z",
            "2027-04-01T05:00Z",
            "2027-07-01T05:00Z",
            "2027-10-01T05:00Z"
        ]
    );
    // Year list and year step.
    assert_eq!(
        next("cron(0 5 1 1 ? 2030,2026/2)", None, "2025-01-01T00:00Z", 3),
        [
            "2026-01-01T05:00Z",
            "2028-01-01T05:00Z",
            "2030-01-01T05:00Z"
        ]
    );
    // 2199 is the last year searched.
    assert_eq!(
        next("cron(0 5 1 1 ? *)", None, "2198-06-01T00:00Z", 5),
        ["2199-01-01T05:00Z"]
    );
    assert!(
        schedule("cron(0 5 ? * * *)", None)
            .next_after(t("2300-01-01T00:00Z"), 1)
            .is_empty()
    );
    // Nothing before 1970.
    assert_eq!(
        next("cron(0 5 ? * * *)", None, "1900-01-01T00:00Z", 1),
        ["1970-01-01T05:00Z"]
    );
}

#[test]
fn hourly_year_of_fire_times() {
    let s = schedule("cron(0 * ? * * *)", None);
    let times = s.fire_times_between(unix("2025-01-01T00:00Z"), unix("2026-01-01T00:00Z"));
    assert_eq!(times.len(), 8760);
    assert_eq!(times[0], unix("2025-01-01T01:00Z"));
    assert_eq!(*times.last().unwrap(), unix("2026-01-01T00:00Z"));
    assert!(times.windows(2).all(|w| w[1] - w[0] == 3600));
}

// ---------------------------------------------------------------------------------------
// Time zones and daylight saving
// ---------------------------------------------------------------------------------------

#[test]
fn berlin_summer_and_winter_offsets() {
    let berlin = Some("Europe/Berlin");
    assert_eq!(
        next("cron(0 5 ? * * *)", berlin, "2025-01-14T12:00Z", 1),
        ["2025-01-15T04:00Z"]
    );
    assert_eq!(
        next("cron(0 5 ? * * *)", berlin, "2025-07-14T12:00Z", 1),
        ["2025-07-15T03:00Z"]
    );
}

#[test]
fn berlin_spring_forward_skips_missing_local_time() {
    // 2025-03-30 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that day.
    assert_eq!(
        next(
            "cron(30 2 * * ? *)",
            Some("Europe/Berlin"),
            "2025-03-28T00:00Z",
            3
        ),
        [
            "2025-03-28T01:30Z", // CET, +01:00
            "2025-03-29T01:30Z",
            "2025-03-31T00:30Z", // CEST, +02:00
        ]
    );
}

#[test]
fn berlin_fall_back_fires_once_at_earlier_instant() {
    // 2025-10-26 03:00 CEST falls back to 02:00 CET: 02:30 happens twice (00:30Z, 01:30Z);
    // the schedule fires once, at 00:30Z.
    assert_eq!(
        next(
            "cron(30 2 * * ? *)",
            Some("Europe/Berlin"),
            "2025-10-24T12:00Z",
            3
        ),
        [
            "2025-10-25T00:30Z",
            "2025-10-26T00:30Z",
            "2025-10-27T01:30Z"
        ]
    );
    // Starting between the two occurrences does not produce the second one.
    assert_eq!(
        next(
            "cron(30 2 * * ? *)",
            Some("Europe/Berlin"),
            "2025-10-26T01:00Z",
            1
        ),
        ["2025-10-27T01:30Z"]
    );
}

#[test]
fn berlin_daily_year_count() {
    // 02:00 every day of 2025 in Berlin: 365 days minus 2025-03-30 (02:00 does not exist);
    // 2025-10-26 02:00 is ambiguous and fires once.
    let s = schedule("cron(0 2 * * ? *)", Some("Europe/Berlin"));
    let times = s.fire_times_between(unix("2025-01-01T00:00Z"), unix("2026-01-01T00:00Z"));
    assert_eq!(times.len(), 364);
    assert_eq!(times[0], unix("2025-01-01T01:00Z"));
    assert!(!times.contains(&unix("2025-03-30T01:00Z")));
    assert!(times.contains(&unix("2025-03-29T01:00Z")));
    assert!(times.contains(&unix("2025-03-31T00:00Z")));
    assert!(times.contains(&unix("2025-10-26T00:00Z")));
    assert!(!times.contains(&unix("2025-10-26T01:00Z")));
    assert_eq!(*times.last().unwrap(), unix("2025-12-31T01:00Z"));
}

#[test]
fn new_york_transitions() {
    let ny = Some("America/New_York");
    // 2025-03-09 02:00 EST jumps to 03:00 EDT.
    assert_eq!(
        next("cron(30 2 * * ? *)", ny, "2025-03-08T00:00Z", 2),
        ["2025-03-08T07:30Z", "2025-03-10T06:30Z"]
    );
    // 2025-11-02 02:00 EDT falls back to 01:00 EST: 01:30 fires once, as EDT.
    assert_eq!(
        next("cron(30 1 * * ? *)", ny, "2025-11-01T00:00Z", 3),
        [
            "2025-11-01T05:30Z",
            "2025-11-02T05:30Z",
            "2025-11-03T06:30Z"
        ]
    );
    // Hourly across the fall-back: 00:00 EDT, 01:00 EDT, (01:00 EST skipped), 02:00 EST ...
    let hourly = schedule("cron(0 * ? * * *)", ny);
    assert_eq!(
        fmt_unix(&hourly.fire_times_between(unix("2025-11-02T03:59Z"), unix("2025-11-02T08:00Z"))),
        [
            "2025-11-02T04:00Z",
            "2025-11-02T05:00Z",
            "2025-11-02T07:00Z",
            "2025-11-02T08:00Z"
        ]
    );
    // Local day 2025-03-09 has 23 wall-clock hours, 2025-11-02 has 24 distinct wall-clock
    // hours (25 real hours), each firing once.
    let spring_day = hourly.fire_times_between(
        unix("2025-03-09T05:00Z") - 1, // 00:00 EST
        unix("2025-03-10T04:00Z") - 1, // next local midnight (EDT), exclusive
    );
    assert_eq!(spring_day.len(), 23);
    let fall_day = hourly.fire_times_between(
        unix("2025-11-02T04:00Z") - 1, // 00:00 EDT
        unix("2025-11-03T05:00Z") - 1, // next local midnight (EST), exclusive
    );
    assert_eq!(fall_day.len(), 24);
}

#[test]
fn santiago_transitions_at_midnight() {
    let santiago = Some("America/Santiago");
    // 2025-04-06 00:00 -03 falls back to Saturday 2025-04-05 23:00 -04: Saturday 23:30
    // happens twice (02:30Z and 03:30Z) and fires once, at 02:30Z.
    assert_eq!(
        next("cron(30 23 * * ? *)", santiago, "2025-04-04T12:00Z", 3),
        [
            "2025-04-05T02:30Z",
            "2025-04-06T02:30Z",
            "2025-04-07T03:30Z"
        ]
    );
    // 2025-09-07 00:00 -04 jumps to 01:00 -03: midnight does not exist on Sunday the 7th.
    assert_eq!(
        next("cron(0 0 * * ? *)", santiago, "2025-09-05T12:00Z", 2),
        ["2025-09-06T04:00Z", "2025-09-08T03:00Z"]
    );
}

#[test]
fn utc_timezone_names() {
    for tz in [None, Some("UTC"), Some("Etc/UTC")] {
        assert_eq!(
            next("cron(0 5 ? * * *)", tz, "2025-03-10T12:00Z", 1),
            ["2025-03-11T05:00Z"],
            "{tz:?}"
        );
    }
    assert_eq!(
        schedule("cron(0 5 ? * * *)", Some("Etc/UTC")).timezone(),
        "Etc/UTC"
    );
}

#[test]
fn unknown_timezone_rejected() {
    for name in ["Mars/Olympus_Mons", "europe/berlin", "", "CEST+2"] {
        let err = Schedule::parse("cron(0 5 ? * * *)", Some(name)).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::UnknownTimezone {
                name: name.to_string()
            }
        );
        assert!(err.to_string().contains("IANA time zone name"), "{err}");
        assert!(err.is_timezone());
    }
    // Expression errors never mention the timezone (callers route messages by it).
    for expr in [
        "rate(1 hour)",
        "cron(0 5 ? * ? *)",
        "cron(0/15 * ? * * *)",
        "cron(0 5 ? * 9 *)",
    ] {
        let err = Schedule::parse(expr, Some("Europe/Berlin")).unwrap_err();
        assert!(!err.is_timezone(), "{expr}");
        assert!(
            !err.to_string().to_lowercase().contains("timezone"),
            "{err}"
        );
    }
    // The expression is validated before the timezone.
    assert!(
        !Schedule::parse("cron(0 5 ? * ? *)", Some("Nowhere"))
            .unwrap_err()
            .is_timezone()
    );
}

// ---------------------------------------------------------------------------------------
// Interval rule
// ---------------------------------------------------------------------------------------

#[test]
fn interval_under_60_minutes_rejected() {
    let needle = "The interval between backup jobs shouldn't be less than 60 minutes";
    for expr in [
        "cron(0/15 * * * ? *)",          // EventBridge example: every 15 minutes
        "cron(0/10 * ? * MON-FRI *)",    // EventBridge example
        "cron(0/5 8-17 ? * MON-FRI *)",  // EventBridge example
        "cron(0/30 20-2 ? * MON-FRI *)", // EventBridge example
        "cron(5,35 14 * * ? *)",         // EventBridge example: twice, 30 minutes apart
        "cron(0,50 * ? * * *)",          // irregular list
        "cron(* 5 ? * * *)",
    ] {
        assert_rejected(expr, needle);
    }
    assert_rejected(
        "cron(0/15 * * * ? *)",
        "fires at 00:00 and again at 00:15, 15 minutes later",
    );
    assert_rejected(
        "cron(5,35 14 * * ? *)",
        "14:05 and again at 14:35, 30 minutes later",
    );
    assert_eq!(
        Schedule::parse("cron(0,50 * ? * * *)", None).unwrap_err(),
        ScheduleError::IntervalTooShort {
            first: "00:00".into(),
            second: "00:50".into(),
            minutes: 50
        }
    );
}

#[test]
fn interval_of_exactly_60_minutes_accepted() {
    for expr in [
        "cron(0 * ? * * *)",
        "cron(59 0,1 ? * * *)",
        "cron(0 0,23 * * ? *)", // 23:00 -> 00:00 next day is exactly 60 minutes
        "cron(30 0/2 ? * * *)",
    ] {
        assert!(Schedule::parse(expr, None).is_ok(), "{expr}");
    }
    // 23:00 then 00:00 the next day.
    assert_eq!(
        next("cron(0 0,23 * * ? *)", None, "2025-03-10T12:00Z", 3),
        [
            "2025-03-10T23:00Z",
            "2025-03-11T00:00Z",
            "2025-03-11T23:00Z"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------

#[test]
fn rejects_missing_cron_wrapper() {
    assert_rejected("0 5 ? * * *", "is not a cron expression");
    assert_rejected("cron(0 5 ? * * *", "is not a cron expression");
    assert_rejected("cron 0 5 ? * * *)", "is not a cron expression");
    assert_rejected("", "is not a cron expression");
}

#[test]
fn rejects_rate_expressions() {
    assert_rejected(
        "rate(1 hour)",
        "AWS Backup accepts only cron(...) expressions, not rate(...)",
    );
    assert_rejected("rate(12 hours)", "not rate(...)");
}

#[test]
fn rejects_wrong_field_count() {
    assert_rejected("cron(0 5 ? * *)", "has 5 field(s)");
    assert_rejected("cron(0 0 5 ? * * *)", "has 7 field(s)");
    assert_rejected("cron()", "has 0 field(s)");
    assert_eq!(
        Schedule::parse("cron(0 5 ? * *)", None).unwrap_err(),
        ScheduleError::FieldCount {
            expression: "cron(0 5 ? * *)".into(),
            found: 5
        }
    );
}

#[test]
fn rejects_out_of_range_values() {
    for (expr, needle) in [
        (
            "cron(60 5 ? * * *)",
            "minutes: value `60` is out of range; valid values are 0-59",
        ),
        (
            "cron(0 24 ? * * *)",
            "hours: value `24` is out of range; valid values are 0-23",
        ),
        (
            "cron(0 5 32 * ? *)",
            "day-of-month: value `32` is out of range",
        ),
        (
            "cron(0 5 0 * ? *)",
            "day-of-month: value `0` is out of range",
        ),
        (
            "cron(0 5 1 13 ? *)",
            "month: value `13` is out of range; valid values are 1-12 or JAN-DEC",
        ),
        ("cron(0 5 1 0 ? *)", "month: value `0` is out of range"),
        (
            "cron(0 5 ? * 8 *)",
            "day-of-week: value `8` is out of range",
        ),
        (
            "cron(0 5 ? * 0 *)",
            "day-of-week: value `0` is out of range",
        ),
        ("cron(0 5 ? * 0 *)", "1 = Sunday"),
        (
            "cron(0 5 ? * * 2200)",
            "year: value `2200` is out of range; valid values are 1970-2199",
        ),
        ("cron(0 5 ? * * 1969)", "year: value `1969` is out of range"),
        (
            "cron(0 5 ? * * 2020-2300)",
            "year: value `2300` is out of range",
        ),
        (
            "cron(0 5 32W * ? *)",
            "day-of-month: value `32` is out of range",
        ),
        (
            "cron(0 5 ? * 8#1 *)",
            "day-of-week: value `8` is out of range",
        ),
        (
            "cron(0 5 ? * 8L *)",
            "day-of-week: value `8` is out of range",
        ),
        (
            "cron(0 99999999999 ? * * *)",
            "hours: value `99999999999` is out of range",
        ),
        ("cron(0 25/2 ? * * *)", "hours: value `25` is out of range"),
    ] {
        assert_rejected(expr, needle);
    }
}

#[test]
fn rejects_unknown_names() {
    assert_rejected("cron(0 5 1 FOO ? *)", "month: unknown name `FOO`");
    assert_rejected("cron(0 5 1 MON ? *)", "month: unknown name `MON`");
    assert_rejected("cron(0 5 ? * JAN *)", "day-of-week: unknown name `JAN`");
    assert_rejected(
        "cron(0 5 ? * MONDAY *)",
        "day-of-week: unknown name `MONDAY`",
    );
    assert_rejected("cron(0 NOON ? * * *)", "hours: unknown name `NOON`");
    assert_rejected("cron(0 5 ? * * NEXT)", "year: unknown name `NEXT`");
}

#[test]
fn rejects_day_field_combinations() {
    assert_rejected(
        "cron(0 5 15 * MON *)",
        "day-of-month (`15`) and day-of-week (`MON`) are both set",
    );
    assert_rejected("cron(0 5 L * 6L *)", "are both set");
    assert_rejected(
        "cron(0 5 * * * *)",
        "neither day-of-month (`*`) nor day-of-week (`*`) is `?`",
    );
    assert_rejected("cron(0 5 15 * * *)", "neither day-of-month (`15`)");
    assert_rejected(
        "cron(0 5 * * MON *)",
        "exactly one of the two day fields must be `?`",
    );
    assert_eq!(
        Schedule::parse("cron(0 5 ? * ? *)", None).unwrap_err(),
        ScheduleError::BothQuestionMarks
    );
    assert_rejected(
        "cron(0 5 ? * ? *)",
        "day-of-month and day-of-week are both `?`",
    );
}

#[test]
fn rejects_hash_misuse() {
    assert_rejected(
        "cron(0 5 ? * 3#1,6#3 *)",
        "day-of-week: `3#1,6#3` has more than one `#` entry",
    );
    assert_rejected(
        "cron(0 5 ? * 2#6 *)",
        "occurrence after `#` in `2#6` must be 1-5",
    );
    assert_rejected("cron(0 5 ? * 2#0 *)", "must be 1-5");
    assert_rejected("cron(0 5 ? * 2# *)", "`#` must be followed by a number 1-5");
    assert_rejected("cron(0 5 ? * 2-3#1 *)", "need a single weekday");
    assert_rejected("cron(0 5 1#1 * ? *)", "`#` is only allowed in day-of-week");
}

#[test]
fn rejects_zero_step() {
    assert_rejected(
        "cron(0/0 5 ? * * *)",
        "minutes: the step in `0/0` is 0; a step must be at least 1",
    );
    assert_rejected("cron(0 */0 ? * * *)", "hours: the step in `*/0` is 0");
    assert_rejected("cron(0 5 ? * * 2025/0)", "year: the step in `2025/0` is 0");
    assert_rejected("cron(0 5 ? * 1/0 *)", "day-of-week: the step in `1/0` is 0");
}

#[test]
fn rejects_misplaced_special_characters() {
    assert_rejected(
        "cron(? 5 ? * * *)",
        "`?` is only allowed in day-of-month and day-of-week",
    );
    assert_rejected("cron(0 5 ?,1 * ? *)", "`?` must be the whole field");
    assert_rejected("cron(0 L ? * * *)", "hours: `L` is not valid");
    assert_rejected("cron(0 5 ? * 2W *)", "`W` is only allowed in day-of-month");
    assert_rejected(
        "cron(0 5 L,15 * ? *)",
        "day-of-month: `L` must be the only entry",
    );
    assert_rejected("cron(0 5 15W,20 * ? *)", "`15W` must be the only entry");
    assert_rejected(
        "cron(0 5 ? * 6L,2 *)",
        "day-of-week: `6L` must be the only entry",
    );
    assert_rejected("cron(0 5 ? * L,2 *)", "`L` must be the only entry");
    assert_rejected("cron(0 5 L-2 * ? *)", "`L` is used alone");
    assert_rejected("cron(0 5 1-5W * ? *)", "`W` needs a single day");
    assert_rejected("cron(0 5 1,,2 * ? *)", "empty entry");
    assert_rejected("cron(0 /5 ? * * *)", "a start is missing before `/`");
    assert_rejected("cron(0 5/x ? * * *)", "the step after `/` must be a number");
    assert_rejected(
        "cron(0 5 ? * * 2022-2019)",
        "year: range `2022-2019` ends before it starts",
    );
    assert_rejected("cron(0 5.5 ? * * *)", "hours: `5.5` is not valid");
    assert_rejected("cron(0 5- ? * * *)", "a value is missing");
}

#[test]
fn error_messages_name_the_field() {
    let cases = [
        ("cron(60 5 ? * * *)", CronField::Minutes),
        ("cron(0 24 ? * * *)", CronField::Hours),
        ("cron(0 5 32 * ? *)", CronField::DayOfMonth),
        ("cron(0 5 1 13 ? *)", CronField::Month),
        ("cron(0 5 ? * 9 *)", CronField::DayOfWeek),
        ("cron(0 5 ? * * 3000)", CronField::Year),
    ];
    for (expr, field) in cases {
        let err = Schedule::parse(expr, None).unwrap_err();
        assert!(matches!(err, ScheduleError::OutOfRange { field: f, .. } if f == field));
        assert!(err.to_string().starts_with(field.name()), "{err}");
    }
    assert_eq!(
        CronField::ALL.map(CronField::name),
        [
            "minutes",
            "hours",
            "day-of-month",
            "month",
            "day-of-week",
            "year"
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Secondary check: agreement with croner's own iterator (UTC, no DST involved)
// ---------------------------------------------------------------------------------------

/// The day-by-day walk must agree with croner's own search over a whole year. This is a
/// consistency check between two evaluators, in addition to the hand-worked tests above.
#[test]
fn agrees_with_croner_iterator_in_utc() {
    for expr in [
        "cron(0 5 ? * * *)",
        "cron(15 */4 ? * MON-FRI *)",
        "cron(0 5 L * ? *)",
        "cron(0 5 LW * ? *)",
        "cron(0 5 15W * ? *)",
        "cron(0 5 1W * ? *)",
        "cron(0 5 ? * 6L *)",
        "cron(0 5 ? * 2#1 *)",
        "cron(0 5 ? * 7,3#4 *)",
        "cron(0 5 1 1/3 ? 2025-2026)",
        "cron(0 20-2 ? * FRI-MON *)",
        "cron(0 5 28-3 NOV-FEB ? *)",
        "cron(0 5 ? * L *)",
    ] {
        let s = schedule(expr, None);
        let start = t("2025-01-01T00:00Z");
        let end = t("2026-01-01T00:00Z");
        let ours = s.fire_times_between(start.timestamp(), end.timestamp());
        let theirs: Vec<i64> = s
            .cron
            .iter_after(start)
            .take_while(|d| *d <= end)
            .map(|d| d.timestamp())
            .collect();
        assert!(!ours.is_empty(), "{expr}");
        assert_eq!(fmt_unix(&ours), fmt_unix(&theirs), "{expr}");
    }
}

#[test]
fn utc_helper_sanity() {
    // Guards the test helpers themselves.
    assert_eq!(
        t("2025-03-11T05:00Z"),
        Utc.with_ymd_and_hms(2025, 3, 11, 5, 0, 0).unwrap()
    );
}
