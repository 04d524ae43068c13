//! What the body senses, as the controller sees it (being written).
