//! Which datasets a file needs: every `dataset:NAME...` reference in it, a known dataset's
//! bare name given as a `connectome` or `annotations`, and the same in every TOML file it
//! names by a relative path (its circuit map, scene, surrogate spec, manifest), recursively.
//! This is what `hexafly fetch --for EXPERIMENT.toml` installs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::DatasetError;
use super::reference::DataRef;
use super::registry::Registry;

/// Keys whose bare string value may be a dataset's name (elsewhere a name is just a name:
/// a circuit map's informational `dataset = "..."` does not pull in the whole brain).
const NAME_KEYS: [&str; 3] = ["connectome", "annotations", "neurons"];

/// The datasets `file` needs, sorted by name.
pub fn datasets_needed(file: &Path, registry: &Registry) -> Result<BTreeSet<String>, DatasetError> {
    let mut found = BTreeSet::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    visit(file, registry, &mut found, &mut seen)?;
    Ok(found)
}

fn visit(
    file: &Path,
    registry: &Registry,
    found: &mut BTreeSet<String>,
    seen: &mut Vec<PathBuf>,
) -> Result<(), DatasetError> {
    let canonical = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    if seen.contains(&canonical) {
        return Ok(());
    }
    seen.push(canonical);
    let bad = |message: String| DatasetError::Scan {
        path: file.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(file).map_err(|e| bad(format!("cannot read: {e}")))?;
    let value: toml::Value = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let base = file.parent().unwrap_or(Path::new(""));
    let mut strings = Vec::new();
    collect(&value, None, &mut strings);
    for (key, s) in strings {
        if let Some(r) = DataRef::parse(&s) {
            let r = r.map_err(|e| bad(e.to_string()))?;
            registry.get(&r.dataset).map_err(|e| bad(e.to_string()))?;
            found.insert(r.dataset);
        } else if key.is_some_and(|k| NAME_KEYS.contains(&k)) && registry.get(&s).is_ok() {
            found.insert(s);
        } else if s.ends_with(".toml") && !Path::new(&s).is_absolute() {
            let p = base.join(&s);
            if p.is_file() {
                visit(&p, registry, found, seen)?;
            }
        }
    }
    Ok(())
}

/// Every string in `v`, with the key it sits under (a list's items keep the list's key).
fn collect<'a>(v: &'a toml::Value, key: Option<&'a str>, out: &mut Vec<(Option<&'a str>, String)>) {
    match v {
        toml::Value::String(s) => out.push((key, s.clone())),
        toml::Value::Array(items) => items.iter().for_each(|i| collect(i, key, out)),
        toml::Value::Table(t) => t.iter().for_each(|(k, i)| collect(i, Some(k), out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_followed_through_the_files_an_experiment_names() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join("exp.toml"),
            "[network]\nconnectome = \"m.toml\"\ncircuit = \"map.toml\"\n\
             annotations = [\"flywire-783-annotations\"]\n",
        )
        .unwrap();
        std::fs::write(
            d.join("m.toml"),
            "[[source]]\npath = \"dataset:larva-winding2023\"\n",
        )
        .unwrap();
        // A map's informational dataset name is not a need.
        std::fs::write(d.join("map.toml"), "dataset = \"flywire-783-shiu\"\n").unwrap();
        let needs = datasets_needed(&d.join("exp.toml"), &Registry::builtin()).unwrap();
        assert_eq!(
            needs.into_iter().collect::<Vec<_>>(),
            ["flywire-783-annotations", "larva-winding2023"]
        );
        std::fs::write(d.join("m.toml"), "p = \"dataset:nope/x.csv\"\n").unwrap();
        let e = datasets_needed(&d.join("exp.toml"), &Registry::builtin())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.toml") && e.contains("unknown dataset `nope`"),
            "{e}"
        );
    }
}
