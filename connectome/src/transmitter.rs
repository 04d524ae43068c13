//! Neurotransmitters and the sign rule that turns a presynaptic transmitter into an
//! excitatory or inhibitory synapse.

use serde::{Deserialize, Serialize};

/// A neuron's (predicted) fast transmitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Transmitter {
    /// ACh.
    Acetylcholine,
    /// GABA.
    Gaba,
    /// Glutamate.
    Glutamate,
    /// DA.
    Dopamine,
    /// 5-HT.
    Serotonin,
    /// OA.
    Octopamine,
    /// Histamine (photoreceptors).
    Histamine,
    /// Not known.
    #[default]
    Unknown,
}

impl Transmitter {
    /// Parse the spellings used by FlyWire (`ACH`, `GABA`, `GLUT`, `DA`, `SER`, `OCT`),
    /// neuPrint/MANC (`acetylcholine`, `gaba`, `glutamate`, ...), FANC (`ach`, `gaba`, `glu`,
    /// `unk`) and generic words. Anything else (including empty) is `Unknown`.
    pub fn parse(s: &str) -> Transmitter {
        match s.trim().to_ascii_lowercase().as_str() {
            "ach" | "acetylcholine" | "cholinergic" => Transmitter::Acetylcholine,
            "gaba" | "gabaergic" => Transmitter::Gaba,
            "glut" | "glu" | "glutamate" | "glutamatergic" => Transmitter::Glutamate,
            "da" | "dop" | "dopamine" | "dopaminergic" => Transmitter::Dopamine,
            "ser" | "5ht" | "5-ht" | "serotonin" | "serotonergic" => Transmitter::Serotonin,
            "oct" | "oa" | "octopamine" | "octopaminergic" => Transmitter::Octopamine,
            "his" | "hist" | "histamine" => Transmitter::Histamine,
            _ => Transmitter::Unknown,
        }
    }

    /// Short lowercase name, as used by selectors (`nt=gaba`).
    pub fn name(self) -> &'static str {
        match self {
            Transmitter::Acetylcholine => "acetylcholine",
            Transmitter::Gaba => "gaba",
            Transmitter::Glutamate => "glutamate",
            Transmitter::Dopamine => "dopamine",
            Transmitter::Serotonin => "serotonin",
            Transmitter::Octopamine => "octopamine",
            Transmitter::Histamine => "histamine",
            Transmitter::Unknown => "unknown",
        }
    }
}

/// How a presynaptic transmitter becomes a synapse sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignRule {
    /// Transmitters whose synapses are inhibitory; all others (including unknown) excite.
    pub inhibitory: Vec<Transmitter>,
}

impl Default for SignRule {
    /// Shiu et al. 2024: GABA and glutamate inhibit, everything else excites.
    fn default() -> Self {
        SignRule {
            inhibitory: vec![Transmitter::Gaba, Transmitter::Glutamate],
        }
    }
}

impl SignRule {
    /// +1 or -1 for a presynaptic transmitter.
    pub fn sign(&self, t: Transmitter) -> i32 {
        if self.inhibitory.contains(&t) { -1 } else { 1 }
    }
}
