//! What operations sees of one trial: copy activity per day (the copy dashboard) and how
//! often the seed's CloudWatch alarms would fire (the on-call load).
//!
//! Alarms ([seed §Monitoring and Alerting], [seed §Copy Job Monitoring]), evaluated per
//! account that runs a backup plan (each account holds its own AWS/Backup metrics):
//! - `backup-job-failed`: Sum of `NumberOfBackupJobsFailed` over 300 s > 0, one period.
//!   A job that fails counts in the period it started.
//! - `copy-job-failed`: the same on failed copy jobs (the seed's alarm names
//!   `NumberOfBackupJobsFailed` on the DR vault, which receives no backup jobs and so would
//!   never fire; vaultsim forecasts the alarm the seed meant, on `NumberOfCopyJobsFailed`).
//!   Refused copies (cold source, vault lock, unshared key) end FAILED too.
//! - `missing-scheduled-backup`: Sum of `NumberOfBackupJobsCreated` over 86,400 s < 1.
//!   A day without a job emits no data point; with CloudWatch's default
//!   `treat_missing_data = missing` the alarm would then go to INSUFFICIENT_DATA, never
//!   ALARM. vaultsim forecasts it as if missing data were breaching (what the alarm is for);
//!   docs/assumptions.md says so.
//!
//! An alarm notifies when it goes from OK to ALARM, so a run of consecutive breaching
//! periods is one firing, counted in the month its first period starts.

use crate::model::{DAY_SECONDS, Model};

/// Seconds in a 5-minute CloudWatch period.
const PERIOD_SECONDS: i64 = 300;

/// The alarms forecast, in report order.
pub const ALARMS: [&str; 3] = [
    "backup-job-failed",
    "copy-job-failed",
    "missing-scheduled-backup",
];

/// Buckets of the per-day copy-lag histogram: four per octave of seconds (±9 %).
const LAG_BUCKETS: usize = 4 * 40 + 2;

/// The lag bucket of `seconds`: 0 for 0 s, then four buckets per power of two.
fn lag_bucket(seconds: u64) -> usize {
    if seconds == 0 {
        return 0;
    }
    let e = 63 - seconds.leading_zeros() as usize;
    let m = if e >= 2 {
        ((seconds >> (e - 2)) & 3) as usize
    } else {
        ((seconds << (2 - e)) & 3) as usize
    };
    (1 + 4 * e + m).min(LAG_BUCKETS - 1)
}

/// The middle of bucket `b` (seconds).
fn lag_bucket_mid(b: usize) -> f64 {
    if b == 0 {
        return 0.0;
    }
    let (e, m) = ((b - 1) / 4, (b - 1) % 4);
    let low = (1u64 << e) as f64 * (1.0 + m as f64 / 4.0);
    low * (1.0 + 1.0 / 8.0 / (1.0 + m as f64 / 4.0))
}

/// Per-day copy activity of one trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CopyDays {
    /// Copy jobs created (when the source backup completed), per day.
    pub created: Vec<u64>,
    /// Copy jobs completed at the destination, per day of completion.
    pub completed: Vec<u64>,
    /// Copy jobs that ended FAILED (failures and refusals), per day of creation.
    pub failed: Vec<u64>,
    /// Of those, refused because the source was already in cold storage.
    pub refused_cold: Vec<u64>,
    /// Per link: copies waiting or transferring at the end of each day.
    pub backlog_jobs: Vec<Vec<i64>>,
    /// Per link: bytes of those copies.
    pub backlog_bytes: Vec<Vec<i128>>,
    /// Copy lag (completion − source usable) of copies completed that day, p50 and p95
    /// from a histogram with four buckets per octave (bucket middles, ±9 %).
    pub lag_p50_seconds: Vec<Option<f64>>,
    pub lag_p95_seconds: Vec<Option<f64>>,
}

impl CopyDays {
    pub fn new(days: usize, links: usize) -> CopyDays {
        CopyDays {
            created: vec![0; days],
            completed: vec![0; days],
            failed: vec![0; days],
            refused_cold: vec![0; days],
            backlog_jobs: vec![vec![0; days]; links],
            backlog_bytes: vec![vec![0; days]; links],
            lag_p50_seconds: vec![None; days],
            lag_p95_seconds: vec![None; days],
        }
    }
}

/// Alarm firings of one trial: `[alarm][month]` → firings per monitored account.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmMonths {
    /// Accounts that run a backup plan (the alarms are deployed there).
    pub monitored_accounts: usize,
    pub firings: Vec<Vec<Vec<u32>>>,
}

/// What one trial collects for operations, then turns into [`CopyDays`] and
/// [`AlarmMonths`] (buffers reused across trials).
#[derive(Debug, Default)]
pub struct OpsCollector {
    days: usize,
    /// (account << 32 | 5-minute period) of each failed backup job.
    failed_backups: Vec<u64>,
    /// The same for failed copy jobs.
    failed_copies: Vec<u64>,
    /// Per account, a bitset of days on which a backup job was created.
    created_days: Vec<u64>,
    words_per_account: usize,
    /// Per day, the copy-lag histogram.
    lag: Vec<[u32; LAG_BUCKETS]>,
}

impl OpsCollector {
    /// Starts a trial.
    pub fn begin(&mut self, model: &Model) {
        self.days = model.simulation.horizon_days();
        self.failed_backups.clear();
        self.failed_copies.clear();
        self.words_per_account = self.days.div_ceil(64);
        self.created_days.clear();
        self.created_days
            .resize(self.words_per_account * model.accounts.len(), 0);
        self.lag.clear();
        self.lag.resize(self.days, [0; LAG_BUCKETS]);
    }

    fn day(&self, t: i64) -> Option<usize> {
        let d = t.div_euclid(DAY_SECONDS);
        (0..self.days as i64).contains(&d).then_some(d as usize)
    }

    /// A backup job of `account` was created at `t`.
    pub fn job_created(&mut self, account: usize, t: i64) {
        if let Some(d) = self.day(t) {
            self.created_days[account * self.words_per_account + d / 64] |= 1 << (d % 64);
        }
    }

    /// A backup job of `account` started at `t` and failed.
    pub fn backup_failed(&mut self, account: usize, t: i64) {
        self.failed_backups.push(event(account, t));
    }

    /// A copy job of `account` created at `t` ended FAILED.
    pub fn copy_failed(&mut self, account: usize, t: i64) {
        self.failed_copies.push(event(account, t));
    }

    /// A copy completed at `t` after `lag` seconds.
    pub fn copy_lag(&mut self, t: i64, lag: u64) {
        if let Some(d) = self.day(t) {
            self.lag[d][lag_bucket(lag)] += 1;
        }
    }

    /// Per-day lag quantiles, written into `days`.
    pub fn finish_lag(&self, days: &mut CopyDays) {
        for (d, h) in self.lag.iter().enumerate() {
            let total: u64 = h.iter().map(|&c| u64::from(c)).sum();
            if total == 0 {
                continue;
            }
            let quantile = |q: f64| {
                let rank = ((q * total as f64).ceil() as u64).max(1);
                let mut seen = 0;
                for (b, &c) in h.iter().enumerate() {
                    seen += u64::from(c);
                    if seen >= rank {
                        return lag_bucket_mid(b);
                    }
                }
                lag_bucket_mid(LAG_BUCKETS - 1)
            };
            days.lag_p50_seconds[d] = Some(quantile(0.50));
            days.lag_p95_seconds[d] = Some(quantile(0.95));
        }
    }

    /// The month-by-month alarm firings of the trial.
    pub fn alarms(&mut self, model: &Model) -> AlarmMonths {
        let sim = &model.simulation;
        let months = sim.months.len();
        let mut monitored = vec![false; model.accounts.len()];
        for r in &model.resources {
            if r.program.is_some() {
                monitored[r.account] = true;
            }
        }
        let mut slot = vec![usize::MAX; model.accounts.len()];
        let mut n = 0;
        for (a, &m) in monitored.iter().enumerate() {
            if m {
                slot[a] = n;
                n += 1;
            }
        }
        let mut firings = vec![vec![vec![0u32; n]; months]; ALARMS.len()];
        for (alarm, events) in [&mut self.failed_backups, &mut self.failed_copies]
            .into_iter()
            .enumerate()
        {
            events.sort_unstable();
            let mut previous: Option<u64> = None;
            for &e in events.iter() {
                // A new firing unless the same account breached in the previous period.
                if previous.is_some_and(|p| e == p || e == p + 1) {
                    previous = Some(e);
                    continue;
                }
                previous = Some(e);
                let (account, period) = ((e >> 32) as usize, (e & 0xFFFF_FFFF) as i64);
                if slot[account] == usize::MAX {
                    continue;
                }
                let month = sim.month_of(period * PERIOD_SECONDS);
                firings[alarm][month][slot[account]] += 1;
            }
        }
        // Missing scheduled backup: runs of days with no job created.
        for (a, &s) in slot.iter().enumerate() {
            if s == usize::MAX {
                continue;
            }
            let bits = &self.created_days[a * self.words_per_account..][..self.words_per_account];
            let mut breaching = false;
            for d in 0..self.days {
                let created = bits[d / 64] >> (d % 64) & 1 == 1;
                if !created && !breaching {
                    let month = sim.month_of(d as i64 * DAY_SECONDS);
                    firings[2][month][s] += 1;
                }
                breaching = !created;
            }
        }
        AlarmMonths {
            monitored_accounts: n,
            firings,
        }
    }
}

/// An alarm event key: account in the high half, 5-minute period in the low half.
fn event(account: usize, t: i64) -> u64 {
    let period = t.max(0) / PERIOD_SECONDS;
    ((account as u64) << 32) | (period as u64 & 0xFFFF_FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_buckets_are_quarter_octaves_and_contain_their_values() {
        assert_eq!(lag_bucket(0), 0);
        assert_eq!(lag_bucket(1), 1);
        for x in [1u64, 2, 3, 5, 7, 100, 1_000, 86_400, 10_000_000] {
            let b = lag_bucket(x);
            let (e, m) = ((b - 1) / 4, (b - 1) % 4);
            let low = (1u64 << e) as f64 * (1.0 + m as f64 / 4.0);
            let high = (1u64 << e) as f64 * (1.0 + (m + 1) as f64 / 4.0);
            assert!(
                low <= x as f64 && (x as f64) < high.max(low + 1.0),
                "{x} in [{low}, {high})"
            );
            let mid = lag_bucket_mid(b);
            assert!(mid >= low && mid <= high, "{mid} in [{low}, {high}]");
        }
    }
}
