//! Finding the real public datasets that tests and benchmarks read from `../shared/data`.
//!
//! The project never copies those files; CI has them beside the checkout. `HEXAFLY_SHARED_DATA`
//! overrides the location.

use std::path::PathBuf;

/// The shared data directory: `$HEXAFLY_SHARED_DATA`, else `<workspace>/../shared/data`.
pub fn shared_data_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HEXAFLY_SHARED_DATA") {
        return PathBuf::from(p);
    }
    // connectome/ sits in the workspace root; shared/ is beside the workspace.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("data")
}

/// Path of a file under the shared data directory, or a panic that names exactly what is
/// missing and where it was looked for. For tests and benchmarks only.
pub fn require(relative: &str) -> PathBuf {
    let p = shared_data_dir().join(relative);
    if !p.exists() {
        panic!(
            "real dataset file missing: {} (looked for {}). Tests read the public data from \
             ../shared/data beside the checkout (see ../shared/data/README.md) or from \
             $HEXAFLY_SHARED_DATA.",
            relative,
            p.display()
        );
    }
    p
}
