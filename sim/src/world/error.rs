//! What can go wrong reading a scene file.

use std::path::{Path, PathBuf};

/// An error reading or validating a scene.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// The file cannot be read.
    #[error("cannot read scene file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML, or not a scene's TOML (a missing, unknown or mistyped key); the
    /// source says where (line and column) and what was expected.
    #[error("{}", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// Where and what.
        #[source]
        source: toml::de::Error,
    },
    /// Values out of range or not finite, every one listed.
    #[error("{}invalid scene: {}", file_prefix(path.as_deref()), problems.join("\n"))]
    Invalid {
        /// The file, when the scene was read from one.
        path: Option<PathBuf>,
        /// One line per problem: the key (with its line in the file, when read from one),
        /// what it must be and what it is.
        problems: Vec<String>,
    },
}

/// `path: `, or nothing.
fn file_prefix(path: Option<&Path>) -> String {
    path.map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}
