//! `timeline.csv`, row by row as the loop runs.

use std::path::Path;

use controller::Controller;
use controller::circuit::CircuitMap;

use super::stream;
use crate::closed_loop::{Monitor, MonitorError, TickRecord};
use crate::record::timeline::{FIXED_COLUMNS, TimelineRow, TimelineWriter};

/// Writes a row of the timeline every `every` steps and at every behaviour switch: the
/// fixed columns ([`FIXED_COLUMNS`]), then each readout's value and each sensory group's
/// input rate.
#[derive(Debug)]
pub struct TimelineMonitor {
    writer: Option<TimelineWriter>,
    rows: u64,
    every: u64,
}

impl TimelineMonitor {
    /// Creates `path` for a loop of `controller` built from `map`, a row every `every`
    /// steps (0: only at switches) and at every switch.
    pub fn create(
        path: &Path,
        controller: &Controller,
        map: &CircuitMap,
        every: u64,
    ) -> Result<TimelineMonitor, crate::record::RecordError> {
        Ok(TimelineMonitor {
            writer: Some(TimelineWriter::create(path, &header(controller, map))?),
            rows: 0,
            every,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

/// The columns of `timeline.csv`: the fixed ones, then a `readout_` column per readout and
/// an `input_..._hz` column per sensory group of the circuit map.
pub fn header(ctl: &Controller, map: &CircuitMap) -> Vec<String> {
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(
        ctl.decoder()
            .describe()
            .iter()
            .map(|r| format!("readout_{}", r.0)),
    );
    header.extend(
        ctl.encoder()
            .group_names(map)
            .iter()
            .map(|s| format!("input_{s}_hz")),
    );
    header
}

impl Monitor for TimelineMonitor {
    fn observe(&mut self, r: &TickRecord<'_>) -> Result<(), MonitorError> {
        let (d, drives) = (&r.tick.decision, &r.tick.drives);
        if !((r.tick_index + 1).is_multiple_of(self.every) || d.switched) {
            return Ok(());
        }
        let writer = stream::open(&mut self.writer, "timeline")?;
        let (agent, ctl) = (r.agent, r.controller);
        let pose = agent.body.pose(&agent.world.physics);
        let s = agent.internal();
        let v = agent.sensors().body_velocity;
        let row = TimelineRow {
            t_s: r.t_s,
            behaviour: d.behaviour.as_str().into(),
            reason: serde_json::to_value(d.reason)?
                .as_str()
                .unwrap_or_default()
                .into(),
            x_m: pose.position[0] as f64,
            y_m: pose.position[1] as f64,
            z_m: pose.position[2] as f64,
            yaw_rad: pose.rpy[2] as f64,
            speed_m_s: v[0].hypot(v[1]) as f64,
            hunger: s.hunger as f64,
            dust: s.dust as f64,
            arousal: s.arousal as f64,
            drive_forward: drives.forward,
            drive_backward: drives.backward,
            drive_turn: drives.turn,
            drive_groom: drives.groom,
            drive_feed: drives.feed,
            escape_spikes: drives.escape_spikes,
            readouts: ctl.decoder().values(),
            inputs_hz: ctl.encoder().rates().to_vec(),
        };
        writer.push(&row.fields())?;
        self.rows += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), MonitorError> {
        stream::flush(&mut self.writer)
    }

    fn finish(&mut self) -> Result<(), MonitorError> {
        stream::close(&mut self.writer)
    }
}
