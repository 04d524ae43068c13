//! The exact solution of one neuron's (v, g) between input events, in coordinates that do
//! not change with time, and the test that decides whether a neuron can still reach
//! threshold.
//!
//! Between events the model is linear: with u = v - v0 and `c = tau/(tau - t_mbr)`,
//! `u(t) = a e^{-t/t_mbr} + b e^{-t/tau}` and `g(t) = (b/c) e^{-t/tau}`. The engine keeps
//! every neuron as its two coefficients (a, b) relative to the start E of the current epoch:
//! at step m, `u = a Pm(m) + b Ps(m)` with `Pm(m) = e^{-(m-E) dt/t_mbr}`,
//! `Ps(m) = e^{-(m-E) dt/tau}`. Nothing moves while a neuron receives no input, and an
//! input is a multiply-add with factors that depend only on the step (g += w is
//! `b += c w / Ps`, `a -= c w / Pm`; v += w is `a += w / Pm`): no per-neuron catch-up.
//!
//! These are the exact solutions of Brian's `method='linear'` update; Brian applies the
//! same solution one step at a time, so the two differ only by rounding (below 2e-15 V, see
//! `tests::coefficients_follow_brians_step`), far below the ~1e-5 V a neuron moves per step
//! near threshold: a threshold decision could differ only if Brian's v landed within that
//! rounding of v_th at some step, which none of the cross-checks against Brian 2 (or the
//! dense transcription in the tests) has ever shown.
//!
//! The factors grow like e^{(m-E) dt/tau}; every [`Propagator::epoch_steps`] steps the
//! engine re-bases all coefficients to a new E, which bounds them by e^160 (~1e69).

use super::params::StepConstants;

/// The largest exponent (m - E) dt / min(tau, t_mbr) an epoch reaches.
const MAX_EXPONENT: f64 = 160.0;
/// Safety margin (V) when deciding that a neuron can no longer reach threshold: far above
/// the rounding error of the closed form (< 2e-15 V), far below any synaptic weight.
const MARGIN: f64 = 1e-12;

/// Everything the engine needs at one step of an epoch (index m - E).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepFactors {
    /// `e^{-(m-E) dt/t_mbr}`: u = a pm + b ps.
    pub pm: f64,
    /// `e^{-(m-E) dt/tau}`.
    pub ps: f64,
    /// One synapse adds `count x syn_a` to a and `count x syn_b` to b (g += count w_syn).
    pub syn_a: f64,
    /// See `syn_a`.
    pub syn_b: f64,
    /// An input event adds this to a (v += f_poi w_syn).
    pub kick_a: f64,
    /// `kappa |g| = bound_b |b|`: the cheap reachability bound [`Propagator::may_reach`].
    pub bound_b: f64,
}

/// Precomputed propagation factors for one parameter set.
#[derive(Debug, Clone)]
pub struct Propagator {
    /// The per-step constants (Brian's).
    pub k: StepConstants,
    /// Factors for the steps 0..=epoch of an epoch.
    factors: Vec<StepFactors>,
    /// `c` of the module doc.
    c: f64,
    /// max over t of |c (e^{-t/tau} - e^{-t/t_mbr})|: the largest excursion of u per unit g.
    kappa: f64,
    /// v_th - v0 - MARGIN.
    theta: f64,
    /// `1 - t_mbr/tau` and `t_mbr/(t_mbr - tau)`: u at its extremum is
    /// `peak_b b x^peak_x` (see [`Propagator::last_chance`]).
    peak_b: f64,
    peak_x: f64,
}

impl Propagator {
    /// Builds the tables for these constants.
    pub fn new(k: StepConstants) -> Self {
        let (dt, tau, t_mbr) = (k.dt, k.tau, k.t_mbr);
        let c = tau / (tau - t_mbr);
        let epoch = (MAX_EXPONENT * tau.min(t_mbr) / dt)
            .floor()
            .clamp(1.0, 10_000.0) as usize;
        // The kernel c(e_s - e_m) peaks where its derivative vanishes.
        let t_peak = (t_mbr / tau).ln() / (1.0 / tau - 1.0 / t_mbr);
        let kappa = (c * ((-t_peak / tau).exp() - (-t_peak / t_mbr).exp())).abs() * (1.0 + 1e-9);
        let factors = (0..=epoch)
            .map(|j| {
                let (pm, ps) = (decay(j, dt, t_mbr), decay(j, dt, tau));
                StepFactors {
                    pm,
                    ps,
                    syn_a: -c * k.w_syn / pm,
                    syn_b: c * k.w_syn / ps,
                    kick_a: k.w_input / pm,
                    bound_b: kappa / c.abs() * ps,
                }
            })
            .collect();
        let theta = k.v_th - k.v_rest - MARGIN;
        Propagator {
            k,
            factors,
            c,
            kappa,
            theta,
            peak_b: 1.0 - t_mbr / tau,
            peak_x: t_mbr / (t_mbr - tau),
        }
    }

    /// Steps between two re-basings of the coefficients.
    pub fn epoch_steps(&self) -> u32 {
        (self.factors.len() - 1) as u32
    }

    /// The factors of step `m - E` of an epoch (0..=epoch_steps).
    #[inline(always)]
    pub fn factors(&self, since_epoch: u32) -> &StepFactors {
        &self.factors[since_epoch as usize]
    }

    /// The cheap half of [`Propagator::last_chance`]: false guarantees that a neuron now at
    /// `u = v - v0` with `kappa_g = kappa |g|` never reaches threshold without more input,
    /// since `u(t) <= max(u, 0) + kappa |g|`. Written as `max(u + kappa |g|, kappa |g|)`,
    /// one maxsd; NaN (a refractory neuron) fails it.
    #[inline(always)]
    pub fn may_reach(&self, u: f64, kappa_g: f64) -> bool {
        let with_u = u + kappa_g;
        let bound = if with_u > kappa_g { with_u } else { kappa_g };
        bound >= self.theta
    }

    /// Coefficients (a, b) at step index `since_epoch` of the state (v, g).
    pub fn coefficients(&self, v: f64, g: f64, since_epoch: u32) -> (f64, f64) {
        let f = self.factors(since_epoch);
        let b_now = self.c * g;
        ((v - self.k.v_rest - b_now) / f.pm, b_now / f.ps)
    }

    /// (v, g) at step index `since_epoch` of the coefficients (a, b).
    pub fn state(&self, a: f64, b: f64, since_epoch: u32) -> (f64, f64) {
        let f = self.factors(since_epoch);
        let (a_now, b_now) = (a * f.pm, b * f.ps);
        (self.k.v_rest + (a_now + b_now), b_now / self.c)
    }

    /// One integration step, exactly Brian's generated update (same operations, same
    /// order). The engine does not use it; tests compare the coefficients with it.
    #[inline(always)]
    pub fn step1(&self, v: &mut f64, g: &mut f64) {
        let nv = self.k.v_const + ((self.k.v_from_g * *g) + (self.k.v_decay * *v));
        *g *= self.k.g_decay;
        *v = nv;
    }

    /// The last step, counted from now, at which a neuron with
    /// `u(t) = a_now e^{-t/t_mbr} + b_now e^{-t/tau}` (no further input) may be above
    /// threshold; `None` when it never can (a guarantee: the continuous-time maximum stays
    /// below threshold minus a margin). The engine tests an active neuron every step up to
    /// this step.
    ///
    /// Why the window ends at the *last* step the trajectory may be above threshold, not at
    /// its peak or its first crossing: inhibition that arrives later lowers the trajectory
    /// at every future time (the PSP kernel `c (e^{-t/tau} - e^{-t/t_mbr})` is >= 0) but
    /// can move its peak, and so its first crossing, later (a window ending at the old peak
    /// would miss such spikes). A lowered trajectory can only be above threshold
    /// where this one is, so its first crossing, if any, lies inside this window: an
    /// inhibitory event never needs a new window. Excitatory events and input kicks raise
    /// the trajectory and do get a new one (the engine recomputes it).
    ///
    /// The end is an upper bound, in closed form: for t >= 0,
    /// `u(t) <= a+ e^{-t/t_mbr} + b+ e^{-t/tau} <= (a+ + b+) e^{-t/T}` with
    /// `x+ = max(x, 0)` and `T = max(t_mbr, tau)`, which is below theta for
    /// `t > T ln((a+ + b+)/theta)`; one more step covers rounding. It is longer than the
    /// trajectory's time above threshold, which costs tests only on neurons that do not
    /// spike in it (a spike ends the window).
    #[inline]
    pub fn last_chance(&self, a_now: f64, b_now: f64) -> Option<u32> {
        let u = a_now + b_now;
        if !self.may_reach(u, self.kappa / self.c.abs() * b_now.abs()) {
            return None;
        }
        // u(t) has at most one extremum, at t* = -ln(x) / (1/tau - 1/t_mbr) with
        // x = -(a tau)/(b t_mbr); the maximum over t >= 0 is u(0), u(t*) when t* > 0 is a
        // maximum, or the limit 0 (below theta). A neuron already at threshold needs no peak.
        // At t*, a e^{-t*/t_mbr} = -(t_mbr/tau) b e^{-t*/tau}, so u(t*) = peak_b b x^peak_x
        // (one ln and one exp, and no cancellation between the two terms).
        // (A minimum at t* is below u(0), so max(u, peak) is the maximum either way.)
        let (tau, t_mbr) = (self.k.tau, self.k.t_mbr);
        let at_threshold = u >= self.theta;
        if !at_threshold {
            let x = -(a_now * tau) / (b_now * t_mbr);
            let ln_x = x.ln();
            // t* > 0: -ln x and 1/tau - 1/t_mbr have the same sign.
            let t_star_positive = if tau < t_mbr { ln_x < 0.0 } else { ln_x > 0.0 };
            let peak = if x > 0.0 && t_star_positive {
                self.peak_b * b_now * (ln_x * self.peak_x).exp()
            } else {
                f64::NEG_INFINITY
            };
            let reaches = peak >= self.theta; // false for NaN: refractory
            if !reaches {
                return None;
            }
        }
        let reach = a_now.max(0.0) + b_now.max(0.0);
        let t_end = tau.max(t_mbr) * (reach / self.theta).ln();
        let steps = (t_end / self.k.dt).ceil() + 1.0;
        Some(if steps < u32::MAX as f64 {
            (steps as u32).max(1)
        } else {
            u32::MAX
        })
    }
}

/// `e^{-j dt/tc}` to within about an ulp for every j of an epoch. The exponent is formed
/// without rounding (`j dt/tc` as an exact product plus corrections): rounding it would
/// cost ~1e-14 relative at j dt/tc ~ 100, and the factors of two steps must agree to the
/// last bits for the inputs they carry from one step to the other.
fn decay(j: usize, dt: f64, tc: f64) -> f64 {
    let j = j as f64;
    let x = dt / tc;
    let x_lo = (-x).mul_add(tc, dt) / tc; // dt/tc = x + x_lo
    let p = j * x;
    let p_err = j.mul_add(x, -p); // j x = p + p_err exactly
    (-p).exp() * (-(p_err + j * x_lo)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::params::ModelParams;

    fn prop() -> Propagator {
        Propagator::new(ModelParams::default().constants().unwrap())
    }

    #[test]
    fn epochs_keep_the_factors_bounded() {
        let p = prop();
        assert_eq!(p.epoch_steps(), 8000);
        let last = p.factors(p.epoch_steps());
        assert!(last.ps > 1e-70 && last.syn_b.abs() < 1e67, "{last:?}");
        assert_eq!(p.factors(0).pm, 1.0);
    }

    #[test]
    fn coefficients_follow_brians_step() {
        // The coefficient form evaluated at later steps of the epoch agrees with Brian's
        // update applied step by step to within rounding.
        let p = prop();
        for &(v0, g0, start) in &[
            (-0.050, 0.004, 0u32),
            (-0.060, -0.01, 100),
            (-0.046, 0.02, 7800),
            (-0.052000000000000005, 0.0006875, 17),
        ] {
            let (a, b) = p.coefficients(v0, g0, start);
            let (mut v, mut g) = (v0, g0);
            for m in start + 1..=p.epoch_steps() {
                p.step1(&mut v, &mut g);
                let (cv, cg) = p.state(a, b, m);
                // Repeated rounding stalls within ~1e-15 V of rest (|v - v0|(1 - e^{-dt/t_mbr})
                // falls below half an ulp); the closed form lands on rest itself.
                assert!((cv - v).abs() < 2e-15, "{m}: {cv} vs {v}");
                assert!((cg - g).abs() < 1e-17 + 1e-14 * g.abs(), "{m}: {cg} vs {g}");
            }
        }
    }

    #[test]
    fn last_chance_agrees_with_brute_force() {
        // Every step at which Brian's update (no input) is above threshold lies within the
        // window that last_chance gives, not only the first: a trajectory lowered by later
        // inhibition can cross only where this one is above threshold.
        let p = prop();
        let mut disagreements_unsafe = 0;
        let mut windows = 0u64;
        for i in 0..400 {
            for j in 0..400 {
                let v = -0.070 + 0.025 * i as f64 / 400.0;
                let g = -0.05 + 0.1 * j as f64 / 400.0;
                if v > p.k.v_th {
                    continue;
                }
                let (mut vv, mut gg) = (v, g);
                let mut last_above = None;
                for step in 1..=3000u32 {
                    p.step1(&mut vv, &mut gg);
                    if vv > p.k.v_th {
                        last_above = Some(step);
                    }
                }
                let (a, b) = p.coefficients(v, g, 0);
                match (last_above, p.last_chance(a, b)) {
                    (Some(_), None) => disagreements_unsafe += 1,
                    (Some(s), Some(k)) if s > k => disagreements_unsafe += 1,
                    (_, Some(k)) => windows += k as u64,
                    _ => {}
                }
            }
        }
        assert_eq!(disagreements_unsafe, 0);
        assert!(windows > 0);
        // And it is not trivially conservative: a neuron at rest with tiny g is safe.
        let at_rest = |g| p.coefficients(p.k.v_rest, g, 0);
        let (a, b) = at_rest(1e-4);
        assert!(p.last_chance(a, b).is_none());
        let (a, b) = at_rest(0.1);
        assert!(p.last_chance(a, b).is_some());
        assert!(
            p.last_chance(f64::NAN, f64::NAN).is_none(),
            "refractory neurons never cross"
        );
    }

    #[test]
    fn the_one_exp_peak_is_the_trajectory_at_its_maximum() {
        // u(t*) = peak_b b x^peak_x equals a e^{-t*/t_mbr} + b e^{-t*/tau} evaluated at
        // t* = -ln x / (1/tau - 1/t_mbr), and no sampled u(t) lies above it.
        let p = prop();
        let (tau, t_mbr) = (p.k.tau, p.k.t_mbr);
        let mut checked = 0;
        for i in 0..50 {
            for j in 1..50 {
                let (v, g) = (-0.075 + 0.03 * i as f64 / 50.0, 0.1 * j as f64 / 50.0);
                let (a, b) = p.coefficients(v, g, 0);
                let x = -(a * tau) / (b * t_mbr);
                let t_star = -x.ln() / (1.0 / tau - 1.0 / t_mbr);
                if !(x > 0.0 && t_star > 0.0) {
                    continue;
                }
                let direct = a * (-t_star / t_mbr).exp() + b * (-t_star / tau).exp();
                let one_exp = p.peak_b * b * (x.ln() * p.peak_x).exp();
                assert!(
                    (direct - one_exp).abs() <= 1e-15,
                    "{v} {g}: {direct} vs {one_exp}"
                );
                let sampled = (0..4000)
                    .map(|k| {
                        let t = k as f64 * 1e-5;
                        a * (-t / t_mbr).exp() + b * (-t / tau).exp()
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                assert!(sampled <= one_exp + 1e-15, "{v} {g}: {sampled} > {one_exp}");
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn inhibition_after_the_window_is_set_never_moves_a_crossing_out_of_it() {
        // The late-peak case, exhaustively: from states that may cross, an inhibitory event
        // of any size at any later step (no window recomputed, as in the engine) must not
        // make the neuron first cross after the original window ends.
        let p = prop();
        let mut checked = 0u32;
        for i in 0..60 {
            for j in 0..60 {
                let v = -0.075 + 0.03 * i as f64 / 60.0;
                let g = 0.005 + 0.145 * j as f64 / 60.0;
                let (a, b) = p.coefficients(v, g, 0);
                let Some(window) = p.last_chance(a, b) else {
                    continue;
                };
                for at in [0u32, 1, 3, 10, 30, 80] {
                    for w in [0.0005, 0.003, 0.01, 0.03, 0.06, 0.1] {
                        let (mut vv, mut gg) = (v, g);
                        let mut first = None;
                        for step in 1..=3000u32 {
                            p.step1(&mut vv, &mut gg);
                            if vv > p.k.v_th {
                                first = Some(step);
                                break;
                            }
                            if step == at {
                                gg -= w; // arrives after the state update, like Brian's
                            }
                        }
                        if at == 0 {
                            // (event before the first update: applied to the start state)
                            let (mut vv, mut gg) = (v, g - w);
                            first = (1..=3000u32).find(|_| {
                                p.step1(&mut vv, &mut gg);
                                vv > p.k.v_th
                            });
                        }
                        if let Some(s) = first {
                            assert!(
                                s <= window,
                                "v {v} g {g}: -{w} at {at} crosses at {s} > {window}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "too few crossings to be a test: {checked}");
    }
}
