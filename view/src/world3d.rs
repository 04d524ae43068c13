//! The world: the ground (its relief, coloured by the odor at the ground), obstacles, food
//! sources, looming objects, dust on the robot, and the lights.

use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;

use crate::app::{Latest, Options, Scene, pose_to_transform, to_bevy};
use crate::frame::Grid;
use crate::ground::GroundMaterial;

pub(crate) struct WorldPlugin;

impl Plugin for WorldPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(crate::ground::GroundMaterialPlugin)
            .add_systems(Startup, setup)
            .add_systems(Update, (colour_ground, draw_food, draw_threats, draw_dust));
    }
}

#[derive(Component)]
struct Ground;

#[derive(Component)]
struct FoodMarker(usize);

#[derive(Component)]
struct ThreatMarker(usize);

#[derive(Component)]
struct DustMote(usize);

#[derive(Resource)]
struct Palette {
    food: Handle<StandardMaterial>,
    food_mesh: Handle<Mesh>,
    threat: Handle<StandardMaterial>,
    threat_mesh: Handle<Mesh>,
    dust: Handle<StandardMaterial>,
    dust_mesh: Handle<Mesh>,
}

/// Where the sun is (it shines towards the origin), Bevy axes.
const SUN: Vec3 = Vec3::new(2.0, 6.0, 3.0);
/// Bare ground: sand.
const GROUND: [f32; 3] = [0.74, 0.69, 0.58];
/// Full odor: a saturated violet, so it reads on sand and is not confused with food.
const ODOR: [f32; 3] = [0.55, 0.22, 0.78];

fn setup(
    mut commands: Commands,
    scene: Res<Scene>,
    options: Res<Options>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut ground_materials: ResMut<Assets<GroundMaterial>>,
) {
    let s = &scene.0;
    let ground = commands
        .spawn((
            Ground,
            Mesh3d(meshes.add(ground_mesh(&s.ground, None))),
            Transform::IDENTITY,
        ))
        .id();
    if options.0.light {
        // The ground fills most of the picture: a minimal shader (see crate::ground).
        let m = ground_materials.add(GroundMaterial::new(SUN));
        commands.entity(ground).insert(MeshMaterial3d(m));
    } else {
        let m = materials.add(StandardMaterial {
            base_color: Color::WHITE,
            perceptual_roughness: 0.95,
            ..default()
        });
        commands.entity(ground).insert(MeshMaterial3d(m));
    }
    let stone = materials.add(StandardMaterial {
        base_color: Color::srgb(0.45, 0.43, 0.42),
        perceptual_roughness: 0.8,
        unlit: options.0.light,
        ..default()
    });
    for (shape, pose) in &s.obstacles {
        if let Some((mesh, local)) = crate::robot::shape_mesh(shape) {
            commands
                .spawn((pose_to_transform(pose), Visibility::default()))
                .with_child((
                    Mesh3d(meshes.add(mesh)),
                    MeshMaterial3d(stone.clone()),
                    local,
                ));
        }
    }
    commands.spawn((
        DirectionalLight {
            illuminance: 9000.0,
            shadow_maps_enabled: !options.0.light,
            ..default()
        },
        Transform::from_translation(SUN).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.insert_resource(GlobalAmbientLight {
        brightness: 400.0,
        ..default()
    });
    let r = s.body_length_m.max(1e-3);
    commands.insert_resource(Palette {
        food: materials.add(StandardMaterial {
            base_color: Color::srgb(0.95, 0.75, 0.15),
            emissive: LinearRgba::rgb(0.2, 0.12, 0.0),
            ..default()
        }),
        food_mesh: meshes.add(Cylinder::new(1.0, 1.0)),
        threat: materials.add(StandardMaterial {
            base_color: Color::srgb(0.08, 0.08, 0.1),
            perceptual_roughness: 0.4,
            ..default()
        }),
        threat_mesh: meshes.add(Sphere::new(1.0).mesh().uv(24, 16)),
        dust: materials.add(StandardMaterial {
            base_color: Color::srgb(0.55, 0.45, 0.33),
            ..default()
        }),
        dust_mesh: meshes.add(Sphere::new(0.02 * r).mesh().uv(8, 6)),
    });
}

/// The ground as a triangle grid over `g`'s samples, vertex-coloured by `odor` (same grid).
fn ground_mesh(g: &Grid, odor: Option<&Grid>) -> Mesh {
    let n = g.n.max(2);
    let mut positions = Vec::with_capacity(n * n);
    for j in 0..n {
        for i in 0..n {
            let [x, y] = g.xy(i, j);
            let z = g.values.get(j * n + i).copied().unwrap_or(0.0);
            positions.push(to_bevy([x, y, z]).to_array());
        }
    }
    let mut indices = Vec::with_capacity((n - 1) * (n - 1) * 6);
    for j in 0..n - 1 {
        for i in 0..n - 1 {
            let a = (j * n + i) as u32;
            let (b, c, d) = (a + 1, a + n as u32, a + n as u32 + 1);
            // Counter-clockwise seen from above (+y in Bevy; sim +y is Bevy -z).
            indices.extend_from_slice(&[a, b, c, b, d, c]);
        }
    }
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, odor_colours(n, odor))
    .with_inserted_indices(Indices::U32(indices));
    mesh.compute_smooth_normals();
    mesh
}

/// Sand blended towards violet with the odor (square-root scale, so faint plumes show).
fn odor_colours(n: usize, odor: Option<&Grid>) -> Vec<[f32; 4]> {
    let max = odor
        .map(|o| o.values.iter().copied().fold(0.0f32, f32::max))
        .unwrap_or(0.0);
    (0..n * n)
        .map(|k| {
            let v = match odor {
                Some(o) if max > 0.0 && o.n == n => (o.values[k] / max).clamp(0.0, 1.0).sqrt(),
                _ => 0.0,
            };
            let c = |i: usize| GROUND[i] + (ODOR[i] - GROUND[i]) * 0.8 * v;
            [c(0), c(1), c(2), 1.0]
        })
        .collect()
}

fn colour_ground(
    mut latest: ResMut<Latest>,
    ground: Query<&Mesh3d, With<Ground>>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    let Some(odor) = latest.odor.take() else {
        return;
    };
    for m in &ground {
        if let Some(mut mesh) = meshes.get_mut(&m.0) {
            let n = (mesh.count_vertices() as f64).sqrt().round() as usize;
            mesh.insert_attribute(Mesh::ATTRIBUTE_COLOR, odor_colours(n, Some(&odor)));
        }
    }
}

fn draw_food(
    mut commands: Commands,
    latest: Res<Latest>,
    palette: Res<Palette>,
    mut existing: Query<(Entity, &FoodMarker, &mut Transform)>,
) {
    let food = &latest.frame.food;
    let mut seen = vec![false; food.len()];
    for (e, m, mut t) in &mut existing {
        match food.get(m.0) {
            Some(f) => {
                *t = food_transform(f);
                seen[m.0] = true;
            }
            None => commands.entity(e).despawn(),
        }
    }
    for (i, f) in food.iter().enumerate().filter(|(i, _)| !seen[*i]) {
        commands.spawn((
            FoodMarker(i),
            Mesh3d(palette.food_mesh.clone()),
            MeshMaterial3d(palette.food.clone()),
            food_transform(f),
        ));
    }
}

/// A flat disc of the food's radius; its height grows with its sugar.
fn food_transform(f: &crate::frame::Food) -> Transform {
    let h = 0.004 + 0.01 * f.sugar.clamp(0.0, 1.0);
    Transform::from_translation(to_bevy([f.position[0], f.position[1], h / 2.0]))
        .with_scale(Vec3::new(f.radius, h, f.radius))
}

fn draw_threats(
    mut commands: Commands,
    latest: Res<Latest>,
    palette: Res<Palette>,
    mut existing: Query<(Entity, &ThreatMarker, &mut Transform)>,
) {
    let threats = &latest.frame.threats;
    let mut seen = vec![false; threats.len()];
    for (e, m, mut t) in &mut existing {
        match threats.get(m.0) {
            Some(&(p, r)) => {
                *t = Transform::from_translation(to_bevy(p)).with_scale(Vec3::splat(r));
                seen[m.0] = true;
            }
            None => commands.entity(e).despawn(),
        }
    }
    for (i, &(p, r)) in threats.iter().enumerate().filter(|(i, _)| !seen[*i]) {
        commands.spawn((
            ThreatMarker(i),
            Mesh3d(palette.threat_mesh.clone()),
            MeshMaterial3d(palette.threat.clone()),
            Transform::from_translation(to_bevy(p)).with_scale(Vec3::splat(r)),
        ));
    }
}

/// Motes on the robot's back, as many as its dust level asks (up to 40).
fn draw_dust(
    mut commands: Commands,
    latest: Res<Latest>,
    scene: Res<Scene>,
    options: Res<Options>,
    palette: Res<Palette>,
    mut motes: Query<(Entity, &DustMote, &mut Transform)>,
) {
    let f = &latest.frame;
    let Some(thorax) = f.parts.first() else {
        return;
    };
    let want = if options.0.light {
        0
    } else {
        (f.internal[1].clamp(0.0, 1.0) * 40.0).round() as usize
    };
    let base = pose_to_transform(thorax);
    let r = scene.0.body_length_m;
    let mut have = vec![false; want];
    for (e, m, mut t) in &mut motes {
        if m.0 < want {
            *t = base * mote_offset(m.0, r);
            have[m.0] = true;
        } else {
            commands.entity(e).despawn();
        }
    }
    for i in (0..want).filter(|&i| !have[i]) {
        commands.spawn((
            DustMote(i),
            Mesh3d(palette.dust_mesh.clone()),
            MeshMaterial3d(palette.dust.clone()),
            base * mote_offset(i, r),
        ));
    }
}

/// A fixed scatter over the back (golden-angle spiral) of a body `len` long, in the
/// thorax frame (sim-local, z up: the thorax's transform already turns it to Bevy's axes).
fn mote_offset(i: usize, len: f32) -> Transform {
    let a = i as f32 * 2.399_963;
    let d = 0.22 * len * ((i as f32 + 0.5) / 40.0).sqrt();
    Transform::from_xyz(d * a.cos(), d * a.sin() * 0.6, 0.1 * len)
}
