//! Unpacking a downloaded `.tar.gz` / `.tar` archive (e.g. the hemibrain neuPrint export) into
//! its dataset directory.
//!
//! A small reader for the ustar layout with the pax (`x`) and GNU long-name (`L`) extensions
//! that real exports use: regular files and directories are extracted; links and devices are
//! skipped (a dataset needs neither, and links could point outside the directory). Entry names
//! that are absolute or contain `..` are refused. Everything is extracted into a scratch
//! directory first and moved into place only when the whole archive was read, so an
//! interrupted unpack never leaves a half-filled dataset behind.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use super::error::FetchError;

const BLOCK: usize = 512;

/// Extracts `archive` into `into`; returns the top-level names it created.
pub(crate) fn unpack(archive: &Path, into: &Path) -> Result<Vec<String>, FetchError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FetchError::Io { path, source }
    };
    let file = BufReader::new(File::open(archive).map_err(io(archive))?);
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reader: Box<dyn Read> = if name.ends_with(".tar") {
        Box::new(file)
    } else {
        Box::new(flate2::read::GzDecoder::new(file))
    };
    let scratch = into.join(format!(".{name}.unpacking"));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(io(&scratch))?;
    }
    std::fs::create_dir_all(&scratch).map_err(io(&scratch))?;
    let result = extract(reader, &scratch, archive).and_then(|()| {
        let mut top = Vec::new();
        for entry in std::fs::read_dir(&scratch).map_err(io(&scratch))? {
            let entry = entry.map_err(io(&scratch))?;
            let dest = into.join(entry.file_name());
            if dest.is_dir() {
                std::fs::remove_dir_all(&dest).map_err(io(&dest))?;
            } else if dest.exists() {
                std::fs::remove_file(&dest).map_err(io(&dest))?;
            }
            std::fs::rename(entry.path(), &dest).map_err(io(&dest))?;
            top.push(entry.file_name().to_string_lossy().into_owned());
        }
        top.sort();
        Ok(top)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn bad(archive: &Path, message: String) -> FetchError {
    FetchError::Io {
        path: archive.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a valid tar archive: {message}"),
        ),
    }
}

/// Reads exactly one block; `Ok(false)` at a clean end of input.
fn read_block(r: &mut dyn Read, buf: &mut [u8; BLOCK]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < BLOCK {
        match r.read(&mut buf[filled..])? {
            0 if filled == 0 => return Ok(false),
            0 => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "archive ends inside a block",
                ));
            }
            n => filled += n,
        }
    }
    Ok(true)
}

/// A NUL-terminated header field as text.
fn field(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// An octal (or GNU base-256) numeric header field.
fn number(bytes: &[u8]) -> Option<u64> {
    if bytes[0] & 0x80 != 0 {
        return bytes[1..]
            .iter()
            .try_fold(0u64, |acc, &b| acc.checked_mul(256)?.checked_add(b as u64));
    }
    let text = field(bytes);
    let text = text.trim_matches(|c: char| c == ' ' || c == '\0');
    if text.is_empty() {
        Some(0)
    } else {
        u64::from_str_radix(text, 8).ok()
    }
}

/// The `path` record of a pax extended header (`"<len> path=<value>\n"` records).
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|rec| {
        rec.split_once(' ')
            .and_then(|(_, kv)| kv.strip_prefix("path="))
            .map(str::to_owned)
    })
}

fn safe_relative(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    let ok = p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    (ok && p.components().any(|c| matches!(c, Component::Normal(_)))).then(|| p.to_path_buf())
}

fn extract(mut r: Box<dyn Read>, into: &Path, archive: &Path) -> Result<(), FetchError> {
    let io_archive = |e: std::io::Error| bad(archive, e.to_string());
    let mut header = [0u8; BLOCK];
    let mut long_name: Option<String> = None;
    let mut entries = 0u64;
    loop {
        if !read_block(&mut *r, &mut header).map_err(io_archive)? || header.iter().all(|&b| b == 0)
        {
            // End of archive (two zero blocks, or an archive cut right after its last entry).
            if entries == 0 {
                return Err(bad(archive, "no entries".into()));
            }
            return Ok(());
        }
        let stored = number(&header[148..156])
            .ok_or_else(|| bad(archive, "unreadable header checksum".into()))?;
        let sum: u64 = header
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    b as u64
                }
            })
            .sum();
        if sum != stored {
            return Err(bad(
                archive,
                format!("header checksum mismatch at entry {}", entries + 1),
            ));
        }
        entries += 1;
        let size = number(&header[124..136])
            .ok_or_else(|| bad(archive, "unreadable entry size".into()))?;
        let kind = header[156];
        let mut name = field(&header[0..100]);
        if &header[257..262] == b"ustar" {
            let prefix = field(&header[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        if let Some(long) = long_name.take() {
            name = long;
        }
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        match kind {
            b'x' | b'L' => {
                let mut data = Vec::new();
                (&mut *r)
                    .take(padded)
                    .read_to_end(&mut data)
                    .map_err(io_archive)?;
                data.truncate(size as usize);
                long_name = if kind == b'L' {
                    Some(field(&data))
                } else {
                    pax_path(&data)
                };
                continue;
            }
            b'0' | 0 | b'7' | b'5' => {}
            _ => {
                // Links, devices, global pax headers: nothing a dataset needs.
                std::io::copy(&mut (&mut *r).take(padded), &mut std::io::sink())
                    .map_err(io_archive)?;
                continue;
            }
        }
        let rel = safe_relative(&name)
            .ok_or_else(|| bad(archive, format!("refusing entry name `{name}`")))?;
        let dest = into.join(rel);
        let io_dest = |e: std::io::Error| FetchError::Io {
            path: dest.clone(),
            source: e,
        };
        if kind == b'5' {
            std::fs::create_dir_all(&dest).map_err(io_dest)?;
            std::io::copy(&mut (&mut *r).take(padded), &mut std::io::sink()).map_err(io_archive)?;
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io_dest)?;
        }
        let mut out = File::create(&dest).map_err(io_dest)?;
        let copied = std::io::copy(&mut (&mut *r).take(size), &mut out).map_err(io_archive)?;
        if copied != size {
            return Err(bad(
                archive,
                format!("entry `{name}` is cut short ({copied} of {size} bytes)"),
            ));
        }
        std::io::copy(&mut (&mut *r).take(padded - size), &mut std::io::sink())
            .map_err(io_archive)?;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ustar header + data for one entry (test helper, also used to build fixtures).
    pub(crate) fn tar_entry(name: &str, kind: u8, data: &[u8]) -> Vec<u8> {
        let mut h = [0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let mut out = h.to_vec();
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
        out
    }

    pub(crate) fn tar_gz(entries: &[Vec<u8>]) -> Vec<u8> {
        use std::io::Write;
        let mut tar: Vec<u8> = entries.concat();
        tar.extend_from_slice(&[0u8; 2 * BLOCK]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn extracts_files_dirs_and_pax_long_names() {
        let long = format!("export/{}.csv", "n".repeat(120));
        let pax = format!("{} path={long}\n", long.len() + 7 + 3);
        let archive = tar_gz(&[
            tar_entry("export/", b'5', b""),
            tar_entry("export/traced-neurons.csv", b'0', b"bodyId,type\n1,a\n"),
            tar_entry("export/link", b'2', b""),
            tar_entry("PaxHeaders/x", b'x', pax.as_bytes()),
            tar_entry("export/short-name", b'0', b"long"),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.tar.gz");
        std::fs::write(&path, archive).unwrap();
        assert_eq!(unpack(&path, dir.path()).unwrap(), ["export"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("export/traced-neurons.csv")).unwrap(),
            "bodyId,type\n1,a\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&long)).unwrap(),
            "long"
        );
        assert!(!dir.path().join("export/link").exists());
        assert!(!dir.path().join(".e.tar.gz.unpacking").exists());
    }

    #[test]
    fn refuses_escaping_names_and_corrupt_archives_leaving_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evil.tar.gz");
        std::fs::write(
            &path,
            tar_gz(&[
                tar_entry("ok.txt", b'0', b"x"),
                tar_entry("../escape.txt", b'0', b"x"),
            ]),
        )
        .unwrap();
        let err = unpack(&path, dir.path()).unwrap_err().to_string();
        assert!(err.contains("refusing entry name `../escape.txt`"), "{err}");
        assert!(
            !dir.path().join("ok.txt").exists()
                && !dir.path().parent().unwrap().join("escape.txt").exists()
        );

        let mut entry = tar_entry("a.txt", b'0', b"hello");
        entry[0] = b'b'; // checksum no longer matches
        std::fs::write(&path, tar_gz(&[entry])).unwrap();
        assert!(
            unpack(&path, dir.path())
                .unwrap_err()
                .to_string()
                .contains("checksum mismatch")
        );

        let whole = tar_gz(&[tar_entry("a.txt", b'0', &[7u8; 3000])]);
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        assert!(unpack(&path, dir.path()).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["evil.tar.gz"]);
    }
}
