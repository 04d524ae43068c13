//! The behaviour arbiter: an explicit state machine from command drives to one behaviour
//! and its motor command. Escape (giant-fibre spikes) interrupts everything. Among the
//! others, [`Selection::Priority`] takes the first behaviour above its on threshold in the
//! fixed order groom > feed > walk; [`Selection::Strongest`] lets the two stationary
//! actions, grooming and feeding, compete: the one whose drive is the larger fraction of its
//! full drive (`*_full_hz`) wins, so the balance of drives — and hence internal state, which
//! scales the sensory gains — decides, and the current one keeps its place until the other
//! is `hold_ratio` times stronger. Walking is what the robot does when neither acts
//! (grooming and feeding suppress locomotion in flies: Seeds et al. 2014 eLife). Both use on/off
//! thresholds with hysteresis and a minimum dwell; inputs and decision are returned every
//! tick for the record.
//!
//! Every number here is engineered (the wiring gives rates, not thresholds), and the
//! [`ArbiterParams`] say so in outputs; the drives come from the circuit map's readouts,
//! whose links say whether the connectome carries them.

use serde::{Deserialize, Serialize};

use crate::decode::Drives;
use crate::motor::{EscapeMode, MotorCommand};
use crate::sensors::Sensors;
use crate::steer::{Steer, Steering, SteeringParams};

/// The behaviours the arbiter chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    /// Standing still (no drive above threshold).
    Stand,
    /// Walking, steered by the forward, backward and turn drives (foraging when odor
    /// drives the steering).
    Walk,
    /// Feeding: stop and extend the proboscis.
    Feed,
    /// Antennal grooming.
    Groom,
    /// Escape from a looming threat.
    Escape,
}

impl Behaviour {
    /// All behaviours, lowest priority first.
    pub const ALL: [Behaviour; 5] = [
        Behaviour::Stand,
        Behaviour::Walk,
        Behaviour::Feed,
        Behaviour::Groom,
        Behaviour::Escape,
    ];

    /// Lowercase name (the `behaviour` column of timelines).
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Stand => "stand",
            Behaviour::Walk => "walk",
            Behaviour::Feed => "feed",
            Behaviour::Groom => "groom",
            Behaviour::Escape => "escape",
        }
    }

    fn priority(self) -> u8 {
        Behaviour::ALL.iter().position(|&b| b == self).unwrap_or(0) as u8
    }
}

/// How the arbiter chooses between groom, feed and walk (escape always interrupts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// Fixed priorities: groom > feed > walk, the first above its threshold wins.
    #[default]
    Priority,
    /// Groom and feed compete by strength relative to their full drives (with `hold_ratio`
    /// hysteresis); walk when neither is above its threshold.
    Strongest,
}

/// Thresholds, gains and timings of the arbiter (all engineered; defaults documented per
/// field). Drives are in Hz per neuron above the readout's baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArbiterParams {
    /// How groom, feed and walk compete.
    pub selection: Selection,
    /// Groom drive counted as full strength under [`Selection::Strongest`] (Hz).
    pub groom_full_hz: f64,
    /// Feed drive counted as full strength under [`Selection::Strongest`] (Hz).
    pub feed_full_hz: f64,
    /// Under [`Selection::Strongest`], a rival must be this many times stronger than the
    /// current behaviour to take over (>= 1: hysteresis between behaviours).
    pub hold_ratio: f64,
    /// How long an escape runs once triggered, seconds (a jump's push and recovery).
    pub escape_s: f32,
    /// Jump or run.
    pub escape_mode: EscapeMode,
    /// Grooming starts above this drive (Hz)...
    pub groom_on_hz: f64,
    /// ...and stops below this one (hysteresis).
    pub groom_off_hz: f64,
    /// Feeding starts above this drive (Hz)...
    pub feed_on_hz: f64,
    /// ...and stops below this one.
    pub feed_off_hz: f64,
    /// Walking starts when the forward, backward or |turn| drive exceeds this (Hz)...
    pub walk_on_hz: f64,
    /// ...and stops below this one.
    pub walk_off_hz: f64,
    /// Forward drive that commands `max_speed` (Hz); speed is proportional below it.
    pub forward_full_hz: f64,
    /// Backward drive that commands `-max_speed` (Hz).
    pub backward_full_hz: f64,
    /// Turn drive (left minus right) that commands `max_turn` (Hz).
    pub turn_full_hz: f64,
    /// Fastest commanded walking speed, m/s.
    pub max_speed: f32,
    /// Fastest commanded turn rate, rad/s.
    pub max_turn: f32,
    /// Shortest time in a behaviour before a lower-priority one may take over, seconds
    /// (escape always interrupts).
    pub min_dwell_s: f32,
    /// The engineered steering rules of walking (search, upwind, avoid; all off by default).
    pub steering: SteeringParams,
}

impl Default for ArbiterParams {
    fn default() -> Self {
        ArbiterParams {
            selection: Selection::Priority,
            groom_full_hz: 40.0,
            feed_full_hz: 40.0,
            hold_ratio: 1.25,
            escape_s: 0.6,
            escape_mode: EscapeMode::Jump,
            groom_on_hz: 10.0,
            groom_off_hz: 4.0,
            feed_on_hz: 10.0,
            feed_off_hz: 4.0,
            walk_on_hz: 2.0,
            walk_off_hz: 1.0,
            forward_full_hz: 40.0,
            backward_full_hz: 40.0,
            turn_full_hz: 20.0,
            max_speed: 0.15,
            max_turn: 1.5,
            min_dwell_s: 0.3,
            steering: SteeringParams::default(),
        }
    }
}

impl ArbiterParams {
    /// Every out-of-range field, named `arbiter.FIELD`; empty when all are usable.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut need = |name: &str, v: f64, ok: bool, what: &str| {
            if !(v.is_finite() && ok) {
                out.push(format!("`arbiter.{name}` must be {what}, got {v}"));
            }
        };
        let (pos, nonneg) = ("a number > 0", "a number >= 0");
        need("escape_s", self.escape_s as f64, self.escape_s > 0.0, pos);
        for (name, on, off) in [
            ("groom", self.groom_on_hz, self.groom_off_hz),
            ("feed", self.feed_on_hz, self.feed_off_hz),
            ("walk", self.walk_on_hz, self.walk_off_hz),
        ] {
            need(&format!("{name}_off_hz"), off, off >= 0.0, nonneg);
            need(
                &format!("{name}_on_hz"),
                on,
                on >= off,
                "a number >= its _off_hz (hysteresis)",
            );
        }
        need(
            "hold_ratio",
            self.hold_ratio,
            self.hold_ratio >= 1.0,
            "a number >= 1",
        );
        for (name, v) in [
            ("groom_full_hz", self.groom_full_hz),
            ("feed_full_hz", self.feed_full_hz),
            ("forward_full_hz", self.forward_full_hz),
            ("backward_full_hz", self.backward_full_hz),
            ("turn_full_hz", self.turn_full_hz),
            ("max_speed", self.max_speed as f64),
            ("max_turn", self.max_turn as f64),
        ] {
            need(name, v, v > 0.0, pos);
        }
        need(
            "min_dwell_s",
            self.min_dwell_s as f64,
            self.min_dwell_s >= 0.0,
            nonneg,
        );
        out.extend(self.steering.problems());
        out
    }
}

/// Why the arbiter chose what it chose this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The escape trigger (giant-fibre spikes) fired this tick.
    EscapeTriggered,
    /// An escape is still running its course.
    EscapeRunning,
    /// The drive of the chosen behaviour is above its on threshold (or, for the current
    /// behaviour, still above its off threshold).
    DriveAbove,
    /// The current behaviour holds for its minimum dwell.
    Dwell,
    /// No drive is above its threshold.
    NoDrive,
}

/// One tick's decision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Decision {
    /// The behaviour now.
    pub behaviour: Behaviour,
    /// Why.
    pub reason: Reason,
    /// The motor command carrying it out.
    #[serde(skip)]
    pub command: MotorCommand,
    /// Whether the behaviour changed this tick.
    pub switched: bool,
}

/// The arbiter's state.
#[derive(Debug, Clone)]
pub struct Arbiter {
    params: ArbiterParams,
    current: Behaviour,
    /// Seconds in the current behaviour.
    dwell: f32,
    /// Threat azimuth at the escape's start (radians, > 0 left).
    threat_azimuth: f32,
    /// The steering rules' state.
    steering: Steering,
}

impl Arbiter {
    /// An arbiter starting in `Stand`.
    pub fn new(params: ArbiterParams) -> Arbiter {
        Arbiter {
            params,
            current: Behaviour::Stand,
            dwell: 0.0,
            threat_azimuth: 0.0,
            steering: Steering::default(),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &ArbiterParams {
        &self.params
    }

    /// The behaviour now.
    pub fn current(&self) -> Behaviour {
        self.current
    }

    /// Decides for a control tick of `dt` seconds. From the senses it takes where a threat
    /// is, to aim an escape away from it (an engineered link: the giant fibre triggers, it
    /// does not aim; the eye seeing the larger looming angle gives the azimuth), and what
    /// the steering rules read (air flow, obstacles).
    pub fn decide(&mut self, d: &Drives, senses: &Sensors, dt: f32) -> Decision {
        let threat_azimuth = senses
            .looming
            .iter()
            .max_by(|a, b| a.angle.total_cmp(&b.angle))
            .map(|l| l.azimuth)
            .unwrap_or(0.0);
        let steer = self
            .steering
            .update(&self.params.steering, d.forward, d.turn, senses, dt);
        let p = &self.params;
        self.dwell += dt;
        let cur = self.current;
        let (next, reason) = if d.escape {
            self.threat_azimuth = threat_azimuth;
            (Behaviour::Escape, Reason::EscapeTriggered)
        } else if cur == Behaviour::Escape && self.dwell < p.escape_s {
            (Behaviour::Escape, Reason::EscapeRunning)
        } else {
            // Each behaviour's drive against its threshold: on to start, off to keep.
            let wants = |b: Behaviour| -> bool {
                let (drive, on, off) = match b {
                    Behaviour::Groom => (d.groom, p.groom_on_hz, p.groom_off_hz),
                    Behaviour::Feed => (d.feed, p.feed_on_hz, p.feed_off_hz),
                    // Turning in place is walking too.
                    Behaviour::Walk => (
                        d.forward.max(d.backward).max(d.turn.abs()),
                        p.walk_on_hz,
                        p.walk_off_hz,
                    ),
                    _ => return false,
                };
                drive > if b == cur { off } else { on }
                    || b == Behaviour::Walk && self.steering.searching(&p.steering, senses)
            };
            let candidates = [Behaviour::Groom, Behaviour::Feed, Behaviour::Walk];
            let best = match p.selection {
                Selection::Priority => candidates.into_iter().find(|&b| wants(b)),
                Selection::Strongest => {
                    // The current behaviour counts hold_ratio times its strength, so a
                    // rival must clearly beat it; ties go to the higher priority.
                    let score = |b: Behaviour| {
                        let s = self.strength(b, d);
                        if b == cur { s * p.hold_ratio } else { s }
                    };
                    [Behaviour::Groom, Behaviour::Feed]
                        .into_iter()
                        .filter(|&b| wants(b))
                        .fold(None, |acc: Option<Behaviour>, b| match acc {
                            Some(a) if score(a) >= score(b) => Some(a),
                            _ => Some(b),
                        })
                        .or_else(|| wants(Behaviour::Walk).then_some(Behaviour::Walk))
                }
            }
            .unwrap_or(Behaviour::Stand);
            let holding =
                !matches!(cur, Behaviour::Stand | Behaviour::Escape) && self.dwell < p.min_dwell_s;
            if best == cur {
                let why = if cur == Behaviour::Stand {
                    Reason::NoDrive
                } else {
                    Reason::DriveAbove
                };
                (cur, why)
            } else if best.priority() > cur.priority()
                && (p.selection == Selection::Priority || cur == Behaviour::Walk)
                || cur == Behaviour::Escape
                || !holding
            {
                let why = if best == Behaviour::Stand {
                    Reason::NoDrive
                } else {
                    Reason::DriveAbove
                };
                (best, why)
            } else {
                (cur, Reason::Dwell)
            }
        };
        let switched = next != cur;
        if next != cur {
            self.current = next;
            self.dwell = 0.0;
        }
        Decision {
            behaviour: next,
            reason,
            command: self.command(next, d, steer),
            switched,
        }
    }

    /// A behaviour's drive as a fraction of its full drive (walking: the largest of its
    /// forward, backward and turn fractions).
    pub fn strength(&self, b: Behaviour, d: &Drives) -> f64 {
        let p = &self.params;
        match b {
            Behaviour::Groom => d.groom / p.groom_full_hz,
            Behaviour::Feed => d.feed / p.feed_full_hz,
            Behaviour::Walk => (d.forward / p.forward_full_hz)
                .max(d.backward / p.backward_full_hz)
                .max(d.turn.abs() / p.turn_full_hz),
            _ => 0.0,
        }
    }

    fn command(&self, b: Behaviour, d: &Drives, steer: Steer) -> MotorCommand {
        let p = &self.params;
        match b {
            Behaviour::Stand => MotorCommand::Stand,
            Behaviour::Feed => MotorCommand::Feed,
            Behaviour::Groom => MotorCommand::Groom,
            Behaviour::Escape => MotorCommand::Escape {
                mode: p.escape_mode,
                threat_azimuth: self.threat_azimuth,
            },
            Behaviour::Walk => {
                let fwd = (d.forward / p.forward_full_hz).clamp(0.0, 1.0);
                let back = (d.backward / p.backward_full_hz).clamp(0.0, 1.0);
                let turn = (d.turn / p.turn_full_hz).clamp(-1.0, 1.0);
                let mut turn = p.max_turn * turn as f32;
                let mut speed = p.max_speed * (fwd - back) as f32;
                if steer != Steer::NONE {
                    turn = (turn * steer.keep_turn + steer.turn).clamp(-p.max_turn, p.max_turn);
                    speed *= steer.speed;
                }
                MotorCommand::Walk { speed, turn }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drives(forward: f64, groom: f64, feed: f64) -> Drives {
        Drives {
            forward,
            groom,
            feed,
            ..Drives::default()
        }
    }

    #[test]
    fn priorities_hysteresis_dwell_and_escape_interrupts() {
        let mut a = Arbiter::new(ArbiterParams::default());
        let dt = 0.001;
        assert_eq!(
            a.decide(&drives(0.0, 0.0, 0.0), &Sensors::default(), dt)
                .behaviour,
            Behaviour::Stand
        );
        // Walk starts above walk_on (2 Hz) and keeps going down to walk_off (1 Hz).
        assert_eq!(
            a.decide(&drives(3.0, 0.0, 0.0), &Sensors::default(), dt)
                .behaviour,
            Behaviour::Walk
        );
        for _ in 0..400 {
            assert_eq!(
                a.decide(&drives(1.5, 0.0, 0.0), &Sensors::default(), dt)
                    .behaviour,
                Behaviour::Walk
            );
        }
        assert_eq!(
            a.decide(&drives(0.5, 0.0, 0.0), &Sensors::default(), dt)
                .behaviour,
            Behaviour::Stand
        );
        // Higher priority (groom) takes over at once; lower (walk) waits for min dwell.
        a.decide(&drives(3.0, 0.0, 0.0), &Sensors::default(), dt);
        let d = a.decide(&drives(3.0, 11.0, 0.0), &Sensors::default(), dt);
        assert_eq!((d.behaviour, d.switched), (Behaviour::Groom, true));
        let d = a.decide(&drives(3.0, 0.0, 0.0), &Sensors::default(), dt);
        assert_eq!((d.behaviour, d.reason), (Behaviour::Groom, Reason::Dwell));
        for _ in 0..300 {
            a.decide(&drives(3.0, 0.0, 0.0), &Sensors::default(), dt);
        }
        assert_eq!(a.current(), Behaviour::Walk);
        // Escape interrupts anything, aims away from the threat, and runs escape_s.
        let esc = Drives {
            escape: true,
            escape_spikes: 1,
            ..drives(3.0, 20.0, 20.0)
        };
        let threat = Sensors {
            looming: [
                crate::sensors::Looming {
                    angle: 0.5,
                    expansion: 1.0,
                    azimuth: 1.2,
                },
                crate::sensors::Looming::default(),
            ],
            ..Sensors::default()
        };
        let d = a.decide(&esc, &threat, dt);
        assert_eq!(
            (d.behaviour, d.reason),
            (Behaviour::Escape, Reason::EscapeTriggered)
        );
        assert!(matches!(
            d.command,
            MotorCommand::Escape { threat_azimuth, .. } if threat_azimuth == 1.2
        ));
        let mut steps = 1;
        while a
            .decide(&drives(0.0, 20.0, 0.0), &Sensors::default(), dt)
            .behaviour
            == Behaviour::Escape
        {
            steps += 1;
        }
        assert!((590..=610).contains(&steps), "{steps}");
        assert_eq!(a.current(), Behaviour::Groom);
    }

    #[test]
    fn strongest_selection_follows_the_balance_of_drives_with_a_hold() {
        let mut a = Arbiter::new(ArbiterParams {
            selection: Selection::Strongest,
            ..ArbiterParams::default()
        });
        let dt = 0.001;
        let d3 = |fwd, groom, feed| drives(fwd, groom, feed);
        // Walking while neither action is driven; an action interrupts it at once.
        assert_eq!(
            a.decide(&d3(30.0, 0.0, 0.0), &Sensors::default(), dt)
                .behaviour,
            Behaviour::Walk
        );
        // Feed 30/40 = 0.75 beats groom 20/40 = 0.5, although groom has the higher priority.
        let d = a.decide(&d3(30.0, 20.0, 30.0), &Sensors::default(), dt);
        assert_eq!((d.behaviour, d.switched), (Behaviour::Feed, true));
        // Groom 34/40 = 0.85 is stronger, but not 1.25 x 0.75 = 0.94: feeding holds.
        for _ in 0..400 {
            a.decide(&d3(30.0, 34.0, 30.0), &Sensors::default(), dt);
        }
        assert_eq!(a.current(), Behaviour::Feed);
        let d = a.decide(&d3(30.0, 40.0, 30.0), &Sensors::default(), dt);
        assert_eq!((d.behaviour, d.switched), (Behaviour::Groom, true));
        // A stronger rival waits for the minimum dwell.
        let d = a.decide(&d3(0.0, 12.0, 80.0), &Sensors::default(), dt);
        assert_eq!((d.behaviour, d.reason), (Behaviour::Groom, Reason::Dwell));
        for _ in 0..300 {
            a.decide(&d3(0.0, 12.0, 80.0), &Sensors::default(), dt);
        }
        assert_eq!(a.current(), Behaviour::Feed);
        assert!(
            ArbiterParams {
                hold_ratio: 0.5,
                ..ArbiterParams::default()
            }
            .problems()[0]
                .contains("hold_ratio")
        );
    }

    #[test]
    fn walking_speed_and_turn_follow_the_drives_and_saturate() {
        let mut a = Arbiter::new(ArbiterParams::default());
        let d = Drives {
            forward: 20.0,
            turn: -40.0,
            ..Drives::default()
        };
        match a.decide(&d, &Sensors::default(), 0.001).command {
            MotorCommand::Walk { speed, turn } => {
                assert!((speed - 0.075).abs() < 1e-6, "{speed}");
                assert!((turn + 1.5).abs() < 1e-6, "{turn}");
            }
            c => panic!("{c:?}"),
        }
        let bad = ArbiterParams {
            groom_on_hz: 1.0,
            groom_off_hz: 2.0,
            max_speed: f32::NAN,
            ..ArbiterParams::default()
        };
        let p = bad.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("arbiter.groom_on_hz") && p[1].contains("arbiter.max_speed"));
    }
}
