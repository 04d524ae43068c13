//! The robot: one entity per collider of the simulated body, drawn with the collider's own
//! shape (so what you see is what collides) and moved to its pose every frame.

use bevy::prelude::*;

use crate::app::{Latest, Scene, pose_to_transform};
use crate::frame::{PartKind, Shape};

pub(crate) struct RobotPlugin;

impl Plugin for RobotPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn)
            .add_systems(Update, (follow_frame, draw_proboscis));
    }
}

/// The collider with this index in [`crate::frame::Frame::parts`].
#[derive(Component)]
pub(crate) struct PartIndex(pub usize);

fn material(kind: PartKind) -> StandardMaterial {
    let (color, rough, metal) = match kind {
        // Chitin: dark amber body, lighter head with a sheen, near-black legs.
        PartKind::Body => (Color::srgb(0.42, 0.27, 0.12), 0.45, 0.1),
        PartKind::Head => (Color::srgb(0.62, 0.18, 0.12), 0.35, 0.1),
        PartKind::Leg => (Color::srgb(0.16, 0.13, 0.11), 0.6, 0.0),
        PartKind::Foot => (Color::srgb(0.08, 0.08, 0.08), 0.8, 0.0),
    };
    StandardMaterial {
        base_color: color,
        perceptual_roughness: rough,
        metallic: metal,
        ..default()
    }
}

/// A mesh for `shape` and the transform placing it in the shape's frame (capsules lie
/// along their segment, Bevy's along y).
pub(crate) fn shape_mesh(shape: &Shape) -> Option<(Mesh, Transform)> {
    match *shape {
        Shape::Cuboid { half } => Some((
            Cuboid::new(2.0 * half[0], 2.0 * half[1], 2.0 * half[2]).into(),
            Transform::IDENTITY,
        )),
        Shape::Ball { radius } => {
            Some((Sphere::new(radius).mesh().uv(20, 14), Transform::IDENTITY))
        }
        Shape::Capsule { a, b, radius } => {
            let (a, b) = (Vec3::from_array(a), Vec3::from_array(b));
            let axis = b - a;
            let len = axis.length();
            let rotation = if len > 1e-9 {
                Quat::from_rotation_arc(Vec3::Y, axis / len)
            } else {
                Quat::IDENTITY
            };
            Some((
                Capsule3d::new(radius, len)
                    .mesh()
                    .rings(2)
                    .latitudes(8)
                    .longitudes(12)
                    .into(),
                Transform::from_translation((a + b) / 2.0).with_rotation(rotation),
            ))
        }
    }
}

fn spawn(
    mut commands: Commands,
    scene: Res<Scene>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let kinds = [
        PartKind::Body,
        PartKind::Head,
        PartKind::Leg,
        PartKind::Foot,
    ];
    let palette: Vec<Handle<StandardMaterial>> =
        kinds.iter().map(|&k| materials.add(material(k))).collect();
    for (i, part) in scene.0.parts.iter().enumerate() {
        let Some((mesh, local)) = shape_mesh(&part.shape) else {
            continue;
        };
        let k = kinds.iter().position(|&k| k == part.kind).unwrap_or(0);
        commands
            .spawn((
                PartIndex(i),
                Name::new(part.name.clone()),
                Transform::IDENTITY,
                Visibility::Hidden,
            ))
            .with_child((
                Mesh3d(meshes.add(mesh)),
                MeshMaterial3d(palette[k].clone()),
                local,
            ));
    }
}

fn follow_frame(
    latest: Res<Latest>,
    mut parts: Query<(&PartIndex, &mut Transform, &mut Visibility)>,
) {
    if !latest.any {
        return;
    }
    for (i, mut t, mut v) in &mut parts {
        if let Some(p) = latest.frame.parts.get(i.0) {
            *t = pose_to_transform(p);
            *v = Visibility::Inherited;
        }
    }
}

/// The proboscis is a sensor segment, not a collider: drawn as a line when extended.
fn draw_proboscis(latest: Res<Latest>, mut gizmos: Gizmos) {
    if let Some([a, b]) = latest.frame.proboscis {
        gizmos.line(
            crate::app::to_bevy(a),
            crate::app::to_bevy(b),
            Color::srgb(0.9, 0.45, 0.35),
        );
    }
}
