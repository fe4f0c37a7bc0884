//! Cost of turning an AWS Backup schedule into a year of fire times.
//!
//! For each expression: `parse` alone, `fire_times_between` over 2025 on an already parsed
//! schedule, and both together (what the simulator pays once per rule per horizon).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vaultsim::schedule::Schedule;

/// 2025-01-01T00:00:00Z and 2026-01-01T00:00:00Z.
const YEAR_START: i64 = 1_735_689_600;
const YEAR_END: i64 = 1_767_225_600;

const CASES: [(&str, &str, Option<&str>); 4] = [
    ("daily_0500_utc", "cron(0 5 ? * * *)", None),
    ("hourly_utc", "cron(0 * ? * * *)", None),
    ("last_friday_utc", "cron(0 5 ? * 6L *)", None),
    (
        "daily_0200_berlin",
        "cron(0 2 * * ? *)",
        Some("Europe/Berlin"),
    ),
];

fn bench_cron(c: &mut Criterion) {
    let mut group = c.benchmark_group("cron");
    for (name, expression, timezone) in CASES {
        let schedule = Schedule::parse(expression, timezone).expect("valid expression");
        let fires = schedule.fire_times_between(YEAR_START, YEAR_END).len();
        assert!(fires > 0, "{name}: no fire times in 2025");

        group.bench_function(format!("{name}/parse"), |b| {
            b.iter(|| Schedule::parse(black_box(expression), black_box(timezone)))
        });
        group.bench_function(format!("{name}/year_of_fire_times"), |b| {
            b.iter(|| schedule.fire_times_between(black_box(YEAR_START), black_box(YEAR_END)))
        });
        group.bench_function(format!("{name}/parse_and_year"), |b| {
            b.iter(|| {
                Schedule::parse(black_box(expression), black_box(timezone))
                    .expect("valid expression")
                    .fire_times_between(black_box(YEAR_START), black_box(YEAR_END))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_cron);
criterion_main!(benches);
