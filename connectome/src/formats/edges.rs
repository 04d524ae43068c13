//! Collecting edge rows from a file and turning them into a CSR [`SynapseMatrix`]:
//! dataset ids to dense indices, duplicate-row detection with line numbers, per-pair sums,
//! and signs from the presynaptic transmitter.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;

use crate::error::{LoadError, Location};
use crate::neuron::{NeuronIndex, NeuronTable};
use crate::synapse_matrix::SynapseMatrix;
use crate::transmitter::SignRule;

/// A fast hasher for u64 dataset ids. SipHash costs more than the parsing itself on a
/// 15 M-edge file; ids are not attacker-chosen keys worth that protection.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        let h = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

/// Dataset id -> dense index, with a fast hasher.
pub type IdIndex = HashMap<u64, NeuronIndex, BuildHasherDefault<IdHasher>>;

/// Maps dataset ids to neuron indices, adding neurons in first-seen order or (when the
/// neuron set is fixed by a neuron table) rejecting unknown ids.
pub struct IdMap {
    index: IdIndex,
    /// When true, ids must already be in the table.
    pub closed: bool,
}

impl IdMap {
    /// A map over the neurons already in `table`.
    pub fn new(table: &NeuronTable, closed: bool) -> Self {
        let mut index =
            IdIndex::with_capacity_and_hasher(table.len().max(1024), Default::default());
        for (i, &id) in table.ids().iter().enumerate() {
            index.insert(id, i as NeuronIndex);
        }
        IdMap { index, closed }
    }

    /// The index of `id`, adding it to `table` unless the map is closed (then `None`).
    #[inline]
    pub fn get_or_insert(&mut self, id: u64, table: &mut NeuronTable) -> Option<NeuronIndex> {
        if let Some(&i) = self.index.get(&id) {
            return Some(i);
        }
        if self.closed {
            return None;
        }
        let (i, _) = table.insert(id);
        self.index.insert(id, i);
        Some(i)
    }
}

/// Bit set in [`Row::key`] when the row's sign comes from the presynaptic neuron's
/// transmitter at the end (the row had no transmitter of its own).
const DEFER_SIGN: u32 = 1 << 31;

#[derive(Clone, Copy)]
struct Row {
    pair: u64,
    count: i32,
    key: u32,
    line: u32,
}

/// Edge rows of one file, before summing.
pub struct EdgeRows {
    rows: Vec<Row>,
    file: PathBuf,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
}

impl EdgeRows {
    /// Rows read from `file` (named in errors).
    pub fn new(file: impl Into<PathBuf>) -> Self {
        EdgeRows {
            rows: Vec::new(),
            file: file.into(),
            keys: vec![String::new()],
            key_index: HashMap::new(),
        }
    }

    /// Number of rows so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The code of a sub-key value (e.g. a neuropil name); rows are unique per
    /// (pre, post, key) and summed per (pre, post).
    pub fn key_code(&mut self, key: &[u8]) -> u32 {
        if key.is_empty() {
            return 0;
        }
        if let Some(&k) = std::str::from_utf8(key)
            .ok()
            .and_then(|s| self.key_index.get(s))
        {
            return k;
        }
        let s = String::from_utf8_lossy(key).into_owned();
        let k = self.keys.len() as u32;
        self.keys.push(s.clone());
        self.key_index.insert(s, k);
        k
    }

    /// Adds a row. `signed_count` already carries its sign when `defer_sign` is false;
    /// otherwise it is a magnitude signed later by the presynaptic transmitter.
    #[inline]
    pub fn push(
        &mut self,
        pre: NeuronIndex,
        post: NeuronIndex,
        signed_count: i32,
        key: u32,
        defer_sign: bool,
        line: u64,
    ) {
        let key = if defer_sign { key | DEFER_SIGN } else { key };
        self.rows.push(Row {
            pair: ((pre as u64) << 32) | post as u64,
            count: signed_count,
            key,
            line: line.min(u32::MAX as u64) as u32,
        });
    }

    /// Sorts, rejects rows repeating a (pre, post, key), sums per pair with signs and
    /// builds the matrix over all neurons of `table`.
    pub fn finish(
        mut self,
        table: &NeuronTable,
        rule: &SignRule,
    ) -> Result<SynapseMatrix, LoadError> {
        let n = table.len();
        self.rows
            .par_sort_unstable_by_key(|r| (r.pair, r.key & !DEFER_SIGN, r.line));
        for w in self.rows.windows(2) {
            if w[0].pair == w[1].pair && (w[0].key & !DEFER_SIGN) == (w[1].key & !DEFER_SIGN) {
                return Err(self.duplicate_error(table, &w[0], &w[1]));
            }
        }
        let mut row_start = vec![0u64; n + 1];
        let mut targets: Vec<NeuronIndex> = Vec::with_capacity(self.rows.len());
        let mut counts: Vec<i32> = Vec::with_capacity(self.rows.len());
        let mut i = 0;
        while i < self.rows.len() {
            let pair = self.rows[i].pair;
            let pre = (pair >> 32) as NeuronIndex;
            let mut sum: i64 = 0;
            while i < self.rows.len() && self.rows[i].pair == pair {
                let r = self.rows[i];
                let c = r.count as i64;
                sum += if r.key & DEFER_SIGN != 0 {
                    c * rule.sign(table.transmitter(pre)) as i64
                } else {
                    c
                };
                i += 1;
            }
            if sum == 0 {
                continue;
            }
            let sum = i32::try_from(sum).map_err(|_| {
                LoadError::invalid(
                    Location::file(&self.file),
                    format!(
                        "the synapse count of {} -> {} overflows a 32-bit count",
                        table.id(pre),
                        table.id(pair as u32)
                    ),
                )
            })?;
            targets.push(pair as NeuronIndex);
            counts.push(sum);
            row_start[pre as usize + 1] += 1;
        }
        for k in 0..n {
            row_start[k + 1] += row_start[k];
        }
        SynapseMatrix::try_from_parts(row_start, targets, counts)
            .map_err(|e| LoadError::invalid(Location::file(&self.file), e.to_string()))
    }

    fn duplicate_error(&self, table: &NeuronTable, a: &Row, b: &Row) -> LoadError {
        let (pre, post) = (table.id((a.pair >> 32) as u32), table.id(a.pair as u32));
        let key = &self.keys[(a.key & !DEFER_SIGN) as usize];
        let scope = if key.is_empty() {
            String::new()
        } else {
            format!(" in `{key}`")
        };
        LoadError::invalid(
            Location::file(&self.file).at_line(b.line as u64),
            format!(
                "duplicate row: the pair {pre} -> {post}{scope} was already given on line {}; \
                 expected each pair once",
                a.line
            ),
        )
    }
}

/// The location of a field, for loaders.
pub fn field_location(file: &Path, line: u64, column: &str) -> Location {
    Location::file(file).at_line(line).at_column(column)
}
