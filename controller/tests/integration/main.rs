//! The controller crate's integration tests, one module per topic, in one test binary (one
//! link instead of one per file, and long tests overlap with short ones). Run one topic
//! with `cargo test -p controller --test integration TOPIC::`.

mod brain_dynamics;
mod brain_escape;
mod circuit_bad_maps;
mod circuit_escape;
mod circuit_larva;
mod circuit_maps;
mod circuit_subsets;
mod loop_threads;
