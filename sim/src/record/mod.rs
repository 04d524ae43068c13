//! What a run writes: `timeline.csv` (one row per recorded tick), `spikes.parquet`
//! (recorded selections) and `summary.json`, each written atomically.

pub mod atomic;
pub mod spikes;
pub mod timeline;

pub use atomic::write_atomic;
