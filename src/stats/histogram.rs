//! A log-linear histogram of non-negative integer values (seconds) with
//! exact integer counts, point masses and O(1) uniform ramps.
//!
//! # Layout (fixed at compile time; the same on every run and machine)
//!
//! HdrHistogram's layout (Gil Tene, HdrHistogram; "log-linear" buckets) with
//! 64 sub-buckets per power of two:
//!
//! - values `0..128`: one bucket each (width 1);
//! - each range `[2^k, 2^(k+1))` for `k = 7..=39`: 64 equal sub-buckets of
//!   width `2^(k−6)`, so a bucket is never wider than 1/64 ≈ 1.6 % of its
//!   lower bound;
//! - [`Histogram::BUCKET_COUNT`] = 128 + 33·64 = 2,240 buckets in all,
//!   covering `[0, 2^40)`; 2^40 s is about 34,800 years.
//!
//! **Saturation:** values at or above [`Histogram::VALUE_LIMIT`] (2^40) are
//! recorded as 2^40, in the last bucket (their mass is kept; their value is
//! clamped for `min`, `max`, the sum and the quantiles). Nothing in a
//! validated scenario comes near it.
//!
//! # Two kinds of mass
//!
//! - [`Histogram::add_point`]: `weight` units of mass at one value (a job's
//!   RPO, a restore's RTO).
//! - [`Histogram::add_ramp`]: mass spread uniformly over the real interval
//!   `[from, to)`, one unit per unit of value. RPO exposure grows at slope 1
//!   between recovery points, so a sawtooth segment that climbs from `from`
//!   to `to` holds each value in between for exactly one second per second:
//!   recording the segment as a ramp gives the time-weighted distribution of
//!   exposure, i.e. the RPO of a disaster at a uniformly random instant.
//!
//! A ramp is O(1) whatever the number of buckets it spans. Per bucket `j` the
//! histogram keeps `delta[j]` (ramps starting in `j` minus ramps ending in
//! `j`) and `inner[j]` (Σ over ramps starting in `j` of `upper_j − from`,
//! minus Σ over ramps ending in `j` of `upper_j − to`). The ramp mass in
//! bucket `j` is then `N_j·width_j + inner_j`, where `N_j = Σ_{i<j} delta[i]`
//! counts the ramps that cover bucket `j` entirely (the "difference array"
//! trick). Point masses are kept separately in `point[j]`.
//!
//! # Exactness and merging
//!
//! All state is integer: [`Histogram::merge`] is element-wise addition, so
//! merging in any order or grouping gives identical bytes. The counters add
//! with wrapping (modular) arithmetic, which is associative and commutative,
//! so every counter is exact as long as its *final* true value fits its type
//! (signed 64-bit for `delta`/`inner`, unsigned 64-bit for `point`, 128-bit
//! for the totals) — orders of magnitude beyond any run.
//!
//! The mean is exact: the histogram stores twice the sum of value × mass
//! (a ramp contributes `to² − from²`, the integral of `2x` over `[from,
//! to)`; a point `2·value·weight`), so no half is lost. `min` and `max` are
//! exact (for a ramp, `from` and its supremum `to`).
//!
//! # Quantiles and the CDF
//!
//! Both assume a uniform density inside each bucket, on the part of the
//! bucket inside `[min, max]`, and interpolate linearly; quantiles are then
//! clamped to `[min, max]`, so a single point mass gives its value exactly.
//! The error of a quantile is at most one bucket width (≤ 1.6 % of the value
//! above 128 s, ≤ 1 s below); for a single ramp it is exact up to rounding.
//!
//! Memory: the buckets are stored in blocks of 64 (one block per power-of-two
//! range, two for the linear values), each allocated when a value first
//! lands in it: 1.5 KB per block (three eight-byte counters per bucket,
//! side by side), 35 blocks (≈ 54 KB) when every range is used. RPO and RTO
//! values of one group span a few ranges, so a histogram typically holds a
//! handful of blocks. Which blocks exist never changes a result: a missing
//! block reads as zeros, equality compares values, and the serialized form
//! lists the non-zero buckets in bucket order.

use std::fmt;

/// Values below this have a bucket each (width 1).
const LINEAR_LIMIT: u64 = 128;
/// log2 of [`LINEAR_LIMIT`]: the first power-of-two range is `[2^7, 2^8)`.
const FIRST_RANGE_LOG2: u32 = 7;
/// log2 of the number of sub-buckets per power-of-two range.
const SUB_BUCKET_LOG2: u32 = 6;
/// Sub-buckets per power-of-two range.
const SUB_BUCKETS: u64 = 1 << SUB_BUCKET_LOG2;
/// log2 of the value limit.
const LIMIT_LOG2: u32 = 40;
/// Buckets per block: one power-of-two range.
const BLOCK_BUCKETS: usize = SUB_BUCKETS as usize;
/// Blocks in all (the linear values fill the first two).
const BLOCKS: usize = Histogram::BUCKET_COUNT / BLOCK_BUCKETS;
/// `Histogram::slots` entry of a block not allocated.
const NO_BLOCK: u8 = u8::MAX;

/// One bucket's counters, side by side (a ramp end updates two of them).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    /// Ramps starting in the bucket minus ramps ending in it.
    delta: i64,
    /// Σ (upper − from) over starts minus Σ (upper − to) over ends.
    inner: i64,
    /// Point mass.
    point: u64,
}

impl Cell {
    const ZERO: Cell = Cell {
        delta: 0,
        inner: 0,
        point: 0,
    };

    fn add(&mut self, other: &Cell) {
        self.delta = self.delta.wrapping_add(other.delta);
        self.inner = self.inner.wrapping_add(other.inner);
        self.point = self.point.wrapping_add(other.point);
    }
}

/// The counters of one block of buckets.
type Block = [Cell; BLOCK_BUCKETS];

/// A mergeable histogram of non-negative integer values (seconds); see the
/// module documentation for the layout, the ramp method and the resolution.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "Sparse", try_from = "Sparse")]
pub struct Histogram {
    /// Per block, its index in `blocks`, or [`NO_BLOCK`].
    slots: [u8; BLOCKS],
    /// The allocated blocks, in the order they were first used.
    blocks: Vec<Block>,
    /// Total mass (points plus ramp lengths).
    total_mass: u128,
    /// Twice the sum of value × mass.
    twice_sum: u128,
    /// Smallest value added; `u64::MAX` when empty.
    min: u64,
    /// Largest value added (a ramp's supremum `to`); 0 when empty.
    max: u64,
}

/// The serialized form (partials): the buckets whose counters are not all zero, in
/// bucket order, each with its index. The bytes depend only on the values, not on
/// which blocks happen to be allocated, and an RPO or RTO histogram, whose values span a
/// few power-of-two ranges, takes a few hundred bytes where the 2,240 buckets' dense
/// counters took 6.7 KB.
#[derive(serde::Serialize, serde::Deserialize)]
struct Sparse {
    /// (bucket index, delta, inner, point), indices strictly increasing.
    cells: Vec<(u16, i64, i64, u64)>,
    total_mass: u128,
    twice_sum: u128,
    min: u64,
    max: u64,
}

impl From<Histogram> for Sparse {
    fn from(h: Histogram) -> Sparse {
        let cells = (0..Histogram::BUCKET_COUNT)
            .map(|j| (j, h.cell(j)))
            .filter(|(_, c)| *c != Cell::ZERO)
            .map(|(j, c)| {
                let j = u16::try_from(j).expect("2,240 buckets index in 16 bits");
                (j, c.delta, c.inner, c.point)
            })
            .collect();
        Sparse {
            cells,
            total_mass: h.total_mass,
            twice_sum: h.twice_sum,
            min: h.min,
            max: h.max,
        }
    }
}

impl TryFrom<Sparse> for Histogram {
    type Error = String;

    /// Refuses bucket indices out of order or beyond [`Histogram::BUCKET_COUNT`] (a
    /// corrupt partial, or one from another layout).
    fn try_from(s: Sparse) -> Result<Histogram, String> {
        let mut h = Histogram::new();
        let mut previous: Option<usize> = None;
        for (j, delta, inner, point) in s.cells {
            let j = usize::from(j);
            if j >= Self::BUCKET_COUNT || previous.is_some_and(|p| j <= p) {
                return Err(format!(
                    "a histogram's bucket {j} is out of order or beyond its {} buckets",
                    Self::BUCKET_COUNT
                ));
            }
            previous = Some(j);
            *h.cell_mut(j) = Cell {
                delta,
                inner,
                point,
            };
        }
        h.total_mass = s.total_mass;
        h.twice_sum = s.twice_sum;
        h.min = s.min;
        h.max = s.max;
        Ok(h)
    }
}

impl PartialEq for Histogram {
    /// Equal values: which blocks are allocated does not matter.
    fn eq(&self, other: &Histogram) -> bool {
        (self.total_mass, self.twice_sum, self.min, self.max)
            == (other.total_mass, other.twice_sum, other.min, other.max)
            && (0..BLOCKS).all(|b| self.block(b) == other.block(b))
    }
}

impl Eq for Histogram {}

impl Histogram {
    /// Values at or above this (2^40 s, about 34,800 years) are recorded as
    /// this value, in the last bucket.
    pub const VALUE_LIMIT: u64 = 1 << LIMIT_LOG2;

    /// Number of buckets: 128 linear + 33 power-of-two ranges × 64.
    pub const BUCKET_COUNT: usize =
        LINEAR_LIMIT as usize + ((LIMIT_LOG2 - FIRST_RANGE_LOG2) as usize) * SUB_BUCKETS as usize;

    /// An empty histogram (allocates nothing until a value is added).
    pub fn new() -> Histogram {
        Histogram {
            slots: [NO_BLOCK; BLOCKS],
            blocks: Vec::new(),
            total_mass: 0,
            twice_sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Block `b`'s counters, or `None` when it was never used.
    #[inline]
    fn block(&self, b: usize) -> Option<&Block> {
        match self.slots[b] {
            NO_BLOCK => None,
            s => Some(&self.blocks[usize::from(s)]),
        }
        .filter(|block| block.iter().any(|c| *c != Cell::ZERO))
    }

    /// Bucket `j`'s counters (zeros in a block never used).
    #[inline]
    fn cell(&self, j: usize) -> Cell {
        match self.slots[j / BLOCK_BUCKETS] {
            NO_BLOCK => Cell::ZERO,
            s => self.blocks[usize::from(s)][j % BLOCK_BUCKETS],
        }
    }

    /// Bucket `j`'s counters for writing, allocating its block on first use.
    #[inline]
    fn cell_mut(&mut self, j: usize) -> &mut Cell {
        &mut self.block_mut(j / BLOCK_BUCKETS)[j % BLOCK_BUCKETS]
    }

    /// Block `b`'s counters for writing, allocated on first use.
    #[inline]
    fn block_mut(&mut self, b: usize) -> &mut Block {
        let s = match self.slots[b] {
            NO_BLOCK => self.allocate(b),
            s => s,
        };
        &mut self.blocks[usize::from(s)]
    }

    /// Allocates block `b` (zeros) and returns its slot.
    #[cold]
    #[inline(never)]
    fn allocate(&mut self, b: usize) -> u8 {
        let s = u8::try_from(self.blocks.len()).expect("fewer than 255 blocks");
        self.blocks.push([Cell::ZERO; BLOCK_BUCKETS]);
        self.slots[b] = s;
        s
    }

    /// The bucket holding `value` (seconds). Values at or above
    /// [`Self::VALUE_LIMIT`] map to the last bucket.
    #[inline]
    pub fn bucket_index(value: u64) -> usize {
        if value < LINEAR_LIMIT {
            return value as usize;
        }
        if value >= Self::VALUE_LIMIT {
            return Self::BUCKET_COUNT - 1;
        }
        let log2 = 63 - value.leading_zeros(); // 7..=39
        let shift = log2 - SUB_BUCKET_LOG2;
        let sub = (value >> shift) - SUB_BUCKETS; // 0..64
        LINEAR_LIMIT as usize
            + (log2 - FIRST_RANGE_LOG2) as usize * SUB_BUCKETS as usize
            + sub as usize
    }

    /// The half-open range `[lower, upper)` of bucket `index`, in seconds.
    /// Panics if `index >= BUCKET_COUNT`.
    #[inline]
    pub fn bucket_bounds(index: usize) -> (u64, u64) {
        assert!(
            index < Self::BUCKET_COUNT,
            "bucket index {index} out of range"
        );
        let index = index as u64;
        if index < LINEAR_LIMIT {
            return (index, index + 1);
        }
        let offset = index - LINEAR_LIMIT;
        let log2 = FIRST_RANGE_LOG2 + (offset / SUB_BUCKETS) as u32;
        let shift = log2 - SUB_BUCKET_LOG2;
        let lower = (SUB_BUCKETS + offset % SUB_BUCKETS) << shift;
        (lower, lower + (1 << shift))
    }

    /// Adds `weight` units of mass at `value` (seconds). `weight == 0` adds
    /// nothing (and does not move `min`/`max`).
    #[inline]
    pub fn add_point(&mut self, value: u64, weight: u64) {
        if weight == 0 {
            return;
        }
        let value = value.min(Self::VALUE_LIMIT);
        let cell = self.cell_mut(Self::bucket_index(value));
        cell.point = cell.point.wrapping_add(weight);
        self.total_mass = self.total_mass.wrapping_add(u128::from(weight));
        self.twice_sum = self
            .twice_sum
            .wrapping_add(2 * u128::from(value) * u128::from(weight));
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// Adds mass spread uniformly over `[from, to)` (seconds), one unit of
    /// mass per unit of value: `to − from` units in all. O(1). `from == to`
    /// adds nothing; `from > to` panics (a caller bug). The part of the ramp
    /// at or above [`Self::VALUE_LIMIT`] is recorded as a point mass at the
    /// limit.
    #[inline]
    pub fn add_ramp(&mut self, from: u64, to: u64) {
        assert!(from <= to, "ramp ends ({to}) before it starts ({from})");
        if from == to {
            return;
        }
        let limit = Self::VALUE_LIMIT;
        let (a, b) = (from.min(limit), to.min(limit));
        if a < b {
            let start = Self::bucket_index(a);
            let (_, start_upper) = Self::bucket_bounds(start);
            let cell = self.cell_mut(start);
            cell.delta = cell.delta.wrapping_add(1);
            cell.inner = cell.inner.wrapping_add((start_upper - a) as i64);
            // A ramp reaching the limit runs to the end of the last bucket:
            // no end marker.
            if b < limit {
                let end = Self::bucket_index(b);
                let (_, end_upper) = Self::bucket_bounds(end);
                let cell = self.cell_mut(end);
                cell.delta = cell.delta.wrapping_sub(1);
                cell.inner = cell.inner.wrapping_sub((end_upper - b) as i64);
            }
            let (a2, b2) = (u128::from(a), u128::from(b));
            self.total_mass = self.total_mass.wrapping_add(b2 - a2);
            self.twice_sum = self.twice_sum.wrapping_add(b2 * b2 - a2 * a2);
        }
        let beyond = to.saturating_sub(limit) - from.saturating_sub(limit);
        if beyond > 0 {
            let cell = self.cell_mut(Self::BUCKET_COUNT - 1);
            cell.point = cell.point.wrapping_add(beyond);
            self.total_mass = self.total_mass.wrapping_add(u128::from(beyond));
            self.twice_sum = self
                .twice_sum
                .wrapping_add(2 * u128::from(limit) * u128::from(beyond));
        }
        self.min = self.min.min(a);
        self.max = self.max.max(b);
    }

    /// Empties the histogram in place: afterwards it equals [`Histogram::new`]. Its
    /// blocks stay allocated (zeroed) for the next values.
    pub fn clear(&mut self) {
        for block in &mut self.blocks {
            block.fill(Cell::ZERO);
        }
        self.total_mass = 0;
        self.twice_sum = 0;
        self.min = u64::MAX;
        self.max = 0;
    }

    /// Adds everything `other` holds (element-wise integer addition): exact,
    /// associative and commutative.
    pub fn merge(&mut self, other: &Histogram) {
        for b in 0..BLOCKS {
            let Some(theirs) = other.block(b) else {
                continue;
            };
            for (a, c) in self.block_mut(b).iter_mut().zip(theirs) {
                a.add(c);
            }
        }
        self.total_mass = self.total_mass.wrapping_add(other.total_mass);
        self.twice_sum = self.twice_sum.wrapping_add(other.twice_sum);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// `true` when no mass has been added.
    pub fn is_empty(&self) -> bool {
        self.total_mass == 0
    }

    /// Total mass: Σ point weights + Σ ramp lengths (seconds of exposure for
    /// ramps).
    pub fn total_mass(&self) -> u128 {
        self.total_mass
    }

    /// Twice the sum of value × mass, exact (for a ramp, `to² − from²`).
    pub fn twice_sum(&self) -> u128 {
        self.twice_sum
    }

    /// Smallest value added (seconds); `None` when empty.
    pub fn min(&self) -> Option<u64> {
        (!self.is_empty()).then_some(self.min)
    }

    /// Largest value added (seconds; a ramp's supremum `to`); `None` when
    /// empty.
    pub fn max(&self) -> Option<u64> {
        (!self.is_empty()).then_some(self.max)
    }

    /// Mean value (seconds) from the exact sum: `twice_sum / (2 · mass)`,
    /// rounded once to `f64`. `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (!self.is_empty()).then(|| self.twice_sum as f64 / (2.0 * self.total_mass as f64))
    }

    /// The mass in each bucket, in bucket order (exact). O(buckets).
    pub fn bucket_masses(&self) -> Vec<u128> {
        self.masses().collect()
    }

    /// The `q`-quantile (seconds) for `q` in `[0, 1]` (panics otherwise);
    /// `None` when empty. Finds the bucket where the cumulative mass reaches
    /// `q · total`, interpolates linearly inside it (uniform density on the
    /// part of the bucket inside `[min, max]`) and clamps to `[min, max]`.
    /// Resolution: at most one bucket width (see the module docs).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        assert!(
            (0.0..=1.0).contains(&q),
            "quantile level {q} is outside [0, 1]"
        );
        if self.is_empty() {
            return None;
        }
        let target = q * self.total_mass as f64;
        let (min, max) = (self.min as f64, self.max as f64);
        let mut below: u128 = 0;
        for (j, mass) in self.masses().enumerate() {
            if mass == 0 {
                continue;
            }
            let through = below + mass;
            if through as f64 >= target {
                let (lo, hi) = self.effective_bounds(j);
                let frac = ((target - below as f64) / mass as f64).clamp(0.0, 1.0);
                return Some((lo + frac * (hi - lo)).clamp(min, max));
            }
            below = through;
        }
        Some(max)
    }

    /// The fraction of mass at or below `value` (seconds), by the same
    /// within-bucket interpolation as [`Histogram::quantile`] (so the two are
    /// inverse where the interpolated CDF is increasing): 0 below `min`, 1 at
    /// or above `max`. `None` when empty; panics if `value` is NaN.
    pub fn cdf(&self, value: f64) -> Option<f64> {
        assert!(!value.is_nan(), "cdf of NaN");
        if self.is_empty() {
            return None;
        }
        if value < self.min as f64 {
            return Some(0.0);
        }
        if value >= self.max as f64 {
            return Some(1.0);
        }
        let total = self.total_mass as f64;
        let mut below: u128 = 0;
        for (j, mass) in self.masses().enumerate() {
            if mass == 0 {
                continue;
            }
            let (lo, hi) = self.effective_bounds(j);
            if value < lo {
                break;
            }
            if value >= hi {
                below += mass;
                continue;
            }
            let inside = mass as f64 * (value - lo) / (hi - lo);
            return Some((below as f64 + inside) / total);
        }
        Some(below as f64 / total)
    }

    /// Bucket masses in order: ramps covering the bucket × width + inner +
    /// points.
    fn masses(&self) -> impl Iterator<Item = u128> + '_ {
        let mut covering: i64 = 0; // Σ delta over earlier buckets
        (0..Self::BUCKET_COUNT).map(move |j| {
            let (lower, upper) = Self::bucket_bounds(j);
            let cell = self.cell(j);
            let ramp = i128::from(covering) * i128::from(upper - lower) + i128::from(cell.inner);
            covering = covering.wrapping_add(cell.delta);
            let mass = ramp + i128::from(cell.point);
            debug_assert!(mass >= 0, "negative mass {mass} in bucket {j}");
            mass as u128
        })
    }

    /// Bucket `j`'s range intersected with `[min, max]`, as `f64`.
    fn effective_bounds(&self, j: usize) -> (f64, f64) {
        let (lower, upper) = Self::bucket_bounds(j);
        let lo = lower.max(self.min) as f64;
        let hi = upper.min(self.max) as f64;
        (lo, hi.max(lo))
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl fmt::Debug for Histogram {
    /// A summary, not the 2,240 buckets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("total_mass", &self.total_mass)
            .field("min", &self.min())
            .field("max", &self.max())
            .field("mean", &self.mean())
            .field(
                "occupied_buckets",
                &self.masses().filter(|&m| m > 0).count(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, SimRng, Stream};
    use rand::Rng;

    type H = Histogram;

    fn width_at(value: u64) -> f64 {
        let (lo, hi) = H::bucket_bounds(H::bucket_index(value));
        (hi - lo) as f64
    }

    fn test_rng(entity: u64) -> SimRng {
        rng::stream(77, 0, entity, Stream::Estate)
    }

    fn below(rng: &mut SimRng, n: u64) -> u64 {
        rng.next_u64() % n
    }

    // ---- layout ----

    #[test]
    fn layout_is_contiguous_and_log_linear() {
        assert_eq!(H::BUCKET_COUNT, 2240);
        assert_eq!(H::bucket_bounds(0), (0, 1));
        assert_eq!(H::bucket_bounds(127), (127, 128));
        assert_eq!(H::bucket_bounds(128), (128, 130));
        assert_eq!(H::bucket_bounds(H::BUCKET_COUNT - 1).1, 1 << 40);
        for j in 0..H::BUCKET_COUNT {
            let (lo, hi) = H::bucket_bounds(j);
            assert!(lo < hi);
            assert_eq!(H::bucket_index(lo), j);
            assert_eq!(H::bucket_index(hi - 1), j);
            if j + 1 < H::BUCKET_COUNT {
                assert_eq!(H::bucket_bounds(j + 1).0, hi, "gap after bucket {j}");
            }
            if lo >= 128 {
                // Relative width ≤ 1/64.
                assert!((hi - lo) * 64 <= lo, "bucket {j}: [{lo}, {hi})");
            } else {
                assert_eq!(hi - lo, 1);
            }
        }
    }

    #[test]
    fn extreme_values_map_to_the_last_bucket() {
        assert_eq!(H::bucket_index(H::VALUE_LIMIT), H::BUCKET_COUNT - 1);
        assert_eq!(H::bucket_index(u64::MAX), H::BUCKET_COUNT - 1);
        assert_eq!(H::bucket_index(H::VALUE_LIMIT - 1), H::BUCKET_COUNT - 1);
    }

    // ---- ramps: closed forms ----

    #[test]
    fn single_ramp_median_and_exact_mean() {
        // RPO exposure climbing from 1 h to 25 h: uniform on [3600, 90000).
        // Closed forms: mass 86,400; mean (3600 + 90000)/2 = 46,800 exactly;
        // p50 = 3600 + 0.5·86400 = 46,800.
        let mut h = H::new();
        h.add_ramp(3600, 90_000);
        assert_eq!(h.total_mass(), 86_400);
        assert_eq!(h.twice_sum(), 90_000u128 * 90_000 - 3600 * 3600);
        assert_eq!(h.mean(), Some(46_800.0));
        assert_eq!((h.min(), h.max()), (Some(3600), Some(90_000)));
        let p50 = h.quantile(0.5).unwrap();
        assert!((p50 - 46_800.0).abs() <= width_at(46_800), "p50 {p50}");
        // A single ramp is uniform inside every bucket it touches, so the
        // interpolation is in fact exact up to rounding.
        assert!((p50 - 46_800.0).abs() < 1e-6, "p50 {p50}");
        assert_eq!(h.quantile(0.0), Some(3600.0));
        assert_eq!(h.quantile(1.0), Some(90_000.0));
    }

    #[test]
    fn uniform_ramp_p95() {
        // Uniform on [0, 1e6): p95 = 950,000.
        let mut h = H::new();
        h.add_ramp(0, 1_000_000);
        let p95 = h.quantile(0.95).unwrap();
        assert!((p95 - 950_000.0).abs() <= width_at(950_000), "p95 {p95}");
        // Two ramps, [0, 1000) and [0, 3000): density 2 on [0, 1000) and 1
        // on [1000, 3000), total 4000. p95 = 3000 − 0.05·4000 = 2800; p10 =
        // 400/2 = 200.
        let mut h = H::new();
        h.add_ramp(0, 1000);
        h.add_ramp(0, 3000);
        let p95 = h.quantile(0.95).unwrap();
        let p10 = h.quantile(0.10).unwrap();
        assert!((p95 - 2800.0).abs() <= width_at(2800), "p95 {p95}");
        assert!((p10 - 200.0).abs() <= width_at(200), "p10 {p10}");
        assert_eq!(h.mean(), Some((1000.0 * 500.0 + 3000.0 * 1500.0) / 4000.0));
    }

    #[test]
    fn point_mass_quantiles_are_exact() {
        for value in [0, 1, 127, 128, 129, 12_345, 86_400, 1 << 39] {
            let mut h = H::new();
            h.add_point(value, 7);
            for q in [0.0, 0.01, 0.3, 0.5, 0.99, 1.0] {
                assert_eq!(h.quantile(q), Some(value as f64), "value {value}, q {q}");
            }
            assert_eq!(h.mean(), Some(value as f64));
            assert_eq!(h.cdf(value as f64), Some(1.0));
            assert_eq!(h.cdf(value as f64 - 0.5), Some(0.0));
        }
    }

    #[test]
    fn mixed_points_and_ramps_exact_mean() {
        // Points 10 (×3) and 1000 (×1); ramp [100, 300).
        // Mass 3 + 1 + 200 = 204; sum 30 + 1000 + (300² − 100²)/2 = 41,030.
        let mut h = H::new();
        h.add_point(10, 3);
        h.add_point(1000, 1);
        h.add_ramp(100, 300);
        assert_eq!(h.total_mass(), 204);
        assert_eq!(h.twice_sum(), 2 * 41_030);
        assert_eq!(h.mean(), Some(41_030.0 / 204.0));
        assert_eq!((h.min(), h.max()), (Some(10), Some(1000)));
    }

    #[test]
    fn empty_and_degenerate() {
        let mut h = H::new();
        assert!(h.is_empty());
        assert_eq!(h.quantile(0.5), None);
        assert_eq!(h.mean(), None);
        assert_eq!(h.cdf(1.0), None);
        assert_eq!((h.min(), h.max()), (None, None));
        h.add_ramp(500, 500);
        h.add_point(7, 0);
        assert_eq!(h, H::new());
    }

    #[test]
    #[should_panic(expected = "before it starts")]
    fn inverted_ramp_panics() {
        H::new().add_ramp(10, 5);
    }

    // ---- ramps vs brute force ----

    /// The O(1) ramp gives exactly the bucket masses of adding every integer
    /// value of [from, to) as a unit point (value v stands for [v, v + 1),
    /// which lies in v's bucket because bucket bounds are integers). The sums
    /// differ by a known amount: a ramp's continuous sum ∫x dx exceeds the
    /// points' Σv by ½ per unit of mass, so twice_sum(ramps) =
    /// twice_sum(points) + total_mass.
    #[test]
    fn ramps_match_brute_force_points() {
        let mut rng = test_rng(1);
        for round in 0..40 {
            let mut fast = H::new();
            let mut slow = H::new();
            // Small values, mid values around bucket edges, and large ones.
            let base = [0u64, 100, 4000, 1 << 20][round % 4];
            for _ in 0..20 {
                let from = base + below(&mut rng, 5000);
                let to = from + below(&mut rng, 3000);
                fast.add_ramp(from, to);
                for v in from..to {
                    slow.add_point(v, 1);
                }
            }
            assert_eq!(fast.bucket_masses(), slow.bucket_masses(), "round {round}");
            assert_eq!(fast.total_mass(), slow.total_mass());
            assert_eq!(fast.twice_sum(), slow.twice_sum() + slow.total_mass());
            assert_eq!(fast.min(), slow.min());
            // Ramp max is the supremum `to`; the points' max is `to − 1`.
            if let (Some(a), Some(b)) = (fast.max(), slow.max()) {
                assert_eq!(a, b + 1);
            }
        }
    }

    // ---- merge ----

    #[derive(Clone, Copy)]
    enum Op {
        Point(u64, u64),
        Ramp(u64, u64),
    }

    fn apply(h: &mut H, op: Op) {
        match op {
            Op::Point(v, w) => h.add_point(v, w),
            Op::Ramp(a, b) => h.add_ramp(a, b),
        }
    }

    fn random_ops(n: usize) -> Vec<Op> {
        let mut rng = test_rng(2);
        (0..n)
            .map(|_| {
                let scale = 1u64 << below(&mut rng, 36);
                let a = below(&mut rng, scale + 1);
                if rng.next_u64() & 1 == 0 {
                    Op::Point(a, 1 + below(&mut rng, 5))
                } else {
                    Op::Ramp(a, a + below(&mut rng, scale + 1))
                }
            })
            .collect()
    }

    #[test]
    fn merge_is_associative_and_commutative() {
        let ops = random_ops(3000);
        let mut whole = H::new();
        ops.iter().for_each(|&op| apply(&mut whole, op));

        // Three uneven contiguous shards, merged (a+b)+c, a+(b+c), c+b+a.
        let shard = |range: std::ops::Range<usize>| {
            let mut h = H::new();
            ops[range].iter().for_each(|&op| apply(&mut h, op));
            h
        };
        let (a, b, c) = (shard(0..17), shard(17..2000), shard(2000..3000));
        let mut left = a.clone();
        left.merge(&b);
        left.merge(&c);
        let mut bc = b.clone();
        bc.merge(&c);
        let mut right = a.clone();
        right.merge(&bc);
        let mut reversed = c.clone();
        reversed.merge(&b);
        reversed.merge(&a);
        assert_eq!(left, whole);
        assert_eq!(right, whole);
        assert_eq!(reversed, whole);

        // Interleaved split (odd/even ops) and the reverse insertion order.
        let mut odd = H::new();
        let mut even = H::new();
        for (i, &op) in ops.iter().enumerate() {
            apply(if i % 2 == 0 { &mut even } else { &mut odd }, op);
        }
        odd.merge(&even);
        assert_eq!(odd, whole);
        let mut backwards = H::new();
        ops.iter().rev().for_each(|&op| apply(&mut backwards, op));
        assert_eq!(backwards, whole);

        // Merging an empty histogram changes nothing.
        let mut with_empty = whole.clone();
        with_empty.merge(&H::new());
        assert_eq!(with_empty, whole);
    }

    // ---- cdf / quantile ----

    #[test]
    fn cdf_and_quantile_are_inverse() {
        // Ramps only, overlapping and contiguous: the interpolated CDF is
        // continuous and strictly increasing on [min, max], so cdf(quantile(q))
        // = q up to rounding.
        let mut h = H::new();
        h.add_ramp(3600, 90_000);
        h.add_ramp(0, 7200);
        h.add_ramp(50_000, 400_000);
        for k in 0..=1000 {
            let q = f64::from(k) / 1000.0;
            let x = h.quantile(q).unwrap();
            let back = h.cdf(x).unwrap();
            assert!((back - q).abs() < 1e-9, "q {q}: quantile {x}, cdf {back}");
        }
        for x in (0..400_000).step_by(997) {
            let x = f64::from(x);
            let back = h.quantile(h.cdf(x).unwrap()).unwrap();
            assert!((back - x).abs() < 1e-6 * x.max(1.0), "x {x}: {back}");
        }
    }

    #[test]
    fn quantiles_are_monotone_and_cdf_covers_them() {
        // With point masses the CDF has jumps: quantiles stay ordered and
        // cdf(quantile(q)) >= q.
        let mut h = H::new();
        for op in random_ops(500) {
            apply(&mut h, op);
        }
        let mut last = f64::NEG_INFINITY;
        for k in 0..=200 {
            let q = f64::from(k) / 200.0;
            let x = h.quantile(q).unwrap();
            assert!(x >= last, "q {q}: {x} < {last}");
            let cdf = h.cdf(x).unwrap();
            assert!(cdf >= q - 1e-9, "q {q}: cdf {cdf}");
            last = x;
        }
        assert_eq!(h.quantile(0.0), h.min().map(|v| v as f64));
        assert_eq!(h.quantile(1.0), h.max().map(|v| v as f64));
    }

    // ---- saturation ----

    #[test]
    fn values_beyond_the_limit_saturate() {
        let limit = H::VALUE_LIMIT;
        let mut h = H::new();
        h.add_point(u64::MAX, 2);
        assert_eq!(h.max(), Some(limit));
        assert_eq!(h.quantile(0.5), Some(limit as f64));
        assert_eq!(h.twice_sum(), 2 * 2 * u128::from(limit));

        // A ramp crossing the limit keeps all its mass: the part below as a
        // ramp, the part above as a point at the limit.
        let mut h = H::new();
        h.add_ramp(limit - 10, limit + 30);
        assert_eq!(h.total_mass(), 40);
        let masses = h.bucket_masses();
        assert_eq!(masses[H::BUCKET_COUNT - 1], 40);
        assert_eq!(masses.iter().sum::<u128>(), 40);
        assert_eq!((h.min(), h.max()), (Some(limit - 10), Some(limit)));
        let l = u128::from(limit);
        assert_eq!(h.twice_sum(), l * l - (l - 10) * (l - 10) + 2 * l * 30);

        // Entirely beyond the limit, even at u64::MAX: no overflow.
        let mut h = H::new();
        h.add_ramp(u64::MAX - 5, u64::MAX);
        assert_eq!(h.total_mass(), 5);
        assert_eq!(h.bucket_masses()[H::BUCKET_COUNT - 1], 5);
        assert_eq!(h.mean(), Some(limit as f64));
    }

    // ---- blocks ----

    /// Which blocks a histogram has allocated (here: blocks left from values cleared
    /// away, or from a merge) changes neither its values, nor equality, nor its
    /// serialized bytes, which list the non-zero buckets.
    #[test]
    fn allocated_blocks_change_no_value_and_no_byte() {
        let ops = random_ops(300);
        let mut fresh = H::new();
        let mut reused = H::new();
        for &op in &random_ops(500) {
            apply(&mut reused, op);
        }
        reused.clear();
        assert_eq!(reused, H::new());
        for &op in &ops {
            apply(&mut fresh, op);
            apply(&mut reused, op);
        }
        assert!(reused.blocks.len() >= fresh.blocks.len());
        assert_eq!(fresh, reused);
        assert_eq!(fresh.bucket_masses(), reused.bucket_masses());
        let bytes = |h: &H| postcard::to_allocvec(h).expect("encodes");
        assert_eq!(bytes(&fresh), bytes(&reused));
        let back: H = postcard::from_bytes(&bytes(&fresh)).expect("decodes");
        assert_eq!(back, fresh);
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            assert_eq!(back.quantile(q), fresh.quantile(q));
        }

        // The serialized form lists the non-zero buckets, whatever is allocated.
        assert!(Sparse::from(H::new()).cells.is_empty());
        let mut one = H::new();
        one.add_point(86_400, 3);
        let sparse = Sparse::from(one.clone());
        let j = u16::try_from(H::bucket_index(86_400)).unwrap();
        assert_eq!(sparse.cells, [(j, 0, 0, 3)]);
        // Buckets out of order or beyond the layout are refused, not read as far as
        // they go.
        let mut two = one.clone();
        two.add_point(7, 1);
        let mut swapped = Sparse::from(two);
        swapped.cells.reverse();
        assert!(H::try_from(swapped).unwrap_err().contains("out of order"));
        let mut beyond = Sparse::from(one);
        beyond.cells[0].0 = 2_240;
        assert!(
            H::try_from(beyond)
                .unwrap_err()
                .contains("beyond its 2240 buckets")
        );
    }

    /// A day's RPO sawtooth and a few restore times touch a few power-of-two
    /// ranges, so they allocate a few of the 35 blocks (the memory the blocks save).
    #[test]
    fn typical_values_allocate_few_blocks() {
        let mut h = H::new();
        assert!(h.blocks.is_empty());
        for day in 0..365 {
            h.add_ramp(0, 86_400 + day * 60);
            h.add_point(3_600 + day * 10, 1);
        }
        // Starts at 0 (block 0); ends in [2^16, 2^17) (one block); points in
        // [2^11, 2^13) (two blocks).
        assert_eq!(h.blocks.len(), 4);
        let mut merged = H::new();
        merged.merge(&h);
        assert_eq!(merged.blocks.len(), 4);
        assert_eq!(merged, h);
    }

    #[test]
    fn debug_is_short() {
        let mut h = H::new();
        h.add_ramp(0, 10);
        let text = format!("{h:?}");
        assert!(text.len() < 200, "{text}");
        assert!(text.contains("total_mass: 10"));
    }
}
