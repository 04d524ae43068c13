//! Key paths into an experiment: `agent.hunger`, `events[0].side` (or `events.0.side`), the
//! one notation sweeps, scripts ([`Experiment::set`](super::Experiment::set)) and the command
//! line (`--set`) use to name a value of the experiment file.

use std::fmt;

use toml::Value;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    /// A key of a table.
    Key(String),
    /// An entry of an array (`events[0]`, the first `[[events]]`).
    Index(usize),
}

impl KeyPart {
    /// Appends this part to a key path's text: `.name` (`name` first) or `[i]`.
    fn write_to(&self, text: &mut String) {
        match self {
            KeyPart::Key(k) if text.is_empty() => text.push_str(k),
            KeyPart::Key(k) => {
                text.push('.');
                text.push_str(k);
            }
            KeyPart::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
}

/// A key path into the experiment document, e.g. `events[0].at_s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    /// Its canonical text, the one notation of keys everywhere (`events.0.at_s` is written
    /// `events[0].at_s`, as error messages name keys); column name in the tables.
    pub text: String,
    /// The steps.
    pub segments: Vec<KeyPart>,
}

impl KeyPath {
    /// Parses `a.b[0].c` (or `a.b.0.c`, the same key).
    pub fn parse(s: &str) -> Result<KeyPath, String> {
        let mut segments = Vec::new();
        for part in s.trim().split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if name.is_empty() && rest.is_empty() {
                return Err(format!("`{s}` is not a key (empty part)"));
            }
            if !name.is_empty() {
                if !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!("`{s}` is not a key (`{name}`)"));
                }
                segments.push(match name.parse::<usize>() {
                    Ok(i) => KeyPart::Index(i),
                    Err(_) => KeyPart::Key(name.to_string()),
                });
            }
            while !rest.is_empty() {
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("`{s}` is not a key (unclosed `[`)"))?;
                let i = rest[1..close]
                    .parse::<usize>()
                    .map_err(|_| format!("`{s}` is not a key (`{}`)", &rest[..=close]))?;
                segments.push(KeyPart::Index(i));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("`{s}` is not a key (`{rest}`)"));
                }
            }
        }
        if !matches!(segments.first(), Some(KeyPart::Key(_))) {
            return Err(format!("`{s}` is not a key (it must start with a name)"));
        }
        let mut text = String::new();
        for g in &segments {
            g.write_to(&mut text);
        }
        Ok(KeyPath { text, segments })
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Sets `key` in `doc`. Missing tables on the way are created (optional tables such as
/// `[agent]` may be absent from the file; the experiment's own validation then refuses keys
/// it does not know); a missing array entry is an error (which entry would it be?).
pub(crate) fn set_path(doc: &mut Value, key: &KeyPath, value: Value) -> Result<(), String> {
    let mut cur = doc;
    let mut walked = String::new();
    let n = key.segments.len();
    for (i, seg) in key.segments.iter().enumerate() {
        let last = i + 1 == n;
        let here = if walked.is_empty() {
            "the experiment".to_string()
        } else {
            format!("`{walked}`")
        };
        match seg {
            KeyPart::Key(k) => {
                let Value::Table(t) = cur else {
                    return Err(format!("{here} is {}, not a table", kind(cur)));
                };
                if last {
                    t.insert(k.clone(), value);
                    return Ok(());
                }
                if !t.contains_key(k) {
                    if matches!(key.segments[i + 1], KeyPart::Index(_)) {
                        return Err(format!("{here} has no `{k}` entries"));
                    }
                    t.insert(k.clone(), Value::Table(toml::Table::new()));
                }
                cur = t.get_mut(k).expect("present");
            }
            KeyPart::Index(j) => {
                let Value::Array(a) = cur else {
                    return Err(format!("{here} is {}, not an array", kind(cur)));
                };
                let len = a.len();
                if *j >= len {
                    return Err(format!(
                        "{here} has {len} entr{} (indices 0..{}), no entry {j}",
                        if len == 1 { "y" } else { "ies" },
                        len.saturating_sub(1)
                    ));
                }
                if last {
                    a[*j] = value;
                    return Ok(());
                }
                cur = &mut a[*j];
            }
        }
        seg.write_to(&mut walked);
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}
