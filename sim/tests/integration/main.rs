//! The sim crate's integration tests, one module per topic, in one test binary (one
//! link instead of one per file, and long tests overlap with short ones). Run one topic
//! with `cargo test -p sim --test integration TOPIC::`.

mod body_behaviours;
mod body_cli;
mod body_determinism;
mod body_mass_matrix;
mod body_scene;
mod body_spec;
mod body_stability;
mod body_state;
mod body_walk;
mod brain_brian2_crosscheck;
mod brain_cli;
mod brain_run_api;
mod circuit_cli;
mod cli_connectome;
mod closed_loop_api;
mod closed_loop_escape;
mod closed_loop_larva;
mod closed_loop_steering;
mod closed_loop_switch;
mod common;
mod default_experiment;
mod example_experiments;
mod experiment_file;
mod experiment_fuzz;
mod fetch;
mod mission;
mod no_lost_outputs;
mod odor_search;
mod plot;
mod python_reads_outputs;
mod release_failure;
mod sweep;
