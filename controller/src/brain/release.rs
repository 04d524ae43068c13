//! Synaptic release failure: each synaptic event — one presynaptic spike arriving at one
//! connection — is transmitted with probability `1 - failure`, and otherwise carries nothing.
//! Central synapses fail often (release probability per site ~0.1-0.9; Branco & Staras 2009
//! Nat Rev Neurosci), which is one reason a robot built on a spiking brain should be tested
//! under it.
//!
//! Whether an event transmits is a pure function of (seed, step, presynaptic neuron,
//! postsynaptic neuron) through the splitmix64 finaliser, not a draw from a shared stream,
//! so the outcome is the same at any thread count and in any delivery order, and a run is
//! reproducible from its seed. Off (`None`) by default: the engine then stays spike for
//! spike identical to Brian 2.

use connectome::NeuronIndex;

/// A release-failure model (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Release {
    failure: f64,
    seed: u64,
    /// An event transmits when its hash is below this (`(1 - failure) * 2^64`).
    threshold: u64,
}

impl Release {
    /// Events fail with probability `failure` (0 <= failure < 1), decided by `seed`.
    pub fn new(failure: f64, seed: u64) -> Result<Release, String> {
        if !(0.0..1.0).contains(&failure) {
            return Err(format!(
                "release failure = {failure}; expected a probability in 0 <= p < 1"
            ));
        }
        // (1 - p) * 2^64 as u64 saturates at u64::MAX for p = 0: then only the one hash
        // value u64::MAX fails, a chance of 2^-64 per event.
        let threshold = ((1.0 - failure) * 18_446_744_073_709_551_616.0) as u64;
        Ok(Release {
            failure,
            seed,
            threshold,
        })
    }

    /// The failure probability.
    pub fn failure(&self) -> f64 {
        self.failure
    }

    /// Whether the event of `pre`'s spike delivered at `step` to `post` transmits.
    #[inline]
    pub fn transmits(&self, step: u32, pre: NeuronIndex, post: NeuronIndex) -> bool {
        let x = self.seed
            ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ ((pre as u64) << 32 | post as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        splitmix64(x) < self.threshold
    }
}

/// The splitmix64 finaliser: a well-mixed 64-bit hash of `z` (shared by the noise model).
pub(super) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transmitted_fraction_matches_and_the_outcome_is_a_pure_function() {
        for p in [0.0, 0.1, 0.5, 0.9] {
            let r = Release::new(p, 7).unwrap();
            let n = 200_000u32;
            let kept = (0..n)
                .filter(|&i| r.transmits(i / 400, i % 400, i % 7))
                .count();
            let frac = kept as f64 / n as f64;
            assert!((frac - (1.0 - p)).abs() < 0.005, "p {p}: {frac}");
            assert_eq!(r.transmits(5, 3, 9), r.transmits(5, 3, 9));
        }
        let (a, b) = (Release::new(0.5, 1).unwrap(), Release::new(0.5, 2).unwrap());
        let differ = (0..1000).filter(|&i| a.transmits(i, 1, 2) != b.transmits(i, 1, 2));
        assert!(differ.count() > 300);
        for bad in [-0.1, 1.0, f64::NAN] {
            assert!(Release::new(bad, 0).is_err(), "{bad}");
        }
    }
}
