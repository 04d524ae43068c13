//! Conversions of published files into the tables hexafly loads, named in the registry
//! (`conversion = "..."` on a file with `converted_from`). Each is exact and deterministic:
//! `hexafly fetch` checks its output against the registered sha256, so the file made from
//! the published one is byte for byte the file an offline source holds.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::FetchError;
use super::offline::hex;

/// The conversions the registry may name.
pub const CONVERSIONS: [&str; 3] = [
    "desktopfly-neurons-csv",
    "desktopfly-rows-csv",
    "desktopfly-pair-edges-csv",
];

/// DesktopFly's `data/circuit.json`: a neuron list and index-based signed edge rows.
#[derive(Deserialize)]
struct Circuit {
    neurons: Vec<CircuitNeuron>,
    edges: Vec<(usize, usize, f64)>,
}

#[derive(Deserialize)]
struct CircuitNeuron {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    role: String,
    side: String,
    pos: [f64; 3],
}

/// Runs `conversion` on `input`, writing `output`; returns (bytes, sha256) of what it wrote.
pub fn run(conversion: &str, input: &Path, output: &Path) -> Result<(u64, String), FetchError> {
    let bad = |message: String| FetchError::Conversion {
        path: input.into(),
        message,
    };
    let text = std::fs::read_to_string(input).map_err(|source| FetchError::Io {
        path: input.into(),
        source,
    })?;
    let circuit: Circuit = serde_json::from_str(&text).map_err(|e| {
        bad(format!(
            "{e}; expected DesktopFly's circuit.json (`neurons`: id, type, role, side, pos; \
             `edges`: [pre index, post index, signed synapses])"
        ))
    })?;
    let n = circuit.neurons.len();
    if let Some((k, e)) = circuit
        .edges
        .iter()
        .enumerate()
        .find(|(_, e)| e.0 >= n || e.1 >= n || !e.2.is_finite())
    {
        return Err(bad(format!(
            "edge {k} = [{}, {}, {}]: expected two neuron indexes below {n} and a finite count",
            e.0, e.1, e.2
        )));
    }
    let id = |k: usize| circuit.neurons[k].id.as_str();
    let mut out = String::new();
    match conversion {
        // The two tables pandas wrote with CRLF line ends; positions as Python floats.
        "desktopfly-neurons-csv" => {
            out.push_str("index,root_id,type,role,side,pos_x,pos_y,pos_z\r\n");
            for (k, c) in circuit.neurons.iter().enumerate() {
                out.push_str(&format!(
                    "{k},{},{},{},{},{},{},{}\r\n",
                    c.id,
                    c.kind,
                    c.role,
                    c.side,
                    python_float(c.pos[0]),
                    python_float(c.pos[1]),
                    python_float(c.pos[2])
                ));
            }
        }
        "desktopfly-rows-csv" => {
            out.push_str("pre_root_id,post_root_id,signed_syn,pre_index,post_index\r\n");
            for &(pre, post, w) in &circuit.edges {
                out.push_str(&format!(
                    "{},{},{},{pre},{post}\r\n",
                    id(pre),
                    id(post),
                    number(w)
                ));
            }
        }
        "desktopfly-pair-edges-csv" => {
            // One row per (pre, post) pair in order of first appearance. The publisher wrote
            // one row per neuropil, signed by its transmitter and halved for modulatory ones
            // (x 0.5): the magnitudes are summed with half-integers doubled back.
            let mut order: Vec<(usize, usize)> = Vec::new();
            let mut sums: HashMap<(usize, usize), f64> = HashMap::new();
            for &(pre, post, w) in &circuit.edges {
                let a = w.abs();
                let a = if a.fract() != 0.0 { 2.0 * a } else { a };
                let s = sums.entry((pre, post)).or_insert_with(|| {
                    order.push((pre, post));
                    0.0
                });
                *s += a;
            }
            out.push_str("pre_root_id,post_root_id,syn_count\n");
            for key in order {
                let s = sums[&key];
                if s.fract() != 0.0 {
                    return Err(bad(format!(
                        "pair {} -> {} sums to {s} synapses; expected a whole number",
                        id(key.0),
                        id(key.1)
                    )));
                }
                out.push_str(&format!("{},{},{}\n", id(key.0), id(key.1), s as i64));
            }
        }
        other => {
            return Err(bad(format!(
                "unknown conversion `{other}`; expected one of {}",
                CONVERSIONS.join(", ")
            )));
        }
    }
    let mut f = std::fs::File::create(output).map_err(|source| FetchError::Io {
        path: output.into(),
        source,
    })?;
    f.write_all(out.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|source| FetchError::Io {
            path: output.into(),
            source,
        })?;
    Ok((out.len() as u64, hex(&Sha256::digest(out.as_bytes()))))
}

/// A number as Python's `str` writes a float that may be whole: `-51` for -51.0 (pandas wrote
/// whole counts as integers), else the shortest text that reads back the same value.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A float as Python's `repr` writes it: the shortest text that reads back the same value,
/// `.0` on whole values, exponent form below 1e-4 and from 1e16 (`1e-05`, `1e+16`).
fn python_float(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let t = format!("{x:e}");
        let (mantissa, exp) = t.split_once('e').expect("`{:e}` has an exponent");
        let exp: i32 = exp.parse().expect("an integer exponent");
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    if x.fract() == 0.0 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"neurons": [
        {"id": "11", "type": "DNa02", "role": "dn", "side": "left", "pos": [-3.632, 1.5, 2.0]},
        {"id": "22", "type": "LAL018", "role": "partner", "side": "right", "pos": [0.1, 0, -1]}],
        "edges": [[0, 1, -51.0], [1, 0, 4.5], [0, 1, 10.0], [1, 0, 2]], "source": "x"}"#;

    fn convert(how: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("circuit.json");
        std::fs::write(&input, JSON).unwrap();
        let out = dir.path().join("out.csv");
        let (bytes, sha) = run(how, &input, &out).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(bytes as usize, text.len());
        assert_eq!(sha, hex(&Sha256::digest(text.as_bytes())));
        text
    }

    #[test]
    fn each_conversion_writes_the_published_columns() {
        assert_eq!(
            convert("desktopfly-neurons-csv"),
            "index,root_id,type,role,side,pos_x,pos_y,pos_z\r\n\
             0,11,DNa02,dn,left,-3.632,1.5,2.0\r\n1,22,LAL018,partner,right,0.1,0.0,-1.0\r\n"
        );
        assert_eq!(
            convert("desktopfly-rows-csv"),
            "pre_root_id,post_root_id,signed_syn,pre_index,post_index\r\n\
             11,22,-51,0,1\r\n22,11,4.5,1,0\r\n11,22,10,0,1\r\n22,11,2,1,0\r\n"
        );
        // 51 + 10 for 11 -> 22; 4.5 doubled (a halved modulatory row) + 2 for 22 -> 11.
        assert_eq!(
            convert("desktopfly-pair-edges-csv"),
            "pre_root_id,post_root_id,syn_count\n11,22,61\n22,11,11\n"
        );
    }

    #[test]
    fn floats_read_as_python_writes_them() {
        for (x, text) in [
            (-2.0, "-2.0"),
            (0.0, "0.0"),
            (-3.632, "-3.632"),
            (1e-5, "1e-05"),
            (2.5e-7, "2.5e-07"),
            (1e16, "1e+16"),
            (0.0001, "0.0001"),
        ] {
            assert_eq!(python_float(x), text);
        }
    }

    #[test]
    fn a_bad_input_names_the_file_and_what_was_expected() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("circuit.json");
        std::fs::write(&input, r#"{"neurons": [], "edges": [[0, 1, 3]]}"#).unwrap();
        let e = run("desktopfly-rows-csv", &input, &dir.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("circuit.json") && e.contains("edge 0"), "{e}");
        std::fs::write(&input, "[1, 2]").unwrap();
        let e = run("desktopfly-rows-csv", &input, &dir.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected DesktopFly's circuit.json"), "{e}");
    }
}
