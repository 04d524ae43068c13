//! Odor fields of food sources.
//!
//! Diffusion: the steady state of diffusion with first-order loss from a point source,
//! C(r) = S r0 exp(-r / L) / (r + r0), with L = sqrt(D / k) the decay length and r0 the patch
//! radius (which keeps C finite, equal to S at the source). Plume: the time-averaged Gaussian
//! plume of a ground source in a uniform wind, zero upwind, with width sigma = r0 + spread x at
//! distance x downwind, reflected at the ground.

use crate::world::scene::{Food, OdorMode, OdorSpec};

/// Concentration at world point `p` from one food source.
pub fn concentration(spec: &OdorSpec, wind: [f32; 2], food: &Food, p: [f32; 3]) -> f32 {
    let dx = p[0] - food.position[0];
    let dy = p[1] - food.position[1];
    let dz = p[2].max(0.0);
    let r0 = food.radius;
    match spec.mode {
        OdorMode::Diffusion => {
            let r = (dx * dx + dy * dy + dz * dz).sqrt();
            food.odor * r0 * (-r / spec.decay_length).exp() / (r + r0)
        }
        OdorMode::Plume => {
            let u = (wind[0] * wind[0] + wind[1] * wind[1]).sqrt();
            if u < 1e-6 {
                return 0.0;
            }
            let (wx, wy) = (wind[0] / u, wind[1] / u);
            let down = dx * wx + dy * wy;
            if down < 0.0 {
                return 0.0;
            }
            let cross = -dx * wy + dy * wx;
            let sigma = r0 + spec.plume_spread * down;
            let lateral = (-(cross * cross + dz * dz) / (2.0 * sigma * sigma)).exp();
            food.odor * (r0 / sigma) * lateral * (-down / spec.plume_length).exp()
        }
    }
}

/// Total concentration at `p` from every food source.
pub fn total(spec: &OdorSpec, wind: [f32; 2], food: &[Food], p: [f32; 3]) -> f32 {
    food.iter().map(|f| concentration(spec, wind, f, p)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn food() -> Food {
        Food {
            position: [0.0, 0.0],
            radius: 0.03,
            odor: 1.0,
            sugar: 1.0,
        }
    }

    #[test]
    fn diffusion_falls_with_distance_and_is_one_at_the_source() {
        let s = OdorSpec::default();
        let c0 = concentration(&s, [0.0; 2], &food(), [0.0, 0.0, 0.0]);
        assert!((c0 - 1.0).abs() < 1e-6);
        let c1 = concentration(&s, [0.0; 2], &food(), [0.1, 0.0, 0.0]);
        let c2 = concentration(&s, [0.0; 2], &food(), [0.2, 0.0, 0.0]);
        assert!(c1 > c2 && c2 > 0.0);
    }

    #[test]
    fn plume_is_downwind_only() {
        let s = OdorSpec {
            mode: OdorMode::Plume,
            ..OdorSpec::default()
        };
        let down = concentration(&s, [1.0, 0.0], &food(), [0.5, 0.0, 0.0]);
        let up = concentration(&s, [1.0, 0.0], &food(), [-0.5, 0.0, 0.0]);
        let off = concentration(&s, [1.0, 0.0], &food(), [0.5, 0.3, 0.0]);
        assert!(down > off && off > 0.0);
        assert_eq!(up, 0.0);
    }
}
