//! The selector syntax tree and its canonical text form.

use std::fmt;

use regex::Regex;

use crate::transmitter::Transmitter;

/// A boolean expression over tests. `And`/`Or` are n-ary and never directly contain a node of
/// their own kind (the parser flattens them), so equal meaning implies equal trees for the
/// forms `Display` writes and the parser reads back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    All,
    Test(Test),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// One leaf test.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// `COLUMN=V,..` or `COLUMN!=V,..`.
    Equals {
        column: Column,
        negate: bool,
        values: Vec<String>,
    },
    /// `COLUMN~RE,..` or `COLUMN!~RE,..`.
    Matches {
        column: Column,
        negate: bool,
        patterns: Vec<Pattern>,
    },
    /// `nt=..` / `nt!=..`.
    Transmitter {
        negate: bool,
        values: Vec<Transmitter>,
    },
    /// `id=..` / `id!=..`.
    Ids { negate: bool, ids: Vec<u64> },
    /// `id@FILE`.
    IdFile { path: String },
}

/// An annotation column name; `quoted` remembers that it was written in quotes (needed to
/// round-trip reserved names such as `"nt"`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub name: String,
    pub quoted: bool,
}

/// A regular expression as written, plus its compiled, whole-value-anchored form.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub source: String,
    pub regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Names that mean something other than an annotation column when written bare.
pub(crate) const RESERVED: [&str; 4] = ["all", "id", "nt", "transmitter"];

/// Characters allowed in a bare column name.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Characters allowed in a bare value.
pub(crate) fn is_bare_value_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, ',' | '&' | '|' | '(' | ')' | '"' | '\'')
}

fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

fn write_value(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if !s.is_empty() && s.chars().all(is_bare_value_char) {
        f.write_str(s)
    } else {
        write_quoted(f, s)
    }
}

fn write_list<T>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    mut one: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            f.write_str(",")?;
        }
        one(f, item)?;
    }
    Ok(())
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bare_ok = !self.name.is_empty()
            && self.name.chars().all(is_ident_char)
            && !RESERVED.contains(&self.name.as_str());
        if bare_ok && !self.quoted {
            f.write_str(&self.name)
        } else {
            write_quoted(f, &self.name)
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = |negate: bool| if negate { "!" } else { "" };
        match self {
            Test::Equals {
                column,
                negate,
                values,
            } => {
                write!(f, "{column}{}=", neg(*negate))?;
                write_list(f, values, |f, v| write_value(f, v))
            }
            Test::Matches {
                column,
                negate,
                patterns,
            } => {
                write!(f, "{column}{}~", neg(*negate))?;
                write_list(f, patterns, |f, p| write_value(f, &p.source))
            }
            Test::Transmitter { negate, values } => {
                write!(f, "nt{}=", neg(*negate))?;
                write_list(f, values, |f, t| f.write_str(t.name()))
            }
            Test::Ids { negate, ids } => {
                write!(f, "id{}=", neg(*negate))?;
                write_list(f, ids, |f, id| write!(f, "{id}"))
            }
            Test::IdFile { path } => {
                f.write_str("id@")?;
                write_value(f, path)
            }
        }
    }
}

impl Expr {
    /// Binding strength: higher binds tighter.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Or(_) => 1,
            Expr::And(_) => 2,
            Expr::Not(_) | Expr::All | Expr::Test(_) => 3,
        }
    }

    fn fmt_child(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All => f.write_str("all"),
            Expr::Test(t) => t.fmt(f),
            Expr::Not(e) => {
                f.write_str("!")?;
                e.fmt_child(f, 3)
            }
            Expr::And(items) | Expr::Or(items) => {
                let (sep, min) = if matches!(self, Expr::And(_)) {
                    (" & ", 3)
                } else {
                    (" | ", 2)
                };
                for (k, e) in items.iter().enumerate() {
                    if k > 0 {
                        f.write_str(sep)?;
                    }
                    e.fmt_child(f, min)?;
                }
                Ok(())
            }
        }
    }
}
