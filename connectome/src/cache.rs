//! Binary cache of loaded connectomes (being written).
