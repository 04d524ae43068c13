//! Embeds the workspace's `assets/` folder (bodies, scenes, circuit maps, example experiments,
//! the compact mission circuit: ~2 MB) into the `hexafly` binary, so that an installed
//! binary runs its defaults anywhere (sim/src/assets.rs unpacks them when the source tree
//! is gone).

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let assets = manifest.join("..").join("assets");
    println!("cargo:rerun-if-changed={}", assets.display());
    let mut files = Vec::new();
    walk(&assets, &assets, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Every file of assets/ at build time: (path relative to assets/, contents).\n\
         pub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        out += &format!("    ({rel:?}, include_bytes!({abs:?})),\n");
    }
    out += "];\n";
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("assets.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let abs = p.canonicalize().unwrap_or(p.clone());
            out.push((rel, abs.display().to_string()));
        }
    }
}
