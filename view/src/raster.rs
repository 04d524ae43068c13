//! A live spike raster of the experiment's recorded selections: time runs left to right
//! over the last few seconds, one row per neuron (rows are pooled when there are more
//! neurons than pixels), groups separated by a line and named on the left.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::app::{Latest, Scene};

pub(crate) struct RasterPlugin;

impl Plugin for RasterPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn).add_systems(Update, draw);
    }
}

const WIDTH: u32 = 360;
const MAX_HEIGHT: u32 = 180;

#[derive(Resource)]
struct Raster {
    image: Handle<Image>,
    height: u32,
    /// Per group: first row, rows, first pixel row, pixel rows.
    bands: Vec<(u32, u32, u32, u32)>,
    /// Spikes still inside the window.
    recent: Vec<(f32, u32)>,
}

/// Pixel rows a group gets at least, so that its label fits beside it.
const MIN_BAND: u32 = 14;

/// Splits `height` pixel rows among groups in proportion to their rows, each at least
/// MIN_BAND high (the total grows when the minimums need it).
fn bands(groups: &[u32], height: u32) -> Vec<(u32, u32, u32, u32)> {
    let total: u32 = groups.iter().sum::<u32>().max(1);
    let mut out = Vec::new();
    let (mut row, mut px) = (0, 0);
    for &g in groups {
        let h = ((g as u64 * height as u64) / total as u64) as u32;
        let h = h.max(MIN_BAND);
        out.push((row, g, px, h));
        row += g;
        px += h;
    }
    out
}

fn spawn(mut commands: Commands, scene: Res<Scene>, mut images: ResMut<Assets<Image>>) {
    let s = &scene.0;
    let total: u32 = s.raster.iter().map(|g| g.rows).sum();
    if total == 0 {
        return;
    }
    let groups: Vec<u32> = s.raster.iter().map(|g| g.rows).collect();
    let bands = bands(&groups, total.clamp(40, MAX_HEIGHT));
    let height = bands.last().map_or(40, |b| b.2 + b.3);
    let image = images.add(Image::new_fill(
        Extent3d {
            width: WIDTH,
            height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[10, 12, 16, 255],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    ));
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                top: Val::Px(8.0),
                right: Val::Px(8.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(6.0)),
                ..default()
            },
            BackgroundColor(Color::srgba(0.05, 0.06, 0.08, 0.78)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new(format!("spikes, last {:.0} s", s.raster_window_s)),
                TextFont::from_font_size(11.0),
                TextColor(Color::srgb(0.6, 0.75, 0.95)),
            ));
            p.spawn(Node {
                flex_direction: FlexDirection::Row,
                column_gap: Val::Px(4.0),
                ..default()
            })
            .with_children(|row| {
                row.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    width: Val::Px(110.0),
                    height: Val::Px(height as f32),
                    ..default()
                })
                .with_children(|labels| {
                    for (g, b) in s.raster.iter().zip(&bands) {
                        let h = b.3 as f32;
                        labels.spawn((
                            Text::new(format!("{} ({})", g.label, g.rows)),
                            TextFont::from_font_size(9.0),
                            TextColor(Color::srgb(0.85, 0.85, 0.9)),
                            Node {
                                height: Val::Px(h),
                                overflow: Overflow::clip(),
                                ..default()
                            },
                        ));
                    }
                });
                row.spawn((
                    ImageNode::new(image.clone()),
                    Node {
                        width: Val::Px(WIDTH as f32),
                        height: Val::Px(height as f32),
                        ..default()
                    },
                ));
            });
        });
    commands.insert_resource(Raster {
        image,
        height,
        bands,
        recent: Vec::new(),
    });
}

fn draw(
    raster: Option<ResMut<Raster>>,
    mut latest: ResMut<Latest>,
    scene: Res<Scene>,
    mut images: ResMut<Assets<Image>>,
) {
    let Some(mut r) = raster else {
        latest.spikes.clear();
        return;
    };
    let now = latest.frame.t_s as f32;
    let window = scene.0.raster_window_s.max(0.1);
    let mut fresh = std::mem::take(&mut latest.spikes);
    r.recent.append(&mut fresh);
    r.recent
        .retain(|&(t, _)| t > now - window && t <= now + 1e-6);
    let height = r.height;
    let Some(mut image) = images.get_mut(&r.image) else {
        return;
    };
    let Some(data) = image.data.as_mut() else {
        return;
    };
    for px in data.chunks_exact_mut(4) {
        px.copy_from_slice(&[10, 12, 16, 255]);
    }
    // Group separators.
    for b in r.bands.iter().skip(1) {
        for x in 0..WIDTH {
            put(data, x, b.2, [60, 70, 90]);
        }
    }
    for &(t, row) in &r.recent {
        let x = (((t - (now - window)) / window) * (WIDTH - 1) as f32) as u32;
        // The band of the row's group, then its place inside it.
        let Some(&(first, rows, top, px)) = r.bands.iter().rev().find(|b| b.0 <= row) else {
            continue;
        };
        let y = top + (((row - first) as u64 * px as u64) / rows.max(1) as u64) as u32;
        put(data, x.min(WIDTH - 1), y.min(height - 1), [255, 235, 140]);
    }
}

fn put(data: &mut [u8], x: u32, y: u32, rgb: [u8; 3]) {
    let i = ((y * WIDTH + x) * 4) as usize;
    if let Some(px) = data.get_mut(i..i + 4) {
        px.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
    }
}
