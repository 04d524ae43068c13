//! The connectome crate's integration tests, one module per topic, in one test binary (one
//! link instead of one per file, and long tests overlap with short ones). Run one topic
//! with `cargo test -p connectome --test integration TOPIC::`.

mod bad_input;
mod compose_overlap;
mod formats;
mod real_data;
mod select;
mod shiu_feather;
mod shuffle;
mod surrogate;
mod synth;
