//! The ground's material in light mode: vertex colour under one directional light, drawn by a
//! minimal shader (`ground.wgsl`). Under a software rasteriser the ground, which fills most of
//! the picture, set the frame rate: with Bevy's standard material (even unlit) a 1280x720
//! frame took ~0.45 s, without the ground ~0.08 s (BENCHMARKS.md, "Viewer").

use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, ShaderType};
use bevy::shader::ShaderRef;

pub(crate) struct GroundMaterialPlugin;

impl Plugin for GroundMaterialPlugin {
    fn build(&self, app: &mut App) {
        bevy::asset::embedded_asset!(app, "ground.wgsl");
        app.add_plugins(MaterialPlugin::<GroundMaterial>::default());
    }
}

/// Lambert shading of the vertex colours: `colour (ambient + direct max(n . l, 0))`.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub(crate) struct GroundMaterial {
    #[uniform(0)]
    shade: GroundShade,
}

/// The shader's uniform (`GroundShade` in `ground.wgsl`).
#[derive(ShaderType, Debug, Clone)]
struct GroundShade {
    /// Towards the light, world space (w unused).
    to_light: Vec4,
    /// Ambient (x) and direct (y) shares; z, w unused.
    weights: Vec4,
}

impl GroundMaterial {
    /// Lit from `to_light` (normalised here), about as bright as the standard material.
    pub fn new(to_light: Vec3) -> Self {
        GroundMaterial {
            shade: GroundShade {
                to_light: to_light.normalize_or(Vec3::Y).extend(0.0),
                weights: Vec4::new(0.35, 0.45, 0.0, 0.0),
            },
        }
    }
}

impl Material for GroundMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://view/ground.wgsl".into()
    }
}
