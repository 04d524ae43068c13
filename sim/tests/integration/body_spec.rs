//! Body descriptions are data: bad files give clear errors, the scale parameter works, and the
//! physics body matches the controller's kinematics.

use std::path::Path;

use controller::anatomy::LegId;
use controller::motor::MotorCommand;
use sim::agent::{Agent, Start};
use sim::body::bout::{Bout, run_bout};
use sim::body::{BodySpec, default_body_path};
use sim::world::Scene;

fn bundled() -> String {
    std::fs::read_to_string(default_body_path()).unwrap()
}

/// The error with its causes, as the binary prints it.
fn parse_err(text: &str) -> String {
    sim::error_chain(&BodySpec::parse(text, Path::new("bodies/broken.toml")).unwrap_err())
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let text = bundled().replace("mass = 0.6", "mass = = 0.6");
    let e = parse_err(&text);
    assert!(
        e.contains("bodies/broken.toml") && e.contains("line"),
        "{e}"
    );
}

#[test]
fn missing_and_unknown_fields_are_named() {
    let e = parse_err(&bundled().replace("tibia_length = 0.085", ""));
    assert!(e.contains("tibia_length"), "{e}");
    let e = parse_err(&bundled().replace("[thorax]", "[thorax]\nwings = 2"));
    assert!(e.contains("wings"), "{e}");
}

#[test]
fn bad_values_are_rejected_with_the_field_name() {
    let e = parse_err(&bundled().replace("mass = 0.6", "mass = -0.6"));
    assert!(
        e.contains("thorax.mass") && e.contains("broken.toml"),
        "{e}"
    );
    let e = parse_err(&bundled().replace(
        "coxa_limits_deg = [-80.0, 85.0]",
        "coxa_limits_deg = [85.0, -80.0]",
    ));
    assert!(e.contains("coxa_limits_deg"), "{e}");
    let e = parse_err(&bundled().replace(
        "lf = { position = [0.045, 0.035,",
        "lf = { position = [0.045, -0.035,",
    ));
    assert!(e.contains("mounts.lf"), "{e}");
    let e = sim::error_chain(&BodySpec::load(Path::new("/nonexistent/body.toml")).unwrap_err());
    assert!(e.contains("/nonexistent/body.toml"), "{e}");
}

#[test]
fn scale_changes_size_and_the_scaled_body_walks() {
    let text = bundled().replace("scale = 1.0", "scale = 0.5");
    let small = BodySpec::parse(&text, Path::new("half.toml")).unwrap();
    let normal = BodySpec::load(&default_body_path()).unwrap();
    assert!((small.legs.femur_length - 0.5 * normal.legs.femur_length).abs() < 1e-6);
    assert!((small.total_mass() - normal.total_mass() / 8.0).abs() < 1e-4);
    let (_, s) = run_bout(
        &small,
        &Bout::new(
            MotorCommand::Walk {
                speed: 0.05,
                turn: 0.0,
            },
            6.0,
        ),
    )
    .unwrap();
    assert!(!s.fell && (s.mean_speed_m_s - 0.05).abs() < 0.01, "{s:?}");
}

#[test]
fn physics_tarsi_sit_where_the_controller_kinematics_put_them() {
    // Joint axes and signs in the physics body agree with the controller's forward kinematics.
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let mut a = Agent::new(&spec, Scene::default(), 0, &Start::default(), 0.001);
    for _ in 0..300 {
        a.step(&MotorCommand::Stand);
    }
    let geom = spec.geometry();
    let pose = a.body.thorax_pose(&a.world.physics);
    let angles = a.body.leg_angles(&a.world.physics);
    let feet = a.body.feet_positions(&a.world.physics);
    for leg in LegId::ALL {
        let p = geom.legs[leg.index()].forward(angles[leg.index()]);
        let world = pose.transform_point(rapier3d::prelude::Vector::new(p[0], p[1], p[2]));
        let err = world.distance(feet[leg.index()]);
        assert!(
            err < 1e-3,
            "{leg:?}: kinematics {world:?} vs physics {:?}",
            feet[leg.index()]
        );
    }
}

#[test]
fn every_problem_is_listed() {
    let text = bundled().replace("mass = 0.6", "mass = -0.6").replace(
        "tibia_limits_deg = [0.0, 160.0]",
        "tibia_limits_deg = [160.0, 0.0]",
    );
    let e = parse_err(&text);
    assert!(
        e.contains("thorax.mass") && e.contains("tibia_limits_deg"),
        "{e}"
    );
}

#[test]
fn nan_inf_and_f32_overflow_anywhere_name_the_key_and_line() {
    // TOML has `nan` and `inf`; positions, angles and motor parameters have no range check of
    // their own, and used to flow into the physics (a frozen body, or a panic in the leg
    // kinematics). `1e39` overflows an f32 to infinity.
    for (from, to, key, line) in [
        (
            "neck = [0.062, 0.0, 0.0]",
            "neck = [nan, 0.0, 0.0]",
            "`head.neck[0]`",
            "line 13",
        ),
        (
            "lf = { position = [0.045, 0.035, -0.012], rest_yaw_deg = 40.0 }",
            "lf = { position = [0.045, 0.035, -0.012], rest_yaw_deg = -inf }",
            "`legs.mounts.lf.rest_yaw_deg`",
            "line 56",
        ),
        (
            "half_length = 0.035",
            "half_length = 1e39",
            "`abdomen.half_length`",
            "line 35",
        ),
        (
            "[motor]",
            "[motor]\nstep_height = nan",
            "`motor.step_height`",
            "line 77",
        ),
    ] {
        let text = bundled().replace(from, to);
        assert_ne!(text, bundled(), "{from}");
        let e = parse_err(&text);
        assert!(
            e.contains("broken.toml")
                && e.contains(key)
                && e.contains(line)
                && e.contains("expected a finite number"),
            "{to}: {e}"
        );
    }
}

#[test]
fn out_of_range_values_without_a_check_before_are_rejected() {
    for (from, to, wanted) in [
        (
            "neck_damping = 0.05",
            "neck_damping = -5.0",
            "head.neck_damping",
        ),
        (
            "neck_stiffness = 3.0",
            "neck_stiffness = -1.0",
            "head.neck_stiffness",
        ),
        (
            "half_length = 0.035",
            "half_length = -0.01",
            "abdomen.half_length",
        ),
        // Far scales panicked in the leg kinematics (tiny) or froze the body (small).
        (
            "scale = 1.0",
            "scale = 1e-12",
            "`scale` must be between 0.1 and 10",
        ),
        (
            "scale = 1.0",
            "scale = 0.04",
            "`scale` must be between 0.1 and 10",
        ),
        (
            "scale = 1.0",
            "scale = 1e12",
            "`scale` must be between 0.1 and 10",
        ),
        // Would run for hours: a step of 1 ns, 10^11 solver iterations.
        ("dt = 0.001", "dt = 1e-9", "`physics.dt` must be from"),
        (
            "solver_iterations = 1",
            "solver_iterations = 100000000000",
            "physics.solver_iterations",
        ),
        // Motor parameters the patterns clamp with or divide by.
        ("[motor]", "[motor]\nrun_turn = -1.0", "motor.run_turn"),
        ("[motor]", "[motor]\nmax_step_hz = 1.0", "motor.max_step_hz"),
        ("[motor]", "[motor]\nduty = 1.0", "motor.duty"),
        (
            "[motor]",
            "[motor]\nmax_joint_speed = -1.0",
            "motor.max_joint_speed",
        ),
        ("[motor]", "[motor]\njump_push_s = 0.0", "motor.jump_push_s"),
    ] {
        let text = bundled().replace(from, to);
        assert_ne!(text, bundled(), "{from}");
        let e = parse_err(&text);
        assert!(e.contains("broken.toml") && e.contains(wanted), "{to}: {e}");
    }
    // The edges of the accepted range load.
    for scale in ["0.1", "10.0"] {
        let text = bundled().replace("scale = 1.0", &format!("scale = {scale}"));
        BodySpec::parse(&text, Path::new("edge.toml")).unwrap();
    }
}
