//! The hexapod body in rapier3d (being written).
