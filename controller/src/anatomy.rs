//! Body vocabulary shared by controller and sim: sides, legs, leg joints and the joint-target
//! value that motor patterns produce and the physics body follows.
//!
//! Conventions (body frame, right-handed, z up): x points forward, y to the fly's left.
//! Joint angles are in radians and signed so that the same number means the same movement on
//! both sides: coxa > 0 protracts (foot forward), femur > 0 levates (foot up), tibia > 0 flexes
//! (foot towards the body, down). Neck > 0 pitches the head down.

use serde::{Deserialize, Serialize};

/// Left or right side of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The fly's left (+y in the body frame).
    Left,
    /// The fly's right (-y in the body frame).
    Right,
}

impl Side {
    /// Both sides, in index order.
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    /// Index into per-side arrays: left 0, right 1.
    pub fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }

    /// +1 for left, -1 for right: the sign of y on this side of the body.
    pub fn sign(self) -> f32 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }

    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// Thoracic segment a leg belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segment {
    /// Prothoracic (front) legs.
    Front,
    /// Mesothoracic (middle) legs.
    Middle,
    /// Metathoracic (hind) legs.
    Hind,
}

/// One of the six legs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LegId {
    /// Left front.
    LF,
    /// Left middle.
    LM,
    /// Left hind.
    LH,
    /// Right front.
    RF,
    /// Right middle.
    RM,
    /// Right hind.
    RH,
}

impl LegId {
    /// All legs in index order (left front to hind, then right front to hind).
    pub const ALL: [LegId; 6] = [
        LegId::LF,
        LegId::LM,
        LegId::LH,
        LegId::RF,
        LegId::RM,
        LegId::RH,
    ];

    /// Index into per-leg arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The leg with this index; `None` outside 0..6.
    pub fn from_index(i: usize) -> Option<LegId> {
        LegId::ALL.get(i).copied()
    }

    /// Side of the body.
    pub fn side(self) -> Side {
        match self {
            LegId::LF | LegId::LM | LegId::LH => Side::Left,
            _ => Side::Right,
        }
    }

    /// Thoracic segment.
    pub fn segment(self) -> Segment {
        match self {
            LegId::LF | LegId::RF => Segment::Front,
            LegId::LM | LegId::RM => Segment::Middle,
            LegId::LH | LegId::RH => Segment::Hind,
        }
    }

    /// Tripod membership: LF, RM, LH form tripod 0; RF, LM, RH tripod 1.
    pub fn tripod(self) -> usize {
        match self {
            LegId::LF | LegId::RM | LegId::LH => 0,
            _ => 1,
        }
    }

    /// Short lowercase name as used in body files and CSV headers ("lf", "rm", ...).
    pub fn name(self) -> &'static str {
        match self {
            LegId::LF => "lf",
            LegId::LM => "lm",
            LegId::LH => "lh",
            LegId::RF => "rf",
            LegId::RM => "rm",
            LegId::RH => "rh",
        }
    }

    /// Parses [`LegId::name`] (case-insensitive).
    pub fn from_name(s: &str) -> Option<LegId> {
        LegId::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s))
    }
}

/// A joint of one leg, proximal to distal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LegJoint {
    /// Body-coxa joint: protraction/retraction about the vertical axis.
    Coxa,
    /// Coxa-femur joint: levation/depression.
    Femur,
    /// Femur-tibia joint: flexion/extension.
    Tibia,
}

impl LegJoint {
    /// All leg joints, proximal to distal.
    pub const ALL: [LegJoint; 3] = [LegJoint::Coxa, LegJoint::Femur, LegJoint::Tibia];

    /// Index into per-joint arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Joint-space command for the whole body: what the physics motors track.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct JointTargets {
    /// Per leg ([`LegId::index`]), per joint ([`LegJoint::index`]), radians.
    pub legs: [[f32; 3]; 6],
    /// Neck pitch, radians (> 0 head down).
    pub neck: f32,
    /// Proboscis extension, 0 (retracted) to 1 (fully extended).
    pub proboscis: f32,
}

impl JointTargets {
    /// Every scalar in a fixed order (18 leg joints, neck, proboscis), for blending and checks.
    pub fn as_array(&self) -> [f32; 20] {
        let mut out = [0.0; 20];
        for (l, leg) in self.legs.iter().enumerate() {
            out[l * 3..l * 3 + 3].copy_from_slice(leg);
        }
        out[18] = self.neck;
        out[19] = self.proboscis;
        out
    }

    /// Inverse of [`JointTargets::as_array`].
    pub fn from_array(a: &[f32; 20]) -> JointTargets {
        let mut legs = [[0.0; 3]; 6];
        for (l, leg) in legs.iter_mut().enumerate() {
            leg.copy_from_slice(&a[l * 3..l * 3 + 3]);
        }
        JointTargets {
            legs,
            neck: a[18],
            proboscis: a[19],
        }
    }

    /// Largest absolute difference of any joint, neck or proboscis value.
    pub fn max_abs_diff(&self, other: &JointTargets) -> f32 {
        let (a, b) = (self.as_array(), other.as_array());
        a.iter()
            .zip(b.iter())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_round_trip_and_tripods_alternate_sides() {
        for (i, leg) in LegId::ALL.into_iter().enumerate() {
            assert_eq!(leg.index(), i);
            assert_eq!(LegId::from_index(i), Some(leg));
            assert_eq!(LegId::from_name(leg.name()), Some(leg));
        }
        assert_eq!(LegId::from_index(6), None);
        // A tripod has two legs on one side and one on the other, never two neighbours.
        for t in 0..2 {
            let members: Vec<LegId> = LegId::ALL.into_iter().filter(|l| l.tripod() == t).collect();
            assert_eq!(members.len(), 3);
            let left = members.iter().filter(|l| l.side() == Side::Left).count();
            assert!(left == 1 || left == 2);
        }
    }

    #[test]
    fn joint_targets_array_round_trip() {
        let mut t = JointTargets::default();
        t.legs[4][2] = 0.5;
        t.neck = 0.2;
        t.proboscis = 1.0;
        assert_eq!(JointTargets::from_array(&t.as_array()), t);
        assert_eq!(t.max_abs_diff(&JointTargets::default()), 1.0);
    }
}
