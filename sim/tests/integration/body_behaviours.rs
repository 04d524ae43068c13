//! Grooming, escape, feeding and the sensors, on the physics body.

use controller::anatomy::{LegId, Side};
use controller::motor::{EscapeMode, MotorCommand};
use controller::sensors::InternalState;
use sim::agent::{Agent, Start};
use sim::body::{BodySpec, default_body_path};
use sim::world::placement::{food_under_proboscis, threat_from};
use sim::world::{DustEvent, Food, Scene};

fn spec() -> BodySpec {
    BodySpec::load(&default_body_path()).unwrap()
}

fn settled(spec: &BodySpec, scene: Scene, start: &Start) -> Agent {
    let mut a = Agent::new(spec, scene, 0, start, 0.001);
    for _ in 0..500 {
        a.step(&MotorCommand::Stand);
    }
    a
}

#[test]
fn grooming_brings_both_front_tarsi_to_the_head_and_removes_dust() {
    let spec = spec();
    let start = Start {
        internal: InternalState {
            dust: 0.8,
            ..InternalState::default()
        },
        ..Start::default()
    };
    let mut a = settled(&spec, Scene::default(), &start);
    let standing = {
        let head = a.body.head_center(&a.world.physics);
        a.body.feet_positions(&a.world.physics)[LegId::LF.index()].distance(head)
    };
    let mut closest = [f32::MAX; 2];
    for _ in 0..3000 {
        a.step(&MotorCommand::Groom);
        let head = a.body.head_center(&a.world.physics);
        let feet = a.body.feet_positions(&a.world.physics);
        for (k, leg) in [LegId::LF, LegId::RF].into_iter().enumerate() {
            closest[k] = closest[k].min(feet[leg.index()].distance(head));
        }
        assert!(!a.fallen());
    }
    let reach = spec.head.radius + 2.0 * spec.legs.tarsus_radius;
    assert!(
        closest.iter().all(|d| *d < reach),
        "closest tarsus-head distances {closest:?}, head radius {}, standing {standing}",
        spec.head.radius
    );
    assert!(
        a.internal().dust < 0.5,
        "dust after 3 s grooming: {}",
        a.internal().dust
    );
}

#[test]
fn dust_events_raise_dust_and_standing_does_not_clean() {
    let spec = spec();
    let mut scene = Scene::default();
    scene.dust.push(DustEvent {
        time_s: 0.7,
        amount: 0.4,
    });
    let mut a = settled(
        &spec,
        scene,
        &Start {
            internal: InternalState {
                dust: 0.0,
                ..InternalState::default()
            },
            ..Start::default()
        },
    );
    for _ in 0..500 {
        a.step(&MotorCommand::Stand);
    }
    assert!((a.internal().dust - 0.4).abs() < 1e-6, "{:?}", a.internal());
    assert!((a.sensors().dust_load - 0.4).abs() < 1e-6);
}

#[test]
fn jump_escape_moves_the_body_up_and_away_from_the_threat_within_200_ms() {
    let spec = spec();
    for side in Side::BOTH {
        let mut a = settled(&spec, Scene::default(), &Start::default());
        let p0 = a.body.pose(&a.world.physics).position;
        let cmd = MotorCommand::Escape {
            mode: EscapeMode::Jump,
            threat_azimuth: side.sign() * std::f32::consts::FRAC_PI_2,
        };
        let mut rise = 0.0f32;
        let mut away = 0.0f32;
        for _ in 0..200 {
            a.step(&cmd);
            let p = a.body.pose(&a.world.physics).position;
            rise = rise.max(p[2] - p0[2]);
            // Threat on the left (+y) means away is -y.
            away = away.max(-(p[1] - p0[1]) * side.sign());
        }
        assert!(rise > 0.02, "thorax rose only {rise} m in 200 ms");
        assert!(
            away > 0.005,
            "moved only {away} m away from a threat on the {side:?}"
        );
    }
}

#[test]
fn run_escape_turns_away_from_the_threat_and_runs() {
    let spec = spec();
    let mut a = settled(&spec, Scene::default(), &Start::default());
    let p0 = a.body.pose(&a.world.physics).position;
    // Threat on the right: the body should end up heading left and further left.
    let cmd = MotorCommand::Escape {
        mode: EscapeMode::Run,
        threat_azimuth: -std::f32::consts::FRAC_PI_2,
    };
    for _ in 0..3000 {
        a.step(&cmd);
    }
    let p = a.body.pose(&a.world.physics);
    assert!(
        (p.rpy[2] - std::f32::consts::FRAC_PI_2).abs() < 0.35,
        "heading {}",
        p.rpy[2]
    );
    assert!(p.position[1] - p0[1] > 0.2, "moved {:?}", p.position);
}

#[test]
fn feeding_keeps_the_body_still_with_the_proboscis_on_the_food() {
    let spec = spec();
    let mut scene = Scene::default();
    let food = food_under_proboscis(&spec);
    scene.food.push(food.clone());
    let mut a = settled(
        &spec,
        scene,
        &Start {
            internal: InternalState {
                hunger: 0.8,
                ..InternalState::default()
            },
            ..Start::default()
        },
    );
    let p0 = a.body.pose(&a.world.physics).position;
    for _ in 0..5000 {
        a.step(&MotorCommand::Feed);
    }
    let p = a.body.pose(&a.world.physics).position;
    let moved = ((p[0] - p0[0]).powi(2) + (p[1] - p0[1]).powi(2)).sqrt();
    assert!(moved < 0.003, "body moved {moved} m while feeding");
    let tip = a.body.proboscis_tip(&a.world.physics);
    let off = ((tip.x - food.position[0]).powi(2) + (tip.y - food.position[1]).powi(2)).sqrt();
    assert!(
        off < food.radius && tip.z < 0.015,
        "tip {tip:?} vs food {food:?}"
    );
    assert!(a.sensors().taste.proboscis > 0.9, "{:?}", a.sensors().taste);
    assert!(a.internal().hunger < 0.5, "hunger {}", a.internal().hunger);
}

/// Feeding is chosen when the front tarsi taste sugar, so the mouth must reach what they
/// stand on: a wide pool whose edge is 1 cm behind the resting front tarsi is under the
/// extended labellum too (the labellum touches down on the line between the front tarsi).
#[test]
fn the_labellum_reaches_food_that_the_front_tarsi_taste() {
    let spec = spec();
    let front = spec.geometry().neutral_foot(LegId::LF)[0];
    let radius = 1.0;
    let mut scene = Scene::default();
    scene.food.push(Food {
        position: [front - 0.01 + radius, 0.0],
        radius,
        odor: 1.0,
        sugar: 1.0,
    });
    let mut a = settled(&spec, scene, &Start::default());
    for _ in 0..1000 {
        a.step(&MotorCommand::Feed);
    }
    let taste = a.sensors().taste;
    assert!(taste.tarsi.iter().all(|t| *t > 0.9), "{taste:?}");
    assert!(
        taste.proboscis > 0.9,
        "the tarsi taste the pool, the labellum at {:?} does not: {taste:?}",
        a.body.proboscis_tip(&a.world.physics)
    );
}

#[test]
fn sensors_report_the_side_of_odor_and_looming() {
    let spec = spec();
    for side in Side::BOTH {
        let mut scene = Scene::default();
        scene.food.push(Food {
            position: [0.05, 0.3 * side.sign()],
            radius: 0.03,
            odor: 1.0,
            sugar: 1.0,
        });
        let mut th = threat_from(side, spec.stance.height);
        th.onset_s = 0.5;
        scene.threats.push(th);
        let mut a = settled(&spec, scene, &Start::default());
        for _ in 0..100 {
            a.step(&MotorCommand::Stand);
        }
        let s = *a.sensors();
        let (near, far) = (side.index(), side.opposite().index());
        assert!(
            s.odor[near] > s.odor[far] * 1.02 && s.odor[far] > 0.0,
            "odor {:?} for a source on the {side:?}",
            s.odor
        );
        assert!(
            s.looming[near].angle > 0.05 && s.looming[near].expansion > 0.0,
            "{:?}",
            s.looming
        );
        assert_eq!(
            s.looming[far].angle, 0.0,
            "the far eye must not see a lateral threat: {:?}",
            s.looming
        );
        assert!(
            s.looming[near].azimuth * side.sign() > 1.0,
            "{:?}",
            s.looming
        );
        assert!(a.internal().arousal > 0.0);
    }
}

#[test]
fn wind_and_contacts_are_sensed() {
    let spec = spec();
    let scene = Scene {
        wind: [0.0, -1.0],
        ..Scene::default()
    };
    let a = settled(&spec, scene, &Start::default());
    let s = a.sensors();
    assert!(
        s.wind[1] < -0.9,
        "wind from the left blows towards -y: {:?}",
        s.wind
    );
    assert!(
        s.legs.iter().all(|l| l.contact),
        "standing: all six tarsi on the ground"
    );
}

#[test]
fn walking_into_an_obstacle_is_felt_on_the_side_it_touches() {
    let spec = spec();
    for side in Side::BOTH {
        let mut scene = Scene::default();
        // A low block ahead, covering only one side of the midline: the head meets its edge.
        scene.obstacles.push(sim::world::Obstacle {
            center: [0.2, side.sign() * 0.1],
            half_extents: [0.02, 0.095, 0.2],
            yaw_deg: 0.0,
        });
        let mut a = settled(&spec, scene, &Start::default());
        // The first touch is on the obstacle's side (later the head may slide along its edge).
        let mut felt = [0.0f32; 2];
        for _ in 0..4000 {
            a.step(&MotorCommand::Walk {
                speed: 0.1,
                turn: 0.0,
            });
            felt = a.sensors().touch;
            if felt != [0.0; 2] {
                break;
            }
        }
        assert!(
            felt[side.index()] > 0.0 && felt[side.opposite().index()] == 0.0,
            "{side:?} obstacle felt as {felt:?}"
        );
    }
}

#[test]
fn front_tarsi_taste_food_they_step_on_and_hunger_rises_without_food() {
    let spec = spec();
    let mut scene = Scene::default();
    scene.food.push(Food {
        position: [0.35, 0.0],
        radius: 0.15,
        odor: 1.0,
        sugar: 0.8,
    });
    let start = Start {
        internal: InternalState {
            hunger: 0.5,
            ..InternalState::default()
        },
        ..Start::default()
    };
    let mut a = settled(&spec, scene, &start);
    let h0 = a.internal().hunger;
    let mut tasted = [0.0f32; 2];
    for _ in 0..4000 {
        a.step(&MotorCommand::Walk {
            speed: 0.1,
            turn: 0.0,
        });
        for (best, &now) in tasted.iter_mut().zip(&a.sensors().taste.tarsi) {
            *best = best.max(now);
        }
    }
    assert_eq!(tasted, [0.8, 0.8], "both front tarsi walk over the patch");
    let rise = a.internal().hunger - h0;
    let expected = a.rates.hunger_rise * 4.0;
    // f32 accumulation of 4000 tiny increments rounds by up to ~2%.
    assert!(
        (rise - expected).abs() < 0.03 * expected,
        "hunger rose {rise}, expected {expected}"
    );
}

#[test]
fn switching_behaviours_never_jumps_a_joint() {
    let spec = spec();
    let mut a = settled(&spec, Scene::default(), &Start::default());
    let cmds = [
        MotorCommand::Walk {
            speed: 0.15,
            turn: 0.4,
        },
        MotorCommand::Groom,
        MotorCommand::Escape {
            mode: EscapeMode::Jump,
            threat_azimuth: 1.0,
        },
        MotorCommand::Feed,
        MotorCommand::Walk {
            speed: -0.08,
            turn: 0.0,
        },
        MotorCommand::Escape {
            mode: EscapeMode::Run,
            threat_azimuth: 2.5,
        },
        MotorCommand::Stand,
        MotorCommand::Groom,
    ];
    let dt = a.control_dt();
    let slew = spec.motor.max_joint_speed * dt + 1e-5;
    let mut last_t = *a.targets();
    let mut last_q = a.body.leg_angles(&a.world.physics);
    let (mut max_t, mut max_q) = (0.0f32, 0.0f32);
    for cmd in cmds.iter().chain(cmds.iter().rev()) {
        for _ in 0..400 {
            a.step(cmd);
            let t = *a.targets();
            max_t = max_t.max(t.max_abs_diff(&last_t));
            last_t = t;
            let q = a.body.leg_angles(&a.world.physics);
            for (l, leg) in q.iter().enumerate() {
                for (j, v) in leg.iter().enumerate() {
                    max_q = max_q.max((v - last_q[l][j]).abs());
                }
            }
            last_q = q;
        }
    }
    assert!(
        max_t <= slew,
        "largest target step {max_t} rad per tick (limit {slew})"
    );
    // The motors follow: measured joints move less than 50 rad/s.
    assert!(
        max_q < 0.05,
        "largest measured joint step {max_q} rad per tick"
    );
    assert!(!a.fallen());
}
