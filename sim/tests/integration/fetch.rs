//! `hexafly fetch` against a tiny HTTP server on 127.0.0.1 started by each test, with a
//! registry file written by the test: success, already present, wrong hash, wrong size, 404,
//! connection refused, and a mirror given by --url-base.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::common::{self, stderr};
use sha2::{Digest, Sha256};

/// Serves `files` (URL path -> body; anything else is a 404) to at most `max_requests`
/// connections, then stops. Returns the base URL and a counter of requests served.
fn serve(files: HashMap<String, Vec<u8>>, max_requests: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let files = Arc::new(Mutex::new(files));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            let _ = answer(stream, &files.lock().unwrap());
        }
    });
    (base, served)
}

fn answer(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    match files.get(&path) {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)?;
        }
        None => {
            let body = b"not found";
            write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(body)?;
        }
    }
    stream.flush()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Deterministic test content of `n` bytes.
fn content(n: usize, salt: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}

/// One `[[dataset]]` with the given files: (path, url, size, sha256).
fn registry_entry(name: &str, files: &[(&str, String, Option<u64>, Option<String>)]) -> String {
    let mut s = format!(
        "[[dataset]]\nname = \"{name}\"\ndescription = \"test data\"\ncitation = \"nobody\"\nlicence = \"CC0\"\n"
    );
    for (path, url, size, sha) in files {
        s += &format!("[[dataset.files]]\npath = \"{path}\"\nurl = \"{url}\"\n");
        if let Some(size) = size {
            s += &format!("size = {size}\n");
        }
        if let Some(sha) = sha {
            s += &format!("sha256 = \"{sha}\"\n");
        }
    }
    s
}

fn hexafly(args: &[&str]) -> Output {
    common::hexafly()
        .args(args)
        .env_remove("HEXAFLY_DATA")
        .env_remove("HEXAFLY_FETCH_FROM")
        .env_remove("HEXAFLY_REGISTRY")
        .output()
        .unwrap()
}

/// Everything under `dir`, relative, sorted (to prove no `.part` file is left behind), but
/// for the record of verified files that `hexafly fetch` keeps.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.ends_with(connectome::datasets::VERIFIED_FILE) {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
fn refused_base() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    base
}

#[test]
fn downloads_verifies_and_skips_what_is_present() {
    let a = content(300_000, 1);
    let b = content(1_000, 2);
    let (base, served) = serve(
        HashMap::from([
            ("/a.bin".to_owned(), a.clone()),
            ("/deep/b.csv".to_owned(), b.clone()),
        ]),
        8,
    );
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("reg.toml");
    std::fs::write(
        &reg,
        registry_entry(
            "demo",
            &[
                (
                    "a.bin",
                    format!("{base}/a.bin"),
                    Some(a.len() as u64),
                    Some(sha256(&a)),
                ),
                ("sub/b.csv", format!("{base}/deep/b.csv"), None, None),
            ],
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let args = [
        "fetch",
        "demo",
        "--registry",
        reg.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let out = hexafly(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("demo/a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(data.join("demo/sub/b.csv")).unwrap(), b);
    assert_eq!(tree(&data), ["demo/a.bin", "demo/sub/b.csv"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        data.join("demo/a.bin").display().to_string()
    );
    assert!(stderr(&out).contains("verified"), "{}", stderr(&out));
    assert_eq!(served.load(Ordering::SeqCst), 2);

    // Second run: both files are complete, nothing is requested.
    let out = hexafly(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches("already present").count(),
        2,
        "{}",
        stderr(&out)
    );
    assert_eq!(served.load(Ordering::SeqCst), 2);

    // A corrupted file of the right size fails its hash and is fetched again.
    std::fs::write(data.join("demo/a.bin"), vec![0u8; a.len()]).unwrap();
    let out = hexafly(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("demo/a.bin")).unwrap(), a);
    assert_eq!(served.load(Ordering::SeqCst), 3);

    let listed = hexafly(&[
        "datasets",
        "--registry",
        reg.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(v["datasets"][0]["status"], "present");
    assert_eq!(v["datasets"][0]["size_known"], false);
}

#[test]
fn wrong_hash_or_size_deletes_the_download() {
    let body = content(5_000, 3);
    let (base, _) = serve(HashMap::from([("/f.bin".to_owned(), body.clone())]), 4);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reg = dir.path().join("reg.toml");
    let other = sha256(b"something else");
    std::fs::write(
        &reg,
        registry_entry(
            "hash",
            &[(
                "f.bin",
                format!("{base}/f.bin"),
                Some(5_000),
                Some(other.clone()),
            )],
        ) + &registry_entry(
            "short",
            &[("f.bin", format!("{base}/f.bin"), Some(4_000), None)],
        ) + &registry_entry(
            "long",
            &[("f.bin", format!("{base}/f.bin"), Some(6_000), None)],
        ),
    )
    .unwrap();
    let fetch = |name: &str| {
        hexafly(&[
            "fetch",
            name,
            "--registry",
            reg.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
    };

    let out = fetch("hash");
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(
        msg.contains(&format!("sha256 is {}, expected {other}", sha256(&body))),
        "{msg}"
    );
    assert!(msg.contains("deleted"), "{msg}");

    let out = fetch("short");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the server sent more (at least 5000 bytes), expected 4000 bytes"),
        "{}",
        stderr(&out)
    );

    let out = fetch("long");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("downloaded 5000 bytes, expected 6000 bytes"),
        "{}",
        stderr(&out)
    );

    // Nothing is left: no destination file, no partial file.
    let left = if data.exists() {
        tree(&data)
    } else {
        Vec::new()
    };
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn http_errors_and_refused_connections_say_what_to_place_where() {
    let (base, _) = serve(HashMap::new(), 2);
    let refused = refused_base();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reg = dir.path().join("reg.toml");
    std::fs::write(
        &reg,
        registry_entry(
            "gone",
            &[("x.csv", format!("{base}/x.csv"), Some(10), None)],
        ) + &registry_entry(
            "offline",
            &[("y.zip", format!("{refused}/y.zip"), Some(1_107_380), None)],
        ),
    )
    .unwrap();
    let fetch = |name: &str| {
        hexafly(&[
            "fetch",
            name,
            "--registry",
            reg.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
    };

    let out = fetch("gone");
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(msg.contains("HTTP 404"), "{msg}");
    assert!(
        msg.contains(&data.join("gone").join("x.csv").display().to_string()),
        "{msg}"
    );

    let out = fetch("offline");
    assert_eq!(out.status.code(), Some(1));
    let msg = stderr(&out);
    assert!(
        msg.contains(&format!("cannot download {refused}/y.zip")),
        "{msg}"
    );
    assert!(msg.contains("offline"), "{msg}");
    assert!(
        msg.contains(&data.join("offline").join("y.zip").display().to_string()),
        "{msg}"
    );
    assert!(msg.contains("1107380 bytes"), "{msg}");

    let out = fetch("nope");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown dataset `nope`; known datasets: gone, offline"),
        "{}",
        stderr(&out)
    );

    let left = if data.exists() {
        tree(&data)
    } else {
        Vec::new()
    };
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn url_base_fetches_from_a_mirror_of_the_data_dir_layout() {
    let body = content(2_048, 4);
    let (mirror, served) = serve(
        HashMap::from([("/mirrored/data.csv".to_owned(), body.clone())]),
        2,
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reg = dir.path().join("reg.toml");
    // The registered URL is unreachable; only the mirror can succeed.
    let url = format!("{}/data.csv", refused_base());
    std::fs::write(
        &reg,
        registry_entry(
            "mirrored",
            &[("data.csv", url, Some(2_048), Some(sha256(&body)))],
        ),
    )
    .unwrap();
    let out = hexafly(&[
        "fetch",
        "mirrored",
        "--registry",
        reg.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--url-base",
        &format!("{mirror}/"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("mirrored/data.csv")).unwrap(), body);
    assert_eq!(served.load(Ordering::SeqCst), 1);
}

/// A ustar header + data for one regular file.
fn tar_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

#[test]
fn archives_are_unpacked_and_the_dataset_loads_by_name() {
    // A neuPrint-style export in a tar, like the hemibrain's.
    let mut tar = tar_entry(
        "export-v1/traced-neurons.csv",
        b"bodyId,type,instance\n10,DNp01,DNp01_R\n11,LC4,LC4_R\n12,LC4,LC4_L\n",
    );
    tar.extend(tar_entry(
        "export-v1/traced-total-connections.csv",
        b"bodyId_pre,bodyId_post,weight\n11,10,5\n12,10,7\n10,11,1\n",
    ));
    tar.extend([0u8; 1024]);
    let (base, _) = serve(HashMap::from([("/export.tar".to_owned(), tar.clone())]), 2);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let reg = dir.path().join("reg.toml");
    let mut entry = registry_entry(
        "neu",
        &[(
            "export.tar",
            format!("{base}/export.tar"),
            Some(tar.len() as u64),
            Some(sha256(&tar)),
        )],
    );
    entry = entry.replace(
        "licence = \"CC0\"\n",
        "licence = \"CC0\"\nload = \"export-v1\"\nformat = \"neuprint\"\n",
    );
    entry += "unpack = true\n";
    std::fs::write(&reg, entry).unwrap();
    let (r, d) = (reg.to_str().unwrap(), data.to_str().unwrap());

    // Placed by hand but not unpacked: locate says how to unpack.
    std::fs::create_dir_all(data.join("neu")).unwrap();
    std::fs::write(data.join("neu/export.tar"), &tar).unwrap();
    let out = hexafly(&[
        "connectome",
        "info",
        "neu",
        "--registry",
        r,
        "--data-dir",
        d,
        "--no-cache",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("downloaded but not unpacked")
            && stderr(&out).contains("hexafly fetch neu"),
        "{}",
        stderr(&out)
    );

    // fetch finds the archive complete, skips the download, and unpacks it.
    let out = hexafly(&["fetch", "neu", "--registry", r, "--data-dir", d]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already present") && stderr(&out).contains("unpacked"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        data.join("neu/export-v1").display().to_string()
    );

    let out = hexafly(&[
        "connectome",
        "info",
        "neu",
        "--registry",
        r,
        "--data-dir",
        d,
        "--no-cache",
        "--json",
        "--select",
        "type=LC4",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "neuprint");
    assert_eq!(v["neurons"], 3);
    assert_eq!(v["edges"], 3);
    assert_eq!(v["synapses"], 13);
    assert_eq!(v["selection"]["ids"], serde_json::json!([11, 12]));

    // A fresh data dir: download + unpack in one go.
    let fresh = dir.path().join("fresh");
    let out = hexafly(&[
        "fetch",
        "neu",
        "--registry",
        r,
        "--data-dir",
        fresh.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        tree(&fresh.join("neu")),
        [
            "export-v1/traced-neurons.csv",
            "export-v1/traced-total-connections.csv",
            "export.tar"
        ]
    );
}

/// `hexafly fetch WHAT...` with registry `reg` into `data`, offline from `from`.
fn fetch_from(what: &[&str], reg: &Path, data: &Path, from: &Path) -> Output {
    let mut args = vec!["fetch"];
    args.extend(what);
    args.extend([
        "--registry",
        reg.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--from",
        from.to_str().unwrap(),
    ]);
    hexafly(&args)
}

/// `hexafly fetch demo` with registry `reg` into `data`, offline from `from`.
fn fetch_demo_from(reg: &Path, data: &Path, from: &Path) -> Output {
    fetch_from(&["demo"], reg, data, from)
}

/// A registry of one dataset `demo` (files a.bin, sub/b.csv with sizes and hashes) and the
/// contents, for the offline tests: nothing is served, so any download attempt fails.
fn offline_demo(dir: &Path) -> (std::path::PathBuf, Vec<u8>, Vec<u8>) {
    let a = content(70_000, 5);
    let b = content(900, 6);
    let reg = dir.join("reg.toml");
    let nowhere = refused_base();
    std::fs::write(
        &reg,
        registry_entry(
            "demo",
            &[
                (
                    "a.bin",
                    format!("{nowhere}/a.bin"),
                    Some(a.len() as u64),
                    Some(sha256(&a)),
                ),
                (
                    "sub/b.csv",
                    format!("{nowhere}/b.csv"),
                    Some(b.len() as u64),
                    Some(sha256(&b)),
                ),
            ],
        ),
    )
    .unwrap();
    (reg, a, b)
}

#[test]
fn from_a_folder_files_are_found_by_sha256_whatever_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, a, b) = offline_demo(dir.path());
    // Another layout, other names, a decoy with a's name and size but other bytes.
    let copies = dir.path().join("usb");
    std::fs::create_dir_all(copies.join("x/y")).unwrap();
    std::fs::write(copies.join("x/y/renamed.dat"), &a).unwrap();
    std::fs::write(copies.join("b-copy.csv"), &b).unwrap();
    std::fs::write(copies.join("a.bin"), content(70_000, 9)).unwrap();
    let data = dir.path().join("data");
    let out = fetch_demo_from(&reg, &data, &copies);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("demo/a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(data.join("demo/sub/b.csv")).unwrap(), b);
    assert_eq!(tree(&data), ["demo/a.bin", "demo/sub/b.csv"]);
    assert!(stderr(&out).contains("renamed.dat"), "{}", stderr(&out));

    // The same through the environment variable, into another data directory.
    let data2 = dir.path().join("data2");
    let out = common::hexafly()
        .args(["fetch", "demo", "--registry"])
        .arg(&reg)
        .arg("--data-dir")
        .arg(&data2)
        .env("HEXAFLY_FETCH_FROM", &copies)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(&data2), ["demo/a.bin", "demo/sub/b.csv"]);

    // A folder without one of the files: a clear error, nothing half-installed.
    std::fs::remove_file(copies.join("b-copy.csv")).unwrap();
    let data3 = dir.path().join("data3");
    let out = fetch_demo_from(&reg, &data3, &copies);
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("dataset `demo`") && e.contains("sub/b.csv") && e.contains(&sha256(&b)),
        "{e}"
    );
    assert!(tree(&data3).iter().all(|f| !f.contains(".part")));
}

#[test]
fn a_file_whose_sha256_differs_is_never_used_and_a_stale_part_never_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, a, b) = offline_demo(dir.path());
    let data = dir.path().join("data");
    // A same-size file with other bytes where a.bin belongs, and a download that a kill
    // interrupted (a `.part` beside the missing b.csv).
    std::fs::create_dir_all(data.join("demo/sub")).unwrap();
    std::fs::write(data.join("demo/a.bin"), content(70_000, 7)).unwrap();
    std::fs::write(data.join("demo/sub/b.csv.part"), &b[..400]).unwrap();
    let located = connectome::datasets::Registry::from_file(&reg)
        .unwrap()
        .locate("demo", &data)
        .unwrap_err()
        .to_string();
    assert!(
        located.contains("its sha256 differs from the registry's: not used")
            && located.contains("b.csv (absent)")
            && located.contains("hexafly fetch demo"),
        "{located}"
    );

    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::write(copies.join("1"), &a).unwrap();
    std::fs::write(copies.join("2"), &b).unwrap();
    let out = fetch_demo_from(&reg, &data, &copies);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("demo/a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(data.join("demo/sub/b.csv")).unwrap(), b);
    assert_eq!(tree(&data), ["demo/a.bin", "demo/sub/b.csv"]);
}

#[test]
fn unknown_names_and_a_read_only_data_directory_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, a, b) = offline_demo(dir.path());
    let out = hexafly(&[
        "fetch",
        "no-such-dataset",
        "--registry",
        reg.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown dataset `no-such-dataset`; known datasets: demo"),
        "{}",
        stderr(&out)
    );

    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::write(copies.join("1"), &a).unwrap();
    std::fs::write(copies.join("2"), &b).unwrap();
    let mut data = dir.path().join("ro");
    std::fs::create_dir_all(&data).unwrap();
    let mut perms = std::fs::metadata(&data).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&data, perms).unwrap();
    if std::fs::write(data.join("probe"), b"x").is_ok() {
        // Root ignores mode bits; sysfs refuses new folders to everyone (EPERM).
        data = std::path::PathBuf::from("/sys/hexafly-read-only-data-dir");
    }
    let out = fetch_demo_from(&reg, &data, &copies);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot write into the data directory")
            && stderr(&out).contains("--data-dir"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fetch_for_an_experiment_installs_exactly_the_datasets_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, a, b) = offline_demo(dir.path());
    let mut text = std::fs::read_to_string(&reg).unwrap();
    text += &registry_entry(
        "other",
        &[(
            "o.bin",
            format!("{}/o.bin", refused_base()),
            Some(3),
            Some(sha256(b"abc")),
        )],
    );
    std::fs::write(&reg, text).unwrap();
    std::fs::write(
        dir.path().join("manifest.toml"),
        "[[source]]\npath = \"dataset:demo/sub/b.csv\"\n",
    )
    .unwrap();
    let exp = dir.path().join("exp.toml");
    std::fs::write(&exp, "[network]\nconnectome = \"manifest.toml\"\n").unwrap();
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::write(copies.join("1"), &a).unwrap();
    std::fs::write(copies.join("2"), &b).unwrap();
    let data = dir.path().join("data");
    let out = fetch_from(&["--for", exp.to_str().unwrap()], &reg, &data, &copies);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(&data), ["demo/a.bin", "demo/sub/b.csv"]);
    // Nothing asked for is a usage error.
    let out = hexafly(&["fetch", "--registry", reg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_converted_file_is_made_from_the_published_one_and_matches_its_offline_copy() {
    // The steering-DN subgraph is published as DesktopFly's circuit.json; its three tables
    // are made by hexafly and must come out byte for byte as the registry's sha256 says.
    let circuit = connectome::test_data::require("flywire-783-steering-dn/circuit.json");
    let licence = connectome::test_data::require("flywire-783-steering-dn/DATA_LICENSE.md");
    let dir = tempfile::tempdir().unwrap();
    let only_published = dir.path().join("published");
    std::fs::create_dir_all(&only_published).unwrap();
    std::fs::copy(&circuit, only_published.join("circuit.json")).unwrap();
    std::fs::copy(&licence, only_published.join("LICENSE")).unwrap();
    let data = dir.path().join("data");
    let out = hexafly(&[
        "fetch",
        "flywire-783-steering-dn",
        "--data-dir",
        data.to_str().unwrap(),
        "--from",
        only_published.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches("converting").count(),
        3,
        "{}",
        stderr(&out)
    );
    let reg = connectome::datasets::Registry::builtin();
    let d = reg.get("flywire-783-steering-dn").unwrap();
    for f in &d.files {
        let got = sha256(&std::fs::read(f.dest(d, &data)).unwrap());
        assert_eq!(Some(got), f.sha256.clone(), "{}", f.path);
    }
}

#[test]
fn an_experiment_whose_data_are_missing_names_the_fetch_commands() {
    let dir = tempfile::tempdir().unwrap();
    let exp = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/experiments/hungry_foraging.toml");
    let out = common::hexafly()
        .arg("run")
        .arg(&exp)
        .arg("--out")
        .arg(dir.path().join("run"))
        .env("HEXAFLY_DATA", dir.path().join("empty"))
        .env("HEXAFLY_CACHE", dir.path().join("cache"))
        .env_remove("HEXAFLY_REGISTRY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains(&format!("`hexafly fetch --for {}`", exp.display()))
            && e.contains("hexafly fetch flywire-783-annotations --data-dir"),
        "{e}"
    );
    assert!(!dir.path().join("run").join("summary.json").exists());
}

#[test]
fn a_gzipped_offline_copy_installs_the_table_it_holds() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let (reg, a, b) = offline_demo(dir.path());
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&a).unwrap();
    std::fs::write(copies.join("kept-compressed.bin.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(copies.join("b"), &b).unwrap();
    // A file named .gz that is not gzip is no copy of anything, and no error either.
    std::fs::write(copies.join("junk.gz"), b"not gzip").unwrap();
    let data = dir.path().join("data");
    let out = fetch_demo_from(&reg, &data, &copies);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(data.join("demo/a.bin")).unwrap(), a);
}

#[test]
fn a_table_made_by_a_script_is_asked_for_then_verified() {
    let dir = tempfile::tempdir().unwrap();
    let input = content(5_000, 11);
    let table = b"pre,post,weight\n1,2,3\n".to_vec();
    let reg = dir.path().join("reg.toml");
    let nowhere = refused_base();
    std::fs::write(
        &reg,
        format!(
            "[[dataset]]\nname = \"pk\"\ndescription = \"d\"\ncitation = \"c\"\nlicence = \"l\"\n\
             [[dataset.files]]\npath = \"in.pkl\"\nurl = \"{nowhere}/in.pkl\"\nsize = {}\n\
             sha256 = \"{}\"\ninput_only = true\n\
             [[dataset.files]]\npath = \"t.csv\"\nurl = \"{nowhere}/in.pkl\"\nsize = {}\n\
             sha256 = \"{}\"\nconverted_from = [\"in.pkl\"]\n\
             conversion = \"script:scripts/convert/make_t.py\"\n",
            input.len(),
            sha256(&input),
            table.len(),
            sha256(&table)
        ),
    )
    .unwrap();
    let copies = dir.path().join("copies");
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::write(copies.join("input"), &input).unwrap();
    let data = dir.path().join("data");
    let fetch = || fetch_from(&["pk"], &reg, &data, &copies);
    let out = fetch();
    assert!(!out.status.success());
    let e = stderr(&out);
    let folder = data.join("pk");
    assert!(
        e.contains(&format!(
            "python3 scripts/convert/make_t.py {}",
            folder.display()
        )),
        "{e}"
    );
    assert_eq!(std::fs::read(folder.join("in.pkl")).unwrap(), input);
    // What a broken script writes is refused and removed; the right table installs.
    std::fs::write(folder.join("t.csv"), b"pre,post,weight\n1,2,4\n").unwrap();
    assert!(!fetch().status.success());
    assert!(!folder.join("t.csv").exists());
    std::fs::write(folder.join("t.csv"), &table).unwrap();
    let out = fetch();
    assert!(out.status.success(), "{}", stderr(&out));
    let located = connectome::datasets::Registry::from_file(&reg)
        .unwrap()
        .locate("pk", &data)
        .unwrap();
    assert_eq!(located.files, [folder.join("t.csv")]);
}
