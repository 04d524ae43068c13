//! What can go wrong in a brain-alone run, named by the parameter it concerns.

use std::path::PathBuf;

use connectome::LoadError;
use connectome::select::SelectError;
use connectome::source::SourceError;

/// Why a brain-alone run did not run or did not finish.
///
/// Problems with a parameter name it by its field in [`super::BrainRunParams`]; the command
/// line prints the same problems with its flag names ([`BrainRunError::describe`]).
#[derive(Debug, thiserror::Error)]
pub enum BrainRunError {
    /// A parameter's value is out of its range.
    #[error("{}", self.describe(|p| p.to_string()))]
    Param {
        /// The parameter (a field of `BrainRunParams`).
        param: &'static str,
        /// What is wrong and what was expected.
        problem: String,
    },
    /// `rate` was given without any stimulated neuron: it would drive nothing.
    #[error("{}", self.describe(|p| p.to_string()))]
    RateWithoutStimulus,
    /// A selector does not parse or names a column the neurons do not have.
    #[error("{}", self.describe(|p| p.to_string()))]
    Selector {
        /// The parameter that holds it.
        param: &'static str,
        /// The selector as given.
        selector: String,
        /// Why it failed (boxed: a selector error is large, and rare).
        #[source]
        source: Box<SelectError>,
    },
    /// A selector picks no neuron: a typo or the wrong dataset, which would otherwise
    /// silently stimulate, silence, record or measure nothing.
    #[error("{}", self.describe(|p| p.to_string()))]
    SelectsNothing {
        /// The parameter that holds it.
        param: &'static str,
        /// The selector as given.
        selector: String,
        /// The connectome it was applied to.
        connectome: PathBuf,
    },
    /// The connectome could not be found or loaded.
    #[error("loading {}", path.display())]
    Load {
        /// The path or dataset name.
        path: PathBuf,
        /// Why (boxed: keeps the error small).
        #[source]
        source: Box<SourceError>,
    },
    /// Signing the synapses by `inhibitory_fraction` met a count with no magnitude.
    #[error("signing {}", path.display())]
    Signs {
        /// The connectome.
        path: PathBuf,
        /// The synapse at fault.
        #[source]
        source: controller::brain::signs::SignError,
    },
    /// The input spikes file is unreadable or malformed (the error names file, line and
    /// column).
    #[error(transparent)]
    InputSpikes(#[from] LoadError),
    /// The model parameters do not compile.
    #[error(transparent)]
    Model(#[from] controller::brain::params::ParamsError),
    /// The worker threads could not be started.
    #[error("cannot start the worker threads")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// An output file cannot be written (the error names it).
    #[error(transparent)]
    Output(#[from] crate::record::RecordError),
}

impl BrainRunError {
    /// The message with each parameter written by `name` (the field name in the library,
    /// `--flag-name` on the command line).
    pub fn describe(&self, name: impl Fn(&str) -> String) -> String {
        match self {
            BrainRunError::Param { param, problem } => format!("{} {problem}", name(param)),
            BrainRunError::RateWithoutStimulus => format!(
                "{} sets the rate of the {} neurons; expected {} SELECTOR too",
                name("rate"),
                name("stimulate"),
                name("stimulate")
            ),
            BrainRunError::Selector {
                param, selector, ..
            } => format!("{} `{selector}`", name(param)),
            BrainRunError::SelectsNothing {
                param,
                selector,
                connectome,
            } => format!(
                "{} `{selector}` selects no neuron of {}; expected a selector matching at least \
                 one (see `hexafly connectome info --by COLUMN` for the values)",
                name(param),
                connectome.display()
            ),
            other => other.to_string(),
        }
    }

    pub(super) fn param(param: &'static str, problem: impl Into<String>) -> BrainRunError {
        BrainRunError::Param {
            param,
            problem: problem.into(),
        }
    }
}
