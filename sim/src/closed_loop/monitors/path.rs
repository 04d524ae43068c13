//! Where the body went and what it found: path length, distance, food, walls.

use controller::arbiter::Behaviour;

use crate::body::BodyPose;
use crate::closed_loop::{Monitor, MonitorError, TickRecord};

/// Path length (sampled every tick), food found and eaten, and time walking against walls.
#[derive(Debug, Clone)]
pub struct PathMonitor {
    first_pose: BodyPose,
    last_xy: [f32; 2],
    path_length_m: f32,
    food_eaten: f32,
    time_to_food_s: Option<f64>,
    wall_contact_s: f64,
}

impl PathMonitor {
    /// Starting from the body's pose `start`.
    pub fn new(start: BodyPose) -> PathMonitor {
        PathMonitor {
            last_xy: [start.position[0], start.position[1]],
            first_pose: start,
            path_length_m: 0.0,
            food_eaten: 0.0,
            time_to_food_s: None,
            wall_contact_s: 0.0,
        }
    }

    /// The pose it started from.
    pub fn start(&self) -> &BodyPose {
        &self.first_pose
    }

    /// Path length, metres.
    pub fn path_length_m(&self) -> f32 {
        self.path_length_m
    }

    /// Straight-line distance (x, y) from the start to `pose`, metres.
    pub fn distance_m(&self, pose: &BodyPose) -> f32 {
        let p0 = self.first_pose.position;
        ((pose.position[0] - p0[0]).powi(2) + (pose.position[1] - p0[1]).powi(2)).sqrt()
    }

    /// Hunger removed by feeding (none while the internal state is held).
    pub fn food_eaten(&self) -> f32 {
        self.food_eaten
    }

    /// When a taste organ (labellum or a front tarsus) first touched food, seconds.
    pub fn time_to_food_s(&self) -> Option<f64> {
        self.time_to_food_s
    }

    /// Seconds spent walking with the head or body against a wall or obstacle.
    pub fn wall_contact_s(&self) -> f64 {
        self.wall_contact_s
    }
}

impl Monitor for PathMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let agent = r.agent;
        let senses = agent.sensors();
        let taste = &senses.taste;
        if !r.internal_held && taste.proboscis > 0.0 {
            self.food_eaten += (r.internal_before.hunger - agent.internal().hunger).max(0.0);
        }
        if self.time_to_food_s.is_none()
            && taste.proboscis.max(taste.tarsi[0]).max(taste.tarsi[1]) > 0.0
        {
            self.time_to_food_s = Some(r.t_s);
        }
        if r.tick.decision.behaviour == Behaviour::Walk
            && senses.touch[0].max(senses.touch[1]) > 0.0
        {
            self.wall_contact_s += r.dt as f64;
        }
        let pose = agent.body.pose(&agent.world.physics);
        let xy = [pose.position[0], pose.position[1]];
        self.path_length_m +=
            ((xy[0] - self.last_xy[0]).powi(2) + (xy[1] - self.last_xy[1]).powi(2)).sqrt();
        self.last_xy = xy;
        Ok(())
    }
}
