//! Edge CSVs: the plain `pre,post,weight` list (weight = signed synapse count) and any other
//! edge table through an [`EdgeColumns`] mapping. The published layouts in
//! the registry's datasets (FlyWire escape/olfaction subsets, MANC `data_set_intrinsic_T*` /
//! `data_intrinsic_motor_T*`, FANC `*edges*.csv`, Codex connections, neuPrint connections)
//! are recognised from their header by [`EdgeColumns::detect`].

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::annotations::{attach_all, normalize_side};
use super::edges::{EdgeRows, IdMap};
use super::{Format, LoadParams};
use crate::Connectome;
use crate::error::LoadError;
use crate::neuron::{NeuronTable, columns};
use crate::numbers::{parse_count, parse_id};
use crate::table_reader::{Header, Record, TableReader, open};
use crate::transmitter::Transmitter;

/// Which columns of an edge CSV hold what.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EdgeColumns {
    /// Presynaptic neuron id column.
    pub pre: String,
    /// Postsynaptic neuron id column.
    pub post: String,
    /// Synapse count column.
    pub count: String,
    /// True when the count column already carries the sign (e.g. `weight` of a plain edge
    /// list, MANC `eff_weight`); false when counts are magnitudes (negative is an error).
    pub signed: bool,
    /// Presynaptic transmitter column (per row); its sign comes from the sign rule. Rows
    /// without one take the presynaptic neuron's transmitter from a neuron table.
    pub transmitter: Option<String>,
    /// Postsynaptic transmitter column (MANC motor files give the motor neuron's).
    pub post_transmitter: Option<String>,
    /// Sub-key column (e.g. `neuropil`): rows are unique per (pre, post, key) and are
    /// summed per pair. Without it, a repeated pair is an error.
    pub key: Option<String>,
    /// File column -> annotation of the presynaptic neuron.
    pub pre_annotations: BTreeMap<String, String>,
    /// File column -> annotation of the postsynaptic neuron.
    pub post_annotations: BTreeMap<String, String>,
    /// File column -> annotation of both neurons (e.g. the escape subset's `side`).
    pub both_annotations: BTreeMap<String, String>,
}

/// (pre, post, count, signed) column names of the published edge layouts.
const LAYOUTS: [(&str, &str, &str, bool); 9] = [
    ("pre", "post", "weight", true),
    ("pre_root_id", "post_root_id", "syn_count", false),
    ("bodyId_pre", "bodyId_post", "weight", false),
    ("source_bid", "target_bid", "syn_count", false),
    ("pre_id", "post_id", "syn_count", false),
    ("pre", "post", "syn_count", false),
    ("source", "target", "weight", true),
    ("pre_root_id", "post_root_id", "weight", false),
    ("pre_pt_root_id", "post_pt_root_id", "syn_count", false),
];

const KEY_COLUMNS: [&str; 2] = ["neuropil", "roi"];
const NT_COLUMNS: [&str; 5] = [
    "nt_type",
    "pre_nt_type",
    "pre_nt",
    "source_nt",
    "predictedNt_pre",
];
/// Columns that describe the edge or a row number, not a neuron.
const IGNORED: [&str; 6] = [
    "",
    "eff_weight",
    "source_uid",
    "target_uid",
    "weight",
    "syn_count",
];

/// Shared annotation name for the rest of a prefixed column (`pre_cell_type` -> `type`).
fn annotation_name(rest: &str) -> String {
    match rest {
        "name" | "type" | "cell_type" | "mn_type" => columns::TYPE.into(),
        "class" => columns::CLASS.into(),
        "super_class" => columns::SUPER_CLASS.into(),
        "side" => columns::SIDE.into(),
        other => other.into(),
    }
}

impl EdgeColumns {
    /// The plain `pre,post,weight` layout (weight = signed synapse count).
    pub fn plain() -> Self {
        EdgeColumns {
            pre: "pre".into(),
            post: "post".into(),
            count: "weight".into(),
            signed: true,
            ..Default::default()
        }
    }

    /// Recognises a published edge layout from its header.
    pub fn detect(header: &[String]) -> Option<EdgeColumns> {
        let has = |c: &str| header.iter().any(|h| h == c);
        let &(pre, post, count, signed) = LAYOUTS
            .iter()
            .find(|(a, b, c, _)| has(a) && has(b) && has(c))?;
        let mut m = EdgeColumns {
            pre: pre.into(),
            post: post.into(),
            count: count.into(),
            signed,
            ..Default::default()
        };
        m.key = KEY_COLUMNS.iter().find(|c| has(c)).map(|c| c.to_string());
        m.transmitter = NT_COLUMNS.iter().find(|c| has(c)).map(|c| c.to_string());
        if pre == "source_bid" && m.transmitter.is_none() && has("source_type") {
            // MANC motor files: source_type / target_type are the transmitters.
            m.transmitter = Some("source_type".into());
            if has("target_type") {
                m.post_transmitter = Some("target_type".into());
            }
        }
        for h in header {
            let used = [&m.pre, &m.post, &m.count]
                .into_iter()
                .chain(m.key.as_ref())
                .chain(m.transmitter.as_ref())
                .chain(m.post_transmitter.as_ref())
                .any(|u| u == h);
            if used || IGNORED.contains(&h.as_str()) {
                continue;
            }
            if let Some(rest) = h.strip_prefix("pre_").or_else(|| h.strip_prefix("source_")) {
                m.pre_annotations.insert(h.clone(), annotation_name(rest));
            } else if let Some(rest) = h
                .strip_prefix("post_")
                .or_else(|| h.strip_prefix("target_"))
            {
                m.post_annotations.insert(h.clone(), annotation_name(rest));
            } else if let Some(rest) = h.strip_prefix("mn_") {
                m.post_annotations.insert(h.clone(), annotation_name(rest));
            } else if h.starts_with("orn_") {
                m.pre_annotations.insert(h.clone(), h.clone());
            } else if h == "side" {
                m.both_annotations.insert(h.clone(), columns::SIDE.into());
            }
        }
        Some(m)
    }
}

/// Column indices of a mapping in one header.
struct Resolved {
    pre: usize,
    post: usize,
    count: usize,
    nt: Option<usize>,
    post_nt: Option<usize>,
    key: Option<usize>,
    /// (field, annotation name, applies to pre, applies to post)
    annotations: Vec<(usize, String, bool, bool)>,
}

fn resolve(m: &EdgeColumns, header: &Header) -> Result<Resolved, LoadError> {
    let expected = format!(
        "an edge table with columns {}, {}, {}",
        m.pre, m.post, m.count
    );
    let req = |c: &str| header.require(c, &expected);
    let opt = |c: &Option<String>| c.as_ref().map(|c| req(c)).transpose();
    let mut annotations = Vec::new();
    for (map, pre, post) in [
        (&m.pre_annotations, true, false),
        (&m.post_annotations, false, true),
        (&m.both_annotations, true, true),
    ] {
        for (col, name) in map {
            annotations.push((req(col)?, name.clone(), pre, post));
        }
    }
    Ok(Resolved {
        pre: req(&m.pre)?,
        post: req(&m.post)?,
        count: req(&m.count)?,
        nt: opt(&m.transmitter)?,
        post_nt: opt(&m.post_transmitter)?,
        key: opt(&m.key)?,
        annotations,
    })
}

/// Parses transmitter names with a tiny cache: a file repeats a handful of spellings
/// millions of times, and `Transmitter::parse` lowercases into a new `String`.
#[derive(Default)]
pub(crate) struct NtCache(Vec<(Vec<u8>, Transmitter)>);

impl NtCache {
    pub(crate) fn parse(&mut self, b: &[u8]) -> Transmitter {
        if let Some((_, t)) = self.0.iter().find(|(k, _)| k == b) {
            return *t;
        }
        let t = Transmitter::parse(&String::from_utf8_lossy(b));
        if self.0.len() < 64 {
            self.0.push((b.to_vec(), t));
        }
        t
    }
}

/// Reads edge rows from `reader` into `rows`, mapping ids through `ids` (which adds new
/// neurons to `table`, or rejects unknown ids when closed). `columns = None` recognises a
/// published layout from the header.
pub fn read_edges<R: BufRead + Send>(
    reader: R,
    file: &Path,
    columns: Option<&EdgeColumns>,
    table: &mut NeuronTable,
    ids: &mut IdMap,
    rows: &mut EdgeRows,
    opts: &LoadParams,
) -> Result<(), LoadError> {
    let mut r = TableReader::new(reader, file).with_max_line_bytes(opts.max_line_bytes);
    let header = r.header()?.clone();
    let detected;
    let m = match columns {
        Some(m) => m,
        None => {
            detected = EdgeColumns::detect(&header.names).ok_or_else(|| LoadError::MissingColumn {
                location: r.location(1, None).into(),
                column: "pre".into(),
                found: header.names.join(", "),
                expected: "an edge table: `pre,post,weight` or a published layout (pre_root_id/post_root_id/syn_count, \
                           bodyId_pre/bodyId_post/weight, source_bid/target_bid/syn_count, pre_id/post_id/syn_count), \
                           or pass a column mapping"
                    .into(),
            })?;
            &detected
        }
    };
    let c = resolve(m, &header)?;
    if c.annotations.is_empty() {
        let f = super::edge_blocks::Fields {
            width: header.names.len(),
            pre: c.pre,
            post: c.post,
            count: c.count,
            nt: c.nt,
            post_nt: c.post_nt,
            key: c.key,
            signed: m.signed,
            delimiter: r.delimiter(),
        };
        let first_line = r.next_line();
        return super::edge_blocks::read_blocks(
            r.into_inner(),
            file,
            &header.names,
            &f,
            first_line,
            table,
            ids,
            rows,
            opts,
        );
    }
    let names = &header.names;
    let mut nt_cache = NtCache::default();
    let mut rec = Record::default();
    let mut any = false;
    while r.next_record(&mut rec)? {
        any = true;
        let line = rec.line;
        let id = |i: usize| {
            parse_id(rec.bytes(i)).ok_or_else(|| {
                LoadError::invalid(
                    r.location(line, Some(&names[i])),
                    format!(
                        "`{}` is not a neuron id; expected a non-negative integer",
                        String::from_utf8_lossy(rec.bytes(i))
                    ),
                )
            })
        };
        let (pre_id, post_id) = (id(c.pre)?, id(c.post)?);
        let count = parse_count(rec.bytes(c.count)).map_err(|what| {
            LoadError::invalid(
                r.location(line, Some(&names[c.count])),
                format!("found {what}; expected an integer synapse count"),
            )
        })?;
        if !m.signed && count < 0 {
            return Err(LoadError::invalid(
                r.location(line, Some(&names[c.count])),
                format!("found a negative count ({count}); expected a synapse count >= 0"),
            ));
        }
        let count = i32::try_from(count).map_err(|_| {
            LoadError::invalid(
                r.location(line, Some(&names[c.count])),
                "count does not fit a 32-bit synapse count",
            )
        })?;
        let mut index = |id: u64, col: usize| {
            ids.get_or_insert(id, table).ok_or_else(|| {
                LoadError::invalid(
                    r.location(line, Some(&names[col])),
                    format!("neuron {id} is not in the neuron table; expected an id that the neuron table lists"),
                )
            })
        };
        let pre = index(pre_id, c.pre)?;
        let post = index(post_id, c.post)?;
        let nt =
            c.nt.map_or(Transmitter::Unknown, |i| nt_cache.parse(rec.bytes(i)));
        if nt != Transmitter::Unknown && table.transmitter(pre) == Transmitter::Unknown {
            table.set_transmitter(pre, nt);
        }
        if let Some(i) = c.post_nt {
            let t = nt_cache.parse(rec.bytes(i));
            if t != Transmitter::Unknown && table.transmitter(post) == Transmitter::Unknown {
                table.set_transmitter(post, t);
            }
        }
        let key = c.key.map_or(0, |k| rows.key_code(rec.bytes(k)));
        let (value, defer) = if m.signed {
            (count, false)
        } else if nt != Transmitter::Unknown {
            (count * opts.sign_rule.sign(nt), false)
        } else {
            (count, true)
        };
        rows.push(pre, post, value, key, defer, line);
        for (field, name, on_pre, on_post) in &c.annotations {
            let v = super::annotations::text(&rec, *field, &r, line, &names[*field])?.trim();
            if v.is_empty() {
                continue;
            }
            let v = if name == columns::SIDE {
                normalize_side(v)
            } else {
                v
            };
            for (yes, n) in [(*on_pre, pre), (*on_post, post)] {
                if yes && table.annotation(n, name).is_empty() {
                    table.set_annotation(n, name, v);
                }
            }
        }
    }
    if !any {
        return Err(LoadError::invalid(
            r.location(2, None),
            "no edge rows after the header; expected at least one edge",
        ));
    }
    Ok(())
}

/// Reads a whole edge CSV from `reader` into a [`Connectome`] (neurons = ids in the file).
pub fn load_reader<R: BufRead + Send>(
    reader: R,
    file: &Path,
    opts: &LoadParams,
) -> Result<Connectome, LoadError> {
    let mut table = NeuronTable::new();
    let mut ids = IdMap::new(&table, false);
    let mut rows = EdgeRows::new(file);
    read_edges(
        reader,
        file,
        opts.columns.as_ref(),
        &mut table,
        &mut ids,
        &mut rows,
        opts,
    )?;
    attach_all(opts, &mut table)?;
    let synapses = rows.finish(&table, &opts.sign_rule)?;
    let mut sources = vec![file.to_path_buf()];
    sources.extend(opts.annotations.iter().cloned());
    Ok(Connectome {
        format: Format::EdgeList.name().into(),
        sources,
        neurons: table,
        synapses,
        synthetic: None,
    })
}

/// Loads an edge CSV (plain or .gz). With `opts.neuron_tables`, those tables fix the
/// neuron set (neurons without an edge are kept; an edge naming an unlisted id is an error).
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    if !opts.neuron_tables.is_empty() {
        return load_with_tables(Some(path), &[], Format::EdgeList, opts);
    }
    load_reader(open(path)?, path, opts)
}

/// Loads neuron tables (which then fix the neuron set) and, if given, an edge file whose
/// ids must all be in those tables; then attaches `opts.annotations`. Shared by the Codex
/// and neuPrint loaders.
pub(crate) fn load_with_tables(
    edges: Option<&Path>,
    tables: &[std::path::PathBuf],
    format: Format,
    opts: &LoadParams,
) -> Result<Connectome, LoadError> {
    use super::annotations::{Mode, attach_file};
    let mut table = NeuronTable::new();
    let mut sources = Vec::new();
    for t in tables.iter().chain(&opts.neuron_tables) {
        attach_file(t, &mut table, Mode::AddAll, opts)?;
        sources.push(t.clone());
    }
    let mut ids = IdMap::new(&table, !sources.is_empty());
    let synapses = match edges {
        Some(e) => {
            let mut rows = EdgeRows::new(e);
            read_edges(
                open(e)?,
                e,
                opts.columns.as_ref(),
                &mut table,
                &mut ids,
                &mut rows,
                opts,
            )?;
            sources.push(e.to_path_buf());
            attach_all(opts, &mut table)?;
            rows.finish(&table, &opts.sign_rule)?
        }
        None => {
            attach_all(opts, &mut table)?;
            crate::SynapseMatrix::empty(table.len())
        }
    };
    sources.extend(opts.annotations.iter().cloned());
    Ok(Connectome {
        format: format.name().into(),
        sources,
        neurons: table,
        synapses,
        synthetic: None,
    })
}

/// Files of `dir` whose lowercase names are in `names`, in the order of `names`.
pub(crate) fn files_named(dir: &Path, names: &[&str]) -> Vec<std::path::PathBuf> {
    names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}
