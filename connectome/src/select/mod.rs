//! Neuron selection by annotation, transmitter or id: one syntax for the CLI, circuit maps and
//! experiments.
//!
//! # Syntax
//!
//! A selector is a boolean expression over *tests*; whitespace between tokens is ignored.
//!
//! | test | meaning |
//! | --- | --- |
//! | `COLUMN=VALUE` | annotation `COLUMN` equals `VALUE` exactly (`type=LC4`, `hemibrain_type=LPLC2`, `side=left`) |
//! | `COLUMN=A,B,C` | equals any of the values (`type=DNa01,DNa02`) |
//! | `COLUMN!=VALUE` | the negation of `COLUMN=VALUE` (neurons with no annotation match) |
//! | `COLUMN~REGEX` | the whole value matches the regular expression (anchored: `type~LC4` does not match `LC4a`; write `type~LC4.*` for a prefix); `A,B` = any of them |
//! | `COLUMN!~REGEX` | the negation of `COLUMN~REGEX` |
//! | `nt=gaba` / `transmitter=gaba` | the neuron's transmitter; FlyWire (`GABA`, `ACH`, `GLUT`, `DA`, `SER`, `OCT`), neuPrint and plain spellings, and `unknown` |
//! | `id=1,2,3` / `id!=1` | dataset ids (an id absent from the dataset is an error) |
//! | `id@FILE` | the ids in `FILE`, one per line (blank lines and `#` comments allowed); a relative path is resolved against the base directory given to [`Selector::select_in`], else the working directory |
//! | `all` | every neuron |
//!
//! Combinators, tightest first: `!` (not), `&` (and), `|` (or); parentheses group.
//! `class=gustatory & sub_class=sugar/water | type=MDN` is `(class=gustatory & sub_class=sugar/water) | type=MDN`.
//!
//! Column names are letters, digits, `_`, `.` and `-`. `id`, `nt`, `transmitter` and `all` are
//! reserved; a quoted name (`"nt"=x`) always means the annotation column of that name.
//! Bare values may hold any character except whitespace and `, & | ( ) " '` (so `JO-C`,
//! `sugar/water` and `^LC\d+$` need no quotes). Other values are quoted with `"..."` or
//! `'...'`, where `\"`, `\'` and `\\` escape: `type="a b"`, `type~"LC(4|6)"`. `type=""` selects
//! neurons without a type.
//!
//! # Evaluation
//!
//! [`Selector::select`] gives the matching [`NeuronIndex`]es of a [`NeuronTable`], sorted
//! ascending. Each annotation test is decided once per distinct value of the column (the
//! column's dictionary), then looked up per neuron by code, so a selector over the 139,255
//! FlyWire neurons costs a few passes over a `u32` array.
//!
//! # Example
//! ```
//! use connectome::select::Selector;
//! use connectome::NeuronTable;
//!
//! let mut table = NeuronTable::new();
//! for (id, ty) in [(1, "DNa01"), (2, "DNa02"), (3, "LC4")] {
//!     let (i, _) = table.insert(id);
//!     table.set_annotation(i, "type", ty);
//! }
//! let sel: Selector = "type=DNa01,DNa02 | id=3 & !type~DN.*".parse().unwrap();
//! assert_eq!(sel.select(&table).unwrap(), vec![0, 1, 2]);
//! assert_eq!(sel.to_string(), "type=DNa01,DNa02 | id=3 & !type~DN.*");
//! ```

mod ast;
mod error;
mod eval;
mod parse;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::neuron::{NeuronIndex, NeuronTable};

pub use error::SelectError;

/// A parsed neuron selector; see the [module documentation](self) for the syntax.
///
/// `Display` writes a canonical form that parses back to an equal selector, and serde reads and
/// writes that string form (so circuit maps and experiments hold selectors as TOML strings).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    expr: ast::Expr,
}

impl Selector {
    /// Parses a selector; the error gives the 1-based character position and what was expected.
    pub fn parse(input: &str) -> Result<Selector, SelectError> {
        parse::parse(input).map(|expr| Selector { expr })
    }

    /// The selector that matches every neuron.
    pub fn all() -> Selector {
        Selector {
            expr: ast::Expr::All,
        }
    }

    /// A selector matching exactly these dataset ids.
    pub fn ids(ids: impl IntoIterator<Item = u64>) -> Selector {
        let ids: Vec<u64> = ids.into_iter().collect();
        Selector {
            expr: ast::Expr::Test(ast::Test::Ids { negate: false, ids }),
        }
    }

    /// The neurons of `table` that match, as indexes sorted ascending. `id@FILE` paths are
    /// resolved against the working directory.
    pub fn select(&self, table: &NeuronTable) -> Result<Vec<NeuronIndex>, SelectError> {
        self.select_in(table, None)
    }

    /// Like [`Selector::select`], resolving relative `id@FILE` paths against `base_dir` (for
    /// example the directory of the circuit map that holds the selector).
    pub fn select_in(
        &self,
        table: &NeuronTable,
        base_dir: Option<&Path>,
    ) -> Result<Vec<NeuronIndex>, SelectError> {
        let mask = self.mask_in(table, base_dir)?;
        Ok(mask
            .iter()
            .enumerate()
            .filter(|&(_, &m)| m)
            .map(|(i, _)| i as NeuronIndex)
            .collect())
    }

    /// One bool per neuron of `table` (true = selected), for callers that combine selections.
    pub fn mask_in(
        &self,
        table: &NeuronTable,
        base_dir: Option<&Path>,
    ) -> Result<Vec<bool>, SelectError> {
        eval::Evaluator {
            table,
            base_dir,
            root: &self.expr,
        }
        .eval(&self.expr)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl FromStr for Selector {
    type Err = SelectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

impl Serialize for Selector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Selector::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
