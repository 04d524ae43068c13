//! Motor pattern generators (being written).
