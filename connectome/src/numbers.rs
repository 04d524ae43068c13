//! Parsing ids and synapse counts straight from field bytes, without allocating.

/// Parses a non-negative integer id (digits only, surrounding spaces allowed).
pub fn parse_id(field: &[u8]) -> Option<u64> {
    let f = field.trim_ascii();
    if f.is_empty() || f.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in f {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(v)
}

/// Parses a synapse count: an integer, or a float with an integral value (`3.0`, `3e2`)
/// as some exports write. Returns why it is not a count otherwise.
pub fn parse_count(field: &[u8]) -> Result<i64, &'static str> {
    let f = field.trim_ascii();
    if f.is_empty() {
        return Err("an empty value");
    }
    let (neg, mut digits) = match f[0] {
        b'-' => (true, &f[1..]),
        b'+' => (false, &f[1..]),
        _ => (false, f),
    };
    // `12.0` / `12.` (float exports such as the larval matrix) are integers.
    if let Some(dot) = digits.iter().position(|&c| c == b'.')
        && dot > 0
        && digits[dot + 1..].iter().all(|&c| c == b'0')
    {
        digits = &digits[..dot];
    }
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && digits.len() <= 12 {
        let mut v: i64 = 0;
        for &c in digits {
            v = v * 10 + (c - b'0') as i64;
        }
        return Ok(if neg { -v } else { v });
    }
    let s = std::str::from_utf8(f).map_err(|_| "bytes that are not UTF-8 text")?;
    let x: f64 = s.parse().map_err(|_| "something that is not a number")?;
    if x.is_nan() {
        return Err("NaN");
    }
    if !x.is_finite() {
        return Err("an infinite value");
    }
    if x.fract() != 0.0 {
        return Err("a non-integer value");
    }
    if x.abs() > i32::MAX as f64 {
        return Err("a value too large for a synapse count");
    }
    Ok(x as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_counts() {
        assert_eq!(parse_id(b" 720575940632499757"), Some(720575940632499757));
        assert_eq!(parse_id(b"12a"), None);
        assert_eq!(parse_id(b"-1"), None);
        assert_eq!(parse_id(b"99999999999999999999999"), None);
        assert_eq!(parse_count(b"14"), Ok(14));
        assert_eq!(parse_count(b"-9"), Ok(-9));
        assert_eq!(parse_count(b"3.0"), Ok(3));
        assert_eq!(parse_count(b"NaN"), Err("NaN"));
        assert_eq!(parse_count(b"2.5"), Err("a non-integer value"));
        assert_eq!(parse_count(b"x"), Err("something that is not a number"));
        assert_eq!(parse_count(b"inf"), Err("an infinite value"));
    }
}
