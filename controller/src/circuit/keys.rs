//! Where each key of a TOML file is, so that problems found after parsing (a selector that
//! selects nothing, a rate above the limit) can name their line, and a parser error can name
//! its key. serde does not keep positions; this walks the document once with toml's
//! span-keeping parser and records every key path (`sensor[0].encoding.max_hz`).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One key: its path, the span of the key text and the span of its value.
#[derive(Debug, Clone)]
struct Entry {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
}

/// Key paths of a TOML text with their positions.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    text_lines: Vec<usize>,
    entries: Vec<Entry>,
    /// Paths of float values that are NaN or infinite, with their spans.
    non_finite: Vec<(String, String, Range<usize>)>,
}

impl KeyIndex {
    /// Indexes `text`; a text that does not parse gives an empty index (the deserializer
    /// reports the syntax error with its own span).
    pub fn new(text: &str) -> KeyIndex {
        let mut idx = KeyIndex {
            text_lines: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
            ..Default::default()
        };
        if let Ok(doc) = DeTable::parse(text) {
            idx.walk_table(doc.get_ref(), "");
        }
        idx
    }

    fn walk_table(&mut self, t: &DeTable<'_>, prefix: &str) {
        for (k, v) in t.iter() {
            let path = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            self.entries.push(Entry {
                path: path.clone(),
                key: k.span(),
                value: v.span(),
            });
            self.walk_value(v.get_ref(), v.span(), &path);
        }
    }

    fn walk_value(&mut self, v: &DeValue<'_>, span: Range<usize>, path: &str) {
        match v {
            DeValue::Float(f) if !f.as_str().parse::<f64>().is_ok_and(f64::is_finite) => {
                self.non_finite
                    .push((path.to_owned(), f.as_str().to_owned(), span));
            }
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    self.entries.push(Entry {
                        path: p.clone(),
                        key: item.span(),
                        value: item.span(),
                    });
                    self.walk_value(item.get_ref(), item.span(), &p);
                }
            }
            DeValue::Table(t) => self.walk_table(t, path),
            _ => {}
        }
    }

    /// 1-based (line, column) of byte offset `at`.
    pub fn line_column(&self, text: &str, at: usize) -> (usize, usize) {
        let line = self.text_lines.partition_point(|&s| s <= at).max(1);
        let start = self.text_lines[line - 1];
        let col = text
            .get(start..at.min(text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// Position of the key `path`, else of its nearest listed ancestor (`a.b[2].c` ->
    /// `a.b[2]` -> `a.b` -> `a`).
    pub fn locate(&self, text: &str, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(e) = self.entries.iter().find(|e| e.path == p) {
                return Some(self.line_column(text, e.key.start));
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// The deepest key whose key or value span holds byte offset `at` (for parser errors,
    /// which carry a span but not a key).
    pub fn key_at(&self, at: usize) -> Option<&str> {
        self.entries
            .iter()
            .filter(|e| e.key.contains(&at) || e.value.contains(&at))
            .max_by_key(|e| (e.path.len(), std::cmp::Reverse(e.value.len())))
            .map(|e| e.path.as_str())
    }

    /// NaN and infinite floats: (key path, literal, span).
    pub fn non_finite(&self) -> &[(String, String, Range<usize>)] {
        &self.non_finite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lines_and_non_finite_values() {
        let text = "name = \"x\"\n[[sensor]]\nname = \"a\"\nencoding = { max_hz = nan }\n\n[[sensor]]\ngain.hunger = 1.5\n";
        let k = KeyIndex::new(text);
        // A dotted key is located at its last part.
        assert_eq!(k.locate(text, "sensor[1].gain.hunger"), Some((7, 6)));
        assert_eq!(k.locate(text, "sensor[0].encoding.max_hz"), Some((4, 14)));
        // An absent key falls back to its parent.
        assert_eq!(k.locate(text, "sensor[0].encoding.half_at"), Some((4, 1)));
        assert_eq!(k.non_finite().len(), 1);
        assert_eq!(k.non_finite()[0].0, "sensor[0].encoding.max_hz");
        let at = text.find("1.5").unwrap();
        assert_eq!(k.key_at(at), Some("sensor[1].gain.hunger"));
    }
}
