//! The world: arena, food and odor, threats, dust (being written).
