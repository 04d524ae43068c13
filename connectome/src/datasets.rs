//! Known public datasets, the data directory and downloads (being written).
