//! A seeded sign rule for datasets without transmitter data (e.g. the larval connectome):
//! a fixed fraction of neurons, chosen by a hash of their dataset id, inhibit.
//!
//! The rule is deliberately tiny so that other tools (the Brian 2 cross-check script) can
//! reproduce it exactly: neuron `id` is inhibitory iff
//! `splitmix64(id XOR seed) as f64 < fraction * 2^64`, where splitmix64 is Vigna's
//! finaliser with the golden-ratio increment (see [`splitmix64`]).

use connectome::{NeuronTable, SynapseMatrix};

/// Vigna's splitmix64 step: `x + 0x9E3779B97F4A7C15`, then the two xor-shift-multiply
/// rounds and a final xor-shift, all modulo 2^64.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which neurons are inhibitory under the rule, in table order.
pub fn seeded_inhibitory(table: &NeuronTable, fraction: f64, seed: u64) -> Vec<bool> {
    let cut = fraction * 18_446_744_073_709_551_616.0;
    table
        .ids()
        .iter()
        .map(|&id| (splitmix64(id ^ seed) as f64) < cut)
        .collect()
}

/// A count that has no magnitude in an `i32` (only `i32::MIN`: its `|count|` overflows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "synapse count {count} from neuron {pre_id} to neuron {post_id} has no positive i32 \
     magnitude (at most {max} synapses per pair)",
    max = i32::MAX
)]
pub struct SignError {
    /// Dataset id of the presynaptic neuron.
    pub pre_id: u64,
    /// Dataset id of the postsynaptic neuron.
    pub post_id: u64,
    /// The count.
    pub count: i32,
}

/// Rewrites every synapse count as `|count|` with the sign of its presynaptic neuron
/// (`ids` are the dataset ids of the matrix's neurons, for the error). The matrix is left
/// unchanged when a count has no magnitude.
pub fn apply_signs(
    matrix: &mut SynapseMatrix,
    inhibitory: &[bool],
    ids: &[u64],
) -> Result<(), SignError> {
    let (row_start, targets, counts) = matrix.parts();
    for (pre, w) in row_start.windows(2).enumerate() {
        let range = w[0] as usize..w[1] as usize;
        if let Some(k) = counts[range.clone()].iter().position(|&c| c == i32::MIN) {
            return Err(SignError {
                pre_id: ids[pre],
                post_id: ids[targets[range.start + k] as usize],
                count: i32::MIN,
            });
        }
    }
    let row_start: Vec<u64> = row_start.to_vec();
    let counts = matrix.counts_mut();
    for (pre, w) in row_start.windows(2).enumerate() {
        let sign = if inhibitory[pre] { -1 } else { 1 };
        for c in &mut counts[w[0] as usize..w[1] as usize] {
            *c = c.abs() * sign;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_values() {
        // First outputs of Vigna's splitmix64 generator seeded with 0 (state advances by
        // the increment each call, so output k is splitmix64(k * increment)).
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn fraction_is_respected_and_signs_follow_the_presynaptic_neuron() {
        let mut t = NeuronTable::new();
        for id in 0..10_000u64 {
            t.insert(id * 7 + 3);
        }
        let inh = seeded_inhibitory(&t, 0.2, 42);
        let share = inh.iter().filter(|&&x| x).count() as f64 / inh.len() as f64;
        assert!((share - 0.2).abs() < 0.02, "{share}");
        assert_ne!(inh, seeded_inhibitory(&t, 0.2, 43));
        let mut b = connectome::EdgeListBuilder::new();
        b.push(0, 1, 3);
        b.push(1, 0, -2);
        let mut m = b.build(2);
        apply_signs(&mut m, &[true, false], &[10, 11]).unwrap();
        assert_eq!((m.get(0, 1), m.get(1, 0)), (-3, 2));
    }

    #[test]
    fn a_count_without_magnitude_is_an_error_naming_the_pair() {
        let mut b = connectome::EdgeListBuilder::new();
        b.push(0, 1, 3);
        b.push(1, 0, i32::MIN);
        let mut m = b.build(2);
        let e = apply_signs(&mut m, &[false, false], &[10, 11]).unwrap_err();
        assert_eq!((e.pre_id, e.post_id, e.count), (11, 10, i32::MIN));
        assert!(e.to_string().contains("neuron 11 to neuron 10"), "{e}");
        assert_eq!(m.get(0, 1), 3, "left unchanged");
    }
}
