//! Walking: commanded speed and turn rate are reached by the legs (tripod CPG with its speed and
//! turn loops closed on the body's own optic-flow and haltere signals).

use controller::motor::MotorCommand;
use sim::body::bout::{Bout, run_bout};
use sim::body::{BodySpec, default_body_path};

fn spec() -> BodySpec {
    BodySpec::load(&default_body_path()).expect("bundled body loads")
}

#[test]
fn walks_straight_at_the_commanded_speed_for_20_s() {
    for speed in [0.06f32, 0.15] {
        let (_, s) = run_bout(
            &spec(),
            &Bout::new(MotorCommand::Walk { speed, turn: 0.0 }, 20.0),
        )
        .unwrap();
        assert!(!s.fell, "{s:?}");
        let err = (s.mean_speed_m_s - speed).abs() / speed;
        assert!(
            err < 0.10,
            "commanded {speed} m/s, measured {} m/s ({s:?})",
            s.mean_speed_m_s
        );
        // Straight: net displacement is the path, heading barely changes.
        assert!(s.distance_m > 0.95 * s.path_length_m, "{s:?}");
        assert!(s.yaw_rate_rad_s.abs() < 0.02, "{s:?}");
    }
}

#[test]
fn turns_in_the_commanded_direction_at_the_commanded_rate() {
    for (speed, turn) in [(0.08f32, 0.5f32), (0.08, -0.5), (0.0, 0.8)] {
        let (_, s) = run_bout(
            &spec(),
            &Bout::new(MotorCommand::Walk { speed, turn }, 20.0),
        )
        .unwrap();
        assert!(!s.fell, "{s:?}");
        assert_eq!(s.yaw_rate_rad_s.signum(), turn.signum(), "{s:?}");
        let err = (s.yaw_rate_rad_s - turn).abs() / turn.abs();
        assert!(
            err < 0.20,
            "commanded {turn} rad/s, measured {} rad/s",
            s.yaw_rate_rad_s
        );
    }
}

#[test]
fn walks_backwards() {
    let (samples, s) = run_bout(
        &spec(),
        &Bout::new(
            MotorCommand::Walk {
                speed: -0.08,
                turn: 0.0,
            },
            8.0,
        ),
    )
    .unwrap();
    assert!(!s.fell);
    let (a, b) = (samples[0].position[0], samples.last().unwrap().position[0]);
    assert!(b - a < -0.08 * 8.0 * 0.85, "moved {} m along x", b - a);
}
