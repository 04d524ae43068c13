//! Collecting edge rows from a file and turning them into a CSR [`SynapseMatrix`]:
//! dataset ids to dense indices, duplicate-row detection with line numbers, per-pair sums,
//! and signs from the presynaptic transmitter.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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

/// Bit set in a row's meta when its sign comes from the presynaptic neuron's transmitter
/// at the end (the row had no transmitter of its own).
const DEFER_SIGN: u32 = 1 << 31;

/// One edge row: 16 bytes, so a 15 M-row file costs 240 MB while loading.
#[derive(Clone, Copy)]
struct Row {
    pre: NeuronIndex,
    post: NeuronIndex,
    count: i32,
    line: u32,
}

/// Edge rows of one file, before summing.
pub struct EdgeRows {
    rows: Vec<Row>,
    /// Per row: sub-key code, plus [`DEFER_SIGN`].
    meta: Vec<u32>,
    file: PathBuf,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
}

impl EdgeRows {
    /// Rows read from `file` (named in errors).
    pub fn new(file: impl Into<PathBuf>) -> Self {
        EdgeRows {
            rows: Vec::new(),
            meta: Vec::new(),
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

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
        self.meta.reserve(n);
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
        self.rows.push(Row {
            pre,
            post,
            count: signed_count,
            line: line.min(u32::MAX as u64) as u32,
        });
        self.meta
            .push(if defer_sign { key | DEFER_SIGN } else { key });
    }

    /// Groups rows by presynaptic neuron (counting sort, keeping file order), sorts each
    /// group by (post, key) in parallel, rejects rows repeating a (pre, post, key), sums
    /// per pair with signs and builds the matrix over all neurons of `table`.
    pub fn finish(self, table: &NeuronTable, rule: &SignRule) -> Result<SynapseMatrix, LoadError> {
        let n = table.len();
        let mut start = vec![0usize; n + 1];
        for r in &self.rows {
            start[r.pre as usize + 1] += 1;
        }
        for k in 0..n {
            start[k + 1] += start[k];
        }
        let mut order = vec![0u32; self.rows.len()];
        let mut next = start.clone();
        for (i, r) in self.rows.iter().enumerate() {
            order[next[r.pre as usize]] = i as u32;
            next[r.pre as usize] += 1;
        }
        drop(next);
        // Split `order` into one slice per presynaptic neuron and sort them in parallel; the
        // sort is stable, so equal (post, key) rows stay in file (line) order.
        let mut groups: Vec<&mut [u32]> = Vec::with_capacity(n);
        let mut rest: &mut [u32] = &mut order;
        for k in 0..n {
            let (g, r) = rest.split_at_mut(start[k + 1] - start[k]);
            groups.push(g);
            rest = r;
        }
        let (rows, meta) = (&self.rows, &self.meta);
        groups.par_iter_mut().with_min_len(256).for_each(|g| {
            if g.len() > 1 {
                g.sort_by_key(|&i| {
                    ((rows[i as usize].post as u64) << 32) | (meta[i as usize] & !DEFER_SIGN) as u64
                });
            }
        });
        drop(groups);
        let mut row_start = vec![0u64; n + 1];
        let mut targets: Vec<NeuronIndex> = Vec::with_capacity(rows.len());
        let mut counts: Vec<i32> = Vec::with_capacity(rows.len());
        for pre in 0..n {
            let sign = rule.sign(table.transmitter(pre as NeuronIndex)) as i64;
            let g = &order[start[pre]..start[pre + 1]];
            let mut k = 0;
            while k < g.len() {
                let post = rows[g[k] as usize].post;
                let mut sum: i64 = 0;
                let mut prev: Option<u32> = None;
                while k < g.len() && rows[g[k] as usize].post == post {
                    let (r, m) = (rows[g[k] as usize], meta[g[k] as usize]);
                    if let Some(p) = prev
                        && meta[p as usize] & !DEFER_SIGN == m & !DEFER_SIGN
                    {
                        return Err(self.duplicate_error(
                            table,
                            &rows[p as usize],
                            &r,
                            m & !DEFER_SIGN,
                        ));
                    }
                    sum += if m & DEFER_SIGN != 0 {
                        r.count as i64 * sign
                    } else {
                        r.count as i64
                    };
                    prev = Some(g[k]);
                    k += 1;
                }
                if sum == 0 {
                    continue;
                }
                let sum = i32::try_from(sum).map_err(|_| {
                    LoadError::invalid(
                        Location::file(&self.file),
                        format!(
                            "the synapse count of {} -> {} overflows a 32-bit count",
                            table.id(pre as NeuronIndex),
                            table.id(post)
                        ),
                    )
                })?;
                targets.push(post);
                counts.push(sum);
            }
            row_start[pre + 1] = targets.len() as u64;
        }
        SynapseMatrix::try_from_parts(row_start, targets, counts)
            .map_err(|e| LoadError::invalid(Location::file(&self.file), e.to_string()))
    }

    fn duplicate_error(&self, table: &NeuronTable, a: &Row, b: &Row, key: u32) -> LoadError {
        let (pre, post) = (table.id(a.pre), table.id(a.post));
        let key = &self.keys[key as usize];
        let scope = if key.is_empty() {
            String::new()
        } else {
            format!(" in `{key}`")
        };
        let (first, again) = (a.line.min(b.line), a.line.max(b.line));
        LoadError::invalid(
            Location::file(&self.file).at_line(again as u64),
            format!(
                "duplicate row: the pair {pre} -> {post}{scope} was already given on line {first}; expected each pair once"
            ),
        )
    }
}

/// The error of a repeated pair whose counts sum beyond an `i32` (from
/// [`crate::EdgeListBuilder::try_build`]), naming the file and the pair's dataset ids.
pub(crate) fn overflow_error(
    file: &Path,
    neurons: &NeuronTable,
    (pre, post): (NeuronIndex, NeuronIndex),
) -> LoadError {
    LoadError::invalid(
        Location::file(file),
        format!(
            "the synapse count of {} -> {} overflows a 32-bit count; expected repeated rows \
             of a pair to sum to at most {}",
            neurons.id(pre),
            neurons.id(post),
            i32::MAX
        ),
    )
}
