//! The escape's latency chain after a loom: first giant-fibre spike, escape command,
//! lift-off, and where the body went.

use controller::arbiter::Behaviour;
use controller::motor::kinematics::wrap_angle;

use crate::closed_loop::{Monitor, MonitorError, TickRecord};
use crate::record::LatencyChain;

/// A thorax rise above its height at the escape command that counts as lift-off, metres.
pub const LIFT_OFF_RISE_M: f32 = 0.005;

/// One [`LatencyChain`] per loom ([`LatencyMonitor::loom`]), filled in as the escape
/// unfolds; the most recent loom without an escape yet is the one being timed.
#[derive(Debug, Clone)]
pub struct LatencyMonitor {
    control_ms: f64,
    window_steps: u32,
    chains: Vec<(usize, LatencyChain)>,
    /// Chain, thorax height, position and yaw at the escape command.
    escape_ref: Option<(usize, f32, [f32; 3], f32)>,
}

impl LatencyMonitor {
    /// For a loop whose control tick is `control_ms` long, `window_steps` brain steps.
    pub fn new(control_ms: f64, window_steps: u32) -> LatencyMonitor {
        LatencyMonitor {
            control_ms,
            window_steps,
            chains: Vec::new(),
            escape_ref: None,
        }
    }

    /// A loom began at `event_s` (the `index`th event of a timeline, or `usize::MAX`).
    pub fn loom(&mut self, index: usize, event_s: f64) {
        self.chains.push((
            index,
            LatencyChain {
                event_s,
                first_trigger_spike_s: None,
                escape_command_s: None,
                lift_off_s: None,
                threat_azimuth_rad: None,
                heading_change_rad: None,
                displacement_m: None,
            },
        ));
    }

    /// The chains so far, one per loom.
    pub fn chains(&self) -> impl Iterator<Item = &LatencyChain> {
        self.chains.iter().map(|c| &c.1)
    }
}

impl Monitor for LatencyMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let Some((ci, chain)) = self.chains.last_mut() else {
            return Ok(());
        };
        let (d, t) = (&r.tick.decision, r.t_s);
        let pose = r.agent.body.pose(&r.agent.world.physics);
        if chain.first_trigger_spike_s.is_none()
            && let Some(step) = r.tick.first_trigger_spike
        {
            chain.first_trigger_spike_s = Some(
                step as f64 * self.control_ms * 1e-3 / self.window_steps as f64 - chain.event_s,
            );
        }
        // Only an escape that starts after the loom is its command: one already running
        // when it came (a spontaneous, noise-driven escape) was not caused by it.
        if chain.escape_command_s.is_none() && d.behaviour == Behaviour::Escape && d.switched {
            chain.escape_command_s = Some(t - chain.event_s);
            chain.threat_azimuth_rad = r
                .agent
                .sensors()
                .looming
                .iter()
                .max_by(|a, b| a.angle.total_cmp(&b.angle))
                .map(|l| l.azimuth);
            self.escape_ref = Some((*ci, pose.position[2], pose.position, pose.rpy[2]));
        }
        if let Some((_, z0, p0, yaw0)) = self.escape_ref {
            let since = chain.escape_command_s.map(|s| t - chain.event_s - s);
            if chain.lift_off_s.is_none() && pose.position[2] - z0 >= LIFT_OFF_RISE_M {
                chain.lift_off_s = Some(t - chain.event_s);
            }
            if chain.heading_change_rad.is_none() && since.is_some_and(|s| s >= 0.5) {
                let (dx, dy) = (pose.position[0] - p0[0], pose.position[1] - p0[1]);
                let (s, cs) = yaw0.sin_cos();
                chain.displacement_m = Some([dx * cs + dy * s, -dx * s + dy * cs]);
                chain.heading_change_rad = Some(wrap_angle(pose.rpy[2] - yaw0));
            }
        }
        Ok(())
    }
}
