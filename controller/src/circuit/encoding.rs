//! Sensory encoding: a stimulus value becomes a Poisson rate (Hz) onto a sensory neuron
//! group, scaled by internal-state gains.
//!
//! Two curves, both documented in `assets/circuits/README.md`:
//! - **piecewise**: straight lines between `points = [[x, hz], ...]` (x strictly
//!   increasing), constant beyond the first and last point;
//! - **saturating**: `max_hz * x / (x + half_at)` for `x > 0`, 0 otherwise (a Michaelis-Menten
//!   curve: half of `max_hz` at `x = half_at`, approaching `max_hz` for large stimuli, the
//!   usual shape of receptor-neuron dose-response).
//!
//! Gains multiply: `rate = curve(x) * (1 + g_hunger * hunger + g_dust * dust + g_arousal *
//! arousal)`, each state in 0..1 and each gain >= 0, and the result is clamped to
//! [0, max_rate] (one input event per step). Validation on load already rejects curves and
//! gains that could exceed the limit with every state at 1, so the clamp only guards
//! out-of-range states.

use crate::sensors::InternalState;

/// A stimulus -> rate curve.
#[derive(Debug, Clone, PartialEq)]
pub enum Curve {
    /// Linear interpolation through (x, hz) points, x strictly increasing, >= 2 points.
    Piecewise(Vec<(f64, f64)>),
    /// `max_hz * x / (x + half_at)` for x > 0.
    Saturating {
        /// Asymptotic rate (Hz).
        max_hz: f64,
        /// Stimulus at half of `max_hz` (> 0).
        half_at: f64,
    },
}

impl Curve {
    /// Rate (Hz) for stimulus `x` (non-finite x reads as 0).
    pub fn rate_hz(&self, x: f64) -> f64 {
        let x = if x.is_finite() { x } else { 0.0 };
        match self {
            Curve::Piecewise(p) => {
                let (first, last) = (p[0], p[p.len() - 1]);
                if x <= first.0 {
                    return first.1;
                }
                if x >= last.0 {
                    return last.1;
                }
                let k = p.partition_point(|q| q.0 <= x);
                let (a, b) = (p[k - 1], p[k]);
                a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
            }
            Curve::Saturating { max_hz, half_at } => {
                if x > 0.0 {
                    max_hz * x / (x + half_at)
                } else {
                    0.0
                }
            }
        }
    }

    /// The highest rate the curve reaches (its supremum): the drive test's "top rate".
    pub fn top_hz(&self) -> f64 {
        match self {
            Curve::Piecewise(p) => p.iter().map(|q| q.1).fold(0.0, f64::max),
            Curve::Saturating { max_hz, .. } => *max_hz,
        }
    }
}

/// Internal-state gains of a sensor (each >= 0; 0 = no modulation).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Gains {
    /// Gain per unit hunger.
    pub hunger: f64,
    /// Gain per unit dust.
    pub dust: f64,
    /// Gain per unit arousal.
    pub arousal: f64,
}

impl Gains {
    /// The factor `1 + sum(gain * state)`.
    pub fn factor(&self, s: &InternalState) -> f64 {
        1.0 + self.hunger * s.hunger as f64
            + self.dust * s.dust as f64
            + self.arousal * s.arousal as f64
    }

    /// The largest factor over states in 0..1.
    pub fn max_factor(&self) -> f64 {
        1.0 + self.hunger + self.dust + self.arousal
    }
}

/// A sensor's encoding: curve, gains and the rate limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoding {
    /// Stimulus -> rate.
    pub curve: Curve,
    /// Internal-state modulation.
    pub gains: Gains,
    /// The highest rate the brain can deliver (1 / dt, Hz).
    pub max_rate_hz: f64,
}

impl Encoding {
    /// The Poisson rate (Hz) for stimulus `x` in internal state `s`, in [0, max_rate_hz].
    pub fn rate_hz(&self, x: f64, s: &InternalState) -> f64 {
        let r = self.curve.rate_hz(x) * self.gains.factor(s);
        if r.is_finite() {
            r.clamp(0.0, self.max_rate_hz)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_interpolate_saturate_and_gains_multiply() {
        let p = Curve::Piecewise(vec![(0.0, 0.0), (1.0, 100.0), (3.0, 140.0)]);
        assert_eq!(p.rate_hz(-1.0), 0.0);
        assert_eq!(p.rate_hz(0.5), 50.0);
        assert_eq!(p.rate_hz(2.0), 120.0);
        assert_eq!(p.rate_hz(9.0), 140.0);
        assert_eq!(p.top_hz(), 140.0);
        let s = Curve::Saturating {
            max_hz: 200.0,
            half_at: 2.0,
        };
        assert_eq!(s.rate_hz(2.0), 100.0);
        assert_eq!(s.rate_hz(-3.0), 0.0);
        assert!(s.rate_hz(1e9) < 200.0 && s.rate_hz(1e9) > 199.9);
        let e = Encoding {
            curve: p,
            gains: Gains {
                hunger: 1.5,
                ..Default::default()
            },
            max_rate_hz: 10_000.0,
        };
        let hungry = InternalState {
            hunger: 1.0,
            dust: 0.0,
            arousal: 0.0,
        };
        assert_eq!(e.rate_hz(1.0, &hungry), 250.0);
        assert_eq!(e.rate_hz(f64::NAN, &hungry), 0.0);
    }
}
