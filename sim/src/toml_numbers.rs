//! Checks shared by the body, scene and experiment files: every number must be finite and fit
//! an `f32`, and a fixed-length list must have exactly its length.
//!
//! TOML has `nan` and `inf` literals, and a literal such as `1e39` becomes an infinite `f32`;
//! either would flow into the physics as silently wrong state (or a panic deep in a
//! library). Range checks per field cannot see every number (positions, angles, motor
//! parameters), so this walks the parsed document once and names each bad value's key,
//! line and column.

use toml::de::{DeTable, DeValue};

/// One problem per line: `` `key.path[i]` (line L, column C): expected a finite number that fits a 32-bit float, found X``.
/// Text that does not parse yields no problems (the caller's deserializer reports it).
pub(crate) fn non_finite_numbers(text: &str) -> Vec<String> {
    non_finite(text)
        .into_iter()
        .map(|(key, line, column, message)| {
            format!("`{key}` (line {line}, column {column}): {message}")
        })
        .collect()
}

/// [`non_finite_numbers`] as (key, line, column, message).
pub(crate) fn non_finite(text: &str) -> Vec<(String, usize, usize, String)> {
    let mut out = Vec::new();
    if let Ok(doc) = DeTable::parse(text) {
        walk_table(doc.get_ref(), "", text, &mut out);
    }
    out
}

fn walk_table(
    t: &DeTable<'_>,
    prefix: &str,
    text: &str,
    out: &mut Vec<(String, usize, usize, String)>,
) {
    for (k, v) in t.iter() {
        let key = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        walk_value(v.get_ref(), v.span(), &key, text, out);
    }
}

fn walk_value(
    v: &DeValue<'_>,
    span: std::ops::Range<usize>,
    key: &str,
    text: &str,
    out: &mut Vec<(String, usize, usize, String)>,
) {
    match v {
        DeValue::Float(f) => {
            let ok = f
                .as_str()
                .parse::<f64>()
                .is_ok_and(|x| x.is_finite() && x.abs() <= f32::MAX as f64);
            if !ok {
                let (line, column) = line_column(text, span.start);
                out.push((
                    key.to_owned(),
                    line,
                    column,
                    format!(
                        "expected a finite number that fits a 32-bit float, found {}",
                        f.as_str()
                    ),
                ));
            }
        }
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                walk_value(
                    item.get_ref(),
                    item.span(),
                    &format!("{key}[{i}]"),
                    text,
                    out,
                );
            }
        }
        DeValue::Table(t) => walk_table(t, key, text, out),
        _ => {}
    }
}

/// The 1-based line of every key path of a document (`a.b[2].c` style, as the messages
/// above name them); empty when the text does not parse.
pub(crate) fn key_lines(text: &str) -> std::collections::HashMap<String, usize> {
    fn walk(
        t: &DeTable<'_>,
        prefix: &str,
        text: &str,
        out: &mut std::collections::HashMap<String, usize>,
    ) {
        for (k, v) in t.iter() {
            let key = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            out.insert(key.clone(), line_column(text, k.span().start).0);
            value(v.get_ref(), &key, text, out);
        }
    }
    fn value(
        v: &DeValue<'_>,
        key: &str,
        text: &str,
        out: &mut std::collections::HashMap<String, usize>,
    ) {
        match v {
            DeValue::Table(t) => walk(t, key, text, out),
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let k = format!("{key}[{i}]");
                    out.insert(k.clone(), line_column(text, item.span().start).0);
                    value(item.get_ref(), &k, text, out);
                }
            }
            _ => {}
        }
    }
    let mut out = std::collections::HashMap::new();
    if let Ok(doc) = DeTable::parse(text) {
        walk(doc.get_ref(), "", text, &mut out);
    }
    out
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Deserializes a fixed-length array of numbers, refusing a list of another length: serde's
/// arrays read the first N items of a longer list and drop the rest, so `position = [0, 0, 0]`
/// was taken as (0, 0) without a word.
pub(crate) fn exact_array<'de, D, const N: usize>(d: D) -> Result<[f32; N], D::Error>
where
    D: serde::Deserializer<'de>,
{
    let v: Vec<f32> = serde::Deserialize::deserialize(d)?;
    let n = v.len();
    v.try_into().map_err(|_| {
        serde::de::Error::custom(format!(
            "expected a list of {N} numbers, found {n} number{}",
            if n == 1 { "" } else { "s" }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_key_line_and_column() {
        let text = "a = 1.0\n[b]\nc = [0.0, nan]\nd = { e = -inf }\n[[f]]\ng = 1e39\n";
        let p = non_finite_numbers(text);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("`b.c[1]` (line 3, column 11)") && p[0].ends_with("nan"),
            "{p:?}"
        );
        assert!(p[1].starts_with("`b.d.e` (line 4, column 11)"), "{p:?}");
        assert!(p[2].starts_with("`f[0].g` (line 6, column 5)"), "{p:?}");
        assert!(non_finite_numbers("a = 1.5e38\nb = -3\n").is_empty());
    }
}
