//! Finding the real public datasets that tests and benchmarks read: in the data directory
//! (`$HEXAFLY_DATA`, else the platform's), installed by `hexafly fetch`. `cargo xtask test`
//! installs every dataset the tests need into `target/test-data` and points `HEXAFLY_DATA`
//! at it.

use std::path::PathBuf;

/// The data directory the tests read.
pub fn data_dir() -> PathBuf {
    crate::datasets::data_dir(None).unwrap_or_else(|e| panic!("{e}"))
}

/// `DATA_DIR/<dataset>/<path>` for `relative` = `"<dataset>/<path>"` (or `"<dataset>"` for
/// its folder), or a panic naming the `hexafly fetch` command that installs it. For tests
/// and benchmarks only.
pub fn require(relative: &str) -> PathBuf {
    let dir = data_dir();
    let p = dir.join(relative);
    if !p.exists() {
        let dataset = relative.split('/').next().unwrap_or(relative);
        panic!(
            "real dataset file missing: {} (dataset `{dataset}`, data directory {}). \
             `cargo xtask test` installs what the tests need; or run \
             `hexafly fetch {dataset} --data-dir {}` (offline: add `--from DIR`).",
            p.display(),
            dir.display(),
            dir.display()
        );
    }
    p
}
