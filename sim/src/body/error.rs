//! What can go wrong reading a body description or running a bout.

use std::path::PathBuf;

use controller::motor::MotorCommand;

use super::BodyStateError;

/// An error reading a body description or running a bout.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The file cannot be read.
    #[error("cannot read body file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not TOML, or not a body description's TOML (a missing, unknown or
    /// mistyped key); the source says where (line and column) and what was expected.
    #[error("{}", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// Where and what.
        #[source]
        source: toml::de::Error,
    },
    /// Values out of range or not finite, every one listed.
    #[error("{}: invalid body description: {}", path.display(), problems.join("\n"))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// One line per problem: the key, what it must be and what it is.
        problems: Vec<String>,
    },
    /// A bout duration that is not a positive number.
    #[error("duration must be a positive number of seconds, got {duration_s}")]
    Duration {
        /// The duration asked for, s.
        duration_s: f32,
    },
    /// A sampling interval that is not a positive number.
    #[error("sampling interval must be a positive number of seconds, got {sample_s}")]
    SampleInterval {
        /// The interval asked for, s.
        sample_s: f32,
    },
    /// A bout shorter than one control tick.
    #[error("duration {duration_s} s is shorter than one control tick ({tick_s} s)")]
    ShorterThanATick {
        /// The duration asked for, s.
        duration_s: f32,
        /// The control tick, s.
        tick_s: f32,
    },
    /// A bout of more control ticks than one bout may take.
    #[error(
        "duration {duration_s:e} s is too long: at most {max_ticks} control ticks of {tick_s} s \
         ({:.0} s)",
        *max_ticks as f64 * *tick_s as f64
    )]
    TooLong {
        /// The duration asked for, s.
        duration_s: f32,
        /// Most control ticks.
        max_ticks: u64,
        /// The control tick, s.
        tick_s: f32,
    },
    /// A trajectory too long to keep in memory.
    #[error(
        "duration {duration_s} s sampled every {sample_s} s is {rows} trajectory rows; at most \
         {max_rows} (sample less often)"
    )]
    TooManySamples {
        /// The duration asked for, s.
        duration_s: f32,
        /// The sampling interval asked for, s.
        sample_s: f32,
        /// Rows that would be kept.
        rows: u64,
        /// Most rows.
        max_rows: u64,
    },
    /// The body's state went invalid while it stood before recording.
    #[error("body bout stopped while settling (standing before recording)")]
    Settling(#[source] BodyStateError),
    /// The body's state went invalid during the recorded bout.
    #[error("body bout of {command:?} stopped {after_s:.3} s into recording")]
    Recording {
        /// The bout's command.
        command: MotorCommand,
        /// Recorded time when it was seen, s.
        after_s: f64,
        /// What went wrong, where.
        #[source]
        source: BodyStateError,
    },
}
