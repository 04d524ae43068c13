//! Loader: neuprint (being written).
