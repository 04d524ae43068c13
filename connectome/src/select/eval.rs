//! Evaluating a selector over a neuron table as one bool per neuron.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ast::{Column, Expr, Test};
use super::error::SelectError;
use crate::error::Location;
use crate::neuron::NeuronTable;

pub(crate) struct Evaluator<'a> {
    pub table: &'a NeuronTable,
    pub base_dir: Option<&'a Path>,
    /// The whole selector, named in error messages.
    pub root: &'a Expr,
}

impl Evaluator<'_> {
    pub fn eval(&self, expr: &Expr) -> Result<Vec<bool>, SelectError> {
        let n = self.table.len();
        Ok(match expr {
            Expr::All => vec![true; n],
            Expr::Test(t) => self.test(t)?,
            Expr::Not(e) => {
                let mut m = self.eval(e)?;
                m.iter_mut().for_each(|b| *b = !*b);
                m
            }
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(expr, Expr::And(_));
                let mut acc = self.eval(&items[0])?;
                for e in &items[1..] {
                    let m = self.eval(e)?;
                    if is_and {
                        acc.iter_mut().zip(&m).for_each(|(a, b)| *a &= *b);
                    } else {
                        acc.iter_mut().zip(&m).for_each(|(a, b)| *a |= *b);
                    }
                }
                acc
            }
        })
    }

    fn test(&self, t: &Test) -> Result<Vec<bool>, SelectError> {
        let table = self.table;
        Ok(match t {
            Test::Equals {
                column,
                negate,
                values,
            } => {
                let wanted: HashSet<&str> = values.iter().map(String::as_str).collect();
                self.by_dictionary(column, *negate, |v| wanted.contains(v))?
            }
            Test::Matches {
                column,
                negate,
                patterns,
            } => self.by_dictionary(column, *negate, |v| {
                patterns.iter().any(|p| p.regex.is_match(v))
            })?,
            Test::Transmitter { negate, values } => table
                .transmitters()
                .iter()
                .map(|t| values.contains(t) != *negate)
                .collect(),
            Test::Ids { negate, ids } => {
                let mut m = vec![*negate; table.len()];
                for &id in ids {
                    let i = table.index_of(id).ok_or_else(|| SelectError::UnknownId {
                        selector: self.root.to_string(),
                        id,
                        at: None,
                    })?;
                    m[i as usize] = !*negate;
                }
                m
            }
            Test::IdFile { path } => {
                let path = match self.base_dir {
                    Some(base) if Path::new(path).is_relative() => base.join(path),
                    _ => PathBuf::from(path),
                };
                let text = std::fs::read_to_string(&path).map_err(|source| SelectError::Io {
                    path: path.clone(),
                    source,
                })?;
                let mut m = vec![false; table.len()];
                // A byte order mark (Windows editors) is not part of the first id.
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                for (k, line) in text.lines().enumerate() {
                    let line = line.split('#').next().unwrap_or("").trim();
                    if line.is_empty() {
                        continue;
                    }
                    let at = Location::file(&path).at_line(k as u64 + 1);
                    let id: u64 = line.parse().map_err(|_| SelectError::BadIdLine {
                        location: at.clone(),
                        found: line.to_owned(),
                    })?;
                    let i = table.index_of(id).ok_or_else(|| SelectError::UnknownId {
                        selector: self.root.to_string(),
                        id,
                        at: Some(at),
                    })?;
                    m[i as usize] = true;
                }
                m
            }
        })
    }

    /// Decides `keep` once per distinct value of the column, then maps every neuron's code.
    fn by_dictionary(
        &self,
        column: &Column,
        negate: bool,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<bool>, SelectError> {
        let col = self
            .table
            .column(&column.name)
            .ok_or_else(|| SelectError::UnknownColumn {
                selector: self.root.to_string(),
                column: column.name.clone(),
                available: self
                    .table
                    .column_names()
                    .chain(["id", "nt"])
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let hit: Vec<bool> = col.dictionary().iter().map(|v| keep(v) != negate).collect();
        Ok(col.codes().iter().map(|&c| hit[c as usize]).collect())
    }
}
