//! Exact evolution of one neuron's (v, g) between input events, and the test that decides
//! whether a neuron left alone can still reach threshold.
//!
//! Between events the model is linear: with u = v - v0, g decays as `g e^{-t/tau}` and
//! `u(t) = u e^{-t/t_mbr} + c g (e^{-t/tau} - e^{-t/t_mbr})`, `c = tau/(tau - t_mbr)`.
//! Brian applies the one-step form of this every step to every neuron; the engine applies
//! it only to neurons that may spike soon and jumps the others over many steps at once.
//! Short jumps repeat Brian's one-step formula literally (bit-identical); long ones use
//! the closed form, which differs from repeated stepping only in the last bits.

use super::params::StepConstants;

/// Jumps up to this many steps repeat the one-step formula exactly.
const EXACT_STEPS: u32 = 16;
/// Jumps shorter than this read precomputed decay factors, as `low[k % 256] * high[k / 256]`:
/// four 2 KB tables stay in L1 where one 64 K-entry table would miss on every lookup.
const TABLE_STEPS: usize = 1 << 16;
const TABLE_LOW: usize = 256;
/// Safety margin (V) when deciding that a neuron can no longer reach threshold: far above
/// the rounding error of the closed form (~1e-17 V), far below any synaptic weight.
const MARGIN: f64 = 1e-12;

/// Precomputed propagation factors for one parameter set.
#[derive(Debug, Clone)]
pub struct Propagator {
    /// The per-step constants (Brian's).
    pub k: StepConstants,
    /// `e^{-j dt/t_mbr}` for j < TABLE_LOW, then for j = 256 i.
    em_low: Vec<f64>,
    em_high: Vec<f64>,
    /// The same for `e^{-j dt/tau}`.
    es_low: Vec<f64>,
    es_high: Vec<f64>,
    /// `c` of the module doc.
    c: f64,
    /// max over t of |c (e^{-t/tau} - e^{-t/t_mbr})|: the largest excursion of u per unit g.
    kappa: f64,
    /// v_th - v0 - MARGIN.
    theta: f64,
}

impl Propagator {
    /// Builds the tables for these constants.
    pub fn new(k: StepConstants) -> Self {
        let (dt, tau, t_mbr) = (k.dt, k.tau, k.t_mbr);
        let table = |tc: f64, stride: usize| -> Vec<f64> {
            (0..TABLE_LOW)
                .map(|j| (-((j * stride) as f64) * dt / tc).exp())
                .collect()
        };
        let (em_low, em_high) = (table(t_mbr, 1), table(t_mbr, TABLE_LOW));
        let (es_low, es_high) = (table(tau, 1), table(tau, TABLE_LOW));
        let c = tau / (tau - t_mbr);
        // The kernel c(e_s - e_m) peaks where its derivative vanishes.
        let t_peak = (t_mbr / tau).ln() / (1.0 / tau - 1.0 / t_mbr);
        let kappa = (c * ((-t_peak / tau).exp() - (-t_peak / t_mbr).exp())).abs() * (1.0 + 1e-9);
        let theta = k.v_th - k.v_rest - MARGIN;
        Propagator {
            k,
            em_low,
            em_high,
            es_low,
            es_high,
            c,
            kappa,
            theta,
        }
    }

    /// One integration step, exactly Brian's generated update (same operations, same order).
    #[inline(always)]
    pub fn step1(&self, v: &mut f64, g: &mut f64) {
        let nv = self.k.v_const + ((self.k.v_from_g * *g) + (self.k.v_decay * *v));
        *g *= self.k.g_decay;
        *v = nv;
    }

    /// Applies `steps` integration steps.
    #[inline]
    pub fn advance(&self, v: &mut f64, g: &mut f64, steps: u32) {
        if *g == 0.0 && *v == self.k.v_rest {
            return; // the resting state is an exact fixed point of the update
        }
        if steps <= EXACT_STEPS {
            for _ in 0..steps {
                self.step1(v, g);
            }
            return;
        }
        let (em, es) = if (steps as usize) < TABLE_STEPS {
            let (lo, hi) = (steps as usize % TABLE_LOW, steps as usize / TABLE_LOW);
            (
                self.em_low[lo] * self.em_high[hi],
                self.es_low[lo] * self.es_high[hi],
            )
        } else {
            let t = steps as f64 * self.k.dt;
            ((-t / self.k.t_mbr).exp(), (-t / self.k.tau).exp())
        };
        let u = *v - self.k.v_rest;
        *v = self.k.v_rest + (u * em + self.c * *g * (es - em));
        *g *= es;
    }

    /// Whether a neuron in state (v, g), left without input, may exceed the threshold at
    /// some later time. False is a guarantee (continuous-time maximum below threshold minus
    /// a margin); true may be conservative.
    #[inline]
    pub fn may_cross(&self, v: f64, g: f64) -> bool {
        let u = v - self.k.v_rest;
        if u >= self.theta {
            return true;
        }
        // Cheap bound: u(t) <= max(u, 0) + kappa |g|.
        if u.max(0.0) + self.kappa * g.abs() < self.theta {
            return false;
        }
        // u(t) = a e^{-t/t_mbr} + b e^{-t/tau}: at most one extremum, at t* below.
        let b = self.c * g;
        let a = u - b;
        let (tau, t_mbr) = (self.k.tau, self.k.t_mbr);
        let x = -(a * tau) / (b * t_mbr);
        if x.is_nan() || x <= 0.0 {
            return false; // no interior extremum: the maximum is u (checked) or 0
        }
        let t_star = -x.ln() / (1.0 / tau - 1.0 / t_mbr);
        if t_star.is_nan() || t_star <= 0.0 {
            return false; // the extremum lies in the past
        }
        let peak = a * (-t_star / t_mbr).exp() + b * (-t_star / tau).exp();
        peak >= self.theta
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::params::ModelParams;

    fn prop() -> Propagator {
        Propagator::new(ModelParams::default().constants().unwrap())
    }

    #[test]
    fn closed_form_matches_repeated_steps() {
        let p = prop();
        for &(v0, g0) in &[(-0.050, 0.004), (-0.060, -0.01), (-0.046, 0.02)] {
            for steps in [17u32, 100, 5000, 70000] {
                let (mut v1, mut g1) = (v0, g0);
                let (mut v2, mut g2) = (v0, g0);
                p.advance(&mut v1, &mut g1, steps);
                for _ in 0..steps {
                    p.step1(&mut v2, &mut g2);
                }
                // Repeated rounding stalls within ~1e-15 V of rest (|v - v0|(1 - e^{-dt/t_mbr})
                // falls below half an ulp); the closed form lands on rest itself.
                assert!((v1 - v2).abs() < 1e-14, "{steps}: {v1} vs {v2}");
                assert!((g1 - g2).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn may_cross_agrees_with_brute_force() {
        let p = prop();
        let mut disagreements_unsafe = 0;
        for i in 0..400 {
            for j in 0..400 {
                let v = -0.070 + 0.025 * i as f64 / 400.0;
                let g = -0.05 + 0.1 * j as f64 / 400.0;
                if v > p.k.v_th {
                    continue;
                }
                let (mut vv, mut gg) = (v, g);
                let mut crosses = false;
                for _ in 0..3000 {
                    p.step1(&mut vv, &mut gg);
                    if vv > p.k.v_th {
                        crosses = true;
                        break;
                    }
                }
                if crosses && !p.may_cross(v, g) {
                    disagreements_unsafe += 1;
                }
            }
        }
        assert_eq!(disagreements_unsafe, 0);
        // And it is not trivially conservative: a neuron at rest with tiny g is safe.
        assert!(!p.may_cross(p.k.v_rest, 1e-4));
        assert!(p.may_cross(p.k.v_rest, 0.1));
    }
}
