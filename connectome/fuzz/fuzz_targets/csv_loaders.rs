//! Feeds arbitrary bytes to every `BufRead`-level loader of the connectome crate. Any panic
//! (or abort) is a bug: bad input must come back as a `LoadError`.
//!
//! `cargo +nightly fuzz run csv_loaders -- -max_total_time=60` (from connectome/).
#![no_main]

use std::path::Path;

use connectome::NeuronTable;
use connectome::formats::annotations::{self, Mode};
use connectome::formats::compose;
use connectome::formats::{LoadParams, edge_list, larva};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A small line limit so the fuzzer also reaches the too-long-line paths.
    let opts = LoadParams {
        max_line_bytes: 256,
        ..Default::default()
    };
    // The first byte picks a header so that inputs reach the row parsers, not only
    // header detection; the rest is the table body.
    let (sel, body) = data.split_first().map_or((0, data), |(s, b)| (*s, b));
    let header: &[u8] = match sel % 6 {
        0 => b"",
        1 => b"pre,post,weight\n",
        2 => b"pre_root_id,post_root_id,neuropil,syn_count,nt_type\n",
        3 => b"pre_root_id,post_root_id,syn_count,pre_type,side,post_type,pre_nt_type\n",
        4 => b"root_id,flow,super_class,class,sub_class,cell_type,hemibrain_type,side\n",
        _ => b",1,2,3\n",
    };
    let input: Vec<u8> = header.iter().chain(body).copied().collect();
    let file = Path::new("fuzz.csv");

    let _ = edge_list::load_reader(&input[..], file, &opts);
    let _ = edge_list::load_reader(
        &input[..],
        file,
        &LoadParams {
            columns: Some(edge_list::EdgeColumns::plain()),
            ..opts.clone()
        },
    );

    let mut table = NeuronTable::new();
    let _ = annotations::read_table(
        &input[..],
        file,
        &mut table,
        Mode::AddAll,
        opts.max_line_bytes,
    );

    let _ = larva::load_readers(&input[..], file, Some((body, file)), &opts);

    if let Ok(text) = std::str::from_utf8(data) {
        let _ = compose::parse_manifest(text, Path::new("fuzz.toml"));
        // Selectors: parse, print, and apply to whatever neuron table the input gave (not
        // `id@FILE`, which would read whatever path the fuzzer spells).
        if let Ok(s) = connectome::select::Selector::parse(text) {
            let _ = s.to_string();
            if !text.contains('@') {
                let _ = s.select(&table);
            }
        }
    }
});
