//! One agent in its world: body, motor patterns and internal state, advanced one control tick
//! at a time (motor targets -> physics steps -> sensors -> internal state).

use controller::anatomy::{JointTargets, LegId, Segment};
use controller::motor::{MotorCommand, MotorPatterns, PatternKind};
use controller::sensors::{InternalState, Sensors};

use crate::body::state::{check_above_ground, check_body};
use crate::body::{Body, BodySpec, BodyStateError};
use crate::sensing::{odor_change, sense};
use crate::world::{Scene, World};

/// How internal state changes.
#[derive(Debug, Clone, PartialEq)]
pub struct InternalRates {
    /// Hunger rise per second.
    pub hunger_rise: f32,
    /// Hunger fall per second while the proboscis tastes food.
    pub feeding: f32,
    /// Dust fall per second per front tarsus wiping the head.
    pub grooming: f32,
    /// Arousal decay time constant, seconds.
    pub arousal_tau: f32,
}

impl Default for InternalRates {
    fn default() -> Self {
        InternalRates {
            hunger_rise: 0.002,
            feeding: 0.1,
            grooming: 0.15,
            arousal_tau: 2.0,
        }
    }
}

/// Where and how the agent starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    /// Position (x, y), metres.
    pub xy: [f32; 2],
    /// Heading, radians.
    pub yaw: f32,
    /// Internal state.
    pub internal: InternalState,
}

impl Default for Start {
    fn default() -> Self {
        Start {
            xy: [0.0, 0.0],
            yaw: 0.0,
            internal: InternalState::default(),
        }
    }
}

/// Body, world, motor patterns and internal state.
///
/// ```
/// use controller::motor::MotorCommand;
/// use sim::agent::{Agent, Start};
/// use sim::body::{BodySpec, default_body_path};
/// use sim::world::Scene;
///
/// let body = BodySpec::load(&default_body_path()).unwrap();
/// let mut agent = Agent::new(&body, Scene::default(), 1, &Start::default(), 0.001);
/// for _ in 0..500 {
///     agent.step(&MotorCommand::Stand); // 0.5 s standing: the body settles
/// }
/// assert!(!agent.fallen() && agent.check_state().is_ok());
/// println!("thorax at {:?}", agent.pose().position);
/// ```
pub struct Agent {
    /// The world (physics and stimuli).
    pub world: World,
    /// The body.
    pub body: Body,
    /// The motor pattern generators.
    pub motor: MotorPatterns,
    /// Rates of the internal state.
    pub rates: InternalRates,
    internal: InternalState,
    sensors: Sensors,
    targets: JointTargets,
    next_dust: usize,
    physics_per_tick: usize,
    /// The first invalid body state seen; from then on the body is frozen (see [`Agent::step`]).
    broken: Option<BodyStateError>,
}

impl Agent {
    /// Builds world and body. `control_dt` is the control tick, a whole number of physics steps.
    pub fn new(spec: &BodySpec, scene: Scene, seed: u64, start: &Start, control_dt: f32) -> Agent {
        let mut world = World::new(
            scene,
            seed,
            spec.physics.dt,
            spec.physics.solver_iterations,
            spec.physics.pgs_iterations,
        );
        let motor = MotorPatterns::new(spec.geometry(), spec.motor.clone());
        let stand = motor.stand_targets();
        let ground = world.ground_height(start.xy[0], start.xy[1]);
        let body = Body::build(
            spec,
            &mut world.physics,
            start.xy,
            start.yaw,
            ground,
            &stand,
        );
        let physics_per_tick = ((control_dt / spec.physics.dt).round() as usize).max(1);
        let mut agent = Agent {
            world,
            body,
            motor,
            rates: InternalRates::default(),
            internal: start.internal,
            sensors: Sensors::default(),
            targets: stand,
            next_dust: 0,
            physics_per_tick,
            broken: None,
        };
        agent.sensors = sense(&agent.world, &agent.body, &agent.internal);
        agent
    }

    /// Seconds per control tick.
    pub fn control_dt(&self) -> f32 {
        self.physics_per_tick as f32 * self.body.spec().physics.dt
    }

    /// The thorax's pose in the world.
    pub fn pose(&self) -> crate::body::BodyPose {
        self.body.pose(&self.world.physics)
    }

    /// Simulated time, seconds.
    pub fn time(&self) -> f64 {
        self.world.time
    }

    /// Sensors of the last tick.
    pub fn sensors(&self) -> &Sensors {
        &self.sensors
    }

    /// Internal state now.
    pub fn internal(&self) -> &InternalState {
        &self.internal
    }

    /// Sets the internal state (experiments may clamp it).
    pub fn set_internal(&mut self, s: InternalState) {
        self.internal = s;
    }

    /// Joint targets of the last tick.
    pub fn targets(&self) -> &JointTargets {
        &self.targets
    }

    /// One control tick under `cmd`.
    ///
    /// The body's state is checked before the tick and after every physics step. Once it is
    /// invalid (NaN, infinite or exploded; see [`Agent::check_state`]) the body is frozen: rapier
    /// panics when stepped with a NaN pose, and sensing would read nonsense, so later ticks only
    /// advance the clock, [`Agent::check_state`] keeps returning the first error (with the time
    /// it was seen) and [`Agent::fallen`] stays true.
    pub fn step(&mut self, cmd: &MotorCommand) {
        let dt = self.control_dt();
        let pdt = self.body.spec().physics.dt;
        if self.broken.is_none() {
            self.broken = self.check_state().err();
        }
        if self.broken.is_some() {
            self.world.time += self.physics_per_tick as f64 * pdt as f64;
            return;
        }
        self.targets = self.motor.step(cmd, Some(&self.sensors), dt);
        for k in 0..self.physics_per_tick {
            self.body
                .apply_targets(&mut self.world.physics, &self.targets, pdt);
            self.world.step();
            if let Err(e) = self.check_state() {
                self.broken = Some(e);
                let left = self.physics_per_tick - 1 - k;
                self.world.time += left as f64 * pdt as f64;
                return;
            }
        }
        self.update_internal(dt);
        let mut now = sense(&self.world, &self.body, &self.internal);
        odor_change(&self.sensors, &mut now, dt);
        self.sensors = now;
    }

    fn update_internal(&mut self, dt: f32) {
        let r = &self.rates;
        let s = &self.sensors;
        let i = &mut self.internal;
        i.hunger += r.hunger_rise * dt;
        if s.taste.proboscis > 0.0 {
            i.hunger -= r.feeding * s.taste.proboscis * dt;
        }
        let t = self.world.time as f32;
        while let Some(ev) = self.world.scene.dust.get(self.next_dust) {
            if ev.time_s > t {
                break;
            }
            i.dust += ev.amount;
            self.next_dust += 1;
        }
        // Dust comes off only where a front tarsus actually wipes the head.
        if self.motor.kind() == Some(PatternKind::Groom) {
            let head = self.body.head_center(&self.world.physics);
            let reach = 1.8 * self.body.spec().head.radius;
            let feet = self.body.feet_positions(&self.world.physics);
            let wiping = LegId::ALL
                .iter()
                .filter(|l| {
                    l.segment() == Segment::Front && (feet[l.index()] - head).length() < reach
                })
                .count();
            i.dust -= r.grooming * wiping as f32 * dt;
        }
        let looming: f32 = s.looming.iter().map(|l| l.expansion.max(0.0)).sum();
        let wind = (s.wind[0] * s.wind[0] + s.wind[1] * s.wind[1]).sqrt();
        let drive = (0.2 * looming + s.touch[0].max(s.touch[1]) * 0.5 + 0.2 * wind).min(1.0);
        i.arousal = (i.arousal * (-dt / r.arousal_tau).exp()).max(drive);
        i.hunger = i.hunger.clamp(0.0, 1.0);
        i.dust = i.dust.clamp(0.0, 1.0);
        i.arousal = i.arousal.clamp(0.0, 1.0);
    }

    /// Whether the body has fallen: tilted beyond the fall angle, or thorax too close to the
    /// ground below it. A body whose state is invalid ([`Agent::check_state`] fails: a NaN or
    /// infinite pose or velocity, or an exploded one) counts as fallen, so a broken simulation
    /// can never read as "not fallen"; call [`Agent::check_state`] to learn what broke.
    pub fn fallen(&self) -> bool {
        if self.check_state().is_err() {
            return true;
        }
        let spec = self.body.spec();
        let p = self.body.thorax_pose(&self.world.physics);
        let up = p.rotation * rapier3d::prelude::Vector::Z;
        let tilt = up.z.clamp(-1.0, 1.0).acos();
        let ground = self.world.ground_height(p.translation.x, p.translation.y);
        // Comparisons with NaN are false: a broken state counts as fallen, never as standing.
        let upright = tilt <= spec.stance.fall_tilt_deg.to_radians()
            && p.translation.z - ground >= spec.stance.fall_height;
        !upright
    }

    /// Checks the physical state of every rigid body of the robot (thorax, head, 18 leg
    /// segments): pose and velocity finite, each part within
    /// [`max_distance`](crate::body::state::max_distance) of the arena centre for this scene's
    /// half size, speeds within the physical bounds of [`crate::body::state`]. The error names
    /// the simulated time and the part, e.g. "body state invalid at t = 1.234 s: left front
    /// tibia position is NaN (NaN, 0.1, 0.02)". Once a state has been found invalid the body is
    /// frozen (see [`Agent::step`]) and this returns that first error. Trials call this every
    /// control tick.
    pub fn check_state(&self) -> Result<(), BodyStateError> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        let arena = &self.world.scene.arena;
        check_body(
            &self.body,
            &self.world.physics,
            arena.half_size,
            self.world.time,
        )?;
        let floor = match arena.terrain {
            crate::world::TerrainKind::Flat => 0.0,
            crate::world::TerrainKind::Rough => -arena.rough_amplitude,
        };
        check_above_ground(&self.body, &self.world.physics, floor, self.world.time)
    }
}
