//! The [`Sensors`] fields a circuit map may read, by their path in the map (`odor`,
//! `looming.expansion`, `internal.hunger`, ...). The list is fixed here, next to the struct,
//! so a map that names a field the body does not produce is an error on load, not a sensor
//! that silently reads zero.

use crate::anatomy::Side;
use crate::sensors::Sensors;

/// One readable [`Sensors`] value (per side for [`SensorField::sided`] fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SensorField {
    /// `odor`: concentration at each antenna.
    Odor,
    /// `odor.change`: rate of change of the log concentration at each antenna, 1/s.
    OdorChange,
    /// `taste.proboscis`: labellum activation, 0..1.
    TasteProboscis,
    /// `taste.tarsi`: front-leg tarsi activation per side, 0..1.
    TasteTarsi,
    /// `looming.angle`: angular size per eye, rad.
    LoomingAngle,
    /// `looming.expansion`: angular expansion rate per eye, rad/s.
    LoomingExpansion,
    /// `looming.azimuth`: azimuth of the looming object per eye, rad.
    LoomingAzimuth,
    /// `dust_load`: dust on head and antennae, 0..1.
    DustLoad,
    /// `wind.forward`: forward air flow on the antennae, m/s.
    WindForward,
    /// `wind.leftward`: leftward air flow on the antennae, m/s.
    WindLeftward,
    /// `touch`: mechanical touch of head/body per side, 0..1.
    Touch,
    /// `obstacle`: nearness of a wall or obstacle ahead per side, 0..1.
    Obstacle,
    /// `body_velocity.forward`: optic-flow estimate of forward speed, m/s.
    BodyVelocityForward,
    /// `body_velocity.leftward`: optic-flow estimate of leftward speed, m/s.
    BodyVelocityLeftward,
    /// `yaw_rate`: haltere yaw rate, rad/s (> 0 turning left).
    YawRate,
    /// `internal.hunger`: 0..1.
    Hunger,
    /// `internal.dust`: 0..1.
    Dust,
    /// `internal.arousal`: 0..1.
    Arousal,
}

impl SensorField {
    /// Every field, in the order listed to users.
    pub const ALL: [SensorField; 18] = [
        SensorField::Odor,
        SensorField::OdorChange,
        SensorField::TasteProboscis,
        SensorField::TasteTarsi,
        SensorField::LoomingAngle,
        SensorField::LoomingExpansion,
        SensorField::LoomingAzimuth,
        SensorField::DustLoad,
        SensorField::WindForward,
        SensorField::WindLeftward,
        SensorField::Touch,
        SensorField::Obstacle,
        SensorField::BodyVelocityForward,
        SensorField::BodyVelocityLeftward,
        SensorField::YawRate,
        SensorField::Hunger,
        SensorField::Dust,
        SensorField::Arousal,
    ];

    /// The field's path as written in a circuit map.
    pub fn path(self) -> &'static str {
        match self {
            SensorField::Odor => "odor",
            SensorField::OdorChange => "odor.change",
            SensorField::TasteProboscis => "taste.proboscis",
            SensorField::TasteTarsi => "taste.tarsi",
            SensorField::LoomingAngle => "looming.angle",
            SensorField::LoomingExpansion => "looming.expansion",
            SensorField::LoomingAzimuth => "looming.azimuth",
            SensorField::DustLoad => "dust_load",
            SensorField::WindForward => "wind.forward",
            SensorField::WindLeftward => "wind.leftward",
            SensorField::Touch => "touch",
            SensorField::Obstacle => "obstacle",
            SensorField::BodyVelocityForward => "body_velocity.forward",
            SensorField::BodyVelocityLeftward => "body_velocity.leftward",
            SensorField::YawRate => "yaw_rate",
            SensorField::Hunger => "internal.hunger",
            SensorField::Dust => "internal.dust",
            SensorField::Arousal => "internal.arousal",
        }
    }

    /// The field named `path`, if it is one of [`SensorField::ALL`].
    pub fn parse(path: &str) -> Option<SensorField> {
        SensorField::ALL.into_iter().find(|f| f.path() == path)
    }

    /// All paths, comma separated (for error messages).
    pub fn known_paths() -> String {
        SensorField::ALL.map(SensorField::path).join(", ")
    }

    /// Whether the body reports this field once per side (left, right).
    pub fn sided(self) -> bool {
        matches!(
            self,
            SensorField::Odor
                | SensorField::OdorChange
                | SensorField::Obstacle
                | SensorField::TasteTarsi
                | SensorField::LoomingAngle
                | SensorField::LoomingExpansion
                | SensorField::LoomingAzimuth
                | SensorField::Touch
        )
    }

    /// The value on `side` (ignored for fields without sides, which read the same value
    /// for either side).
    pub fn read(self, s: &Sensors, side: Side) -> f32 {
        let i = side.index();
        match self {
            SensorField::Odor => s.odor[i],
            SensorField::OdorChange => s.odor_change[i],
            SensorField::TasteProboscis => s.taste.proboscis,
            SensorField::TasteTarsi => s.taste.tarsi[i],
            SensorField::LoomingAngle => s.looming[i].angle,
            SensorField::LoomingExpansion => s.looming[i].expansion,
            SensorField::LoomingAzimuth => s.looming[i].azimuth,
            SensorField::DustLoad => s.dust_load,
            SensorField::WindForward => s.wind[0],
            SensorField::WindLeftward => s.wind[1],
            SensorField::Touch => s.touch[i],
            SensorField::Obstacle => s.obstacle[i],
            SensorField::BodyVelocityForward => s.body_velocity[0],
            SensorField::BodyVelocityLeftward => s.body_velocity[1],
            SensorField::YawRate => s.yaw_rate,
            SensorField::Hunger => s.internal.hunger,
            SensorField::Dust => s.internal.dust,
            SensorField::Arousal => s.internal.arousal,
        }
    }
}

impl std::fmt::Display for SensorField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}
