//! Bad input never panics: every case gets an error naming the file, the line and/or column,
//! and what was expected.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use connectome::LoadError;
use connectome::formats::{self, Format, LoadParams, edge_list};
use connectome::test_data::require;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Loads `bytes` written as `name` and returns the error message, checking it names the file
/// and contains every one of `wanted`.
fn error_of(name: &str, bytes: &[u8], wanted: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, bytes);
    let e = formats::load(&p, &LoadParams::default())
        .expect_err("bad input must be rejected")
        .to_string();
    assert!(e.contains(name), "error does not name the file {name}: {e}");
    for w in wanted {
        assert!(e.contains(w), "error lacks `{w}`: {e}");
    }
    e
}

const CODEX_HEADER: &str = "pre_root_id,post_root_id,neuropil,syn_count,nt_type\n";

#[test]
fn missing_or_renamed_columns_name_found_and_expected() {
    // Renamed count column of a plain edge list: not a known layout.
    let e = error_of(
        "edges.csv",
        b"pre,post,wieght\n1,2,3\n",
        &["pre,post,wieght", "edge-list"],
    );
    assert!(e.contains("cannot tell the dataset format"), "{e}");
    // Forced format: the missing column is named, with the columns found.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "edges.csv", b"pre,post,wieght\n1,2,3\n");
    let opts = LoadParams {
        format: Some(Format::EdgeList),
        ..Default::default()
    };
    let e = formats::load(&p, &opts).unwrap_err().to_string();
    assert!(
        e.contains("edges.csv, line 1") && e.contains("found columns: pre, post, wieght"),
        "{e}"
    );
    // An explicit mapping naming an absent column.
    let opts = LoadParams {
        columns: Some(edge_list::EdgeColumns::plain()),
        ..opts
    };
    let e = formats::load(&p, &opts).unwrap_err().to_string();
    assert!(
        e.contains("missing column `weight`")
            && e.contains("expected an edge table with columns pre, post, weight"),
        "{e}"
    );
    // Codex connections whose syn_count was renamed.
    let e = error_of(
        "connections.csv",
        b"pre_root_id,post_root_id,neuropil,synapses,nt_type\n1,2,AL_L,3,ACH\n",
        &["line 1"],
    );
    assert!(e.contains("synapses"), "{e}");
}

#[test]
fn bad_counts_name_line_and_column() {
    for (value, what) in [
        ("NaN", "NaN"),
        ("-4", "negative count"),
        ("2.5", "non-integer"),
        ("x", "not a number"),
        ("", "empty value"),
    ] {
        let text = format!("{CODEX_HEADER}1,2,AL_L,3,ACH\n1,3,AL_L,{value},GABA\n");
        error_of(
            "connections.csv",
            text.as_bytes(),
            &["line 3", "column `syn_count`", what, "expected"],
        );
    }
    // A plain edge list's weight is signed: negative is fine, NaN is not.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "e.csv", b"pre,post,weight\n1,2,-3\n");
    assert_eq!(
        formats::load(&p, &LoadParams::default())
            .unwrap()
            .synapses
            .iter()
            .next()
            .unwrap()
            .2,
        -3
    );
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,-3\n2,1,nan\n",
        &["line 3", "column `weight`", "NaN"],
    );
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,1e10\n",
        &["line 2", "too large"],
    );
}

#[test]
fn bad_ids_name_line_and_column() {
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,3\n-1,2,3\n",
        &["line 3", "column `pre`", "not a neuron id"],
    );
    error_of(
        "e.csv",
        b"pre,post,weight\n1,abc,3\n",
        &["line 2", "column `post`", "`abc`"],
    );
}

#[test]
fn ids_absent_from_the_neuron_table_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "neurons.csv",
        b"root_id,group,nt_type\n1,AL,ACH\n2,AL,GABA\n",
    );
    let p = write(
        dir.path(),
        "connections.csv",
        format!("{CODEX_HEADER}1,2,AL_L,3,ACH\n2,7,AL_L,3,GABA\n").as_bytes(),
    );
    let e = formats::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("connections.csv, line 3, column `post_root_id`")
            && e.contains("neuron 7 is not in the neuron table"),
        "{e}"
    );
    // neuPrint: the same rule with its own table.
    write(
        dir.path(),
        "traced-neurons.csv",
        b"bodyId,type,instance\n10,DNp01,DNp01_R\n",
    );
    let p = write(
        dir.path(),
        "traced-total-connections.csv",
        b"bodyId_pre,bodyId_post,weight\n10,11,4\n",
    );
    let e = formats::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 2, column `bodyId_post`") && e.contains("neuron 11"),
        "{e}"
    );
}

#[test]
fn duplicate_rows_are_errors() {
    // Codex: same pair AND same neuropil. Same pair in two neuropils is summed.
    error_of(
        "connections.csv",
        format!("{CODEX_HEADER}1,2,AL_L,3,ACH\n1,2,AL_R,1,ACH\n1,2,AL_L,5,ACH\n").as_bytes(),
        &["line 4", "duplicate row", "1 -> 2 in `AL_L`", "line 2"],
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "connections.csv",
        format!("{CODEX_HEADER}1,2,AL_L,3,ACH\n1,2,AL_R,1,ACH\n").as_bytes(),
    );
    let c = formats::load(&p, &LoadParams::default()).unwrap();
    assert_eq!((c.n_edges(), c.n_synapses()), (1, 4));
    // Plain edge list: any repeated pair.
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,3\n2,1,3\n1,2,4\n",
        &["line 4", "duplicate row", "line 2"],
    );
    // Neuron tables: a repeated id.
    error_of(
        "classification.csv",
        b"root_id,super_class\n5,optic\n5,central\n",
        &["line 3", "neuron 5 was already listed on line 2"],
    );
}

#[test]
fn empty_files_are_errors() {
    error_of("e.csv", b"", &["empty file", "expected a header"]);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "e.csv", b"pre,post,weight\n");
    let e = formats::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("e.csv, line 2") && e.contains("no edge rows"),
        "{e}"
    );
    let opts = LoadParams {
        format: Some(Format::FlywireCodex),
        ..Default::default()
    };
    let p = write(dir.path(), "connections.csv.gz", &gz(b""));
    let e = formats::load(&p, &opts).unwrap_err().to_string();
    assert!(
        e.contains("connections.csv.gz, line 1") && e.contains("empty file"),
        "{e}"
    );
}

#[test]
fn truncated_gzip_names_file_and_line() {
    let mut text = String::from(CODEX_HEADER);
    for i in 0..20_000u64 {
        text.push_str(&format!(
            "{},{},AL_L,{},ACH\n",
            720575940600000000 + i,
            720575940600000001 + i,
            i % 7 + 1
        ));
    }
    let bytes = gz(text.as_bytes());
    let cut = &bytes[..bytes.len() / 2];
    let e = error_of("connections.csv.gz", cut, &["line", "truncated"]);
    assert!(
        !e.contains("line 1,"),
        "the cut is well past the header: {e}"
    );
    // Corrupt (not truncated) gzip data.
    let mut bad = bytes.clone();
    for b in &mut bad[20..60] {
        *b ^= 0x5a;
    }
    error_of("connections.csv.gz", &bad, &["line"]);
}

#[test]
fn truncated_zip_is_an_error() {
    let zip = std::fs::read(require("larva-winding2023/Supplementary-Data-S1.zip")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "Supplementary-Data-S1.zip",
        &zip[..zip.len() / 2],
    );
    let opts = LoadParams {
        format: Some(Format::LarvaS1),
        ..Default::default()
    };
    let e = formats::load(&p, &opts).unwrap_err().to_string();
    assert!(
        e.contains("Supplementary-Data-S1.zip") && e.contains("not a complete zip archive"),
        "{e}"
    );
    // Detection itself reports the broken archive rather than guessing.
    let e = formats::detect(&p).unwrap_err().to_string();
    assert!(e.contains("not a complete zip archive"), "{e}");
}

#[test]
fn larva_matrix_cells_are_checked() {
    let opts = LoadParams::default();
    let bad = [
        (&b",1,2\n1,0.0,NaN\n2,0.0,0.0\n"[..], "column `2`"),
        (&b",1,2\n1,0.0,-1.0\n2,0.0,0.0\n"[..], ">= 0"),
        (&b",1,2\n1,0.0,0.0\n3,0.0,0.0\n"[..], "not in the header"),
        (&b",1,2\n1,0.0,0.0\n1,0.0,1.0\n"[..], "duplicate row"),
    ];
    for (text, wanted) in bad {
        let e = connectome::formats::larva::load_readers(
            text,
            Path::new("m.csv"),
            None::<(&[u8], &Path)>,
            &opts,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("m.csv, line") && e.contains(wanted), "{e}");
    }
}

/// A reader producing `len` bytes of one never-ending line after a header, without
/// holding them: stands in for a 2 GB line.
struct HugeLine {
    header: &'static [u8],
    len: u64,
    produced: u64,
}

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.header.is_empty() {
            let n = self.header.len().min(buf.len());
            buf[..n].copy_from_slice(&self.header[..n]);
            self.header = &self.header[n..];
            return Ok(n);
        }
        let n = (self.len - self.produced).min(buf.len() as u64) as usize;
        buf[..n].fill(b'7');
        self.produced += n as u64;
        Ok(n)
    }
}

#[test]
fn a_2gb_line_is_rejected_with_bounded_memory() {
    let mut huge = HugeLine {
        header: b"pre,post,weight\n1,2,3\n",
        len: 2 << 30,
        produced: 0,
    };
    let opts = LoadParams::default();
    let e = edge_list::load_reader(BufReader::new(&mut huge), Path::new("huge.csv"), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("huge.csv, line 3") && e.contains("longer than 1048576 bytes"),
        "{e}"
    );
    // It stopped reading at the limit instead of buffering 2 GB.
    assert!(huge.produced < 4 << 20, "read {} bytes", huge.produced);
}

#[test]
fn non_utf8_text_names_line_and_column() {
    error_of(
        "classification.csv",
        b"root_id,super_class\n5,opt\xffic\n",
        &["line 2", "column `super_class`", "UTF-8"],
    );
    error_of(
        "e.csv",
        b"pre,post,weight\n1,\xff\xfe,3\n",
        &["line 2", "column `post`"],
    );
    error_of(
        "classification.csv",
        b"root_id,super_\xffclass\n5,optic\n",
        &["line 1", "UTF-8"],
    );
}

#[test]
fn ragged_rows_and_open_quotes_name_the_line() {
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,3\n1,3\n",
        &["line 3", "found 2 fields, expected 3"],
    );
    // A stray quote in a number is a bad number; an unclosed quote in a text table is named.
    error_of(
        "e.csv",
        b"pre,post,weight\n1,2,\"3\n",
        &["line 2", "column `weight`"],
    );
    error_of(
        "classification.csv",
        b"root_id,super_class\n5,\"optic\n",
        &["line 2", "never closed"],
    );
}

#[test]
fn unknown_formats_list_the_known_names() {
    let e = error_of(
        "things.csv",
        b"a,b,c\n1,2,3\n",
        &[
            "a,b,c",
            "larva-s1, flywire-codex, shiu, feather, neuprint, edge-list, manifest",
        ],
    );
    assert!(e.contains("--format"), "{e}");
    let e = "nope".parse::<Format>().unwrap_err().to_string();
    assert!(e.contains("`nope`") && e.contains("edge-list"), "{e}");
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().unwrap(), f);
    }
    let e = formats::load(Path::new("/nonexistent/x.csv"), &LoadParams::default()).unwrap_err();
    assert!(matches!(e, LoadError::NotFound { .. }), "{e}");
}

#[test]
fn bad_manifests_name_the_line() {
    error_of(
        "m.toml",
        b"[[source]]\npath = \"a.csv\"\nnamespce = \"x\"\n",
        &["line 3", "namespce"],
    );
    error_of("m.toml", b"", &["no [[source]]"]);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", b"pre,post,weight\n1,2,3\n");
    write(
        dir.path(),
        "matches.csv",
        b"FAFB DN name,MANC DN name\nDNp01,DNlt002\n",
    );
    let p = write(
        dir.path(),
        "m.toml",
        b"[[source]]\npath = \"a.csv\"\nnamespace = \"fafb\"\n[[join]]\nmatches = \"matches.csv\"\nbrain = \"fafb\"\ncord = \"manc\"\n",
    );
    let e = formats::load(&p, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("m.toml") && e.contains("linked no neurons"),
        "{e}"
    );
}

/// Every (pre id, post id, signed count) of a connectome, sorted.
fn triples(c: &connectome::Connectome) -> Vec<(u64, u64, i32)> {
    let mut t: Vec<_> = c
        .synapses
        .iter()
        .map(|(a, b, w)| (c.neurons.id(a), c.neurons.id(b), w))
        .collect();
    t.sort_unstable();
    t
}

fn load_named(name: &str, bytes: &[u8]) -> Result<connectome::Connectome, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, bytes);
    formats::load(&p, &LoadParams::default())
}

#[test]
fn bom_crlf_quotes_and_other_delimiters_give_the_same_data() {
    let want = vec![(1, 2, 3), (2, 1, -4), (2, 3, 7)];
    let plain = b"pre,post,weight\n1,2,3\n2,1,-4\n2,3,7\n";
    let variants: [(&str, &[u8]); 9] = [
        ("plain.csv", plain),
        ("crlf.csv", b"pre,post,weight\r\n1,2,3\r\n2,1,-4\r\n2,3,7\r\n"),
        ("bom.csv", b"\xEF\xBB\xBFpre,post,weight\n1,2,3\n2,1,-4\n2,3,7\n"),
        // A byte order mark before a quoted header (Excel "CSV UTF-8" export).
        (
            "bom_quoted.csv",
            b"\xEF\xBB\xBF\"pre\",\"post\",\"weight\"\r\n\"1\",\"2\",\"3\"\r\n\"2\",\"1\",\"-4\"\r\n\"2\",\"3\",\"7\"\r\n",
        ),
        ("trailing_blank.csv", b"pre,post,weight\n1,2,3\n2,1,-4\n2,3,7\n\n\n  \n"),
        // Tab-separated text named .csv, comma-separated text named .tsv, `;` exports.
        ("tabs.csv", b"pre\tpost\tweight\n1\t2\t3\n2\t1\t-4\n2\t3\t7\n"),
        ("commas.tsv", plain),
        ("semicolons.csv", b"pre;post;weight\n1;2;3\n2;1;-4\n2;3;7\n"),
        ("gz_bom.csv.gz", &gz(b"\xEF\xBB\xBFpre,post,weight\r\n1,2,3\r\n2,1,-4\r\n2,3,7\r\n")),
    ];
    for (name, bytes) in variants {
        let c = load_named(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(triples(&c), want, "{name}");
    }
}

#[test]
fn quoted_fields_holding_the_delimiter_are_one_field() {
    // The fast path for edge tables without annotation columns splits quoted fields like
    // the record reader: a neuropil `"AL,R"` is one key, a note `"a, b"` one ignored field.
    let c = load_named(
        "connections.csv",
        b"pre_root_id,post_root_id,neuropil,syn_count,nt_type\n\
          1,2,\"AL,R\",3,GABA\n1,2,\"AL,L\",4,\"GABA\"\n2,1,AL_L,5,ACH\n",
    )
    .unwrap();
    assert_eq!(triples(&c), vec![(1, 2, -7), (2, 1, 5)]);
    let c = load_named(
        "notes.csv",
        b"pre,post,weight,note\n1,2,3,\"a, b\"\n2,1,\"-4\",x\n",
    )
    .unwrap();
    assert_eq!(triples(&c), vec![(1, 2, 3), (2, 1, -4)]);
    // A quote left open names the line and the column it opens.
    error_of(
        "notes.csv",
        b"pre,post,weight,note\n1,2,3,x\n2,1,4,\"open\n3,1,4,y\n",
        &["line 3", "column `note`", "not closed"],
    );
}

#[test]
fn utf16_text_is_named() {
    // "pre\tpost\tweight\n1\t2\t3\n" as UTF-16LE with its byte order mark (Excel's
    // "Unicode Text").
    let text: Vec<u8> = [0xFEFFu16]
        .into_iter()
        .chain("pre\tpost\tweight\n1\t2\t3\n".encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    error_of("edges.tsv", &text, &["line 1", "UTF-16", "expected UTF-8"]);
}

#[test]
fn bare_cr_line_endings_are_named() {
    // Classic Mac OS line endings: the whole file is one line; say so instead of listing a
    // run-together header.
    let e = error_of(
        "mac.csv",
        b"pre,post,weight\r1,2,3\r2,1,4\r",
        &[
            "line 1",
            "carriage return",
            "expected `\\n` or `\\r\\n` line endings",
        ],
    );
    assert!(!e.contains("cannot tell the dataset format"), "{e}");
}

#[test]
fn merged_counts_beyond_32_bits_are_errors_not_wrapped() {
    // Two sources in one namespace are summed per pair; 2 x 2e9 used to overflow the i32
    // (a panic in debug builds, a negative count in release builds).
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", b"pre,post,weight\n1,2,2000000000\n");
    write(dir.path(), "b.csv", b"pre,post,weight\n1,2,2000000000\n");
    let m = write(
        dir.path(),
        "brain.toml",
        b"[[source]]\npath = \"a.csv\"\n[[source]]\npath = \"b.csv\"\n",
    );
    let e = formats::load(&m, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("brain.toml") && e.contains("1 -> 2 overflows a 32-bit count"),
        "{e}"
    );
}

#[test]
fn a_manifest_listing_itself_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "loop.toml",
        b"[[source]]\npath = \"other.toml\"\n",
    );
    write(
        dir.path(),
        "other.toml",
        b"[[source]]\npath = \"loop.toml\"\n",
    );
    let e = formats::load(&m, &LoadParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("loop.toml") && e.contains("source `other.toml` is a manifest"),
        "{e}"
    );
}

#[test]
fn a_column_named_twice_is_an_error_not_a_guess() {
    // The first `weight` used to be taken silently.
    error_of(
        "edges.csv",
        b"pre,post,weight,weight\n1,2,3,-9\n",
        &["line 1", "column `weight` twice (columns 3 and 4)"],
    );
    error_of(
        "neurons.csv",
        b"root_id,group,root_id\n1,a,1\n",
        &["line 1", "column `root_id` twice (columns 1 and 3)"],
    );
}
