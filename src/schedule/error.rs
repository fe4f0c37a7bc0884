//! Errors raised while validating an AWS Backup schedule expression or its timezone.

use std::fmt;

/// One of the six fields of an AWS Backup `cron(...)` expression, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// First field, 0-59.
    Minutes,
    /// Second field, 0-23.
    Hours,
    /// Third field, 1-31, plus `? L LW nW`.
    DayOfMonth,
    /// Fourth field, 1-12 or JAN-DEC.
    Month,
    /// Fifth field, 1-7 or SUN-SAT with 1 = Sunday, plus `? L nL d#n`.
    DayOfWeek,
    /// Sixth field, 1970-2199.
    Year,
}

impl CronField {
    /// The six fields in the order they appear in `cron(...)`.
    pub const ALL: [CronField; 6] = [
        CronField::Minutes,
        CronField::Hours,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
        CronField::Year,
    ];

    /// The field's name as AWS documents it (`"day-of-week"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minutes => "minutes",
            CronField::Hours => "hours",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        }
    }

    /// A human description of the values the field accepts.
    pub fn valid(self) -> &'static str {
        match self {
            CronField::Minutes => "0-59",
            CronField::Hours => "0-23",
            CronField::DayOfMonth => "1-31, `L`, `LW` or `nW` (or `?`)",
            CronField::Month => "1-12 or JAN-DEC",
            CronField::DayOfWeek => "1-7 or SUN-SAT with 1 = Sunday, `L`, `nL` or `d#n` (or `?`)",
            CronField::Year => "1970-2199",
        }
    }

    /// Smallest and largest numeric value of the field.
    pub(crate) fn bounds(self) -> (u32, u32) {
        match self {
            CronField::Minutes => (0, 59),
            CronField::Hours => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (1, 7),
            CronField::Year => (1970, 2199),
        }
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a schedule expression or timezone was rejected.
///
/// Every message names the field (by its AWS name, e.g. "day-of-week"), quotes what was
/// found and says what would be valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The expression is not wrapped in `cron(` ... `)`.
    #[error(
        "schedule expression `{expression}` is not a cron expression: AWS Backup expects \
         `cron(minutes hours day-of-month month day-of-week year)`, e.g. `cron(0 5 ? * * *)`"
    )]
    NotCron {
        /// The expression as given.
        expression: String,
    },

    /// A `rate(...)` expression, which EventBridge knows but AWS Backup does not accept.
    #[error(
        "AWS Backup accepts only cron(...) expressions, not rate(...): found `{expression}`; \
         write e.g. `cron(0 * ? * * *)` for hourly or `cron(0 5 ? * * *)` for daily at 05:00"
    )]
    RateExpression {
        /// The expression as given.
        expression: String,
    },

    /// Not exactly six fields inside `cron(...)`.
    #[error(
        "`{expression}` has {found} field(s), but AWS Backup cron expressions need exactly 6: \
         minutes hours day-of-month month day-of-week year"
    )]
    FieldCount {
        /// The expression as given.
        expression: String,
        /// How many whitespace-separated fields were found.
        found: usize,
    },

    /// A number outside the field's range.
    #[error("{field}: value `{found}` is out of range; valid values are {}", .field.valid())]
    OutOfRange {
        /// The field.
        field: CronField,
        /// The offending value as written.
        found: String,
    },

    /// A word that is not a month or weekday name (or a name in a numeric-only field).
    #[error("{field}: unknown name `{found}`; valid values are {}", .field.valid())]
    UnknownName {
        /// The field.
        field: CronField,
        /// The offending word as written.
        found: String,
    },

    /// Malformed entry (empty list item, misplaced special character, ...).
    #[error("{field}: `{found}` is not valid ({reason}); valid values are {}", .field.valid())]
    InvalidSyntax {
        /// The field.
        field: CronField,
        /// The offending entry as written.
        found: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A `/0` step.
    #[error("{field}: the step in `{found}` is 0; a step must be at least 1 (e.g. `0/15`)")]
    ZeroStep {
        /// The field.
        field: CronField,
        /// The offending entry as written.
        found: String,
    },

    /// A year range whose end precedes its start (years cannot wrap around).
    #[error(
        "year: range `{found}` ends before it starts; year ranges cannot wrap, valid values are {}",
        CronField::Year.valid()
    )]
    ReversedYearRange {
        /// The offending range as written.
        found: String,
    },

    /// `L`, `LW`, `nW` or `nL` combined with other entries in a list.
    #[error("{field}: `{special}` must be the only entry of the field, found `{found}`")]
    SpecialNotAlone {
        /// The field.
        field: CronField,
        /// The whole field as written.
        found: String,
        /// The special entry.
        special: String,
    },

    /// Values in both day-of-month and day-of-week.
    #[error(
        "day-of-month (`{day_of_month}`) and day-of-week (`{day_of_week}`) are both set; AWS \
         allows only one of them: put `?` in the other (e.g. `cron(0 5 15 * ? *)` or \
         `cron(0 5 ? * MON *)`)"
    )]
    BothDayFieldsSet {
        /// day-of-month as written.
        day_of_month: String,
        /// day-of-week as written.
        day_of_week: String,
    },

    /// Neither day field is `?` (at least one of them is `*`).
    #[error(
        "neither day-of-month (`{day_of_month}`) nor day-of-week (`{day_of_week}`) is `?`; \
         exactly one of the two day fields must be `?` (e.g. `cron(0 5 ? * * *)` or \
         `cron(0 5 * * ? *)`)"
    )]
    NoQuestionMark {
        /// day-of-month as written.
        day_of_month: String,
        /// day-of-week as written.
        day_of_week: String,
    },

    /// Both day fields are `?`.
    #[error(
        "day-of-month and day-of-week are both `?`; exactly one of them must be `?` and the \
         other `*` or a value (e.g. `cron(0 5 ? * * *)`)"
    )]
    BothQuestionMarks,

    /// More than one `d#n` term in day-of-week.
    #[error(
        "day-of-week: `{found}` has more than one `#` entry; AWS allows only one `#` \
         expression in day-of-week (e.g. `2#1` = first Monday)"
    )]
    MultipleNth {
        /// day-of-week as written.
        found: String,
    },

    /// `d#n` with n outside 1-5.
    #[error(
        "day-of-week: the occurrence after `#` in `{found}` must be 1-5 (e.g. `2#1` = first \
         Monday of the month)"
    )]
    NthOutOfRange {
        /// The offending entry as written.
        found: String,
    },

    /// Two consecutive fire times closer than AWS Backup's 60-minute minimum.
    #[error(
        "The interval between backup jobs shouldn't be less than 60 minutes: the schedule \
         fires at {first} and again at {second}, {minutes} minutes later"
    )]
    IntervalTooShort {
        /// Earlier fire time, `HH:MM` local wall clock.
        first: String,
        /// Next fire time, `HH:MM` (with "the next day" when it wraps past midnight).
        second: String,
        /// Minutes between them.
        minutes: u32,
    },

    /// `schedule_expression_timezone` is not an IANA zone name.
    #[error(
        "unknown timezone `{name}`: the schedule expression timezone must be an IANA time zone \
         name such as `Etc/UTC`, `UTC`, `Europe/Berlin` or `America/New_York` (case-sensitive)"
    )]
    UnknownTimezone {
        /// The name as given.
        name: String,
    },

    /// Internal error: croner refused the pattern this module built. Indicates a bug here.
    #[error(
        "internal error: the cron evaluator rejected normalized pattern `{pattern}`: {message}"
    )]
    Evaluator {
        /// The normalized pattern handed to croner.
        pattern: String,
        /// croner's message.
        message: String,
    },
}

impl ScheduleError {
    /// Whether the error concerns the timezone (`schedule_expression_timezone`) rather
    /// than the cron expression (`schedule_expression`).
    pub fn is_timezone(&self) -> bool {
        matches!(self, ScheduleError::UnknownTimezone { .. })
    }
}
