//! The `hexafly` binary: parse the command line and hand over to [`sim::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    sim::cli::main()
}
