//! The monitors hexafly's run folder is made from; attach any of them to a loop of your own.
//!
//! - [`BehaviourMonitor`]: time, bouts and brain activity per behaviour, switches;
//! - [`OnsetMonitor`]: how long after each timeline event each behaviour first began;
//! - [`LatencyMonitor`]: the loom -> giant fibre -> escape -> lift-off chain;
//! - [`PathMonitor`]: path length, food found and eaten, time against walls;
//! - [`TimelineMonitor`] and [`SpikeMonitor`]: `timeline.csv` and `spikes.parquet`, streamed.

mod behaviour;
mod latency;
mod onsets;
mod path;
mod spikes;
mod stream;
mod timeline;

pub use behaviour::BehaviourMonitor;
pub use latency::{LIFT_OFF_RISE_M, LatencyMonitor};
pub use onsets::OnsetMonitor;
pub use path::PathMonitor;
pub use spikes::SpikeMonitor;
pub use timeline::TimelineMonitor;
