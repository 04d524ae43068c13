//! Where to put a threat or food relative to a body standing at the origin facing +x: the
//! placements of `hexafly body run` and of the body-alone behaviour tests.

use controller::anatomy::Side;

use super::{Food, Threat};
use crate::body::BodySpec;

/// A threat approaching the start position from `side` (body at the origin facing +x):
/// 0.6 m away at head height, 0.04 m radius, closing at 1.5 m/s.
pub fn threat_from(side: Side, height: f32) -> Threat {
    let y = 0.6 * side.sign();
    Threat {
        start: [0.0, y, height],
        velocity: [0.0, -1.5 * side.sign(), 0.0],
        radius: 0.04,
        onset_s: 0.0,
        duration_s: 0.35,
    }
}

/// A food patch under the proboscis tip of a body standing at the origin facing +x and
/// feeding (neck lowered, proboscis extended).
pub fn food_under_proboscis(spec: &BodySpec) -> Food {
    let geom = spec.geometry();
    let p = &spec.proboscis;
    let tip0 = [
        p.base[0] + p.direction[0] * p.length,
        p.base[1] + p.direction[1] * p.length,
        p.base[2] + p.direction[2] * p.length,
    ];
    let tip = geom.head_point(tip0, spec.motor.feed_neck);
    Food {
        position: [tip[0], tip[1]],
        radius: 0.03 * spec.head.radius / 0.026,
        odor: 1.0,
        sugar: 1.0,
    }
}
