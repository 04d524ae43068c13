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

/// The prefix of a conversion made by a script of the hexafly repository (Python with pandas,
/// for pickles): `hexafly fetch` installs its inputs, names the command, and checks what the
/// script wrote when it is run again.
pub const SCRIPT: &str = "script:";

/// The conversions the registry may name.
pub const CONVERSIONS: [&str; 6] = [
    "desktopfly-neurons-csv",
    "desktopfly-rows-csv",
    "desktopfly-pair-edges-csv",
    "door-orn-outputs-csv",
    "door-al-ln-pn-csv",
    "antennal-grooming-neurons-csv",
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

/// Runs `conversion` on `inputs` (the registry's `converted_from`, in order), writing
/// `output`; returns (bytes, sha256) of what it wrote.
pub fn run(
    conversion: &str,
    inputs: &[std::path::PathBuf],
    output: &Path,
) -> Result<(u64, String), FetchError> {
    let expected = match conversion {
        "door-al-ln-pn-csv" => 3,
        _ => 1,
    };
    if inputs.len() != expected {
        return Err(FetchError::Conversion {
            path: output.into(),
            message: format!(
                "conversion `{conversion}` takes {expected} input files, the registry gives {}",
                inputs.len()
            ),
        });
    }
    let out = match conversion {
        "door-orn-outputs-csv" => door_orn_outputs(&inputs[0])?,
        "door-al-ln-pn-csv" => door_al_ln_pn(&inputs[0], &inputs[1], &inputs[2])?,
        "antennal-grooming-neurons-csv" => grooming_neurons(&inputs[0])?,
        _ => desktopfly(conversion, &inputs[0])?,
    };
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

/// A CSV table of a conversion input: its header and rows, with a reader error naming the
/// file and line.
fn read_csv(
    path: &Path,
    gz: bool,
) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), FetchError> {
    let file = std::fs::File::open(path).map_err(|source| FetchError::Io {
        path: path.into(),
        source,
    })?;
    let reader: Box<dyn std::io::Read> = if gz {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut r = csv::Reader::from_reader(reader);
    let bad = |e: csv::Error| FetchError::Conversion {
        path: path.into(),
        message: e.to_string(),
    };
    let header = r.headers().map_err(bad)?.clone();
    let rows = r.records().collect::<Result<Vec<_>, _>>().map_err(bad)?;
    Ok((header, rows))
}

/// The index of each named column, or an error naming the file and the missing column.
fn columns<const N: usize>(
    path: &Path,
    header: &csv::StringRecord,
    names: [&str; N],
) -> Result<[usize; N], FetchError> {
    let mut out = [0; N];
    for (k, name) in names.iter().enumerate() {
        out[k] = header
            .iter()
            .position(|h| h == *name)
            .ok_or_else(|| FetchError::Conversion {
                path: path.into(),
                message: format!(
                    "no column `{name}`; expected the published table with columns {}",
                    names.join(", ")
                ),
            })?;
    }
    Ok(out)
}

fn write_rows<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(r.as_ref()).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 fields")
}

/// door-python-toolkit's `selected_glomerulus_with_full_connectivity.csv` (one row per
/// olfactory receptor neuron, its partners and counts as `;`-separated lists) as one row
/// per (ORN, partner) pair, in file order.
fn door_orn_outputs(input: &Path) -> Result<String, FetchError> {
    let (header, rows) = read_csv(input, false)?;
    let [pre, label, glomerulus, ids, counts] = columns(
        input,
        &header,
        [
            "source_root_id",
            "label",
            "glomerulus",
            "output_cell_ids",
            "output_synapse_counts",
        ],
    )?;
    let split = |s: &str| -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(';').map(str::to_owned).collect()
        }
    };
    let mut owned: Vec<[String; 5]> = Vec::new();
    for r in &rows {
        for (id, count) in split(&r[ids]).into_iter().zip(split(&r[counts])) {
            owned.push([
                r[pre].to_owned(),
                id,
                count,
                r[label].to_owned(),
                r[glomerulus].to_owned(),
            ]);
        }
    }
    Ok(write_rows(
        &[
            "pre_root_id",
            "post_root_id",
            "syn_count",
            "orn_receptor",
            "orn_glomerulus",
        ],
        &owned,
    ))
}

/// door-python-toolkit's two antennal-lobe crosstalk tables (ORN -> LN -> PN, then the PN
/// feedback step) as one row per (level-1, level-2) neuron pair, the first occurrence kept,
/// with each neuron's FlyWire `class` from the v783 classification table.
fn door_al_ln_pn(
    ln_pn: &Path,
    feedback: &Path,
    classification: &Path,
) -> Result<String, FetchError> {
    let (header, rows) = read_csv(classification, true)?;
    let [id, class] = columns(classification, &header, ["root_id", "class"])?;
    let classes: HashMap<String, String> = rows
        .iter()
        .map(|r| (r[id].to_owned(), r[class].to_owned()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut owned: Vec<[String; 7]> = Vec::new();
    for input in [ln_pn, feedback] {
        let (header, rows) = read_csv(input, false)?;
        let [l1, l1_type, l2, l2_type, count] = columns(
            input,
            &header,
            [
                "level1_root_id",
                "level1_cell_type",
                "level2_root_id",
                "level2_cell_type",
                "synapse_count_step2",
            ],
        )?;
        for r in &rows {
            if !seen.insert((r[l1].to_owned(), r[l2].to_owned())) {
                continue;
            }
            let class_of = |k: &str| classes.get(k).cloned().unwrap_or_default();
            owned.push([
                r[l1].to_owned(),
                r[l2].to_owned(),
                r[count].to_owned(),
                class_of(&r[l1]),
                r[l1_type].to_owned(),
                class_of(&r[l2]),
                r[l2_type].to_owned(),
            ]);
        }
    }
    Ok(write_rows(
        &[
            "pre_root_id",
            "post_root_id",
            "syn_count",
            "pre_class",
            "pre_type",
            "post_class",
            "post_type",
        ],
        &owned,
    ))
}

/// NeLy-EPFL antennal-grooming's `Connectome_neurons.yaml` (`GROUP:` / `  NAME:` /
/// `    key: value` with keys id, color, nt, cell_type) as one row per neuron, in file
/// order; every value kept as its text (`.nan` stays `.nan`, quotes removed).
fn grooming_neurons(input: &Path) -> Result<String, FetchError> {
    let text = std::fs::read_to_string(input).map_err(|source| FetchError::Io {
        path: input.into(),
        source,
    })?;
    const KEYS: [&str; 4] = ["id", "color", "nt", "cell_type"];
    let mut rows: Vec<[String; 6]> = Vec::new();
    let mut group: Option<String> = None;
    for (k, line) in text.lines().enumerate() {
        let bad = |what: &str| FetchError::Conversion {
            path: input.into(),
            message: format!(
                "line {}: {what}; expected `GROUP:`, `  NAME:` or `    key: value`",
                k + 1
            ),
        };
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        match indent {
            0 => group = Some(body.strip_suffix(':').ok_or_else(|| bad(body))?.to_owned()),
            2 => {
                let name = body.strip_suffix(':').ok_or_else(|| bad(body))?;
                let g = group
                    .clone()
                    .ok_or_else(|| bad("a neuron before any group"))?;
                rows.push([
                    g,
                    name.to_owned(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
            4 => {
                let (key, value) = body.split_once(": ").ok_or_else(|| bad(body))?;
                let slot = KEYS
                    .iter()
                    .position(|k| *k == key)
                    .ok_or_else(|| bad(&format!("unknown key `{key}`")))?;
                let row = rows
                    .last_mut()
                    .ok_or_else(|| bad("a value before any neuron"))?;
                let value = match value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
                    Some(quoted) => quoted.replace("''", "'"),
                    None => value.to_owned(),
                };
                row[2 + slot] = value;
            }
            _ => return Err(bad(&format!("indent of {indent} spaces"))),
        }
    }
    Ok(write_rows(
        &["group", "name", "id", "color", "nt", "cell_type"],
        &rows,
    ))
}

/// DesktopFly's circuit.json as one of its three tables.
fn desktopfly(conversion: &str, input: &Path) -> Result<String, FetchError> {
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
    Ok(out)
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
        let (bytes, sha) = run(how, &[input], &out).unwrap();
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
    fn door_tables_become_one_row_per_pair() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("orn.csv"),
            "source_root_id,label,glomerulus,output_cell_ids,output_synapse_counts\n\
             1,Or2a,ORN_DA4m,7;8,3;5\n2,Or7a,ORN_DL5,,\n",
        )
        .unwrap();
        let out = d.join("out.csv");
        run("door-orn-outputs-csv", &[d.join("orn.csv")], &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "pre_root_id,post_root_id,syn_count,orn_receptor,orn_glomerulus\n\
             1,7,3,Or2a,ORN_DA4m\n1,8,5,Or2a,ORN_DA4m\n"
        );
        let step = "level1_root_id,level1_cell_type,level2_root_id,level2_cell_type,\
                    synapse_count_step2\n";
        std::fs::write(d.join("a.csv"), format!("{step}7,lLN9,9,VA1v_adPN,13\n")).unwrap();
        std::fs::write(
            d.join("b.csv"),
            format!("{step}7,lLN9,9,VA1v_adPN,99\n9,VA1v_adPN,7,lLN9,4\n"),
        )
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"root_id,class\n7,ALLN\n").unwrap();
        std::fs::write(d.join("c.csv.gz"), gz.finish().unwrap()).unwrap();
        run(
            "door-al-ln-pn-csv",
            &[d.join("a.csv"), d.join("b.csv"), d.join("c.csv.gz")],
            &out,
        )
        .unwrap();
        // The first row of a pair wins; a neuron without a class gets an empty one.
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "pre_root_id,post_root_id,syn_count,pre_class,pre_type,post_class,post_type\n\
             7,9,13,ALLN,lLN9,,VA1v_adPN\n9,7,4,,VA1v_adPN,ALLN,lLN9\n"
        );
        let e = run("door-al-ln-pn-csv", &[d.join("a.csv")], &out)
            .unwrap_err()
            .to_string();
        assert!(e.contains("takes 3 input files"), "{e}");
        let e = run("door-orn-outputs-csv", &[d.join("a.csv")], &out)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a.csv") && e.contains("no column `source_root_id`"),
            "{e}"
        );
    }

    #[test]
    fn the_grooming_yaml_becomes_one_row_per_neuron() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("n.yaml");
        std::fs::write(
            &yaml,
            "JO-C:\n  JO-C_1:\n    id: 7\n    color: '#a3f7f6'\n    nt: .nan\n  JO-C_2:\n    id: 8\n",
        )
        .unwrap();
        let out = dir.path().join("o.csv");
        run(
            "antennal-grooming-neurons-csv",
            std::slice::from_ref(&yaml),
            &out,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "group,name,id,color,nt,cell_type\nJO-C,JO-C_1,7,#a3f7f6,.nan,\nJO-C,JO-C_2,8,,,\n"
        );
        std::fs::write(&yaml, "JO-C:\n  JO-C_1:\n    colour: red\n").unwrap();
        let e = run("antennal-grooming-neurons-csv", &[yaml], &out)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("unknown key `colour`"),
            "{e}"
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
        let e = run(
            "desktopfly-rows-csv",
            std::slice::from_ref(&input),
            &dir.path().join("o"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("circuit.json") && e.contains("edge 0"), "{e}");
        std::fs::write(&input, "[1, 2]").unwrap();
        let e = run("desktopfly-rows-csv", &[input], &dir.path().join("o"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected DesktopFly's circuit.json"), "{e}");
    }
}
