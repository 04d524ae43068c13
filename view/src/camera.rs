//! The camera: follows the robot's thorax, orbits with a mouse drag (left or right button)
//! and zooms with the wheel, in body lengths so any body scale frames the same.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;

use bevy::render::render_resource::TextureFormat;

use crate::app::{Latest, Options, Scene, to_bevy};

pub(crate) struct CameraPlugin;

impl Plugin for CameraPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn)
            .add_systems(Update, (orbit, follow).chain());
    }
}

/// Orbit state: angles about the target, distance in body lengths.
#[derive(Component)]
pub(crate) struct Orbit {
    pub yaw: f32,
    pub pitch: f32,
    pub distance: f32,
    pub target: Vec3,
    /// Whether the target has been placed on the robot once (no glide from the origin).
    pub placed: bool,
}

fn spawn(mut commands: Commands, options: Res<Options>, mut images: ResMut<Assets<Image>>) {
    let orbit = Orbit {
        // Behind-left of the robot, looking down at 30 degrees.
        yaw: -2.3,
        pitch: 0.5,
        distance: 6.0,
        target: Vec3::ZERO,
        placed: false,
    };
    let mut camera = commands.spawn((Camera3d::default(), orbit, IsDefaultUiCamera));
    if options.0.light {
        // Software rasterisers pay for every sample: one per pixel.
        camera.insert(bevy::render::view::Msaa::Off);
    }
    if options.0.offscreen {
        let (w, h) = options.0.size;
        let image = Image::new_target_texture(w, h, TextureFormat::Rgba8UnormSrgb, None);
        let handle = images.add(image);
        camera.insert(bevy::camera::RenderTarget::Image(handle.clone().into()));
        commands.insert_resource(crate::capture::OffscreenTarget(handle));
    }
}

fn orbit(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    typing: Res<crate::controls::Typing>,
    mut cams: Query<&mut Orbit>,
) {
    for mut o in &mut cams {
        if buttons.any_pressed([MouseButton::Left, MouseButton::Right]) && !typing.0 {
            o.yaw -= motion.delta.x * 0.006;
            o.pitch = (o.pitch + motion.delta.y * 0.006).clamp(0.05, 1.5);
        }
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        if lines != 0.0 {
            o.distance = (o.distance * 0.9f32.powf(lines)).clamp(1.5, 60.0);
        }
    }
}

fn follow(
    latest: Res<Latest>,
    scene: Res<Scene>,
    time: Res<Time>,
    mut cams: Query<(&mut Orbit, &mut Transform)>,
) {
    let thorax = latest
        .frame
        .parts
        .first()
        .map(|p| to_bevy(p.translation))
        .unwrap_or(Vec3::ZERO);
    let scale = scene.0.body_length_m.max(1e-3);
    for (mut o, mut t) in &mut cams {
        if !o.placed && latest.any {
            o.target = thorax;
            o.placed = true;
        }
        // Glide towards the robot (time constant ~0.15 s) so steps and bumps do not shake.
        let a = 1.0 - (-time.delta_secs() / 0.15).exp();
        o.target = o.target.lerp(thorax, a);
        let d = o.distance * scale;
        let offset = Vec3::new(
            d * o.pitch.cos() * o.yaw.cos(),
            d * o.pitch.sin(),
            d * o.pitch.cos() * o.yaw.sin(),
        );
        *t = Transform::from_translation(o.target + offset).looking_at(o.target, Vec3::Y);
    }
}
