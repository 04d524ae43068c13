//! Membrane noise: every non-refractory neuron's v receives an independent Gaussian kick
//! each step, so that without input v performs an Ornstein-Uhlenbeck process around v0
//! with stationary standard deviation `sigma`. This is Brian 2's
//! `dv/dt = (v0 - v + g)/t_mbr + sigma*sqrt(2/t_mbr)*xi` (with `(unless refractory)`), the
//! usual way to add intrinsic noise to a LIF network.
//!
//! The kick of one step has the exact OU variance `sigma^2 (1 - e^{-2 dt/t_mbr})`, so the
//! stationary spread is `sigma` itself (Brian's Euler-Maruyama step gives
//! `sigma / sqrt(1 - dt/(2 t_mbr))`, 0.125% more at the published dt and t_mbr); the two agree
//! in distribution, not spike for spike, since their random numbers differ (checked against
//! Brian 2 in `sim/tests/integration/brain_brian2_crosscheck.rs`).
//!
//! Each kick is a pure function of (seed, step, neuron): a splitmix64 stream started from a
//! hash of the three feeds rand_distr's ziggurat normal sampler (one 64-bit draw for ~99% of
//! kicks), not a draw from a shared stream, so a run is the same at any thread count. The
//! price is density: with noise on, every neuron is updated every step, as in a
//! clock-driven simulator (~60 instructions per neuron and step, BENCHMARKS.md). Off (`None`) by default: the engine then stays spike for spike
//! identical to Brian 2.

use connectome::NeuronIndex;

use rand_distr::{Distribution, StandardNormal};

use super::release::splitmix64;

/// A membrane-noise model (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    sigma: f64,
    seed: u64,
    /// Standard deviation of one step's kick (V).
    step_sd: f64,
}

/// Largest membrane noise accepted, volts (sd of the membrane potential): 20 mV, three
/// times the distance from rest to threshold in the model of Shiu et al.
pub const MAX_NOISE_V: f64 = 0.020;

impl Noise {
    /// Noise with stationary standard deviation `sigma_v` (volts, >= 0 and finite) for a
    /// neuron of membrane time constant `t_mbr` (s) stepped every `dt` (s), decided by `seed`.
    pub fn new(sigma_v: f64, t_mbr: f64, dt: f64, seed: u64) -> Result<Noise, String> {
        if !(sigma_v.is_finite() && (0.0..=MAX_NOISE_V).contains(&sigma_v)) {
            return Err(format!(
                "membrane noise sd = {} mV; expected 0 to {} mV (the threshold is 7 mV above \
                 rest: far more noise than that fires every neuron at random)",
                sigma_v * 1e3,
                MAX_NOISE_V * 1e3
            ));
        }
        let step_sd = sigma_v * (-(-2.0 * dt / t_mbr).exp_m1()).sqrt();
        Ok(Noise {
            sigma: sigma_v,
            // Salted, so that a run's one seed gives noise unrelated to its other streams.
            seed: splitmix64(seed ^ 0x4E01_5E5E_ED00_0001),
            step_sd,
        })
    }

    /// The same noise with independent kicks for trial `trial` of a protocol.
    pub fn for_trial(&self, trial: u32) -> Noise {
        Noise {
            seed: splitmix64(self.seed ^ (trial as u64).wrapping_mul(0xA076_1D64_78BD_642F)),
            ..*self
        }
    }

    /// The stationary standard deviation of v (V).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The kick (V) that `neuron`'s v receives in the state update of `step`.
    #[inline]
    pub fn kick(&self, step: u32, neuron: NeuronIndex) -> f64 {
        let mut stream = SplitMix(
            self.seed
                ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (neuron as u64).wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        let z: f64 = StandardNormal.sample(&mut stream);
        self.step_sd * z
    }
}

/// The splitmix64 generator: a counter advanced by the golden ratio through the finaliser.
/// Short streams from nearby starting points are independent enough for noise (the
/// finaliser decorrelates them), and it costs a few instructions per draw.
struct SplitMix(u64);

impl rand::RngCore for SplitMix {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        let z = self.0;
        self.0 = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(z)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let x = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kicks_are_standard_normal_times_the_step_sd_and_pure() {
        let n = Noise::new(0.004, 0.02, 1e-4, 9).unwrap();
        let xs: Vec<f64> = (0..200_000u32).map(|i| n.kick(i / 500, i % 500)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        let sd = 0.004 * (1.0 - (-2.0 * 1e-4 / 0.02f64).exp()).sqrt();
        assert!(mean.abs() < 0.01 * sd, "mean {mean}");
        assert!(
            (var.sqrt() / sd - 1.0).abs() < 0.01,
            "sd {} vs {sd}",
            var.sqrt()
        );
        // Tails of a normal: P(|z| > 2) = 4.55%.
        let beyond = xs.iter().filter(|x| x.abs() > 2.0 * sd).count() as f64 / xs.len() as f64;
        assert!((beyond - 0.0455).abs() < 0.003, "{beyond}");
        // And the far tail, which the ziggurat draws by a separate path: P(|z| > 3) = 0.27%.
        let far = xs.iter().filter(|x| x.abs() > 3.0 * sd).count() as f64 / xs.len() as f64;
        assert!((far - 0.0027).abs() < 0.0007, "{far}");
        assert_eq!(n.kick(3, 4), n.kick(3, 4));
        assert_ne!(n.kick(3, 4), n.kick(4, 3));
        let other = Noise::new(0.004, 0.02, 1e-4, 10).unwrap();
        assert_ne!(n.kick(3, 4), other.kick(3, 4), "the seed decides");
    }

    #[test]
    fn bad_sigmas_are_errors() {
        // 1000 V (1e6 mV) was accepted and fired every neuron at random.
        for s in [-1e-3, f64::NAN, f64::INFINITY, 1e3, 0.0201] {
            let e = Noise::new(s, 0.02, 1e-4, 0).unwrap_err();
            assert!(e.contains("expected 0 to 20 mV"), "{e}");
        }
        assert!(Noise::new(MAX_NOISE_V, 0.02, 1e-4, 0).is_ok());
        assert_eq!(Noise::new(0.0, 0.02, 1e-4, 0).unwrap().kick(1, 1), 0.0);
    }
}
