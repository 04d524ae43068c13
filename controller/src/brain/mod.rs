//! The spiking brain engine (being written).
