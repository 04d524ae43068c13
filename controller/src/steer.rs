//! Steering while walking: the walk command's turn and speed. The connectome gives the
//! forward drive (P9 and the like) and the turn drive (left minus right steering DNs); three
//! rules may be added on top of them (`[arbiter.steering]`), each engineered and reported as
//! such in every output when on. Search and upwind are off until an experiment sets their
//! gains; avoidance is on by default (a robot should not push against walls):
//!
//! - **search** (scan and go): turn at `search_turn` towards the side whose steering DNs
//!   were more active of late until the forward drive has risen above its recent level (the
//!   odor grew while the antennae swept) and fallen back below it (they swept past the
//!   source), then run straight until the drive falls below its recent level again. Walking
//!   flies turn more when odor is lost (Álvarez-Salvado et al. 2018 eLife); larvae accept a
//!   head cast when the concentration rises during it (Gomez-Marin, Stephens & Louis 2011 Nat
//!   Commun).
//! - **upwind**: while the forward drive is above `upwind_on_hz` (odor present), turn into the
//!   air flow felt on the antennae. Odor makes walking flies run upwind (Álvarez-Salvado et al.
//!   2018; Steck et al. 2012 Front Neural Circuits).
//! - **avoid**: near a wall or obstacle (the `obstacle` sense), slow down and turn away from
//!   the nearer side, in proportion to the nearness: an antennal and visual reflex.
//!
//! What triggers search and upwind turning is the connectome's forward drive, not the odor
//! itself: with the olfactory neurons silenced or the wiring shuffled they do not fire. Both
//! act only in a hungry robot (`min_hunger`).

use serde::{Deserialize, Serialize};

use crate::sensors::Sensors;

/// Gains of the engineered steering rules (0 = off; search and upwind are off by default,
/// avoidance on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SteeringParams {
    /// Turn rate of the search, rad/s (0: no search).
    pub search_turn: f32,
    /// Fraction of the walking speed kept while the search turns (flies slow down to search).
    pub search_speed: f32,
    /// Time constant of the forward drive's recent level, seconds.
    pub search_tau_s: f32,
    /// How far above or below its recent level the forward drive must be to count as rising
    /// or falling (Hz).
    pub search_drop_hz: f64,
    /// While the forward drive's recent level is above this (Hz: odor was there of late),
    /// the search goes on, turning in place, even when the drive is too weak to walk: the
    /// local search of a fly that lost the odor.
    pub search_on_hz: f64,
    /// Turn rate into the wind while the forward drive is above `upwind_on_hz`, rad/s at 90
    /// degrees off the wind (0: no upwind turning).
    pub upwind_turn: f32,
    /// Forward drive above which the upwind rule steers (Hz).
    pub upwind_on_hz: f64,
    /// Hunger (0..1) from which the search and upwind rules act: hungry flies search for
    /// food, fed ones do not (Corfas, Sharma & Dickinson 2019 eLife).
    pub min_hunger: f32,
    /// Turn rate away from a wall or obstacle at nearness 1, rad/s (0: no avoidance;
    /// default 1.5, the robot's fastest commanded turn).
    pub avoid_turn: f32,
}

impl Default for SteeringParams {
    fn default() -> Self {
        SteeringParams {
            search_turn: 0.0,
            search_speed: 1.0,
            search_tau_s: 1.0,
            search_drop_hz: 2.0,
            search_on_hz: 5.0,
            upwind_turn: 0.0,
            upwind_on_hz: 10.0,
            min_hunger: 0.5,
            avoid_turn: 1.5,
        }
    }
}

impl SteeringParams {
    /// Every out-of-range field, named `arbiter.steering.FIELD`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v, ok, what) in [
            (
                "search_turn",
                self.search_turn as f64,
                self.search_turn >= 0.0,
                ">= 0",
            ),
            (
                "search_speed",
                self.search_speed as f64,
                (0.0..=1.0).contains(&self.search_speed),
                "from 0 to 1",
            ),
            (
                "search_tau_s",
                self.search_tau_s as f64,
                self.search_tau_s > 0.0,
                "> 0",
            ),
            (
                "search_drop_hz",
                self.search_drop_hz,
                self.search_drop_hz >= 0.0,
                ">= 0",
            ),
            (
                "search_on_hz",
                self.search_on_hz,
                self.search_on_hz >= 0.0,
                ">= 0",
            ),
            (
                "upwind_turn",
                self.upwind_turn as f64,
                self.upwind_turn >= 0.0,
                ">= 0",
            ),
            (
                "upwind_on_hz",
                self.upwind_on_hz,
                self.upwind_on_hz >= 0.0,
                ">= 0",
            ),
            (
                "min_hunger",
                self.min_hunger as f64,
                (0.0..=1.0).contains(&self.min_hunger),
                "from 0 to 1",
            ),
            (
                "avoid_turn",
                self.avoid_turn as f64,
                self.avoid_turn >= 0.0,
                ">= 0",
            ),
        ] {
            if !(v.is_finite() && ok) {
                out.push(format!(
                    "`arbiter.steering.{name}` must be a number {what}, got {v}"
                ));
            }
        }
        out
    }

    /// The rules that are on, by name (`search`, `upwind`, `avoid`).
    pub fn rules_on(&self) -> Vec<&'static str> {
        [
            ("search", self.search_turn),
            ("upwind", self.upwind_turn),
            ("avoid", self.avoid_turn),
        ]
        .into_iter()
        .filter(|r| r.1 > 0.0)
        .map(|r| r.0)
        .collect()
    }
}

/// What the search is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Turning, having seen the drive rise (`seen_rise`) or not yet.
    Search { seen_rise: bool },
    /// Running straight.
    Run,
}

impl Default for Mode {
    fn default() -> Self {
        Mode::Search { seen_rise: false }
    }
}

/// The steering rules' state.
#[derive(Debug, Clone, Default)]
pub struct Steering {
    /// Recent level of the forward drive (Hz).
    recent_forward: f64,
    /// Recent turn drive (Hz, > 0 left): the side the search turns to.
    recent_turn: f64,
    /// Searching or running.
    mode: Mode,
    /// Side of the search turn (+1 left, -1 right; 0 not turning).
    search_side: f32,
    /// Side the avoidance turns to while an obstacle is near (0: none near).
    avoid_side: f32,
}

/// Turn rate (rad/s, > 0 left) and speed factor (0..1) the rules add to a walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steer {
    /// Added turn rate, rad/s (> 0 left).
    pub turn: f32,
    /// Fraction of the walking speed kept.
    pub speed: f32,
    /// Fraction of the connectome's turn kept.
    pub keep_turn: f32,
}

impl Steer {
    /// Nothing added: the connectome's turn and speed as they are.
    pub const NONE: Steer = Steer {
        turn: 0.0,
        speed: 1.0,
        keep_turn: 1.0,
    };
}

impl Steering {
    /// Whether the search keeps the robot walking (turning in place at least) although no
    /// drive is above the walking threshold.
    pub fn searching(&self, p: &SteeringParams, s: &Sensors) -> bool {
        p.search_turn > 0.0
            && s.internal.hunger >= p.min_hunger
            && self.recent_forward > p.search_on_hz
    }

    /// Updates the state for a control tick of `dt` seconds with the forward and turn drives
    /// (Hz) and the senses, and returns what the rules add.
    pub fn update(
        &mut self,
        p: &SteeringParams,
        forward_hz: f64,
        turn_hz: f64,
        s: &Sensors,
        dt: f32,
    ) -> Steer {
        let alpha = 1.0 - (-(dt / p.search_tau_s) as f64).exp();
        // Search: turn until the drive has risen above its recent level and fallen back
        // (turning in place, the antennae sweep sideways ahead of the heading, so the odor
        // grows most before the source is ahead and stops growing once it is), then run
        // straight until the drive falls below its recent level again.
        let falling = forward_hz < self.recent_forward - p.search_drop_hz;
        let rising = forward_hz > self.recent_forward + p.search_drop_hz;
        self.recent_forward += (forward_hz - self.recent_forward) * alpha;
        self.recent_turn += (turn_hz - self.recent_turn) * alpha;
        let (mut turn, mut speed) = (0.0, 1.0);
        let hungry = s.internal.hunger >= p.min_hunger;
        if p.search_turn > 0.0 && hungry {
            match self.mode {
                Mode::Run if falling => {
                    self.mode = Mode::Search { seen_rise: false };
                    self.search_side = if self.recent_turn >= 0.0 { 1.0 } else { -1.0 };
                }
                Mode::Search { seen_rise: false } if rising => {
                    self.mode = Mode::Search { seen_rise: true };
                }
                Mode::Search { seen_rise: true } if falling => {
                    self.mode = Mode::Run;
                    self.recent_forward = forward_hz;
                }
                _ => {}
            }
            if let Mode::Search { .. } = self.mode {
                if self.search_side == 0.0 {
                    self.search_side = if self.recent_turn >= 0.0 { 1.0 } else { -1.0 };
                }
                turn += self.search_side * p.search_turn;
                speed = p.search_speed;
            }
        }
        if p.upwind_turn > 0.0 && hungry && forward_hz > p.upwind_on_hz {
            // The air comes from the direction opposite its flow.
            let (ahead, left) = (-s.wind[0], -s.wind[1]);
            if ahead.hypot(left) > 1e-3 {
                let angle = left.atan2(ahead);
                turn += p.upwind_turn * (angle / std::f32::consts::FRAC_PI_2).clamp(-1.0, 1.0);
            }
        }
        let near = s.obstacle[0].max(s.obstacle[1]);
        if p.avoid_turn > 0.0 && near > 0.0 {
            let (l, r) = (s.obstacle[0], s.obstacle[1]);
            if self.avoid_side == 0.0 || (l - r).abs() > 0.2 {
                self.avoid_side = if l > r { -1.0 } else { 1.0 };
            }
            return Steer {
                turn: turn * (1.0 - near) + self.avoid_side * p.avoid_turn * near,
                speed: speed * (1.0 - near),
                keep_turn: 1.0 - near,
            };
        }
        self.avoid_side = 0.0;
        Steer {
            turn,
            speed,
            keep_turn: 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Senses of a hungry robot (the search and upwind rules act from `min_hunger`).
    fn hungry() -> Sensors {
        Sensors {
            internal: crate::sensors::InternalState {
                hunger: 1.0,
                ..Default::default()
            },
            ..Sensors::default()
        }
    }

    fn on() -> SteeringParams {
        SteeringParams {
            search_turn: 1.0,
            upwind_turn: 1.0,
            avoid_turn: 2.0,
            ..SteeringParams::default()
        }
    }

    #[test]
    fn only_avoidance_by_default_and_bad_gains_are_named() {
        let mut st = Steering::default();
        let open = Sensors {
            wind: [0.0, -1.0],
            ..hungry()
        };
        let out = st.update(&SteeringParams::default(), 50.0, 0.0, &open, 0.001);
        assert_eq!(out, Steer::NONE);
        let wall = Sensors {
            obstacle: [0.5, 0.0],
            ..open
        };
        let out = st.update(&SteeringParams::default(), 50.0, 0.0, &wall, 0.001);
        assert!(out.turn < 0.0 && out.speed == 0.5, "{out:?}");
        let bad = SteeringParams {
            search_turn: -1.0,
            search_tau_s: 0.0,
            ..SteeringParams::default()
        };
        let p = bad.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("arbiter.steering.search_turn"));
    }

    #[test]
    fn search_turns_until_the_drive_rises_and_falls_back_then_runs() {
        let mut st = Steering::default();
        let p = on();
        let calm = hungry();
        // Searching from the start, towards the side the steering DNs favour (right).
        assert_eq!(st.update(&p, 0.0, -5.0, &calm, 0.001).turn, -1.0);
        for _ in 0..2000 {
            st.update(&p, 40.0, -5.0, &calm, 0.001);
        }
        // The drive rose and holds: still turning until it falls back below its level.
        assert_eq!(st.update(&p, 40.0, -5.0, &calm, 0.001).turn, -1.0);
        let out = st.update(&p, 20.0, -5.0, &calm, 0.001);
        assert_eq!(out, Steer::NONE, "runs straight once past the rise");
        // A sated robot does not search.
        let mut st = Steering::default();
        assert_eq!(
            st.update(&p, 0.0, -5.0, &Sensors::default(), 0.001),
            Steer::NONE
        );
    }

    #[test]
    fn upwind_only_with_odor_drive_and_avoidance_turns_away_from_the_near_side() {
        let mut st = Steering::default();
        let p = SteeringParams {
            search_turn: 0.0,
            ..on()
        };
        // Air flowing to the right: the wind comes from the left.
        let wind = Sensors {
            wind: [0.0, -0.5],
            ..hungry()
        };
        assert_eq!(st.update(&p, 5.0, 0.0, &wind, 0.001).turn, 0.0);
        let mut st = Steering::default();
        assert!((st.update(&p, 40.0, 0.0, &wind, 0.001).turn - 1.0).abs() < 1e-6);
        let wall = Sensors {
            obstacle: [0.8, 0.2],
            ..Sensors::default()
        };
        let mut st = Steering::default();
        let out = st.update(&p, 40.0, 0.0, &wall, 0.001);
        assert!(out.turn < -1.5 && (out.speed - 0.2).abs() < 1e-6, "{out:?}");
    }
}
