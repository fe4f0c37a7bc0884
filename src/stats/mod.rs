//! Exact, mergeable accumulators and Monte Carlo error estimates.
//!
//! Trials run in parallel and shards run on different machines, yet a run
//! must give the same bytes whatever the thread count, the order of
//! completion or the shard split (`DESIGN.md`, "The pipeline"). Everything
//! here is therefore either integer state whose merge is plain integer
//! addition (exactly associative and commutative), or a function of
//! per-trial values evaluated in trial-index order.
//!
//! - [`histogram`]: a log-linear histogram of non-negative integer values
//!   (seconds) with the fixed HdrHistogram-style bucket layout (Gil Tene's
//!   HdrHistogram: linear sub-buckets inside power-of-two ranges), exact
//!   integer counts, point masses and O(1) uniform "ramps" for time-weighted
//!   RPO exposure; quantiles and CDF by interpolation inside a bucket.
//! - [`estimate`]: mean, standard deviation and standard error of per-trial
//!   values, and the pooled ratio estimator with its delta-method standard
//!   error for probabilities estimated from per-trial counts.
//! - [`records`]: per-trial values as fixed-width records of 64-bit words, kept in
//!   memory up to a budget and beyond it in an anonymous temporary file, read back by
//!   column in trial order: what keeps a run's memory independent of its trial count.
//!
//! Neighbours: the simulation feeds histograms per trial; the Monte Carlo
//! driver merges them and keeps per-trial values; `report` reads quantiles,
//! means and standard errors from here and only formats them.

pub mod estimate;
pub mod histogram;
pub mod records;

pub use estimate::{MeanEstimate, RatioEstimate};
pub use histogram::Histogram;
