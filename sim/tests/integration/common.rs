//! What the integration tests share: where the repository's assets are, and the `hexafly`
//! binary with none of the caller's environment that would change what it does.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    std::fs::canonicalize(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
}

/// The repository's `assets/`.
pub fn assets() -> PathBuf {
    root().join("assets")
}

/// The `hexafly` binary of this build, without a Slurm array index, an offline fetch source
/// or a dataset list of the caller's (a test that wants one sets it).
pub fn hexafly() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hexafly"));
    c.env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("HEXAFLY_FETCH_FROM")
        .env_remove("HEXAFLY_REGISTRY");
    c
}

/// What a command wrote on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder with `edges.csv`: 47 neurons, excitatory 100..139 -> 200..206 and inhibitory
/// back, for the brain-alone tests.
pub fn small_edge_list() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut edges = String::from("pre,post,weight\n");
    for i in 0..40u64 {
        edges += &format!("{},{},{}\n", 100 + i, 200 + i % 7, 30 + i as i64);
        edges += &format!("{},{},-5\n", 200 + i % 7, 100 + (i * 3) % 40);
    }
    std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
    dir
}
