//! What a run writes: `timeline.csv` (one row per recorded tick) and `spikes.parquet`
//! (recorded selections), streamed as the run goes, then `summary.json`, written last and
//! atomically, which says how the run ended ([`folder`]).

pub mod activity;
pub mod atomic;
pub mod error;
pub mod folder;
pub mod spikes;
pub mod summary;
pub mod table;
pub mod timeline;

pub use atomic::{write_atomic, write_json};
pub use error::{RecordError, TimelineRowError};
pub use folder::{Failure, RunState, Status};
pub use summary::{EventOnsets, LatencyChain, LinkReport, Summary};
