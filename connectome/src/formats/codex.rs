//! Loader: codex (being written).
