//! The degree-preserving shuffle (the circuit check's null model) on real wiring: it keeps
//! every neuron's in- and out-degree, every presynaptic neuron's own counts (so the sign of
//! each synapse still follows its presynaptic neuron), the autapses, and a simple graph;
//! it changes who connects to whom; and the same seed gives the same matrix.

use std::collections::HashMap;

use connectome::formats::{LoadParams, load};
use connectome::shuffle::degree_preserving_shuffle;
use connectome::test_data::require;
use connectome::{EdgeListBuilder, NeuronIndex, SynapseMatrix};

fn degrees(m: &SynapseMatrix) -> (Vec<usize>, Vec<usize>) {
    let n = m.n_neurons();
    let (mut out, mut inn) = (vec![0; n], vec![0; n]);
    for (a, b, _) in m.iter() {
        out[a as usize] += 1;
        inn[b as usize] += 1;
    }
    (out, inn)
}

/// Each presynaptic neuron's counts, sorted.
fn counts_by_pre(m: &SynapseMatrix) -> Vec<Vec<i32>> {
    (0..m.n_neurons() as NeuronIndex)
        .map(|i| {
            let mut c = m.row(i).1.to_vec();
            c.sort_unstable();
            c
        })
        .collect()
}

fn autapses(m: &SynapseMatrix) -> HashMap<NeuronIndex, i32> {
    m.iter()
        .filter(|e| e.0 == e.1)
        .map(|(a, _, c)| (a, c))
        .collect()
}

fn check_invariants(m: &SynapseMatrix, s: &SynapseMatrix) {
    assert_eq!(degrees(m), degrees(s), "in/out degrees must be kept");
    assert_eq!(
        counts_by_pre(m),
        counts_by_pre(s),
        "each neuron keeps its counts"
    );
    assert_eq!(autapses(m), autapses(s), "autapses stay, none is added");
    // A valid CSR (strictly increasing targets per row) has no repeated pair.
    let (r, t, c) = s.parts();
    assert!(SynapseMatrix::try_from_parts(r.to_vec(), t.to_vec(), c.to_vec()).is_ok());
    let moved = m.iter().filter(|&(a, b, _)| s.get(a, b) == 0).count();
    assert!(moved > 0, "the shuffle must change who connects to whom");
}

#[test]
fn shuffle_of_the_steering_subgraph_keeps_degrees_and_counts() {
    let c = load(
        &require("flywire-783-steering-dn/steering_DN_subgraph_edges.csv"),
        &LoadParams::default(),
    )
    .unwrap();
    let s = degree_preserving_shuffle(&c.synapses, 1).unwrap();
    check_invariants(&c.synapses, &s);
    // Most edges move in a network of 668 neurons and 10,431 pairs.
    let kept = c
        .synapses
        .iter()
        .filter(|&(a, b, _)| s.get(a, b) != 0)
        .count();
    assert!(
        kept * 4 < c.n_edges(),
        "{kept} of {} pairs kept",
        c.n_edges()
    );
    assert_eq!(
        s,
        degree_preserving_shuffle(&c.synapses, 1).unwrap(),
        "same seed, same shuffle"
    );
    assert_ne!(
        s,
        degree_preserving_shuffle(&c.synapses, 2).unwrap(),
        "another seed, another shuffle"
    );
}

#[test]
fn shuffle_of_the_escape_circuit_keeps_degrees_and_counts() {
    let c = load(
        &require("flywire-783-escape/escape_LC4_LPLC2_to_GF_edges.csv"),
        &LoadParams::default(),
    )
    .unwrap();
    let s = degree_preserving_shuffle(&c.synapses, 5).unwrap();
    check_invariants(&c.synapses, &s);
}

#[test]
fn autapses_stay_and_a_complete_graph_is_an_error() {
    let mut b = EdgeListBuilder::new();
    // A ring with chords and two autapses.
    for i in 0..40u32 {
        b.push(i, (i + 1) % 40, i as i32 + 1);
        b.push(i, (i + 7) % 40, -(i as i32) - 1);
    }
    b.push(3, 3, 9);
    b.push(8, 8, -4);
    let m = b.build(40);
    let s = degree_preserving_shuffle(&m, 11).unwrap();
    check_invariants(&m, &s);

    // The complete graph on 4 neurons has exactly one simple realisation of its degrees:
    // rewiring it cannot change anything, and saying so beats returning a copy.
    let mut b = EdgeListBuilder::new();
    for i in 0..4u32 {
        for j in 0..4u32 {
            if i != j {
                b.push(i, j, 1 + i as i32);
            }
        }
    }
    let k4 = b.build(4);
    match degree_preserving_shuffle(&k4, 0) {
        Ok(s) => assert_eq!(s, k4, "the only simple graph with these degrees"),
        Err(e) => assert!(e.to_string().contains("too dense"), "{e}"),
    }
}
