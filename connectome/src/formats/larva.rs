//! Loader: larva (being written).
