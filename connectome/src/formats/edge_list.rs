//! Loader: edge_list (being written).
