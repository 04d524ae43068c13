//! Scenes are data: the bundled example loads and runs, bad scenes give clear errors.

use std::path::Path;

use controller::motor::MotorCommand;
use sim::agent::{Agent, Start};
use sim::body::{BodySpec, default_body_path};
use sim::world::{OdorMode, Scene};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/scenes/foraging.toml")
}

#[test]
fn example_scene_loads_and_the_body_walks_in_it() {
    let scene = Scene::load(&example()).unwrap();
    assert_eq!(scene.odor.mode, OdorMode::Plume);
    assert_eq!(scene.wind, [-0.3, 0.0]);
    assert_eq!(
        (
            scene.food.len(),
            scene.obstacles.len(),
            scene.threats.len(),
            scene.dust.len()
        ),
        (2, 2, 1, 1)
    );
    let spec = BodySpec::load(&default_body_path()).unwrap();
    let mut a = Agent::new(&spec, scene, 5, &Start::default(), 0.002);
    let mut saw_loom = false;
    for _ in 0..3500 {
        a.step(&MotorCommand::Walk {
            speed: 0.1,
            turn: 0.0,
        });
        saw_loom |= a.sensors().looming[0].angle > 0.0;
        assert!(!a.fallen());
    }
    assert!(
        saw_loom,
        "the threat from the left at 3 s is seen by the left eye"
    );
    assert!(
        a.time() > 6.5 && (a.internal().dust - 0.5).abs() < 1e-6,
        "dust event at 6 s: {:?}",
        a.internal()
    );
}

#[test]
fn bad_scenes_name_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    std::fs::write(&p, "[arena]\nhalf_size = \"big\"\n").unwrap();
    let e = sim::error_chain(&Scene::load(&p).unwrap_err());
    assert!(e.contains("s.toml") && e.contains("line 2"), "{e}");
    std::fs::write(&p, "[[food]]\nposition = [0.0, 0.0]\nradius = -1.0\n[[threats]]\nstart = [0,0,0]\nvelocity = [0,0,0]\nradius = 0.0\n").unwrap();
    let e = sim::error_chain(&Scene::load(&p).unwrap_err());
    assert!(
        e.contains("food[0]") && e.contains("threats[0]"),
        "every problem is listed: {e}"
    );
}

#[test]
fn nan_and_out_of_range_scene_values_are_rejected() {
    let example = std::fs::read_to_string(example()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.toml");
    for (from, to, wanted) in [
        // Non-finite numbers anywhere (these ran silently before).
        (
            "wind = [-0.3, 0.0]",
            "wind = [nan, 0.0]",
            "`wind[0]` (line 4, column 9)",
        ),
        (
            "center = [0.6, 0.3]",
            "center = [0.6, inf]",
            "`obstacles[0].center[1]`",
        ),
        ("yaw_deg = 20.0", "yaw_deg = -inf", "`obstacles[0].yaw_deg`"),
        (
            "position = [1.2, 0.4]",
            "position = [nan, 0.4]",
            "`food[0].position[0]`",
        ),
        (
            "start = [0.0, 0.8, 0.08]",
            "start = [0.0, 0.8, 1e40]",
            "`threats[0].start[2]`",
        ),
        // Ranges that had no check.
        (
            "friction = 1.0",
            "friction = -1.0",
            "`arena.friction` (line 12) must be >= 0",
        ),
        (
            "spawn_clearance = 0.2",
            "spawn_clearance = -1.0",
            "`arena.spawn_clearance`",
        ),
        ("onset_s = 3.0", "onset_s = -3.0", "onset_s >= 0"),
        // 1e30 m bumps panicked inside the collision library.
        (
            "rough_amplitude = 0.012",
            "rough_amplitude = 1e30",
            "`arena.rough_amplitude`",
        ),
        (
            "half_size = 2.0",
            "half_size = 1e30",
            "`arena.half_size` (line 7) must be > 0 and at most",
        ),
    ] {
        let text = example.replace(from, to);
        assert_ne!(text, example, "{from}");
        std::fs::write(&p, &text).unwrap();
        let e = sim::error_chain(&Scene::load(&p).unwrap_err());
        assert!(e.contains("s.toml") && e.contains(wanted), "{to}: {e}");
    }
}
