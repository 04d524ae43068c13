//! Body vocabulary shared by controller and sim: legs, segments, joints (being written).
