//! Synthetic whole-brain-sized networks for benchmarks (being written).
