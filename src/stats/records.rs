//! Per-trial records in bounded memory.
//!
//! Bands across trials (P10/P50/P90 of storage per day, of a link's backlog, of an
//! outage's restore timeline, of the bill per month) are exact order statistics, so
//! every trial's value of every quantity must be kept until the run ends. Held as
//! structs, that is tens of KB per trial, and a run's memory grows with its trial count.
//!
//! [`TrialRecords`] keeps them as one fixed-width record of 64-bit words per trial (the
//! caller's layout: integers as they are, floats as their bits). The first records stay
//! in memory up to a budget; the rest are appended to an anonymous temporary file. They
//! are read back a block of columns at a time, in trial order ([`Columns`]): every trial's
//! words of one quantity side by side, which is what a band needs. The words read back are
//! the words written, so estimates computed from them are the same bits whichever way the
//! records were kept (`spilled_and_in_memory_records_read_back_the_same_columns`).
//!
//! The file holds whole records, one after another, but a block is a few words of every
//! record: read from there, a block would take a read per record, and with more trials
//! (narrower blocks, as a block's words are bounded) more blocks. So the first read of
//! spilled columns copies the file once, column by column, into a second temporary file
//! (whole records in, as many as `READ_BUDGET_WORDS` holds; each column's part of them
//! out at once), and a block is then one read of that copy. Reading a family back costs
//! twice its spilled bytes in `2 × trials × width ÷ READ_BUDGET_WORDS` reads (plus one
//! per column past `READ_BUDGET_WORDS` trials), linear in the trials
//! (`reading_spilled_columns_is_linear_in_trials`). Memory while reading: the copy holds
//! one chunk of records (1 MiB, or one record if wider); a reader holds its block twice
//! (the copy's words, then in trial order): 2 MiB, or two columns (16 bytes per trial)
//! past 131,072 trials, where one column, which a band needs whole, is wider than the
//! budget. The copy doubles the records' disk while they last.
//!
//! The temporary file is the only I/O below the command line. It holds nothing a result
//! depends on beyond the run: if it cannot be created or written (no temporary
//! directory, a full disk), records stay in memory and the run goes on, using more of
//! it. A failed read of a file this process wrote is a fault of the machine and panics
//! with what failed.

use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Record words of one family kept in memory before records go to the temporary file
/// (512 KiB).
pub const MEMORY_BUDGET_WORDS: usize = 1 << 16;
/// Words one block of columns may hold when read back (1 MiB): for `T` trials, a block
/// is `READ_BUDGET_WORDS / T` columns (at least one). Also the words of whole records
/// the column-major copy of the file reads at once.
pub const READ_BUDGET_WORDS: usize = 1 << 17;

/// Where one trial's record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Offset of its first word in `memory`.
    Memory(usize),
    /// Its index in the temporary file.
    File(u64),
}

/// Fixed-width records of 64-bit words, one per trial, added in any trial order and
/// read back by column in trial order.
pub struct TrialRecords {
    /// Words per record (0 until the first record is added).
    width: usize,
    /// (trial, where its record is), in the order added until `put_in_trial_order`.
    index: Vec<(u64, Slot)>,
    memory: Vec<u64>,
    budget_words: usize,
    /// Words a block of columns holds when read back (`READ_BUDGET_WORDS`, smaller in
    /// tests that read many trials' records).
    read_budget_words: usize,
    /// The temporary file and how many records it holds, once memory is full.
    spill: Option<(File, u64)>,
    /// Set when the temporary file could not be created or written: keep to memory.
    spill_failed: bool,
    /// The file's records column by column (`transpose`), made on the first read of
    /// columns and dropped when a record is added; `None` inside if it could not be
    /// written (blocks are then read a record at a time: the same words, more reads).
    transposed: OnceLock<Option<File>>,
    /// Reads from the temporary files, so that tests can show what reading back costs.
    reads: ReadCount,
}

/// Reads from the temporary files and their bytes.
#[derive(Debug, Default)]
struct ReadCount {
    calls: AtomicU64,
    bytes: AtomicU64,
}

/// Fills `bytes` from `file` at byte `at`, counted in `reads`.
///
/// # Panics
/// If the read fails: the file is one this process wrote, so that is the machine's fault.
fn read_at(file: &File, at: u64, bytes: &mut [u8], reads: &ReadCount) {
    let mut file = file;
    file.seek(SeekFrom::Start(at))
        .and_then(|_| file.read_exact(bytes))
        .unwrap_or_else(|e| panic!("reading trial records back from their temporary file: {e}"));
    reads.calls.fetch_add(1, Ordering::Relaxed);
    reads.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
}

/// The word whose little-endian bytes start at `bytes[at]`.
fn word_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

impl TrialRecords {
    /// No records; the first `MEMORY_BUDGET_WORDS` words stay in memory.
    pub fn new() -> TrialRecords {
        TrialRecords::with_memory_budget(MEMORY_BUDGET_WORDS)
    }

    /// No records; the first `budget_words` words stay in memory (0: every record goes
    /// to the temporary file).
    pub fn with_memory_budget(budget_words: usize) -> TrialRecords {
        TrialRecords::with_budgets(budget_words, READ_BUDGET_WORDS)
    }

    /// No records; the first `budget_words` words stay in memory, and a block of columns
    /// read back holds `read_budget_words` words (at least one column). A small read
    /// budget lets a test read back as a run of many more trials would.
    pub fn with_budgets(budget_words: usize, read_budget_words: usize) -> TrialRecords {
        TrialRecords {
            width: 0,
            index: Vec::new(),
            memory: Vec::new(),
            budget_words,
            read_budget_words,
            spill: None,
            spill_failed: false,
            transposed: OnceLock::new(),
            reads: ReadCount::default(),
        }
    }

    /// Words per record (0 before the first).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The trials held, in the order of their records.
    pub fn trials(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.index.iter().map(|&(t, _)| t)
    }

    /// Records held in the temporary file.
    pub fn spilled(&self) -> u64 {
        self.spill.as_ref().map_or(0, |s| s.1)
    }

    /// Reads from the temporary files so far, and their bytes: what reading the records
    /// back has cost (`reading_spilled_columns_is_linear_in_trials`).
    pub fn file_reads(&self) -> (u64, u64) {
        (
            self.reads.calls.load(Ordering::Relaxed),
            self.reads.bytes.load(Ordering::Relaxed),
        )
    }

    /// Adds trial `trial`'s record. Every record has the width of the first.
    ///
    /// # Panics
    /// If `record` is not as wide as the records before it.
    pub fn push(&mut self, trial: u64, record: &[u64]) {
        if self.index.is_empty() && self.width == 0 {
            self.width = record.len();
        }
        assert_eq!(
            record.len(),
            self.width,
            "a trial record of {} words among records of {}",
            record.len(),
            self.width
        );
        // A column-major copy no longer holds every record.
        self.transposed.take();
        let fits = self.spill.is_none() && self.memory.len() + record.len() <= self.budget_words;
        if !fits && !self.spill_failed {
            match self.write_to_file(record) {
                Ok(slot) => {
                    self.index.push((trial, Slot::File(slot)));
                    return;
                }
                Err(_) => self.spill_failed = true,
            }
        }
        self.index.push((trial, Slot::Memory(self.memory.len())));
        self.memory.extend_from_slice(record);
    }

    fn write_to_file(&mut self, record: &[u64]) -> std::io::Result<u64> {
        if self.spill.is_none() {
            self.spill = Some((tempfile::tempfile()?, 0));
        }
        let (file, records) = self.spill.as_mut().expect("just created");
        let bytes: Vec<u8> = record.iter().flat_map(|w| w.to_le_bytes()).collect();
        file.seek(SeekFrom::Start(*records * bytes.len() as u64))?;
        file.write_all(&bytes)?;
        *records += 1;
        Ok(*records - 1)
    }

    /// Puts the records in trial order (each trial once: its record's place, not its
    /// words, moves).
    pub fn put_in_trial_order(&mut self) {
        self.index.sort_by_key(|&(t, _)| t);
    }

    /// Reads `len` words of record `slot` from word `start` into `out`.
    fn read(&self, slot: Slot, start: usize, len: usize, out: &mut Vec<u64>) {
        match slot {
            Slot::Memory(offset) => {
                out.extend_from_slice(&self.memory[offset + start..offset + start + len]);
            }
            Slot::File(record) => {
                let (file, _) = self.spill.as_ref().expect("a spilled record has a file");
                let mut bytes = vec![0u8; len * 8];
                let at = (record * self.width as u64 + start as u64) * 8;
                read_at(file, at, &mut bytes, &self.reads);
                out.extend(
                    bytes
                        .chunks_exact(8)
                        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes"))),
                );
            }
        }
    }

    /// The file's records column by column (`transpose`), made on the first call; `None`
    /// when nothing is in the file or the copy could not be written.
    fn transposed(&self) -> Option<&File> {
        let (file, records) = self.spill.as_ref()?;
        self.transposed
            .get_or_init(|| self.transpose(file, *records).ok())
            .as_ref()
    }

    /// A new temporary file holding the `records` records of `file` column by column:
    /// word `c` of the file's record `i` at word `c × records + i`, so the words of a
    /// block of columns, for every record, are one run. Reads whole records, as many at
    /// a time as the read budget holds (at least one), and writes each column's words of
    /// them at once.
    fn transpose(&self, file: &File, records: u64) -> std::io::Result<File> {
        let out = tempfile::tempfile()?;
        let (width, records) = (self.width, records as usize);
        let chunk = (self.read_budget_words / width.max(1)).clamp(1, records.max(1));
        let mut rows = vec![0u8; chunk * width * 8];
        let mut column = vec![0u8; chunk * 8];
        let mut first = 0;
        while first < records {
            let n = chunk.min(records - first);
            let rows = &mut rows[..n * width * 8];
            read_at(file, (first * width * 8) as u64, rows, &self.reads);
            let column = &mut column[..n * 8];
            for c in 0..width {
                for (r, word) in column.chunks_exact_mut(8).enumerate() {
                    let at = (r * width + c) * 8;
                    word.copy_from_slice(&rows[at..at + 8]);
                }
                let mut out = &out;
                out.seek(SeekFrom::Start(((c * records + first) * 8) as u64))?;
                out.write_all(column)?;
            }
            first += n;
        }
        Ok(out)
    }

    /// Words `block` of every record, in record order, into `out` column-major
    /// (`out[k × len + t]`: word `block.start + k` of record `t`). Spilled records' words
    /// come from `transposed` (the file column by column) in one read into `bytes`, or
    /// without it a record at a time.
    fn read_block(
        &self,
        block: Range<usize>,
        transposed: Option<&File>,
        out: &mut [u64],
        bytes: &mut Vec<u8>,
    ) {
        let (n, width, spilled) = (self.len(), block.len(), self.spilled() as usize);
        bytes.clear();
        if let Some(file) = transposed {
            bytes.resize(width * spilled * 8, 0);
            read_at(file, (block.start * spilled * 8) as u64, bytes, &self.reads);
        }
        let mut row = Vec::new();
        for (t, &(_, slot)) in self.index.iter().enumerate() {
            match slot {
                Slot::Memory(offset) => {
                    let words = &self.memory[offset + block.start..offset + block.end];
                    for (k, &w) in words.iter().enumerate() {
                        out[k * n + t] = w;
                    }
                }
                Slot::File(record) if transposed.is_some() => {
                    for k in 0..width {
                        out[k * n + t] = word_at(bytes, (k * spilled + record as usize) * 8);
                    }
                }
                Slot::File(_) => {
                    row.clear();
                    self.read(slot, block.start, width, &mut row);
                    for (k, &w) in row.iter().enumerate() {
                        out[k * n + t] = w;
                    }
                }
            }
        }
    }

    /// Every record in the current order, one at a time: (trial, words).
    pub fn for_each(&self, mut f: impl FnMut(u64, &[u64])) {
        let mut buffer = Vec::with_capacity(self.width);
        for &(trial, slot) in &self.index {
            buffer.clear();
            self.read(slot, 0, self.width, &mut buffer);
            f(trial, &buffer);
        }
    }

    /// Appends every record of `other` (its trials must not be here already).
    pub fn append(&mut self, other: &TrialRecords) {
        if other.is_empty() {
            return;
        }
        other.for_each(|trial, record| self.push(trial, record));
    }

    /// A reader of columns in the current record order (call `put_in_trial_order` first
    /// for trial order).
    pub fn columns(&self) -> Columns<'_> {
        self.columns_in(0..self.width)
    }

    /// A reader of the columns in `range` only: its blocks never read past them (a
    /// caller that wants a few columns of wide records reads those, not a whole block).
    pub fn columns_in(&self, range: Range<usize>) -> Columns<'_> {
        assert!(
            range.end <= self.width || self.is_empty(),
            "columns {range:?} of {}",
            self.width
        );
        Columns {
            records: self,
            end: range.end,
            block: 0..0,
            data: Vec::new(),
            bytes: Vec::new(),
        }
    }
}

impl Default for TrialRecords {
    fn default() -> TrialRecords {
        TrialRecords::new()
    }
}

impl fmt::Debug for TrialRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrialRecords")
            .field("width", &self.width)
            .field("records", &self.len())
            .field("spilled", &self.spilled())
            .finish()
    }
}

impl Clone for TrialRecords {
    fn clone(&self) -> TrialRecords {
        let mut copy = TrialRecords::with_budgets(self.budget_words, self.read_budget_words);
        copy.width = self.width;
        copy.append(self);
        copy
    }
}

/// Equal when they hold the same trials' words in the same order (wherever they are
/// kept).
impl PartialEq for TrialRecords {
    fn eq(&self, other: &TrialRecords) -> bool {
        if self.width != other.width || !self.trials().eq(other.trials()) {
            return false;
        }
        let mut mine = Vec::with_capacity(self.len() * self.width);
        self.for_each(|_, r| mine.extend_from_slice(r));
        let mut theirs = Vec::with_capacity(other.len() * other.width);
        other.for_each(|_, r| theirs.extend_from_slice(r));
        mine == theirs
    }
}

/// Columns of a set of records, read a block at a time: `get(c)` is every record's word
/// `c`, in record order. Reading columns in increasing order reads each word once (one
/// read of the file's column-major copy per block); going back re-reads a block, so a
/// caller that wants every trial's words of several columns takes them a column at a
/// time (`montecarlo::Series::row`), not a trial at a time.
pub struct Columns<'a> {
    records: &'a TrialRecords,
    /// The first column past the ones this reader may read.
    end: usize,
    /// The columns in `data`.
    block: Range<usize>,
    /// Column-major: `data[(c - block.start) * n + t]`.
    data: Vec<u64>,
    /// The spilled records' words of the block, as read (reused from block to block).
    bytes: Vec<u8>,
}

impl Columns<'_> {
    /// Records (the length of every column).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Word `c` of every record, in record order.
    ///
    /// # Panics
    /// If `c` is not below the records' width (or the reader's range).
    pub fn get(&mut self, c: usize) -> &[u64] {
        let records = self.records;
        assert!(c < self.end, "column {c} of {}", self.end);
        let n = records.len();
        if !self.block.contains(&c) {
            let width = (records.read_budget_words / n.max(1)).clamp(1, self.end - c);
            self.data.clear();
            self.data.resize(n * width, 0);
            records.read_block(
                c..c + width,
                records.transposed(),
                &mut self.data,
                &mut self.bytes,
            );
            self.block = c..c + width;
        }
        let k = c - self.block.start;
        &self.data[k * n..(k + 1) * n]
    }

    /// Word `c` of every record as the float whose bits it holds.
    pub fn floats(&mut self, c: usize) -> Vec<f64> {
        self.get(c).iter().map(|&w| f64::from_bits(w)).collect()
    }

    /// The floats of word `c` that are present (`optional_word`), in record order.
    pub fn optional_floats(&mut self, c: usize) -> Vec<f64> {
        self.get(c)
            .iter()
            .filter_map(|&w| optional_float(w))
            .collect()
    }

    /// Word `c` of every record as an unsigned integer, converted to a float.
    pub fn counts(&mut self, c: usize) -> Vec<f64> {
        self.get(c).iter().map(|&w| w as f64).collect()
    }
}

/// A record word for `None` among floats: a NaN no arithmetic produces (arithmetic
/// gives the quiet NaN with a zero payload).
pub const NONE_WORD: u64 = 0x7ff8_0000_dead_0001;

/// The word of an optional float.
pub fn optional_word(x: Option<f64>) -> u64 {
    x.map_or(NONE_WORD, f64::to_bits)
}

/// The optional float of a word.
pub fn optional_float(w: u64) -> Option<f64> {
    (w != NONE_WORD).then(|| f64::from_bits(w))
}

/// Serialized as the width and the sequence of (trial, record), streamed from wherever
/// the records are.
impl Serialize for TrialRecords {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len() + 1))?;
        seq.serialize_element(&Entry::Width(self.width as u64))?;
        let mut result = Ok(());
        self.for_each(|trial, record| {
            if result.is_ok() {
                result = seq.serialize_element(&Entry::Record(trial, record.to_vec()));
            }
        });
        result?;
        seq.end()
    }
}

#[derive(Serialize, Deserialize)]
enum Entry {
    Width(u64),
    Record(u64, Vec<u64>),
}

/// Read back into a new set of records, kept in memory up to the default budget.
impl<'de> Deserialize<'de> for TrialRecords {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TrialRecords, D::Error> {
        struct RecordsVisitor;
        impl<'de> Visitor<'de> for RecordsVisitor {
            type Value = TrialRecords;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a width, then trial records of that width")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TrialRecords, A::Error> {
                let Some(Entry::Width(width)) = seq.next_element()? else {
                    return Err(de::Error::custom("trial records without their width"));
                };
                let mut records = TrialRecords::new();
                records.width = width as usize;
                while let Some(entry) = seq.next_element()? {
                    let Entry::Record(trial, words) = entry else {
                        return Err(de::Error::custom("a second width among trial records"));
                    };
                    if words.len() != records.width {
                        return Err(de::Error::custom(format!(
                            "a trial record of {} words among records of {width}",
                            words.len()
                        )));
                    }
                    records.push(trial, &words);
                }
                Ok(records)
            }
        }
        deserializer.deserialize_seq(RecordsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of trials added out of order, kept per `budget`.
    fn sample(budget: usize) -> TrialRecords {
        let mut r = TrialRecords::with_memory_budget(budget);
        for trial in [5u64, 0, 3, 1, 4, 2] {
            let record: Vec<u64> = (0..7).map(|k| trial * 100 + k).collect();
            r.push(trial, &record);
        }
        r
    }

    #[test]
    fn spilled_and_in_memory_records_read_back_the_same_columns() {
        for budget in [0, 14, 1_000] {
            let mut r = sample(budget);
            r.put_in_trial_order();
            assert_eq!(r.trials().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
            let spilled = r.spilled();
            assert_eq!(
                spilled,
                if budget == 1_000 {
                    0
                } else {
                    6 - budget as u64 / 7
                }
            );
            let mut columns = r.columns();
            for c in 0..7u64 {
                let expected: Vec<u64> = (0..6).map(|t| t * 100 + c).collect();
                assert_eq!(
                    columns.get(c as usize),
                    expected,
                    "budget {budget}, column {c}"
                );
            }
            // Going back re-reads a block.
            assert_eq!(columns.get(0), [0, 100, 200, 300, 400, 500]);
        }
    }

    /// Records of trials `0..n`, `width` words each (word `k` of trial `t` is
    /// `t × 1,000 + k`), added in a scrambled trial order (so the file's order is not the
    /// trials'), the first `memory` words kept in memory, read back in blocks of `read`
    /// words; put in trial order.
    fn scrambled(n: u64, width: u64, memory: usize, read: usize) -> TrialRecords {
        let mut r = TrialRecords::with_budgets(memory, read);
        for i in 0..n {
            let trial = i * 7_919 % n;
            let record: Vec<u64> = (0..width).map(|k| trial * 1_000 + k).collect();
            r.push(trial, &record);
        }
        r.put_in_trial_order();
        r
    }

    /// Every column of spilled records costs each spilled word read twice (once by the
    /// column-major copy, once by its block), in a read per chunk of whole records and
    /// one per block: linear in the trials. Before the copy, a block took a read per
    /// record, and a block narrower than a caller's columns (past `read / 18` trials for a
    /// report row: 14 here) re-read every record per trial (`montecarlo::Series::row`).
    #[test]
    fn reading_spilled_columns_is_linear_in_trials() {
        let (width, read) = (40usize, 256usize);
        for n in [100u64, 1_000, 4_000] {
            let r = scrambled(n, width as u64, 10 * width, read);
            let spilled = n - 10;
            assert_eq!(r.spilled(), spilled);
            let mut columns = r.columns();
            for c in 0..width {
                let expected: Vec<u64> = (0..n).map(|t| t * 1_000 + c as u64).collect();
                assert_eq!(columns.get(c), expected, "{n} trials, column {c}");
            }
            let (calls, bytes) = r.file_reads();
            let chunks = spilled.div_ceil((read / width) as u64);
            let per_block = (read / n as usize).max(1);
            assert_eq!(bytes, 2 * spilled * width as u64 * 8, "{n} trials");
            assert_eq!(
                calls,
                chunks + width.div_ceil(per_block) as u64,
                "{n} trials"
            );
            // Going back re-reads one block, in one read.
            assert_eq!(columns.get(0)[n as usize - 1], (n - 1) * 1_000);
            assert_eq!(
                r.file_reads(),
                (calls + 1, bytes + spilled * per_block as u64 * 8)
            );
        }
    }

    #[test]
    fn blocks_read_a_record_at_a_time_without_the_copy_hold_the_same_words() {
        let r = scrambled(50, 7, 21, 16);
        let (mut direct, mut copied) = (vec![0; 150], vec![0; 150]);
        let mut bytes = Vec::new();
        r.read_block(2..5, None, &mut direct, &mut bytes);
        assert_eq!(r.file_reads().0, 47, "a read per spilled record");
        r.read_block(2..5, r.transposed(), &mut copied, &mut bytes);
        assert_eq!(direct, copied);
        let expected: Vec<u64> = (2..5)
            .flat_map(|k| (0..50).map(move |t| t * 1_000 + k))
            .collect();
        assert_eq!(direct, expected);
    }

    #[test]
    fn a_record_added_after_columns_were_read_is_read_back() {
        let mut r = scrambled(20, 3, 0, 8);
        assert_eq!(r.columns().get(2)[19], 19_002);
        r.push(20, &[1, 2, 3]);
        r.put_in_trial_order();
        let mut columns = r.columns();
        assert_eq!(columns.get(2).len(), 21);
        assert_eq!(columns.get(2)[20], 3);
        assert_eq!(columns.get(0)[..2], [0, 1_000]);
    }

    #[test]
    fn serialization_round_trips_wherever_records_are_kept() {
        let memory = sample(1_000);
        let spilled = sample(0);
        assert_eq!(memory, spilled);
        let bytes = postcard::to_allocvec(&spilled).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&memory).unwrap());
        let back: TrialRecords = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, memory);
        let empty: TrialRecords =
            postcard::from_bytes(&postcard::to_allocvec(&TrialRecords::new()).unwrap()).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn appending_keeps_every_record_and_a_clone_is_equal() {
        let mut a = TrialRecords::with_memory_budget(7);
        a.push(9, &[1, 2, 3, 4, 5, 6, 7]);
        a.append(&sample(0));
        a.put_in_trial_order();
        assert_eq!(a.len(), 7);
        assert_eq!(a.trials().last(), Some(9));
        assert_eq!(a.columns().get(6), [6, 106, 206, 306, 406, 506, 7]);
        assert_eq!(a.clone(), a);
    }

    #[test]
    fn optional_floats_round_trip_and_none_is_not_a_computed_nan() {
        for x in [Some(0.0), Some(-0.0), Some(1.5e300), Some(f64::NAN), None] {
            let back = optional_float(optional_word(x));
            assert_eq!(back.map(f64::to_bits), x.map(f64::to_bits));
        }
        let zero = std::hint::black_box(0.0f64);
        let computed = [zero / zero, f64::INFINITY - f64::INFINITY, (-1.0f64).sqrt()];
        assert!(
            computed
                .iter()
                .all(|x| x.is_nan() && x.to_bits() != NONE_WORD)
        );
    }

    #[test]
    #[should_panic(expected = "a trial record of 2 words among records of 7")]
    fn records_of_another_width_are_refused() {
        sample(0).push(6, &[1, 2]);
    }
}
