//! AWS Backup's billing rules as pure functions (aws-backup-facts §4, §10).
//!
//! - Storage is billed in GB-months, averaged over the calendar month: the GB-hours stored
//!   in a month divided by the hours in that month (720 in a 30-day month, 744 in a 31-day
//!   one) — the pricing page's "average gigabytes of backup storage used in a month".
//! - EFS, S3, VMware, SAP HANA on EC2 and Timestream backups are metered per GB-day: a day
//!   on which any byte is stored is billed as a whole day (GB-days ÷ days in the month).
//! - Cold storage is billed for at least 90 days: a point deleted earlier is billed the
//!   remaining days pro rata, as a charge in the month it is deleted.

use crate::model::{DAY_SECONDS, Month};

/// Bytes stored over `[from, to)`, simulation seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredInterval {
    pub bytes: u64,
    pub from: i64,
    pub to: i64,
}

/// Adds `interval`'s billed GB-months to `per_month` (indexed like `months`), with
/// `gb_bytes` bytes per GB. `per_day` meters whole days (GB-day types): the interval is
/// widened to the days it touches. Storage outside the months is not billed.
pub fn billed_gb_months(
    interval: StoredInterval,
    months: &[Month],
    gb_bytes: f64,
    per_day: bool,
    per_month: &mut [f64],
) {
    assert_eq!(per_month.len(), months.len(), "one total per month");
    let (from, to) = metered(interval, per_day);
    if interval.bytes == 0 || from >= to {
        return;
    }
    let gb = interval.bytes as f64 / gb_bytes;
    let first = months.partition_point(|m| m.end_seconds <= from);
    for (m, month) in months.iter().enumerate().skip(first) {
        if month.start_seconds >= to {
            break;
        }
        let (a, b) = (from.max(month.start_seconds), to.min(month.end_seconds));
        if a >= b {
            continue;
        }
        // The month's length in its unit (hours, or days for GB-day types); a month
        // clipped at the start of the simulation keeps its calendar length.
        let month_seconds = (month.end_seconds - month.calendar_start_seconds) as f64;
        per_month[m] += gb * (b - a) as f64 / month_seconds;
    }
}

/// The span `interval` is billed for: as stored, or widened to the whole days it touches
/// when `per_day` (GB-day types).
fn metered(interval: StoredInterval, per_day: bool) -> (i64, i64) {
    if per_day {
        (
            interval.from.div_euclid(DAY_SECONDS) * DAY_SECONDS,
            (interval.to + DAY_SECONDS - 1).div_euclid(DAY_SECONDS) * DAY_SECONDS,
        )
    } else {
        (interval.from, interval.to)
    }
}

/// One month of a storage charge, metered in exact integers by [`meter_storage`]: the
/// byte-seconds stored in the month by the intervals that start or end inside it, and the
/// bytes of the intervals that hold through it whole, as a difference (added at an
/// interval's first whole month, taken away at the month after its last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthStorage {
    pub byte_seconds: i128,
    pub whole_bytes_difference: i128,
}

/// As [`billed_gb_months`], in constant time however many months the interval spans and
/// in exact integers: the first and last month it touches get its byte-seconds in them,
/// and each whole month between them its bytes through the difference array (see
/// [`MonthStorage`]). [`fold_storage`] turns a row of months into GB-months once, at the
/// end. `month_of(t)` is the index of the month holding second `t`
/// (`Simulation::month_of`). A whole month is always a calendar one (only the first month
/// can start before the simulation does, and it is never between two others), so it holds
/// the full size for its calendar length. Equal to the month-by-month sum up to its
/// floating-point rounding: `integer_billing_matches_month_by_month`.
pub fn meter_storage(
    interval: StoredInterval,
    months: &[Month],
    month_of: impl Fn(i64) -> usize,
    per_day: bool,
    row: &mut [MonthStorage],
) {
    assert_eq!(row.len(), months.len(), "one entry per month");
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return;
    };
    let (from, to) = metered(interval, per_day);
    let (from, to) = (from.max(first.start_seconds), to.min(last.end_seconds));
    if interval.bytes == 0 || from >= to {
        return;
    }
    let bytes = i128::from(interval.bytes);
    let (m_from, m_to) = (month_of(from), month_of(to - 1));
    if m_from == m_to {
        row[m_from].byte_seconds += bytes * i128::from(to - from);
        return;
    }
    row[m_from].byte_seconds += bytes * i128::from(months[m_from].end_seconds - from);
    row[m_to].byte_seconds += bytes * i128::from(to - months[m_to].start_seconds);
    if m_to > m_from + 1 {
        row[m_from + 1].whole_bytes_difference += bytes;
        row[m_to].whole_bytes_difference -= bytes;
    }
}

/// Adds a row of months metered by [`meter_storage`] to `per_month`, in GB-months: each
/// month's exact byte-seconds (its edges plus the whole-month bytes for its calendar
/// length) divided once by the bytes per GB and the month's calendar seconds.
pub fn fold_storage(row: &[MonthStorage], months: &[Month], gb_bytes: f64, per_month: &mut [f64]) {
    let mut through: i128 = 0;
    for ((quantity, stored), month) in per_month.iter_mut().zip(row).zip(months) {
        through += stored.whole_bytes_difference;
        let month_seconds = month.end_seconds - month.calendar_start_seconds;
        let byte_seconds = stored.byte_seconds + through * i128::from(month_seconds);
        if byte_seconds != 0 {
            *quantity += byte_seconds as f64 / (gb_bytes * month_seconds as f64);
        }
    }
}

/// Adds the early-deletion charge of a point of `bytes` that moved to cold storage at
/// `cold_from` and is deleted at `delete_at`, before `minimum_days` in cold: the remaining
/// days, billed at once in the month of the deletion (GB × remaining hours ÷ hours in that
/// month). Nothing when the point stayed long enough or is deleted outside the months.
pub fn early_deletion_gb_months(
    bytes: u64,
    cold_from: i64,
    delete_at: i64,
    minimum_days: i64,
    months: &[Month],
    gb_bytes: f64,
    per_month: &mut [f64],
) {
    let until = cold_billed_until(cold_from, delete_at, minimum_days);
    if until <= delete_at {
        return;
    }
    let m = months.partition_point(|m| m.end_seconds <= delete_at);
    let Some(month) = months
        .get(m)
        .filter(|month| month.start_seconds <= delete_at)
    else {
        return;
    };
    let month_seconds = (month.end_seconds - month.calendar_start_seconds) as f64;
    per_month[m] += bytes as f64 / gb_bytes * (until - delete_at) as f64 / month_seconds;
}

/// Until when a point that moves to cold storage at `cold_from` and is deleted at
/// `delete_at` is billed at the cold rate: at least `minimum_days` after `cold_from`.
/// The span after `delete_at` is the early-deletion charge.
pub fn cold_billed_until(cold_from: i64, delete_at: i64, minimum_days: i64) -> i64 {
    delete_at.max(cold_from.saturating_add(minimum_days * DAY_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::months;

    const GB: f64 = 1_073_741_824.0;
    const DAY: i64 = DAY_SECONDS;

    fn gb(n: u64) -> u64 {
        n * 1_073_741_824
    }

    /// AWS's pricing-page example: EFS backups of 400 GB for the first 15 days of a 30-day
    /// month and 800 GB for the other 15 bill (400 × 15 + 800 × 15) / 30 = 600 GB-months,
    /// $30.00 at $0.05 per GB-month. April 2026 has 30 days.
    #[test]
    fn efs_pricing_example_bills_600_gb_months() {
        let m = months(1_775_001_600, 30 * DAY); // 2026-04-01T00:00:00Z
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].label, "2026-04");
        let mut per_month = vec![0.0];
        for (bytes, from, to) in [(gb(400), 0, 15 * DAY), (gb(800), 15 * DAY, 30 * DAY)] {
            let interval = StoredInterval { bytes, from, to };
            billed_gb_months(interval, &m, GB, true, &mut per_month);
        }
        assert!((per_month[0] - 600.0).abs() < 1e-9, "{}", per_month[0]);
        assert!((per_month[0] * 0.05 - 30.0).abs() < 1e-9);
    }

    /// A month of 31 days divides by 744 hours: 744 GB-hours in March are 1 GB-month, and
    /// the same 744 GB-hours in a 30-day month are 744 / 720 GB-months.
    #[test]
    fn a_31_day_month_divides_by_744_hours() {
        let m = months(1_772_323_200, 61 * DAY); // 2026-03-01T00:00:00Z: March, April
        assert_eq!(
            (m[0].label.as_str(), m[1].label.as_str()),
            ("2026-03", "2026-04")
        );
        let mut per_month = vec![0.0; 2];
        let one_gb_all_march = StoredInterval {
            bytes: gb(1),
            from: 0,
            to: 31 * DAY,
        };
        billed_gb_months(one_gb_all_march, &m, GB, false, &mut per_month);
        assert!((per_month[0] - 1.0).abs() < 1e-12);
        let mut per_month = vec![0.0; 2];
        // 2 GB for 372 hours: 744 GB-hours inside April.
        let hours_744_in_april = StoredInterval {
            bytes: gb(2),
            from: 31 * DAY,
            to: 31 * DAY + 372 * 3600,
        };
        billed_gb_months(hours_744_in_april, &m, GB, false, &mut per_month);
        assert!((per_month[1] - 744.0 / 720.0).abs() < 1e-12);
        assert_eq!(per_month[0], 0.0);
    }

    /// GB-day metering bills a day on which anything is stored as a whole day; GB-hour
    /// metering bills the hours.
    #[test]
    fn gb_day_types_bill_whole_days() {
        let m = months(1_775_001_600, 30 * DAY);
        let two_hours = StoredInterval {
            bytes: gb(30),
            from: DAY + 3600,
            to: DAY + 3 * 3600,
        };
        let mut per_day = vec![0.0];
        billed_gb_months(two_hours, &m, GB, true, &mut per_day);
        assert!((per_day[0] - 1.0).abs() < 1e-12, "30 GB for one day of 30");
        let mut per_hour = vec![0.0];
        billed_gb_months(two_hours, &m, GB, false, &mut per_hour);
        assert!((per_hour[0] - 30.0 * 2.0 / 720.0).abs() < 1e-12);
    }

    /// The shortcut against the straightforward sum: for intervals of a few seconds to
    /// two years, both meterings, and epochs at midnight, mid-day and mid-month, the
    /// constant-time integer metering (edge months' byte-seconds, whole months as
    /// differences, folded once) gives every month's GB-months within 1e-12 of the
    /// month-by-month floating-point loop, and nothing at all where the loop bills
    /// nothing. Many intervals metered into one row also match the loop's sum.
    #[test]
    fn integer_billing_matches_month_by_month() {
        use crate::dist::{uniform_index, unit_f64};
        let mut rng = crate::rng::stream(9, 0, 0, crate::rng::Stream::Copy);
        for epoch in [1_767_225_600, 1_767_225_600 + 13 * 3600 + 17, 1_768_435_200] {
            let horizon = 730 * DAY;
            let m = months(epoch, horizon);
            let month_of_day = crate::model::month_of_day(&m);
            let month_of = |t: i64| crate::model::month_at(&m, &month_of_day, t);
            let mut all_loop = vec![0.0; m.len()];
            let mut all_row = vec![MonthStorage::default(); m.len()];
            for _ in 0..20_000 {
                let from = (unit_f64(&mut rng) * (horizon + 40 * DAY) as f64) as i64 - 20 * DAY;
                let length = 10f64.powf(unit_f64(&mut rng) * 7.8) as i64;
                let interval = StoredInterval {
                    bytes: uniform_index(&mut rng, 1 << 40) as u64,
                    from,
                    to: from + length,
                };
                let per_day = uniform_index(&mut rng, 2) == 1;
                let mut loop_sum = vec![0.0; m.len()];
                billed_gb_months(interval, &m, GB, per_day, &mut loop_sum);
                billed_gb_months(interval, &m, GB, per_day, &mut all_loop);
                let mut row = vec![MonthStorage::default(); m.len()];
                meter_storage(interval, &m, month_of, per_day, &mut row);
                meter_storage(interval, &m, month_of, per_day, &mut all_row);
                let mut folded = vec![0.0; m.len()];
                fold_storage(&row, &m, GB, &mut folded);
                for (a, b) in loop_sum.iter().zip(&folded) {
                    assert!(
                        (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                        "{interval:?} {a} {b}"
                    );
                    assert_eq!(*a == 0.0, *b == 0.0, "{interval:?}");
                }
            }
            let mut folded = vec![0.0; m.len()];
            fold_storage(&all_row, &m, GB, &mut folded);
            for (a, b) in all_loop.iter().zip(&folded) {
                assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} {b}");
            }
        }
    }

    /// AWS's pricing-page example (`efs_pricing_example_bills_600_gb_months`) through the
    /// integer metering: exactly 600 GB-months, since the month's byte-seconds are exact.
    #[test]
    fn integer_billing_reproduces_the_efs_pricing_example() {
        let m = months(1_775_001_600, 30 * DAY); // 2026-04-01T00:00:00Z
        let table = crate::model::month_of_day(&m);
        let mut row = vec![MonthStorage::default()];
        for (bytes, from, to) in [(gb(400), 0, 15 * DAY), (gb(800), 15 * DAY, 30 * DAY)] {
            let interval = StoredInterval { bytes, from, to };
            meter_storage(
                interval,
                &m,
                |t| crate::model::month_at(&m, &table, t),
                true,
                &mut row,
            );
        }
        let mut per_month = vec![0.0];
        fold_storage(&row, &m, GB, &mut per_month);
        assert_eq!(per_month[0], 600.0);
    }

    /// Cold storage has a 90-day minimum (pricing page): a point moved to cold on day 30 and
    /// deleted on day 60 is billed 90 cold days — 30 stored and 60 of early deletion.
    #[test]
    fn cold_storage_is_billed_at_least_90_days() {
        let until = cold_billed_until(30 * DAY, 60 * DAY, 90);
        assert_eq!(until - 30 * DAY, 90 * DAY);
        assert_eq!(cold_billed_until(30 * DAY, 200 * DAY, 90), 200 * DAY);
        // Over a year of months, the billed GB-months of that point add up to 90 days.
        let m = months(1_767_225_600, 365 * DAY); // 2026-01-01
        let mut per_month = vec![0.0; m.len()];
        let interval = StoredInterval {
            bytes: gb(1),
            from: 30 * DAY,
            to: until,
        };
        billed_gb_months(interval, &m, GB, false, &mut per_month);
        let days: f64 = per_month
            .iter()
            .zip(&m)
            .map(|(g, month)| g * (month.end_seconds - month.start_seconds) as f64 / DAY as f64)
            .sum();
        assert!((days - 90.0).abs() < 1e-9, "{days}");
    }
}
