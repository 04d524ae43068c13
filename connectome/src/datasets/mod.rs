//! Known public datasets, the data directory, and downloads.
//!
//! The list of datasets is data, not code: `assets/datasets.toml` (compiled in as
//! [`Registry::builtin`]; another file can be read with [`Registry::from_file`]). Each dataset
//! has a name, a description, a citation, a licence and files, each with a download URL, a
//! path relative to the dataset's directory, and, where known, a size in bytes and a sha256.
//!
//! Files live at `DATA_DIR/<dataset>/<path>`; [`data_dir`] picks `DATA_DIR` (`--data-dir`, else
//! `$HEXAFLY_DATA`, else the platform data directory + `hexafly`). [`locate`] turns a dataset
//! name into paths, or an error that says which file to put where and where to download it;
//! [`fetch()`] downloads, verifies, and unpacks archives marked `unpack = true`.

mod convert;
mod dir;
mod error;
mod fetch;
mod needs;
mod offline;
mod reference;
mod registry;
mod unpack;

pub use convert::{CONVERSIONS, SCRIPT};
pub use dir::{DATA_ENV, FileState, Located, VERIFIED_FILE, data_dir, file_state, locate};
pub use error::{
    ConversionMismatch, DatasetError, FetchError, MissingFile, NotOffline, OfflineOnly,
};
pub use fetch::{FetchEvent, FetchParams, fetch};
pub use needs::datasets_needed;
pub use offline::{FROM_ENV, OfflineSource, sha256_of};
pub use reference::{DataRef, SCHEME, is_reference, resolve};
pub use registry::{Dataset, DatasetFile, REGISTRY_ENV, Registry};
