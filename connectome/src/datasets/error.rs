//! Errors of the dataset registry, the data directory and downloads. Each says what to do.

use std::fmt;
use std::path::PathBuf;

/// One file of a dataset that is not (correctly) in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// Where it should be.
    pub path: PathBuf,
    /// Where to download it from.
    pub url: String,
    /// Its size in bytes, when known.
    pub size: Option<u64>,
    /// What is wrong (`absent`, or the size found).
    pub problem: String,
}

/// A registry that does not parse, an unknown dataset, or a dataset that is not there.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The registry file is not valid.
    #[error("{}: invalid dataset registry: {message}", .path.display())]
    Registry {
        /// The registry file (`<builtin>` for the compiled-in one).
        path: PathBuf,
        /// What is wrong, with the line where the TOML parser gives one.
        message: String,
    },
    /// No dataset has this name.
    #[error("unknown dataset `{name}`; known datasets: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The known names, comma separated.
        known: String,
    },
    /// Neither `--data-dir`, `$HEXAFLY_DATA` nor a platform data directory is available.
    #[error("no data directory: pass --data-dir DIR or set HEXAFLY_DATA=DIR")]
    NoDataDir,
    /// Files of the dataset are absent or have the wrong size.
    #[error("{}", missing_message(.dataset, .data_dir, .missing))]
    Missing {
        /// The dataset name.
        dataset: String,
        /// The data directory that was searched.
        data_dir: PathBuf,
        /// Each file that is not right, with where to put it and where to get it.
        missing: Vec<MissingFile>,
    },
    /// A file scanned for the datasets it needs cannot be read or parsed.
    #[error("{}: {message}", .path.display())]
    Scan {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A `dataset:` reference that does not parse.
    #[error("`{text}`: expected {expected}")]
    BadReference {
        /// The reference as written.
        text: String,
        /// What was expected instead.
        expected: &'static str,
    },
    /// A `dataset:NAME/PATH` reference to a path the complete dataset does not hold.
    #[error("dataset `{dataset}` holds no {} (the registry lists its files: `hexafly datasets --json`)", .path.display())]
    NotInDataset {
        /// The dataset name.
        dataset: String,
        /// The path asked for.
        path: PathBuf,
    },
    /// An archive of the dataset is present but has not been unpacked.
    #[error("dataset `{dataset}`: {} is downloaded but not unpacked (expected {}); run `hexafly fetch {dataset}` (it unpacks), or `tar xzf {} -C {}`", .archive.display(), .load.display(), .archive.display(), .dir.display())]
    NotUnpacked {
        /// The dataset name.
        dataset: String,
        /// The archive.
        archive: PathBuf,
        /// The dataset directory to unpack into.
        dir: PathBuf,
        /// The path that unpacking creates.
        load: PathBuf,
    },
}

fn missing_message(dataset: &str, data_dir: &std::path::Path, missing: &[MissingFile]) -> String {
    let mut s = format!(
        "dataset `{dataset}` is not installed in data directory {}; get it with\n  \
         hexafly fetch {dataset} --data-dir {}\n(offline: add `--from DIR`, a folder holding \
         copies of its files, or set {}=DIR). Files:",
        data_dir.display(),
        data_dir.display(),
        super::offline::FROM_ENV,
    );
    for m in missing {
        let size = m.size.map(|n| format!(" ({n} bytes)")).unwrap_or_default();
        s += &format!(
            "\n  {} ({}): published at {}{size}",
            m.path.display(),
            m.problem,
            m.url
        );
    }
    s
}

/// Why a download did not produce a verified file. On any error the partial download is
/// deleted and nothing is left at the destination.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The dataset is unknown or the data directory cannot be chosen.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The server could not be reached (offline, refused, DNS, TLS, timeout).
    #[error("cannot download {url}: {reason}.\nIf this machine is offline, download that URL elsewhere and put the file at {}{}", .dest.display(), size_hint(*.size))]
    Unreachable {
        /// The URL.
        url: String,
        /// Where the file belongs.
        dest: PathBuf,
        /// Expected size, when known.
        size: Option<u64>,
        /// The transport error.
        reason: String,
    },
    /// The server answered with an HTTP error status.
    #[error("cannot download {url}: the server answered HTTP {status}.\nDownload the file by other means and put it at {}{}", .dest.display(), size_hint(*.size))]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Where the file belongs.
        dest: PathBuf,
        /// Expected size, when known.
        size: Option<u64>,
    },
    /// The download has the wrong size.
    #[error("{url}: {}, expected {expected} bytes; the download was deleted (is the URL still serving the published file?)", if *.truncated { format!("the server sent more (at least {got} bytes)") } else { format!("downloaded {got} bytes") })]
    SizeMismatch {
        /// The URL.
        url: String,
        /// Bytes received (when `truncated`: received when the download was stopped).
        got: u64,
        /// Size from the registry.
        expected: u64,
        /// True when the download was stopped because it exceeded `expected`.
        truncated: bool,
    },
    /// The download has the wrong sha256.
    #[error(
        "{url}: sha256 is {got}, expected {expected}; the download was deleted (corrupted transfer or a changed file)"
    )]
    HashMismatch {
        /// The URL.
        url: String,
        /// The digest of what arrived.
        got: String,
        /// The digest from the registry.
        expected: String,
    },
    /// The offline source holds no copy of a file.
    #[error("{0}")]
    NotOffline(Box<NotOffline>),
    /// A table made from a published file that hexafly cannot convert itself, with no
    /// offline copy to install it from.
    #[error("{0}")]
    OfflineOnly(Box<OfflineOnly>),
    /// A file that hexafly makes from another file of the dataset came out different from
    /// the registered one.
    #[error("{0}")]
    ConversionMismatch(Box<ConversionMismatch>),
    /// Tables made by a script of the hexafly repository, which has to be run before they
    /// install (their inputs are installed).
    #[error("{0}")]
    ScriptConversion(Box<ScriptConversion>),
    /// A conversion could not read its published input.
    #[error("{}: {message}", .path.display())]
    Conversion {
        /// The input file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The data directory cannot be written.
    #[error("{}: cannot write into the data directory ({source}); choose a writable one with --data-dir DIR or HEXAFLY_DATA=DIR", .path.display())]
    ReadOnly {
        /// The file or folder that could not be created.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Reading or writing a local file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

fn size_hint(size: Option<u64>) -> String {
    size.map(|n| format!(" (expected size {n} bytes)"))
        .unwrap_or_default()
}

impl fmt::Display for MissingFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) from {}",
            self.path.display(),
            self.problem,
            self.url
        )
    }
}

/// See [`FetchError::NotOffline`].
#[derive(Debug, thiserror::Error)]
#[error("dataset `{dataset}`: no file in {} has the size and sha256 of `{path}` ({}); that folder is not an offline copy of this dataset (published at {url})", .from.display(), .sha256.as_deref().unwrap_or("no sha256 registered, so it cannot be matched offline"))]
pub struct NotOffline {
    /// The dataset.
    pub dataset: String,
    /// The file's registry path.
    pub path: String,
    /// Its registered sha256.
    pub sha256: Option<String>,
    /// The offline folder searched.
    pub from: PathBuf,
    /// Where it is published.
    pub url: String,
}

/// See [`FetchError::OfflineOnly`].
#[derive(Debug, thiserror::Error)]
#[error("dataset `{dataset}`: `{path}` is a table made from the published file {url}, a conversion hexafly does not perform ({note}); {}", match .from { Some(d) => format!("no file in {} has its sha256 {sha256}", d.display()), None => format!("install it from a folder holding a copy (`hexafly fetch {dataset} --from DIR`, matched by sha256 {sha256})") })]
pub struct OfflineOnly {
    /// The dataset.
    pub dataset: String,
    /// The table's registry path.
    pub path: String,
    /// The published file.
    pub url: String,
    /// How the table is made from it.
    pub note: String,
    /// The table's sha256.
    pub sha256: String,
    /// The offline folder searched, if any.
    pub from: Option<PathBuf>,
}

/// See [`FetchError::ConversionMismatch`].
#[derive(Debug, thiserror::Error)]
#[error(
    "dataset `{dataset}`: `{path}` made from `{from}` by `{conversion}` has sha256 {got}, expected {expected}; it was deleted (has the published file changed?)"
)]
pub struct ConversionMismatch {
    /// The dataset.
    pub dataset: String,
    /// The converted file.
    pub path: String,
    /// The file it is made from.
    pub from: String,
    /// The conversion's name.
    pub conversion: String,
    /// The digest of what was made.
    pub got: String,
    /// The registered digest.
    pub expected: String,
}

/// See [`FetchError::ScriptConversion`].
#[derive(Debug, thiserror::Error)]
#[error("dataset `{dataset}`: {} made from the published files by a script that hexafly does not run itself (Python with pandas); its inputs are installed. Run, in the hexafly repository:\n  python3 {script} {}\nthen `hexafly fetch {dataset}` again: it checks each table's sha256", .tables.join(", "), .dir.display())]
pub struct ScriptConversion {
    /// The dataset.
    pub dataset: String,
    /// The tables the script makes.
    pub tables: Vec<String>,
    /// The script, relative to the hexafly repository.
    pub script: String,
    /// The dataset's folder, where the inputs are and the tables go.
    pub dir: PathBuf,
}
