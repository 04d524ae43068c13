//! The body-state check: a NaN or exploded pose or velocity of any part of the robot is an error
//! naming the simulated time and the part (and counts as fallen); healthy motion never trips
//! the bounds.

use super::common;
use controller::anatomy::LegId;
use controller::motor::{EscapeMode, MotorCommand};
use rapier3d::prelude::*;
use sim::agent::{Agent, Start};
use sim::body::state::{
    LegSegment, MAX_ANGULAR_SPEED, MAX_LINEAR_SPEED, MAX_ROTATION_NORM_ERROR, Quantity, StateFault,
    max_distance,
};
use sim::body::{BodyPart, BodySpec, default_body_path};
use sim::world::Scene;

fn spec() -> BodySpec {
    BodySpec::load(&default_body_path()).unwrap()
}

/// An agent that has stood for 0.5 s and walked for 0.1 s.
fn walking() -> Agent {
    let mut a = Agent::new(&spec(), Scene::default(), 0, &Start::default(), 0.001);
    for _ in 0..500 {
        a.step(&MotorCommand::Stand);
    }
    for _ in 0..100 {
        a.step(&MotorCommand::Walk {
            speed: 0.1,
            turn: 0.0,
        });
    }
    a.check_state().expect("healthy before the injection");
    assert!(!a.fallen());
    a
}

fn handle(a: &Agent, part: BodyPart) -> RigidBodyHandle {
    a.body
        .parts()
        .into_iter()
        .find(|(p, _)| *p == part)
        .map(|(_, h)| h)
        .unwrap_or_else(|| panic!("{part} is a part of the body"))
}

fn rigid_body(a: &mut Agent, part: BodyPart) -> &mut RigidBody {
    let h = handle(a, part);
    a.world
        .physics
        .bodies
        .get_mut(h)
        .expect("body part in the world")
}

#[test]
fn parts_are_twenty_distinct_bodies_with_human_names() {
    let a = Agent::new(&spec(), Scene::default(), 0, &Start::default(), 0.001);
    let parts: Vec<_> = a.body.parts().collect();
    let mut names: Vec<String> = parts.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(names[0], "thorax");
    assert_eq!(names[1], "head");
    assert!(names.contains(&"left front tibia".to_string()), "{names:?}");
    assert!(names.contains(&"right hind coxa".to_string()), "{names:?}");
    assert!(
        names.contains(&"left middle femur".to_string()),
        "{names:?}"
    );
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 20);
    let mut handles: Vec<_> = parts.iter().map(|(_, h)| *h).collect();
    handles.sort_by_key(|h| h.0.into_raw_parts());
    handles.dedup();
    assert_eq!(handles.len(), 20, "one rigid body per part");
    // Every rigid body in the world that is not fixed belongs to the robot, and all 20 are there.
    let dynamic = a
        .world
        .physics
        .bodies
        .iter()
        .filter(|(_, rb)| rb.is_dynamic())
        .count();
    assert_eq!(dynamic, 20);
}

#[test]
fn nan_thorax_position_is_an_error_naming_time_and_part_and_counts_as_fallen() {
    let mut a = walking();
    let t = a.time();
    let rb = rigid_body(&mut a, BodyPart::Thorax);
    let p = rb.translation();
    rb.set_translation(Vector::new(f32::NAN, p.y, p.z), false);
    let e = a.check_state().expect_err("NaN thorax position");
    assert_eq!(e.part, BodyPart::Thorax);
    assert_eq!(e.time_s, t);
    assert!(
        matches!(
            e.what,
            StateFault::NotFinite {
                quantity: Quantity::Position,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("body state invalid at t = 0.600 s: thorax position is NaN"),
        "{msg}"
    );
    assert!(a.fallen(), "a NaN pose must never read as 'not fallen'");
}

#[test]
fn nan_leg_segment_velocity_is_an_error_naming_the_segment() {
    let mut a = walking();
    let part = BodyPart::Leg(LegId::LF, LegSegment::Tibia);
    let rb = rigid_body(&mut a, part);
    let v = rb.linvel();
    rb.set_linvel(Vector::new(v.x, f32::NAN, v.z), false);
    let e = a.check_state().expect_err("NaN tibia velocity");
    assert_eq!(e.part, part);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "body state invalid at t = 0.600 s: left front tibia linear velocity is NaN"
        ),
        "{msg}"
    );
    assert!(a.fallen());

    // An infinite angular velocity of another segment, the same way.
    let mut a = walking();
    let part = BodyPart::Leg(LegId::RH, LegSegment::Coxa);
    rigid_body(&mut a, part).set_angvel(Vector::new(0.0, f32::INFINITY, 0.0), false);
    let msg = a.check_state().expect_err("infinite coxa spin").to_string();
    assert!(
        msg.contains("right hind coxa angular velocity is infinite"),
        "{msg}"
    );
}

#[test]
fn a_broken_body_is_frozen_and_keeps_its_first_error() {
    // Stepping rapier with a NaN pose panics inside its solver, so the agent must stop
    // stepping physics once the state is invalid, keep reporting the first error (with the
    // time it was seen) and still advance the clock.
    let mut a = walking();
    let rb = rigid_body(&mut a, BodyPart::Thorax);
    let p = rb.translation();
    rb.set_translation(Vector::new(p.x, p.y, f32::NAN), false);
    let walk = MotorCommand::Walk {
        speed: 0.1,
        turn: 0.0,
    };
    for _ in 0..50 {
        a.step(&walk);
    }
    assert!((a.time() - 0.650).abs() < 1e-6, "clock {}", a.time());
    let e = a.check_state().expect_err("NaN thorax stays an error");
    assert!(
        e.to_string()
            .starts_with("body state invalid at t = 0.600 s: thorax position is NaN"),
        "{e}"
    );
    assert!(a.fallen());
}

#[test]
fn exploded_velocities_and_positions_are_errors() {
    // 1e6 m/s on a femur.
    let mut a = walking();
    let part = BodyPart::Leg(LegId::RM, LegSegment::Femur);
    rigid_body(&mut a, part).set_linvel(Vector::new(1e6, 0.0, 0.0), false);
    let e = a.check_state().expect_err("1e6 m/s");
    assert_eq!(e.part, part);
    assert!(
        matches!(
            e.what,
            StateFault::TooFast {
                quantity: Quantity::LinearVelocity,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "body state invalid at t = 0.600 s: right middle femur linear speed is 1.0000e6 m/s"
        ),
        "{msg}"
    );
    assert!(a.fallen());

    // Just above the bound fails, just below passes.
    let mut a = walking();
    rigid_body(&mut a, BodyPart::Head)
        .set_linvel(Vector::new(0.0, 0.0, 0.99 * MAX_LINEAR_SPEED), false);
    a.check_state().expect("below the linear bound");
    rigid_body(&mut a, BodyPart::Head)
        .set_linvel(Vector::new(0.0, 0.0, 1.01 * MAX_LINEAR_SPEED), false);
    assert_eq!(a.check_state().expect_err("above").part, BodyPart::Head);

    // Spinning a part at 1e5 rad/s.
    let mut a = walking();
    rigid_body(&mut a, BodyPart::Head).set_angvel(Vector::new(1e5, 0.0, 0.0), false);
    let e = a.check_state().expect_err("1e5 rad/s");
    assert_eq!(e.part, BodyPart::Head);
    assert!(
        e.to_string()
            .contains("head angular speed is 1.0000e5 rad/s"),
        "{e}"
    );
    let mut a = walking();
    rigid_body(&mut a, BodyPart::Head)
        .set_angvel(Vector::new(0.0, 0.99 * MAX_ANGULAR_SPEED, 0.0), false);
    a.check_state().expect("below the angular bound");

    // A part flung to 1e30 m.
    let mut a = walking();
    let part = BodyPart::Leg(LegId::LH, LegSegment::Tibia);
    rigid_body(&mut a, part).set_translation(Vector::new(0.0, 1e30, 0.0), false);
    let e = a.check_state().expect_err("1e30 m");
    assert_eq!(e.part, part);
    assert!(matches!(e.what, StateFault::TooFar { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("left hind tibia position is 1.0000e30 m"),
        "{e}"
    );
    assert!(a.fallen());

    // The position bound follows the arena: 2 x 5 m + 10 m for the default scene.
    assert_eq!(max_distance(a.world.scene.arena.half_size), 20.0);
    let mut a = walking();
    let rb = rigid_body(&mut a, BodyPart::Thorax);
    let z = rb.translation().z;
    rb.set_translation(Vector::new(19.9, 0.0, z), false);
    a.check_state()
        .expect("19.9 m out is inside the 20 m bound");
    rigid_body(&mut a, BodyPart::Thorax).set_translation(Vector::new(20.1, 0.0, z), false);
    assert_eq!(
        a.check_state().expect_err("20.1 m out").part,
        BodyPart::Thorax
    );
}

/// Largest speeds and distance seen while running `plan`, checking the state every tick.
#[derive(Debug, Default)]
struct Peaks {
    linear: (f32, String),
    angular: (f32, String),
    distance: f32,
    quat_error: f32,
}

fn run_checked(a: &mut Agent, plan: &[(MotorCommand, f32)], peaks: &mut Peaks) {
    for (cmd, secs) in plan {
        let n = (secs / a.control_dt()).round() as usize;
        for _ in 0..n {
            a.step(cmd);
            if let Err(e) = a.check_state() {
                panic!("healthy {cmd:?} tripped the check: {e}");
            }
            for (part, h) in a.body.parts() {
                let rb = &a.world.physics.bodies[h];
                let v = rb.linvel().length();
                let w = rb.angvel().length();
                if v > peaks.linear.0 {
                    peaks.linear = (v, format!("{part} during {cmd:?}"));
                }
                if w > peaks.angular.0 {
                    peaks.angular = (w, format!("{part} during {cmd:?}"));
                }
                peaks.distance = peaks.distance.max(rb.translation().length());
                peaks.quat_error = peaks.quat_error.max((rb.rotation().length() - 1.0).abs());
            }
        }
    }
}

#[test]
fn healthy_behaviours_pass_the_check_every_tick_with_a_wide_margin() {
    use MotorCommand::*;
    let spec = spec();
    let mut peaks = Peaks::default();
    let jump = |azimuth: f32| Escape {
        mode: EscapeMode::Jump,
        threat_azimuth: azimuth,
    };
    let plan = [
        (Stand, 0.5),
        (
            Walk {
                speed: 0.2,
                turn: 0.0,
            },
            2.0,
        ),
        (jump(std::f32::consts::FRAC_PI_2), 0.6),
        (
            Walk {
                speed: 0.1,
                turn: 0.8,
            },
            1.0,
        ),
        (jump(-std::f32::consts::FRAC_PI_2), 0.6),
        (jump(0.0), 0.6),
        (
            Escape {
                mode: EscapeMode::Run,
                threat_azimuth: 2.5,
            },
            1.5,
        ),
        (
            Walk {
                speed: -0.08,
                turn: 0.0,
            },
            1.0,
        ),
        (Groom, 1.5),
        (Feed, 0.5),
        (
            Walk {
                speed: 0.0,
                turn: -1.0,
            },
            1.0,
        ),
    ];
    let mut a = Agent::new(&spec, Scene::default(), 0, &Start::default(), 0.001);
    run_checked(&mut a, &plan, &mut peaks);
    assert!(!a.fallen(), "the healthy plan must not fall");
    // Rough terrain too (walking and a jump).
    let mut scene = Scene::default();
    scene.arena.terrain = sim::world::TerrainKind::Rough;
    let mut a = Agent::new(&spec, scene, 3, &Start::default(), 0.001);
    run_checked(
        &mut a,
        &[
            (Stand, 0.5),
            (
                Walk {
                    speed: 0.15,
                    turn: 0.3,
                },
                2.0,
            ),
            (jump(1.0), 0.6),
        ],
        &mut peaks,
    );
    eprintln!("healthy peaks: {peaks:?}");
    // The bounds only catch blow-ups: healthy motion stays ten times below each.
    assert!(
        peaks.linear.0 < MAX_LINEAR_SPEED / 10.0,
        "healthy linear speed {:?} too close to the bound {MAX_LINEAR_SPEED}",
        peaks.linear
    );
    assert!(
        peaks.angular.0 < MAX_ANGULAR_SPEED / 10.0,
        "healthy angular speed {:?} too close to the bound {MAX_ANGULAR_SPEED}",
        peaks.angular
    );
    assert!(peaks.distance < max_distance(5.0) / 10.0, "{peaks:?}");
    assert!(
        peaks.quat_error < MAX_ROTATION_NORM_ERROR / 10.0,
        "{peaks:?}"
    );
    // And the motion was real: legs swung and the jump left the ground fast.
    assert!(peaks.linear.0 > 0.3, "{peaks:?}");
}

/// The bundled body with near-massless leg segments (1e-9 kg, a valid body file): rapier's
/// multibody solve turns its state into NaN within two physics steps.
fn nan_body_text() -> String {
    let base = std::fs::read_to_string(default_body_path()).unwrap();
    let mut text = base.clone();
    for (from, to) in [
        ("coxa_mass = 0.015", "coxa_mass = 1e-9"),
        ("femur_mass = 0.03", "femur_mass = 1e-9"),
        ("tibia_mass = 0.025", "tibia_mass = 1e-9"),
    ] {
        assert!(
            text.contains(from),
            "the bundled body no longer has `{from}`"
        );
        text = text.replace(from, to);
    }
    text
}

#[test]
fn a_body_that_turns_nan_by_itself_is_caught_inside_the_tick_without_a_panic() {
    let spec =
        BodySpec::parse(&nan_body_text(), std::path::Path::new("massless-legs.toml")).unwrap();
    // 5 physics steps per control tick: the NaN appears at the second one.
    let mut a = Agent::new(&spec, Scene::default(), 0, &Start::default(), 0.005);
    a.check_state().expect("valid when built");
    for _ in 0..4 {
        a.step(&MotorCommand::Stand);
    }
    assert!((a.time() - 0.020).abs() < 1e-6, "clock {}", a.time());
    let e = a.check_state().expect_err("massless legs blow up");
    assert!(matches!(e.what, StateFault::NotFinite { .. }), "{e:?}");
    assert!(
        e.time_s < 0.0045,
        "seen at the physics step where it broke: {e}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("body state invalid at t = {:.3} s: ", e.time_s)),
        "{e}"
    );
    assert!(a.fallen());
}

#[test]
fn run_bout_returns_the_error_instead_of_a_summary() {
    let spec =
        BodySpec::parse(&nan_body_text(), std::path::Path::new("massless-legs.toml")).unwrap();
    let cfg = sim::body::bout::Bout::new(
        MotorCommand::Walk {
            speed: 0.1,
            turn: 0.0,
        },
        1.0,
    );
    let e = sim::body::bout::run_bout(&spec, &cfg).expect_err("NaN body");
    assert!(matches!(e, sim::body::BodyError::Settling(_)), "{e:?}");
    let msg = sim::error_chain(&e);
    assert!(msg.contains("while settling"), "{msg}");
    assert!(msg.contains("body state invalid at t = 0.00"), "{msg}");
    assert!(msg.contains("is NaN"), "{msg}");

    // The same body settled for no time fails during recording, with the recording time.
    let mut cfg = cfg;
    cfg.settle_s = 0.0;
    let msg = sim::error_chain(&sim::body::bout::run_bout(&spec, &cfg).expect_err("NaN body"));
    assert!(
        msg.starts_with("body bout of Walk { speed: 0.1, turn: 0.0 } stopped 0.00"),
        "{msg}"
    );
}

#[test]
fn body_run_cli_exits_with_code_1_and_names_time_and_part() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("massless-legs.toml");
    std::fs::write(&body, nan_body_text()).unwrap();
    let out_dir = dir.path().join("out");
    let out = common::hexafly()
        .args([
            "body",
            "run",
            "--pattern",
            "walk",
            "--duration",
            "1",
            "--body",
        ])
        .arg(&body)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.starts_with("error: body bout stopped while settling"),
        "{stderr}"
    );
    assert!(
        stderr.contains(": body state invalid at t = 0.00"),
        "{stderr}"
    );
    assert!(stderr.contains("position is NaN"), "{stderr}");
    assert!(
        !out_dir.join("summary.json").exists(),
        "no summary for a broken bout"
    );
}
