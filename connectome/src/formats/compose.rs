//! Loader: compose (being written).
