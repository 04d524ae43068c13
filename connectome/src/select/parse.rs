//! Recursive-descent parser for the selector syntax (see the module docs of `select`).
//!
//! Grammar (whitespace allowed between tokens):
//! ```text
//! or     := and ('|' and)*
//! and    := unary ('&' unary)*
//! unary  := '!' unary | '(' or ')' | 'all' | test
//! test   := column ('=' | '!=' | '~' | '!~') value (',' value)*  |  'id' '@' value
//! column := ident | quoted
//! value  := bare | quoted
//! ```

use regex::Regex;

use super::ast::{Column, Expr, Pattern, Test, is_bare_value_char, is_ident_char};
use super::error::SelectError;
use crate::transmitter::Transmitter;

/// Parses a whole selector.
pub(crate) fn parse(input: &str) -> Result<Expr, SelectError> {
    let mut p = Parser {
        input,
        chars: input.chars().collect(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    if p.at_end() {
        return Err(p.error(0, "a selector (e.g. `type=LC4`, `id=1,2`, `all`)"));
    }
    let expr = p.or()?;
    p.skip_ws();
    if !p.at_end() {
        return Err(p.error(p.pos, "`&`, `|` or the end of the selector"));
    }
    Ok(expr)
}

/// Deepest nesting of `(` and `!` accepted: parsing, evaluating and dropping a selector
/// recurse once per level, so a bound keeps a hostile selector from overflowing the stack.
pub(crate) const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    input: &'a str,
    chars: Vec<char>,
    pos: usize,
    /// Current nesting of `(` and `!`.
    depth: usize,
}

/// A word as written: its text, whether it was quoted, and where it started.
struct Word {
    text: String,
    quoted: bool,
    start: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Match,
    NotMatch,
    File,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Consumes `c` (after whitespace) if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, at: usize, expected: &str) -> SelectError {
        let found = if at >= self.chars.len() {
            "end of input".to_owned()
        } else {
            let snippet: String = self.chars[at..].iter().take(12).collect();
            format!("`{snippet}`")
        };
        SelectError::Parse {
            input: self.input.to_owned(),
            position: at + 1,
            expected: expected.to_owned(),
            found,
        }
    }

    fn or(&mut self) -> Result<Expr, SelectError> {
        let mut items = vec![self.and()?];
        while self.eat('|') {
            items.push(self.and()?);
        }
        Ok(flatten(items, true))
    }

    fn and(&mut self) -> Result<Expr, SelectError> {
        let mut items = vec![self.unary()?];
        while self.eat('&') {
            items.push(self.unary()?);
        }
        Ok(flatten(items, false))
    }

    fn unary(&mut self) -> Result<Expr, SelectError> {
        self.skip_ws();
        if matches!(self.peek(), Some('!' | '(')) {
            if self.depth >= MAX_DEPTH {
                return Err(
                    self.error(self.pos, &format!("at most {MAX_DEPTH} nested `(` and `!`"))
                );
            }
            self.depth += 1;
            let e = self.nested();
            self.depth -= 1;
            return e;
        }
        self.test()
    }

    /// `'!' unary | '(' or ')'`, at the current position.
    fn nested(&mut self) -> Result<Expr, SelectError> {
        if self.peek() == Some('!') {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.pos += 1;
        let e = self.or()?;
        self.skip_ws();
        if !self.eat(')') {
            return Err(self.error(self.pos, "`)`, `&` or `|`"));
        }
        Ok(e)
    }

    fn test(&mut self) -> Result<Expr, SelectError> {
        self.skip_ws();
        let start = self.pos;
        let column = match self.peek() {
            Some('"' | '\'') => self.quoted()?,
            Some(c) if is_ident_char(c) => {
                while self.peek().is_some_and(is_ident_char) {
                    self.pos += 1;
                }
                Word {
                    text: self.chars[start..self.pos].iter().collect(),
                    quoted: false,
                    start,
                }
            }
            _ => return Err(self.error(start, "a column name, `id`, `nt`, `all`, `!` or `(`")),
        };
        self.skip_ws();
        let op_at = self.pos;
        let op = match (self.peek(), self.chars.get(self.pos + 1).copied()) {
            (Some('='), _) => Some((Op::Eq, 1)),
            (Some('~'), _) => Some((Op::Match, 1)),
            (Some('@'), _) => Some((Op::File, 1)),
            (Some('!'), Some('=')) => Some((Op::Ne, 2)),
            (Some('!'), Some('~')) => Some((Op::NotMatch, 2)),
            _ => None,
        };
        let Some((op, len)) = op else {
            if !column.quoted && column.text == "all" {
                return Ok(Expr::All);
            }
            return Err(self.error(
                op_at,
                &format!("an operator (`=`, `!=`, `~`, `!~`) after `{}`", column.text),
            ));
        };
        self.pos += len;
        let pseudo = if column.quoted {
            ""
        } else {
            column.text.as_str()
        };
        let negate = matches!(op, Op::Ne | Op::NotMatch);
        let test = match (pseudo, op) {
            ("id", Op::File) => Test::IdFile {
                path: self.value()?.text,
            },
            ("id", Op::Eq | Op::Ne) => {
                let ids = self
                    .values()?
                    .into_iter()
                    .map(|w| {
                        w.text
                            .parse::<u64>()
                            .map_err(|_| self.error(w.start, "a neuron id (unsigned integer)"))
                    })
                    .collect::<Result<_, _>>()?;
                Test::Ids { negate, ids }
            }
            ("id", _) => return Err(self.error(op_at, "`=`, `!=` or `@` after `id`")),
            ("nt" | "transmitter", Op::Eq | Op::Ne) => {
                let values = self
                    .values()?
                    .into_iter()
                    .map(|w| {
                        parse_transmitter(&w.text).ok_or_else(|| {
                            self.error(w.start, "a transmitter (acetylcholine/ach, gaba, glutamate/glut, dopamine/da, serotonin/ser, octopamine/oct, histamine, unknown)")
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Test::Transmitter { negate, values }
            }
            ("nt" | "transmitter", _) => {
                return Err(self.error(op_at, &format!("`=` or `!=` after `{pseudo}`")));
            }
            ("all", _) => {
                return Err(self.error(
                    column.start,
                    "a column name (`all` is reserved; quote it as \"all\" for a column)",
                ));
            }
            (_, Op::File) => {
                return Err(self.error(op_at, "`=`, `!=`, `~` or `!~` (`@FILE` is for `id@FILE`)"));
            }
            (_, Op::Eq | Op::Ne) => {
                let values = self.values()?.into_iter().map(|w| w.text).collect();
                Test::Equals {
                    column: Column {
                        name: column.text,
                        quoted: column.quoted,
                    },
                    negate,
                    values,
                }
            }
            (_, Op::Match | Op::NotMatch) => {
                let patterns = self
                    .values()?
                    .into_iter()
                    .map(|w| {
                        Regex::new(&format!("^(?:{})$", w.text))
                            .map(|regex| Pattern {
                                source: w.text.clone(),
                                regex,
                            })
                            .map_err(|e| {
                                let why =
                                    e.to_string().lines().last().unwrap_or("").trim().to_owned();
                                self.error(w.start, &format!("a valid regular expression ({why})"))
                            })
                    })
                    .collect::<Result<_, _>>()?;
                Test::Matches {
                    column: Column {
                        name: column.text,
                        quoted: column.quoted,
                    },
                    negate,
                    patterns,
                }
            }
        };
        Ok(Expr::Test(test))
    }

    /// `value (',' value)*`.
    fn values(&mut self) -> Result<Vec<Word>, SelectError> {
        let mut out = vec![self.value()?];
        while self.eat(',') {
            out.push(self.value()?);
        }
        Ok(out)
    }

    fn value(&mut self) -> Result<Word, SelectError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some('"' | '\'') => self.quoted(),
            Some(c) if is_bare_value_char(c) => {
                while self.peek().is_some_and(is_bare_value_char) {
                    self.pos += 1;
                }
                Ok(Word {
                    text: self.chars[start..self.pos].iter().collect(),
                    quoted: false,
                    start,
                })
            }
            _ => Err(self.error(start, "a value (bare, or quoted with \"...\")")),
        }
    }

    /// A `"..."` or `'...'` string with `\` escapes; `pos` is at the opening quote.
    fn quoted(&mut self) -> Result<Word, SelectError> {
        let start = self.pos;
        let quote = self.chars[start];
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(self.error(
                        self.pos,
                        &format!(
                            "a closing {quote} for the string opened at position {}",
                            start + 1
                        ),
                    ));
                }
                Some('\\') => {
                    match self.chars.get(self.pos + 1) {
                        Some(&c @ ('"' | '\'' | '\\')) => text.push(c),
                        _ => return Err(self.error(self.pos, "an escape `\\\"`, `\\'` or `\\\\`")),
                    }
                    self.pos += 2;
                }
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(Word {
                        text,
                        quoted: true,
                        start,
                    });
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Builds an n-ary node, splicing children of the same kind so that `(a & b) & c` and
/// `a & (b & c)` give the same tree.
fn flatten(items: Vec<Expr>, or: bool) -> Expr {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        match e {
            Expr::Or(inner) if or => out.extend(inner),
            Expr::And(inner) if !or => out.extend(inner),
            other => out.push(other),
        }
    }
    if or { Expr::Or(out) } else { Expr::And(out) }
}

/// A transmitter word, or `None` when it is not one we know (`Transmitter::parse` maps any
/// unknown word to `Unknown`, which would silently hide typos here).
fn parse_transmitter(word: &str) -> Option<Transmitter> {
    match Transmitter::parse(word) {
        Transmitter::Unknown => matches!(word.to_ascii_lowercase().as_str(), "unknown" | "unk")
            .then_some(Transmitter::Unknown),
        t => Some(t),
    }
}
