//! Composition: a TOML manifest that loads several sources and merges them into one
//! network, optionally joining a brain to a nerve cord through published descending-neuron
//! type matches (e.g. `dataset:manc-vnc/fafb_to_manc.csv`).
//!
//! ```toml
//! # Paths are relative to the manifest's directory.
//! [[source]]
//! path = "flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"
//! namespace = "fafb"                 # optional, see "Ids" below
//! annotations = ["flywire-783-annotations/classification_with_cell_types.csv.gz"]
//! # format = "edge-list"             # optional; detected otherwise
//! # neuron_tables = [...]            # optional; they fix the source's neuron set
//! # [source.columns]                 # optional edge column mapping (EdgeColumns)
//!
//! [[source]]
//! path = "manc-vnc/data_set_intrinsic_T1.csv"
//! namespace = "manc"
//!
//! [[join]]
//! matches = "manc-vnc/fafb_to_manc.csv"   # columns "FAFB DN name", "MANC DN name"
//! brain = "fafb"                            # namespaces joined
//! cord = "manc"
//! # link_weight = 200                       # synapse count of each link edge
//! ```
//!
//! **Ids.** Two datasets' ids can collide (MANC bodyIds are small integers, and nothing
//! stops two exports using the same numbers). Each distinct namespace, in order of first
//! appearance, gets the id offset `k x 10^18` (k = 0, 1, 2, ...); sources without a
//! namespace share the namespace "" like any other. A neuron's composed id is its dataset id
//! plus its offset, so the first namespace keeps its ids unchanged (FlyWire root ids stay
//! valid when the brain is listed first) and `id % 10^18` recovers any dataset id. A source
//! may set `id_offset` explicitly. Sources in the same namespace are merged by id: a neuron
//! listed by several keeps the first non-empty value of each annotation and the first known
//! transmitter; edges given by several are summed, or, with `overlap = "max"` at the top
//! of the manifest, the count of largest magnitude is kept (for overlapping published
//! subsets of one connectome, which report the same synapses). Every neuron of a named
//! namespace gets the annotation `namespace`.
//!
//! **Joining.** For each matched type pair, every brain neuron whose `type` is the brain
//! type gets a link edge to every cord neuron of the cord type, restricted to the same side
//! when both neurons have a `side` annotation. We add link edges rather than merging the two
//! neurons because the datasets disagree on counts (a FAFB type may have one neuron per side
//! where MANC has two, and the MANC subsets carry no sides), so a merge would have to drop
//! or invent neurons; a link keeps both intact, keeps each dataset's wiring unchanged, and
//! makes the relay explicit and tunable. The default link weight (200 synapses) is a relay:
//! with the Shiu et al. 2024 parameters (0.275 mV per synapse, tau = 5 ms, t_mbr = 20 ms) a
//! single event of `w` peaks at about 0.16 x w in the membrane, so 200 x 0.275 mV reaches
//! about 8.7 mV, above the 7 mV from rest to threshold: one brain DN spike drives one cord
//! partner spike. Linked neurons are annotated `cord_partner_type` / `brain_partner_type`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::edge_list::EdgeColumns;
use super::{Format, LoadParams};
use crate::Connectome;
use crate::error::{LoadError, Location};
use crate::neuron::{NeuronIndex, NeuronTable, columns};
use crate::synapse_matrix::EdgeListBuilder;
use crate::table_reader::{Record, TableReader, open};

/// Id offset step between namespaces (see the module doc).
pub const NAMESPACE_STRIDE: u64 = 1_000_000_000_000_000_000;
/// Default synapse count of a join link edge (see the module doc).
pub const DEFAULT_LINK_WEIGHT: i32 = 200;

/// How a (pre, post) pair given by several sources of one namespace is merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// Counts are added: the sources hold different synapses (e.g. per-neuropil files).
    #[default]
    Sum,
    /// The count of largest magnitude is kept: the sources are overlapping subsets of one
    /// connectome that report the same synapses (e.g. a circuit's every pair beside a
    /// subgraph holding its >= 5-synapse pairs), so adding would count them twice.
    Max,
}

/// A composition manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// How pairs given by several sources are merged (default: summed).
    #[serde(default)]
    pub overlap: Overlap,
    /// The sources, merged in order.
    #[serde(default)]
    pub source: Vec<Source>,
    /// Brain-to-cord joins applied after merging.
    #[serde(default)]
    pub join: Vec<Join>,
}

/// One source of a manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// File or directory, relative to the manifest.
    pub path: PathBuf,
    /// Format name; detected when absent.
    pub format: Option<String>,
    /// Id namespace (default "").
    #[serde(default)]
    pub namespace: String,
    /// Explicit id offset instead of the namespace's.
    pub id_offset: Option<u64>,
    /// Edge column mapping.
    pub columns: Option<EdgeColumns>,
    /// Neuron tables fixing the neuron set.
    #[serde(default)]
    pub neuron_tables: Vec<PathBuf>,
    /// Annotation tables attached to the source's neurons.
    #[serde(default)]
    pub annotations: Vec<PathBuf>,
    /// Whether tables published beside the file are read (default true).
    pub tables_beside: Option<bool>,
}

/// A brain-to-cord join through a type match table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// The match table (CSV), relative to the manifest.
    pub matches: PathBuf,
    /// Namespace of the brain source(s).
    pub brain: String,
    /// Namespace of the cord source(s).
    pub cord: String,
    /// Column of brain types in the match table.
    #[serde(default = "default_brain_column")]
    pub brain_column: String,
    /// Column of cord types in the match table.
    #[serde(default = "default_cord_column")]
    pub cord_column: String,
    /// Synapse count of each link edge.
    #[serde(default = "default_link_weight")]
    pub link_weight: i32,
}

fn default_brain_column() -> String {
    "FAFB DN name".into()
}
fn default_cord_column() -> String {
    "MANC DN name".into()
}
fn default_link_weight() -> i32 {
    DEFAULT_LINK_WEIGHT
}

/// Parses a manifest's text; `file` names it in errors (with the line of a TOML error).
pub fn parse_manifest(text: &str, file: &Path) -> Result<Manifest, LoadError> {
    toml::from_str(text).map_err(|e| {
        let mut loc = Location::file(file);
        if let Some(span) = e.span() {
            loc = loc.at_line(1 + text[..span.start.min(text.len())].matches('\n').count() as u64);
        }
        LoadError::invalid(
            loc,
            format!(
                "{}; expected a manifest of [[source]] and [[join]] tables",
                e.message()
            ),
        )
    })
}

/// Loads the manifest at `path` and composes its sources.
pub fn load(path: &Path, opts: &LoadParams) -> Result<Connectome, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, e))?;
    let manifest = parse_manifest(&text, path)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    compose(&manifest, &base, path, opts)
}

/// One loaded source with where its ids go.
struct Part {
    c: Connectome,
    offset: u64,
    namespace: String,
}

/// Composes a parsed manifest; relative paths are resolved against `base`.
pub fn compose(
    manifest: &Manifest,
    base: &Path,
    file: &Path,
    opts: &LoadParams,
) -> Result<Connectome, LoadError> {
    if manifest.source.is_empty() {
        return Err(LoadError::invalid(
            Location::file(file),
            "no [[source]] tables; expected at least one source",
        ));
    }
    let mut namespaces: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for s in &manifest.source {
        if !namespaces.contains(&s.namespace.as_str()) {
            namespaces.push(&s.namespace);
        }
        let k = namespaces
            .iter()
            .position(|n| *n == s.namespace)
            .expect("pushed above") as u64;
        let format = s
            .format
            .as_deref()
            .map(|f| {
                f.parse::<Format>()
                    .map_err(|e| LoadError::invalid(Location::file(file), e.to_string()))
            })
            .transpose()?;
        let path = LoadError::resolve(file, base, &s.path, opts)?;
        // Detected as well as named: a manifest listing itself (or another manifest that
        // lists it back) recursed until the stack overflowed.
        let resolved = match format {
            Some(f) => f,
            None => super::detect::detect(&path)?,
        };
        if resolved == Format::Manifest {
            return Err(LoadError::invalid(
                Location::file(file),
                format!(
                    "source `{}` is a manifest; expected a dataset file or folder (a source \
                     cannot itself be a manifest)",
                    s.path.display()
                ),
            ));
        }
        let sub = LoadParams {
            format,
            columns: s.columns.clone(),
            neuron_tables: s
                .neuron_tables
                .iter()
                .map(|p| LoadError::resolve(file, base, p, opts))
                .collect::<Result<_, _>>()?,
            annotations: s
                .annotations
                .iter()
                .map(|p| LoadError::resolve(file, base, p, opts))
                .collect::<Result<_, _>>()?,
            tables_beside: s.tables_beside.unwrap_or(opts.tables_beside),
            ..opts.clone()
        };
        let c = super::load(&path, &sub)?;
        let offset = s.id_offset.unwrap_or(k * NAMESPACE_STRIDE);
        parts.push(Part {
            c,
            offset,
            namespace: s.namespace.clone(),
        });
    }
    let mut merged = merge(&parts, file, manifest.overlap)?;
    for j in &manifest.join {
        join(&mut merged, j, base, file, opts)?;
    }
    merged.sources.push(file.to_path_buf());
    Ok(merged)
}

/// Merges loaded parts into one network (see the module doc for the rules).
fn merge(parts: &[Part], file: &Path, overlap: Overlap) -> Result<Connectome, LoadError> {
    let mut table = NeuronTable::new();
    let mut edges = EdgeListBuilder::new();
    let mut sources = Vec::new();
    for p in parts {
        let src = &p.c.neurons;
        let mut map: Vec<NeuronIndex> = Vec::with_capacity(src.len());
        for i in 0..src.len() as NeuronIndex {
            let id = src.id(i);
            let composed = id.checked_add(p.offset).filter(|_| p.offset == 0 || id < NAMESPACE_STRIDE).ok_or_else(|| {
                LoadError::invalid(
                    Location::file(p.c.sources.first().map_or(file, |s| s.as_path())),
                    format!("neuron id {id} does not fit namespace `{}` (offset {}); expected ids below 10^18", p.namespace, p.offset),
                )
            })?;
            let (m, _) = table.insert(composed);
            if table.transmitter(m) == crate::Transmitter::Unknown {
                table.set_transmitter(m, src.transmitter(i));
            }
            if !p.namespace.is_empty() {
                table.set_annotation(m, "namespace", &p.namespace);
            }
            map.push(m);
        }
        let names: Vec<String> = src.column_names().map(str::to_owned).collect();
        for name in &names {
            let col = src.column(name).expect("listed");
            for (i, &code) in col.codes().iter().enumerate() {
                let m = map[i];
                if code != 0 && table.annotation(m, name).is_empty() {
                    table.set_annotation(m, name, &col.dictionary()[code as usize]);
                }
            }
        }
        for (pre, post, w) in p.c.synapses.iter() {
            edges.push(map[pre as usize], map[post as usize], w);
        }
        sources.extend(p.c.sources.iter().cloned());
    }
    if overlap == Overlap::Max {
        edges = keep_largest(edges);
    }
    let synapses = edges
        .try_build(table.len())
        .map_err(|pair| super::edges::overflow_error(file, &table, pair))?;
    Ok(Connectome {
        format: Format::Manifest.name().into(),
        sources,
        neurons: table,
        synapses,
        synthetic: None,
    })
}

/// One edge per pair: the count of largest magnitude (the first on a tie).
fn keep_largest(mut edges: EdgeListBuilder) -> EdgeListBuilder {
    let mut out = EdgeListBuilder::with_capacity(edges.len());
    let mut all = edges.drain();
    all.sort_by_key(|&(a, b, _)| (a, b));
    let mut k = 0;
    while k < all.len() {
        let (a, b, mut w) = all[k];
        k += 1;
        while k < all.len() && (all[k].0, all[k].1) == (a, b) {
            if all[k].2.unsigned_abs() > w.unsigned_abs() {
                w = all[k].2;
            }
            k += 1;
        }
        out.push(a, b, w);
    }
    out
}

/// Adds the link edges of one join.
fn join(
    c: &mut Connectome,
    j: &Join,
    base: &Path,
    file: &Path,
    opts: &LoadParams,
) -> Result<(), LoadError> {
    let path = LoadError::resolve(file, base, &j.matches, opts)?;
    let mut r = TableReader::new(open(&path)?, &path).with_max_line_bytes(opts.max_line_bytes);
    let expected = format!(
        "a type match table with columns `{}` and `{}`",
        j.brain_column, j.cord_column
    );
    let header = r.header()?.clone();
    let (bc, cc) = (
        header.require(&j.brain_column, &expected)?,
        header.require(&j.cord_column, &expected)?,
    );
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut rec = Record::default();
    while r.next_record(&mut rec)? {
        let line = rec.line;
        let b = super::annotations::text(&rec, bc, &r, line, &j.brain_column)?.trim();
        let k = super::annotations::text(&rec, cc, &r, line, &j.cord_column)?.trim();
        if !b.is_empty() && !k.is_empty() {
            pairs.insert((b.to_owned(), k.to_owned()));
        }
    }
    let t = &c.neurons;
    let by_type = |ns: &str| {
        let mut m: HashMap<&str, Vec<NeuronIndex>> = HashMap::new();
        for i in 0..t.len() as NeuronIndex {
            if t.annotation(i, "namespace") == ns {
                m.entry(t.annotation(i, columns::TYPE)).or_default().push(i);
            }
        }
        m
    };
    let (brain, cord) = (by_type(&j.brain), by_type(&j.cord));
    let mut links: BTreeMap<(NeuronIndex, NeuronIndex), (String, String)> = BTreeMap::new();
    for (bt, ct) in &pairs {
        let (Some(bs), Some(cs)) = (brain.get(bt.as_str()), cord.get(ct.as_str())) else {
            continue;
        };
        for &b in bs {
            for &k in cs {
                let (sb, sk) = (
                    t.annotation(b, columns::SIDE),
                    t.annotation(k, columns::SIDE),
                );
                if sb.is_empty() || sk.is_empty() || sb == sk {
                    links.insert((b, k), (bt.clone(), ct.clone()));
                }
            }
        }
    }
    if links.is_empty() {
        return Err(LoadError::invalid(
            Location::file(file),
            format!(
                "join through {} linked no neurons: no `type` of namespace `{}` matched one of namespace `{}`; \
                 expected matched descending-neuron types in both",
                path.display(),
                j.brain,
                j.cord
            ),
        ));
    }
    let mut edges = EdgeListBuilder::with_capacity(c.n_edges() + links.len());
    for (pre, post, w) in c.synapses.iter() {
        edges.push(pre, post, w);
    }
    for (&(b, k), (bt, ct)) in &links {
        edges.push(b, k, j.link_weight);
        c.neurons.set_annotation(b, "cord_partner_type", ct);
        c.neurons.set_annotation(k, "brain_partner_type", bt);
    }
    c.synapses = edges
        .try_build(c.neurons.len())
        .map_err(|pair| super::edges::overflow_error(&path, &c.neurons, pair))?;
    c.sources.push(path);
    Ok(())
}
