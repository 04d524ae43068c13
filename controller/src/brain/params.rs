//! Model parameters of the leaky integrate-and-fire brain (Shiu et al. 2024) and the exact
//! step constants Brian 2 derives from them.
//!
//! Values are kept in the units of the paper (ms, mV, Hz) and converted to SI the way Brian 2
//! does (`value * 0.001`), because spike-for-spike agreement needs the very same doubles:
//! Brian's `-52*mV` is `-0.052000000000000005`, not `-0.052`.

use serde::{Deserialize, Serialize};

/// Parameters of the LIF model. [`ModelParams::default`] is the published model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    /// Integration step (ms).
    pub dt_ms: f64,
    /// Resting potential v0 (mV).
    pub v_rest_mv: f64,
    /// Reset potential after a spike (mV).
    pub v_reset_mv: f64,
    /// Threshold (mV); a neuron spikes when v > v_th.
    pub v_th_mv: f64,
    /// Membrane time constant (ms).
    pub t_mbr_ms: f64,
    /// Synaptic (conductance-like) time constant of g (ms).
    pub tau_ms: f64,
    /// Refractory period of undriven neurons (ms). Driven neurons have none.
    pub refractory_ms: f64,
    /// Synaptic delay (ms).
    pub delay_ms: f64,
    /// Weight of one synapse (mV), multiplied by the signed synapse count.
    pub w_syn_mv: f64,
    /// An input event adds `f_poi * w_syn` to v.
    pub f_poi: f64,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            dt_ms: 0.1,
            v_rest_mv: -52.0,
            v_reset_mv: -52.0,
            v_th_mv: -45.0,
            t_mbr_ms: 20.0,
            tau_ms: 5.0,
            refractory_ms: 2.2,
            delay_ms: 1.8,
            w_syn_mv: 0.275,
            f_poi: 250.0,
        }
    }
}

/// Why a parameter set cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid brain model parameters: {0}")]
pub struct ParamsError(pub String);

/// Brian 2's `ms`/`mV` unit factor: quantities become SI by this product.
const MILLI: f64 = 0.001;

/// Brian 2's `timestep(t, dt)`: the step index of a time, robust to rounding.
pub fn brian_timestep(t: f64, dt: f64) -> i64 {
    ((t + 1e-3 * dt) / dt) as i64
}

/// Everything the engine needs per step, in SI units, computed exactly like the C++/numpy
/// code Brian 2.9.0 generates for the model with `method='linear'`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepConstants {
    /// dt (s).
    pub dt: f64,
    /// v0 (V).
    pub v_rest: f64,
    /// v_reset (V).
    pub v_reset: f64,
    /// v_th (V).
    pub v_th: f64,
    /// Brian's `_lio_2 = exp(-dt/tau)`: one-step decay of g.
    pub g_decay: f64,
    /// Brian's `_lio_8 = v_0 - v_0*exp(-dt/t_mbr)`.
    pub v_const: f64,
    /// Brian's `_lio_9`: contribution of g to the next v.
    pub v_from_g: f64,
    /// Brian's `_lio_10 = exp(-dt/t_mbr)`.
    pub v_decay: f64,
    /// Weight of one synapse (V).
    pub w_syn: f64,
    /// Weight of one input event (V).
    pub w_input: f64,
    /// Steps a spiking undriven neuron ignores input and stays frozen (>= 1).
    pub refractory_steps: u32,
    /// Synaptic delay in steps (Brian's spike queue: `int(delay/dt + 0.5)`).
    pub delay_steps: u32,
    /// t_mbr (s).
    pub t_mbr: f64,
    /// tau (s).
    pub tau: f64,
}

impl ModelParams {
    /// Checks the parameters and derives the per-step constants.
    pub fn constants(&self) -> Result<StepConstants, ParamsError> {
        let finite = [
            self.dt_ms,
            self.v_rest_mv,
            self.v_reset_mv,
            self.v_th_mv,
            self.t_mbr_ms,
            self.tau_ms,
            self.refractory_ms,
            self.delay_ms,
            self.w_syn_mv,
            self.f_poi,
        ];
        if finite.iter().any(|x| !x.is_finite()) {
            return Err(ParamsError(
                "every parameter must be a finite number".into(),
            ));
        }
        if self.dt_ms <= 0.0 || self.t_mbr_ms <= 0.0 || self.tau_ms <= 0.0 {
            return Err(ParamsError("dt, t_mbr and tau must be > 0".into()));
        }
        if self.t_mbr_ms == self.tau_ms {
            // The exact (linear) solution divides by t_mbr - tau, as Brian's does.
            return Err(ParamsError("t_mbr and tau must differ".into()));
        }
        if self.refractory_ms < 0.0 || self.delay_ms < 0.0 {
            return Err(ParamsError("refractory and delay must be >= 0".into()));
        }
        if self.w_syn_mv < 0.0 {
            // The engine tests reachability after excitatory (positive-count) events only.
            return Err(ParamsError(
                "w_syn must be >= 0 (signs come from the synapse counts)".into(),
            ));
        }
        if self.v_th_mv <= self.v_rest_mv || self.v_reset_mv > self.v_th_mv {
            return Err(ParamsError("need v_rest < v_th and v_reset <= v_th".into()));
        }
        let dt = self.dt_ms * MILLI;
        let tau = self.tau_ms * MILLI;
        let t_mbr = self.t_mbr_ms * MILLI;
        let v_0 = self.v_rest_mv * MILLI;
        // Same expression trees as Brian's generated loop-invariant constants.
        let lio_1 = (-dt) / tau;
        let lio_2 = lio_1.exp();
        let lio_3 = tau / (t_mbr - tau);
        let lio_4 = dt / t_mbr;
        let lio_5 = dt / tau;
        let lio_6 = (-dt) / t_mbr;
        let lio_8 = v_0 - (v_0 * lio_6.exp());
        let lio_9 = ((lio_3 * ((-lio_4.exp()) + lio_5.exp())) * lio_6.exp()) * lio_1.exp();
        let lio_10 = lio_6.exp();
        let refractory = brian_timestep(self.refractory_ms * MILLI, dt);
        let delay = (self.delay_ms * MILLI / dt + 0.5) as i64;
        if refractory > u32::MAX as i64 / 4 || delay > 1_000_000 {
            return Err(ParamsError(
                "refractory period or delay too long for dt".into(),
            ));
        }
        Ok(StepConstants {
            dt,
            v_rest: v_0,
            v_reset: self.v_reset_mv * MILLI,
            v_th: self.v_th_mv * MILLI,
            g_decay: lio_2,
            v_const: lio_8,
            v_from_g: lio_9,
            v_decay: lio_10,
            w_syn: self.w_syn_mv * MILLI,
            w_input: self.w_syn_mv * MILLI * self.f_poi,
            // A spike at step m blocks input at m itself even with no refractory period.
            refractory_steps: refractory.max(1) as u32,
            delay_steps: delay as u32,
            t_mbr,
            tau,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_constants_match_brian_generated_code() {
        let c = ModelParams::default().constants().unwrap();
        // Literals printed in Brian 2.9.0's generated stateupdater/thresholder.
        assert_eq!(c.v_rest, -0.052000000000000005);
        assert_eq!(c.v_th, -0.045);
        assert_eq!(c.dt, 0.0001);
        assert_eq!(c.w_input, 0.06875);
        assert_eq!(c.refractory_steps, 22);
        assert_eq!(c.delay_steps, 18);
        // v0 is an exact fixed point of the update, so resting neurons never drift.
        assert_eq!(
            c.v_const + (c.v_from_g * 0.0 + c.v_decay * c.v_rest),
            c.v_rest
        );
    }

    #[test]
    fn rejects_degenerate_parameters() {
        let p = ModelParams {
            tau_ms: 20.0,
            ..Default::default()
        };
        assert!(p.constants().is_err());
        let p = ModelParams {
            dt_ms: 0.0,
            ..Default::default()
        };
        assert!(p.constants().is_err());
        let p = ModelParams {
            v_th_mv: f64::NAN,
            ..Default::default()
        };
        assert!(p.constants().is_err());
    }
}
